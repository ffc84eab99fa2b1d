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

std::vector<InlineSuppression> parse_inline_suppressions(const SourceFile& source) {
  static const std::regex pattern(R"(#\s*mlarch:\s*ignore\[([^\]]*)\]\s*(.*)$)");
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

void apply_inline_suppressions(const Document& doc, const Catalog& catalog, const RuleSelection& selection,
                               std::vector<Finding>& findings, std::vector<Finding>& extra) {
  auto suppressions = parse_inline_suppressions(*doc.source);
  if (suppressions.empty()) return;
  for (auto& s : suppressions) {
    if (s.reason.empty()) {
      extra.push_back(meta_finding(catalog, "SUP001", doc.path(), {s.line, s.column},
                                   fmt::format("suppression of {} gives no reason, so it is not applied",
                                               fmt::join(s.rules, ", "))));
    }
  }
  for (auto& f : findings) {
    if (f.suppressed() || f.is_input_error()) continue;
    int element_line = doc.key_position(element_at(doc, f.pointer).pointer).line;
    for (auto& s : suppressions) {
      if (s.reason.empty() || !rule_matches(s.rules, f.rule)) continue;
      if (s.line != f.position.line && s.line != element_line) continue;
      f.suppression = "inline: " + s.reason;
      s.used = true;
      break;
    }
  }
  for (const auto& s : suppressions) {
    if (s.used || s.reason.empty() || !any_rule_ran(s.rules, selection)) continue;
    extra.push_back(meta_finding(catalog, "SUP002", doc.path(), {s.line, s.column},
                                 fmt::format("suppression of {} matches no finding on this line or its element",
                                             fmt::join(s.rules, ", "))));
  }
}

void apply_config_ignores(LintConfig& config, const std::string& today, std::vector<Finding>& findings) {
  for (auto& f : findings) {
    if (f.suppressed() || f.is_input_error()) continue;
    for (auto& ig : config.ignores) {
      if (ig.rule != "*" && ig.rule != f.rule) continue;
      if (!ig.element.empty() && ig.element != f.element) continue;
      if (!ig.pointer.empty() && f.pointer.rfind(ig.pointer, 0) != 0) continue;
      if (!ig.expires.empty() && ig.expires < today) continue;
      f.suppression = "config: " + ig.reason;
      ig.used = true;
      break;
    }
  }
}

struct Baseline {
  std::set<std::tuple<std::string, std::string, std::string>> keys;  // file, pointer, rule
};

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

LintReport lint(const std::vector<std::string>& paths, const LintOptions& options, const Catalog& catalog) {
  LintReport report;
  std::vector<Finding>& out = report.findings;
  std::string today = options.today.empty() ? today_utc() : options.today;

  Baseline baseline;
  if (options.baseline_path) {
    LoadResult loaded = load_document(*options.baseline_path);
    if (!loaded.document) {
      out.insert(out.end(), loaded.errors.begin(), loaded.errors.end());
    } else {
      const Json& root = loaded.document->root;
      if (!root.is_object() || !root.contains("findings") || !root["findings"].is_array()) {
        out.push_back(input_error(kErrSchema, *options.baseline_path, {1, 1},
                                  "not an mlarch baseline: expected {\"version\": 1, \"findings\": [...]}"));
      } else {
        for (const auto& f : root["findings"])
          if (f.is_object())
            baseline.keys.emplace(f.value("file", ""), f.value("pointer", ""), f.value("rule", ""));
      }
    }
  }

  // Configurations, loaded once each.
  std::map<std::string, std::optional<LintConfig>> configs;
  auto config_for = [&](const std::string& file) -> LintConfig* {
    std::optional<std::string> path = options.config_path;
    if (!path) path = find_config(fs::path(file).parent_path().string());
    if (!path) return nullptr;
    auto it = configs.find(*path);
    if (it == configs.end()) {
      LoadedConfig loaded = load_config(*path, catalog);
      out.insert(out.end(), loaded.errors.begin(), loaded.errors.end());
      it = configs.emplace(*path, std::move(loaded.config)).first;
      if (it->second) report.fail_on = it->second->fail_on;
    }
    return it->second ? &*it->second : nullptr;
  };

  std::vector<Finding> collect_errors;
  report.files = collect_spec_files(paths, collect_errors, options.specs_only);
  out.insert(out.end(), collect_errors.begin(), collect_errors.end());

  for (const auto& file : report.files) {
    LoadedSpec spec = load_spec(file);
    if (spec.source) report.sources[file] = spec.source;
    if (spec.document) report.documents.push_back(spec.document);
    if (!spec.system) {
      out.insert(out.end(), spec.errors.begin(), spec.errors.end());
      continue;
    }
    const Document& doc = *spec.document;
    const System& system = *spec.system;
    SystemGraph graph(system);

    LintConfig* config = config_for(file);
    RuleSelection selection = config ? config->selection : RuleSelection{};
    selection.only = options.selection.only;
    selection.skip.insert(options.selection.skip.begin(), options.selection.skip.end());
    for (const auto& [id, sev] : options.selection.severity) selection.severity[id] = sev;

    std::vector<Finding> findings = run_rules(catalog, doc, system, graph, selection, &options.simulation);
    std::vector<Finding> meta;
    if (options.inline_suppressions) apply_inline_suppressions(doc, catalog, selection, findings, meta);
    for (auto& m : meta)
      if (selection.enabled(m.rule)) findings.push_back(std::move(m));
    if (config) apply_config_ignores(*config, today, findings);
    for (auto& f : findings) {
      if (!f.suppressed() && baseline.keys.count({f.file, f.pointer, f.rule})) f.suppression = "baseline";
    }
    out.insert(out.end(), std::make_move_iterator(findings.begin()), std::make_move_iterator(findings.end()));
  }

  // Config ignores that matched nothing, or that expired, are findings in the config file.
  for (auto& [path, config] : configs) {
    if (!config) continue;
    const Document& doc = *config->document;
    report.sources[path] = doc.source;
    for (const auto& ig : config->ignores) {
      Position pos = doc.key_position(ig.config_pointer);
      if (!ig.expires.empty() && ig.expires < today) {
        out.push_back(meta_finding(catalog, "SUP003", path, pos,
                                   fmt::format("ignore of {} expired on {}; the findings it covered are reported again",
                                               ig.rule, ig.expires),
                                   ig.config_pointer));
      } else if (!ig.used && any_rule_ran({ig.rule}, options.selection)) {
        out.push_back(meta_finding(catalog, "SUP002", path, pos,
                                   fmt::format("ignore of {}{} matches no finding", ig.rule,
                                               ig.element.empty() ? "" : " for '" + ig.element + "'"),
                                   ig.config_pointer));
      }
    }
  }
  sort_findings(out);
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
