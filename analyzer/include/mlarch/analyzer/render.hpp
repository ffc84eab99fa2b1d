// Renderers of a lint report: one function per output format, all over the same data.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "mlarch/analyzer/lint.hpp"
#include "mlarch/analyzer/rules.hpp"

namespace mlarch {

enum class OutputFormat { text, json, sarif, junit, github, markdown };
std::optional<OutputFormat> parse_output_format(std::string_view name);

struct RenderOptions {
  bool color = false;
  bool show_suppressed = false;
  std::string version;  // mlarch's version, for SARIF and the JSON provenance
};

std::string render(const LintReport& report, OutputFormat format, const Catalog& catalog, const RenderOptions& options);

// Individual renderers (also used by other commands).
std::string render_text(const LintReport& report, const RenderOptions& options);
std::string render_json(const LintReport& report);
std::string render_sarif(const LintReport& report, const Catalog& catalog, const RenderOptions& options);
std::string render_junit(const LintReport& report);
std::string render_github(const LintReport& report);
std::string render_markdown(const LintReport& report);

// The catalog as Markdown (docs/rules.md): every rule, and which items of ML Test Score, the
// EU AI Act and the OWASP Top 10s the rules cover.
std::string render_catalog_markdown(const Catalog& catalog);

// One rule finding as `lint --format json` lists it (rule, category, severity, message, file,
// line, column, pointer, element); also used by `diff`.
Json finding_json(const Finding& finding);
// Text for a Markdown table cell: `|`, `<`, `>` and Markdown's emphasis and code characters
// escaped, newlines as spaces.
std::string markdown_escape(std::string_view text);

// One diagnostic in the clang/rustc style (used for input errors of every command).
std::string render_diagnostic(const Finding& finding, const SourceFile* source, bool color);

// Text escaped for XML and HTML (& < > " ' as entities, control characters as spaces).
std::string xml_escape(std::string_view s);

// One word of a POSIX shell command line: as it is when it holds only characters no shell treats
// specially, else in single quotes (for the commands reports print to reproduce a run).
std::string shell_word(std::string_view s);

// Writes `content` to `path` whole or not at all (temporary file, then rename). Returns an error
// message, or empty on success.
std::string write_file_atomically(const std::string& path, std::string_view content);

}  // namespace mlarch
