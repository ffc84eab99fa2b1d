// Simulation results for people (a table), for programs (versioned JSON) and for spreadsheets
// (CSV). Pure functions of the result: rendering never runs anything.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "mlarch/simulator/simulate.hpp"

namespace mlarch::sim {

// `mlarch simulate --format json`, version 1 (schemas/simulate-output-v1.schema.json).
nlohmann::json simulation_json(const SimulationResult& result);
std::string render_simulation_json(const SimulationResult& result);
std::string render_simulation_text(const SimulationResult& result, const std::string& spec_path, bool color);
// One row per statistic: section,name,metric,value,ci95.
std::string render_simulation_csv(const SimulationResult& result);

// x rounded to 6 significant digits, as every JSON output writes its figures.
double round6(double x);
// A statistic as JSON, rounded to 6 significant digits: {"value": x, "ci95": h or null}.
nlohmann::json estimate_json(const Estimate& e);
// A workload's latency statistics {"mean", "p50", ..., "p999"} and its SLO verdicts, as the JSON
// outputs of simulate and sweep give them.
nlohmann::json latency_json(const WorkloadResult& w);
nlohmann::json slos_json(const WorkloadResult& w);
// "12.3 ±0.4", or "12.3" without an interval.
std::string format_estimate(const Estimate& e, int precision = 3);

}  // namespace mlarch::sim
