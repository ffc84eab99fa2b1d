// What a change to a spec does (`mlarch diff BASE HEAD`): the findings it adds and fixes, each
// workload's latency before and after, the monthly cost before and after, and the components
// whose utilization crossed 0.8. Plain data, then one renderer per format (text, Markdown for a
// pull-request comment, JSON: schemas/diff-output-v1.schema.json). It lints and simulates, so it
// lives with the bridge, the one place that knows both the rule engine and the simulator.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "mlarch/analyzer/lint.hpp"
#include "mlarch/simulator/simulate.hpp"

namespace mlarch {

// A component at or above this utilization is busy: queueing grows quickly past it.
inline constexpr double kBusyUtilization = 0.8;

struct LatencyChange {
  std::string workload;
  std::optional<sim::WorkloadResult> base, head;  // empty: the workload is not in that spec
};

struct CostChange {
  std::string component;
  std::optional<double> base_usd, head_usd;  // per month; empty: not in that spec, or not priced
};

struct UtilizationCrossing {
  std::string component;
  double base = 0, head = 0;  // simulated utilization, on either side of kBusyUtilization
};

// One side of the comparison as simulated; empty when the spec declares no workloads.
struct SimulatedSide {
  double duration_s = 0, warmup_s = 0;
};

struct SpecDiff {
  std::string base_path, head_path;
  // Active findings (not suppressed), matched by rule, element and JSON pointer, not by line:
  // moving text around changes nothing.
  std::vector<Finding> added, fixed;
  int unchanged = 0;
  std::uint64_t seed = 0;
  int replications = 0;
  std::optional<SimulatedSide> base_run, head_run;
  std::vector<LatencyChange> workloads;  // the base's in order, then those only the head has
  std::vector<CostChange> costs;         // likewise, by component
  double base_usd_per_month = 0, head_usd_per_month = 0;
  std::vector<std::string> base_unpriced, head_unpriced;
  std::vector<UtilizationCrossing> crossings;
  // Warnings of either simulation (a component saturated at peak, a run stopped at the bound).
  std::vector<std::string> notes;

  // Added findings at or above `threshold`.
  int added_at_or_above(Severity threshold) const;
};

struct DiffOutcome {
  std::optional<SpecDiff> diff;
  // Input errors of either spec (it does not load, or cannot be simulated): nothing is compared.
  std::vector<Finding> errors;
  std::map<std::string, SourceFilePtr> sources;  // to render the errors with their lines
  std::string usage_error;  // the flags do not fit a spec (a warm-up as long as the run)
};

// Lints both specs with `lint_options` and simulates both with the same `sim_options` (seed
// included), each at its own declared load.
DiffOutcome diff_specs(const std::string& base_path, const std::string& head_path, const LintOptions& lint_options,
                       const sim::SimulateOptions& sim_options);

nlohmann::json spec_diff_json(const SpecDiff& diff);
std::string render_spec_diff_json(const SpecDiff& diff);
std::string render_spec_diff_text(const SpecDiff& diff);
std::string render_spec_diff_markdown(const SpecDiff& diff);

}  // namespace mlarch
