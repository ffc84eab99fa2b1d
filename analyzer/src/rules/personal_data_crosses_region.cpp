// ETH030: personal data stored in one region is moved to another without a transfer basis (GDPR
// Chapter V). For every dataset with personal data (declared or inherited), a known `region` and
// no `transfer_basis` (absent or `none`), its data is followed through `derived_from` (up to the
// datasets that declare a region of their own) and over the flows that carry it (trace_data). It
// crosses into another region when
//   - a dataset derived from it declares another region;
//   - a flow carries it to a component whose `zone` lies in another region, from a component that
//     is not already in that region (the crossing happened upstream, and is reported there);
//   - a component whose `zone` lies in another region reads it (when no such flow enters it).
// Regions come from names (region_of below); an unknown name is skipped. One finding per
// crossing point, naming every dataset whose data crosses there.
#include <algorithm>
#include <cctype>
#include <map>
#include <string_view>
#include <unordered_map>

#include <fmt/format.h>

#include "common.hpp"
#include "mlarch/analyzer/graph.hpp"
#include "mlarch/analyzer/rules.hpp"

namespace mlarch::rules {

namespace {

struct Name {
  std::string_view name, region;
};

// Names of regions, as datasets write them.
constexpr Name kRegions[] = {
    {"eu", "eu"}, {"eea", "eu"},    {"europe", "eu"}, {"uk", "uk"},     {"gb", "uk"},      {"ch", "ch"},
    {"us", "us"}, {"usa", "us"},    {"ca", "ca"},     {"canada", "ca"}, {"mx", "mx"},      {"mexico", "mx"},
    {"sa", "sa"}, {"latam", "sa"},  {"ap", "ap"},     {"apac", "ap"},   {"asia", "ap"},    {"me", "me"},
    {"af", "af"}, {"africa", "af"}, {"cn", "cn"},     {"china", "cn"},
};

// Cloud region and zone names (AWS, Google Cloud), by prefix: the longest prefix wins, and a prefix
// that ends in a digit only matches when no digit follows (eu-west-2a, not eu-west-21). London and
// Zurich are outside the EU: their names are listed before the general European prefixes.
constexpr Name kZonePrefixes[] = {
    {"eu-west-2", "uk"},
    {"eu-central-2", "ch"},
    {"europe-west2", "uk"},
    {"europe-west6", "ch"},
    {"eusc-", "eu"},
    {"eu-", "eu"},
    {"europe-", "eu"},
    {"us-", "us"},
    {"ca-", "ca"},
    {"northamerica-northeast", "ca"},
    {"northamerica-south", "mx"},
    {"mx-", "mx"},
    {"sa-", "sa"},
    {"southamerica-", "sa"},
    {"ap-", "ap"},
    {"asia-", "ap"},
    {"australia-", "ap"},
    {"me-", "me"},
    {"il-", "me"},
    {"af-", "af"},
    {"africa-", "af"},
    {"cn-", "cn"},
};

// The region of a dataset's `region` or a component's `zone`; empty when unknown.
std::string_view region_of(std::string_view text) {
  std::string name(text);
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char ch) { return std::tolower(ch); });
  for (const auto& r : kRegions)
    if (name == r.name) return r.region;
  for (const auto& z : kZonePrefixes) {
    if (name.size() < z.name.size() || name.compare(0, z.name.size(), z.name) != 0) continue;
    bool digit_follows = name.size() > z.name.size() && std::isdigit(static_cast<unsigned char>(name[z.name.size()]));
    if (std::isdigit(static_cast<unsigned char>(z.name.back())) && digit_follows) continue;
    return z.region;
  }
  return {};
}

}  // namespace

void personal_data_crosses_region(const RuleContext& ctx) {
  const System& s = ctx.system;
  Lineage personal = personal_datasets(s);
  std::vector<std::string_view> zone_region(s.components.size());
  for (std::size_t c = 0; c < s.components.size(); ++c) zone_region[c] = region_of(s.components[c].zone);

  // One finding per crossing point, naming every dataset whose data crosses there; the
  // derivation and the path are those of the first.
  struct Crossing {
    std::string pointer, first, rest;  // "personal data of dataset 'a' (...)", " reaches ...: path"
    std::vector<std::string> datasets, more;
  };
  std::vector<Crossing> crossings;
  std::unordered_map<std::string, std::size_t> at;
  auto cross = [&](std::string pointer, const Dataset& source, std::string subject, std::string rest) {
    auto [it, added] = at.emplace(pointer, crossings.size());
    if (added) {
      crossings.push_back({std::move(pointer), std::move(subject), std::move(rest), {source.id}, {}});
      return;
    }
    Crossing& c = crossings[it->second];
    c.datasets.push_back(source.id);
    c.more.push_back(subject.substr(std::string_view("personal data of dataset ").size()));
  };

  for (std::size_t src = 0; src < s.datasets.size(); ++src) {
    const Dataset& source = s.datasets[src];
    std::string_view home = region_of(source.region);
    if (!personal.marked[src] || home.empty() || !(source.transfer_basis.empty() || source.transfer_basis == "none"))
      continue;
    // Where its data is: the datasets derived from it that do not say where they are stored.
    std::vector<bool> seed(s.datasets.size(), false);
    seed[src] = true;
    Lineage lineage = inherit(s, std::move(seed), [&](std::size_t e) { return !s.datasets[e].region.empty(); });
    std::string subject = fmt::format("personal data of dataset '{}' (region '{}', {})", source.id, source.region,
                                      source.transfer_basis.empty() ? "no transfer_basis" : "transfer_basis: none");
    // " as 'segments' (customers -> segments)" when the data travels as a derived dataset.
    auto as = [&](std::string_view id) {
      std::size_t d = s.dataset_index.at(std::string(id));
      return d == src ? std::string() : fmt::format(" as '{}' ({})", id, lineage.describe(d));
    };
    auto first_carried = [&](const std::vector<std::string>& ids) -> std::string_view {
      for (const auto& id : ids)
        if (lineage.has(id)) return id;
      return {};
    };

    // Into a dataset stored elsewhere.
    for (std::size_t y = 0; y < s.datasets.size(); ++y) {
      const Dataset& target = s.datasets[y];
      std::string_view there = region_of(target.region);
      if (y == src || there.empty() || there == home || declares_no_personal_data(target)) continue;
      for (const auto& parent : target.derived_from) {
        if (!lineage.has(parent)) continue;
        cross(target.pointer + "/region", source, subject,
              fmt::format(" is copied into dataset '{}' in region '{}': {} -> {}", target.id, target.region,
                          lineage.describe(s.dataset_index.at(parent)), target.id));
        break;
      }
    }

    // Entering a component that runs elsewhere: over a flow from a component that is not already
    // in that region (the first such flow; the search only runs when there is one), else by
    // reading it. One crossing per component.
    std::map<std::size_t, const Flow*> over;  // component -> the first flow carrying the data into it
    for (const auto& f : s.flows) {
      std::string_view there = zone_region[f.to];
      if (there.empty() || there == home || zone_region[f.from] == there || over.count(f.to)) continue;
      if (!first_carried(f.data).empty()) over.emplace(f.to, &f);
    }
    for (std::size_t c = 0; c < s.components.size(); ++c) {
      const Component& comp = s.components[c];
      if (zone_region[c].empty() || zone_region[c] == home || over.count(c)) continue;
      for (std::size_t i = 0; i < comp.reads.size(); ++i) {
        if (!lineage.has(comp.reads[i])) continue;
        cross(fmt::format("{}/reads/{}", comp.pointer, i), source, subject,
              fmt::format(" is read by {} '{}' in zone '{}' (region '{}'){}", kind_name(comp.kind), comp.id, comp.zone,
                          zone_region[c], as(comp.reads[i])));
        break;
      }
    }
    if (over.empty()) continue;
    DataTrace trace = trace_data(ctx.graph, lineage);
    for (const auto& [c, f] : over) {
      const Component& target = s.components[c];
      cross(f->pointer + "/to", source, subject,
            fmt::format(" reaches {} '{}' in zone '{}' (region '{}'){}: {}", kind_name(target.kind), target.id,
                        target.zone, zone_region[c], as(first_carried(f->data)),
                        ctx.graph.describe(trace.path_over(ctx.graph, *f))));
    }
  }

  for (const auto& c : crossings) {
    std::string also;
    for (std::size_t i = 0; i < c.more.size(); ++i)
      also += (i == 0 ? ", and of " : i + 1 == c.more.size() ? " and " : ", ") + c.more[i];
    ctx.report(c.pointer, c.first + (also.empty() ? "" : also + ",") + c.rest,
               fmt::format("declare `transfer_basis` on {} (adequacy, scc, bcr, consent) once the transfer is lawful, "
                           "or keep the data in its region",
                           quoted_list(c.datasets)));
  }
}

}  // namespace mlarch::rules
