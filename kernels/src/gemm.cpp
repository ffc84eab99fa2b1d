// The packed GEMM (see gemm.hpp). Loops, outermost first, as in BLIS: columns of C in blocks of
// NC (B's packed panel, KC × NC, lives in the L3 cache), the shared dimension in blocks of KC, rows
// in blocks of MC (A's packed block, MC × KC, lives in the L2 cache, each panel prefetched into L1
// as the micro-kernel reaches it), then MR × NR tiles of C kept in registers while the
// micro-kernel runs down KC: a sliver of B (KC × NR) stays in the L1 cache across the tiles of a
// row block. Packing pads the edges with zeros, so the micro-kernel always computes a whole tile;
// at an edge it stores only the rows and columns of C that exist (masked stores).
#include "mlarch/kernels/gemm.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

#include <omp.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace mlarch::kernels {

std::string_view isa_name(Isa isa) {
  switch (isa) {
    case Isa::sse2: return "sse2";
    case Isa::avx2_fma: return "avx2+fma";
    case Isa::avx512f: return "avx512f";
  }
  return "sse2";
}

std::optional<Isa> isa_named(std::string_view name) {
  for (Isa isa : {Isa::sse2, Isa::avx2_fma, Isa::avx512f})
    if (isa_name(isa) == name) return isa;
  return std::nullopt;
}

bool cpu_supports(Isa isa) {
#if defined(__x86_64__)
  // libgcc's answer includes whether the OS saves the wider registers (XCR0).
  switch (isa) {
    case Isa::sse2: return true;
    case Isa::avx2_fma: return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case Isa::avx512f: return __builtin_cpu_supports("avx512f") != 0;
  }
  return false;
#else
  return isa == Isa::sse2;
#endif
}

Isa host_isa() {
  static const Isa widest = [] {
    for (Isa isa : {Isa::avx512f, Isa::avx2_fma})
      if (cpu_supports(isa)) return isa;
    return Isa::sse2;
  }();
  return widest;
}

Isa gemm_isa() {
  static const Isa chosen = [] {
    const Isa widest = host_isa();
    if (const char* env = std::getenv("MLARCH_KERNELS_ISA"))
      if (auto isa = isa_named(env); isa && static_cast<int>(*isa) <= static_cast<int>(widest)) return *isa;
    return widest;
  }();
  return chosen;
}

namespace {

#if defined(__x86_64__)

// 16 × 6 tiles: 12 accumulators of 8 floats, two loads of A and six broadcasts of B per step of k
// for 12 FMAs (BLIS's Haswell shape, transposed for column-major C). NR = 4 for a B of few columns.
template <long NR>
struct Avx2Fma {
  static constexpr long mr = 16, nr = NR, mc = 192, kc = 256, nc = 3072;
  __attribute__((target("avx2,fma"))) static void tile(long k, const float* a, long lda, const float* b, float* c, long ldc,
                                                       bool accumulate, long rows, long cols) {
    __m256 acc[nr][2];
#pragma GCC unroll 6
    for (int j = 0; j < nr; ++j) {
      acc[j][0] = acc[j][1] = _mm256_setzero_ps();
      _mm_prefetch(reinterpret_cast<const char*>(c + j * ldc), _MM_HINT_T0);  // C's tile arrives while k runs
      _mm_prefetch(reinterpret_cast<const char*>(c + j * ldc + 8), _MM_HINT_T0);
    }
#pragma GCC unroll 2
    for (long p = 0; p < k; ++p) {
      const __m256 a0 = _mm256_loadu_ps(a), a1 = _mm256_loadu_ps(a + 8);
      // A's panel streams from the L2 cache: ask for it 16 steps ahead.
      _mm_prefetch(reinterpret_cast<const char*>(a + 16 * lda), _MM_HINT_T0);
#pragma GCC unroll 6
      for (int j = 0; j < nr; ++j) {
        const __m256 bj = _mm256_broadcast_ss(b + j);
        acc[j][0] = _mm256_fmadd_ps(a0, bj, acc[j][0]);
        acc[j][1] = _mm256_fmadd_ps(a1, bj, acc[j][1]);
      }
      a += lda;
      b += nr;
    }
    if (rows == mr) {
#pragma GCC unroll 6
      for (int j = 0; j < nr; ++j) {
        if (j == cols) break;
        float* cj = c + j * ldc;
        if (accumulate) {
          acc[j][0] = _mm256_add_ps(acc[j][0], _mm256_loadu_ps(cj));
          acc[j][1] = _mm256_add_ps(acc[j][1], _mm256_loadu_ps(cj + 8));
        }
        _mm256_storeu_ps(cj, acc[j][0]);
        _mm256_storeu_ps(cj + 8, acc[j][1]);
      }
      return;
    }
    // Fewer rows: the lanes past them masked off (a lane is on when its mask's top bit is set).
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    const __m256i m0 = _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(rows)), lane);
    const __m256i m1 = _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(rows) - 8), lane);
#pragma GCC unroll 6
    for (int j = 0; j < nr; ++j) {
      if (j == cols) break;
      float* cj = c + j * ldc;
      if (accumulate) {
        acc[j][0] = _mm256_add_ps(acc[j][0], _mm256_maskload_ps(cj, m0));
        acc[j][1] = _mm256_add_ps(acc[j][1], _mm256_maskload_ps(cj + 8, m1));
      }
      _mm256_maskstore_ps(cj, m0, acc[j][0]);
      _mm256_maskstore_ps(cj + 8, m1, acc[j][1]);
    }
  }
};

// 32 × 12 tiles: 24 accumulators of 16 floats of the 32 registers, two loads of A and twelve
// broadcasts of B per step of k for 24 FMAs. NR = 8 for a B of few columns.
template <long NR>
struct Avx512 {
  static constexpr long mr = 32, nr = NR, mc = 192, kc = 256, nc = 3072;
  __attribute__((target("avx512f"))) static void tile(long k, const float* a, long lda, const float* b, float* c, long ldc,
                                                      bool accumulate, long rows, long cols) {
    __m512 acc[nr][2];
#pragma GCC unroll 12
    for (int j = 0; j < nr; ++j) {
      acc[j][0] = acc[j][1] = _mm512_setzero_ps();
      _mm_prefetch(reinterpret_cast<const char*>(c + j * ldc), _MM_HINT_T0);  // C's tile arrives while k runs
      _mm_prefetch(reinterpret_cast<const char*>(c + j * ldc + 16), _MM_HINT_T0);
    }
    for (long p = 0; p < k; ++p) {
      const __m512 a0 = _mm512_loadu_ps(a), a1 = _mm512_loadu_ps(a + 16);
      // A's panel streams from the L2 cache: ask for it 16 steps ahead.
      _mm_prefetch(reinterpret_cast<const char*>(a + 16 * lda), _MM_HINT_T0);
      _mm_prefetch(reinterpret_cast<const char*>(a + 16 * lda + 16), _MM_HINT_T0);
#pragma GCC unroll 12
      for (int j = 0; j < nr; ++j) {
        const __m512 bj = _mm512_set1_ps(b[j]);
        acc[j][0] = _mm512_fmadd_ps(a0, bj, acc[j][0]);
        acc[j][1] = _mm512_fmadd_ps(a1, bj, acc[j][1]);
      }
      a += lda;
      b += nr;
    }
    // Fewer rows than the tile's: the lanes past them masked off (an all-ones mask otherwise).
    const __mmask16 m0 = rows >= 16 ? 0xFFFF : static_cast<__mmask16>((1u << rows) - 1);
    const __mmask16 m1 = rows >= 32 ? 0xFFFF : rows <= 16 ? 0 : static_cast<__mmask16>((1u << (rows - 16)) - 1);
#pragma GCC unroll 12
    for (int j = 0; j < nr; ++j) {
      if (j == cols) break;
      float* cj = c + j * ldc;
      if (accumulate) {
        acc[j][0] = _mm512_add_ps(acc[j][0], _mm512_maskz_loadu_ps(m0, cj));
        acc[j][1] = _mm512_add_ps(acc[j][1], _mm512_maskz_loadu_ps(m1, cj + 16));
      }
      _mm512_mask_storeu_ps(cj, m0, acc[j][0]);
      _mm512_mask_storeu_ps(cj + 16, m1, acc[j][1]);
    }
  }
};

#endif

long ceil_div(long a, long b) { return (a + b - 1) / b; }

// A buffer of at least `floats`, 64-byte aligned, kept for the thread's next product.
float* scratch(std::vector<float>& store, long floats) {
  const auto want = static_cast<std::size_t>(floats) + 16;
  if (store.size() < want) store.resize(want);
  auto address = reinterpret_cast<std::uintptr_t>(store.data());
  return store.data() + (((64 - address % 64) % 64) / sizeof(float));
}

// Rows [i0, i0 + rows) × shared [p0, p0 + depth) of A as panels of MR rows: each panel k-major,
// MR floats per step of k, the rows past the edge zero.
template <long MR>
void pack_a(const MatrixView& a, long i0, long rows, long p0, long depth, float* dst) {
  for (long i = 0; i < rows; i += MR, dst += MR * depth) {
    const long live = std::min(MR, rows - i);
    const float* src = a.data + (i0 + i) * a.row_stride + p0 * a.col_stride;
    if (live == MR && a.row_stride == 1) {
      for (long p = 0; p < depth; ++p) std::copy_n(src + p * a.col_stride, MR, dst + p * MR);
    } else {
      for (long r = 0; r < MR; ++r)
        for (long p = 0; p < depth; ++p) dst[p * MR + r] = r < live ? src[r * a.row_stride + p * a.col_stride] : 0.0f;
    }
  }
}

// Shared [p0, p0 + depth) × columns [j0, j0 + cols) of B as one sliver of NR columns, k-major.
// A whole sliver of a column-major B is written in order, reading its NR columns side by side.
template <long NR>
void pack_b(const MatrixView& b, long p0, long depth, long j0, long cols, float* dst) {
  if (cols == NR && b.row_stride == 1) {
    const float* src[NR];
    for (long j = 0; j < NR; ++j) src[j] = b.data + p0 + (j0 + j) * b.col_stride;
    for (long p = 0; p < depth; ++p, dst += NR)
#pragma GCC unroll 12
      for (long j = 0; j < NR; ++j) dst[j] = src[j][p];
    return;
  }
  for (long j = 0; j < NR; ++j) {
    if (j < cols) {
      const float* src = b.data + p0 * b.row_stride + (j0 + j) * b.col_stride;
      for (long p = 0; p < depth; ++p) dst[p * NR + j] = src[p * b.row_stride];
    } else {
      for (long p = 0; p < depth; ++p) dst[p * NR + j] = 0.0f;
    }
  }
}

// `prepacked`, when not null, is A already packed (PackedMatrix): `a` then gives only its shape.
template <class K>
void blocked_gemm(const MatrixView& a, const float* prepacked, const MatrixView& b, float* c, long ldc, int threads) {
  static_assert(K::mc % K::mr == 0 && K::nc % K::nr == 0, "blocks of whole tiles");
  const long m = a.rows, n = b.cols, k = a.cols;
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    for (long j = 0; j < n; ++j) std::fill_n(c + j * ldc, m, 0.0f);
    return;
  }
  thread_local std::vector<float> b_store;
  float* b_pack = scratch(b_store, K::kc * std::min(K::nc, ceil_div(n, K::nr) * K::nr));
  const long row_blocks = ceil_div(m, K::mc);
  // With one or two slivers of B (a few columns: a batch of samples through a layer) each element
  // of A is used once or twice: packing it would cost more than it saves. A column-major A is then
  // read in place, its tiles' rows contiguous; only a last, partial row panel is packed.
  const bool a_in_place = !prepacked && a.row_stride == 1 && ceil_div(n, K::nr) <= 2;
  // Always a team of its own, even of one thread: the worksharing loops below then bind to it and
  // not to a parallel region the caller may be running in.
#pragma omp parallel num_threads(std::max(1, threads))
  {
    thread_local std::vector<float> a_store;
    float* a_pack = scratch(a_store, K::mc * K::kc);
    const long team = omp_get_num_threads();
    for (long jc = 0; jc < n; jc += K::nc) {
      const long nc = std::min(K::nc, n - jc), slivers = ceil_div(nc, K::nr);
      // Fewer row blocks than threads: each row block's slivers are split among several.
      const long parts = std::clamp(ceil_div(team, row_blocks), 1L, slivers);
      for (long pc = 0; pc < k; pc += K::kc) {
        const long kc = std::min(K::kc, k - pc);
        const bool accumulate = pc > 0;
#pragma omp for schedule(static)
        for (long s = 0; s < slivers; ++s)
          pack_b<K::nr>(b, pc, kc, jc + s * K::nr, std::min(K::nr, nc - s * K::nr), b_pack + s * K::nr * kc);
#pragma omp for schedule(dynamic)
        for (long w = 0; w < row_blocks * parts; ++w) {
          const long ic = w / parts * K::mc, mc = std::min(K::mc, m - ic), part = w % parts;
          if (prepacked)
            ;  // panels of the whole shared dimension, read below
          else if (!a_in_place)
            pack_a<K::mr>(a, ic, mc, pc, kc, a_pack);
          else if (mc % K::mr != 0)
            pack_a<K::mr>(a, ic + mc / K::mr * K::mr, mc % K::mr, pc, kc, a_pack);
          for (long s = slivers * part / parts; s < slivers * (part + 1) / parts; ++s) {
            const long j = jc + s * K::nr, nr = std::min(K::nr, n - j);
            const float* b_sliver = b_pack + s * K::nr * kc;
            for (long i = 0; i < mc; i += K::mr) {
              const long mr = std::min(K::mr, mc - i);
              const bool in_place = a_in_place && mr == K::mr;
              const float* a_panel = prepacked  ? prepacked + (ic + i) * k + pc * K::mr
                                     : in_place ? a.data + ic + i + pc * a.col_stride
                                                : a_pack + (a_in_place ? 0 : i * kc);
              const long lda = in_place ? a.col_stride : K::mr;
              // An edge tile computes whole (packing padded it) and writes only its live part.
              K::tile(kc, a_panel, lda, b_sliver, c + j * ldc + ic + i, ldc, accumulate, mr, nr);
            }
          }
        }
      }
    }
  }
}

#if defined(__x86_64__)
// The kernel of `isa` for n columns of B: the wide tile, or, for a B of at most two wide slivers,
// the narrow one when it pads B with fewer columns (a batch of 8 or 16 samples fills 8-column
// tiles, not 12-column ones; on wider products the padding is small and the narrow tile reloads A
// more often per FMA). Both read A in the same panels, so a PackedMatrix serves either.
template <template <long> class K, long Wide, long Narrow>
void dispatch_gemm(const MatrixView& a, const float* prepacked, const MatrixView& b, float* c, long ldc, int threads) {
  static_assert(K<Wide>::mr == K<Narrow>::mr, "one packing of A for both tiles");
  if (b.cols <= 2 * Wide && ceil_div(b.cols, Narrow) * Narrow < ceil_div(b.cols, Wide) * Wide)
    blocked_gemm<K<Narrow>>(a, prepacked, b, c, ldc, threads);
  else
    blocked_gemm<K<Wide>>(a, prepacked, b, c, ldc, threads);
}

void gemm_on(Isa isa, const MatrixView& a, const float* prepacked, const MatrixView& b, float* c, long ldc, int threads) {
  if (isa == Isa::avx512f) return dispatch_gemm<Avx512, 12, 8>(a, prepacked, b, c, ldc, threads);
  if (isa == Isa::avx2_fma) return dispatch_gemm<Avx2Fma, 6, 4>(a, prepacked, b, c, ldc, threads);
  throw std::invalid_argument("no packed kernel for " + std::string(isa_name(isa)));
}
#endif

}  // namespace

void packed_gemm(Isa isa, MatrixView a, MatrixView b, float* c, long ldc, int threads) {
#if defined(__x86_64__)
  if (isa != Isa::sse2) return gemm_on(isa, a, nullptr, b, c, ldc, threads);
#endif
  (void)isa;
  // No packed kernel for the portable instruction set: a plain loop keeps the contract.
  for (long j = 0; j < b.cols; ++j)
    for (long i = 0; i < a.rows; ++i) {
      float sum = 0;
      for (long p = 0; p < a.cols; ++p) sum += a.data[i * a.row_stride + p * a.col_stride] * b.data[p * b.row_stride + j * b.col_stride];
      c[j * ldc + i] = sum;
    }
}

PackedMatrix::PackedMatrix(Isa isa, MatrixView a) : isa_(isa), rows_(a.rows), cols_(a.cols) {
#if defined(__x86_64__)
  auto pack = [&]<class K>(K) {
    data_.assign(static_cast<std::size_t>(ceil_div(rows_, K::mr) * K::mr * cols_), 0.0f);
    if (rows_ > 0 && cols_ > 0) pack_a<K::mr>(a, 0, rows_, 0, cols_, data_.data());
  };
  if (isa == Isa::avx512f) {
    pack(Avx512<12>{});
    return;
  }
  if (isa == Isa::avx2_fma) {
    pack(Avx2Fma<6>{});
    return;
  }
#endif
  throw std::invalid_argument("PackedMatrix: no packed kernel for " + std::string(isa_name(isa)));
}

void packed_gemm(const PackedMatrix& a, MatrixView b, float* c, long ldc, int threads) {
  const MatrixView shape{nullptr, a.rows(), a.cols(), 1, a.rows()};
#if defined(__x86_64__)
  gemm_on(a.isa(), shape, a.data(), b, c, ldc, threads);
#else
  (void)shape, (void)b, (void)c, (void)ldc, (void)threads;
  throw std::invalid_argument("PackedMatrix: no packed kernel for " + std::string(isa_name(a.isa())));
#endif
}

}  // namespace mlarch::kernels
