// `mlarch kernels`: each model's reference kernel timed on the host at each batch size, next to
// the roofline's prediction for the host; the report in text and JSON, and the calibration file
// the simulator reads.
#pragma once

#include <string>
#include <vector>

#include "mlarch/analyzer/diagnostic.hpp"
#include "mlarch/analyzer/model.hpp"
#include "mlarch/kernels/probe.hpp"
#include "mlarch/kernels/reference_model.hpp"
#include "mlarch/simulator/calibration.hpp"

namespace mlarch::kernels {

// A model whose kernel can run: its plan, checked against the memory limit.
struct PlannedModel {
  const Model* model = nullptr;
  const Json* architecture = nullptr;
  KernelPlan plan;
};

struct PlannedModels {
  std::vector<PlannedModel> models;
  std::vector<Finding> errors;  // E007, at the spec's lines
};

// The memory a kernel may allocate: half of what the system reports available, at most 4 GiB.
double default_memory_limit_bytes();

// Plans the kernels of `names` (every model with an `architecture` when empty; the caller has
// checked the names exist) for batches up to `max_batch` on `threads` threads. A model whose
// shapes are incomplete or whose kernel would allocate more than `memory_limit_bytes` is an
// error at its architecture's line.
PlannedModels plan_models(const System& system, const std::vector<std::string>& names, int max_batch, int threads,
                          double memory_limit_bytes);

// How long to time each batch size: after `warmup` runs, at least `min_runs` and at most
// `max_runs` runs, stopping once `seconds` have passed.
struct TimingBudget {
  int warmup = 1;
  int min_runs = 3;
  int max_runs = 200;
  double seconds = 0.5;
};

struct Timing {
  double median_ms = 0, p99_ms = 0;
  double cpu_median_ms = 0;  // the process's CPU time per run: below the wall time when other work shares the cores
  int runs = 0;
};
// Times `model` at `batch` within the budget; p99 is the nearest-rank percentile of the runs.
Timing time_model(ReferenceModel& model, int batch, const TimingBudget& budget);

// A run longer than this, by the roofline on the host, is refused rather than started.
inline constexpr double kMaxPredictedRunSeconds = 3;

struct KernelPoint {
  int batch = 1;
  double predicted_ms = 0, measured_ms = 0, measured_p99_ms = 0;
  double error_pct = 0;  // (predicted − measured) ÷ measured × 100
  double gflops = 0;     // the forward pass's FLOPs ÷ the measured time
  double peak_fraction = 0;
  double cpu_ms = 0;     // median CPU time of the process per run (text output only)
  int runs = 0;
};
struct ModelKernels {
  std::string name, type;
  std::vector<KernelPoint> batches;
};
struct KernelReport {
  HostProbe host;
  std::vector<ModelKernels> models;
  std::vector<Finding> errors;  // a run the roofline says would take too long
};

// Runs every planned model at every batch size (ascending) on the host, then probes the memory
// again: the report's host keeps the better bandwidth and cache readings of `host` and of that
// second probe, and the predictions use them.
KernelReport measure_kernels(const System& system, const std::vector<PlannedModel>& models, const std::vector<int>& batches,
                             const HostProbe& host, const TimingBudget& budget);

// JSON: {"version":1,"host":{...},"models":{NAME:{"type","batches":[...]}}} (schemas/kernels-output-v1.schema.json);
// the review carries the same value as its "kernels".
Json kernels_json(const KernelReport& report);
std::string render_kernels_json(const KernelReport& report);
std::string render_kernels_text(const KernelReport& report);
// The measured medians as a calibration for the simulator.
sim::Calibration calibration_of(const KernelReport& report);

}  // namespace mlarch::kernels
