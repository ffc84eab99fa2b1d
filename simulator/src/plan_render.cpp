// The capacity plan for people (text, Markdown) and programs (JSON, plan-output-v1).
#include <cmath>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "mlarch/analyzer/capacity.hpp"
#include "mlarch/analyzer/render.hpp"
#include "mlarch/simulator/plan.hpp"
#include "mlarch/simulator/render.hpp"

namespace mlarch::sim {

namespace {

using nlohmann::json;

json usd_json(const std::optional<double>& usd) { return usd ? json(std::round(*usd * 100) / 100) : json(nullptr); }

json config_json(const ComponentConfig& c, const std::optional<double>& usd) {
  return {{"instance", c.instance}, {"replicas", c.replicas}, {"max_batch", c.max_batch}, {"usd_per_month", usd_json(usd)}};
}

// "12.3 ±0.4" without exponents (format_number).
std::string estimate_text(const Estimate& e) {
  return e.ci95 ? fmt::format("{} ±{}", format_number(e.value), format_number(*e.ci95)) : format_number(e.value);
}

std::string pruned_text(const ComponentPlan& c) {
  std::vector<std::string> parts;
  if (c.pruned_slow) parts.push_back(fmt::format("{} too slow for the latency objective", c.pruned_slow));
  if (c.pruned_memory) parts.push_back(fmt::format("{} too large for the memory", c.pruned_memory));
  if (c.pruned_cost) parts.push_back(fmt::format("{} dearer than the answer at their fewest replicas", c.pruned_cost));
  if (parts.empty()) return "";
  return fmt::format("; ruled out before simulating: {}", fmt::join(parts, ", "));
}

std::string confirmation_text(const CapacityPlan& p, bool markdown) {
  std::string out;
  const SimulationResult& r = p.confirmation;
  for (const auto& w : r.workloads) {
    bool planned = false;
    for (const auto& pw : p.workloads) planned = planned || pw.name == w.name;
    if (!planned) continue;
    std::string slos;
    for (const auto& s : w.slos) {
      std::string value = s.objective == "availability" ? fmt::format("{:.5f}", s.value.value) : format_number(s.value.value) + " ms";
      slos += fmt::format("{}{} {} ({})", slos.empty() ? "" : ", ", s.objective, s.met ? "met" : "MISSED", value);
    }
    std::string name = markdown ? fmt::format("- `{}`", w.name) : "  " + w.name;
    out += fmt::format("{}: p50 {} ms, p99 {} ms; {}\n", name, estimate_text(w.p50), estimate_text(w.p99),
                       slos.empty() ? "no SLOs" : slos);
  }
  return out;
}

}  // namespace

std::string plan_usd_text(const std::optional<double>& usd) { return usd ? format_usd(*usd) : "unpriced"; }

std::string plan_config_text(const ComponentConfig& c) {
  std::string out = fmt::format("{} × {}", c.instance.empty() ? "(no instance)" : c.instance, c.replicas);
  if (c.max_batch > 1) out += fmt::format(", batch {}", c.max_batch);
  return out;
}

std::string plan_saving_text(const CapacityPlan& p) {
  double d = p.usd_per_month - p.declared_usd_per_month;
  if (std::abs(d) < 0.5 || p.declared_usd_per_month <= 0) return "";
  return fmt::format("{} {} ({:+.0f}%)", d < 0 ? "saves" : "costs", format_usd(std::abs(d)), d / p.declared_usd_per_month * 100);
}

std::string plan_peak_text(const CapacityPlan& p) {
  std::string out;
  for (const auto& w : p.workloads)
    out += fmt::format("{}{} at {} requests/s", out.empty() ? "" : "; ", w.name, format_number(w.peak_rps));
  return out;
}

std::string plan_headroom_text(const CapacityPlan& p) {
  const Headroom& h = p.headroom;
  if (!h.factor) return "not measured";
  std::string rates;
  for (const auto& w : p.workloads)
    rates += fmt::format("{}{} requests/s", rates.empty() ? "" : ", ", format_number(w.peak_rps * *h.factor));
  if (h.beyond) return fmt::format("the SLOs are still met at {:.3f} × the peak ({}), the highest load tried", *h.factor, rates);
  return fmt::format("the SLOs are met up to {:.3f} × the peak ({}); at {:.3f} × they are missed, '{}' the busiest component",
                     *h.factor, rates, h.highest_tried, h.limited_by);
}

std::string plan_search_text(const ComponentPlan& c) {
  std::string space = c.instance_searched ? fmt::format("{} instance types", c.instance_types) : "its declared instance type";
  if (c.batch_sizes.size() > 1) space += fmt::format(" × {} batch sizes", c.batch_sizes.size());
  return fmt::format("{} configurations simulated over {}{}", c.options.size(), space, pruned_text(c));
}

json capacity_plan_json(const CapacityPlan& p) {
  json out = json::object();
  out["version"] = 1;
  out["feasible"] = p.feasible;
  out["reason"] = p.reason.empty() ? json(nullptr) : json(p.reason);
  json workloads = json::array();
  for (const auto& w : p.workloads) {
    json j = {{"name", w.name}, {"peak_rps", w.peak_rps}};
    j["headroom_rps"] = p.headroom.factor ? json(std::round(w.peak_rps * *p.headroom.factor * 1000) / 1000) : json(nullptr);
    workloads.push_back(j);
  }
  out["workloads"] = workloads;
  json components = json::array();
  for (const auto& c : p.components) {
    json options = json::array();
    for (const auto& o : c.options) {
      json j = config_json(o.config, o.usd_per_month);
      j["p99_ms"] = std::round(o.p99_ms * 1000) / 1000;
      j["meets_slos"] = o.meets_slos;
      j["pareto"] = o.pareto;
      options.push_back(j);
    }
    json declared = config_json(c.declared, c.declared_usd_per_month);
    declared["autoscaled"] = c.autoscaled;
    components.push_back({{"id", c.id},
                          {"pointer", c.pointer},
                          {"declared", declared},
                          {"recommended", config_json(c.recommended, c.usd_per_month)},
                          {"service_time", c.service_origin},
                          {"utilization", estimate_json(c.utilization)},
                          {"search",
                           {{"instance_searched", c.instance_searched},
                            {"instance_types", c.instance_types},
                            {"batch_sizes", c.batch_sizes},
                            {"pruned", {{"slow", c.pruned_slow}, {"memory", c.pruned_memory}, {"cost", c.pruned_cost}}}}},
                          {"options", options}});
  }
  out["components"] = components;
  out["cost"] = {{"usd_per_month", usd_json(p.usd_per_month)}, {"declared_usd_per_month", usd_json(p.declared_usd_per_month)}};
  json confirmation = nullptr;
  if (!p.confirmation.workloads.empty()) {
    json ws = json::object();
    for (const auto& w : p.confirmation.workloads)
      ws[w.name] = {{"latency_ms", latency_json(w)}, {"availability", estimate_json(w.availability)}, {"slos", slos_json(w)}};
    confirmation = {{"replications", p.confirmation.replications},
                    {"duration_s", p.confirmation.duration_s},
                    {"warmup_s", p.confirmation.warmup_s},
                    {"replicas_added", p.confirm_adjustments},
                    {"workloads", ws}};
  }
  out["confirmation"] = confirmation;
  out["headroom"] = {{"factor", p.headroom.factor ? json(std::round(*p.headroom.factor * 1e4) / 1e4) : json(nullptr)},
                     {"beyond_highest_tried", p.headroom.beyond},
                     {"highest_tried", std::round(p.headroom.highest_tried * 1e4) / 1e4},
                     {"limited_by", p.headroom.limited_by.empty() ? json(nullptr) : json(p.headroom.limited_by)}};
  out["screening"] = {{"seed", p.seed},
                      {"replications", p.screen_replications},
                      {"duration_s", std::round(p.screen_duration_s * 1e3) / 1e3},
                      {"simulations", p.simulations}};
  return out;
}

std::string render_capacity_plan_json(const CapacityPlan& p) {
  return capacity_plan_json(p).dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

std::string render_capacity_plan_text(const CapacityPlan& p, const std::string& spec_path) {
  std::string out = fmt::format("Capacity plan for {}\nPeak load: {}\n", spec_path, plan_peak_text(p));
  if (!p.feasible) out += fmt::format("\nNo plan meets the SLOs: {}\n", p.reason);
  if (!p.components.empty()) {
    out += fmt::format("\n{:<20} {:<34} {:>10}   {:<34} {:>10}\n", "component", "recommended", "$/month", "declared (at most)", "$/month");
    for (const auto& c : p.components)
      out += fmt::format("{:<20} {:<34} {:>10}   {:<34} {:>10}\n", c.id, plan_config_text(c.recommended), plan_usd_text(c.usd_per_month),
                         plan_config_text(c.declared), plan_usd_text(c.declared_usd_per_month));
    out += fmt::format("{:<20} {:<34} {:>10}   {:<34} {:>10}{}\n", "total", "", format_usd(p.usd_per_month), "",
                       format_usd(p.declared_usd_per_month), plan_saving_text(p).empty() ? "" : "  " + plan_saving_text(p));
  }
  if (!p.confirmation.workloads.empty()) {
    out += fmt::format("\nConfirmed at peak ({} replications of {} s{}):\n", p.confirmation.replications,
                       format_number(p.confirmation.duration_s),
                       p.confirm_adjustments ? fmt::format("; {} replicas added after screening", p.confirm_adjustments) : "");
    out += confirmation_text(p, false);
  }
  if (p.feasible) out += fmt::format("Headroom: {}\n", plan_headroom_text(p));
  for (const auto& c : p.components) {
    if (c.options.empty()) continue;
    out += fmt::format("\n{}: {}\n", c.id, plan_search_text(c));
    out += fmt::format("  {:1} {:<34} {:>10} {:>10}  {}\n", "", "configuration", "$/month", "p99 ms", "SLOs");
    for (const auto& o : c.options)
      out += fmt::format("  {:1} {:<34} {:>10} {:>10}  {}{}\n", o.pareto ? "*" : "", plan_config_text(o.config),
                         plan_usd_text(o.usd_per_month), format_number(o.p99_ms), o.meets_slos ? "met" : "missed",
                         o.config == c.recommended ? "  <- recommended" : "");
  }
  if (!p.components.empty()) out += "\n* on the Pareto front of cost and p99 (others held as recommended)\n";
  out += fmt::format("Screening: {} simulations of {} replications × {} s at peak; seed {}\n", p.simulations,
                     p.screen_replications, format_number(p.screen_duration_s), p.seed);
  return out;
}

std::string render_capacity_plan_markdown(const CapacityPlan& p, const std::string& spec_path) {
  std::string out = fmt::format("## Capacity plan: `{}`\n\nPeak load: {}.\n\n", markdown_escape(spec_path), markdown_escape(plan_peak_text(p)));
  if (!p.feasible) out += fmt::format("**No plan meets the SLOs:** {}\n\n", markdown_escape(p.reason));
  if (!p.components.empty()) {
    out += "| component | recommended | $/month | declared (at most) | $/month | utilization at peak |\n|---|---|---:|---|---:|---:|\n";
    for (const auto& c : p.components)
      out += fmt::format("| {} | {} | {} | {} | {} | {:.2f} |\n", markdown_escape(c.id), markdown_escape(plan_config_text(c.recommended)),
                         plan_usd_text(c.usd_per_month), markdown_escape(plan_config_text(c.declared)), plan_usd_text(c.declared_usd_per_month),
                         c.utilization.value);
    out += fmt::format("| **total** | | **{}** | | **{}** | |\n\n", format_usd(p.usd_per_month), format_usd(p.declared_usd_per_month));
    if (!plan_saving_text(p).empty()) out += fmt::format("Against the declared configuration, the plan {}.\n\n", plan_saving_text(p));
  }
  if (!p.confirmation.workloads.empty()) {
    out += fmt::format("Confirmed at peak ({} replications of {} s):\n\n", p.confirmation.replications,
                       format_number(p.confirmation.duration_s));
    out += confirmation_text(p, true) + "\n";
  }
  if (p.feasible) out += fmt::format("**Headroom:** {}.\n\n", markdown_escape(plan_headroom_text(p)));
  for (const auto& c : p.components) {
    if (c.options.empty()) continue;
    out += fmt::format("### `{}`\n\n{}.\n\n| | configuration | $/month | p99 (ms) | SLOs |\n|---|---|---:|---:|---|\n",
                       markdown_escape(c.id), markdown_escape(plan_search_text(c)));
    for (const auto& o : c.options)
      out += fmt::format("| {} | {} | {} | {} | {} |\n", o.config == c.recommended ? "**→**" : o.pareto ? "◆" : "",
                         markdown_escape(plan_config_text(o.config)), plan_usd_text(o.usd_per_month), format_number(o.p99_ms),
                         o.meets_slos ? "met" : "missed");
    out += "\n";
  }
  if (!p.components.empty()) out += "◆ on the Pareto front of cost and p99 (the other components as recommended); **→** the recommendation.\n\n";
  out += fmt::format("<sub>Screening: {} simulations of {} replications × {} s at peak; seed {}.</sub>\n", p.simulations,
                     p.screen_replications, format_number(p.screen_duration_s), p.seed);
  return out;
}

}  // namespace mlarch::sim
