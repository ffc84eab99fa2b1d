// BP003: a component that no flow touches and no workload visits is dead weight or a missing edge.
#include <fmt/format.h>

#include "mlarch/analyzer/graph.hpp"
#include "mlarch/analyzer/rules.hpp"

namespace mlarch::rules {

void orphan_component(const RuleContext& ctx) {
  std::vector<bool> on_path(ctx.system.components.size(), false);
  for (const auto& w : ctx.system.workloads)
    for (const auto& [c, n] : w.visits()) on_path[c] = true;
  for (std::size_t i = 0; i < ctx.system.components.size(); ++i) {
    if (on_path[i] || !ctx.graph.out_flows(i).empty() || !ctx.graph.in_flows(i).empty()) continue;
    const Component& c = ctx.system.components[i];
    ctx.report(c.pointer, fmt::format("component '{}' has no flows and no workload visits it", c.id),
               fmt::format("add the flows that connect '{}' to the system, or remove it", c.id));
  }
}

}  // namespace mlarch::rules
