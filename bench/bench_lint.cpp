// Lint throughput on a generated spec, stage by stage: load (parse with positions), schema
// validation, model and graph, rules, and the whole pipeline. Sizes: 1k and 10k components (with
// three flows per component).
#include <benchmark/benchmark.h>

#include <map>
#include <memory>
#include <string>
#include <utility>

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

// Each native rule alone (the graph and capacity rules), on both shapes of a 1,000- and a
// 10,000-component spec: which rule costs what, and that none grows faster than the graph.
struct LoadedBenchSpec {
  LoadResult loaded;
  BuildResult built;
  std::unique_ptr<SystemGraph> graph;
};

const LoadedBenchSpec& bench_spec(int components, bench::SpecShape shape) {
  static std::map<std::pair<int, bench::SpecShape>, LoadedBenchSpec> cache;
  auto it = cache.find({components, shape});
  if (it == cache.end()) {
    it = cache.emplace(std::make_pair(components, shape), LoadedBenchSpec{}).first;
    LoadedBenchSpec& s = it->second;  // filled in place: the graph points into the system
    s.loaded = load_document_from_text("gen.yaml", bench::generate_spec(components, shape));
    s.built = build_system(*s.loaded.document);
    s.graph = std::make_unique<SystemGraph>(*s.built.system);
  }
  return it->second;
}

void BM_NativeRule(benchmark::State& state, std::string id, bench::SpecShape shape) {
  const LoadedBenchSpec& spec = bench_spec(static_cast<int>(state.range(0)), shape);
  RuleSelection only;
  only.only = {id};
  std::size_t findings = 0;
  for (auto _ : state) {
    auto out = run_rules(Catalog::builtin(), *spec.loaded.document, *spec.built.system, *spec.graph, only);
    findings = out.size();
    benchmark::DoNotOptimize(out);
  }
  state.counters["findings"] = static_cast<double>(findings);
}

// Called from main: the catalog is compiled into the binary and may not be ready during static
// initialization.
void register_native_rule_benchmarks() {
  for (const auto& rule : Catalog::builtin().rules()) {
    if (rule.engine != RuleEngine::native) continue;
    for (auto [shape, name] : {std::pair{bench::SpecShape::layered, "layered"}, std::pair{bench::SpecShape::serving_chain, "chain"}})
      benchmark::RegisterBenchmark(("BM_NativeRule/" + std::string(name) + "/" + rule.id).c_str(), BM_NativeRule, rule.id, shape)
          ->Arg(1000)
          ->Arg(10000)
          ->Unit(benchmark::kMillisecond);
  }
}

BENCHMARK(BM_Load)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_LoadJson)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Validate)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_BuildModel)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Rules)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_WholeLint)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
  register_native_rule_benchmarks();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
