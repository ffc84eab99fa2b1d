// REL022: a workload's path takes a hop that no flow declares. Consecutive components of a path
// (and of a parallel branch) need a flow from the first to the second. Between two steps, every
// first component of the next step's branches needs a flow from some last component of the
// previous step's branches, and every last component of the previous step a flow to some first
// component of the next. Findings point at the path element that cannot be reached.
#include <set>
#include <utility>

#include <fmt/format.h>

#include "common.hpp"
#include "mlarch/analyzer/graph.hpp"
#include "mlarch/analyzer/rules.hpp"

namespace mlarch::rules {

namespace {

struct Element {
  std::size_t component = 0;
  std::string pointer;
};

}  // namespace

void path_step_without_flow(const RuleContext& ctx) {
  const System& s = ctx.system;
  std::set<std::pair<std::size_t, std::size_t>> edges;
  for (const auto& f : s.flows) edges.emplace(f.from, f.to);
  auto linked = [&](std::size_t a, std::size_t b) { return a == b || edges.count({a, b}) > 0; };
  auto id = [&](std::size_t c) { return s.components[c].id; };

  for (const auto& w : s.workloads) {
    // `froms` to `tos`: one of each is the plain case; several name the branches of a step.
    auto missing = [&](const std::string& pointer, const std::vector<std::size_t>& froms,
                       const std::vector<std::size_t>& tos) {
      auto either = [&](const std::vector<std::size_t>& cs) {
        std::string out;
        for (std::size_t i = 0; i < cs.size(); ++i) out += (i ? " or '" : "'") + id(cs[i]) + "'";
        return out;
      };
      std::string none = froms.size() > 1 ? fmt::format("no flow leads from any of them to {}", either(tos))
                         : tos.size() > 1 ? fmt::format("no flow leads from {} to any of them", either(froms))
                                          : fmt::format("no flow leads from {} to {}", either(froms), either(tos));
      ctx.report(pointer, fmt::format("workload '{}' goes from {} to {}, but {}", w.name, either(froms), either(tos), none),
                 froms.size() == 1 && tos.size() == 1
                     ? fmt::format("add the flow `{{from: {}, to: {}}}` (a response is a flow of its own), or correct "
                                   "the path",
                                   id(froms[0]), id(tos[0]))
                     : "add the flows that the path's hops take (a response is a flow of its own), or correct the path");
    };
    auto components = [](const std::vector<Element>& es) {
      std::vector<std::size_t> out;
      for (const auto& e : es) out.push_back(e.component);
      return out;
    };
    std::vector<Element> lasts;  // the last component of each branch of the previous step
    for (const auto& step : w.path) {
      // The elements of each branch, with their pointers.
      const Json* value = ctx.doc.find(step.pointer);
      std::vector<std::vector<Element>> branches;
      for (std::size_t b = 0; b < step.branches.size(); ++b) {
        std::vector<Element> branch;
        for (std::size_t k = 0; k < step.branches[b].size(); ++k) {
          std::string pointer = step.pointer;
          if (value && value->is_object()) {
            pointer = pointer_append(pointer_append(step.pointer + "/parallel", b), k);
            if (!ctx.doc.find(pointer)) pointer = pointer_append(step.pointer + "/parallel", b);
          }
          branch.push_back({step.branches[b][k], pointer});
        }
        if (!branch.empty()) branches.push_back(std::move(branch));
      }
      if (branches.empty()) continue;
      std::vector<Element> firsts;
      for (const auto& branch : branches) firsts.push_back(branch.front());

      if (!lasts.empty()) {
        if (firsts.size() == 1 || lasts.size() == 1) {
          for (const auto& to : firsts)
            for (const auto& from : lasts)
              if (!linked(from.component, to.component)) missing(to.pointer, {from.component}, {to.component});
        } else {
          for (const auto& to : firsts) {
            bool any = false;
            for (const auto& from : lasts) any = any || linked(from.component, to.component);
            if (!any) missing(to.pointer, components(lasts), {to.component});
          }
          for (const auto& from : lasts) {
            bool any = false;
            for (const auto& to : firsts) any = any || linked(from.component, to.component);
            if (!any) missing(step.pointer, {from.component}, components(firsts));
          }
        }
      }
      for (const auto& branch : branches)
        for (std::size_t k = 1; k < branch.size(); ++k)
          if (!linked(branch[k - 1].component, branch[k].component))
            missing(branch[k].pointer, {branch[k - 1].component}, {branch[k].component});
      lasts.clear();
      for (const auto& branch : branches) lasts.push_back(branch.back());
    }
  }
}

}  // namespace mlarch::rules
