// The matrix of a least-squares problem as the iterative solvers see it: the two fused
// passes over A they need, for dense A (either layout, any ld) and CSR A.
//
// Each pass reads A once: a block of rows is multiplied by a vector and, while it is in
// cache, its transpose by the result (Blendenpik and LSRN take two passes). Rows are
// split into fixed chunks whose partial sums are added in chunk order, so the results are
// bitwise the same for any thread count.
#pragma once

#include <cstdint>
#include <variant>
#include <vector>

#include "core/views.hpp"
#include "sketch/sketch.hpp"

namespace quarry::lstsq {

class Operator {
 public:
  Operator(int64_t threads, core::DenseView<const double> a);
  Operator(int64_t threads, core::CsrView<const double> a);

  int64_t rows() const { return rows_; }
  // Row weights w (rows() entries, >= 0; NULL: none, the default) that turn the operator's
  // normal equations into weighted ones: gram() gives A^T W A p and residual() gives
  // r = b - A x and g = A^T W r, W = diag(w). The caller keeps w alive and may change
  // its entries between calls. product(), frobenius() and sketch() ignore the weights.
  void set_weights(const double* w) { weights_ = w; }
  int64_t cols() const { return cols_; }

  // out = A^T W (A p): p and out have cols() entries.
  void gram(const double* p, double* out) const;
  // r = b - A x and g = A^T W r: b and r have rows() entries (b with stride incb), x and g
  // cols(). g is summed in about twice the working precision (error-free products and
  // sums): rounding in A^T r would otherwise limit a refined solution's forward error to
  // cond(A)^2 u ||r|| / ||A|| (where a Householder QR solve keeps about cond(A) u).
  void residual(const double* x, const double* b, int64_t incb, double* r, double* g) const;
  // out = A x (rows() entries), one pass in parallel over rows, each entry summed in the
  // stored order (A^T u is the product of an Operator over A's transpose).
  void product(const double* x, double* out) const;
  // ||A||_F, one pass (three more when the sum of squares over- or underflows). Throws
  // QUARRY_ERR_NONFINITE naming the first NaN or infinity of a dense A: the pass that
  // every solve starts with doubles as the check of A.
  double frobenius() const;
  // out (s x cols, column-major, leading dimension ld >= s) = S A.
  void sketch(const sketch::Sketch& s, double* out, int64_t ld) const;

 private:
  // sum of (a_ij / scale)^2 over A's stored entries, in parallel, thread-count invariant.
  double sum_of_squares(double scale) const;
  // Runs the fused pass: for every row i, t_i = (b ? b_i : 0) - a_i^T p, then
  // out += t_i a_i (so out = -A^T A p without b, A^T (b - A p) with it); t to r if given;
  // accurate: out summed in about twice the working precision.
  void fused(const double* p, const double* b, int64_t incb, double* r, double* out,
             bool accurate) const;

  int64_t threads_;
  int64_t rows_;
  int64_t cols_;
  std::variant<core::DenseView<const double>, core::CsrView<const double>> a_;
  int64_t chunk_rows_;
  const double* weights_ = nullptr;
};

}  // namespace quarry::lstsq
