// The review as Markdown, for a pull-request comment: verdict, findings, SLOs, cost, run settings.
#include <fmt/format.h>

#include "format.hpp"
#include "mlarch/analyzer/render.hpp"
#include "mlarch/reports/review.hpp"

namespace mlarch::reports {

using Json = nlohmann::json;

namespace {

std::string md(const Json& s) { return markdown_escape(s.is_string() ? s.get<std::string>() : s.dump()); }

// A file:line:col location as a code span inside a table cell: no backslashes there, so only the
// characters that would end the span or the cell are replaced.
std::string code_span(const std::string& text) {
  std::string out = "`";
  for (char c : text) out += c == '`' ? '\'' : c == '|' ? '/' : c == '\n' ? ' ' : c;
  return out + "`";
}
std::string code_span(const Json& file, const Json& line, const Json& column) {
  return code_span(fmt::format("{}:{}:{}", file.get<std::string>(), line.get<int>(), column.get<int>()));
}

void load_errors_markdown(const Json& review, std::string& out) {
  out += "## Load errors\n\n| location | code | message |\n|---|---|---|\n";
  for (const auto& e : review["load_errors"])
    out += fmt::format("| {} | {} | {} |\n", code_span(e["file"], e["line"], e["column"]), md(e["code"]), md(e["message"]));
  out += "\n";
}

void findings_markdown(const Json& review, std::string& out) {
  const Json& by = review["summary"]["findings"];
  out += "## Findings\n\n| error | warning | info | suppressed |\n|---:|---:|---:|---:|\n";
  out += fmt::format("| {} | {} | {} | {} |\n\n", by["by_severity"]["error"].get<int>(),
                     by["by_severity"]["warning"].get<int>(), by["by_severity"]["info"].get<int>(),
                     review["suppressed"].get<int>());
  out += "| category | findings |\n|---|---:|\n";
  for (const auto& [category, n] : by["by_category"].items())
    out += fmt::format("| {} | {} |\n", category_label(category), n.get<int>());
  out += "\n";
  if (review["findings"].empty()) {
    out += "No findings.\n\n";
    return;
  }
  out += "| severity | rule | location | element | message | fix |\n|---|---|---|---|---|---|\n";
  for (const auto& f : review["findings"])
    out += fmt::format("| {} {} | {} | {} | {} | {} | {} |\n", severity_icon(f["severity"]), f["severity"].get<std::string>(),
                       md(f["rule"]), code_span(f["file"], f["line"], f["column"]), md(f["element"]), md(f["message"]),
                       md(f["help"]));
  out += "\n";
}

void performance_markdown(const Json& review, std::string& out) {
  out += "## Performance\n\n";
  out += "| workload | rate (req/s) | p50 ms | p90 ms | p95 ms | p99 ms | p99.9 ms | availability | capacity (req/s) |\n"
         "|---|---:|---:|---:|---:|---:|---:|---:|---:|\n";
  for (const auto& w : review["performance"]["workloads"]) {
    const Json& l = w["latency_ms"];
    std::string capacity = capacity_text(w["sweep"]);
    out += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} | {} |\n", md(w["name"]), number(w["rate_rps"]),
                       estimate_text(l["p50"]), estimate_text(l["p90"]), estimate_text(l["p95"]),
                       estimate_text(l["p99"]), estimate_text(l["p999"]), estimate_text(w["availability"], 5),
                       capacity);
  }
  out += "\n| workload | objective | target | simulated | verdict |\n|---|---|---:|---:|---|\n";
  for (const auto& w : review["performance"]["workloads"])
    for (const auto& s : w["slos"])
      out += fmt::format("| {} | {} | {} | {} | {} |\n", md(w["name"]), objective_label(s["objective"]),
                         target_text(s), estimate_text(s["value"], s["objective"] == "availability" ? 5 : 3),
                         s["met"].get<bool>() ? "✔ met" : "✖ missed");
  out += "\n";
  for (const auto& w : review["performance"]["warnings"]) out += "- ⚠ " + md(w) + "\n";
  if (!review["performance"]["warnings"].empty()) out += "\n";
}

void cost_markdown(const Json& review, std::string& out) {
  const Json& c = review["cost"];
  out += "## Cost\n\n| component | USD/month | share | USD per million requests |\n|---|---:|---:|---:|\n";
  for (const auto& b : c["by_component"])
    out += fmt::format("| {} | {} | {:.1f}% | {} |\n", md(b["id"]), usd(b["usd_per_month"]["value"]),
                       100 * b["share"].get<double>(), usd(b["usd_per_million_requests"]));
  out += fmt::format("| **total** | **{}** | 100% | **{}** |\n\n", usd(c["usd_per_month"]["value"]),
                     usd(c["usd_per_million_requests"]["value"]));
  out += budget_text(review["summary"]["cost"]) + "\n\n";
  if (!c["unpriced"].empty()) {
    out += "Not priced (no price for their instance):";
    for (const auto& u : c["unpriced"]) out.append(" ").append(md(u));
    out += "\n\n";
  }
}

void kernels_markdown(const Json& review, std::string& out) {
  out += "## Kernels\n\n";
  if (!review.contains("kernels")) {
    out += fmt::format("Not run: {} times each model's reference kernel on this host and sets it beside the cost model's "
                       "prediction.\n\n",
                       code_span(kernels_command(review["spec"]["file"])));
    return;
  }
  const Json& kernels = review["kernels"];
  out += fmt::format("Measured on this host ({}) against the roofline's prediction for it.\n\n",
                     kernel_host_text(kernels["host"]));
  out += "| model | type | batch | predicted ms | measured ms | error | GFLOP/s | share of peak |\n"
         "|---|---|---:|---:|---:|---:|---:|---:|\n";
  for (const auto& [name, m] : kernels["models"].items())
    for (const auto& b : m["batches"])
      out += fmt::format("| {} | {} | {} | {} | {} | {:+.1f}% | {} | {} |\n", markdown_escape(name), md(m["type"]),
                         b["batch"].get<int>(), number(b["predicted_ms"]), number(b["measured_ms"]),
                         b["error_pct"].get<double>(), number(b["gflops"]), percent(b["peak_fraction"]));
  out += "\n";
}

}  // namespace

std::string render_review_markdown(const Json& review) {
  const Json& sys = review["system"];
  std::string out = fmt::format("# Design review: {}\n\n", sys.is_null() ? md(review["spec"]["file"]) : md(sys["name"]));
  const Json& v = review["verdict"];
  out += fmt::format("**Verdict: {} {}**", verdict_icon(v["status"]), verdict_label(v["status"]));
  for (const auto& r : v["reasons"]) out += " · " + md(r);
  out += "\n\n| | |\n|---|---|\n";
  out += fmt::format("| spec | {} |\n", md(review["spec"]["file"]));
  if (!sys.is_null()) {
    out += fmt::format("| owner | {} |\n", sys["owner"].get<std::string>().empty() ? "not declared" : md(sys["owner"]));
    out += fmt::format("| risk tier | {} ({}) |\n", md(sys["risk"]["tier"]), md(risk_reason(sys["risk"])));
  }
  out += fmt::format("| mlarch | {} |\n| date | {} |\n\n", md(review["tool"]["version"]), md(review["date"]));
  if (!review["load_errors"].empty()) load_errors_markdown(review, out);
  findings_markdown(review, out);
  if (review.contains("performance")) performance_markdown(review, out);
  if (review.contains("cost")) cost_markdown(review, out);
  if (review.contains("performance")) kernels_markdown(review, out);
  out += "## Run settings\n\n| setting | value |\n|---|---|\n";
  for (const auto& [label, value] : run_settings(review)) out += fmt::format("| {} | {} |\n", label, md(value));
  return out;
}

}  // namespace mlarch::reports
