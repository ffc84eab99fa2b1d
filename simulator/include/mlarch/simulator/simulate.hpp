// Independent replications of a Scenario, run in parallel and merged into estimates with 95%
// confidence intervals. Replication i is seeded from (seed, i) alone and results are merged in
// index order, so the output does not depend on the number of threads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mlarch/simulator/engine.hpp"
#include "mlarch/simulator/scenario.hpp"

namespace mlarch::sim {

// A statistic across replications: the mean of the per-replication values and the half-width of
// its 95% Student-t interval (empty with fewer than two replications).
struct Estimate {
  double value = 0;
  std::optional<double> ci95;
};
Estimate estimate(const std::vector<double>& per_replication);

struct SimulateOptions {
  std::optional<double> duration_s;  // default: the longest workload duration_s, else 600 s
  std::optional<double> warmup_s;    // default: 10% of the duration, at most 300 s
  int replications = 5;
  std::uint64_t seed = 1;
  int threads = 0;  // 0: one per core, at most one per replication
  std::uint64_t max_in_flight = 2'000'000;
};

struct SloVerdict {
  std::string objective;  // latency_p99_ms, availability, ...
  std::string pointer;
  double target = 0;
  Estimate value;
  bool met = false;
};

// A bin of the latency distribution: the share of answered requests with a latency in
// [from_ms, to_ms), over all replications.
struct LatencyBin {
  double from_ms = 0, to_ms = 0;
  double share = 0;
};

struct WorkloadResult {
  std::string name;
  std::string pointer;
  Estimate requests, throughput_rps;
  Estimate mean, p50, p90, p95, p99, p999;  // latency, ms
  Estimate drops, timeouts, lost, unfinished, availability;
  std::vector<SloVerdict> slos;
  std::vector<LatencyBin> distribution;  // kDistributionBins log-spaced bins from min to max
  bool slos_met() const;
};

inline constexpr int kDistributionBins = 30;

struct ComponentResult {
  std::string id;
  std::string pointer;
  std::string service_origin;
  bool autoscaled = false;
  Estimate utilization, mean_queue_length, mean_wait_ms, mean_replicas, mean_batch_size;
  Estimate throughput_rps, arrival_rps, mean_service_ms, mean_in_system, mean_response_ms, drops;
  Estimate wait_probability, mean_servers;
  std::vector<double> replica_series;  // mean over replications, one value per autoscaler period
};

struct CostResult {
  Estimate usd_per_month, usd_per_million_requests;
  std::vector<std::pair<std::string, Estimate>> by_component;  // in spec order
  std::vector<std::string> unpriced;
};

struct SimulationResult {
  std::uint64_t seed = 0;
  int replications = 0;
  double duration_s = 0, warmup_s = 0;
  std::vector<WorkloadResult> workloads;
  std::vector<ComponentResult> components;
  CostResult cost;
  std::uint64_t events = 0;
  std::vector<std::string> stopped;  // one message per replication that hit the in-flight bound
};

// The run's duration and warm-up from the options and the spec.
std::pair<double, double> run_window(const Scenario& scenario, const SimulateOptions& options);

SimulationResult simulate(const Scenario& scenario, const SimulateOptions& options);

// The busiest component workload `w` visits (the highest utilization): an index into
// `result.components`, as into `scenario.stations`.
std::uint32_t busiest_station(const Scenario& scenario, std::size_t w, const SimulationResult& result);

}  // namespace mlarch::sim
