// `mlarch validate`: the spec's serving path run for real on this host, scaled down to fit it —
// a thread pool per component, real queues and dynamic batching, the reference kernels as the
// work of the model servers and sleeps of the declared service times elsewhere — fed the
// workload's arrival process; then the same scaled configuration simulated with the kernels'
// measured times, side by side.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "mlarch/analyzer/diagnostic.hpp"
#include "mlarch/kernels/measure.hpp"
#include "mlarch/simulator/scenario.hpp"
#include "mlarch/simulator/simulate.hpp"

namespace mlarch::kernels {

struct ValidateOptions {
  std::string workload;            // empty: the spec's first
  double seconds = 3;              // of arrivals in the real run
  double warmup_s = 0.5;           // requests sent before are not counted (either side)
  double kernel_utilization = 0.5;  // of the busiest model server, unbatched, which sets the rate
  double max_rate_rps = 1000;      // the host's threads hand requests over; more would measure that
  int max_servers = 64;            // threads per component
  int min_requests = 200;          // counted ones: the run lengthens to reach them
  double max_seconds = 60;         // ... up to this
  int replications = 5;            // of the simulation
  std::uint64_t seed = 1;
  TimingBudget timing{1, 3, 200, 0.25};  // per batch size, for the measured times
};

struct ScaledStation {
  std::string id;
  std::string model;  // served by the reference kernel; empty: sleeps its declared time
  int servers = 1;
  int max_batch = 1;
  double max_wait_ms = 0;
  double mean_service_ms = 0;  // of one service at batch 1 (cache hits included)
};

// How late this host's threads were in the real run, added to every visit of the simulated
// configuration so that it models that run rather than an ideal one: the time for an idle worker
// to take a request queued to it from another thread (its wake-up), and how late a sleep (a
// declared service time) ended. Means over `handovers` and `sleeps` samples.
struct HostDelays {
  double handover_ms = 0, sleep_overshoot_ms = 0;
  int handovers = 0, sleeps = 0;
};

struct LatencySummary {
  double requests = 0, mean_ms = 0, p50_ms = 0, p90_ms = 0, p99_ms = 0;
};

struct ValidationResult {
  std::string workload;
  double spec_rate_rps = 0, rate_rps = 0, seconds = 0, warmup_s = 0;
  std::string process;
  std::vector<ScaledStation> stations;
  HostDelays host;              // added to each simulated visit
  LatencySummary measured;
  std::size_t unfinished = 0;  // real requests still in flight when the run was stopped
  LatencySummary simulated;     // means over the replications
  int replications = 0;
  std::vector<Finding> errors;  // nothing ran
};

// Runs `models` (the planned kernels of the model servers on the workload's path) on `scenario`'s
// workload, then simulates. `scenario` is built from the spec without calibration.
ValidationResult validate(const System& system, const sim::Scenario& scenario, const std::vector<PlannedModel>& models,
                          const ValidateOptions& options);

std::string render_validation_json(const ValidationResult& r);
std::string render_validation_text(const ValidationResult& r);

}  // namespace mlarch::kernels
