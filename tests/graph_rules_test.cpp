// The native graph rules beyond their fixtures: messages and paths, the cases the examples guard
// (no finding on any of them, and the loops they document found once their mitigation is
// removed), and running time on a large graph.
#include <map>
#include <filesystem>
#include <regex>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "mlarch/analyzer/graph.hpp"
#include "mlarch/analyzer/lint.hpp"
#include "mlarch/analyzer/model.hpp"
#include "mlarch/analyzer/rules.hpp"
#include "test_support.hpp"

namespace mlarch {
namespace {

const std::set<std::string> kGraphRules = {"SEC020", "SEC021", "SEC022", "SEC023", "REL020",
                                           "REL022", "BP020",  "BP021",  "BP022"};

using test::run;
using test::run_rule;

std::string example(const std::string& name) {
  return test::read_file(test::source_dir() / "examples" / (name + ".yaml"));
}

// Removes the line holding `key` and the lines indented deeper below it (a YAML block).
std::string drop_block(const std::string& text, const std::string& key) {
  std::istringstream in(text);
  std::string line, out;
  std::size_t indent = std::string::npos;
  while (std::getline(in, line)) {
    std::size_t first = line.find_first_not_of(' ');
    if (indent != std::string::npos) {
      if (first != std::string::npos && first > indent) continue;
      indent = std::string::npos;
    }
    if (line.find(key) != std::string::npos && first != std::string::npos) {
      indent = first;
      continue;
    }
    out += line + "\n";
  }
  return out;
}

std::string replace(std::string text, const std::string& from, const std::string& to) {
  auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

TEST(GraphRules, NoFindingOnTheExamples) {
  LintReport report = test::lint_in_source_dir({"examples"}, kGraphRules);
  EXPECT_EQ(report.files.size(), 5u);
  for (const auto& f : report.findings) ADD_FAILURE() << f.file << ":" << f.position.line << ": " << f.rule << " " << f.message;
}

// SEC020

TEST(GraphRules, PersonalDataPathNamesEveryHop) {
  auto findings = run_rule("SEC020", R"(mlarch: 1
system: {name: s}
components:
  crm: {kind: database, reads: [customers]}
  etl: {kind: batch_job}
  segmenter: {kind: service}
  ad_partner: {kind: external}
datasets:
  customers: {pii: [email]}
  cleaned: {derived_from: [customers]}
  segments: {derived_from: [cleaned]}
flows:
  - {from: crm, to: etl, data: [customers]}
  - {from: etl, to: segmenter, data: [cleaned]}
  - {from: segmenter, to: ad_partner, data: [segments]}
)");
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].message,
            "personal data ('segments') leaves the system for external component 'ad_partner': "
            "crm -> etl -> segmenter -> ad_partner");
  EXPECT_EQ(findings[0].pointer, "/flows/2/to");
}

TEST(GraphRules, ALongPathIsShownByItsEnds) {
  // 20 services between the database and the partner: the message keeps the first and last four
  // components and says how many lie between.
  std::string spec = "mlarch: 1\nsystem: {name: s}\ncomponents:\n  db: {kind: database, reads: [customers]}\n";
  std::string flows = "flows:\n";
  std::string previous = "db";
  for (int i = 0; i < 20; ++i) {
    spec += fmt::format("  s{}: {{kind: service}}\n", i);
    flows += fmt::format("  - {{from: {}, to: s{}, data: [customers]}}\n", previous, i);
    previous = fmt::format("s{}", i);
  }
  spec += "  partner: {kind: external}\ndatasets:\n  customers: {pii: [email]}\n" + flows +
          "  - {from: s19, to: partner, data: [customers]}\n";
  auto findings = run_rule("SEC020", spec);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].message,
            "personal data ('customers') leaves the system for external component 'partner': "
            "db -> s0 -> s1 -> s2 -> (14 more) -> s17 -> s18 -> s19 -> partner");
}

TEST(GraphRules, PersonalDataInheritanceStopsAtAnExplicitEmptyPii) {
  const char* spec = R"(mlarch: 1
system: {name: s}
components:
  job: {kind: batch_job}
  partner: {kind: external}
datasets:
  raw: {sensitive_attributes: [health]}
  stats: {derived_from: [raw], pii: []}
  counts: {derived_from: [stats]}
flows:
  - {from: job, to: partner, data: [stats, counts]}
)";
  EXPECT_TRUE(run_rule("SEC020", spec).empty());
}

TEST(GraphRules, PersonalDataSentBackToItsOriginIsNotADisclosure) {
  std::string spec = R"(mlarch: 1
system: {name: s}
components:
  gateway: {kind: gateway}
  network: {kind: external}
  other: {kind: external}
datasets:
  auths: {pii: [card_token]}
flows:
  - {from: network, to: gateway, data: [auths]}
  - {from: gateway, to: network, data: [auths]}
  - {from: gateway, to: other, data: [auths]}
)";
  auto findings = run_rule("SEC020", spec);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].pointer, "/flows/2/to");
  EXPECT_NE(findings[0].message.find("network -> gateway -> other"), std::string::npos) << findings[0].message;
}

// SEC021

TEST(GraphRules, PublicModelServerAndPublicServiceBeforeAModel) {
  auto findings = run_rule("SEC021", R"(mlarch: 1
system: {name: s}
components:
  lb: {kind: load_balancer, security: {public: true}}
  app: {kind: service, security: {public: true}}
  a: {kind: model_server, security: {public: true}}
  b: {kind: model_server}
  c: {kind: model_server}
flows:
  - {from: lb, to: b}
  - {from: app, to: b}
  - {from: app, to: c}
  - {from: app, to: b}
)");
  ASSERT_EQ(findings.size(), 2u);
  std::set<std::string> messages;
  for (const auto& f : findings) messages.insert(f.message);
  EXPECT_TRUE(messages.count("public service 'app' sends requests straight to model servers 'b' and 'c', with no "
                             "gateway in between"));
  EXPECT_TRUE(messages.count("model server 'a' is itself reachable from the internet, with no gateway in front of it"));
}

// SEC022

TEST(GraphRules, SupportAssistantWithABypassOfItsInputGuardrail) {
  std::string spec = replace(example("support-assistant"),
                             "  - {from: chat_api, to: guard_in, data: [conversations], encrypted: true}\n",
                             "  - {from: chat_api, to: guard_in, data: [conversations], encrypted: true}\n"
                             "  - {from: chat_api, to: retriever, data: [conversations], encrypted: true}\n");
  auto findings = run_rule("SEC022", spec);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].pointer, "/components/llm");
  EXPECT_NE(findings[0].message.find("chat_api -> retriever -> llm ('chat_api' public)"), std::string::npos)
      << findings[0].message;
}

TEST(GraphRules, IndirectInjectionThroughAToolAndAChainOfModels) {
  auto findings = run_rule("SEC022", R"(mlarch: 1
system: {name: s}
components:
  browser: {kind: service, role: tool, reads: [web]}
  planner: {kind: model_server, model: llm}
  writer: {kind: model_server, model: llm}
  crawler: {kind: batch_job}
  guard: {kind: service, role: input_guardrail}
  summariser: {kind: model_server, model: llm}
models:
  llm: {architecture: {type: decoder_llm}}
datasets:
  web: {trust: untrusted}
  feeds: {trust: untrusted}
flows:
  - {from: planner, to: browser}
  - {from: browser, to: planner, data: [web]}
  - {from: planner, to: writer}
  - {from: crawler, to: guard, data: [feeds]}
  - {from: guard, to: summariser, data: [feeds]}
)");
  std::map<std::string, std::string> by_pointer;
  for (const auto& f : findings) by_pointer[f.pointer] = f.message;
  ASSERT_EQ(by_pointer.size(), 2u);
  EXPECT_NE(by_pointer["/components/planner"].find("browser -> planner ('browser' reads untrusted 'web')"),
            std::string::npos);
  EXPECT_NE(by_pointer["/components/writer"].find("browser -> planner -> writer"), std::string::npos);
}

TEST(GraphRules, UntrustedDataAppearingOnAFlowIsASource) {
  auto findings = run_rule("SEC022", R"(mlarch: 1
system: {name: s}
components:
  crawler: {kind: batch_job}
  llm: {kind: model_server, model: m}
models:
  m: {task: text_generation}
datasets:
  pages: {trust: untrusted}
flows:
  - {from: crawler, to: llm, data: [pages]}
)");
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_NE(findings[0].message.find("('crawler' brings in untrusted 'pages')"), std::string::npos);
}

// SEC023

TEST(GraphRules, SupportAssistantToolNeedsAGuardrailOnlyOnceItCanWrite) {
  std::string text = example("support-assistant");
  EXPECT_TRUE(run_rule("SEC023", text).empty());
  std::string writable = replace(text, "permissions: read_only", "permissions: read_write");
  auto findings = run_rule("SEC023", writable);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].pointer, "/flows/3");
  EXPECT_EQ(findings[0].message,
            "output of LLM server 'llm' reaches tool 'order_lookup' (permissions: read_write, no approval) without "
            "an output guardrail: llm -> order_lookup");
  std::string approved = replace(writable, "requires_approval: false", "requires_approval: true");
  EXPECT_TRUE(run_rule("SEC023", approved).empty());
  std::string unguarded = replace(text, "  - {from: llm, to: guard_out, data: [conversations], encrypted: true}\n",
                                  "  - {from: llm, to: chat_api, data: [conversations], encrypted: true}\n");
  findings = run_rule("SEC023", unguarded);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_NE(findings[0].message.find("reaches gateway 'chat_api'"), std::string::npos);
}

TEST(GraphRules, LlmOutputThroughAServiceStillNeedsAGuardrail) {
  auto findings = run_rule("SEC023", R"(mlarch: 1
system: {name: s}
components:
  llm: {kind: model_server, model: m}
  app: {kind: service}
  web: {kind: service, security: {public: true}}
  review: {kind: service, role: human_review}
  portal: {kind: gateway}
models:
  m: {task: text_generation}
flows:
  - {from: llm, to: app}
  - {from: app, to: web}
  - {from: llm, to: review}
  - {from: review, to: portal}
)");
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].pointer, "/flows/0");
  EXPECT_NE(findings[0].message.find("public component 'web'"), std::string::npos);
  EXPECT_NE(findings[0].message.find("llm -> app -> web"), std::string::npos);
}

// REL020

std::string chain(std::size_t n, const std::string& replicas) {
  std::string spec = "mlarch: 1\nsystem: {name: chain}\ncomponents:\n";
  for (std::size_t i = 0; i < n; ++i)
    spec += fmt::format("  c{}: {{kind: {}, replicas: {}}}\n", i, i + 1 == n ? "external" : "service", replicas);
  spec += "datasets:\n  people: {pii: [name]}\nflows:\n";
  for (std::size_t i = 0; i + 1 < n; ++i) spec += fmt::format("  - {{from: c{}, to: c{}, data: [people]}}\n", i, i + 1);
  spec += "workloads:\n  - name: w\n    arrival: {process: poisson, rate_rps: 1}\n    path: [";
  for (std::size_t i = 0; i < n; ++i) spec += fmt::format("{}c{}", i ? ", " : "", i);
  spec += "]\n";
  return spec;
}

TEST(GraphRules, ArticulationPointsOfAChain) {
  auto findings = run_rule("REL020", chain(5, "1"));
  ASSERT_EQ(findings.size(), 3u);  // c1, c2, c3; the ends are not articulation points
  EXPECT_EQ(findings[0].message,
            "component 'c1' is a single point of failure of the serving graph: every route between 'c0' and 'c2' "
            "passes through it, and it runs 1 replica");
  EXPECT_TRUE(run_rule("REL020", chain(5, "2")).empty());
}

TEST(GraphRules, ArticulationPointWithAnExternalDependency) {
  auto findings = run_rule("REL020", R"(mlarch: 1
system: {name: s}
components:
  a: {kind: service, replicas: 2}
  partner: {kind: external}
  b: {kind: service, replicas: 2}
  c: {kind: service, replicas: 2}
flows:
  - {from: a, to: partner}
  - {from: partner, to: b}
  - {from: b, to: c}
  - {from: c, to: b}
workloads:
  - {name: w, arrival: {process: poisson, rate_rps: 1}, path: [a, partner, b, c]}
)");
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].pointer, "/components/partner");
  EXPECT_NE(findings[0].message.find("external component 'partner'"), std::string::npos);
}

TEST(GraphRules, TenThousandComponentChain) {
  std::string spec = chain(10000, "1");
  auto findings = run(spec);
  std::map<std::string, int> per_rule;
  for (const auto& f : findings) ++per_rule[f.rule];
  EXPECT_EQ(per_rule["REL020"], 9998);  // c1..c9998: the ends of a chain are not articulation points
  EXPECT_EQ(per_rule["SEC020"], 1);
  EXPECT_EQ(per_rule["REL022"], 0);
  for (const auto& f : findings) {
    if (f.rule == "SEC020") {
      // The path is named by its ends: the message does not grow with the chain.
      EXPECT_NE(f.message.find(" more) -> "), std::string::npos) << f.message;
      EXPECT_LT(f.message.size(), 300u) << f.message;
    }
  }
}

// REL022

TEST(GraphRules, PathHopWithoutFlowOnTheFlawedDesign) {
  auto findings = run_rule("REL022", test::read_file(test::source_dir() / "tests/golden/flawed.yaml"));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].pointer, "/workloads/0/path/2");
  EXPECT_EQ(findings[0].message, "workload 'decisions' goes from 'scorer' to 'edge', but no flow leads from 'scorer' to 'edge'");
}

TEST(GraphRules, ParallelStepsNeedAFlowPerBranch) {
  auto findings = run_rule("REL022", R"(mlarch: 1
system: {name: s}
components:
  a: {kind: service}
  b: {kind: service}
  c: {kind: service}
  d: {kind: service}
  e: {kind: service}
flows:
  - {from: a, to: b}
  - {from: a, to: c}
  - {from: b, to: d}
  - {from: d, to: e}
workloads:
  - name: w
    arrival: {process: poisson, rate_rps: 1}
    path:
      - a
      - parallel: [b, c]
      - parallel: [d, e]
)");
  std::map<std::string, std::string> by_pointer;
  for (const auto& f : findings) by_pointer[f.pointer] = f.message;
  ASSERT_EQ(by_pointer.size(), 2u) << findings.size();
  // e is fed by neither b nor c; c feeds neither d nor e.
  EXPECT_EQ(by_pointer["/workloads/0/path/2/parallel/1"],
            "workload 'w' goes from 'b' or 'c' to 'e', but no flow leads from any of them to 'e'");
  EXPECT_EQ(by_pointer["/workloads/0/path/2"],
            "workload 'w' goes from 'c' to 'd' or 'e', but no flow leads from 'c' to any of them");
}

// BP020

TEST(GraphRules, ExamplesFeedbackLoopsAreFoundWithoutTheirMitigation) {
  for (const char* name : {"card-fraud", "medical-triage", "recommender"}) {
    std::string text = drop_block(example(name), "feedback_loop:");
    auto findings = run_rule("BP020", text);
    ASSERT_EQ(findings.size(), 1u) << name;
    EXPECT_NE(findings[0].message.find("dataset '"), std::string::npos) << findings[0].message;
  }
  auto findings = run_rule("BP020", drop_block(example("card-fraud"), "feedback_loop:"));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].message,
            "model 'fraud-mlp' trains on data its own predictions reach, with no feedback-loop mitigation: scorer -> "
            "case_review -> txn_lake -> dataset 'txn_history'");
}

// BP021

TEST(GraphRules, SkewWhenTrainingIgnoresTheServedFeatureTable) {
  std::string text = example("card-fraud");
  text = replace(text, "      datasets: [txn_history, fraud_labels]\n", "      datasets: [fraud_labels]\n");
  text = replace(text, "    reads: [txn_history, fraud_labels]\n", "    reads: [fraud_labels]\n");
  auto findings = run_rule("BP021", text);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].pointer, "/models/fraud-mlp/training/datasets");
  EXPECT_NE(findings[0].message.find("feature table 'txn_features' by feature store 'features'"), std::string::npos);
}

// BP022

TEST(GraphRules, ConsumerOnAnotherWorkloadsPathIsDeclared) {
  std::string spec = R"(mlarch: 1
system: {name: s}
components:
  edge: {kind: gateway}
  scorer: {kind: model_server}
  crm: {kind: service}
  trainer: {kind: training_pipeline}
flows:
  - {from: edge, to: scorer}
  - {from: scorer, to: crm}
  - {from: scorer, to: trainer}
workloads:
  - {name: a, arrival: {process: poisson, rate_rps: 1}, path: [edge, scorer]}
  - {name: b, arrival: {process: poisson, rate_rps: 1}, path: [crm]}
)";
  auto findings = run_rule("BP022", spec);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].message,
            "training pipeline 'trainer' consumes the predictions of model server 'scorer' outside every declared "
            "workload");
  EXPECT_EQ(findings[0].pointer, "/flows/2/to");
}

// Personal-data reachability beyond SEC020: SEC030, SEC031, ETH030

const std::set<std::string> kPersonalDataRules = {"SEC030", "SEC031", "ETH030"};

std::map<std::string, std::string> by_pointer(const std::vector<Finding>& findings) {
  std::map<std::string, std::string> out;
  for (const auto& f : findings) {
    EXPECT_FALSE(out.count(f.pointer)) << "two findings at " << f.pointer;
    out[f.pointer] = f.message;
  }
  return out;
}

TEST(GraphRules, NoPersonalDataReachabilityFindingOnTheExamples) {
  for (const char* name : {"card-fraud", "medical-triage", "recommender", "support-assistant"})
    for (const auto& f : run(example(name), kPersonalDataRules))
      ADD_FAILURE() << name << ": " << f.rule << " " << f.message;
}

// SEC030

TEST(GraphRules, UnencryptedFlowOfADerivedDatasetShowsDerivationAndPath) {
  auto findings = run_rule("SEC030", R"(mlarch: 1
system: {name: s}
components:
  crm: {kind: database, reads: [customers]}
  etl: {kind: batch_job}
  segmenter: {kind: service}
  dashboard: {kind: service}
datasets:
  customers: {pii: [email]}
  cleaned: {derived_from: [customers]}
  segments: {derived_from: [cleaned]}
  counts: {derived_from: [segments], pii: []}
flows:
  - {from: crm, to: etl, data: [customers], encrypted: true}
  - {from: etl, to: segmenter, data: [cleaned], encrypted: true}
  - {from: segmenter, to: dashboard, data: [segments, counts]}
  - {from: segmenter, to: dashboard, data: [counts]}
)");
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].pointer, "/flows/2/encrypted");
  EXPECT_EQ(findings[0].message,
            "flow 'segmenter->dashboard' carries personal data without encryption: 'segments' inherits it through "
            "derived_from (customers -> cleaned -> segments); path: crm -> etl -> segmenter -> dashboard");
}

TEST(GraphRules, UnencryptedFlowIsReportedBySec004OrSec030NeverBoth) {
  std::string spec = R"(mlarch: 1
system: {name: s}
components:
  a: {kind: service, writes: [raw]}
  b: {kind: service}
  c: {kind: service}
datasets:
  raw: {pii: [name]}
  derived: {derived_from: [raw]}
  other: {derived_from: [raw]}
  tagged: {derived_from: [raw], sensitive_attributes: [health]}
flows:
  - {from: a, to: b, data: [raw, derived]}
  - {from: b, to: c, data: [derived, other]}
  - {from: a, to: c, data: [tagged]}
)";
  auto findings = run(spec, {"SEC004", "SEC030"});
  std::map<std::string, std::string> rule_at;
  for (const auto& f : findings) {
    EXPECT_FALSE(rule_at.count(f.pointer)) << f.pointer;
    rule_at[f.pointer] = f.rule;
  }
  ASSERT_EQ(rule_at.size(), 3u);
  EXPECT_EQ(rule_at["/flows/0/encrypted"], "SEC004");  // lists the declared dataset itself
  EXPECT_EQ(rule_at["/flows/1/encrypted"], "SEC030");
  EXPECT_EQ(rule_at["/flows/2/encrypted"], "SEC004");  // `tagged` declares its own personal data
  for (const auto& f : findings) {
    if (f.rule != "SEC030") continue;
    EXPECT_EQ(f.message,
              "flow 'b->c' carries personal data without encryption: 'derived' and 'other' inherit it through "
              "derived_from (raw -> derived; raw -> other); path: a -> b -> c");
  }
}

// SEC031

TEST(GraphRules, UnauthenticatedPublicEndpointReceivingOrReadingPersonalData) {
  auto findings = run_rule("SEC031", R"(mlarch: 1
system: {name: s}
components:
  db: {kind: database, reads: [orders]}
  tracker: {kind: service}
  status: {kind: service, security: {public: true}}
  export: {kind: service, reads: [orders], security: {public: true, authn: none}}
  both: {kind: gateway, reads: [orders], security: {public: true}}
  safe: {kind: service, security: {public: true, authn: oauth2}}
  private: {kind: service}
  intake: {kind: gateway, security: {public: true}}
  partner: {kind: external, security: {public: true}}
  feed: {kind: service, security: {public: true}}
datasets:
  orders: {pii: [email]}
  status_rows: {derived_from: [orders]}
  delays: {derived_from: [orders], pii: []}
flows:
  - {from: intake, to: db, data: [orders]}
  - {from: db, to: tracker, data: [orders]}
  - {from: tracker, to: status, data: [status_rows]}
  - {from: tracker, to: both, data: [status_rows, orders]}
  - {from: tracker, to: safe, data: [orders]}
  - {from: tracker, to: private, data: [orders]}
  - {from: tracker, to: partner, data: [orders]}
  - {from: tracker, to: feed, data: [delays]}
)");
  auto messages = by_pointer(findings);
  ASSERT_EQ(messages.size(), 3u);
  EXPECT_EQ(messages["/components/status"],
            "service 'status' is public and does not authenticate its callers, yet it receives personal data "
            "('status_rows'): db -> tracker -> status");
  EXPECT_EQ(messages["/components/export"],
            "service 'export' is public and does not authenticate its callers, yet it reads personal data ('orders')");
  EXPECT_EQ(messages["/components/both"],
            "gateway 'both' is public and does not authenticate its callers, yet it reads personal data ('orders') "
            "and receives personal data ('status_rows' and 'orders'): db -> tracker -> both");
}

// ETH030

TEST(GraphRules, CrossRegionTransferIsReportedWhereTheDataCrosses) {
  auto findings = run_rule("ETH030", R"(mlarch: 1
system: {name: s}
components:
  crm: {kind: database, zone: eu-west-1a, reads: [customers]}
  etl: {kind: batch_job, zone: europe-west4-b}
  trainer: {kind: training_pipeline, zone: us-east-1a}
  evaluator: {kind: batch_job, zone: us-central1-a}
  back_home: {kind: service, zone: eu-central-1a}
  archive: {kind: batch_job, zone: ap-southeast-1a}
  onprem: {kind: service, zone: rack-7}
  london: {kind: service, zone: eu-west-2b, reads: [customers]}
  zurich: {kind: service, zone: europe-west6-a}
datasets:
  customers: {pii: [email], region: EU}
  training_set: {derived_from: [customers]}
  stats: {derived_from: [training_set], pii: []}
flows:
  - {from: crm, to: etl, data: [customers]}
  - {from: etl, to: trainer, data: [training_set]}
  - {from: trainer, to: evaluator, data: [training_set]}
  - {from: evaluator, to: back_home, data: [training_set]}
  - {from: back_home, to: archive, data: [training_set]}
  - {from: etl, to: onprem, data: [customers]}
  - {from: onprem, to: archive, data: [customers]}
  - {from: etl, to: archive, data: [stats]}
  - {from: crm, to: london, data: [customers]}
  - {from: crm, to: zurich, data: [customers]}
)");
  auto messages = by_pointer(findings);
  ASSERT_EQ(messages.size(), 4u) << findings.size();
  EXPECT_EQ(messages["/flows/1/to"],
            "personal data of dataset 'customers' (region 'EU', no transfer_basis) reaches training pipeline 'trainer' "
            "in zone 'us-east-1a' (region 'us') as 'training_set' (customers -> training_set): crm -> etl -> trainer");
  // The first flow into 'archive' (from a component in the EU) is the crossing; the later ones are not reported.
  EXPECT_EQ(messages["/flows/4/to"],
            "personal data of dataset 'customers' (region 'EU', no transfer_basis) reaches batch job 'archive' in zone "
            "'ap-southeast-1a' (region 'ap') as 'training_set' (customers -> training_set): crm -> etl -> trainer -> "
            "evaluator -> back_home -> archive");
  // 'london' both reads the data and receives it: one finding, at the flow.
  EXPECT_NE(messages["/flows/8/to"].find("service 'london' in zone 'eu-west-2b' (region 'uk')"), std::string::npos);
  EXPECT_NE(messages["/flows/9/to"].find("service 'zurich' in zone 'europe-west6-a' (region 'ch')"),
            std::string::npos);
}

TEST(GraphRules, CrossRegionTransferBasisAndDatasetRegions) {
  std::string spec = R"(mlarch: 1
system: {name: s}
components:
  lake: {kind: object_store, zone: eu-west-1a, reads: [events]}
  reporting: {kind: service, zone: us-east-1a, reads: [events]}
  partner_copy: {kind: batch_job, zone: eu-west-1a}
datasets:
  events: {pii: [user_id], region: eu-west-1, TRANSFER}
  us_events: {derived_from: [events], region: us}
  eu_events: {derived_from: [events], region: europe}
  jp_events: {derived_from: [events], region: jp}
  us_counts: {derived_from: [events], region: us, pii: []}
flows:
  - {from: lake, to: partner_copy, data: [events]}
)";
  auto findings = run_rule("ETH030", replace(spec, ", TRANSFER", ""));
  auto messages = by_pointer(findings);
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages["/datasets/us_events/region"],
            "personal data of dataset 'events' (region 'eu-west-1', no transfer_basis) is copied into dataset "
            "'us_events' in region 'us': events -> us_events");
  EXPECT_EQ(messages["/components/reporting/reads/0"],
            "personal data of dataset 'events' (region 'eu-west-1', no transfer_basis) is read by service 'reporting' "
            "in zone 'us-east-1a' (region 'us')");
  findings = run_rule("ETH030", replace(spec, "TRANSFER", "transfer_basis: none"));
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_NE(findings[0].message.find("(region 'eu-west-1', transfer_basis: none)"), std::string::npos);
  EXPECT_TRUE(run_rule("ETH030", replace(spec, "TRANSFER", "transfer_basis: scc")).empty());
}

TEST(GraphRules, CardFraudTrainingMovedToTheUs) {
  std::string text = replace(example("card-fraud"), "    schedule: weekly\n    reads: [txn_history, fraud_labels]\n",
                             "    schedule: weekly\n    zone: us-east-1a\n    reads: [txn_history, fraud_labels]\n");
  auto messages = by_pointer(run_rule("ETH030", text));
  ASSERT_EQ(messages.size(), 1u);  // both datasets cross on the same flow, and the trainer reads them: one finding
  EXPECT_EQ(messages.begin()->first, "/flows/14/to");
  EXPECT_EQ(messages.begin()->second,
            "personal data of dataset 'fraud_labels' (region 'eu', no transfer_basis), and of 'txn_history' (region "
            "'eu', no transfer_basis), reaches training pipeline 'trainer' in zone 'us-east-1a' (region 'us'): "
            "txn_lake -> trainer");
}

// The three rules on a 10,000-component chain: one derived dataset flows encrypted along it, the
// last hop is unencrypted into a public, unauthenticated component in another region.
TEST(GraphRules, TenThousandComponentPersonalDataChain) {
  const std::size_t n = 10000;
  std::string spec = "mlarch: 1\nsystem: {name: chain}\ncomponents:\n";
  spec += "  c0: {kind: database, zone: eu-west-1a, reads: [people]}\n";
  for (std::size_t i = 1; i + 1 < n; ++i) spec += fmt::format("  c{}: {{kind: service, zone: eu-west-1b}}\n", i);
  spec += fmt::format("  c{}: {{kind: service, zone: us-east-1a, security: {{public: true}}}}\n", n - 1);
  spec += "datasets:\n  people: {pii: [name], region: eu}\n  profiles: {derived_from: [people]}\nflows:\n";
  for (std::size_t i = 0; i + 1 < n; ++i)
    spec += fmt::format("  - {{from: c{}, to: c{}, data: [profiles]{}}}\n", i, i + 1,
                        i + 2 == n ? "" : ", encrypted: true");
  auto findings = run(spec, kPersonalDataRules);
  std::map<std::string, int> per_rule;
  for (const auto& f : findings) {
    ++per_rule[f.rule];
    EXPECT_NE(f.message.find(" more) -> "), std::string::npos) << f.rule << ": " << f.message;
    EXPECT_LT(f.message.size(), 300u) << f.rule << ": the path is named by its ends";
  }
  EXPECT_EQ(per_rule["SEC030"], 1);
  EXPECT_EQ(per_rule["SEC031"], 1);
  EXPECT_EQ(per_rule["ETH030"], 1);
}

}  // namespace
}  // namespace mlarch
