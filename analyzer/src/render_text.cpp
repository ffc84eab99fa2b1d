// The text renderer: clang/rustc-style diagnostics with the source line and a caret.
#include <algorithm>

#include <fmt/format.h>

#include "mlarch/analyzer/render.hpp"

namespace mlarch {

namespace {

struct Style {
  bool on;
  std::string paint(std::string_view code, std::string_view text) const {
    return on ? fmt::format("\x1b[{}m{}\x1b[0m", code, text) : std::string(text);
  }
};

std::string_view severity_color(Severity s) {
  switch (s) {
    case Severity::error: return "1;31";
    case Severity::warning: return "1;33";
    case Severity::info: return "1;36";
  }
  return "1";
}

// How many bytes the token at `column` (1-based) spans: a quoted string, a key up to its colon,
// or a plain value up to a delimiter.
std::size_t token_length(std::string_view line, int column) {
  std::size_t start = static_cast<std::size_t>(std::max(column, 1) - 1);
  if (start >= line.size()) return 1;
  char first = line[start];
  if (first == '"' || first == '\'') {
    for (std::size_t i = start + 1; i < line.size(); ++i) {
      if (line[i] == '\\' && first == '"') { ++i; continue; }
      if (line[i] == first) return i - start + 1;
    }
    return line.size() - start;
  }
  if (first == '{' || first == '[' || first == '-') return 1;
  std::size_t i = start;
  while (i < line.size()) {
    char c = line[i];
    if (c == ',' || c == '}' || c == ']' || c == '#' || (c == ':' && (i + 1 == line.size() || line[i + 1] == ' ')))
      break;
    ++i;
  }
  while (i > start + 1 && line[i - 1] == ' ') --i;
  return std::max<std::size_t>(1, i - start);
}

}  // namespace

std::string render_diagnostic(const Finding& f, const SourceFile* source, bool color) {
  Style style{color};
  std::string out;
  std::string where = f.file;
  if (f.position.line > 0) where += fmt::format(":{}:{}", f.position.line, f.position.column);
  out += style.paint("1", where + ":");
  out += ' ';
  out += style.paint(severity_color(f.severity), fmt::format("{}[{}]", to_string(f.severity), f.rule));
  out += style.paint("1", ": " + f.message);
  out += '\n';
  std::string_view line = source ? source->line(f.position.line) : std::string_view();
  if (f.position.line > 0 && (!line.empty() || (source && f.position.line <= source->line_count()))) {
    std::string number = std::to_string(f.position.line);
    std::string gutter(number.size(), ' ');
    std::string shown(line);
    std::replace(shown.begin(), shown.end(), '\t', ' ');
    if (shown.size() > 200) shown = shown.substr(0, 200) + "...";
    out += fmt::format("{} {}\n", gutter, style.paint("1;34", "|"));
    out += fmt::format("{} {} {}\n", style.paint("1;34", number), style.paint("1;34", "|"), shown);
    std::size_t col = static_cast<std::size_t>(std::max(f.position.column, 1) - 1);
    std::size_t len = std::min<std::size_t>(token_length(line, f.position.column), 80);
    std::string pad;
    for (std::size_t i = 0; i < col && i < line.size(); ++i) pad += line[i] == '\t' ? ' ' : ' ';
    out += fmt::format("{} {} {}{}\n", gutter, style.paint("1;34", "|"), pad,
                       style.paint(severity_color(f.severity), std::string(len, '^')));
  }
  std::string indent = "   ";
  if (!f.help.empty()) out += fmt::format("{}= {} {}\n", indent, style.paint("1", "help:"), f.help);
  for (const auto& note : f.notes) out += fmt::format("{}= {} {}\n", indent, style.paint("1", "note:"), note);
  if (f.suppressed()) out += fmt::format("{}= {} {}\n", indent, style.paint("1", "suppressed:"), f.suppression);
  return out;
}

std::string render_text(const LintReport& report, const RenderOptions& options) {
  std::string out;
  for (const auto& f : report.findings) {
    if (f.suppressed() && !options.show_suppressed) continue;
    auto it = report.sources.find(f.file);
    out += render_diagnostic(f, it == report.sources.end() ? nullptr : it->second.get(), options.color);
    out += '\n';
  }
  int input_errors = static_cast<int>(std::count_if(report.findings.begin(), report.findings.end(),
                                                    [](const Finding& f) { return f.is_input_error(); }));
  auto plural = [](int n, std::string_view word) { return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s"); };
  std::string summary =
      fmt::format("{}, {}, {} in {}", plural(report.count(Severity::error) - input_errors, "error"),
                  plural(report.count(Severity::warning), "warning"), plural(report.count(Severity::info), "info"),
                  plural(static_cast<int>(report.files.size()), "file"));
  if (input_errors > 0) summary += fmt::format("; {}", plural(input_errors, "input error"));
  if (report.suppressed() > 0) summary += fmt::format(" ({} suppressed)", report.suppressed());
  out += summary + "\n";
  return out;
}

}  // namespace mlarch
