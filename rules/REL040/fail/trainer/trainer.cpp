#include "trainer/trainer.hpp"
namespace trainer {
std::vector<double> fit(const std::vector<double>& labels, int epochs) { return std::vector<double>(labels.size(), epochs); }
}  // namespace trainer
