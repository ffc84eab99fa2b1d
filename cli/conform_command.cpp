// `mlarch conform SPEC`: check the system's C++ code against its spec (Clang LibTooling).
#include <iostream>

#include <fmt/format.h>

#include "commands.hpp"
#include "mlarch/analyzer/conform.hpp"

namespace mlarch::cli {

namespace {

struct ConformArgs {
  std::string spec;
  std::string build_path;
  int jobs = 0;
  bool quiet = false;
  ReportArgs report;
};

int run_conform(const ConformArgs& args) {
  const Catalog& catalog = Catalog::builtin();
  ConformOptions options;
  if (int rc = lint_options_from(args.report, catalog, options.lint); rc != kExitOk) return rc;
  options.build_path = args.build_path;
  options.jobs = args.jobs;
  ConformTiming timing;
  LintReport report = conform(args.spec, options, catalog, &timing);
  if (report.translation_units && !args.quiet) {
    const TranslationUnitCounts& n = *report.translation_units;
    int parsed = n.read + n.failed;
    std::cerr << fmt::format(
        "mlarch conform: {} translation unit{} read, {} skipped (no component owns them), {} failed; "
        "{:.2f} s on {} thread{}, {:.0f} ms of parsing per unit\n",
        n.read, n.read == 1 ? "" : "s", n.skipped, n.failed, timing.seconds, timing.threads, timing.threads == 1 ? "" : "s",
        parsed ? 1000 * timing.parse_seconds / parsed : 0.0);
  }
  return write_report(report, args.report, catalog);
}

}  // namespace

void add_conform_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<ConformArgs>();
  CLI::App* cmd = app.add_subcommand("conform", "Check the system's C++ code against its spec (Clang LibTooling)");
  cmd->add_option("spec", args->spec, "The spec; its components name their code with `code.paths`")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("-p,--build-path", args->build_path,
                  "Build folder holding compile_commands.json, or the file itself (default: the spec's "
                  "`code.compile_commands`)");
  cmd->add_option("-j,--jobs", args->jobs, "Translation units parsed at once (default: one per core)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_flag("-q,--quiet", args->quiet, "Do not print the summary of translation units on stderr");
  add_report_options(*cmd, args->report);
  cmd->callback([args, &exit_code] { exit_code = run_conform(*args); });
}

}  // namespace mlarch::cli
