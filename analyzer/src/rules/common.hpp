// Small helpers shared by the native graph rules.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

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

}  // namespace mlarch::rules
