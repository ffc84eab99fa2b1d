// What `kernels` and `validate` share: their flags, and a spec loaded with its models' kernels
// planned (shapes checked, memory bounded) and errors printed at the spec's lines.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "mlarch/analyzer/spec.hpp"
#include "mlarch/kernels/measure.hpp"

namespace mlarch::cli {

struct KernelFlags {
  std::vector<std::string> models;
  std::optional<int> threads;
  std::optional<double> memory_limit_gib;
  kernels::TimingBudget budget;
};
void add_kernel_flags(CLI::App& command, KernelFlags& flags);

// The batch sizes `mlarch kernels` times unless told otherwise (and `review --kernels` always).
inline constexpr const char* kDefaultKernelBatches = "1,8";

// "1,8,32" → sorted distinct sizes from 1 to 4096; empty on anything else (0 included).
std::optional<std::vector<int>> parse_batches(const std::string& text);

struct KernelInput {
  LoadedSpec spec;
  int threads = 1;
  std::vector<kernels::PlannedModel> models;
};

// Loads the spec and plans the kernels of the chosen models for batches up to `max_batch`; on an
// error prints it and returns nothing.
std::unique_ptr<KernelInput> load_kernel_input(const std::string& path, const KernelFlags& flags, int max_batch,
                                               const std::string& color);

}  // namespace mlarch::cli
