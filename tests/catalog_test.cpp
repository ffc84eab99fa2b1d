// The conformance test over the whole rule catalog: metadata valid, docs complete, ids unique,
// registry and catalog in one-to-one match, and every fixture telling its story: each failing
// fixture yields exactly the findings written next to its lines, each passing fixture none.
#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <filesystem>
#include <map>
#include <regex>
#include <set>

#include <gtest/gtest.h>

#include "mlarch/analyzer/conform.hpp"
#include "mlarch/analyzer/lint.hpp"
#include "mlarch/analyzer/render.hpp"
#include "mlarch/analyzer/rules.hpp"
#include "slo_findings.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;

namespace mlarch {
namespace {

std::vector<fs::path> rule_folders() {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(test::source_dir() / "rules"))
    if (e.is_directory()) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

// Expectations written in fixtures: `# expect: ID[, ID...]` on the offending line, or
// `# expect@-1: ID` / `# expect@+2: ID` relative to the comment's own line; `// expect: ID` in C++.
std::multiset<std::pair<std::string, int>> expectations(const fs::path& file) {
  static const std::regex pattern(R"((#|//)\s*expect(@([+-][0-9]+))?:\s*([A-Z0-9, ]+))");
  std::multiset<std::pair<std::string, int>> out;
  std::string text = test::read_file(file);
  std::istringstream in(text);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    for (std::sregex_iterator it(line.begin(), line.end(), pattern), end; it != end; ++it) {
      int target = n + ((*it)[3].matched ? std::stoi((*it)[3].str()) : 0);
      std::string ids = (*it)[4].str();
      std::regex id_pattern("[A-Z]+[0-9]{3}");
      for (std::sregex_iterator id(ids.begin(), ids.end(), id_pattern); id != std::sregex_iterator(); ++id)
        out.emplace(id->str(), target);
    }
  }
  return out;
}

// A fixture is `fail.yaml` / `pass.yaml`, or a folder `fail/` / `pass/` (spec plus .mlarch.yaml;
// for a code rule, spec.yaml plus the C++ sources it names).
fs::path fixture(const fs::path& folder, const std::string& name) {
  if (fs::is_directory(folder / name)) return folder / name;
  return folder / (name + ".yaml");
}

std::vector<fs::path> fixture_files(const fs::path& fixture_path) {
  std::vector<fs::path> out;
  if (fs::is_directory(fixture_path)) {
    for (const auto& e : fs::recursive_directory_iterator(fixture_path))
      if (e.is_regular_file()) out.push_back(e.path());
  } else {
    out.push_back(fixture_path);
  }
  return out;
}

// A code rule's fixture is checked by conform, over a compilation database written for it: every
// .cpp file in the folder, compiled with the folder on the include path.
LintReport conform_fixture(const fs::path& folder) {
  test::TempDir build;
  Json commands = Json::array();
  fs::path root = fs::absolute(folder);
  for (const auto& file : fixture_files(root))
    if (file.extension() == ".cpp")
      commands.push_back({{"directory", root.string()},
                          {"file", file.string()},
                          {"arguments", {"c++", "-std=c++20", "-I" + root.string(), "-c", file.string()}}});
  build.write("compile_commands.json", commands.dump(2));
  ConformOptions options;
  options.lint.today = "2026-06-01";
  options.build_path = build.path().string();
  options.jobs = 2;
  return conform((folder / "spec.yaml").string(), options);
}

// The fixtures of a simulation rule are linted as `mlarch lint --simulate` would (a short run:
// their objectives are far from the simulated values); the others without simulating.
LintReport lint_fixture(const std::string& id, const fs::path& path) {
  const Rule* rule = Catalog::builtin().find(id);
  if (rule && rule->engine == RuleEngine::code) return conform_fixture(path);
  LintOptions options;
  options.today = "2026-06-01";
  if (!rule || rule->engine != RuleEngine::simulation) return lint({path.string()}, options);
  sim::SimulateOptions run;
  run.duration_s = 600;
  run.replications = 3;
  run.threads = 1;
  options.simulation = sim::missed_slo_check(run);
  return lint({path.string()}, options);
}

TEST(Catalog, FoldersMatchTheBuiltInCatalog) {
  const Catalog& catalog = Catalog::builtin();
  std::set<std::string> folder_ids, catalog_ids, names;
  for (const auto& folder : rule_folders()) folder_ids.insert(folder.filename().string());
  for (const auto& r : catalog.rules()) {
    EXPECT_TRUE(catalog_ids.insert(r.id).second) << "duplicate id " << r.id;
    EXPECT_TRUE(names.insert(r.name).second) << "duplicate name " << r.name;
    EXPECT_EQ(r.folder, "rules/" + r.id) << "rule.yaml's id must match its folder";
  }
  EXPECT_EQ(folder_ids, catalog_ids);
  EXPECT_GE(catalog.rules().size(), 12u);
}

TEST(Catalog, MetadataInTheSourceTreeIsValid) {
  std::vector<std::pair<std::string, std::string>> files;
  for (const auto& folder : rule_folders()) {
    ASSERT_TRUE(fs::exists(folder / "rule.yaml")) << folder;
    files.emplace_back("rules/" + folder.filename().string() + "/rule.yaml", test::read_file(folder / "rule.yaml"));
  }
  std::vector<Finding> errors;
  Catalog catalog = Catalog::parse(files, errors);
  for (const auto& e : errors) ADD_FAILURE() << e.file << ":" << e.position.line << ": " << e.message;
  EXPECT_EQ(catalog.rules().size(), files.size());
}

TEST(Catalog, NativeRegistryMatchesTheCatalogOneToOne) {
  const Catalog& catalog = Catalog::builtin();
  std::set<std::string> native_in_catalog, registered;
  for (const auto& r : catalog.rules())
    if (r.engine == RuleEngine::native) native_in_catalog.insert(r.id);
  for (const auto& n : native_rules()) {
    EXPECT_TRUE(registered.insert(std::string(n.id)).second) << "registered twice: " << n.id;
    EXPECT_NE(n.check, nullptr);
  }
  EXPECT_EQ(native_in_catalog, registered);
}

TEST(Catalog, CodeRegistryMatchesTheCatalogOneToOne) {
  std::set<std::string> code_in_catalog, registered;
  for (const auto& r : Catalog::builtin().rules())
    if (r.engine == RuleEngine::code) code_in_catalog.insert(r.id);
  for (auto id : code_rule_ids()) EXPECT_TRUE(registered.insert(std::string(id)).second) << "registered twice: " << id;
  EXPECT_EQ(code_in_catalog, registered);
}

TEST(Catalog, EveryCategoryIsCovered) {
  std::map<Category, int> per_category;
  for (const auto& r : Catalog::builtin().rules()) ++per_category[r.category];
  for (auto c : {Category::best_practice, Category::reliability, Category::security, Category::ethics, Category::cost})
    EXPECT_GE(per_category[c], 2) << to_string(c);
}

TEST(Catalog, SecurityRulesCarryAReference) {
  for (const auto& r : Catalog::builtin().rules()) {
    EXPECT_FALSE(r.references.empty()) << r.id;
    EXPECT_FALSE(r.frameworks.empty() && r.engine != RuleEngine::meta) << r.id;
  }
}

class RuleFixtures : public ::testing::TestWithParam<std::string> {};

TEST_P(RuleFixtures, FailingFixtureYieldsExactlyItsExpectedFindings) {
  const std::string id = GetParam();
  fs::path folder = test::source_dir() / "rules" / id;
  fs::path fail = fixture(folder, "fail");
  ASSERT_TRUE(fs::exists(fail)) << "missing failing fixture for " << id;
  std::multiset<std::pair<std::string, int>> expected, actual;
  std::map<std::string, fs::path> file_of;
  for (const auto& f : fixture_files(fail))
    for (const auto& [rule, line] : expectations(f))
      if (rule == id) expected.emplace(fs::relative(f, test::source_dir()).string() + ":" + rule, line);
  ASSERT_FALSE(expected.empty()) << id << ": the failing fixture states no `# expect: " << id << "`";
  fs::path cwd = fs::current_path();
  fs::current_path(test::source_dir());
  LintReport report = lint_fixture(id, fs::relative(fail, test::source_dir()));
  fs::current_path(cwd);
  for (const auto& f : report.findings) {
    EXPECT_FALSE(f.is_input_error()) << f.file << ":" << f.position.line << ": " << f.message;
    if (f.rule == id && !f.suppressed()) actual.emplace(fs::path(f.file).lexically_normal().string() + ":" + f.rule, f.position.line);
  }
  EXPECT_EQ(actual, expected) << "findings of " << id << " (file:rule, line) differ from the fixture's expectations";
  for (const auto& f : report.findings)
    if (f.rule == id) {
      EXPECT_FALSE(f.message.empty());
      EXPECT_TRUE(std::islower(static_cast<unsigned char>(f.message[0]))) << f.message;
      EXPECT_NE(f.message.back(), '.') << f.message;
      EXPECT_FALSE(f.help.empty()) << id;
    }
}

TEST_P(RuleFixtures, PassingFixtureYieldsNoFindingOfTheRule) {
  const std::string id = GetParam();
  fs::path pass = fixture(test::source_dir() / "rules" / id, "pass");
  ASSERT_TRUE(fs::exists(pass)) << "missing passing fixture for " << id;
  LintReport report = lint_fixture(id, pass);
  for (const auto& f : report.findings) {
    EXPECT_FALSE(f.is_input_error()) << f.file << ":" << f.position.line << ": " << f.message;
    EXPECT_FALSE(f.rule == id && !f.suppressed()) << f.file << ":" << f.position.line << ": " << f.message;
  }
}

std::vector<std::string> all_rule_ids() {
  std::vector<std::string> ids;
  for (const auto& folder : rule_folders()) ids.push_back(folder.filename().string());
  return ids;
}

INSTANTIATE_TEST_SUITE_P(AllRules, RuleFixtures, ::testing::ValuesIn(all_rule_ids()),
                         [](const auto& param_info) { return param_info.param; });

}  // namespace
}  // namespace mlarch

namespace mlarch {
namespace {

// docs/rules.md is generated from the catalog; regenerate with
// `build/cli/mlarch rules --format markdown > docs/rules.md` (or MLARCH_UPDATE_GOLDEN=1).
TEST(Catalog, RulesDocumentIsUpToDate) {
  std::string expected = render_catalog_markdown(Catalog::builtin());
  auto path = test::source_dir() / "docs" / "rules.md";
  if (const char* update = std::getenv("MLARCH_UPDATE_GOLDEN"); update && std::string(update) == "1")
    std::ofstream(path, std::ios::binary) << expected;
  EXPECT_EQ(test::read_file(path), expected) << "docs/rules.md is stale: run `mlarch rules --format markdown > docs/rules.md`";
}

TEST(Catalog, FrameworksSelectTheirRules) {
  const Catalog& catalog = Catalog::builtin();
  auto eu = catalog.framework_rules("eu-ai-act");
  EXPECT_GE(eu.size(), 5u);
  for (const auto& id : eu) {
    const Rule* r = catalog.find(id);
    EXPECT_NE(std::find(r->frameworks.begin(), r->frameworks.end(), "eu-ai-act"), r->frameworks.end());
  }
  EXPECT_EQ(catalog.framework_rules("owasp-ml"), catalog.framework_rules("owasp-ml-top-10"));
  EXPECT_TRUE(catalog.framework_rules("no-such-framework").empty());
}

}  // namespace
}  // namespace mlarch
