// REL041: SLOs missed in simulation, with the bottleneck on the workload's path.
#include "slo_findings.hpp"

#include <fmt/format.h>

#include "mlarch/simulator/scenario.hpp"

namespace mlarch::sim {

void report_missed_slos(const RuleContext& ctx, const Scenario& scenario, const SimulationResult& result) {
  for (std::size_t w = 0; w < result.workloads.size(); ++w) {
    const WorkloadResult& wr = result.workloads[w];
    const ComponentResult& b = result.components[busiest_station(scenario, w, result)];
    for (const auto& slo : wr.slos) {
      if (slo.met) continue;
      bool availability = slo.objective == "availability";
      std::string value = availability ? fmt::format("{:.5f}", slo.value.value) : fmt::format("{:.3g} ms", slo.value.value);
      if (slo.value.ci95) value += availability ? fmt::format(" ±{:.5f}", *slo.value.ci95) : fmt::format(" ±{:.2g}", *slo.value.ci95);
      Finding& f = ctx.report(
          slo.pointer,
          fmt::format("workload '{}' misses its {} objective of {} in simulation: {} over {} replications of {:g} s; "
                      "the busiest component on its path is '{}' (utilization {:.2f}, mean wait {:.3g} ms)",
                      wr.name, slo.objective, availability ? fmt::format("{:g}", slo.target) : fmt::format("{:g} ms", slo.target),
                      value, result.replications, result.duration_s, b.id, b.utilization.value, b.mean_wait_ms.value));
      f.element = wr.name;
    }
  }
}

SimulationCheck missed_slo_check(SimulateOptions options, std::shared_ptr<const Calibration> calibration) {
  return [options, calibration](const RuleContext& ctx) {
    ScenarioOverrides overrides;
    overrides.calibration = calibration.get();
    ScenarioResult built = build_scenario(ctx.system, overrides);
    if (!built.scenario) return;
    report_missed_slos(ctx, *built.scenario, simulate(*built.scenario, options));
  };
}

}  // namespace mlarch::sim
