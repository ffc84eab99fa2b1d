// Helpers shared by the tests: paths of the source tree, running the mlarch binary, temp dirs.
#pragma once

#include <filesystem>
#include <string>

#include "mlarch/analyzer/document.hpp"

namespace mlarch::test {

std::filesystem::path source_dir();
std::filesystem::path shared_dir();

struct RunResult {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};
// Runs `mlarch ARGS` (a shell-quoted argument string) in `cwd`.
RunResult run_mlarch(const std::string& args, const std::filesystem::path& cwd = {});

// A fresh directory under the system temp dir, removed when the object dies.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path write(const std::string& name, const std::string& content) const;

 private:
  std::filesystem::path path_;
};

std::string read_file(const std::filesystem::path& p);
// Loads text as a spec named `name`; fails the test when it does not load.
Document load_text(const std::string& text, const std::string& name = "spec.yaml");

}  // namespace mlarch::test
