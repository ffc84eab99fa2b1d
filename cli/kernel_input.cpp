// Flags and spec loading shared by the commands that run reference kernels.
#include "kernel_input.hpp"

#include <algorithm>
#include <charconv>
#include <iostream>

#include <fmt/format.h>

#include "commands.hpp"
#include "mlarch/analyzer/render.hpp"
#include "mlarch/analyzer/suggest.hpp"

namespace mlarch::cli {

std::optional<std::vector<int>> parse_batches(const std::string& text) {
  std::vector<int> out;
  std::string_view rest(text);
  while (!rest.empty()) {
    std::string_view item = rest.substr(0, rest.find(','));
    rest.remove_prefix(std::min(rest.size(), item.size() + 1));
    int v = 0;
    auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), v);
    if (ec != std::errc() || end != item.data() + item.size() || v < 1 || v > 4096) return std::nullopt;
    out.push_back(v);
  }
  if (out.empty()) return std::nullopt;
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

void add_kernel_flags(CLI::App& cmd, KernelFlags& flags) {
  cmd.add_option("--models", flags.models, "Models to run (default: every model with an architecture)");
  cmd.add_option("--threads", flags.threads, "Threads the kernels and the probe use (default 1: on a shared machine, threads that wait for each other measure the other work)")->check(CLI::Range(1, 1024));
  cmd.add_option("--memory-limit", flags.memory_limit_gib,
                 "GiB a kernel may allocate (default: half the available memory, at most 4)")
      ->check(CLI::PositiveNumber);
  cmd.add_option("--max-runs", flags.budget.max_runs, "Most timed runs per batch size (default 200; at least 3 after a warm-up)")
      ->check(CLI::Range(3, 100000));
}

std::unique_ptr<KernelInput> load_kernel_input(const std::string& path, const KernelFlags& flags, int max_batch,
                                               const std::string& color) {
  auto input = std::make_unique<KernelInput>();
  input->spec = load_spec(path);
  bool tty_color = use_color(color, 2);
  auto print = [&](const Finding& f) { std::cerr << render_diagnostic(f, input->spec.source.get(), tty_color); };
  if (!input->spec.system) {
    for (const auto& f : input->spec.errors) print(f);
    return nullptr;
  }
  const System& system = *input->spec.system;
  std::vector<std::string> known;
  for (const auto& m : system.models) known.push_back(m.id);
  for (const auto& name : flags.models)
    if (!system.model(name)) {
      usage_error(fmt::format("--models: the spec has no model '{}'{}", name, did_you_mean(name, known)));
      return nullptr;
    }
  input->threads = flags.threads.value_or(1);
  double limit = flags.memory_limit_gib ? *flags.memory_limit_gib * 1024 * 1024 * 1024 : kernels::default_memory_limit_bytes();
  kernels::PlannedModels planned = kernels::plan_models(system, flags.models, max_batch, input->threads, limit);
  if (!planned.errors.empty()) {
    for (const auto& f : planned.errors) print(f);
    return nullptr;
  }
  input->models = std::move(planned.models);
  return input;
}

}  // namespace mlarch::cli
