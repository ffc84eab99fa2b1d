// The capacity plan as one self-contained HTML page, in the page shell the review uses: text
// escaped by mustache, charts drawn (and escaped) by svg_chart, the plan's JSON as the data island.
#include "mlarch/reports/plan.hpp"

#include <algorithm>
#include <optional>

#include <fmt/format.h>

#include "format.hpp"
#include "mlarch/analyzer/capacity.hpp"
#include "mlarch/simulator/render.hpp"
#include "page.hpp"
#include "svg_chart.hpp"

namespace mlarch::reports {

using Json = nlohmann::json;

namespace {

bool planned(const sim::CapacityPlan& p, const std::string& workload) {
  return std::any_of(p.workloads.begin(), p.workloads.end(), [&](const auto& w) { return w.name == workload; });
}

// The tightest p99 objective of the planned workloads: what each option's p99 is held against.
std::optional<double> p99_objective(const sim::CapacityPlan& p) {
  std::optional<double> out;
  for (const auto& w : p.confirmation.workloads)
    if (planned(p, w.name))
      for (const auto& s : w.slos)
        if (s.objective == "latency_p99_ms") out = std::min(out.value_or(s.target), s.target);
  return out;
}

const sim::PlanOption* recommended_option(const sim::ComponentPlan& c) {
  for (const auto& o : c.options)
    if (o.config == c.recommended) return &o;
  return nullptr;
}

std::string ms(double v) { return number(Json(v), 4) + " ms"; }

void tone(mu::data& d, bool ok, const std::string& yes, const std::string& no) {
  d.set("tone", str(std::string(ok ? "ok" : "bad")));
  d.set("icon", str(std::string(ok ? "✔" : "✖")));
  d.set("verdict", str(ok ? yes : no));
}

Header plan_header(const sim::CapacityPlan& p, const PlanPage& page) {
  Header h{"mlarch capacity plan", page.system_name.empty() ? page.spec_path : page.system_name, "", {}, "", "", {}};
  h.facts = {{"Spec", page.spec_path, true, ""}, {"Peak load", sim::plan_peak_text(p), false, "held steady"},
             {"mlarch", MLARCH_VERSION, false, ""}};
  if (!p.feasible) {
    h.status = "fail";
    h.verdict = "✖ NO PLAN MEETS THE SLOs";
    h.reasons.push_back(p.reason);
    return h;
  }
  h.status = "pass";
  h.verdict = "✔ A PLAN MEETS EVERY SLO AT PEAK";
  std::string saving = sim::plan_saving_text(p);
  h.reasons.push_back(fmt::format("{} a month for the planned components{}", format_usd(p.usd_per_month),
                                  saving.empty() ? "" : "; it " + saving + " against the declared configuration"));
  if (p.headroom.factor) h.reasons.push_back(fmt::format("headroom: {:.3f} × the peak", *p.headroom.factor));
  if (p.confirm_adjustments)
    h.reasons.push_back(fmt::format("{} replica{} added after the confirming run", p.confirm_adjustments,
                                    p.confirm_adjustments == 1 ? "" : "s"));
  return h;
}

void add_recommendation(const sim::CapacityPlan& p, std::optional<double> objective, mu::data& view) {
  mu::list rows;
  for (const auto& c : p.components) {
    mu::data r;
    r.set("id", str(c.id));
    r.set("instance", str(c.recommended.instance.empty() ? std::string("(no instance)") : c.recommended.instance));
    r.set("replicas", str(std::to_string(c.recommended.replicas)));
    r.set("batch", str(c.recommended.max_batch > 1 ? std::to_string(c.recommended.max_batch) : std::string("—")));
    r.set("usd", str(sim::plan_usd_text(c.usd_per_month)));
    r.set("utilization", str(estimate_text(sim::estimate_json(c.utilization))));
    r.set("declared", str(sim::plan_config_text(c.declared) + (c.autoscaled ? " (autoscaled, at most)" : "")));
    r.set("declared_usd", str(sim::plan_usd_text(c.declared_usd_per_month)));
    const sim::PlanOption* o = recommended_option(c);
    r.set("p99", str(o ? ms(o->p99_ms) + (objective ? " of " + ms(*objective) : "") : std::string("—")));
    r.set("has_verdict", mu::data(o != nullptr));
    if (o) tone(r, o->meets_slos, "SLOs met", "SLOs missed");
    rows.push_back(r);
  }
  view.set("components", mu::data(rows));
  view.set("total_usd", str(format_usd(p.usd_per_month)));
  view.set("declared_total_usd", str(format_usd(p.declared_usd_per_month)));
  view.set("saving", str(sim::plan_saving_text(p)));

  mu::list slos;
  for (const auto& w : p.confirmation.workloads) {
    if (!planned(p, w.name)) continue;
    for (const auto& s : w.slos) {
      mu::data r;
      Json slo = {{"objective", s.objective}, {"target", s.target}};
      r.set("workload", str(w.name));
      r.set("objective", str(objective_label(s.objective)));
      r.set("target", str(target_text(slo)));
      r.set("value", str(estimate_text(sim::estimate_json(s.value), s.objective == "availability" ? 5 : 3)));
      tone(r, s.met, "met", "missed");
      slos.push_back(r);
    }
  }
  bool confirmed = !p.confirmation.workloads.empty();
  view.set("has_confirmation", mu::data(confirmed));
  view.set("confirmation_slos", mu::data(slos));
  if (confirmed)
    view.set("confirmation_run", str(fmt::format("{} replications of {:g} s", p.confirmation.replications, p.confirmation.duration_s)));
}

// Each searched component's options: cost against p99 (the Pareto front drawn through them, the
// recommendation ringed and labelled), and the same as a table.
void add_options(const sim::CapacityPlan& p, std::optional<double> objective, mu::data& view) {
  mu::list sections;
  int index = 0;
  for (const auto& c : p.components) {
    if (c.options.empty()) continue;
    ScatterChart chart{fmt::format("options-{}", index), "Options for " + c.id + ": monthly cost against p99",
                       "Each configuration of " + c.id + " simulated with the other components as recommended: the highest "
                           "p99 among the planned workloads against the monthly cost; circles meet every SLO, squares miss "
                           "one; the dashed line joins the Pareto front; the ring marks the recommendation",
                       "p99 latency, ms", "USD per month", {"meets the SLOs", "misses an SLO"}, {}, {}, {}, {}, false, false, "", "Pareto front"};
    if (objective) chart.vlines.push_back({*objective, fmt::format("p99 objective {:g} ms", *objective)});
    mu::list rows;
    for (const auto& o : c.options) {
      bool rec = o.config == c.recommended;
      if (o.usd_per_month) {
        chart.points.push_back({o.p99_ms, *o.usd_per_month, o.meets_slos ? 0u : 1u,
                                rec ? "recommended: " + sim::plan_config_text(o.config) : "", rec});
        if (o.pareto) chart.front.emplace_back(o.p99_ms, *o.usd_per_month);
      }
      mu::data r;
      r.set("config", str(sim::plan_config_text(o.config)));
      r.set("usd", str(sim::plan_usd_text(o.usd_per_month)));
      r.set("p99", str(number(Json(o.p99_ms), 4)));
      r.set("pareto", mu::data(o.pareto));
      r.set("recommended", mu::data(rec));
      r.set("row_class", str(std::string(rec ? "recommended" : o.pareto ? "pareto" : "")));
      tone(r, o.meets_slos, "met", "missed");
      rows.push_back(r);
    }
    std::sort(chart.front.begin(), chart.front.end());
    mu::data d;
    d.set("id", str(c.id));
    d.set("index", str(std::to_string(index++)));
    d.set("search", str(sim::plan_search_text(c)));
    d.set("service_time", str(c.service_origin));
    d.set("chart_svg", str(scatter_chart(chart)));
    d.set("options", mu::data(rows));
    sections.push_back(d);
  }
  view.set("option_sections", mu::data(sections));
}

void add_headroom(const sim::CapacityPlan& p, mu::data& view) {
  const sim::Headroom& h = p.headroom;
  view.set("headroom_text", str(sim::plan_headroom_text(p)));
  mu::list rows;
  for (const auto& w : p.workloads) {
    mu::data r;
    r.set("workload", str(w.name));
    r.set("peak", str(format_number(w.peak_rps)));
    r.set("limit", str(h.factor ? format_number(w.peak_rps * *h.factor) + (h.beyond ? " or more" : "") : std::string("—")));
    rows.push_back(r);
  }
  view.set("headroom_rows", mu::data(rows));
  view.set("headroom_factor", str(h.factor ? fmt::format("{:.3f} ×{}", *h.factor, h.beyond ? " or more" : "") : std::string("—")));
  view.set("limited_by", str(h.limited_by));
}

std::vector<std::pair<std::string, std::string>> plan_run_settings(const sim::CapacityPlan& p) {
  std::vector<std::pair<std::string, std::string>> rows = {
      {"seed", std::to_string(p.seed)},
      {"peak load", sim::plan_peak_text(p)},
      {"screening runs", fmt::format("{} simulations of {} replications × {:g} s at peak (common random numbers)", p.simulations,
                                     p.screen_replications, p.screen_duration_s)}};
  if (!p.confirmation.workloads.empty())
    rows.emplace_back("confirming run", fmt::format("{} replications of {:g} s (warm-up {:g} s){}", p.confirmation.replications,
                                                    p.confirmation.duration_s, p.confirmation.warmup_s,
                                                    p.confirm_adjustments ? fmt::format("; {} replicas added", p.confirm_adjustments) : ""));
  if (p.headroom.factor) rows.emplace_back("headroom search", fmt::format("loads up to {:.3f} × the peak", p.headroom.highest_tried));
  rows.emplace_back("mlarch", MLARCH_VERSION);
  return rows;
}

}  // namespace

std::string render_plan_html(const sim::CapacityPlan& plan, const PlanPage& page) {
  mu::data view;
  Header header = plan_header(plan, page);
  set_header(view, header);
  view.set("feasible", mu::data(plan.feasible));
  auto objective = p99_objective(plan);
  add_recommendation(plan, objective, view);
  add_options(plan, objective, view);
  add_headroom(plan, view);
  set_run_settings(view, plan_run_settings(plan), page.command);
  Json data = sim::capacity_plan_json(plan);
  return render_page(view, {"Capacity plan: " + header.title, "reports/templates/plan.html", "plan-data", &data, ""});
}

}  // namespace mlarch::reports
