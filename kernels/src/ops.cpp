// The reference operators: GEMMs through the packed kernel (gemm.hpp) where the CPU has one and
// through Eigen otherwise, the rest as plain loops over Eigen blocks.
#include "mlarch/kernels/ops.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

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

// y = act(y + b) on every column, in one pass (a column at a time: Eigen vectorizes that, not
// the broadcast over the whole matrix).
void add_bias(Eigen::Ref<Matrix> y, const Vector& b, Activation act) {
  for (Eigen::Index j = 0; j < y.cols(); ++j) {
    if (act == Activation::relu)
      y.col(j) = (y.col(j) + b).cwiseMax(0.0f);
    else
      y.col(j) += b;
  }
}

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

bool Weights::packs(Eigen::Index rows, Eigen::Index cols) { return rows >= 8 && cols >= 8; }

Weights::Weights(Matrix w, Isa isa) : w_(std::move(w)) {
  if (isa != Isa::sse2 && packs(w_.rows(), w_.cols())) packed_ = PackedMatrix(isa, view(w_, false));
}

bool matmul_prepacked(const PackedMatrix& a, const Eigen::Ref<const Matrix>& b, Eigen::Ref<Matrix> c) {
  if (a.empty() || !worth_packing(a.rows(), b.cols(), a.cols())) return false;
  eigen_assert(a.cols() == b.rows() && c.rows() == a.rows() && c.cols() == b.cols());
  packed_gemm(a, view(b, false), c.data(), c.outerStride(), gemm_threads());
  return true;
}

void matmul(const Weights& w, const Eigen::Ref<const Matrix>& b, Eigen::Ref<Matrix> c) {
  if (!matmul_prepacked(w.packed(), b, c)) matmul(w.matrix(), b, c);
}

void dense(const Weights& w, const Vector& b, const Eigen::Ref<const Matrix>& x, Eigen::Ref<Matrix> y, Activation act) {
  matmul(w, x, y);
  add_bias(y, b, act);
}

int ConvShape::pad_top() const {
  int total = std::max((out_height() - 1) * stride + kernel - height, 0);
  return total / 2;
}

int ConvShape::pad_left() const {
  int total = std::max((out_width() - 1) * stride + kernel - width, 0);
  return total / 2;
}

namespace {

// The im2col matrix of one image: column p holds output pixel p's patch, ordered (ky, kx,
// channel), zero where the patch hangs over the edge. A row of the patch is one run of memory when
// the channels of neighbouring pixels are adjacent in the input, as they are here.
void im2col(const ConvShape& s, const Eigen::Ref<const Matrix>& in, Eigen::Ref<Matrix> cols) {
  const int oh = s.out_height(), ow = s.out_width(), top = s.pad_top(), left = s.pad_left(), k = s.kernel;
  const long c = s.channels, run = k * c, pixel = in.outerStride();
  for (int oy = 0; oy < oh; ++oy)
    for (int ox = 0; ox < ow; ++ox) {
      float* col = cols.data() + (static_cast<Eigen::Index>(oy) * ow + ox) * cols.outerStride();
      const int ix0 = ox * s.stride - left;
      const int lo = std::clamp(-ix0, 0, k), hi = std::clamp(s.width - ix0, lo, k);  // kx inside the image
      for (int ky = 0; ky < k; ++ky, col += run) {
        const int iy = oy * s.stride + ky - top;
        if (iy < 0 || iy >= s.height) {
          std::fill_n(col, run, 0.0f);
          continue;
        }
        std::fill_n(col, lo * c, 0.0f);
        if (hi > lo) {
          const float* src = in.data() + (static_cast<Eigen::Index>(iy) * s.width + ix0 + lo) * pixel;  // pixel (iy, ix0 + lo)
          if (pixel == c)
            std::copy_n(src, (hi - lo) * c, col + lo * c);
          else
            for (int kx = lo; kx < hi; ++kx) std::copy_n(src + (kx - lo) * pixel, c, col + kx * c);
        }
        std::fill_n(col + hi * c, (k - hi) * c, 0.0f);
      }
    }
}

}  // namespace

void conv2d(const ConvShape& s, const Weights& w, const Vector& b, const Eigen::Ref<const Matrix>& in,
            Eigen::Ref<Matrix> cols, Eigen::Ref<Matrix> out) {
  im2col(s, in, cols);
  matmul(w, cols, out);
  add_bias(out, b, Activation::relu);
}

void prefetch_rows(const Matrix& table, std::span<const std::int32_t> rows) {
  const auto bytes = static_cast<std::uintptr_t>(table.rows()) * sizeof(float);
  for (std::int32_t r : rows) {
    // Every line the row touches: it need not start on a line's boundary.
    const auto begin = reinterpret_cast<std::uintptr_t>(table.col(r).data());
    for (std::uintptr_t line = begin & ~std::uintptr_t{63}; line < begin + bytes; line += 64)
      __builtin_prefetch(reinterpret_cast<const void*>(line));
  }
}

void embedding_bag(const Matrix& table, std::span<const std::int32_t> rows, Eigen::Ref<Vector> out) {
  constexpr std::size_t kAhead = 4;
  out.setZero();
  prefetch_rows(table, rows.first(std::min(kAhead, rows.size())));
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (i + kAhead < rows.size()) prefetch_rows(table, rows.subspan(i + kAhead, 1));
    out += table.col(rows[i]);
  }
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
