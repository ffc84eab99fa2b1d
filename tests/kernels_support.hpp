// Helpers shared by the kernels' tests: matrices of reproducible random values.
#pragma once

#include <random>

#include "mlarch/kernels/ops.hpp"

namespace mlarch::test {

// rows × cols values uniform on [-1, 1), the same for the same seed.
inline kernels::Matrix random_matrix(Eigen::Index rows, Eigen::Index cols, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-1, 1);
  kernels::Matrix m(rows, cols);
  for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = u(rng);
  return m;
}

}  // namespace mlarch::test
