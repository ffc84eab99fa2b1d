// The design-review document: lint findings, simulation results, load sweeps, costs (and kernel timings) of one
// spec, gathered into one JSON value (schemas/review-output-v1.schema.json) that every renderer
// (HTML, Markdown, JSON) reads. Building runs things; rendering is a pure function of the value.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "mlarch/simulator/simulate.hpp"

namespace mlarch::reports {

struct ReviewOptions {
  sim::SimulateOptions simulation;
  // The load sweep of each workload: its declared rate times each factor, ascending.
  std::vector<double> sweep_factors = {0.5, 1.0, 1.5, 2.0};
  std::string today;     // YYYY-MM-DD; empty: the current date (UTC)
  bool host = true;      // record the host (name, system, cores) in the run settings
};

// Loads, lints (with the built-in catalog and the spec's configuration, as `mlarch lint`),
// simulates and sweeps the spec. A spec that does not load gives a review of its load errors.
// Kernel timings, when run, are the review's "kernels": `mlarch kernels --format json`'s value
// (schemas/kernels-output-v1.schema.json), set by the caller.
nlohmann::json build_review(const std::string& spec_path, const ReviewOptions& options);

// Whether the review lists load errors (the command then exits 2).
bool has_load_errors(const nlohmann::json& review);
// "pass", "warn" or "fail".
std::string verdict(const nlohmann::json& review);

std::string render_review_json(const nlohmann::json& review);
std::string render_review_markdown(const nlohmann::json& review);
// One self-contained page: inline CSS, SVG and a small script; nothing is fetched.
std::string render_review_html(const nlohmann::json& review);

}  // namespace mlarch::reports
