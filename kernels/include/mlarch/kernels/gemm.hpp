// A packed, cache-blocked fp32 GEMM in the GotoBLAS / BLIS manner: panels of A and B packed into
// contiguous buffers sized for the L2 and L3 caches, and a register-blocked FMA micro-kernel over
// them. The build stays portable (SSE2 on x86-64): the micro-kernels are compiled for AVX2+FMA
// and AVX-512 on their own and chosen at run time from what the CPU reports.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace mlarch::kernels {

// The instruction sets the kernels dispatch between, narrowest first.
enum class Isa { sse2, avx2_fma, avx512f };

// "sse2", "avx2+fma", "avx512f".
std::string_view isa_name(Isa isa);
std::optional<Isa> isa_named(std::string_view name);

// The widest of them this CPU runs (sse2 on a CPU with neither, or off x86-64).
Isa host_isa();
bool cpu_supports(Isa isa);

// The instruction set `matmul` (ops.hpp) uses for large products: the host's widest, unless
// MLARCH_KERNELS_ISA names a narrower one (sse2: Eigen's GEMM, as the build's flags allow).
Isa gemm_isa();

// A read-only strided view: element (i, j) at data[i·row_stride + j·col_stride]. A column-major
// matrix has row_stride 1; its transpose the same data with the strides swapped.
struct MatrixView {
  const float* data = nullptr;
  long rows = 0, cols = 0, row_stride = 1, col_stride = 0;
};

// c = a·b: c column-major, a.rows × b.cols, leading dimension ldc; a.cols == b.rows. By the
// packed kernel for `isa` (avx2_fma or avx512f, which the CPU must support) on up to `threads`
// threads: blocks of rows and columns of c shared out among them.
void packed_gemm(Isa isa, MatrixView a, MatrixView b, float* c, long ldc, int threads);

// The most rows a micro-kernel's panel of A holds, on any instruction set.
inline constexpr long kMaxPanelRows = 32;

// A matrix packed once as the left operand of many products: a layer's weights, used by every
// call of the layer. Packed as the kernel of `isa` reads A (panels of its micro-kernel's rows, each
// over the whole shared dimension, the rows past the edge zero), so a product skips packing A and
// streams it from contiguous memory, as inference runtimes (oneDNN, MLAS, XNNPACK) pack weights
// when a model is loaded.
class PackedMatrix {
 public:
  PackedMatrix() = default;
  // `a` packed for `isa`, which must have a packed kernel (avx2_fma or avx512f).
  PackedMatrix(Isa isa, MatrixView a);
  bool empty() const { return data_.empty(); }
  Isa isa() const { return isa_; }
  long rows() const { return rows_; }
  long cols() const { return cols_; }
  const float* data() const { return data_.data(); }
  // Floats held for a rows × cols matrix: whole panels of kMaxPanelRows rows at most.
  static double floats(long rows, long cols) {
    return static_cast<double>((rows + kMaxPanelRows - 1) / kMaxPanelRows * kMaxPanelRows) * static_cast<double>(cols);
  }

 private:
  Isa isa_ = Isa::sse2;
  long rows_ = 0, cols_ = 0;
  std::vector<float> data_;
};

// c = a·b with `a` packed beforehand (its kernel's instruction set), as packed_gemm.
void packed_gemm(const PackedMatrix& a, MatrixView b, float* c, long ldc, int threads);

}  // namespace mlarch::kernels
