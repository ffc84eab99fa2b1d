// The roofline cost model: FLOPs, bytes and memory of a batch of inferences, and their time on an
// instance type. The formulas are written out in docs/cost-model.md.
#include "mlarch/analyzer/cost_model.hpp"

#include <algorithm>
#include <cmath>

#include "mlarch/analyzer/capacity.hpp"

namespace mlarch {

namespace {

// Dense layers over `widths`: multiply-adds per sample, activations read and written per sample
// (each layer's input and output), and the largest of those (two buffers live at once).
struct Dense {
  double macs = 0, io = 0, widest_io = 0;
};
Dense dense(const std::vector<double>& widths) {
  Dense d;
  for (std::size_t i = 1; i < widths.size(); ++i) {
    d.macs += widths[i - 1] * widths[i];
    d.io += widths[i - 1] + widths[i];
    d.widest_io = std::max(d.widest_io, widths[i - 1] + widths[i]);
  }
  return d;
}

// An mlp, the dense part of an embedding_mlp, or a cnn's head.
InferenceWork dense_work(const Dense& d, double weight_bytes, double b, double batch) {
  InferenceWork w;
  w.passes.push_back({"forward", 1, 2 * batch * d.macs, weight_bytes + batch * d.io * b});
  w.footprint_bytes = weight_bytes + batch * d.widest_io * b;
  return w;
}

std::optional<InferenceWork> embedding_mlp_work(const Json& a, double b, double batch) {
  auto input = json_number(a, "input_dim");
  auto params = model_parameters(a);
  auto weights = model_weight_bytes(a);
  if (!input || !params || !weights) return std::nullopt;
  // Only the looked-up rows of the tables are read, and pooled by summing them; the dense layers
  // read the pooled vectors after the dense features.
  double table_params = 0, gathered = 0, pooled = 0;
  if (auto t = a.find("embedding_tables"); t != a.end() && t->is_array())
    for (const auto& table : *t) {
      double rows = json_number(table, "rows").value_or(0), dim = json_number(table, "dim").value_or(0);
      table_params += rows * dim;
      pooled += dim;
      gathered += json_number(table, "lookups").value_or(1) * dim;
    }
  auto widths = dense_widths(*input + pooled, a);
  if (!widths) return std::nullopt;
  Dense d = dense(*widths);
  InferenceWork w = dense_work(d, (*params - table_params) * b, b, batch);
  w.passes[0].flops += batch * gathered;
  w.passes[0].bytes += batch * gathered * b;
  w.passes[0].random_bytes = batch * gathered * b;
  w.cold_bytes = *weights - (*params - table_params) * b;
  w.footprint_bytes += w.cold_bytes;
  return w;
}

std::optional<InferenceWork> cnn_work(const Json& a, double b, double batch) {
  auto image = a.find("image");
  auto layers = a.find("conv_layers");
  auto weights = model_weight_bytes(a);
  if (image == a.end() || layers == a.end() || !layers->is_array() || !weights) return std::nullopt;
  auto height = json_number(*image, "height"), width = json_number(*image, "width"), channels = json_number(*image, "channels");
  if (!height || !width || !channels) return std::nullopt;
  // "Same" padding: a layer of stride s maps H × W to ⌈H/s⌉ × ⌈W/s⌉.
  double h = *height, wd = *width, c = *channels;
  double macs = 0, io = 0, widest = 0;
  for (const auto& layer : *layers) {
    double filters = json_number(layer, "filters").value_or(0), kernel = json_number(layer, "kernel").value_or(0);
    double stride = json_number(layer, "stride").value_or(1);
    double oh = std::ceil(h / stride), ow = std::ceil(wd / stride);
    macs += oh * ow * kernel * kernel * c * filters;
    double layer_io = h * wd * c + oh * ow * filters;
    io += layer_io;
    widest = std::max(widest, layer_io);
    h = oh, wd = ow, c = filters;
  }
  // Global average pooling (one add per value), then the dense head.
  auto head_widths = dense_widths(c, a);
  if (!head_widths) return std::nullopt;
  Dense head = dense(*head_widths);
  InferenceWork w;
  double flops = batch * (2 * (macs + head.macs) + h * wd * c);
  double bytes = *weights + batch * (io + h * wd * c + head.io) * b;
  w.passes.push_back({"forward", 1, flops, bytes});
  w.footprint_bytes = *weights + batch * std::max(widest, head.widest_io) * b;
  return w;
}

// The shape of a transformer layer, from the keys model_parameters reads.
struct Transformer {
  double layers, d, heads, kv_dim, ffn, vocab;
  double matmul_params;  // every layer's projections: model_parameters less the vocab × d embeddings
  double io;             // activations read and written per token per layer, by its matrix multiplies
};
std::optional<Transformer> transformer(const Json& a, double up_matrices) {
  auto layers = json_number(a, "layers"), d = json_number(a, "d_model"), heads = json_number(a, "heads"), vocab = json_number(a, "vocab");
  auto params = model_parameters(a);
  if (!layers || !d || !heads || !vocab || !params || *heads <= 0) return std::nullopt;
  Transformer t{*layers, *d, *heads, 0, 0, *vocab, *params - *vocab * *d, 0};
  t.kv_dim = *d * json_number(a, "kv_heads").value_or(*heads) / *heads;
  t.ffn = json_number(a, "ffn_dim").value_or(4 * *d);
  // q and o: d → d; k and v: d → kv_dim; up (and gate): d → ffn; down: ffn → d.
  t.io = 4 * t.d + 2 * (t.d + t.kv_dim) + up_matrices * (t.d + t.ffn) + (t.ffn + t.d);
  return t;
}

std::optional<InferenceWork> encoder_work(const Json& a, double b, double batch, std::optional<double> seq_len) {
  auto t = transformer(a, 1);
  auto s = seq_len ? seq_len : json_number(a, "seq_len");
  auto weights = model_weight_bytes(a);
  if (!t || !s || !weights) return std::nullopt;
  double S = *s;
  // Per sequence: 2 FLOPs per weight per token, and bidirectional attention 4 × d per pair of
  // tokens (scores and the weighted sum), per layer.
  double flops = batch * (2 * S * t->matmul_params + t->layers * 4 * t->d * S * S);
  // Weights once; the tokens' embedding rows; activations; K and V read once per layer.
  double bytes = t->matmul_params * b + batch * S * (t->d + t->layers * (t->io + 2 * t->kv_dim)) * b;
  InferenceWork w;
  w.passes.push_back({"forward", 1, flops, bytes});
  w.footprint_bytes = *weights + batch * S * t->io * b;
  return w;
}

std::optional<InferenceWork> decoder_work(const Json& a, double b, double batch) {
  auto t = transformer(a, 2);
  auto weights = model_weight_bytes(a);
  auto kv = kv_cache_bytes(a, batch);
  auto prompt = a.find("prompt_tokens"), output = a.find("output_tokens");
  if (!t || !weights || !kv || prompt == a.end() || output == a.end()) return std::nullopt;
  double P = json_number(*prompt, "mean").value_or(0), O = json_number(*output, "mean").value_or(0);
  if (P + O <= 0) return std::nullopt;
  double kv_per_token = *kv / (batch * (P + O));  // all layers, one sequence
  double head = t->vocab * t->d;                  // the output projection to the vocabulary
  InferenceWork w;
  // Prefill: the prompt in one pass, causal attention (P²/2 pairs), logits for the last token;
  // its K and V are written to the cache.
  w.passes.push_back({"prefill", 1,
                      batch * (2 * P * t->matmul_params + t->layers * 2 * t->d * P * P + 2 * head),
                      (t->matmul_params + head) * b + batch * P * (t->d + t->layers * t->io) * b + batch * P * kv_per_token});
  // Decode: one pass per output token, each reading all the weights and the cache so far, whose
  // mean length over the output is P + (O − 1)/2.
  if (O > 0) {
    double context = P + (O - 1) / 2;
    w.passes.push_back({"decode", O,
                        batch * (2 * t->matmul_params + t->layers * 4 * t->d * context + 2 * head),
                        (t->matmul_params + head) * b + batch * (t->d + t->layers * t->io) * b +
                            batch * context * kv_per_token});
  }
  w.footprint_bytes = *weights + *kv + batch * P * t->io * b;
  return w;
}

std::optional<InferenceWork> tree_work(const Json& a, double batch) {
  auto trees = json_number(a, "trees"), depth = json_number(a, "depth");
  auto weights = model_weight_bytes(a);
  if (!trees || !depth || !weights) return std::nullopt;
  InferenceWork w;
  // One comparison per level of every tree, each a node read from a random place.
  double visits = batch * *trees * *depth;
  w.passes.push_back({"forward", 1, visits, visits * kCacheLineBytes});
  w.dependent_reads = true;
  w.footprint_bytes = *weights;
  return w;
}

}  // namespace

double InferenceWork::flops() const {
  double total = 0;
  for (const auto& p : passes) total += p.runs * p.flops;
  return total;
}

double InferenceWork::bytes() const {
  double total = 0;
  for (const auto& p : passes) total += p.runs * p.bytes;
  return total;
}

std::optional<InferenceWork> inference_work(const Json& a, int batch, std::optional<double> seq_len) {
  if (!a.is_object() || batch < 1) return std::nullopt;
  auto b = dtype_bytes(json_string(a, "dtype"));
  if (!b) return std::nullopt;
  double n = batch;
  std::string type = json_string(a, "type");
  if (type == "mlp") {
    auto input = json_number(a, "input_dim");
    auto weights = model_weight_bytes(a);
    if (!input || !weights) return std::nullopt;
    auto widths = dense_widths(*input, a);
    if (!widths) return std::nullopt;
    return dense_work(dense(*widths), *weights, *b, n);
  }
  if (type == "embedding_mlp") return embedding_mlp_work(a, *b, n);
  if (type == "cnn") return cnn_work(a, *b, n);
  if (type == "transformer_encoder") return encoder_work(a, *b, n, seq_len);
  if (type == "decoder_llm") return decoder_work(a, *b, n);
  if (type == "tree_ensemble") return tree_work(a, n);
  return std::nullopt;
}

std::string_view to_string(Bound b) { return b == Bound::compute ? "compute" : "memory"; }

std::optional<ServiceEstimate> roofline(const InferenceWork& work, const InstanceType& instance,
                                        std::string_view dtype, std::optional<double> overhead) {
  ServiceEstimate e;
  e.dtype = dtype.empty() ? "fp32" : std::string(dtype);
  double overhead_ms = 0;
  // A CPU's rates for streamed bytes when the working set stays in its cache, and for random reads;
  // the memory bandwidth otherwise.
  std::optional<double> streamed_bytes_per_s, random_bytes_per_s;
  if (instance.accelerators) {
    // An instance with accelerators serves on them; without their figures there is no estimate.
    const Accelerators& acc = *instance.accelerators;
    auto peak = acc.peak_tflops.at(dtype);
    if (!peak || !acc.mem_bandwidth_gbs) return std::nullopt;
    e.on_accelerators = true;
    e.peak_flops_per_s = acc.count * *peak * 1e12;
    e.bandwidth_bytes_per_s = acc.count * *acc.mem_bandwidth_gbs * 1e9;
    overhead_ms = kAcceleratorPassOverheadMs;
  } else {
    auto peak = instance.peak_gflops.at(dtype);
    if (!peak || !instance.mem_bandwidth_gbs) return std::nullopt;
    e.peak_flops_per_s = *peak * 1e9;
    e.bandwidth_bytes_per_s = *instance.mem_bandwidth_gbs * 1e9;
    overhead_ms = kCpuPassOverheadMs;
    // Streamed bytes from the cache when the working set fits in it; random reads from the cache
    // when the whole footprint does, else from memory, at the rates the instance gives for them.
    const CpuMemory& m = instance.cpu_memory;
    const double cache_bytes = m.cache_mib.value_or(0) * 1024 * 1024;
    if (m.cache_bandwidth_gbs && !work.dependent_reads && work.footprint_bytes - work.cold_bytes <= cache_bytes) {
      e.cache_resident = true;
      streamed_bytes_per_s = std::max(e.bandwidth_bytes_per_s, *m.cache_bandwidth_gbs * 1e9);
    }
    if (m.cache_random_gbs && work.footprint_bytes <= cache_bytes)
      random_bytes_per_s = *m.cache_random_gbs * 1e9;
    else if (m.mem_random_gbs)
      random_bytes_per_s = *m.mem_random_gbs * 1e9;
  }
  if (overhead) overhead_ms = *overhead;
  // What streamed and random bytes move at, efficiencies included.
  const double streamed_rate = streamed_bytes_per_s.value_or(e.bandwidth_bytes_per_s) * kMemoryEfficiency;
  const double random_rate = random_bytes_per_s ? *random_bytes_per_s * kRandomReadEfficiency : e.bandwidth_bytes_per_s * kMemoryEfficiency;
  double longest = -1;
  for (const auto& p : work.passes) {
    ServiceEstimate::Pass t;
    t.phase = p.phase;
    t.runs = p.runs;
    t.compute_ms = p.flops / (e.peak_flops_per_s * kComputeEfficiency) * 1000;
    t.memory_ms = ((p.bytes - p.random_bytes) / streamed_rate + p.random_bytes / random_rate) * 1000;
    t.overhead_ms = overhead_ms;
    t.bound = t.compute_ms >= t.memory_ms ? Bound::compute : Bound::memory;
    t.ms = std::max(t.compute_ms, t.memory_ms) + overhead_ms;
    e.ms += p.runs * t.ms;
    if (p.runs * t.ms > longest) {
      longest = p.runs * t.ms;
      e.bound = t.bound;
    }
    e.passes.push_back(t);
  }
  e.flops = work.flops();
  e.bytes = work.bytes();
  return e;
}

std::optional<ServiceEstimate> derived_service_ms(const Model& model, const InstanceType& instance, int batch) {
  if (!model.raw || !model.raw->is_object()) return std::nullopt;
  auto a = model.raw->find("architecture");
  if (a == model.raw->end()) return std::nullopt;
  auto work = inference_work(*a, batch);
  if (!work) return std::nullopt;
  return roofline(*work, instance, json_string(*a, "dtype"));
}

std::optional<ServiceEstimate> reference_kernel_ms(const Json& architecture, const InstanceType& host, int batch) {
  if (!architecture.is_object()) return std::nullopt;
  Json fp32 = architecture;
  fp32["dtype"] = "fp32";
  auto work = inference_work(fp32, batch);
  if (!work) return std::nullopt;
  return roofline(*work, host, "fp32", 0.0);
}

}  // namespace mlarch
