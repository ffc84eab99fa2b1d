// COST020: the instances that run all month already cost more than `budget.usd_per_month`.
// Each component with a priced instance (the spec's `hardware.<instance>.usd_per_hour`, else the
// built-in catalog's on-demand price) costs replicas × 730 h × usd_per_hour, replicas being the
// fixed count or the autoscaling minimum. Batch jobs and training pipelines are left out: they
// run for a time the spec does not give. Whatever is left out makes the total a lower bound. A
// note says where each price came from.
#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "mlarch/analyzer/capacity.hpp"
#include "mlarch/analyzer/graph.hpp"
#include "mlarch/analyzer/rules.hpp"

namespace mlarch::rules {

namespace {

struct Item {
  const Component* component;
  double usd = 0;
};

std::string some(const std::vector<std::string>& ids) {
  std::vector<std::string> shown;
  for (std::size_t i = 0; i < ids.size() && i < 3; ++i) shown.push_back("'" + ids[i] + "'");
  std::string out = fmt::format("{}", fmt::join(shown, ", "));
  if (ids.size() > 3) out += fmt::format(" and {} more", ids.size() - 3);
  return out;
}

}  // namespace

void over_budget(const RuleContext& ctx) {
  const Json* budget = ctx.doc.find("/budget/usd_per_month");
  if (!budget || !budget->is_number()) return;
  double limit = budget->get<double>();

  std::vector<Item> items;
  std::vector<std::string> unpriced, scheduled;
  std::map<std::string, std::string> prices;  // instance type → "$1.006/h from ...", once each
  bool autoscaled = false;
  double total = 0;
  for (const auto& c : ctx.system.components) {
    if (c.instance.empty()) continue;
    if (c.kind == ComponentKind::batch_job || c.kind == ComponentKind::training_pipeline) {
      scheduled.push_back(c.id);
      continue;
    }
    auto type = instance_type(ctx.system, c.instance);
    if (!type || !type->usd_per_hour) {
      unpriced.push_back(c.id);
      continue;
    }
    double usd = c.replicas.count * kHoursPerMonth * *type->usd_per_hour;
    if (c.replicas.autoscaled) autoscaled = true;
    total += usd;
    if (usd > 0) {
      items.push_back({&c, usd});
      prices.try_emplace(c.instance, fmt::format("{} ${}/h from {}", c.instance, *type->usd_per_hour,
                                                 type->price_source()));
    }
  }
  if (total <= limit) return;

  std::stable_sort(items.begin(), items.end(), [](const Item& a, const Item& b) { return a.usd > b.usd; });
  std::vector<std::string> largest;
  for (std::size_t i = 0; i < items.size() && i < 3; ++i) {
    const Component& c = *items[i].component;
    largest.push_back(fmt::format("'{}' {} ({} × {}{})", c.id, format_usd(items[i].usd), c.replicas.count, c.instance,
                                  c.replicas.autoscaled ? ", the autoscaling minimum" : ""));
  }
  bool lower_bound = autoscaled || !unpriced.empty() || !scheduled.empty();
  Finding& f = ctx.report(
      "/budget/usd_per_month",
      fmt::format("the instances that run all month cost {}{} a month ({} h), above the budget of {}: {}{}",
                  lower_bound ? "at least " : "", format_usd(total), format_number(kHoursPerMonth), format_usd(limit),
                  fmt::join(largest, ", "), items.size() > 3 ? ", ..." : ""));
  // After the rule's first note (why), before the references.
  auto at = f.notes.empty() ? f.notes.end() : f.notes.begin() + 1;
  std::vector<std::string> extra;
  std::vector<std::string> sources;
  for (const auto& [name, text] : prices) sources.push_back(text);
  extra.push_back(fmt::format("prices: {}", fmt::join(sources, "; ")));
  if (!unpriced.empty())
    extra.push_back(fmt::format("not counted: {}, whose instance type has no `usd_per_hour` in `hardware` or the "
                                "built-in catalog", some(unpriced)));
  if (!scheduled.empty())
    extra.push_back(fmt::format("not counted: {}, batch jobs and training pipelines that run for a time the spec does not give",
                                some(scheduled)));
  f.notes.insert(at, extra.begin(), extra.end());
}

}  // namespace mlarch::rules
