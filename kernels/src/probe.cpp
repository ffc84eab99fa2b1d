// The host probe: a register-bound multiply-add loop for peak FLOP/s, on the widest vectors the
// CPU has (fused multiply-adds where it has them), and a STREAM triad for memory bandwidth. Both
// are run a few times and the best kept, as STREAM does.
#include "mlarch/kernels/probe.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <omp.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace mlarch::kernels {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// Four floats, as SSE holds them (the build's portable instruction set).
typedef float Lanes __attribute__((vector_size(16)));

// 12 independent chains of x = x·a + b: enough to cover the latency of a multiply then an add on
// two pipes of each. Returns the sum so the loop is not optimized away.
float multiply_add_chains(long iterations, float seed) {
  constexpr int kChains = 12;
  Lanes acc[kChains];
  for (int c = 0; c < kChains; ++c) acc[c] = Lanes{seed + static_cast<float>(c), seed, seed, seed};
  const Lanes a = {0.999999f, 0.999999f, 0.999999f, 0.999999f}, b = {1e-6f, 1e-6f, 1e-6f, 1e-6f};
  for (long i = 0; i < iterations; ++i)
    for (int c = 0; c < kChains; ++c) acc[c] = acc[c] * a + b;
  Lanes sum = acc[0];
  for (int c = 1; c < kChains; ++c) sum += acc[c];
  return sum[0] + sum[1] + sum[2] + sum[3];
}

#if defined(__x86_64__)
// The same with fused multiply-adds on 256-bit registers: 12 chains, more than the 4-cycle FMA
// latency × 2 pipes of current x86 cores, in 12 of the 16 registers.
__attribute__((target("avx2,fma"))) float fma_chains_avx2(long iterations, float seed) {
  constexpr int kChains = 12;
  __m256 acc[kChains];
  for (int c = 0; c < kChains; ++c) acc[c] = _mm256_set1_ps(seed + static_cast<float>(c));
  const __m256 a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-6f);
  for (long i = 0; i < iterations; ++i)
#pragma GCC unroll 12
    for (int c = 0; c < kChains; ++c) acc[c] = _mm256_fmadd_ps(acc[c], a, b);
  __m256 sum = acc[0];
  for (int c = 1; c < kChains; ++c) sum = _mm256_add_ps(sum, acc[c]);
  float lanes[8];
  _mm256_storeu_ps(lanes, sum);
  return lanes[0] + lanes[7];
}

// On 512-bit registers: 16 chains of the 32 registers, for cores with two 512-bit FMA pipes.
__attribute__((target("avx512f"))) float fma_chains_avx512(long iterations, float seed) {
  constexpr int kChains = 16;
  __m512 acc[kChains];
  for (int c = 0; c < kChains; ++c) acc[c] = _mm512_set1_ps(seed + static_cast<float>(c));
  const __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-6f);
  for (long i = 0; i < iterations; ++i)
#pragma GCC unroll 16
    for (int c = 0; c < kChains; ++c) acc[c] = _mm512_fmadd_ps(acc[c], a, b);
  __m512 sum = acc[0];
  for (int c = 1; c < kChains; ++c) sum = _mm512_add_ps(sum, acc[c]);
  float lanes[16];
  _mm512_storeu_ps(lanes, sum);
  return lanes[0] + lanes[15];
}
#endif

// FLOPs of one iteration of the loop for `isa`.
double flops_per_iteration(Isa isa) {
  switch (isa) {
    case Isa::avx512f: return 16 * 16 * 2;
    case Isa::avx2_fma: return 12 * 8 * 2;
    case Isa::sse2: break;
  }
  return 12 * 4 * 2;
}

float run_chains(Isa isa, long iterations, float seed) {
#if defined(__x86_64__)
  if (isa == Isa::avx512f) return fma_chains_avx512(iterations, seed);
  if (isa == Isa::avx2_fma) return fma_chains_avx2(iterations, seed);
#endif
  (void)isa;
  return multiply_add_chains(iterations, seed);
}

// The best of `runs` timed runs of `run` on a team of `threads` threads: `work` ÷ seconds. Each
// thread's `run(r)` (r the run's number) returns a value summed into a sink, so that the compiler
// keeps the work.
template <class Run>
double best_rate(int runs, int threads, double work, Run run) {
  double best = 0;
  volatile float sink = 0;
  for (int r = 0; r < runs; ++r) {
    float total = 0;
    auto t0 = Clock::now();
#pragma omp parallel num_threads(threads) reduction(+ : total)
    total += run(r);
    const double seconds = seconds_since(t0);
    sink = sink + total;
    best = std::max(best, work / seconds);
  }
  return best;
}

}  // namespace

double probe_peak_gflops(int threads) { return probe_peak_gflops(threads, host_isa()); }

double probe_peak_gflops(int threads, Isa isa) {
  threads = std::max(1, threads);
  // Many short runs (about 100 MFLOP each whatever the width), the best kept: on a shared machine
  // some of them get the cores to themselves.
  const double per_iteration = flops_per_iteration(isa);
  const long iterations = static_cast<long>(96e6 / per_iteration);
  return best_rate(60, threads, per_iteration * static_cast<double>(iterations) * threads / 1e9,
                   [&](int) { return run_chains(isa, iterations, static_cast<float>(omp_get_thread_num())); });
}

double probe_bandwidth_gbs(int threads) {
  threads = std::max(1, threads);
  const long n = 16L << 20;  // 64 MiB per array: well beyond the last-level cache
  std::unique_ptr<float[]> a(new float[static_cast<std::size_t>(n)]), b(new float[static_cast<std::size_t>(n)]),
      c(new float[static_cast<std::size_t>(n)]);
  float* pa = a.get();
  float* pb = b.get();
  float* pc = c.get();
  // First touch by the threads that will use the pages.
#pragma omp parallel for num_threads(threads) schedule(static)
  for (long i = 0; i < n; ++i) {
    pa[i] = 0;
    pb[i] = 1;
    pc[i] = 2;
  }
  double best = 0;
  for (int rep = 0; rep < 12; ++rep) {
    const float s = 3.0f + static_cast<float>(rep);
    auto t0 = Clock::now();
#pragma omp parallel for num_threads(threads) schedule(static)
    for (long i = 0; i < n; ++i) pa[i] = pb[i] + s * pc[i];
    double secs = seconds_since(t0);
    if (rep > 0) best = std::max(best, 3.0 * 4.0 * static_cast<double>(n) / secs / 1e9);  // the first warms up
  }
  volatile float sink = pa[n / 2];
  (void)sink;
  return best;
}

namespace {

// GB/s of `threads` threads summing the first `floats` of `data` (each its share), best of three
// runs of at least 64 MiB read each.
double read_gbs(const float* data, long floats, int threads) {
  const long reps = std::max(1L, (64L << 20) / (floats * 4));
  return best_rate(3, threads, static_cast<double>(reps) * static_cast<double>(floats) * 4 / 1e9, [&](int) {
    const long team = omp_get_num_threads(), id = omp_get_thread_num();
    const long begin = floats * id / team / 16 * 16, end = floats * (id + 1) / team / 16 * 16;
    Lanes a0{}, a1{}, a2{}, a3{};
    for (long r = 0; r < reps; ++r) {
      const auto* p = reinterpret_cast<const Lanes*>(data + begin);
      for (long i = 0, n = (end - begin) / 4; i < n; i += 4) {
        a0 += p[i];
        a1 += p[i + 1];
        a2 += p[i + 2];
        a3 += p[i + 3];
      }
    }
    const Lanes sum = a0 + a1 + a2 + a3;
    return sum[0] + sum[1] + sum[2] + sum[3];
  });
}

// GB/s of `threads` threads each reading single floats, one per cache line, at random lines of the
// first `floats` of `data` (the largest power of two of lines there): loads that do not depend on
// each other, so as many are in flight as the core allows. Best of three runs of 2^21 reads each.
double random_read_gbs(const float* data, long floats, int threads) {
  std::uint64_t lines = 1;
  while (static_cast<long>(lines) * 2 * 16 <= floats) lines *= 2;
  const std::uint64_t mask = lines - 1;
  const long reads = 1L << 21;
  return best_rate(3, threads, static_cast<double>(reads) * threads * 64 / 1e9, [&](int run) {
    // A 64-bit LCG per thread; two addresses from each step, from its high bits.
    std::uint64_t x = 0x9E3779B97F4A7C15ull * static_cast<std::uint64_t>(omp_get_thread_num() + 1 + run);
    float s0 = 0, s1 = 0;
    for (long i = 0; i < reads; i += 2) {
      x = x * 6364136223846793005ull + 1442695040888963407ull;
      s0 += data[((x >> 40) & mask) * 16];
      s1 += data[((x >> 16) & mask) * 16];
    }
    return s0 + s1;
  });
}

}  // namespace

CpuMemory probe_memory(int threads) {
  threads = std::max(1, threads);
  const long memory = 64L << 20;  // floats: 256 MiB
  std::unique_ptr<float[]> data(new float[static_cast<std::size_t>(memory)]);
  float* p = data.get();
#pragma omp parallel for num_threads(threads) schedule(static)
  for (long i = 0; i < memory; ++i) p[i] = 1.0f;
  CpuMemory m;
  m.mem_random_gbs = random_read_gbs(p, memory, threads);
  const double dram = read_gbs(p, memory, threads);
  double cache_mib = 0;
  std::vector<double> inside;
  for (double mib : {0.5, 1.0, 2.0, 3.0, 4.0, 6.0, 8.0, 12.0, 16.0, 24.0, 32.0, 48.0, 64.0}) {
    const double gbs = read_gbs(p, static_cast<long>(mib * (1 << 20) / 4), threads);
    if (gbs < 1.5 * dram) break;
    cache_mib = mib;
    if (mib >= 1) inside.push_back(gbs);
  }
  if (cache_mib >= 64 || inside.empty()) return m;
  std::sort(inside.begin(), inside.end());
  const std::size_t n = inside.size();
  m.cache_mib = cache_mib;
  m.cache_bandwidth_gbs = n % 2 ? inside[n / 2] : (inside[n / 2 - 1] + inside[n / 2]) / 2;
  m.cache_random_gbs = random_read_gbs(p, static_cast<long>(cache_mib / 2 * (1 << 20) / 4), threads);
  return m;
}

HostProbe probe_host(int threads) {
  HostProbe p;
  p.threads = std::max(1, threads);
  p.isa = host_isa();
  p.peak_gflops = probe_peak_gflops(p.threads, p.isa);
  p.mem_bandwidth_gbs = probe_bandwidth_gbs(p.threads);
  p.memory = probe_memory(p.threads);
  return p;
}

InstanceType host_instance(const HostProbe& probe) {
  InstanceType t;
  t.name = "host";
  t.vcpus = probe.threads;
  t.peak_gflops.any = probe.peak_gflops;
  t.mem_bandwidth_gbs = probe.mem_bandwidth_gbs;
  t.cpu_memory = probe.memory;
  if (auto m = available_memory_bytes()) t.memory_gib = *m / (1024.0 * 1024 * 1024);
  return t;
}

std::optional<double> available_memory_bytes() {
  std::ifstream in("/proc/meminfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("MemAvailable:", 0) != 0) continue;
    std::istringstream fields(line.substr(13));
    double kib = 0;
    if (fields >> kib) return kib * 1024;
  }
  return std::nullopt;
}

}  // namespace mlarch::kernels
