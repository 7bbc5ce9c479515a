// Leverage scores (exact, sketched, ridge) and squared row norms: the sampling weights of
// RandNLA.
#pragma once

#include <quarry/rng.h>

#include <cstdint>

#include "core/philox.hpp"
#include "core/views.hpp"

namespace quarry::sketch {

struct LeverageSettings {
  bool approximate = false;
  double ridge = 0;         // lambda >= 0: ridge leverage scores a_i^T (A^T A + lambda I)^-1 a_i
  int64_t sketch_rows = 0;  // approximate: rows of the sketch; 0 = default (20 n)
  int32_t sketch_kind = 4;  // approximate: QUARRY_SKETCH_SPARSE_SIGN
  quarry_rng_state state = core::rng_state_from_seed(0);  // a valid state by default
};

// The JL dimension of the approximate scores: each score is the squared norm of a
// kJlColumns-dimensional Gaussian projection of the row of A R^-1.
inline constexpr int64_t kJlColumns = 128;

// scores[i] for every row i of a; returns the numerical rank used (n when ridge > 0).
// Exact: a thin QR of a copy of A, or an SVD when R is numerically singular (rank
// revealed by singular values above max(m, n) eps sigma_max); ridge: QR of [A; sqrt(lambda)
// I]. Approximate (Drineas, Magdon-Ismail, Mahoney and Woodruff, JMLR 2012): an SVD of the
// sketch S A (with sqrt(lambda) I below it for ridge) gives R^-1 = V Sigma^-1, and score i
// is the squared norm of row i of A V Sigma^-1 G, G Gaussian (n x kJlColumns) / sqrt(kJl),
// the scores then scaled to sum to the rank of the sketch (not for ridge scores).
// Falls back to exact when the sketch would have at least m rows.
int64_t leverage_scores(int64_t threads, core::DenseView<const double> a,
                        const LeverageSettings& settings, double* scores);

// out[i] = sum_j a(i, j)^2, summed in increasing j for either layout (bitwise the same).
void row_norms_squared(int64_t threads, core::DenseView<const double> a, double* out);

}  // namespace quarry::sketch
