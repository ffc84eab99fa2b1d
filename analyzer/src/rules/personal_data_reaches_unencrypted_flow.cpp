// SEC030: personal data inherited through `derived_from` travels over a flow without encryption.
// SEC004 flags the flows that list a dataset declaring personal data; this rule flags the flows
// that list only datasets inheriting it (derived, transitively, from a dataset with personal data
// and not declaring `pii` themselves), so that one flow is never reported by both. The message
// shows the derivation and the chain of flows that brings the data to the flow (trace_data).
#include <fmt/format.h>

#include "common.hpp"
#include "mlarch/analyzer/graph.hpp"
#include "mlarch/analyzer/rules.hpp"

namespace mlarch::rules {

void personal_data_reaches_unencrypted_flow(const RuleContext& ctx) {
  const System& s = ctx.system;
  DataTrace trace = trace_data(ctx.graph, personal_datasets(s));
  for (const auto& f : s.flows) {
    if (f.encrypted) continue;
    std::vector<std::string> inherited, derivations;
    bool declared = false;
    for (const auto& id : f.data) {
      const Dataset* d = s.dataset(id);
      if (!d || !trace.lineage.has(id)) continue;
      if (d->has_personal_data()) {
        declared = true;  // SEC004's finding
        break;
      }
      if (contains(inherited, id)) continue;
      inherited.push_back(id);
      derivations.push_back(trace.lineage.describe(s.dataset_index.at(id)));
    }
    if (declared || inherited.empty()) continue;
    std::string derived;
    for (const auto& chain : derivations) derived += (derived.empty() ? "" : "; ") + chain;
    ctx.report(f.pointer + "/encrypted",
               fmt::format("flow '{}' carries personal data without encryption: {} inherit{} it through "
                           "derived_from ({}); path: {}",
                           f.id, quoted_list(inherited), inherited.size() == 1 ? "s" : "", derived,
                           ctx.graph.describe(trace.path_over(ctx.graph, f))),
               "set `encrypted: true` on the flow (TLS or mTLS), or declare `pii: []` on the derived dataset if "
               "aggregation or anonymisation really removed the personal data");
  }
}

}  // namespace mlarch::rules
