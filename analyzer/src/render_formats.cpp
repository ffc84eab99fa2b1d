// Machine-readable renderers: JSON (the versioned contract), SARIF 2.1.0, JUnit XML, GitHub
// workflow annotations and Markdown; and the atomic writer every output goes through.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>

#include <fmt/format.h>
#include <unistd.h>

#include "mlarch/analyzer/render.hpp"

namespace mlarch {

std::optional<OutputFormat> parse_output_format(std::string_view name) {
  static const std::pair<std::string_view, OutputFormat> names[] = {
      {"text", OutputFormat::text},   {"json", OutputFormat::json},     {"sarif", OutputFormat::sarif},
      {"junit", OutputFormat::junit}, {"github", OutputFormat::github}, {"markdown", OutputFormat::markdown}};
  for (const auto& [n, f] : names)
    if (n == name) return f;
  return std::nullopt;
}

namespace {

std::vector<const Finding*> active(const LintReport& report) {
  std::vector<const Finding*> out;
  for (const auto& f : report.findings)
    if (!f.suppressed() && !f.is_input_error()) out.push_back(&f);
  return out;
}

std::vector<const Finding*> input_errors(const LintReport& report) {
  std::vector<const Finding*> out;
  for (const auto& f : report.findings)
    if (f.is_input_error()) out.push_back(&f);
  return out;
}

std::uint64_t fnv1a(std::string_view s) {
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

// Columns as Unicode code points (SARIF run.columnKind), from yaml-cpp's byte columns.
int code_point_column(const LintReport& report, const Finding& f) {
  auto it = report.sources.find(f.file);
  if (it == report.sources.end() || f.position.column <= 0) return std::max(f.position.column, 1);
  std::string_view line = it->second->line(f.position.line);
  int col = 1;
  for (std::size_t i = 0; i + 1 < static_cast<std::size_t>(f.position.column) && i < line.size(); ++i)
    if ((static_cast<unsigned char>(line[i]) & 0xC0) != 0x80) ++col;
  return col;
}

}  // namespace

std::string shell_word(std::string_view s) {
  bool plain = !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("@%+=:,./_-").find(c) != std::string_view::npos;
  });
  if (plain) return std::string(s);
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string xml_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') out += ' ';
        else out += c;
    }
  }
  return out;
}

std::string markdown_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '|' || c == '<' || c == '>' || c == '`' || c == '*' || c == '_' || c == '[' || c == ']') out += '\\';
    if (c == '\n') { out += ' '; continue; }
    out += c;
  }
  return out;
}

Json finding_json(const Finding& f) {
  return {{"rule", f.rule},
          {"category", to_string(*f.category)},
          {"severity", to_string(f.severity)},
          {"message", f.message},
          {"file", f.file},
          {"line", f.position.line},
          {"column", f.position.column},
          {"pointer", f.pointer},
          {"element", f.element}};
}

std::string render_json(const LintReport& report) {
  Json findings = Json::array();
  for (const Finding* f : active(report)) findings.push_back(finding_json(*f));
  Json errors = Json::array();
  for (const Finding* f : input_errors(report)) {
    errors.push_back({{"code", f->rule},
                      {"message", f->message},
                      {"file", f->file},
                      {"line", f->position.line},
                      {"column", f->position.column},
                      {"pointer", f->pointer}});
  }
  Json out = {{"version", 1},
              {"findings", findings},
              {"summary",
               {{"files", report.files.size()},
                {"errors", report.count(Severity::error) - static_cast<int>(errors.size())},
                {"warnings", report.count(Severity::warning)},
                {"infos", report.count(Severity::info)},
                {"suppressed", report.suppressed()}}}};
  if (!errors.empty()) out["errors"] = errors;
  if (const auto& units = report.translation_units)
    out["summary"]["translation_units"] = {{"read", units->read}, {"skipped", units->skipped}, {"failed", units->failed}};
  return out.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

std::string render_sarif(const LintReport& report, const Catalog& catalog, const RenderOptions& options) {
  Json rules = Json::array();
  std::map<std::string, std::size_t> rule_index;
  for (const auto& r : catalog.rules()) {
    rule_index[r.id] = rules.size();
    std::string refs;
    for (const auto& ref : r.references) refs += fmt::format("\n- {}{}", ref.cite(), ref.url.empty() ? "" : " <" + ref.url + ">");
    Json rule = {{"id", r.id},
                 {"name", r.name},
                 {"shortDescription", {{"text", r.title}}},
                 {"fullDescription", {{"text", r.what.substr(0, 1000)}}},
                 {"help",
                  {{"text", fmt::format("{}\n\nWhy: {}\n\nFix: {}\n\nReferences:{}", r.what, r.why, r.fix, refs)},
                   {"markdown", fmt::format("{}\n\n**Why it matters.** {}\n\n**Fix.**\n\n```yaml\n{}\n```\n\n**References**{}",
                                            r.what, r.why, r.fix, refs)}}},
                 {"defaultConfiguration",
                  {{"level", r.severity == Severity::info ? "note" : std::string(to_string(r.severity))}}}};
    std::vector<std::string> tags = {std::string(to_string(r.category))};
    tags.insert(tags.end(), r.frameworks.begin(), r.frameworks.end());
    tags.insert(tags.end(), r.tags.begin(), r.tags.end());
    if (r.category == Category::security) tags.push_back("security");
    std::vector<std::string> unique_tags;  // SARIF requires unique tags, in a stable order
    for (const auto& t : tags)
      if (std::find(unique_tags.begin(), unique_tags.end(), t) == unique_tags.end()) unique_tags.push_back(t);
    Json props = {{"tags", unique_tags}, {"precision", "high"}};
    if (r.category == Category::security) {
      std::string score = r.security_severity;
      if (score.empty()) score = r.severity == Severity::error ? "8.0" : r.severity == Severity::warning ? "5.5" : "3.0";
      props["security-severity"] = score;
    }
    rule["properties"] = props;
    rules.push_back(rule);
  }
  Json results = Json::array();
  std::map<std::string, int> line_hash_count;
  for (const auto& f : report.findings) {
    if (f.is_input_error() || (f.suppressed() && !options.show_suppressed && f.suppression == "baseline")) continue;
    Json region = {{"startLine", std::max(f.position.line, 1)}, {"startColumn", code_point_column(report, f)}};
    std::string line_text;
    if (auto it = report.sources.find(f.file); it != report.sources.end()) line_text = it->second->line(f.position.line);
    line_text.erase(std::remove_if(line_text.begin(), line_text.end(), [](char c) { return c == ' ' || c == '\t'; }),
                    line_text.end());
    std::string line_hash = fmt::format("{:016x}", fnv1a(line_text));
    int occurrence = ++line_hash_count[f.file + line_hash + f.rule];
    Json result = {{"ruleId", f.rule},
                   {"level", f.severity == Severity::info ? "note" : std::string(to_string(f.severity))},
                   {"message", {{"text", f.message + (f.help.empty() ? "" : ". Fix: " + f.help)}}},
                   {"locations",
                    Json::array({{{"physicalLocation", {{"artifactLocation", {{"uri", f.file}}}, {"region", region}}}}})},
                   {"partialFingerprints",
                    {{"primaryLocationLineHash", fmt::format("{}:{}", line_hash, occurrence)},
                     {"mlarchFindingKey/v1", fmt::format("{:016x}", fnv1a(f.file + "|" + f.rule + "|" + f.pointer))}}},
                   {"properties", {{"pointer", f.pointer}, {"element", f.element}}}};
    if (auto it = rule_index.find(f.rule); it != rule_index.end()) result["ruleIndex"] = it->second;
    if (!f.pointer.empty())
      result["locations"][0]["logicalLocations"] = Json::array({{{"fullyQualifiedName", f.pointer}, {"kind", "member"}}});
    if (f.suppressed()) {
      bool inline_ = f.suppression.rfind("inline: ", 0) == 0;
      result["suppressions"] = Json::array({{{"kind", inline_ ? "inSource" : "external"},
                                             {"justification", f.suppression}}});
    }
    results.push_back(result);
  }
  Json notifications = Json::array();
  for (const Finding* f : input_errors(report)) {
    Json n = {{"level", "error"}, {"message", {{"text", f->message}}}, {"descriptor", {{"id", f->rule}}}};
    Json loc = {{"physicalLocation", {{"artifactLocation", {{"uri", f->file}}}}}};
    if (f->position.line > 0)
      loc["physicalLocation"]["region"] = {{"startLine", f->position.line}, {"startColumn", std::max(f->position.column, 1)}};
    n["locations"] = Json::array({loc});
    notifications.push_back(n);
  }
  Json run = {{"tool",
               {{"driver",
                 {{"name", "mlarch"},
                  {"informationUri", "https://github.com/mlarch/mlarch"},
                  {"semanticVersion", options.version},
                  {"version", options.version},
                  {"rules", rules}}}}},
              {"automationDetails", {{"id", "mlarch/" + report.command + "/"}}},
              {"columnKind", "unicodeCodePoints"},
              {"invocations",
               Json::array({{{"executionSuccessful", notifications.empty()},
                             {"toolExecutionNotifications", notifications}}})},
              {"results", results}};
  Json log = {{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"}, {"version", "2.1.0"}, {"runs", Json::array({run})}};
  return log.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

std::string render_junit(const LintReport& report) {
  std::map<std::string, std::vector<const Finding*>> by_file;
  for (const auto& file : report.files) by_file[file];
  for (const auto& f : report.findings)
    if (!f.suppressed()) by_file[f.file].push_back(&f);
  int total = 0, failures = 0;
  std::string suites;
  for (const auto& [file, findings] : by_file) {
    std::string cases;
    int suite_failures = 0;
    for (const Finding* f : findings) {
      ++suite_failures;
      cases += fmt::format(
          "    <testcase classname=\"{}\" name=\"{}: {}\" file=\"{}\" line=\"{}\">\n"
          "      <failure type=\"{}\" message=\"{}\">{}:{}:{}: {}[{}]: {}{}</failure>\n    </testcase>\n",
          xml_escape(file), xml_escape(f->rule), xml_escape(f->pointer.empty() ? f->message : f->pointer),
          xml_escape(file), f->position.line, to_string(f->severity), xml_escape(f->message), xml_escape(file),
          f->position.line, f->position.column, to_string(f->severity), xml_escape(f->rule), xml_escape(f->message),
          f->help.empty() ? "" : xml_escape("\nhelp: " + f->help));
    }
    if (findings.empty())
      cases = fmt::format("    <testcase classname=\"{}\" name=\"mlarch {}\"/>\n", xml_escape(file), report.command);
    int tests = std::max<int>(1, static_cast<int>(findings.size()));
    total += tests;
    failures += suite_failures;
    suites += fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\">\n{}  </testsuite>\n",
                          xml_escape(file), tests, suite_failures, cases);
  }
  return fmt::format("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"mlarch {}\" tests=\"{}\" "
                     "failures=\"{}\">\n{}</testsuites>\n",
                     report.command, total, failures, suites);
}

std::string render_github(const LintReport& report) {
  auto escape_data = [](std::string_view s) {
    std::string out;
    for (char c : s) {
      if (c == '%') out += "%25";
      else if (c == '\r') out += "%0D";
      else if (c == '\n') out += "%0A";
      else out += c;
    }
    return out;
  };
  auto escape_property = [&](std::string_view s) {
    std::string out;
    for (char c : escape_data(s)) {
      if (c == ':') out += "%3A";
      else if (c == ',') out += "%2C";
      else out += c;
    }
    return out;
  };
  std::string out;
  for (const auto& f : report.findings) {
    if (f.suppressed()) continue;
    std::string level = f.severity == Severity::error ? "error" : f.severity == Severity::warning ? "warning" : "notice";
    std::string props = "file=" + escape_property(f.file);
    if (f.position.line > 0) props += fmt::format(",line={},col={}", f.position.line, f.position.column);
    props += ",title=" + escape_property(fmt::format("mlarch {}", f.rule));
    std::string message = f.message + (f.help.empty() ? "" : "\nhelp: " + f.help);
    out += fmt::format("::{} {}::{}\n", level, props, escape_data(message));
  }
  return out;
}

std::string render_markdown(const LintReport& report) {
  auto errs = input_errors(report);
  auto found = active(report);
  std::string out = "## mlarch " + report.command + "\n\n";
  out += fmt::format("| files | errors | warnings | infos | suppressed |\n|---:|---:|---:|---:|---:|\n| {} | {} | {} | {} | {} |\n\n",
                     report.files.size(), report.count(Severity::error) - static_cast<int>(errs.size()),
                     report.count(Severity::warning), report.count(Severity::info), report.suppressed());
  if (!errs.empty()) {
    out += "### Input errors\n\n| location | code | message |\n|---|---|---|\n";
    for (const Finding* f : errs)
      out += fmt::format("| `{}:{}:{}` | {} | {} |\n", f->file, f->position.line, f->position.column, f->rule,
                         markdown_escape(f->message));
    out += "\n";
  }
  if (found.empty()) {
    out += "No findings.\n";
    return out;
  }
  out += "| severity | rule | category | location | element | message | fix |\n|---|---|---|---|---|---|---|\n";
  for (const Finding* f : found)
    out += fmt::format("| {} | {} | {} | `{}:{}:{}` | {} | {} | {} |\n", to_string(f->severity), f->rule,
                       to_string(*f->category), f->file, f->position.line, f->position.column,
                       markdown_escape(f->element), markdown_escape(f->message), markdown_escape(f->help));
  return out;
}

std::string render(const LintReport& report, OutputFormat format, const Catalog& catalog, const RenderOptions& options) {
  switch (format) {
    case OutputFormat::text: return render_text(report, options);
    case OutputFormat::json: return render_json(report);
    case OutputFormat::sarif: return render_sarif(report, catalog, options);
    case OutputFormat::junit: return render_junit(report);
    case OutputFormat::github: return render_github(report);
    case OutputFormat::markdown: return render_markdown(report);
  }
  return {};
}

std::string write_file_atomically(const std::string& path, std::string_view content) {
  namespace fs = std::filesystem;
  fs::path target(path);
  fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::string tmp = (dir / fmt::format(".{}.tmp-{}", target.filename().string(), ::getpid())).string();
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return fmt::format("cannot write '{}': cannot create a file in '{}'", path, dir.string());
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.flush();
    if (!out) {
      out.close();
      std::remove(tmp.c_str());
      return fmt::format("cannot write '{}'", path);
    }
  }
  std::error_code ec;
  fs::rename(tmp, target, ec);
  if (ec) {
    std::remove(tmp.c_str());
    return fmt::format("cannot write '{}': {}", path, ec.message());
  }
  return {};
}

}  // namespace mlarch
