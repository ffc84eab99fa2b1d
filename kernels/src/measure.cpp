// Planning, timing and reporting the reference kernels of a spec's models.
#include "mlarch/kernels/measure.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>

#include <fmt/format.h>

#include "mlarch/analyzer/capacity.hpp"
#include "mlarch/analyzer/cost_model.hpp"

namespace mlarch::kernels {

namespace {

constexpr std::string_view kErrKernel = "E007";

Finding kernel_error(const System& system, const std::string& pointer, std::string message, std::string help) {
  const Document& doc = *system.document;
  Finding f = input_error(kErrKernel, doc.path(), doc.value_position(pointer), std::move(message), std::move(help));
  f.pointer = pointer;
  return f;
}

std::string gib(double bytes) { return fmt::format("{:.3g} GiB", bytes / (1024.0 * 1024 * 1024)); }

double process_cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

}  // namespace

double default_memory_limit_bytes() {
  const double cap = 4.0 * 1024 * 1024 * 1024;
  auto available = available_memory_bytes();
  return available ? std::min(cap, *available / 2) : cap;
}

PlannedModels plan_models(const System& system, const std::vector<std::string>& names, int max_batch, int threads,
                          double memory_limit_bytes) {
  PlannedModels out;
  for (const Model& m : system.models) {
    if (!names.empty() && std::find(names.begin(), names.end(), m.id) == names.end()) continue;
    const Json* a = nullptr;
    if (m.raw && m.raw->is_object())
      if (auto it = m.raw->find("architecture"); it != m.raw->end()) a = &*it;
    if (!a) {
      if (!names.empty())
        out.errors.push_back(kernel_error(system, m.pointer, fmt::format("model '{}' has no `architecture`: no reference kernel can run it", m.id),
                                          "declare its architecture (docs/spec.md, models.architecture)"));
      continue;
    }
    const std::string pointer = pointer_append(m.pointer, "architecture");
    auto planned = plan_kernel(*a, pointer, m.id);
    if (auto* e = std::get_if<ArchitectureError>(&planned)) {
      out.errors.push_back(kernel_error(system, e->pointer, e->message, e->help));
      continue;
    }
    KernelPlan plan = std::get<KernelPlan>(std::move(planned));
    double bytes = plan.bytes(max_batch, threads);
    if (bytes > memory_limit_bytes) {
      out.errors.push_back(kernel_error(
          system, pointer,
          fmt::format("model '{}': its reference kernel needs {} at batch {} (fp32 weights and their copy packed for the GEMM, activations and workspace), "
                      "more than the {} it may use on this host",
                      m.id, gib(bytes), max_batch, gib(memory_limit_bytes)),
          "run smaller batch sizes (--batches), leave the model out (--models), or raise --memory-limit"));
      continue;
    }
    out.models.push_back({&m, a, std::move(plan)});
  }
  if (out.models.empty() && out.errors.empty())
    out.errors.push_back(kernel_error(system, "", "the spec has no model with an `architecture`: there is no kernel to run",
                                      "declare models.*.architecture (docs/spec.md)"));
  return out;
}

Timing time_model(ReferenceModel& model, int batch, const TimingBudget& budget) {
  using Clock = std::chrono::steady_clock;
  for (int i = 0; i < budget.warmup; ++i) model.run(batch);
  std::vector<double> ms, cpu;
  auto start = Clock::now();
  while (static_cast<int>(ms.size()) < budget.max_runs) {
    double c0 = process_cpu_ms();
    auto t0 = Clock::now();
    model.run(batch);
    auto t1 = Clock::now();
    cpu.push_back(process_cpu_ms() - c0);
    ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    if (static_cast<int>(ms.size()) >= budget.min_runs && std::chrono::duration<double>(t1 - start).count() >= budget.seconds) break;
  }
  std::sort(ms.begin(), ms.end());
  std::sort(cpu.begin(), cpu.end());
  auto median = [](const std::vector<double>& v) {
    const std::size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  };
  Timing t;
  t.runs = static_cast<int>(ms.size());
  t.median_ms = median(ms);
  t.cpu_median_ms = median(cpu);
  t.p99_ms = ms[static_cast<std::size_t>(std::ceil(0.99 * static_cast<double>(ms.size()))) - 1];
  return t;
}

KernelReport measure_kernels(const System& system, const std::vector<PlannedModel>& models, const std::vector<int>& batches,
                             const HostProbe& host, const TimingBudget& budget) {
  KernelReport report;
  report.host = host;
  const InstanceType instance = host_instance(host);
  const int max_batch = *std::max_element(batches.begin(), batches.end());
  // Refuse what would take too long before running anything.
  for (const auto& pm : models) {
    auto e = reference_kernel_ms(*pm.architecture, instance, max_batch);
    if (e && e->ms > kMaxPredictedRunSeconds * 1000)
      report.errors.push_back(kernel_error(
          system, pointer_append(pm.model->pointer, "architecture"),
          fmt::format("model '{}': one forward pass at batch {} would take about {:.3g} s on this host (the roofline's estimate), "
                      "more than the {:.0f} s a kernel run may take",
                      pm.model->id, max_batch, e->ms / 1000, kMaxPredictedRunSeconds),
          "run smaller batch sizes (--batches) or leave the model out (--models)"));
  }
  if (!report.errors.empty()) return report;
  set_threads(host.threads);
  for (const auto& pm : models) {
    ModelKernels mk;
    mk.name = pm.model->id;
    mk.type = pm.plan.type;
    auto model = make_reference_model(pm.plan, max_batch, host.threads);
    for (int b : batches) {
      Timing t = time_model(*model, b, budget);
      KernelPoint p;
      p.batch = b;
      p.runs = t.runs;
      p.measured_ms = t.median_ms;
      p.measured_p99_ms = t.p99_ms;
      p.cpu_ms = t.cpu_median_ms;
      mk.batches.push_back(p);
    }
    report.models.push_back(std::move(mk));
  }
  // The memory probes again, now that the kernels have run: on a shared machine other work's
  // memory traffic comes and goes, and of two readings seconds apart the better is nearer what
  // the host can do (STREAM keeps its best run for the same reason). The peak does not swing so.
  report.host.mem_bandwidth_gbs = std::max(host.mem_bandwidth_gbs, probe_bandwidth_gbs(host.threads));
  // The cache's figures as one probe saw them (the one that read the cache faster), random reads
  // in memory the better of the two.
  const CpuMemory again = probe_memory(host.threads);
  CpuMemory& best = report.host.memory;
  if (again.cache_bandwidth_gbs.value_or(0) > best.cache_bandwidth_gbs.value_or(0)) {
    best.cache_mib = again.cache_mib;
    best.cache_bandwidth_gbs = again.cache_bandwidth_gbs;
    best.cache_random_gbs = again.cache_random_gbs;
  }
  if (again.mem_random_gbs.value_or(0) > best.mem_random_gbs.value_or(0)) best.mem_random_gbs = again.mem_random_gbs;
  const InstanceType probed = host_instance(report.host);
  for (std::size_t m = 0; m < models.size(); ++m)
    for (KernelPoint& p : report.models[m].batches) {
      if (auto e = reference_kernel_ms(*models[m].architecture, probed, p.batch)) {
        p.predicted_ms = e->ms;
        p.gflops = e->flops / (p.measured_ms / 1000) / 1e9;
      }
      p.error_pct = (p.predicted_ms - p.measured_ms) / p.measured_ms * 100;
      p.peak_fraction = host.peak_gflops > 0 ? p.gflops / host.peak_gflops : 0;
    }
  return report;
}

Json kernels_json(const KernelReport& r) {
  Json j;
  j["version"] = 1;
  j["host"] = {{"peak_gflops", r.host.peak_gflops}, {"mem_bandwidth_gbs", r.host.mem_bandwidth_gbs}, {"threads", r.host.threads},
               {"isa", std::string(isa_name(r.host.isa))}};
  write_cpu_memory(r.host.memory, j["host"]);
  j["models"] = Json::object();
  for (const auto& m : r.models) {
    Json batches = Json::array();
    for (const auto& p : m.batches)
      batches.push_back({{"batch", p.batch},
                         {"predicted_ms", p.predicted_ms},
                         {"measured_ms", p.measured_ms},
                         {"measured_p99_ms", p.measured_p99_ms},
                         {"error_pct", p.error_pct},
                         {"gflops", p.gflops},
                         {"peak_fraction", p.peak_fraction}});
    j["models"][m.name] = {{"type", m.type}, {"batches", batches}};
  }
  return j;
}

std::string render_kernels_json(const KernelReport& r) { return kernels_json(r).dump(2) + "\n"; }

std::string render_kernels_text(const KernelReport& r) {
  std::string out = fmt::format("host: {:.1f} GFLOP/s fp32 peak ({}), {:.1f} GB/s memory bandwidth, {} thread{} (probed)\n",
                                r.host.peak_gflops, isa_name(r.host.isa), r.host.mem_bandwidth_gbs, r.host.threads,
                                r.host.threads == 1 ? "" : "s");
  const CpuMemory& mem = r.host.memory;
  if (mem.cache_mib)
    out += fmt::format("cache: {:g} MiB read at {:.1f} GB/s, random lines at {:.1f} GB/s", *mem.cache_mib, mem.cache_bandwidth_gbs.value_or(0),
                       mem.cache_random_gbs.value_or(0));
  else
    out += "cache: none seen";
  if (mem.mem_random_gbs) out += fmt::format("; random lines from memory at {:.1f} GB/s", *mem.mem_random_gbs);
  out += " (probed)\n";
  for (const auto& m : r.models) {
    out += fmt::format("\n{} ({})\n", m.name, m.type);
    out += fmt::format("  {:>6}  {:>12}  {:>12}  {:>12}  {:>8}  {:>8}  {:>6}  {:>5}  {:>10}\n", "batch", "predicted ms", "measured ms",
                       "p99 ms", "error", "GFLOP/s", "peak", "runs", "cpu ms");
    for (const auto& p : m.batches)
      out += fmt::format("  {:>6}  {:>12.4g}  {:>12.4g}  {:>12.4g}  {:>+7.0f}%  {:>8.3g}  {:>5.0f}%  {:>5}  {:>10.4g}\n", p.batch,
                         p.predicted_ms, p.measured_ms, p.measured_p99_ms, p.error_pct, p.gflops, p.peak_fraction * 100, p.runs, p.cpu_ms);
  }
  return out;
}

sim::Calibration calibration_of(const KernelReport& r) {
  sim::Calibration c;
  c.peak_gflops = r.host.peak_gflops;
  c.mem_bandwidth_gbs = r.host.mem_bandwidth_gbs;
  c.memory = r.host.memory;
  c.threads = r.host.threads;
  for (const auto& m : r.models) {
    sim::Calibration::ModelTimes t;
    t.type = m.type;
    for (const auto& p : m.batches) t.points.push_back({p.batch, p.measured_ms});
    c.models.emplace(m.name, std::move(t));
  }
  return c;
}

}  // namespace mlarch::kernels
