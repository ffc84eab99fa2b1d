// The rule catalog (rules/<ID>/rule.yaml, compiled into the binary) and the engine that runs it:
// declarative rules through the condition language (condition.hpp), native rules through the
// explicit registry (native_rules()).
#pragma once

#include <functional>
#include <initializer_list>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mlarch/analyzer/condition.hpp"
#include "mlarch/analyzer/diagnostic.hpp"
#include "mlarch/analyzer/document.hpp"

namespace mlarch {

struct System;
class SystemGraph;

struct RuleReference {
  std::string source;  // e.g. "EU AI Act"
  std::string id;      // e.g. "Art. 14"
  std::string url;
  std::string cite() const { return id.empty() ? source : source + " " + id; }
};

// declarative: a `check` in rule.yaml; native: a C++ function in the registry; meta: reported by
// the suppression stage; simulation: reported from a simulation's results (`mlarch lint
// --simulate`), by a hook the caller passes, so that the rule engine does not depend on the
// simulator; code: reported by `mlarch conform` from the C++ sources (conform.hpp).
enum class RuleEngine { declarative, native, meta, simulation, code };
std::string_view to_string(RuleEngine e);

struct Rule {
  std::string id;
  std::string name;   // kebab-case short name
  std::string title;
  Category category = Category::best_practice;
  Severity severity = Severity::warning;
  std::string remediation;  // one line, shown as `= help:`
  std::string what, why, example, fix;  // documentation sections
  std::vector<RuleReference> references;
  std::vector<std::string> frameworks;
  std::vector<std::string> tags;
  std::string security_severity;  // SARIF score for security rules, e.g. "7.5"
  RuleEngine engine = RuleEngine::declarative;
  Json check;  // the declarative check as written
  std::optional<Condition> where, require;  // compiled from `check`
  std::vector<std::string> at;              // `check.at`, split: where findings point in the element
  bool uses_risk_tier = false;  // its check depends on the (possibly inferred) risk tier
  std::string folder;  // "rules/<ID>"
};

class Catalog {
 public:
  // The built-in catalog. Invalid metadata is a bug; it throws std::runtime_error.
  static const Catalog& builtin();
  // Parses rule.yaml texts (path, content), validating them against schemas/rule.schema.json.
  // Errors are returned, not thrown.
  static Catalog parse(std::span<const std::pair<std::string, std::string>> files, std::vector<Finding>& errors);

  const std::vector<Rule>& rules() const { return rules_; }
  const Rule* find(std::string_view id) const;
  // The ids of the rules that belong to a framework; empty for an unknown one.
  std::set<std::string> framework_rules(std::string_view framework) const;

 private:
  std::vector<Rule> rules_;
};

// The frameworks rules can belong to (schemas/rule.schema.json), and the short names the command
// line also accepts (owasp-ml for owasp-ml-top-10, owasp-llm for owasp-llm-top-10).
std::span<const std::string_view> known_frameworks();
std::optional<std::string> normalize_framework(std::string_view name);

// Which rules run, at which severity.
struct RuleSelection {
  std::set<std::string> only;   // --rule: when non-empty, only these
  std::set<std::string> skip;   // --skip-rule and config `off`
  std::map<std::string, Severity> severity;  // overrides
  bool enabled(const std::string& id) const { return !skip.count(id) && (only.empty() || only.count(id)); }
};

// The selection without the rules of other engines: lint runs declarative, native and meta rules,
// conform code and meta rules. (A suppression of a rule that another command runs is then not
// reported as suppressing nothing.)
RuleSelection restrict_to_engines(const Catalog& catalog, RuleSelection selection, std::initializer_list<RuleEngine> engines);

// What a native rule sees, and how it reports.
class RuleContext {
 public:
  RuleContext(const Document& d, const System& s, const SystemGraph& g, const Rule& r, Severity severity,
              std::vector<Finding>& out)
      : doc(d), system(s), graph(g), rule(r), severity_(severity), out_(out) {}

  const Document& doc;
  const System& system;
  const SystemGraph& graph;
  const Rule& rule;

  // Reports a finding at `pointer` (the value if it exists, else its nearest ancestor's key),
  // with the rule's (possibly overridden) severity, its help, and its notes.
  Finding& report(std::string_view pointer, std::string message, std::string help = {}) const;

 private:
  Severity severity_;
  std::vector<Finding>& out_;
};

using NativeCheck = void (*)(const RuleContext&);
struct NativeRule {
  std::string_view id;
  NativeCheck check;
};
// The explicit registry of native rules (analyzer/src/rules/registry.cpp).
std::span<const NativeRule> native_rules();

// Runs the selected rules over one document. Findings carry the rule's category, severity (after
// overrides), help and notes.
// Rules of the `simulation` engine run only when `simulation` is given.
using SimulationCheck = std::function<void(const RuleContext&)>;
std::vector<Finding> run_rules(const Catalog& catalog, const Document& doc, const System& system,
                               const SystemGraph& graph, const RuleSelection& selection,
                               const SimulationCheck* simulation = nullptr);

// Where a finding about `pointer` goes: the value when present, else the nearest ancestor's key.
Position finding_position(const Document& doc, std::string_view pointer);

}  // namespace mlarch
