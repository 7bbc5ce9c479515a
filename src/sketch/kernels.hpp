// The kernels behind Sketch::apply, one family per operator kind. Each computes every
// output entry as a sum over the input rows in increasing order, on column panels (dense)
// or output-row ranges (CSR) that threads share out, so no result depends on the thread
// count (see sketch.hpp).
#pragma once

#include <quarry/rng.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "core/philox.hpp"
#include "core/views.hpp"

// Hot loops are compiled for AVX-512, AVX2 and baseline x86-64, picked at load time
// (GCC function multi-versioning). The clones only add and subtract (or multiply by
// +-1), and ISO C++ mode keeps the compiler from fusing multiply-adds, so every clone
// gives bitwise the same result.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define QUARRY_SIMD_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define QUARRY_SIMD_CLONES
#endif

namespace quarry::sketch::detail {

// Eight doubles as one GCC/Clang vector: one AVX-512 register, two AVX2 or four SSE2
// registers in the baseline clone. Loads and stores through memcpy: no alignment needed.
// Passing such a vector by value has a different ABI with and without AVX-512, which
// GCC warns about: the helpers are forced inline (also in unoptimized builds), so a vector
// never crosses a call between code compiled for different targets.
#define QUARRY_VECTOR_INLINE inline __attribute__((always_inline))
#pragma GCC diagnostic ignored "-Wpsabi"
typedef double f64x8 __attribute__((vector_size(64)));
QUARRY_VECTOR_INLINE f64x8 load8(const double* p) {
  f64x8 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
QUARRY_VECTOR_INLINE void store8(double* p, f64x8 v) { std::memcpy(p, &v, sizeof v); }

// Transposes the 8 x 8 block held by c[0..7] (c[t] = column t, lane i = row i) in place,
// so that c[i] holds row i: 24 two-vector shuffles (one instruction each on AVX-512).
QUARRY_VECTOR_INLINE void transpose8x8(f64x8* c) {
  f64x8 u[8];
  f64x8 v[8];
  for (int p = 0; p < 4; ++p) {
    u[2 * p] = __builtin_shufflevector(c[2 * p], c[2 * p + 1], 0, 8, 2, 10, 4, 12, 6, 14);
    u[2 * p + 1] = __builtin_shufflevector(c[2 * p], c[2 * p + 1], 1, 9, 3, 11, 5, 13, 7, 15);
  }
  for (int h = 0; h < 8; h += 4) {
    v[h] = __builtin_shufflevector(u[h], u[h + 2], 0, 1, 8, 9, 4, 5, 12, 13);
    v[h + 2] = __builtin_shufflevector(u[h], u[h + 2], 2, 3, 10, 11, 6, 7, 14, 15);
    v[h + 1] = __builtin_shufflevector(u[h + 1], u[h + 3], 0, 1, 8, 9, 4, 5, 12, 13);
    v[h + 3] = __builtin_shufflevector(u[h + 1], u[h + 3], 2, 3, 10, 11, 6, 7, 14, 15);
  }
  for (int i = 0; i < 4; ++i) {
    c[i] = __builtin_shufflevector(v[i], v[i + 4], 0, 1, 2, 3, 8, 9, 10, 11);
    c[i + 4] = __builtin_shufflevector(v[i], v[i + 4], 4, 5, 6, 7, 12, 13, 14, 15);
  }
}

// A zeroed buffer of doubles aligned to 64 bytes, so that each 8-value row of a panel
// buffer is one cache line (a row split across two lines halves the kernels' speed).
class AlignedBuffer {
 public:
  explicit AlignedBuffer(int64_t n) : storage_(static_cast<size_t>(n) + 8, 0.0) {
    const auto address = reinterpret_cast<std::uintptr_t>(storage_.data());
    data_ = storage_.data() + ((64 - address % 64) % 64) / sizeof(double);
  }
  double* data() { return data_; }

 private:
  std::vector<double> storage_;
  double* data_;
};

// Sparse sign / CountSketch: `entries` holds k entries per column of S (row index, bit 31
// set for -1). b = scale * S * a.
void sparse_sign_dense(int64_t threads, const uint32_t* entries, int64_t k, double scale,
                       core::DenseView<const double> a, core::DenseView<double> b);
void sparse_sign_csr(int64_t threads, const uint32_t* entries, int64_t k, double scale,
                     const core::CsrView<const double>& a, core::DenseView<double> b);

// SRHT: b = (1 / sqrt(rows)) * P H D a with D the signs (bit j of `signs` flips row j), H
// the unnormalized Walsh-Hadamard matrix of order `padded` (a zero-padded to `padded`
// rows), P the rows `sample`.
void srht_dense(int64_t threads, const uint64_t* signs, int64_t padded,
                const std::vector<int64_t>& sample, core::DenseView<const double> a,
                core::DenseView<double> b);
void srht_csr(int64_t threads, const uint64_t* signs, int64_t padded,
              const std::vector<int64_t>& sample, const core::CsrView<const double>& a,
              core::DenseView<double> b);

// In-place unnormalized Walsh-Hadamard transform of x, `n` (a power of two) rows of
// `width` interleaved values each (row i at x + i * width), transforming each of the
// `width` columns. The same butterflies in the same order for any blocking: exposed for
// the tests, which check it against the definition.
void fwht_interleaved(double* x, int64_t n, int64_t width);

// Gaussian: S(i, j) = normal element j * rows + i of `stream`, and b = S * a / sqrt(rows).
void gaussian_dense(int64_t threads, const core::PhiloxStream& stream, int64_t rows,
                    core::DenseView<const double> a, core::DenseView<double> b);
void gaussian_csr(int64_t threads, const core::PhiloxStream& stream, int64_t rows,
                  const core::CsrView<const double>& a, core::DenseView<double> b);

// b(r, :) = scale * a(sample[r], :).
void rows_dense(int64_t threads, const std::vector<int64_t>& sample, double scale,
                core::DenseView<const double> a, core::DenseView<double> b);
void rows_csr(int64_t threads, const std::vector<int64_t>& sample, double scale,
              const core::CsrView<const double>& a, core::DenseView<double> b);

// Right products with a CSR matrix a (n x cols of S): b (n x rows) = a S^T, row i of b
// summing row i of a in its stored order (the dense right product sums in increasing
// column order: the two agree bitwise when each row's columns are sorted).
void sparse_sign_csr_right(int64_t threads, const uint32_t* entries, int64_t k, double scale,
                           const core::CsrView<const double>& a, core::DenseView<double> b);
void srht_csr_right(int64_t threads, const uint64_t* signs, int64_t padded,
                    const std::vector<int64_t>& sample, const core::CsrView<const double>& a,
                    core::DenseView<double> b);
void gaussian_csr_right(int64_t threads, const core::PhiloxStream& stream, int64_t rows,
                        const core::CsrView<const double>& a, core::DenseView<double> b);
void rows_csr_right(int64_t threads, const std::vector<int64_t>& sample, double scale,
                    const core::CsrView<const double>& a, core::DenseView<double> b);

// Sets every entry of b to zero / multiplies every entry by `scale`.
void fill_zero(int64_t threads, core::DenseView<double> b);
void scale_all(int64_t threads, double scale, core::DenseView<double> b);

}  // namespace quarry::sketch::detail
