// The built-in hardware catalog and its merge with the spec's `hardware`.
#include "mlarch/analyzer/hardware.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include <fmt/format.h>

#include "mlarch/analyzer/embedded.hpp"
#include "mlarch/analyzer/model.hpp"

namespace mlarch {

namespace {

// `peak_gflops` or `peak_tflops` over what `rate` already holds: a number is the figure at the
// model's precision (the spec's form), an object one figure per precision (the catalog's).
void read_rate(const Json& j, std::string_view key, PeakRate& rate, bool number_is_any) {
  auto it = j.find(std::string(key));
  if (it == j.end()) return;
  if (it->is_number()) {
    if (number_is_any) {
      rate.any = it->get<double>();
    } else {
      rate.by_dtype["fp32"] = it->get<double>();
    }
  } else if (it->is_object()) {
    for (const auto& [dtype, v] : it->items())
      if (v.is_number()) rate.by_dtype[dtype] = v.get<double>();
  }
}

// One entry, the catalog's or the spec's, read over `t` (which may hold a built-in entry): every
// field the entry gives replaces what was there.
void read_entry(const Json& j, InstanceType& t, bool from_spec) {
  if (auto v = j.find("vcpus"); v != j.end() && v->is_number_integer()) t.vcpus = v->get<int>();
  if (auto v = json_number(j, "memory_gib")) t.memory_gib = v;
  if (auto v = json_number(j, "mem_bandwidth_gbs")) t.mem_bandwidth_gbs = v;
  read_cpu_memory(j, t.cpu_memory);
  // The spec's `peak_gflops` is the fp32 figure (docs/spec.md).
  read_rate(j, "peak_gflops", t.peak_gflops, false);
  if (auto v = json_number(j, "usd_per_hour")) {
    t.usd_per_hour = v;
    t.price = {};
    t.price.from_spec = from_spec;
    if (const auto p = j.find("pricing"); p != j.end()) {
      t.price.region = json_string(*p, "region");
      t.price.date = json_string(*p, "date");
      t.price.source = json_string(*p, "source");
    }
  }
  if (auto a = j.find("accelerators"); a != j.end() && a->is_object()) {
    std::string type = json_string(*a, "type");
    // Another accelerator than the built-in one: none of its figures apply.
    if (!t.accelerators || (!type.empty() && type != t.accelerators->type)) t.accelerators = Accelerators{};
    Accelerators& acc = *t.accelerators;
    if (!type.empty()) acc.type = type;
    if (auto n = a->find("count"); n != a->end() && n->is_number_integer()) acc.count = n->get<int>();
    read_rate(*a, "peak_tflops", acc.peak_tflops, from_spec);
    if (auto v = json_number(*a, "mem_bandwidth_gbs")) acc.mem_bandwidth_gbs = v;
    if (auto v = json_number(*a, "memory_gib")) acc.memory_gib = v;
  }
  if (!from_spec) {
    t.cloud = json_string(j, "cloud");
    t.note = json_string(j, "note");
  }
}

std::map<std::string, InstanceType, std::less<>> load_builtin() {
  std::string_view text = embedded_file("analyzer/data/hardware.json");
  // Compiled at build time and schema-checked by a test: failing here is a build bug.
  Json root = Json::parse(text);
  std::map<std::string, InstanceType, std::less<>> out;
  for (const auto& [name, entry] : root.at("instance_types").items()) {
    InstanceType t;
    t.name = name;
    t.builtin = true;
    read_entry(entry, t, false);
    out.emplace(name, std::move(t));
  }
  return out;
}

}  // namespace

std::optional<double> PeakRate::at(std::string_view dtype) const {
  if (any) return any;
  auto find = [&](std::string_view d) -> std::optional<double> {
    auto it = by_dtype.find(d);
    return it == by_dtype.end() ? std::nullopt : std::optional<double>(it->second);
  };
  if (dtype.empty()) dtype = "fp32";
  if (auto r = find(dtype)) return r;
  if (dtype == "fp16") {
    if (auto r = find("bf16")) return r;
  } else if (dtype == "bf16") {
    if (auto r = find("fp16")) return r;
  } else if (dtype == "int4") {
    if (auto r = find("int8")) return r;
  }
  return find("fp32");
}

std::string InstanceType::price_source() const {
  if (!usd_per_hour) return {};
  if (price.from_spec) return fmt::format("`hardware.{}`", name);
  std::vector<std::string> where;
  for (const std::string* s : {&cloud, &price.region})
    if (!s->empty()) where.push_back(*s);
  where.push_back("on-demand");
  return fmt::format("the built-in catalog ({}, {}, {})", fmt::join(where, " "), price.date, price.source);
}

const std::map<std::string, InstanceType, std::less<>>& builtin_instance_types() {
  static const auto catalog = load_builtin();
  return catalog;
}

std::optional<InstanceType> instance_type(const System& system, std::string_view name) {
  if (name.empty()) return std::nullopt;
  const auto& builtin = builtin_instance_types();
  auto known = builtin.find(name);
  const Json* spec = nullptr;
  if (system.document) {
    const Json& root = system.document->root;
    if (auto hw = root.find("hardware"); hw != root.end() && hw->is_object())
      if (auto it = hw->find(std::string(name)); it != hw->end() && it->is_object()) spec = &*it;
  }
  if (!spec && known == builtin.end()) return std::nullopt;
  InstanceType t;
  if (known != builtin.end()) t = known->second;
  t.name = std::string(name);
  if (spec) {
    t.pointer = pointer_append("/hardware", name);
    read_entry(*spec, t, true);
  }
  return t;
}

std::vector<std::string> instance_type_names(const Json& spec_root) {
  std::vector<std::string> names;
  for (const auto& [name, type] : builtin_instance_types()) names.push_back(name);
  if (auto hw = spec_root.find("hardware"); hw != spec_root.end() && hw->is_object())
    for (const auto& [name, entry] : hw->items()) names.push_back(name);
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

std::optional<double> model_memory_gib(const InstanceType& instance) {
  if (instance.accelerators) {
    if (!instance.accelerators->memory_gib) return std::nullopt;
    return instance.accelerators->count * *instance.accelerators->memory_gib;
  }
  return instance.memory_gib;
}

namespace {

constexpr std::pair<const char*, std::optional<double> CpuMemory::*> kCpuMemoryKeys[] = {
    {"cache_mib", &CpuMemory::cache_mib},
    {"cache_bandwidth_gbs", &CpuMemory::cache_bandwidth_gbs},
    {"cache_random_gbs", &CpuMemory::cache_random_gbs},
    {"mem_random_gbs", &CpuMemory::mem_random_gbs},
};

}  // namespace

void read_cpu_memory(const Json& j, CpuMemory& m) {
  for (const auto& [key, field] : kCpuMemoryKeys)
    if (auto v = json_number(j, key)) m.*field = v;
}

CpuMemory CpuMemory::known_to(const CpuMemory& other) const {
  CpuMemory out;
  for (const auto& [key, field] : kCpuMemoryKeys)
    if (other.*field) out.*field = this->*field;
  return out;
}

void write_cpu_memory(const CpuMemory& m, Json& j) {
  for (const auto& [key, field] : kCpuMemoryKeys)
    if (m.*field) j[key] = *(m.*field);
}

}  // namespace mlarch
