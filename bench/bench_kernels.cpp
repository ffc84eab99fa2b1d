// Reference-kernel speed: a large GEMM through the kernels against the host probe's peak on the
// same instruction set, measured in the same run on the same threads. Counters: GFLOP/s of the
// GEMM, the probe's peak, and their ratio (the target is ≥ 0.7). BM_Gemm goes through `matmul`, so
// through the packed kernel the CPU dispatches to (MLARCH_KERNELS_ISA=sse2 forces Eigen), packing
// both operands on every call (a layer's weights, packed once, would skip A's);
// BM_GemmEigen is Eigen's GEMM as this portable build compiles it, against the SSE2 probe.
#include <string>

#include <benchmark/benchmark.h>

#include "mlarch/kernels/ops.hpp"
#include "mlarch/kernels/probe.hpp"
#include "mlarch/kernels/reference_model.hpp"

namespace {

using namespace mlarch::kernels;

void gemm_benchmark(benchmark::State& state, Isa isa) {
  const auto n = static_cast<Eigen::Index>(state.range(0));
  const int threads = static_cast<int>(state.range(1));
  set_threads(threads);
  Matrix a = Matrix::Random(n, n), b = Matrix::Random(n, n), c(n, n);
  for (auto _ : state) {
    matmul(a, b, c, isa);
    benchmark::DoNotOptimize(c.data());
  }
  const double flops = 2.0 * static_cast<double>(n) * static_cast<double>(n) * static_cast<double>(n);
  state.counters["GFLOP/s"] = benchmark::Counter(flops / 1e9, benchmark::Counter::kIsIterationInvariantRate);
  const double peak = probe_peak_gflops(threads, isa);
  state.counters["peak_GFLOP/s"] = peak;
  state.counters["share_of_peak"] = benchmark::Counter(flops / 1e9 / peak, benchmark::Counter::kIsIterationInvariantRate);
  state.SetLabel(std::string(isa_name(isa)));
}

void BM_Gemm(benchmark::State& state) { gemm_benchmark(state, gemm_isa()); }
BENCHMARK(BM_Gemm)->Args({1024, 1})->Args({2048, 1})->Args({2048, 2})->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_GemmEigen(benchmark::State& state) { gemm_benchmark(state, Isa::sse2); }
BENCHMARK(BM_GemmEigen)->Args({1024, 1})->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
