// The typed model of a system, built once from a validated Document and consumed by every later
// stage (rules, simulator, reports). Every element remembers its JSON pointer, so any stage can
// point at the exact place in the source file.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "mlarch/analyzer/document.hpp"

namespace mlarch {

enum class ComponentKind {
  gateway, load_balancer, service, feature_store, model_server, cache, database, object_store, vector_store,
  queue, stream, batch_job, training_pipeline, model_registry, monitoring, external
};
std::string_view to_string(ComponentKind k);

enum class RiskTier { minimal, limited, high, unacceptable };
std::string_view to_string(RiskTier t);

struct Distribution {
  std::string dist;  // constant|exponential|lognormal|gamma|empirical
  std::optional<double> mean_ms, p99_ms, cv;
  std::string file;
};

struct ServiceTime {
  bool from_model = false;           // `service_time: model`
  std::optional<Distribution> dist;  // when declared
};

struct Replicas {
  bool autoscaled = false;
  int count = 1;  // fixed count, or the autoscaling minimum
  int max = 1;
  double target_utilization = 0.7;
  double scale_up_delay_s = 0, scale_down_delay_s = 300, cold_start_s = 0;
};

struct Security {
  bool is_public = false, tls = false, waf = false, network_isolation = false;
  std::string authn = "none", authz = "none";
  std::optional<double> rate_limit_rps;
};

struct Component {
  std::string id;
  std::string pointer;
  ComponentKind kind = ComponentKind::service;
  std::string model;     // served model id (model_server), resolved
  std::string instance;
  bool replicas_declared = false;
  Replicas replicas;
  int concurrency = 1;
  bool service_time_declared = false;
  ServiceTime service_time;
  std::optional<int> queue_limit;
  std::optional<double> timeout_ms;
  std::string zone;
  Security security;
  std::optional<double> cache_hit_ratio, cache_hit_time_ms;
  std::optional<int> max_batch;
  std::optional<double> max_wait_ms;
  std::string batching_mode;
  std::string role;  // input_guardrail|output_guardrail|tool|human_review
  std::vector<std::string> reads, writes, tools;  // dataset ids; component ids for tools
  std::vector<std::string> code_paths;  // `code.paths`: globs relative to the spec
  bool pii_redaction = false;           // `logging.pii_redaction`
  const Json* raw = nullptr;
};

struct Model {
  std::string id;
  std::string pointer;
  std::string task;
  std::string architecture_type;
  std::string registry, training_pipeline, monitoring_component;
  std::vector<std::string> training_datasets;
  const Json* raw = nullptr;
};

struct Dataset {
  std::string id;
  std::string pointer;
  std::vector<std::string> pii, sensitive_attributes, derived_from;
  bool encrypted_at_rest = false, encrypted_in_transit = false;
  std::string region, legal_basis, transfer_basis, trust;
  const Json* raw = nullptr;
  bool has_personal_data() const { return !pii.empty() || !sensitive_attributes.empty(); }
};

struct Flow {
  std::size_t index = 0;
  std::string pointer;
  std::string id;  // "from->to"
  std::size_t from = 0, to = 0;  // component indices
  std::vector<std::string> data;
  bool encrypted = false;
  std::optional<double> latency_ms;
};

// One step of a workload's path: a single component, or parallel branches that each run a
// sequence of components.
struct PathStep {
  std::string pointer;
  std::vector<std::vector<std::size_t>> branches;  // one branch of one component for a plain step
  bool parallel() const { return branches.size() > 1; }
};

struct Workload {
  std::string name;
  std::string pointer;
  std::optional<std::size_t> entry;
  std::string process;
  double rate_rps = 0;
  double peak_to_mean = 1;
  std::vector<PathStep> path;
  const Json* raw = nullptr;
  // How many times each component is visited by one request (parallel branches all count).
  std::map<std::size_t, int> visits() const;
};

struct Slo {
  std::string pointer;
  std::string workload;
  std::optional<double> latency_p50_ms, latency_p95_ms, latency_p99_ms, availability;
};

struct RiskAssessment {
  RiskTier tier = RiskTier::minimal;
  bool declared = false;
  std::string reason;  // how it was inferred, when it was
};

// One-way network latency between zones (`network`), for hops between components.
struct Network {
  double inter_zone_latency_ms = 0;
  std::map<std::pair<std::string, std::string>, double> links;  // both orders of each pair
  // The latency between two zones: 0 within a zone or when either is unknown.
  double between(const std::string& a, const std::string& b) const;
};

class SystemGraph;

struct System {
  const Document* document = nullptr;
  std::string name;
  RiskAssessment risk;
  std::string compile_commands;  // `code.compile_commands`, relative to the spec; empty when not declared
  std::vector<Component> components;
  std::vector<Model> models;
  std::vector<Dataset> datasets;
  std::vector<Flow> flows;
  std::vector<Workload> workloads;
  std::vector<Slo> slos;
  Network network;
  std::unordered_map<std::string, std::size_t> component_index, model_index, dataset_index, workload_index;

  const Component* component(std::string_view id) const;
  const Model* model(std::string_view id) const;
  const Dataset* dataset(std::string_view id) const;
};

struct BuildResult {
  std::optional<System> system;
  std::vector<Finding> errors;  // unresolved references and other semantic input errors
};

// Builds the typed model from a document that passed schema validation. The document must
// outlive the System (elements keep pointers into it).
BuildResult build_system(const Document& doc);

// The EU AI Act style risk tier: declared, or inferred from the domain and whether decisions
// affect people (Annex III).
RiskAssessment assess_risk(const Json& use_case);

}  // namespace mlarch
