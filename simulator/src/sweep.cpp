// Simulations at increasing load, one after the other, and the capacity they show.
#include "mlarch/simulator/sweep.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

#include <fmt/format.h>

#include "mlarch/simulator/render.hpp"

namespace mlarch::sim {

namespace {

std::optional<double> parse_number(std::string_view s) {
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  for (std::size_t start = 0;;) {
    auto pos = s.find(sep, start);
    out.push_back(s.substr(start, pos == std::string_view::npos ? std::string_view::npos : pos - start));
    if (pos == std::string_view::npos) return out;
    start = pos + 1;
  }
}

}  // namespace

std::optional<std::vector<double>> parse_rates(const std::string& text) {
  std::vector<double> rates;
  auto parts = split(text, ':');
  if (parts.size() == 3) {
    auto from = parse_number(parts[0]), to = parse_number(parts[1]), steps = parse_number(parts[2]);
    if (!from || !to || !steps || *from <= 0 || *to <= *from || *steps < 2 || *steps > 1000 ||
        *steps != std::floor(*steps))
      return std::nullopt;
    int n = static_cast<int>(*steps);
    for (int i = 0; i < n; ++i) rates.push_back(*from + (*to - *from) * i / (n - 1));
    return rates;
  }
  if (parts.size() != 1) return std::nullopt;
  for (auto item : split(text, ',')) {
    auto v = parse_number(item);
    if (!v || *v <= 0) return std::nullopt;
    rates.push_back(*v);
  }
  std::sort(rates.begin(), rates.end());
  if (rates.empty() || rates.size() > 1000) return std::nullopt;
  return rates;
}

SweepResult sweep(const Scenario& scenario, const std::string& workload, const std::vector<double>& rates,
                  const SimulateOptions& options) {
  SweepResult out;
  out.workload = workload;
  std::size_t w = 0;
  while (scenario.workloads[w].name != workload) ++w;
  // One copy of the scenario, its rate changed at each point: sample and trace files are read
  // once, when the scenario was built.
  Scenario at_rate = scenario;
  bool all_met_so_far = true;
  for (double rate : rates) {
    at_rate.workloads[w].arrivals.rate_rps = rate;
    SimulationResult r = simulate(at_rate, options);
    if (out.points.empty()) out.first = r;
    SweepPoint p;
    p.rate_rps = rate;
    p.workload = r.workloads[w];
    const ComponentResult& bottleneck = r.components[busiest_station(at_rate, w, r)];
    p.bottleneck = bottleneck.id;
    p.bottleneck_utilization = bottleneck.utilization;
    out.has_slos = !p.workload.slos.empty();
    all_met_so_far = all_met_so_far && p.workload.slos_met();
    if (all_met_so_far && out.has_slos) out.capacity_rps = rate;
    out.points.push_back(std::move(p));
  }
  return out;
}

nlohmann::json sweep_json(const SweepResult& r) {
  using nlohmann::json;
  json points = json::array();
  for (const auto& p : r.points) {
    const WorkloadResult& w = p.workload;
    points.push_back({{"rate_rps", p.rate_rps},
                      {"throughput_rps", estimate_json(w.throughput_rps)},
                      {"latency_ms", latency_json(w)},
                      {"availability", estimate_json(w.availability)},
                      {"slos", slos_json(w)},
                      {"slos_met", w.slos_met()},
                      {"bottleneck", {{"component", p.bottleneck}, {"utilization", estimate_json(p.bottleneck_utilization)}}}});
  }
  return {{"version", 1},
          {"workload", r.workload},
          {"seed", r.first.seed},
          {"replications", r.first.replications},
          {"duration_s", r.first.duration_s},
          {"warmup_s", r.first.warmup_s},
          {"points", points},
          {"capacity_rps", r.capacity_rps ? json(*r.capacity_rps) : json(nullptr)}};
}

std::string render_sweep_text(const SweepResult& r, const std::string& spec_path) {
  std::string out = fmt::format("{}: workload '{}', {} rates, {} replication{} of {:g} s each (warm-up {:g} s)\n\n",
                                spec_path, r.workload, r.points.size(), r.first.replications,
                                r.first.replications == 1 ? "" : "s", r.first.duration_s, r.first.warmup_s);
  out += fmt::format("  {:>10} {:>13} {:>14} {:>14} {:>14} {:>10} {:>6}  {}\n", "rate/s", "throughput/s", "p50 ms",
                     "p95 ms", "p99 ms", "available", "SLOs", "bottleneck");
  for (const auto& p : r.points) {
    const WorkloadResult& w = p.workload;
    out += fmt::format("  {:>10.6g} {:>13} {:>14} {:>14} {:>14} {:>10.4f} {:>6}  {} ({:.2f})\n", p.rate_rps,
                       format_estimate(w.throughput_rps, 4), format_estimate(w.p50), format_estimate(w.p95),
                       format_estimate(w.p99), w.availability.value, !r.has_slos ? "-" : w.slos_met() ? "met" : "MISSED",
                       p.bottleneck, p.bottleneck_utilization.value);
  }
  out += "\n";
  if (!r.has_slos) {
    out += fmt::format("capacity: workload '{}' has no SLO to judge it by\n", r.workload);
  } else if (!r.capacity_rps) {
    out += fmt::format("capacity: below {:g} requests/s, the lowest rate swept already misses an SLO\n", r.points.front().rate_rps);
  } else if (*r.capacity_rps == r.points.back().rate_rps) {
    out += fmt::format("capacity: at least {:g} requests/s, every rate swept meets every SLO\n", *r.capacity_rps);
  } else {
    out += fmt::format("capacity: {:g} requests/s, the highest rate swept at which every SLO is met\n", *r.capacity_rps);
  }
  return out;
}

std::string render_sweep_csv(const SweepResult& r) {
  std::string out = "rate_rps,throughput_rps,p50_ms,p95_ms,p99_ms,p999_ms,availability,slos_met,bottleneck,bottleneck_utilization\n";
  for (const auto& p : r.points) {
    const WorkloadResult& w = p.workload;
    out += fmt::format("{},{},{},{},{},{},{},{},{},{}\n", p.rate_rps, w.throughput_rps.value, w.p50.value, w.p95.value,
                       w.p99.value, w.p999.value, w.availability.value, r.has_slos ? (w.slos_met() ? "true" : "false") : "",
                       p.bottleneck, p.bottleneck_utilization.value);
  }
  return out;
}

}  // namespace mlarch::sim
