// The Boost.Graph view of a System: components are vertices (same indices as
// System::components), flows are edges (edge property: the flow's index).
#pragma once

#include <cstddef>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include <boost/graph/adjacency_list.hpp>

#include "mlarch/analyzer/model.hpp"

namespace mlarch {

class SystemGraph {
 public:
  struct FlowEdge {
    std::size_t flow = 0;
  };
  using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS, boost::no_property, FlowEdge>;
  using Vertex = Graph::vertex_descriptor;

  explicit SystemGraph(const System& system);

  const Graph& graph() const { return graph_; }
  const System& system() const { return *system_; }

  std::vector<std::size_t> successors(std::size_t component) const;
  std::vector<std::size_t> predecessors(std::size_t component) const;
  // Indices of the flows leaving / entering a component.
  std::vector<std::size_t> out_flows(std::size_t component) const;
  std::vector<std::size_t> in_flows(std::size_t component) const;
  // Components reachable from `component` by following flows (breadth-first), itself included.
  std::vector<bool> reachable_from(std::size_t component) const;
  // Components from which some target can be reached (targets included): one backward
  // traversal, O(V + E), whatever the number of targets.
  std::vector<bool> reaching(const std::vector<bool>& targets) const;

  static constexpr std::size_t npos = static_cast<std::size_t>(-1);
  // The result of search(): which components were reached, and by which flow each was first
  // reached (npos for the sources and for unreached components).
  struct Search {
    std::vector<bool> reached;
    std::vector<std::size_t> via;
  };
  // Breadth-first search from several sources at once, in O(V + E). Only flows that `follow`
  // accepts are taken, and only out of components that `expand` accepts (a component that
  // `expand` refuses is still reached, but the search goes no further through it). Empty
  // functions accept everything.
  Search search(std::span<const std::size_t> sources, const std::function<bool(const Flow&)>& follow = {},
                const std::function<bool(std::size_t)>& expand = {}) const;
  // The components from a source of `s` to `component` (both included), following `via`;
  // empty when `component` was not reached.
  std::vector<std::size_t> path_to(const Search& s, std::size_t component) const;
  // Component ids joined by " -> "; a path of more than 12 shows its first and last four and
  // the number between.
  std::string describe(std::span<const std::size_t> components) const;

 private:
  const System* system_;
  Graph graph_;
};

}  // namespace mlarch
