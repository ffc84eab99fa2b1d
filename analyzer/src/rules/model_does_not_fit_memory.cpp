// COST021: a served model whose weights (and, for a decoder LLM, the KV cache of a full batch)
// take more memory than one instance of its server has: the accelerators' memory on an instance
// with accelerators, else the instance's memory (capacity.hpp: model_weight_bytes,
// kv_cache_bytes, model_memory_gib). Both sides come from the spec; when either is unknown the
// rule says nothing. Activations, the runtime and fragmentation are not counted: the need is a
// lower bound, so a finding means the model cannot fit.
#include <cmath>
#include <string>

#include <fmt/format.h>

#include "mlarch/analyzer/capacity.hpp"
#include "mlarch/analyzer/graph.hpp"
#include "mlarch/analyzer/rules.hpp"

namespace mlarch::rules {

namespace {

constexpr double kGiB = 1073741824.0;

std::string parameters_text(double n) {
  if (n >= 1e9) return format_number(n / 1e9) + " billion parameters";
  if (n >= 1e6) return format_number(n / 1e6) + " million parameters";
  return format_number(n) + " parameters";
}

std::string string_or(const Json& j, const char* key, std::string fallback) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : fallback;
}

}  // namespace

void model_does_not_fit_memory(const RuleContext& ctx) {
  for (const auto& c : ctx.system.components) {
    if (c.model.empty() || c.instance.empty()) continue;
    const Model* m = ctx.system.model(c.model);
    if (!m || !m->raw || !m->raw->is_object()) continue;
    auto a = m->raw->find("architecture");
    if (a == m->raw->end() || !a->is_object()) continue;
    auto type = instance_type(ctx.system, c.instance);
    if (!type) continue;
    auto memory_gib = model_memory_gib(*type);
    auto weights = model_weight_bytes(*a);
    if (!memory_gib || !weights) continue;
    int sequences = c.max_batch.value_or(1);
    auto kv = kv_cache_bytes(*a, sequences);
    double need = *weights + kv.value_or(0.0);
    double have = *memory_gib * kGiB;
    if (need <= have) continue;

    std::string what;
    if (m->architecture_type == "tree_ensemble") {
      what = fmt::format("its weights take {} ({} trees of depth {}, 16 bytes a node)", format_gib(*weights),
                         format_number(a->value("trees", 0.0)), format_number(a->value("depth", 0.0)));
    } else {
      what = fmt::format("its weights take {} ({} in {})", format_gib(*weights),
                         parameters_text(model_parameters(*a).value_or(0.0)), string_or(*a, "dtype", "fp32"));
    }
    if (kv && *kv > 0) {
      double mean_tokens = a->at("prompt_tokens").value("mean", 0.0) + a->at("output_tokens").value("mean", 0.0);
      what += fmt::format(" and the KV cache of {} {} of {} tokens takes {}: {} in all", sequences,
                          sequences == 1 ? "sequence" : "sequences", format_number(mean_tokens), format_gib(*kv),
                          format_gib(need));
    }
    std::string where;
    if (type->accelerators) {
      const Accelerators& acc = *type->accelerators;
      where = fmt::format("{} has {} of accelerator memory ({} × {}{})", c.instance, format_gib(have), acc.count,
                          acc.type.empty() ? "accelerator" : acc.type,
                          acc.count > 1 ? fmt::format(", {} each", format_gib(*acc.memory_gib * kGiB)) : "");
    } else {
      where = fmt::format("{} has {} of memory", c.instance, format_gib(have));
    }
    ctx.report(c.pointer + "/instance",
               fmt::format("model '{}' does not fit in the memory of '{}': {}, but one {}", m->id, c.id, what, where),
               sequences > 1 && kv
                   ? "serve it on an instance with more accelerator memory, quantize its weights (`dtype`), or lower `batching.max_batch`"
                   : "");
  }
}

}  // namespace mlarch::rules
