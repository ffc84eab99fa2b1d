// Simulator speed: a single M/M/c station (c = 10, utilization 0.9) through the full engine,
// against a bare hand-written event loop for the same model, in the same run. Reported as
// simulated requests per second of wall time (items_per_second).
#include <cmath>
#include <cstdint>
#include <queue>
#include <vector>

#include <benchmark/benchmark.h>

#include "mlarch/analyzer/document.hpp"
#include "mlarch/analyzer/model.hpp"
#include "mlarch/analyzer/schema.hpp"
#include "mlarch/simulator/engine.hpp"
#include "mlarch/simulator/histogram.hpp"
#include "mlarch/simulator/random.hpp"
#include "mlarch/simulator/scenario.hpp"

namespace {

using namespace mlarch;

constexpr double kRate = 900;      // requests/s
constexpr double kServiceMs = 10;  // mean; 10 servers: utilization 0.9
constexpr double kSeconds = 2000;  // 1.8 million requests per run

// The bare loop: two kinds of event (arrival, departure) in a binary heap, a FIFO of arrival
// times, one histogram. What a person writes by hand for exactly this model.
void BM_BareLoop_MMc(benchmark::State& state) {
  std::uint64_t total = 0;
  for (auto _ : state) {
    sim::Rng rng(42);
    sim::LatencyHistogram latency;
    struct Ev {
      double t;
      bool departure;
      double arrived;
      bool operator>(const Ev& o) const { return t > o.t; }
    };
    std::priority_queue<Ev, std::vector<Ev>, std::greater<>> events;
    std::queue<double> waiting;
    int busy = 0;
    const double end = kSeconds * 1000;
    events.push({rng.exponential(1000 / kRate), false, 0});
    std::uint64_t served = 0;
    while (!events.empty()) {
      Ev e = events.top();
      events.pop();
      if (!e.departure) {
        if (e.t < end) events.push({e.t + rng.exponential(1000 / kRate), false, 0});
        if (busy < 10) {
          ++busy;
          events.push({e.t + rng.exponential(kServiceMs), true, e.t});
        } else {
          waiting.push(e.t);
        }
      } else {
        latency.record(e.t - e.arrived);
        ++served;
        if (!waiting.empty()) {
          double a = waiting.front();
          waiting.pop();
          events.push({e.t + rng.exponential(kServiceMs), true, a});
        } else {
          --busy;
        }
      }
    }
    benchmark::DoNotOptimize(latency.quantile(0.99));
    total += served;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(total));
}

// The same model as a spec, through the front end, the scenario builder and the full engine
// (statistics, histograms, request and token pools).
void BM_Engine_MMc(benchmark::State& state) {
  const char* spec = R"(mlarch: 1
system: {name: mmc}
components:
  server: {kind: service, replicas: 10, service_time: {dist: exponential, mean_ms: 10}}
workloads:
  - {name: w, arrival: {process: poisson, rate_rps: 900}, path: [server]}
)";
  LoadResult loaded = load_document_from_text("mmc.yaml", spec);
  BuildResult built = build_system(*loaded.document);
  sim::ScenarioResult sc = sim::build_scenario(*built.system);
  sim::RunOptions options;
  options.duration_s = kSeconds;
  options.warmup_s = 0;
  std::uint64_t total = 0;
  for (auto _ : state) {
    sim::ReplicationResult r = sim::run_replication(*sc.scenario, options, 42);
    total += r.workloads[0].answered;
    benchmark::DoNotOptimize(r.workloads[0].latency.quantile(0.99));
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(total));
}

}  // namespace

BENCHMARK(BM_BareLoop_MMc)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Engine_MMc)->Unit(benchmark::kMillisecond)->UseRealTime();
