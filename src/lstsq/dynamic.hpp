// Dynamic least squares (include/c_api/quarry/lstsq.h documents it): rows arrive in
// batches, and the solution of min ||A x - b||^2 + lambda ||x||^2 over the rows so far is
// available at any time.
//
// Both modes keep the triangular factor R of the QR factorization of [S A, S b] (with the
// ridge rows [sqrt(lambda) I, 0]), (n + 1) x (n + 1), and add rows to it with blocked
// Householder updates (dtpqrt, about 2 k n^2 flops for k rows): x = R_A^-1 r_b at query
// time, and ||R [x; -1]|| is the residual of any x. Unlike recursive least squares (the
// inverse Gram matrix updated by Sherman-Morrison), nothing squares the condition number.
// - Exact: S = I, every row.
// - Sampled (online leverage-score sampling; Cohen, Musco and Pachocki, and Jiang, Peng and
//   Weinstein's dynamic least squares): row [a, b] is kept with probability
//   p = min(1, c tau), tau = u / (1 + u), u = [a b] (R^T R)^-1 [a b]^T its online leverage
//   score in [A b] against the rows kept so far (R's diagonal floored at (n + 1) eps of its
//   largest entry), estimated from a Gaussian sketch W = G R^-T (q = 32 rows, refreshed as
//   the kept rows grow), and scaled by 1 / sqrt(p); c = 2 / epsilon. Scoring costs
//   2 q (n + 1) flops a row, and only kept rows update R. Sampling [A b] rather than A
//   keeps the objective of every x (not only the minimizer's) within the sketch's
//   distortion, so a label far off the fit is kept like a row of high leverage.
#pragma once

#include <quarry/rng.h>

#include <cstdint>
#include <vector>

#include "core/philox.hpp"
#include "core/views.hpp"

namespace quarry::lstsq {

struct DynamicSettings {
  bool sampled = false;
  double ridge = 0;      // lambda >= 0
  double epsilon = 0.1;  // sampled: the target excess of the objective
  quarry_rng_state state = core::rng_state_from_seed(0);
};

struct DynamicSolution {
  int64_t rank = 0;      // numerical rank of R_A (n when it is well conditioned)
  double objective = 0;  // ||S (A x - b)||^2 + lambda ||x||^2 at x
};

class DynamicLstsq {
 public:
  DynamicLstsq(int64_t n, const DynamicSettings& settings);

  // Adds the rows of a (count x n) with labels b (count values); both finite.
  void insert(core::DenseView<const double> a, const double* b);
  // x (n) minimizing the objective over the rows held (the minimum-norm one when R_A is
  // numerically singular).
  DynamicSolution solve(double* x) const;
  // sqrt(||S (A x - b)||^2 + lambda ||x||^2) for any x (n).
  double residual(const double* x) const;

  int64_t columns() const { return n_; }
  int64_t rows() const { return rows_; }  // inserted
  int64_t kept() const { return kept_; }  // held in R (all of them when exact)
  bool sampled() const { return st_.sampled; }

 private:
  // Adds the k rows of block (k x (n + 1), column-major with leading dimension ld: [A b])
  // to R; overwrites them.
  void add_block(double* block, int64_t k, int64_t ld);
  // W^T = R~^-1 G^T for a fresh Gaussian G (q x (n + 1)), R~ = R with its diagonal floored
  // at (n + 1) eps of its largest entry; false while R is zero (every row is then kept).
  bool refresh_scores();

  int64_t n_;
  DynamicSettings st_;
  std::vector<double> r_;       // (n + 1) x (n + 1), column-major, upper triangle
  std::vector<double> givens_;  // the rotations of one row's update (c, s per column)
  int64_t rows_ = 0, kept_ = 0;
  std::vector<double> wt_;  // sampled: W^T = R~^-1 G^T, (n + 1) x q column-major
  std::vector<double> rt_;  // sampled: R~, R with its diagonal floored
  bool scores_ready_ = false;
  int64_t kept_at_refresh_ = 0, refreshes_ = 0;
};

}  // namespace quarry::lstsq
