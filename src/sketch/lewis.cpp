#include "sketch/lewis.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <vector>

#include "core/checked_int.hpp"

namespace quarry::sketch {

namespace {

// Weights below this fraction of the mean count at that size in the residual.
constexpr double kFloor = 1e-6;

bool a_row_nonzero(core::DenseView<const double> a, int64_t i) {
  for (int64_t j = 0; j < a.cols; ++j) {
    if (a(i, j) != 0) return true;
  }
  return false;
}

}  // namespace

LewisResult lewis_weights(int64_t threads, core::DenseView<const double> a, const LewisSettings& st,
                          double* w) {
  const auto t0 = std::chrono::steady_clock::now();
  const int64_t m = a.rows, n = a.cols;
  const double p = st.p;
  LewisResult res;
  // Round 0: the leverage scores of A, the p = 2 weights, as the start.
  res.rank = leverage_scores(threads, a, st.leverage, w);
  res.iterations = 1;
  if (p == 2) {  // w = tau is the fixed point
    res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return res;
  }
  // Each round: tau = the leverage scores of W^(1/2 - 1/p) A, and the Cohen-Peng update
  // T(w)_i = (a_i^T (A^T W^(1 - 2/p) A)^-1 a_i)^(p/2) = tau_i^(p/2) w_i^(1 - p/2) (the
  // fixed point has w = tau, so the weights sum to the rank). In log w the map's Jacobian
  // is -(p/2 - 1) times a matrix with eigenvalues in [0, 1] (diag(tau)^-1 (P o P), P the
  // projection onto the range of W^(1/2 - 1/p) A): Cohen and Peng's own step contracts by
  // |p/2 - 1| near the fixed point, and only for p < 4. For p > 2 the step is the
  // geometric mean w^(1 - alpha) T(w)^alpha, alpha = 4 / (p + 2), which balances the two
  // ends of that spectrum and contracts by (p - 2) / (p + 2) near the fixed point. Below 2
  // the same alpha would extrapolate past T(w) (alpha > 1), which the local argument
  // allows but which, far from the fixed point, can drive every weight towards 0 (it did
  // for p <= 0.2): there the step is Cohen and Peng's own (alpha = 1), a contraction.
  const double e = 0.5 - 1 / p;
  const double alpha = std::min(1.0, 4 / (p + 2));
  std::vector<double> scaled(static_cast<size_t>(core::checked_mul(m, n, "m x n"))), tau(m),
      row_scale(m);
  const core::DenseView<const double> da{core::Layout::ColMajor, m, n, scaled.data(), m};
  while (true) {
    // d_i = w_i^e, scaled by the largest (leverage scores do not see a common factor), in
    // logarithms so that no power overflows; rows of weight 0 stay out.
    double top = -std::numeric_limits<double>::infinity();
    for (int64_t i = 0; i < m; ++i) {
      if (w[i] > 0) top = std::max(top, e * std::log(w[i]));
    }
    for (int64_t i = 0; i < m; ++i) {
      const double d = w[i] > 0 ? std::exp(e * std::log(w[i]) - top) : 0.0;
      row_scale[static_cast<size_t>(i)] = d;
      for (int64_t j = 0; j < n; ++j) scaled[static_cast<size_t>(i + j * m)] = d * a(i, j);
    }
    res.rank = leverage_scores(threads, da, st.leverage, tau.data());
    ++res.iterations;
    // The residual: |T(w)_i - w_i| relative to w_i, or to kFloor times the mean weight
    // for the rows below that (their tiny leverage scores carry only absolute accuracy,
    // and rows that light are next to never sampled).
    double total = 0;
    for (int64_t i = 0; i < m; ++i) total += w[i];
    const double floor = kFloor * total / double(m);
    double worst = 0;
    for (int64_t i = 0; i < m; ++i) {
      if (!(w[i] > 0)) continue;
      if (!(tau[i] > 0)) {
        // A weighted row whose scale underflowed (weights more than ~1e300^(1/|e|)
        // apart) is not seen, which is no evidence for a zero weight: no convergence.
        if (row_scale[static_cast<size_t>(i)] == 0 && a_row_nonzero(a, i)) {
          worst = std::numeric_limits<double>::infinity();
          continue;
        }
        w[i] = 0;  // a row of A in the span of nothing the weights see: a zero row
        continue;
      }
      const double log_w = std::log(w[i]);
      const double log_t = (p / 2) * std::log(tau[i]) + (1 - p / 2) * log_w;
      worst = std::max(worst, std::abs(std::exp(log_t) - w[i]) / std::max(w[i], floor));
      w[i] = std::exp((1 - alpha) * log_w + alpha * log_t);
    }
    res.residual = worst;
    if (worst <= st.tolerance) break;
    if (res.iterations >= st.max_iterations) {
      // Approximate scores make T a map with noise of their accuracy, not a contraction
      // to a tolerance: their rounds are a budget, as in Cohen and Peng's analysis.
      res.converged = st.leverage.approximate;
      break;
    }
  }
  res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return res;
}

}  // namespace quarry::sketch
