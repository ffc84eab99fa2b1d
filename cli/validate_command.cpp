// `mlarch validate SPEC`: runs a workload's serving path for real on this host, scaled down, with
// the reference kernels as the model servers' work; then simulates the same configuration with
// the kernels' measured times and prints both latencies side by side.
#include <iostream>

#include <fmt/format.h>

#include "commands.hpp"
#include "kernel_input.hpp"
#include "mlarch/analyzer/render.hpp"
#include "mlarch/kernels/validate.hpp"

namespace mlarch::cli {

namespace {

struct ValidateArgs {
  std::string spec;
  KernelFlags flags;
  kernels::ValidateOptions options;
  std::string format = "text";
  std::string output;
  std::string color = "auto";
};

int run_validate(ValidateArgs& args) {
  // Plan the kernels of the models that components serve with `service_time: model`.
  LoadedSpec probe_spec = load_spec(args.spec);
  if (probe_spec.system) {
    for (const auto& c : probe_spec.system->components)
      if (c.service_time.from_model && !c.model.empty()) args.flags.models.push_back(c.model);
    if (args.flags.models.empty())
      return usage_error(fmt::format("{}: no component has `service_time: model`: validate runs the reference kernels of the "
                                     "models that components serve",
                                     args.spec));
  }
  auto input = load_kernel_input(args.spec, args.flags, 64, args.color);
  if (!input) return kExitUsage;
  const System& system = *input->spec.system;
  bool tty_color = use_color(args.color, 2);
  auto print = [&](const Finding& f) { std::cerr << render_diagnostic(f, input->spec.source.get(), tty_color); };
  sim::ScenarioResult built = sim::build_scenario(system);
  if (!built.scenario) {
    for (const auto& f : built.errors) print(f);
    return kExitUsage;
  }
  kernels::ValidationResult r = kernels::validate(system, *built.scenario, input->models, args.options);
  if (!r.errors.empty()) {
    for (const auto& f : r.errors) print(f);
    return kExitUsage;
  }
  std::string text = args.format == "json" ? kernels::render_validation_json(r) : kernels::render_validation_text(r);
  return emit(args.output, text) ? kExitOk : kExitUsage;
}

}  // namespace

void add_validate_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<ValidateArgs>();
  CLI::App* cmd = app.add_subcommand("validate", "Run a workload's serving path for real on this host, scaled down, beside its simulation");
  cmd->add_option("spec", args->spec, "Spec file")->required();
  cmd->add_option("--workload", args->options.workload, "The workload to run (default: the first)");
  cmd->add_option("--seconds", args->options.seconds, "Seconds of arrivals (default 3; longer when needed for 200 requests)")
      ->check(CLI::Range(1.0, 60.0));
  cmd->add_option("--seed", args->options.seed, "Seed of the arrivals and the simulation");
  cmd->add_option("--memory-limit", args->flags.memory_limit_gib,
                  "GiB a kernel may allocate (default: half the available memory, at most 4)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("-f,--format", args->format, "Output format")->check(CLI::IsMember({"text", "json"}))->default_val("text");
  cmd->add_option("-o,--output", args->output, "Write the output to FILE (atomically) instead of stdout");
  add_color_option(*cmd, args->color);
  cmd->callback([args, &exit_code] { exit_code = run_validate(*args); });
}

}  // namespace mlarch::cli
