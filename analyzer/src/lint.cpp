// The lint pipeline over files: load, validate, model, rules, then suppressions.
#include "mlarch/analyzer/lint.hpp"
#include "mlarch/analyzer/spec.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>

#include <fmt/format.h>

#include "mlarch/analyzer/embedded.hpp"
#include "mlarch/analyzer/graph.hpp"
#include "mlarch/analyzer/model.hpp"
#include "mlarch/analyzer/schema.hpp"

namespace fs = std::filesystem;

namespace mlarch {

int LintReport::count(Severity s) const {
  return static_cast<int>(std::count_if(findings.begin(), findings.end(), [&](const Finding& f) {
    return !f.suppressed() && f.severity == s;
  }));
}

int LintReport::suppressed() const {
  return static_cast<int>(std::count_if(findings.begin(), findings.end(), [](const Finding& f) { return f.suppressed(); }));
}

bool LintReport::has_input_errors() const {
  return std::any_of(findings.begin(), findings.end(), [](const Finding& f) { return f.is_input_error(); });
}

std::string today_utc() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

namespace {

const SchemaValidator& config_schema() {
  static const SchemaValidator validator(Json::parse(embedded_file("schemas/config.schema.json")));
  return validator;
}


// A meta-rule finding (suppressions), with the catalog's category and severity.
Finding meta_finding(const Catalog& catalog, std::string_view id, const std::string& file, Position pos,
                     std::string message, std::string pointer = {}) {
  const Rule* rule = catalog.find(id);
  Finding f;
  f.rule = std::string(id);
  f.category = rule ? rule->category : Category::best_practice;
  f.severity = rule ? rule->severity : Severity::warning;
  f.message = std::move(message);
  f.file = file;
  f.position = pos;
  f.pointer = std::move(pointer);
  if (rule) {
    f.help = rule->remediation;
    f.notes.push_back(fmt::format("see: `mlarch explain {}`", rule->id));
  }
  return f;
}

struct InlineSuppression {
  int line = 0;
  int column = 0;
  std::vector<std::string> rules;
  std::string reason;
  bool used = false;
};

// Suppression comments: `<comment> mlarch: ignore[ID, ...] reason`, where the comment marker is
// `#` in specs and `//` in C++.
std::vector<InlineSuppression> parse_inline_suppressions(const SourceFile& source, std::string_view comment) {
  const std::regex pattern(std::string(comment == "#" ? "#" : "//") + R"(\s*mlarch:\s*ignore\[([^\]]*)\]\s*(.*)$)");
  std::vector<InlineSuppression> out;
  for (int n = 1; n <= source.line_count(); ++n) {
    std::string_view line = source.line(n);
    auto hash = line.find("mlarch:");
    if (hash == std::string_view::npos) continue;
    std::match_results<std::string_view::const_iterator> m;
    if (!std::regex_search(line.begin(), line.end(), m, pattern)) continue;
    InlineSuppression s;
    s.line = n;
    s.column = static_cast<int>(m.position(0)) + 1;
    std::string ids = m[1].str();
    std::string token;
    for (char c : ids + ",") {
      if (c == ',' || c == ' ') {
        if (!token.empty()) s.rules.push_back(token);
        token.clear();
      } else {
        token += c;
      }
    }
    s.reason = m[2].str();
    while (!s.reason.empty() && (s.reason.back() == ' ' || s.reason.back() == '\r')) s.reason.pop_back();
    out.push_back(std::move(s));
  }
  return out;
}

bool rule_matches(const std::vector<std::string>& rules, const std::string& id) {
  return std::find(rules.begin(), rules.end(), id) != rules.end() ||
         std::find(rules.begin(), rules.end(), "*") != rules.end();
}

// Whether a suppression could have matched: at least one of its rules ran.
bool any_rule_ran(const std::vector<std::string>& rules, const RuleSelection& selection) {
  return std::any_of(rules.begin(), rules.end(), [&](const std::string& id) { return id == "*" || selection.enabled(id); });
}

// A baseline keys findings by file, pointer and rule, not by line. Findings about code have no
// pointer of their own (theirs is the component's), so their message, which names the include
// or the call but not the line, is part of their key. A key covers as many findings as the
// baseline lists with it: a second `system()` call in the same file is new.
struct Baseline {
  using Key = std::tuple<std::string, std::string, std::string, std::string>;  // file, pointer, rule, message
  std::map<Key, int> counts;
  bool covers(const Finding& f, const Catalog& catalog) {
    const Rule* rule = catalog.find(f.rule);
    bool code = rule && rule->engine == RuleEngine::code;
    auto it = counts.find({f.file, f.pointer, f.rule, code ? f.message : std::string()});
    if (it == counts.end() || it->second == 0) return false;
    --it->second;
    return true;
  }
};

Baseline load_baseline(const std::string& path, const Catalog& catalog, std::vector<Finding>& errors) {
  Baseline baseline;
  LoadResult loaded = load_document(path);
  if (!loaded.document) {
    errors.insert(errors.end(), loaded.errors.begin(), loaded.errors.end());
    return baseline;
  }
  const Json& root = loaded.document->root;
  if (!root.is_object() || !root.contains("findings") || !root["findings"].is_array()) {
    errors.push_back(input_error(kErrSchema, path, {1, 1}, "not an mlarch baseline: expected {\"version\": 1, \"findings\": [...]}"));
    return baseline;
  }
  for (const auto& f : root["findings"]) {
    if (!f.is_object()) continue;
    std::string rule = f.value("rule", "");
    const Rule* r = catalog.find(rule);
    bool code = r && r->engine == RuleEngine::code;
    ++baseline.counts[{f.value("file", ""), f.value("pointer", ""), rule, code ? f.value("message", "") : std::string()}];
  }
  return baseline;
}

bool looks_like_spec(const fs::path& p) {
  auto ext = p.extension().string();
  if (ext != ".yaml" && ext != ".yml" && ext != ".json") return false;
  if (p.filename() == ".mlarch.yaml" || p.filename() == ".pre-commit-hooks.yaml" ||
      p.filename() == ".pre-commit-config.yaml")
    return false;
  std::ifstream in(p, std::ios::binary);
  std::string head(4096, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<std::size_t>(in.gcount()));
  static const std::regex marker(R"((^|\n|\{)\s*("mlarch"|mlarch)\s*:)");
  return std::regex_search(head, marker);
}

}  // namespace

std::optional<std::string> find_config(const std::string& directory) {
  std::error_code ec;
  fs::path dir = fs::absolute(directory.empty() ? "." : directory, ec);
  while (!dir.empty()) {
    fs::path candidate = dir / ".mlarch.yaml";
    if (fs::is_regular_file(candidate, ec)) return fs::relative(candidate, fs::current_path(), ec).string();
    if (dir == dir.root_path()) break;
    dir = dir.parent_path();
  }
  return std::nullopt;
}

LoadedConfig load_config(const std::string& path, const Catalog& catalog) {
  LoadedConfig out;
  LoadResult loaded = load_document(path);
  if (!loaded.document) {
    out.errors = std::move(loaded.errors);
    return out;
  }
  auto doc = std::make_shared<Document>(std::move(*loaded.document));
  out.errors = config_schema().validate(*doc);
  if (!out.errors.empty()) return out;
  LintConfig config;
  config.path = path;
  config.document = doc;
  const Json& root = doc->root;
  if (root.contains("fail_on")) config.fail_on = root["fail_on"].get<std::string>();
  if (root.contains("rules")) {
    for (auto it = root["rules"].begin(); it != root["rules"].end(); ++it) {
      std::string pointer = pointer_append("/rules", it.key());
      if (!catalog.find(it.key())) {
        std::vector<std::string> ids;
        for (const auto& r : catalog.rules()) ids.push_back(r.id);
        Finding f = input_error(kErrReference, path, doc->key_position(pointer), fmt::format("unknown rule '{}'", it.key()));
        f.pointer = pointer;
        out.errors.push_back(std::move(f));
        continue;
      }
      std::string v = it.value();
      if (v == "off") config.selection.skip.insert(it.key());
      else if (v != "on") config.selection.severity[it.key()] = *parse_severity(v);
    }
  }
  if (root.contains("ignore")) {
    for (std::size_t i = 0; i < root["ignore"].size(); ++i) {
      const Json& j = root["ignore"][i];
      LintConfig::Ignore ig;
      ig.rule = j["rule"];
      ig.element = j.value("element", "");
      ig.pointer = j.value("pointer", "");
      ig.reason = j["reason"];
      ig.expires = j.value("expires", "");
      ig.config_pointer = pointer_append("/ignore", i);
      if (ig.rule != "*" && !catalog.find(ig.rule)) {
        std::string p = ig.config_pointer + "/rule";
        Finding f = input_error(kErrReference, path, doc->value_position(p), fmt::format("unknown rule '{}'", ig.rule));
        f.pointer = p;
        out.errors.push_back(std::move(f));
      }
      config.ignores.push_back(std::move(ig));
    }
  }
  if (out.errors.empty()) out.config = std::move(config);
  return out;
}

std::vector<std::string> collect_spec_files(const std::vector<std::string>& paths, std::vector<Finding>& errors,
                                           bool specs_only) {
  std::vector<std::string> files;
  for (const auto& p : paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      std::vector<std::string> found;
      fs::recursive_directory_iterator it(p, fs::directory_options::skip_permission_denied, ec), end;
      for (; !ec && it != end; it.increment(ec)) {
        const auto name = it->path().filename().string();
        if (it->is_directory(ec) && (name.starts_with(".") || name == "node_modules" || name.starts_with("build"))) {
          it.disable_recursion_pending();
          continue;
        }
        if (it->is_regular_file(ec) && looks_like_spec(it->path())) found.push_back(it->path().string());
      }
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else if (fs::exists(p, ec)) {
      if (!specs_only || looks_like_spec(p)) files.push_back(p);
    } else {
      errors.push_back(input_error(kErrUnreadable, p, {}, "no such file or directory"));
    }
  }
  return files;
}

struct Suppressions::State {
  LintOptions options;
  const Catalog& catalog;
  std::string today;
  Baseline baseline;
  std::map<std::string, std::optional<LintConfig>> configs;  // loaded once each
  std::optional<std::string> fail_on;
};

Suppressions::Suppressions(const LintOptions& options, const Catalog& catalog, std::initializer_list<RuleEngine> engines,
                           std::vector<Finding>& errors)
    : state_(new State{options, catalog, options.today.empty() ? today_utc() : options.today, {}, {}, {}}) {
  state_->options.selection = restrict_to_engines(catalog, options.selection, engines);
  if (options.baseline_path) state_->baseline = load_baseline(*options.baseline_path, catalog, errors);
}

Suppressions::~Suppressions() = default;

LintConfig* Suppressions::config_for(const std::string& spec, std::vector<Finding>& errors) {
  State& s = *state_;
  std::optional<std::string> path = s.options.config_path;
  if (!path) path = find_config(fs::path(spec).parent_path().string());
  if (!path) return nullptr;
  auto it = s.configs.find(*path);
  if (it == s.configs.end()) {
    LoadedConfig loaded = load_config(*path, s.catalog);
    errors.insert(errors.end(), loaded.errors.begin(), loaded.errors.end());
    it = s.configs.emplace(*path, std::move(loaded.config)).first;
    if (it->second) s.fail_on = it->second->fail_on;
  }
  return it->second ? &*it->second : nullptr;
}

RuleSelection Suppressions::selection_for(const std::string& spec, std::vector<Finding>& errors) {
  LintConfig* config = config_for(spec, errors);
  const RuleSelection& command_line = state_->options.selection;
  RuleSelection selection = config ? config->selection : RuleSelection{};
  selection.only = command_line.only;
  selection.skip.insert(command_line.skip.begin(), command_line.skip.end());
  for (const auto& [id, sev] : command_line.severity) selection.severity[id] = sev;
  return selection;
}

void Suppressions::apply_inline(const SourceFile& source, std::string_view comment, const RuleSelection& selection,
                                const std::function<int(const Finding&)>& element_line, std::vector<Finding>& findings) {
  if (!state_->options.inline_suppressions) return;
  auto suppressions = parse_inline_suppressions(source, comment);
  if (suppressions.empty()) return;
  const std::string& file = source.path();
  std::vector<Finding> meta;
  for (auto& s : suppressions) {
    if (s.reason.empty()) {
      meta.push_back(meta_finding(state_->catalog, "SUP001", file, {s.line, s.column},
                                  fmt::format("suppression of {} gives no reason, so it is not applied",
                                              fmt::join(s.rules, ", "))));
    }
  }
  for (auto& f : findings) {
    if (f.suppressed() || f.is_input_error() || f.file != file) continue;
    int line_of_element = element_line(f);
    for (auto& s : suppressions) {
      if (s.reason.empty() || !rule_matches(s.rules, f.rule)) continue;
      if (s.line != f.position.line && s.line != line_of_element) continue;
      f.suppression = "inline: " + s.reason;
      s.used = true;
      break;
    }
  }
  for (const auto& s : suppressions) {
    if (s.used || s.reason.empty() || !any_rule_ran(s.rules, selection)) continue;
    meta.push_back(meta_finding(state_->catalog, "SUP002", file, {s.line, s.column},
                                fmt::format("suppression of {} matches no finding on this line or its element",
                                            fmt::join(s.rules, ", "))));
  }
  for (auto& m : meta)
    if (selection.enabled(m.rule)) findings.push_back(std::move(m));
}

void Suppressions::apply_ignores(const std::string& spec, std::vector<Finding>& findings) {
  std::vector<Finding> ignored_errors;  // already reported by selection_for
  if (LintConfig* config = config_for(spec, ignored_errors)) {
    for (auto& f : findings) {
      if (f.suppressed() || f.is_input_error()) continue;
      for (auto& ig : config->ignores) {
        if (ig.rule != "*" && ig.rule != f.rule) continue;
        if (!ig.element.empty() && ig.element != f.element) continue;
        if (!ig.pointer.empty() && f.pointer.rfind(ig.pointer, 0) != 0) continue;
        if (!ig.expires.empty() && ig.expires < state_->today) continue;
        f.suppression = "config: " + ig.reason;
        ig.used = true;
        break;
      }
    }
  }
  for (auto& f : findings)
    if (!f.suppressed() && !f.is_input_error() && state_->baseline.covers(f, state_->catalog)) f.suppression = "baseline";
}

void Suppressions::finish(LintReport& report) {
  // Config ignores that matched nothing, or that expired, are findings in the config file.
  std::vector<Finding>& out = report.findings;
  for (auto& [path, config] : state_->configs) {
    if (!config) continue;
    const Document& doc = *config->document;
    report.sources[path] = doc.source;
    for (const auto& ig : config->ignores) {
      Position pos = doc.key_position(ig.config_pointer);
      if (!ig.expires.empty() && ig.expires < state_->today) {
        out.push_back(meta_finding(state_->catalog, "SUP003", path, pos,
                                   fmt::format("ignore of {} expired on {}; the findings it covered are reported again",
                                               ig.rule, ig.expires),
                                   ig.config_pointer));
      } else if (!ig.used && any_rule_ran({ig.rule}, state_->options.selection)) {
        out.push_back(meta_finding(state_->catalog, "SUP002", path, pos,
                                   fmt::format("ignore of {}{} matches no finding", ig.rule,
                                               ig.element.empty() ? "" : " for '" + ig.element + "'"),
                                   ig.config_pointer));
      }
    }
  }
  if (state_->fail_on) report.fail_on = state_->fail_on;
  sort_findings(out);
}

LintReport lint(const std::vector<std::string>& paths, const LintOptions& options, const Catalog& catalog) {
  LintReport report;
  std::vector<Finding>& out = report.findings;
  Suppressions suppressions(options, catalog, {RuleEngine::declarative, RuleEngine::native, RuleEngine::meta, RuleEngine::simulation},
                            out);

  report.files = collect_spec_files(paths, out, options.specs_only);
  for (const auto& file : report.files) {
    LoadedSpec spec = load_spec(file);
    if (spec.source) report.sources[file] = spec.source;
    if (spec.document) report.documents.push_back(spec.document);
    out.insert(out.end(), spec.errors.begin(), spec.errors.end());
    if (!spec.system) continue;
    const Document& doc = *spec.document;
    const System& system = *spec.system;
    SystemGraph graph(system);

    RuleSelection selection = suppressions.selection_for(file, out);
    std::vector<Finding> findings = run_rules(catalog, doc, system, graph, selection, &options.simulation);
    suppressions.apply_inline(*doc.source, "#", selection,
                              [&](const Finding& f) { return doc.key_position(element_at(doc, f.pointer).pointer).line; },
                              findings);
    suppressions.apply_ignores(file, findings);
    out.insert(out.end(), std::make_move_iterator(findings.begin()), std::make_move_iterator(findings.end()));
  }
  suppressions.finish(report);
  return report;
}

std::string baseline_json(const LintReport& report) {
  Json findings = Json::array();
  for (const auto& f : report.findings) {
    if (f.suppressed() || f.is_input_error()) continue;
    findings.push_back({{"file", f.file}, {"rule", f.rule}, {"pointer", f.pointer}, {"message", f.message}});
  }
  return Json{{"version", 1}, {"findings", findings}}.dump(2) + "\n";
}

}  // namespace mlarch
