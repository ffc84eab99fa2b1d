// SEC004: a flow that carries a dataset with personal data must be encrypted in transit.
#include <fmt/format.h>

#include "mlarch/analyzer/graph.hpp"
#include "mlarch/analyzer/rules.hpp"

namespace mlarch::rules {

void personal_data_unencrypted_flow(const RuleContext& ctx) {
  for (const auto& flow : ctx.system.flows) {
    if (flow.encrypted) continue;
    for (const auto& id : flow.data) {
      const Dataset* d = ctx.system.dataset(id);
      if (!d || !d->has_personal_data()) continue;
      ctx.report(flow.pointer + "/encrypted",
                 fmt::format("flow '{}' carries personal data ('{}') without encryption", flow.id, id),
                 "set `encrypted: true` on the flow (TLS or mTLS between the two components)");
      break;
    }
  }
}

}  // namespace mlarch::rules
