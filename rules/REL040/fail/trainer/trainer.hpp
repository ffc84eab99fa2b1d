// The training pipeline's code.
#pragma once
#include <vector>
namespace trainer {
std::vector<double> fit(const std::vector<double>& labels, int epochs);
}  // namespace trainer
