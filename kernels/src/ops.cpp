// The reference operators: GEMMs through the packed kernel (gemm.hpp) where the CPU has one and
// through Eigen otherwise, the rest as plain loops over Eigen blocks.
#include "mlarch/kernels/ops.hpp"

#include <algorithm>
#include <cmath>

#include <omp.h>

namespace mlarch::kernels {

namespace {

MatrixView view(const Eigen::Ref<const Matrix>& m, bool transposed) {
  const long rows = m.rows(), cols = m.cols(), ld = m.outerStride();
  return transposed ? MatrixView{m.data(), cols, rows, ld, 1} : MatrixView{m.data(), rows, cols, 1, ld};
}

// Packing costs a pass over A and B: worth it once each element of them is used several times. A
// matrix-vector product (or a sliver of one) stays with Eigen.
bool worth_packing(Eigen::Index m, Eigen::Index n, Eigen::Index k) { return m >= 8 && n >= 4 && k >= 8; }

// Eigen's thread count (set_threads), one inside a parallel region: the loops over samples
// already share the threads out there.
int gemm_threads() { return omp_in_parallel() ? 1 : std::max(1, Eigen::nbThreads()); }

}  // namespace

void matmul(const Eigen::Ref<const Matrix>& a, const Eigen::Ref<const Matrix>& b, Eigen::Ref<Matrix> c, Isa isa) {
  eigen_assert(a.cols() == b.rows() && c.rows() == a.rows() && c.cols() == b.cols());
  if (isa != Isa::sse2 && worth_packing(a.rows(), b.cols(), a.cols()))
    packed_gemm(isa, view(a, false), view(b, false), c.data(), c.outerStride(), gemm_threads());
  else
    c.noalias() = a * b;
}

void matmul_transposed(const Eigen::Ref<const Matrix>& a, const Eigen::Ref<const Matrix>& b, Eigen::Ref<Matrix> c, Isa isa) {
  eigen_assert(a.rows() == b.rows() && c.rows() == a.cols() && c.cols() == b.cols());
  if (isa != Isa::sse2 && worth_packing(a.cols(), b.cols(), a.rows()))
    packed_gemm(isa, view(a, true), view(b, false), c.data(), c.outerStride(), gemm_threads());
  else
    c.noalias() = a.transpose() * b;
}

void dense(const Matrix& w, const Vector& b, const Eigen::Ref<const Matrix>& x, Eigen::Ref<Matrix> y, Activation act) {
  matmul(w, x, y);
  y.colwise() += b;
  if (act == Activation::relu) y = y.cwiseMax(0.0f);
}

int ConvShape::pad_top() const {
  int total = std::max((out_height() - 1) * stride + kernel - height, 0);
  return total / 2;
}

int ConvShape::pad_left() const {
  int total = std::max((out_width() - 1) * stride + kernel - width, 0);
  return total / 2;
}

void conv2d(const ConvShape& s, const Matrix& w, const Vector& b, const Eigen::Ref<const Matrix>& in,
            Eigen::Ref<Matrix> cols, Eigen::Ref<Matrix> out) {
  const int oh = s.out_height(), ow = s.out_width(), top = s.pad_top(), left = s.pad_left(), c = s.channels;
  for (int oy = 0; oy < oh; ++oy)
    for (int ox = 0; ox < ow; ++ox) {
      const Eigen::Index col = static_cast<Eigen::Index>(oy) * ow + ox;
      for (int ky = 0; ky < s.kernel; ++ky) {
        const int iy = oy * s.stride + ky - top;
        for (int kx = 0; kx < s.kernel; ++kx) {
          const int ix = ox * s.stride + kx - left;
          auto dst = cols.block(static_cast<Eigen::Index>(ky * s.kernel + kx) * c, col, c, 1);
          if (iy < 0 || iy >= s.height || ix < 0 || ix >= s.width)
            dst.setZero();
          else
            dst = in.col(static_cast<Eigen::Index>(iy) * s.width + ix);
        }
      }
    }
  matmul(w, cols, out);
  out.colwise() += b;
  out = out.cwiseMax(0.0f);
}

void embedding_bag(const Matrix& table, std::span<const std::int32_t> rows, Eigen::Ref<Vector> out) {
  out.setZero();
  for (std::int32_t r : rows) out += table.col(r);
}

void layer_norm(Eigen::Ref<Matrix> x) {
  const float n = static_cast<float>(x.rows());
  for (Eigen::Index j = 0; j < x.cols(); ++j) {
    auto col = x.col(j);
    const float mean = col.sum() / n;
    col.array() -= mean;
    const float var = col.squaredNorm() / n;
    col *= 1.0f / std::sqrt(var + 1e-5f);
  }
}

void attention(const AttentionShape& s, const Eigen::Ref<const Matrix>& q, const Eigen::Ref<const Matrix>& k,
               const Eigen::Ref<const Matrix>& v, bool causal, Eigen::Ref<Matrix> out, Matrix& scores) {
  const int hd = s.head_dim(), group = s.heads / s.kv_heads;
  const float scale = 1.0f / std::sqrt(static_cast<float>(hd));
  const Eigen::Index keys = k.cols(), queries = q.cols();
  scores.resize(keys, queries);
  for (int h = 0; h < s.heads; ++h) {
    const int g = h / group;
    matmul_transposed(k.middleRows(static_cast<Eigen::Index>(g) * hd, hd), q.middleRows(static_cast<Eigen::Index>(h) * hd, hd),
                      scores);
    for (Eigen::Index i = 0; i < queries; ++i) {
      // Query i sees keys 0..i when causal: those after it get no weight.
      const Eigen::Index seen = causal ? std::min(i + 1, keys) : keys;
      auto col = scores.col(i).head(seen);
      col *= scale;
      const float top = col.maxCoeff();
      col = (col.array() - top).exp();
      col /= col.sum();
      scores.col(i).tail(keys - seen).setZero();
    }
    matmul(v.middleRows(static_cast<Eigen::Index>(g) * hd, hd), scores, out.middleRows(static_cast<Eigen::Index>(h) * hd, hd));
  }
}

void predict(const TreeEnsemble& e, const Eigen::Ref<const Matrix>& x, Eigen::Ref<Matrix> y) {
  y.setZero();
  const long internal = e.internal_nodes(), leaves = e.leaves();
  for (Eigen::Index j = 0; j < x.cols(); ++j) {
    const float* sample = x.col(j).data();
    for (int t = 0; t < e.trees; ++t) {
      const std::int32_t* feature = e.feature.data() + t * internal;
      const float* threshold = e.threshold.data() + t * internal;
      long n = 0;
      for (int level = 0; level < e.depth; ++level) n = 2 * n + 1 + (sample[feature[n]] > threshold[n] ? 1 : 0);
      y(t % e.output_dim, j) += e.leaf[static_cast<std::size_t>(t * leaves + (n - internal))];
    }
  }
}

}  // namespace mlarch::kernels
