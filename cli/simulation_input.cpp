// Flags and spec loading shared by the commands that simulate.
#include "simulation_input.hpp"

#include <iostream>

#include <fmt/format.h>

#include "commands.hpp"
#include "mlarch/analyzer/render.hpp"

namespace mlarch::cli {

void add_simulation_flags(CLI::App& cmd, SimulationFlags& flags) {
  cmd.add_option("--duration", flags.duration_s, "Simulated seconds (default: the workloads' duration_s, else 600)")
      ->check(CLI::PositiveNumber);
  cmd.add_option("--warmup", flags.warmup_s, "Seconds discarded before statistics start (default: 10% of the duration, at most 300)")
      ->check(CLI::NonNegativeNumber);
  cmd.add_option("--replications", flags.replications, "Independent replications (default 5)")
      ->check(CLI::Range(1, 10000));
  cmd.add_option("--seed", flags.seed, "Seed of the run; replication i is seeded from (seed, i)");
  cmd.add_option("--threads", flags.threads, "Threads running replications (default: one per core)")
      ->check(CLI::Range(0, 1024));
  cmd.add_option("--calibration", flags.calibration,
                 "Measured model times (mlarch kernels --write-calibration) for `service_time: model`, scaled to each instance");
}

bool load_calibration_flag(const SimulationFlags& flags, std::shared_ptr<const sim::Calibration>& out,
                           const std::string& color) {
  if (flags.calibration.empty()) return true;
  sim::CalibrationLoad loaded = sim::load_calibration(flags.calibration);
  if (!loaded.calibration) {
    bool tty_color = use_color(color, 2);
    for (const auto& f : loaded.errors) std::cerr << render_diagnostic(f, loaded.source.get(), tty_color);
    return false;
  }
  out = std::make_shared<const sim::Calibration>(std::move(*loaded.calibration));
  return true;
}

sim::SimulateOptions SimulationFlags::options() const {
  sim::SimulateOptions o;
  o.duration_s = duration_s;
  o.warmup_s = warmup_s;
  o.replications = replications;
  o.seed = seed;
  o.threads = threads;
  return o;
}

void add_output_options(CLI::App& cmd, std::string& format, std::string& output, const std::vector<std::string>& formats) {
  cmd.add_option("-f,--format", format, "Output format")->check(CLI::IsMember(formats))->default_val(formats.front());
  cmd.add_option("-o,--output", output, "Write the output to FILE (atomically) instead of stdout");
}

void add_simulation_output(CLI::App& cmd, std::string& format, std::string& output) {
  add_output_options(cmd, format, output, {"text", "json", "csv"});
}

std::unique_ptr<SimulationInput> load_simulation_input(const std::string& path, const SimulationFlags& flags,
                                                       const sim::ScenarioOverrides& overrides, const std::string& color) {
  auto input = std::make_unique<SimulationInput>();
  if (!load_calibration_flag(flags, input->calibration, color)) return nullptr;
  input->spec = load_spec(path);
  bool tty_color = use_color(color, 2);
  auto print = [&](const Finding& f) {
    std::cerr << render_diagnostic(f, input->spec.source.get(), tty_color);
  };
  if (!input->spec.system) {
    for (const auto& f : input->spec.errors) print(f);
    return nullptr;
  }
  sim::ScenarioOverrides with_calibration = overrides;
  with_calibration.calibration = input->calibration.get();
  sim::ScenarioResult built = sim::build_scenario(*input->spec.system, with_calibration);
  if (!built.scenario) {
    for (const auto& f : built.errors) print(f);
    return nullptr;
  }
  for (const auto& f : built.warnings) print(f);
  input->scenario = std::move(built.scenario);
  input->options = flags.options();
  auto [duration, warmup] = sim::run_window(*input->scenario, input->options);
  if (warmup >= duration) {
    usage_error(fmt::format("the warm-up ({:g} s) must be shorter than the duration ({:g} s)", warmup, duration));
    return nullptr;
  }
  return input;
}

}  // namespace mlarch::cli
