// The event loop and the station, request and replica logic of one replication.
#include "mlarch/simulator/engine.hpp"

#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>
#include <optional>

#include <fmt/format.h>

#include "mlarch/simulator/event_queue.hpp"

namespace mlarch::sim {

namespace {

constexpr double kPi = 3.14159265358979323846;

enum class Kind : std::uint32_t {
  arrival,        // a: workload
  enter,          // a: token — it reaches its station (after a hop or a backoff)
  cache_hit,      // a: token, b: attempt
  service_done,   // a: station, b: server, c: server generation
  batch_timer,    // a: station, b: timer generation
  timeout,        // a: station — the earliest pending client timeout there is due
  join,           // a: token — a branch's exit hop is over
  burst_switch,   // a: workload
  autoscale,      // a: station
  replica_ready,  // a: station, b: replica, c: replica generation
  replica_fail,   // a: station, b: replica, c: replica generation
  replica_repair, // a: station, b: replica, c: replica generation
  warmup_end,
  arrivals_end,
};

struct Event {
  double time;
  std::uint64_t seq;
  Kind kind;
  std::uint32_t a, b, c;
};

enum class Outcome : std::uint8_t { pending, answered, dropped, timed_out, lost };

struct Request {
  double start;
  std::uint32_t workload;
  std::uint32_t step;
  std::uint32_t pending_branches;
  std::uint32_t live_tokens;
  Outcome outcome;
  bool measured;
};

struct Token {
  std::uint32_t request;
  std::uint32_t branch;
  std::uint32_t pos;
  std::uint32_t station;  // stations[pos] of its branch
  std::uint32_t attempt;  // of the visit in progress; 0 between visits
  std::uint32_t tries;    // retries already made at the current station
};

struct Job {
  std::uint32_t token;
  std::uint32_t attempt;
  double enqueued;
};

// A FIFO on a growable ring buffer.
template <typename Job>
class Fifo {
 public:
  bool empty() const { return size_ == 0; }
  std::size_t size() const { return size_; }
  const Job& front() const { return buf_[head_]; }
  void push(const Job& j) {
    if (size_ == buf_.size()) grow();
    buf_[(head_ + size_) & (buf_.size() - 1)] = j;
    ++size_;
  }
  Job pop() {
    Job j = buf_[head_];
    head_ = (head_ + 1) & (buf_.size() - 1);
    --size_;
    return j;
  }

 private:
  void grow() {
    std::vector<Job> next(buf_.empty() ? 64 : buf_.size() * 2);
    for (std::size_t i = 0; i < size_; ++i) next[i] = buf_[(head_ + i) & (buf_.size() - 1)];
    buf_ = std::move(next);
    head_ = 0;
  }
  std::vector<Job> buf_;
  std::size_t head_ = 0, size_ = 0;
};

// ∫ value dt, kept up to date at each change.
struct TimeIntegral {
  double area = 0, value = 0, since = 0;
  void set(double now, double v) {
    area += value * (now - since);
    since = now;
    value = v;
  }
  void add(double now, double dv) { set(now, value + dv); }
  double total(double now) const { return area + value * (now - since); }
};

enum class ReplicaState : std::uint8_t { off, starting, ready, failed, draining };

struct Replica {
  ReplicaState state = ReplicaState::off;
  std::uint32_t generation = 0;
  std::uint32_t busy = 0;  // its busy servers
};

// A client's deadline for one visit. All visits to a station share its timeout, so deadlines are
// reached in the order they were set: a FIFO per station with one pending event for its head,
// rather than one event per visit in the heap (most visits end in time and never need theirs).
struct Deadline {
  std::uint32_t token;
  std::uint32_t attempt;
  double at;
};

struct StationState {
  Fifo<Job> queue;
  std::size_t queue_cap = 0;  // the queue limit, or no limit: one comparison for both
  Fifo<Deadline> deadlines;
  bool deadline_armed = false;
  std::vector<std::uint32_t> free_servers;  // of ready replicas
  std::vector<std::uint8_t> server_busy;
  std::vector<std::uint32_t> server_generation;
  std::vector<std::uint32_t> batch_size;  // of the service in progress
  std::vector<Job> in_service;            // server k's batch at [k × max_batch, ...)
  std::vector<Replica> replicas;
  int provisioned = 0;  // starting + ready + failed (what the autoscaler counts as current)
  std::uint32_t timer_generation = 0;
  double timer_at = -1;
  // Statistics.
  TimeIntegral busy, capacity, queued, in_system, billed;
  double window_busy = 0, window_capacity = 0;  // at the last autoscaler evaluation
  std::deque<std::pair<double, int>> recommendations;
  std::uint64_t arrivals = 0, started = 0, waited = 0, served = 0, services = 0, drops = 0;
  double wait_sum = 0, response_sum = 0, service_sum = 0;
  std::vector<double> replica_series;
};

// The diurnal profile relative to its peak, exp(κ(cos(2πt/P − π) − 1)), with its bounds over
// each of 4,096 segments of the period, so that thinning accepts most candidates on a comparison
// with the segment's minimum, without evaluating the profile (Lewis & Shedler with a squeeze).
class DiurnalProfile {
 public:
  static constexpr std::uint64_t kSegments = 4096;
  DiurnalProfile(double kappa, double period_ms) : kappa_(kappa), period_(period_ms), width_(period_ms / kSegments) {
    lo_.resize(kSegments);
    hi_.resize(kSegments);
    for (std::uint64_t k = 0; k < kSegments; ++k) {
      // Monotonic within a segment: the low is at 0 and the peak at P/2, both segment bounds.
      double a = factor(static_cast<double>(k) * width_), b = factor(static_cast<double>(k + 1) * width_);
      lo_[k] = std::min(a, b);
      hi_[k] = std::max(a, b);
    }
  }
  double factor(double t) const { return std::exp(kappa_ * (std::cos(2 * kPi * t / period_ - kPi) - 1)); }
  double width() const { return width_; }
  double lo(std::uint64_t n) const { return lo_[n % kSegments]; }
  double hi(std::uint64_t n) const { return hi_[n % kSegments]; }

 private:
  double kappa_, period_, width_;
  std::vector<double> lo_, hi_;
};

struct WorkloadState {
  std::optional<DiurnalProfile> profile;
  std::uint32_t arrival_generation = 0;
  bool in_burst = false;
  double rate_now = 0;  // the modulated rate of a bursty process in its current state
  std::size_t trace_next = 0;
};

constexpr std::uint32_t kNoToken = std::numeric_limits<std::uint32_t>::max();

class Engine {
 public:
  Engine(const Scenario& scenario, const RunOptions& options, std::uint64_t seed)
      : sc_(scenario), opt_(options), rng_(seed) {}

  ReplicationResult run();

 private:
  // Scheduling.
  void schedule(double t, Kind k, std::uint32_t a = 0, std::uint32_t b = 0, std::uint32_t c = 0) {
    events_.push(Event{t, 0, k, a, b, c});
  }

  // Arrivals.
  // The rate at t relative to the workload's peak rate.
  double profile_factor(std::uint32_t w, double t) const;
  void schedule_next_arrival(std::uint32_t w);
  void on_arrival(std::uint32_t w);
  void on_burst_switch(std::uint32_t w);

  // Requests and tokens.
  std::uint32_t new_request(std::uint32_t w);
  std::uint32_t new_token(std::uint32_t request, std::uint32_t branch);
  void free_token(std::uint32_t t);
  // `reuse`: the token of the request's step just ended, which becomes the first branch's.
  void start_step(std::uint32_t r, std::uint32_t reuse = kNoToken);
  void enter(std::uint32_t t);
  void visit_done(std::uint32_t t);
  void branch_done(std::uint32_t t);
  void attempt_failed(std::uint32_t t, Outcome why);
  void fail_request(std::uint32_t r, Outcome why);
  void finish_request(std::uint32_t r);
  const Branch& branch_of(const Token& tok) const {
    const Request& req = requests_[tok.request];
    return sc_.workloads[req.workload].steps[req.step].branches[tok.branch];
  }
  const Station& station_of(const Token& tok) const { return sc_.stations[tok.station]; }

  // Stations.
  void arrive_at_station(std::uint32_t s, std::uint32_t t);
  void dispatch(std::uint32_t s);
  void start_service(std::uint32_t s, std::uint32_t server, std::uint32_t n);
  void on_service_done(std::uint32_t s, std::uint32_t server, std::uint32_t generation);
  void release_server(std::uint32_t s, std::uint32_t server);
  void on_deadline(std::uint32_t s);

  // Replicas.
  void set_replica(std::uint32_t s, std::uint32_t r, ReplicaState state);
  void start_replica(std::uint32_t s, std::uint32_t r);
  void on_replica_ready(std::uint32_t s, std::uint32_t r, std::uint32_t g);
  void on_replica_fail(std::uint32_t s, std::uint32_t r, std::uint32_t g);
  void on_replica_repair(std::uint32_t s, std::uint32_t r, std::uint32_t g);
  void stop_replica(std::uint32_t s, std::uint32_t r);
  void on_autoscale(std::uint32_t s);
  void update_billed(std::uint32_t s);

  void begin_measurement();
  void end_measurement();

  const Scenario& sc_;
  const RunOptions& opt_;
  Rng rng_;
  EventQueue<Event> events_;
  double now_ = 0;  // ms
  const double end_ms_ = 1000 * opt_.duration_s;
  bool measuring_ = false, arrivals_open_ = true, measurement_closed_ = false;
  double measure_start_ = 0, measure_end_ = 0;
  std::vector<Request> requests_;
  std::vector<std::uint32_t> free_requests_;
  std::vector<Token> tokens_;
  std::vector<std::uint32_t> free_tokens_;
  std::uint64_t in_flight_ = 0;
  std::uint32_t attempt_counter_ = 0;
  std::vector<StationState> st_;
  std::vector<WorkloadState> ws_;
  std::vector<Job> done_;
  ReplicationResult out_;
};

// ---- arrivals -------------------------------------------------------------------------------

double Engine::profile_factor(std::uint32_t w, double t) const {
  return ws_[w].profile ? ws_[w].profile->factor(t) : 1.0;
}

void Engine::schedule_next_arrival(std::uint32_t w) {
  const Arrivals& a = sc_.workloads[w].arrivals;
  WorkloadState& s = ws_[w];
  double t = now_;
  switch (a.process) {
    case Arrivals::Process::trace:
      if (s.trace_next >= a.trace_s->size()) return;
      t = 1000 * (*a.trace_s)[s.trace_next++];
      break;
    case Arrivals::Process::constant: {
      // Evenly spaced at the profile's current rate.
      double peak = a.rate_rps * (a.diurnal ? a.peak_to_mean : 1);
      t = now_ + 1000 / (peak * profile_factor(w, now_));
      break;
    }
    case Arrivals::Process::poisson:
    case Arrivals::Process::bursty: {
      // Thinning (Lewis & Shedler): candidates at the peak rate, each kept with probability
      // rate(t) ÷ peak.
      double base = a.process == Arrivals::Process::bursty ? s.rate_now : a.rate_rps;
      double peak = base * (a.diurnal ? a.peak_to_mean : 1);
      t = now_;
      if (!s.profile) {
        t += rng_.exponential(1000 / peak);
        break;
      }
      // Candidates at each segment's highest rate; one that passes the segment's end restarts
      // there (the process is memoryless). Kept with probability rate(t) ÷ that highest rate.
      const DiurnalProfile& p = *s.profile;
      auto n = static_cast<std::uint64_t>(t / p.width());
      for (;;) {
        if (t >= end_ms_ || !(peak > 0)) return;
        double hi = p.hi(n), end = static_cast<double>(n + 1) * p.width();
        double candidate = t + rng_.exponential(1000 / (peak * hi));
        if (candidate >= end) {
          t = end;
          ++n;
          continue;
        }
        t = candidate;
        double u = rng_.uniform() * hi;
        if (u < p.lo(n) || u < p.factor(t)) break;
      }
      break;
    }
  }
  if (t >= end_ms_) return;
  schedule(t, Kind::arrival, w, s.arrival_generation);
}

void Engine::on_burst_switch(std::uint32_t w) {
  const Arrivals& a = sc_.workloads[w].arrivals;
  WorkloadState& s = ws_[w];
  s.in_burst = !s.in_burst;
  double burst_rate = a.rate_rps * a.burst_factor;
  double calm_rate = a.rate_rps * (1 - a.burst_factor * a.burst_fraction) / (1 - a.burst_fraction);
  s.rate_now = s.in_burst ? burst_rate : calm_rate;
  double calm_s = a.burst_duration_s * (1 - a.burst_fraction) / a.burst_fraction;
  schedule(now_ + 1000 * rng_.exponential(s.in_burst ? a.burst_duration_s : calm_s), Kind::burst_switch, w);
  // The pending arrival was drawn at the old rate; the process is memoryless, so redraw.
  ++s.arrival_generation;
  if (arrivals_open_) schedule_next_arrival(w);
}

void Engine::on_arrival(std::uint32_t w) {
  if (!arrivals_open_) return;
  std::uint32_t r = new_request(w);
  if (measuring_) ++out_.workloads[w].sent;
  schedule_next_arrival(w);
  start_step(r);
}

// ---- requests -------------------------------------------------------------------------------

std::uint32_t Engine::new_request(std::uint32_t w) {
  std::uint32_t r;
  if (!free_requests_.empty()) {
    r = free_requests_.back();
    free_requests_.pop_back();
  } else {
    r = static_cast<std::uint32_t>(requests_.size());
    requests_.emplace_back();
  }
  requests_[r] = Request{now_, w, 0, 0, 0, Outcome::pending, measuring_};
  ++in_flight_;
  return r;
}

std::uint32_t Engine::new_token(std::uint32_t request, std::uint32_t branch) {
  std::uint32_t t;
  if (!free_tokens_.empty()) {
    t = free_tokens_.back();
    free_tokens_.pop_back();
  } else {
    t = static_cast<std::uint32_t>(tokens_.size());
    tokens_.emplace_back();
  }
  tokens_[t] = Token{request, branch, 0, 0, 0, 0};
  tokens_[t].station = branch_of(tokens_[t]).stations[0];
  ++requests_[request].live_tokens;
  return t;
}

void Engine::free_token(std::uint32_t t) {
  std::uint32_t r = tokens_[t].request;
  tokens_[t].attempt = 0;
  free_tokens_.push_back(t);
  if (--requests_[r].live_tokens == 0 && requests_[r].outcome != Outcome::pending) {
    free_requests_.push_back(r);
    --in_flight_;
  }
}

void Engine::start_step(std::uint32_t r, std::uint32_t reuse) {
  const Step& step = sc_.workloads[requests_[r].workload].steps[requests_[r].step];
  auto n = static_cast<std::uint32_t>(step.branches.size());
  requests_[r].pending_branches = n;
  std::uint32_t first = reuse;
  if (first == kNoToken) {
    first = new_token(r, 0);
  } else {
    tokens_[first] = Token{r, 0, 0, step.branches[0].stations[0], 0, 0};  // still counted live
  }
  for (std::uint32_t b = 1; b < n; ++b) enter(new_token(r, b));
  enter(first);
}

void Engine::enter(std::uint32_t t) {
  Token& tok = tokens_[t];
  if (requests_[tok.request].outcome != Outcome::pending) return free_token(t);
  std::uint32_t s = tok.station;
  const Station& station = sc_.stations[s];
  tok.attempt = ++attempt_counter_;
  if (attempt_counter_ == 0) tok.attempt = attempt_counter_ = 1;  // 0 means "between visits"
  if (station.timeout_ms > 0) {
    StationState& ss = st_[s];
    ss.deadlines.push(Deadline{t, tok.attempt, now_ + station.timeout_ms});
    if (!ss.deadline_armed) {
      ss.deadline_armed = true;
      schedule(now_ + station.timeout_ms, Kind::timeout, s);
    }
  }
  if (station.cache_hit_ratio > 0 && rng_.chance(station.cache_hit_ratio)) {
    if (station.cache_hit_ms > 0) return schedule(now_ + station.cache_hit_ms, Kind::cache_hit, t, tok.attempt);
    return visit_done(t);
  }
  arrive_at_station(s, t);
}

void Engine::visit_done(std::uint32_t t) {
  Token& tok = tokens_[t];
  tok.attempt = 0;
  tok.tries = 0;
  Request& req = requests_[tok.request];
  if (req.outcome != Outcome::pending) return free_token(t);
  const Branch& br = branch_of(tok);
  if (++tok.pos < br.stations.size()) {
    tok.station = br.stations[tok.pos];
    double hop = br.hop_ms[tok.pos];
    if (hop > 0) return schedule(now_ + hop, Kind::enter, t);
    return enter(t);
  }
  if (br.exit_hop_ms > 0) return schedule(now_ + br.exit_hop_ms, Kind::join, t);
  branch_done(t);
}

void Engine::branch_done(std::uint32_t t) {
  std::uint32_t r = tokens_[t].request;
  Request& req = requests_[r];
  bool last = req.outcome == Outcome::pending && --req.pending_branches == 0;
  if (last) {
    if (++req.step == sc_.workloads[req.workload].steps.size()) {
      finish_request(r);
    } else {
      return start_step(r, t);  // the request lives on in this token
    }
  }
  free_token(t);
}

void Engine::finish_request(std::uint32_t r) {
  Request& req = requests_[r];
  req.outcome = Outcome::answered;
  if (req.measured) {
    WorkloadStats& w = out_.workloads[req.workload];
    ++w.answered;
    w.latency.record(now_ - req.start);
  }
}

void Engine::fail_request(std::uint32_t r, Outcome why) {
  Request& req = requests_[r];
  if (req.outcome != Outcome::pending) return;
  req.outcome = why;
  if (!req.measured) return;
  WorkloadStats& w = out_.workloads[req.workload];
  if (why == Outcome::dropped) ++w.dropped;
  else if (why == Outcome::timed_out) ++w.timed_out;
  else ++w.lost;
}

void Engine::attempt_failed(std::uint32_t t, Outcome why) {
  Token& tok = tokens_[t];
  const Station& station = station_of(tok);
  tok.attempt = 0;
  if (requests_[tok.request].outcome == Outcome::pending && tok.tries < static_cast<std::uint32_t>(station.retries)) {
    // Exponential backoff, with full jitter when asked (AWS Architecture Blog, 2015).
    double backoff = station.backoff_ms * std::ldexp(1.0, static_cast<int>(tok.tries));
    ++tok.tries;
    if (station.jitter) backoff *= rng_.uniform();
    if (backoff > 0) return schedule(now_ + backoff, Kind::enter, t);
    return enter(t);
  }
  fail_request(tok.request, why);
  free_token(t);
}

// ---- stations -------------------------------------------------------------------------------

void Engine::arrive_at_station(std::uint32_t s, std::uint32_t t) {
  const Station& station = sc_.stations[s];
  StationState& ss = st_[s];
  if (measuring_) ++ss.arrivals;
  if (ss.queue.size() >= ss.queue_cap &&
      (ss.free_servers.empty() || station.max_batch > 1)) {
    if (measuring_) ++ss.drops;
    return attempt_failed(t, Outcome::dropped);
  }
  ss.queue.push(Job{t, tokens_[t].attempt, now_});
  ss.queued.add(now_, 1);
  ss.in_system.add(now_, 1);
  if (!ss.free_servers.empty()) dispatch(s);
}

void Engine::dispatch(std::uint32_t s) {
  const Station& station = sc_.stations[s];
  StationState& ss = st_[s];
  while (!ss.free_servers.empty() && !ss.queue.empty()) {
    std::uint32_t n = 1;
    if (station.max_batch > 1) {
      // Dynamic batching (Triton, TorchServe): a full batch goes at once; a partial one when
      // its oldest request has waited max_wait_ms.
      auto queued = static_cast<std::uint32_t>(ss.queue.size());
      double deadline = ss.queue.front().enqueued + station.max_wait_ms;
      if (queued < static_cast<std::uint32_t>(station.max_batch) && now_ < deadline) {
        if (ss.timer_at != deadline) {
          ss.timer_at = deadline;
          schedule(deadline, Kind::batch_timer, s, ++ss.timer_generation);
        }
        return;
      }
      n = std::min(queued, static_cast<std::uint32_t>(station.max_batch));
    }
    std::uint32_t server = ss.free_servers.back();
    ss.free_servers.pop_back();
    start_service(s, server, n);
  }
}

void Engine::start_service(std::uint32_t s, std::uint32_t server, std::uint32_t n) {
  const Station& station = sc_.stations[s];
  StationState& ss = st_[s];
  Job* batch = &ss.in_service[static_cast<std::size_t>(server) * station.max_batch];
  for (std::uint32_t i = 0; i < n; ++i) {
    batch[i] = ss.queue.pop();
    if (measuring_) {
      ss.wait_sum += now_ - batch[i].enqueued;
      ++ss.started;
      if (now_ > batch[i].enqueued) ++ss.waited;
    }
  }
  ss.queued.add(now_, -static_cast<double>(n));
  ss.batch_size[server] = n;
  ss.server_busy[server] = 1;
  ++ss.replicas[server / station.servers_per_replica].busy;
  ss.busy.add(now_, 1);
  double service = station.service.sample(rng_, static_cast<int>(n));
  if (measuring_) {
    ++ss.services;
    ss.service_sum += service;
  }
  schedule(now_ + service, Kind::service_done, s, server, ss.server_generation[server]);
}

void Engine::on_service_done(std::uint32_t s, std::uint32_t server, std::uint32_t generation) {
  const Station& station = sc_.stations[s];
  StationState& ss = st_[s];
  if (ss.server_generation[server] != generation) return;  // its replica failed meanwhile
  std::uint32_t n = ss.batch_size[server];
  Job* batch = &ss.in_service[static_cast<std::size_t>(server) * station.max_batch];
  ss.in_system.add(now_, -static_cast<double>(n));
  if (measuring_) {
    ss.served += n;
    for (std::uint32_t i = 0; i < n; ++i) ss.response_sum += now_ - batch[i].enqueued;
  }
  // Answer the batch's requests whose client still waits (a timed-out attempt was served for
  // nothing: that is what makes retry storms). Copied out first: answering may start a new batch
  // on this very server.
  if (n == 1) {
    const Job job = batch[0];
    release_server(s, server);
    if (tokens_[job.token].attempt == job.attempt) visit_done(job.token);
  } else {
    done_.assign(batch, batch + n);
    release_server(s, server);
    for (const Job& job : done_)
      if (tokens_[job.token].attempt == job.attempt) visit_done(job.token);
  }
  dispatch(s);
}

void Engine::on_deadline(std::uint32_t s) {
  StationState& ss = st_[s];
  // Armed while the due ones are handled: a retry entering this station appends behind them.
  while (!ss.deadlines.empty()) {
    const Deadline d = ss.deadlines.front();
    if (tokens_[d.token].attempt != d.attempt) {
      ss.deadlines.pop();  // that visit ended in time
    } else if (d.at <= now_) {
      ss.deadlines.pop();
      attempt_failed(d.token, Outcome::timed_out);
    } else {
      schedule(d.at, Kind::timeout, s);
      return;
    }
  }
  ss.deadline_armed = false;
}

void Engine::release_server(std::uint32_t s, std::uint32_t server) {
  const Station& station = sc_.stations[s];
  StationState& ss = st_[s];
  ss.server_busy[server] = 0;
  ss.busy.add(now_, -1);
  std::uint32_t r = server / station.servers_per_replica;
  Replica& rep = ss.replicas[r];
  --rep.busy;
  if (rep.state == ReplicaState::ready) {
    ss.free_servers.push_back(server);
  } else if (rep.state == ReplicaState::draining && rep.busy == 0) {
    set_replica(s, r, ReplicaState::off);
  }
}

// ---- replicas and the autoscaler ------------------------------------------------------------

void Engine::update_billed(std::uint32_t s) {
  int billed = 0;
  for (const auto& r : st_[s].replicas) billed += r.state != ReplicaState::off;
  st_[s].billed.set(now_, billed);
}

void Engine::set_replica(std::uint32_t s, std::uint32_t r, ReplicaState state) {
  const Station& station = sc_.stations[s];
  StationState& ss = st_[s];
  Replica& rep = ss.replicas[r];
  const auto spr = static_cast<std::uint32_t>(station.servers_per_replica);
  if (rep.state == ReplicaState::ready && state != ReplicaState::ready) {
    // Its idle servers leave the free list; its capacity leaves the utilization's denominator.
    std::erase_if(ss.free_servers, [&](std::uint32_t k) { return k / spr == r; });
    ss.capacity.add(now_, -static_cast<double>(spr));
  }
  if (state == ReplicaState::ready && rep.state != ReplicaState::ready) {
    for (std::uint32_t k = (r + 1) * spr; k-- > r * spr;)
      if (!ss.server_busy[k]) ss.free_servers.push_back(k);
    ss.capacity.add(now_, spr);
  }
  bool was_counted = rep.state == ReplicaState::starting || rep.state == ReplicaState::ready || rep.state == ReplicaState::failed;
  bool counted = state == ReplicaState::starting || state == ReplicaState::ready || state == ReplicaState::failed;
  ss.provisioned += static_cast<int>(counted) - static_cast<int>(was_counted);
  rep.state = state;
  ++rep.generation;
  update_billed(s);
}

void Engine::start_replica(std::uint32_t s, std::uint32_t r) {
  const Station& station = sc_.stations[s];
  set_replica(s, r, ReplicaState::starting);
  if (station.cold_start_s > 0 && now_ > 0) {
    schedule(now_ + 1000 * station.cold_start_s, Kind::replica_ready, s, r, st_[s].replicas[r].generation);
  } else {
    on_replica_ready(s, r, st_[s].replicas[r].generation);
  }
}

void Engine::on_replica_ready(std::uint32_t s, std::uint32_t r, std::uint32_t g) {
  const Station& station = sc_.stations[s];
  if (st_[s].replicas[r].generation != g) return;
  set_replica(s, r, ReplicaState::ready);
  if (station.mtbf_s > 0)
    schedule(now_ + 1000 * rng_.exponential(station.mtbf_s), Kind::replica_fail, s, r, st_[s].replicas[r].generation);
  dispatch(s);
}

void Engine::on_replica_fail(std::uint32_t s, std::uint32_t r, std::uint32_t g) {
  const Station& station = sc_.stations[s];
  StationState& ss = st_[s];
  if (ss.replicas[r].generation != g || ss.replicas[r].state != ReplicaState::ready) return;
  set_replica(s, r, ReplicaState::failed);
  schedule(now_ + 1000 * rng_.exponential(station.mttr_s), Kind::replica_repair, s, r, ss.replicas[r].generation);
  // The requests it was serving are lost; their clients retry when the station allows it.
  const auto spr = static_cast<std::uint32_t>(station.servers_per_replica);
  std::vector<Job> lost;
  for (std::uint32_t k = r * spr; k < (r + 1) * spr; ++k) {
    if (!ss.server_busy[k]) continue;
    ++ss.server_generation[k];
    std::uint32_t n = ss.batch_size[k];
    const Job* batch = &ss.in_service[static_cast<std::size_t>(k) * station.max_batch];
    lost.insert(lost.end(), batch, batch + n);
    ss.in_system.add(now_, -static_cast<double>(n));
    ss.server_busy[k] = 0;
    ss.busy.add(now_, -1);
    --ss.replicas[r].busy;
  }
  for (const Job& job : lost)
    if (tokens_[job.token].attempt == job.attempt) attempt_failed(job.token, Outcome::lost);
}

void Engine::on_replica_repair(std::uint32_t s, std::uint32_t r, std::uint32_t g) {
  if (st_[s].replicas[r].generation == g) on_replica_ready(s, r, g);
}

void Engine::stop_replica(std::uint32_t s, std::uint32_t r) {
  Replica& rep = st_[s].replicas[r];
  if (rep.state == ReplicaState::ready && rep.busy > 0) {
    set_replica(s, r, ReplicaState::draining);  // billed until its last request is served
  } else {
    set_replica(s, r, ReplicaState::off);
  }
}

void Engine::on_autoscale(std::uint32_t s) {
  const Station& station = sc_.stations[s];
  StationState& ss = st_[s];
  double busy = ss.busy.total(now_), capacity = ss.capacity.total(now_);
  double d_busy = busy - ss.window_busy, d_capacity = capacity - ss.window_capacity;
  ss.window_busy = busy;
  ss.window_capacity = capacity;
  int current = ss.provisioned;
  int desired = current;
  if (d_capacity > 0) {
    double ratio = (d_busy / d_capacity) / station.target_utilization;
    // The HPA's tolerance: within 10% of the target, nothing changes.
    if (std::abs(ratio - 1) > 0.1) desired = static_cast<int>(std::ceil(current * ratio - 1e-9));
  } else if (current == 0 && !ss.queue.empty()) {
    desired = 1;  // from zero: the first request wakes a replica
  }
  desired = std::clamp(desired, station.replicas, station.max_replicas);
  // Stabilization windows: scale up to the lowest recommendation of the up window, down to the
  // highest of the down window (the HPA's behavior.scaleUp/scaleDown.stabilizationWindowSeconds).
  ss.recommendations.emplace_back(now_, desired);
  const double up_ms = 1000 * station.scale_up_delay_s, down_ms = 1000 * station.scale_down_delay_s;
  double horizon = std::max(up_ms, down_ms);
  while (!ss.recommendations.empty() && ss.recommendations.front().first < now_ - horizon - 1e-9)
    ss.recommendations.pop_front();
  int up = std::numeric_limits<int>::max(), down = std::numeric_limits<int>::min();
  for (const auto& [t, rec] : ss.recommendations) {
    if (t >= now_ - up_ms - 1e-9) up = std::min(up, rec);
    if (t >= now_ - down_ms - 1e-9) down = std::max(down, rec);
  }
  int next = current;
  if (next < up) next = up;
  if (next > down) next = down;
  // The default scale-up policies: at most double, or four more, per period, whichever is more.
  next = std::min(next, std::max(2 * current, current + 4));
  next = std::clamp(next, station.replicas, station.max_replicas);
  auto& reps = ss.replicas;
  for (std::uint32_t r = 0; next > ss.provisioned && r < reps.size(); ++r) {
    if (reps[r].state == ReplicaState::off) {
      start_replica(s, r);
    } else if (reps[r].state == ReplicaState::draining) {
      set_replica(s, r, ReplicaState::starting);  // still warm: back at once
      on_replica_ready(s, r, reps[r].generation);
    }
  }
  // Scale down: replicas still starting first, then the highest-numbered ready ones.
  for (std::uint32_t r = static_cast<std::uint32_t>(reps.size()); next < ss.provisioned && r-- > 0;)
    if (reps[r].state == ReplicaState::starting) stop_replica(s, r);
  for (std::uint32_t r = static_cast<std::uint32_t>(reps.size()); next < ss.provisioned && r-- > 0;)
    if (reps[r].state == ReplicaState::ready) stop_replica(s, r);
  if (opt_.replica_series) ss.replica_series.push_back(ss.billed.value);
  if (arrivals_open_) schedule(now_ + 1000 * kAutoscalePeriodS, Kind::autoscale, s);
}

// ---- measurement ----------------------------------------------------------------------------

void Engine::begin_measurement() {
  measuring_ = true;
  measure_start_ = now_;
  for (auto& ss : st_) {
    for (TimeIntegral* ti : {&ss.busy, &ss.capacity, &ss.queued, &ss.in_system, &ss.billed}) {
      ti->area = 0;
      ti->since = now_;
    }
  }
}

void Engine::end_measurement() {
  measurement_closed_ = true;
  measure_end_ = now_;
  // Time-averages over the span in ms; rates per second.
  double span = std::max(measure_end_ - measure_start_, 1e-9);
  double span_s = span / 1000;
  for (std::size_t s = 0; s < st_.size(); ++s) {
    StationState& ss = st_[s];
    StationStats& o = out_.stations[s];
    double capacity = ss.capacity.total(now_);
    o.utilization = capacity > 0 ? ss.busy.total(now_) / capacity : 0;
    o.mean_queue_length = ss.queued.total(now_) / span;
    o.mean_in_system = ss.in_system.total(now_) / span;
    o.mean_replicas = ss.billed.total(now_) / span;
    o.mean_wait_ms = ss.started ? ss.wait_sum / static_cast<double>(ss.started) : 0;
    o.wait_probability = ss.started ? static_cast<double>(ss.waited) / static_cast<double>(ss.started) : 0;
    o.mean_servers = capacity / span;
    o.mean_response_ms = ss.served ? ss.response_sum / static_cast<double>(ss.served) : 0;
    o.mean_batch_size = ss.services ? static_cast<double>(ss.started) / static_cast<double>(ss.services) : 0;
    o.mean_service_ms = ss.services ? ss.service_sum / static_cast<double>(ss.services) : 0;
    o.throughput_rps = static_cast<double>(ss.served) / span_s;
    o.arrival_rps = static_cast<double>(ss.arrivals) / span_s;
    o.drops = ss.drops;
    o.replica_series = std::move(ss.replica_series);
  }
  out_.measured_s = span_s;
}

ReplicationResult Engine::run() {
  out_.workloads.resize(sc_.workloads.size());
  out_.stations.resize(sc_.stations.size());
  st_.resize(sc_.stations.size());
  ws_.resize(sc_.workloads.size());
  for (std::uint32_t s = 0; s < sc_.stations.size(); ++s) {
    const Station& station = sc_.stations[s];
    StationState& ss = st_[s];
    std::size_t servers = static_cast<std::size_t>(station.max_replicas) * station.servers_per_replica;
    ss.server_busy.assign(servers, 0);
    ss.server_generation.assign(servers, 0);
    ss.batch_size.assign(servers, 0);
    ss.in_service.resize(servers * station.max_batch);
    ss.replicas.resize(station.max_replicas);
    ss.queue_cap = station.queue_limit ? static_cast<std::size_t>(*station.queue_limit)
                                       : std::numeric_limits<std::size_t>::max();
    ss.free_servers.reserve(servers);
    for (std::uint32_t r = 0; r < static_cast<std::uint32_t>(station.replicas); ++r) start_replica(s, r);
    if (station.autoscaled) schedule(1000 * kAutoscalePeriodS, Kind::autoscale, s);
  }
  for (std::uint32_t w = 0; w < sc_.workloads.size(); ++w) {
    const Arrivals& a = sc_.workloads[w].arrivals;
    if (a.diurnal && a.kappa > 0) ws_[w].profile.emplace(a.kappa, 1000 * a.period_s.value_or(opt_.duration_s));
    if (a.process == Arrivals::Process::bursty) {
      // Start in a burst with the stationary probability; on_burst_switch flips the state.
      ws_[w].in_burst = !rng_.chance(a.burst_fraction);
      on_burst_switch(w);
    } else {
      schedule_next_arrival(w);
    }
  }
  if (opt_.warmup_s > 0) schedule(1000 * opt_.warmup_s, Kind::warmup_end);
  else begin_measurement();
  schedule(end_ms_, Kind::arrivals_end);

  const double hard_end = end_ms_ + 1000 * opt_.drain_limit_s;
  while (!events_.empty()) {
    const Event e = events_.pop();
    now_ = e.time;
    if (now_ > hard_end) break;
    ++out_.events;
    switch (e.kind) {
      case Kind::arrival:
        if (e.b == ws_[e.a].arrival_generation) on_arrival(e.a);
        break;
      case Kind::enter: enter(e.a); break;
      case Kind::cache_hit:
        if (tokens_[e.a].attempt == e.b) visit_done(e.a);
        break;
      case Kind::service_done: on_service_done(e.a, e.b, e.c); break;
      case Kind::batch_timer:
        if (e.b == st_[e.a].timer_generation) {
          st_[e.a].timer_at = -1;
          dispatch(e.a);
        }
        break;
      case Kind::timeout: on_deadline(e.a); break;
      case Kind::join: branch_done(e.a); break;
      case Kind::burst_switch:
        if (arrivals_open_) on_burst_switch(e.a);
        break;
      case Kind::autoscale: on_autoscale(e.a); break;
      case Kind::replica_ready: on_replica_ready(e.a, e.b, e.c); break;
      case Kind::replica_fail: on_replica_fail(e.a, e.b, e.c); break;
      case Kind::replica_repair: on_replica_repair(e.a, e.b, e.c); break;
      case Kind::warmup_end: begin_measurement(); break;
      case Kind::arrivals_end:
        arrivals_open_ = false;
        end_measurement();
        break;
    }
    if (in_flight_ > opt_.max_in_flight) {
      out_.stopped = true;
      out_.stop_reason = fmt::format(
          "stopped at {:.1f} s of simulated time: more than {} requests were in flight, the queues grow without "
          "bound at this load",
          now_ / 1000, opt_.max_in_flight);
      break;
    }
    if (!arrivals_open_ && in_flight_ == 0) break;
  }
  if (!measurement_closed_) end_measurement();
  // What never finished counts as unanswered.
  for (std::uint32_t r = 0; r < requests_.size(); ++r) {
    const Request& req = requests_[r];
    if (req.outcome == Outcome::pending && req.live_tokens > 0 && req.measured) ++out_.workloads[req.workload].unfinished;
  }
  return std::move(out_);
}

}  // namespace

ReplicationResult run_replication(const Scenario& scenario, const RunOptions& options, std::uint64_t seed) {
  return Engine(scenario, options, seed).run();
}

}  // namespace mlarch::sim
