// The subcommands of `mlarch`: each adds itself to the app and sets the exit code when it runs.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "mlarch/analyzer/lint.hpp"

namespace mlarch::cli {

// Exit codes, as every mlarch command uses them.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFindings = 1;
inline constexpr int kExitUsage = 2;

void add_lint_command(CLI::App& app, int& exit_code);
void add_rules_command(CLI::App& app, int& exit_code);
void add_explain_command(CLI::App& app, int& exit_code);
void add_simulate_command(CLI::App& app, int& exit_code);
void add_sweep_command(CLI::App& app, int& exit_code);
void add_hardware_command(CLI::App& app, int& exit_code);
void add_review_command(CLI::App& app, int& exit_code);
void add_plan_command(CLI::App& app, int& exit_code);
void add_diff_command(CLI::App& app, int& exit_code);
void add_kernels_command(CLI::App& app, int& exit_code);
void add_validate_command(CLI::App& app, int& exit_code);
void add_conform_command(CLI::App& app, int& exit_code);

// The options `lint` and `conform` share: output format and file, failure threshold, rule
// selection, configuration, baseline, inline suppressions, colour.
struct ReportArgs {
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
  std::string color = "auto";
};
void add_report_options(CLI::App& command, ReportArgs& args);
// Fills `options` from the arguments; returns kExitOk, or kExitUsage after printing why.
int lint_options_from(const ReportArgs& args, const Catalog& catalog, LintOptions& options);
// Writes the report in the chosen format (or the baseline) and returns the exit code.
int write_report(const LintReport& report, const ReportArgs& args, const Catalog& catalog);

// Whether to colour output for a stream: `--color auto|always|never`, NO_COLOR, TERM=dumb.
bool use_color(const std::string& mode, int fd);
void add_color_option(CLI::App& command, std::string& mode);
// Writes a command's output to `path` atomically, or to stdout when `path` is empty. Returns
// false (after printing why) when writing failed.
bool emit(const std::string& path, const std::string& content);
// Prints a usage error the way every command does and returns kExitUsage.
int usage_error(const std::string& message);

}  // namespace mlarch::cli
