// A model's forward pass on this host: random weights (a fixed seed) of the shapes its
// `architecture` declares, run in fp32 whatever the declared dtype. First a plan (the shapes
// checked, the bytes the kernel will allocate counted), then the model, so that a model too large
// for the host is refused before anything is allocated.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "mlarch/analyzer/document.hpp"
#include "mlarch/kernels/ops.hpp"

namespace mlarch::kernels {

inline constexpr std::uint64_t kWeightSeed = 20240601;

// The shapes of one architecture, as its kernel runs them. Every field a count ≥ 1.
struct KernelPlan {
  std::string type;
  std::vector<long> widths;  // dense layers in order, input first (mlp, embedding_mlp, the cnn's head)
  struct Table {
    long rows = 0, dim = 0, lookups = 1;
  };
  std::vector<Table> tables;    // embedding_mlp
  std::vector<ConvShape> convs;  // cnn, in order
  long layers = 0, d_model = 0, heads = 0, kv_heads = 0, ffn_dim = 0, vocab = 0;
  long seq_len = 0;                       // transformer_encoder
  long prompt_tokens = 0, output_tokens = 0;  // decoder_llm: the means, rounded
  long trees = 0, depth = 0, input_dim = 0, output_dim = 1;

  // What the kernel allocates to run batches of up to `batch` on `threads` threads: weights and
  // their copies packed for the GEMM (Weights::packs), inputs, activations, workspaces (and a
  // decoder's KV cache), in bytes.
  double bytes(int batch, int threads) const;
};

// Why an architecture cannot be run: at `pointer` (in the spec), a message in the diagnostics'
// wording and what to do.
struct ArchitectureError {
  std::string pointer, message, help;
};

// Reads and checks the `architecture` at `pointer` of model `model_id`.
std::variant<KernelPlan, ArchitectureError> plan_kernel(const Json& architecture, const std::string& pointer,
                                                        const std::string& model_id);

class ReferenceModel {
 public:
  virtual ~ReferenceModel() = default;
  // One forward pass over the first `batch` (≤ the max_batch it was made for) prepared inputs.
  virtual void run(int batch) = 0;
  // The last run's outputs: output_dim × batch (a decoder LLM: the last step's logits, vocab × batch).
  const Matrix& output() const { return output_; }

 protected:
  Matrix output_;
};

struct DenseLayer {
  Weights w;
  Vector b;
};

class Mlp : public ReferenceModel {
 public:
  Mlp(const KernelPlan& plan, int max_batch, std::uint64_t seed);
  void run(int batch) override;
  std::vector<DenseLayer> layers;  // ReLU after every layer but the last
  Matrix input;                    // widths[0] × max_batch

 protected:
  void forward(const Eigen::Ref<const Matrix>& x, int batch);

 private:
  std::vector<Matrix> acts_;
};

class EmbeddingMlp : public Mlp {
 public:
  EmbeddingMlp(const KernelPlan& plan, int max_batch, std::uint64_t seed);
  void run(int batch) override;
  std::vector<Matrix> tables;                // dim × rows each
  std::vector<std::vector<std::int32_t>> rows;  // per table: lookups × max_batch row indices
  Matrix dense_input;                        // input_dim × max_batch; pooled embeddings follow it in `input`
  std::vector<long> lookups;
};

class Cnn : public ReferenceModel {
 public:
  Cnn(const KernelPlan& plan, int max_batch, int threads, std::uint64_t seed);
  void run(int batch) override;
  std::vector<ConvShape> shapes;
  std::vector<DenseLayer> convs;  // filters × patch
  std::vector<DenseLayer> head;
  Matrix images;  // one column per image: channels × pixels, column-major

 private:
  struct Workspace {
    Matrix a, b, cols;
  };
  std::vector<Workspace> work_;  // one per thread
  Matrix pooled_, head_a_, head_b_;
};

struct TransformerLayer {
  Weights wq, wk, wv, wo;  // d → d, d → kv, d → kv, d → d
  Weights up, gate, down;  // d → ffn (gate: decoder only), ffn → d
};

// What the encoder and the decoder share: token embeddings, layers and activation buffers.
class Transformer : public ReferenceModel {
 public:
  AttentionShape shape;
  Matrix embedding;  // d × vocab (a decoder's output projection too: tied)
  std::vector<TransformerLayer> layers;

 protected:
  // Weights from `seed`; buffers for `tokens` tokens at once, attention workspaces for `threads`
  // threads over `max_batch` sequences; a decoder's FFN is gated.
  Transformer(const KernelPlan& plan, Eigen::Index tokens, int max_batch, int threads, bool gated, std::uint64_t seed);
  Matrix x_, h_, q_, k_, v_, a_, u_, g_;
  std::vector<Matrix> scores_;
};

class TransformerEncoder : public Transformer {
 public:
  TransformerEncoder(const KernelPlan& plan, int max_batch, int threads, std::uint64_t seed);
  void run(int batch) override;
  long seq_len;
  DenseLayer head;                    // d → output_dim, over the mean of the tokens
  std::vector<std::int32_t> tokens;  // seq_len × max_batch

 private:
  Matrix pooled_;
};

class DecoderLlm : public Transformer {
 public:
  DecoderLlm(const KernelPlan& plan, int max_batch, int threads, std::uint64_t seed);
  // The prompt (prefill) and then output_tokens decode steps, each fed the last step's argmax.
  void run(int batch) override;
  // Prefill of `prompt` (tokens × sequences) from position 0; output() is then the logits of the
  // last token of each sequence.
  void prefill(const std::vector<std::vector<std::int32_t>>& prompt);
  // One decode step: one token per sequence, at the position after the cache's last.
  void decode(const std::vector<std::int32_t>& next);
  long prompt_tokens, output_tokens;
  std::vector<std::vector<std::int32_t>> prompts;  // per sequence, prompt_tokens each

 private:
  // Layer `l` over `tokens` new tokens of each sequence, the first at `position` (a prompt: at 0).
  void layer_step(std::size_t l, Eigen::Index sequences, Eigen::Index tokens, Eigen::Index position);
  void logits(Eigen::Index sequences);
  PackedMatrix unembedding_;  // embeddingᵀ (vocab × d) packed for the logits' GEMM, when the CPU has a kernel
  std::vector<std::vector<Matrix>> k_cache_, v_cache_;  // [layer][sequence]: kv × context
  long length_ = 0;                                      // tokens in the cache per sequence
  Matrix last_;
};

class TreeModel : public ReferenceModel {
 public:
  TreeModel(const KernelPlan& plan, int max_batch, std::uint64_t seed);
  void run(int batch) override;
  TreeEnsemble ensemble;
  Matrix input;  // input_dim × max_batch
};

// The model of `plan`, for batches of up to `max_batch` run on `threads` threads.
std::unique_ptr<ReferenceModel> make_reference_model(const KernelPlan& plan, int max_batch, int threads,
                                                     std::uint64_t seed = kWeightSeed);

// Threads the kernels use (Eigen's GEMMs and the loops over samples).
void set_threads(int threads);
int max_threads();

}  // namespace mlarch::kernels
