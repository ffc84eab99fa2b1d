// The load–latency curve of one workload: the same spec simulated at a series of arrival rates,
// and the capacity, the highest rate of the series at which every SLO of the workload is met.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "mlarch/simulator/simulate.hpp"

namespace mlarch::sim {

struct SweepPoint {
  double rate_rps = 0;
  WorkloadResult workload;
  std::string bottleneck;  // the most utilized component on the workload's path
  Estimate bottleneck_utilization;
};

struct SweepResult {
  std::string workload;
  SimulationResult first;  // run parameters (seed, replications, window)
  std::vector<SweepPoint> points;
  // The highest swept rate at which all SLOs are met and at which all lower swept rates meet
  // them too; empty when the lowest rate already misses one.
  std::optional<double> capacity_rps;
  bool has_slos = false;
};

// `rates` ascending; `workload` one of the scenario's. Each point is `scenario` with that
// workload's rate replaced.
SweepResult sweep(const Scenario& scenario, const std::string& workload, const std::vector<double>& rates,
                  const SimulateOptions& options);

// FROM:TO:STEPS, STEPS ≥ 2 evenly spaced rates from FROM to TO (FROM < TO, both > 0); or a
// comma-separated list. Empty on a malformed text.
std::optional<std::vector<double>> parse_rates(const std::string& text);

nlohmann::json sweep_json(const SweepResult& result);
std::string render_sweep_text(const SweepResult& result, const std::string& spec_path);
std::string render_sweep_csv(const SweepResult& result);

}  // namespace mlarch::sim
