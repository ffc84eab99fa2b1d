// `mlarch diff BASE HEAD` as a pull request uses it: the card-fraud example against a changed copy
// written at test time (TLS off on the public gateway: a finding added; the rules engine cut from
// 4 replicas to 1: its utilization crosses 0.8 and the cost falls by 3 c6i.xlarge). Findings are
// matched by rule, element and pointer, not by line; the JSON is valid against its schema and the
// same whatever the threads; the Markdown has a golden; bad input exits 2.
#include <algorithm>

#include <gtest/gtest.h>

#include "mlarch/analyzer/document.hpp"
#include "test_support.hpp"

namespace mlarch {
namespace {

namespace fs = std::filesystem;

// Short, fixed simulations: the outputs are the same on every run.
const std::string kFlags = " --duration 30 --replications 2 --seed 3";

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << "the example no longer contains: " << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

std::string example() { return test::read_file(test::source_dir() / "examples" / "card-fraud.yaml"); }

std::string without_tls(const std::string& spec) {
  return replaced(spec, "security: {public: true, tls: true,", "security: {public: true, tls: false,");
}
std::string one_rules_replica(const std::string& spec) {
  return replaced(spec, "    replicas: 4\n    concurrency: 4 ", "    replicas: 1\n    concurrency: 4 ");
}

// base.yaml: the example; head.yaml: TLS off and one replica of the rules engine.
class Diff : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.write("base.yaml", example());
    dir_.write("head.yaml", one_rules_replica(without_tls(example())));
  }
  test::RunResult diff(const std::string& args) { return test::run_mlarch("diff " + args + kFlags, dir_.path()); }
  test::TempDir dir_;
};

const Json* find_by(const Json& list, const std::string& key, const std::string& value) {
  for (const auto& item : list)
    if (item[key] == value) return &item;
  return nullptr;
}

TEST_F(Diff, JsonSaysWhatTheChangeDoesAndIsValidAgainstItsSchema) {
  auto r = diff("base.yaml head.yaml --format json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json out = Json::parse(r.out);
  Json schema = Json::parse(test::read_file(test::source_dir() / "schemas" / "diff-output-v1.schema.json"));
  EXPECT_EQ(test::schema_violations(schema, out, test::Draft::v7), std::vector<std::string>{});

  // The finding TLS off adds, at its place in the head, and the two one replica adds (REL001 one
  // replica, REL003 saturated at peak); nothing fixed, and the example had no findings.
  const Json* sec001 = find_by(out["findings"]["added"], "rule", "SEC001");
  ASSERT_NE(sec001, nullptr) << out["findings"].dump(2);
  EXPECT_EQ((*sec001)["element"], "gateway");
  EXPECT_EQ((*sec001)["file"], "head.yaml");
  EXPECT_EQ((*sec001)["pointer"], "/components/gateway/security/tls");
  EXPECT_TRUE(out["findings"]["fixed"].empty()) << out["findings"]["fixed"].dump(2);
  EXPECT_EQ(out["findings"]["added"].size(), 3u) << out["findings"]["added"].dump(2);
  EXPECT_NE(find_by(out["findings"]["added"], "rule", "REL003"), nullptr);
  EXPECT_EQ(out["findings"]["unchanged"], 0);

  // The rules engine: 4 × 4 servers at 1.2 ms for 3,000 requests/s on average (0.225; measured
  // a little above, as the warm-up takes the daily low) -> 1 × 4 (saturated at the diurnal peak).
  const Json* rules = find_by(out["utilization_crossings"]["components"], "component", "rules");
  ASSERT_NE(rules, nullptr) << out["utilization_crossings"].dump(2);
  EXPECT_NEAR((*rules)["base"].get<double>(), 3000 * 0.0012 / 16, 0.03);
  EXPECT_GE((*rules)["head"].get<double>(), 0.8);
  EXPECT_EQ((*rules)["direction"], "up");
  EXPECT_EQ(out["utilization_crossings"]["components"].size(), 1u);

  // Cost: three c6i.xlarge ($0.17 an hour) fewer, all month (730 h).
  const Json* rules_cost = find_by(out["cost"]["components"], "component", "rules");
  ASSERT_NE(rules_cost, nullptr);
  EXPECT_NEAR((*rules_cost)["base_usd_per_month"].get<double>(), 4 * 0.17 * 730, 0.01);
  EXPECT_NEAR((*rules_cost)["head_usd_per_month"].get<double>(), 1 * 0.17 * 730, 0.01);
  EXPECT_NEAR((*rules_cost)["diff_usd_per_month"].get<double>(), -3 * 0.17 * 730, 0.01);
  double sum = 0;
  for (const auto& c : out["cost"]["components"]) sum += c["diff_usd_per_month"].get<double>();
  EXPECT_NEAR(out["cost"]["diff_usd_per_month"].get<double>(), sum, 0.05);
  EXPECT_NEAR(out["cost"]["diff_usd_per_month"].get<double>(),
              out["cost"]["head_usd_per_month"].get<double>() - out["cost"]["base_usd_per_month"].get<double>(), 0.02);

  // Latency: the saturated rules engine queues requests at the peak.
  ASSERT_EQ(out["workloads"].size(), 1u);
  const Json& w = out["workloads"][0];
  EXPECT_EQ(w["name"], "authorisations");
  EXPECT_GT(w["head"]["latency_ms"]["p99"]["value"].get<double>(), w["base"]["latency_ms"]["p99"]["value"].get<double>());
  EXPECT_EQ(out["simulation"]["seed"], 3);
  EXPECT_EQ(out["simulation"]["base"]["duration_s"], 30.0);
}

TEST_F(Diff, TheReverseChangeFixesTheFindingAndTheCrossingGoesDown) {
  auto r = diff("head.yaml base.yaml --format json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json out = Json::parse(r.out);
  EXPECT_TRUE(out["findings"]["added"].empty()) << out["findings"]["added"].dump(2);
  const Json* sec001 = find_by(out["findings"]["fixed"], "rule", "SEC001");
  ASSERT_NE(sec001, nullptr);
  EXPECT_EQ((*sec001)["file"], "head.yaml");  // where it was
  const Json* rules = find_by(out["utilization_crossings"]["components"], "component", "rules");
  ASSERT_NE(rules, nullptr);
  EXPECT_EQ((*rules)["direction"], "down");
}

TEST_F(Diff, FindingsAreMatchedByRuleElementAndPointerNotByLine) {
  // The same spec with lines added above everything and the components' order changed.
  std::string moved = without_tls(example());
  moved = "# a comment\n# another\n\n" + moved;
  moved = replaced(moved, "components:\n", "components:\n  extra_notes:\n    kind: monitoring\n");
  dir_.write("tls-off.yaml", without_tls(example()));
  dir_.write("moved.yaml", moved);
  auto r = diff("tls-off.yaml moved.yaml --format json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json out = Json::parse(r.out);
  // The new monitoring component may bring findings of its own; none of the old ones moves.
  for (const auto& f : out["findings"]["added"]) EXPECT_EQ(f["element"], "extra_notes") << f.dump();
  EXPECT_TRUE(out["findings"]["fixed"].empty()) << out["findings"]["fixed"].dump(2);
  EXPECT_GT(out["findings"]["unchanged"].get<int>(), 0);
  EXPECT_EQ(find_by(out["findings"]["added"], "rule", "SEC001"), nullptr);
}

TEST_F(Diff, ExitsOneOnANewFindingOnlyWhenAsked) {
  EXPECT_EQ(diff("base.yaml head.yaml -o out.txt").exit_code, 0);
  EXPECT_EQ(diff("base.yaml head.yaml -o out.txt --fail-on-new error").exit_code, 1);
  EXPECT_EQ(diff("base.yaml head.yaml -o out.txt --fail-on-new warning").exit_code, 1);
  EXPECT_EQ(diff("head.yaml base.yaml -o out.txt --fail-on-new warning").exit_code, 0);  // fixes only
  auto bad = diff("base.yaml head.yaml --fail-on-new info");
  EXPECT_EQ(bad.exit_code, 2);
}

TEST_F(Diff, MarkdownGolden) {
  auto r = diff("base.yaml head.yaml --format markdown");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  test::expect_golden("diff-card-fraud.md", r.out);
}

TEST_F(Diff, TextSaysTheSameThings) {
  auto r = diff("base.yaml head.yaml");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Findings: 3 added, 0 fixed, 0 unchanged"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("+ head.yaml:"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("error[SEC001]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("rules"), std::string::npos);
  EXPECT_NE(r.out.find("-$372"), std::string::npos) << r.out;
  // The head's rules engine is saturated at peak: said before the run, and in the output.
  EXPECT_NE(r.out.find("note: head.yaml:"), std::string::npos) << r.out;
}

TEST_F(Diff, JsonIsTheSameWhateverTheThreads) {
  auto one = diff("base.yaml head.yaml --format json --threads 1");
  auto two = diff("base.yaml head.yaml --format json --threads 2");
  ASSERT_EQ(one.exit_code, 0) << one.err;
  EXPECT_EQ(one.out, two.out);
}

TEST_F(Diff, ASpecThatDoesNotLoadIsAnInputErrorAtItsLine) {
  dir_.write("broken.yaml", replaced(example(), "    replicas: 3\n    concurrency: 64\n", "    replicas: three\n    concurrency: 64\n"));
  auto r = diff("base.yaml broken.yaml --format markdown");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_NE(r.err.find("broken.yaml:42:15: error[E004]"), std::string::npos) << r.err;

  auto missing = diff("missing.yaml base.yaml");
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("missing.yaml"), std::string::npos) << missing.err;
}

TEST_F(Diff, AnUnwritableOutputExitsTwoAndLeavesNothing) {
  auto r = diff("base.yaml head.yaml -o no-such-dir/diff.md --format markdown");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("cannot write 'no-such-dir/diff.md'"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir_.path() / "no-such-dir"));
  std::vector<std::string> left;
  for (const auto& e : fs::directory_iterator(dir_.path())) left.push_back(e.path().filename().string());
  std::sort(left.begin(), left.end());
  EXPECT_EQ(left, (std::vector<std::string>{"base.yaml", "head.yaml"}));
}

}  // namespace
}  // namespace mlarch
