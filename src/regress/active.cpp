#include "regress/active.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <vector>

#include "core/checked_int.hpp"
#include "core/error.hpp"
#include "sketch/sampling.hpp"

namespace quarry::regress {

ActiveResult active_regression(int64_t threads, core::DenseView<const double> a,
                               const LabelFn& labels, double* x, const ActiveSettings& st) {
  using clock = std::chrono::steady_clock;
  const auto t0 = clock::now();
  const int64_t m = a.rows, n = a.cols, k = st.budget;
  const double p = st.lewis.p;
  ActiveResult res;
  // The rows: k distinct ones, row i with probability pi_i = min(1, c w_i) (w the Lewis
  // weights), each then weighted 1 / pi_i in the objective, so that the sample's objective
  // is an unbiased estimate of the full one at every x.
  std::vector<double> w(static_cast<size_t>(m));
  const sketch::LewisResult lw = sketch::lewis_weights(threads, a, st.lewis, w.data());
  res.lewis_iterations = lw.iterations;
  res.lewis_converged = lw.converged;
  int64_t positive = 0;
  for (const double v : w) positive += v > 0 ? 1 : 0;
  core::require(k <= positive, QUARRY_ERR_INVALID_ARGUMENT,
                "a budget of {} labels is more than the {} rows of positive Lewis weight (the "
                "others are zero rows of A): at most {}",
                k, positive, positive);
  std::vector<int64_t> rows(static_cast<size_t>(k));
  std::vector<double> scales(static_cast<size_t>(k));
  sketch::sample_weighted_distinct(st.state, w.data(), m, k, rows.data(), scales.data());
  // The labels, in batches of at most st.batch rows.
  std::vector<double> b(static_cast<size_t>(k));
  LabelCounts counts;
  read_labels(labels, rows.data(), k, st.batch, b.data(), counts);
  res.labels = counts.labels;
  res.batches = counts.batches;
  res.oracle_seconds = counts.seconds;
  // sum_s |b_s - a_s^T x|^p / pi_s as an l_p problem: rows scaled by pi_s^(-1/p).
  std::vector<double> sa(static_cast<size_t>(core::checked_mul(k, n, "budget x n")));
  for (int64_t s = 0; s < k; ++s) {
    const double sc = std::pow(scales[static_cast<size_t>(s)], 2 / p);  // (1 / pi)^(1/p)
    for (int64_t j = 0; j < n; ++j) {
      sa[static_cast<size_t>(s * n + j)] = sc * a(rows[static_cast<size_t>(s)], j);
    }
    b[static_cast<size_t>(s)] *= sc;
  }
  LpSettings solve = st.solve;
  solve.p = p;
  res.fit = lp(threads, core::DenseView<const double>{core::Layout::RowMajor, k, n, sa.data(), n},
               b.data(), x, solve);
  res.seconds = std::chrono::duration<double>(clock::now() - t0).count();
  return res;
}

}  // namespace quarry::regress
