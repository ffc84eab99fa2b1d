// The roofline cost model: the work of one batch of inferences of a model (FLOPs, bytes moved,
// memory held) from its `architecture`, and how long that takes on an instance type. Used by the
// rules and by the simulator (for `service_time: model`); formulas and constants are documented
// in docs/cost-model.md.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mlarch/analyzer/hardware.hpp"
#include "mlarch/analyzer/model.hpp"

namespace mlarch {

// Fractions of the peaks that real kernels reach (docs/cost-model.md says why these values).
inline constexpr double kComputeEfficiency = 0.5;
inline constexpr double kMemoryEfficiency = 0.7;
// Fixed time of one forward pass beyond the roofline: kernel launches, synchronization and
// host-device copies on an accelerator; dispatch and threading on a CPU.
inline constexpr double kAcceleratorPassOverheadMs = 0.2;
inline constexpr double kCpuPassOverheadMs = 0.05;
// A tree node visit is a random access: it moves a whole cache line.
inline constexpr double kCacheLineBytes = 64;
// The share of a CPU's probed random-read rate that a gather reaches: all of it, as the reference
// kernels' embedding bags (which prefetch their rows) did on the host (docs/cost-model.md).
inline constexpr double kRandomReadEfficiency = 1.0;

// One forward pass over a batch, and how many times a batch runs it.
struct ForwardPass {
  std::string_view phase;  // "forward"; a decoder LLM: "prefill", then "decode" once per output token
  double runs = 1;
  double flops = 0, bytes = 0;  // of one run
  // Of `bytes`, those gathered from random places, each address known before the read (an
  // embedding bag's rows): priced at the CPU's rate for random reads when the instance gives one.
  double random_bytes = 0;
};

struct InferenceWork {
  std::vector<ForwardPass> passes;
  double footprint_bytes = 0;  // held while the batch runs: weights, KV cache, activations
  // Of the footprint, what a pass does not stream (the rows of embedding tables it does not look
  // up): the rest is what must stay in a cache for the passes to read it from there.
  double cold_bytes = 0;
  // Every read waits for the one before (a tree's node visits: the next node depends on the
  // comparison): latency, not bandwidth, bounds them. Priced at the memory bandwidth, one cache line
  // a read, as a stand-in for the latency, whatever cache may hold them.
  bool dependent_reads = false;
  double flops() const;        // over all runs
  double bytes() const;
};

// The work of one batch of `batch` inferences: FLOPs count a multiply-add as two and a tree
// node comparison as one; bytes are the weights read once per pass plus activations (and the
// KV cache of a decoder LLM) read and written. A transformer_encoder reads `seq_len` tokens
// (the architecture's unless given here); a decoder_llm prefills `prompt_tokens.mean` and then
// decodes `output_tokens.mean`. Empty when the type is unknown or a key the estimate needs is
// missing.
std::optional<InferenceWork> inference_work(const Json& architecture, int batch,
                                            std::optional<double> seq_len = std::nullopt);

enum class Bound { compute, memory };
std::string_view to_string(Bound b);

struct ServiceEstimate {
  double ms = 0;  // one batch, all passes
  double flops = 0, bytes = 0;
  Bound bound = Bound::compute;  // of the pass that takes most of the time
  bool on_accelerators = false;
  bool cache_resident = false;    // priced at the CPU cache's bandwidth: the footprint fits in it
  std::string dtype;              // the precision the peak was taken at
  double peak_flops_per_s = 0;    // the instance's peak at that precision (before efficiency)
  double bandwidth_bytes_per_s = 0;
  struct Pass {
    std::string_view phase;
    double runs = 1;
    double compute_ms = 0, memory_ms = 0, overhead_ms = 0;
    double ms = 0;  // of one run: max(compute, memory) + overhead
    Bound bound = Bound::compute;
  };
  std::vector<Pass> passes;
};

// The roofline time of `work` on `instance` at precision `dtype`: per pass,
// max(flops ÷ (peak × kComputeEfficiency), bytes ÷ (bandwidth × kMemoryEfficiency)) + overhead,
// times its runs. The accelerators when the instance has them (count × the per-accelerator
// figures: the model is taken to be split evenly across them), else the CPU. On a CPU whose
// last-level cache is known and holds the whole footprint, streamed bytes move at the cache's
// bandwidth instead of the memory's (weights stay in the cache from one batch to the next). Empty
// when the instance's peak or bandwidth is unknown.
// `overhead_ms`, when given, replaces the fixed time per pass (a kernel called in-process has none).
std::optional<ServiceEstimate> roofline(const InferenceWork& work, const InstanceType& instance,
                                        std::string_view dtype, std::optional<double> overhead_ms = std::nullopt);

// The service time of one batch of `batch` requests of `model` on `instance`: inference_work
// then roofline, at the architecture's dtype. Empty when either is unknown.
std::optional<ServiceEstimate> derived_service_ms(const Model& model, const InstanceType& instance, int batch);

// The roofline time of the reference kernel's forward pass over `batch` inputs on `host`: the
// kernels compute in fp32 whatever the declared dtype, so the work is priced at fp32; they are
// called in-process, without a serving framework's dispatch, so no fixed overhead is added.
std::optional<ServiceEstimate> reference_kernel_ms(const Json& architecture, const InstanceType& host, int batch);

}  // namespace mlarch
