// Builds the review: the spec loaded, simulated and swept once, then linted with the simulation's
// missed SLOs (REL041) taken from that same run, and everything gathered into one JSON value.
#include "mlarch/reports/review.hpp"

#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <thread>

#include <fmt/format.h>

#include "mlarch/analyzer/lint.hpp"
#include "mlarch/analyzer/render.hpp"
#include "mlarch/analyzer/spec.hpp"
#include "mlarch/simulator/render.hpp"
#include "mlarch/simulator/sweep.hpp"
#include "slo_findings.hpp"

namespace mlarch::reports {

using Json = nlohmann::json;

namespace {

// The finding's line and the two lines either side, numbered.
Json snippet(const SourceFile* source, Position pos) {
  Json lines = Json::array();
  if (!source || pos.line <= 0) return lines;
  for (int n = std::max(1, pos.line - 2); n <= std::min(source->line_count(), pos.line + 2); ++n)
    lines.push_back({{"line", n}, {"text", std::string(source->line(n))}, {"at", n == pos.line}});
  return lines;
}

Json load_error_json(const Finding& f, const SourceFile* source) {
  return {{"code", f.rule},    {"message", f.message},         {"file", f.file},
          {"line", f.position.line}, {"column", f.position.column}, {"pointer", f.pointer},
          {"help", f.help},    {"snippet", snippet(source, f.position)}};
}

// `lint --format json`'s finding, with what the review shows beside it: the rule's title and
// references, the fix, the notes and the spec snippet.
Json finding_json(const Finding& f, const SourceFile* source, const Catalog& catalog) {
  const Rule* rule = catalog.find(f.rule);
  Json refs = Json::array();
  if (rule)
    for (const auto& r : rule->references) refs.push_back({{"source", r.source}, {"id", r.id}, {"url", r.url}});
  Json out = mlarch::finding_json(f);
  out["title"] = rule ? rule->title : "";
  out["help"] = f.help;
  out["notes"] = f.notes;
  out["references"] = refs;
  out["snippet"] = snippet(source, f.position);
  return out;
}

Json estimate(const sim::Estimate& e) { return sim::estimate_json(e); }

// Severity order for "worst finding" comparisons; -1 for none.
int rank(const std::string& severity) {
  return severity == "error" ? 2 : severity == "warning" ? 1 : severity == "info" ? 0 : -1;
}

struct Simulated {
  std::optional<sim::Scenario> scenario;
  sim::SimulationResult result;
  std::vector<sim::SweepResult> sweeps;  // one per workload with a rate to vary, else empty points
  std::vector<Finding> errors, warnings;
};

Simulated simulate_spec(const System& system, const ReviewOptions& options) {
  Simulated s;
  sim::ScenarioResult built = sim::build_scenario(system);
  s.errors = std::move(built.errors);
  s.warnings = std::move(built.warnings);
  if (!built.scenario) return s;
  s.scenario = std::move(built.scenario);
  s.result = sim::simulate(*s.scenario, options.simulation);
  for (const auto& w : s.scenario->workloads) {
    if (w.arrivals.process == sim::Arrivals::Process::trace || !(w.arrivals.rate_rps > 0)) {
      s.sweeps.push_back({});
      continue;
    }
    std::vector<double> rates;
    for (double f : options.sweep_factors) rates.push_back(f * w.arrivals.rate_rps);
    s.sweeps.push_back(sim::sweep(*s.scenario, w.name, rates, options.simulation));
  }
  return s;
}

Json system_json(const System& system) {
  const Json& root = system.document->root;
  const Json* sys = system.document->find("/system");
  Json risk = {{"tier", to_string(system.risk.tier)},
               {"declared", system.risk.declared},
               {"reason", system.risk.reason}};
  Json out = {{"name", system.name}, {"risk", risk}};
  out["description"] = sys ? json_string(*sys, "description") : "";
  out["owner"] = sys ? json_string(*sys, "owner") : "";
  auto budget = json_number(root.value("budget", Json::object()), "usd_per_month");
  out["budget_usd_per_month"] = budget ? Json(*budget) : Json(nullptr);
  return out;
}

Json architecture_json(const System& system, const Json& findings, const Simulated& sim) {
  std::map<std::string, std::pair<std::string, int>> worst;  // element -> (severity, count)
  for (const auto& f : findings) {
    auto& [severity, count] = worst[f["element"].get<std::string>()];
    if (rank(f["severity"]) > rank(severity)) severity = f["severity"];
    ++count;
  }
  auto mark = [&](Json& j, const std::string& element) {
    auto it = worst.find(element);
    j["worst_severity"] = it == worst.end() ? Json(nullptr) : Json(it->second.first);
    j["findings"] = it == worst.end() ? 0 : it->second.second;
  };
  Json components = Json::array();
  for (const auto& c : system.components) {
    Json j = {{"id", c.id}, {"kind", to_string(c.kind)}, {"instance", c.instance}, {"zone", c.zone}};
    j["description"] = c.raw ? json_string(*c.raw, "description") : "";
    j["replicas"] = c.replicas.autoscaled ? fmt::format("{}–{}", c.replicas.count, c.replicas.max)
                                          : std::to_string(c.replicas.count);
    j["utilization"] = nullptr;
    for (const auto& r : sim.result.components)
      if (r.id == c.id) j["utilization"] = sim::round6(r.utilization.value);
    mark(j, c.id);
    components.push_back(std::move(j));
  }
  Json flows = Json::array();
  for (const auto& f : system.flows) {
    bool personal = std::any_of(f.data.begin(), f.data.end(), [&](const std::string& d) {
      const Dataset* ds = system.dataset(d);
      return ds && ds->has_personal_data();
    });
    Json j = {{"from", system.components[f.from].id},
              {"to", system.components[f.to].id},
              {"data", f.data},
              {"personal_data", personal},
              {"encrypted", f.encrypted}};
    mark(j, f.id);
    flows.push_back(std::move(j));
  }
  return {{"components", components}, {"flows", flows}};
}

Json performance_json(const Simulated& s) {
  const sim::SimulationResult& r = s.result;
  Json workloads = Json::array();
  for (std::size_t w = 0; w < r.workloads.size(); ++w) {
    const auto& wr = r.workloads[w];
    Json j = {{"name", wr.name},
              {"rate_rps", sim::round6(s.scenario->workloads[w].arrivals.rate_rps)},
              {"requests", estimate(wr.requests)},
              {"throughput_rps", estimate(wr.throughput_rps)},
              {"latency_ms", sim::latency_json(wr)},
              {"availability", estimate(wr.availability)},
              {"drops", estimate(wr.drops)},
              {"timeouts", estimate(wr.timeouts)},
              {"slos", sim::slos_json(wr)},
              {"slos_met", wr.slos_met()}};
    Json bins = Json::array();
    for (const auto& b : wr.distribution)
      bins.push_back({{"from_ms", sim::round6(b.from_ms)}, {"to_ms", sim::round6(b.to_ms)}, {"share", sim::round6(b.share)}});
    j["distribution"] = bins;
    const sim::SweepResult& sw = s.sweeps[w];
    if (sw.points.empty()) {
      j["sweep"] = nullptr;
    } else {
      Json points = Json::array();
      for (const auto& p : sw.points)
        points.push_back({{"rate_rps", sim::round6(p.rate_rps)},
                          {"latency_ms", sim::latency_json(p.workload)},
                          {"availability", estimate(p.workload.availability)},
                          {"slos_met", p.workload.slos_met()},
                          {"bottleneck", p.bottleneck},
                          {"bottleneck_utilization", estimate(p.bottleneck_utilization)}});
      j["sweep"] = {{"points", points},
                    {"capacity_rps", sw.capacity_rps ? Json(sim::round6(*sw.capacity_rps)) : Json(nullptr)},
                    {"has_slos", sw.has_slos}};
    }
    workloads.push_back(std::move(j));
  }
  Json components = Json::array();
  for (const auto& c : r.components) {
    Json j = {{"id", c.id},
              {"utilization", estimate(c.utilization)},
              {"arrival_rps", estimate(c.arrival_rps)},
              {"mean_queue_length", estimate(c.mean_queue_length)},
              {"mean_wait_ms", estimate(c.mean_wait_ms)},
              {"wait_probability", estimate(c.wait_probability)},
              {"mean_service_ms", estimate(c.mean_service_ms)},
              {"mean_batch_size", estimate(c.mean_batch_size)},
              {"mean_replicas", estimate(c.mean_replicas)},
              {"autoscaled", c.autoscaled},
              {"drops", estimate(c.drops)}};
    Json series = Json::array();
    for (double x : c.replica_series) series.push_back(sim::round6(x));
    j["replicas_over_time"] = series;
    components.push_back(std::move(j));
  }
  Json warnings = Json::array();
  for (const auto& f : s.warnings) warnings.push_back(f.message);
  return {{"workloads", workloads}, {"components", components}, {"warnings", warnings},
          {"replica_period_s", sim::kAutoscalePeriodS}};
}

Json cost_json(const sim::CostResult& c) {
  double total = c.usd_per_month.value;
  double per_million = c.usd_per_million_requests.value;
  Json by = Json::array();
  for (const auto& [id, usd] : c.by_component) {
    double share = total > 0 ? usd.value / total : 0;
    by.push_back({{"id", id},
                  {"usd_per_month", estimate(usd)},
                  {"share", sim::round6(share)},
                  {"usd_per_million_requests", sim::round6(share * per_million)}});
  }
  return {{"usd_per_month", estimate(c.usd_per_month)},
          {"usd_per_million_requests", estimate(c.usd_per_million_requests)},
          {"by_component", by},
          {"unpriced", c.unpriced}};
}

Json host_json() {
  Json h = Json::object();
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) == 0) h["name"] = std::string(name);
  utsname u{};
  if (uname(&u) == 0) h["system"] = fmt::format("{} {} {}", u.sysname, u.release, u.machine);
  h["cores"] = std::thread::hardware_concurrency();
  h["compiler"] = __VERSION__;
  return h;
}

Json summary_json(const Json& review) {
  Json by_severity = {{"error", 0}, {"warning", 0}, {"info", 0}};
  Json by_category = Json::object();
  for (Category c : {Category::best_practice, Category::reliability, Category::security, Category::ethics, Category::cost})
    by_category[std::string(to_string(c))] = 0;
  for (const auto& f : review["findings"]) {
    by_severity[f["severity"].get<std::string>()] = by_severity[f["severity"].get<std::string>()].get<int>() + 1;
    by_category[f["category"].get<std::string>()] = by_category[f["category"].get<std::string>()].get<int>() + 1;
  }
  Json workloads = Json::array();
  if (review.contains("performance"))
    for (const auto& w : review["performance"]["workloads"]) {
      int missed = 0;
      for (const auto& s : w["slos"]) missed += s["met"].get<bool>() ? 0 : 1;
      workloads.push_back({{"name", w["name"]}, {"slos", w["slos"].size()}, {"missed", missed}, {"slos_met", missed == 0}});
    }
  Json cost = nullptr;
  if (review.contains("cost")) {
    double usd = review["cost"]["usd_per_month"]["value"];
    const Json& budget = review["system"]["budget_usd_per_month"];
    cost = {{"usd_per_month", usd},
            {"budget_usd_per_month", budget},
            {"within_budget", budget.is_null() ? Json(nullptr) : Json(usd <= budget.get<double>())}};
  }
  return {{"findings", {{"by_severity", by_severity}, {"by_category", by_category}}},
          {"workloads", workloads},
          {"cost", cost}};
}

Json verdict_json(const Json& review) {
  Json reasons = Json::array();
  std::string status = "pass";
  auto fail = [&](std::string why) {
    status = "fail";
    reasons.push_back(std::move(why));
  };
  if (!review["load_errors"].empty())
    fail(fmt::format("the spec does not load: {} error{}", review["load_errors"].size(),
                     review["load_errors"].size() == 1 ? "" : "s"));
  const Json& s = review["summary"];
  int errors = s["findings"]["by_severity"]["error"], warnings = s["findings"]["by_severity"]["warning"];
  if (errors > 0) fail(fmt::format("{} error finding{}", errors, errors == 1 ? "" : "s"));
  for (const auto& w : s["workloads"])
    if (!w["slos_met"].get<bool>())
      fail(fmt::format("workload '{}' misses {} of its {} SLOs", w["name"].get<std::string>(), w["missed"].get<int>(),
                       w["slos"].get<int>()));
  if (!s["cost"].is_null() && s["cost"]["within_budget"] == false) fail("the monthly cost is above the budget");
  if (status == "pass" && warnings > 0) {
    status = "warn";
    reasons.push_back(fmt::format("{} warning{}", warnings, warnings == 1 ? "" : "s"));
  }
  if (reasons.empty()) reasons.push_back("no findings above info, every SLO met, within budget");
  return {{"status", status}, {"reasons", reasons}};
}

}  // namespace

Json build_review(const std::string& spec_path, const ReviewOptions& options) {
  Json review;
  review["version"] = 1;
  review["tool"] = {{"name", "mlarch"}, {"version", MLARCH_VERSION}};
  review["date"] = options.today.empty() ? today_utc() : options.today;
  review["spec"] = {{"file", spec_path}};

  LoadedSpec spec = load_spec(spec_path);
  Simulated sim;
  if (spec.system) sim = simulate_spec(*spec.system, options);

  const Catalog& catalog = Catalog::builtin();
  LintOptions lint_options;
  lint_options.today = review["date"];
  if (sim.scenario)
    lint_options.simulation = [&sim](const RuleContext& ctx) { sim::report_missed_slos(ctx, *sim.scenario, sim.result); };
  LintReport report = lint({spec_path}, lint_options, catalog);

  auto source_of = [&](const std::string& file) -> const SourceFile* {
    auto it = report.sources.find(file);
    return it == report.sources.end() ? spec.source.get() : it->second.get();
  };
  Json load_errors = Json::array(), findings = Json::array();
  int suppressed = 0;
  for (const auto& f : report.findings) {
    if (f.is_input_error()) load_errors.push_back(load_error_json(f, source_of(f.file)));
    else if (f.suppressed()) ++suppressed;
    else findings.push_back(finding_json(f, source_of(f.file), catalog));
  }
  // Inputs the simulator refuses (an unknown instance type, say) are load errors too.
  for (const auto& f : sim.errors) load_errors.push_back(load_error_json(f, spec.source.get()));
  review["load_errors"] = load_errors;
  review["findings"] = findings;
  review["suppressed"] = suppressed;
  review["system"] = spec.system ? system_json(*spec.system) : Json(nullptr);
  if (spec.system && load_errors.empty()) {
    review["architecture"] = architecture_json(*spec.system, findings, sim);
    review["performance"] = performance_json(sim);
    review["cost"] = cost_json(sim.result.cost);
  }

  auto [duration, warmup] = sim.scenario ? sim::run_window(*sim.scenario, options.simulation)
                                         : std::pair<double, double>{0, 0};
  Json run = {{"seed", options.simulation.seed},
              {"replications", options.simulation.replications},
              {"duration_s", duration},
              {"warmup_s", warmup},
              {"sweep_factors", options.sweep_factors},
              {"events", sim.result.events},
              {"rules", catalog.rules().size()},
              {"spec_language", 1}};
  if (options.host) run["host"] = host_json();
  review["run"] = run;
  review["summary"] = summary_json(review);
  review["verdict"] = verdict_json(review);
  return review;
}

bool has_load_errors(const Json& review) { return !review["load_errors"].empty(); }

std::string verdict(const Json& review) { return review["verdict"]["status"]; }

std::string render_review_json(const Json& review) {
  return review.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace mlarch::reports
