// Back-of-the-envelope capacity: offered load and utilization of each component at peak, from
// the workloads' rates and paths, before any simulation (the utilization law, U = λ·S / c).
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "mlarch/analyzer/model.hpp"

namespace mlarch {

struct ComponentLoad {
  std::size_t component = 0;
  double arrival_rps = 0;                   // at peak, summed over workloads and visits
  std::optional<double> mean_service_ms;    // effective (cache hits included); empty when unknown
  int servers = 0;                          // replicas (autoscaling maximum) × concurrency
  int batch = 1;                            // requests served per batch (max_batch), 1 unbatched
  std::optional<double> utilization;        // arrival × service ÷ (servers × batch)
};

// Mean service time of one visit, in ms, when the spec declares it.
std::optional<double> mean_service_ms(const Component& c);

// One entry per component that some workload visits, in component order.
std::vector<ComponentLoad> peak_loads(const System& system);

}  // namespace mlarch
