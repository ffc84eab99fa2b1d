// REL030: a latency objective that the service times along the workload's path already exceed,
// before any queueing (capacity.hpp, path_time). p95 and p99 objectives are compared with the sum
// of the mean service times, p50 objectives with the sum of their medians (the mean of a skewed
// service time is above its median, so the mean would overstate what the median request takes).
#include <algorithm>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "mlarch/analyzer/capacity.hpp"
#include "mlarch/analyzer/graph.hpp"
#include "mlarch/analyzer/rules.hpp"

namespace mlarch::rules {

namespace {

struct Objective {
  const char* key;
  const char* label;
  std::optional<double> Slo::*value;
  PathStatistic statistic;
};

const Objective kObjectives[] = {
    {"latency_p50_ms", "p50", &Slo::latency_p50_ms, PathStatistic::median},
    {"latency_p95_ms", "p95", &Slo::latency_p95_ms, PathStatistic::mean},
    {"latency_p99_ms", "p99", &Slo::latency_p99_ms, PathStatistic::mean},
};

// The largest contributors of the longest chain: components (their visits summed) and flows with
// latency, largest first.
std::string contributors(const System& system, const PathTime& t) {
  struct Item {
    std::string name;
    double ms = 0;
    int visits = 0;
    std::size_t first = 0;  // order of first appearance, to break ties
  };
  std::map<std::string, Item> items;
  std::size_t order = 0;
  auto add = [&](const std::string& key, const std::string& name, double ms) {
    auto [it, inserted] = items.try_emplace(key, Item{name, 0, 0, order++});
    it->second.ms += ms;
    ++it->second.visits;
  };
  for (const auto& v : t.critical) {
    if (v.flow && v.network_ms > 0) {
      const Flow& f = system.flows[*v.flow];
      add(fmt::format("f{}", f.index), fmt::format("flow '{}'", f.id), v.network_ms);
    } else if (v.network_ms > 0) {
      add("z" + system.components[v.component].zone, fmt::format("the hop into zone '{}'", system.components[v.component].zone),
          v.network_ms);
    }
    if (v.service_ms > 0) {
      const Component& c = system.components[v.component];
      add("c" + c.id, fmt::format("'{}'", c.id), v.service_ms);
    }
  }
  std::vector<Item> sorted;
  for (auto& [key, item] : items) sorted.push_back(std::move(item));
  std::sort(sorted.begin(), sorted.end(), [](const Item& a, const Item& b) {
    return a.ms != b.ms ? a.ms > b.ms : a.first < b.first;
  });
  std::vector<std::string> parts;
  for (std::size_t i = 0; i < sorted.size() && i < 3; ++i) {
    const Item& it = sorted[i];
    parts.push_back(it.visits > 1 ? fmt::format("{} {} ms over {} visits", it.name, format_number(it.ms), it.visits)
                                  : fmt::format("{} {} ms", it.name, format_number(it.ms)));
  }
  if (sorted.size() > 3) parts.push_back("...");
  return fmt::format("{}", fmt::join(parts, ", "));
}

std::string unknown_list(const System& system, const PathTime& t) {
  std::vector<std::string> ids;
  for (std::size_t i = 0; i < t.unknown.size() && i < 3; ++i) ids.push_back("'" + system.components[t.unknown[i]].id + "'");
  std::string out = fmt::format("{}", fmt::join(ids, ", "));
  if (t.unknown.size() > 3) out += fmt::format(" and {} more", t.unknown.size() - 3);
  return out;
}

}  // namespace

void latency_budget_exceeded(const RuleContext& ctx) {
  const System& system = ctx.system;
  // Per workload, the path time by mean and by median, computed when an objective needs it.
  std::map<std::pair<std::size_t, PathStatistic>, PathTime> cache;
  for (const auto& slo : system.slos) {
    auto w = system.workload_index.find(slo.workload);
    if (w == system.workload_index.end()) continue;
    const Workload& workload = system.workloads[w->second];
    for (const auto& objective : kObjectives) {
      const auto& value = slo.*objective.value;
      if (!value) continue;
      auto key = std::make_pair(w->second, objective.statistic);
      auto it = cache.find(key);
      if (it == cache.end()) it = cache.emplace(key, path_time(system, workload, objective.statistic)).first;
      const PathTime& t = it->second;
      if (t.total_ms <= *value) continue;
      std::string unknown;
      if (t.lower_bound())
        unknown = fmt::format(", not counting {} whose service time is unknown", unknown_list(system, t));
      ctx.report(slo.pointer + "/" + objective.key,
                 fmt::format("workload '{}' cannot meet its {} latency objective of {} ms: the {} along its path "
                             "already add up to {}{} ms ({}){}, before any queueing",
                             workload.name, objective.label, format_number(*value),
                             objective.statistic == PathStatistic::mean ? "mean service times"
                                                                        : "median service times",
                             t.lower_bound() ? "at least " : "", format_number(t.total_ms), contributors(system, t),
                             unknown));
    }
  }
}

}  // namespace mlarch::rules
