// SEC023: an LLM's output reaches something that acts on it, or people, without validation.
// From each LLM server, a breadth-first search over flows (and the server's `tools`) that goes no
// further through a component with `role: output_guardrail` or `role: human_review`, nor through
// another model server (whose own output is its own rule's business). It reports each sink it
// reaches: a tool that can change state without a person approving each action (`permissions`
// other than `read_only`, and no `requires_approval: true`), a gateway, or a public component.
#include <fmt/format.h>

#include "common.hpp"
#include "mlarch/analyzer/graph.hpp"
#include "mlarch/analyzer/rules.hpp"

namespace mlarch::rules {

namespace {

// What the LLM's output would reach, described for the message; empty when not a sink.
std::string sink(const Component& c) {
  if (c.role == "tool") {
    std::string permissions = raw_string(c.raw, "permissions");
    if (permissions == "read_only" || raw_bool(c.raw, "requires_approval")) return {};
    return fmt::format("tool '{}' ({}, no approval)",
                       c.id, permissions.empty() ? "permissions not declared" : "permissions: " + permissions);
  }
  if (c.kind == ComponentKind::gateway) return fmt::format("gateway '{}'", c.id);
  if (c.security.is_public) return fmt::format("public component '{}'", c.id);
  return {};
}

bool validates(const Component& c) { return c.role == "output_guardrail" || c.role == "human_review"; }

}  // namespace

void llm_output_without_validation(const RuleContext& ctx) {
  const System& s = ctx.system;
  for (std::size_t llm = 0; llm < s.components.size(); ++llm) {
    const Component& server = s.components[llm];
    if (!is_llm_server(s, server)) continue;
    const std::size_t sources[] = {llm};
    auto expand = [&](std::size_t c) {
      const Component& comp = s.components[c];
      if (c == llm) return true;
      return !validates(comp) && comp.kind != ComponentKind::model_server && sink(comp).empty();
    };
    SystemGraph::Search search = ctx.graph.search(sources, {}, expand);
    for (std::size_t c = 0; c < s.components.size(); ++c) {
      if (c == llm || !search.reached[c]) continue;
      std::string what = sink(s.components[c]);
      if (what.empty() || validates(s.components[c])) continue;
      std::vector<std::size_t> path = ctx.graph.path_to(search, c);
      std::size_t first_flow = search.via[path[1]];  // where the guardrail belongs
      ctx.report(s.flows[first_flow].pointer,
                 fmt::format("output of LLM server '{}' reaches {} without an output guardrail: {}", server.id, what,
                             ctx.graph.describe(path)),
                 fmt::format("validate the output of '{}' in a component with `role: output_guardrail` before it "
                             "reaches '{}'{}",
                             server.id, s.components[c].id,
                             s.components[c].role == "tool"
                                 ? ", or make the tool `permissions: read_only` or `requires_approval: true`"
                                 : ""));
    }
    // Tools the server may call that no flow from it leads to: the call is the edge.
    if (server.tools.empty()) continue;
    std::vector<bool> by_flows = ctx.graph.reachable_from(llm);
    for (std::size_t i = 0; i < server.tools.size(); ++i) {
      auto it = s.component_index.find(server.tools[i]);
      if (it == s.component_index.end() || by_flows[it->second]) continue;
      const Component& tool = s.components[it->second];
      std::string what = sink(tool);
      if (what.empty()) continue;
      ctx.report(pointer_append(server.pointer + "/tools", i),
                 fmt::format("output of LLM server '{}' reaches {} without an output guardrail: {} -> {}", server.id,
                             what, server.id, tool.id),
                 fmt::format("validate the tool calls of '{}' in a component with `role: output_guardrail`, or "
                             "make '{}' `permissions: read_only` or `requires_approval: true`",
                             server.id, tool.id));
    }
  }
}

}  // namespace mlarch::rules
