// BP022: someone consumes a model's predictions outside the declared workloads. For a model server
// that some workload visits, flags each flow from it to a component that no workload visits and
// whose consumption is declared otherwise: not a monitoring component, not a store (database,
// object store, stream, queue, cache, vector store, feature store: what reads from it is the
// consumer), not a tool the server calls (`role: tool`) and not a human review step.
#include <fmt/format.h>

#include "common.hpp"
#include "mlarch/analyzer/graph.hpp"
#include "mlarch/analyzer/rules.hpp"

namespace mlarch::rules {

namespace {

bool declared_otherwise(const Component& c) {
  switch (c.kind) {
    case ComponentKind::monitoring:
    case ComponentKind::database:
    case ComponentKind::object_store:
    case ComponentKind::stream:
    case ComponentKind::queue:
    case ComponentKind::cache:
    case ComponentKind::vector_store:
    case ComponentKind::feature_store:
      return true;
    default:
      return c.role == "tool" || c.role == "human_review";
  }
}

}  // namespace

void undeclared_consumer(const RuleContext& ctx) {
  const System& s = ctx.system;
  std::vector<bool> on_path = on_workload_path(s);
  for (const auto& f : s.flows) {
    const Component& server = s.components[f.from];
    const Component& consumer = s.components[f.to];
    if (server.kind != ComponentKind::model_server || !on_path[f.from] || on_path[f.to] || f.to == f.from) continue;
    if (declared_otherwise(consumer)) continue;
    ctx.report(f.pointer + "/to",
               fmt::format("{} '{}' consumes the predictions of model server '{}' outside every declared workload",
                           kind_name(consumer.kind), consumer.id, server.id),
               fmt::format("add '{}' to the path of the workload that uses these predictions (or declare a workload "
                           "for it), or remove the flow",
                           consumer.id));
  }
}

}  // namespace mlarch::rules
