// `mlarch conform` as a library: components own C++ files (`code.paths` in the spec); Clang reads
// the translation units of the compilation database; the code's real dependencies between
// components are checked against the spec's flows, and its calls against the rules of the
// catalog whose engine is `code`. Findings go through the same suppressions and baseline as lint.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "mlarch/analyzer/lint.hpp"

namespace mlarch {

// Input error: a translation unit that does not parse.
inline constexpr std::string_view kErrCodeParse = "E006";

struct ConformOptions {
  LintOptions lint;        // rule selection, configuration, baseline, inline suppressions, date
  std::string build_path;  // -p: a build folder or a compile_commands.json; default: the spec's
                           // `code.compile_commands`
  int jobs = 0;            // translation units parsed at once; 0: one per core
};

// Timing of a conform run, for the summary line and the benchmark.
struct ConformTiming {
  int threads = 0;
  double seconds = 0;        // whole run, wall time
  double parse_seconds = 0;  // sum of the units' parse times
};

LintReport conform(const std::string& spec, const ConformOptions& options, const Catalog& catalog = Catalog::builtin(),
                   ConformTiming* timing = nullptr);

// The ids of the code rules implemented (the registry in analyzer/src/conform/code_rules.cpp).
std::vector<std::string_view> code_rule_ids();

// Whether a path (relative, with '/') matches a glob: `*` and `?` within a folder, `**` across
// folders (`services/**`, `**/test_*.cpp`).
bool glob_match(std::string_view pattern, std::string_view path);

}  // namespace mlarch
