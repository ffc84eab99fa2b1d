// build_system: typed model from a validated document, with every reference resolved.
#include "mlarch/analyzer/model.hpp"

#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "mlarch/analyzer/hardware.hpp"
#include "mlarch/analyzer/suggest.hpp"

namespace mlarch {

namespace {

constexpr std::array kComponentKinds = {
    std::pair{ComponentKind::gateway, "gateway"},
    std::pair{ComponentKind::load_balancer, "load_balancer"},
    std::pair{ComponentKind::service, "service"},
    std::pair{ComponentKind::feature_store, "feature_store"},
    std::pair{ComponentKind::model_server, "model_server"},
    std::pair{ComponentKind::cache, "cache"},
    std::pair{ComponentKind::database, "database"},
    std::pair{ComponentKind::object_store, "object_store"},
    std::pair{ComponentKind::vector_store, "vector_store"},
    std::pair{ComponentKind::queue, "queue"},
    std::pair{ComponentKind::stream, "stream"},
    std::pair{ComponentKind::batch_job, "batch_job"},
    std::pair{ComponentKind::training_pipeline, "training_pipeline"},
    std::pair{ComponentKind::model_registry, "model_registry"},
    std::pair{ComponentKind::monitoring, "monitoring"},
    std::pair{ComponentKind::external, "external"},
};

template <class T>
std::optional<T> opt(const Json& obj, const char* key) {
  if (!obj.is_object()) return std::nullopt;
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return std::nullopt;
  return it->get<T>();
}

template <class T>
T get_or(const Json& obj, const char* key, T fallback) {
  return opt<T>(obj, key).value_or(fallback);
}

const Json& child(const Json& obj, const char* key) {
  static const Json empty = Json::object();
  if (!obj.is_object()) return empty;
  auto it = obj.find(key);
  return it == obj.end() ? empty : *it;
}

std::vector<std::string> strings(const Json& obj, const char* key) {
  std::vector<std::string> out;
  const Json& list = child(obj, key);
  if (list.is_array())
    for (const auto& v : list)
      if (v.is_string()) out.push_back(v.get<std::string>());
  return out;
}

Distribution read_distribution(const Json& j) {
  Distribution d;
  d.dist = get_or<std::string>(j, "dist", "");
  d.mean_ms = opt<double>(j, "mean_ms");
  d.p99_ms = opt<double>(j, "p99_ms");
  d.cv = opt<double>(j, "cv");
  d.file = get_or<std::string>(j, "file", "");
  return d;
}

// Resolves references and collects an error, with a suggestion, for each one that fails.
class Resolver {
 public:
  explicit Resolver(const Document& doc) : doc_(doc) {}

  template <class Map>
  bool check(const Map& index, const std::string& id, const std::string& pointer, std::string_view what,
             std::string_view section) {
    if (index.count(id)) return true;
    std::vector<std::string> candidates;
    candidates.reserve(index.size());
    for (const auto& [k, v] : index) candidates.push_back(k);
    std::sort(candidates.begin(), candidates.end());
    std::string suggestion = did_you_mean(id, candidates);
    std::string help = suggestion.empty()
                           ? fmt::format("declare '{}' under `{}`, or refer to one that exists", id, section)
                           : fmt::format("did you mean '{}'?", *closest_match(id, candidates));
    Finding f = input_error(kErrReference, doc_.path(), doc_.value_position(pointer),
                            fmt::format("unknown {} '{}' in {}{}", what, id, element_at(doc_, pointer).describe(),
                                        suggestion),
                            help);
    f.pointer = pointer;
    f.element = element_at(doc_, pointer).id;
    errors.push_back(std::move(f));
    return false;
  }

  template <class Map>
  void check_list(const Map& index, const Json& obj, const char* key, const std::string& base, std::string_view what,
                  std::string_view section) {
    const Json& list = child(obj, key);
    if (!list.is_array()) return;
    for (std::size_t i = 0; i < list.size(); ++i)
      if (list[i].is_string())
        check(index, list[i].get<std::string>(), pointer_append(pointer_append(base, key), i), what, section);
  }

  std::vector<Finding> errors;

 private:
  const Document& doc_;
};

}  // namespace

std::string_view to_string(ComponentKind k) {
  for (const auto& [kind, name] : kComponentKinds)
    if (kind == k) return name;
  return "service";
}

std::string_view to_string(RiskTier t) {
  switch (t) {
    case RiskTier::minimal: return "minimal";
    case RiskTier::limited: return "limited";
    case RiskTier::high: return "high";
    case RiskTier::unacceptable: return "unacceptable";
  }
  return "minimal";
}

std::map<std::size_t, int> Workload::visits() const {
  std::map<std::size_t, int> out;
  for (const auto& step : path)
    for (const auto& branch : step.branches)
      for (std::size_t c : branch) ++out[c];
  return out;
}

const Component* System::component(std::string_view id) const {
  auto it = component_index.find(std::string(id));
  return it == component_index.end() ? nullptr : &components[it->second];
}
const Model* System::model(std::string_view id) const {
  auto it = model_index.find(std::string(id));
  return it == model_index.end() ? nullptr : &models[it->second];
}
const Dataset* System::dataset(std::string_view id) const {
  auto it = dataset_index.find(std::string(id));
  return it == dataset_index.end() ? nullptr : &datasets[it->second];
}

RiskAssessment assess_risk(const Json& use_case) {
  RiskAssessment r;
  if (auto declared = opt<std::string>(use_case, "risk_tier")) {
    r.declared = true;
    if (*declared == "unacceptable") r.tier = RiskTier::unacceptable;
    else if (*declared == "high") r.tier = RiskTier::high;
    else if (*declared == "limited") r.tier = RiskTier::limited;
    else r.tier = RiskTier::minimal;
    r.reason = "declared in system.use_case.risk_tier";
    return r;
  }
  // EU AI Act Annex III areas in which systems that decide about people are high-risk.
  static const std::vector<std::string> annex3 = {"hiring", "education", "credit", "insurance", "law_enforcement",
                                                  "critical_infrastructure", "biometrics", "migration", "justice",
                                                  "healthcare", "finance"};
  std::string domain = get_or<std::string>(use_case, "domain", "other");
  bool about_people = get_or<bool>(use_case, "decisions_about_people", false);
  bool user_facing = get_or<bool>(use_case, "user_facing", false) || get_or<bool>(use_case, "generative", false);
  if (about_people && std::find(annex3.begin(), annex3.end(), domain) != annex3.end()) {
    r.tier = RiskTier::high;
    r.reason = fmt::format("inferred: domain '{}' with decisions about people is an EU AI Act Annex III area", domain);
  } else if (user_facing) {
    r.tier = RiskTier::limited;
    r.reason = "inferred: people interact with the system or receive generated content (EU AI Act Art. 50 duties)";
  } else if (about_people) {
    r.tier = RiskTier::limited;
    r.reason = fmt::format("inferred: decisions about people in domain '{}', which is not an Annex III area", domain);
  } else {
    r.tier = RiskTier::minimal;
    r.reason = "inferred: no decisions about people and no direct interaction";
  }
  return r;
}

BuildResult build_system(const Document& doc) {
  BuildResult result;
  System sys;
  sys.document = &doc;
  const Json& root = doc.root;
  sys.name = get_or<std::string>(child(root, "system"), "name", "");
  sys.risk = assess_risk(child(child(root, "system"), "use_case"));
  sys.compile_commands = get_or<std::string>(child(root, "code"), "compile_commands", "");

  const Json& components = child(root, "components");
  sys.components.reserve(components.size());
  for (auto it = components.begin(); it != components.end(); ++it) {
    const Json& j = it.value();
    Component c;
    c.id = it.key();
    c.pointer = pointer_append("/components", it.key());
    c.raw = &j;
    std::string kind = get_or<std::string>(j, "kind", "service");
    for (const auto& [k, name] : kComponentKinds)
      if (kind == name) c.kind = k;
    c.model = get_or<std::string>(j, "model", "");
    c.instance = get_or<std::string>(j, "instance", "");
    const Json& replicas = child(j, "replicas");
    c.replicas_declared = j.contains("replicas");
    if (replicas.is_number_integer()) {
      c.replicas.count = c.replicas.max = replicas.get<int>();
    } else if (c.replicas_declared && replicas.is_object()) {
      c.replicas.autoscaled = true;
      c.replicas.count = get_or<int>(replicas, "min", 1);
      c.replicas.max = get_or<int>(replicas, "max", c.replicas.count);
      c.replicas.target_utilization = get_or<double>(replicas, "target_utilization", 0.7);
      c.replicas.scale_up_delay_s = get_or<double>(replicas, "scale_up_delay_s", 0);
      c.replicas.scale_down_delay_s = get_or<double>(replicas, "scale_down_delay_s", 300);
      c.replicas.cold_start_s = get_or<double>(replicas, "cold_start_s", 0);
    }
    c.concurrency = get_or<int>(j, "concurrency", 1);
    const Json& st = child(j, "service_time");
    c.service_time_declared = j.contains("service_time");
    if (st.is_string()) c.service_time.from_model = true;
    else if (c.service_time_declared && st.is_object()) c.service_time.dist = read_distribution(st);
    c.queue_limit = opt<int>(j, "queue_limit");
    c.timeout_ms = opt<double>(j, "timeout_ms");
    c.zone = get_or<std::string>(j, "zone", "");
    const Json& sec = child(j, "security");
    c.security.is_public = get_or<bool>(sec, "public", false);
    c.security.tls = get_or<bool>(sec, "tls", false);
    c.security.waf = get_or<bool>(sec, "waf", false);
    c.security.network_isolation = get_or<bool>(sec, "network_isolation", false);
    c.security.authn = get_or<std::string>(sec, "authn", "none");
    c.security.authz = get_or<std::string>(sec, "authz", "none");
    c.security.rate_limit_rps = opt<double>(sec, "rate_limit_rps");
    c.cache_hit_ratio = opt<double>(child(j, "cache"), "hit_ratio");
    c.cache_hit_time_ms = opt<double>(child(j, "cache"), "hit_time_ms");
    c.max_batch = opt<int>(child(j, "batching"), "max_batch");
    c.max_wait_ms = opt<double>(child(j, "batching"), "max_wait_ms");
    c.batching_mode = get_or<std::string>(child(j, "batching"), "mode", j.contains("batching") ? "dynamic" : "");
    c.role = get_or<std::string>(j, "role", "");
    c.reads = strings(j, "reads");
    c.writes = strings(j, "writes");
    c.tools = strings(j, "tools");
    c.code_paths = strings(child(j, "code"), "paths");
    c.pii_redaction = get_or<bool>(child(j, "logging"), "pii_redaction", false);
    sys.component_index.emplace(c.id, sys.components.size());
    sys.components.push_back(std::move(c));
  }

  const Json& models = child(root, "models");
  for (auto it = models.begin(); it != models.end(); ++it) {
    const Json& j = it.value();
    Model m;
    m.id = it.key();
    m.pointer = pointer_append("/models", it.key());
    m.raw = &j;
    m.task = get_or<std::string>(j, "task", "");
    m.architecture_type = get_or<std::string>(child(j, "architecture"), "type", "");
    m.registry = get_or<std::string>(j, "registry", "");
    m.training_pipeline = get_or<std::string>(child(j, "training"), "pipeline", "");
    m.training_datasets = strings(child(j, "training"), "datasets");
    m.monitoring_component = get_or<std::string>(child(j, "monitoring"), "component", "");
    sys.model_index.emplace(m.id, sys.models.size());
    sys.models.push_back(std::move(m));
  }

  const Json& datasets = child(root, "datasets");
  for (auto it = datasets.begin(); it != datasets.end(); ++it) {
    const Json& j = it.value();
    Dataset d;
    d.id = it.key();
    d.pointer = pointer_append("/datasets", it.key());
    d.raw = &j;
    d.pii = strings(j, "pii");
    d.sensitive_attributes = strings(j, "sensitive_attributes");
    d.derived_from = strings(j, "derived_from");
    d.encrypted_at_rest = get_or<bool>(child(j, "encryption"), "at_rest", false);
    d.encrypted_in_transit = get_or<bool>(child(j, "encryption"), "in_transit", false);
    d.region = get_or<std::string>(j, "region", "");
    d.legal_basis = get_or<std::string>(j, "legal_basis", "");
    d.transfer_basis = get_or<std::string>(j, "transfer_basis", "");
    d.trust = get_or<std::string>(j, "trust", "internal");
    sys.dataset_index.emplace(d.id, sys.datasets.size());
    sys.datasets.push_back(std::move(d));
  }

  Resolver resolve(doc);
  // Instance types are the spec's `hardware` keys and the built-in catalog's.
  std::unordered_map<std::string, std::size_t> instance_index;
  for (auto& name : instance_type_names(root)) instance_index.emplace(std::move(name), instance_index.size());
  for (const auto& c : sys.components) {
    const Json& j = *c.raw;
    if (j.contains("model")) resolve.check(sys.model_index, c.model, c.pointer + "/model", "model", "models");
    if (!c.instance.empty())
      resolve.check(instance_index, c.instance, c.pointer + "/instance", "instance type", "hardware");
    resolve.check_list(sys.dataset_index, j, "reads", c.pointer, "dataset", "datasets");
    resolve.check_list(sys.dataset_index, j, "writes", c.pointer, "dataset", "datasets");
    resolve.check_list(sys.component_index, j, "tools", c.pointer, "component", "components");
  }
  for (const auto& m : sys.models) {
    const Json& j = *m.raw;
    if (!m.registry.empty()) resolve.check(sys.component_index, m.registry, m.pointer + "/registry", "component", "components");
    if (!m.training_pipeline.empty())
      resolve.check(sys.component_index, m.training_pipeline, m.pointer + "/training/pipeline", "component", "components");
    resolve.check_list(sys.dataset_index, child(j, "training"), "datasets", m.pointer + "/training", "dataset", "datasets");
    if (!m.monitoring_component.empty())
      resolve.check(sys.component_index, m.monitoring_component, m.pointer + "/monitoring/component", "component",
                    "components");
  }
  for (const auto& d : sys.datasets)
    resolve.check_list(sys.dataset_index, *d.raw, "derived_from", d.pointer, "dataset", "datasets");

  const Json& flows = child(root, "flows");
  for (std::size_t i = 0; i < flows.size(); ++i) {
    const Json& j = flows[i];
    Flow f;
    f.index = sys.flows.size();
    f.pointer = pointer_append("/flows", i);
    std::string from = get_or<std::string>(j, "from", ""), to = get_or<std::string>(j, "to", "");
    f.id = from + "->" + to;
    bool ok = resolve.check(sys.component_index, from, f.pointer + "/from", "component", "components");
    ok = resolve.check(sys.component_index, to, f.pointer + "/to", "component", "components") && ok;
    resolve.check_list(sys.dataset_index, j, "data", f.pointer, "dataset", "datasets");
    if (!ok) continue;
    f.from = sys.component_index.at(from);
    f.to = sys.component_index.at(to);
    f.data = strings(j, "data");
    f.encrypted = get_or<bool>(j, "encrypted", false);
    f.latency_ms = opt<double>(j, "latency_ms");
    sys.flows.push_back(std::move(f));
  }

  const Json& workloads = child(root, "workloads");
  for (std::size_t i = 0; i < workloads.size(); ++i) {
    const Json& j = workloads[i];
    Workload w;
    w.pointer = pointer_append("/workloads", i);
    w.raw = &j;
    w.name = get_or<std::string>(j, "name", "");
    if (sys.workload_index.count(w.name)) {
      Finding f = input_error(kErrReference, doc.path(), doc.value_position(w.pointer + "/name"),
                              fmt::format("duplicate workload name '{}'", w.name), "give each workload its own name");
      f.pointer = w.pointer + "/name";
      f.element = w.name;
      resolve.errors.push_back(std::move(f));
    }
    if (auto entry = opt<std::string>(j, "entry")) {
      if (resolve.check(sys.component_index, *entry, w.pointer + "/entry", "component", "components"))
        w.entry = sys.component_index.at(*entry);
    }
    const Json& arrival = child(j, "arrival");
    w.process = get_or<std::string>(arrival, "process", "poisson");
    w.rate_rps = get_or<double>(arrival, "rate_rps", 0.0);
    w.peak_to_mean = get_or<double>(child(j, "profile"), "peak_to_mean", 1.0);
    const Json& path = child(j, "path");
    for (std::size_t s = 0; s < path.size(); ++s) {
      PathStep step;
      step.pointer = pointer_append(w.pointer + "/path", s);
      auto resolve_id = [&](const Json& id, const std::string& pointer, std::vector<std::size_t>& branch) {
        if (id.is_string() && resolve.check(sys.component_index, id.get<std::string>(), pointer, "component", "components"))
          branch.push_back(sys.component_index.at(id.get<std::string>()));
      };
      if (path[s].is_string()) {
        step.branches.emplace_back();
        resolve_id(path[s], step.pointer, step.branches.back());
      } else {
        const Json& branches = child(path[s], "parallel");
        for (std::size_t b = 0; b < branches.size(); ++b) {
          std::string bp = pointer_append(step.pointer + "/parallel", b);
          step.branches.emplace_back();
          if (branches[b].is_array()) {
            for (std::size_t k = 0; k < branches[b].size(); ++k)
              resolve_id(branches[b][k], pointer_append(bp, k), step.branches.back());
          } else {
            resolve_id(branches[b], bp, step.branches.back());
          }
        }
      }
      w.path.push_back(std::move(step));
    }
    sys.workload_index.emplace(w.name, sys.workloads.size());
    sys.workloads.push_back(std::move(w));
  }

  const Json& slos = child(root, "slos");
  for (std::size_t i = 0; i < slos.size(); ++i) {
    const Json& j = slos[i];
    Slo s;
    s.pointer = pointer_append("/slos", i);
    s.workload = get_or<std::string>(j, "workload", "");
    resolve.check(sys.workload_index, s.workload, s.pointer + "/workload", "workload", "workloads");
    s.latency_p50_ms = opt<double>(j, "latency_p50_ms");
    s.latency_p95_ms = opt<double>(j, "latency_p95_ms");
    s.latency_p99_ms = opt<double>(j, "latency_p99_ms");
    s.availability = opt<double>(j, "availability");
    sys.slos.push_back(std::move(s));
  }

  const Json& network = child(root, "network");
  sys.network.inter_zone_latency_ms = get_or<double>(network, "inter_zone_latency_ms", 0.0);
  const Json& links = child(network, "links");
  for (const auto& link : links) {
    const Json& zones = child(link, "zones");
    if (zones.size() != 2) continue;
    double ms = get_or<double>(link, "latency_ms", 0.0);
    sys.network.links[{zones[0].get<std::string>(), zones[1].get<std::string>()}] = ms;
    sys.network.links[{zones[1].get<std::string>(), zones[0].get<std::string>()}] = ms;
  }

  result.errors = std::move(resolve.errors);
  if (result.errors.empty()) result.system = std::move(sys);
  return result;
}

double Network::between(const std::string& a, const std::string& b) const {
  if (a.empty() || b.empty() || a == b) return 0;
  auto it = links.find({a, b});
  return it != links.end() ? it->second : inter_zone_latency_ms;
}

}  // namespace mlarch
