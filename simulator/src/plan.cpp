// The capacity plan's search: candidates from the catalog, bounds from the utilization law,
// screening simulations in parallel, coordinate descent over the components, a confirming run and
// the headroom above the peak.
#include "mlarch/simulator/plan.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>
#include <set>

#include <fmt/format.h>

#include "mlarch/analyzer/capacity.hpp"
#include "mlarch/analyzer/cost_model.hpp"
#include "mlarch/analyzer/hardware.hpp"
#include "mlarch/simulator/parallel.hpp"
#include "mlarch/simulator/scenario.hpp"

namespace mlarch::sim {

namespace {

// Batch sizes compared where the batch time depends on the size: powers of two up to this (and
// the declared size).
constexpr int kMaxBatchSearched = 64;
// Candidates searched at once; fixed, so that which candidates are simulated (and the output)
// does not depend on the thread count.
constexpr int kCandidatesPerRound = 4;
// Alternatives to the answer simulated for the picture of cost against p99: the next cheapest
// candidates (instance types, batch sizes) of each component, at their fewest replicas.
constexpr int kAlternatives = 5;
// Passes over the components: each finds one component's cheapest configuration with the others
// held; the search stops at a pass that changes nothing.
constexpr int kMaxPasses = 3;
// The starting configuration: every component at this utilization or below.
constexpr double kStartUtilization = 0.5;
// Headroom: loads tried per round (in parallel), rounds, and the highest load (× the peak) tried.
constexpr int kHeadroomPoints = 4;
constexpr int kHeadroomRounds = 3;
constexpr double kHeadroomCeiling = 10;

// One (instance type, batch size) of a component, with what the utilization law says of it.
struct Candidate {
  std::string instance;
  int max_batch = 1;
  std::optional<double> usd_per_hour;
  int min_replicas = 1;              // the fewest that keep utilization below 1 at peak
  double replica_rps = 0;            // requests/s one replica serves at full utilization
  std::string pruned;                // "slow", "memory" or empty
  double request_ms = 0;             // one request alone
};

// How configurations compare: by monthly cost, then by replicas (an unpriced instance costs 0).
struct CostKey {
  double usd = 0;
  int replicas = 0;
  friend auto operator<=>(const CostKey&, const CostKey&) = default;
};
CostKey cost_key(const std::optional<double>& usd_per_hour, int replicas) {
  return {usd_per_hour ? replicas * *usd_per_hour * kHoursPerMonth : 0.0, replicas};
}
std::optional<double> monthly(const std::optional<double>& usd_per_hour, int replicas) {
  if (!usd_per_hour) return std::nullopt;
  return replicas * *usd_per_hour * kHoursPerMonth;
}

struct Screened {
  bool meets = false;
  double p99_ms = 0;
};

struct Searched {
  std::size_t component = 0;
  const Component* spec = nullptr;
  std::vector<Candidate> candidates;  // by lower-bound cost
  ComponentPlan plan;
  ComponentConfig current;
  int min_replicas = 1;  // redundancy the spec asked for
  double arrival_rps = 0;  // served (cache misses), at peak
  std::optional<double> tightest_ms;  // the tightest latency objective of a planned workload visiting it
};

const Json* member(const Json* j, std::string_view key) {
  if (!j || !j->is_object()) return nullptr;
  auto it = j->find(std::string(key));
  return it == j->end() ? nullptr : &*it;
}

// Requests per second reaching each station (cache hits excluded), over every workload.
std::vector<double> station_arrivals(const Scenario& sc) {
  std::vector<double> rps(sc.stations.size(), 0);
  for (const auto& w : sc.workloads) {
    double rate = w.arrivals.rate_rps;
    if (w.arrivals.process == Arrivals::Process::trace && w.arrivals.trace_s && w.arrivals.trace_s->size() > 1)
      rate = static_cast<double>(w.arrivals.trace_s->size()) / w.arrivals.trace_s->back();
    for (const auto& step : w.steps)
      for (const auto& b : step.branches)
        for (auto s : b.stations) rps[s] += rate * (1 - sc.stations[s].cache_hit_ratio);
  }
  return rps;
}

// Requests per second one replica of a station serves at full utilization: U = λ·S ÷ (servers ×
// batch), the capacity rules' arithmetic (capacity.hpp), solved for λ at U = 1.
double replica_rps(const Station& st) {
  return st.servers_per_replica * st.max_batch / st.service.mean(st.max_batch) * 1000;
}

int replicas_for(double arrival_rps, double per_replica, double utilization) {
  if (arrival_rps <= 0) return 1;
  // Strictly below `utilization`: the smallest n with λ < n × per_replica × U.
  return std::max(1, static_cast<int>(std::floor(arrival_rps / (per_replica * utilization))) + 1);
}

std::string config_key(const std::vector<ComponentConfig>& configs, double factor) {
  std::string key = fmt::format("{:.6g}", factor);
  for (const auto& c : configs) key += fmt::format("|{}:{}:{}", c.instance, c.replicas, c.max_batch);
  return key;
}

class Planner {
 public:
  Planner(const System& system, const PlanOptions& options) : sys_(system), options_(options) {}
  CapacityPlan run();

 private:
  ScenarioOverrides overrides(const std::vector<ComponentConfig>& configs, double factor) const;
  std::optional<Scenario> scenario(const std::vector<ComponentConfig>& configs, double factor) const;
  // Screening verdict of a configuration (cached: the same configuration is simulated once).
  Screened screen(const std::vector<ComponentConfig>& configs, double factor = 1);
  SimulationResult simulate_config(const std::vector<ComponentConfig>& configs, double factor,
                                   const SimulateOptions& options) const;
  bool meets(const SimulationResult& r) const;
  double worst_p99(const SimulationResult& r) const;
  void build_candidates(Searched& s, const Scenario& peak, const std::vector<double>& arrivals, std::size_t station);
  // The fewest replicas, up to `hi`, with which candidate `c` of component `k` meets the SLOs, the
  // other components as in `base`: galloping up from the utilization bound, then bisection.
  std::optional<int> fewest_replicas(std::size_t k, const std::vector<ComponentConfig>& base, const Candidate& c, int hi);
  // The cheapest configuration of component `k` that meets the SLOs with the others held.
  bool optimize(std::size_t k);
  // Options around the answer, for the cost-against-p99 picture: more replicas, the declared
  // configuration, and the next cheapest candidates at their fewest replicas.
  void alternatives();
  // Every screened configuration of component `k` with the others as recommended.
  void collect_options(std::size_t k);
  std::vector<ComponentConfig> configs() const;
  void confirm();
  void headroom();

  const System& sys_;
  const PlanOptions& options_;
  CapacityPlan out_;
  std::vector<Searched> searched_;
  std::set<std::string> planned_;  // workload names whose SLOs count
  SimulateOptions screen_options_;
  struct Screening {
    std::vector<ComponentConfig> configs;
    double factor = 1;
    Screened result;
  };
  std::mutex cache_mutex_;
  std::map<std::string, Screening> cache_;
};

ScenarioOverrides Planner::overrides(const std::vector<ComponentConfig>& configs, double factor) const {
  ScenarioOverrides o;
  o.at_peak = true;
  o.load_factor = factor;
  if (options_.peak_rps) {
    o.workload = options_.workload ? *options_.workload : sys_.workloads.front().name;
    o.rate_rps = options_.peak_rps;
  }
  for (std::size_t i = 0; i < searched_.size() && i < configs.size(); ++i) {
    ComponentOverride c;
    c.instance = configs[i].instance;
    c.replicas = configs[i].replicas;
    if (searched_[i].spec->max_batch) c.max_batch = configs[i].max_batch;
    o.components[searched_[i].spec->id] = c;
  }
  return o;
}

std::optional<Scenario> Planner::scenario(const std::vector<ComponentConfig>& configs, double factor) const {
  ScenarioResult built = build_scenario(sys_, overrides(configs, factor));
  return std::move(built.scenario);
}

bool Planner::meets(const SimulationResult& r) const {
  if (!r.stopped.empty()) return false;  // requests in flight without bound: unstable
  for (const auto& w : r.workloads)
    if (planned_.count(w.name) && !w.slos_met()) return false;
  return true;
}

double Planner::worst_p99(const SimulationResult& r) const {
  double p99 = 0;
  for (const auto& w : r.workloads)
    if (planned_.count(w.name)) p99 = std::max(p99, w.p99.value);
  return p99;
}

SimulationResult Planner::simulate_config(const std::vector<ComponentConfig>& configs, double factor,
                                          const SimulateOptions& options) const {
  auto sc = scenario(configs, factor);
  if (!sc) return {};  // candidates are checked to build before they are tried
  return simulate(*sc, options);
}

Screened Planner::screen(const std::vector<ComponentConfig>& configs, double factor) {
  std::string key = config_key(configs, factor);
  {
    std::lock_guard lock(cache_mutex_);
    if (auto it = cache_.find(key); it != cache_.end()) return it->second.result;
  }
  SimulationResult r = simulate_config(configs, factor, screen_options_);
  Screened s{meets(r) && !r.workloads.empty(), worst_p99(r)};
  std::lock_guard lock(cache_mutex_);
  if (cache_.emplace(key, Screening{configs, factor, s}).second) ++out_.simulations;
  return s;
}

std::vector<ComponentConfig> Planner::configs() const {
  std::vector<ComponentConfig> out;
  for (const auto& s : searched_) out.push_back(s.current);
  return out;
}

void Planner::build_candidates(Searched& s, const Scenario& peak, const std::vector<double>& arrivals,
                               std::size_t station) {
  const Component& c = *s.spec;
  s.arrival_rps = arrivals[station];

  std::vector<std::string> instances;
  if (c.service_time.from_model) {
    s.plan.instance_searched = true;
    auto declared = instance_type(sys_, c.instance);
    std::string cloud = declared ? declared->cloud : "";
    for (const auto& name : instance_type_names(sys_.document->root)) {
      auto type = instance_type(sys_, name);
      if (!type || !type->usd_per_hour) continue;
      if (!cloud.empty() && !type->cloud.empty() && type->cloud != cloud) continue;
      instances.push_back(name);
    }
  } else {
    instances.push_back(c.instance);
  }

  std::vector<int> batches{c.max_batch.value_or(1)};
  const Json* batching = member(c.raw, "batching");
  if (c.max_batch && (c.service_time.from_model || member(batching, "batch_time"))) {
    for (int b = 1; b <= kMaxBatchSearched; b *= 2) batches.push_back(b);
    std::sort(batches.begin(), batches.end());
    batches.erase(std::unique(batches.begin(), batches.end()), batches.end());
  }
  s.plan.batch_sizes = batches;

  // The tightest latency objective of the planned workloads that visit the component.
  std::optional<double> tightest;
  for (const auto& w : peak.workloads) {
    if (!planned_.count(w.name)) continue;
    bool visits = false;
    for (const auto& step : w.steps)
      for (const auto& b : step.branches) visits = visits || std::count(b.stations.begin(), b.stations.end(), station) > 0;
    if (!visits) continue;
    for (const auto& slo : w.slos)
      if (slo.objective != "availability") tightest = std::min(tightest.value_or(slo.target), slo.target);
  }

  const Model* model = c.model.empty() ? nullptr : sys_.model(c.model);
  const Json* architecture = model ? member(model->raw, "architecture") : nullptr;
  std::set<std::string> usable_instances;
  for (const auto& name : instances) {
    for (int b : batches) {
      std::vector<ComponentConfig> probe;
      for (const auto& other : searched_) probe.push_back(other.current);
      probe.back() = {name, 1, b};  // `s` is the last one added
      auto sc = scenario(probe, 1);
      if (!sc) continue;  // the cost model cannot estimate this model on this instance
      usable_instances.insert(name);
      const Station& st = sc->stations[station];
      Candidate cand{name, b, st.usd_per_hour, 1, replica_rps(st), {}, st.service.mean(1)};
      cand.min_replicas = std::max(s.min_replicas, replicas_for(s.arrival_rps, cand.replica_rps, 1.0));
      if (architecture) {
        auto type = instance_type(sys_, name);
        auto memory = type ? model_memory_gib(*type) : std::nullopt;
        auto work = inference_work(*architecture, b);
        if (memory && work && work->footprint_bytes > *memory * 1073741824.0) cand.pruned = "memory";
      }
      // A constant service time (the cost model's) is a floor under every latency percentile.
      if (cand.pruned.empty() && tightest && st.service.shape == ServiceModel::Shape::constant &&
          st.cache_hit_ratio == 0 && st.service.mean(1) > *tightest)
        cand.pruned = "slow";
      if (cand.pruned == "memory") ++s.plan.pruned_memory;
      if (cand.pruned == "slow") ++s.plan.pruned_slow;
      s.candidates.push_back(std::move(cand));
    }
  }
  s.plan.instance_types = static_cast<int>(usable_instances.size());
  s.tightest_ms = tightest;
  std::stable_sort(s.candidates.begin(), s.candidates.end(), [](const Candidate& a, const Candidate& b) {
    return cost_key(a.usd_per_hour, a.min_replicas) < cost_key(b.usd_per_hour, b.min_replicas);
  });
}

std::optional<int> Planner::fewest_replicas(std::size_t k, const std::vector<ComponentConfig>& base, const Candidate& c,
                                            int hi) {
  auto feasible = [&](int n) {
    std::vector<ComponentConfig> trial = base;
    trial[k] = {c.instance, n, c.max_batch};
    return screen(trial).meets;
  };
  // Latency falls as replicas are added.
  int bad = c.min_replicas - 1, good = -1;
  for (int step = 1; bad < hi; step *= 2) {
    int n = std::min(bad + step, hi);
    if (feasible(n)) {
      good = n;
      break;
    }
    bad = n;
  }
  if (good < 0) return std::nullopt;
  while (good - bad > 1) {
    int mid = bad + (good - bad) / 2;
    (feasible(mid) ? good : bad) = mid;
  }
  return good;
}

int replica_ceiling(const Candidate& c) { return 4 * c.min_replicas + 64; }

bool Planner::optimize(std::size_t k) {
  Searched& s = searched_[k];
  const std::vector<ComponentConfig> base = configs();
  ComponentConfig best = s.current;
  std::optional<double> best_price;
  for (const auto& c : s.candidates)
    if (c.instance == best.instance) best_price = c.usd_per_hour;
  CostKey best_key = cost_key(best_price, best.replicas);
  double best_p99 = screen(base).p99_ms;

  std::size_t next = 0;
  while (true) {
    // The next candidates that could beat the best so far, or tie with it on cost (then the lower
    // p99 wins): by lower bound, so once one cannot, the rest cannot either.
    std::vector<const Candidate*> round;
    for (; next < s.candidates.size() && static_cast<int>(round.size()) < kCandidatesPerRound; ++next) {
      const Candidate& c = s.candidates[next];
      if (c.pruned.empty() && !(best_key < cost_key(c.usd_per_hour, c.min_replicas))) round.push_back(&c);
    }
    if (round.empty()) break;
    std::vector<std::optional<int>> found(round.size());
    const CostKey limit = best_key;
    parallel_for(static_cast<int>(round.size()), options_.threads, [&](int i) {
      const Candidate& c = *round[static_cast<std::size_t>(i)];
      int hi = c.min_replicas;
      while (!(limit < cost_key(c.usd_per_hour, hi + 1)) && hi < replica_ceiling(c)) ++hi;
      found[static_cast<std::size_t>(i)] = fewest_replicas(k, base, c, hi);
    });
    for (std::size_t i = 0; i < round.size(); ++i) {
      if (!found[i]) continue;
      CostKey key = cost_key(round[i]->usd_per_hour, *found[i]);
      ComponentConfig config{round[i]->instance, *found[i], round[i]->max_batch};
      std::vector<ComponentConfig> trial = base;
      trial[k] = config;
      double p99 = screen(trial).p99_ms;  // cached: the search screened it
      if (key < best_key || (!(best_key < key) && p99 < best_p99)) {
        best_key = key;
        best_p99 = p99;
        best = config;
      }
    }
  }
  bool changed = !(best == s.current);
  s.current = best;
  return changed;
}

void Planner::alternatives() {
  const std::vector<ComponentConfig> final_configs = configs();
  struct Task {
    std::size_t k;
    const Candidate* candidate;  // searched for its fewest replicas; else `config` as is
    ComponentConfig config;
  };
  std::vector<Task> tasks;
  for (std::size_t k = 0; k < searched_.size(); ++k) {
    const Searched& s = searched_[k];
    for (int more = 0; more <= 2; ++more) {
      ComponentConfig c = s.current;
      c.replicas += more;
      tasks.push_back({k, nullptr, c});
    }
    tasks.push_back({k, nullptr, s.plan.declared});
    // Where instance types are compared, the next cheapest other types (at the answer's batch size
    // when they can take it); else the other batch sizes.
    std::vector<const Candidate*> picked;
    for (const auto& c : s.candidates) {
      if (static_cast<int>(picked.size()) == kAlternatives) break;
      if (!c.pruned.empty() || (c.instance == s.current.instance && c.max_batch == s.current.max_batch)) continue;
      if (s.plan.instance_searched) {
        if (c.instance == s.current.instance) continue;
        auto same = std::find_if(picked.begin(), picked.end(), [&](const Candidate* p) { return p->instance == c.instance; });
        if (same != picked.end()) {
          if (c.max_batch == s.current.max_batch) *same = &c;
          continue;
        }
      }
      picked.push_back(&c);
    }
    for (const Candidate* c : picked) tasks.push_back({k, c, {}});
  }
  parallel_for(static_cast<int>(tasks.size()), options_.threads, [&](int i) {
    const Task& t = tasks[static_cast<std::size_t>(i)];
    if (t.candidate) {
      fewest_replicas(t.k, final_configs, *t.candidate, replica_ceiling(*t.candidate));
    } else if (t.config.replicas > 0) {
      std::vector<ComponentConfig> trial = final_configs;
      trial[t.k] = t.config;
      screen(trial);
    }
  });
}

void Planner::collect_options(std::size_t k) {
  Searched& s = searched_[k];
  const std::vector<ComponentConfig> final_configs = configs();
  std::vector<PlanOption> options;
  for (const auto& [key, entry] : cache_) {
    if (entry.factor != 1 || entry.configs.size() != final_configs.size()) continue;
    bool others_final = true;
    for (std::size_t i = 0; i < final_configs.size(); ++i)
      if (i != k && !(entry.configs[i] == final_configs[i])) others_final = false;
    if (!others_final) continue;
    const ComponentConfig& config = entry.configs[k];
    std::optional<double> price;
    for (const auto& c : s.candidates)
      if (c.instance == config.instance) price = c.usd_per_hour;
    options.push_back({config, monthly(price, config.replicas), entry.result.p99_ms, entry.result.meets, false});
  }
  std::sort(options.begin(), options.end(), [](const PlanOption& a, const PlanOption& b) {
    return std::make_tuple(a.usd_per_month.value_or(0), a.p99_ms, a.config.instance, a.config.replicas, a.config.max_batch) <
           std::make_tuple(b.usd_per_month.value_or(0), b.p99_ms, b.config.instance, b.config.replicas, b.config.max_batch);
  });
  // Sorted by cost then p99: an option is on the front when it is faster than every one as cheap.
  double front_p99 = INFINITY;
  for (auto& o : options)
    if (o.p99_ms < front_p99) {
      o.pareto = true;
      front_p99 = o.p99_ms;
    }
  s.plan.options = std::move(options);
  // Candidates the cost bound ruled out: even their fewest replicas cost more than the answer.
  std::optional<double> price;
  for (const auto& c : s.candidates)
    if (c.instance == s.current.instance) price = c.usd_per_hour;
  const CostKey answer = cost_key(price, s.current.replicas);
  s.plan.pruned_cost = 0;
  for (const auto& c : s.candidates)
    if (c.pruned.empty() && !(c.instance == s.current.instance && c.max_batch == s.current.max_batch) &&
        !(cost_key(c.usd_per_hour, c.min_replicas) < answer))
      ++s.plan.pruned_cost;
}

void Planner::confirm() {
  SimulateOptions confirm = options_.confirm;
  if (!confirm.duration_s) {
    double rps = 0;
    for (const auto& w : out_.workloads) rps += w.peak_rps;
    confirm.duration_s = rps > 0 ? std::ceil(std::max(60.0, kConfirmRequests / rps)) : 600.0;
    if (confirm.warmup_s) confirm.duration_s = std::max(*confirm.duration_s, 10 * *confirm.warmup_s);
  }
  // The screening answer is re-checked on a longer run; where it misses (screening noise near the
  // objective), a replica goes to the busiest component of the workload that misses.
  for (int attempt = 0;; ++attempt) {
    out_.confirmation = simulate_config(configs(), 1, confirm);
    if (meets(out_.confirmation) || attempt == 5) break;
    std::size_t busiest = 0;
    double highest = -1;
    for (std::size_t i = 0; i < searched_.size(); ++i)
      for (const auto& c : out_.confirmation.components)
        if (c.id == searched_[i].spec->id && c.utilization.value > highest) {
          highest = c.utilization.value;
          busiest = i;
        }
    ++searched_[busiest].current.replicas;
    ++out_.confirm_adjustments;
  }
  out_.feasible = meets(out_.confirmation);
  if (!out_.feasible)
    out_.reason = fmt::format("the configuration the screening runs found misses the SLOs in the confirming run "
                              "({} replications of {:g} s), even with {} replicas added",
                              out_.confirmation.replications, out_.confirmation.duration_s, out_.confirm_adjustments);
}

void Planner::headroom() {
  auto sc = scenario(configs(), 1);
  if (!sc) return;
  // The load at which the first station's utilization reaches 1: an upper bound.
  std::vector<double> arrivals = station_arrivals(*sc);
  double saturation = kHeadroomCeiling;
  std::string saturating;
  for (std::size_t i = 0; i < sc->stations.size(); ++i) {
    if (arrivals[i] <= 0) continue;
    double f = sc->stations[i].replicas * replica_rps(sc->stations[i]) / arrivals[i];
    if (f < saturation) {
      saturation = f;
      saturating = sc->stations[i].id;
    }
  }
  double lo = 1, hi = saturation;
  if (hi <= lo) {  // met at the peak in screening, yet at the bound: no room above it
    out_.headroom.factor = 1;
    out_.headroom.highest_tried = 1;
    out_.headroom.limited_by = saturating;
    return;
  }
  std::string limited_by = saturating;
  bool hi_tried = false;
  for (int round = 0; round < kHeadroomRounds; ++round) {
    std::vector<double> factors;
    for (int i = 1; i <= kHeadroomPoints; ++i) factors.push_back(lo + (hi - lo) * i / (kHeadroomPoints + 1));
    std::vector<SimulationResult> results(factors.size());
    parallel_for(static_cast<int>(factors.size()), options_.threads, [&](int i) {
      results[static_cast<std::size_t>(i)] = simulate_config(configs(), factors[static_cast<std::size_t>(i)], screen_options_);
    });
    out_.simulations += static_cast<int>(factors.size());
    std::size_t i = 0;
    while (i < factors.size() && meets(results[i])) ++i;
    if (i < factors.size()) {
      hi = factors[i];
      hi_tried = true;
      const ComponentResult* busiest = nullptr;
      for (const auto& c : results[i].components)
        if (!busiest || c.utilization.value > busiest->utilization.value) busiest = &c;
      if (busiest) limited_by = busiest->id;
    }
    if (i > 0) lo = factors[i - 1];
  }
  out_.headroom.factor = lo;
  out_.headroom.highest_tried = hi;
  out_.headroom.beyond = !hi_tried && saturation >= kHeadroomCeiling;
  out_.headroom.limited_by = limited_by;
}

CapacityPlan Planner::run() {
  for (const auto& w : sys_.workloads)
    if (!options_.workload || *options_.workload == w.name) planned_.insert(w.name);
  out_.seed = options_.confirm.seed;

  ScenarioResult built = build_scenario(sys_, overrides({}, 1));
  if (!built.scenario) {
    out_.reason = "the spec cannot be simulated at its peak load";
    return std::move(out_);
  }
  const Scenario& peak = *built.scenario;
  double total_rps = 0;
  for (const auto& w : peak.workloads) {
    total_rps += w.arrivals.rate_rps;
    if (planned_.count(w.name)) out_.workloads.push_back({w.name, w.arrivals.rate_rps});
  }
  screen_options_.replications = options_.screen_replications;
  screen_options_.seed = options_.confirm.seed;
  screen_options_.threads = 1;  // simulations run in parallel instead
  screen_options_.duration_s = total_rps > 0 ? std::ceil(options_.screen_requests / total_rps) : run_window(peak, {}).first;
  screen_options_.warmup_s = 0.1 * *screen_options_.duration_s;
  out_.screen_replications = screen_options_.replications;
  out_.screen_duration_s = *screen_options_.duration_s;

  // The components the planned workloads visit, in the order they first visit them.
  std::vector<double> arrivals = station_arrivals(peak);
  std::vector<std::size_t> stations;
  for (const auto& w : peak.workloads) {
    if (!planned_.count(w.name)) continue;
    for (const auto& step : w.steps)
      for (const auto& b : step.branches)
        for (auto st : b.stations)
          if (std::find(stations.begin(), stations.end(), st) == stations.end()) stations.push_back(st);
  }
  for (std::size_t st : stations) {
    const Station& station = peak.stations[st];
    const Component& c = sys_.components[station.component];
    Searched s;
    s.component = station.component;
    s.spec = &c;
    s.plan.id = c.id;
    s.plan.pointer = c.pointer;
    s.plan.autoscaled = c.replicas.autoscaled;
    s.plan.declared = {c.instance, c.replicas.autoscaled ? c.replicas.max : c.replicas.count, c.max_batch.value_or(1)};
    s.plan.declared_usd_per_month = monthly(station.usd_per_hour, s.plan.declared.replicas);
    // Redundancy the spec asked for stays: two replicas at least where it declares two or more
    // (one is a single point of failure, REL001).
    s.min_replicas = std::min(2, s.plan.declared.replicas);
    s.current = s.plan.declared;
    searched_.push_back(std::move(s));
    build_candidates(searched_.back(), peak, arrivals, st);
  }

  // Start: each component on its declared instance and batch when the bounds allow them, else on
  // the cheapest candidate left, with replicas for utilization ≤ kStartUtilization.
  for (auto& s : searched_) {
    const Candidate* start = nullptr;
    for (const auto& c : s.candidates)
      if (c.pruned.empty() && c.instance == s.plan.declared.instance && c.max_batch == s.plan.declared.max_batch) start = &c;
    for (const auto& c : s.candidates)
      if (!start && c.pruned.empty()) start = &c;
    if (!start) {
      double fastest = INFINITY;
      for (const auto& c : s.candidates) fastest = std::min(fastest, c.request_ms);
      if (s.candidates.empty() || s.plan.pruned_slow == 0)
        out_.reason = fmt::format("component '{}' fits no instance type's memory", s.spec->id);
      else
        out_.reason = fmt::format("component '{}' takes {:.3g} ms per request{}, above its latency objective of {:g} ms: "
                                  "no replica count meets it",
                                  s.spec->id, fastest, s.plan.instance_searched ? " on the fastest instance type that fits" : "",
                                  s.tightest_ms.value_or(0));
      return std::move(out_);
    }
    s.current = {start->instance, std::max(start->min_replicas, replicas_for(s.arrival_rps, start->replica_rps, kStartUtilization)),
                 start->max_batch};
  }
  bool feasible = false;
  for (int doubling = 0;; ++doubling) {
    feasible = screen(configs()).meets;
    if (feasible || doubling == 3) break;
    for (auto& s : searched_) s.current.replicas *= 2;
  }
  if (!feasible) {
    out_.reason = fmt::format("the SLOs are missed at peak even with every component at utilization {:g} or below "
                              "(p99 {:.3g} ms): a latency objective below what the service times allow?",
                              kStartUtilization / 8, screen(configs()).p99_ms);
    out_.confirmation = simulate_config(configs(), 1, screen_options_);
    return std::move(out_);
  }

  // Coordinate descent, the costliest components first.
  std::vector<std::size_t> order(searched_.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return searched_[a].plan.declared_usd_per_month.value_or(0) > searched_[b].plan.declared_usd_per_month.value_or(0);
  });
  for (int pass = 0; pass < kMaxPasses; ++pass) {
    bool changed = false;
    for (std::size_t k : order) changed = optimize(k) || changed;
    if (!changed) break;
  }

  confirm();
  alternatives();
  if (out_.feasible) headroom();

  for (std::size_t k = 0; k < searched_.size(); ++k) {
    Searched& s = searched_[k];
    collect_options(k);
    s.plan.recommended = s.current;
    std::optional<double> price;
    for (const auto& c : s.candidates)
      if (c.instance == s.current.instance) price = c.usd_per_hour;
    s.plan.usd_per_month = monthly(price, s.current.replicas);
    for (const auto& c : out_.confirmation.components)
      if (c.id == s.spec->id) {
        s.plan.service_origin = c.service_origin;
        s.plan.utilization = c.utilization;
      }
    out_.usd_per_month += s.plan.usd_per_month.value_or(0);
    out_.declared_usd_per_month += s.plan.declared_usd_per_month.value_or(0);
    out_.components.push_back(std::move(s.plan));
  }
  return std::move(out_);
}

}  // namespace

CapacityPlan plan_capacity(const System& system, const PlanOptions& options) { return Planner(system, options).run(); }

}  // namespace mlarch::sim
