// `mlarch diff BASE HEAD`: what a change to a spec does, for a pull-request comment: findings
// added and fixed, latency before and after, the monthly cost and its change, and the
// components whose utilization crossed 0.8.
#include <cstdlib>
#include <iostream>

#include "commands.hpp"
#include "mlarch/analyzer/render.hpp"
#include "simulation_input.hpp"
#include "spec_diff.hpp"

namespace mlarch::cli {

namespace {

struct DiffArgs {
  std::string base, head;
  SimulationFlags flags;
  std::string format = "text";
  std::string output;
  std::string fail_on_new;
  std::string color = "auto";
};

int run_diff(const DiffArgs& args) {
  LintOptions lint_options;
  if (const char* today = std::getenv("MLARCH_TODAY")) lint_options.today = today;
  DiffOutcome outcome = diff_specs(args.base, args.head, lint_options, args.flags.options());
  if (!outcome.usage_error.empty()) return usage_error(outcome.usage_error);
  if (!outcome.diff) {
    bool color = use_color(args.color, 2);
    for (const auto& f : outcome.errors) {
      auto it = outcome.sources.find(f.file);
      std::cerr << render_diagnostic(f, it == outcome.sources.end() ? nullptr : it->second.get(), color);
    }
    return kExitUsage;
  }
  const SpecDiff& diff = *outcome.diff;
  std::string text = args.format == "json"       ? render_spec_diff_json(diff)
                     : args.format == "markdown" ? render_spec_diff_markdown(diff)
                                                 : render_spec_diff_text(diff);
  if (!emit(args.output, text)) return kExitUsage;
  if (!args.fail_on_new.empty() && diff.added_at_or_above(*parse_severity(args.fail_on_new)) > 0) return kExitFindings;
  return kExitOk;
}

}  // namespace

void add_diff_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<DiffArgs>();
  CLI::App* cmd = app.add_subcommand(
      "diff", "What a change to a spec does: findings added and fixed, latency, cost, utilization crossing 0.8");
  cmd->add_option("base", args->base, "The spec before the change")->required();
  cmd->add_option("head", args->head, "The spec after the change")->required();
  add_simulation_flags(*cmd, args->flags);
  add_output_options(*cmd, args->format, args->output, {"text", "markdown", "json"});
  cmd->add_option("--fail-on-new", args->fail_on_new, "Exit 1 when the change adds a finding of this severity or above")
      ->check(CLI::IsMember({"error", "warning"}));
  add_color_option(*cmd, args->color);
  cmd->callback([args, &exit_code] { exit_code = run_diff(*args); });
}

}  // namespace mlarch::cli
