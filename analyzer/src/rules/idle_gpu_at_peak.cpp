// COST023: accelerator instances mostly idle even at peak. With the fleet the spec always pays for
// (the fixed count, or the autoscaling minimum) of one to three instances, the utilization law
// gives under 10% at peak. Larger fleets are COST002's (overprovisioned-component); batch jobs and
// training pipelines are left out.
#include <string>

#include <fmt/format.h>

#include "mlarch/analyzer/capacity.hpp"
#include "mlarch/analyzer/graph.hpp"
#include "mlarch/analyzer/rules.hpp"

namespace mlarch::rules {

void idle_gpu_at_peak(const RuleContext& ctx) {
  const System& system = ctx.system;
  for (const auto& load : peak_loads(system)) {
    if (!load.mean_service_ms) continue;
    const Component& c = system.components[load.component];
    int count = c.replicas.count;
    if (count < 1 || count > 3 || c.instance.empty()) continue;
    if (c.kind == ComponentKind::batch_job || c.kind == ComponentKind::training_pipeline) continue;
    auto type = instance_type(system, c.instance);
    if (!type || !type->accelerators) continue;
    int servers = count * c.concurrency;
    double u = load.arrival_rps * *load.mean_service_ms / 1000.0 / (servers * load.batch);
    if (u >= 0.1) continue;
    std::string batch = load.batch > 1 ? fmt::format(" × batches of {}", load.batch) : "";
    std::string cost = type->usd_per_hour
                           ? fmt::format(" ({} a month)", format_usd(count * kHoursPerMonth * *type->usd_per_hour))
                           : "";
    ctx.report(c.replicas_declared ? c.pointer + (c.replicas.autoscaled ? "/replicas/min" : "/replicas")
                                   : c.pointer + "/instance",
               fmt::format("component '{}' keeps {} × {}{} mostly idle even at peak: {} req/s × {} ms ÷ ({} server{}{}) "
                           "= utilization {}",
                           c.id, count, c.instance, cost, format_number(load.arrival_rps),
                           format_number(*load.mean_service_ms), servers, servers == 1 ? "" : "s", batch,
                           format_number(u)));
  }
}

}  // namespace mlarch::rules
