// Instance types: the built-in hardware catalog (analyzer/data/hardware.yaml, compiled into the
// binary) merged with the spec's own `hardware`, which extends or overrides it field by field.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mlarch/analyzer/document.hpp"

namespace mlarch {

struct System;

// A peak rate by numeric precision (the `dtype`s of `architecture`).
struct PeakRate {
  std::map<std::string, double, std::less<>> by_dtype;  // fp32, fp16, bf16, int8, int4
  // The spec's single `accelerators.peak_tflops`, which is at the model's precision: it wins.
  std::optional<double> any;

  // The rate at `dtype` ("" is fp32): fp16 and bf16 stand in for each other and int4 runs at the
  // int8 rate (no int4 units assumed); a precision without a figure runs at fp32, the rate every
  // unit has.
  std::optional<double> at(std::string_view dtype) const;
  bool empty() const { return by_dtype.empty() && !any; }
};

struct Accelerators {
  std::string type;
  int count = 1;
  PeakRate peak_tflops;                                  // per accelerator, TFLOP/s
  std::optional<double> mem_bandwidth_gbs, memory_gib;  // per accelerator
};

// What a CPU's memory does beyond streaming from DRAM (`mem_bandwidth_gbs`), as the host probe
// measures it or a spec declares it; each figure unknown when absent (the built-in catalog has
// none yet). Keys of the same names in a spec's `hardware`, a calibration file and `kernels`' JSON.
struct CpuMemory {
  std::optional<double> cache_mib;            // the last-level cache as the instance's cores see it, MiB
  std::optional<double> cache_bandwidth_gbs;  // streamed reads from it, GB/s
  std::optional<double> cache_random_gbs;     // reads of single cache lines at random places in it, GB/s
  std::optional<double> mem_random_gbs;       // the same in memory (DRAM), GB/s
  bool empty() const { return !cache_mib && !cache_bandwidth_gbs && !cache_random_gbs && !mem_random_gbs; }
  // These figures, less those `other` does not know: two rooflines compared (a calibration's
  // host and its target) apply the same rules to both.
  CpuMemory known_to(const CpuMemory& other) const;
};

// The figures `j` gives (numbers under the keys above), over those of `m`.
void read_cpu_memory(const Json& j, CpuMemory& m);
// The known figures as keys into `j`.
void write_cpu_memory(const CpuMemory& m, Json& j);

// Where an instance type's price came from.
struct PriceOrigin {
  bool from_spec = false;  // the spec's `hardware.<name>.usd_per_hour`
  std::string region, date, source;  // of a built-in price: on-demand, Linux
};

struct InstanceType {
  std::string name;
  std::string pointer;   // /hardware/<name> when the spec describes it, else empty
  bool builtin = false;  // the built-in catalog has an entry of this name
  std::string cloud;     // aws, gcp, azure; empty for a type only the spec knows
  std::optional<int> vcpus;
  std::optional<double> memory_gib, mem_bandwidth_gbs, usd_per_hour;
  CpuMemory cpu_memory;  // the cache and random reads, for the cost model's CPU passes
  PeakRate peak_gflops;  // CPU, whole instance
  std::optional<Accelerators> accelerators;
  PriceOrigin price;
  std::string note;  // what the built-in entry is unsure of

  // Where `usd_per_hour` came from, for messages: "`hardware.g5.xlarge`", or "the built-in
  // catalog (aws us-east-1 on-demand, 2025-05, https://...)".
  std::string price_source() const;
};

// The built-in catalog, by name.
const std::map<std::string, InstanceType, std::less<>>& builtin_instance_types();

// The spec's `hardware` entry merged over the built-in one of the same name: what the spec gives
// wins, the rest comes from the built-in entry (accelerators merge field by field when the spec
// names the same accelerator type or none; another type replaces them). Without a spec entry, the
// built-in one; empty when neither knows the name.
std::optional<InstanceType> instance_type(const System& system, std::string_view name);

// Every instance type the spec can name: its `hardware` keys and the built-in ones, sorted.
std::vector<std::string> instance_type_names(const Json& spec_root);

// Memory a served model must fit in: the accelerators' (count × memory_gib) on an instance that
// has them, else the instance's memory_gib; empty when unknown.
std::optional<double> model_memory_gib(const InstanceType& instance);

}  // namespace mlarch
