// The capacity and cost arithmetic (capacity.hpp) against hand-computed numbers, the rules built on
// it (REL030, COST020-COST023) beyond their fixtures, and the whole catalog on a 10,000-component
// spec.
#include <cmath>
#include <filesystem>
#include <map>
#include <set>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "mlarch/analyzer/capacity.hpp"
#include "mlarch/analyzer/graph.hpp"
#include "mlarch/analyzer/lint.hpp"
#include "mlarch/analyzer/model.hpp"
#include "mlarch/analyzer/rules.hpp"
#include "test_support.hpp"

namespace mlarch {
namespace {

const std::set<std::string> kCapacityRules = {"REL030", "COST020", "COST021", "COST022", "COST023"};

using test::Built;

using test::run;
using test::run_rule;

using test::arch;

// --- the weight estimator ---------------------------------------------------------------------

TEST(ModelMemory, MlpWeightsAndBiases) {
  // 256 -> 512 -> 256 -> 1 in fp32
  Json a = arch("{type: mlp, input_dim: 256, hidden: [512, 256], output_dim: 1, dtype: fp32}");
  double params = 256.0 * 512 + 512 + 512.0 * 256 + 256 + 256.0 * 1 + 1;
  EXPECT_DOUBLE_EQ(*model_parameters(a), params);
  EXPECT_DOUBLE_EQ(*model_weight_bytes(a), params * 4);
  EXPECT_DOUBLE_EQ(*model_weight_bytes(a), 1052676.0);
  // dtype defaults to fp32, output_dim to 1, hidden to none
  EXPECT_DOUBLE_EQ(*model_weight_bytes(arch("{type: mlp, input_dim: 10}")), (10.0 * 1 + 1) * 4);
}

TEST(ModelMemory, EmbeddingMlpAddsItsTables) {
  Json a = arch(
      "{type: embedding_mlp, input_dim: 4, hidden: [8], output_dim: 1, dtype: fp16,"
      " embedding_tables: [{rows: 1000, dim: 16}, {rows: 10, dim: 4, lookups: 3}]}");
  // The dense layers read the dense features and the pooled embeddings: 4 + 16 + 4 inputs.
  double dense = 24.0 * 8 + 8 + 8.0 * 1 + 1;  // 209
  double tables = 1000.0 * 16 + 10.0 * 4;    // 16,040
  EXPECT_DOUBLE_EQ(*model_parameters(a), dense + tables);
  EXPECT_DOUBLE_EQ(*model_weight_bytes(a), (dense + tables) * 2);
}

TEST(ModelMemory, CnnKernelsAndDenseHead) {
  Json a = arch(
      "{type: cnn, image: {height: 64, width: 64, channels: 3},"
      " conv_layers: [{filters: 8, kernel: 3}, {filters: 16, kernel: 3, stride: 2}], hidden: [4], output_dim: 2}");
  double conv = 3.0 * 3 * 3 * 8 + 8 + 3.0 * 3 * 8 * 16 + 16;  // 224 + 1,168
  double head = 16.0 * 4 + 4 + 4.0 * 2 + 2;                   // 78
  EXPECT_DOUBLE_EQ(*model_parameters(a), conv + head);
  EXPECT_DOUBLE_EQ(*model_weight_bytes(a), (conv + head) * 4);
}

TEST(ModelMemory, TransformerEncoder) {
  Json a = arch("{type: transformer_encoder, layers: 2, d_model: 8, heads: 2, ffn_dim: 32, vocab: 100, dtype: bf16}");
  double per_layer = 4.0 * 8 * 8 + 2.0 * 8 * 32;  // attention + two FFN matrices
  EXPECT_DOUBLE_EQ(*model_parameters(a), 2 * per_layer + 100.0 * 8);
  EXPECT_DOUBLE_EQ(*model_weight_bytes(a), (2 * per_layer + 100.0 * 8) * 2);
  // ffn_dim defaults to 4 × d_model
  Json b = arch("{type: transformer_encoder, layers: 1, d_model: 8, heads: 2, vocab: 10}");
  EXPECT_DOUBLE_EQ(*model_parameters(b), 4.0 * 64 + 2.0 * 8 * 32 + 80);
}

TEST(ModelMemory, DecoderLlmWithGroupedQueryAttentionAndKvCache) {
  // The support assistant's 8B decoder (Llama 3 8B shape), weight-only int8.
  Json a = arch(
      "{type: decoder_llm, layers: 32, d_model: 4096, heads: 32, kv_heads: 8, ffn_dim: 14336, vocab: 128256,"
      " dtype: int8, prompt_tokens: {mean: 1800}, output_tokens: {mean: 160}}");
  double d = 4096;
  double attention = 2 * d * d + 2 * d * d * 8 / 32;  // q and o, then k and v at 8 of 32 heads
  double ffn = 3 * d * 14336;                         // gate, up and down
  double params = 32 * (attention + ffn) + 128256 * d;
  EXPECT_DOUBLE_EQ(params, 7504658432.0);
  EXPECT_DOUBLE_EQ(*model_parameters(a), params);
  EXPECT_DOUBLE_EQ(*model_weight_bytes(a), params * 1);
  // 2 (k, v) × 32 layers × 8 kv heads × 128 per head × 1,960 tokens × 16 sequences × 1 byte
  EXPECT_DOUBLE_EQ(*kv_cache_bytes(a, 16), 2.0 * 32 * 8 * 128 * 1960 * 16);
  EXPECT_DOUBLE_EQ(*kv_cache_bytes(a, 16), 2055208960.0);
  // int4 halves the weights; kv_heads defaults to heads (multi-head attention)
  Json b = arch(
      "{type: decoder_llm, layers: 32, d_model: 4096, heads: 32, ffn_dim: 14336, vocab: 128256, dtype: int4,"
      " prompt_tokens: {mean: 100}, output_tokens: {mean: 28}}");
  EXPECT_DOUBLE_EQ(*model_weight_bytes(b), (32 * (4 * d * d + 3 * d * 14336) + 128256 * d) * 0.5);
  EXPECT_DOUBLE_EQ(*kv_cache_bytes(b, 1), 2.0 * 32 * 32 * 128 * 128 * 0.5);
  EXPECT_FALSE(kv_cache_bytes(arch("{type: mlp, input_dim: 3}"), 1));
}

TEST(ModelMemory, TreeEnsembleCountsNodes) {
  EXPECT_DOUBLE_EQ(*model_weight_bytes(arch("{type: tree_ensemble, trees: 500, depth: 6}")), 500.0 * 64 * 16);
  EXPECT_FALSE(model_parameters(arch("{type: tree_ensemble, trees: 500, depth: 6}")));
}

TEST(ModelMemory, UnknownWhenAKeyIsMissing) {
  EXPECT_FALSE(model_weight_bytes(arch("{type: mlp, hidden: [4]}")));
  EXPECT_FALSE(model_weight_bytes(arch("{type: decoder_llm, layers: 2, d_model: 8, heads: 2}")));
  EXPECT_FALSE(model_weight_bytes(arch("{type: cnn, image: {height: 1, width: 1, channels: 1}}")));
  EXPECT_FALSE(model_weight_bytes(arch("{type: tree_ensemble, trees: 5}")));
  EXPECT_FALSE(model_weight_bytes(arch("{dtype: fp16}")));
  EXPECT_FALSE(model_weight_bytes(Json()));
  EXPECT_FALSE(kv_cache_bytes(arch("{type: decoder_llm, layers: 2, d_model: 8, heads: 2, vocab: 4}"), 1));
}

TEST(ModelMemory, DtypeBytes) {
  EXPECT_EQ(*dtype_bytes(""), 4.0);
  EXPECT_EQ(*dtype_bytes("fp32"), 4.0);
  EXPECT_EQ(*dtype_bytes("fp16"), 2.0);
  EXPECT_EQ(*dtype_bytes("bf16"), 2.0);
  EXPECT_EQ(*dtype_bytes("int8"), 1.0);
  EXPECT_EQ(*dtype_bytes("int4"), 0.5);
  EXPECT_FALSE(dtype_bytes("fp8"));
}

TEST(ModelMemory, InstanceMemoryIsTheAcceleratorsWhenThereAreAny) {
  Built b(R"(mlarch: 1
system: {name: s}
hardware:
  g5.12xlarge: {vcpus: 48, memory_gib: 192, accelerators: {type: a10g, count: 4, memory_gib: 24}, usd_per_hour: 5.672}
  r6i.large: {vcpus: 2, memory_gib: 16}
  x.gpu: {memory_gib: 8, accelerators: {type: x}}
components:
  a: {kind: service}
)");
  auto g5 = instance_type(b.system, "g5.12xlarge");
  ASSERT_TRUE(g5);
  EXPECT_EQ(g5->pointer, "/hardware/g5.12xlarge");
  EXPECT_EQ(*g5->vcpus, 48);
  EXPECT_DOUBLE_EQ(*g5->usd_per_hour, 5.672);
  ASSERT_TRUE(g5->accelerators);
  EXPECT_EQ(g5->accelerators->type, "a10g");
  EXPECT_DOUBLE_EQ(*model_memory_gib(*g5), 96.0);
  EXPECT_DOUBLE_EQ(*model_memory_gib(*instance_type(b.system, "r6i.large")), 16.0);
  EXPECT_FALSE(model_memory_gib(*instance_type(b.system, "x.gpu")));  // the host memory does not count
  EXPECT_FALSE(instance_type(b.system, "c6i.lrage"));                 // neither in `hardware` nor built in
}

// --- service times along a path ---------------------------------------------------------------

const char* kScoring = R"(mlarch: 1
system: {name: s}
components:
  gateway: {kind: gateway, service_time: {dist: constant, mean_ms: 2}}
  rules: {kind: service, service_time: {dist: constant, mean_ms: 5.5}}
  features: {kind: feature_store, service_time: {dist: exponential, mean_ms: 12}}
  slow: {kind: service, service_time: {dist: lognormal, mean_ms: 10, cv: 1}}
  ranker: {kind: model_server, service_time: {dist: constant, mean_ms: 30}}
  cached: {kind: service, service_time: {dist: constant, mean_ms: 40}, cache: {hit_ratio: 0.75, hit_time_ms: 2}}
  opaque: {kind: model_server, service_time: model}
flows:
  - {from: gateway, to: features, latency_ms: 5}
  - {from: gateway, to: features, latency_ms: 7}
  - {from: features, to: ranker}
  - {from: rules, to: slow, latency_ms: 1}
  - {from: ranker, to: gateway, latency_ms: 3}
workloads:
  - name: scoring
    arrival: {process: poisson, rate_rps: 10}
    path: [gateway, {parallel: [[rules, slow], features]}, ranker, gateway]
  - name: cached
    arrival: {process: poisson, rate_rps: 10}
    path: [gateway, cached, opaque, gateway]
)";

TEST(PathTime, ParallelStepTakesTheSlowestBranchWithItsFlowLatency) {
  Built b(kScoring);
  const Workload& w = b.system.workloads[0];
  PathTime t = path_time(b.system, w, PathStatistic::mean);
  // branch [rules, slow]: 5.5 + 1 (flow) + 10 = 16.5; branch features: 5 (the smaller of the two
  // gateway->features flows) + 12 = 17; then ranker 30, the flow ranker->gateway 3, gateway 2.
  EXPECT_DOUBLE_EQ(t.total_ms, 2 + 17 + 30 + 3 + 2);
  EXPECT_FALSE(t.lower_bound());
  std::vector<std::string> chain;
  for (const auto& v : t.critical) chain.push_back(b.system.components[v.component].id);
  EXPECT_EQ(chain, (std::vector<std::string>{"gateway", "features", "ranker", "gateway"}));
  ASSERT_TRUE(t.critical[1].flow);
  EXPECT_EQ(*t.critical[1].flow, 0u);
  EXPECT_DOUBLE_EQ(t.critical[1].network_ms, 5);
  EXPECT_DOUBLE_EQ(t.critical[3].network_ms, 3);

  // Medians: features 12 ln 2 = 8.32, slow 10 / √2 = 7.07: the branches are 5 + 8.32 = 13.32 and
  // 5.5 + 1 + 7.07 = 13.57, so the rules branch is now the slowest.
  PathTime m = path_time(b.system, w, PathStatistic::median);
  EXPECT_NEAR(m.total_ms, 2 + (5.5 + 1 + 10 / std::sqrt(2.0)) + 30 + 3 + 2, 1e-9);
  EXPECT_EQ(b.system.components[m.critical[1].component].id, "rules");
}

TEST(PathTime, UnknownServiceTimesMakeALowerBound) {
  Built b(kScoring);
  PathTime t = path_time(b.system, b.system.workloads[1], PathStatistic::mean);
  // cached: 0.75 × 2 + 0.25 × 40 = 11.5; opaque unknown
  EXPECT_DOUBLE_EQ(t.total_ms, 2 + 11.5 + 2);
  ASSERT_EQ(t.unknown.size(), 1u);
  EXPECT_EQ(b.system.components[t.unknown[0]].id, "opaque");
  // The median of a mix of 75% hits of 2 ms and misses is at least min(2, 40)
  PathTime m = path_time(b.system, b.system.workloads[1], PathStatistic::median);
  EXPECT_DOUBLE_EQ(m.total_ms, 2 + 2 + 2);
}

TEST(PathTime, MedianLowerBounds) {
  Built b(R"(mlarch: 1
system: {name: s}
components:
  c: {kind: service, service_time: {dist: constant, mean_ms: 10}}
  e: {kind: service, service_time: {dist: exponential, mean_ms: 10}}
  l: {kind: service, service_time: {dist: lognormal, mean_ms: 10, cv: 2}}
  p: {kind: service, service_time: {dist: lognormal, mean_ms: 10, p99_ms: 40}}
  g: {kind: service, service_time: {dist: gamma, mean_ms: 10, cv: 0.5}}
  x: {kind: service, service_time: {dist: empirical, file: samples.txt}}
)");
  auto median = [&](const char* id) { return median_service_ms(*b.system.component(id)); };
  EXPECT_DOUBLE_EQ(*median("c"), 10);
  EXPECT_DOUBLE_EQ(*median("e"), 10 * std::log(2.0));
  EXPECT_DOUBLE_EQ(*median("l"), 10 / std::sqrt(5.0));
  // mean 10, p99 40: σ = z − √(z² − 2 ln 4), median = mean × exp(−σ²/2)
  double z = 2.3263478740408408, sigma = z - std::sqrt(z * z - 2 * std::log(4.0));
  EXPECT_NEAR(*median("p"), 10 * std::exp(-sigma * sigma / 2), 1e-12);
  EXPECT_NEAR(std::log(10.0) - sigma * sigma / 2 + z * sigma, std::log(40.0), 1e-12);  // its p99 is 40
  EXPECT_DOUBLE_EQ(*median("g"), 10 * (1 - 0.25 / 3));
  EXPECT_FALSE(median("x"));
}

// --- REL030 -----------------------------------------------------------------------------------

TEST(LatencyBudget, MessageNamesTheLargestContributors) {
  auto findings = run_rule("REL030", std::string(kScoring) + R"(slos:
  - {workload: scoring, latency_p99_ms: 50, latency_p95_ms: 60}
  - {workload: cached, latency_p95_ms: 15}
)");
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_EQ(findings[0].pointer, "/slos/0/latency_p99_ms");
  EXPECT_EQ(findings[0].message,
            "workload 'scoring' cannot meet its p99 latency objective of 50 ms: the mean service times along its "
            "path already add up to 54 ms ('ranker' 30 ms, 'features' 12 ms, flow 'gateway->features' 5 ms, ...), "
            "before any queueing");
  EXPECT_EQ(findings[1].pointer, "/slos/1/latency_p95_ms");
  EXPECT_EQ(findings[1].message,
            "workload 'cached' cannot meet its p95 latency objective of 15 ms: the mean service times along its path "
            "already add up to at least 15.5 ms ('cached' 11.5 ms, 'gateway' 4 ms over 2 visits), not counting "
            "'opaque' whose service time is unknown, before any queueing");
}

TEST(LatencyBudget, EachObjectiveOnItsOwn) {
  // means 54, medians 2 + 13.57 + 30 + 3 + 2 = 50.57
  auto findings = run_rule("REL030", std::string(kScoring) + R"(slos:
  - {workload: scoring, latency_p50_ms: 50.5, latency_p95_ms: 54, latency_p99_ms: 53.9}
  - {workload: scoring, latency_p50_ms: 50.6}
)");
  std::vector<std::string> at;
  for (const auto& f : findings) at.push_back(f.pointer);
  EXPECT_EQ(at, (std::vector<std::string>{"/slos/0/latency_p50_ms", "/slos/0/latency_p99_ms"}));
}

// --- COST020 ----------------------------------------------------------------------------------

const char* kFleet = R"(mlarch: 1
system: {name: s}
hardware:
  c6i.xlarge: {usd_per_hour: 0.17}
  g5.xlarge: {accelerators: {type: a10g, count: 1, memory_gib: 24}, usd_per_hour: 1.006}
  g6e.xlarge: {accelerators: {type: l40s, count: 1, memory_gib: 48}, usd_per_hour: 1.861}
  free.tier: {usd_per_hour: 0}
  s3.standard: {}
components:
  api: {kind: service, instance: c6i.xlarge, replicas: 4}
  ranker: {kind: model_server, instance: g5.xlarge, replicas: {min: 6, max: 20}}
  llm: {kind: model_server, instance: g6e.xlarge, replicas: 2}
  spare: {kind: service, instance: g6e.xlarge, replicas: 0}
  tiny: {kind: service, instance: free.tier, replicas: 3}
  sessions: {kind: cache, instance: r6i.large}
  features: {kind: feature_store, instance: r6i.xlarge}
  events: {kind: stream, instance: r6i.large}
  store: {kind: object_store, instance: s3.standard}
  trainer: {kind: training_pipeline, instance: g5.xlarge}
  nothing: {kind: database}
)";

TEST(OverBudget, SumsReplicasTimesHoursTimesPrice) {
  // From `hardware`: 4 × 730 × 0.17 + 6 × 730 × 1.006 + 2 × 730 × 1.861 = 496.4 + 4,406.28 + 2,717.06;
  // built in: r6i.large 2 × 730 × 0.126 + r6i.xlarge 730 × 0.252 = 183.96 + 183.96; 7,987.66 in all
  auto findings = run_rule("COST020", std::string(kFleet) + "budget: {usd_per_month: 7987}\n");
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].pointer, "/budget/usd_per_month");
  EXPECT_EQ(findings[0].message,
            "the instances that run all month cost at least $7,988 a month (730 h), above the budget of $7,987: "
            "'ranker' $4,406 (6 × g5.xlarge, the autoscaling minimum), 'llm' $2,717 (2 × g6e.xlarge), "
            "'api' $496 (4 × c6i.xlarge), ...");
  ASSERT_GE(findings[0].notes.size(), 5u);
  EXPECT_EQ(findings[0].notes[1],
            "prices: c6i.xlarge $0.17/h from `hardware.c6i.xlarge`; g5.xlarge $1.006/h from `hardware.g5.xlarge`; "
            "g6e.xlarge $1.861/h from `hardware.g6e.xlarge`; r6i.large $0.126/h from the built-in catalog (aws "
            "us-east-1 on-demand, 2025-05, https://aws.amazon.com/ec2/pricing/on-demand/); r6i.xlarge $0.252/h from "
            "the built-in catalog (aws us-east-1 on-demand, 2025-05, https://aws.amazon.com/ec2/pricing/on-demand/)");
  EXPECT_EQ(findings[0].notes[2],
            "not counted: 'store', whose instance type has no `usd_per_hour` in `hardware` or the built-in catalog");
  EXPECT_EQ(findings[0].notes[3],
            "not counted: 'trainer', batch jobs and training pipelines that run for a time the spec does not give");
  EXPECT_TRUE(run_rule("COST020", std::string(kFleet) + "budget: {usd_per_month: 7988}\n").empty());
  EXPECT_TRUE(run_rule("COST020", kFleet).empty());  // no budget, nothing to compare with
}

TEST(OverBudget, ExactWhenEverythingIsPricedAndFixed) {
  auto findings = run_rule("COST020", R"(mlarch: 1
system: {name: s}
hardware:
  c6i.xlarge: {usd_per_hour: 0.17}
components:
  a: {kind: service, instance: c6i.xlarge, replicas: 10}
  b: {kind: service, instance: c6i.xlarge}
  c: {kind: service, instance: c6i.xlarge, replicas: 2}
  d: {kind: service, instance: c6i.xlarge, replicas: 1}
  e: {kind: gateway}
budget: {usd_per_month: 1000}
)");
  ASSERT_EQ(findings.size(), 1u);
  // 14 × 730 × 0.17 = 1,737.4
  EXPECT_EQ(findings[0].message,
            "the instances that run all month cost $1,737 a month (730 h), above the budget of $1,000: "
            "'a' $1,241 (10 × c6i.xlarge), 'c' $248 (2 × c6i.xlarge), 'b' $124 (1 × c6i.xlarge), ...");
  ASSERT_EQ(findings[0].notes.size(), 3u);  // why, prices, see: nothing was left out
  EXPECT_EQ(findings[0].notes[1], "prices: c6i.xlarge $0.17/h from `hardware.c6i.xlarge`");
}

// --- COST021 ----------------------------------------------------------------------------------

TEST(ModelFit, MessageGivesBothSides) {
  auto findings = run_rule("COST021", R"(mlarch: 1
system: {name: s}
hardware:
  g5.xlarge: {accelerators: {type: a10g, count: 1, memory_gib: 24}}
  g5.12xlarge: {accelerators: {type: a10g, count: 4, memory_gib: 24}}
  r6i.large: {memory_gib: 16}
components:
  llm: {kind: model_server, model: big, instance: g5.xlarge, batching: {max_batch: 8}}
  llm4: {kind: model_server, model: big, instance: g5.12xlarge}
  trees: {kind: model_server, model: forest, instance: r6i.large}
models:
  big:
    architecture: {type: decoder_llm, layers: 80, d_model: 8192, heads: 64, kv_heads: 8, ffn_dim: 28672,
                   vocab: 32000, dtype: fp16, prompt_tokens: {mean: 1000}, output_tokens: {mean: 200}}
  forest:
    architecture: {type: tree_ensemble, trees: 2000, depth: 20}
)");
  ASSERT_EQ(findings.size(), 3u);
  EXPECT_EQ(findings[0].pointer, "/components/llm/instance");
  // 68,713,185,280 parameters × 2 bytes = 128 GiB; KV 2 × 80 × 8 × 128 × 1,200 × 8 × 2 = 2.93 GiB
  EXPECT_EQ(findings[0].message,
            "model 'big' does not fit in the memory of 'llm': its weights take 128 GiB (68.7 billion parameters in "
            "fp16) and the KV cache of 8 sequences of 1,200 tokens takes 2.93 GiB: 131 GiB in all, but one g5.xlarge has "
            "24 GiB of accelerator memory (1 × a10g)");
  EXPECT_EQ(findings[1].message,
            "model 'big' does not fit in the memory of 'llm4': its weights take 128 GiB (68.7 billion parameters in "
            "fp16) and the KV cache of 1 sequence of 1,200 tokens takes 0.366 GiB: 128 GiB in all, but one g5.12xlarge has "
            "96 GiB of accelerator memory (4 × a10g, 24 GiB each)");
  // 2,000 × 2^20 × 16 bytes = 31.25 GiB
  EXPECT_EQ(findings[2].message,
            "model 'forest' does not fit in the memory of 'trees': its weights take 31.2 GiB (2,000 trees of depth "
            "20, 16 bytes a node), but one r6i.large has 16 GiB of memory");
}

TEST(ModelFit, TheSupportAssistantFitsItsL40s) {
  // 7.5 GB of int8 weights + 2.06 GB of KV cache for 16 sequences of 1,960 tokens, of 48 GiB.
  std::string spec = test::read_file(test::source_dir() / "examples" / "support-assistant.yaml");
  EXPECT_TRUE(run_rule("COST021", spec).empty());
  Built b(spec);
  const Json& a = (*b.system.model("assistant-8b")->raw)["architecture"];
  double need = *model_weight_bytes(a) + *kv_cache_bytes(a, 16);
  EXPECT_NEAR(need / 1073741824.0, 8.9, 0.05);
  EXPECT_LT(need, 48.0 * 1073741824.0);
}

// --- COST022 / COST023 ------------------------------------------------------------------------

TEST(GpuFleet, FixedFleetMessage) {
  auto findings = run_rule("COST022", test::read_file(test::source_dir() / "rules/COST022/fail.yaml"));
  ASSERT_EQ(findings.size(), 2u);
  if (findings[0].element != "ranker") std::swap(findings[0], findings[1]);
  EXPECT_EQ(findings[0].message,
            "component 'ranker' runs a fixed 8 × g5.xlarge (8 × a10g) around the clock, $5,875 a month whatever the "
            "load: its load peaks at 3× its mean, so off-peak most of them idle");
  EXPECT_EQ(findings[1].message,
            "component 'embedder' runs a fixed 2 × g5.12xlarge (8 × a10g) around the clock, $8,281 a month whatever "
            "the load: nothing lets the fleet shrink when the load falls off-peak");  // the built-in price
}

TEST(GpuFleet, IdleAtPeakMessage) {
  auto findings = run_rule("COST023", test::read_file(test::source_dir() / "rules/COST023/fail.yaml"));
  ASSERT_EQ(findings.size(), 2u);
  if (findings[0].element != "scorer") std::swap(findings[0], findings[1]);
  EXPECT_EQ(findings[0].pointer, "/components/scorer/replicas");
  EXPECT_EQ(findings[0].message,
            "component 'scorer' keeps 1 × g5.xlarge ($734 a month) mostly idle even at peak: 5 req/s × 8 ms ÷ "
            "(1 server) = utilization 0.04");
  EXPECT_EQ(findings[1].pointer, "/components/ranker/replicas/min");
  EXPECT_EQ(findings[1].message,
            "component 'ranker' keeps 2 × g5.xlarge ($1,469 a month) mostly idle even at peak: 100 req/s × 10 ms ÷ "
            "(2 servers × batches of 8) = utilization 0.0625");
}

TEST(CapacityRules, NoFindingOnTheExamples) {
  LintReport report = test::lint_in_source_dir({"examples"}, kCapacityRules);
  EXPECT_EQ(report.files.size(), 5u);
  for (const auto& f : report.findings) ADD_FAILURE() << f.file << ":" << f.position.line << ": " << f.rule << " " << f.message;
}

TEST(CapacityRules, MoreThanTenCostRules) {
  int cost = 0;
  for (const auto& r : Catalog::builtin().rules()) cost += r.category == Category::cost;
  EXPECT_GE(cost, 10);
}

// --- scale --------------------------------------------------------------------------------------

// 10,000 priced components on one path of 5,000 parallel steps, with flows, an SLO and a budget:
// the whole catalog, the capacity rules included, gives exactly the expected findings (its speed is
// measured in bench/, not here).
TEST(CapacityRules, WholeCatalogOnTenThousandComponents) {
  const int n = 10000;
  std::string spec =
      "mlarch: 1\nsystem: {name: big, owner: team}\n"
      "hardware:\n  c6i.large: {vcpus: 2, memory_gib: 4, usd_per_hour: 0.085}\n"
      "  g5.xlarge: {vcpus: 4, memory_gib: 16, accelerators: {type: a10g, count: 1, memory_gib: 24}, usd_per_hour: 1.006}\n"
      "components:\n";
  for (int i = 0; i < n; ++i)
    spec += fmt::format("  c{}: {{kind: service, instance: {}, replicas: 2, concurrency: 8, "
                        "service_time: {{dist: exponential, mean_ms: {}}}}}\n",
                        i, i % 100 == 0 ? "g5.xlarge" : "c6i.large", 1 + i % 3);
  spec += "flows:\n";
  for (int i = 0; i + 2 < n; i += 2) {
    for (int a = i; a < i + 2; ++a)
      for (int b = i + 2; b < i + 4; ++b) spec += fmt::format("  - {{from: c{}, to: c{}, latency_ms: 0.5}}\n", a, b);
  }
  spec += "workloads:\n  - name: w\n    arrival: {process: poisson, rate_rps: 10}\n    path:\n";
  for (int i = 0; i < n; i += 2) spec += fmt::format("      - parallel: [c{}, c{}]\n", i, i + 1);
  spec += "slos:\n  - {workload: w, latency_p99_ms: 1000}\nbudget: {usd_per_month: 100000}\n";

  auto findings = run(spec);
  std::map<std::string, int> per_rule;
  for (const auto& f : findings) ++per_rule[f.rule];
  EXPECT_EQ(per_rule["REL030"], 1);
  EXPECT_EQ(per_rule["COST020"], 1);
  EXPECT_EQ(per_rule["COST022"], 0);    // the fixed pairs of g5.xlarge serve a flat load
  EXPECT_EQ(per_rule["COST023"], 100);  // and idle: 10 req/s × 1 ms ÷ 16 servers
  for (const auto& f : findings)
    if (f.rule == "COST020") {
      // 9,900 × 2 × 730 × 0.085 + 100 × 2 × 730 × 1.006 = 1,228,590 + 146,876
      EXPECT_NE(f.message.find("cost $1,375,466 a month"), std::string::npos) << f.message;
    }
}

}  // namespace
}  // namespace mlarch
