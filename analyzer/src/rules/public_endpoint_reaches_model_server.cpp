// SEC021: the internet reaches a model server without a gateway in between. Flags a public
// model server, and a public component other than a gateway or load balancer with a flow
// straight to a model server.
#include <fmt/format.h>

#include "common.hpp"
#include "mlarch/analyzer/graph.hpp"
#include "mlarch/analyzer/rules.hpp"

namespace mlarch::rules {

void public_endpoint_reaches_model_server(const RuleContext& ctx) {
  const System& s = ctx.system;
  for (std::size_t i = 0; i < s.components.size(); ++i) {
    const Component& c = s.components[i];
    if (!c.security.is_public || c.kind == ComponentKind::gateway || c.kind == ComponentKind::load_balancer) continue;
    if (c.kind == ComponentKind::model_server) {
      ctx.report(c.pointer + "/security/public",
                 fmt::format("model server '{}' is itself reachable from the internet, with no gateway in front of it",
                             c.id),
                 fmt::format("make '{}' private (`security.public: false`) and expose it through a component of "
                             "kind gateway that authenticates, rate-limits and filters requests",
                             c.id));
      continue;
    }
    std::vector<std::string> servers;
    for (std::size_t t : ctx.graph.successors(i))
      if (s.components[t].kind == ComponentKind::model_server && !contains(servers, s.components[t].id))
        servers.push_back(s.components[t].id);
    if (servers.empty()) continue;
    ctx.report(c.pointer + "/security/public",
               fmt::format("public {} '{}' sends requests straight to model server{} {}, with no gateway in between",
                           kind_name(c.kind), c.id, servers.size() == 1 ? "" : "s", quoted_list(servers)),
               fmt::format("put a component of kind gateway between the internet and the model server, and make "
                           "'{}' private or route it through that gateway",
                           c.id));
  }
}

}  // namespace mlarch::rules
