#include "trainer/trainer.hpp"

#include <cmath>
#include <fstream>

namespace trainer {

std::vector<double> fit(const std::vector<Example>& examples, int epochs) {
  std::vector<double> w(examples.empty() ? 0 : examples[0].features.size(), 0.0);
  for (int e = 0; e < epochs; ++e)
    for (const auto& ex : examples) {
      double z = 0;
      for (std::size_t i = 0; i < w.size(); ++i) z += w[i] * ex.features[i];
      double err = (ex.fraud ? 1.0 : 0.0) - 1 / (1 + std::exp(-z));
      for (std::size_t i = 0; i < w.size(); ++i) w[i] += 0.01 * err * ex.features[i];
    }
  return w;
}

void publish(const std::vector<double>& weights, const std::string& path) {
  std::ofstream out(path);
  for (double w : weights) out << w << "\n";
}

}  // namespace trainer
