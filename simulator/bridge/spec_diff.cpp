// `mlarch diff`: both specs linted and simulated, then compared; and the comparison's renderers.
#include "spec_diff.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "mlarch/analyzer/capacity.hpp"
#include "mlarch/analyzer/hardware.hpp"
#include "mlarch/analyzer/render.hpp"
#include "mlarch/simulator/render.hpp"
#include "mlarch/simulator/scenario.hpp"

namespace mlarch {

namespace {

// One spec, linted, built and (when it has workloads) simulated.
struct Side {
  LintReport report;
  std::optional<System> system;
  std::optional<sim::SimulationResult> result;
  std::map<std::string, double> usd_per_month;  // priced components
  std::vector<std::string> unpriced;
};

std::string finding_key(const Finding& f) { return f.rule + '\n' + f.element + '\n' + f.pointer; }

std::vector<const Finding*> active_findings(const LintReport& report) {
  std::vector<const Finding*> out;
  for (const auto& f : report.findings)
    if (!f.suppressed() && !f.is_input_error()) out.push_back(&f);
  return out;
}

// The findings of `from` that `against` does not have, matching each finding of `against` once.
std::vector<Finding> unmatched(const LintReport& from, const LintReport& against, int* matched) {
  std::map<std::string, int> available;
  for (const Finding* f : active_findings(against)) ++available[finding_key(*f)];
  std::vector<Finding> out;
  for (const Finding* f : active_findings(from)) {
    auto it = available.find(finding_key(*f));
    if (it != available.end() && it->second > 0) {
      --it->second;
      if (matched) ++*matched;
    } else {
      out.push_back(*f);
    }
  }
  return out;
}

// Monthly cost by component: simulated (an autoscaled component's mean replicas) when the spec
// was simulated, else its declared replicas all month.
void monthly_costs(Side& side) {
  const System& sys = *side.system;
  std::map<std::string, double> simulated;
  if (side.result) {
    for (const auto& [id, usd] : side.result->cost.by_component) simulated[id] = usd.value;
    side.unpriced = side.result->cost.unpriced;
  }
  for (const auto& c : sys.components) {
    if (c.instance.empty()) continue;
    if (auto it = simulated.find(c.id); it != simulated.end()) {
      side.usd_per_month[c.id] = it->second;
      continue;
    }
    if (side.result) continue;  // unpriced, listed by the simulation
    auto type = instance_type(sys, c.instance);
    if (type && type->usd_per_hour)
      side.usd_per_month[c.id] = c.replicas.count * *type->usd_per_hour * kHoursPerMonth;
    else
      side.unpriced.push_back(c.id);
  }
}

// Lints, builds and simulates one spec; input errors go to `out`.
bool load_side(const std::string& path, const LintOptions& lint_options, const sim::SimulateOptions& sim_options,
               Side& side, DiffOutcome& out, std::vector<std::string>& notes) {
  side.report = lint({path}, lint_options);
  for (const auto& [file, source] : side.report.sources) out.sources[file] = source;
  if (side.report.has_input_errors() || side.report.documents.empty()) {
    for (const auto& f : side.report.findings)
      if (f.is_input_error()) out.errors.push_back(f);
    return false;
  }
  BuildResult built = build_system(*side.report.documents.front());
  if (!built.system) {
    out.errors.insert(out.errors.end(), built.errors.begin(), built.errors.end());
    return false;
  }
  side.system = std::move(built.system);
  if (!side.system->workloads.empty()) {
    sim::ScenarioResult scenario = sim::build_scenario(*side.system);
    if (!scenario.scenario) {
      out.errors.insert(out.errors.end(), scenario.errors.begin(), scenario.errors.end());
      return false;
    }
    for (const auto& w : scenario.warnings)
      notes.push_back(fmt::format("{}:{}:{}: {}", w.file, w.position.line, w.position.column, w.message));
    auto [duration, warmup] = sim::run_window(*scenario.scenario, sim_options);
    if (warmup >= duration) {
      out.usage_error = fmt::format("the warm-up ({:g} s) must be shorter than the duration ({:g} s) of '{}'", warmup,
                                    duration, path);
      return false;
    }
    side.result = sim::simulate(*scenario.scenario, sim_options);
    for (const auto& s : side.result->stopped) notes.push_back(fmt::format("{}: {}", path, s));
  }
  monthly_costs(side);
  return true;
}

template <class T, class Key>
void append_unseen(std::vector<std::string>& order, const std::vector<T>& items, Key key) {
  std::set<std::string> seen(order.begin(), order.end());
  for (const auto& item : items)
    if (seen.insert(key(item)).second) order.push_back(key(item));
}

const sim::WorkloadResult* find_workload(const Side& side, const std::string& name) {
  if (!side.result) return nullptr;
  for (const auto& w : side.result->workloads)
    if (w.name == name) return &w;
  return nullptr;
}
const sim::ComponentResult* find_component(const Side& side, const std::string& id) {
  if (!side.result) return nullptr;
  for (const auto& c : side.result->components)
    if (c.id == id) return &c;
  return nullptr;
}

std::optional<double> lookup(const std::map<std::string, double>& m, const std::string& key) {
  auto it = m.find(key);
  return it == m.end() ? std::nullopt : std::optional<double>(it->second);
}

// --- Rendering helpers -------------------------------------------------------------------------

std::string signed_usd(double x) {
  if (std::abs(x) < 0.5) return "$0";
  return fmt::format("{}{}", x < 0 ? "-" : "+", format_usd(std::abs(x)));
}
std::string usd_or_dash(const std::optional<double>& x) { return x ? format_usd(*x) : "—"; }
std::string ms(double x) { return fmt::format("{:.3g}", x); }
std::string percent_change(double base, double head) {
  if (base == 0) return head == 0 ? "0%" : "—";
  double p = (head - base) / base * 100;
  if (std::abs(p) < 0.05) return "0%";
  return fmt::format("{:+.1f}%", p);
}
std::string location(const Finding& f) { return fmt::format("{}:{}:{}", f.file, f.position.line, f.position.column); }
std::string slo_name(const sim::SloVerdict& s) {
  if (s.objective == "availability") return fmt::format("availability ≥ {:g}", s.target);
  auto a = s.objective.find('_'), b = s.objective.rfind('_');
  return fmt::format("{} ≤ {:g} ms", s.objective.substr(a + 1, b - a - 1), s.target);
}
std::string slo_value(const sim::SloVerdict& s) {
  return s.objective == "availability" ? fmt::format("{:.5f}", s.value.value) : ms(s.value.value) + " ms";
}

struct Percentile {
  const char* name;
  sim::Estimate sim::WorkloadResult::*field;
};
constexpr Percentile kPercentiles[] = {{"p50", &sim::WorkloadResult::p50},
                                       {"p95", &sim::WorkloadResult::p95},
                                       {"p99", &sim::WorkloadResult::p99},
                                       {"p99.9", &sim::WorkloadResult::p999}};

// The SLOs of a workload on both sides, by objective: (base verdict, head verdict).
std::vector<std::pair<const sim::SloVerdict*, const sim::SloVerdict*>> slo_pairs(const LatencyChange& w) {
  std::vector<std::pair<const sim::SloVerdict*, const sim::SloVerdict*>> out;
  if (w.base)
    for (const auto& s : w.base->slos) out.push_back({&s, nullptr});
  if (w.head)
    for (const auto& s : w.head->slos) {
      auto it = std::find_if(out.begin(), out.end(), [&](const auto& p) {
        return p.first && !p.second && p.first->objective == s.objective;
      });
      if (it != out.end()) it->second = &s;
      else out.push_back({nullptr, &s});
    }
  return out;
}

std::string verdict(const sim::SloVerdict* s) {
  if (!s) return "—";
  return fmt::format("{} ({})", s->met ? "met" : "MISSED", slo_value(*s));
}

std::vector<const CostChange*> changed_costs(const SpecDiff& d) {
  std::vector<const CostChange*> out;
  for (const auto& c : d.costs)
    if (c.base_usd.has_value() != c.head_usd.has_value() || (c.base_usd && std::abs(*c.base_usd - *c.head_usd) >= 0.5))
      out.push_back(&c);
  return out;
}

std::string run_settings(const SpecDiff& d) {
  auto side = [&](const std::optional<SimulatedSide>& s) {
    return s ? fmt::format("{:g} s (warm-up {:g} s)", s->duration_s, s->warmup_s) : std::string("not simulated (no workloads)");
  };
  if (!d.base_run && !d.head_run) return "Neither spec declares workloads: nothing was simulated.";
  std::string when = d.base_run && d.head_run && d.base_run->duration_s == d.head_run->duration_s &&
                             d.base_run->warmup_s == d.head_run->warmup_s
                         ? fmt::format("{} each", side(d.base_run))
                         : fmt::format("base {}, head {}", side(d.base_run), side(d.head_run));
  return fmt::format("Simulated with seed {}: {} replication{} of {}.", d.seed, d.replications,
                     d.replications == 1 ? "" : "s", when);
}

}  // namespace

int SpecDiff::added_at_or_above(Severity threshold) const {
  int n = 0;
  for (const auto& f : added)
    if (f.severity >= threshold) ++n;
  return n;
}

DiffOutcome diff_specs(const std::string& base_path, const std::string& head_path, const LintOptions& lint_options,
                       const sim::SimulateOptions& sim_options) {
  DiffOutcome out;
  Side base, head;
  std::vector<std::string> notes;
  bool ok = load_side(base_path, lint_options, sim_options, base, out, notes);
  if (out.usage_error.empty()) ok = load_side(head_path, lint_options, sim_options, head, out, notes) && ok;
  if (!ok) return out;

  SpecDiff d;
  d.base_path = base_path;
  d.head_path = head_path;
  d.notes = std::move(notes);
  d.added = unmatched(head.report, base.report, &d.unchanged);
  d.fixed = unmatched(base.report, head.report, nullptr);
  d.seed = sim_options.seed;
  d.replications = sim_options.replications;
  if (base.result) d.base_run = SimulatedSide{base.result->duration_s, base.result->warmup_s};
  if (head.result) d.head_run = SimulatedSide{head.result->duration_s, head.result->warmup_s};

  std::vector<std::string> workloads;
  auto workload_name = [](const Workload& w) { return w.name; };
  append_unseen(workloads, base.system->workloads, workload_name);
  append_unseen(workloads, head.system->workloads, workload_name);
  for (const auto& name : workloads) {
    LatencyChange c{name, {}, {}};
    if (auto* w = find_workload(base, name)) c.base = *w;
    if (auto* w = find_workload(head, name)) c.head = *w;
    d.workloads.push_back(std::move(c));
  }

  std::vector<std::string> components;
  auto component_id = [](const Component& c) { return c.id; };
  append_unseen(components, base.system->components, component_id);
  append_unseen(components, head.system->components, component_id);
  for (const auto& id : components) {
    CostChange c{id, lookup(base.usd_per_month, id), lookup(head.usd_per_month, id)};
    if (c.base_usd || c.head_usd) d.costs.push_back(c);
    if (c.base_usd) d.base_usd_per_month += *c.base_usd;
    if (c.head_usd) d.head_usd_per_month += *c.head_usd;
    const auto* b = find_component(base, id);
    const auto* h = find_component(head, id);
    if (b && h && (b->utilization.value >= kBusyUtilization) != (h->utilization.value >= kBusyUtilization))
      d.crossings.push_back({id, b->utilization.value, h->utilization.value});
  }
  d.base_unpriced = base.unpriced;
  d.head_unpriced = head.unpriced;
  out.diff = std::move(d);
  return out;
}

nlohmann::json spec_diff_json(const SpecDiff& d) {
  using nlohmann::json;
  auto findings = [](const std::vector<Finding>& list) {
    json a = json::array();
    for (const auto& f : list) a.push_back(finding_json(f));
    return a;
  };
  auto run = [](const std::optional<SimulatedSide>& s) {
    return s ? json{{"duration_s", s->duration_s}, {"warmup_s", s->warmup_s}} : json(nullptr);
  };
  auto usd = [](const std::optional<double>& x) { return x ? json(std::round(*x * 100) / 100) : json(nullptr); };
  auto side = [](const std::optional<sim::WorkloadResult>& w) {
    if (!w) return json(nullptr);
    return json{{"latency_ms", sim::latency_json(*w)},
                {"availability", sim::estimate_json(w->availability)},
                {"slos", sim::slos_json(*w)}};
  };
  json out = json::object();
  out["version"] = 1;
  out["base"] = d.base_path;
  out["head"] = d.head_path;
  out["findings"] = {{"added", findings(d.added)}, {"fixed", findings(d.fixed)}, {"unchanged", d.unchanged}};
  out["simulation"] = {{"seed", d.seed}, {"replications", d.replications}, {"base", run(d.base_run)}, {"head", run(d.head_run)}};
  json workloads = json::array();
  for (const auto& w : d.workloads) workloads.push_back({{"name", w.workload}, {"base", side(w.base)}, {"head", side(w.head)}});
  out["workloads"] = workloads;
  json costs = json::array();
  for (const auto& c : d.costs) {
    json j = {{"component", c.component}, {"base_usd_per_month", usd(c.base_usd)}, {"head_usd_per_month", usd(c.head_usd)}};
    j["diff_usd_per_month"] = usd(c.head_usd.value_or(0) - c.base_usd.value_or(0));
    costs.push_back(j);
  }
  out["cost"] = {{"components", costs},
                 {"base_usd_per_month", usd(d.base_usd_per_month)},
                 {"head_usd_per_month", usd(d.head_usd_per_month)},
                 {"diff_usd_per_month", usd(d.head_usd_per_month - d.base_usd_per_month)},
                 {"base_unpriced", d.base_unpriced},
                 {"head_unpriced", d.head_unpriced}};
  json crossings = json::array();
  for (const auto& c : d.crossings)
    crossings.push_back({{"component", c.component},
                         {"base", std::round(c.base * 1e4) / 1e4},
                         {"head", std::round(c.head * 1e4) / 1e4},
                         {"direction", c.head > c.base ? "up" : "down"}});
  out["utilization_crossings"] = {{"threshold", kBusyUtilization}, {"components", crossings}};
  out["notes"] = d.notes;
  return out;
}

std::string render_spec_diff_json(const SpecDiff& d) {
  return spec_diff_json(d).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string render_spec_diff_text(const SpecDiff& d) {
  std::string out = fmt::format("mlarch diff: {} -> {}\n\n", d.base_path, d.head_path);
  out += fmt::format("Findings: {} added, {} fixed, {} unchanged\n", d.added.size(), d.fixed.size(), d.unchanged);
  for (const auto& f : d.added)
    out += fmt::format("  + {}: {}[{}]: {}\n", location(f), to_string(f.severity), f.rule, f.message);
  for (const auto& f : d.fixed)
    out += fmt::format("  - {}: {}[{}]: {}\n", location(f), to_string(f.severity), f.rule, f.message);

  if (!d.workloads.empty()) {
    out += "\nLatency (ms): base -> head\n";
    for (const auto& w : d.workloads) {
      out += fmt::format("  {}\n", w.workload);
      for (const auto& p : kPercentiles) {
        std::string b = w.base ? ms(((*w.base).*p.field).value) : "—";
        std::string h = w.head ? ms(((*w.head).*p.field).value) : "—";
        std::string change = w.base && w.head ? "  " + percent_change(((*w.base).*p.field).value, ((*w.head).*p.field).value) : "";
        out += fmt::format("    {:<6} {:>10} -> {:<10}{}\n", p.name, b, h, change);
      }
      for (const auto& [b, h] : slo_pairs(w))
        out += fmt::format("    SLO {}: {} -> {}\n", slo_name(b ? *b : *h), verdict(b), verdict(h));
    }
  }

  out += "\nMonthly cost\n";
  auto changed = changed_costs(d);
  for (const CostChange* c : changed)
    out += fmt::format("  {:<24} {:>10} -> {:<10} {}\n", c->component, usd_or_dash(c->base_usd), usd_or_dash(c->head_usd),
                       signed_usd(c->head_usd.value_or(0) - c->base_usd.value_or(0)));
  out += fmt::format("  {:<24} {:>10} -> {:<10} {} ({})\n", "total", format_usd(d.base_usd_per_month),
                     format_usd(d.head_usd_per_month), signed_usd(d.head_usd_per_month - d.base_usd_per_month),
                     percent_change(d.base_usd_per_month, d.head_usd_per_month));

  out += fmt::format("\nUtilization crossing {:g}:", kBusyUtilization);
  if (d.crossings.empty()) out += " none\n";
  else {
    out += "\n";
    for (const auto& c : d.crossings) out += fmt::format("  {:<24} {:.2f} -> {:.2f}\n", c.component, c.base, c.head);
  }
  for (const auto& n : d.notes) out += fmt::format("note: {}\n", n);
  out += fmt::format("\n{}\n", run_settings(d));
  return out;
}

std::string render_spec_diff_markdown(const SpecDiff& d) {
  std::string out = "## mlarch diff\n\n";
  out += fmt::format("`{}` → `{}`\n\n", markdown_escape(d.base_path), markdown_escape(d.head_path));

  out += fmt::format("### Findings: {} added, {} fixed, {} unchanged\n\n", d.added.size(), d.fixed.size(), d.unchanged);
  if (!d.added.empty() || !d.fixed.empty()) {
    out += "| | severity | rule | location | element | message |\n|---|---|---|---|---|---|\n";
    auto row = [&](const char* change, const Finding& f) {
      out += fmt::format("| {} | {} | {} | `{}` | {} | {} |\n", change, to_string(f.severity), f.rule, location(f),
                         markdown_escape(f.element), markdown_escape(f.message));
    };
    for (const auto& f : d.added) row("added", f);
    for (const auto& f : d.fixed) row("fixed", f);
    out += "\n";
  }

  if (!d.workloads.empty()) {
    out += "### Latency\n\n| workload | | base | head | change |\n|---|---|---:|---:|---:|\n";
    for (const auto& w : d.workloads) {
      for (const auto& p : kPercentiles) {
        std::string b = w.base ? ms(((*w.base).*p.field).value) + " ms" : "—";
        std::string h = w.head ? ms(((*w.head).*p.field).value) + " ms" : "—";
        std::string change = w.base && w.head ? percent_change(((*w.base).*p.field).value, ((*w.head).*p.field).value) : "—";
        out += fmt::format("| {} | {} | {} | {} | {} |\n", markdown_escape(w.workload), p.name, b, h, change);
      }
      for (const auto& [b, h] : slo_pairs(w)) {
        bool regressed = b && h && b->met && !h->met;
        out += fmt::format("| {} | SLO {} | {} | {} | {} |\n", markdown_escape(w.workload), slo_name(b ? *b : *h),
                           verdict(b), verdict(h), regressed ? "**now missed**" : b && h && !b->met && h->met ? "now met" : "");
      }
    }
    out += "\n";
  }

  out += "### Monthly cost\n\n";
  auto changed = changed_costs(d);
  if (changed.empty()) {
    out += fmt::format("No change: {} per month.\n\n", format_usd(d.head_usd_per_month));
  } else {
    out += "| component | base | head | diff |\n|---|---:|---:|---:|\n";
    for (const CostChange* c : changed)
      out += fmt::format("| {} | {} | {} | {} |\n", markdown_escape(c->component), usd_or_dash(c->base_usd),
                         usd_or_dash(c->head_usd), signed_usd(c->head_usd.value_or(0) - c->base_usd.value_or(0)));
    out += fmt::format("| **total** | **{}** | **{}** | **{} ({})** |\n\n", format_usd(d.base_usd_per_month),
                       format_usd(d.head_usd_per_month), signed_usd(d.head_usd_per_month - d.base_usd_per_month),
                       percent_change(d.base_usd_per_month, d.head_usd_per_month));
  }
  if (!d.head_unpriced.empty())
    out += fmt::format("Not priced (no `usd_per_hour`): {}.\n\n", markdown_escape(fmt::format("{}", fmt::join(d.head_unpriced, ", "))));

  out += fmt::format("### Utilization crossing {:g}\n\n", kBusyUtilization);
  if (d.crossings.empty()) {
    out += "None.\n\n";
  } else {
    out += "| component | base | head | |\n|---|---:|---:|---|\n";
    for (const auto& c : d.crossings)
      out += fmt::format("| {} | {:.2f} | {:.2f} | {} |\n", markdown_escape(c.component), c.base, c.head,
                         c.head > c.base ? "now busy" : "no longer busy");
    out += "\n";
  }
  for (const auto& n : d.notes) out += fmt::format("> {}\n", markdown_escape(n));
  if (!d.notes.empty()) out += "\n";
  out += fmt::format("<sub>{}</sub>\n", run_settings(d));
  return out;
}

}  // namespace mlarch
