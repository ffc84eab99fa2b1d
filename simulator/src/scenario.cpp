// From the typed System model to the queueing network the engine runs, with every input the
// simulator cannot run reported at its line.
#include "mlarch/simulator/scenario.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include <boost/math/special_functions/bessel.hpp>
#include <fmt/format.h>

#include "mlarch/analyzer/capacity.hpp"
#include "mlarch/analyzer/cost_model.hpp"
#include "mlarch/analyzer/document.hpp"
#include "mlarch/analyzer/suggest.hpp"

namespace mlarch::sim {

namespace {

// Sample files (empirical service times, arrival traces) larger than this are refused.
constexpr std::uintmax_t kMaxSampleFileBytes = 256u << 20;

const Json* member(const Json* j, std::string_view key) {
  if (!j || !j->is_object()) return nullptr;
  auto it = j->find(std::string(key));
  return it == j->end() ? nullptr : &*it;
}
std::optional<double> number(const Json* j, std::string_view key) {
  return j ? json_number(*j, key) : std::nullopt;
}

class Builder {
 public:
  Builder(const System& system, const ScenarioOverrides& overrides) : sys_(system), overrides_(overrides) {}
  ScenarioResult build();

 private:
  // At the value of `pointer`; for an element as a whole (a component), at its key.
  void error(const std::string& pointer, std::string message, std::string help = {}) {
    const Document& doc = *sys_.document;
    out_.errors.push_back(input_error("E006", doc.path(), doc.value_position(pointer), std::move(message), std::move(help)));
  }
  void element_error(const std::string& pointer, std::string message, std::string help = {}) {
    const Document& doc = *sys_.document;
    out_.errors.push_back(input_error("E006", doc.path(), doc.key_position(pointer), std::move(message), std::move(help)));
  }
  std::optional<std::uint32_t> station_for(std::size_t component, const Workload& w);
  bool build_service(const Component& c, Station& st, const std::string& instance, int sequences);
  // `service_time: model`: per batch size, from the cost model (roofline on the instance).
  // `sequences`: continuous batching's batch, each sequence taking the time of a pass over all.
  bool derive_service(const Component& c, Station& st, const std::string& instance, int sequences);
  void build_workload(const Workload& w);
  bool build_arrivals(const Workload& w, Arrivals& a);
  // Reads numbers from a sample file named at `pointer`: one per line, in the first
  // comma-separated column, a non-numeric first line being a header.
  std::optional<std::vector<double>> read_samples(const std::string& pointer, const std::string& file, const char* what);

  const System& sys_;
  const ScenarioOverrides& overrides_;
  Scenario sc_;
  ScenarioResult out_;
  std::map<std::size_t, std::uint32_t> station_of_component_;
  std::set<std::string> warned_uncalibrated_;
  std::optional<HopLatency> hops_;
};

std::optional<std::vector<double>> Builder::read_samples(const std::string& pointer, const std::string& file,
                                                         const char* what) {
  namespace fs = std::filesystem;
  fs::path path = fs::path(sys_.document->path()).parent_path() / file;
  std::error_code ec;
  auto size = fs::file_size(path, ec);
  if (ec) {
    error(pointer, fmt::format("{} file '{}' cannot be read: {}", what, path.string(), ec.message()),
          "the path is relative to the spec's folder");
    return std::nullopt;
  }
  if (size > kMaxSampleFileBytes) {
    error(pointer, fmt::format("{} file '{}' is {} MiB, more than the {} MiB allowed", what, path.string(),
                               size >> 20, kMaxSampleFileBytes >> 20));
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  std::vector<double> values;
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::string_view field(line);
    field = field.substr(0, field.find(','));
    while (!field.empty() && (field.front() == ' ' || field.front() == '\t')) field.remove_prefix(1);
    while (!field.empty() && (field.back() == ' ' || field.back() == '\t')) field.remove_suffix(1);
    if (field.empty()) continue;
    double v = 0;
    auto [end, ec2] = std::from_chars(field.data(), field.data() + field.size(), v);
    if (ec2 != std::errc() || end != field.data() + field.size() || !std::isfinite(v)) {
      if (line_no == 1) continue;  // a header
      error(pointer, fmt::format("{} file '{}', line {}: '{}' is not a number", what, path.string(), line_no,
                                 std::string(field.substr(0, 40))));
      return std::nullopt;
    }
    values.push_back(v);
  }
  if (values.empty()) {
    error(pointer, fmt::format("{} file '{}' has no values", what, path.string()));
    return std::nullopt;
  }
  return values;
}

bool Builder::build_service(const Component& c, Station& st, const std::string& instance, int sequences) {
  ServiceModel& m = st.service;
  const std::string st_pointer = pointer_append(c.pointer, "service_time");
  const Json* batching = member(c.raw, "batching");
  const Json* batch_time = member(batching, "batch_time");
  if (c.service_time.from_model) return derive_service(c, st, instance, sequences);
  const bool declared = c.service_time.dist.has_value();
  if (declared) {
    const Distribution& d = *c.service_time.dist;
    if (d.dist == "empirical") {
      if (d.file.empty()) {
        error(st_pointer, fmt::format("component '{}': an empirical service time needs `file`", c.id));
        return false;
      }
      auto samples = read_samples(pointer_append(st_pointer, "file"), d.file, "service-time");
      if (!samples) return false;
      for (double v : *samples)
        if (v < 0) {
          error(pointer_append(st_pointer, "file"), fmt::format("component '{}': service-time samples must not be negative", c.id));
          return false;
        }
      double sum = 0;
      for (double v : *samples) sum += v;
      m.shape = ServiceModel::Shape::empirical;
      m.mean_ms = sum / static_cast<double>(samples->size());
      if (m.mean_ms <= 0) {
        error(pointer_append(st_pointer, "file"), fmt::format("component '{}': service-time samples are all zero", c.id));
        return false;
      }
      m.samples = std::make_shared<const std::vector<double>>(std::move(*samples));
    } else {
      if (!d.mean_ms) {
        error(st_pointer, fmt::format("component '{}': a {} service time needs `mean_ms`", c.id, d.dist));
        return false;
      }
      m.mean_ms = *d.mean_ms;
      if (d.dist == "constant") {
        m.shape = ServiceModel::Shape::constant;
      } else if (d.dist == "exponential") {
        m.shape = ServiceModel::Shape::exponential;
      } else if (d.dist == "gamma") {
        m.shape = ServiceModel::Shape::gamma;
        double cv = d.cv.value_or(1.0);
        m.gamma_shape = 1 / (cv * cv);
      } else {  // lognormal
        m.shape = ServiceModel::Shape::lognormal;
        auto sigma = lognormal_sigma(d);
        if (!sigma) {
          error(pointer_append(st_pointer, "p99_ms"),
                fmt::format("component '{}': no lognormal has mean {} ms and p99 {} ms", c.id, *d.mean_ms, *d.p99_ms),
                "p99_ms must be above mean_ms and below 15 × mean_ms; or give `cv` instead");
          return false;
        }
        m.sigma = *sigma;
      }
    }
    m.origin = "declared";
  } else if (!batch_time) {
    element_error(c.pointer, fmt::format("component '{}' is on a workload's path but declares no `service_time`", c.id),
          "declare one, e.g. service_time: {dist: exponential, mean_ms: 2}");
    return false;
  }

  if (batch_time) {
    const std::string bt_pointer = pointer_append(pointer_append(c.pointer, "batching"), "batch_time");
    m.batch_mean_ms.assign(static_cast<std::size_t>(st.max_batch) + 1, 0);
    if (const Json* table = member(batch_time, "table_ms")) {
      std::vector<std::pair<double, double>> points;
      for (const auto& [size, ms] : table->items()) points.emplace_back(std::stod(size), ms.get<double>());
      std::sort(points.begin(), points.end());
      for (int b = 1; b <= st.max_batch; ++b) {
        double x = b, y;
        if (points.size() == 1) {
          y = points[0].second;
        } else {
          // Linear between sizes, along the nearest segment beyond them.
          std::size_t i = 1;
          while (i + 1 < points.size() && points[i].first < x) ++i;
          auto [x0, y0] = points[i - 1];
          auto [x1, y1] = points[i];
          y = y0 + (y1 - y0) * (x - x0) / (x1 - x0);
        }
        if (!(y > 0)) {
          error(pointer_append(bt_pointer, "table_ms"),
                fmt::format("component '{}': batch_time.table_ms extends to {:.3g} ms at batch size {}", c.id, y, b),
                "give the table's smallest and largest batch sizes");
          return false;
        }
        m.batch_mean_ms[static_cast<std::size_t>(b)] = y;
      }
    } else {
      double fixed = number(batch_time, "fixed_ms").value_or(0), per_item = number(batch_time, "per_item_ms").value_or(0);
      if (fixed + per_item <= 0) {
        error(bt_pointer, fmt::format("component '{}': batch_time gives no time (fixed_ms and per_item_ms are 0)", c.id));
        return false;
      }
      for (int b = 1; b <= st.max_batch; ++b) m.batch_mean_ms[static_cast<std::size_t>(b)] = fixed + per_item * b;
    }
    if (!declared) {
      m.shape = ServiceModel::Shape::constant;
      m.mean_ms = m.batch_mean_ms[1];
    }
    m.origin = "batch_time";
  }
  return true;
}

bool Builder::derive_service(const Component& c, Station& st, const std::string& instance_name, int sequences) {
  const std::string st_pointer = pointer_append(c.pointer, "service_time");
  const Model* model = c.model.empty() ? nullptr : sys_.model(c.model);
  if (!model) {
    error(st_pointer, fmt::format("component '{}': `service_time: model` needs the `model` it serves", c.id),
          "name the served model in `model`, or declare a distribution");
    return false;
  }
  auto instance = instance_type(sys_, instance_name);
  if (!instance) {
    error(st_pointer, fmt::format("component '{}': `service_time: model` needs its `instance` type", c.id),
          "name an instance type from `mlarch hardware` or from the spec's `hardware`");
    return false;
  }
  ServiceModel& m = st.service;
  m.shape = ServiceModel::Shape::constant;
  const int sizes = st.max_batch;
  m.batch_mean_ms.assign(static_cast<std::size_t>(sizes) + 1, 0);
  const Calibration* cal = overrides_.calibration;
  const bool measured = cal && cal->models.count(model->id);
  if (cal && !measured && !warned_uncalibrated_.count(model->id)) {
    warned_uncalibrated_.insert(model->id);
    Finding f = input_error("W002", sys_.document->path(), sys_.document->value_position(st_pointer),
                            fmt::format("model '{}' is not in the calibration '{}': component '{}' uses its derived time",
                                        model->id, cal->path, c.id));
    f.severity = Severity::warning;
    out_.warnings.push_back(std::move(f));
  }
  const Json* architecture = member(model->raw, "architecture");
  InstanceType host = measured ? cal->host() : InstanceType{};
  // The ratio compares like with like: the host's cache and random-read figures count only where
  // the instance has them too (a catalog instance has none).
  host.cpu_memory = host.cpu_memory.known_to(instance->cpu_memory);
  double ratio_first = 0, ratio_last = 0;
  std::optional<ServiceEstimate> first;
  for (int b = 1; b <= sizes; ++b) {
    const int n = sequences > 0 ? sequences : b;
    auto e = derived_service_ms(*model, *instance, n);
    if (e && measured) {
      // The host's measured time, times how much faster or slower the instance's roofline is.
      auto on_host = architecture ? reference_kernel_ms(*architecture, host, n) : std::nullopt;
      if (!on_host) {
        e.reset();
      } else {
        double ratio = e->ms / on_host->ms;
        (b == 1 ? ratio_first : ratio_last) = ratio;
        e->ms = *cal->ms(model->id, n) * ratio;
      }
    }
    if (!e) {
      error(st_pointer,
            fmt::format("component '{}': the service time of model '{}' on '{}' cannot be derived: its architecture "
                        "or the instance's peak FLOP/s and bandwidth are incomplete",
                        c.id, model->id, instance_name),
            "complete models.*.architecture (docs/cost-model.md lists the keys) or declare a distribution");
      return false;
    }
    if (!first) first = e;
    m.batch_mean_ms[static_cast<std::size_t>(b)] = e->ms;
  }
  m.mean_ms = m.batch_mean_ms[1];
  if (measured) {
    if (sizes == 1) ratio_last = ratio_first;
    m.origin = sizes > 1 ? fmt::format("measured: {:.3g} ms at batch 1 to {:.3g} ms at {} on {} (host × {:.3g} to {:.3g}, the rooflines' ratio)",
                                       m.batch_mean_ms[1], m.batch_mean_ms[static_cast<std::size_t>(sizes)], sizes, c.instance,
                                       ratio_first, ratio_last)
                         : fmt::format("measured: {:.3g} ms on {} (host × {:.3g}, the rooflines' ratio)", m.mean_ms, c.instance, ratio_first);
    return true;
  }
  const char* cache = first->cache_resident ? ", its working set in the CPU's cache" : "";
  m.origin = sizes > 1 ? fmt::format("derived: {:.3g} ms at batch 1 to {:.3g} ms at {} on {}, {}-bound{}", m.batch_mean_ms[1],
                                     m.batch_mean_ms[static_cast<std::size_t>(sizes)], sizes, instance_name, to_string(first->bound), cache)
                       : fmt::format("derived: {:.3g} ms on {}, {}-bound{}", m.mean_ms, instance_name, to_string(first->bound), cache);
  return true;
}

std::optional<std::uint32_t> Builder::station_for(std::size_t component, const Workload& w) {
  if (auto it = station_of_component_.find(component); it != station_of_component_.end()) return it->second;
  const Component& c = sys_.components[component];
  auto ov = overrides_.components.find(c.id);
  const ComponentOverride* o = ov == overrides_.components.end() ? nullptr : &ov->second;
  const std::string instance = o && o->instance ? *o->instance : c.instance;
  Station st;
  st.id = c.id;
  st.component = component;
  st.pointer = c.pointer;
  st.autoscaled = c.replicas.autoscaled;
  st.replicas = c.replicas.count;
  st.max_replicas = c.replicas.autoscaled ? c.replicas.max : c.replicas.count;
  st.target_utilization = c.replicas.target_utilization;
  st.scale_up_delay_s = c.replicas.scale_up_delay_s;
  st.scale_down_delay_s = c.replicas.scale_down_delay_s;
  st.cold_start_s = c.replicas.cold_start_s;
  if (o && o->replicas) {
    st.autoscaled = false;
    st.replicas = st.max_replicas = *o->replicas;
  }
  st.servers_per_replica = c.concurrency;
  int sequences = 0;  // continuous batching: sequences served together
  if (c.max_batch) {
    const int batch = o && o->max_batch ? *o->max_batch : *c.max_batch;
    if (c.batching_mode == "continuous") {
      sequences = batch;
      st.servers_per_replica = c.concurrency * batch;  // sequences join and leave one by one
    } else {
      st.max_batch = batch;
      st.max_wait_ms = c.max_wait_ms.value_or(0);
    }
  }
  st.queue_limit = c.queue_limit;
  st.timeout_ms = c.timeout_ms.value_or(0);
  if (const Json* retries = member(c.raw, "retries")) {
    st.retries = static_cast<int>(number(retries, "max").value_or(0));
    st.backoff_ms = number(retries, "backoff_ms").value_or(0);
    const Json* jitter = member(retries, "jitter");
    st.jitter = jitter && jitter->is_boolean() && jitter->get<bool>();
  }
  st.cache_hit_ratio = c.cache_hit_ratio.value_or(0);
  st.cache_hit_ms = c.cache_hit_time_ms.value_or(0);
  if (const Json* failures = member(c.raw, "failures")) {
    auto mtbf_h = number(failures, "mtbf_h");
    if (mtbf_h) {
      st.mtbf_s = *mtbf_h * 3600;
      st.mttr_s = number(failures, "mttr_min").value_or(5) * 60;
    }
  }
  if (auto type = instance_type(sys_, instance)) st.usd_per_hour = type->usd_per_hour;

  bool ok = true;
  if (st.max_replicas <= 0) {
    error(pointer_append(c.pointer, "replicas"),
          fmt::format("component '{}' has no replicas, but workload '{}' sends requests to it", c.id, w.name),
          "give it at least one replica");
    ok = false;
  }
  if (st.autoscaled && st.max_replicas < st.replicas) {
    error(pointer_append(pointer_append(c.pointer, "replicas"), "max"),
          fmt::format("component '{}': autoscaling max {} is below min {}", c.id, st.max_replicas, st.replicas));
    ok = false;
  }
  if (!build_service(c, st, instance, sequences)) ok = false;
  if (!ok) return std::nullopt;
  auto index = static_cast<std::uint32_t>(sc_.stations.size());
  sc_.stations.push_back(std::move(st));
  station_of_component_[component] = index;
  return index;
}

bool Builder::build_arrivals(const Workload& w, Arrivals& a) {
  const Json* arrival = member(w.raw, "arrival");
  const std::string ap = pointer_append(w.pointer, "arrival");
  const std::string& process = w.process;
  a.rate_rps = overrides_.at_peak ? w.rate_rps * w.peak_to_mean : w.rate_rps;
  if (overrides_.workload && *overrides_.workload == w.name && overrides_.rate_rps) a.rate_rps = *overrides_.rate_rps;
  a.rate_rps *= overrides_.load_factor;
  if (process == "trace") {
    a.process = Arrivals::Process::trace;
    const Json* file = member(arrival, "file");
    if (!file || !file->is_string()) {
      error(ap, fmt::format("workload '{}': a trace needs `file`, a CSV of arrival timestamps in seconds", w.name));
      return false;
    }
    if (member(w.raw, "profile")) {
      error(pointer_append(w.pointer, "profile"),
            fmt::format("workload '{}': a trace is replayed as recorded; a profile cannot modulate it", w.name),
            "remove `profile`");
      return false;
    }
    auto times = read_samples(pointer_append(ap, "file"), file->get<std::string>(), "trace");
    if (!times) return false;
    for (std::size_t i = 1; i < times->size(); ++i)
      if ((*times)[i] < (*times)[i - 1]) {
        error(pointer_append(ap, "file"),
              fmt::format("workload '{}': trace timestamps go back in time at value {} ({} after {})", w.name, i + 1,
                          (*times)[i], (*times)[i - 1]),
              "sort the trace by timestamp");
        return false;
      }
    double t0 = times->front();
    for (double& t : *times) t = (t - t0) / overrides_.load_factor;
    a.trace_s = std::make_shared<const std::vector<double>>(std::move(*times));
    return true;
  }
  if (!(a.rate_rps > 0)) {
    error(ap, fmt::format("workload '{}' needs a positive `rate_rps`", w.name));
    return false;
  }
  if (process == "constant") a.process = Arrivals::Process::constant;
  if (process == "bursty") {
    a.process = Arrivals::Process::bursty;
    a.burst_factor = number(arrival, "burst_factor").value_or(1);
    auto fraction = number(arrival, "burst_fraction");
    if (!fraction) {
      error(ap, fmt::format("workload '{}': a bursty process needs `burst_fraction`", w.name));
      return false;
    }
    a.burst_fraction = *fraction;
    a.burst_duration_s = number(arrival, "burst_duration_s").value_or(10);
    if (a.burst_factor * a.burst_fraction > 1) {
      error(pointer_append(ap, "burst_factor"),
            fmt::format("workload '{}': bursts of {} × the mean for {:.0f}% of the time already exceed the mean rate",
                        w.name, a.burst_factor, a.burst_fraction * 100),
            "burst_factor × burst_fraction must not exceed 1");
      return false;
    }
  }
  if (const Json* profile = member(w.raw, "profile"); profile && !overrides_.at_peak) {
    const Json* shape = member(profile, "shape");
    if (shape && *shape == "diurnal") {
      a.diurnal = true;
      a.peak_to_mean = number(profile, "peak_to_mean").value_or(1);
      a.period_s = number(profile, "period_s");
      if (a.peak_to_mean > 50) {
        error(pointer_append(pointer_append(w.pointer, "profile"), "peak_to_mean"),
              fmt::format("workload '{}': a peak of {} × the mean is beyond what the diurnal shape models (50)", w.name,
                          a.peak_to_mean));
        return false;
      }
      a.kappa = diurnal_kappa(a.peak_to_mean);
    }
  }
  return true;
}

void Builder::build_workload(const Workload& w) {
  WorkloadModel wm;
  wm.name = w.name;
  wm.pointer = w.pointer;
  if (const Json* d = member(w.raw, "duration_s"); d && d->is_number()) wm.duration_s = d->get<double>();
  bool ok = build_arrivals(w, wm.arrivals);
  if (w.path.empty()) {
    error(w.pointer, fmt::format("workload '{}' has an empty path", w.name));
    ok = false;
  }
  for (const auto& step : w.path) {
    Step s;
    for (const auto& components : step.branches) {
      Branch b;
      for (std::size_t i = 0; i < components.size(); ++i) {
        auto st = station_for(components[i], w);
        if (!st) {
          ok = false;
          continue;
        }
        b.stations.push_back(*st);
        b.hop_ms.push_back(i == 0 ? 0.0 : hops_->between(components[i - 1], components[i]).ms);
      }
      s.branches.push_back(std::move(b));
    }
    wm.steps.push_back(std::move(s));
  }
  if (!ok) return;
  // A branch's way out: the longest hop from its last station to the next step's first ones.
  for (std::size_t i = 0; i + 1 < wm.steps.size(); ++i)
    for (auto& b : wm.steps[i].branches)
      for (const auto& next : wm.steps[i + 1].branches)
        b.exit_hop_ms = std::max(b.exit_hop_ms, hops_->between(sc_.stations[b.stations.back()].component,
                                                               sc_.stations[next.stations.front()].component).ms);
  for (const auto& slo : sys_.slos) {
    if (slo.workload != w.name) continue;
    auto add = [&](const char* key, const std::optional<double>& v) {
      if (v) wm.slos.push_back({key, *v, pointer_append(slo.pointer, key)});
    };
    add("latency_p50_ms", slo.latency_p50_ms);
    add("latency_p95_ms", slo.latency_p95_ms);
    add("latency_p99_ms", slo.latency_p99_ms);
    add("availability", slo.availability);
  }
  sc_.workloads.push_back(std::move(wm));
}

ScenarioResult Builder::build() {
  sc_.system = &sys_;
  hops_.emplace(sys_);
  if (overrides_.workload && !sys_.workload_index.count(*overrides_.workload)) {
    std::vector<std::string> names;
    for (const auto& w : sys_.workloads) names.push_back(w.name);
    error("/workloads", fmt::format("no workload is named '{}'{}", *overrides_.workload, did_you_mean(*overrides_.workload, names)));
    return std::move(out_);
  }
  for (const auto& w : sys_.workloads) build_workload(w);
  if (sys_.workloads.empty()) error("", "the spec declares no workloads: there is nothing to simulate", "add `workloads`");
  if (!out_.errors.empty()) return std::move(out_);

  // What no workload visits still costs its instances.
  for (std::size_t i = 0; i < sys_.components.size(); ++i) {
    const Component& c = sys_.components[i];
    if (c.instance.empty()) continue;
    auto type = instance_type(sys_, c.instance);
    if (!type || !type->usd_per_hour) {
      sc_.unpriced.push_back(c.id);
      continue;
    }
    if (!station_of_component_.count(i)) sc_.static_costs.push_back({c.id, c.replicas.count, *type->usd_per_hour});
  }

  // Saturation at the declared peak, said before running (the run itself stays bounded).
  for (const auto& load : peak_loads(sys_)) {
    if (!load.utilization || *load.utilization < 1) continue;
    const Component& c = sys_.components[load.component];
    Finding f = input_error("W001", sys_.document->path(), sys_.document->key_position(c.pointer),
                            fmt::format("component '{}' is saturated at peak load (utilization {:.2f}): its queue grows "
                                        "without bound there; the run stops if the requests in flight pass the bound",
                                        c.id, *load.utilization));
    f.severity = Severity::warning;
    out_.warnings.push_back(std::move(f));
  }
  out_.scenario = std::move(sc_);
  return std::move(out_);
}

}  // namespace

double ServiceModel::mean(int batch) const {
  return (batch_mean_ms.empty() ? mean_ms : batch_mean_ms[static_cast<std::size_t>(batch)]) + offset_ms;
}

double diurnal_kappa(double peak_to_mean) {
  if (peak_to_mean <= 1) return 0;
  // exp(κ) ÷ I₀(κ) grows monotonically from 1 (κ = 0); bisect on it.
  auto ratio = [](double k) { return std::exp(k) / boost::math::cyl_bessel_i(0, k); };
  double lo = 0, hi = 1;
  while (ratio(hi) < peak_to_mean && hi < 1e4) hi *= 2;
  for (int i = 0; i < 100; ++i) {
    double mid = 0.5 * (lo + hi);
    (ratio(mid) < peak_to_mean ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

ScenarioResult build_scenario(const System& system, const ScenarioOverrides& overrides) {
  return Builder(system, overrides).build();
}

}  // namespace mlarch::sim
