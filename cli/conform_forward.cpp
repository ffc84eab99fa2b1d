// `mlarch conform` in the mlarch binary: hands the command to mlarch-conform, next to it. Only
// that binary links LLVM and Clang (50 MB of shared libraries that would double the start-up
// time of every `mlarch lint` in a pre-commit hook).
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>

#include "commands.hpp"

namespace mlarch::cli {

void add_conform_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<std::vector<std::string>>();
  CLI::App* cmd = app.add_subcommand("conform", "Check the system's C++ code against its spec (Clang LibTooling; "
                                                "`mlarch conform --help` for its options)");
  cmd->prefix_command();
  cmd->set_help_flag();  // --help goes to mlarch-conform, which knows the options
  cmd->allow_extras();
  cmd->callback([cmd, args, &exit_code] {
    std::error_code ec;
    std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
    std::string binary = (self.parent_path() / "mlarch-conform").string();
    std::vector<std::string> argv = {binary, "conform"};
    for (const auto& a : cmd->remaining()) argv.push_back(a);
    std::vector<char*> c_argv;
    for (auto& a : argv) c_argv.push_back(a.data());
    c_argv.push_back(nullptr);
    ::execv(binary.c_str(), c_argv.data());
    std::cerr << "mlarch: conform needs " << binary << " (built with LLVM/Clang 14): " << std::strerror(errno) << "\n";
    exit_code = kExitUsage;
  });
}

}  // namespace mlarch::cli
