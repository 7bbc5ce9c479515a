// The preconditioned solver shared by least squares (lstsq.cpp) and the Newton systems of
// the regression solvers (weighted.cpp): the preconditioner P, from a QR or SVD of a
// sketch or from a Cholesky factor, and conjugate gradients on P^T M P.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <vector>

#include "core/blas.hpp"

namespace quarry::lstsq::detail {

inline constexpr double kEps = std::numeric_limits<double>::epsilon();
// R is numerically singular when its estimated reciprocal condition number is below
// this (Blendenpik's rule: cond(R) > 1 / (5 eps)).
inline constexpr double kSingularRcond = 5 * kEps;

// Singular values of the sketch at or below sigma_max times this count as zero.
inline constexpr double kRankTolerance = 64 * kEps;

// A Cholesky factor of A^T A + lambda I preconditions while its estimated reciprocal
// condition number is above this (cond(R)^2 u below about 1e-4, with the 1-norm
// estimate's slack).
inline constexpr double kGramRcond = 1e-6;

// sqrt(sum_i entry(i)^2) for i < n, scaled by the largest entry so that it neither
// overflows nor underflows.
template <class Entry>
inline double scaled_norm(int64_t n, Entry entry) {
  double big = 0;
  for (int64_t i = 0; i < n; ++i) big = std::max(big, std::abs(entry(i)));
  if (big == 0) return 0;
  double s = 0;
  for (int64_t i = 0; i < n; ++i) s += (entry(i) / big) * (entry(i) / big);
  return big * std::sqrt(s);
}

inline double norm2(const double* v, int64_t n) {
  return scaled_norm(n, [v](int64_t i) { return v[i]; });
}

inline double dot(const double* x, const double* y, int64_t n) {
  double s = 0;
  for (int64_t i = 0; i < n; ++i) s += x[i] * y[i];
  return s;
}

// The preconditioner P (n x rank) from the sketch S A: R^-1 from a QR of [S A;
// sqrt(lambda) I], or V_r (Sigma_r^2 + lambda)^-1/2 from an SVD S A = U Sigma V^T (when R is
// numerically singular, or for a ridge path: the SVD serves every lambda). Either way
// [A; sqrt(lambda) I] P has singular values within the sketch's distortion of 1.
class Factor {
 public:
  // QR first, the SVD when R is numerically singular and lambda = 0 (or always, with
  // svd). resketch(ld) returns S A (s x n) in the top rows of a column-major ld x n array,
  // zeros below.
  template <class Resketch>
  Factor(int64_t s, int64_t n, double ridge, bool svd, Resketch resketch) : n_(n), s_(s) {
    std::vector<double> sa;
    if (!svd) {
      // [S A; sqrt(lambda) I] in place: the sketch is written into the QR's own array.
      rows_ = s + (ridge > 0 ? n : 0);
      qr_ = resketch(rows_);
      for (int64_t j = 0; j < n && ridge > 0; ++j) {
        qr_[static_cast<size_t>(j * rows_ + s + j)] = std::sqrt(ridge);
      }
      tau_.resize(static_cast<size_t>(n));
      core::qr_factor(rows_, n, qr_.data(), rows_, tau_.data());
      const double rcond = core::triangular_rcond(n, qr_.data(), rows_);
      if (rcond >= kSingularRcond || ridge > 0) {
        rank_ = n;
        condition_ = 1 / rcond;
        return;
      }
      // Rank deficient: the SVD of S A, computed afresh (the QR consumed it).
      qr_ = std::vector<double>();
      tau_ = std::vector<double>();
    }
    sa = resketch(s);
    svd_ = true;
    const int64_t k = std::min(s, n);
    sigma_.resize(static_cast<size_t>(k));
    u_.resize(static_cast<size_t>(s * k));
    vt_.resize(static_cast<size_t>(k * n));
    core::svd_thin(s, n, sa.data(), s, sigma_.data(), u_.data(), s, vt_.data(), k);
    numerical_rank_ = 0;
    while (numerical_rank_ < k &&
           sigma_[static_cast<size_t>(numerical_rank_)] > kRankTolerance * sigma_[0]) {
      ++numerical_rank_;
    }
    set_ridge(ridge);
  }

  // P = R^-1 for an upper-triangular n x n R (column-major, ld n) with the given
  // reciprocal condition estimate: a Cholesky factor of A^T A + lambda I.
  Factor(std::vector<double> r, int64_t n, double rcond)
      : n_(n), s_(0), rows_(n), rank_(n), condition_(1 / rcond), qr_(std::move(r)) {}

  // The SVD form: precondition [A; sqrt(lambda) I] from now on.
  void set_ridge(double lambda) {
    // With lambda > 0 every direction counts (Sigma^2 + lambda > 0); else the numerical
    // rank's, which gives the minimum-norm solution.
    const int64_t k = static_cast<int64_t>(sigma_.size());
    rank_ = lambda > 0 ? std::min(k, n_) : numerical_rank_;
    scale_.resize(static_cast<size_t>(rank_));
    for (int64_t i = 0; i < rank_; ++i) {
      const double sg = sigma_[static_cast<size_t>(i)];
      scale_[static_cast<size_t>(i)] = 1 / std::sqrt(sg * sg + lambda);
    }
    const double top = std::sqrt(sigma_.empty() ? lambda : sigma_[0] * sigma_[0] + lambda);
    condition_ = rank_ > 0 ? top * scale_[static_cast<size_t>(rank_ - 1)] : 1.0;
  }

  int64_t rank() const { return rank_; }
  double condition() const { return condition_; }
  // The SVD form: right singular vectors past the rank, the directions it drops.
  int64_t dropped() const { return svd_ ? static_cast<int64_t>(sigma_.size()) - rank_ : 0; }
  std::vector<double> dropped_vector(int64_t t) const {
    const int64_t k = static_cast<int64_t>(sigma_.size());
    std::vector<double> v(static_cast<size_t>(n_));
    for (int64_t j = 0; j < n_; ++j)
      v[static_cast<size_t>(j)] = vt_[static_cast<size_t>(rank_ + t + j * k)];
    return v;
  }

  // out (n) = P y (y: rank entries).
  void apply(const double* y, double* out) const {
    if (!svd_) {
      std::copy(y, y + n_, out);
      core::triangular_solve(false, n_, qr_.data(), rows_, out);
      return;
    }
    const int64_t ld = static_cast<int64_t>(sigma_.size());
    for (int64_t j = 0; j < n_; ++j) {
      const double* v = vt_.data() + j * ld;
      double sum = 0;
      for (int64_t k = 0; k < rank_; ++k) sum += v[k] * (y[k] * scale_[static_cast<size_t>(k)]);
      out[j] = sum;
    }
  }

  // out (rank) = P^T v (v: n entries).
  void apply_t(const double* v, double* out) const {
    if (!svd_) {
      std::copy(v, v + n_, out);
      core::triangular_solve(true, n_, qr_.data(), rows_, out);
      return;
    }
    const int64_t ld = static_cast<int64_t>(sigma_.size());
    for (int64_t k = 0; k < rank_; ++k) out[k] = 0;
    for (int64_t j = 0; j < n_; ++j) {
      const double* w = vt_.data() + j * ld;
      for (int64_t k = 0; k < rank_; ++k) out[k] += w[k] * v[j];
    }
    for (int64_t k = 0; k < rank_; ++k) out[k] *= scale_[static_cast<size_t>(k)];
  }

  // x (n) = argmin ||[S A; sqrt(lambda) I] x - [sb; 0]|| (minimum norm when rank < n).
  void sketch_solve(const double* sb, double* x) const {
    if (!svd_) {
      std::vector<double> c(static_cast<size_t>(rows_), 0.0);
      std::copy(sb, sb + s_, c.begin());
      core::qr_apply_qt(rows_, n_, qr_.data(), rows_, tau_.data(), 1, c.data(), rows_);
      std::copy(c.begin(), c.begin() + n_, x);
      core::triangular_solve(false, n_, qr_.data(), rows_, x);
      return;
    }
    // x = V (Sigma^2 + lambda)^-1 Sigma U^T sb = P (Sigma_scaled U^T sb).
    std::vector<double> y(static_cast<size_t>(std::max<int64_t>(rank_, 1)));
    for (int64_t k = 0; k < rank_; ++k) {
      y[static_cast<size_t>(k)] = sigma_[static_cast<size_t>(k)] * scale_[static_cast<size_t>(k)] *
                                  dot(u_.data() + k * s_, sb, s_);
    }
    apply(y.data(), x);
  }

 private:
  int64_t n_;
  int64_t s_;
  int64_t rows_ = 0;
  bool svd_ = false;
  int64_t rank_ = 0;
  int64_t numerical_rank_ = 0;
  double condition_ = 1;
  std::vector<double> qr_, tau_;                // QR: reflectors and R, rows_ x n
  std::vector<double> sigma_, u_, vt_, scale_;  // SVD; scale_ = (sigma^2 + lambda)^-1/2
};

// A Cholesky factor of A^T A + lambda I (g = A^T A, upper triangle, n x n) as a
// preconditioner, or nothing when it would not precondition: cond(R)^2 u, the relative
// error of R^-T (A^T A + lambda I) R^-1 against I, must stay well below 1.
inline std::optional<Factor> gram_factor(const std::vector<double>& g, int64_t n, double lambda) {
  std::vector<double> c = g;
  for (int64_t j = 0; j < n; ++j) c[static_cast<size_t>(j + j * n)] += lambda;
  if (!core::cholesky_upper(n, c.data(), n)) return std::nullopt;
  for (int64_t j = 0; j < n; ++j) {  // dpotrf leaves the strict lower triangle as it was
    for (int64_t i = j + 1; i < n; ++i) c[static_cast<size_t>(i + j * n)] = 0;
  }
  const double rcond = core::triangular_rcond(n, c.data(), n);
  if (!(rcond >= kGramRcond)) return std::nullopt;
  return Factor(std::move(c), n, rcond);
}

// Work vectors of the iteration, sized once.
struct Work {
  std::vector<double> x_before, r_before, g_before, r, g, h, y, res, q, u, w, pw;
  Work(int64_t m, int64_t n, int64_t rank)
      : x_before(static_cast<size_t>(n)),
        r_before(static_cast<size_t>(m)),
        g_before(static_cast<size_t>(n)),
        r(static_cast<size_t>(m)),
        g(static_cast<size_t>(n)),
        h(static_cast<size_t>(rank)),
        y(static_cast<size_t>(rank)),
        res(static_cast<size_t>(rank)),
        q(static_cast<size_t>(rank)),
        u(static_cast<size_t>(n)),
        w(static_cast<size_t>(n)),
        pw(static_cast<size_t>(rank)) {}
};

// Conjugate gradients on P^T M P y = wk.h (||wk.h|| = hn) from y = 0 into wk.y, M applied
// by system(u, w): w = M u. Stops when the residual falls to target (true), when P^T M P
// has nothing left to give (true), or when iterations reach budget (false). P is any
// preconditioner with rank(), apply (u = P q) and apply_t (pw = P^T w): a Factor, or
// Kronecker regression's product of factor SVDs.
template <class Preconditioner, class System>
bool conjugate_gradients(const Preconditioner& f, double hn, double target, int64_t budget,
                         int64_t& iterations, Work& wk, System system) {
  const int64_t k = f.rank();
  std::fill(wk.y.begin(), wk.y.end(), 0.0);
  wk.res = wk.h;
  wk.q = wk.h;
  double rho = hn * hn;
  while (iterations < budget) {
    f.apply(wk.q.data(), wk.u.data());
    system(wk.u.data(), wk.w.data());
    f.apply_t(wk.w.data(), wk.pw.data());
    ++iterations;
    const double qw = dot(wk.q.data(), wk.pw.data(), k);
    if (!(qw > 0)) return true;  // P^T M P q = 0: nothing left to gain
    const double alpha = rho / qw;
    for (int64_t i = 0; i < k; ++i) {
      wk.y[static_cast<size_t>(i)] += alpha * wk.q[static_cast<size_t>(i)];
      wk.res[static_cast<size_t>(i)] -= alpha * wk.pw[static_cast<size_t>(i)];
    }
    const double rho_next = dot(wk.res.data(), wk.res.data(), k);
    if (std::sqrt(rho_next) <= target) return true;
    const double beta = rho_next / rho;
    for (int64_t i = 0; i < k; ++i) {
      wk.q[static_cast<size_t>(i)] =
          wk.res[static_cast<size_t>(i)] + beta * wk.q[static_cast<size_t>(i)];
    }
    rho = rho_next;
  }
  return false;
}

}  // namespace quarry::lstsq::detail
