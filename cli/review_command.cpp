// `mlarch review SPEC -o review.html`: lint, simulation, load sweeps and cost of a spec in one
// design-review document (HTML, JSON or Markdown); with --kernels, the models' kernels timed too.
#include <cstdlib>
#include <iostream>
#include <optional>

#include <fmt/format.h>

#include "commands.hpp"
#include "kernel_input.hpp"
#include "mlarch/analyzer/render.hpp"
#include "mlarch/reports/review.hpp"
#include "simulation_input.hpp"

namespace mlarch::cli {

namespace {

struct ReviewArgs {
  std::string spec;
  SimulationFlags flags;
  std::string format = "html";
  std::string output;
  bool no_host = false;
  bool kernels = false;
  std::string color = "auto";
};

// The models' reference kernels timed on this host, as `mlarch kernels --format json` gives them
// (default batches, bounded runs, one thread); nothing after printing why they cannot run.
std::optional<nlohmann::json> time_kernels(const std::string& spec, const std::string& color) {
  KernelFlags flags;
  auto batches = *parse_batches(kDefaultKernelBatches);
  auto input = load_kernel_input(spec, flags, batches.back(), color);
  if (!input) return std::nullopt;
  kernels::HostProbe host = kernels::probe_host(input->threads);
  kernels::KernelReport report = kernels::measure_kernels(*input->spec.system, input->models, batches, host, flags.budget);
  for (const auto& f : report.errors) std::cerr << render_diagnostic(f, input->spec.source.get(), use_color(color, 2));
  if (!report.errors.empty()) return std::nullopt;
  return kernels::kernels_json(report);
}

int run_review(const ReviewArgs& args) {
  if (args.format == "html" && args.output.empty())
    return usage_error("the HTML review is written to a file: give -o FILE (or --format json|markdown for stdout)");
  reports::ReviewOptions options;
  options.simulation = args.flags.options();
  options.host = !args.no_host;
  if (const char* today = std::getenv("MLARCH_TODAY")) options.today = today;
  nlohmann::json review = reports::build_review(args.spec, options);
  // Timed after the simulation, never beside it; a spec that does not load gets its review without them.
  if (args.kernels && !reports::has_load_errors(review)) {
    auto kernels = time_kernels(args.spec, args.color);
    if (!kernels) return kExitUsage;
    review["kernels"] = std::move(*kernels);
  }
  for (const auto& e : review["load_errors"])
    std::cerr << fmt::format("{}:{}:{}: error[{}]: {}\n", e["file"].get<std::string>(), e["line"].get<int>(),
                             e["column"].get<int>(), e["code"].get<std::string>(), e["message"].get<std::string>());
  std::string text = args.format == "json"       ? reports::render_review_json(review)
                     : args.format == "markdown" ? reports::render_review_markdown(review)
                                                 : reports::render_review_html(review);
  if (!emit(args.output, text)) return kExitUsage;
  if (!args.output.empty())
    std::cerr << fmt::format("mlarch: wrote the review of {} to {} (verdict: {})\n", args.spec, args.output,
                             reports::verdict(review));
  if (reports::has_load_errors(review)) return kExitUsage;
  return reports::verdict(review) == "fail" ? kExitFindings : kExitOk;
}

}  // namespace

void add_review_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<ReviewArgs>();
  CLI::App* cmd = app.add_subcommand("review", "Write a design review of a spec: findings, diagram, performance, cost");
  cmd->add_option("spec", args->spec, "Spec file")->required();
  cmd->add_option("-o,--output", args->output, "Write the review to FILE (atomically); required for HTML");
  cmd->add_option("-f,--format", args->format, "Output format")->check(CLI::IsMember({"html", "json", "markdown"}))->default_val("html");
  add_simulation_flags(*cmd, args->flags);
  cmd->add_flag("--no-host", args->no_host, "Leave the host (name, system, cores, compiler) out of the run settings");
  cmd->add_flag("--kernels", args->kernels,
                "Also time the models' reference kernels on this host (batches " + std::string(kDefaultKernelBatches) +
                    ", as `mlarch kernels`) against the cost model's prediction");
  add_color_option(*cmd, args->color);
  cmd->callback([args, &exit_code] { exit_code = run_review(*args); });
}

}  // namespace mlarch::cli
