// The bridge from simulation results to findings (ARCHITECTURE.md): REL041, an SLO that the
// simulation shows is missed, at the SLO's line, naming the bottleneck. The only place that knows
// both the rule engine and the simulator.
#pragma once

#include <memory>

#include "mlarch/analyzer/rules.hpp"
#include "mlarch/simulator/calibration.hpp"
#include "mlarch/simulator/simulate.hpp"

namespace mlarch::sim {

// A check for LintOptions::simulation: builds the scenario, simulates with `options`, reports.
// A spec the simulator cannot run is not a finding here (`mlarch simulate` says why): nothing is
// reported for it.
// With `calibration`, `service_time: model` takes its measured times (simulate --calibration).
SimulationCheck missed_slo_check(SimulateOptions options, std::shared_ptr<const Calibration> calibration = nullptr);

// Reports REL041 for the SLOs that `result`, a simulation of `scenario`, shows are missed. The
// scenario must have been built from the same spec as `ctx.system` (workloads in the same order).
void report_missed_slos(const RuleContext& ctx, const Scenario& scenario, const SimulationResult& result);

}  // namespace mlarch::sim
