// `mlarch hardware [SPEC]`: the built-in hardware catalog, or, with a spec, the instance types the
// spec can name (its `hardware` merged over the catalog), as a table or as JSON.
#include <algorithm>
#include <iostream>
#include <utility>

#include <fmt/format.h>

#include "commands.hpp"
#include "mlarch/analyzer/capacity.hpp"
#include "mlarch/analyzer/hardware.hpp"
#include "mlarch/analyzer/render.hpp"
#include "mlarch/analyzer/schema.hpp"

namespace mlarch::cli {

namespace {

struct HardwareArgs {
  std::string spec;
  std::string format = "text";
  std::string output;
};

// "spec", "built-in", or "spec over built-in".
std::string origin(const InstanceType& t) {
  if (t.pointer.empty()) return "built-in";
  return t.builtin ? "spec over built-in" : "spec";
}

Json rate_json(const PeakRate& r) {
  if (r.any) return *r.any;
  Json out = Json::object();
  for (const auto& [dtype, v] : r.by_dtype) out[dtype] = v;
  return out;
}

template <class T>
Json optional_json(const std::optional<T>& v) {
  return v ? Json(*v) : Json(nullptr);
}

Json instance_json(const InstanceType& t) {
  Json j = {{"name", t.name},
            {"origin", origin(t)},
            {"cloud", t.cloud.empty() ? Json(nullptr) : Json(t.cloud)},
            {"vcpus", optional_json(t.vcpus)},
            {"memory_gib", optional_json(t.memory_gib)},
            {"peak_gflops", rate_json(t.peak_gflops)},
            {"mem_bandwidth_gbs", optional_json(t.mem_bandwidth_gbs)},
            {"accelerators", nullptr},
            {"usd_per_hour", optional_json(t.usd_per_hour)},
            {"price_source", t.usd_per_hour ? Json(t.price_source()) : Json(nullptr)}};
  if (t.accelerators) {
    const Accelerators& a = *t.accelerators;
    j["accelerators"] = {{"type", a.type},
                         {"count", a.count},
                         {"peak_tflops", rate_json(a.peak_tflops)},
                         {"mem_bandwidth_gbs", optional_json(a.mem_bandwidth_gbs)},
                         {"memory_gib", optional_json(a.memory_gib)}};
  }
  write_cpu_memory(t.cpu_memory, j);
  if (!t.note.empty()) j["note"] = t.note;
  return j;
}

std::string or_dash(const std::optional<double>& v) { return v ? format_number(*v) : "-"; }

std::string text_table(const std::vector<InstanceType>& types) {
  std::string out = fmt::format("{:<26} {:<6} {:>5} {:>8} {:<14} {:>9}  {}\n", "INSTANCE TYPE", "CLOUD", "VCPUS",
                                "MEM GIB", "ACCELERATORS", "USD/HOUR", "FROM");
  for (const auto& t : types) {
    std::string acc = t.accelerators ? fmt::format("{} × {}", t.accelerators->count, t.accelerators->type) : "-";
    std::string usd = t.usd_per_hour ? fmt::format("{}", *t.usd_per_hour) : "-";
    out += fmt::format("{:<26} {:<6} {:>5} {:>8} {:<14} {:>9}  {}{}\n", t.name, t.cloud.empty() ? "-" : t.cloud,
                       t.vcpus ? std::to_string(*t.vcpus) : "-", or_dash(t.memory_gib), acc, usd, origin(t),
                       t.note.empty() ? "" : " (note)");
  }
  out += fmt::format(
      "\n{} instance types; prices are on-demand Linux, per region and date as `--format json` shows (price_source)\n",
      types.size());
  bool first = true;
  for (const auto& t : types) {
    if (t.note.empty()) continue;
    out += fmt::format("{}  {}: {}\n", first ? "\nnotes:\n" : "", t.name, t.note);
    first = false;
  }
  return out;
}

int run_hardware_command(const HardwareArgs& args) {
  std::optional<Document> doc;
  if (!args.spec.empty()) {
    LoadResult loaded = load_document(args.spec);
    std::vector<Finding> errors = loaded.errors;
    if (loaded.document) {
      auto invalid = SchemaValidator::spec_v1().validate(*loaded.document);
      errors.insert(errors.end(), invalid.begin(), invalid.end());
    }
    if (!errors.empty()) {
      for (const auto& e : errors) std::cerr << render_diagnostic(e, loaded.source.get(), use_color("auto", 2));
      return kExitUsage;
    }
    doc = std::move(loaded.document);
  }
  // instance_type reads the spec's `hardware` from the document alone.
  System system;
  if (doc) system.document = &*doc;
  std::vector<InstanceType> types;
  for (const auto& name : instance_type_names(doc ? doc->root : Json::object()))
    if (auto t = instance_type(system, name)) types.push_back(std::move(*t));
  // By cloud, then name; the spec's own types (no cloud) last.
  std::stable_sort(types.begin(), types.end(), [](const InstanceType& a, const InstanceType& b) {
    return std::pair(a.cloud.empty(), a.cloud) < std::pair(b.cloud.empty(), b.cloud);
  });

  std::string out;
  if (args.format == "json") {
    Json list = Json::array();
    for (const auto& t : types) list.push_back(instance_json(t));
    out = Json{{"version", 1}, {"instance_types", list}}.dump(2) + "\n";
  } else {
    out = text_table(types);
  }
  return emit(args.output, out) ? kExitOk : kExitUsage;
}

}  // namespace

void add_hardware_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<HardwareArgs>();
  CLI::App* cmd = app.add_subcommand("hardware", "List the instance types: the built-in catalog, merged with a spec's `hardware`");
  cmd->add_option("spec", args->spec, "A spec whose `hardware` extends or overrides the catalog");
  cmd->add_option("-f,--format", args->format, "Output format")->check(CLI::IsMember({"text", "json"}))->default_val("text");
  cmd->add_option("-o,--output", args->output, "Write to FILE instead of stdout");
  cmd->callback([args, &exit_code] { exit_code = run_hardware_command(*args); });
}

}  // namespace mlarch::cli
