// REL001: a component on a workload's path that runs a single replica is a single point of failure.
// The ones that are also the only route through the serving graph are REL020's (one finding per
// component, the stronger one).
#include <fmt/format.h>

#include "common.hpp"
#include "mlarch/analyzer/graph.hpp"
#include "mlarch/analyzer/rules.hpp"

namespace mlarch::rules {

void single_replica_on_path(const RuleContext& ctx) {
  std::vector<std::string> workload_of(ctx.system.components.size());
  for (const auto& w : ctx.system.workloads)
    for (const auto& [c, n] : w.visits())
      if (workload_of[c].empty()) workload_of[c] = w.name;
  for (const auto& spof : single_points_of_failure(ctx.system)) workload_of[spof.component].clear();
  for (std::size_t i = 0; i < ctx.system.components.size(); ++i) {
    const Component& c = ctx.system.components[i];
    if (workload_of[i].empty() || c.kind == ComponentKind::external || c.replicas.count >= 2) continue;
    std::string where = c.replicas_declared ? c.pointer + (c.replicas.autoscaled ? "/replicas/min" : "/replicas")
                                            : c.pointer;
    ctx.report(where,
               fmt::format("component '{}' serves workload '{}' with {} replica{}: one failure stops the workload", c.id,
                           workload_of[i], c.replicas.count, c.replicas.count == 1 ? "" : "s"),
               c.replicas.autoscaled ? "set `replicas.min` to 2 or more, spread over zones"
                                     : "run at least 2 replicas, spread over zones");
  }
}

}  // namespace mlarch::rules
