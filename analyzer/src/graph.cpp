// SystemGraph: adjacency over components and flows.
#include "mlarch/analyzer/graph.hpp"

#include <boost/graph/breadth_first_search.hpp>

namespace mlarch {

SystemGraph::SystemGraph(const System& system) : system_(&system), graph_(system.components.size()) {
  for (const auto& f : system.flows) boost::add_edge(f.from, f.to, FlowEdge{f.index}, graph_);
}

std::vector<std::size_t> SystemGraph::successors(std::size_t component) const {
  std::vector<std::size_t> out;
  for (auto [it, end] = boost::adjacent_vertices(component, graph_); it != end; ++it) out.push_back(*it);
  return out;
}

std::vector<std::size_t> SystemGraph::predecessors(std::size_t component) const {
  std::vector<std::size_t> out;
  for (auto [it, end] = boost::in_edges(component, graph_); it != end; ++it) out.push_back(boost::source(*it, graph_));
  return out;
}

std::vector<std::size_t> SystemGraph::out_flows(std::size_t component) const {
  std::vector<std::size_t> out;
  for (auto [it, end] = boost::out_edges(component, graph_); it != end; ++it) out.push_back(graph_[*it].flow);
  return out;
}

std::vector<std::size_t> SystemGraph::in_flows(std::size_t component) const {
  std::vector<std::size_t> out;
  for (auto [it, end] = boost::in_edges(component, graph_); it != end; ++it) out.push_back(graph_[*it].flow);
  return out;
}

std::vector<bool> SystemGraph::reachable_from(std::size_t component) const {
  std::vector<bool> seen(boost::num_vertices(graph_), false);
  std::vector<boost::default_color_type> colors(boost::num_vertices(graph_));
  struct Visitor : boost::default_bfs_visitor {
    std::vector<bool>* seen;
    void discover_vertex(Vertex v, const Graph&) const { (*seen)[v] = true; }
  } visitor;
  visitor.seen = &seen;
  boost::breadth_first_search(graph_, component,
                              boost::visitor(visitor).color_map(boost::make_iterator_property_map(
                                  colors.begin(), boost::get(boost::vertex_index, graph_))));
  return seen;
}

std::vector<bool> SystemGraph::reaching(const std::vector<bool>& targets) const {
  std::vector<bool> seen(targets);
  std::vector<std::size_t> stack;
  for (std::size_t v = 0; v < seen.size(); ++v)
    if (seen[v]) stack.push_back(v);
  while (!stack.empty()) {
    std::size_t v = stack.back();
    stack.pop_back();
    for (auto [it, end] = boost::in_edges(v, graph_); it != end; ++it) {
      std::size_t u = boost::source(*it, graph_);
      if (!seen[u]) {
        seen[u] = true;
        stack.push_back(u);
      }
    }
  }
  return seen;
}

}  // namespace mlarch
