// The reference models: shapes read and checked from the architecture, weights drawn from a fixed
// seed, forward passes from the operators in ops.cpp.
#include "mlarch/kernels/reference_model.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <omp.h>

namespace mlarch::kernels {

namespace {

constexpr double kFloat = 4;  // bytes of an fp32 value
// The largest count a shape may hold: the kernels index with 32-bit rows.
constexpr double kMaxCount = 2147483647;

// Reads the counts of one architecture, the first problem found kept as the error.
class ShapeReader {
 public:
  ShapeReader(const Json& a, std::string pointer, std::string model, std::string type)
      : a_(a), pointer_(std::move(pointer)), model_(std::move(model)), type_(std::move(type)) {}

  // A count at `key` of `j` (at `pointer`); `fallback` when absent, an error when absent without one.
  long count(const Json& j, const std::string& pointer, const char* key, std::optional<long> fallback = std::nullopt) {
    auto it = j.is_object() ? j.find(key) : j.end();
    if (it == j.end()) {
      if (!fallback) fail(pointer, fmt::format("model '{}': its `{}` architecture needs `{}` for the reference kernel", model_, type_, key),
                          "docs/spec.md lists the keys of each architecture type");
      return fallback.value_or(1);
    }
    double v = it->is_number() ? it->get<double>() : -1;
    if (!(v >= 1) || v > kMaxCount || v != std::floor(v)) {
      fail(pointer_append(pointer, key), fmt::format("model '{}': `{}` must be a whole number from 1 to {:.0f}", model_, key, kMaxCount));
      return 1;
    }
    return static_cast<long>(v);
  }
  long count(const char* key, std::optional<long> fallback = std::nullopt) { return count(a_, pointer_, key, fallback); }

  // The object or list at `key`, or an error when it is missing or of the wrong kind.
  const Json* member(const char* key, bool list) {
    auto it = a_.find(key);
    if (it == a_.end() || (list ? !it->is_array() || it->empty() : !it->is_object())) {
      fail(it == a_.end() ? pointer_ : pointer_append(pointer_, key),
           fmt::format("model '{}': its `{}` architecture needs `{}`{}", model_, type_, key, list ? ", a non-empty list" : ""),
           "docs/spec.md lists the keys of each architecture type");
      return nullptr;
    }
    return &*it;
  }

  // input, hidden..., output_dim.
  std::vector<long> widths(long input) {
    std::vector<long> w{input};
    if (auto h = a_.find("hidden"); h != a_.end()) {
      if (!h->is_array()) {
        fail(pointer_append(pointer_, "hidden"), fmt::format("model '{}': `hidden` must be a list of widths", model_));
        return w;
      }
      for (std::size_t i = 0; i < h->size(); ++i) {
        const Json& v = (*h)[i];
        double x = v.is_number() ? v.get<double>() : -1;
        if (!(x >= 1) || x > kMaxCount || x != std::floor(x)) {
          fail(pointer_append(pointer_append(pointer_, "hidden"), i), fmt::format("model '{}': a hidden width must be a whole number ≥ 1", model_));
          return w;
        }
        w.push_back(static_cast<long>(x));
      }
    }
    w.push_back(count("output_dim", 1));
    return w;
  }

  void fail(const std::string& pointer, std::string message, std::string help = {}) {
    if (!error) error = ArchitectureError{pointer, std::move(message), std::move(help)};
  }

  const std::string& pointer() const { return pointer_; }
  const std::string& model() const { return model_; }
  std::optional<ArchitectureError> error;

 private:
  const Json& a_;
  std::string pointer_, model_, type_;
};

void read_transformer(ShapeReader& r, KernelPlan& p) {
  p.layers = r.count("layers");
  p.d_model = r.count("d_model");
  p.heads = r.count("heads");
  p.kv_heads = r.count("kv_heads", p.heads);
  p.ffn_dim = r.count("ffn_dim", 4 * p.d_model);
  p.vocab = r.count("vocab");
  if (r.error) return;
  if (p.d_model % p.heads != 0)
    r.fail(pointer_append(r.pointer(), "heads"),
           fmt::format("model '{}': {} heads do not divide d_model {}", r.model(), p.heads, p.d_model),
           "attention splits d_model evenly across the heads");
  else if (p.heads % p.kv_heads != 0)
    r.fail(pointer_append(r.pointer(), "kv_heads"),
           fmt::format("model '{}': {} kv_heads do not divide {} heads", r.model(), p.kv_heads, p.heads),
           "grouped-query attention shares each key/value head among an equal number of query heads");
}

// A token distribution's mean, rounded.
long mean_tokens(ShapeReader& r, const Json& a, const char* key, long least) {
  auto it = a.find(key);
  const std::string pointer = pointer_append(r.pointer(), key);
  if (it == a.end() || !it->is_object()) {
    r.fail(r.pointer(), fmt::format("model '{}': its `decoder_llm` architecture needs `{}` for the reference kernel", r.model(), key),
           "docs/spec.md lists the keys of each architecture type");
    return least;
  }
  auto mean = json_number(*it, "mean");
  if (!mean || !(*mean >= 0) || *mean > kMaxCount) {
    r.fail(pointer, fmt::format("model '{}': `{}` needs a `mean`", r.model(), key));
    return least;
  }
  return std::max(least, std::lround(*mean));
}

// Uniform values in [−scale, scale]: splitmix64, fast enough to fill large embedding tables.
class WeightSource {
 public:
  explicit WeightSource(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  float uniform(float scale) { return scale * (static_cast<float>(next() >> 40) * 0x1.0p-23f - 1.0f); }
  std::int32_t below(long n) { return static_cast<std::int32_t>(next() % static_cast<std::uint64_t>(n)); }
  Matrix matrix(long rows, long cols, float scale) {
    Matrix m(rows, cols);
    float* p = m.data();
    for (Eigen::Index i = 0, n = m.size(); i < n; ++i) p[i] = uniform(scale);
    return m;
  }
  // Weights of a layer with `fan_in` inputs: scaled so activations stay of order 1.
  Matrix weights(long rows, long fan_in) { return matrix(rows, fan_in, 1.0f / std::sqrt(static_cast<float>(fan_in))); }
  DenseLayer dense(long out, long in) { return {Weights(weights(out, in)), matrix(out, 1, 0.1f)}; }

 private:
  std::uint64_t state_;
};

std::vector<DenseLayer> dense_stack(const std::vector<long>& widths, WeightSource& rng) {
  std::vector<DenseLayer> layers;
  for (std::size_t i = 1; i < widths.size(); ++i) layers.push_back(rng.dense(widths[i], widths[i - 1]));
  return layers;
}

// Floats a `Weights` of rows × cols holds: the matrix, and its packed copy when it has one.
double weight_floats(long rows, long cols) {
  return static_cast<double>(rows) * static_cast<double>(cols) + (Weights::packs(rows, cols) ? PackedMatrix::floats(rows, cols) : 0);
}

double dense_bytes(const std::vector<long>& widths, double batch) {
  double total = 0;
  for (std::size_t i = 0; i < widths.size(); ++i) {
    if (i > 0) total += weight_floats(widths[i], widths[i - 1]) + static_cast<double>(widths[i]);
    total += batch * static_cast<double>(widths[i]);
  }
  return total * kFloat;
}

int threads_for(int threads, Eigen::Index work) { return static_cast<int>(std::max<Eigen::Index>(1, std::min<Eigen::Index>(threads, work))); }

}  // namespace

std::variant<KernelPlan, ArchitectureError> plan_kernel(const Json& a, const std::string& pointer, const std::string& model_id) {
  if (!a.is_object())
    return ArchitectureError{pointer, fmt::format("model '{}': `architecture` must be a mapping", model_id), {}};
  KernelPlan p;
  p.type = json_string(a, "type");
  ShapeReader r(a, pointer, model_id, p.type);
  if (p.type == "mlp") {
    p.widths = r.widths(r.count("input_dim"));
  } else if (p.type == "embedding_mlp") {
    long input = r.count("input_dim");
    long pooled = 0;
    if (const Json* tables = r.member("embedding_tables", true)) {
      for (std::size_t i = 0; i < tables->size(); ++i) {
        const std::string tp = pointer_append(pointer_append(pointer, "embedding_tables"), i);
        KernelPlan::Table t{r.count((*tables)[i], tp, "rows"), r.count((*tables)[i], tp, "dim"), r.count((*tables)[i], tp, "lookups", 1)};
        pooled += t.dim;
        p.tables.push_back(t);
      }
    }
    p.input_dim = input;
    p.widths = r.widths(input + pooled);  // the pooled embeddings follow the dense features
  } else if (p.type == "cnn") {
    const Json* image = r.member("image", false);
    const Json* layers = r.member("conv_layers", true);
    if (image && layers) {
      const std::string ip = pointer_append(pointer, "image");
      ConvShape s;
      s.height = static_cast<int>(r.count(*image, ip, "height"));
      s.width = static_cast<int>(r.count(*image, ip, "width"));
      s.channels = static_cast<int>(r.count(*image, ip, "channels"));
      for (std::size_t i = 0; i < layers->size(); ++i) {
        const std::string lp = pointer_append(pointer_append(pointer, "conv_layers"), i);
        s.filters = static_cast<int>(r.count((*layers)[i], lp, "filters"));
        s.kernel = static_cast<int>(r.count((*layers)[i], lp, "kernel"));
        s.stride = static_cast<int>(r.count((*layers)[i], lp, "stride", 1));
        p.convs.push_back(s);
        s = ConvShape{s.filters, s.out_height(), s.out_width(), 1, 1, 1};
      }
      p.widths = r.widths(s.channels);
    }
  } else if (p.type == "transformer_encoder") {
    read_transformer(r, p);
    p.seq_len = r.count("seq_len");
    p.output_dim = r.count("output_dim", 1);
  } else if (p.type == "decoder_llm") {
    read_transformer(r, p);
    p.prompt_tokens = mean_tokens(r, a, "prompt_tokens", 1);
    p.output_tokens = mean_tokens(r, a, "output_tokens", 0);
  } else if (p.type == "tree_ensemble") {
    p.trees = r.count("trees");
    p.depth = r.count("depth");
    p.input_dim = r.count("input_dim");
    p.output_dim = r.count("output_dim", 1);
    if (!r.error && p.depth > 40)
      r.fail(pointer_append(pointer, "depth"), fmt::format("model '{}': trees of depth {} have 2^{} leaves each", model_id, p.depth, p.depth),
             "gradient-boosted trees are rarely deeper than 12");
  } else {
    r.fail(pointer_append(pointer, "type"), fmt::format("model '{}': no reference kernel runs architecture type '{}'", model_id, p.type),
           "the types are mlp, cnn, transformer_encoder, decoder_llm, embedding_mlp, tree_ensemble");
  }
  if (r.error) return *r.error;
  return p;
}

double KernelPlan::bytes(int batch, int threads) const {
  const double b = batch, t = std::max(1, threads);
  auto d = [](long v) { return static_cast<double>(v); };
  if (type == "mlp") return dense_bytes(widths, b);
  if (type == "embedding_mlp") {
    double total = dense_bytes(widths, b);
    for (const auto& table : tables) total += (d(table.rows) * d(table.dim) + b * d(table.lookups)) * kFloat;
    return total;
  }
  if (type == "cnn") {
    double weights = 0, widest = 0, cols = 0;
    for (const auto& s : convs) {
      double pixels = d(s.out_height()) * d(s.out_width());
      weights += weight_floats(s.filters, s.patch()) + s.filters;
      widest = std::max({widest, pixels * s.filters, d(s.height) * d(s.width) * s.channels});
      cols = std::max(cols, d(s.patch()) * pixels);
    }
    const ConvShape& first = convs.front();
    double images = b * d(first.height) * d(first.width) * first.channels;
    return (weights + images + std::min(t, b) * (2 * widest + cols)) * kFloat + dense_bytes(widths, b);
  }
  if (type == "transformer_encoder" || type == "decoder_llm") {
    const bool decoder = type == "decoder_llm";
    const long kv_dim = d_model / heads * kv_heads;
    double kv = d(kv_dim);
    double per_layer = 2 * weight_floats(d_model, d_model) + 2 * weight_floats(kv_dim, d_model) +
                       (decoder ? 2 : 1) * weight_floats(ffn_dim, d_model) + weight_floats(d_model, ffn_dim);
    // The embedding; a decoder's packed again, transposed, for the logits.
    double weights = d(layers) * per_layer + d(vocab) * d(d_model) + (decoder && Weights::packs(vocab, d_model) ? PackedMatrix::floats(vocab, d_model) : 0);
    double tokens = decoder ? d(prompt_tokens) : d(seq_len);
    // x, h, q, a (d each), k and v, the FFN's up (and gate), per token of the batch.
    double activations = b * tokens * (4 * d(d_model) + 2 * kv + (decoder ? 2 : 1) * d(ffn_dim));
    double scores = std::min(t, b) * tokens * (decoder ? tokens + d(output_tokens) : tokens);
    double extra = decoder ? d(layers) * 2 * kv * (d(prompt_tokens) + d(output_tokens)) * b + d(vocab) * b
                           : b * tokens + weight_floats(output_dim, d_model) + d(output_dim) + b * d(d_model);
    return (weights + activations + scores + extra) * kFloat;
  }
  if (type == "tree_ensemble") {
    double nodes = d(trees) * std::ldexp(1.0, static_cast<int>(depth));  // internal (feature, threshold) + leaves
    return nodes * 3 * kFloat + b * (d(input_dim) + d(output_dim)) * kFloat;
  }
  return 0;
}

// --- models ------------------------------------------------------------------------------------

Mlp::Mlp(const KernelPlan& plan, int max_batch, std::uint64_t seed) {
  WeightSource rng(seed);
  layers = dense_stack(plan.widths, rng);
  input = rng.matrix(plan.widths.front(), max_batch, 1.0f);
  for (std::size_t i = 1; i < plan.widths.size(); ++i) acts_.emplace_back(plan.widths[i], max_batch);
}

void Mlp::forward(const Eigen::Ref<const Matrix>& x, int batch) {
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const bool last = i + 1 == layers.size();
    if (i == 0)
      dense(layers[i].w, layers[i].b, x.leftCols(batch), acts_[i].leftCols(batch), last ? Activation::none : Activation::relu);
    else
      dense(layers[i].w, layers[i].b, acts_[i - 1].leftCols(batch), acts_[i].leftCols(batch), last ? Activation::none : Activation::relu);
  }
  output_ = acts_.back().leftCols(batch);
}

void Mlp::run(int batch) { forward(input, batch); }

EmbeddingMlp::EmbeddingMlp(const KernelPlan& plan, int max_batch, std::uint64_t seed) : Mlp(plan, max_batch, seed) {
  WeightSource rng(seed + 1);
  for (const auto& t : plan.tables) {
    tables.push_back(rng.matrix(t.dim, t.rows, 1.0f));
    std::vector<std::int32_t> r(static_cast<std::size_t>(t.lookups * max_batch));
    for (auto& i : r) i = rng.below(t.rows);
    rows.push_back(std::move(r));
    lookups.push_back(t.lookups);
  }
}

void EmbeddingMlp::run(int batch) {
  const int threads = threads_for(max_threads(), batch);
#pragma omp parallel for num_threads(threads) schedule(static)
  for (int j = 0; j < batch; ++j) {
    // The next sample's rows set off from memory while this sample's are summed.
    if (j + 1 < batch)
      for (std::size_t t = 0; t < tables.size(); ++t) {
        const auto n = static_cast<std::size_t>(lookups[t]);
        prefetch_rows(tables[t], std::span<const std::int32_t>(rows[t].data() + static_cast<std::size_t>(j + 1) * n, n));
      }
    Eigen::Index offset = input.rows();
    for (const auto& t : tables) offset -= t.rows();
    for (std::size_t t = 0; t < tables.size(); ++t) {
      const auto n = static_cast<std::size_t>(lookups[t]);
      embedding_bag(tables[t], std::span<const std::int32_t>(rows[t].data() + static_cast<std::size_t>(j) * n, n),
                    input.col(j).segment(offset, tables[t].rows()));
      offset += tables[t].rows();
    }
  }
  forward(input, batch);
}

Cnn::Cnn(const KernelPlan& plan, int max_batch, int threads, std::uint64_t seed) : shapes(plan.convs) {
  WeightSource rng(seed);
  Eigen::Index widest = 0, cols = 0;
  for (const auto& s : shapes) {
    convs.push_back(rng.dense(s.filters, s.patch()));
    widest = std::max<Eigen::Index>({widest, static_cast<Eigen::Index>(s.out_height()) * s.out_width() * s.filters,
                                     static_cast<Eigen::Index>(s.height) * s.width * s.channels});
    cols = std::max<Eigen::Index>(cols, s.patch() * s.out_height() * s.out_width());
  }
  head = dense_stack(plan.widths, rng);
  const ConvShape& first = shapes.front();
  images = rng.matrix(static_cast<long>(first.channels) * first.height * first.width, max_batch, 1.0f);
  work_.resize(static_cast<std::size_t>(threads_for(threads, max_batch)));
  for (auto& w : work_) {
    w.a.resize(widest, 1);
    w.b.resize(widest, 1);
    w.cols.resize(cols, 1);
  }
  pooled_.resize(plan.widths.front(), max_batch);
  head_a_.resize(*std::max_element(plan.widths.begin(), plan.widths.end()), max_batch);
  head_b_.resize(head_a_.rows(), max_batch);
}

void Cnn::run(int batch) {
  const int threads = std::min(threads_for(max_threads(), batch), static_cast<int>(work_.size()));
#pragma omp parallel for num_threads(threads) schedule(static)
  for (int i = 0; i < batch; ++i) {
    Workspace& w = work_[static_cast<std::size_t>(omp_get_thread_num())];
    const ConvShape& first = shapes.front();
    Eigen::Map<const Matrix> in0(images.col(i).data(), first.channels, static_cast<Eigen::Index>(first.height) * first.width);
    float* in = nullptr;
    float* out = w.a.data();
    for (std::size_t l = 0; l < shapes.size(); ++l) {
      const ConvShape& s = shapes[l];
      const Eigen::Index pixels = static_cast<Eigen::Index>(s.out_height()) * s.out_width();
      Eigen::Map<Matrix> cols(w.cols.data(), s.patch(), pixels);
      Eigen::Map<Matrix> dst(out, s.filters, pixels);
      if (l == 0)
        conv2d(s, convs[l].w, convs[l].b, in0, cols, dst);
      else
        conv2d(s, convs[l].w, convs[l].b, Eigen::Map<const Matrix>(in, s.channels, static_cast<Eigen::Index>(s.height) * s.width), cols, dst);
      in = out;
      out = out == w.a.data() ? w.b.data() : w.a.data();
    }
    const ConvShape& last = shapes.back();
    Eigen::Map<const Matrix> features(in, last.filters, static_cast<Eigen::Index>(last.out_height()) * last.out_width());
    pooled_.col(i) = features.rowwise().mean();
  }
  // The dense head over the pooled features.
  Matrix* cur = &pooled_;
  for (std::size_t l = 0; l < head.size(); ++l) {
    Matrix& dst = cur == &head_a_ ? head_b_ : head_a_;
    const bool last = l + 1 == head.size();
    dense(head[l].w, head[l].b, cur->topLeftCorner(head[l].w.cols(), batch), dst.topLeftCorner(head[l].w.rows(), batch),
          last ? Activation::none : Activation::relu);
    cur = &dst;
  }
  output_ = cur->topLeftCorner(head.back().w.rows(), batch);
}

namespace {

TransformerLayer transformer_layer(const AttentionShape& s, long ffn, bool gated, WeightSource& rng) {
  TransformerLayer l;
  l.wq = Weights(rng.weights(s.d_model, s.d_model));
  l.wk = Weights(rng.weights(s.kv_dim(), s.d_model));
  l.wv = Weights(rng.weights(s.kv_dim(), s.d_model));
  l.wo = Weights(rng.weights(s.d_model, s.d_model));
  l.up = Weights(rng.weights(ffn, s.d_model));
  if (gated) l.gate = Weights(rng.weights(ffn, s.d_model));
  l.down = Weights(rng.weights(s.d_model, ffn));
  return l;
}

AttentionShape attention_shape(const KernelPlan& p) {
  return {static_cast<int>(p.d_model), static_cast<int>(p.heads), static_cast<int>(p.kv_heads)};
}

}  // namespace

Transformer::Transformer(const KernelPlan& plan, Eigen::Index tokens, int max_batch, int threads, bool gated, std::uint64_t seed)
    : shape(attention_shape(plan)) {
  WeightSource rng(seed);
  embedding = rng.matrix(plan.d_model, plan.vocab, 1.0f);
  for (long l = 0; l < plan.layers; ++l) layers.push_back(transformer_layer(shape, plan.ffn_dim, gated, rng));
  for (Matrix* m : {&x_, &h_, &q_, &a_}) m->resize(plan.d_model, tokens);
  for (Matrix* m : {&k_, &v_}) m->resize(shape.kv_dim(), tokens);
  u_.resize(plan.ffn_dim, tokens);
  if (gated) g_.resize(plan.ffn_dim, tokens);
  scores_.resize(static_cast<std::size_t>(threads_for(threads, max_batch)));
}

TransformerEncoder::TransformerEncoder(const KernelPlan& plan, int max_batch, int threads, std::uint64_t seed)
    : Transformer(plan, plan.seq_len * max_batch, max_batch, threads, false, seed), seq_len(plan.seq_len) {
  WeightSource rng(seed + 1);
  head = rng.dense(plan.output_dim, plan.d_model);
  tokens.resize(static_cast<std::size_t>(seq_len * max_batch));
  for (auto& t : tokens) t = rng.below(plan.vocab);
  pooled_.resize(plan.d_model, max_batch);
}

void TransformerEncoder::run(int batch) {
  const Eigen::Index n = seq_len * batch, S = seq_len;
  for (Eigen::Index i = 0; i < n; ++i) x_.col(i) = embedding.col(tokens[static_cast<std::size_t>(i)]);
  auto x = x_.leftCols(n);
  const int threads = std::min(threads_for(max_threads(), batch), static_cast<int>(scores_.size()));
  for (const auto& l : layers) {
    matmul(l.wq, x, q_.leftCols(n));
    matmul(l.wk, x, k_.leftCols(n));
    matmul(l.wv, x, v_.leftCols(n));
#pragma omp parallel for num_threads(threads) schedule(static)
    for (int s = 0; s < batch; ++s)
      attention(shape, q_.middleCols(s * S, S), k_.middleCols(s * S, S), v_.middleCols(s * S, S), false,
                a_.middleCols(s * S, S), scores_[static_cast<std::size_t>(omp_get_thread_num())]);
    matmul(l.wo, a_.leftCols(n), h_.leftCols(n));
    x += h_.leftCols(n);
    layer_norm(x);
    matmul(l.up, x, u_.leftCols(n));
    u_.leftCols(n) = u_.leftCols(n).cwiseMax(0.0f);
    matmul(l.down, u_.leftCols(n), h_.leftCols(n));
    x += h_.leftCols(n);
    layer_norm(x);
  }
  for (int s = 0; s < batch; ++s) pooled_.col(s) = x_.middleCols(s * S, S).rowwise().mean();
  output_.resize(head.w.rows(), batch);
  dense(head.w, head.b, pooled_.leftCols(batch), output_, Activation::none);
}

DecoderLlm::DecoderLlm(const KernelPlan& plan, int max_batch, int threads, std::uint64_t seed)
    : Transformer(plan, plan.prompt_tokens * max_batch, max_batch, threads, true, seed),
      prompt_tokens(plan.prompt_tokens),
      output_tokens(plan.output_tokens) {
  WeightSource rng(seed + 1);
  prompts.resize(static_cast<std::size_t>(max_batch));
  for (auto& p : prompts) {
    p.resize(static_cast<std::size_t>(prompt_tokens));
    for (auto& t : p) t = rng.below(plan.vocab);
  }
  if (gemm_isa() != Isa::sse2 && Weights::packs(embedding.cols(), embedding.rows()))
    unembedding_ = PackedMatrix(gemm_isa(), {embedding.data(), embedding.cols(), embedding.rows(), embedding.rows(), 1});
  const long context = prompt_tokens + output_tokens;
  k_cache_.assign(layers.size(), std::vector<Matrix>(static_cast<std::size_t>(max_batch), Matrix(shape.kv_dim(), context)));
  v_cache_ = k_cache_;
  last_.resize(plan.d_model, max_batch);
}

void DecoderLlm::layer_step(std::size_t li, Eigen::Index sequences, Eigen::Index tokens, Eigen::Index position) {
  // Pre-norm: x += attention(norm(x)); x += FFN(norm(x)), the FFN gated by SiLU (SwiGLU).
  const TransformerLayer& l = layers[li];
  const Eigen::Index n = sequences * tokens;
  auto x = x_.leftCols(n);
  auto h = h_.leftCols(n);
  h = x;
  layer_norm(h);
  matmul(l.wq, h, q_.leftCols(n));
  matmul(l.wk, h, k_.leftCols(n));
  matmul(l.wv, h, v_.leftCols(n));
  const int threads = std::min(threads_for(max_threads(), sequences), static_cast<int>(scores_.size()));
#pragma omp parallel for num_threads(threads) schedule(static)
  for (Eigen::Index s = 0; s < sequences; ++s) {
    Matrix& kc = k_cache_[li][static_cast<std::size_t>(s)];
    Matrix& vc = v_cache_[li][static_cast<std::size_t>(s)];
    kc.middleCols(position, tokens) = k_.middleCols(s * tokens, tokens);
    vc.middleCols(position, tokens) = v_.middleCols(s * tokens, tokens);
    // A prompt attends causally over itself; a decode step's one token over the whole cache.
    attention(shape, q_.middleCols(s * tokens, tokens), kc.leftCols(position + tokens), vc.leftCols(position + tokens),
              tokens > 1, a_.middleCols(s * tokens, tokens), scores_[static_cast<std::size_t>(omp_get_thread_num())]);
  }
  matmul(l.wo, a_.leftCols(n), h);
  x += h;
  h = x;
  layer_norm(h);
  matmul(l.up, h, u_.leftCols(n));
  matmul(l.gate, h, g_.leftCols(n));
  u_.leftCols(n).array() *= g_.leftCols(n).array() / (1.0f + (-g_.leftCols(n).array()).exp());
  matmul(l.down, u_.leftCols(n), h);
  x += h;
}

void DecoderLlm::prefill(const std::vector<std::vector<std::int32_t>>& prompt) {
  const auto B = static_cast<Eigen::Index>(prompt.size());
  const Eigen::Index P = prompt.empty() ? 0 : static_cast<Eigen::Index>(prompt.front().size());
  for (Eigen::Index s = 0; s < B; ++s)
    for (Eigen::Index t = 0; t < P; ++t) x_.col(s * P + t) = embedding.col(prompt[static_cast<std::size_t>(s)][static_cast<std::size_t>(t)]);
  length_ = 0;
  for (std::size_t l = 0; l < layers.size(); ++l) layer_step(l, B, P, 0);
  length_ = P;
  for (Eigen::Index s = 0; s < B; ++s) last_.col(s) = x_.col(s * P + P - 1);
  logits(B);
}

void DecoderLlm::decode(const std::vector<std::int32_t>& next) {
  const auto B = static_cast<Eigen::Index>(next.size());
  for (Eigen::Index s = 0; s < B; ++s) x_.col(s) = embedding.col(next[static_cast<std::size_t>(s)]);
  for (std::size_t l = 0; l < layers.size(); ++l) layer_step(l, B, 1, length_);
  ++length_;
  last_.leftCols(B) = x_.leftCols(B);
  logits(B);
}

void DecoderLlm::logits(Eigen::Index sequences) {
  auto last = last_.leftCols(sequences);
  layer_norm(last);
  output_.resize(embedding.cols(), sequences);
  if (!matmul_prepacked(unembedding_, last, output_)) matmul_transposed(embedding, last, output_);
}

void DecoderLlm::run(int batch) {
  std::vector<std::vector<std::int32_t>> prompt(prompts.begin(), prompts.begin() + batch);
  prefill(prompt);
  std::vector<std::int32_t> next(static_cast<std::size_t>(batch));
  for (long step = 0; step < output_tokens; ++step) {
    for (int s = 0; s < batch; ++s) {
      Eigen::Index best = 0;
      output_.col(s).maxCoeff(&best);
      next[static_cast<std::size_t>(s)] = static_cast<std::int32_t>(best);
    }
    decode(next);
  }
}

TreeModel::TreeModel(const KernelPlan& plan, int max_batch, std::uint64_t seed) {
  WeightSource rng(seed);
  ensemble.trees = static_cast<int>(plan.trees);
  ensemble.depth = static_cast<int>(plan.depth);
  ensemble.input_dim = static_cast<int>(plan.input_dim);
  ensemble.output_dim = static_cast<int>(plan.output_dim);
  const auto internal = static_cast<std::size_t>(plan.trees * ensemble.internal_nodes());
  ensemble.feature.resize(internal);
  ensemble.threshold.resize(internal);
  ensemble.leaf.resize(static_cast<std::size_t>(plan.trees * ensemble.leaves()));
  for (auto& f : ensemble.feature) f = rng.below(plan.input_dim);
  for (auto& t : ensemble.threshold) t = rng.uniform(1.0f);
  for (auto& v : ensemble.leaf) v = rng.uniform(0.1f);
  input = rng.matrix(plan.input_dim, max_batch, 1.0f);
}

void TreeModel::run(int batch) {
  output_.resize(ensemble.output_dim, batch);
  const int threads = threads_for(max_threads(), batch);
#pragma omp parallel for num_threads(threads) schedule(static)
  for (int j = 0; j < batch; ++j) predict(ensemble, input.col(j), output_.col(j));
}

std::unique_ptr<ReferenceModel> make_reference_model(const KernelPlan& plan, int max_batch, int threads, std::uint64_t seed) {
  if (plan.type == "mlp") return std::make_unique<Mlp>(plan, max_batch, seed);
  if (plan.type == "embedding_mlp") return std::make_unique<EmbeddingMlp>(plan, max_batch, seed);
  if (plan.type == "cnn") return std::make_unique<Cnn>(plan, max_batch, threads, seed);
  if (plan.type == "transformer_encoder") return std::make_unique<TransformerEncoder>(plan, max_batch, threads, seed);
  if (plan.type == "decoder_llm") return std::make_unique<DecoderLlm>(plan, max_batch, threads, seed);
  if (plan.type == "tree_ensemble") return std::make_unique<TreeModel>(plan, max_batch, seed);
  return nullptr;
}

void set_threads(int threads) {
  threads = std::max(1, threads);
  Eigen::setNbThreads(threads);
  omp_set_num_threads(threads);
}

int max_threads() { return Eigen::nbThreads(); }

}  // namespace mlarch::kernels
