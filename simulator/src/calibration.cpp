// Calibration files: written by `mlarch kernels`, read by the simulator.
#include "mlarch/simulator/calibration.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "mlarch/analyzer/embedded.hpp"
#include "mlarch/analyzer/schema.hpp"

namespace mlarch::sim {

namespace {

const SchemaValidator& calibration_schema() {
  static const SchemaValidator validator(Json::parse(embedded_file("schemas/calibration-v1.schema.json")));
  return validator;
}

}  // namespace

InstanceType Calibration::host() const {
  InstanceType t;
  t.name = "host";
  t.vcpus = threads;
  t.peak_gflops.any = peak_gflops;
  t.mem_bandwidth_gbs = mem_bandwidth_gbs;
  t.cpu_memory = memory;
  return t;
}

std::optional<double> Calibration::ms(std::string_view model, int batch) const {
  auto it = models.find(model);
  if (it == models.end() || it->second.points.empty()) return std::nullopt;
  const auto& p = it->second.points;
  if (p.size() == 1) return p.front().ms * batch / p.front().batch;  // one size: proportional to the batch
  std::size_t i = 1;
  while (i + 1 < p.size() && p[i].batch < batch) ++i;
  const Point& a = p[i - 1];
  const Point& b = p[i];
  double y = a.ms + (b.ms - a.ms) * (batch - a.batch) / (b.batch - a.batch);
  // Beyond the measured sizes, a segment that falls steeply (noise between two small sizes) must
  // not reach zero: at least half the nearest measurement.
  if (batch < a.batch) return std::max(y, 0.5 * a.ms);
  if (batch > b.batch) return std::max(y, 0.5 * b.ms);
  return y;
}

std::string calibration_json(const Calibration& c) {
  Json j;
  j["version"] = 1;
  j["host"] = {{"peak_gflops", c.peak_gflops}, {"mem_bandwidth_gbs", c.mem_bandwidth_gbs}, {"threads", c.threads}};
  write_cpu_memory(c.memory, j["host"]);
  j["models"] = Json::object();
  for (const auto& [name, m] : c.models) {
    Json batches = Json::array();
    for (const auto& p : m.points) batches.push_back({{"batch", p.batch}, {"measured_ms", p.ms}});
    j["models"][name] = {{"type", m.type}, {"batches", batches}};
  }
  return j.dump(2) + "\n";
}

CalibrationLoad load_calibration(const std::string& path) {
  CalibrationLoad out;
  LoadResult loaded = load_validated(path, calibration_schema());
  out.source = loaded.source;
  out.errors = std::move(loaded.errors);
  if (!loaded.document) return out;
  const Document& doc = *loaded.document;
  Calibration c;
  c.path = path;
  const Json& root = doc.root;
  c.peak_gflops = root["host"]["peak_gflops"].get<double>();
  c.mem_bandwidth_gbs = root["host"]["mem_bandwidth_gbs"].get<double>();
  c.threads = root["host"]["threads"].get<int>();
  read_cpu_memory(root["host"], c.memory);
  for (const auto& [name, m] : root["models"].items()) {
    Calibration::ModelTimes times;
    times.type = m["type"].get<std::string>();
    for (const auto& b : m["batches"]) times.points.push_back({b["batch"].get<int>(), b["measured_ms"].get<double>()});
    std::sort(times.points.begin(), times.points.end(), [](const auto& x, const auto& y) { return x.batch < y.batch; });
    for (std::size_t i = 1; i < times.points.size(); ++i)
      if (times.points[i].batch == times.points[i - 1].batch) {
        std::string pointer = pointer_append(pointer_append(pointer_append("/models", name), "batches"), i);
        out.errors.push_back(input_error("E004", path, doc.key_position(pointer),
                                         fmt::format("model '{}' is measured twice at batch {}", name, times.points[i].batch),
                                         "keep one measurement per batch size"));
        return out;
      }
    c.models.emplace(name, std::move(times));
  }
  out.calibration = std::move(c);
  return out;
}

}  // namespace mlarch::sim
