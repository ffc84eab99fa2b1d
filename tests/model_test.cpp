// The typed model: references resolved with suggestions, the graph, risk inference, capacity.
#include <gtest/gtest.h>

#include "mlarch/analyzer/capacity.hpp"
#include "mlarch/analyzer/graph.hpp"
#include "mlarch/analyzer/model.hpp"
#include "test_support.hpp"

namespace mlarch {
namespace {

const char* kSpec = R"(mlarch: 1
system: {name: s, owner: t, use_case: {domain: hiring, decisions_about_people: true}}
components:
  gateway: {kind: gateway, replicas: 2, concurrency: 10, service_time: {dist: constant, mean_ms: 1}}
  scorer:
    kind: model_server
    model: cv-ranker
    replicas: {min: 2, max: 4}
    service_time: {dist: exponential, mean_ms: 20}
  monitor: {kind: monitoring}
models:
  cv-ranker: {task: ranking, monitoring: {component: monitor}}
datasets:
  cvs: {pii: [name]}
flows:
  - {from: gateway, to: scorer, data: [cvs]}
  - {from: scorer, to: monitor}
workloads:
  - name: apply
    arrival: {process: poisson, rate_rps: 50}
    profile: {shape: diurnal, peak_to_mean: 2}
    path: [gateway, scorer, gateway]
)";

TEST(Model, BuildsTypedElements) {
  Document doc = test::load_text(kSpec);
  BuildResult r = build_system(doc);
  ASSERT_TRUE(r.system) << r.errors[0].message;
  const System& s = *r.system;
  ASSERT_EQ(s.components.size(), 3u);
  const Component* scorer = s.component("scorer");
  ASSERT_NE(scorer, nullptr);
  EXPECT_TRUE(scorer->replicas.autoscaled);
  EXPECT_EQ(scorer->replicas.count, 2);
  EXPECT_EQ(scorer->replicas.max, 4);
  EXPECT_EQ(s.flows.size(), 2u);
  EXPECT_TRUE(s.datasets[0].has_personal_data());
  EXPECT_EQ(s.workloads[0].visits().at(s.component_index.at("gateway")), 2);
}

TEST(Model, InfersHighRiskForAnnexIiiDomains) {
  Document doc = test::load_text(kSpec);
  BuildResult r = build_system(doc);
  ASSERT_TRUE(r.system);
  EXPECT_EQ(r.system->risk.tier, RiskTier::high);
  EXPECT_FALSE(r.system->risk.declared);
  EXPECT_NE(r.system->risk.reason.find("hiring"), std::string::npos);
}

TEST(Model, GraphFollowsFlows) {
  Document doc = test::load_text(kSpec);
  BuildResult r = build_system(doc);
  ASSERT_TRUE(r.system);
  SystemGraph g(*r.system);
  auto reach = g.reachable_from(r.system->component_index.at("gateway"));
  EXPECT_TRUE(reach[r.system->component_index.at("monitor")]);
  EXPECT_EQ(g.successors(r.system->component_index.at("scorer")).size(), 1u);
  EXPECT_EQ(g.in_flows(r.system->component_index.at("scorer")).size(), 1u);
}

TEST(Model, PeakUtilizationFollowsTheUtilizationLaw) {
  Document doc = test::load_text(kSpec);
  BuildResult r = build_system(doc);
  ASSERT_TRUE(r.system);
  auto loads = peak_loads(*r.system);
  ASSERT_EQ(loads.size(), 2u);
  // gateway: 50 rps × 2 (peak) × 2 visits × 1 ms ÷ (2 × 10) = 0.01
  EXPECT_DOUBLE_EQ(*loads[0].utilization, 200 * 0.001 / 20);
  // scorer: 100 rps × 20 ms ÷ 4 = 0.5
  EXPECT_DOUBLE_EQ(*loads[1].utilization, 0.5);
}

TEST(Model, UnresolvedReferencesSuggestTheClosestId) {
  std::string spec = kSpec;
  spec.replace(spec.find("to: scorer, data"), 10, "to: scorre");
  Document doc = test::load_text(spec);
  BuildResult r = build_system(doc);
  ASSERT_FALSE(r.system);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].rule, kErrReference);
  EXPECT_EQ(r.errors[0].message, "unknown component 'scorre' in flow 'gateway->scorre' (did you mean 'scorer'?)");
  EXPECT_EQ(r.errors[0].pointer, "/flows/0/to");
  EXPECT_EQ(r.errors[0].position, (Position{16, 25}));
}

TEST(Model, EveryKindOfReferenceIsChecked) {
  std::string spec = kSpec;
  spec.replace(spec.find("model: cv-ranker"), 16, "model: cv-rankr");
  spec.replace(spec.find("component: monitor"), 18, "component: monitr");
  spec.replace(spec.find("data: [cvs]"), 11, "data: [cv]");
  spec.replace(spec.find("path: [gateway, scorer"), 22, "path: [gateway, scorerx");
  Document doc = test::load_text(spec);
  BuildResult r = build_system(doc);
  ASSERT_EQ(r.errors.size(), 4u);
  for (const auto& e : r.errors) EXPECT_NE(e.message.find("did you mean"), std::string::npos) << e.message;
}

}  // namespace
}  // namespace mlarch

namespace mlarch {
namespace {

TEST(Graph, ReachingFindsEveryAncestorOfTheTargets) {
  Document doc = test::load_text(kSpec);
  BuildResult r = build_system(doc);
  ASSERT_TRUE(r.system);
  SystemGraph g(*r.system);
  std::vector<bool> targets(r.system->components.size(), false);
  targets[r.system->component_index.at("monitor")] = true;
  auto reaching = g.reaching(targets);
  EXPECT_TRUE(reaching[r.system->component_index.at("gateway")]);
  EXPECT_TRUE(reaching[r.system->component_index.at("scorer")]);
  targets.assign(targets.size(), false);
  targets[r.system->component_index.at("gateway")] = true;
  reaching = g.reaching(targets);
  EXPECT_FALSE(reaching[r.system->component_index.at("monitor")]);
}

}  // namespace
}  // namespace mlarch

namespace mlarch {
namespace {

TEST(Model, ComponentWithoutReplicasRunsOneFixedReplica) {
  Document doc = test::load_text("mlarch: 1\nsystem: {name: s}\ncomponents:\n  a: {kind: service}\n");
  BuildResult r = build_system(doc);
  ASSERT_TRUE(r.system);
  const Component& a = r.system->components[0];
  EXPECT_FALSE(a.replicas_declared);
  EXPECT_FALSE(a.replicas.autoscaled);
  EXPECT_EQ(a.replicas.count, 1);
  EXPECT_EQ(a.replicas.max, 1);
}

}  // namespace
}  // namespace mlarch
