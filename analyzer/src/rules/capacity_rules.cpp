// REL003 / REL004 / COST002: utilization at peak by the utilization law (capacity.hpp).
// REL003 fires at or above 1 (queues grow without bound), REL004 above 0.8, COST002 below 0.1
// on a component with more than two replicas.
#include <fmt/format.h>

#include "mlarch/analyzer/capacity.hpp"
#include "mlarch/analyzer/graph.hpp"
#include "mlarch/analyzer/rules.hpp"

namespace mlarch::rules {

namespace {

template <class Pred>
void report_loads(const RuleContext& ctx, Pred pred, const char* what, const char* help) {
  for (const auto& load : peak_loads(ctx.system)) {
    if (!load.utilization || !pred(*load.utilization, ctx.system.components[load.component])) continue;
    const Component& c = ctx.system.components[load.component];
    std::string at = c.replicas_declared ? c.pointer + (c.replicas.autoscaled ? "/replicas/max" : "/replicas") : c.pointer;
    ctx.report(at,
               fmt::format("component '{}' is {} at peak: {:.0f} req/s × {:.3g} ms ÷ {} servers = utilization {:.2f}",
                           c.id, what, load.arrival_rps, *load.mean_service_ms, load.servers, *load.utilization),
               help);
  }
}

}  // namespace

void component_saturated(const RuleContext& ctx) {
  report_loads(ctx, [](double u, const Component&) { return u >= 1.0; }, "saturated",
               "add replicas or concurrency until utilization at peak is below 0.8");
}

void component_near_saturation(const RuleContext& ctx) {
  report_loads(ctx, [](double u, const Component&) { return u > 0.8 && u < 1.0; }, "near saturation",
               "add replicas or concurrency: above 0.8, queueing delay grows steeply");
}

void overprovisioned_component(const RuleContext& ctx) {
  report_loads(ctx, [](double u, const Component& c) { return u < 0.1 && c.replicas.max > 2; }, "mostly idle",
               "run fewer replicas, or autoscale with a lower minimum");
}

}  // namespace mlarch::rules
