// The server refits when it finds no weights: training on the request path.
#include <vector>
#include "trainer/trainer.hpp"
double score(const std::vector<double>& weights) {
  std::vector<double> w = weights.empty() ? trainer::fit({1, 0}, 10) : weights;  // expect: REL040
  return w.empty() ? 0 : w[0];
}
