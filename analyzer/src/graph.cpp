// SystemGraph: adjacency over components and flows.
#include "mlarch/analyzer/graph.hpp"

#include <algorithm>
#include <deque>

#include <boost/graph/breadth_first_search.hpp>
#include <fmt/format.h>

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

SystemGraph::Search SystemGraph::search(std::span<const std::size_t> sources,
                                        const std::function<bool(const Flow&)>& follow,
                                        const std::function<bool(std::size_t)>& expand) const {
  std::size_t n = boost::num_vertices(graph_);
  Search s{std::vector<bool>(n, false), std::vector<std::size_t>(n, npos)};
  std::deque<std::size_t> queue;
  for (std::size_t v : sources)
    if (v < n && !s.reached[v]) {
      s.reached[v] = true;
      queue.push_back(v);
    }
  while (!queue.empty()) {
    std::size_t v = queue.front();
    queue.pop_front();
    if (expand && !expand(v)) continue;
    for (auto [it, end] = boost::out_edges(v, graph_); it != end; ++it) {
      std::size_t u = boost::target(*it, graph_);
      std::size_t flow = graph_[*it].flow;
      if (s.reached[u] || (follow && !follow(system_->flows[flow]))) continue;
      s.reached[u] = true;
      s.via[u] = flow;
      queue.push_back(u);
    }
  }
  return s;
}

std::vector<std::size_t> SystemGraph::path_to(const Search& s, std::size_t component) const {
  std::vector<std::size_t> path;
  if (component >= s.reached.size() || !s.reached[component]) return path;
  // Each step goes to a component reached strictly earlier, so the walk ends at a source.
  for (std::size_t v = component;; v = system_->flows[s.via[v]].from) {
    path.push_back(v);
    if (s.via[v] == npos) break;
  }
  std::reverse(path.begin(), path.end());
  return path;
}

std::string SystemGraph::describe(std::span<const std::size_t> components) const {
  // A path through thousands of components is read by its ends: the first and last few, and how
  // many lie between (which also keeps a message's length independent of the graph's size).
  constexpr std::size_t kEnds = 4;
  std::string out;
  const std::size_t n = components.size();
  for (std::size_t i = 0; i < n; ++i) {
    if (n > 3 * kEnds && i == kEnds) {
      out += fmt::format(" -> ({} more)", n - 2 * kEnds);
      i = n - kEnds - 1;
      continue;
    }
    if (!out.empty()) out += " -> ";
    out += system_->components[components[i]].id;
  }
  return out;
}

}  // namespace mlarch
