// BP020: a model's outputs flow back into its own training data, and the model declares no
// `training.feedback_loop.mitigation`. From each server of the model, a breadth-first search over
// components and datasets together: a flow leads from component to component, a component to
// the datasets it `writes`, a dataset to the components that `reads` it and to the datasets
// `derived_from` it. A training dataset the search reaches closes the loop. Datasets a flow merely
// carries do not count: a component forwarding a dataset does not write the model's output into it.
#include <deque>

#include <fmt/format.h>

#include "common.hpp"
#include "mlarch/analyzer/graph.hpp"
#include "mlarch/analyzer/rules.hpp"

namespace mlarch::rules {

namespace {

bool has_mitigation(const Model& m) {
  const Json* raw = m.raw;
  if (!raw || !raw->contains("training")) return false;
  const Json& training = (*raw)["training"];
  if (!training.is_object() || !training.contains("feedback_loop")) return false;
  const Json& loop = training["feedback_loop"];
  if (!loop.is_object() || !loop.contains("mitigation") || !loop["mitigation"].is_string()) return false;
  return loop["mitigation"].get<std::string>().find_first_not_of(" \t\n") != std::string::npos;
}

}  // namespace

void feedback_loop_without_mitigation(const RuleContext& ctx) {
  const System& s = ctx.system;
  const std::size_t nc = s.components.size(), nd = s.datasets.size();
  constexpr std::size_t none = SystemGraph::npos;
  // Nodes: components [0, nc), datasets [nc, nc + nd).
  std::vector<std::vector<std::size_t>> readers(nd), derived(nd);
  for (std::size_t c = 0; c < nc; ++c)
    for (const auto& id : s.components[c].reads)
      if (auto it = s.dataset_index.find(id); it != s.dataset_index.end()) readers[it->second].push_back(c);
  for (std::size_t e = 0; e < nd; ++e)
    for (const auto& id : s.datasets[e].derived_from)
      if (auto it = s.dataset_index.find(id); it != s.dataset_index.end()) derived[it->second].push_back(e);
  auto successors = [&](std::size_t node, auto&& visit) {
    if (node < nc) {
      for (std::size_t t : ctx.graph.successors(node)) visit(t);
      for (const auto& id : s.components[node].writes)
        if (auto it = s.dataset_index.find(id); it != s.dataset_index.end()) visit(nc + it->second);
    } else {
      for (std::size_t c : readers[node - nc]) visit(c);
      for (std::size_t e : derived[node - nc]) visit(nc + e);
    }
  };
  auto name = [&](std::size_t node) {
    return node < nc ? s.components[node].id : fmt::format("dataset '{}'", s.datasets[node - nc].id);
  };

  for (const auto& model : s.models) {
    if (model.training_datasets.empty() || has_mitigation(model)) continue;
    for (std::size_t server = 0; server < nc; ++server) {
      const Component& c = s.components[server];
      if (c.kind != ComponentKind::model_server || c.model != model.id) continue;
      std::vector<std::size_t> parent(nc + nd, none);
      std::vector<bool> seen(nc + nd, false);
      std::deque<std::size_t> queue{server};
      seen[server] = true;
      while (!queue.empty()) {
        std::size_t node = queue.front();
        queue.pop_front();
        successors(node, [&](std::size_t next) {
          if (seen[next]) return;
          seen[next] = true;
          parent[next] = node;
          queue.push_back(next);
        });
      }
      std::size_t hit = none;
      for (const auto& id : model.training_datasets)
        if (auto it = s.dataset_index.find(id); it != s.dataset_index.end() && seen[nc + it->second]) {
          hit = nc + it->second;
          break;
        }
      if (hit == none) continue;
      std::vector<std::string> steps;
      for (std::size_t node = hit; node != none; node = parent[node]) steps.push_back(name(node));
      std::string path;
      for (auto it = steps.rbegin(); it != steps.rend(); ++it) path += (path.empty() ? "" : " -> ") + *it;
      ctx.report(model.pointer + "/training/feedback_loop/mitigation",
                 fmt::format("model '{}' trains on data its own predictions reach, with no feedback-loop mitigation: {}",
                             model.id, path),
                 "declare `training.feedback_loop.mitigation` (exploration traffic, propensity weighting, holdout "
                 "without model influence) and build it, or keep the model's outputs out of its training data");
      break;  // one finding per model
    }
  }
}

}  // namespace mlarch::rules
