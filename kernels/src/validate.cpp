// `mlarch validate`: a real, scaled-down run of a workload's serving path, and its simulation.
#include "mlarch/kernels/validate.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include <fmt/format.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "mlarch/simulator/random.hpp"

namespace mlarch::kernels {

namespace {

using Clock = std::chrono::steady_clock;
using Ms = std::chrono::duration<double, std::milli>;

Finding validate_error(const System& system, const std::string& pointer, std::string message, std::string help = {}) {
  const Document& doc = *system.document;
  Finding f = input_error("E007", doc.path(), doc.value_position(pointer), std::move(message), std::move(help));
  f.pointer = pointer;
  return f;
}

// Arrival times in seconds from 0 over `seconds`, by the workload's process at `rate`: Poisson,
// evenly spaced, or Poisson switching between burst and calm rates as the simulator does.
std::vector<double> arrival_times(const sim::Arrivals& a, double rate, double seconds, std::uint64_t seed) {
  sim::Rng rng(seed);
  std::vector<double> t;
  if (a.process == sim::Arrivals::Process::constant) {
    for (double x = 0; x < seconds; x += 1 / rate) t.push_back(x);
    return t;
  }
  const bool bursty = a.process == sim::Arrivals::Process::bursty;
  bool in_burst = bursty && !rng.chance(1 - a.burst_fraction);
  double burst_rate = rate * a.burst_factor, calm_rate = rate * (1 - a.burst_factor * a.burst_fraction) / (1 - a.burst_fraction);
  double calm_s = a.burst_duration_s * (1 - a.burst_fraction) / a.burst_fraction;
  double switch_at = bursty ? rng.exponential(in_burst ? a.burst_duration_s : calm_s) : seconds;
  double x = 0;
  for (;;) {
    double r = !bursty ? rate : in_burst ? burst_rate : calm_rate;
    double next = x + (r > 0 ? rng.exponential(1 / r) : seconds);
    if (bursty && next > switch_at) {  // memoryless: redraw from the switch at the new rate
      x = switch_at;
      in_burst = !in_burst;
      switch_at = x + rng.exponential(in_burst ? a.burst_duration_s : calm_s);
      continue;
    }
    if (next >= seconds) break;
    t.push_back(x = next);
  }
  return t;
}

LatencySummary summarize(std::vector<double> ms) {
  LatencySummary s;
  if (ms.empty()) return s;
  std::sort(ms.begin(), ms.end());
  double sum = 0;
  for (double v : ms) sum += v;
  auto at = [&](double q) { return ms[static_cast<std::size_t>(std::max(0.0, std::ceil(q * static_cast<double>(ms.size())) - 1))]; };
  s.requests = static_cast<double>(ms.size());
  s.mean_ms = sum / static_cast<double>(ms.size());
  s.p50_ms = at(0.5);
  s.p90_ms = at(0.9);
  s.p99_ms = at(0.99);
  return s;
}

// The real run: one queue and a pool of worker threads per station.
class ServingRun {
 public:
  ServingRun(const sim::Scenario& sc, const sim::WorkloadModel& w, const std::vector<ScaledStation>& stations,
             std::map<std::string, const PlannedModel*> kernels, int max_batch_of_models, std::uint64_t seed)
      : w_(w) {
    for (std::size_t s = 0; s < sc.stations.size(); ++s) {
      auto st = std::make_unique<Station>();
      st->model = &sc.stations[s];
      st->scaled = stations[s];
      stations_.push_back(std::move(st));
    }
    for (std::size_t s = 0; s < stations_.size(); ++s) {
      Station& st = *stations_[s];
      const int servers = st.scaled.servers;
      for (int k = 0; k < servers; ++k) {
        if (!st.scaled.model.empty())
          st.kernels.push_back(make_reference_model(kernels.at(st.scaled.model)->plan, std::max(1, max_batch_of_models), 1,
                                                    kWeightSeed));
        st.rngs.emplace_back(seed * 1000003 + s * 1009 + static_cast<std::uint64_t>(k));
      }
      st.overshoots.resize(static_cast<std::size_t>(servers));
    }
  }

  // Sends requests at `times` (s from the start) and waits for them, at most `limit_s` past the
  // last arrival. Returns each request's latency in ms (negative: unfinished).
  std::vector<double> run(const std::vector<double>& times, double limit_s) {
    const std::size_t n = times.size();
    arrival_.assign(n, Clock::time_point{});
    latency_.assign(n, -1);
    pending_ = std::make_unique<std::atomic<int>[]>(n);
    for (auto& st : stations_)
      for (int k = 0; k < st->scaled.servers; ++k) threads_.emplace_back([this, s = st.get(), k] { work(*s, k); });
    const auto t0 = Clock::now();
    for (std::size_t i = 0; i < n; ++i) {
      std::this_thread::sleep_until(t0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(times[i])));
      arrival_[i] = Clock::now();
      start_step(static_cast<std::uint32_t>(i), 0);
    }
    {
      std::unique_lock lock(done_mu_);
      done_cv_.wait_until(lock, Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(limit_s)),
                          [&] { return done_ == n; });
    }
    stop_ = true;
    for (auto& st : stations_) {
      std::lock_guard lock(st->mu);
      st->cv.notify_all();
    }
    for (auto& t : threads_) t.join();
    return latency_;
  }

  // Means over every station, once the run is over (the means: what a visit adds on average).
  HostDelays delays() const {
    std::vector<double> handovers, overshoots;
    for (const auto& st : stations_) {
      handovers.insert(handovers.end(), st->handovers.begin(), st->handovers.end());
      for (const auto& v : st->overshoots) overshoots.insert(overshoots.end(), v.begin(), v.end());
    }
    HostDelays d;
    d.handovers = static_cast<int>(handovers.size());
    d.sleeps = static_cast<int>(overshoots.size());
    d.handover_ms = std::max(0.0, summarize(std::move(handovers)).mean_ms);
    d.sleep_overshoot_ms = std::max(0.0, summarize(std::move(overshoots)).mean_ms);
    return d;
  }

 private:
  struct Item {
    std::uint32_t request;
    std::uint16_t step, branch, pos;
    Clock::time_point enqueued;
    bool to_idle = false;  // a worker of the station was waiting for work when it was queued
  };
  struct Station {
    const sim::Station* model = nullptr;
    ScaledStation scaled;
    std::mutex mu;
    std::condition_variable cv;
    std::deque<Item> queue;
    std::vector<std::unique_ptr<ReferenceModel>> kernels;  // one per worker of a model server
    std::vector<sim::Rng> rngs;                             // one per worker
    int idle = 0;                                           // workers waiting for work
    std::vector<double> handovers;                          // ms from queued to taken, for items queued to an idle worker
    std::vector<std::vector<double>> overshoots;            // per worker: ms each sleep ended late
  };

  void enqueue(Item item) {
    Station& st = *stations_[w_.steps[item.step].branches[item.branch].stations[item.pos]];
    {
      std::lock_guard lock(st.mu);
      item.enqueued = Clock::now();
      item.to_idle = st.idle > static_cast<int>(st.queue.size());
      st.queue.push_back(item);
    }
    st.cv.notify_one();
  }

  void start_step(std::uint32_t r, std::uint16_t step) {
    const sim::Step& s = w_.steps[step];
    pending_[r].store(static_cast<int>(s.branches.size()));
    for (std::size_t b = 0; b < s.branches.size(); ++b) enqueue({r, step, static_cast<std::uint16_t>(b), 0, {}});
  }

  void done(const Item& item) {
    const sim::Branch& branch = w_.steps[item.step].branches[item.branch];
    if (item.pos + 1u < branch.stations.size()) {
      enqueue({item.request, item.step, item.branch, static_cast<std::uint16_t>(item.pos + 1), {}});
      return;
    }
    if (pending_[item.request].fetch_sub(1) != 1) return;  // the step waits for its other branches
    if (item.step + 1u < w_.steps.size()) {
      start_step(item.request, static_cast<std::uint16_t>(item.step + 1));
      return;
    }
    latency_[item.request] = Ms(Clock::now() - arrival_[item.request]).count();
    std::lock_guard lock(done_mu_);
    if (++done_ == latency_.size()) done_cv_.notify_all();
  }

  void work(Station& st, int k) {
#ifdef __linux__
    prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);  // sleeps of a millisecond must not overshoot by 50 µs
#endif
    sim::Rng& rng = st.rngs[static_cast<std::size_t>(k)];
    const bool kernel = !st.scaled.model.empty();
    std::vector<Item> batch;
    for (;;) {
      {
        std::unique_lock lock(st.mu);
        ++st.idle;
        st.cv.wait(lock, [&] { return stop_ || !st.queue.empty(); });
        --st.idle;
        if (stop_) return;
        if (st.queue.front().to_idle) st.handovers.push_back(Ms(Clock::now() - st.queue.front().enqueued).count());
        if (kernel && st.scaled.max_wait_ms > 0 && static_cast<int>(st.queue.size()) < st.scaled.max_batch) {
          // Dynamic batching: the oldest request waits at most max_wait_ms for the batch to fill.
          auto deadline = st.queue.front().enqueued + std::chrono::duration_cast<Clock::duration>(Ms(st.scaled.max_wait_ms));
          st.cv.wait_until(lock, deadline, [&] { return stop_ || static_cast<int>(st.queue.size()) >= st.scaled.max_batch; });
          if (stop_) return;
        }
        const int n = kernel ? std::min<int>(st.scaled.max_batch, static_cast<int>(st.queue.size())) : 1;
        batch.assign(st.queue.begin(), st.queue.begin() + n);
        st.queue.erase(st.queue.begin(), st.queue.begin() + n);
      }
      if (kernel) {
        st.kernels[static_cast<std::size_t>(k)]->run(static_cast<int>(batch.size()));
      } else {
        const sim::Station& m = *st.model;
        double ms = m.cache_hit_ratio > 0 && rng.chance(m.cache_hit_ratio) ? m.cache_hit_ms : m.service.sample(rng, 1);
        const auto start = Clock::now();
        std::this_thread::sleep_for(Ms(ms));
        st.overshoots[static_cast<std::size_t>(k)].push_back(Ms(Clock::now() - start).count() - ms);
      }
      for (const auto& item : batch) done(item);
    }
  }

  const sim::WorkloadModel& w_;
  std::vector<std::unique_ptr<Station>> stations_;
  std::vector<std::thread> threads_;
  std::vector<Clock::time_point> arrival_;
  std::vector<double> latency_;
  std::unique_ptr<std::atomic<int>[]> pending_;
  std::atomic<bool> stop_{false};
  std::mutex done_mu_;
  std::condition_variable done_cv_;
  std::size_t done_ = 0;
};

}  // namespace

ValidationResult validate(const System& system, const sim::Scenario& scenario, const std::vector<PlannedModel>& models,
                          const ValidateOptions& o) {
  ValidationResult r;
  // The workload.
  std::size_t wi = 0;
  if (!o.workload.empty()) {
    while (wi < scenario.workloads.size() && scenario.workloads[wi].name != o.workload) ++wi;
    if (wi == scenario.workloads.size()) {
      r.errors.push_back(validate_error(system, "/workloads", fmt::format("no workload is named '{}'", o.workload)));
      return r;
    }
  }
  const sim::WorkloadModel& w = scenario.workloads.at(wi);
  r.workload = w.name;
  r.spec_rate_rps = w.arrivals.rate_rps;
  if (w.arrivals.process == sim::Arrivals::Process::trace) {
    r.errors.push_back(validate_error(system, pointer_append(w.pointer, "arrival"),
                                      fmt::format("workload '{}' replays a trace: validate needs a rate to scale", w.name),
                                      "validate a workload with a poisson, constant or bursty arrival"));
    return r;
  }
  r.process = w.arrivals.process == sim::Arrivals::Process::constant ? "constant"
              : w.arrivals.process == sim::Arrivals::Process::bursty ? "bursty"
                                                                    : "poisson";

  // Which stations the workload visits, and how often.
  std::vector<double> visits(scenario.stations.size(), 0);
  for (const auto& step : w.steps)
    for (const auto& b : step.branches)
      for (auto s : b.stations) visits[s] += 1;
  std::map<std::string, const PlannedModel*> kernel_of;
  for (const auto& pm : models) kernel_of[pm.model->id] = &pm;

  // Measured times of each served model on one thread, at batch sizes 1, 2, 4, ... max_batch.
  set_threads(1);
  std::map<std::string, sim::Calibration::ModelTimes> measured;
  int max_batch_of_models = 1;
  for (std::size_t s = 0; s < scenario.stations.size(); ++s) {
    const sim::Station& st = scenario.stations[s];
    const Component& c = system.components[st.component];
    if (visits[s] == 0 || !c.service_time.from_model) continue;
    if (st.servers_per_replica > c.concurrency) {
      r.errors.push_back(validate_error(system, pointer_append(c.pointer, "batching"),
                                        fmt::format("component '{}': validate runs dynamic batching, not continuous batching", c.id),
                                        "validate the spec with `mode: dynamic`, or simulate it"));
      return r;
    }
    max_batch_of_models = std::max(max_batch_of_models, st.max_batch);
  }
  for (std::size_t s = 0; s < scenario.stations.size(); ++s) {
    const sim::Station& st = scenario.stations[s];
    const Component& c = system.components[st.component];
    if (visits[s] == 0 || !c.service_time.from_model || measured.count(c.model)) continue;
    auto pm = kernel_of.find(c.model);
    if (pm == kernel_of.end()) continue;
    auto model = make_reference_model(pm->second->plan, max_batch_of_models, 1);
    sim::Calibration::ModelTimes times;
    times.type = pm->second->plan.type;
    for (int b = 1;; b = std::min(2 * b, st.max_batch)) {
      times.points.push_back({b, time_model(*model, b, o.timing).median_ms});
      if (b >= st.max_batch) break;
    }
    measured[c.model] = std::move(times);
  }

  // The scaled configuration: model servers one worker each (kernels on one thread); the other
  // stations as many servers as keep their utilization at the spec's at the scaled rate.
  sim::Calibration cal;
  cal.models.insert(measured.begin(), measured.end());
  double busiest = 0;  // visits × service ÷ servers of the busiest model server, per request
  for (std::size_t s = 0; s < scenario.stations.size(); ++s) {
    const sim::Station& st = scenario.stations[s];
    const Component& c = system.components[st.component];
    if (visits[s] > 0 && measured.count(c.model)) busiest = std::max(busiest, visits[s] * *cal.ms(c.model, 1) / 1000);
  }
  double rate = o.max_rate_rps;
  if (busiest > 0) rate = std::min(rate, o.kernel_utilization / busiest);
  r.rate_rps = rate;
  const double scale = w.arrivals.rate_rps > 0 ? rate / w.arrivals.rate_rps : 1;
  sim::Scenario scaled = scenario;
  for (std::size_t s = 0; s < scaled.stations.size(); ++s) {
    sim::Station& st = scaled.stations[s];
    const Component& c = system.components[st.component];
    ScaledStation ss;
    ss.id = st.id;
    const bool kernel = visits[s] > 0 && measured.count(c.model);
    if (kernel) {
      ss.model = c.model;
      ss.servers = 1;
      st.service.shape = sim::ServiceModel::Shape::constant;
      st.service.batch_mean_ms.assign(static_cast<std::size_t>(st.max_batch) + 1, 0);
      for (int b = 1; b <= st.max_batch; ++b) st.service.batch_mean_ms[static_cast<std::size_t>(b)] = *cal.ms(c.model, b);
      st.service.mean_ms = st.service.batch_mean_ms[1];
      st.service.origin = "measured on this host";
      st.cache_hit_ratio = 0;
    } else {
      int spec_servers = st.max_replicas * st.servers_per_replica;
      ss.servers = std::clamp(static_cast<int>(std::ceil(spec_servers * scale)), 1, o.max_servers);
      st.max_batch = 1;  // a declared time is of the whole service
    }
    st.replicas = st.max_replicas = 1;
    st.autoscaled = false;
    st.servers_per_replica = ss.servers;
    st.queue_limit.reset();
    st.timeout_ms = 0;
    st.retries = 0;
    st.mtbf_s = 0;
    ss.max_batch = st.max_batch;
    ss.max_wait_ms = st.max_wait_ms;
    ss.mean_service_ms = st.cache_hit_ratio * st.cache_hit_ms + (1 - st.cache_hit_ratio) * st.service.mean(1);
    if (visits[s] == 0) ss.servers = 0;  // no traffic: no threads
    r.stations.push_back(ss);
  }

  // Requests: enough counted ones, within the time allowed.
  r.seconds = std::max(o.seconds, o.warmup_s + o.min_requests / rate);
  if (r.seconds > o.max_seconds) {
    r.errors.push_back(validate_error(system, w.pointer,
                                      fmt::format("workload '{}': at the {:.3g} requests/s this host sustains, {} requests take {:.0f} s, "
                                                  "more than the {:.0f} s allowed",
                                                  w.name, rate, o.min_requests, r.seconds, o.max_seconds),
                                      "the model servers' kernels are slow on this host: validate a smaller model"));
    return r;
  }
  r.warmup_s = o.warmup_s;
  std::vector<double> times = arrival_times(w.arrivals, rate, r.seconds, o.seed);

  // The real run.
  std::vector<ScaledStation> by_station = r.stations;
  ServingRun run(scenario, w, by_station, kernel_of, max_batch_of_models, o.seed);
  std::vector<double> latency = run.run(times, 2 * r.seconds + 10);
  std::vector<double> counted;
  for (std::size_t i = 0; i < times.size(); ++i) {
    if (latency[i] < 0) ++r.unfinished;
    else if (times[i] >= o.warmup_s) counted.push_back(latency[i]);
  }
  r.measured = summarize(counted);
  r.host = run.delays();

  // Each visit of the real run waited for its worker to wake, and a sleep ended late: the
  // simulation adds the means of both, as measured in the run, to every visit.
  for (std::size_t s = 0; s < scaled.stations.size(); ++s) {
    sim::Station& st = scaled.stations[s];
    const double sleep = r.stations[s].model.empty() ? r.host.sleep_overshoot_ms : 0;
    st.service.offset_ms = r.host.handover_ms + sleep;
    if (st.cache_hit_ratio > 0) st.cache_hit_ms += r.host.handover_ms + (st.cache_hit_ms > 0 ? sleep : 0);
  }

  // The simulation of the same configuration, replaying the same arrivals.
  sim::WorkloadModel sw = w;
  sw.arrivals.process = sim::Arrivals::Process::trace;
  sw.arrivals.diurnal = false;
  sw.arrivals.trace_s = std::make_shared<const std::vector<double>>(times);
  sw.slos.clear();
  for (auto& step : sw.steps)
    for (auto& b : step.branches) {
      std::fill(b.hop_ms.begin(), b.hop_ms.end(), 0.0);
      b.exit_hop_ms = 0;
    }
  scaled.workloads = {sw};
  scaled.static_costs.clear();
  sim::SimulateOptions so;
  so.duration_s = r.seconds;
  so.warmup_s = o.warmup_s;
  so.replications = o.replications;
  so.seed = o.seed;
  so.threads = 1;
  sim::SimulationResult sr = sim::simulate(scaled, so);
  const sim::WorkloadResult& wr = sr.workloads.front();
  r.simulated = {wr.requests.value, wr.mean.value, wr.p50.value, wr.p90.value, wr.p99.value};
  r.replications = sr.replications;
  // Only the visited stations are reported.
  std::vector<ScaledStation> visited;
  for (const auto& s : r.stations)
    if (s.servers > 0) visited.push_back(s);
  r.stations = std::move(visited);
  return r;
}

namespace {

double error_pct(double simulated, double measured) { return measured > 0 ? (simulated - measured) / measured * 100 : 0; }

}  // namespace

std::string render_validation_json(const ValidationResult& r) {
  Json j;
  j["version"] = 1;
  j["workload"] = r.workload;
  j["arrival"] = {{"process", r.process}, {"spec_rate_rps", r.spec_rate_rps}, {"rate_rps", r.rate_rps}};
  j["seconds"] = r.seconds;
  j["warmup_s"] = r.warmup_s;
  j["stations"] = Json::array();
  for (const auto& s : r.stations)
    j["stations"].push_back({{"id", s.id},
                             {"work", s.model.empty() ? "declared" : "kernel"},
                             {"model", s.model.empty() ? Json(nullptr) : Json(s.model)},
                             {"servers", s.servers},
                             {"max_batch", s.max_batch},
                             {"max_wait_ms", s.max_wait_ms},
                             {"mean_service_ms", s.mean_service_ms}});
  j["host_delays"] = {{"handover_ms", r.host.handover_ms},
                      {"sleep_overshoot_ms", r.host.sleep_overshoot_ms},
                      {"handovers", r.host.handovers},
                      {"sleeps", r.host.sleeps}};
  auto latency = [](const LatencySummary& l) {
    return Json{{"requests", l.requests}, {"mean_ms", l.mean_ms}, {"p50_ms", l.p50_ms}, {"p90_ms", l.p90_ms}, {"p99_ms", l.p99_ms}};
  };
  j["measured"] = latency(r.measured);
  j["measured"]["unfinished"] = r.unfinished;
  j["simulated"] = latency(r.simulated);
  j["simulated"]["replications"] = r.replications;
  j["error_pct"] = {{"mean", error_pct(r.simulated.mean_ms, r.measured.mean_ms)},
                    {"p50", error_pct(r.simulated.p50_ms, r.measured.p50_ms)},
                    {"p90", error_pct(r.simulated.p90_ms, r.measured.p90_ms)},
                    {"p99", error_pct(r.simulated.p99_ms, r.measured.p99_ms)}};
  return j.dump(2) + "\n";
}

std::string render_validation_text(const ValidationResult& r) {
  std::string out = fmt::format("workload '{}': {} arrivals at {:.4g} requests/s (the spec: {:.4g}), {:.3g} s on this host, "
                                "the first {:.3g} s not counted\n\n",
                                r.workload, r.process, r.rate_rps, r.spec_rate_rps, r.seconds, r.warmup_s);
  out += fmt::format("  {:<20}  {:>7}  {:>9}  {:>8}  {:>10}  {}\n", "component", "servers", "max batch", "wait ms", "service ms", "work");
  for (const auto& s : r.stations)
    out += fmt::format("  {:<20}  {:>7}  {:>9}  {:>8.3g}  {:>10.4g}  {}\n", s.id, s.servers, s.max_batch, s.max_wait_ms,
                       s.mean_service_ms, s.model.empty() ? "sleeps its declared time" : "reference kernel of '" + s.model + "'");
  out += fmt::format("\n  added to each simulated visit, as measured in the run: {:.3f} ms for an idle worker to take a request"
                     " (mean of {}),\n  and {:.3f} ms more where the work is a sleep (mean overshoot of {} sleeps)\n",
                     r.host.handover_ms, r.host.handovers, r.host.sleep_overshoot_ms, r.host.sleeps);
  out += fmt::format("\n  {:<10}  {:>12}  {:>12}  {:>8}\n", "latency", "measured ms", "simulated ms", "error");
  auto row = [&](const char* name, double m, double s) {
    out += fmt::format("  {:<10}  {:>12.4g}  {:>12.4g}  {:>+7.1f}%\n", name, m, s, error_pct(s, m));
  };
  row("mean", r.measured.mean_ms, r.simulated.mean_ms);
  row("p50", r.measured.p50_ms, r.simulated.p50_ms);
  row("p90", r.measured.p90_ms, r.simulated.p90_ms);
  row("p99", r.measured.p99_ms, r.simulated.p99_ms);
  out += fmt::format("\n  {:.0f} requests counted ({} unfinished); the simulation: {} replications of the same arrivals\n",
                     r.measured.requests, r.unfinished, r.replications);
  return out;
}

}  // namespace mlarch::kernels
