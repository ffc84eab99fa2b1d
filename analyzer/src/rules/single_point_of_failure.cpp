// REL020: a single point of failure of the serving graph. The serving graph is the undirected
// view of the components that some workload's path visits and of the flows among them; its
// articulation points (Boost.Graph, biconnected_components.hpp) are the components whose loss
// cuts it in two, with no other route around them. Flags an articulation point without failover:
// fewer than two replicas (the fixed count, or the autoscaling minimum), or an external component
// (whose replicas are not the spec's to count: the failover is a second route). REL001 leaves these
// components to this rule, so a component gets one finding, the stronger one.
#include <algorithm>
#include <iterator>
#include <map>
#include <vector>

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/biconnected_components.hpp>
#include <fmt/format.h>

#include "common.hpp"
#include "mlarch/analyzer/graph.hpp"
#include "mlarch/analyzer/rules.hpp"

namespace mlarch::rules {

namespace {

struct EdgeComponent {
  std::size_t component = 0;  // the biconnected component the edge belongs to
};
using Undirected = boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS, boost::no_property, EdgeComponent>;

}  // namespace

std::vector<SinglePointOfFailure> single_points_of_failure(const System& s) {
  std::vector<SinglePointOfFailure> out;
  std::vector<bool> serving = on_workload_path(s);
  std::vector<std::size_t> vertex_of(s.components.size(), SystemGraph::npos), component_of;
  for (std::size_t c = 0; c < s.components.size(); ++c)
    if (serving[c]) {
      vertex_of[c] = component_of.size();
      component_of.push_back(c);
    }
  if (component_of.size() < 3) return out;  // two components cannot be cut apart by a third
  Undirected g(component_of.size());
  for (const auto& f : s.flows)
    if (serving[f.from] && serving[f.to] && f.from != f.to) boost::add_edge(vertex_of[f.from], vertex_of[f.to], g);

  std::vector<std::size_t> cut_vertices;
  boost::biconnected_components(g, boost::get(&EdgeComponent::component, g), std::back_inserter(cut_vertices));
  std::sort(cut_vertices.begin(), cut_vertices.end());
  cut_vertices.erase(std::unique(cut_vertices.begin(), cut_vertices.end()), cut_vertices.end());

  for (std::size_t v : cut_vertices) {
    const Component& c = s.components[component_of[v]];
    if (c.kind != ComponentKind::external && c.replicas.count >= 2) continue;
    // Two neighbours in different biconnected components: every route between them passes
    // through this one.
    std::map<std::size_t, std::size_t> neighbour_by_block;
    for (auto [it, end] = boost::out_edges(v, g); it != end; ++it) {
      std::size_t u = boost::target(*it, g);
      auto [at, fresh] = neighbour_by_block.emplace(g[*it].component, u);
      if (!fresh && u < at->second) at->second = u;
    }
    std::vector<std::size_t> neighbours;
    for (const auto& [block, u] : neighbour_by_block) neighbours.push_back(u);
    std::sort(neighbours.begin(), neighbours.end());
    SinglePointOfFailure spof{component_of[v], {}};
    for (std::size_t k = 0; k < neighbours.size() && k < 2; ++k)
      spof.separates.push_back(s.components[component_of[neighbours[k]]].id);
    out.push_back(std::move(spof));
  }
  return out;
}

void single_point_of_failure(const RuleContext& ctx) {
  const System& s = ctx.system;
  for (const auto& spof : single_points_of_failure(s)) {
    const Component& c = s.components[spof.component];
    const auto& sides = spof.separates;
    std::string between = sides.size() == 2 ? fmt::format("every route between '{}' and '{}' passes through it", sides[0],
                                                          sides[1])
                                            : "no other route goes around it";
    if (c.kind == ComponentKind::external) {
      ctx.report(c.pointer,
                 fmt::format("external component '{}' is a single point of failure of the serving graph: {}", c.id,
                             between),
                 fmt::format("add a fallback route around '{}' (a second provider, a cache or a degraded answer) "
                             "with its flows",
                             c.id));
      continue;
    }
    std::string where = c.replicas_declared ? c.pointer + (c.replicas.autoscaled ? "/replicas/min" : "/replicas")
                                            : c.pointer;
    ctx.report(where,
               fmt::format("component '{}' is a single point of failure of the serving graph: {}, and it runs {} "
                           "replica{}",
                           c.id, between, c.replicas.count, c.replicas.count == 1 ? "" : "s"),
               c.replicas.autoscaled ? "set `replicas.min` to 2 or more, spread over zones, or add a failover route"
                                     : "run at least 2 replicas, spread over zones, or add a failover route");
  }
}

}  // namespace mlarch::rules
