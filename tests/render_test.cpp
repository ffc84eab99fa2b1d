// Renderers: every format's golden output for a flawed spec, and machine formats valid against
// their schemas (our JSON output schema; the official SARIF 2.1.0 schema).

#include <gtest/gtest.h>

#include <cstdio>

#include "mlarch/analyzer/lint.hpp"
#include "mlarch/analyzer/render.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;

namespace mlarch {
namespace {


using test::expect_golden;

class Rendered : public ::testing::Test {
 protected:
  void SetUp() override {
    cwd_ = fs::current_path();
    fs::current_path(test::source_dir());
    LintOptions options;
    options.today = "2026-06-01";
    report_ = lint({"tests/golden/flawed.yaml"}, options);
    options_.version = "0.0.0-test";
  }
  void TearDown() override { fs::current_path(cwd_); }
  fs::path cwd_;
  LintReport report_;
  RenderOptions options_;
};

TEST_F(Rendered, FlawedSpecHasFindingsInEveryCategory) {
  std::set<Category> categories;
  for (const auto& f : report_.findings) {
    ASSERT_FALSE(f.is_input_error()) << f.message;
    categories.insert(*f.category);
  }
  EXPECT_GE(categories.size(), 4u);
  EXPECT_EQ(report_.suppressed(), 1);
}

TEST_F(Rendered, TextGolden) { test::expect_golden("flawed.txt", render_text(report_, options_)); }
TEST_F(Rendered, JsonGolden) { test::expect_golden("flawed.json", render_json(report_)); }
TEST_F(Rendered, SarifGolden) { test::expect_golden("flawed.sarif", render_sarif(report_, Catalog::builtin(), options_)); }
TEST_F(Rendered, JunitGolden) { test::expect_golden("flawed.junit.xml", render_junit(report_)); }
TEST_F(Rendered, GithubGolden) { test::expect_golden("flawed.github.txt", render_github(report_)); }
TEST_F(Rendered, MarkdownGolden) { test::expect_golden("flawed.md", render_markdown(report_)); }

TEST_F(Rendered, JsonIsValidAgainstTheOutputSchema) {
  Json schema = Json::parse(test::read_file(test::source_dir() / "schemas" / "lint-output-v1.schema.json"));
  Json out = Json::parse(render_json(report_));
  EXPECT_EQ(test::schema_violations(schema, out, test::Draft::v7), std::vector<std::string>{});
  EXPECT_EQ(out["summary"]["suppressed"], 1);
  for (const auto& f : out["findings"]) EXPECT_EQ(f["file"], "tests/golden/flawed.yaml");
}

TEST_F(Rendered, SarifIsValidAgainstTheOfficialSchemaAndHasWhatGithubNeeds) {
  Json schema = Json::parse(test::read_file(test::source_dir() / "tests" / "data" / "sarif-schema-2.1.0.json"));
  Json sarif = Json::parse(render_sarif(report_, Catalog::builtin(), options_));
  EXPECT_EQ(test::schema_violations(schema, sarif, test::Draft::v4), std::vector<std::string>{});
  const Json& run = sarif["runs"][0];
  for (const auto& rule : run["tool"]["driver"]["rules"]) {
    EXPECT_FALSE(rule["shortDescription"]["text"].get<std::string>().empty());
    EXPECT_FALSE(rule["fullDescription"]["text"].get<std::string>().empty());
    EXPECT_FALSE(rule["help"]["text"].get<std::string>().empty());
    bool security = false;
    for (const auto& tag : rule["properties"]["tags"]) security |= tag == "security";
    EXPECT_EQ(security, rule["properties"].contains("security-severity")) << rule["id"];
  }
  ASSERT_FALSE(run["results"].empty());
  for (const auto& result : run["results"]) {
    EXPECT_GE(result["locations"][0]["physicalLocation"]["region"]["startLine"].get<int>(), 1);
    EXPECT_GE(result["locations"][0]["physicalLocation"]["region"]["startColumn"].get<int>(), 1);
    EXPECT_TRUE(result["partialFingerprints"].contains("primaryLocationLineHash"));
    EXPECT_EQ(run["tool"]["driver"]["rules"][result["ruleIndex"].get<std::size_t>()]["id"], result["ruleId"]);
  }
}

// The commands reports print to reproduce a run: a path a shell would split or expand is quoted,
// and `sh -c` gives it back as one word.
TEST(Render, ShellWordsSurviveTheShell) {
  EXPECT_EQ(shell_word("examples/card-fraud.yaml"), "examples/card-fraud.yaml");
  EXPECT_EQ(shell_word("my spec.yaml"), "'my spec.yaml'");
  EXPECT_EQ(shell_word(""), "''");
  for (std::string word : {"it's $HOME; <b> & `x`", "a'b''c", "*.yaml"}) {
    FILE* pipe = popen(("printf %s " + shell_word(word)).c_str(), "r");
    ASSERT_NE(pipe, nullptr);
    std::string out;
    char buffer[256];
    while (std::size_t n = fread(buffer, 1, sizeof buffer, pipe)) out.append(buffer, n);
    EXPECT_EQ(pclose(pipe), 0);
    EXPECT_EQ(out, word);
  }
}

TEST(Render, InputErrorsAppearInJsonAndSarif) {
  test::TempDir dir;
  auto bad = dir.write("bad.yaml", "mlarch: 1\nsystem: {name: x}\ncomponents:\n  a: {kind: gatewy}\n");
  LintReport report = lint({bad.string()}, LintOptions{});
  Json out = Json::parse(render_json(report));
  ASSERT_TRUE(out.contains("errors"));
  EXPECT_EQ(out["errors"][0]["line"], 4);
  Json schema = Json::parse(test::read_file(test::source_dir() / "schemas" / "lint-output-v1.schema.json"));
  EXPECT_EQ(test::schema_violations(schema, out, test::Draft::v7), std::vector<std::string>{});
  Json sarif = Json::parse(render_sarif(report, Catalog::builtin(), RenderOptions{}));
  EXPECT_FALSE(sarif["runs"][0]["invocations"][0]["executionSuccessful"].get<bool>());
  Json sarif_schema = Json::parse(test::read_file(test::source_dir() / "tests" / "data" / "sarif-schema-2.1.0.json"));
  EXPECT_EQ(test::schema_violations(sarif_schema, sarif, test::Draft::v4), std::vector<std::string>{});
}

TEST(Render, ExamplesAreCleanAndDeterministic) {
  fs::path cwd = fs::current_path();
  fs::current_path(test::source_dir());
  LintReport a = lint({"examples"}, LintOptions{});
  LintReport b = lint({"examples"}, LintOptions{});
  fs::current_path(cwd);
  EXPECT_EQ(a.files.size(), 5u);
  EXPECT_EQ(render_json(a), render_json(b));
  EXPECT_FALSE(a.has_input_errors());
  EXPECT_EQ(a.count(Severity::error), 0) << render_text(a, RenderOptions{});
  test::expect_golden("examples.json", render_json(a));
}

TEST(Render, AtomicWriteLeavesNothingBehindOnFailure) {
  test::TempDir dir;
  std::string error = write_file_atomically((dir.path() / "missing-dir" / "out.json").string(), "{}");
  EXPECT_FALSE(error.empty());
  EXPECT_FALSE(fs::exists(dir.path() / "missing-dir"));
  auto target = dir.path() / "out.json";
  EXPECT_EQ(write_file_atomically(target.string(), "whole"), "");
  EXPECT_EQ(test::read_file(target), "whole");
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir.path())) ++entries;
  EXPECT_EQ(entries, 1u);  // no temporary file left
}

}  // namespace
}  // namespace mlarch
