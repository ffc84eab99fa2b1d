// What this host can do, measured: peak fp32 FLOP/s (a compute-bound multiply-add loop) and
// memory bandwidth (a STREAM triad), on a given number of threads, so the roofline can be
// evaluated for the host itself.
#pragma once

#include <optional>

#include "mlarch/analyzer/hardware.hpp"
#include "mlarch/kernels/gemm.hpp"

namespace mlarch::kernels {

struct HostProbe {
  double peak_gflops = 0;        // fp32, all threads
  double mem_bandwidth_gbs = 0;  // triad: 2 reads and 1 write per element, best of the runs
  int threads = 1;
  Isa isa = Isa::sse2;           // the instructions the peak was measured with
  CpuMemory memory;              // the cache and random reads (probe_memory)
};

// The three probes, under a second in all; each keeps its best of several short runs.
HostProbe probe_host(int threads);
// Each alone: GFLOP/s of `threads` threads running independent multiply-add chains in registers
// (by default on the widest vectors the CPU has, host_isa(): fused multiply-adds on AVX2 or
// AVX-512, a multiply then an add on SSE2), and GB/s of a triad over arrays far larger than the
// caches.
double probe_peak_gflops(int threads);
double probe_peak_gflops(int threads, Isa isa);
double probe_bandwidth_gbs(int threads);
// The memory beyond the triad. Read bandwidth over working sets from 0.5 to 64 MiB against one of
// 256 MiB (memory): the cache is the largest set read at least 1.5 × as fast as memory, every
// smaller one too; its bandwidth the median over the sets from 1 MiB up to it. Neither when the
// smallest set is not that fast, or every set is (a cache the probe cannot see past). Then reads of
// single cache lines at random places, independent of each other, in the 256 MiB (mem_random_gbs)
// and in half the cache (cache_random_gbs).
CpuMemory probe_memory(int threads);

// The host as an instance type the cost model can price: its peak at every precision is the fp32
// one (the kernels compute in fp32).
InstanceType host_instance(const HostProbe& probe);

// The memory the system reports available, in bytes; empty when unknown.
std::optional<double> available_memory_bytes();

}  // namespace mlarch::kernels
