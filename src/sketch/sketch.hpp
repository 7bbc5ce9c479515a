// Sketching operators: the module's surface to the C shim.
//
// A sketch S is a rows x cols random matrix, a pure function of (kind, rows, cols, nnz,
// rng state) (the definitions are public, in include/c_api/quarry/sketch.h). Applying it
// to A (cols x n) gives S * A (rows x n); applying it to the transposed view of a wide
// matrix gives A * S^T. Every product is bitwise identical for any thread count; for the
// sparse and sampling kinds (all but Gaussian) also for either input layout and for CSR
// input, because each output entry is summed over the input rows in increasing order and
// scaled once at the end.
#pragma once

#include <quarry/rng.h>

#include <cstdint>
#include <vector>

#include "core/views.hpp"

namespace quarry::sketch {

namespace detail {
template <class A>
struct Kernels;  // sketch/kernels.hpp
}  // namespace detail

enum class Kind : int32_t {
  Gaussian = 1,
  Srht = 2,
  CountSketch = 3,
  SparseSign = 4,
  UniformRows = 5,
};

// The default number of non-zeros per column of a sparse-sign sketch (clipped to rows).
inline constexpr int64_t kDefaultSparseSignNnz = 8;

class Sketch {
 public:
  // Validates the arguments (kind code, sizes, nnz against the kind, the state) with
  // messages naming them, and draws the operator's stored randomness (O(nnz * cols) for
  // the sparse kinds, O(cols + rows) for SRHT and O(rows) for uniform rows; a Gaussian
  // sketch stores nothing and regenerates its entries on each apply). nnz <= 0 selects
  // the kind's default.
  Sketch(int32_t kind, int64_t rows, int64_t cols, int64_t nnz, const quarry_rng_state& state,
         int64_t threads);

  Kind kind() const { return kind_; }
  int64_t rows() const { return rows_; }
  int64_t cols() const { return cols_; }
  // Non-zeros per column: k for sparse sign, 1 for CountSketch, rows for Gaussian,
  // the padded size's share for SRHT (rows), 1 entry per row for uniform rows.
  int64_t nnz() const { return nnz_; }

  // b = S * a, with a cols x n and b rows x n (any layouts). Fails with
  // QUARRY_ERR_BAD_DIMENSION on mismatched sizes and QUARRY_ERR_NONFINITE when a holds a
  // NaN or an infinity that reaches the result (or the result overflows).
  void apply(int64_t threads, core::DenseView<const double> a, core::DenseView<double> b) const;
  void apply(int64_t threads, const core::CsrView<const double>& a,
             core::DenseView<double> b) const;

  // b = a S^T for a CSR a (n x cols); b is n x rows. Row i of b sums row i of a in its
  // stored order.
  void apply_right(int64_t threads, const core::CsrView<const double>& a,
                   core::DenseView<double> b) const;

  // Entry (i, j) of S for every i and the columns [j0, j0 + out.cols) (out is rows x w):
  // the operator made explicit, for tests and for callers handing S to other libraries.
  void columns(int64_t threads, int64_t j0, core::DenseView<double> out) const;

 private:
  // Runs the kernel of this kind from `kernels`.
  template <class A>
  void run(int64_t threads, const A& a, core::DenseView<double> b,
           const detail::Kernels<A>& kernels) const;
  void check_product(const char* what, int64_t a_rows, int64_t a_cols,
                     const core::DenseView<double>& b) const;

  Kind kind_;
  int64_t rows_;
  int64_t cols_;
  int64_t nnz_;
  int64_t padded_;
  quarry_rng_state state_;
  // Sparse sign and CountSketch: nnz_ entries per column, column after column; each is
  // the row index, with bit 31 set for a -1.
  std::vector<uint32_t> entries_;
  // SRHT and uniform rows: the sampled rows (of the padded transform, or of the input),
  // increasing.
  std::vector<int64_t> sample_;
  // SRHT: bit (j mod 32) of word j / 32 flips the sign of input row j.
  std::vector<uint32_t> signs_;
};

}  // namespace quarry::sketch
