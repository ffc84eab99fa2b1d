// Labels and figures shared by the review's renderers.
#include "format.hpp"

#include <cmath>

#include <fmt/format.h>

#include "mlarch/analyzer/render.hpp"

namespace mlarch::reports {

using Json = nlohmann::json;

std::string severity_icon(const std::string& s) { return s == "error" ? "✖" : s == "warning" ? "▲" : "ℹ"; }

std::string category_label(const std::string& c) { return c == "best-practice" ? "best practice" : c; }

std::string verdict_icon(const std::string& s) { return s == "pass" ? "✔" : s == "warn" ? "▲" : "✖"; }

std::string verdict_label(const std::string& s) {
  return s == "pass" ? "PASS" : s == "warn" ? "PASS WITH WARNINGS" : "FAIL";
}

std::string objective_label(const std::string& o) {
  if (o == "availability") return "availability";
  auto a = o.find('_'), b = o.rfind('_');  // latency_p99_ms
  return o.substr(a + 1, b - a - 1) + " latency";
}

std::string target_text(const Json& slo) {
  double t = slo["target"];
  return slo["objective"] == "availability" ? fmt::format("{:g}", t) : fmt::format("{:g} ms", t);
}

std::string number(const Json& x, int precision) {
  if (!x.is_number()) return "—";
  return fmt::format("{:.{}g}", x.get<double>(), precision);
}

std::string estimate_text(const Json& e, int precision) {
  if (e.is_number()) return number(e, precision);
  if (!e.is_object() || !e["value"].is_number()) return "—";
  std::string v = number(e["value"], precision);
  if (e["ci95"].is_number()) v += fmt::format(" ±{:.2g}", e["ci95"].get<double>());
  return v;
}

std::string percent(const Json& share) {
  if (!share.is_number()) return "—";
  return fmt::format("{:.1f}%", 100 * share.get<double>());
}

std::string usd(const Json& x) {
  if (!x.is_number()) return "—";
  double v = x.get<double>();
  return std::abs(v) < 100 ? fmt::format("${:.2f}", v) : fmt::format("${:.0f}", v);
}

std::string capacity_text(const Json& sweep) {
  if (sweep.is_null()) return "not swept";
  if (!sweep["has_slos"].get<bool>()) return "no SLO";
  const Json& points = sweep["points"];
  const Json& cap = sweep["capacity_rps"];
  if (cap.is_null()) return "< " + number(points.front()["rate_rps"]);
  if (cap == points.back()["rate_rps"]) return "≥ " + number(cap);
  return number(cap);
}

std::string budget_text(const Json& c) {
  if (c.is_null()) return "Cost not simulated.";
  std::string cost = "Monthly cost " + usd(c["usd_per_month"]);
  if (c["budget_usd_per_month"].is_null()) return cost + "; no budget declared.";
  double used = c["usd_per_month"].get<double>() / std::max(c["budget_usd_per_month"].get<double>(), 1e-9);
  return fmt::format("{} against a budget of {}: {} ({:.0f}% of the budget).", cost, usd(c["budget_usd_per_month"]),
                     c["within_budget"].get<bool>() ? "✔ within budget" : "✖ over budget", 100 * used);
}

std::string risk_reason(const Json& risk) {
  std::string reason = risk["reason"];
  if (!reason.empty()) return reason;
  return risk["declared"].get<bool>() ? "declared" : "inferred: no use case declared";
}

std::vector<std::pair<std::string, std::string>> run_settings(const Json& review) {
  const Json& run = review["run"];
  std::vector<std::pair<std::string, std::string>> rows = {
      {"seed", std::to_string(run["seed"].get<std::uint64_t>())},
      {"replications", std::to_string(run["replications"].get<int>())},
      {"simulated duration", fmt::format("{:g} s (warm-up {:g} s)", run["duration_s"].get<double>(), run["warmup_s"].get<double>())},
      {"load sweep", "each workload at its rate ×"},
      {"events simulated", std::to_string(run["events"].get<std::uint64_t>())},
      {"rules in the catalog", std::to_string(run["rules"].get<int>())},
      {"spec language", "mlarch: " + std::to_string(run["spec_language"].get<int>())}};
  std::string factors;
  for (const auto& f : run["sweep_factors"]) factors += (factors.empty() ? " " : ", ") + number(f);
  rows[3].second += factors;
  if (run.contains("host"))
    for (const auto& [k, v] : run["host"].items()) rows.emplace_back("host " + k, v.is_string() ? v.get<std::string>() : v.dump());
  if (review.contains("kernels")) rows.emplace_back("kernels' host probe", kernel_host_text(review["kernels"]["host"]));
  return rows;
}

std::string kernel_host_text(const Json& host) {
  int threads = host["threads"];
  const std::string isa = host.contains("isa") ? ", " + host["isa"].get<std::string>() : "";
  return fmt::format("{} GFLOP/s peak (fp32{}), {} GB/s memory, {} thread{}", number(host["peak_gflops"], 3), isa,
                     number(host["mem_bandwidth_gbs"], 3), threads, threads == 1 ? "" : "s");
}

std::string kernels_command(const std::string& spec_file) {
  return fmt::format("mlarch review {} --kernels -o review.html", shell_word(spec_file));
}

}  // namespace mlarch::reports
