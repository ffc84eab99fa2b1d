// `mlarch review SPEC -o review.html`: lint, simulation, load sweeps and cost of a spec in one
// design-review document (HTML, JSON or Markdown).
#include <cstdlib>
#include <iostream>

#include <fmt/format.h>

#include "commands.hpp"
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
};

int run_review(const ReviewArgs& args) {
  if (args.format == "html" && args.output.empty())
    return usage_error("the HTML review is written to a file: give -o FILE (or --format json|markdown for stdout)");
  reports::ReviewOptions options;
  options.simulation = args.flags.options();
  options.host = !args.no_host;
  if (const char* today = std::getenv("MLARCH_TODAY")) options.today = today;
  nlohmann::json review = reports::build_review(args.spec, options);
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
  cmd->callback([args, &exit_code] { exit_code = run_review(*args); });
}

}  // namespace mlarch::cli
