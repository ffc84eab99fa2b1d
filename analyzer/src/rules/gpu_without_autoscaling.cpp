// COST022: a fixed fleet of two or more accelerator instances serving a load that varies over the
// day. A fixed count is sized for the peak and paid for around the clock; off-peak most of those
// accelerators idle. Batch jobs and training pipelines are left out (they run on a schedule), and
// so are components whose every workload is flat (`profile.peak_to_mean` of 1): autoscaling
// saves nothing there.
#include <algorithm>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "mlarch/analyzer/capacity.hpp"
#include "mlarch/analyzer/graph.hpp"
#include "mlarch/analyzer/rules.hpp"

namespace mlarch::rules {

void gpu_without_autoscaling(const RuleContext& ctx) {
  const System& system = ctx.system;
  // The largest peak-to-mean ratio among the workloads that visit each component; 0 when none does.
  std::vector<double> peak_to_mean(system.components.size(), 0.0);
  for (const auto& w : system.workloads)
    for (const auto& step : w.path)
      for (const auto& branch : step.branches)
        for (std::size_t c : branch) peak_to_mean[c] = std::max(peak_to_mean[c], w.peak_to_mean);

  for (std::size_t i = 0; i < system.components.size(); ++i) {
    const Component& c = system.components[i];
    if (c.instance.empty() || c.replicas.autoscaled || c.replicas.count < 2) continue;
    if (c.kind == ComponentKind::batch_job || c.kind == ComponentKind::training_pipeline) continue;
    auto type = instance_type(system, c.instance);
    if (!type || !type->accelerators) continue;
    double ratio = peak_to_mean[i];
    if (ratio > 0 && ratio <= 1.0) continue;  // flat load: a fixed fleet is the right shape

    const Accelerators& acc = *type->accelerators;
    std::string cost;
    if (type->usd_per_hour)
      cost = fmt::format(", {} a month whatever the load",
                         format_usd(c.replicas.count * kHoursPerMonth * *type->usd_per_hour));
    std::string load = ratio > 0 ? fmt::format("its load peaks at {}× its mean, so off-peak most of them idle",
                                               format_number(ratio))
                                 : std::string("nothing lets the fleet shrink when the load falls off-peak");
    int n = c.replicas.count * acc.count;
    std::string accelerators = acc.type.empty() ? fmt::format("{} accelerator{}", n, n == 1 ? "" : "s")
                                                : fmt::format("{} × {}", n, acc.type);
    ctx.report(c.pointer + "/replicas",
               fmt::format("component '{}' runs a fixed {} × {} ({}) around the clock{}: {}", c.id, c.replicas.count,
                           c.instance, accelerators, cost, load));
  }
}

}  // namespace mlarch::rules
