// Training code may use the serving artifact's format: the dependency goes the right way.
#include "trainer/trainer.hpp"
#include "scorer/scorer.hpp"
namespace trainer {
std::vector<double> fit(const std::vector<double>& labels, int epochs) {
  scorer::Artifact a{std::vector<double>(labels.size(), epochs)};
  return a.weights;
}
}  // namespace trainer
