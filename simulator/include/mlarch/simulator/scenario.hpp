// The queueing network a spec describes, as the engine runs it: one station per component that a
// workload visits, each workload's path as steps of branches, arrival processes, service-time
// models and prices. Built once from the typed System model; every bad input becomes an input
// error at the spec's line (exit code 2) before anything runs.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mlarch/analyzer/diagnostic.hpp"
#include "mlarch/analyzer/model.hpp"
#include "mlarch/simulator/calibration.hpp"
#include "mlarch/simulator/random.hpp"

namespace mlarch::sim {

// How long one service takes (one batch, for a batching station), in ms.
struct ServiceModel {
  enum class Shape { constant, exponential, lognormal, gamma, empirical };
  Shape shape = Shape::constant;
  double mean_ms = 0;       // of the declared distribution (empirical: of its samples)
  double sigma = 0;         // lognormal: the log's standard deviation
  double gamma_shape = 1;   // gamma: k = 1/cv²
  std::shared_ptr<const std::vector<double>> samples;  // empirical
  // Mean time of a batch by its size (index = size, 1..max_batch). Empty: the time does not
  // depend on the size. A sample is the distribution's draw scaled to this mean.
  std::vector<double> batch_mean_ms;
  std::string origin;  // "declared", "batch_time", "derived: ...", "measured: ..." — said in the outputs
  // A fixed time added to every service after the draw (0 from a spec; `mlarch validate` puts the
  // host's thread hand-over and sleep overshoot here).
  double offset_ms = 0;

  // A draw for one service of a batch of `batch` (defined inline below: it is on the engine's hot path).
  double sample(Rng& rng, int batch) const;
  // The mean of one service of a batch of `batch` requests.
  double mean(int batch) const;
};

inline double ServiceModel::sample(Rng& rng, int batch) const {
  double x = mean_ms;
  switch (shape) {
    case Shape::constant: break;
    case Shape::exponential: x = rng.exponential(mean_ms); break;
    case Shape::lognormal: x = mean_ms * std::exp(sigma * rng.normal() - sigma * sigma / 2); break;
    case Shape::gamma: x = mean_ms * rng.gamma(gamma_shape) / gamma_shape; break;
    case Shape::empirical: x = (*samples)[rng.below(samples->size())]; break;
  }
  if (!batch_mean_ms.empty()) x *= batch_mean_ms[static_cast<std::size_t>(batch)] / mean_ms;
  return x + offset_ms;
}

struct Station {
  std::string id;
  std::size_t component = 0;
  std::string pointer;
  bool autoscaled = false;
  int replicas = 1;  // fixed count, or the autoscaling minimum
  int max_replicas = 1;
  double target_utilization = 0.7;
  double scale_up_delay_s = 0, scale_down_delay_s = 300, cold_start_s = 0;
  int servers_per_replica = 1;  // concurrency (× max_batch for continuous batching)
  int max_batch = 1;            // dynamic batching: requests per service; 1 unbatched
  double max_wait_ms = 0;
  std::optional<int> queue_limit;
  double timeout_ms = 0;  // 0: no client timeout
  int retries = 0;
  double backoff_ms = 0;
  bool jitter = false;
  double cache_hit_ratio = 0, cache_hit_ms = 0;
  double mtbf_s = 0, mttr_s = 0;  // 0: no failures
  std::optional<double> usd_per_hour;
  ServiceModel service;
};

// A workload's path: steps in order; a step's branches run at once and it ends when the last
// ends. Hop latencies are paid on the way to the next station: inside a branch before each
// station after the first, and after a branch's last station on the way to the next step.
struct Branch {
  std::vector<std::uint32_t> stations;
  std::vector<double> hop_ms;  // hop_ms[i]: before stations[i] (hop_ms[0] = 0)
  double exit_hop_ms = 0;      // to the next step's first stations (the longest)
};
struct Step {
  std::vector<Branch> branches;
};

struct Arrivals {
  enum class Process { poisson, constant, bursty, trace };
  Process process = Process::poisson;
  double rate_rps = 0;
  double burst_factor = 1, burst_fraction = 0.5, burst_duration_s = 10;
  std::shared_ptr<const std::vector<double>> trace_s;  // trace: timestamps from 0, sorted
  bool diurnal = false;
  double peak_to_mean = 1;
  std::optional<double> period_s;  // diurnal: empty means the simulated duration
  double kappa = 0;                // diurnal: the von Mises concentration for peak_to_mean
};

struct SloTarget {
  std::string objective;  // latency_p50_ms, latency_p95_ms, latency_p99_ms, availability
  double target = 0;
  std::string pointer;
};

struct WorkloadModel {
  std::string name;
  std::string pointer;
  Arrivals arrivals;
  std::vector<Step> steps;
  std::vector<SloTarget> slos;
  std::optional<double> duration_s;
};

// A component no workload visits still costs its instances all month.
struct StaticCost {
  std::string id;
  int replicas = 0;
  double usd_per_hour = 0;
};

struct Scenario {
  const System* system = nullptr;
  std::vector<Station> stations;
  std::vector<WorkloadModel> workloads;
  std::vector<StaticCost> static_costs;
  std::vector<std::string> unpriced;  // components whose instance has no price
};

// One component configured otherwise than the spec says (capacity planning).
struct ComponentOverride {
  std::optional<std::string> instance;  // another instance type: price and a `service_time: model` follow it
  std::optional<int> replicas;          // a fixed count (no autoscaling)
  std::optional<int> max_batch;         // of a component that declares batching
};

struct ScenarioOverrides {
  // Replace a workload's mean rate (sweep); with `at_peak`, its peak rate (plan).
  std::optional<std::string> workload;
  std::optional<double> rate_rps;
  // Measured times for `service_time: model` (simulate --calibration), scaled from the host to
  // each component's instance by the ratio of their rooflines.
  const Calibration* calibration = nullptr;
  // Every workload at its peak rate (rate × peak_to_mean) without its diurnal profile: the
  // steady load a capacity plan must carry.
  bool at_peak = false;
  // Multiplies every workload's rate after the above (a trace is replayed that much faster).
  double load_factor = 1;
  std::map<std::string, ComponentOverride, std::less<>> components = {};  // by component id
};

struct ScenarioResult {
  std::optional<Scenario> scenario;
  std::vector<Finding> errors;    // input errors: nothing can be simulated
  std::vector<Finding> warnings;  // e.g. a station saturated at peak, before simulating
};

ScenarioResult build_scenario(const System& system, const ScenarioOverrides& overrides = {});

// κ such that exp(κ) ÷ I₀(κ) = peak_to_mean: the diurnal profile's concentration.
double diurnal_kappa(double peak_to_mean);

}  // namespace mlarch::sim
