// Names of severities and categories, and the canonical order of findings.
#include "mlarch/analyzer/diagnostic.hpp"

#include <algorithm>
#include <tuple>

namespace mlarch {

std::string_view to_string(Severity s) {
  switch (s) {
    case Severity::info: return "info";
    case Severity::warning: return "warning";
    case Severity::error: return "error";
  }
  return "error";
}

std::string_view to_string(Category c) {
  switch (c) {
    case Category::best_practice: return "best-practice";
    case Category::reliability: return "reliability";
    case Category::security: return "security";
    case Category::ethics: return "ethics";
    case Category::cost: return "cost";
  }
  return "best-practice";
}

std::optional<Severity> parse_severity(std::string_view s) {
  for (auto v : {Severity::info, Severity::warning, Severity::error})
    if (to_string(v) == s) return v;
  return std::nullopt;
}

std::optional<Category> parse_category(std::string_view s) {
  for (auto v : {Category::best_practice, Category::reliability, Category::security, Category::ethics, Category::cost})
    if (to_string(v) == s) return v;
  return std::nullopt;
}

void sort_findings(std::vector<Finding>& findings) {
  std::stable_sort(findings.begin(), findings.end(), [](const Finding& a, const Finding& b) {
    return std::tie(a.file, a.position.line, a.position.column, a.rule, a.pointer, a.message) <
           std::tie(b.file, b.position.line, b.position.column, b.rule, b.pointer, b.message);
  });
}

}  // namespace mlarch
