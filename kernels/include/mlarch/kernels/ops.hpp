// The operators the reference models are built from, on fp32 Eigen matrices. Activations are
// column-major with one column per sample (or per token, or per pixel): features × columns.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include <Eigen/Dense>

#include "mlarch/kernels/gemm.hpp"

namespace mlarch::kernels {

using Matrix = Eigen::MatrixXf;
using Vector = Eigen::VectorXf;

// c = a·b and c = aᵀ·b, every GEMM of the kernels: by the packed kernel of `isa` (gemm.hpp) when
// it has one and the product is large enough to repay packing, by Eigen otherwise. On
// set_threads' threads, one when called inside a parallel region. c must not alias a or b.
void matmul(const Eigen::Ref<const Matrix>& a, const Eigen::Ref<const Matrix>& b, Eigen::Ref<Matrix> c, Isa isa = gemm_isa());
void matmul_transposed(const Eigen::Ref<const Matrix>& a, const Eigen::Ref<const Matrix>& b, Eigen::Ref<Matrix> c,
                       Isa isa = gemm_isa());

// A layer's weights (outputs × inputs) and, when the CPU has a packed kernel and the matrix is
// large enough to repay it, the same packed once for that kernel (gemm.hpp's PackedMatrix): every
// call of the layer then reads them from contiguous panels and packs nothing. Reads as the matrix.
class Weights {
 public:
  Weights() = default;
  explicit Weights(Matrix w, Isa isa = gemm_isa());
  const Matrix& matrix() const { return w_; }
  operator const Matrix&() const { return w_; }  // NOLINT(google-explicit-constructor): reads as its matrix
  float operator()(Eigen::Index i, Eigen::Index j) const { return w_(i, j); }
  Eigen::Index rows() const { return w_.rows(); }
  Eigen::Index cols() const { return w_.cols(); }
  const PackedMatrix& packed() const { return packed_; }
  // Whether a rows × cols matrix is packed (on a CPU with a packed kernel): as for matmul's A.
  static bool packs(Eigen::Index rows, Eigen::Index cols);

 private:
  Matrix w_;
  PackedMatrix packed_;
};

// c = a·b by the packed kernel, `a` packed beforehand, on matmul's threads. False, c untouched,
// when `a` is empty or `b` has too few columns to repay the kernel (a matrix-vector product): the
// caller multiplies by Eigen then.
bool matmul_prepacked(const PackedMatrix& a, const Eigen::Ref<const Matrix>& b, Eigen::Ref<Matrix> c);
// c = w·b: the packed copy when it has one, as `matmul` otherwise.
void matmul(const Weights& w, const Eigen::Ref<const Matrix>& b, Eigen::Ref<Matrix> c);

enum class Activation { none, relu };

// y = act(W x + b), every column of x a sample: a GEMM.
void dense(const Weights& w, const Vector& b, const Eigen::Ref<const Matrix>& x, Eigen::Ref<Matrix> y, Activation act);

// A convolution with "same" padding (TensorFlow's: output ⌈in ÷ stride⌉, the odd pad at the
// bottom and right).
struct ConvShape {
  int channels = 1, height = 1, width = 1;  // input
  int filters = 1, kernel = 1, stride = 1;
  int out_height() const { return (height + stride - 1) / stride; }
  int out_width() const { return (width + stride - 1) / stride; }
  int pad_top() const;
  int pad_left() const;
  long patch() const { return static_cast<long>(kernel) * kernel * channels; }  // rows of the im2col matrix
};

// One image through a convolution and a ReLU, by im2col and one GEMM. `in`: channels × pixels
// (pixel y·width + x); `w`: filters × patch, a patch ordered (ky, kx, channel); `cols` is the
// workspace (patch × output pixels); `out`: filters × output pixels.
void conv2d(const ConvShape& s, const Weights& w, const Vector& b, const Eigen::Ref<const Matrix>& in,
            Eigen::Ref<Matrix> cols, Eigen::Ref<Matrix> out);

// The sum of the columns `rows` of `table` (dim × rows): an embedding-bag lookup with sum pooling.
// Each row is asked for a few rows ahead of its turn (prefetch_rows), so that several are on their
// way from memory at once.
void embedding_bag(const Matrix& table, std::span<const std::int32_t> rows, Eigen::Ref<Vector> out);

// Asks the memory for the columns `rows` of `table` without waiting for them: a bag's rows lie at
// random places in a table far larger than the caches, and a read of each in turn would wait a
// memory latency per row (FBGEMM's embedding kernels prefetch the same way).
void prefetch_rows(const Matrix& table, std::span<const std::int32_t> rows);

// Normalizes each column to mean 0 and variance 1 (unit gain, zero bias).
void layer_norm(Eigen::Ref<Matrix> x);

// Multi-head attention with grouped keys and values: `heads` query heads of d_model ÷ heads
// values, every heads ÷ kv_heads of them sharing one key/value head.
struct AttentionShape {
  int d_model = 1, heads = 1, kv_heads = 1;
  int head_dim() const { return d_model / heads; }
  int kv_dim() const { return head_dim() * kv_heads; }
};

// Attention of the queries `q` (d_model × queries) over the keys `k` and values `v` (kv_dim ×
// keys): softmax(Kᵀ q ÷ √head_dim) weighting V, per head. Causal: query i sees keys 0..i only
// (a prompt's tokens over themselves); otherwise every key. `scores` is a workspace.
void attention(const AttentionShape& s, const Eigen::Ref<const Matrix>& q, const Eigen::Ref<const Matrix>& k,
               const Eigen::Ref<const Matrix>& v, bool causal, Eigen::Ref<Matrix> out, Matrix& scores);

// Trees stored as complete binary trees of `depth` levels: node n's children are 2n+1 (feature ≤
// threshold) and 2n+2; tree t's leaves add to output t mod output_dim.
struct TreeEnsemble {
  int trees = 0, depth = 0, input_dim = 1, output_dim = 1;
  std::vector<std::int32_t> feature;  // trees × (2^depth − 1) internal nodes
  std::vector<float> threshold;
  std::vector<float> leaf;  // trees × 2^depth
  long internal_nodes() const { return (1L << depth) - 1; }
  long leaves() const { return 1L << depth; }
};

// y (output_dim × samples) = the sum of the leaves each sample of x (input_dim × samples) reaches.
void predict(const TreeEnsemble& e, const Eigen::Ref<const Matrix>& x, Eigen::Ref<Matrix> y);

}  // namespace mlarch::kernels
