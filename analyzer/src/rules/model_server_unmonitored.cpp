// REL002: a model server whose predictions reach no monitoring component cannot have its drift
// or quality watched.
#include <fmt/format.h>

#include "mlarch/analyzer/graph.hpp"
#include "mlarch/analyzer/rules.hpp"

namespace mlarch::rules {

void model_server_unmonitored(const RuleContext& ctx) {
  const auto& components = ctx.system.components;
  std::vector<bool> monitoring(components.size());
  for (std::size_t j = 0; j < components.size(); ++j) monitoring[j] = components[j].kind == ComponentKind::monitoring;
  std::vector<bool> monitored = ctx.graph.reaching(monitoring);
  for (std::size_t i = 0; i < components.size(); ++i) {
    if (components[i].kind != ComponentKind::model_server || monitored[i]) continue;
    ctx.report(components[i].pointer,
               fmt::format("model server '{}' sends nothing to a monitoring component", components[i].id),
               fmt::format("add a flow from '{}' to a component of kind monitoring, and set the model's "
                           "`monitoring.component`",
                           components[i].id));
  }
}

}  // namespace mlarch::rules
