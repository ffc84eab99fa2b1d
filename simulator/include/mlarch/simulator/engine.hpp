// The event engine: one replication of a Scenario, single-threaded, from a seed. Callbacks on
// plain event structs (a switch, no virtual call, no allocation per event once pools have grown);
// statistics are accumulated as the run goes, so memory does not grow with simulated time.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "mlarch/simulator/histogram.hpp"
#include "mlarch/simulator/scenario.hpp"

namespace mlarch::sim {

struct RunOptions {
  double duration_s = 600;  // arrivals stop here; requests in flight are then drained
  double warmup_s = 60;     // statistics start here
  // Requests in flight beyond this stop the run: the system cannot keep up with its load, and
  // the queues would otherwise grow until memory runs out.
  std::uint64_t max_in_flight = 2'000'000;
  // Time after the end of arrivals allowed for requests in flight to finish; those still in
  // flight then are counted as unanswered.
  double drain_limit_s = 300;
  // Sample the replica count of autoscaled stations at each autoscaler evaluation.
  bool replica_series = true;
};

struct WorkloadStats {
  LatencyHistogram latency;        // of requests answered, sent after the warm-up
  std::uint64_t sent = 0;          // requests sent after the warm-up, before the end
  std::uint64_t answered = 0;
  std::uint64_t dropped = 0;       // rejected by a full queue (after retries)
  std::uint64_t timed_out = 0;     // a client timeout (after retries)
  std::uint64_t lost = 0;          // on a replica that failed (after retries)
  std::uint64_t unfinished = 0;    // still in flight when the drain limit passed
};

struct StationStats {
  double utilization = 0;        // busy servers ÷ servers of ready replicas, time-averaged
  double mean_queue_length = 0;  // waiting, time-averaged
  double mean_in_system = 0;     // waiting or in service, time-averaged
  double mean_wait_ms = 0;       // queueing delay of a served request
  double wait_probability = 0;   // share of visits starting service that waited (> 0 ms) first
  double mean_response_ms = 0;   // queueing plus service, of a served request
  double mean_replicas = 0;      // provisioned (starting, ready, failed or draining), time-averaged
  double mean_servers = 0;       // servers of ready replicas, time-averaged (utilization's denominator)
  double mean_batch_size = 0;
  double throughput_rps = 0;     // visits served per second
  double arrival_rps = 0;        // visits arriving per second (cache hits excluded)
  double mean_service_ms = 0;    // per service (per batch when batching)
  std::uint64_t drops = 0;       // visits rejected by a full queue
  std::vector<double> replica_series;  // provisioned replicas at each autoscaler evaluation
};

struct ReplicationResult {
  std::vector<WorkloadStats> workloads;  // in Scenario order
  std::vector<StationStats> stations;    // in Scenario order
  double measured_s = 0;
  std::uint64_t events = 0;
  bool stopped = false;  // the in-flight bound was reached
  std::string stop_reason;
};

ReplicationResult run_replication(const Scenario& scenario, const RunOptions& options, std::uint64_t seed);

// The autoscaler's evaluation period, as the Kubernetes HPA's default sync period.
inline constexpr double kAutoscalePeriodS = 15;

}  // namespace mlarch::sim
