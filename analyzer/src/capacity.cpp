// Peak utilization by the utilization law.
#include "mlarch/analyzer/capacity.hpp"

#include <map>

namespace mlarch {

// With batching, `service_time` is the time of one batch and a server completes up to
// `max_batch` requests per batch: full batches are assumed, so utilization is a lower bound.
std::optional<double> mean_service_ms(const Component& c) {
  if (!c.service_time.dist) return std::nullopt;
  const Distribution& d = *c.service_time.dist;
  if (!d.mean_ms) return std::nullopt;
  double mean = *d.mean_ms;
  if (c.cache_hit_ratio) {
    double hit = *c.cache_hit_ratio;
    mean = hit * c.cache_hit_time_ms.value_or(0.0) + (1.0 - hit) * mean;
  }
  return mean;
}

std::vector<ComponentLoad> peak_loads(const System& system) {
  std::map<std::size_t, double> rate;
  for (const auto& w : system.workloads)
    for (const auto& [component, visits] : w.visits()) rate[component] += w.rate_rps * w.peak_to_mean * visits;
  std::vector<ComponentLoad> out;
  for (const auto& [index, lambda] : rate) {
    const Component& c = system.components[index];
    ComponentLoad load;
    load.component = index;
    load.arrival_rps = lambda;
    load.mean_service_ms = mean_service_ms(c);
    load.servers = c.replicas.max * c.concurrency;
    load.batch = c.max_batch.value_or(1);
    if (load.mean_service_ms && load.servers > 0)
      load.utilization = lambda * *load.mean_service_ms / 1000.0 / (load.servers * load.batch);
    out.push_back(load);
  }
  return out;
}

}  // namespace mlarch
