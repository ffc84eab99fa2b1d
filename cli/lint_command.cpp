// `mlarch lint PATH...`: check specs against the schema and the rule catalog.
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include <fmt/format.h>

#include "commands.hpp"
#include "mlarch/analyzer/lint.hpp"
#include "mlarch/analyzer/render.hpp"
#include "mlarch/analyzer/suggest.hpp"
#include "simulation_input.hpp"
#include "slo_findings.hpp"

namespace mlarch::cli {

namespace {

struct LintArgs {
  std::vector<std::string> paths;
  std::string format = "text";
  std::string output;
  std::string fail_on;
  std::string config;
  std::vector<std::string> rules;
  std::vector<std::string> skip_rules;
  std::string framework;
  std::string baseline;
  std::string write_baseline;
  bool no_inline_suppressions = false;
  bool show_suppressed = false;
  bool specs_only = false;
  bool simulate = false;
  SimulationFlags sim;
  std::string color = "auto";
};

int exit_code_for(const LintReport& report, const std::string& fail_on_flag) {
  if (report.has_input_errors()) return kExitUsage;
  std::string fail_on = !fail_on_flag.empty() ? fail_on_flag : report.fail_on.value_or("error");
  if (fail_on == "never") return kExitOk;
  Severity threshold = *parse_severity(fail_on);
  for (const auto& f : report.findings)
    if (!f.suppressed() && f.severity >= threshold) return kExitFindings;
  return kExitOk;
}

int run_lint(const LintArgs& args) {
  const Catalog& catalog = Catalog::builtin();
  std::vector<std::string> ids;
  for (const auto& r : catalog.rules()) ids.push_back(r.id);
  for (const auto* list : {&args.rules, &args.skip_rules})
    for (const auto& id : *list)
      if (!catalog.find(id)) return usage_error(fmt::format("unknown rule '{}'{}", id, did_you_mean(id, ids)));

  auto format = parse_output_format(args.format);
  LintOptions options;
  options.selection.only.insert(args.rules.begin(), args.rules.end());
  if (!args.framework.empty()) {
    if (!normalize_framework(args.framework)) return usage_error(fmt::format("unknown framework '{}'", args.framework));
    std::set<std::string> in_framework = catalog.framework_rules(args.framework);
    if (!options.selection.only.empty()) {
      std::set<std::string> both;
      for (const auto& id : options.selection.only)
        if (in_framework.count(id)) both.insert(id);
      in_framework = both;
    }
    if (in_framework.empty())
      return usage_error(fmt::format("no rule of framework '{}' is selected", args.framework));
    options.selection.only = in_framework;
  }
  options.selection.skip.insert(args.skip_rules.begin(), args.skip_rules.end());
  if (!args.config.empty()) options.config_path = args.config;
  if (!args.baseline.empty()) options.baseline_path = args.baseline;
  options.inline_suppressions = !args.no_inline_suppressions;
  options.specs_only = args.specs_only;
  if (args.simulate) {
    std::shared_ptr<const sim::Calibration> calibration;
    if (!load_calibration_flag(args.sim, calibration, args.color)) return kExitUsage;
    options.simulation = sim::missed_slo_check(args.sim.options(), calibration);
  }
  if (const char* today = std::getenv("MLARCH_TODAY")) options.today = today;

  LintReport report = lint(args.paths, options, catalog);

  if (!args.write_baseline.empty()) {
    if (report.has_input_errors()) {
      std::cerr << render_text(report, RenderOptions{use_color("auto", 2), false, MLARCH_VERSION});
      return kExitUsage;
    }
    if (!emit(args.write_baseline, baseline_json(report))) return kExitUsage;
    int n = report.count(Severity::error) + report.count(Severity::warning) + report.count(Severity::info);
    std::cerr << fmt::format("mlarch: wrote a baseline of {} finding{} to {}\n", n, n == 1 ? "" : "s", args.write_baseline);
    return kExitOk;
  }

  RenderOptions render_options;
  render_options.version = MLARCH_VERSION;
  render_options.show_suppressed = args.show_suppressed;
  render_options.color = args.output.empty() && *format == OutputFormat::text && use_color(args.color, 1);
  if (*format != OutputFormat::text && report.has_input_errors()) {
    // Input errors also reach a person reading the terminal, whatever the output format.
    for (const auto& f : report.findings) {
      if (!f.is_input_error()) continue;
      auto it = report.sources.find(f.file);
      std::cerr << render_diagnostic(f, it == report.sources.end() ? nullptr : it->second.get(), use_color(args.color, 2));
    }
  }
  if (!emit(args.output, render(report, *format, catalog, render_options))) return kExitUsage;

  int code = exit_code_for(report, args.fail_on);
  // Everything is written: leave without tearing down the documents (half a million values for
  // a 10,000-component spec take a tenth of a second to free), as compilers do (clang's
  // -disable-free). Nothing else is pending: output was flushed by emit().
  std::fflush(nullptr);
  std::_Exit(code);
}

}  // namespace

void add_lint_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<LintArgs>();
  CLI::App* cmd = app.add_subcommand("lint", "Check specs against the schema and the rule catalog");
  cmd->add_option("paths", args->paths, "Spec files, or directories searched recursively for specs")->required();
  cmd->add_option("-f,--format", args->format, "Output format")
      ->check(CLI::IsMember({"text", "json", "sarif", "junit", "github", "markdown"}))
      ->default_val("text");
  cmd->add_option("-o,--output", args->output, "Write the output to FILE (atomically) instead of stdout");
  cmd->add_option("--fail-on", args->fail_on,
                  "Lowest severity that makes the exit code 1 (default: error, or the config's fail_on)")
      ->check(CLI::IsMember({"error", "warning", "info", "never"}));
  cmd->add_option("--config", args->config, "Configuration file (default: the nearest .mlarch.yaml above each spec)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--rule", args->rules, "Run only this rule (repeatable)");
  cmd->add_option("--skip-rule", args->skip_rules, "Do not run this rule (repeatable)");
  cmd->add_option("--framework", args->framework,
                  "Run only the rules of a framework: eu-ai-act, nist-ai-rmf, owasp-ml, owasp-llm, mitre-atlas, "
                  "ml-test-score, aws-ml-lens, gdpr, model-cards, datasheets, sre");
  cmd->add_option("--baseline", args->baseline, "Report only findings not in this baseline file")->check(CLI::ExistingFile);
  cmd->add_option("--write-baseline", args->write_baseline, "Write the current findings to FILE as a baseline and exit 0");
  cmd->add_flag("--no-inline-suppressions", args->no_inline_suppressions, "Ignore `# mlarch: ignore[...]` comments");
  cmd->add_flag("--simulate", args->simulate,
                "Also simulate each spec and report SLOs the simulation shows are missed (REL041); "
                "the simulation flags below apply");
  add_simulation_flags(*cmd, args->sim);
  cmd->add_flag("--specs-only", args->specs_only,
                "Skip named files that are not mlarch specs (no top-level `mlarch:` key), as pre-commit hooks need");
  cmd->add_flag("--show-suppressed", args->show_suppressed, "Also print suppressed findings (text and SARIF)");
  add_color_option(*cmd, args->color);
  cmd->callback([args, &exit_code] { exit_code = run_lint(*args); });
}

}  // namespace mlarch::cli
