// l_p regression (include/c_api/quarry/regress.h documents the problem): Newton's method
// on a smoothed objective followed down to the unsmoothed one, stopped by a duality gap.
#pragma once

#include <cstdint>

#include "core/views.hpp"
#include "lstsq/lstsq.hpp"

namespace quarry::regress {

struct LpSettings {
  double p = 1;
  double tolerance = 1e-10;  // stop when the relative duality gap is at most this
  int64_t max_iterations = 300;
  lstsq::Settings inner;  // the Newton systems' solver: method and sketch
};

struct LpResult {
  int64_t iterations = 0;        // Newton systems solved
  int64_t inner_iterations = 0;  // their conjugate-gradient iterations (passes over A)
  int64_t factorizations = 0;    // preconditioners built
  int32_t method = 0;            // QUARRY_LSTSQ_GRAM_PRECONDITION or _SKETCH_PRECONDITION
  double objective = 0;          // sum_i |r_i|^p
  double gap = 0;                // (objective - lower bound) / objective
  double residual_norm = 0;      // ||r||_2
  bool converged = true;         // false: the iteration limit was reached, or a stall
  bool stalled = false;          // the smoothing reached its floor without a certificate
  double seconds = 0;
};

// x (n) = argmin sum_i |b_i - a_i^T x|^p for b (m, contiguous) and a (m x n, m >= n, finite).
LpResult lp(int64_t threads, core::DenseView<const double> a, const double* b, double* x,
            const LpSettings& settings);

}  // namespace quarry::regress
