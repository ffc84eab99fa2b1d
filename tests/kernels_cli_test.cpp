// `mlarch kernels`, calibrated simulation and their bad input, as users run them: the JSON
// contracts (schemas), the calibrated service times against the rooflines' ratio worked out here,
// and errors at the spec's line with exit code 2.
#include <gtest/gtest.h>

#include "mlarch/analyzer/cost_model.hpp"
#include "mlarch/kernels/gemm.hpp"
#include "mlarch/simulator/scenario.hpp"
#include "test_support.hpp"

namespace mlarch {
namespace {

// One small model of every architecture type, and a batched server of the MLP.
const char* kTinyModels = R"(mlarch: 1
system: {name: tiny-models}
hardware:
  box: {vcpus: 8, memory_gib: 32, peak_gflops: 400, mem_bandwidth_gbs: 40, usd_per_hour: 0.4}
components:
  scorer:
    kind: model_server
    model: ranker
    instance: box
    replicas: 2
    batching: {max_batch: 8, max_wait_ms: 1}
    service_time: model
models:
  ranker: {architecture: {type: mlp, input_dim: 32, hidden: [64, 32], output_dim: 1}}
  recs: {architecture: {type: embedding_mlp, input_dim: 8, embedding_tables: [{rows: 1000, dim: 8, lookups: 4}], hidden: [16]}}
  vision: {architecture: {type: cnn, image: {height: 16, width: 16, channels: 3}, conv_layers: [{filters: 8, kernel: 3, stride: 2}], hidden: [8], output_dim: 2}}
  encoder: {architecture: {type: transformer_encoder, layers: 2, d_model: 32, heads: 4, vocab: 100, seq_len: 16, output_dim: 2}}
  chat: {architecture: {type: decoder_llm, layers: 2, d_model: 32, heads: 4, kv_heads: 2, vocab: 100, prompt_tokens: {mean: 8}, output_tokens: {mean: 4}}}
  trees: {architecture: {type: tree_ensemble, trees: 20, depth: 4, input_dim: 10}}
workloads:
  - name: score
    arrival: {process: poisson, rate_rps: 200}
    path: [scorer]
)";

std::string replace(std::string text, const std::string& from, const std::string& to) {
  auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return at == std::string::npos ? text : text.replace(at, from.size(), to);
}

Json schema(const char* name) { return Json::parse(test::read_file(test::source_dir() / "schemas" / name)); }

TEST(KernelsCommand, JsonAndCalibrationAreValidForEveryArchitecture) {
  test::TempDir dir;
  dir.write("spec.yaml", kTinyModels);
  auto r = test::run_mlarch("kernels spec.yaml --batches 2,1 --max-runs 3 --threads 1 --format json -o out.json --write-calibration cal.json",
                            dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json out = Json::parse(test::read_file(dir.path() / "out.json"));
  EXPECT_EQ(test::schema_violations(schema("kernels-output-v1.schema.json"), out, test::Draft::v7), std::vector<std::string>{});
  EXPECT_EQ(out["host"]["threads"], 1);
  EXPECT_EQ(out["host"]["isa"], std::string(kernels::isa_name(kernels::host_isa())));  // the widest this CPU runs
  const std::map<std::string, std::string> types{{"ranker", "mlp"}, {"recs", "embedding_mlp"}, {"vision", "cnn"},
                                                 {"encoder", "transformer_encoder"}, {"chat", "decoder_llm"}, {"trees", "tree_ensemble"}};
  ASSERT_EQ(out["models"].size(), types.size());
  Json cal = Json::parse(test::read_file(dir.path() / "cal.json"));
  EXPECT_EQ(test::schema_violations(schema("calibration-v1.schema.json"), cal, test::Draft::v7), std::vector<std::string>{});
  // The memory probe's figures (random reads in memory always; the cache's when it saw one) go into
  // the calibration too, and price the host there as here.
  EXPECT_GT(out["host"]["mem_random_gbs"].get<double>(), 0);
  for (const char* key : {"cache_mib", "cache_bandwidth_gbs", "cache_random_gbs", "mem_random_gbs"})
    EXPECT_EQ(cal["host"].value(key, Json()), out["host"].value(key, Json())) << key;
  for (const auto& [name, type] : types) {
    const Json& m = out["models"][name];
    EXPECT_EQ(m["type"], type);
    ASSERT_EQ(m["batches"].size(), 2u) << name;
    for (std::size_t i = 0; i < 2; ++i) {
      const Json& p = m["batches"][i];
      EXPECT_EQ(p["batch"], i + 1) << name;  // ascending whatever the order asked
      EXPECT_GT(p["predicted_ms"].get<double>(), 0) << name;
      EXPECT_GT(p["measured_ms"].get<double>(), 0) << name;
      EXPECT_GE(p["measured_p99_ms"].get<double>(), p["measured_ms"].get<double>()) << name;
      double err = (p["predicted_ms"].get<double>() - p["measured_ms"].get<double>()) / p["measured_ms"].get<double>() * 100;
      EXPECT_NEAR(p["error_pct"].get<double>(), err, 1e-6 * std::abs(err) + 1e-9) << name;
      EXPECT_NEAR(p["peak_fraction"].get<double>(), p["gflops"].get<double>() / out["host"]["peak_gflops"].get<double>(), 1e-12);
      // The calibration holds the same medians.
      EXPECT_EQ(cal["models"][name]["batches"][i]["measured_ms"], p["measured_ms"]) << name;
    }
  }
  // Text: the host line and a row per batch size.
  auto text = test::run_mlarch("kernels spec.yaml --models ranker trees --batches 4 --max-runs 3", dir.path());
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("GFLOP/s fp32 peak (" + std::string(kernels::isa_name(kernels::host_isa())) + ")"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("random lines from memory at"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("ranker (mlp)"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("trees (tree_ensemble)"), std::string::npos) << text.out;
  EXPECT_EQ(text.out.find("vision"), std::string::npos) << text.out;
}

// A calibration of the ranker on a host of 10 GFLOP/s and 5 GB/s: 2 ms at batch 1, 9 ms at 8.
const char* kCalibration = R"({"version": 1, "host": {"peak_gflops": 10, "mem_bandwidth_gbs": 5, "threads": 2},
  "models": {"ranker": {"type": "mlp", "batches": [{"batch": 8, "measured_ms": 9}, {"batch": 1, "measured_ms": 2}]}}})";

TEST(Calibration, MeasuredTimesAreScaledByTheRooflinesRatioAndInterpolated) {
  test::TempDir dir;
  auto path = dir.write("cal.json", kCalibration);
  sim::CalibrationLoad cal = sim::load_calibration(path.string());
  ASSERT_TRUE(cal.calibration) << (cal.errors.empty() ? "" : cal.errors.front().message);
  EXPECT_DOUBLE_EQ(*cal.calibration->ms("ranker", 1), 2);                 // as measured
  EXPECT_DOUBLE_EQ(*cal.calibration->ms("ranker", 2), 3);                 // linear between 1 and 8
  EXPECT_DOUBLE_EQ(*cal.calibration->ms("ranker", 4), 2 + 7.0 * 3 / 7);
  EXPECT_DOUBLE_EQ(*cal.calibration->ms("ranker", 16), 9 + 7.0 * 8 / 7);  // along the last segment
  EXPECT_FALSE(cal.calibration->ms("other", 1));
  // A falling segment extended beyond the sizes stops at half the nearest measurement.
  sim::Calibration noisy;
  noisy.models["m"] = {"mlp", {{1, 2.0}, {2, 1.5}}};
  EXPECT_DOUBLE_EQ(*noisy.ms("m", 8), 0.75);
  EXPECT_DOUBLE_EQ(*noisy.ms("m", 2), 1.5);

  test::Built b(kTinyModels);
  sim::ScenarioOverrides o;
  o.calibration = &*cal.calibration;
  sim::ScenarioResult built = sim::build_scenario(b.system, o);
  ASSERT_TRUE(built.scenario);
  const sim::ServiceModel& s = built.scenario->stations.front().service;
  const Model& ranker = *b.system.model("ranker");
  const InstanceType box = *instance_type(b.system, "box");
  for (int batch : {1, 4, 8}) {
    double target = derived_service_ms(ranker, box, batch)->ms;
    double host = reference_kernel_ms((*ranker.raw)["architecture"], cal.calibration->host(), batch)->ms;
    EXPECT_NEAR(s.mean(batch), *cal.calibration->ms("ranker", batch) * target / host, 1e-9) << batch;
  }
  EXPECT_EQ(s.origin.rfind("measured: ", 0), 0u) << s.origin;

  // Without the calibration: derived.
  sim::ScenarioResult plain = sim::build_scenario(b.system);
  EXPECT_EQ(plain.scenario->stations.front().service.origin.rfind("derived: ", 0), 0u);
  EXPECT_EQ(plain.scenario->stations.front().service.origin.find("cache"), std::string::npos);
  // On a box whose cache holds the 10 KB model, the derived time says so, and is shorter.
  test::Built cached(replace(kTinyModels, "mem_bandwidth_gbs: 40,", "mem_bandwidth_gbs: 40, cache_mib: 8, cache_bandwidth_gbs: 200,"));
  sim::ScenarioResult in_cache = sim::build_scenario(cached.system);
  ASSERT_TRUE(in_cache.scenario);
  const sim::ServiceModel& c = in_cache.scenario->stations.front().service;
  EXPECT_NE(c.origin.find("its working set in the CPU's cache"), std::string::npos) << c.origin;
  EXPECT_LT(c.mean(8), plain.scenario->stations.front().service.mean(8));
}

TEST(Calibration, TheHostPriceIsTheFp32RooflineWithoutAPassOverhead) {
  // 64 → 32 → 1 declared fp16: the kernel runs fp32. FLOPs 2 × B × (64·32 + 32·1); bytes: the
  // fp32 weights (64·32 + 32 + 32 + 1) × 4 plus B × (64 + 32 + 32 + 1) × 4 of activations.
  Json a = test::arch("{type: mlp, input_dim: 64, hidden: [32], output_dim: 1, dtype: fp16}");
  InstanceType host;
  host.peak_gflops.any = 10;
  host.mem_bandwidth_gbs = 5;
  for (int b : {1, 8, 64}) {
    double flops = 2.0 * b * (64 * 32 + 32);
    double bytes = (64.0 * 32 + 32 + 32 + 1) * 4 + b * (64.0 + 32 + 32 + 1) * 4;
    double want = std::max(flops / (10e9 * kComputeEfficiency), bytes / (5e9 * kMemoryEfficiency)) * 1000;
    auto e = reference_kernel_ms(a, host, b);
    ASSERT_TRUE(e);
    EXPECT_NEAR(e->ms, want, 1e-12) << b;
    EXPECT_DOUBLE_EQ(e->passes.front().overhead_ms, 0);
  }
}

TEST(Calibration, SimulateSaysTheTimesAreMeasured) {
  test::TempDir dir;
  dir.write("spec.yaml", kTinyModels);
  dir.write("cal.json", kCalibration);
  auto r = test::run_mlarch("simulate spec.yaml --calibration cal.json --duration 20 --replications 2 --format json", dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json out = Json::parse(r.out);
  EXPECT_EQ(out["components"]["scorer"]["service_time"].get<std::string>().rfind("measured: ", 0), 0u) << out["components"]["scorer"];
  auto text = test::run_mlarch("simulate spec.yaml --calibration cal.json --duration 20 --replications 2", dir.path());
  EXPECT_NE(text.out.find("measured: "), std::string::npos) << text.out;
  auto lint = test::run_mlarch("lint spec.yaml --simulate --calibration cal.json --duration 20 --replications 2", dir.path());
  EXPECT_NE(lint.exit_code, 2) << lint.err;

  // A calibration without the served model: the derived time, with a warning.
  dir.write("other.json", R"({"version": 1, "host": {"peak_gflops": 10, "mem_bandwidth_gbs": 5, "threads": 2}, "models": {}})");
  auto other = test::run_mlarch("simulate spec.yaml --calibration other.json --duration 20 --replications 2 --format json", dir.path());
  ASSERT_EQ(other.exit_code, 0) << other.err;
  EXPECT_NE(other.err.find("model 'ranker' is not in the calibration"), std::string::npos) << other.err;
  EXPECT_EQ(Json::parse(other.out)["components"]["scorer"]["service_time"].get<std::string>().rfind("derived: ", 0), 0u);
}

TEST(KernelsCommand, BadInputIsAnErrorAtTheSpecsLineWithExitCode2) {
  struct Case {
    const char* name;
    std::string spec, args, where, message;
  };
  const std::vector<Case> cases = {
      {"missing dimension", replace(kTinyModels, "type: mlp, input_dim: 32,", "type: mlp,"), "--models ranker",
       "spec.yaml:14:26", "error[E007]: model 'ranker': its `mlp` architecture needs `input_dim`"},
      {"too large for memory", replace(kTinyModels, "rows: 1000, dim: 8", "rows: 1000000000, dim: 64"), "--models recs",
       "spec.yaml:15:24", "GiB at batch 8"},
      {"heads do not divide d_model", replace(kTinyModels, "d_model: 32, heads: 4, vocab", "d_model: 30, heads: 4, vocab"),
       "--models encoder", "spec.yaml:17:86", "4 heads do not divide d_model 30"},
      {"unknown instance type", replace(kTinyModels, "instance: box", "instance: boxx"), "", "spec.yaml:9:15",
       "did you mean 'box'"},
      {"too slow to run", replace(kTinyModels, "layers: 2, d_model: 32, heads: 4, kv_heads: 2, vocab: 100, prompt_tokens: {mean: 8}",
                                  "layers: 32, d_model: 4096, heads: 32, kv_heads: 8, vocab: 1000, prompt_tokens: {mean: 2000}"),
       "--models chat --memory-limit 1000", "spec.yaml:18:24", "would take about"},
  };
  for (const auto& c : cases) {
    test::TempDir dir;
    dir.write("spec.yaml", c.spec);
    auto r = test::run_mlarch("kernels spec.yaml --batches 1,8 --max-runs 3 " + c.args, dir.path());
    EXPECT_EQ(r.exit_code, 2) << c.name << "\n" << r.err;
    EXPECT_NE(r.err.find(c.where), std::string::npos) << c.name << "\n" << r.err;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << c.name << "\n" << r.err;
    EXPECT_TRUE(r.out.empty()) << c.name;
  }
}

TEST(KernelsCommand, UsageErrorsExitWith2) {
  test::TempDir dir;
  dir.write("spec.yaml", kTinyModels);
  dir.write("bad.json", "{\"version\": 1, \"host\": {\"peak_gflops\": 10, \"mem_bandwidth_gbs\": 5, \"threads\": 2},\n"
                        " \"models\": {\"ranker\": {\"type\": \"mlp\", \"batches\": [{\"batch\": 1, \"measured_ms\": 0}]}}}\n");
  for (const auto& [args, message] : std::vector<std::pair<std::string, std::string>>{
           {"kernels spec.yaml --batches 0", "--batches '0'"},
           {"kernels spec.yaml --batches 1,,2", "--batches '1,,2'"},
           {"kernels spec.yaml --models rankr", "did you mean 'ranker'"},
           {"simulate spec.yaml --calibration bad.json", "bad.json:2:"},
           {"simulate spec.yaml --calibration missing.json", "missing.json"}}) {
    auto r = test::run_mlarch(args, dir.path());
    EXPECT_EQ(r.exit_code, 2) << args << "\n" << r.err;
    EXPECT_NE(r.err.find(message), std::string::npos) << args << "\n" << r.err;
  }
}

}  // namespace
}  // namespace mlarch

namespace mlarch {
namespace {

// The tiny models behind a gateway: the path validate runs for real.
std::string serving_spec() {
  std::string spec = replace(kTinyModels, "components:\n",
                             "components:\n  api:\n    kind: gateway\n    replicas: 2\n    concurrency: 8\n"
                             "    service_time: {dist: lognormal, mean_ms: 1, p99_ms: 3}\n");
  return replace(replace(spec, "path: [scorer]", "path: [api, scorer, api]"), "rate_rps: 200", "rate_rps: 300");
}

TEST(Validate, RunsThePathForRealAndSimulatesIt) {
  test::TempDir dir;
  dir.write("spec.yaml", serving_spec());
  auto r = test::run_mlarch("validate spec.yaml --seconds 1 --format json", dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json out = Json::parse(r.out);
  EXPECT_EQ(test::schema_violations(schema("validate-output-v1.schema.json"), out, test::Draft::v7), std::vector<std::string>{});
  EXPECT_EQ(out["workload"], "score");
  EXPECT_EQ(out["arrival"]["process"], "poisson");
  ASSERT_EQ(out["stations"].size(), 2u);
  EXPECT_EQ(out["stations"][1]["work"], "kernel");
  EXPECT_EQ(out["stations"][1]["servers"], 1);
  EXPECT_EQ(out["stations"][1]["max_batch"], 8);
  EXPECT_EQ(out["stations"][0]["work"], "declared");
  // Enough requests are counted on both sides, and each passes the gateway twice (≥ 2 × 1 ms on average).
  EXPECT_GE(out["measured"]["requests"].get<double>(), 200);
  EXPECT_EQ(out["measured"]["requests"], out["simulated"]["requests"]);  // the same arrivals
  EXPECT_GT(out["measured"]["mean_ms"].get<double>(), 2.0);
  EXPECT_GT(out["simulated"]["mean_ms"].get<double>(), 2.0);
  EXPECT_GE(out["simulated"]["p99_ms"].get<double>(), out["simulated"]["p50_ms"].get<double>());
  // The host's delays were measured in the run itself: every request passed an idle gateway worker.
  EXPECT_GT(out["host_delays"]["handovers"].get<int>(), 100);
  EXPECT_GE(out["host_delays"]["sleeps"].get<int>(), out["measured"]["requests"].get<int>());
  EXPECT_LT(out["host_delays"]["handover_ms"].get<double>(), 5.0);
  EXPECT_LT(out["host_delays"]["sleep_overshoot_ms"].get<double>(), 5.0);

  auto text = test::run_mlarch("validate spec.yaml --seconds 1", dir.path());
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("reference kernel of 'ranker'"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("measured ms  simulated ms"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("added to each simulated visit, as measured in the run"), std::string::npos) << text.out;
}

TEST(Validate, WhatItCannotRunIsAnErrorWithExitCode2) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {replace(serving_spec(), "batching: {max_batch: 8, max_wait_ms: 1}", "batching: {mode: continuous, max_batch: 8}"),
       "spec.yaml:16:15: error[E007]: component 'scorer': validate runs dynamic batching"},
      {replace(serving_spec(), "service_time: model", "service_time: {dist: constant, mean_ms: 1}"), "no component has `service_time: model`"},
      {replace(serving_spec(), "input_dim: 32,", ""), "spec.yaml:19:26: error[E007]: model 'ranker'"},
  };
  for (const auto& [spec, message] : cases) {
    test::TempDir dir;
    dir.write("spec.yaml", spec);
    auto r = test::run_mlarch("validate spec.yaml --seconds 1", dir.path());
    EXPECT_EQ(r.exit_code, 2) << message << "\n" << r.err;
    EXPECT_NE(r.err.find(message), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty());
  }
}

}  // namespace
}  // namespace mlarch
