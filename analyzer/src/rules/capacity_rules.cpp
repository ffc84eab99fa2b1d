// REL003 / REL004 / COST002: utilization at peak by the utilization law (capacity.hpp).
// REL003 fires at or above 1 (queues grow without bound), REL004 above 0.8. COST002 fires when
// even the smallest fleet the spec pays for (the fixed count, or the autoscaling minimum) of more
// than three replicas would be under 10% busy at peak.
#include <fmt/format.h>

#include "mlarch/analyzer/capacity.hpp"
#include "mlarch/analyzer/graph.hpp"
#include "mlarch/analyzer/rules.hpp"

namespace mlarch::rules {

namespace {

std::string describe(const ComponentLoad& load, int servers, double utilization) {
  std::string batch = load.batch > 1 ? fmt::format(" × batches of {}", load.batch) : "";
  return fmt::format("{:.0f} req/s × {:.3g} ms ÷ ({} server{}{}) = utilization {:.2f}", load.arrival_rps,
                     *load.mean_service_ms, servers, servers == 1 ? "" : "s", batch, utilization);
}

void report_saturation(const RuleContext& ctx, bool saturated) {
  for (const auto& load : peak_loads(ctx.system)) {
    if (!load.utilization) continue;
    double u = *load.utilization;
    if (saturated ? u < 1.0 : (u <= 0.8 || u >= 1.0)) continue;
    const Component& c = ctx.system.components[load.component];
    std::string at = c.replicas_declared ? c.pointer + (c.replicas.autoscaled ? "/replicas/max" : "/replicas") : c.pointer;
    ctx.report(at,
               fmt::format("component '{}' is {} at peak: {}", c.id, saturated ? "saturated" : "near saturation",
                           describe(load, load.servers, u)),
               saturated ? "add replicas or concurrency until utilization at peak is below 0.8"
                         : "add replicas or concurrency: above 0.8, queueing delay grows steeply");
  }
}

}  // namespace

void component_saturated(const RuleContext& ctx) { report_saturation(ctx, true); }

void component_near_saturation(const RuleContext& ctx) { report_saturation(ctx, false); }

void overprovisioned_component(const RuleContext& ctx) {
  for (const auto& load : peak_loads(ctx.system)) {
    if (!load.utilization) continue;
    const Component& c = ctx.system.components[load.component];
    if (c.replicas.count <= 3) continue;
    int servers = c.replicas.count * c.concurrency;
    double u = *load.utilization * load.servers / servers;
    if (u >= 0.1) continue;
    ctx.report(c.replicas.autoscaled ? c.pointer + "/replicas/min" : c.pointer + "/replicas",
               fmt::format("component '{}' is mostly idle even at peak with its smallest fleet of {} replicas: {}", c.id,
                           c.replicas.count, describe(load, servers, u)),
               c.replicas.autoscaled ? "lower `replicas.min`; the autoscaler adds replicas when load comes"
                                     : "run fewer replicas, or autoscale with a lower minimum");
  }
}

}  // namespace mlarch::rules
