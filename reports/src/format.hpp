// Labels and figures as the review's renderers print them (Markdown and HTML alike). Figures come
// from the review JSON; text is returned unescaped (each renderer escapes for its format).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace mlarch::reports {

// Icons that carry the meaning beside colour: ✖ error, ▲ warning, ℹ info.
std::string severity_icon(const std::string& severity);
std::string category_label(const std::string& category);  // best-practice -> "best practice"
std::string verdict_icon(const std::string& status);
std::string verdict_label(const std::string& status);      // "PASS", "PASS WITH WARNINGS", "FAIL"
std::string objective_label(const std::string& objective);  // latency_p99_ms -> "p99 latency"
std::string target_text(const nlohmann::json& slo);        // "40 ms", "0.999"
// {"value", "ci95"} as "12.3 ±0.4"; a plain number as "12.3"; null as "—".
std::string estimate_text(const nlohmann::json& estimate, int precision = 3);
std::string number(const nlohmann::json& x, int precision = 4);
std::string percent(const nlohmann::json& share);
std::string usd(const nlohmann::json& x);
std::string capacity_text(const nlohmann::json& sweep);
std::string budget_text(const nlohmann::json& summary_cost);
std::string risk_reason(const nlohmann::json& risk);
// The review's run settings as (label, value) rows: its "run", and the kernels' host probe.
std::vector<std::pair<std::string, std::string>> run_settings(const nlohmann::json& review);
// The kernels' host probe: "41.2 GFLOP/s peak (fp32), 9.8 GB/s memory, 1 thread".
std::string kernel_host_text(const nlohmann::json& host);
// The command that adds kernel timings to a review, for a review without them to suggest.
std::string kernels_command(const std::string& spec_file);

}  // namespace mlarch::reports
