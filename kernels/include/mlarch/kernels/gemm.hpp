// A packed, cache-blocked fp32 GEMM in the GotoBLAS / BLIS manner: panels of A and B packed into
// contiguous buffers sized for the L2 and L3 caches, and a register-blocked FMA micro-kernel over
// them. The build stays portable (SSE2 on x86-64): the micro-kernels are compiled for AVX2+FMA
// and AVX-512 on their own and chosen at run time from what the CPU reports.
#pragma once

#include <optional>
#include <string_view>

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

}  // namespace mlarch::kernels
