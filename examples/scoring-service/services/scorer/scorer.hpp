// The scorer: the fraud model, served. Loads a model artifact the trainer published.
#pragma once

#include <string>
#include <vector>

namespace scorer {

struct Score {
  double probability = 0;
  bool block = false;
};

class Scorer {
 public:
  explicit Scorer(const std::string& model_path);
  Score score(const std::vector<double>& features) const;

 private:
  std::vector<double> weights_;
  double threshold_ = 0.9;
};

}  // namespace scorer
