// SEC031: personal data reaches a component that anyone on the internet may call: `security.public`
// true and `security.authn` absent or `none`. The component receives personal data (declared or
// inherited through `derived_from`) over a flow, or reads it. Components of kind `external` are
// SEC020's. The message shows the chain of flows that brings the data there (trace_data).
#include <fmt/format.h>

#include "common.hpp"
#include "mlarch/analyzer/graph.hpp"
#include "mlarch/analyzer/rules.hpp"

namespace mlarch::rules {

void personal_data_reaches_unauthenticated_endpoint(const RuleContext& ctx) {
  const System& s = ctx.system;
  auto exposed = [&](const Component& c) {
    return c.security.is_public && c.security.authn == "none" && c.kind != ComponentKind::external;
  };
  bool any = false;
  for (const auto& c : s.components) any = any || exposed(c);
  if (!any) return;

  DataTrace trace = trace_data(ctx.graph, personal_datasets(s));
  for (std::size_t c = 0; c < s.components.size(); ++c) {
    const Component& comp = s.components[c];
    if (!exposed(comp)) continue;
    std::vector<std::string> received, read;
    const Flow* first = nullptr;
    for (std::size_t i : ctx.graph.in_flows(c)) {
      const Flow& f = s.flows[i];
      for (const auto& id : f.data)
        if (trace.lineage.has(id) && !contains(received, id)) {
          received.push_back(id);
          if (!first || f.index < first->index) first = &f;
        }
    }
    for (const auto& id : comp.reads)
      if (trace.lineage.has(id) && !contains(read, id)) read.push_back(id);
    if (received.empty() && read.empty()) continue;

    std::string what;
    if (!read.empty()) what = fmt::format("reads personal data ({})", quoted_list(read));
    if (!received.empty())
      what += fmt::format("{}receives personal data ({}): {}", what.empty() ? "" : " and ", quoted_list(received),
                          ctx.graph.describe(trace.path_over(ctx.graph, *first)));
    ctx.report(comp.pointer,
               fmt::format("{} '{}' is public and does not authenticate its callers, yet it {}", kind_name(comp.kind),
                           comp.id, what),
               fmt::format("set `security.authn` on '{}' (oauth2, mtls, api_key, iam) and authorize access to the "
                           "data, or keep the personal data away from it",
                           comp.id));
  }
}

}  // namespace mlarch::rules
