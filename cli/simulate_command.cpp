// `mlarch simulate SPEC`: latency percentiles, throughput, utilization, availability and cost of
// the spec's workloads, from independent replications of a discrete-event simulation.
#include <iostream>

#include <fmt/format.h>

#include "commands.hpp"
#include "mlarch/analyzer/render.hpp"
#include "mlarch/analyzer/spec.hpp"
#include "mlarch/simulator/render.hpp"
#include "mlarch/simulator/simulate.hpp"
#include "simulation_input.hpp"

namespace mlarch::cli {

namespace {

struct SimulateArgs {
  std::string spec;
  SimulationFlags flags;
  std::string format = "text";
  std::string output;
  std::string color = "auto";
};

int run_simulate(const SimulateArgs& args) {
  auto input = load_simulation_input(args.spec, args.flags, {}, args.color);
  if (!input) return kExitUsage;
  sim::SimulationResult result = sim::simulate(*input->scenario, input->options);
  std::string text;
  if (args.format == "json") {
    text = sim::render_simulation_json(result);
  } else if (args.format == "csv") {
    text = sim::render_simulation_csv(result);
  } else {
    text = sim::render_simulation_text(result, args.spec, args.output.empty() && use_color(args.color, 1));
  }
  if (!emit(args.output, text)) return kExitUsage;
  for (const auto& s : result.stopped) std::cerr << "mlarch: warning: " << s << "\n";
  return kExitOk;
}

}  // namespace

void add_simulate_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<SimulateArgs>();
  CLI::App* cmd = app.add_subcommand("simulate", "Simulate the spec's workloads: latency, throughput, availability, cost");
  cmd->add_option("spec", args->spec, "Spec file")->required();
  add_simulation_flags(*cmd, args->flags);
  add_simulation_output(*cmd, args->format, args->output);
  add_color_option(*cmd, args->color);
  cmd->callback([args, &exit_code] { exit_code = run_simulate(*args); });
}

}  // namespace mlarch::cli
