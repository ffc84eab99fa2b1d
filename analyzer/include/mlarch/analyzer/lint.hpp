// `mlarch lint` as a library: files in, findings out. Load, validate, build the model, run the
// rules, then apply inline suppressions, the configuration's ignores and the baseline.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mlarch/analyzer/diagnostic.hpp"
#include "mlarch/analyzer/document.hpp"
#include "mlarch/analyzer/rules.hpp"

namespace mlarch {

// `.mlarch.yaml`: rules on or off, severity overrides, ignores with reasons and expiry.
struct LintConfig {
  struct Ignore {
    std::string rule;     // an id, or "*"
    std::string element;  // element id, or empty
    std::string pointer;  // JSON pointer prefix, or empty
    std::string reason;
    std::string expires;  // YYYY-MM-DD, or empty
    std::string config_pointer;  // where it is written in the config
    bool used = false;
  };
  std::string path;
  std::shared_ptr<const Document> document;
  RuleSelection selection;
  std::optional<std::string> fail_on;
  std::vector<Ignore> ignores;
};

struct LoadedConfig {
  std::optional<LintConfig> config;
  std::vector<Finding> errors;
};
LoadedConfig load_config(const std::string& path, const Catalog& catalog);
// The nearest `.mlarch.yaml` in `directory` or above it.
std::optional<std::string> find_config(const std::string& directory);

struct LintOptions {
  RuleSelection selection;                 // from the command line; applied after the config
  std::optional<std::string> config_path;  // --config; otherwise discovered per spec
  std::optional<std::string> baseline_path;
  bool inline_suppressions = true;
  bool specs_only = false;  // skip named files that are not specs
  std::string today;  // YYYY-MM-DD, for ignore expiry; empty: the current date
  // `--simulate`: runs the rules of the simulation engine (SLOs a simulation shows are missed).
  SimulationCheck simulation;
};

struct LintReport {
  std::vector<std::string> files;
  std::vector<Finding> findings;  // sorted; suppressed ones included, marked
  std::map<std::string, SourceFilePtr> sources;
  std::vector<std::shared_ptr<const Document>> documents;  // the specs that loaded, for later stages
  std::optional<std::string> fail_on;  // from the config, when one set it

  int count(Severity s) const;
  int suppressed() const;
  bool has_input_errors() const;
};

// Expands directories into the spec files below them (sorted); files are kept as given.
// With `specs_only`, named files that are not specs are skipped too.
std::vector<std::string> collect_spec_files(const std::vector<std::string>& paths, std::vector<Finding>& errors,
                                           bool specs_only = false);

LintReport lint(const std::vector<std::string>& paths, const LintOptions& options,
                const Catalog& catalog = Catalog::builtin());

// Today's date, UTC, as YYYY-MM-DD.
std::string today_utc();

// Writes the active findings as a baseline: keyed by file, pointer and rule, not by line.
std::string baseline_json(const LintReport& report);

}  // namespace mlarch
