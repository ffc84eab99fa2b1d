// Helpers shared by the tests: paths of the source tree, running the mlarch binary, temp dirs.
#pragma once

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "mlarch/analyzer/document.hpp"
#include "mlarch/analyzer/lint.hpp"
#include "mlarch/analyzer/model.hpp"

#if defined(__SANITIZE_ADDRESS__)
#define MLARCH_TEST_SLOW_BUILD 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MLARCH_TEST_SLOW_BUILD 1
#endif
#endif

namespace mlarch::test {

// Debug and sanitizer builds (of the tests, and so of the mlarch binary built with them) run
// simulations some 30 times slower: tests that simulate a lot do less there.
#if !defined(NDEBUG) || defined(MLARCH_TEST_SLOW_BUILD)
inline constexpr bool kSlowBuild = true;
#else
inline constexpr bool kSlowBuild = false;
#endif

std::filesystem::path source_dir();

struct RunResult {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};
// Runs a shell command line (stdin empty), its stdout and stderr captured.
RunResult run_command(const std::string& command_line);
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
// Compares `actual` with tests/golden/NAME; MLARCH_UPDATE_GOLDEN=1 rewrites the file instead.
void expect_golden(const std::string& name, const std::string& actual);
// Loads text as a spec named `name`; fails the test when it does not load.
Document load_text(const std::string& text, const std::string& name = "spec.yaml");

// A spec loaded and built, kept in place (the System points into the Document). A spec that does
// not build fails the test.
struct Built {
  explicit Built(const std::string& text);
  Built(const Built&) = delete;
  Built& operator=(const Built&) = delete;
  Document doc;
  System system;
};

// A YAML text's value, e.g. a model's `architecture` written as a flow mapping.
Json arch(const std::string& yaml_flow);

// Runs the given rules (all of them when empty) on a spec text; fails the test when the spec
// does not build.
std::vector<Finding> run(const std::string& text, std::set<std::string> only = {});
std::vector<Finding> run_rule(const std::string& id, const std::string& text);

// Lints paths relative to the source tree (so findings name them as users see them) with the
// given rules only (all when empty), on the fixed date the fixtures assume.
LintReport lint_in_source_dir(const std::vector<std::string>& paths, std::set<std::string> only = {});

// Violations of a JSON Schema (draft 4 or 7), as "context: message" lines; empty when valid.
enum class Draft { v4, v7 };
std::vector<std::string> schema_violations(const Json& schema, const Json& doc, Draft draft);

}  // namespace mlarch::test
