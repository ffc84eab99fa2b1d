// SEC020: personal data leaves the system. A flow into a component of kind `external` carries a
// dataset with personal data: declared (`pii` or `sensitive_attributes` non-empty), or inherited
// through `derived_from` by a dataset that does not declare `pii` itself. Data sent back to the
// external component it came from (one that itself sends the dataset) is not a disclosure.
// The message shows how the data gets there (trace_data in common.hpp: one breadth-first search
// from the components that hold personal data, over the flows that carry it).
#include <set>
#include <utility>

#include <fmt/format.h>

#include "common.hpp"
#include "mlarch/analyzer/graph.hpp"
#include "mlarch/analyzer/rules.hpp"

namespace mlarch::rules {

void personal_data_reaches_external(const RuleContext& ctx) {
  const System& s = ctx.system;
  DataTrace trace = trace_data(ctx.graph, personal_datasets(s));

  // What each external component sends itself: returning it is no disclosure.
  std::set<std::pair<std::size_t, std::string>> sent_by_external;
  for (const auto& f : s.flows)
    if (s.components[f.from].kind == ComponentKind::external)
      for (const auto& id : f.data) sent_by_external.emplace(f.from, id);

  for (const auto& f : s.flows) {
    const Component& target = s.components[f.to];
    if (target.kind != ComponentKind::external) continue;
    std::vector<std::string> leaving;
    for (const auto& id : f.data) {
      if (!trace.lineage.has(id)) continue;
      if (!sent_by_external.count({f.to, id}) && !contains(leaving, id)) leaving.push_back(id);
    }
    if (leaving.empty()) continue;
    std::vector<std::size_t> path = trace.path_over(ctx.graph, f);
    ctx.report(f.pointer + "/to",
               fmt::format("personal data ({}) leaves the system for external component '{}': {}",
                           quoted_list(leaving), target.id, ctx.graph.describe(path)),
               fmt::format("send '{}' only what it needs (pseudonymise, aggregate or drop the personal fields "
                           "first), and record why the transfer is lawful",
                           target.id));
  }
}

}  // namespace mlarch::rules
