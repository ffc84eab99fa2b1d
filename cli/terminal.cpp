// What every command shares: colour decisions, output writing, usage errors.
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include <unistd.h>

#include "commands.hpp"
#include "mlarch/analyzer/render.hpp"

namespace mlarch::cli {

bool use_color(const std::string& mode, int fd) {
  if (mode == "always") return true;
  if (mode == "never") return false;
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color && no_color[0] != '\0') return false;
  const char* term = std::getenv("TERM");
  if (term && std::string(term) == "dumb") return false;
  return ::isatty(fd) != 0;
}

void add_color_option(CLI::App& command, std::string& mode) {
  command.add_option("--color", mode, "Colour the output: auto (on a terminal, unless NO_COLOR is set), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->default_val("auto");
}

bool emit(const std::string& path, const std::string& content) {
  if (path.empty() || path == "-") {
    std::fwrite(content.data(), 1, content.size(), stdout);
    std::fflush(stdout);
    return true;
  }
  std::string error = write_file_atomically(path, content);
  if (!error.empty()) {
    std::cerr << "mlarch: error: " << error << "\n";
    return false;
  }
  return true;
}

int usage_error(const std::string& message) {
  std::cerr << "mlarch: error: " << message << "\n";
  return kExitUsage;
}

}  // namespace mlarch::cli
