// `mlarch plan SPEC`: the capacity plan, the cheapest instance type, replicas and batch size of
// each serving component that meets every SLO at the peak load, found by simulation; as text,
// JSON, Markdown or the HTML capacity-planning report.
#include <iostream>

#include <fmt/format.h>

#include "commands.hpp"
#include "mlarch/analyzer/render.hpp"
#include "mlarch/reports/plan.hpp"
#include "mlarch/simulator/plan.hpp"
#include "simulation_input.hpp"

namespace mlarch::cli {

namespace {

struct PlanArgs {
  std::string spec;
  std::optional<std::string> workload;
  std::optional<double> rate;
  SimulationFlags flags;
  std::string format = "text";
  std::string output;
  std::string color = "auto";
};

// The command line that reproduces the plan (the options that change it; not --threads, which does not).
std::string plan_command(const PlanArgs& args) {
  std::string out = "mlarch plan " + shell_word(args.spec);
  if (args.workload) out += " --workload " + shell_word(*args.workload);
  if (args.rate) out += fmt::format(" --rate {:g}", *args.rate);
  out += fmt::format(" --seed {} --replications {}", args.flags.seed, args.flags.replications);
  if (args.flags.duration_s) out += fmt::format(" --duration {:g}", *args.flags.duration_s);
  if (args.flags.warmup_s) out += fmt::format(" --warmup {:g}", *args.flags.warmup_s);
  if (!args.flags.calibration.empty()) out += " --calibration " + shell_word(args.flags.calibration);
  return out + " --format html -o plan.html";
}

int run_plan(const PlanArgs& args) {
  if (args.format == "html" && args.output.empty())
    return usage_error("the HTML plan is written to a file: give -o FILE (or --format text|json|markdown for stdout)");
  sim::ScenarioOverrides peak;
  peak.at_peak = true;
  peak.workload = args.workload;
  peak.rate_rps = args.rate;
  // Loaded at the peak: every input error (an unknown workload included) is reported before the search.
  auto input = load_simulation_input(args.spec, args.flags, peak, args.color);
  if (!input) return kExitUsage;
  const System& system = *input->spec.system;
  if (args.rate && !args.workload && system.workloads.size() > 1)
    return usage_error(fmt::format("--rate needs --workload: '{}' has {} workloads", args.spec, system.workloads.size()));
  bool has_slo = false;
  for (const auto& slo : system.slos) has_slo = has_slo || !args.workload || slo.workload == *args.workload;
  if (!has_slo)
    return usage_error(fmt::format("'{}' declares no SLO{}: a plan needs objectives to meet (add `slos`)", args.spec,
                                   args.workload ? " for workload '" + *args.workload + "'" : ""));

  sim::PlanOptions options;
  options.workload = args.workload;
  options.peak_rps = args.rate;
  options.confirm = input->options;
  options.threads = args.flags.threads;
  sim::CapacityPlan plan = sim::plan_capacity(system, options);
  std::string text = args.format == "json"       ? sim::render_capacity_plan_json(plan)
                     : args.format == "markdown" ? sim::render_capacity_plan_markdown(plan, args.spec)
                     : args.format == "html"     ? reports::render_plan_html(plan, {args.spec, system.name, plan_command(args)})
                                                 : sim::render_capacity_plan_text(plan, args.spec);
  if (!emit(args.output, text)) return kExitUsage;
  return plan.feasible ? kExitOk : kExitFindings;
}

}  // namespace

void add_plan_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<PlanArgs>();
  CLI::App* cmd = app.add_subcommand(
      "plan", "Capacity plan: the cheapest instance type, replicas and batch size per component that meets the SLOs at peak");
  cmd->add_option("spec", args->spec, "Spec file")->required();
  cmd->add_option("--workload", args->workload, "Plan for this workload's SLOs and path only (the others still run)");
  cmd->add_option("--rate", args->rate, "The peak rate to plan for, requests/s (default: rate_rps × peak_to_mean)")
      ->check(CLI::PositiveNumber);
  add_simulation_flags(*cmd, args->flags);
  add_output_options(*cmd, args->format, args->output, {"text", "json", "markdown", "html"});
  add_color_option(*cmd, args->color);
  cmd->callback([args, &exit_code] { exit_code = run_plan(*args); });
}

}  // namespace mlarch::cli
