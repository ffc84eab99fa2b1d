// The trainer: fits the fraud model on labelled transactions and writes the artifact the
// scorer loads.
#pragma once

#include <string>
#include <vector>

namespace trainer {

struct Example {
  std::vector<double> features;
  bool fraud = false;
};

std::vector<double> fit(const std::vector<Example>& examples, int epochs);
void publish(const std::vector<double>& weights, const std::string& path);

}  // namespace trainer
