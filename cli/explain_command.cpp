// `mlarch explain ID`: one rule's documentation.
#include <fmt/format.h>

#include "commands.hpp"
#include "mlarch/analyzer/rules.hpp"
#include "mlarch/analyzer/suggest.hpp"

namespace mlarch::cli {

namespace {

std::string indent(const std::string& text) {
  std::string out = "    ";
  for (char c : text) {
    out += c;
    if (c == '\n') out += "    ";
  }
  while (!out.empty() && (out.back() == ' ' || out.back() == '\n')) out.pop_back();
  return out;
}

int run_explain(const std::string& id) {
  const Catalog& catalog = Catalog::builtin();
  const Rule* r = catalog.find(id);
  if (!r) {
    std::vector<std::string> ids;
    for (const auto& rule : catalog.rules()) ids.push_back(rule.id);
    return usage_error(fmt::format("unknown rule '{}'{}; `mlarch rules` lists them", id, did_you_mean(id, ids)));
  }
  std::string out = fmt::format("# {} ({}): {}\n\n", r->id, r->name, r->title);
  out += fmt::format("Category: {}. Severity: {}.", to_string(r->category), to_string(r->severity));
  if (!r->frameworks.empty()) out += fmt::format(" Frameworks: {}.", fmt::join(r->frameworks, ", "));
  out += fmt::format("\n\n## What it checks\n\n{}\n\n## Why it matters\n\n{}\n\n", r->what, r->why);
  out += fmt::format("## Example\n\n{}\n\n## Fix\n\n{}\n\n## References\n\n", indent(r->example), indent(r->fix));
  for (const auto& ref : r->references)
    out += fmt::format("- {}{}\n", ref.cite(), ref.url.empty() ? "" : " <" + ref.url + ">");
  return emit("", out) ? kExitOk : kExitUsage;
}

}  // namespace

void add_explain_command(CLI::App& app, int& exit_code) {
  auto id = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand("explain", "Print a rule's documentation");
  cmd->add_option("id", *id, "Rule id, e.g. SEC001")->required();
  cmd->callback([id, &exit_code] { exit_code = run_explain(*id); });
}

}  // namespace mlarch::cli
