// mlarch: lint, simulate and review machine-learning system architectures.
#include <exception>
#include <iostream>

#include "commands.hpp"

namespace {

// Every subcommand, in the order `mlarch --help` lists them. mlarch-conform, the binary that
// links Clang, has the one subcommand that needs it.
#ifdef MLARCH_CONFORM_BINARY
constexpr void (*kCommands[])(CLI::App&, int&) = {mlarch::cli::add_conform_command};
#else
constexpr void (*kCommands[])(CLI::App&, int&) = {
    mlarch::cli::add_lint_command,
    mlarch::cli::add_simulate_command,
    mlarch::cli::add_sweep_command,
    mlarch::cli::add_conform_command,
    mlarch::cli::add_review_command,
    mlarch::cli::add_rules_command,
    mlarch::cli::add_explain_command,
    mlarch::cli::add_hardware_command,
    mlarch::cli::add_kernels_command,
    mlarch::cli::add_validate_command,
    mlarch::cli::add_plan_command,
    mlarch::cli::add_diff_command,
};
#endif

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"mlarch: lint, simulate and review machine-learning system architectures", "mlarch"};
  app.set_version_flag("--version", std::string("mlarch ") + MLARCH_VERSION);
  app.require_subcommand(1);
  app.fallthrough(false);
  int exit_code = mlarch::cli::kExitOk;
  for (auto add : kCommands) add(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : mlarch::cli::kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "mlarch: internal error: " << e.what() << "\n";
    return mlarch::cli::kExitUsage;
  }
  return exit_code;
}
