// Test helpers.
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validator.hpp>
#include "test_support.hpp"

#include <array>
#include <cstdlib>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

#include <gtest/gtest.h>
#include <sys/wait.h>

#include "mlarch/analyzer/graph.hpp"
#include "mlarch/analyzer/model.hpp"
#include "mlarch/analyzer/rules.hpp"

namespace mlarch::test {

std::filesystem::path source_dir() { return MLARCH_SOURCE_DIR; }

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void expect_golden(const std::string& name, const std::string& actual) {
  std::filesystem::path path = source_dir() / "tests" / "golden" / name;
  if (const char* update = std::getenv("MLARCH_UPDATE_GOLDEN"); update && std::string(update) == "1") {
    std::ofstream(path, std::ios::binary) << actual;
    return;
  }
  ASSERT_TRUE(std::filesystem::exists(path)) << "missing golden file " << path << " (run with MLARCH_UPDATE_GOLDEN=1)";
  EXPECT_EQ(read_file(path), actual) << "golden " << name << " differs";
}

RunResult run_command(const std::string& command_line) {
  TempDir tmp;
  auto out = tmp.path() / "stdout";
  auto err = tmp.path() / "stderr";
  std::string cmd = command_line + " >'" + out.string() + "' 2>'" + err.string() + "' </dev/null";
  int status = std::system(cmd.c_str());
  RunResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = read_file(out);
  r.err = read_file(err);
  return r;
}

RunResult run_mlarch(const std::string& args, const std::filesystem::path& cwd) {
  std::string cmd;
  if (!cwd.empty()) cmd += "cd '" + cwd.string() + "' && ";
  return run_command(cmd + "'" + MLARCH_BINARY + "' " + args);
}

TempDir::TempDir() {
  std::random_device rd;
  path_ = std::filesystem::temp_directory_path() / ("mlarch-test-" + std::to_string(rd()) + std::to_string(rd()));
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::filesystem::path TempDir::write(const std::string& name, const std::string& content) const {
  auto p = path_ / name;
  std::filesystem::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << content;
  return p;
}

Built::Built(const std::string& text) : doc(load_text(text)) {
  BuildResult r = build_system(doc);
  if (!r.system) {
    ADD_FAILURE() << "spec did not build: " << (r.errors.empty() ? "" : r.errors[0].message);
    return;
  }
  system = std::move(*r.system);
  system.document = &doc;
}

Json arch(const std::string& yaml_flow) { return load_text(yaml_flow).root; }

Document load_text(const std::string& text, const std::string& name) {
  LoadResult r = load_document_from_text(name, text);
  if (!r.document) {
    std::string msg = "spec did not load:";
    for (const auto& e : r.errors) msg.append(" ").append(std::to_string(e.position.line)).append(":").append(e.message);
    throw std::runtime_error(msg);
  }
  return std::move(*r.document);
}

std::vector<Finding> run(const std::string& text, std::set<std::string> only) {
  Document doc = load_text(text);
  BuildResult r = build_system(doc);
  if (!r.system) {
    ADD_FAILURE() << "spec did not build: " << (r.errors.empty() ? "" : r.errors[0].message);
    return {};
  }
  SystemGraph graph(*r.system);
  RuleSelection selection;
  selection.only = std::move(only);
  return run_rules(Catalog::builtin(), doc, *r.system, graph, selection);
}

std::vector<Finding> run_rule(const std::string& id, const std::string& text) { return run(text, {id}); }

LintReport lint_in_source_dir(const std::vector<std::string>& paths, std::set<std::string> only) {
  LintOptions options;
  options.today = "2026-06-01";
  options.selection.only = std::move(only);
  auto cwd = std::filesystem::current_path();
  std::filesystem::current_path(source_dir());
  LintReport report = lint(paths, options);
  std::filesystem::current_path(cwd);
  return report;
}

std::vector<std::string> schema_violations(const Json& schema_json, const Json& doc, Draft draft) {
  auto version = draft == Draft::v4 ? valijson::SchemaParser::kDraft4 : valijson::SchemaParser::kDraft7;
  valijson::Schema schema;
  valijson::SchemaParser parser(version);
  valijson::adapters::NlohmannJsonAdapter schema_adapter(schema_json);
  parser.populateSchema(schema_adapter, schema);
  valijson::Validator validator;
  valijson::ValidationResults results;
  valijson::adapters::NlohmannJsonAdapter target(doc);
  std::vector<std::string> out;
  if (!validator.validate(schema, target, &results)) {
    valijson::ValidationResults::Error e;
    while (results.popError(e)) {
      std::string where;
      for (const auto& c : e.context) where += c;
      out.push_back(where + ": " + e.description);
    }
  }
  return out;
}

}  // namespace mlarch::test
