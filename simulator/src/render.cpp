// The text, JSON and CSV forms of a SimulationResult.
#include "mlarch/simulator/render.hpp"

#include <cmath>
#include <string>

#include <fmt/format.h>

namespace mlarch::sim {

double round6(double x) {
  if (!std::isfinite(x) || x == 0) return x;
  return std::stod(fmt::format("{:.6g}", x));
}

namespace {

std::string bold(const std::string& s, bool color) { return color ? "\x1b[1m" + s + "\x1b[0m" : s; }
std::string verdict(bool met, bool color) {
  if (!color) return met ? "met" : "MISSED";
  return met ? "\x1b[32mmet\x1b[0m" : "\x1b[1;31mMISSED\x1b[0m";
}

std::string slo_label(const std::string& objective) {
  if (objective == "availability") return "availability";
  // latency_p99_ms -> p99
  auto a = objective.find('_'), b = objective.rfind('_');
  return objective.substr(a + 1, b - a - 1);
}

}  // namespace

nlohmann::json estimate_json(const Estimate& e) {
  nlohmann::json j;
  j["value"] = round6(e.value);
  j["ci95"] = e.ci95 ? nlohmann::json(round6(*e.ci95)) : nlohmann::json(nullptr);
  return j;
}

std::string format_estimate(const Estimate& e, int precision) {
  std::string v = fmt::format("{:.{}g}", e.value, precision);
  if (!e.ci95) return v;
  return fmt::format("{} ±{:.{}g}", v, *e.ci95, 2);
}

nlohmann::json latency_json(const WorkloadResult& w) {
  return {{"mean", estimate_json(w.mean)}, {"p50", estimate_json(w.p50)}, {"p90", estimate_json(w.p90)},
          {"p95", estimate_json(w.p95)},   {"p99", estimate_json(w.p99)}, {"p999", estimate_json(w.p999)}};
}

nlohmann::json slos_json(const WorkloadResult& w) {
  nlohmann::json slos = nlohmann::json::array();
  for (const auto& s : w.slos)
    slos.push_back({{"objective", s.objective}, {"target", s.target}, {"value", estimate_json(s.value)}, {"met", s.met}});
  return slos;
}

nlohmann::json simulation_json(const SimulationResult& r) {
  using nlohmann::json;
  json out = json::object();
  out["version"] = 1;
  out["seed"] = r.seed;
  out["replications"] = r.replications;
  out["duration_s"] = r.duration_s;
  out["warmup_s"] = r.warmup_s;
  json workloads = json::object();
  for (const auto& w : r.workloads) {
    json j;
    j["requests"] = estimate_json(w.requests);
    j["throughput_rps"] = estimate_json(w.throughput_rps);
    j["latency_ms"] = latency_json(w);
    j["drops"] = estimate_json(w.drops);
    j["timeouts"] = estimate_json(w.timeouts);
    j["lost"] = estimate_json(w.lost);
    j["unfinished"] = estimate_json(w.unfinished);
    j["availability"] = estimate_json(w.availability);
    j["slos"] = slos_json(w);
    workloads[w.name] = j;
  }
  out["workloads"] = workloads;
  json components = json::object();
  for (const auto& c : r.components) {
    json j;
    j["service_time"] = c.service_origin;
    j["utilization"] = estimate_json(c.utilization);
    j["mean_queue_length"] = estimate_json(c.mean_queue_length);
    j["mean_wait_ms"] = estimate_json(c.mean_wait_ms);
    j["mean_replicas"] = estimate_json(c.mean_replicas);
    j["mean_batch_size"] = estimate_json(c.mean_batch_size);
    j["throughput_rps"] = estimate_json(c.throughput_rps);
    j["mean_service_ms"] = estimate_json(c.mean_service_ms);
    j["mean_response_ms"] = estimate_json(c.mean_response_ms);
    j["drops"] = estimate_json(c.drops);
    if (c.autoscaled) {
      json series = json::array();
      for (double v : c.replica_series) series.push_back(round6(v));
      j["replicas_over_time"] = {{"period_s", kAutoscalePeriodS}, {"values", series}};
    }
    components[c.id] = j;
  }
  out["components"] = components;
  json by_component = json::object();
  for (const auto& [id, e] : r.cost.by_component) by_component[id] = estimate_json(e);
  out["cost"] = {{"usd_per_month", estimate_json(r.cost.usd_per_month)},
                 {"usd_per_million_requests", estimate_json(r.cost.usd_per_million_requests)},
                 {"by_component", by_component},
                 {"unpriced", r.cost.unpriced}};
  out["stopped"] = r.stopped;
  return out;
}

std::string render_simulation_json(const SimulationResult& r) { return simulation_json(r).dump(2) + "\n"; }

std::string render_simulation_text(const SimulationResult& r, const std::string& spec_path, bool color) {
  std::string out;
  out += fmt::format("{}: {} replication{} of {:g} s (warm-up {:g} s), seed {}\n", spec_path, r.replications,
                     r.replications == 1 ? "" : "s", r.duration_s, r.warmup_s, r.seed);
  if (r.replications > 1) out += "± is the half-width of the 95% confidence interval across replications\n";
  for (const auto& s : r.stopped) out += fmt::format("warning: {}\n", s);

  out += fmt::format("\n{}\n", bold("Workloads", color));
  out += fmt::format("  {:<22} {:>12} {:>14} {:>14} {:>14} {:>14} {:>10}\n", "workload", "throughput/s", "p50 ms",
                     "p95 ms", "p99 ms", "p99.9 ms", "available");
  for (const auto& w : r.workloads) {
    out += fmt::format("  {:<22} {:>12} {:>14} {:>14} {:>14} {:>14} {:>10}\n", w.name, format_estimate(w.throughput_rps, 4),
                       format_estimate(w.p50), format_estimate(w.p95), format_estimate(w.p99), format_estimate(w.p999),
                       fmt::format("{:.4f}", w.availability.value));
    if (w.drops.value > 0 || w.timeouts.value > 0 || w.lost.value > 0 || w.unfinished.value > 0)
      out += fmt::format("  {:<22} per replication: {:g} dropped, {:g} timed out, {:g} lost to failures, {:g} unfinished\n",
                         "", w.drops.value, w.timeouts.value, w.lost.value, w.unfinished.value);
    for (const auto& s : w.slos) {
      bool availability = s.objective == "availability";
      out += fmt::format("  {:<22} SLO {} {} {}: {} {}\n", "", slo_label(s.objective), availability ? "≥" : "≤",
                         availability ? fmt::format("{:g}", s.target) : fmt::format("{:g} ms", s.target),
                         availability ? fmt::format("{:.5f}", s.value.value) : format_estimate(s.value) + " ms",
                         verdict(s.met, color));
    }
  }

  out += fmt::format("\n{}\n", bold("Components", color));
  out += fmt::format("  {:<18} {:>12} {:>10} {:>12} {:>12} {:>9} {:>7}  {}\n", "component", "utilization", "queue",
                     "wait ms", "service ms", "replicas", "batch", "service time");
  for (const auto& c : r.components) {
    out += fmt::format("  {:<18} {:>12} {:>10} {:>12} {:>12} {:>9} {:>7}  {}\n", c.id, format_estimate(c.utilization, 2),
                       fmt::format("{:.3g}", c.mean_queue_length.value), format_estimate(c.mean_wait_ms),
                       fmt::format("{:.3g}", c.mean_service_ms.value), fmt::format("{:.3g}", c.mean_replicas.value),
                       fmt::format("{:.3g}", c.mean_batch_size.value), c.service_origin);
  }

  out += fmt::format("\n{}\n", bold("Cost", color));
  out += fmt::format("  ${:.0f} a month (730 h), ${:.3g} per million requests\n", r.cost.usd_per_month.value,
                     r.cost.usd_per_million_requests.value);
  for (const auto& [id, e] : r.cost.by_component) out += fmt::format("    {:<18} ${:>10.0f}\n", id, e.value);
  if (!r.cost.unpriced.empty()) {
    std::string list;
    for (const auto& id : r.cost.unpriced) list += (list.empty() ? "" : ", ") + id;
    out += fmt::format("  not priced (no usd_per_hour for their instance): {}\n", list);
  }
  return out;
}

std::string render_simulation_csv(const SimulationResult& r) {
  std::string out = "section,name,metric,value,ci95\n";
  auto row = [&](const char* section, const std::string& name, const char* metric, const Estimate& e) {
    out += fmt::format("{},{},{},{},{}\n", section, name, metric, round6(e.value), e.ci95 ? fmt::format("{}", round6(*e.ci95)) : "");
  };
  for (const auto& w : r.workloads) {
    row("workload", w.name, "requests", w.requests);
    row("workload", w.name, "throughput_rps", w.throughput_rps);
    row("workload", w.name, "latency_mean_ms", w.mean);
    row("workload", w.name, "latency_p50_ms", w.p50);
    row("workload", w.name, "latency_p90_ms", w.p90);
    row("workload", w.name, "latency_p95_ms", w.p95);
    row("workload", w.name, "latency_p99_ms", w.p99);
    row("workload", w.name, "latency_p999_ms", w.p999);
    row("workload", w.name, "drops", w.drops);
    row("workload", w.name, "timeouts", w.timeouts);
    row("workload", w.name, "availability", w.availability);
  }
  for (const auto& c : r.components) {
    row("component", c.id, "utilization", c.utilization);
    row("component", c.id, "mean_queue_length", c.mean_queue_length);
    row("component", c.id, "mean_wait_ms", c.mean_wait_ms);
    row("component", c.id, "mean_replicas", c.mean_replicas);
    row("component", c.id, "mean_batch_size", c.mean_batch_size);
    row("component", c.id, "throughput_rps", c.throughput_rps);
  }
  row("cost", "total", "usd_per_month", r.cost.usd_per_month);
  row("cost", "total", "usd_per_million_requests", r.cost.usd_per_million_requests);
  for (const auto& [id, e] : r.cost.by_component) row("cost", id, "usd_per_month", e);
  return out;
}

}  // namespace mlarch::sim
