// Weighted normal equations (A^T W A) d = g whose row weights change from one solve to the
// next: the Newton systems of iteratively reweighted least squares (regress/lp.cpp).
//
// Conjugate gradients preconditioned by one of two factors, both shared with least squares
// (lstsq/factor.hpp):
// - Gram: the Cholesky factor of A^T W A itself, formed from A's rows scaled by sqrt(w_i)
//   (m n^2 flops in dsyrk), rebuilt for every solve; the solve is then direct (no pass over
//   A), with conjugate gradients only when the factor is too ill-conditioned to be exact.
// - Sketch: R from a QR of S W^(1/2) A (a sparse sign sketch, s = 4 n rows by default),
//   kept from one solve to the next while it still preconditions (conjugate gradients need
//   at most kReuseIterations on the new weights), and rebuilt from the current weights, the
//   iteration continuing from where it stopped, when it no longer does. Each iteration is
//   one fused pass over A.
// The cost model picks Gram while m n^2 flops cost less than the sketch and the passes it
// saves (about n <= 700 on the reference machine); QUARRY_OPT_LSTSQ_METHOD may force either.
#pragma once

#include <cstdint>
#include <memory>

#include "core/views.hpp"
#include "lstsq/lstsq.hpp"

namespace quarry::lstsq {

class WeightedSystem {
 public:
  // a (m x n, m >= n) must outlive the object. settings.method: QUARRY_LSTSQ_AUTO,
  // QUARRY_LSTSQ_GRAM_PRECONDITION or QUARRY_LSTSQ_SKETCH_PRECONDITION (checked by the
  // caller); the sketch settings (kind, rows, nnz, rng state) shape the sketch.
  WeightedSystem(int64_t threads, core::DenseView<const double> a, const Settings& settings);
  ~WeightedSystem();
  WeightedSystem(const WeightedSystem&) = delete;
  WeightedSystem& operator=(const WeightedSystem&) = delete;

  struct Outcome {
    int64_t iterations = 0;  // conjugate-gradient iterations (passes over A)
    bool converged = true;   // false: max_iterations ran out before the tolerance
  };

  // d (n) = (A^T W A)^-1 g, W = diag(w) (m weights >= 0, finite), to a relative residual
  // of `tolerance` in the preconditioned norm: ||P^T (g - A^T W A d)|| <= tolerance
  // ||P^T g||. Conjugate gradients start from d = 0, so an unconverged d is still a
  // descent direction for the quadratic it solves.
  Outcome solve(const double* w, const double* g, double* d, double tolerance,
                int64_t max_iterations);

  // QUARRY_LSTSQ_GRAM_PRECONDITION or QUARRY_LSTSQ_SKETCH_PRECONDITION: the one in use.
  int32_t method() const;
  // Factors built so far (a Gram factor per solve; sketches only when one stopped
  // preconditioning).
  int64_t factorizations() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace quarry::lstsq
