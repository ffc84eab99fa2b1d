// `mlarch plan`: the capacity plan against a case worked out by hand (an M/M/c station, where
// Erlang C gives the fewest servers that meet a p99 objective), the answer no dearer than any
// other option that meets the SLOs, the Pareto front, the JSON schema, determinism whatever the
// threads, bad input; and the HTML report: its structure, escaping, golden and headless Chromium.
#include <algorithm>
#include <cmath>
#include <regex>

#include <gtest/gtest.h>

#include "mlarch/analyzer/document.hpp"
#include "browser.hpp"
#include "test_support.hpp"

namespace mlarch {
namespace {

namespace fs = std::filesystem;

// One M/M/c station: exponential service of 10 ms (μ = 100/s per server), one server per replica,
// Poisson arrivals at 400/s on average with a daily peak of twice that: 800/s at peak, a = 8
// Erlangs. With c servers a request waits with probability C(c, a) (Erlang C), and then for an
// exponential time of rate cμ − λ; its sojourn is that wait plus its service, so
//   P(T > t) = (1 − C) e^(−μt) + C (θ e^(−μt) − μ e^(−θt)) ÷ (θ − μ),  θ = cμ − λ.
// Its 99th percentile, solved numerically: c = 9: 62.3 ms (C = 0.653); c = 10: 49.5 ms
// (C = 0.409); c = 11: 47.2 ms. At 400/s: c = 5: 60.8 ms; c = 6: 48.5 ms. An objective of
// p99 ≤ 55 ms is met from c = 10 at the peak, from c = 6 at 400/s, both about 12% from the
// neighbours (screening estimates a p99 within ~3%).
const char* kMMc = R"(mlarch: 1
system: {name: erlang}
hardware:
  box: {vcpus: 2, memory_gib: 4, usd_per_hour: 0.1}
components:
  api:
    kind: service
    instance: box
    replicas: 16
    concurrency: 1
    service_time: {dist: exponential, mean_ms: 10}
workloads:
  - name: requests
    arrival: {process: poisson, rate_rps: 400}
    profile: {shape: diurnal, peak_to_mean: 2.0}
    path: [api]
slos:
  - {workload: requests, latency_p99_ms: 55}
)";

Json schema() { return Json::parse(test::read_file(test::source_dir() / "schemas" / "plan-output-v1.schema.json")); }

// `mlarch plan` of a spec text with `flags` and --format json: its JSON, checked against the
// schema, after the exit code is checked.
Json plan_of(const std::string& text, const std::string& flags, int exit_code = 0) {
  test::TempDir dir;
  auto r = test::run_mlarch("plan " + dir.write("spec.yaml", text).string() + " --format json " + flags);
  EXPECT_EQ(r.exit_code, exit_code) << r.err;
  if (r.out.empty()) return Json::object();
  Json plan = Json::parse(r.out);
  EXPECT_EQ(test::schema_violations(schema(), plan, test::Draft::v7), std::vector<std::string>{});
  return plan;
}

// The plan's own claims about its options: the recommendation costs no more than any option that
// meets the SLOs, and the Pareto flags are exactly the options no other one dominates.
void expect_consistent(const Json& plan) {
  for (const auto& c : plan["components"]) {
    double recommended = c["recommended"]["usd_per_month"].get<double>();
    bool listed = false;
    for (const auto& o : c["options"]) {
      if (o["meets_slos"].get<bool>()) {
        EXPECT_LE(recommended, o["usd_per_month"].get<double>() + 1e-9) << o.dump();
      }
      listed = listed || (o["instance"] == c["recommended"]["instance"] && o["replicas"] == c["recommended"]["replicas"] &&
                          o["max_batch"] == c["recommended"]["max_batch"]);
      bool dominated = false;
      for (const auto& other : c["options"]) {
        double oc = other["usd_per_month"].get<double>(), cc = o["usd_per_month"].get<double>();
        double op = other["p99_ms"].get<double>(), cp = o["p99_ms"].get<double>();
        dominated = dominated || (oc <= cc && op <= cp && (oc < cc || op < cp));
      }
      EXPECT_EQ(o["pareto"].get<bool>(), !dominated) << o.dump();
    }
    EXPECT_TRUE(listed || plan["confirmation"]["replicas_added"].get<int>() > 0) << c.dump(2);
  }
}

TEST(Plan, FindsTheFewestServersErlangCAllowsAtThePeak) {
  Json plan = plan_of(kMMc, "--seed 5");
  EXPECT_TRUE(plan["feasible"].get<bool>());
  EXPECT_EQ(plan["workloads"][0]["peak_rps"], 800.0);
  ASSERT_EQ(plan["components"].size(), 1u);
  const Json& api = plan["components"][0];
  EXPECT_EQ(api["recommended"]["instance"], "box");
  EXPECT_EQ(api["recommended"]["replicas"], 10) << api["options"].dump(2);
  EXPECT_NEAR(api["recommended"]["usd_per_month"].get<double>(), 10 * 0.1 * 730, 1e-6);
  EXPECT_NEAR(api["declared"]["usd_per_month"].get<double>(), 16 * 0.1 * 730, 1e-6);
  // The utilization law's bound (9 servers keep 8 Erlangs below 1) was simulated and missed.
  bool nine_missed = false;
  for (const auto& o : api["options"]) nine_missed = nine_missed || (o["replicas"] == 9 && !o["meets_slos"].get<bool>());
  EXPECT_TRUE(nine_missed) << api["options"].dump(2);
  // The confirming run's p99 is the closed form's at c = 10, 49.5 ms, within its 3%.
  EXPECT_NEAR(plan["confirmation"]["workloads"]["requests"]["latency_ms"]["p99"]["value"].get<double>(), 49.46, 49.46 * 0.03);
  EXPECT_NEAR(api["utilization"]["value"].get<double>(), 0.8, 0.02);
  // Headroom: 10 servers at p99 ≤ 55 ms carry between 800/s and 1,000/s (their saturation).
  double headroom = plan["workloads"][0]["headroom_rps"].get<double>();
  EXPECT_GT(headroom, 800);
  EXPECT_LT(headroom, 1000);
  expect_consistent(plan);
}

TEST(Plan, IsTheSameWhateverTheThreads) {
  test::TempDir dir;
  auto spec = dir.write("mmc.yaml", kMMc).string();
  auto one = test::run_mlarch("plan " + spec + " --format json --threads 1 --seed 9");
  auto two = test::run_mlarch("plan " + spec + " --format json --threads 2 --seed 9");
  ASSERT_EQ(one.exit_code, 0) << one.err;
  EXPECT_EQ(one.out, two.out);
  auto other = test::run_mlarch("plan " + spec + " --format json --threads 2 --seed 10");
  EXPECT_NE(one.out, other.out);  // the seed reaches the runs
}

TEST(Plan, RateReplacesThePeak) {
  Json plan = plan_of(kMMc, "--rate 400");
  EXPECT_EQ(plan["workloads"][0]["peak_rps"], 400.0);
  EXPECT_EQ(plan["components"][0]["recommended"]["replicas"], 6) << plan["components"][0]["options"].dump(2);
}

TEST(Plan, AnObjectiveBelowTheServiceTimeHasNoPlan) {
  // A constant 10 ms service cannot answer 99% of requests within 8 ms: the bound says so before
  // any simulation.
  std::string text = kMMc;
  text.replace(text.find("dist: exponential"), 17, "dist: constant");
  text.replace(text.find("latency_p99_ms: 55"), 18, "latency_p99_ms: 8");
  Json plan = plan_of(text, "", 1);
  EXPECT_FALSE(plan["feasible"].get<bool>());
  EXPECT_EQ(plan["reason"], "component 'api' takes 10 ms per request, above its latency objective of 8 ms: no replica "
                            "count meets it");
  EXPECT_EQ(plan["screening"]["simulations"], 0);

  // An exponential one has p99 ln(100) × 10 = 46 ms with no queueing at all: 40 ms is out of reach,
  // which the simulations find.
  text = kMMc;
  text.replace(text.find("latency_p99_ms: 55"), 18, "latency_p99_ms: 40");
  plan = plan_of(text, "", 1);
  EXPECT_FALSE(plan["feasible"].get<bool>());
  EXPECT_NE(plan["reason"].get<std::string>().find("SLOs are missed"), std::string::npos) << plan["reason"];
}

// The card-fraud example: the model server's instance type is searched across the catalog's AWS
// types (the model's service time derived on each by the cost model), its batch size too.
TEST(Plan, SearchesInstanceTypesForAModelServerAndIsTheSameWhateverTheThreads) {
  std::string spec = (test::source_dir() / "examples" / "card-fraud.yaml").string();
  auto one = test::run_mlarch("plan " + spec + " --format json --threads 1");
  ASSERT_EQ(one.exit_code, 0) << one.err;
  if (!test::kSlowBuild) {  // some 2 minutes a run there; the M/M/c test checks the threads too
    auto two = test::run_mlarch("plan " + spec + " --format json --threads 2");
    EXPECT_EQ(one.out, two.out);
  }
  Json plan = Json::parse(one.out);
  EXPECT_EQ(test::schema_violations(schema(), plan, test::Draft::v7), std::vector<std::string>{});
  EXPECT_TRUE(plan["feasible"].get<bool>());
  EXPECT_EQ(plan["workloads"][0]["peak_rps"], 7500.0);
  const Json* scorer = nullptr;
  for (const auto& c : plan["components"])
    if (c["id"] == "scorer") scorer = &c;
  ASSERT_NE(scorer, nullptr);
  EXPECT_TRUE((*scorer)["search"]["instance_searched"].get<bool>());
  EXPECT_GT((*scorer)["search"]["instance_types"].get<int>(), 10);
  EXPECT_GT((*scorer)["search"]["batch_sizes"].size(), 1u);
  EXPECT_NE((*scorer)["service_time"].get<std::string>().find("derived"), std::string::npos);
  // The declared redundancy stays: two replicas at least.
  for (const auto& c : plan["components"]) EXPECT_GE(c["recommended"]["replicas"].get<int>(), 2) << c["id"];
  EXPECT_LE(plan["cost"]["usd_per_month"].get<double>(), plan["cost"]["declared_usd_per_month"].get<double>());
  for (const auto& w : plan["confirmation"]["workloads"])
    for (const auto& slo : w["slos"]) EXPECT_TRUE(slo["met"].get<bool>()) << slo.dump();
  expect_consistent(plan);
}

TEST(Plan, TextAndMarkdownSayTheSameThings) {
  test::TempDir dir;
  auto spec = dir.write("mmc.yaml", kMMc);
  auto text = test::run_mlarch("plan " + spec.string());
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("box × 10"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("$730"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("Headroom:"), std::string::npos) << text.out;
  auto md = test::run_mlarch("plan " + spec.string() + " --format markdown -o " + (dir.path() / "plan.md").string());
  ASSERT_EQ(md.exit_code, 0) << md.err;
  std::string written = test::read_file(dir.path() / "plan.md");
  EXPECT_EQ(written.rfind("## Capacity plan", 0), 0u) << written;
  EXPECT_NE(written.find("| api | box × 10 | $730 |"), std::string::npos) << written;
}

TEST(Plan, BadInputExitsTwo) {
  test::TempDir dir;
  auto spec = dir.write("mmc.yaml", kMMc);
  auto unknown = test::run_mlarch("plan " + spec.string() + " --workload requets");
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("no workload is named 'requets' (did you mean 'requests'?)"), std::string::npos) << unknown.err;

  std::string broken = kMMc;
  broken.replace(broken.find("replicas: 16"), 12, "replicas: many");
  auto bad = test::run_mlarch("plan " + dir.write("broken.yaml", broken).string());
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("broken.yaml:9:15: error[E004]"), std::string::npos) << bad.err;
  EXPECT_TRUE(bad.out.empty());

  auto unwritable = test::run_mlarch("plan " + spec.string() + " -o " + (dir.path() / "missing" / "plan.json").string());
  EXPECT_EQ(unwritable.exit_code, 2);
  EXPECT_NE(unwritable.err.find("cannot write"), std::string::npos) << unwritable.err;
  EXPECT_FALSE(fs::exists(dir.path() / "missing"));

  std::string no_slo = kMMc;
  no_slo.erase(no_slo.find("slos:"));
  auto none = test::run_mlarch("plan " + dir.write("no-slo.yaml", no_slo).string());
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_NE(none.err.find("declares no SLO"), std::string::npos) << none.err;
}

// ---- The HTML report ----

std::size_t count(const std::string& text, const std::string& pattern) {
  std::regex re(pattern);
  return static_cast<std::size_t>(std::distance(std::sregex_iterator(text.begin(), text.end(), re), std::sregex_iterator()));
}

// The M/M/c plan as a page and as JSON with the same flags, made once for the tests below. Short
// runs: the page's structure is checked here, the numbers by the tests above. The spec is named
// relative to the directory the command runs in, so the page is the same wherever the test runs.
struct MmcPage {
  test::TempDir dir;
  test::RunResult html_run, json_run;
  std::string html;
  Json json;
};
const std::string kShortPlan = " --seed 5 --replications 2 --duration 20";

const MmcPage& mmc_page() {
  static const MmcPage* page = [] {
    auto* p = new MmcPage;
    p->dir.write("mmc.yaml", kMMc);
    p->html_run = test::run_mlarch("plan mmc.yaml --format html -o plan.html" + kShortPlan, p->dir.path());
    p->json_run = test::run_mlarch("plan mmc.yaml --format json" + kShortPlan, p->dir.path());
    p->html = test::read_file(p->dir.path() / "plan.html");
    p->json = p->json_run.out.empty() ? Json() : Json::parse(p->json_run.out);
    return p;
  }();
  return *page;
}

TEST(PlanPage, HasTheVerdictTheRecommendationTheOptionsAndTheHeadroom) {
  const MmcPage& p = mmc_page();
  ASSERT_EQ(p.html_run.exit_code, 0) << p.html_run.err;
  ASSERT_EQ(p.json_run.exit_code, 0) << p.json_run.err;
  const std::string& html = p.html;
  for (const char* id : {"id=\"header\"", "id=\"verdict\"", "id=\"recommendation\"", "id=\"plan-table\"", "id=\"confirmation-table\"",
                         "id=\"options\"", "id=\"headroom\"", "id=\"headroom-table\"", "id=\"run\""})
    EXPECT_NE(html.find(id), std::string::npos) << id;
  EXPECT_NE(html.find("✔ A PLAN MEETS EVERY SLO AT PEAK"), std::string::npos);
  // The page's data is the plan: its JSON island is `plan --format json` with the same flags.
  std::smatch island;
  ASSERT_TRUE(std::regex_search(html, island, std::regex("<script type=\"application/json\" id=\"plan-data\">([^<]*)</script>")));
  EXPECT_EQ(Json::parse(island[1].str()), p.json);
  EXPECT_EQ(count(html, "<script[ >]"), 1u);  // the data island, and no script to run

  // The recommendation, per component, with its cost and its p99 against the objective.
  const Json& api = p.json["components"][0];
  int replicas = api["recommended"]["replicas"];
  ASSERT_LT(replicas, 13);  // $73 a replica: under $1,000
  EXPECT_NE(html.find("<tr><th scope=\"row\">api</th><td>box</td><td class=\"num\">" + std::to_string(replicas) +
                      "</td><td class=\"num\">—</td><td class=\"num\">$" + std::to_string(73 * replicas) + "</td>"),
            std::string::npos);
  EXPECT_NE(html.find(" of 55 ms</td>"), std::string::npos);

  // The options: one marker a priced option, the Pareto front drawn through its points, the
  // recommendation ringed and labelled in the chart and marked in the table.
  std::size_t pareto = 0, meets = 0;
  for (const auto& o : api["options"]) {
    pareto += o["pareto"].get<bool>();
    meets += o["meets_slos"].get<bool>();
  }
  ASSERT_GT(pareto, 0u);
  std::smatch front;
  ASSERT_TRUE(std::regex_search(html, front, std::regex("<path class=\"front\" d=\"(M[^\"]*)\"/>")));
  EXPECT_EQ(count(front[1].str(), "[ML][0-9.]+ [0-9.]+"), pareto);
  EXPECT_EQ(count(html, "<circle class=\"mark\""), 1u);
  EXPECT_NE(html.find(">recommended: box × " + std::to_string(replicas) + "</text>"), std::string::npos);
  EXPECT_NE(html.find(">p99 objective 55 ms</text>"), std::string::npos);
  EXPECT_EQ(count(html, "<tr class=\"recommended\">"), 1u);
  EXPECT_EQ(count(html, "<tr class=\"[a-z]*\"><td>(<strong>→</strong>)? ◆</td>"), pareto);
  EXPECT_EQ(count(html, "<span class=\"tag tone-ok\">✔ met</span></td></tr>"),
            meets + p.json["confirmation"]["workloads"]["requests"]["slos"].size());
  EXPECT_EQ(count(html, "<tr class=\"[a-z]*\"><td>"), api["options"].size());

  // The headroom, in requests/s, and the command that reproduces the plan.
  double headroom = p.json["workloads"][0]["headroom_rps"].get<double>();
  EXPECT_NE(html.find("With the recommendation, the SLOs are"), std::string::npos);
  EXPECT_GT(headroom, 800);
  EXPECT_NE(html.find("<code>mlarch plan mmc.yaml --seed 5 --replications 2 --duration 20 --format html -o plan.html</code>"),
            std::string::npos);
}

// The page's body (its shell and stylesheet are the review's) for a fixed seed, byte for byte.
TEST(PlanPage, IsTheSameEveryRun) {
  const MmcPage& p = mmc_page();
  ASSERT_EQ(p.html_run.exit_code, 0) << p.html_run.err;
  auto body = p.html.find("<body>");
  ASSERT_NE(body, std::string::npos);
  test::expect_golden("mmc.plan.body.html", p.html.substr(body));
}

// A spec whose only plan is none: the page says why. Its file name carries markup (its names
// cannot: they must be identifiers), which the page shows as text; an unwritable report path is
// exit 2 and leaves nothing behind.
TEST(PlanPage, EscapesTheSpecsTextAndIsWrittenWholeOrNotAtAll) {
  std::string text = kMMc;
  text.replace(text.find("dist: exponential"), 17, "dist: constant");
  text.replace(text.find("latency_p99_ms: 55"), 18, "latency_p99_ms: 8");
  test::TempDir dir;
  const std::string spec = "<script>alert(1) & <b>.yaml";
  dir.write(spec, text);
  auto r = test::run_mlarch("plan '" + spec + "' --format html -o plan.html", dir.path());
  EXPECT_EQ(r.exit_code, 1) << r.err;  // no plan
  std::string html = test::read_file(dir.path() / "plan.html");
  EXPECT_NE(html.find("✖ NO PLAN MEETS THE SLOs"), std::string::npos);
  EXPECT_NE(html.find("above its latency objective of 8 ms"), std::string::npos);
  EXPECT_EQ(html.find("<script>alert"), std::string::npos);
  EXPECT_EQ(html.find("<b>"), std::string::npos);
  EXPECT_NE(html.find("<code>&lt;script&gt;alert(1) &amp; &lt;b&gt;.yaml</code>"), std::string::npos);
  // The command that reproduces the plan quotes the name for the shell.
  EXPECT_NE(html.find("<code>mlarch plan &apos;&lt;script&gt;alert(1) &amp; &lt;b&gt;.yaml&apos; --seed 1"), std::string::npos);
  EXPECT_EQ(count(html, "<script[ >]"), 1u);

  auto blocker = dir.write("file", "not a directory");
  auto unwritable = test::run_mlarch("plan '" + spec + "' --format html -o file/plan.html", dir.path());
  EXPECT_EQ(unwritable.exit_code, 2);
  EXPECT_NE(unwritable.err.find("cannot write"), std::string::npos) << unwritable.err;
  EXPECT_EQ(test::read_file(blocker), "not a directory");
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()), 3);  // spec, plan.html, file
  // HTML goes to a file, never to the terminal.
  auto usage = test::run_mlarch("plan '" + spec + "' --format html", dir.path());
  EXPECT_EQ(usage.exit_code, 2);
  EXPECT_NE(usage.err.find("-o FILE"), std::string::npos) << usage.err;
}

TEST(PlanPage, OpensInHeadlessChromiumWithoutErrorsOrRequests) {
  std::string chromium = test::chromium_path();
  if (chromium.empty()) GTEST_SKIP() << "chromium is not installed (scripts/setup.sh installs it): the browser test did not run";
  const MmcPage& p = mmc_page();
  ASSERT_EQ(p.html_run.exit_code, 0) << p.html_run.err;
  fs::path artifacts = fs::path(MLARCH_TEST_ARTIFACTS) / "plan";
  fs::create_directories(artifacts);
  fs::path page = artifacts / "mmc.html";
  fs::copy_file(p.dir.path() / "plan.html", page, fs::copy_options::overwrite_existing);
  test::Browsed b = test::browse(chromium, page, "--dump-dom");
  ASSERT_EQ(b.exit_code, 0) << b.log;
  test::expect_self_contained(b, 1);
  for (const char* id : {"id=\"verdict\"", "id=\"recommendation\"", "id=\"options\"", "id=\"headroom\"", "id=\"run\"",
                         "<svg class=\"chart\"", "<path class=\"front\""})
    EXPECT_NE(b.dom.find(id), std::string::npos) << id;
  test::Browsed shot = test::browse(chromium, page, "--screenshot='" + (artifacts / "mmc.png").string() + "'");
  EXPECT_EQ(shot.exit_code, 0) << shot.log;
  EXPECT_GT(fs::file_size(artifacts / "mmc.png"), 10000u);
}

}  // namespace
}  // namespace mlarch
