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

}  // namespace mlarch::sim
