// SEC022: untrusted content reaches an LLM without passing an input guardrail. Untrusted content
// enters the system at a public component, at a component that reads a dataset with
// `trust: untrusted` (a store holding it, a retriever over it), and at a component that sends an
// untrusted dataset no flow brings to it (a crawler, an external feed). One breadth-first search
// from all of them, which goes no further through a component with `role: input_guardrail`:
// every LLM server it reaches has an unguarded route, and the message shows the shortest one.
#include <set>
#include <utility>

#include <fmt/format.h>

#include "common.hpp"
#include "mlarch/analyzer/graph.hpp"
#include "mlarch/analyzer/rules.hpp"

namespace mlarch::rules {

void llm_untrusted_input_without_guardrail(const RuleContext& ctx) {
  const System& s = ctx.system;
  std::size_t n = s.components.size();
  auto untrusted = [&](const std::string& id) {
    const Dataset* d = s.dataset(id);
    return d && d->trust == "untrusted";
  };
  auto guardrail = [&](std::size_t c) { return s.components[c].role == "input_guardrail"; };

  // Why each component is a source of untrusted content (empty: it is not one).
  std::vector<std::string> reason(n);
  for (std::size_t c = 0; c < n; ++c) {
    const Component& comp = s.components[c];
    if (guardrail(c)) continue;
    if (comp.security.is_public) {
      reason[c] = "public";
      continue;
    }
    for (const auto& id : comp.reads)
      if (untrusted(id)) {
        reason[c] = fmt::format("reads untrusted '{}'", id);
        break;
      }
  }
  // Untrusted data that appears at a component: it sends it, and no flow brings it there.
  std::set<std::pair<std::size_t, std::string>> received;
  for (const auto& f : s.flows)
    for (const auto& id : f.data)
      if (untrusted(id)) received.emplace(f.to, id);
  for (const auto& f : s.flows) {
    if (!reason[f.from].empty() || guardrail(f.from)) continue;
    for (const auto& id : f.data) {
      if (!untrusted(id)) continue;
      if (!received.count({f.from, id})) {
        reason[f.from] = fmt::format("brings in untrusted '{}'", id);
        break;
      }
    }
  }

  std::vector<std::size_t> sources;
  for (std::size_t c = 0; c < n; ++c)
    if (!reason[c].empty()) sources.push_back(c);
  if (sources.empty()) return;
  SystemGraph::Search search = ctx.graph.search(sources, {}, [&](std::size_t c) { return !guardrail(c); });

  for (std::size_t c = 0; c < n; ++c) {
    const Component& llm = s.components[c];
    if (!search.reached[c] || !is_llm_server(s, llm)) continue;
    std::vector<std::size_t> path = ctx.graph.path_to(search, c);
    const Component& source = s.components[path.front()];
    ctx.report(llm.pointer,
               fmt::format("untrusted input reaches LLM server '{}' without passing an input guardrail: {} ('{}' {})",
                           llm.id, ctx.graph.describe(path), source.id, reason[path.front()]),
               fmt::format("route everything that reaches '{}' from '{}' through a component with "
                           "`role: input_guardrail` (prompt-injection and content filter)",
                           llm.id, source.id));
  }
}

}  // namespace mlarch::rules
