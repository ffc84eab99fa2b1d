// `mlarch lint PATH...`: check specs against the schema and the rule catalog.
#include <cstdio>
#include <cstdlib>

#include "commands.hpp"
#include "mlarch/analyzer/lint.hpp"
#include "simulation_input.hpp"
#include "slo_findings.hpp"

namespace mlarch::cli {

namespace {

struct LintArgs {
  std::vector<std::string> paths;
  ReportArgs report;
  bool specs_only = false;
  bool simulate = false;
  SimulationFlags sim;
};

int run_lint(const LintArgs& args) {
  const Catalog& catalog = Catalog::builtin();
  LintOptions options;
  if (int rc = lint_options_from(args.report, catalog, options); rc != kExitOk) return rc;
  options.specs_only = args.specs_only;
  if (args.simulate) {
    std::shared_ptr<const sim::Calibration> calibration;
    if (!load_calibration_flag(args.sim, calibration, args.report.color)) return kExitUsage;
    options.simulation = sim::missed_slo_check(args.sim.options(), calibration);
  }
  LintReport report = lint(args.paths, options, catalog);
  int code = write_report(report, args.report, catalog);
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
  add_report_options(*cmd, args->report);
  cmd->add_flag("--simulate", args->simulate,
                "Also simulate each spec and report SLOs the simulation shows are missed (REL041); "
                "the simulation flags below apply");
  add_simulation_flags(*cmd, args->sim);
  cmd->add_flag("--specs-only", args->specs_only,
                "Skip named files that are not mlarch specs (no top-level `mlarch:` key), as pre-commit hooks need");
  cmd->callback([args, &exit_code] { exit_code = run_lint(*args); });
}

}  // namespace mlarch::cli
