// The capacity plan (`mlarch plan`): for each serving component, the cheapest instance type,
// replica count and batch size that meets every SLO at the peak load, found by simulation. The
// utilization law prunes the search (a configuration whose utilization would reach 1 is never
// simulated; a model too slow or too large for an instance is never tried on it); short
// simulations screen the rest, and a longer one confirms the answer. Plain data, so the HTML
// review can draw it; text, Markdown and JSON (schemas/plan-output-v1.schema.json) renderers.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "mlarch/analyzer/model.hpp"
#include "mlarch/simulator/simulate.hpp"

namespace mlarch::sim {

struct PlanOptions {
  std::optional<std::string> workload;  // plan for this workload's SLOs and path; others still run
  std::optional<double> peak_rps;       // its peak rate; default: rate_rps × peak_to_mean
  // The confirming run of the answer. Without a duration, long enough for kConfirmRequests
  // requests at peak; its seed also seeds the screening runs.
  SimulateOptions confirm;
  // Screening runs: this many replications of this many requests each (at the peak rate).
  int screen_replications = 3;
  double screen_requests = 30'000;
  int threads = 0;  // simulations run at once (0: one per core); the answer does not depend on it
};

inline constexpr double kConfirmRequests = 200'000;

// One component's configuration.
struct ComponentConfig {
  std::string instance;
  int replicas = 1;
  int max_batch = 1;  // requests per batch (dynamic batching) or sequences (continuous); 1 unbatched
  friend bool operator==(const ComponentConfig&, const ComponentConfig&) = default;
};

// A configuration of one component that was simulated (with the others as recommended).
struct PlanOption {
  ComponentConfig config;
  std::optional<double> usd_per_month;  // empty: the instance has no price
  double p99_ms = 0;                    // the highest p99 among the planned workloads
  bool meets_slos = false;
  bool pareto = false;  // no other option is both cheaper (or as cheap) and faster (or as fast)
};

struct ComponentPlan {
  std::string id;
  std::string pointer;
  ComponentConfig declared;  // replicas: the autoscaling maximum when autoscaled
  bool autoscaled = false;
  std::optional<double> declared_usd_per_month;  // the declared configuration all month
  ComponentConfig recommended;
  std::optional<double> usd_per_month;
  std::string service_origin;      // of the recommendation: declared, batch_time, derived: ...
  bool instance_searched = false;  // `service_time: model`: instance types were compared
  std::vector<int> batch_sizes;    // the batch sizes compared (one: not varied)
  int instance_types = 0;          // instance types compared (after the same-cloud filter)
  // Candidates the analytic bounds ruled out before any simulation.
  int pruned_slow = 0;      // one request's service time alone exceeds a latency objective
  int pruned_memory = 0;    // the model and its batch do not fit the instance's memory
  int pruned_cost = 0;      // even the fewest replicas that keep utilization below 1 cost more than the answer
  std::vector<PlanOption> options;  // simulated, by cost then p99
  Estimate utilization;             // of the recommendation, in the confirming run
};

struct Headroom {
  std::optional<double> factor;  // the highest load (× the peak) at which the SLOs are still met
  bool beyond = false;           // still met at the highest load tried
  double highest_tried = 0;
  std::string limited_by;  // the busiest component at the lowest load tried that misses them
};

struct CapacityPlan {
  struct PlannedWorkload {
    std::string name;
    double peak_rps = 0;
  };
  std::vector<PlannedWorkload> workloads;
  std::vector<ComponentPlan> components;  // searched components, in the order workloads visit them
  bool feasible = false;
  std::string reason;  // why there is no plan, when there is none
  double usd_per_month = 0, declared_usd_per_month = 0;  // of the planned components
  SimulationResult confirmation;                         // the recommendation, at peak, longer run
  int confirm_adjustments = 0;  // replicas added after the screening answer missed in the confirming run
  Headroom headroom;
  // Settings, to reproduce the numbers.
  std::uint64_t seed = 0;
  int screen_replications = 0;
  double screen_duration_s = 0;
  int simulations = 0;  // screening runs
};

// Builds and runs the search. `system` must build into a scenario (input errors are the caller's
// to report); `options.workload`, when given, names one of its workloads.
CapacityPlan plan_capacity(const System& system, const PlanOptions& options);

// `mlarch plan --format json`, version 1.
nlohmann::json capacity_plan_json(const CapacityPlan& plan);
std::string render_capacity_plan_json(const CapacityPlan& plan);
std::string render_capacity_plan_text(const CapacityPlan& plan, const std::string& spec_path);
std::string render_capacity_plan_markdown(const CapacityPlan& plan, const std::string& spec_path);

// Phrases every rendering of the plan shares (text, Markdown, the HTML report).
std::string plan_config_text(const ComponentConfig& config);   // "c7g.large × 2, batch 2"
std::string plan_usd_text(const std::optional<double>& usd);   // "$1,240" or "unpriced"
std::string plan_peak_text(const CapacityPlan& plan);          // "checkout at 7,500 requests/s"
std::string plan_saving_text(const CapacityPlan& plan);        // "saves $3,243 (-77%)"; empty: about the same
std::string plan_headroom_text(const CapacityPlan& plan);
std::string plan_search_text(const ComponentPlan& component);  // what was simulated and what the bounds ruled out

}  // namespace mlarch::sim
