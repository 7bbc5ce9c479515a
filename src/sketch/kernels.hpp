// The kernels behind Sketch::apply, one family per operator kind. Each computes every
// output entry as a sum over the input rows in increasing order, on column panels (dense)
// or output-row ranges (CSR) that threads share out, so no result depends on the thread
// count (see sketch.hpp).
#pragma once

#include <quarry/rng.h>

#include <cstdint>
#include <vector>

#include "core/philox.hpp"
#include "core/simd.hpp"
#include "core/views.hpp"

namespace quarry::sketch::detail {

using core::AlignedBuffer;
using core::f64x8;
using core::load8;
using core::store8;
using core::transpose8x8;

// Sparse sign / CountSketch: `entries` holds k entries per column of S (row index, bit 31
// set for -1). b = scale * S * a.
void sparse_sign_dense(int64_t threads, const uint32_t* entries, int64_t k, double scale,
                       const core::DenseView<const double>& a, core::DenseView<double> b);
void sparse_sign_csr(int64_t threads, const uint32_t* entries, int64_t k, double scale,
                     const core::CsrView<const double>& a, core::DenseView<double> b);

// SRHT: b = (1 / sqrt(rows)) * P H D a with D the signs (bit j of `signs` flips row j), H
// the unnormalized Walsh-Hadamard matrix of order `padded` (a zero-padded to `padded`
// rows), P the rows `sample`.
void srht_dense(int64_t threads, const uint32_t* signs, int64_t padded,
                const std::vector<int64_t>& sample, const core::DenseView<const double>& a,
                core::DenseView<double> b);
void srht_csr(int64_t threads, const uint32_t* signs, int64_t padded,
              const std::vector<int64_t>& sample, const core::CsrView<const double>& a,
              core::DenseView<double> b);

// In-place unnormalized Walsh-Hadamard transform of the 8 columns of a panel: x holds `n`
// (a power of two) rows of 8 interleaved values (row i at x + 8 i). The butterflies
// (p, q) -> (p + q, p - q) of sizes h = 1, 2, 4, ... in that order, whatever the blocking.
// Exposed for the tests, which check it against the definition.
void fwht_panel(double* x, int64_t n);

// Gaussian: S(i, j) = element j * rows + i of rng_fill_gaussian(stream), and
// b = S * a / sqrt(rows).
void gaussian_dense(int64_t threads, const core::PhiloxStream& stream, int64_t rows,
                    const core::DenseView<const double>& a, core::DenseView<double> b);
void gaussian_csr(int64_t threads, const core::PhiloxStream& stream, int64_t rows,
                  const core::CsrView<const double>& a, core::DenseView<double> b);

// b(r, :) = scale * a(sample[r], :).
void rows_dense(int64_t threads, const std::vector<int64_t>& sample, double scale,
                const core::DenseView<const double>& a, core::DenseView<double> b);
void rows_csr(int64_t threads, const std::vector<int64_t>& sample, double scale,
              const core::CsrView<const double>& a, core::DenseView<double> b);

// Right products with a CSR matrix a (n x cols of S): b (n x rows) = a S^T, row i of b
// summing row i of a in its stored order (the dense right product sums in increasing
// column order: the two agree bitwise when each row's columns are sorted).
void sparse_sign_csr_right(int64_t threads, const uint32_t* entries, int64_t k, double scale,
                           const core::CsrView<const double>& a, core::DenseView<double> b);
void srht_csr_right(int64_t threads, const uint32_t* signs, int64_t padded,
                    const std::vector<int64_t>& sample, const core::CsrView<const double>& a,
                    core::DenseView<double> b);
void gaussian_csr_right(int64_t threads, const core::PhiloxStream& stream, int64_t rows,
                        const core::CsrView<const double>& a, core::DenseView<double> b);
void rows_csr_right(int64_t threads, const std::vector<int64_t>& sample, double scale,
                    const core::CsrView<const double>& a, core::DenseView<double> b);

// One family of kernels for one form of input (A dense or CSR, from the left or the
// right), so that Sketch dispatches on its kind in one place.
template <class A>
struct Kernels {
  void (*gaussian)(int64_t, const core::PhiloxStream&, int64_t, const A&, core::DenseView<double>);
  void (*srht)(int64_t, const uint32_t*, int64_t, const std::vector<int64_t>&, const A&,
               core::DenseView<double>);
  void (*sparse_sign)(int64_t, const uint32_t*, int64_t, double, const A&, core::DenseView<double>);
  void (*rows)(int64_t, const std::vector<int64_t>&, double, const A&, core::DenseView<double>);
};

// Sets every entry of b to zero / multiplies every entry by `scale`.
void fill_zero(int64_t threads, core::DenseView<double> b);
void scale_all(int64_t threads, double scale, core::DenseView<double> b);

}  // namespace quarry::sketch::detail
