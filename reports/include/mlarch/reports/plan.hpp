// The capacity plan (`mlarch plan --format html`) as one self-contained HTML page, in the review's
// page shell: the verdict, the recommended configuration of each component, the options simulated
// as a cost-against-p99 chart with the Pareto front, the headroom and the run settings.
#pragma once

#include <string>

#include "mlarch/simulator/plan.hpp"

namespace mlarch::reports {

struct PlanPage {
  std::string spec_path;
  std::string system_name;
  std::string command;  // the command line that reproduces the plan
};

std::string render_plan_html(const sim::CapacityPlan& plan, const PlanPage& page);

}  // namespace mlarch::reports
