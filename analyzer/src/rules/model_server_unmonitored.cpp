// REL002: a model server whose predictions reach no monitoring component cannot have its drift
// or quality watched.
#include <fmt/format.h>

#include "mlarch/analyzer/graph.hpp"
#include "mlarch/analyzer/rules.hpp"

namespace mlarch::rules {

void model_server_unmonitored(const RuleContext& ctx) {
  const auto& components = ctx.system.components;
  for (std::size_t i = 0; i < components.size(); ++i) {
    if (components[i].kind != ComponentKind::model_server) continue;
    auto reach = ctx.graph.reachable_from(i);
    bool monitored = false;
    for (std::size_t j = 0; j < components.size() && !monitored; ++j)
      monitored = reach[j] && components[j].kind == ComponentKind::monitoring;
    if (monitored) continue;
    ctx.report(components[i].pointer,
               fmt::format("model server '{}' sends nothing to a monitoring component", components[i].id),
               fmt::format("add a flow from '{}' to a component of kind monitoring, and set the model's "
                           "`monitoring.component`",
                           components[i].id));
  }
}

}  // namespace mlarch::rules
