// REL021: a workload's path that takes the same hop twice (a -> b ... a -> b) loops: the request
// goes round a cycle of the graph. Returning through a component (gateway in, gateway out) is
// not a loop; repeating a hop is, and usually stands for retries or polling written out as path
// steps, which doubles the load the capacity rules and the simulator charge to those components.
#include <map>
#include <utility>

#include <fmt/format.h>

#include "mlarch/analyzer/graph.hpp"
#include "mlarch/analyzer/rules.hpp"

namespace mlarch::rules {

void workload_path_loop(const RuleContext& ctx) {
  const System& s = ctx.system;
  for (const auto& w : s.workloads) {
    // Hops already taken, with the 1-based path step where each was first taken.
    std::map<std::pair<std::size_t, std::size_t>, std::size_t> taken;
    std::vector<std::size_t> previous;  // the components the request may be at after the last step
    bool reported = false;              // one finding per workload: the first repeated hop
    for (std::size_t i = 0; i < w.path.size() && !reported; ++i) {
      const PathStep& step = w.path[i];
      std::vector<std::size_t> firsts, lasts;
      for (const auto& branch : step.branches) {
        if (branch.empty()) continue;
        firsts.push_back(branch.front());
        lasts.push_back(branch.back());
      }
      auto take = [&](std::size_t from, std::size_t to) {
        if (from == to || reported) return;
        auto [it, inserted] = taken.emplace(std::pair{from, to}, i + 1);
        if (inserted) return;
        reported = true;
        ctx.report(step.pointer,
                   fmt::format("workload '{}' goes from '{}' to '{}' twice ({}): its path loops", w.name,
                               s.components[from].id, s.components[to].id,
                               it->second == i + 1 ? fmt::format("both in step {}", i + 1)
                                                   : fmt::format("steps {} and {}", it->second, i + 1)),
                   fmt::format("write each hop once, and express retries with a `retries` block on '{}' rather "
                               "than repeated path steps",
                               s.components[to].id));
      };
      for (std::size_t from : previous)
        for (std::size_t to : firsts) take(from, to);
      for (const auto& branch : step.branches)
        for (std::size_t k = 1; k < branch.size(); ++k) take(branch[k - 1], branch[k]);
      previous = lasts;
    }
  }
}

}  // namespace mlarch::rules
