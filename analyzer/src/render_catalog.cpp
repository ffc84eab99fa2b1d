// docs/rules.md from the catalog: the list of rules, and a coverage table of the frameworks'
// items by rule (generated; a test fails when the file is stale).
#include <algorithm>
#include <map>
#include <regex>

#include <fmt/format.h>

#include "mlarch/analyzer/render.hpp"

namespace mlarch {

namespace {

std::string cell(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '|') out += "\\|";
    else if (c == '\n') out += ' ';
    else out += c;
  }
  return out;
}

// Orders "Art. 9" before "Art. 10", "Data 2" before "Data 10".
bool natural_less(const std::string& a, const std::string& b) {
  static const std::regex number("[0-9]+");
  auto key = [](const std::string& s) {
    std::vector<std::pair<std::string, long>> parts;
    std::size_t pos = 0;
    for (std::sregex_iterator it(s.begin(), s.end(), number), end; it != end; ++it) {
      parts.emplace_back(s.substr(pos, static_cast<std::size_t>(it->position()) - pos), std::stol(it->str()));
      pos = static_cast<std::size_t>(it->position() + it->length());
    }
    parts.emplace_back(s.substr(pos), -1);
    return parts;
  };
  return key(a) < key(b);
}

}  // namespace

std::string render_catalog_markdown(const Catalog& catalog) {
  std::string out =
      "# The rule catalog\n\n"
      "Generated from `rules/*/rule.yaml` by `mlarch rules --format markdown`; do not edit (a test fails\n"
      "when this file is stale). How to write a rule: `docs/writing-rules.md`. One rule's full\n"
      "documentation: `mlarch explain ID`.\n\n";
  std::map<std::string, int> per_category;
  for (const auto& r : catalog.rules()) ++per_category[std::string(to_string(r.category))];
  out += fmt::format("{} rules:", catalog.rules().size());
  bool first = true;
  for (const auto& [category, n] : per_category) {
    out += fmt::format("{} {} {}", first ? "" : ",", n, category);
    first = false;
  }
  out += ".\n\n| id | category | severity | title | frameworks |\n|---|---|---|---|---|\n";
  for (const auto& r : catalog.rules())
    out += fmt::format("| {} | {} | {} | {} | {} |\n", r.id, to_string(r.category), to_string(r.severity), cell(r.title),
                       fmt::join(r.frameworks, ", "));

  // Coverage: every item of these sources that some rule cites, with the rules citing it.
  const std::pair<const char*, const char*> sources[] = {
      {"ML Test Score", "ML Test Score"},
      {"EU AI Act", "EU AI Act"},
      {"OWASP ML Top 10", "OWASP Machine Learning Security Top 10"},
      {"OWASP Top 10 for LLM", "OWASP Top 10 for LLM Applications"},
      {"NIST AI RMF", "NIST AI RMF 1.0"},
      {"MITRE ATLAS", "MITRE ATLAS"},
      {"GDPR", "GDPR"}};
  out += "\n## Coverage\n\nWhich items of each source the catalog checks, and by which rules.\n";
  for (const auto& [prefix, title] : sources) {
    std::map<std::string, std::vector<std::string>> items;
    for (const auto& r : catalog.rules())
      for (const auto& ref : r.references)
        if (ref.source.rfind(prefix, 0) == 0 && !ref.id.empty()) {
          auto& ids = items[ref.id];
          if (std::find(ids.begin(), ids.end(), r.id) == ids.end()) ids.push_back(r.id);
        }
    if (items.empty()) continue;
    std::vector<std::string> keys;
    for (const auto& [item, ids] : items) keys.push_back(item);
    std::sort(keys.begin(), keys.end(), natural_less);
    out += fmt::format("\n### {}\n\n| item | rules |\n|---|---|\n", title);
    for (const auto& item : keys) out += fmt::format("| {} | {} |\n", cell(item), fmt::join(items[item], ", "));
  }
  return out;
}

}  // namespace mlarch
