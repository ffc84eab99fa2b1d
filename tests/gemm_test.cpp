// The packed GEMM and the kernels' matmul against a naive triple loop in double precision, on
// every instruction set this CPU runs (the dispatched kernels and Eigen's fallback), for awkward
// shapes: single elements, primes, k = 1, shapes across the block sizes; and the host probe's
// instruction set.
#include <cmath>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "mlarch/kernels/gemm.hpp"
#include "mlarch/kernels/ops.hpp"
#include "mlarch/kernels/probe.hpp"
#include "kernels_support.hpp"

namespace mlarch::kernels {
namespace {

struct Shape {
  long m, n, k;
};

// Single elements, small primes, a shape on each side of a square, k = 1, shapes that cross the
// register tiles (up to 32 × 12), the row and shared-dimension blocks (192 and 256) and the column
// block (3072), few columns (A read in place rather than packed), and one large-ish.
const std::vector<Shape> kShapes = {{1, 1, 1},    {7, 13, 5},     {13, 7, 5},    {2, 3, 1},    {31, 37, 41}, {97, 101, 103},
                                    {64, 64, 1},  {1, 50, 200},   {50, 1, 200},  {33, 13, 7},  {17, 7, 300}, {385, 259, 257},
                                    {23, 3075, 9}, {300, 200, 520}, {390, 130, 270},
                                    {200, 20, 300}, {130, 9, 70},   {400, 11, 600}};

// c against Σ a(i, p)·b(p, j) in double: each element within a relative 1e-5 of Σ |a(i, p)·b(p, j)|,
// the size of the terms fp32 rounding is relative to.
void expect_product(const Eigen::Ref<const Matrix>& c, const Matrix& a, const Matrix& b, const std::string& what) {
  ASSERT_EQ(c.rows(), a.rows()) << what;
  ASSERT_EQ(c.cols(), b.cols()) << what;
  for (Eigen::Index j = 0; j < c.cols(); ++j)
    for (Eigen::Index i = 0; i < c.rows(); ++i) {
      double sum = 0, size = 0;
      for (Eigen::Index p = 0; p < a.cols(); ++p) {
        const double term = static_cast<double>(a(i, p)) * static_cast<double>(b(p, j));
        sum += term;
        size += std::abs(term);
      }
      ASSERT_NEAR(c(i, j), sum, 1e-5 * size + 1e-30) << what << " at (" << i << ", " << j << ")";
    }
}

std::string name(const Shape& s, Isa isa) {
  return std::to_string(s.m) + "×" + std::to_string(s.n) + "×" + std::to_string(s.k) + " on " + std::string(isa_name(isa));
}

std::vector<Isa> supported() {
  std::vector<Isa> out;
  for (Isa isa : {Isa::sse2, Isa::avx2_fma, Isa::avx512f})
    if (cpu_supports(isa)) out.push_back(isa);
  return out;
}

TEST(Gemm, MatmulMatchesNaiveLoopsOnEveryInstructionSet) {
  for (Isa isa : supported())
    for (const Shape& s : kShapes) {
      const Matrix a = test::random_matrix(s.m, s.k, 1), b = test::random_matrix(s.k, s.n, 2);
      Matrix c = Matrix::Constant(s.m, s.n, 7.0f);  // overwritten, not accumulated into
      matmul(a, b, c, isa);
      expect_product(c, a, b, name(s, isa));
      // aᵀ·b from a stored transposed.
      const Matrix at = a.transpose();
      c.setConstant(7.0f);
      matmul_transposed(at, b, c, isa);
      expect_product(c, a, b, "transposed " + name(s, isa));
    }
}

// The packed kernels themselves, also where matmul would leave a small product to Eigen; on two
// threads, and into a block of a larger matrix (C's leading dimension past its rows) from blocks
// of larger ones.
TEST(Gemm, PackedKernelsMatchNaiveLoopsOnEveryShape) {
  for (Isa isa : supported()) {
    if (isa == Isa::sse2) continue;
    for (const Shape& s : kShapes)
      for (int threads : {1, 2}) {
        const Matrix big_a = test::random_matrix(s.m + 3, s.k + 2, 3), big_b = test::random_matrix(s.k + 5, s.n + 1, 4);
        const Matrix a = big_a.block(2, 1, s.m, s.k), b = big_b.block(4, 0, s.k, s.n);
        Matrix big_c = Matrix::Constant(s.m + 4, s.n + 2, 7.0f);
        packed_gemm(isa, MatrixView{big_a.data() + 2 + big_a.rows(), s.m, s.k, 1, big_a.rows()},
                    MatrixView{big_b.data() + 4, s.k, s.n, 1, big_b.rows()}, big_c.data() + 1 + big_c.rows(), big_c.rows(), threads);
        const std::string what = name(s, isa) + ", " + std::to_string(threads) + " threads";
        expect_product(big_c.block(1, 1, s.m, s.n), a, b, what);
        // Nothing written outside the block.
        EXPECT_EQ(big_c.row(0).maxCoeff(), 7.0f) << what;
        EXPECT_EQ(big_c.row(0).minCoeff(), 7.0f) << what;
        EXPECT_EQ(big_c.col(0).minCoeff(), 7.0f) << what;
        EXPECT_EQ(big_c.bottomRows(3).minCoeff(), 7.0f) << what;
        EXPECT_EQ(big_c.bottomRows(3).maxCoeff(), 7.0f) << what;
        EXPECT_EQ(big_c.rightCols(1).maxCoeff(), 7.0f) << what;
      }
  }
}

// An A stored by rows (the transpose of a column-major matrix, as in the decoder's logits): packed
// by rows rather than read in place, whatever the columns of B.
TEST(Gemm, PackedKernelsTakeATransposedA) {
  for (Isa isa : supported()) {
    if (isa == Isa::sse2) continue;
    for (const Shape& s : kShapes)
      for (int threads : {1, 2}) {
        const Matrix at = test::random_matrix(s.k + 3, s.m, 5), b = test::random_matrix(s.k, s.n, 6);
        Matrix c = Matrix::Constant(s.m, s.n, 7.0f);
        packed_gemm(isa, MatrixView{at.data(), s.m, s.k, at.rows(), 1}, MatrixView{b.data(), s.k, s.n, 1, b.rows()}, c.data(), c.rows(),
                    threads);
        const Matrix a = at.topRows(s.k).transpose();
        expect_product(c, a, b, "transposed " + name(s, isa) + ", " + std::to_string(threads) + " threads");
      }
  }
}

// A packed once (a layer's weights), then multiplied with B of every width, from a column-major A
// and from one stored by rows; the same through `Weights`, which leaves a matrix-vector product
// (or a small matrix) to Eigen. A mutation that offsets the panels by a block's rows, or forgets the
// shared-dimension blocks past the first, fails the shapes with k > 256.
TEST(Gemm, PrepackedAMatchesNaiveLoopsOnEveryShape) {
  for (Isa isa : supported()) {
    if (isa == Isa::sse2) continue;
    for (const Shape& s : kShapes) {
      const Matrix a = test::random_matrix(s.m, s.k, 7), b = test::random_matrix(s.k, s.n, 8);
      const Matrix at = a.transpose();
      const PackedMatrix by_columns(isa, MatrixView{a.data(), s.m, s.k, 1, s.m});
      const PackedMatrix by_rows(isa, MatrixView{at.data(), s.m, s.k, s.k, 1});
      EXPECT_EQ(by_columns.rows(), s.m);
      EXPECT_EQ(by_columns.cols(), s.k);
      for (int threads : {1, 2})
        for (const PackedMatrix* packed : {&by_columns, &by_rows}) {
          Matrix c = Matrix::Constant(s.m, s.n, 7.0f);
          packed_gemm(*packed, MatrixView{b.data(), s.k, s.n, 1, s.k}, c.data(), s.m, threads);
          expect_product(c, a, b, std::string(packed == &by_rows ? "prepacked by rows " : "prepacked ") + name(s, isa) + ", " +
                                      std::to_string(threads) + " threads");
        }
      const Weights w(a, isa);
      EXPECT_EQ(w.packed().empty(), !Weights::packs(s.m, s.k)) << name(s, isa);
      Matrix c = Matrix::Constant(s.m, s.n, 7.0f);
      matmul(w, b, c);
      expect_product(c, a, b, "weights " + name(s, isa));
    }
  }
}

TEST(Gemm, EmptySharedDimensionGivesZeros) {
  for (Isa isa : supported()) {
    if (isa == Isa::sse2) continue;
    Matrix c = Matrix::Constant(5, 4, 7.0f);
    const float none = 0;
    packed_gemm(isa, MatrixView{&none, 5, 0, 1, 5}, MatrixView{&none, 0, 4, 1, 0}, c.data(), 5, 1);
    EXPECT_EQ(c.cwiseAbs().maxCoeff(), 0.0f) << isa_name(isa);
  }
}

TEST(Gemm, InstructionSetsAreNamedAndTheWidestIsDispatched) {
  for (Isa isa : {Isa::sse2, Isa::avx2_fma, Isa::avx512f}) EXPECT_EQ(isa_named(isa_name(isa)), isa);
  EXPECT_EQ(isa_named("avx9000"), std::nullopt);
  EXPECT_TRUE(cpu_supports(Isa::sse2));
  EXPECT_TRUE(cpu_supports(host_isa()));
  EXPECT_LE(static_cast<int>(gemm_isa()), static_cast<int>(host_isa()));
  // A CPU with AVX-512 reports AVX2 and FMA too.
  if (cpu_supports(Isa::avx512f)) {
    EXPECT_TRUE(cpu_supports(Isa::avx2_fma));
  }
}

// The probe measures with the widest instructions and says which; a wider probe is not slower.
TEST(Gemm, ProbeReportsItsInstructionSet) {
  const HostProbe p = probe_host(1);
  EXPECT_EQ(p.isa, host_isa());
  const std::string isa(isa_name(p.isa));
  EXPECT_TRUE(isa == "sse2" || isa == "avx2+fma" || isa == "avx512f") << isa;
  EXPECT_GT(p.peak_gflops, 0);
  // Random reads in memory are measured always, slower than the triad streams; the cache, when
  // the probe saw one (read at least 1.5 × as fast as memory), with its own random reads.
  const CpuMemory& m = p.memory;
  ASSERT_TRUE(m.mem_random_gbs);
  EXPECT_GT(*m.mem_random_gbs, 0);
  EXPECT_EQ(m.cache_mib.has_value(), m.cache_bandwidth_gbs.has_value());
  EXPECT_EQ(m.cache_mib.has_value(), m.cache_random_gbs.has_value());
  if (m.cache_mib) {
    EXPECT_LT(*m.cache_mib, 64);
    EXPECT_GT(*m.cache_bandwidth_gbs, 0);
    EXPECT_GT(*m.cache_random_gbs, 0);
  }
  EXPECT_EQ(host_instance(p).cpu_memory.cache_mib, m.cache_mib);
  EXPECT_EQ(host_instance(p).cpu_memory.mem_random_gbs, m.mem_random_gbs);
  if (p.isa != Isa::sse2) {
    EXPECT_GT(p.peak_gflops, 0.8 * probe_peak_gflops(1, Isa::sse2)) << isa;
  }
}

}  // namespace
}  // namespace mlarch::kernels
