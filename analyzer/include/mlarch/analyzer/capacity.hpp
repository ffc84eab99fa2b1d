// Back-of-the-envelope capacity: offered load and utilization of each component at peak, from
// the workloads' rates and paths, before any simulation (the utilization law, U = λ·S / c); the
// service time along a workload's path; a model's memory (instance types: hardware.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "mlarch/analyzer/hardware.hpp"
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

// The σ of a lognormal service time (of its logarithm): from `cv`, σ² = ln(1 + cv²); else from
// `mean_ms` and `p99_ms`, the smaller root of σ²/2 − z₀.₉₉·σ + ln(p99/mean) = 0; else cv = 1.
// Empty when no lognormal has that mean and p99 (p99 ≤ mean, or p99 > e^(z²/2) ≈ 15 × mean).
std::optional<double> lognormal_sigma(const Distribution& d);

// One entry per component that some workload visits, in component order.
std::vector<ComponentLoad> peak_loads(const System& system);

// A lower bound of the median of one visit's service time, in ms, when the spec declares enough:
// exact for `constant` (the mean), `exponential` (ln 2 × mean) and `lognormal`
// (mean ÷ √(1 + cv²), the shape taken from `cv`, else from `p99_ms`, else cv = 1); for `gamma`
// mean × (1 − cv²/3), from the bound k − 1/3 < median of Gamma(k, 1) (Chen & Rubin, 1986). With a
// cache, min(hit time, median of a miss): below both, fewer than half of the visits end.
std::optional<double> median_service_ms(const Component& c);

// The time one request spends in service along a workload's path (no queueing): the longest
// chain of visits through the path's steps, where a parallel step lasts as long as its slowest
// branch and a branch is the sum of its components, plus the `latency_ms` of the flow taken
// between consecutive visits, or of the zones (HopLatency). Components whose time is unknown (`service_time: model`, none declared, an
// empirical distribution without `mean_ms`) count as 0, which makes the total a lower bound.
enum class PathStatistic { mean, median };

// The network latency a request adds going from one component to the next: the smallest
// `latency_ms` of the flows from one to the other when one declares it; otherwise, between
// components in different zones, the `network` latency between the zones; otherwise nothing.
class HopLatency {
 public:
  explicit HopLatency(const System& system);
  struct Hop {
    double ms = 0;
    std::optional<std::size_t> flow;  // the flow whose latency it is
  };
  Hop between(std::size_t from, std::size_t to) const;

 private:
  const System& system_;
  std::unordered_map<std::uint64_t, std::pair<double, std::size_t>> flows_;
};

struct PathTime {
  double total_ms = 0;
  // The visits of the longest chain, in order, each with the time it adds (its service time), and
  // for a hop with network latency, the flow latency added before it.
  struct Visit {
    std::size_t component = 0;
    double service_ms = 0;
    std::optional<std::size_t> flow;  // the flow taken to reach it, when it declares a latency
    double network_ms = 0;            // that flow's latency_ms
  };
  std::vector<Visit> critical;
  std::vector<std::size_t> unknown;  // visited components whose time is unknown, in path order, once each
  bool lower_bound() const { return !unknown.empty(); }
};
PathTime path_time(const System& system, const Workload& workload, PathStatistic statistic);


// Hours in a month, as `budget.usd_per_month` counts them.
inline constexpr double kHoursPerMonth = 730;

// Bytes per weight of `architecture.dtype`: fp32 4 (also when absent), fp16 and bf16 2, int8 1,
// int4 0.5; empty for an unknown dtype.
std::optional<double> dtype_bytes(std::string_view dtype);

// The weights of a model, from its `architecture` (models.*.architecture); empty when the type is
// unknown or a key the estimate needs is missing.
//  - mlp: Σ (in × out + out) over input_dim → hidden... → output_dim (default 1);
//  - embedding_mlp: dense layers from input_dim + Σ dim (the pooled embeddings follow the dense
//    features) plus Σ rows × dim over `embedding_tables`;
//  - cnn: Σ (kernel² × in_channels × filters + filters) over `conv_layers`, in_channels starting
//    at `image.channels`, then the dense head from the last layer's filters → hidden... → output_dim;
//  - transformer_encoder: layers × (attention + 2 × d_model × ffn_dim) + vocab × d_model;
//  - decoder_llm: layers × (attention + 3 × d_model × ffn_dim, a gated FFN) + vocab × d_model;
//    where attention = 2 × d_model² (queries, output) + 2 × d_model² × kv_heads ÷ heads (keys,
//    values), kv_heads defaulting to heads and ffn_dim to 4 × d_model;
//  - tree_ensemble: no parameters (nodes are not weights); see model_weight_bytes.
// Norms, biases of transformers and position embeddings are left out: an estimate from below.
std::optional<double> model_parameters(const Json& architecture);

// The widths of the dense layers: `input`, then `hidden`..., then `output_dim` (default 1); empty
// when `hidden` is not a list of numbers.
std::optional<std::vector<double>> dense_widths(double input, const Json& architecture);

// model_parameters × dtype_bytes; tree_ensemble: trees × 2^depth nodes × 16 bytes.
std::optional<double> model_weight_bytes(const Json& architecture);

// decoder_llm: the KV cache of `sequences` sequences of mean length (prompt_tokens.mean +
// output_tokens.mean): 2 × layers × kv_heads × (d_model ÷ heads) × tokens × sequences × dtype
// bytes. Empty for other types or when a key is missing.
std::optional<double> kv_cache_bytes(const Json& architecture, double sequences);

// Numbers for messages: three significant digits without an exponent below 1,000 ("0.47",
// "52", "128"), whole numbers with thousands separators from 1,000 on ("1,960").
std::string format_number(double x);
// "$31,120": whole dollars.
std::string format_usd(double x);
// Bytes in GiB: "7.5 GiB".
std::string format_gib(double bytes);

}  // namespace mlarch
