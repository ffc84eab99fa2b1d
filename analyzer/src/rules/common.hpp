// Small helpers shared by the native graph rules.
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mlarch/analyzer/graph.hpp"
#include "mlarch/analyzer/model.hpp"

namespace mlarch::rules {

// A model server whose model is a large language model: `architecture.type: decoder_llm` or
// `task: text_generation`.
inline bool is_llm_server(const System& system, const Component& c) {
  if (c.kind != ComponentKind::model_server || c.model.empty()) return false;
  const Model* m = system.model(c.model);
  return m && (m->architecture_type == "decoder_llm" || m->task == "text_generation");
}

// A string value of a component's own key, or `fallback` when absent.
inline std::string raw_string(const Json* raw, std::string_view key, std::string fallback = {}) {
  if (!raw || !raw->is_object()) return fallback;
  auto it = raw->find(std::string(key));
  return it != raw->end() && it->is_string() ? it->get<std::string>() : fallback;
}

inline bool raw_bool(const Json* raw, std::string_view key) {
  if (!raw || !raw->is_object()) return false;
  auto it = raw->find(std::string(key));
  return it != raw->end() && it->is_boolean() && it->get<bool>();
}

inline bool contains(const std::vector<std::string>& list, std::string_view id) {
  for (const auto& s : list)
    if (s == id) return true;
  return false;
}

// A component kind as words: "model server", "feature store".
inline std::string kind_name(ComponentKind kind) {
  std::string out(to_string(kind));
  for (char& ch : out)
    if (ch == '_') ch = ' ';
  return out;
}

// 'a', 'b' and 'c'
inline std::string quoted_list(const std::vector<std::string>& ids) {
  std::string out;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (i) out += i + 1 == ids.size() ? " and " : ", ";
    out += "'" + ids[i] + "'";
  }
  return out;
}

// Whether each component is visited by some workload's path.
inline std::vector<bool> on_workload_path(const System& system) {
  std::vector<bool> on(system.components.size(), false);
  for (const auto& w : system.workloads)
    for (const auto& step : w.path)
      for (const auto& branch : step.branches)
        for (std::size_t c : branch) on[c] = true;
  return on;
}

// The serving graph's single points of failure (REL020, and REL001 that leaves them to it): the
// articulation points of the components on workload paths and their flows, taken undirected, that
// have no failover (fewer than two replicas, or an external component). `separates` names up to
// two neighbours that only this component connects.
struct SinglePointOfFailure {
  std::size_t component;
  std::vector<std::string> separates;
};
std::vector<SinglePointOfFailure> single_points_of_failure(const System& system);

// Personal data and where it goes (SEC020, SEC030, SEC031, ETH030).

// A dataset that declares `pii` but holds no personal data (`pii: []` and no
// `sensitive_attributes`): aggregation or anonymisation removed it, and nothing is inherited.
inline bool declares_no_personal_data(const Dataset& d) {
  return d.raw && d.raw->is_object() && d.raw->contains("pii") && !d.has_personal_data();
}

// Datasets carrying data of some seed datasets through `derived_from` (transitively). A dataset
// derived from a marked one is marked too, unless it declares that it holds no personal data or
// `stop` refuses it. One breadth-first search over the derivations, O(D + derivations).
struct Lineage {
  const System* system = nullptr;
  std::vector<bool> marked;
  std::vector<std::size_t> via;  // the dataset each one inherits from; npos for the seeds

  bool has(const std::string& id) const {
    auto it = system->dataset_index.find(id);
    return it != system->dataset_index.end() && marked[it->second];
  }
  // "customers -> cleaned -> segments": the derivations from a seed to `d`.
  std::string describe(std::size_t d) const {
    std::vector<std::size_t> chain;
    for (std::size_t e = d; e != SystemGraph::npos; e = via[e]) chain.push_back(e);
    std::string out;
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
      if (!out.empty()) out += " -> ";
      out += system->datasets[*it].id;
    }
    return out;
  }
};

inline Lineage inherit(const System& s, std::vector<bool> seeds, const std::function<bool(std::size_t)>& stop = {}) {
  std::size_t n = s.datasets.size();
  std::vector<std::vector<std::size_t>> derived(n);  // d -> datasets derived from d
  for (std::size_t e = 0; e < n; ++e)
    for (const auto& id : s.datasets[e].derived_from)
      if (auto it = s.dataset_index.find(id); it != s.dataset_index.end()) derived[it->second].push_back(e);
  Lineage lineage{&s, std::move(seeds), std::vector<std::size_t>(n, SystemGraph::npos)};
  std::deque<std::size_t> queue;
  for (std::size_t d = 0; d < n; ++d)
    if (lineage.marked[d]) queue.push_back(d);
  while (!queue.empty()) {
    std::size_t d = queue.front();
    queue.pop_front();
    for (std::size_t e : derived[d]) {
      if (lineage.marked[e] || declares_no_personal_data(s.datasets[e]) || (stop && stop(e))) continue;
      lineage.marked[e] = true;
      lineage.via[e] = d;
      queue.push_back(e);
    }
  }
  return lineage;
}

// Datasets with personal data: declared (`pii` or `sensitive_attributes` non-empty), or inherited
// through `derived_from` by a dataset that does not declare `pii: []`.
inline Lineage personal_datasets(const System& s) {
  std::vector<bool> seeds(s.datasets.size(), false);
  for (std::size_t d = 0; d < seeds.size(); ++d) seeds[d] = s.datasets[d].has_personal_data();
  return inherit(s, std::move(seeds));
}

// How the data of a lineage moves: one breadth-first search over the flows whose `data` lists a
// marked dataset, from every component where it starts, with parent pointers (O(V + E + data)).
// It starts at the components that hold it (read or write a marked dataset), at the external
// components that send it (a partner, a hospital), and at the components that send it without
// receiving it over a flow.
struct DataTrace {
  Lineage lineage;
  SystemGraph::Search search;

  bool carries(const Flow& f) const {
    for (const auto& id : f.data)
      if (lineage.has(id)) return true;
    return false;
  }
  // The components from where the data starts to `component`; just `component` when no chain of
  // flows carrying it leads there (it holds the data itself, or only a cycle does).
  std::vector<std::size_t> path_to(const SystemGraph& graph, std::size_t component) const {
    std::vector<std::size_t> path = graph.path_to(search, component);
    if (path.empty()) path.push_back(component);
    return path;
  }
  // The path to a flow's source, then the flow's target.
  std::vector<std::size_t> path_over(const SystemGraph& graph, const Flow& f) const {
    std::vector<std::size_t> path = path_to(graph, f.from);
    path.push_back(f.to);
    return path;
  }
};

inline DataTrace trace_data(const SystemGraph& graph, Lineage lineage) {
  const System& s = graph.system();
  DataTrace trace{std::move(lineage), {}};
  auto carries = [&trace](const Flow& f) { return trace.carries(f); };
  std::size_t n = s.components.size();
  std::vector<bool> receives(n, false), sends(n, false);
  for (const auto& f : s.flows)
    if (carries(f)) {
      receives[f.to] = true;
      sends[f.from] = true;
    }
  std::vector<std::size_t> sources;
  for (std::size_t c = 0; c < n; ++c) {
    const Component& comp = s.components[c];
    bool holds = false;
    for (const auto& id : comp.reads) holds = holds || trace.lineage.has(id);
    for (const auto& id : comp.writes) holds = holds || trace.lineage.has(id);
    bool enters = sends[c] && (!receives[c] || comp.kind == ComponentKind::external);
    if (holds || enters) sources.push_back(c);
  }
  trace.search = graph.search(sources, carries);
  return trace;
}

}  // namespace mlarch::rules
