// Replications on threads, then per-replication statistics merged into estimates.
#include "mlarch/simulator/simulate.hpp"

#include <algorithm>
#include <cmath>

#include <boost/math/distributions/students_t.hpp>

#include "mlarch/analyzer/capacity.hpp"
#include "mlarch/simulator/parallel.hpp"

namespace mlarch::sim {

Estimate estimate(const std::vector<double>& xs) {
  Estimate e;
  if (xs.empty()) return e;
  double sum = 0;
  for (double x : xs) sum += x;
  auto n = static_cast<double>(xs.size());
  e.value = sum / n;
  if (xs.size() < 2) return e;
  double ss = 0;
  for (double x : xs) ss += (x - e.value) * (x - e.value);
  double sd = std::sqrt(ss / (n - 1));
  boost::math::students_t t(n - 1);
  e.ci95 = boost::math::quantile(boost::math::complement(t, 0.025)) * sd / std::sqrt(n);
  return e;
}

std::uint32_t busiest_station(const Scenario& scenario, std::size_t w, const SimulationResult& result) {
  std::optional<std::uint32_t> busiest;
  for (const auto& step : scenario.workloads[w].steps)
    for (const auto& branch : step.branches)
      for (std::uint32_t s : branch.stations)
        if (!busiest || result.components[s].utilization.value > result.components[*busiest].utilization.value) busiest = s;
  return *busiest;  // a path has at least one station
}

bool WorkloadResult::slos_met() const {
  return std::all_of(slos.begin(), slos.end(), [](const SloVerdict& v) { return v.met; });
}

namespace {

// The merged latency histogram of all replications, in kDistributionBins bins evenly spaced on a
// log scale from the smallest to the largest latency.
std::vector<LatencyBin> distribution(const std::vector<ReplicationResult>& reps, std::size_t w) {
  LatencyHistogram all;
  for (const auto& r : reps) all.merge(r.workloads[w].latency);
  if (all.count() == 0) return {};
  double lo = all.min(), hi = all.max();
  if (!(lo > 0) || hi <= lo * 1.0001) return {{lo, hi, 1.0}};
  std::vector<LatencyBin> bins(kDistributionBins);
  double step = std::log(hi / lo) / kDistributionBins;
  for (int i = 0; i < kDistributionBins; ++i) {
    bins[static_cast<std::size_t>(i)].from_ms = lo * std::exp(step * i);
    bins[static_cast<std::size_t>(i)].to_ms = i + 1 == kDistributionBins ? hi : lo * std::exp(step * (i + 1));
  }
  auto total = static_cast<double>(all.count());
  all.for_each_bucket([&](double ms, std::uint64_t n) {
    auto i = static_cast<int>(std::floor(std::log(ms / lo) / step));
    bins[static_cast<std::size_t>(std::clamp(i, 0, kDistributionBins - 1))].share += static_cast<double>(n) / total;
  });
  return bins;
}

}  // namespace

std::pair<double, double> run_window(const Scenario& scenario, const SimulateOptions& options) {
  double duration = 0;
  for (const auto& w : scenario.workloads) duration = std::max(duration, w.duration_s.value_or(0));
  if (options.duration_s) duration = *options.duration_s;
  if (duration <= 0) duration = 600;
  double warmup = options.warmup_s.value_or(std::min(0.1 * duration, 300.0));
  return {duration, warmup};
}

SimulationResult simulate(const Scenario& scenario, const SimulateOptions& options) {
  auto [duration, warmup] = run_window(scenario, options);
  RunOptions run;
  run.duration_s = duration;
  run.warmup_s = warmup;
  run.max_in_flight = options.max_in_flight;

  const int n = std::max(1, options.replications);
  std::vector<ReplicationResult> reps(static_cast<std::size_t>(n));
  parallel_for(n, options.threads, [&](int i) {
    reps[static_cast<std::size_t>(i)] = run_replication(scenario, run, replication_seed(options.seed, static_cast<std::uint64_t>(i)));
  });

  SimulationResult out;
  out.seed = options.seed;
  out.replications = n;
  out.duration_s = duration;
  out.warmup_s = warmup;
  for (std::size_t i = 0; i < reps.size(); ++i) {
    out.events += reps[i].events;
    if (reps[i].stopped) out.stopped.push_back("replication " + std::to_string(i) + ": " + reps[i].stop_reason);
  }
  auto across = [&](auto&& f) {
    std::vector<double> xs;
    xs.reserve(reps.size());
    for (const auto& r : reps) xs.push_back(f(r));
    return estimate(xs);
  };

  std::vector<double> answered_total(reps.size(), 0);
  for (std::size_t w = 0; w < scenario.workloads.size(); ++w) {
    const WorkloadModel& wm = scenario.workloads[w];
    WorkloadResult wr;
    wr.name = wm.name;
    wr.pointer = wm.pointer;
    auto ws = [w](const ReplicationResult& r) -> const WorkloadStats& { return r.workloads[w]; };
    auto per_s = [](const ReplicationResult& r, double x) { return r.measured_s > 0 ? x / r.measured_s : 0; };
    wr.requests = across([&](const auto& r) { return static_cast<double>(ws(r).sent); });
    wr.throughput_rps = across([&](const auto& r) { return per_s(r, static_cast<double>(ws(r).answered)); });
    wr.mean = across([&](const auto& r) { return ws(r).latency.mean(); });
    wr.p50 = across([&](const auto& r) { return ws(r).latency.quantile(0.5); });
    wr.p90 = across([&](const auto& r) { return ws(r).latency.quantile(0.9); });
    wr.p95 = across([&](const auto& r) { return ws(r).latency.quantile(0.95); });
    wr.p99 = across([&](const auto& r) { return ws(r).latency.quantile(0.99); });
    wr.p999 = across([&](const auto& r) { return ws(r).latency.quantile(0.999); });
    wr.drops = across([&](const auto& r) { return static_cast<double>(ws(r).dropped); });
    wr.timeouts = across([&](const auto& r) { return static_cast<double>(ws(r).timed_out); });
    wr.lost = across([&](const auto& r) { return static_cast<double>(ws(r).lost); });
    wr.unfinished = across([&](const auto& r) { return static_cast<double>(ws(r).unfinished); });
    wr.availability = across([&](const auto& r) {
      return ws(r).sent ? static_cast<double>(ws(r).answered) / static_cast<double>(ws(r).sent) : 1.0;
    });
    for (std::size_t i = 0; i < reps.size(); ++i) answered_total[i] += static_cast<double>(reps[i].workloads[w].answered);
    for (const auto& slo : wm.slos) {
      SloVerdict v{slo.objective, slo.pointer, slo.target, {}, false};
      if (slo.objective == "availability") {
        v.value = wr.availability;
        v.met = v.value.value >= slo.target;
      } else {
        v.value = slo.objective == "latency_p50_ms" ? wr.p50 : slo.objective == "latency_p95_ms" ? wr.p95 : wr.p99;
        v.met = v.value.value <= slo.target;
      }
      wr.slos.push_back(std::move(v));
    }
    wr.distribution = distribution(reps, w);
    out.workloads.push_back(std::move(wr));
  }

  std::vector<double> usd_month(reps.size(), 0);
  for (std::size_t s = 0; s < scenario.stations.size(); ++s) {
    const Station& st = scenario.stations[s];
    ComponentResult c;
    c.id = st.id;
    c.pointer = st.pointer;
    c.service_origin = st.service.origin;
    c.autoscaled = st.autoscaled;
    auto ss = [s](const ReplicationResult& r) -> const StationStats& { return r.stations[s]; };
    c.utilization = across([&](const auto& r) { return ss(r).utilization; });
    c.mean_queue_length = across([&](const auto& r) { return ss(r).mean_queue_length; });
    c.mean_wait_ms = across([&](const auto& r) { return ss(r).mean_wait_ms; });
    c.mean_replicas = across([&](const auto& r) { return ss(r).mean_replicas; });
    c.mean_batch_size = across([&](const auto& r) { return ss(r).mean_batch_size; });
    c.throughput_rps = across([&](const auto& r) { return ss(r).throughput_rps; });
    c.arrival_rps = across([&](const auto& r) { return ss(r).arrival_rps; });
    c.mean_service_ms = across([&](const auto& r) { return ss(r).mean_service_ms; });
    c.mean_in_system = across([&](const auto& r) { return ss(r).mean_in_system; });
    c.mean_response_ms = across([&](const auto& r) { return ss(r).mean_response_ms; });
    c.drops = across([&](const auto& r) { return static_cast<double>(ss(r).drops); });
    c.wait_probability = across([&](const auto& r) { return ss(r).wait_probability; });
    c.mean_servers = across([&](const auto& r) { return ss(r).mean_servers; });
    if (st.autoscaled) {
      std::size_t len = 0;
      for (const auto& r : reps) len = std::max(len, ss(r).replica_series.size());
      c.replica_series.assign(len, 0);
      for (std::size_t k = 0; k < len; ++k) {
        double sum = 0;
        int count = 0;
        for (const auto& r : reps)
          if (k < ss(r).replica_series.size()) {
            sum += ss(r).replica_series[k];
            ++count;
          }
        c.replica_series[k] = count ? sum / count : 0;
      }
    }
    if (st.usd_per_hour) {
      std::vector<double> xs;
      for (std::size_t i = 0; i < reps.size(); ++i) {
        double usd = reps[i].stations[s].mean_replicas * *st.usd_per_hour * kHoursPerMonth;
        xs.push_back(usd);
        usd_month[i] += usd;
      }
      out.cost.by_component.emplace_back(st.id, estimate(xs));
    }
    out.components.push_back(std::move(c));
  }
  for (const auto& sc : scenario.static_costs) {
    double usd = sc.replicas * sc.usd_per_hour * kHoursPerMonth;
    for (double& u : usd_month) u += usd;
    out.cost.by_component.emplace_back(sc.id, Estimate{usd, 0.0});
  }
  out.cost.unpriced = scenario.unpriced;
  out.cost.usd_per_month = estimate(usd_month);
  std::vector<double> per_million;
  for (std::size_t i = 0; i < reps.size(); ++i) {
    double hours = reps[i].measured_s / 3600;
    double answered = answered_total[i];
    per_million.push_back(answered > 0 ? usd_month[i] / kHoursPerMonth * hours / answered * 1e6 : 0);
  }
  out.cost.usd_per_million_requests = estimate(per_million);
  return out;
}

}  // namespace mlarch::sim
