// The rule catalog and the engine that runs it over one document.
#include "mlarch/analyzer/rules.hpp"

#include <algorithm>
#include <cctype>
#include <iterator>
#include <stdexcept>

#include <fmt/format.h>

#include "mlarch/analyzer/condition.hpp"
#include "mlarch/analyzer/embedded.hpp"
#include "mlarch/analyzer/graph.hpp"
#include "mlarch/analyzer/model.hpp"
#include "mlarch/analyzer/schema.hpp"

namespace mlarch {

namespace {

// The first sentence of a text: up to the first ". " before a capital letter that does not end
// an abbreviation such as "Art." or "e.g.".
std::string first_sentence(std::string_view text) {
  static const char* const abbreviations[] = {"Art", "art", "e.g", "i.e", "al", "cf", "ch", "No", "Sec", "vs", "Fig"};
  std::string s(text);
  std::replace(s.begin(), s.end(), '\n', ' ');
  for (std::size_t dot = s.find(". "); dot != std::string::npos; dot = s.find(". ", dot + 1)) {
    if (dot + 2 >= s.size() || !std::isupper(static_cast<unsigned char>(s[dot + 2]))) continue;
    std::size_t word = s.find_last_of(" (", dot);
    std::string_view last = std::string_view(s).substr(word == std::string::npos ? 0 : word + 1,
                                                       dot - (word == std::string::npos ? 0 : word + 1));
    if (std::find(std::begin(abbreviations), std::end(abbreviations), last) != std::end(abbreviations)) continue;
    s = s.substr(0, dot + 1);
    break;
  }
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

const SchemaValidator& rule_schema() {
  static const SchemaValidator validator(Json::parse(embedded_file("schemas/rule.schema.json")));
  return validator;
}

}  // namespace

std::span<const std::string_view> known_frameworks() {
  static constexpr std::string_view names[] = {"eu-ai-act",    "nist-ai-rmf",   "owasp-ml-top-10", "owasp-llm-top-10",
                                               "mitre-atlas",  "ml-test-score", "aws-ml-lens",     "gdpr",
                                               "model-cards",  "datasheets",    "sre"};
  return names;
}

std::optional<std::string> normalize_framework(std::string_view name) {
  if (name == "owasp-ml") return "owasp-ml-top-10";
  if (name == "owasp-llm") return "owasp-llm-top-10";
  for (auto known : known_frameworks())
    if (known == name) return std::string(known);
  return std::nullopt;
}

std::set<std::string> Catalog::framework_rules(std::string_view framework) const {
  std::set<std::string> ids;
  auto name = normalize_framework(framework);
  if (!name) return ids;
  for (const auto& r : rules_)
    if (std::find(r.frameworks.begin(), r.frameworks.end(), *name) != r.frameworks.end()) ids.insert(r.id);
  return ids;
}

std::string_view to_string(RuleEngine e) {
  switch (e) {
    case RuleEngine::declarative: return "declarative";
    case RuleEngine::native: return "native";
    case RuleEngine::meta: return "meta";
    case RuleEngine::simulation: return "simulation";
    case RuleEngine::code: return "code";
  }
  return "declarative";
}

const Rule* Catalog::find(std::string_view id) const {
  for (const auto& r : rules_)
    if (r.id == id) return &r;
  return nullptr;
}

namespace {

// A Rule from its (valid) metadata. Problems with a declarative check are returned as messages.
Rule rule_from_json(const std::string& path, const Json& j, std::vector<std::string>& problems) {
  Rule r;
  r.id = j["id"];
  r.name = j["name"];
  r.title = j["title"];
  r.category = *parse_category(j["category"].get<std::string>());
  r.severity = *parse_severity(j["severity"].get<std::string>());
  r.remediation = j["remediation"];
  r.what = j["docs"]["what"];
  r.why = j["docs"]["why"];
  r.example = j["docs"]["example"];
  r.fix = j["docs"]["fix"];
  for (const auto& ref : j["references"]) r.references.push_back({ref["source"], ref.value("id", ""), ref.value("url", "")});
  r.frameworks = j["frameworks"].get<std::vector<std::string>>();
  if (j.contains("tags")) r.tags = j["tags"].get<std::vector<std::string>>();
  r.security_severity = j.value("security_severity", "");
  std::string engine = j["engine"];
  for (auto e : {RuleEngine::declarative, RuleEngine::native, RuleEngine::meta, RuleEngine::simulation,
                 RuleEngine::code})
    if (engine == to_string(e)) r.engine = e;
  auto slash = path.rfind('/');
  r.folder = slash == std::string::npos ? path : path.substr(0, slash);
  if (r.engine == RuleEngine::declarative) {
    r.check = j["check"];
    r.uses_risk_tier = r.check.dump().find("$risk_tier") != std::string::npos;
    if (r.check.contains("at")) r.at = split_key_path(r.check["at"].get<std::string>());
    for (auto [key, slot] : {std::pair{"where", &r.where}, std::pair{"require", &r.require}}) {
      if (!r.check.contains(key)) continue;
      try {
        *slot = Condition::compile(r.check[key]);
      } catch (const std::invalid_argument& e) {
        problems.push_back(fmt::format("invalid condition in '{}': {}", key, e.what()));
      }
    }
  }
  return r;
}

void sort_rules(std::vector<Rule>& rules) {
  std::sort(rules.begin(), rules.end(), [](const Rule& a, const Rule& b) { return a.id < b.id; });
}

}  // namespace

Catalog Catalog::parse(std::span<const std::pair<std::string, std::string>> files, std::vector<Finding>& errors) {
  Catalog catalog;
  for (const auto& [path, text] : files) {
    LoadResult loaded = load_document_from_text(path, text);
    if (!loaded.document) {
      errors.insert(errors.end(), loaded.errors.begin(), loaded.errors.end());
      continue;
    }
    const Document& doc = *loaded.document;
    auto schema_errors = rule_schema().validate(doc);
    if (!schema_errors.empty()) {
      errors.insert(errors.end(), schema_errors.begin(), schema_errors.end());
      continue;
    }
    std::vector<std::string> problems;
    catalog.rules_.push_back(rule_from_json(path, doc.root, problems));
    for (auto& p : problems) errors.push_back(input_error(kErrSchema, path, doc.value_position("/check"), std::move(p)));
  }
  sort_rules(catalog.rules_);
  return catalog;
}

const Catalog& Catalog::builtin() {
  // Compiled from rules/*/rule.yaml at build time (analyzer/src/catalog_compiler.cpp); the
  // conformance test validates every rule.yaml against its schema.
  static const Catalog catalog = [] {
    Catalog c;
    std::vector<std::string> problems;
    for (const auto& entry : Json::parse(embedded_file("rules/catalog.json")))
      c.rules_.push_back(rule_from_json(entry["path"], entry["rule"], problems));
    if (!problems.empty()) throw std::runtime_error("built-in rule catalog is invalid: " + problems[0]);
    sort_rules(c.rules_);
    return c;
  }();
  return catalog;
}

RuleSelection restrict_to_engines(const Catalog& catalog, RuleSelection selection, std::initializer_list<RuleEngine> engines) {
  for (const auto& rule : catalog.rules())
    if (std::find(engines.begin(), engines.end(), rule.engine) == engines.end()) selection.skip.insert(rule.id);
  return selection;
}

Position finding_position(const Document& doc, std::string_view pointer) {
  // A scalar is pointed at where it is written; a block (mapping or list) at its key, since its
  // own position is that of its first entry.
  const Json* value = doc.find(pointer);
  if (value && !value->is_structured() && doc.locations.find(pointer)) return doc.value_position(pointer);
  return doc.key_position(pointer);
}

Finding& RuleContext::report(std::string_view pointer, std::string message, std::string help) const {
  Finding f;
  f.rule = rule.id;
  f.category = rule.category;
  f.severity = severity_;
  f.message = std::move(message);
  f.file = doc.path();
  f.position = finding_position(doc, pointer);
  f.pointer = std::string(pointer);
  f.element = element_at(doc, pointer).id;
  f.help = help.empty() ? rule.remediation : std::move(help);
  f.notes.push_back(first_sentence(rule.why));
  if (rule.uses_risk_tier && !system.risk.declared)
    f.notes.push_back(fmt::format("risk tier '{}' was {}; declare `system.use_case.risk_tier` to settle it",
                                  to_string(system.risk.tier), system.risk.reason));
  std::vector<std::string> cites;
  for (const auto& ref : rule.references) cites.push_back(ref.cite());
  f.notes.push_back(fmt::format("see: {}; `mlarch explain {}`", fmt::join(cites, ", "), rule.id));
  out_.push_back(std::move(f));
  return out_.back();
}

namespace {

struct SelectedRule {
  const Rule* rule;
  Severity severity;
};

// Declarative rules run element by element, every rule of a section over one element before the
// next element, so that element's values stay in cache (10,000 components × dozens of rules).
void run_declarative_section(const std::string& each, const std::vector<SelectedRule>& rules, const Document& doc,
                             const System& system, const SystemGraph& graph, std::vector<Finding>& out) {
  const Json* section = doc.find("/" + each);
  if (!section) return;
  const Json tier = std::string(to_string(system.risk.tier));
  auto visit = [&](const Json& element, const std::string& pointer, const std::string& id) {
    ConditionScope scope{doc.root, element, tier};
    for (const auto& [rule, severity] : rules) {
      if (rule->where && !rule->where->evaluate(scope)) continue;
      if (!rule->require || rule->require->evaluate(scope)) continue;
      std::string at = pointer;
      for (const auto& part : rule->at) at = pointer_append(at, part);
      RuleContext ctx(doc, system, graph, *rule, severity, out);
      ctx.report(at, expand_template(rule->check["message"].get_ref<const std::string&>(), id, scope));
    }
  };
  const std::string base = "/" + each;
  if (each == "system") {
    visit(*section, base, system.name);
  } else if (section->is_object()) {
    for (auto it = section->begin(); it != section->end(); ++it) visit(it.value(), pointer_append(base, it.key()), it.key());
  } else if (section->is_array()) {
    for (std::size_t i = 0; i < section->size(); ++i) {
      std::string pointer = pointer_append(base, i);
      visit((*section)[i], pointer, element_at(doc, pointer).id);
    }
  }
}

}  // namespace

std::vector<Finding> run_rules(const Catalog& catalog, const Document& doc, const System& system,
                               const SystemGraph& graph, const RuleSelection& selection,
                               const SimulationCheck* simulation) {
  std::vector<Finding> findings;
  std::map<std::string, std::vector<SelectedRule>> declarative;  // by section
  auto natives = native_rules();
  for (const auto& rule : catalog.rules()) {
    if (!selection.enabled(rule.id) || rule.engine == RuleEngine::meta || rule.engine == RuleEngine::code) continue;
    Severity severity = rule.severity;
    if (auto o = selection.severity.find(rule.id); o != selection.severity.end()) severity = o->second;
    if (rule.engine == RuleEngine::declarative) {
      declarative[rule.check["each"].get<std::string>()].push_back({&rule, severity});
      continue;
    }
    if (rule.engine == RuleEngine::simulation) {
      if (simulation && *simulation) (*simulation)(RuleContext(doc, system, graph, rule, severity, findings));
      continue;
    }
    auto it = std::find_if(natives.begin(), natives.end(), [&](const NativeRule& n) { return n.id == rule.id; });
    if (it == natives.end()) throw std::logic_error("native rule without an implementation: " + rule.id);
    it->check(RuleContext(doc, system, graph, rule, severity, findings));
  }
  for (const auto& [each, rules] : declarative) run_declarative_section(each, rules, doc, system, graph, findings);
  return findings;
}

}  // namespace mlarch
