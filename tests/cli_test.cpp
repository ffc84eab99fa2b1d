// The mlarch command as users run it: exit codes, formats, colour, outputs, configuration,
// suppressions and baselines, and bad input.
#include <set>

#include <gtest/gtest.h>

#include "mlarch/analyzer/document.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;

namespace mlarch {
namespace {

using test::run_mlarch;

const char* kClean = R"(mlarch: 1
system: {name: clean, owner: team}
components:
  api: {kind: gateway, replicas: 2, security: {public: true, tls: true, authn: oauth2, rate_limit_rps: 100}}
  backend: {kind: service, replicas: 2}
flows:
  - {from: api, to: backend}
budget: {usd_per_month: 100}
)";

const char* kInsecure = R"(mlarch: 1
system: {name: insecure, owner: team}
components:
  api:
    kind: gateway
    replicas: 2
    security: {public: true, tls: false, authn: oauth2, rate_limit_rps: 100}
  backend: {kind: service, replicas: 2}
flows:
  - {from: api, to: backend}
budget: {usd_per_month: 100}
)";

TEST(Cli, VersionAndHelp) {
  auto r = run_mlarch("--version");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out.rfind("mlarch ", 0), 0u);
  r = run_mlarch("lint --help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("--fail-on"), std::string::npos);
  r = run_mlarch("");
  EXPECT_EQ(r.exit_code, 2);
  r = run_mlarch("lint --format yaml x.yaml");
  EXPECT_EQ(r.exit_code, 2);
}

TEST(Cli, CleanSpecExitsZero) {
  test::TempDir dir;
  auto spec = dir.write("clean.yaml", kClean);
  auto r = run_mlarch("lint " + spec.string());
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("0 errors, 0 warnings, 0 infos in 1 file"), std::string::npos) << r.out;
}

TEST(Cli, FindingsExitOneWithTheDiagnosticAtItsLine) {
  test::TempDir dir;
  dir.write("insecure.yaml", kInsecure);
  auto r = run_mlarch("lint insecure.yaml", dir.path());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("insecure.yaml:7:35: error[SEC001]: component 'api' is reachable from the internet but does "
                       "not use TLS"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("= help:"), std::string::npos);
  EXPECT_NE(r.out.find("= note:"), std::string::npos);
  EXPECT_EQ(r.out.find("\x1b["), std::string::npos) << "no colour when not a terminal";
}

TEST(Cli, ColourIsOnDemandAndNoColorWins) {
  test::TempDir dir;
  dir.write("insecure.yaml", kInsecure);
  auto r = run_mlarch("lint --color always insecure.yaml", dir.path());
  EXPECT_NE(r.out.find("\x1b["), std::string::npos);
  r = run_mlarch("lint --color never insecure.yaml", dir.path());
  EXPECT_EQ(r.out.find("\x1b["), std::string::npos);
}

TEST(Cli, FailOnThreshold) {
  test::TempDir dir;
  dir.write("insecure.yaml", kInsecure);
  EXPECT_EQ(run_mlarch("lint --fail-on never insecure.yaml", dir.path()).exit_code, 0);
  EXPECT_EQ(run_mlarch("lint --fail-on error insecure.yaml", dir.path()).exit_code, 1);
  EXPECT_EQ(run_mlarch("lint --skip-rule SEC001 insecure.yaml", dir.path()).exit_code, 0);
  EXPECT_EQ(run_mlarch("lint --rule SEC001 insecure.yaml", dir.path()).exit_code, 1);
  auto r = run_mlarch("lint --rule SEC01 insecure.yaml", dir.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("did you mean 'SEC001'?"), std::string::npos) << r.err;
}

TEST(Cli, InputErrorsExitTwoWithFileLineColumn) {
  test::TempDir dir;
  dir.write("typo.yaml", std::string(kClean).replace(std::string(kClean).find("kind: service"), 13, "kind: servce"));
  auto r = run_mlarch("lint typo.yaml", dir.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("typo.yaml:5:19: error[E004]: 'servce' is not a valid value for 'kind' in component 'backend' "
                       "(did you mean 'service'?)"),
            std::string::npos)
      << r.out;
  r = run_mlarch("lint missing.yaml", dir.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("missing.yaml: error[E001]"), std::string::npos) << r.out;
}

TEST(Cli, HostileInputsExitTwo) {
  test::TempDir dir;
  std::string deep(10000, '[');
  dir.write("deep.yaml", deep);
  std::string binary = "mlarch: 1\n";
  binary += std::string("\x7f" "ELF\x02\x01\x01\0\0\0", 10);
  dir.write("binary.yaml", binary);
  dir.write("latin1.yaml", "mlarch: 1\nsystem: {name: caf\xe9}\n");
  dir.write("empty.yaml", "");
  // 100 MB: refused from its size, before it is read.
  fs::resize_file(dir.write("huge.yaml", "mlarch: 1\n"), 100u << 20);
  std::string bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  for (char c = 'b'; c <= 'k'; ++c)
    bomb += std::string(1, c) + ": &" + c + " [*" + char(c - 1) + ", *" + char(c - 1) + ", *" + char(c - 1) + ", *" +
            char(c - 1) + ", *" + char(c - 1) + ", *" + char(c - 1) + ", *" + char(c - 1) + ", *" + char(c - 1) + "]\n";
  dir.write("bomb.yaml", bomb);
  dir.write("bad.json", "{\"mlarch\": 1,, }");
  for (const char* name : {"deep.yaml", "binary.yaml", "latin1.yaml", "empty.yaml", "huge.yaml", "bomb.yaml", "bad.json"}) {
    auto r = run_mlarch(std::string("lint ") + name, dir.path());
    EXPECT_EQ(r.exit_code, 2) << name << r.out << r.err;
    EXPECT_NE(r.out.find(std::string(name) + ":"), std::string::npos) << r.out;
  }
  // Nothing is lost: with one bad file among good ones, the good ones are still linted.
  dir.write("insecure.yaml", kInsecure);
  auto r = run_mlarch("lint empty.yaml insecure.yaml", dir.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("error[SEC001]"), std::string::npos);
}

TEST(Cli, OutputIsWrittenAtomically) {
  test::TempDir dir;
  dir.write("insecure.yaml", kInsecure);
  auto r = run_mlarch("lint --format json --output report.json insecure.yaml", dir.path());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(r.out.empty());
  Json report = Json::parse(test::read_file(dir.path() / "report.json"));
  EXPECT_EQ(report["version"], 1);
  EXPECT_EQ(report["findings"][0]["pointer"], "/components/api/security/tls");
  EXPECT_EQ(report["findings"][0]["element"], "api");
  r = run_mlarch("lint --format json --output no/such/dir/report.json insecure.yaml", dir.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_FALSE(fs::exists(dir.path() / "no"));
}

TEST(Cli, EveryFormatRenders) {
  test::TempDir dir;
  dir.write("insecure.yaml", kInsecure);
  for (const char* format : {"text", "json", "sarif", "junit", "github", "markdown"}) {
    auto r = run_mlarch(std::string("lint --format ") + format + " insecure.yaml", dir.path());
    EXPECT_EQ(r.exit_code, 1) << format;
    EXPECT_NE(r.out.find("SEC001"), std::string::npos) << format;
  }
  auto r = run_mlarch("lint --format github insecure.yaml", dir.path());
  EXPECT_EQ(r.out.rfind("::error file=insecure.yaml,line=7,col=35,title=mlarch SEC001::", 0), 0u) << r.out;
}

TEST(Cli, DirectoriesAreSearchedForSpecs) {
  test::TempDir dir;
  dir.write("specs/a.yaml", kClean);
  dir.write("specs/nested/b.json", R"({"mlarch": 1, "system": {"name": "b", "owner": "t"}, "components": {"x": {"kind": "service"}}})");
  dir.write("specs/other.yaml", "not: a spec\n");
  dir.write("specs/.hidden/c.yaml", kInsecure);
  auto r = run_mlarch("lint --format json specs", dir.path());
  Json report = Json::parse(r.out);
  EXPECT_EQ(report["summary"]["files"], 2);
}

TEST(Cli, InlineSuppressionNeedsAReasonAndMustMatch) {
  test::TempDir dir;
  std::string spec = kInsecure;
  spec.replace(spec.find("rate_limit_rps: 100}\n  backend"), 20,
               "rate_limit_rps: 100}  # mlarch: ignore[SEC001] TLS ends at the load balancer");
  dir.write("s.yaml", spec);
  auto r = run_mlarch("lint --format json s.yaml", dir.path());
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(Json::parse(r.out)["summary"]["suppressed"], 1);
  // Without a reason it does not apply, and says so.
  std::string no_reason = kInsecure;
  no_reason.replace(no_reason.find("rate_limit_rps: 100}\n  backend"), 20, "rate_limit_rps: 100}  # mlarch: ignore[SEC001]");
  dir.write("n.yaml", no_reason);
  r = run_mlarch("lint n.yaml", dir.path());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("error[SUP001]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("error[SEC001]"), std::string::npos) << r.out;
  // A suppression of a rule that does not fire there is reported.
  std::string unused = kClean;
  unused.replace(unused.find("backend: {kind: service, replicas: 2}"), 37,
                 "backend: {kind: service, replicas: 2}  # mlarch: ignore[SEC001] not needed");
  dir.write("u.yaml", unused);
  r = run_mlarch("lint --fail-on warning u.yaml", dir.path());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("warning[SUP002]"), std::string::npos) << r.out;
  r = run_mlarch("lint --no-inline-suppressions s.yaml", dir.path());
  EXPECT_EQ(r.exit_code, 1);
}

TEST(Cli, ConfigIsFoundUpwardAndApplied) {
  test::TempDir dir;
  dir.write("project/specs/insecure.yaml", kInsecure);
  dir.write("project/.mlarch.yaml",
            "rules:\n  SEC001: warning\nignore:\n  - {rule: SEC003, element: api, reason: internal only, expires: "
            "2027-01-01}\n");
  auto r = run_mlarch("lint --format json project/specs/insecure.yaml", dir.path());
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;  // SEC001 is now a warning
  Json report = Json::parse(r.out);
  EXPECT_EQ(report["findings"][0]["severity"], "warning");
  // The ignore matched nothing: reported in the config file itself.
  bool unused = false;
  for (const auto& f : report["findings"]) unused |= f["rule"] == "SUP002" && f["file"] == "project/.mlarch.yaml";
  EXPECT_TRUE(unused) << r.out;
  // A broken config is an input error with a position.
  dir.write("project/.mlarch.yaml", "rules:\n  SEC001: of\n");
  r = run_mlarch("lint project/specs/insecure.yaml", dir.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("project/.mlarch.yaml:2:11"), std::string::npos) << r.out;
}

TEST(Cli, ExpiredConfigIgnoreNoLongerApplies) {
  test::TempDir dir;
  dir.write("insecure.yaml", kInsecure);
  dir.write(".mlarch.yaml", "ignore:\n  - {rule: SEC001, element: api, reason: migrating, expires: 2026-01-31}\n");
  auto r = run_mlarch("lint insecure.yaml", dir.path());  // MLARCH_TODAY=2026-06-01 in ctest
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("warning[SUP003]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("error[SEC001]"), std::string::npos) << r.out;
}

TEST(Cli, BaselineHidesOldFindingsEvenWhenTextMoves) {
  test::TempDir dir;
  dir.write("insecure.yaml", kInsecure);
  auto r = run_mlarch("lint --write-baseline baseline.json insecure.yaml", dir.path());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  // Move text around: the finding's line changes, its pointer does not.
  dir.write("insecure.yaml", std::string("# a new comment\n# and another\n") + kInsecure);
  r = run_mlarch("lint --baseline baseline.json insecure.yaml", dir.path());
  EXPECT_EQ(r.exit_code, 0) << r.out;
  // A new finding still fails.
  std::string worse = kInsecure;
  worse.replace(worse.find("authn: oauth2"), 13, "authn: none");
  dir.write("insecure.yaml", worse);
  r = run_mlarch("lint --baseline baseline.json insecure.yaml", dir.path());
  EXPECT_EQ(r.exit_code, 1);
}

TEST(Cli, RulesAndExplain) {
  auto r = run_mlarch("rules --format json");
  EXPECT_EQ(r.exit_code, 0);
  Json rules = Json::parse(r.out);
  EXPECT_GE(rules["rules"].size(), 12u);
  r = run_mlarch("rules");
  EXPECT_NE(r.out.find("SEC001"), std::string::npos);
  r = run_mlarch("explain SEC001");
  EXPECT_EQ(r.exit_code, 0);
  for (const char* section : {"## What it checks", "## Why it matters", "## Example", "## Fix", "## References"})
    EXPECT_NE(r.out.find(section), std::string::npos) << section;
  r = run_mlarch("explain SEC999");
  EXPECT_EQ(r.exit_code, 2);
}

}  // namespace
}  // namespace mlarch

namespace mlarch {
namespace {

TEST(Cli, FrameworkFiltersRules) {
  test::TempDir dir;
  dir.write("insecure.yaml", kInsecure);
  std::set<std::string> owasp_ml;
  Json listed = Json::parse(test::run_mlarch("rules --framework owasp-ml --format json").out);
  for (const auto& rule : listed["rules"]) owasp_ml.insert(rule["id"].get<std::string>());
  ASSERT_TRUE(owasp_ml.count("SEC001"));
  auto r = test::run_mlarch("lint --framework owasp-ml --format json insecure.yaml", dir.path());
  EXPECT_EQ(r.exit_code, 1) << r.err;
  Json findings = Json::parse(r.out)["findings"];
  ASSERT_FALSE(findings.empty());
  for (const auto& f : findings) EXPECT_TRUE(owasp_ml.count(f["rule"].get<std::string>())) << f["rule"];
  r = test::run_mlarch("lint --framework gdpr --rule SEC001 insecure.yaml", dir.path());
  EXPECT_EQ(r.exit_code, 2);  // SEC001 is not a GDPR rule: nothing would run
  r = test::run_mlarch("lint --framework iso-42001 insecure.yaml", dir.path());
  EXPECT_EQ(r.exit_code, 2);
  r = test::run_mlarch("rules --framework eu-ai-act --format json");
  EXPECT_EQ(r.exit_code, 0);
  Json eu = Json::parse(r.out);
  for (const auto& rule : eu["rules"]) {
    auto fw = rule["frameworks"].get<std::vector<std::string>>();
    EXPECT_NE(std::find(fw.begin(), fw.end(), "eu-ai-act"), fw.end()) << rule["id"];
  }
}

}  // namespace
}  // namespace mlarch
