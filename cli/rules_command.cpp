// `mlarch rules`: the rule catalog, as a table or as JSON.
#include <fmt/format.h>

#include "commands.hpp"
#include "mlarch/analyzer/diagnostic.hpp"
#include "mlarch/analyzer/render.hpp"
#include "mlarch/analyzer/rules.hpp"

namespace mlarch::cli {

namespace {

struct RulesArgs {
  std::string format = "text";
  std::string category;
  std::string framework;
  std::string output;
};

Json rule_json(const Rule& r) {
  Json refs = Json::array();
  for (const auto& ref : r.references) refs.push_back({{"source", ref.source}, {"id", ref.id}, {"url", ref.url}});
  return {{"id", r.id},
          {"name", r.name},
          {"title", r.title},
          {"category", to_string(r.category)},
          {"severity", to_string(r.severity)},
          {"engine", to_string(r.engine)},
          {"remediation", r.remediation},
          {"references", refs},
          {"frameworks", r.frameworks}};
}

int run_rules_command(const RulesArgs& args) {
  const Catalog& catalog = Catalog::builtin();
  if (args.format == "markdown") return emit(args.output, render_catalog_markdown(catalog)) ? kExitOk : kExitUsage;
  std::set<std::string> in_framework;
  if (!args.framework.empty()) {
    if (!normalize_framework(args.framework)) return usage_error(fmt::format("unknown framework '{}'", args.framework));
    in_framework = catalog.framework_rules(args.framework);
  }
  std::vector<const Rule*> shown;
  for (const auto& r : catalog.rules())
    if ((args.category.empty() || to_string(r.category) == args.category) &&
        (args.framework.empty() || in_framework.count(r.id)))
      shown.push_back(&r);
  std::string out;
  if (args.format == "json") {
    Json rules = Json::array();
    for (const Rule* r : shown) rules.push_back(rule_json(*r));
    out = Json{{"version", 1}, {"rules", rules}}.dump(2) + "\n";
  } else {
    out += fmt::format("{:<8} {:<14} {:<8} {}\n", "ID", "CATEGORY", "SEVERITY", "TITLE");
    for (const Rule* r : shown)
      out += fmt::format("{:<8} {:<14} {:<8} {}\n", r->id, to_string(r->category), to_string(r->severity), r->title);
    out += fmt::format("\n{} rules; `mlarch explain ID` for one rule's documentation\n", shown.size());
  }
  return emit(args.output, out) ? kExitOk : kExitUsage;
}

}  // namespace

void add_rules_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<RulesArgs>();
  CLI::App* cmd = app.add_subcommand("rules", "List the rule catalog");
  cmd->add_option("-f,--format", args->format, "Output format (markdown: the whole catalog with coverage, as docs/rules.md)")
      ->check(CLI::IsMember({"text", "json", "markdown"}))
      ->default_val("text");
  cmd->add_option("--framework", args->framework,
                  "Only rules of this framework: eu-ai-act, nist-ai-rmf, owasp-ml, owasp-llm, mitre-atlas, ml-test-score, "
                  "aws-ml-lens, gdpr, model-cards, datasheets, sre");
  cmd->add_option("--category", args->category, "Only rules of this category")
      ->check(CLI::IsMember({"best-practice", "reliability", "security", "ethics", "cost"}));
  cmd->add_option("-o,--output", args->output, "Write to FILE instead of stdout");
  cmd->callback([args, &exit_code] { exit_code = run_rules_command(*args); });
}

}  // namespace mlarch::cli
