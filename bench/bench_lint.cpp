// Lint throughput on a generated spec, stage by stage: load (parse with positions), schema
// validation, model and graph, rules, and the whole pipeline. Sizes: 1k and 10k components (with
// three flows per component).
#include <benchmark/benchmark.h>

#include "generate_spec.hpp"
#include "mlarch/analyzer/graph.hpp"
#include "mlarch/analyzer/model.hpp"
#include "mlarch/analyzer/rules.hpp"
#include "mlarch/analyzer/schema.hpp"

namespace {

using namespace mlarch;

void BM_Load(benchmark::State& state) {
  std::string text = bench::generate_spec(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    LoadResult r = load_document_from_text("gen.yaml", text);
    benchmark::DoNotOptimize(r.document);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(text.size()));
}

// The same spec as JSON (nlohmann's parser with position tracking instead of yaml-cpp).
void BM_LoadJson(benchmark::State& state) {
  LoadResult yaml = load_document_from_text("gen.yaml", bench::generate_spec(static_cast<int>(state.range(0))));
  std::string text = yaml.document->root.dump(2);
  for (auto _ : state) {
    LoadResult r = load_document_from_text("gen.json", text);
    benchmark::DoNotOptimize(r.document);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(text.size()));
}

void BM_Validate(benchmark::State& state) {
  LoadResult r = load_document_from_text("gen.yaml", bench::generate_spec(static_cast<int>(state.range(0))));
  for (auto _ : state) benchmark::DoNotOptimize(SchemaValidator::spec_v1().validate(*r.document));
}

void BM_BuildModel(benchmark::State& state) {
  LoadResult r = load_document_from_text("gen.yaml", bench::generate_spec(static_cast<int>(state.range(0))));
  for (auto _ : state) {
    BuildResult b = build_system(*r.document);
    SystemGraph g(*b.system);
    benchmark::DoNotOptimize(g);
  }
}

void BM_Rules(benchmark::State& state) {
  LoadResult r = load_document_from_text("gen.yaml", bench::generate_spec(static_cast<int>(state.range(0))));
  BuildResult b = build_system(*r.document);
  SystemGraph g(*b.system);
  for (auto _ : state)
    benchmark::DoNotOptimize(run_rules(Catalog::builtin(), *r.document, *b.system, g, RuleSelection{}));
}

void BM_WholeLint(benchmark::State& state) {
  std::string text = bench::generate_spec(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    LoadResult r = load_document_from_text("gen.yaml", text);
    auto errors = SchemaValidator::spec_v1().validate(*r.document);
    BuildResult b = build_system(*r.document);
    SystemGraph g(*b.system);
    benchmark::DoNotOptimize(run_rules(Catalog::builtin(), *r.document, *b.system, g, RuleSelection{}));
  }
}

BENCHMARK(BM_Load)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_LoadJson)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Validate)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_BuildModel)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Rules)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_WholeLint)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
