// The review as one self-contained HTML page: the mustache template in reports/templates (compiled
// into the binary) filled with text from the review JSON (escaped by mustache) and with SVG drawn
// here (escaped as it is drawn). The page fetches nothing: CSS, script, charts and the diagram are
// inline, and its Content-Security-Policy forbids any request.
#include <map>
#include <set>
#include <stdexcept>

#include <fmt/format.h>

#include "diagram.hpp"
#include "format.hpp"
#include "mlarch/analyzer/render.hpp"
#include "mlarch/reports/review.hpp"
#include "page.hpp"
#include "svg_chart.hpp"

namespace mlarch::reports {

using Json = nlohmann::json;

namespace {

void snippet_data(const Json& lines, mu::data& into) {
  mu::list l;
  for (const auto& s : lines) {
    mu::data row;
    row.set("line", str(std::to_string(s["line"].get<int>())));
    row.set("text", str(s["text"]));
    row.set("at", mu::data(s["at"].get<bool>()));
    l.push_back(row);
  }
  into.set("has_snippet", mu::data(!l.empty()));
  into.set("snippet", mu::data(l));
}

std::string location(const Json& f) {
  return fmt::format("{}:{}:{}", f["file"].get<std::string>(), f["line"].get<int>(), f["column"].get<int>());
}

// Keys of the elements findings name: components "c<i>" and flows "f<i>" as the diagram links
// them, any other element "e<i>".
std::map<std::string, std::string> element_keys(const Json& review) {
  std::map<std::string, std::string> keys;
  if (review.contains("architecture")) {
    const Json& a = review["architecture"];
    for (std::size_t i = 0; i < a["components"].size(); ++i) keys[a["components"][i]["id"]] = fmt::format("c{}", i);
    for (std::size_t i = 0; i < a["flows"].size(); ++i)
      keys[a["flows"][i]["from"].get<std::string>() + "->" + a["flows"][i]["to"].get<std::string>()] = fmt::format("f{}", i);
  }
  int n = 0;
  for (const auto& f : review["findings"])
    if (!keys.count(f["element"])) keys[f["element"]] = fmt::format("e{}", n++);
  return keys;
}

void add_findings(const Json& review, mu::data& view) {
  auto keys = element_keys(review);
  std::set<std::string> anchored, severities, categories, elements;
  mu::list rows;
  int order = 0;
  for (const auto& f : review["findings"]) {
    mu::data row;
    std::string sev = f["severity"], el = f["element"], key = keys[el];
    row.set("order", str(std::to_string(order++)));
    row.set("rank", str(std::to_string(sev == "error" ? 0 : sev == "warning" ? 1 : 2)));
    row.set("severity", str(sev));
    row.set("icon", str(severity_icon(sev)));
    row.set("rule", str(f["rule"]));
    row.set("title", str(f["title"]));
    row.set("category", str(f["category"]));
    row.set("category_label", str(category_label(f["category"])));
    row.set("element", str(el));
    row.set("el", str(key));
    if (anchored.insert(key).second) row.set("anchor", str(key));
    row.set("location", str(location(f)));
    row.set("message", str(f["message"]));
    row.set("help", str(f["help"]));
    mu::list notes, refs;
    for (const auto& n : f["notes"]) notes.push_back(str(n));
    for (const auto& r : f["references"]) {
      mu::data ref;
      ref.set("cite", str(r["id"].get<std::string>().empty() ? r["source"].get<std::string>()
                                                             : r["source"].get<std::string>() + " " + r["id"].get<std::string>()));
      ref.set("url", str(r["url"]));
      refs.push_back(ref);
    }
    row.set("notes", mu::data(notes));
    row.set("has_references", mu::data(!refs.empty()));
    row.set("references", mu::data(refs));
    snippet_data(f["snippet"], row);
    rows.push_back(row);
    severities.insert(sev);
    categories.insert(f["category"]);
    elements.insert(el);
  }
  view.set("has_findings", mu::data(!rows.empty()));
  view.set("findings", mu::data(rows));
  mu::list sev_options, cat_options, el_options;
  for (const char* s : {"error", "warning", "info"})
    if (severities.count(s)) {
      mu::data o;
      o.set("value", str(std::string(s)));
      o.set("label", str(severity_icon(s) + " " + s));
      sev_options.push_back(o);
    }
  for (const auto& c : categories) {
    mu::data o;
    o.set("value", str(c));
    o.set("label", str(category_label(c)));
    cat_options.push_back(o);
  }
  for (const auto& e : elements) {
    mu::data o;
    o.set("key", str(keys[e]));
    o.set("label", str(e.empty() ? std::string("(the spec)") : e));
    el_options.push_back(o);
  }
  view.set("severities", mu::data(sev_options));
  view.set("categories", mu::data(cat_options));
  view.set("elements", mu::data(el_options));
}

void add_summary(const Json& review, mu::data& view) {
  const Json& s = review["summary"];
  mu::list sev, cat, slo;
  for (const char* k : {"error", "warning", "info"}) {
    mu::data d;
    d.set("severity", str(std::string(k)));
    d.set("icon", str(severity_icon(k)));
    d.set("count", str(std::to_string(s["findings"]["by_severity"][k].get<int>())));
    sev.push_back(d);
  }
  for (const auto& [k, n] : s["findings"]["by_category"].items()) {
    mu::data d;
    d.set("label", str(category_label(k)));
    d.set("count", str(std::to_string(n.get<int>())));
    cat.push_back(d);
  }
  for (const auto& w : s["workloads"]) {
    mu::data d;
    bool met = w["slos_met"];
    int n = w["slos"];
    d.set("name", str(w["name"]));
    d.set("tone", str(std::string(n == 0 ? "info" : met ? "ok" : "bad")));
    d.set("icon", str(std::string(n == 0 ? "ℹ" : met ? "✔" : "✖")));
    d.set("text", str(n == 0 ? std::string("no SLO") : met ? fmt::format("{} of {} met", n, n)
                                                            : fmt::format("{} of {} missed", w["missed"].get<int>(), n)));
    slo.push_back(d);
  }
  view.set("by_severity", mu::data(sev));
  view.set("by_category", mu::data(cat));
  view.set("slo_cards", mu::data(slo));
  view.set("suppressed", str(std::to_string(review["suppressed"].get<int>())));
  const Json& cost = s["cost"];
  view.set("budget_text", str(budget_text(cost)));
  view.set("budget_tone", str(std::string(cost.is_null() || cost["within_budget"].is_null() ? "info"
                                          : cost["within_budget"].get<bool>()                ? "ok"
                                                                                            : "bad")));
}

std::string percentile_label(const std::string& key) { return key == "p999" ? "p99.9" : key; }

void add_workloads(const Json& review, mu::data& view) {
  mu::list workloads;
  int index = 0;
  for (const auto& w : review["performance"]["workloads"]) {
    mu::data d;
    std::string name = w["name"], id = fmt::format("w{}", index);
    bool met = w["slos_met"];
    d.set("index", str(std::to_string(index++)));
    d.set("name", str(name));
    d.set("tone", str(std::string(w["slos"].empty() ? "info" : met ? "ok" : "bad")));
    d.set("icon", str(std::string(w["slos"].empty() ? "ℹ" : met ? "✔" : "✖")));
    d.set("status", str(std::string(w["slos"].empty() ? "no SLO" : met ? "SLOs met" : "SLO missed")));
    d.set("rate", str(number(w["rate_rps"])));
    d.set("throughput", str(estimate_text(w["throughput_rps"])));
    d.set("availability", str(estimate_text(w["availability"], 5)));

    // Percentiles against the latency objectives.
    std::map<std::string, double> targets;  // p99 -> ms
    for (const auto& s : w["slos"])
      if (s["objective"] != "availability") {
        std::string o = s["objective"];
        targets[o.substr(o.find('_') + 1, o.rfind('_') - o.find('_') - 1)] = s["target"];
      }
    BarChart pc{id + "-pct", "Latency percentiles of " + name, "Simulated latency percentiles, milliseconds, with the latency objectives as dashed lines", "milliseconds", {}, {}, 0};
    mu::list prow;
    for (const char* k : {"p50", "p90", "p95", "p99", "p999"}) {
      double v = w["latency_ms"][k]["value"];
      auto t = targets.find(k);
      bool over = t != targets.end() && v > t->second;
      pc.bars.push_back({percentile_label(k), v, estimate_text(w["latency_ms"][k]) + " ms" + (over ? " ✖" : ""),
                         t == targets.end() ? "" : over ? "bad" : "ok"});
      mu::data r;
      r.set("label", str(percentile_label(k)));
      r.set("value", str(estimate_text(w["latency_ms"][k])));
      r.set("slo", str(t == targets.end() ? std::string("—")
                                           : fmt::format("{} {:g} ms", over ? "✖ above" : "✔ within", t->second)));
      prow.push_back(r);
    }
    for (const auto& [k, t] : targets) pc.lines.push_back({t, k + " objective " + fmt::format("{:g}", t) + " ms"});
    d.set("percentiles_svg", str(bar_chart(pc)));
    d.set("percentiles", mu::data(prow));

    mu::list slos;
    for (const auto& s : w["slos"]) {
      mu::data r;
      bool ok = s["met"];
      r.set("objective", str(objective_label(s["objective"])));
      r.set("target", str(target_text(s)));
      r.set("value", str(estimate_text(s["value"], s["objective"] == "availability" ? 5 : 3)));
      r.set("tone", str(std::string(ok ? "ok" : "bad")));
      r.set("icon", str(std::string(ok ? "✔" : "✖")));
      r.set("verdict", str(std::string(ok ? "met" : "missed")));
      slos.push_back(r);
    }
    d.set("slos", mu::data(slos));

    Histogram h{id + "-dist", "Latency distribution of " + name,
                "Share of answered requests by latency, logarithmic bins in milliseconds", "latency, ms (log scale)", {}, {}};
    mu::list bins;
    for (const auto& b : w["distribution"]) {
      h.bins.push_back({{b["from_ms"].get<double>(), b["to_ms"].get<double>()}, b["share"].get<double>()});
      mu::data r;
      r.set("from", str(number(b["from_ms"])));
      r.set("to", str(number(b["to_ms"])));
      r.set("share", str(fmt::format("{:.2f}%", 100 * b["share"].get<double>())));
      bins.push_back(r);
    }
    for (const auto& [k, t] : targets) h.lines.push_back({t, k + " objective"});
    d.set("has_distribution", mu::data(!h.bins.empty()));
    d.set("distribution_svg", str(histogram_chart(h)));
    d.set("distribution", mu::data(bins));

    const Json& sw = w["sweep"];
    d.set("has_sweep", mu::data(!sw.is_null()));
    if (!sw.is_null()) {
      LineChart lc{id + "-sweep", "Load sweep of " + name,
                   "p50 and p99 latency against the arrival rate, with the p99 objective and the capacity",
                   "arrival rate, requests/s", "latency, ms", {{"p50", {}}, {"p99", {}}}, {}, {}, true};
      mu::list pts;
      for (const auto& p : sw["points"]) {
        double rate = p["rate_rps"];
        lc.series[0].points.push_back({rate, p["latency_ms"]["p50"]["value"].get<double>()});
        lc.series[1].points.push_back({rate, p["latency_ms"]["p99"]["value"].get<double>()});
        mu::data r;
        bool ok = p["slos_met"];
        r.set("rate", str(number(p["rate_rps"])));
        r.set("p50", str(estimate_text(p["latency_ms"]["p50"])));
        r.set("p99", str(estimate_text(p["latency_ms"]["p99"])));
        r.set("tone", str(std::string(!sw["has_slos"].get<bool>() ? "info" : ok ? "ok" : "bad")));
        r.set("icon", str(std::string(!sw["has_slos"].get<bool>() ? "ℹ" : ok ? "✔" : "✖")));
        r.set("verdict", str(std::string(!sw["has_slos"].get<bool>() ? "no SLO" : ok ? "met" : "missed")));
        r.set("bottleneck", str(p["bottleneck"]));
        r.set("utilization", str(fmt::format("util {:.2f}", p["bottleneck_utilization"]["value"].get<double>())));
        pts.push_back(r);
      }
      if (auto t = targets.find("p99"); t != targets.end()) lc.hlines.push_back({t->second, fmt::format("p99 objective {:g} ms", t->second)});
      if (sw["capacity_rps"].is_number())
        lc.vlines.push_back({sw["capacity_rps"].get<double>(), "capacity " + capacity_text(sw) + " req/s"});
      d.set("sweep_svg", str(line_chart(lc)));
      d.set("sweep", mu::data(pts));
      d.set("capacity", str(capacity_text(sw)));
    }
    workloads.push_back(d);
  }
  view.set("workloads", mu::data(workloads));
}

void add_components(const Json& review, mu::data& view) {
  const Json& perf = review["performance"];
  BarChart uc{"components-util", "Utilization by component",
              "Time-averaged utilization of each component's servers, with 0.8 marked", "utilization", {}, {{0.8, "0.8"}}, 1.0};
  mu::list rows;
  std::vector<std::pair<std::string, const Json*>> series;
  for (const auto& c : perf["components"]) {
    double u = c["utilization"]["value"];
    std::string flag = u >= 0.8 ? "▲" : "";
    uc.bars.push_back({c["id"], u, fmt::format("{:.2f}{}", u, u >= 0.8 ? " ▲" : ""), u >= 0.95 ? "bad" : u >= 0.8 ? "warn" : ""});
    mu::data r;
    r.set("id", str(c["id"]));
    r.set("utilization", str(estimate_text(c["utilization"])));
    r.set("flag", str(flag));
    r.set("arrivals", str(estimate_text(c["arrival_rps"])));
    r.set("queue", str(estimate_text(c["mean_queue_length"])));
    r.set("wait", str(estimate_text(c["mean_wait_ms"])));
    r.set("wait_probability", str(estimate_text(c["wait_probability"])));
    r.set("batch", str(estimate_text(c["mean_batch_size"])));
    r.set("replicas", str(estimate_text(c["mean_replicas"]) + (c["autoscaled"].get<bool>() ? " (autoscaled)" : "")));
    rows.push_back(r);
    if (!c["replicas_over_time"].empty()) series.emplace_back(c["id"], &c["replicas_over_time"]);
  }
  view.set("utilization_svg", str(bar_chart(uc)));
  view.set("components", mu::data(rows));
  view.set("has_replica_series", mu::data(!series.empty()));
  if (series.empty()) return;
  double period = perf["replica_period_s"];
  LineChart lc{"replicas", "Replicas over time", "Provisioned replicas of each autoscaled component, mean over replications",
               "simulated time, s", "replicas", {}, {}, {}, true};
  mu::list names, table;
  std::size_t len = 0;
  for (const auto& [id, s] : series) {
    Series line{id, {}};
    for (std::size_t k = 0; k < s->size(); ++k) line.points.push_back({period * static_cast<double>(k + 1), (*s)[k].get<double>()});
    lc.series.push_back(std::move(line));
    names.push_back(str(id));
    len = std::max(len, s->size());
  }
  for (std::size_t k = 0; k < len; ++k) {
    mu::data r;
    mu::list values;
    r.set("time", str(fmt::format("{:g}", period * static_cast<double>(k + 1))));
    for (const auto& [id, s] : series) values.push_back(str(k < s->size() ? number((*s)[k], 3) : std::string("—")));
    r.set("values", mu::data(values));
    table.push_back(r);
  }
  view.set("replicas_svg", str(line_chart(lc)));
  view.set("replica_names", mu::data(names));
  view.set("replica_rows", mu::data(table));
}

void add_cost(const Json& review, mu::data& view) {
  const Json& c = review["cost"];
  BarChart bc{"cost", "Monthly cost by component", "US dollars a month by component, from the simulated mean replicas",
              "USD per month", {}, {}, 0};
  mu::list rows, unpriced;
  for (const auto& b : c["by_component"]) {
    bc.bars.push_back({b["id"], b["usd_per_month"]["value"], usd(b["usd_per_month"]["value"]), ""});
    mu::data r;
    r.set("id", str(b["id"]));
    r.set("month", str(usd(b["usd_per_month"]["value"])));
    r.set("share", str(percent(b["share"])));
    r.set("per_million", str(usd(b["usd_per_million_requests"])));
    rows.push_back(r);
  }
  for (const auto& u : c["unpriced"]) unpriced.push_back(str(u));
  view.set("cost_svg", str(bar_chart(bc)));
  view.set("cost_rows", mu::data(rows));
  view.set("unpriced", mu::data(unpriced));
  view.set("cost_total", str(usd(c["usd_per_month"]["value"])));
  view.set("cost_per_million", str(usd(c["usd_per_million_requests"]["value"])));
}

// Predicted against measured per model and batch: a log-log scatter with the diagonal, and the table.
void add_kernels(const Json& kernels, mu::data& view) {
  const Json& host = kernels["host"];
  ScatterChart chart{"kernels-chart", "Kernels: measured against predicted",
                     "Median measured time of each model's reference kernel against the roofline's prediction for this host, "
                     "milliseconds on logarithmic axes, one marker shape per model, labelled by batch size; on the diagonal the "
                     "prediction is exact",
                     "predicted, ms (log scale)", "measured, ms (log scale)", {}, {}, {}, {}, {}, true, true, "predicted = measured", ""};
  mu::list rows;
  for (const auto& [name, m] : kernels["models"].items()) {
    chart.groups.push_back(name);
    for (const auto& b : m["batches"]) {
      chart.points.push_back({b["predicted_ms"], b["measured_ms"], chart.groups.size() - 1, fmt::format("b{}", b["batch"].get<int>()), false});
      mu::data r;
      r.set("model", str(name));
      r.set("type", str(m["type"]));
      r.set("batch", str(std::to_string(b["batch"].get<int>())));
      r.set("predicted", str(number(b["predicted_ms"])));
      r.set("measured", str(number(b["measured_ms"])));
      r.set("measured_p99", str(number(b["measured_p99_ms"])));
      r.set("error", str(fmt::format("{:+.1f}%", b["error_pct"].get<double>())));
      r.set("gflops", str(number(b["gflops"])));
      r.set("share_of_peak", str(percent(b["peak_fraction"])));
      rows.push_back(r);
    }
  }
  mu::data k;
  k.set("host", str(kernel_host_text(host)));
  k.set("has_rows", mu::data(!rows.empty()));
  k.set("rows", mu::data(rows));
  k.set("chart_svg", str(scatter_chart(chart)));
  view.set("kernels", k);
}

// The command that reproduces the review's figures.
std::string review_command(const Json& review) {
  const Json& run = review["run"];
  std::string out = fmt::format("mlarch review {} --seed {} --replications {}", shell_word(review["spec"]["file"].get<std::string>()),
                                run["seed"].get<std::uint64_t>(), run["replications"].get<int>());
  if (run["duration_s"].get<double>() > 0) out += fmt::format(" --duration {:g}", run["duration_s"].get<double>());
  if (review.contains("kernels")) out += " --kernels";
  return out + " -o review.html";
}

}  // namespace

std::string render_review_html(const Json& review) {
  mu::data view;
  const Json& sys = review["system"];
  Header header{"mlarch design review", sys.is_null() ? review["spec"]["file"] : sys["name"], "", {}, "", "", {}};
  header.facts.push_back({"Spec", review["spec"]["file"], true, ""});
  if (!sys.is_null()) {
    header.description = sys["description"].get<std::string>();
    header.facts.push_back({"Owner", sys["owner"].get<std::string>().empty() ? std::string("not declared") : sys["owner"].get<std::string>(), false, ""});
    header.facts.push_back({"Risk tier", sys["risk"]["tier"], false, risk_reason(sys["risk"])});
  }
  header.facts.push_back({"mlarch", review["tool"]["version"], false, ""});
  header.facts.push_back({"Date", review["date"], false, ""});
  const Json& v = review["verdict"];
  header.status = v["status"].get<std::string>();
  header.verdict = verdict_icon(v["status"]) + " " + verdict_label(v["status"]);
  for (const auto& r : v["reasons"]) header.reasons.push_back(r.get<std::string>());
  set_header(view, header);

  mu::list errors;
  for (const auto& e : review["load_errors"]) {
    mu::data d;
    d.set("code", str(e["code"]));
    d.set("location", str(location(e)));
    d.set("message", str(e["message"]));
    d.set("help", str(e["help"]));
    snippet_data(e["snippet"], d);
    errors.push_back(d);
  }
  view.set("has_load_errors", mu::data(!errors.empty()));
  view.set("load_errors", mu::data(errors));

  add_summary(review, view);
  add_findings(review, view);
  Diagram diagram;
  if (review.contains("architecture")) {
    diagram = architecture_diagram(review["architecture"]);
    view.set("has_diagram", mu::data(true));
    view.set("diagram", str(diagram.svg));
    if (!diagram.error.empty()) view.set("diagram_error", str(diagram.error));
  }
  bool perf = review.contains("performance");
  view.set("has_performance", mu::data(perf));
  if (perf) {
    mu::list warnings;
    for (const auto& w : review["performance"]["warnings"]) warnings.push_back(str(w));
    view.set("sim_warnings", mu::data(warnings));
    add_workloads(review, view);
    add_components(review, view);
    add_cost(review, view);
  }
  if (review.contains("kernels")) add_kernels(review["kernels"], view);
  else view.set("kernels_command", str(kernels_command(review["spec"]["file"])));

  auto rows = run_settings(review);
  if (!diagram.graphviz_version.empty()) rows.emplace_back("Graphviz", diagram.graphviz_version);
  set_run_settings(view, rows, review_command(review));
  const Json& run = review["run"];
  view.set("replications", str(std::to_string(run["replications"].get<int>())));
  view.set("duration", str(fmt::format("{:g} s", run["duration_s"].get<double>())));
  return render_page(view, {"Design review: " + header.title, "reports/templates/review.html", "review-data", &review,
                            "reports/templates/review.js"});
}

}  // namespace mlarch::reports
