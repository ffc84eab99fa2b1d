// Peak utilization by the utilization law; path times; model memory.
#include "mlarch/analyzer/capacity.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

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

namespace {

// The standard normal quantile at 0.99, which with the mean fixes a lognormal's shape.
constexpr double kZ99 = 2.3263478740408408;

// Median ÷ mean of a lognormal: exp(−σ²/2). Where no lognormal has the declared mean and p99,
// the widest (σ = z₀.₉₉), or none (p99 at or below the mean).
double lognormal_median_ratio(const Distribution& d) {
  auto sigma = lognormal_sigma(d);
  if (!sigma) {
    if (*d.p99_ms <= *d.mean_ms) return 1.0;
    sigma = kZ99;
  }
  return std::exp(-*sigma * *sigma / 2);
}

}  // namespace

std::optional<double> lognormal_sigma(const Distribution& d) {
  if (d.cv) return std::sqrt(std::log1p(*d.cv * *d.cv));
  if (!d.p99_ms || !d.mean_ms) return std::sqrt(std::log(2.0));  // cv = 1
  // ln p99 = μ + z·σ and ln mean = μ + σ²/2: σ²/2 − z·σ + ln(p99/mean) = 0, the smaller root.
  double r = std::log(*d.p99_ms / *d.mean_ms);
  double disc = kZ99 * kZ99 - 2 * r;
  if (r <= 0 || disc < 0) return std::nullopt;
  return kZ99 - std::sqrt(disc);
}

std::optional<double> median_service_ms(const Component& c) {
  if (!c.service_time.dist) return std::nullopt;
  const Distribution& d = *c.service_time.dist;
  if (!d.mean_ms) return std::nullopt;
  double mean = *d.mean_ms;
  double median = 0;
  if (d.dist == "constant") {
    median = mean;
  } else if (d.dist == "exponential") {
    median = mean * std::log(2.0);
  } else if (d.dist == "lognormal") {
    median = mean * lognormal_median_ratio(d);
  } else if (d.dist == "gamma") {
    double cv = d.cv.value_or(1.0);
    median = std::max(0.0, mean * (1.0 - cv * cv / 3.0));
  } else {
    return std::nullopt;  // empirical: the samples are in a file
  }
  if (c.cache_hit_ratio && *c.cache_hit_ratio > 0) median = std::min(median, c.cache_hit_time_ms.value_or(0.0));
  return median;
}

HopLatency::HopLatency(const System& system) : system_(system) {
  for (const auto& f : system.flows) {
    if (!f.latency_ms) continue;
    std::uint64_t key = (static_cast<std::uint64_t>(f.from) << 32) | f.to;
    auto [it, inserted] = flows_.try_emplace(key, *f.latency_ms, f.index);
    if (!inserted && *f.latency_ms < it->second.first) it->second = {*f.latency_ms, f.index};
  }
}

HopLatency::Hop HopLatency::between(std::size_t from, std::size_t to) const {
  auto it = flows_.find((static_cast<std::uint64_t>(from) << 32) | to);
  if (it != flows_.end()) return {it->second.first, it->second.second};
  return {system_.network.between(system_.components[from].zone, system_.components[to].zone), std::nullopt};
}

PathTime path_time(const System& system, const Workload& workload, PathStatistic statistic) {
  const HopLatency hops(system);
  PathTime out;
  std::unordered_set<std::size_t> unknown_seen;
  std::vector<double> service(system.components.size(), -1);  // memo; -1 not computed
  auto service_of = [&](std::size_t c) {
    if (service[c] < 0) {
      const Component& comp = system.components[c];
      auto t = statistic == PathStatistic::mean ? mean_service_ms(comp) : median_service_ms(comp);
      service[c] = t.value_or(0.0);
      if (!t && unknown_seen.insert(c).second) out.unknown.push_back(c);
    }
    return service[c];
  };

  // One node per visit: when it ends, and the visit before it on its longest chain.
  struct Node {
    std::size_t component;
    double finish;
    std::size_t pred;  // npos for the first
    double network_ms;
    std::optional<std::size_t> flow;
  };
  constexpr std::size_t npos = std::numeric_limits<std::size_t>::max();
  std::vector<Node> nodes;
  std::vector<std::size_t> exits;  // the last visit of each branch of the previous step
  for (const auto& step : workload.path) {
    std::vector<std::size_t> next_exits;
    for (const auto& branch : step.branches) {
      std::size_t prev = npos;
      for (std::size_t i = 0; i < branch.size(); ++i) {
        std::size_t c = branch[i];
        Node n{c, 0, npos, 0, std::nullopt};
        double start = 0;
        auto consider = [&](std::size_t p) {
          auto [net, flow] = hops.between(nodes[p].component, c);
          double t = nodes[p].finish + net;
          if (n.pred == npos || t > start) {
            start = t;
            n.pred = p;
            n.network_ms = net;
            n.flow = net > 0 ? flow : std::nullopt;  // a zone hop has no flow
          }
        };
        if (i == 0) {
          for (std::size_t p : exits) consider(p);
        } else {
          consider(prev);
        }
        n.finish = start + service_of(c);
        nodes.push_back(n);
        prev = nodes.size() - 1;
      }
      if (prev != npos) next_exits.push_back(prev);
    }
    exits = std::move(next_exits);
  }
  std::size_t last = npos;
  for (std::size_t e : exits)
    if (last == npos || nodes[e].finish > nodes[last].finish) last = e;
  if (last == npos) return out;
  out.total_ms = nodes[last].finish;
  for (std::size_t i = last; i != npos; i = nodes[i].pred)
    out.critical.push_back({nodes[i].component, service[nodes[i].component], nodes[i].flow, nodes[i].network_ms});
  std::reverse(out.critical.begin(), out.critical.end());
  return out;
}

std::optional<double> dtype_bytes(std::string_view dtype) {
  if (dtype.empty() || dtype == "fp32") return 4.0;
  if (dtype == "fp16" || dtype == "bf16") return 2.0;
  if (dtype == "int8") return 1.0;
  if (dtype == "int4") return 0.5;
  return std::nullopt;
}

std::optional<std::vector<double>> dense_widths(double input, const Json& a) {
  std::vector<double> widths{input};
  if (auto h = a.find("hidden"); h != a.end()) {
    if (!h->is_array()) return std::nullopt;
    for (const auto& w : *h) {
      if (!w.is_number()) return std::nullopt;
      widths.push_back(w.get<double>());
    }
  }
  widths.push_back(json_number(a, "output_dim").value_or(1.0));
  return widths;
}

namespace {

std::string architecture_type(const Json& a) {
  auto it = a.find("type");
  return it != a.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string architecture_dtype(const Json& a) {
  auto it = a.find("dtype");
  return it != a.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// Σ (in × out + out) over the dense widths, in order.
std::optional<double> dense_parameters(double input, const Json& a) {
  auto widths = dense_widths(input, a);
  if (!widths) return std::nullopt;
  double params = 0;
  for (std::size_t i = 1; i < widths->size(); ++i) params += (*widths)[i - 1] * (*widths)[i] + (*widths)[i];
  return params;
}

std::optional<double> transformer_parameters(const Json& a, double ffn_matrices) {
  auto layers = json_number(a, "layers"), d = json_number(a, "d_model"), heads = json_number(a, "heads"), vocab = json_number(a, "vocab");
  if (!layers || !d || !heads || !vocab || *heads <= 0) return std::nullopt;
  double kv_heads = json_number(a, "kv_heads").value_or(*heads);
  double ffn = json_number(a, "ffn_dim").value_or(4 * *d);
  double attention = 2 * *d * *d + 2 * *d * *d * kv_heads / *heads;
  return *layers * (attention + ffn_matrices * *d * ffn) + *vocab * *d;
}

}  // namespace

std::optional<double> model_parameters(const Json& a) {
  if (!a.is_object()) return std::nullopt;
  std::string type = architecture_type(a);
  if (type == "mlp" || type == "embedding_mlp") {
    auto input = json_number(a, "input_dim");
    if (!input) return std::nullopt;
    double tables = 0, pooled = 0;
    if (type == "embedding_mlp") {
      if (auto t = a.find("embedding_tables"); t != a.end() && t->is_array()) {
        for (const auto& table : *t) {
          auto rows = json_number(table, "rows"), dim = json_number(table, "dim");
          if (!rows || !dim) return std::nullopt;
          tables += *rows * *dim;
          pooled += *dim;
        }
      }
    }
    // An embedding_mlp's dense layers read the pooled embeddings after the dense features.
    auto dense = dense_parameters(*input + pooled, a);
    if (!dense) return std::nullopt;
    return *dense + tables;
  }
  if (type == "cnn") {
    auto image = a.find("image");
    auto layers = a.find("conv_layers");
    if (image == a.end() || layers == a.end() || !layers->is_array() || layers->empty()) return std::nullopt;
    auto channels = json_number(*image, "channels");
    if (!channels) return std::nullopt;
    double in = *channels, params = 0;
    for (const auto& layer : *layers) {
      auto filters = json_number(layer, "filters"), kernel = json_number(layer, "kernel");
      if (!filters || !kernel) return std::nullopt;
      params += *kernel * *kernel * in * *filters + *filters;
      in = *filters;
    }
    auto head = dense_parameters(in, a);
    if (!head) return std::nullopt;
    return params + *head;
  }
  if (type == "transformer_encoder") return transformer_parameters(a, 2);
  if (type == "decoder_llm") return transformer_parameters(a, 3);
  return std::nullopt;
}

std::optional<double> model_weight_bytes(const Json& a) {
  if (!a.is_object()) return std::nullopt;
  if (architecture_type(a) == "tree_ensemble") {
    auto trees = json_number(a, "trees"), depth = json_number(a, "depth");
    if (!trees || !depth) return std::nullopt;
    return *trees * std::exp2(*depth) * 16.0;
  }
  auto params = model_parameters(a);
  auto bytes = dtype_bytes(architecture_dtype(a));
  if (!params || !bytes) return std::nullopt;
  return *params * *bytes;
}

std::optional<double> kv_cache_bytes(const Json& a, double sequences) {
  if (!a.is_object() || architecture_type(a) != "decoder_llm") return std::nullopt;
  auto layers = json_number(a, "layers"), d = json_number(a, "d_model"), heads = json_number(a, "heads");
  auto prompt = a.find("prompt_tokens"), output = a.find("output_tokens");
  if (!layers || !d || !heads || *heads <= 0 || prompt == a.end() || output == a.end()) return std::nullopt;
  auto prompt_mean = json_number(*prompt, "mean"), output_mean = json_number(*output, "mean");
  auto bytes = dtype_bytes(architecture_dtype(a));
  if (!prompt_mean || !output_mean || !bytes) return std::nullopt;
  double kv_heads = json_number(a, "kv_heads").value_or(*heads);
  return 2 * *layers * kv_heads * (*d / *heads) * (*prompt_mean + *output_mean) * sequences * *bytes;
}

namespace {

std::string thousands(double x) {
  double r = std::round(std::fabs(x));
  std::string digits = fmt::format("{:.0f}", r);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return x < 0 && r > 0 ? "-" + out : out;
}

}  // namespace

std::string format_number(double x) {
  if (!std::isfinite(x)) return fmt::format("{}", x);
  if (std::fabs(x) >= 999.5) return thousands(x);
  if (x == 0) return "0";
  int magnitude = static_cast<int>(std::floor(std::log10(std::fabs(x))));
  int decimals = std::max(0, 2 - magnitude);
  std::string out = fmt::format("{:.{}f}", x, decimals);
  if (out.find('.') != std::string::npos) {
    while (out.back() == '0') out.pop_back();
    if (out.back() == '.') out.pop_back();
  }
  return out;
}

std::string format_usd(double x) {
  std::string out = "$";  // appended rather than "$" + string: GCC 12 warns falsely on that (-Wrestrict)
  return out.append(thousands(x));
}

std::string format_gib(double bytes) { return format_number(bytes / 1073741824.0) + " GiB"; }

}  // namespace mlarch
