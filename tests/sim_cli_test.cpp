// `mlarch simulate` as users run it: the JSON contract (schema, determinism whatever the thread
// count), the text and CSV forms, and bad input reported at the spec's line with exit code 2.
#include <gtest/gtest.h>

#include "mlarch/analyzer/document.hpp"
#include "test_support.hpp"

namespace mlarch {
namespace {

const char* kTwoStations = R"(mlarch: 1
system: {name: two-stations}
hardware:
  small: {vcpus: 2, memory_gib: 4, usd_per_hour: 0.1}
components:
  api:
    kind: service
    instance: small
    replicas: 2
    concurrency: 4
    service_time: {dist: lognormal, mean_ms: 2, p99_ms: 8}
    timeout_ms: 50
    retries: {max: 1, backoff_ms: 5, jitter: true}
  model:
    kind: model_server
    instance: small
    replicas: {min: 1, max: 4, target_utilization: 0.6, cold_start_s: 5}
    batching: {max_batch: 8, max_wait_ms: 2, batch_time: {fixed_ms: 3, per_item_ms: 0.5}}
    queue_limit: 500
workloads:
  - name: predict
    arrival: {process: bursty, rate_rps: 300, burst_factor: 2, burst_fraction: 0.2, burst_duration_s: 5}
    profile: {shape: diurnal, peak_to_mean: 1.5}
    path: [api, model, api]
slos:
  - {workload: predict, latency_p99_ms: 60, availability: 0.99}
)";

TEST(Simulate, JsonIsValidAgainstItsSchemaAndIdenticalWhateverTheThreads) {
  test::TempDir dir;
  auto spec = dir.write("spec.yaml", kTwoStations);
  std::string flags = " --duration 120 --replications 4 --seed 7 --format json";
  auto one = test::run_mlarch("simulate " + spec.string() + flags + " --threads 1");
  auto two = test::run_mlarch("simulate " + spec.string() + flags + " --threads 2");
  auto again = test::run_mlarch("simulate " + spec.string() + flags + " --threads 2");
  ASSERT_EQ(one.exit_code, 0) << one.err;
  EXPECT_EQ(one.out, two.out);
  EXPECT_EQ(two.out, again.out);
  Json out = Json::parse(one.out);
  Json schema = Json::parse(test::read_file(test::source_dir() / "schemas" / "simulate-output-v1.schema.json"));
  EXPECT_EQ(test::schema_violations(schema, out, test::Draft::v7), std::vector<std::string>{});
  EXPECT_EQ(out["seed"], 7);
  EXPECT_EQ(out["replications"], 4);
  const Json& w = out["workloads"]["predict"];
  // 300 requests/s for the 108 s after the warm-up, a little more as the warm-up takes the daily
  // low; 5 s bursts at twice the rate make a count over 108 s vary by ~10% (1,200 s: 0.2%).
  EXPECT_NEAR(w["requests"]["value"].get<double>(), 300 * 108, 300 * 108 * 0.2);
  EXPECT_GT(w["latency_ms"]["p99"]["value"].get<double>(), w["latency_ms"]["p50"]["value"].get<double>());
  EXPECT_EQ(w["slos"].size(), 2u);
  EXPECT_TRUE(out["components"]["model"].contains("replicas_over_time"));
  EXPECT_GT(out["components"]["model"]["mean_batch_size"]["value"].get<double>(), 1.0);
  EXPECT_EQ(out["components"]["model"]["service_time"], "batch_time");
  // Two small instances on `api` all month, and the model server's mean replicas.
  double api_usd = out["cost"]["by_component"]["api"]["value"].get<double>();
  EXPECT_NEAR(api_usd, 2 * 0.1 * 730, 1e-6);
  auto other = test::run_mlarch("simulate " + spec.string() + " --duration 120 --replications 4 --seed 8 --format json");
  EXPECT_NE(one.out, other.out);
}

TEST(Simulate, TextAndCsvSayTheSameThings) {
  test::TempDir dir;
  auto spec = dir.write("spec.yaml", kTwoStations);
  auto text = test::run_mlarch("simulate " + spec.string() + " --duration 60 --replications 2");
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("predict"), std::string::npos);
  EXPECT_NE(text.out.find("SLO p99 ≤ 60 ms"), std::string::npos);
  EXPECT_NE(text.out.find("batch_time"), std::string::npos);
  auto csv = test::run_mlarch("simulate " + spec.string() + " --duration 60 --replications 2 --format csv");
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_EQ(csv.out.rfind("section,name,metric,value,ci95\n", 0), 0u);
  EXPECT_NE(csv.out.find("workload,predict,latency_p99_ms,"), std::string::npos);
  auto file = dir.path() / "out.json";
  auto written = test::run_mlarch("simulate " + spec.string() + " --duration 60 --replications 2 --format json -o " + file.string());
  ASSERT_EQ(written.exit_code, 0) << written.err;
  EXPECT_TRUE(Json::parse(test::read_file(file)).contains("workloads"));
}

struct BadInput {
  const char* name;
  std::string spec;
  std::string where;    // "spec.yaml:LINE:COL"
  std::string message;  // a part of the message
};

std::string with_component(const std::string& component, const std::string& workload = "[a]") {
  return "mlarch: 1\nsystem: {name: bad}\ncomponents:\n  a:\n" + component +
         "workloads:\n  - name: w\n    arrival: {process: poisson, rate_rps: 10}\n    path: " + workload + "\n";
}

TEST(Simulate, BadInputIsReportedAtTheSpecsLineWithExitCode2) {
  const std::vector<BadInput> cases = {
      {"no replicas", with_component("    kind: service\n    replicas: 0\n    service_time: {dist: constant, mean_ms: 1}\n"),
       "spec.yaml:6:15", "component 'a' has no replicas, but workload 'w' sends requests to it"},
      {"no service time", with_component("    kind: service\n"), "spec.yaml:4:3", "declares no `service_time`"},
      {"lognormal too wide", with_component("    kind: service\n    service_time: {dist: lognormal, mean_ms: 1, p99_ms: 40}\n"),
       "spec.yaml:6:57", "no lognormal has mean 1 ms and p99 40 ms"},
      {"missing empirical file",
       with_component("    kind: service\n    service_time: {dist: empirical, file: samples.txt}\n"), "spec.yaml:6:43",
       "service-time file"},
      {"missing trace",
       "mlarch: 1\nsystem: {name: bad}\ncomponents:\n  a: {kind: service, service_time: {dist: constant, mean_ms: 1}}\n"
       "workloads:\n  - name: w\n    arrival: {process: trace, file: missing.csv}\n    path: [a]\n",
       "spec.yaml:7:37", "trace file"},
      {"malformed trace",
       "mlarch: 1\nsystem: {name: bad}\ncomponents:\n  a: {kind: service, service_time: {dist: constant, mean_ms: 1}}\n"
       "workloads:\n  - name: w\n    arrival: {process: trace, file: bad.csv}\n    path: [a]\n",
       "spec.yaml:7:37", "bad.csv', line 3: 'soon' is not a number"},
      {"bursts above the mean",
       "mlarch: 1\nsystem: {name: bad}\ncomponents:\n  a: {kind: service, service_time: {dist: constant, mean_ms: 1}}\n"
       "workloads:\n  - name: w\n    arrival: {process: bursty, rate_rps: 5, burst_factor: 4, burst_fraction: 0.5}\n"
       "    path: [a]\n",
       "spec.yaml:7:59", "already exceed the mean rate"},
      {"zero rate (schema)",
       "mlarch: 1\nsystem: {name: bad}\ncomponents:\n  a: {kind: service, service_time: {dist: constant, mean_ms: 1}}\n"
       "workloads:\n  - name: w\n    arrival: {process: poisson, rate_rps: 0}\n    path: [a]\n",
       "spec.yaml:7:43", "rate_rps"},
      {"empty path (schema)",
       "mlarch: 1\nsystem: {name: bad}\ncomponents:\n  a: {kind: service, service_time: {dist: constant, mean_ms: 1}}\n"
       "workloads:\n  - name: w\n    arrival: {process: poisson, rate_rps: 1}\n    path: []\n",
       "spec.yaml:8:11", "path"},
  };
  for (const auto& c : cases) {
    test::TempDir dir;
    auto spec = dir.write("spec.yaml", c.spec);
    dir.write("bad.csv", "t\n0.5\nsoon\n");
    auto r = test::run_mlarch("simulate spec.yaml --duration 10", dir.path());
    EXPECT_EQ(r.exit_code, 2) << c.name << "\n" << r.err;
    EXPECT_NE(r.err.find(c.where), std::string::npos) << c.name << "\n" << r.err;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << c.name << "\n" << r.err;
    EXPECT_TRUE(r.out.empty()) << c.name;
  }
}

TEST(Simulate, UsageErrorsExitWith2) {
  test::TempDir dir;
  auto spec = dir.write("spec.yaml", kTwoStations);
  EXPECT_EQ(test::run_mlarch("simulate " + spec.string() + " --duration 10 --warmup 10").exit_code, 2);
  EXPECT_EQ(test::run_mlarch("simulate " + spec.string() + " --replications 0").exit_code, 2);
  EXPECT_EQ(test::run_mlarch("simulate " + spec.string() + " --format xml").exit_code, 2);
  EXPECT_EQ(test::run_mlarch("simulate " + (dir.path() / "none.yaml").string()).exit_code, 2);
}

TEST(Simulate, AnUnstableSystemIsAnnouncedAndTheRunStaysBounded) {
  test::TempDir dir;
  // 200 requests/s against 100/s of capacity: the queue grows by 100 a second.
  auto spec = dir.write("spec.yaml", R"(mlarch: 1
system: {name: unstable}
components:
  a: {kind: service, service_time: {dist: exponential, mean_ms: 10}}
workloads:
  - {name: w, arrival: {process: poisson, rate_rps: 200}, path: [a]}
)");
  auto r = test::run_mlarch("simulate " + spec.string() + " --duration 200 --replications 1 --format json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("spec.yaml:4:3: warning"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("component 'a' is saturated at peak load (utilization 2.00)"), std::string::npos) << r.err;
  Json out = Json::parse(r.out);
  const Json& w = out["workloads"]["w"];
  // Requests wait behind a queue that grows by 100 a second: by the end, for about a minute.
  EXPECT_GT(w["latency_ms"]["p50"]["value"].get<double>(), 30'000);
  EXPECT_NEAR(out["components"]["a"]["utilization"]["value"].get<double>(), 1.0, 1e-3);
}

}  // namespace
}  // namespace mlarch

namespace mlarch {
namespace {

TEST(Sweep, FindsTheCapacityOfAnMM1UnderItsP99Objective) {
  test::TempDir dir;
  // M/M/1 with a 10 ms mean service: p99 = ln(100) ÷ (100 − λ) s, 200 ms at λ = 77 requests/s.
  auto spec = dir.write("spec.yaml", R"(mlarch: 1
system: {name: mm1}
components:
  server: {kind: service, service_time: {dist: exponential, mean_ms: 10}}
workloads:
  - {name: w, arrival: {process: poisson, rate_rps: 10}, path: [server]}
slos:
  - {workload: w, latency_p99_ms: 200}
)");
  auto r = test::run_mlarch("sweep " + spec.string() + " --workload w --rates 40,60,70,85,95 --duration 400 --replications 3 --format json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json out = Json::parse(r.out);
  ASSERT_EQ(out["points"].size(), 5u);
  EXPECT_EQ(out["capacity_rps"], 70);
  for (const auto& p : out["points"]) {
    double rate = p["rate_rps"].get<double>();
    EXPECT_NEAR(p["bottleneck"]["utilization"]["value"].get<double>(), rate / 100, 0.03);
    EXPECT_EQ(p["bottleneck"]["component"], "server");
    EXPECT_EQ(p["slos_met"].get<bool>(), rate <= 70) << rate;
  }
  auto text = test::run_mlarch("sweep " + spec.string() + " --workload w --rates 40:95:3 --duration 100 --replications 2");
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("capacity: "), std::string::npos);
  EXPECT_EQ(test::run_mlarch("sweep " + spec.string() + " --workload nope --rates 1:2:2").exit_code, 2);
  EXPECT_EQ(test::run_mlarch("sweep " + spec.string() + " --workload w --rates 5:2:3").exit_code, 2);
  EXPECT_EQ(test::run_mlarch("sweep " + spec.string() + " --workload w --rates 1:2:x").exit_code, 2);
}

// The bundled examples are designs that work: simulated at their declared load, every SLO holds
// (no REL041), as `mlarch lint --simulate examples/` shows a user. A shorter run than the default
// hour keeps the suite quick; the examples' margins are wide enough for it.
TEST(LintSimulate, TheExamplesMeetTheirSlosWhenSimulated) {
  auto r = test::run_mlarch("lint --simulate --duration 600 --replications 3 --format json " +
                            (test::source_dir() / "examples").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json out = Json::parse(r.out);
  for (const auto& f : out["findings"]) EXPECT_NE(f["rule"], "REL041") << f["file"] << ": " << f["message"];
}

}  // namespace
}  // namespace mlarch
