// `mlarch sweep SPEC --workload W --rates FROM:TO:STEPS`: the load–latency curve of a workload
// and its capacity under the spec's SLOs.
#include <iostream>

#include <fmt/format.h>

#include "commands.hpp"
#include "mlarch/analyzer/suggest.hpp"
#include "mlarch/simulator/sweep.hpp"
#include "simulation_input.hpp"

namespace mlarch::cli {

namespace {

struct SweepArgs {
  std::string spec;
  std::string workload;
  std::string rates;
  SimulationFlags flags;
  std::string format = "text";
  std::string output;
  std::string color = "auto";
};

int run_sweep(const SweepArgs& args) {
  auto rates = sim::parse_rates(args.rates);
  if (!rates)
    return usage_error(fmt::format("--rates '{}': expected FROM:TO:STEPS (0 < FROM < TO, 2 ≤ STEPS ≤ 1000) or a list "
                                   "of positive rates such as 100,200,400",
                                   args.rates));
  // Built once at the first rate: every input error is reported before anything runs.
  auto input = load_simulation_input(args.spec, args.flags, sim::ScenarioOverrides{args.workload, rates->front()}, args.color);
  if (!input) return kExitUsage;
  sim::SweepResult result = sim::sweep(*input->scenario, args.workload, *rates, input->options);
  std::string text = args.format == "json"  ? sim::sweep_json(result).dump(2) + "\n"
                     : args.format == "csv" ? sim::render_sweep_csv(result)
                                            : sim::render_sweep_text(result, args.spec);
  return emit(args.output, text) ? kExitOk : kExitUsage;
}

}  // namespace

void add_sweep_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<SweepArgs>();
  CLI::App* cmd = app.add_subcommand("sweep", "Simulate a workload at increasing rates: the load-latency curve and the capacity");
  cmd->add_option("spec", args->spec, "Spec file")->required();
  cmd->add_option("--workload", args->workload, "The workload whose rate varies")->required();
  cmd->add_option("--rates", args->rates, "FROM:TO:STEPS, or a list such as 100,200,400 (requests/s)")->required();
  add_simulation_flags(*cmd, args->flags);
  add_simulation_output(*cmd, args->format, args->output);
  add_color_option(*cmd, args->color);
  cmd->callback([args, &exit_code] { exit_code = run_sweep(*args); });
}

}  // namespace mlarch::cli
