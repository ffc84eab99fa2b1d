// The reference kernels against naive loops: every operator, and every architecture's forward
// pass on small shapes, with the same weights.
#include <cmath>

#include <gtest/gtest.h>

#include "mlarch/kernels/reference_model.hpp"
#include "kernels_support.hpp"
#include "test_support.hpp"

namespace mlarch::kernels {
namespace {

using test::arch;

// A naive tensor: plain nested vectors of doubles, indexed [feature][column].
using Table2 = std::vector<std::vector<double>>;

Table2 to_table(const Eigen::Ref<const Matrix>& m) {
  Table2 t(static_cast<std::size_t>(m.rows()), std::vector<double>(static_cast<std::size_t>(m.cols())));
  for (Eigen::Index i = 0; i < m.rows(); ++i)
    for (Eigen::Index j = 0; j < m.cols(); ++j) t[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)] = m(i, j);
  return t;
}

void expect_near(const Eigen::Ref<const Matrix>& got, const Table2& want, double tol = 2e-4) {
  ASSERT_EQ(static_cast<std::size_t>(got.rows()), want.size());
  double scale = 1e-6;
  for (const auto& row : want)
    for (double v : row) scale = std::max(scale, std::abs(v));
  for (Eigen::Index i = 0; i < got.rows(); ++i) {
    ASSERT_EQ(static_cast<std::size_t>(got.cols()), want[static_cast<std::size_t>(i)].size());
    for (Eigen::Index j = 0; j < got.cols(); ++j)
      ASSERT_NEAR(got(i, j), want[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)], tol * scale) << "at (" << i << ", " << j << ")";
  }
}

Table2 naive_dense(const DenseLayer& l, const Table2& x, bool relu) {
  Table2 y(static_cast<std::size_t>(l.w.rows()), std::vector<double>(x.front().size()));
  for (std::size_t o = 0; o < y.size(); ++o)
    for (std::size_t j = 0; j < y[o].size(); ++j) {
      double acc = l.b(static_cast<Eigen::Index>(o));
      for (std::size_t i = 0; i < x.size(); ++i) acc += l.w(static_cast<Eigen::Index>(o), static_cast<Eigen::Index>(i)) * x[i][j];
      y[o][j] = relu ? std::max(acc, 0.0) : acc;
    }
  return y;
}

Table2 naive_stack(const std::vector<DenseLayer>& layers, Table2 x) {
  for (std::size_t i = 0; i < layers.size(); ++i) x = naive_dense(layers[i], x, i + 1 < layers.size());
  return x;
}

// Direct convolution with TensorFlow's "same" padding, then ReLU; in[c][y·W + x].
Table2 naive_conv(const ConvShape& s, const DenseLayer& l, const Table2& in) {
  const int oh = (s.height + s.stride - 1) / s.stride, ow = (s.width + s.stride - 1) / s.stride;
  const int pad_h = std::max((oh - 1) * s.stride + s.kernel - s.height, 0) / 2;
  const int pad_w = std::max((ow - 1) * s.stride + s.kernel - s.width, 0) / 2;
  Table2 out(static_cast<std::size_t>(s.filters), std::vector<double>(static_cast<std::size_t>(oh * ow)));
  for (int f = 0; f < s.filters; ++f)
    for (int oy = 0; oy < oh; ++oy)
      for (int ox = 0; ox < ow; ++ox) {
        double acc = l.b(f);
        for (int ky = 0; ky < s.kernel; ++ky)
          for (int kx = 0; kx < s.kernel; ++kx)
            for (int c = 0; c < s.channels; ++c) {
              int iy = oy * s.stride + ky - pad_h, ix = ox * s.stride + kx - pad_w;
              if (iy < 0 || iy >= s.height || ix < 0 || ix >= s.width) continue;
              acc += l.w(f, (ky * s.kernel + kx) * s.channels + c) * in[static_cast<std::size_t>(c)][static_cast<std::size_t>(iy * s.width + ix)];
            }
        out[static_cast<std::size_t>(f)][static_cast<std::size_t>(oy * ow + ox)] = std::max(acc, 0.0);
      }
  return out;
}

void naive_layer_norm(Table2& x) {
  for (std::size_t j = 0; j < x.front().size(); ++j) {
    double mean = 0, var = 0;
    for (auto& row : x) mean += row[j];
    mean /= static_cast<double>(x.size());
    for (auto& row : x) var += (row[j] - mean) * (row[j] - mean);
    var /= static_cast<double>(x.size());
    for (auto& row : x) row[j] = (row[j] - mean) / std::sqrt(var + 1e-5);
  }
}

Table2 matmul(const Matrix& w, const Table2& x) { return naive_dense({Weights(w), Vector::Zero(w.rows())}, x, false); }

// Attention by its definition: per head and query, softmax over the visible keys.
Table2 naive_attention(const AttentionShape& s, const Table2& q, const Table2& k, const Table2& v, bool causal) {
  const std::size_t hd = static_cast<std::size_t>(s.d_model / s.heads), group = static_cast<std::size_t>(s.heads / s.kv_heads);
  const std::size_t queries = q.front().size(), keys = k.front().size();
  Table2 out(q.size(), std::vector<double>(queries, 0.0));
  for (std::size_t h = 0; h < static_cast<std::size_t>(s.heads); ++h) {
    const std::size_t g = h / group;
    for (std::size_t i = 0; i < queries; ++i) {
      std::size_t seen = causal ? std::min(i + 1, keys) : keys;
      std::vector<double> w(seen);
      double top = -1e300, sum = 0;
      for (std::size_t j = 0; j < seen; ++j) {
        double dot = 0;
        for (std::size_t e = 0; e < hd; ++e) dot += q[h * hd + e][i] * k[g * hd + e][j];
        w[j] = dot / std::sqrt(static_cast<double>(hd));
        top = std::max(top, w[j]);
      }
      for (auto& x : w) sum += (x = std::exp(x - top));
      for (std::size_t e = 0; e < hd; ++e)
        for (std::size_t j = 0; j < seen; ++j) out[h * hd + e][i] += w[j] / sum * v[g * hd + e][j];
    }
  }
  return out;
}

KernelPlan plan_of(const std::string& yaml_flow) {
  auto p = plan_kernel(arch(yaml_flow), "/models/m/architecture", "m");
  if (auto* e = std::get_if<ArchitectureError>(&p)) ADD_FAILURE() << e->message;
  return std::get<KernelPlan>(p);
}

TEST(KernelOps, DenseIsTheMatrixProductPlusBiasThenReLU) {
  DenseLayer l{Weights(test::random_matrix(5, 7, 1)), test::random_matrix(5, 1, 2)};
  Matrix x = test::random_matrix(7, 3, 3), y(5, 3);
  dense(l.w, l.b, x, y, Activation::relu);
  expect_near(y, naive_dense(l, to_table(x), true));
  dense(l.w, l.b, x, y, Activation::none);
  expect_near(y, naive_dense(l, to_table(x), false));
}

TEST(KernelOps, ConvolutionByIm2colMatchesTheDirectSum) {
  // Odd and even sizes, strides 1 to 3, kernels 1 to 5: padding on either side.
  for (auto [h, w, c, f, k, stride] : std::vector<std::array<int, 6>>{
           {7, 5, 3, 4, 3, 1}, {8, 8, 2, 3, 3, 2}, {9, 6, 1, 2, 5, 3}, {4, 4, 3, 2, 1, 1}, {6, 7, 2, 5, 4, 2}}) {
    ConvShape s{c, h, w, f, k, stride};
    DenseLayer l{Weights(test::random_matrix(f, s.patch(), 4)), test::random_matrix(f, 1, 5)};
    Matrix in = test::random_matrix(c, h * w, 6);
    Matrix cols(s.patch(), s.out_height() * s.out_width()), out(f, s.out_height() * s.out_width());
    conv2d(s, l.w, l.b, in, cols, out);
    expect_near(out, naive_conv(s, l, to_table(in)));
    // The same image as the top rows of a taller matrix: a pixel's channels then not adjacent to
    // the next pixel's.
    Matrix taller = test::random_matrix(c + 2, h * w, 7);
    taller.topRows(c) = in;
    out.setConstant(7.0f);
    conv2d(s, l.w, l.b, taller.topRows(c), cols, out);
    expect_near(out, naive_conv(s, l, to_table(in)));
  }
}

TEST(KernelOps, EmbeddingBagSumsTheLookedUpRows) {
  Matrix table = test::random_matrix(4, 10, 7);
  std::vector<std::int32_t> rows{3, 9, 3, 0};
  Vector out(4);
  embedding_bag(table, rows, out);
  for (Eigen::Index i = 0; i < 4; ++i) EXPECT_NEAR(out(i), table(i, 3) * 2 + table(i, 9) + table(i, 0), 1e-5);
}

TEST(KernelOps, LayerNormGivesZeroMeanUnitVariance) {
  Matrix x = test::random_matrix(6, 4, 8) * 3.0f;
  Table2 want = to_table(x);
  naive_layer_norm(want);
  layer_norm(x);
  expect_near(x, want);
}

TEST(KernelOps, AttentionMatchesItsDefinition) {
  for (bool causal : {false, true}) {
    AttentionShape s{8, 4, 2};  // grouped-query: 2 query heads per key/value head
    Matrix q = test::random_matrix(8, 5, 9), k = test::random_matrix(4, 5, 10), v = test::random_matrix(4, 5, 11), out(8, 5), scores;
    attention(s, q, k, v, causal, out, scores);
    expect_near(out, naive_attention(s, to_table(q), to_table(k), to_table(v), causal));
  }
}

TEST(KernelOps, TreeTraversalFollowsTheThresholds) {
  KernelPlan p = plan_of("{type: tree_ensemble, trees: 5, depth: 3, input_dim: 4, output_dim: 2}");
  TreeModel m(p, 3, 1);
  m.run(3);
  const TreeEnsemble& e = m.ensemble;
  for (int j = 0; j < 3; ++j) {
    double want[2] = {0, 0};
    for (int t = 0; t < e.trees; ++t) {
      // Walk down with explicit left and right children of each node.
      long node = 0;
      for (int level = 0; level < e.depth; ++level) {
        long idx = t * e.internal_nodes() + node;
        bool right = m.input(e.feature[static_cast<std::size_t>(idx)], j) > e.threshold[static_cast<std::size_t>(idx)];
        node = right ? 2 * node + 2 : 2 * node + 1;
      }
      want[t % 2] += e.leaf[static_cast<std::size_t>(t * e.leaves() + node - e.internal_nodes())];
    }
    EXPECT_NEAR(m.output()(0, j), want[0], 1e-6);
    EXPECT_NEAR(m.output()(1, j), want[1], 1e-6);
  }
}

TEST(ReferenceModel, MlpIsItsLayersInOrder) {
  KernelPlan p = plan_of("{type: mlp, input_dim: 6, hidden: [8, 5], output_dim: 2}");
  Mlp m(p, 4, 1);
  m.run(3);
  expect_near(m.output(), naive_stack(m.layers, to_table(m.input.leftCols(3))));
}

TEST(ReferenceModel, EmbeddingMlpFeedsPooledRowsAfterTheDenseFeatures) {
  KernelPlan p = plan_of("{type: embedding_mlp, input_dim: 3, embedding_tables: [{rows: 50, dim: 4, lookups: 3}, {rows: 7, dim: 2}], hidden: [6], output_dim: 1}");
  EXPECT_EQ(p.widths.front(), 3 + 4 + 2);
  EmbeddingMlp m(p, 3, 1);
  m.run(3);
  Table2 x(9, std::vector<double>(3, 0.0));
  for (std::size_t j = 0; j < 3; ++j) {
    for (std::size_t i = 0; i < 3; ++i) x[i][j] = m.input(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j));
    std::size_t offset = 3;
    for (std::size_t t = 0; t < 2; ++t) {
      const auto n = static_cast<std::size_t>(m.lookups[t]);
      for (std::size_t r = 0; r < n; ++r)
        for (Eigen::Index d = 0; d < m.tables[t].rows(); ++d)
          x[offset + static_cast<std::size_t>(d)][j] += m.tables[t](d, m.rows[t][j * n + r]);
      offset += static_cast<std::size_t>(m.tables[t].rows());
    }
  }
  expect_near(m.output(), naive_stack(m.layers, x));
}

TEST(ReferenceModel, CnnIsConvolutionsThenPoolingThenTheHead) {
  KernelPlan p = plan_of("{type: cnn, image: {height: 9, width: 7, channels: 2}, conv_layers: [{filters: 3, kernel: 3, stride: 2}, {filters: 4, kernel: 3}], hidden: [5], output_dim: 2}");
  for (int threads : {1, 2}) {
    set_threads(threads);
    Cnn m(p, 3, threads, 1);
    m.run(3);
    Table2 pooled(4, std::vector<double>(3));
    for (Eigen::Index i = 0; i < 3; ++i) {
      Matrix image = Eigen::Map<const Matrix>(m.images.col(i).data(), 2, 63);
      Table2 a = to_table(image);
      for (std::size_t l = 0; l < m.shapes.size(); ++l) a = naive_conv(m.shapes[l], m.convs[l], a);
      for (std::size_t f = 0; f < 4; ++f) {
        double sum = 0;
        for (double v : a[f]) sum += v;
        pooled[f][static_cast<std::size_t>(i)] = sum / static_cast<double>(a[f].size());
      }
    }
    expect_near(m.output(), naive_stack(m.head, pooled));
  }
  set_threads(1);
}

// A transformer layer by its definition. Post-norm (encoder) or pre-norm with a SiLU-gated FFN (decoder).
Table2 naive_layer(const TransformerLayer& l, const AttentionShape& s, Table2 x, bool decoder, Table2* k_out = nullptr) {
  auto add = [](Table2& a, const Table2& b) {
    for (std::size_t i = 0; i < a.size(); ++i)
      for (std::size_t j = 0; j < a[i].size(); ++j) a[i][j] += b[i][j];
  };
  Table2 h = x;
  if (decoder) naive_layer_norm(h);
  Table2 k = matmul(l.wk, h);
  if (k_out) *k_out = k;
  Table2 att = naive_attention(s, matmul(l.wq, h), k, matmul(l.wv, h), decoder);
  add(x, matmul(l.wo, att));
  if (!decoder) naive_layer_norm(x);
  h = x;
  if (decoder) naive_layer_norm(h);
  Table2 u = matmul(l.up, h);
  if (decoder) {
    Table2 g = matmul(l.gate, h);
    for (std::size_t i = 0; i < u.size(); ++i)
      for (std::size_t j = 0; j < u[i].size(); ++j) u[i][j] *= g[i][j] / (1 + std::exp(-g[i][j]));
  } else {
    for (auto& row : u)
      for (double& v : row) v = std::max(v, 0.0);
  }
  add(x, matmul(l.down, u));
  if (!decoder) naive_layer_norm(x);
  return x;
}

TEST(ReferenceModel, TransformerEncoderIsItsLayersThenMeanPoolingThenTheHead) {
  KernelPlan p = plan_of("{type: transformer_encoder, layers: 2, d_model: 8, heads: 2, ffn_dim: 12, vocab: 30, seq_len: 5, output_dim: 3}");
  TransformerEncoder m(p, 2, 1, 1);
  m.run(2);
  Table2 pooled(8, std::vector<double>(2));
  for (std::size_t s = 0; s < 2; ++s) {
    Table2 x(8, std::vector<double>(5));
    for (std::size_t t = 0; t < 5; ++t)
      for (std::size_t d = 0; d < 8; ++d) x[d][t] = m.embedding(static_cast<Eigen::Index>(d), m.tokens[s * 5 + t]);
    for (const auto& l : m.layers) x = naive_layer(l, m.shape, x, false);
    for (std::size_t d = 0; d < 8; ++d) {
      double sum = 0;
      for (double v : x[d]) sum += v;
      pooled[d][s] = sum / 5;
    }
  }
  expect_near(m.output(), naive_dense(m.head, pooled, false));
}

// Logits of the last token of `tokens` by recomputing every layer over the whole sequence.
Table2 naive_decoder_logits(const DecoderLlm& m, const std::vector<std::int32_t>& tokens) {
  const auto d = static_cast<std::size_t>(m.shape.d_model);
  Table2 x(d, std::vector<double>(tokens.size()));
  for (std::size_t t = 0; t < tokens.size(); ++t)
    for (std::size_t i = 0; i < d; ++i) x[i][t] = m.embedding(static_cast<Eigen::Index>(i), tokens[t]);
  for (const auto& l : m.layers) x = naive_layer(l, m.shape, x, true);
  Table2 last(d, std::vector<double>(1));
  for (std::size_t i = 0; i < d; ++i) last[i][0] = x[i].back();
  naive_layer_norm(last);
  Matrix et = m.embedding.transpose();
  return matmul(et, last);
}

TEST(ReferenceModel, DecoderPrefillAndCachedDecodeStepsMatchARecomputedSequence) {
  KernelPlan p = plan_of("{type: decoder_llm, layers: 2, d_model: 8, heads: 4, kv_heads: 2, ffn_dim: 12, vocab: 20, prompt_tokens: {mean: 4}, output_tokens: {mean: 3}}");
  DecoderLlm m(p, 2, 1, 1);
  std::vector<std::vector<std::int32_t>> prompt{{1, 5, 7, 2}, {3, 3, 19, 0}};
  m.prefill(prompt);
  for (std::size_t s = 0; s < 2; ++s) expect_near(m.output().col(static_cast<Eigen::Index>(s)), naive_decoder_logits(m, prompt[s]));
  // Two decode steps through the KV cache = the whole sequence recomputed without one.
  for (std::int32_t step : {11, 4}) {
    m.decode({step, static_cast<std::int32_t>(step + 1)});
    for (std::size_t s = 0; s < 2; ++s) {
      prompt[s].push_back(static_cast<std::int32_t>(step + static_cast<std::int32_t>(s)));
      expect_near(m.output().col(static_cast<Eigen::Index>(s)), naive_decoder_logits(m, prompt[s]));
    }
  }
  m.run(2);  // prefill and 3 greedy steps: the last step's logits, one column per sequence
  EXPECT_EQ(m.output().rows(), 20);
  EXPECT_EQ(m.output().cols(), 2);
}

// Shapes large enough that the layers' weights are packed once for the GEMM kernel (rows and
// columns of at least 8, batches of at least 4), with partial panels: the same outputs as the naive
// loops. The decoder's logits then go through its packed unembedding.
TEST(ReferenceModel, PackedWeightsGiveTheSameOutputs) {
  KernelPlan p = plan_of("{type: mlp, input_dim: 45, hidden: [70, 33], output_dim: 9}");
  Mlp m(p, 16, 1);
  for (const auto& l : m.layers) EXPECT_EQ(l.w.packed().empty(), gemm_isa() == Isa::sse2);
  for (int batch : {5, 16}) {
    m.run(batch);
    expect_near(m.output(), naive_stack(m.layers, to_table(m.input.leftCols(batch))));
  }
  KernelPlan dp = plan_of("{type: decoder_llm, layers: 1, d_model: 16, heads: 2, ffn_dim: 24, vocab: 40, prompt_tokens: {mean: 3}, output_tokens: {mean: 2}}");
  DecoderLlm d(dp, 5, 1, 1);
  std::vector<std::vector<std::int32_t>> prompt{{1, 5, 7}, {3, 3, 19}, {0, 39, 2}, {8, 8, 8}, {30, 20, 10}};
  d.prefill(prompt);
  for (std::size_t s = 0; s < prompt.size(); ++s) expect_near(d.output().col(static_cast<Eigen::Index>(s)), naive_decoder_logits(d, prompt[s]));
}

TEST(ReferenceModel, SameSeedSameWeightsAndOutputs) {
  KernelPlan p = plan_of("{type: mlp, input_dim: 4, hidden: [3]}");
  auto a = make_reference_model(p, 2, 1), b = make_reference_model(p, 2, 1);
  a->run(2);
  b->run(2);
  EXPECT_EQ(a->output(), b->output());
}

TEST(KernelPlan, NamesTheMissingDimensionAtItsPlace) {
  auto p = plan_kernel(arch("{type: cnn, image: {height: 8, channels: 3}, conv_layers: [{filters: 4, kernel: 3}]}"), "/models/x/architecture", "x");
  ASSERT_TRUE(std::holds_alternative<ArchitectureError>(p));
  const auto& e = std::get<ArchitectureError>(p);
  EXPECT_EQ(e.pointer, "/models/x/architecture/image");
  EXPECT_NE(e.message.find("needs `width`"), std::string::npos) << e.message;

  auto q = plan_kernel(arch("{type: transformer_encoder, layers: 2, d_model: 10, heads: 3, vocab: 5, seq_len: 4}"), "/a", "x");
  ASSERT_TRUE(std::holds_alternative<ArchitectureError>(q));
  EXPECT_EQ(std::get<ArchitectureError>(q).pointer, "/a/heads");

  auto r = plan_kernel(arch("{type: mlp, hidden: [4]}"), "/a", "x");
  ASSERT_TRUE(std::holds_alternative<ArchitectureError>(r));
  EXPECT_NE(std::get<ArchitectureError>(r).message.find("needs `input_dim`"), std::string::npos);
}

TEST(KernelPlan, CountsWhatTheKernelAllocates) {
  // 4 → 3 → 1: weights (4·3 + 3) + (3·1 + 1) = 19 floats; activations (4 + 3 + 1) × batch.
  KernelPlan p = plan_of("{type: mlp, input_dim: 4, hidden: [3]}");
  EXPECT_DOUBLE_EQ(p.bytes(2, 1), (19 + 8 * 2) * 4.0);
  // A huge table is counted, not allocated: 2^33 rows × 64 floats.
  KernelPlan big = plan_of("{type: tree_ensemble, trees: 1000, depth: 30, input_dim: 4}");
  EXPECT_GT(big.bytes(1, 1), 1000 * std::ldexp(1.0, 30) * 3 * 4);
}

}  // namespace
}  // namespace mlarch::kernels
