// BP021: training and serving see features through different transformations. A model server
// receives a feature table (a dataset of `kind: feature_table`) over a flow from a feature store,
// and the model trains on neither that table, nor a dataset it is derived from, nor one derived
// from it (transitively, through `derived_from`). Training means `training.datasets` and the
// `reads` of `training.pipeline`; a model that declares neither is not trained here and is skipped.
#include <deque>
#include <set>

#include <fmt/format.h>

#include "common.hpp"
#include "mlarch/analyzer/graph.hpp"
#include "mlarch/analyzer/rules.hpp"

namespace mlarch::rules {

void training_serving_skew(const RuleContext& ctx) {
  const System& s = ctx.system;
  const std::size_t nd = s.datasets.size();
  std::vector<std::vector<std::size_t>> parents(nd), children(nd);
  for (std::size_t e = 0; e < nd; ++e)
    for (const auto& id : s.datasets[e].derived_from)
      if (auto it = s.dataset_index.find(id); it != s.dataset_index.end()) {
        parents[e].push_back(it->second);
        children[it->second].push_back(e);
      }
  // The table itself, its ancestors and its descendants.
  auto lineage = [&](std::size_t table) {
    std::vector<bool> related(nd, false);
    for (const auto* edges : {&parents, &children}) {
      std::deque<std::size_t> queue{table};
      related[table] = true;
      std::vector<bool> seen(nd, false);
      seen[table] = true;
      while (!queue.empty()) {
        std::size_t d = queue.front();
        queue.pop_front();
        for (std::size_t next : (*edges)[d])
          if (!seen[next]) {
            seen[next] = related[next] = true;
            queue.push_back(next);
          }
      }
    }
    return related;
  };

  std::set<std::pair<std::string, std::string>> reported;  // (model, feature table)
  for (std::size_t server = 0; server < s.components.size(); ++server) {
    const Component& c = s.components[server];
    if (c.kind != ComponentKind::model_server || c.model.empty()) continue;
    const Model* model = s.model(c.model);
    if (!model) continue;
    std::vector<std::string> training = model->training_datasets;
    if (const Component* pipeline = s.component(model->training_pipeline))
      for (const auto& id : pipeline->reads)
        if (!contains(training, id)) training.push_back(id);
    if (training.empty()) continue;
    for (std::size_t flow : ctx.graph.in_flows(server)) {
      const Flow& f = s.flows[flow];
      const Component& store = s.components[f.from];
      if (store.kind != ComponentKind::feature_store) continue;
      for (const auto& id : f.data) {
        auto it = s.dataset_index.find(id);
        if (it == s.dataset_index.end() || raw_string(s.datasets[it->second].raw, "kind") != "feature_table") continue;
        if (reported.count({model->id, id})) continue;
        std::vector<bool> related = lineage(it->second);
        bool shared = false;
        for (const auto& t : training)
          if (auto jt = s.dataset_index.find(t); jt != s.dataset_index.end()) shared = shared || related[jt->second];
        if (shared) continue;
        reported.emplace(model->id, id);
        ctx.report(model->pointer + "/training/datasets",
                   fmt::format("model '{}' is served feature table '{}' by feature store '{}' but trains on {}, {} "
                               "'{}', derived from it, or a dataset it is derived from",
                               model->id, id, store.id, quoted_list(training),
                               training.size() == 1 ? "which is not" : "none of which is", id),
                   fmt::format("train '{}' on '{}' or on a dataset derived from it (point-in-time joins from the "
                               "offline store), so that training and serving share one feature transformation",
                               model->id, id));
      }
    }
  }
}

}  // namespace mlarch::rules
