#include "scorer/scorer.hpp"

#include <cmath>
#include <fstream>

namespace scorer {

Scorer::Scorer(const std::string& model_path) {
  std::ifstream in(model_path);
  for (double w; in >> w;) weights_.push_back(w);
}

Score Scorer::score(const std::vector<double>& features) const {
  double z = 0;
  for (std::size_t i = 0; i < features.size() && i < weights_.size(); ++i) z += weights_[i] * features[i];
  Score s;
  s.probability = 1 / (1 + std::exp(-z));
  s.block = s.probability > threshold_;
  return s;
}

}  // namespace scorer
