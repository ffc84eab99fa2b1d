// `mlarch conform` on the example C++ service (examples/scoring-service): the clean code conforms;
// violations added one at a time are each found at their line, and nothing else is. The example
// is copied and configured with CMake (which writes compile_commands.json) at test time.
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <tuple>

#include <gtest/gtest.h>

#include "mlarch/analyzer/conform.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;

namespace mlarch {
namespace {

class ScoringService : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::TempDir();
    fs::copy(test::source_dir() / "examples" / "scoring-service", root(), fs::copy_options::recursive);
    fs::remove_all(root() / "build");
    std::string configure = "cmake -S '" + root().string() + "' -B '" + (root() / "build").string() + "' >/dev/null 2>&1";
    ASSERT_EQ(std::system(configure.c_str()), 0) << configure;
    ASSERT_TRUE(fs::exists(root() / "build" / "compile_commands.json"));
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static fs::path root() { return dir_->path() / "scoring-service"; }

  // Inserts `lines` after the first line containing `anchor` in `file`; the original comes back
  // when the test ends. Returns the line number of the first inserted line.
  int insert_after(const std::string& file, const std::string& anchor, const std::string& lines) {
    fs::path path = root() / file;
    std::string text = test::read_file(path);
    saved_.emplace(path, text);
    auto at = text.find(anchor);
    EXPECT_NE(at, std::string::npos) << anchor;
    auto end = text.find('\n', at) + 1;
    std::ofstream(path, std::ios::binary) << text.substr(0, end) + lines + text.substr(end);
    return static_cast<int>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(end), '\n')) + 1;
  }
  void TearDown() override {
    for (const auto& [path, text] : saved_) std::ofstream(path, std::ios::binary) << text;
  }

  struct Run {
    int exit_code;
    Json output;
    std::string err;
  };
  Run conform(const std::string& extra = {}) {
    test::RunResult r = test::run_mlarch("conform spec.yaml --format json -j 2 " + extra, root());
    Json output = r.out.empty() ? Json() : Json::parse(r.out);
    return {r.exit_code, output, r.err};
  }
  // (rule, file, line) of the active findings.
  static std::multiset<std::tuple<std::string, std::string, int>> found(const Run& run) {
    std::multiset<std::tuple<std::string, std::string, int>> out;
    for (const auto& f : run.output["findings"]) out.emplace(f["rule"], f["file"], f["line"]);
    return out;
  }

  static test::TempDir* dir_;
  std::map<fs::path, std::string> saved_;
};

test::TempDir* ScoringService::dir_ = nullptr;

using Found = std::multiset<std::tuple<std::string, std::string, int>>;

TEST_F(ScoringService, CleanCodeConforms) {
  Run run = conform();
  EXPECT_EQ(run.exit_code, 0) << run.err << run.output.dump(2);
  EXPECT_EQ(found(run), Found{});
  EXPECT_EQ(run.output["summary"]["translation_units"], (Json{{"read", 6}, {"skipped", 0}, {"failed", 0}}));
  EXPECT_NE(run.err.find("6 translation units read, 0 skipped"), std::string::npos) << run.err;
}

TEST_F(ScoringService, UndeclaredIncludeIsFound) {
  int line = insert_after("services/features/feature_client.cpp", "#include <curl/curl.h>", "#include \"gateway/handler.hpp\"\n");
  Run run = conform();
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(found(run), (Found{{"BP040", "services/features/feature_client.cpp", line}}));
  EXPECT_EQ(run.output["findings"][0]["element"], "features");
  EXPECT_EQ(run.output["findings"][0]["pointer"], "/components/features/code");
}

TEST_F(ScoringService, CallFromTheScorerIntoTheTrainerIsFound) {
  insert_after("services/scorer/scorer.cpp", "#include <fstream>", "#include \"trainer/trainer.hpp\"\n");
  int line = insert_after("services/scorer/scorer.cpp", "weights_.push_back(w);",
                          "  if (weights_.empty()) weights_ = trainer::fit({}, 10);\n");
  Run run = conform();
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(found(run), (Found{{"REL040", "services/scorer/scorer.cpp", line}}));
}

TEST_F(ScoringService, SystemCallInServingCodeIsFound) {
  insert_after("services/gateway/handler.cpp", "#include <cstdio>", "#include <cstdlib>\n");
  int line = insert_after("services/gateway/handler.cpp", "log_info(\"scored\"", "  std::system(\"logger scored\");\n");
  Run run = conform();
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(found(run), (Found{{"SEC040", "services/gateway/handler.cpp", line}}));
}

TEST_F(ScoringService, TlsVerificationOffIsFound) {
  int line = insert_after("services/features/feature_client.cpp", "CURLOPT_TIMEOUT_MS",
                          "  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);\n");
  Run run = conform();
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(found(run), (Found{{"SEC042", "services/features/feature_client.cpp", line}}));
}

TEST_F(ScoringService, SuppressionsAndBaselineWorkAsInLint) {
  insert_after("services/gateway/handler.cpp", "#include <cstdio>", "#include <cstdlib>\n");
  int line = insert_after("services/gateway/handler.cpp", "log_info(\"scored\"",
                          "  std::system(\"logger scored\");  // mlarch: ignore[SEC040] load test only\n");
  Run suppressed = conform();
  EXPECT_EQ(suppressed.exit_code, 0) << suppressed.output.dump(2);
  EXPECT_EQ(suppressed.output["summary"]["suppressed"], 1);

  // A suppression without a reason is not applied, and says so.
  insert_after("services/gateway/handler.cpp", "// mlarch: ignore[SEC040]", "  std::system(\"true\");  // mlarch: ignore[SEC040]\n");
  Run no_reason = conform();
  EXPECT_EQ(found(no_reason), (Found{{"SEC040", "services/gateway/handler.cpp", line + 1},
                                     {"SUP001", "services/gateway/handler.cpp", line + 1}}));

  // A baseline keeps the known finding quiet, but not a new one in the same file.
  EXPECT_EQ(test::run_mlarch("conform spec.yaml -q --write-baseline base.json", root()).exit_code, 0);
  EXPECT_EQ(conform("--baseline base.json").exit_code, 0);
  int new_line = insert_after("services/gateway/handler.cpp", "std::system(\"true\")", "  std::system(\"false\");\n");
  Run after = conform("--baseline base.json");
  EXPECT_EQ(found(after), (Found{{"SEC040", "services/gateway/handler.cpp", new_line}}));
}

TEST_F(ScoringService, AFileThatDoesNotParseIsReportedNotFatal) {
  int line = insert_after("services/scorer/scorer.cpp", "namespace scorer {", "int broken = ;\n");
  Run run = conform();
  EXPECT_EQ(run.exit_code, 2);
  ASSERT_EQ(run.output["errors"].size(), 1u) << run.output.dump(2);
  EXPECT_EQ(run.output["errors"][0]["code"], "E006");
  EXPECT_EQ(run.output["errors"][0]["file"], "services/scorer/scorer.cpp");
  EXPECT_EQ(run.output["errors"][0]["line"], line);
  EXPECT_EQ(run.output["summary"]["translation_units"]["failed"], 1);
  EXPECT_EQ(run.output["summary"]["translation_units"]["read"], 5);
}

TEST(Conform, WithoutACompilationDatabaseItSaysWhatToDo) {
  test::TempDir dir;
  dir.write("spec.yaml", "mlarch: 1\nsystem: {name: s, owner: t}\ncomponents:\n  a: {kind: service, code: {paths: [a/**]}}\n");
  test::RunResult r = test::run_mlarch("conform spec.yaml", dir.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("names no compilation database"), std::string::npos) << r.out << r.err;
  test::RunResult missing = test::run_mlarch("conform spec.yaml -p no-such-build", dir.path());
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.out.find("cannot load the compilation database"), std::string::npos) << missing.out;
}

TEST(Conform, GlobsMatchWithinAndAcrossFolders) {
  EXPECT_TRUE(glob_match("services/scorer/**", "services/scorer/scorer.cpp"));
  EXPECT_TRUE(glob_match("services/scorer/**", "services/scorer/io/load.cpp"));
  EXPECT_FALSE(glob_match("services/scorer/**", "services/scorer2/scorer.cpp"));
  EXPECT_TRUE(glob_match("services/*/main.cpp", "services/gateway/main.cpp"));
  EXPECT_FALSE(glob_match("services/*.cpp", "services/gateway/main.cpp"));
  EXPECT_TRUE(glob_match("**/test_*.cpp", "test_a.cpp"));
  EXPECT_TRUE(glob_match("**/test_*.cpp", "a/b/test_a.cpp"));
  EXPECT_TRUE(glob_match("src/?.cpp", "src/a.cpp"));
  EXPECT_FALSE(glob_match("src/?.cpp", "src/ab.cpp"));
}

}  // namespace
}  // namespace mlarch
