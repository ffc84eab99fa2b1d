// `mlarch kernels SPEC`: runs each model's reference kernel on this host at each batch size and
// prints the roofline's prediction for the host beside the measured time; can save the
// measurements as a calibration for `simulate --calibration`.
#include <iostream>

#include <fmt/format.h>

#include "commands.hpp"
#include "kernel_input.hpp"
#include "mlarch/analyzer/render.hpp"
#include "mlarch/kernels/measure.hpp"

namespace mlarch::cli {

namespace {

struct KernelsArgs {
  std::string spec;
  KernelFlags flags;
  std::string batches = kDefaultKernelBatches;
  std::string format = "text";
  std::string output;
  std::string calibration;
  std::string color = "auto";
};

int run_kernels(const KernelsArgs& args) {
  auto batches = parse_batches(args.batches);
  if (!batches)
    return usage_error(fmt::format("--batches '{}': expected batch sizes from 1 to 4096 separated by commas, such as 1,8,32", args.batches));
  auto input = load_kernel_input(args.spec, args.flags, batches->back(), args.color);
  if (!input) return kExitUsage;
  kernels::HostProbe host = kernels::probe_host(input->threads);
  kernels::KernelReport report = kernels::measure_kernels(*input->spec.system, input->models, *batches, host, args.flags.budget);
  if (!report.errors.empty()) {
    for (const auto& f : report.errors) std::cerr << render_diagnostic(f, input->spec.source.get(), use_color(args.color, 2));
    return kExitUsage;
  }
  std::string text = args.format == "json" ? kernels::render_kernels_json(report) : kernels::render_kernels_text(report);
  if (!emit(args.output, text)) return kExitUsage;
  if (!args.calibration.empty() && !emit(args.calibration, sim::calibration_json(kernels::calibration_of(report)))) return kExitUsage;
  return kExitOk;
}

}  // namespace

void add_kernels_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<KernelsArgs>();
  CLI::App* cmd = app.add_subcommand("kernels", "Run the models' reference kernels on this host: measured against the roofline");
  cmd->add_option("spec", args->spec, "Spec file")->required();
  cmd->add_option("--batches", args->batches, "Batch sizes, comma-separated (default 1,8)");
  add_kernel_flags(*cmd, args->flags);
  cmd->add_option("-f,--format", args->format, "Output format")->check(CLI::IsMember({"text", "json"}))->default_val("text");
  cmd->add_option("-o,--output", args->output, "Write the output to FILE (atomically) instead of stdout");
  cmd->add_option("--write-calibration", args->calibration, "Save the measured times for simulate --calibration");
  add_color_option(*cmd, args->color);
  cmd->callback([args, &exit_code] { exit_code = run_kernels(*args); });
}

}  // namespace mlarch::cli
