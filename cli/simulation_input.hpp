// What `simulate`, `sweep` and `lint --simulate` share: the run's flags, and a spec loaded into a
// Scenario with its input errors and warnings printed.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "mlarch/analyzer/spec.hpp"
#include "mlarch/simulator/scenario.hpp"
#include "mlarch/simulator/simulate.hpp"

namespace mlarch::cli {

struct SimulationFlags {
  std::optional<double> duration_s, warmup_s;
  int replications = 5;
  std::uint64_t seed = 1;
  int threads = 0;
  std::string calibration;  // --calibration FILE: measured times for `service_time: model`
  sim::SimulateOptions options() const;
};
void add_simulation_flags(CLI::App& command, SimulationFlags& flags);
// `--format` (one of `formats`, the first the default) and `--output FILE`.
void add_output_options(CLI::App& command, std::string& format, std::string& output, const std::vector<std::string>& formats);
// `--format text|json|csv` and `--output FILE`, as simulate and sweep take them.
void add_simulation_output(CLI::App& command, std::string& format, std::string& output);

// Reads --calibration when given: nothing (and true) without it; false after printing the file's
// errors (file:line:col).
bool load_calibration_flag(const SimulationFlags& flags, std::shared_ptr<const sim::Calibration>& out,
                           const std::string& color);

struct SimulationInput {
  std::shared_ptr<const sim::Calibration> calibration;
  LoadedSpec spec;
  std::optional<sim::Scenario> scenario;
  sim::SimulateOptions options;
};

// Loads the spec and builds its scenario; on an input error prints it (file:line:col) and
// returns nothing. Warnings (a station saturated at peak) are printed and the run goes on.
std::unique_ptr<SimulationInput> load_simulation_input(const std::string& path, const SimulationFlags& flags,
                                                       const sim::ScenarioOverrides& overrides, const std::string& color);

}  // namespace mlarch::cli
