// Findings and input errors as plain data. Rendering them is a separate stage (render.hpp).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mlarch {

enum class Severity { info, warning, error };
enum class Category { best_practice, reliability, security, ethics, cost };

std::string_view to_string(Severity s);
std::string_view to_string(Category c);
std::optional<Severity> parse_severity(std::string_view s);
std::optional<Category> parse_category(std::string_view s);

// A place in a source file; line and column are 1-based, 0 means unknown.
struct Position {
  int line = 0;
  int column = 0;
  friend bool operator==(const Position&, const Position&) = default;
};

// One diagnostic: a rule finding about a spec, or an input error (unreadable file, malformed
// YAML, schema violation, unresolved reference). Input errors have no category.
struct Finding {
  std::string rule;                   // e.g. "SEC001", or "E003" for an input error
  std::optional<Category> category;   // empty for input errors
  Severity severity = Severity::error;
  std::string message;                // lowercase, no trailing period, names the element
  std::string file;
  Position position;
  std::string pointer;                // JSON pointer of the offending value
  std::string element;                // id of the component, model, dataset, flow or workload
  std::string help;                   // what to change
  std::vector<std::string> notes;     // why, references
  std::string suppression;            // empty when active; else how it was suppressed and why

  bool is_input_error() const { return !category.has_value(); }
  bool suppressed() const { return !suppression.empty(); }
};

// Orders findings by file, line, column, rule: the order every renderer prints them in.
void sort_findings(std::vector<Finding>& findings);

}  // namespace mlarch
