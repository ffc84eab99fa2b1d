// Reference-kernel speed: a large GEMM through the kernels (Eigen) against the host probe's peak,
// measured in the same run on the same threads. Counters: GFLOP/s of the GEMM, the probe's peak,
// and their ratio (the target is ≥ 0.7).
#include <benchmark/benchmark.h>

#include "mlarch/kernels/ops.hpp"
#include "mlarch/kernels/probe.hpp"
#include "mlarch/kernels/reference_model.hpp"

namespace {

using namespace mlarch::kernels;

void BM_Gemm(benchmark::State& state) {
  const auto n = static_cast<Eigen::Index>(state.range(0));
  const int threads = static_cast<int>(state.range(1));
  set_threads(threads);
  Matrix a = Matrix::Random(n, n), b = Matrix::Random(n, n), c(n, n);
  Vector bias = Vector::Zero(n);
  for (auto _ : state) {
    dense(a, bias, b, c, Activation::none);
    benchmark::DoNotOptimize(c.data());
  }
  const double flops = 2.0 * static_cast<double>(n) * static_cast<double>(n) * static_cast<double>(n);
  state.counters["GFLOP/s"] = benchmark::Counter(flops / 1e9, benchmark::Counter::kIsIterationInvariantRate);
  const double peak = probe_peak_gflops(threads);
  state.counters["peak_GFLOP/s"] = peak;
  state.counters["share_of_peak"] = benchmark::Counter(flops / 1e9 / peak, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_Gemm)->Args({1024, 1})->Args({2048, 1})->Args({2048, 2})->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
