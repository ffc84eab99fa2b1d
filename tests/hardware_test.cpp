// The built-in hardware catalog (valid against its schema, loaded into the binary), its merge
// with the spec's `hardware`, unknown instance types as input errors, the roofline cost model
// against hand-computed numbers, and COST020 pricing from the catalog.
#include <string>

#include <gtest/gtest.h>

#include "mlarch/analyzer/capacity.hpp"
#include "mlarch/analyzer/cost_model.hpp"
#include "mlarch/analyzer/hardware.hpp"
#include "mlarch/analyzer/model.hpp"
#include "mlarch/analyzer/schema.hpp"
#include "test_support.hpp"

namespace mlarch {
namespace {

using test::Built;

using test::arch;

// --- the catalog --------------------------------------------------------------------------------

TEST(HardwareCatalog, DataFileIsValidAgainstItsSchema) {
  LoadResult loaded = load_document((test::source_dir() / "analyzer/data/hardware.yaml").string());
  ASSERT_TRUE(loaded.document) << (loaded.errors.empty() ? "" : loaded.errors[0].message);
  Json schema = Json::parse(test::read_file(test::source_dir() / "schemas/hardware-catalog-v1.schema.json"));
  SchemaValidator validator(schema);
  for (const auto& e : validator.validate(*loaded.document))
    ADD_FAILURE() << "hardware.yaml:" << e.position.line << ":" << e.position.column << ": " << e.message;
  // What the binary embeds is that file, every entry of it.
  EXPECT_EQ(builtin_instance_types().size(), loaded.document->root["instance_types"].size());
}

TEST(HardwareCatalog, HoldsTheMajorCloudsFamilies) {
  const auto& catalog = builtin_instance_types();
  for (const char* name : {"c6i.large", "m6i.xlarge", "r6i.4xlarge", "c7g.2xlarge", "g5.xlarge", "g6.xlarge",
                           "p4d.24xlarge", "p5.48xlarge", "n2-standard-4", "c3-standard-8", "g2-standard-4",
                           "a2-highgpu-1g", "a3-highgpu-8g", "Standard_D4s_v5", "Standard_NC24ads_A100_v4",
                           "Standard_ND96isr_H100_v5"})
    EXPECT_TRUE(catalog.count(name)) << name;
  for (const auto& [name, t] : catalog) {
    EXPECT_TRUE(t.builtin);
    EXPECT_TRUE(t.pointer.empty()) << name;
    EXPECT_TRUE(t.usd_per_hour) << name;
    EXPECT_EQ(t.price.source.rfind("https://", 0), 0u) << name;
    EXPECT_TRUE(t.peak_gflops.at("fp32")) << name;
  }
  const InstanceType& p5 = catalog.find("p5.48xlarge")->second;
  ASSERT_TRUE(p5.accelerators);
  EXPECT_EQ(p5.accelerators->type, "h100");
  EXPECT_EQ(p5.accelerators->count, 8);
  EXPECT_DOUBLE_EQ(*model_memory_gib(p5), 640.0);
  EXPECT_DOUBLE_EQ(*p5.accelerators->peak_tflops.at("bf16"), 989.0);
  EXPECT_EQ(p5.price_source(),
            "the built-in catalog (aws us-east-1 on-demand, 2025-05, https://aws.amazon.com/ec2/pricing/on-demand/)");
}

TEST(HardwareCatalog, PeakRateFallsBackAcrossPrecisions) {
  PeakRate r;
  r.by_dtype = {{"fp32", 10}, {"bf16", 40}, {"int8", 80}};
  EXPECT_EQ(*r.at(""), 10);
  EXPECT_EQ(*r.at("fp16"), 40);  // bf16 units run fp16
  EXPECT_EQ(*r.at("int4"), 80);  // at the int8 rate
  r.by_dtype.erase("int8");
  EXPECT_EQ(*r.at("int8"), 10);  // no int8 units: fp32
  r.any = 5;                     // the spec's figure at the model's precision wins
  EXPECT_EQ(*r.at("bf16"), 5);
}

// --- the spec's `hardware` over the catalog -------------------------------------------------------

TEST(HardwareCatalog, SpecFieldsWinTheRestComesFromTheCatalog) {
  Built b(R"(mlarch: 1
system: {name: s}
hardware:
  g5.xlarge: {usd_per_hour: 0.9, accelerators: {type: a10g, peak_tflops: 70}}
  g5.2xlarge: {accelerators: {type: l4}}
  c6i.large: {peak_gflops: 150}
  on.prem: {vcpus: 64, memory_gib: 256}
components:
  a: {kind: service}
)");
  auto g5 = instance_type(b.system, "g5.xlarge");
  ASSERT_TRUE(g5);
  EXPECT_EQ(g5->pointer, "/hardware/g5.xlarge");
  EXPECT_TRUE(g5->builtin);
  EXPECT_DOUBLE_EQ(*g5->usd_per_hour, 0.9);
  EXPECT_EQ(g5->price_source(), "`hardware.g5.xlarge`");
  EXPECT_EQ(*g5->vcpus, 4);                                        // built in
  ASSERT_TRUE(g5->accelerators);
  EXPECT_DOUBLE_EQ(*g5->accelerators->memory_gib, 24.0);           // built in: the same accelerator
  EXPECT_DOUBLE_EQ(*g5->accelerators->peak_tflops.at("int8"), 70); // the spec's, at the model's precision

  auto other = instance_type(b.system, "g5.2xlarge");  // another accelerator: none of the A10G's figures
  ASSERT_TRUE(other && other->accelerators);
  EXPECT_EQ(other->accelerators->type, "l4");
  EXPECT_FALSE(other->accelerators->memory_gib);
  EXPECT_DOUBLE_EQ(*other->usd_per_hour, 1.212);
  EXPECT_FALSE(other->price.from_spec);

  auto cpu = instance_type(b.system, "c6i.large");
  EXPECT_DOUBLE_EQ(*cpu->peak_gflops.at("fp32"), 150);  // the spec's number is fp32
  EXPECT_DOUBLE_EQ(*cpu->peak_gflops.at("int8"), 896);  // the rest built in

  auto own = instance_type(b.system, "on.prem");
  ASSERT_TRUE(own);
  EXPECT_FALSE(own->builtin);
  EXPECT_FALSE(own->usd_per_hour);
  EXPECT_EQ(*own->vcpus, 64);

  auto builtin = instance_type(b.system, "m6i.large");
  ASSERT_TRUE(builtin);
  EXPECT_TRUE(builtin->pointer.empty());
  EXPECT_DOUBLE_EQ(*builtin->usd_per_hour, 0.096);
  EXPECT_FALSE(instance_type(b.system, "m6i.lrage"));
}

// --- unknown instance types -----------------------------------------------------------------------

const char* kTypo = R"(mlarch: 1
system: {name: s}
hardware:
  on.prem: {vcpus: 64}
components:
  api: {kind: service, instance: c6i.lrage}
  box: {kind: service, instance: on.prem}
  gpu: {kind: model_server, instance: p5.48xlarge}
)";

TEST(HardwareCatalog, UnknownInstanceTypeIsAnInputErrorWithASuggestion) {
  Document doc = test::load_text(kTypo);
  BuildResult r = build_system(doc);
  ASSERT_EQ(r.errors.size(), 1u);
  const Finding& e = r.errors[0];
  EXPECT_EQ(e.rule, "E005");
  EXPECT_EQ(e.pointer, "/components/api/instance");
  EXPECT_EQ(e.position.line, 6);
  EXPECT_EQ(e.position.column, 34);
  EXPECT_EQ(e.message, "unknown instance type 'c6i.lrage' in component 'api' (did you mean 'c6i.large'?)");
}

TEST(HardwareCatalog, UnknownInstanceTypeExitsTwoFromTheCli) {
  test::TempDir dir;
  dir.write("spec.yaml", kTypo);
  auto r = test::run_mlarch("lint spec.yaml", dir.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE((r.out + r.err).find("spec.yaml:6:34: error[E005]: unknown instance type 'c6i.lrage' in component 'api' "
                                 "(did you mean 'c6i.large'?)"),
            std::string::npos)
      << r.out << r.err;
}

TEST(HardwareCatalog, HardwareCommandListsTheCatalogMergedWithASpec) {
  auto r = test::run_mlarch("hardware");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("p5.48xlarge"), std::string::npos);
  test::TempDir dir;
  dir.write("spec.yaml", R"(mlarch: 1
system: {name: s}
hardware:
  g5.xlarge: {usd_per_hour: 0.9}
  on.prem: {vcpus: 64, cache_mib: 32, mem_random_gbs: 6.5}
components:
  a: {kind: service}
)");
  r = test::run_mlarch("hardware spec.yaml --format json", dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json out = Json::parse(r.out);
  EXPECT_EQ(out["version"], 1);
  std::map<std::string, Json> by_name;
  for (const auto& t : out["instance_types"]) by_name[t["name"].get<std::string>()] = t;
  EXPECT_EQ(by_name["g5.xlarge"]["origin"], "spec over built-in");
  EXPECT_EQ(by_name["g5.xlarge"]["usd_per_hour"], 0.9);
  EXPECT_EQ(by_name["g5.xlarge"]["accelerators"]["memory_gib"], 24.0);
  EXPECT_EQ(by_name["on.prem"]["origin"], "spec");
  EXPECT_EQ(by_name["on.prem"]["cache_mib"], 32.0);
  EXPECT_EQ(by_name["on.prem"]["mem_random_gbs"], 6.5);
  EXPECT_FALSE(by_name["on.prem"].contains("cache_random_gbs"));  // only what is known
  EXPECT_EQ(by_name["c6i.large"]["origin"], "built-in");
  EXPECT_EQ(test::run_mlarch("hardware no-such-file.yaml").exit_code, 2);
}

// --- the cost model ---------------------------------------------------------------------------------

TEST(CostModel, MlpFlopsAndBytesByHand) {
  // 4 → 8 → 2 in fp32, batch 3: 48 multiply-adds a sample; 58 weights (232 bytes); activations
  // (4 + 8) + (8 + 2) = 22 values a sample read or written.
  auto w = inference_work(arch("{type: mlp, input_dim: 4, hidden: [8], output_dim: 2}"), 3);
  ASSERT_TRUE(w);
  ASSERT_EQ(w->passes.size(), 1u);
  EXPECT_DOUBLE_EQ(w->flops(), 2 * 3 * 48);
  EXPECT_DOUBLE_EQ(w->bytes(), 232 + 3 * 22 * 4);
  EXPECT_DOUBLE_EQ(w->footprint_bytes, 232 + 3 * 12 * 4);
}

TEST(CostModel, TransformerEncoderFlopsByHand) {
  // 2 layers of d 8, 2 heads, ffn 32, 4 tokens: 768 weights a layer (attention 4 × 64, FFN 2 × 256);
  // 2 × 4 × 1,536 for the projections, 2 layers × 4 × 8 × 4² for attention.
  auto w = inference_work(arch("{type: transformer_encoder, layers: 2, d_model: 8, heads: 2, vocab: 10, seq_len: 4}"), 1);
  ASSERT_TRUE(w);
  EXPECT_DOUBLE_EQ(w->flops(), 2 * 4 * 1536 + 2 * 4 * 8 * 16);
  // Weights 1,536 × 4; per token the embedding row (8) and per layer the matmuls' inputs and
  // outputs (q and o 2 × 16, k and v 2 × 16, up 40, down 40: 144) plus K and V (16).
  EXPECT_DOUBLE_EQ(w->bytes(), 1536 * 4 + 4 * (8 + 2 * (144 + 16)) * 4);
  // Twice the batch, twice the FLOPs; a longer sequence, quadratic attention.
  EXPECT_DOUBLE_EQ(inference_work(arch("{type: transformer_encoder, layers: 2, d_model: 8, heads: 2, vocab: 10, seq_len: 4}"), 2)->flops(),
                   2 * w->flops());
  EXPECT_DOUBLE_EQ(inference_work(arch("{type: transformer_encoder, layers: 2, d_model: 8, heads: 2, vocab: 10}"), 1, 8.0)->flops(),
                   2 * 8 * 1536 + 2 * 4 * 8 * 64);
  EXPECT_FALSE(inference_work(arch("{type: transformer_encoder, layers: 2, d_model: 8, heads: 2, vocab: 10}"), 1));
}

TEST(CostModel, DecoderPrefillsThenDecodesOneStepPerOutputToken) {
  Json a = arch(R"({type: decoder_llm, layers: 32, d_model: 4096, heads: 32, kv_heads: 8, ffn_dim: 14336, vocab: 128256,
                   dtype: int8, prompt_tokens: {mean: 1000}, output_tokens: {mean: 201}})");
  auto w = inference_work(a, 4);
  ASSERT_TRUE(w);
  ASSERT_EQ(w->passes.size(), 2u);
  EXPECT_EQ(w->passes[0].phase, "prefill");
  EXPECT_EQ(w->passes[1].phase, "decode");
  EXPECT_EQ(w->passes[1].runs, 201);
  // Each decode step reads the weights once and the KV cache of its context (mean 1,000 + 100 tokens).
  double kv_per_token = *kv_cache_bytes(a, 1) / 1201;
  double weights = *model_weight_bytes(a);
  EXPECT_GT(w->passes[1].bytes, weights);
  EXPECT_NEAR(w->passes[1].bytes - weights, 4 * 1100 * kv_per_token, 0.2 * 4 * 1100 * kv_per_token);
  EXPECT_DOUBLE_EQ(w->footprint_bytes - weights - *kv_cache_bytes(a, 4), 4 * 1000 * (6 * 4096 + 2 * 1024 + 2 * (4096 + 14336) + 14336 + 4096));

  // On a g5.xlarge (built in: one A10G), prefill is compute-bound and decoding memory-bound.
  Built b("mlarch: 1\nsystem: {name: s}\ncomponents:\n  a: {kind: service}\n");
  auto e = roofline(*w, *instance_type(b.system, "g5.xlarge"), "int8");
  ASSERT_TRUE(e);
  EXPECT_TRUE(e->on_accelerators);
  EXPECT_EQ(e->passes[0].bound, Bound::compute);
  EXPECT_EQ(e->passes[1].bound, Bound::memory);
  EXPECT_EQ(e->bound, Bound::memory);  // 201 steps take most of the time
  EXPECT_DOUBLE_EQ(e->peak_flops_per_s, 250e12);
}

TEST(CostModel, RooflinePicksTheBoundAndAddsTheOverhead) {
  Built b(R"(mlarch: 1
system: {name: s}
hardware:
  cpu.box: {peak_gflops: 100, mem_bandwidth_gbs: 10}
  gpu.box: {accelerators: {type: x, count: 2, peak_tflops: 100}}
components:
  a: {kind: service}
)");
  auto cpu = *instance_type(b.system, "cpu.box");
  // A small MLP moves more bytes than it computes FLOPs per byte the box balances: memory-bound.
  auto small = roofline(*inference_work(arch("{type: mlp, input_dim: 4, hidden: [8], output_dim: 2}"), 3), cpu, "fp32");
  ASSERT_TRUE(small);
  EXPECT_EQ(small->bound, Bound::memory);
  EXPECT_FALSE(small->on_accelerators);
  EXPECT_DOUBLE_EQ(small->ms, 496 / (10e9 * kMemoryEfficiency) * 1000 + kCpuPassOverheadMs);
  // A wide one at batch 256 reuses each weight 256 times: compute-bound.
  auto wide = inference_work(arch("{type: mlp, input_dim: 1024, hidden: [1024], output_dim: 1024}"), 256);
  auto big = roofline(*wide, cpu, "fp32");
  ASSERT_TRUE(big);
  EXPECT_EQ(big->bound, Bound::compute);
  EXPECT_DOUBLE_EQ(big->flops, 2.0 * 256 * 2 * 1024 * 1024);
  EXPECT_DOUBLE_EQ(big->ms, big->flops / (100e9 * kComputeEfficiency) * 1000 + kCpuPassOverheadMs);
  // An accelerator without its bandwidth gives no estimate rather than a CPU one.
  EXPECT_FALSE(roofline(*wide, *instance_type(b.system, "gpu.box"), "fp32"));
}

// With the CPU's cache declared, a model whose working set fits streams its bytes at the cache's
// bandwidth; one that does not fit, and the random reads (embedding rows, tree nodes), at the
// memory's.
TEST(CostModel, AWorkingSetThatFitsTheCacheIsReadAtTheCachesBandwidth) {
  Built b(R"(mlarch: 1
system: {name: s}
hardware:
  cpu.box: {peak_gflops: 100, mem_bandwidth_gbs: 10, cache_mib: 1, cache_bandwidth_gbs: 50}
  plain.box: {peak_gflops: 100, mem_bandwidth_gbs: 10}
  probed.box: {peak_gflops: 100, mem_bandwidth_gbs: 10, cache_mib: 1, cache_bandwidth_gbs: 50, cache_random_gbs: 20, mem_random_gbs: 4}
components:
  a: {kind: service}
)");
  auto cpu = *instance_type(b.system, "cpu.box");
  ASSERT_EQ(cpu.cpu_memory.cache_mib, 1.0);
  ASSERT_EQ(cpu.cpu_memory.cache_bandwidth_gbs, 50.0);
  // 4 → 8 → 2 at batch 3: 496 bytes, a 304-byte footprint: in the cache.
  auto small = inference_work(arch("{type: mlp, input_dim: 4, hidden: [8], output_dim: 2}"), 3);
  auto in_cache = roofline(*small, cpu, "fp32");
  ASSERT_TRUE(in_cache);
  EXPECT_TRUE(in_cache->cache_resident);
  EXPECT_DOUBLE_EQ(in_cache->ms, 496 / (50e9 * kMemoryEfficiency) * 1000 + kCpuPassOverheadMs);
  auto plain = roofline(*small, *instance_type(b.system, "plain.box"), "fp32");
  EXPECT_FALSE(plain->cache_resident);
  EXPECT_DOUBLE_EQ(plain->ms, 496 / (10e9 * kMemoryEfficiency) * 1000 + kCpuPassOverheadMs);
  // 512 → 512 → 1: 1 MiB of weights and more: not in a 1 MiB cache.
  auto big = roofline(*inference_work(arch("{type: mlp, input_dim: 512, hidden: [512], output_dim: 1}"), 1), cpu, "fp32");
  EXPECT_FALSE(big->cache_resident);
  EXPECT_NEAR(big->ms, big->bytes / (10e9 * kMemoryEfficiency) * 1000 + kCpuPassOverheadMs, 1e-12);
  // An embedding MLP with a 40 MB table: the dense part fits, so it streams from the cache, while
  // the looked-up rows (2 × 8 floats per sample) come from memory.
  auto emb = inference_work(arch("{type: embedding_mlp, input_dim: 4, embedding_tables: [{rows: 1250000, dim: 8, lookups: 2}], hidden: [8], output_dim: 2}"), 3);
  ASSERT_TRUE(emb);
  const double rows = 3 * 2 * 8 * 4.0;
  ASSERT_DOUBLE_EQ(emb->passes[0].random_bytes, rows);
  auto e = roofline(*emb, cpu, "fp32");
  EXPECT_TRUE(e->cache_resident);
  EXPECT_NEAR(e->ms, ((e->bytes - rows) / (50e9 * kMemoryEfficiency) + rows / (10e9 * kMemoryEfficiency)) * 1000 + kCpuPassOverheadMs,
              1e-12);
  // With the random-read rates given, the gathered rows go at memory's (the tables do not fit);
  // a gather from tables that fit, at the cache's.
  auto probed = *instance_type(b.system, "probed.box");
  auto g = roofline(*emb, probed, "fp32");
  EXPECT_NEAR(g->ms, ((g->bytes - rows) / (50e9 * kMemoryEfficiency) + rows / (4e9 * kRandomReadEfficiency)) * 1000 + kCpuPassOverheadMs,
              1e-12);
  auto small_tables = inference_work(arch("{type: embedding_mlp, input_dim: 4, embedding_tables: [{rows: 100, dim: 8, lookups: 2}], hidden: [8], output_dim: 2}"), 3);
  auto s = roofline(*small_tables, probed, "fp32");
  EXPECT_NEAR(s->ms, ((s->bytes - rows) / (50e9 * kMemoryEfficiency) + rows / (20e9 * kRandomReadEfficiency)) * 1000 + kCpuPassOverheadMs,
              1e-12);
  // A small tree ensemble fits too, but each node visit waits for the one before: priced at the
  // memory bandwidth, a line a visit, whatever the cache and random-read figures.
  auto trees = inference_work(arch("{type: tree_ensemble, trees: 10, depth: 4, input_dim: 8}"), 2);
  for (const auto* box : {&cpu, &probed}) {
    auto t = roofline(*trees, *box, "fp32");
    EXPECT_FALSE(t->cache_resident);
    EXPECT_DOUBLE_EQ(t->ms, 2 * 10 * 4 * kCacheLineBytes / (10e9 * kMemoryEfficiency) * 1000 + kCpuPassOverheadMs);
  }
}

// A calibration's host and its target compare like with like: only the figures both know.
TEST(CostModel, MemoryFiguresKnownToBothSides) {
  CpuMemory host{16, 75, 40, 7};
  CpuMemory catalog;
  EXPECT_TRUE(host.known_to(catalog).empty());
  CpuMemory spec;
  spec.mem_random_gbs = 5;
  const CpuMemory both = host.known_to(spec);
  EXPECT_EQ(both.mem_random_gbs, 7.0);  // the host's own figure
  EXPECT_FALSE(both.cache_mib);
  EXPECT_FALSE(both.cache_bandwidth_gbs);
  EXPECT_FALSE(both.cache_random_gbs);
}

TEST(CostModel, DerivedServiceTimeOfAModelOnAnInstance) {
  Built b(R"(mlarch: 1
system: {name: s}
components:
  scorer: {kind: model_server, model: fraud, instance: c6i.2xlarge}
models:
  fraud: {architecture: {type: tree_ensemble, trees: 500, depth: 8}}
  opaque: {task: ranking}
)");
  auto instance = *instance_type(b.system, "c6i.2xlarge");
  auto e = derived_service_ms(*b.system.model("fraud"), instance, 1);
  ASSERT_TRUE(e);
  // 500 × 8 node visits, a cache line each, at 25.6 GB/s × 0.7.
  EXPECT_DOUBLE_EQ(e->bytes, 500 * 8 * kCacheLineBytes);
  EXPECT_EQ(e->bound, Bound::memory);
  EXPECT_DOUBLE_EQ(e->ms, 500 * 8 * 64 / (25.6e9 * kMemoryEfficiency) * 1000 + kCpuPassOverheadMs);
  EXPECT_FALSE(derived_service_ms(*b.system.model("opaque"), instance, 1));
}

// --- COST020 with built-in prices -----------------------------------------------------------------

TEST(HardwareCatalog, OverBudgetPricesFromTheCatalog) {
  auto findings = test::run_rule("COST020", R"(mlarch: 1
system: {name: s}
components:
  api: {kind: service, instance: c6i.large, replicas: 10}
budget: {usd_per_month: 600}
)");
  ASSERT_EQ(findings.size(), 1u);
  // 10 × 730 × 0.085 = 620.5
  EXPECT_EQ(findings[0].message,
            "the instances that run all month cost $621 a month (730 h), above the budget of $600: 'api' $621 (10 × "
            "c6i.large)");
  ASSERT_GE(findings[0].notes.size(), 2u);
  EXPECT_EQ(findings[0].notes[1],
            "prices: c6i.large $0.085/h from the built-in catalog (aws us-east-1 on-demand, 2025-05, "
            "https://aws.amazon.com/ec2/pricing/on-demand/)");
}

}  // namespace
}  // namespace mlarch
