// SEC020: personal data leaves the system. A flow into a component of kind `external` carries a
// dataset with personal data: declared (`pii` or `sensitive_attributes` non-empty), or inherited
// through `derived_from` by a dataset that does not declare `pii` itself. Data sent back to the
// external component it came from (one that itself sends the dataset) is not a disclosure.
// The message shows how the data gets there: one breadth-first search from the components that
// hold personal data, over the flows that carry it, with parent pointers (O(V + E + D)).
#include <deque>
#include <set>
#include <utility>

#include <fmt/format.h>

#include "common.hpp"
#include "mlarch/analyzer/graph.hpp"
#include "mlarch/analyzer/rules.hpp"

namespace mlarch::rules {

namespace {

// personal[d]: dataset d holds personal data, declared or inherited from what it is derived from.
std::vector<bool> personal_datasets(const System& s) {
  std::size_t n = s.datasets.size();
  std::vector<std::vector<std::size_t>> derived(n);  // d -> datasets derived from d
  for (std::size_t e = 0; e < n; ++e)
    for (const auto& id : s.datasets[e].derived_from)
      if (auto it = s.dataset_index.find(id); it != s.dataset_index.end()) derived[it->second].push_back(e);
  std::vector<bool> personal(n, false);
  std::deque<std::size_t> queue;
  for (std::size_t d = 0; d < n; ++d)
    if (s.datasets[d].has_personal_data()) {
      personal[d] = true;
      queue.push_back(d);
    }
  while (!queue.empty()) {
    std::size_t d = queue.front();
    queue.pop_front();
    for (std::size_t e : derived[d]) {
      // `pii: []` states that there is none (aggregated, anonymised): it stops the inheritance.
      const Dataset& child = s.datasets[e];
      if (personal[e] || (child.raw && child.raw->contains("pii"))) continue;
      personal[e] = true;
      queue.push_back(e);
    }
  }
  return personal;
}

}  // namespace

void personal_data_reaches_external(const RuleContext& ctx) {
  const System& s = ctx.system;
  std::vector<bool> personal = personal_datasets(s);
  auto is_personal = [&](const std::string& id) {
    auto it = s.dataset_index.find(id);
    return it != s.dataset_index.end() && personal[it->second];
  };
  auto carries_personal = [&](const Flow& f) {
    for (const auto& id : f.data)
      if (is_personal(id)) return true;
    return false;
  };

  // Where personal data starts: components that hold it (read or write a personal dataset), and
  // components where it enters the flows.
  std::size_t n = s.components.size();
  std::vector<bool> receives(n, false), sends(n, false);
  for (const auto& f : s.flows)
    if (carries_personal(f)) {
      receives[f.to] = true;
      sends[f.from] = true;
    }
  std::vector<std::size_t> sources;
  for (std::size_t c = 0; c < n; ++c) {
    const Component& comp = s.components[c];
    bool holds = false;
    for (const auto& id : comp.reads) holds = holds || is_personal(id);
    for (const auto& id : comp.writes) holds = holds || is_personal(id);
    // External components that send personal data are where it comes from (a partner, a
    // hospital); so are components that send it without receiving it over a flow.
    bool enters = sends[c] && (!receives[c] || comp.kind == ComponentKind::external);
    if (holds || enters) sources.push_back(c);
  }
  SystemGraph::Search search = ctx.graph.search(sources, carries_personal);

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
      if (!is_personal(id)) continue;
      if (!sent_by_external.count({f.to, id}) && !contains(leaving, id)) leaving.push_back(id);
    }
    if (leaving.empty()) continue;
    std::vector<std::size_t> path = ctx.graph.path_to(search, f.from);
    if (path.empty()) path.push_back(f.from);
    path.push_back(f.to);
    ctx.report(f.pointer + "/to",
               fmt::format("personal data ({}) leaves the system for external component '{}': {}",
                           quoted_list(leaving), target.id, ctx.graph.describe(path)),
               fmt::format("send '{}' only what it needs (pseudonymise, aggregate or drop the personal fields "
                           "first), and record why the transfer is lawful",
                           target.id));
  }
}

}  // namespace mlarch::rules
