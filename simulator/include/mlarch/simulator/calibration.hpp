// Measured service times: what `mlarch kernels --write-calibration` saves (each model's time per
// batch size on the host, and the host's roofline figures) and `simulate --calibration` reads in
// place of the cost model's derived times. Schema: schemas/calibration-v1.schema.json.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "mlarch/analyzer/diagnostic.hpp"
#include "mlarch/analyzer/document.hpp"
#include "mlarch/analyzer/hardware.hpp"

namespace mlarch::sim {

struct Calibration {
  std::string path;  // the file it came from, for messages
  double peak_gflops = 0, mem_bandwidth_gbs = 0;  // the host's, as probed
  CpuMemory memory;  // its cache and random reads, as probed
  int threads = 1;
  struct Point {
    int batch = 1;
    double ms = 0;  // median time of one forward pass over the batch
  };
  struct ModelTimes {
    std::string type;
    std::vector<Point> points;  // by batch size, ascending, distinct
  };
  std::map<std::string, ModelTimes, std::less<>> models;

  // The host as an instance type, from the probed figures (every precision at the fp32 peak).
  InstanceType host() const;
  // The measured time of `model` at `batch`: linear between the measured sizes, along the nearest
  // segment beyond them (never below half the nearest measured time). Empty for a model not measured.
  std::optional<double> ms(std::string_view model, int batch) const;
};

std::string calibration_json(const Calibration& c);

struct CalibrationLoad {
  std::optional<Calibration> calibration;
  std::vector<Finding> errors;  // at the calibration file's lines
  SourceFilePtr source;         // its text, for the diagnostics' source lines
};
CalibrationLoad load_calibration(const std::string& path);

}  // namespace mlarch::sim
