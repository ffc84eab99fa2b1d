// `mlarch lint` as a library: files in, findings out. Load, validate, build the model, run the
// rules, then apply inline suppressions, the configuration's ignores and the baseline.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mlarch/analyzer/diagnostic.hpp"
#include "mlarch/analyzer/document.hpp"
#include "mlarch/analyzer/model.hpp"
#include "mlarch/analyzer/rules.hpp"
#include "mlarch/analyzer/spec.hpp"

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

// How many translation units `mlarch conform` read, skipped (no component owns them) and failed
// to parse.
struct TranslationUnitCounts {
  int read = 0, skipped = 0, failed = 0;
};

struct LintReport {
  std::string command = "lint";  // the command that made it, as the renderers name it
  std::vector<std::string> files;
  std::vector<Finding> findings;  // sorted; suppressed ones included, marked
  std::map<std::string, SourceFilePtr> sources;
  std::vector<std::shared_ptr<const Document>> documents;  // the specs that loaded, for later stages
  std::optional<std::string> fail_on;  // from the config, when one set it
  std::optional<TranslationUnitCounts> translation_units;  // conform only

  int count(Severity s) const;
  int suppressed() const;
  bool has_input_errors() const;
};

// Expands directories into the spec files below them (sorted); files are kept as given.
// With `specs_only`, named files that are not specs are skipped too.
std::vector<std::string> collect_spec_files(const std::vector<std::string>& paths, std::vector<Finding>& errors,
                                           bool specs_only = false);


// What happens to findings once the rules ran, for `lint` and `conform` alike: each spec's
// configuration (rules off, severity overrides), inline suppressions, the configuration's
// ignores and the baseline; at the end, ignores that matched nothing or expired are reported.
class Suppressions {
 public:
  // Loads the baseline; its errors go to `errors`. `engines` are the rule engines the command
  // runs: suppressions of other commands' rules are neither applied nor reported as unused.
  Suppressions(const LintOptions& options, const Catalog& catalog, std::initializer_list<RuleEngine> engines,
               std::vector<Finding>& errors);
  ~Suppressions();
  Suppressions(const Suppressions&) = delete;
  Suppressions& operator=(const Suppressions&) = delete;

  // The rules that run for a spec: its configuration's selection, then the command line's,
  // restricted to the command's engines.
  // Configuration errors go to `errors`.
  RuleSelection selection_for(const std::string& spec, std::vector<Finding>& errors);
  // Applies `// mlarch: ignore[ID] reason` comments (`comment` is "#" in specs, "//" in C++)
  // written in `source` to the findings in that file: on the finding's line, or on the line
  // `element_line` gives for it (0: none). Suppressions without a reason or that suppress
  // nothing are added as SUP001/SUP002.
  void apply_inline(const SourceFile& source, std::string_view comment, const RuleSelection& selection,
                    const std::function<int(const Finding&)>& element_line, std::vector<Finding>& findings);
  // Applies the spec's configuration ignores and the baseline.
  void apply_ignores(const std::string& spec, std::vector<Finding>& findings);
  // Reports configuration ignores that matched nothing or expired, and adds the configurations'
  // sources, then sorts the findings.
  void finish(LintReport& report);

 private:
  struct State;
  // The configuration that applies to a spec (--config, or the nearest .mlarch.yaml), loaded once.
  LintConfig* config_for(const std::string& spec, std::vector<Finding>& errors);
  std::unique_ptr<State> state_;
};

LintReport lint(const std::vector<std::string>& paths, const LintOptions& options,
                const Catalog& catalog = Catalog::builtin());

// Today's date, UTC, as YYYY-MM-DD.
std::string today_utc();

// Writes the active findings as a baseline: keyed by file, pointer and rule, not by line.
std::string baseline_json(const LintReport& report);

}  // namespace mlarch
