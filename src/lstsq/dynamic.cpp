#include "lstsq/dynamic.hpp"

#include <algorithm>
#include <cmath>

#include "core/blas.hpp"
#include "core/checked_int.hpp"
#include "lstsq/factor.hpp"
#include "sketch/sampling.hpp"

namespace quarry::lstsq {

namespace {

size_t sz(int64_t v) { return static_cast<size_t>(v); }

// Rows per Householder update (and per scoring gemm): large enough for BLAS 3, small
// enough that the block stays in cache.
constexpr int64_t kChunk = 256;
// Fewer rows than this go in by Givens rotations, more by dtpqrt.
constexpr int64_t kGivensRows = 8;
// Rows of the Gaussian sketch of the leverage scores: relative error about sqrt(2 / q).
constexpr int64_t kScoreRows = 32;
// Sampling probability min(1, kOversample tau / epsilon).
constexpr double kOversample = 2;

}  // namespace

DynamicLstsq::DynamicLstsq(int64_t n, const DynamicSettings& st)
    : n_(n),
      st_(st),
      r_(sz(core::checked_mul(n + 1, n + 1, "the triangular factor")), 0.0),
      givens_(sz(2 * (n + 1))) {
  // The ridge rows [sqrt(lambda) I, 0] are the factor's own first rows.
  for (int64_t j = 0; j < n; ++j) r_[sz(j + j * (n + 1))] = std::sqrt(st.ridge);
  if (st.sampled) wt_.resize(sz(core::checked_mul(n + 1, kScoreRows, "the score sketch")));
}

void DynamicLstsq::add_block(double* block, int64_t k, int64_t ld) {
  const int64_t n1 = n_ + 1;
  if (k >= kGivensRows) {
    core::qr_add_rows(n1, r_.data(), n1, k, block, ld);
  } else {
    // A few rows: Givens rotations, one row at a time, in panels of kPanel columns: the
    // rotations of the rows above a panel reach its columns together (kPanel independent
    // recurrences, each walking down its column of the column-major R), then the panel
    // makes its own rotations. 3 n^2 multiply-adds a row and no call overhead, where
    // dtpqrt's blocking costs far more for one row.
    constexpr int64_t kPanel = 16;
    std::vector<double>& cs = givens_;
    double* r = r_.data();
    for (int64_t i = 0; i < k; ++i) {
      for (int64_t l0 = 0; l0 < n1; l0 += kPanel) {
        const int64_t width = std::min(kPanel, n1 - l0);
        double w[kPanel] = {};
        for (int64_t q = 0; q < width; ++q) w[q] = block[i + (l0 + q) * ld];
        for (int64_t j = 0; j < l0; ++j) {
          const double c = cs[sz(2 * j)], s = cs[sz(2 * j + 1)];
          for (int64_t q = 0; q < width; ++q) {
            double& rj = r[j + (l0 + q) * n1];
            const double t = rj;
            rj = c * t + s * w[q];
            w[q] = c * w[q] - s * t;
          }
        }
        for (int64_t q = 0; q < width; ++q) {
          const int64_t l = l0 + q;
          double* col = r + l * n1;
          for (int64_t j = l0; j < l; ++j) {
            const double c = cs[sz(2 * j)], s = cs[sz(2 * j + 1)], t = col[j];
            col[j] = c * t + s * w[q];
            w[q] = c * w[q] - s * t;
          }
          const double h = std::hypot(col[l], w[q]);
          cs[sz(2 * l)] = h > 0 ? col[l] / h : 1.0;
          cs[sz(2 * l + 1)] = h > 0 ? w[q] / h : 0.0;
          col[l] = h;
        }
      }
    }
  }
  kept_ += k;
}

bool DynamicLstsq::refresh_scores() {
  const int64_t n1 = n_ + 1;
  double top = 0;
  for (int64_t j = 0; j < n1; ++j) top = std::max(top, std::abs(r_[sz(j + j * n1)]));
  if (top == 0) return false;  // no rows yet: every row is kept
  // R with its diagonal floored at (n + 1) eps of its largest entry: a direction the rows
  // kept so far leave (numerically) empty gets a tiny diagonal, so a row reaching into it
  // (before n independent rows, a column never seen, a label off the current fit) scores
  // high; without the floor R would be singular there.
  const double floor = static_cast<double>(n1) * detail::kEps * top;
  rt_ = r_;
  for (int64_t j = 0; j < n1; ++j) {
    double& d = rt_[sz(j + j * n1)];
    if (std::abs(d) < floor) d = floor;
  }
  // A fresh G each time (its blocks follow the previous ones'): the estimates' errors are
  // independent from one refresh to the next.
  const core::PhiloxStream stream(core::rng_state_advance(st_.state, sketch::kSecondStream));
  core::rng_fill_gaussian(stream, refreshes_ * n1 * kScoreRows, n1 * kScoreRows, wt_.data(), 1);
  ++refreshes_;
  core::triangular_solve_many(false, n1, kScoreRows, rt_.data(), n1, wt_.data(), n1);
  kept_at_refresh_ = kept_;
  return true;
}

void DynamicLstsq::insert(core::DenseView<const double> a, const double* b) {
  const int64_t n = n_, m = a.rows;
  std::vector<double> block(sz((n + 1) * std::min(m, kChunk)));
  std::vector<double> z, u, keep;
  const core::PhiloxStream stream(st_.state);
  // Chunks end at multiples of kChunk in the whole sequence of rows, so that the sampled
  // mode's refreshes, and so its choices, do not depend on how the rows were batched.
  for (int64_t i0 = 0; i0 < m;) {
    const int64_t k = std::min(kChunk - rows_ % kChunk, m - i0);
    for (int64_t j = 0; j < n; ++j) {
      for (int64_t i = 0; i < k; ++i) block[sz(i + j * k)] = a(i0 + i, j);
    }
    for (int64_t i = 0; i < k; ++i) block[sz(i + n * k)] = b[i0 + i];
    i0 += k;
    if (!st_.sampled) {
      add_block(block.data(), k, k);
      rows_ += k;
      continue;
    }
    // At a chunk's start, refresh the sketch once the kept rows grew by a sixteenth since
    // the last refresh (a stale R only overestimates the scores: it holds fewer rows).
    if (rows_ % kChunk == 0 &&
        (!scores_ready_ || kept_ - kept_at_refresh_ > kept_at_refresh_ / 16)) {
      scores_ready_ = refresh_scores();
    }
    // u_i = ||W [a_i, b_i]||^2 / q for each row: Z (q x k) = W [A b]_chunk^T, the score of
    // the whole row against the whole factor (a label off the fit counts, as in the
    // objective).
    u.assign(sz(k), 0.0);
    if (scores_ready_) {
      z.resize(sz(kScoreRows * k));
      core::gemm(core::Layout::ColMajor, core::Op::Trans, core::Op::Trans, kScoreRows, k, n + 1,
                 1.0, wt_.data(), n + 1, block.data(), k, 0.0, z.data(), kScoreRows);
      for (int64_t i = 0; i < k; ++i) {
        double s = 0;
        for (int64_t q = 0; q < kScoreRows; ++q) {
          s += z[sz(q + i * kScoreRows)] * z[sz(q + i * kScoreRows)];
        }
        u[sz(i)] = s / kScoreRows;
      }
    }
    // Keep row i with probability p_i (uniform number rows_ + i of the stream: the choice
    // depends only on the row's position in the whole sequence and on its score).
    keep.resize(sz(k));
    core::rng_fill_uniform(stream, rows_, k, keep.data(), 1);
    int64_t kk = 0;
    for (int64_t i = 0; i < k; ++i) {
      const double p = scores_ready_
                           ? std::min(1.0, kOversample / st_.epsilon * u[sz(i)] / (1 + u[sz(i)]))
                           : 1.0;
      if (!(keep[sz(i)] < p)) continue;
      const double scale = 1 / std::sqrt(p);
      for (int64_t j = 0; j <= n; ++j) block[sz(kk + j * k)] = scale * block[sz(i + j * k)];
      ++kk;
    }
    // The kept rows, compacted to the top kk rows of the k-row block.
    if (kk > 0) add_block(block.data(), kk, k);
    rows_ += k;
  }
}

DynamicSolution DynamicLstsq::solve(double* x) const {
  const int64_t n = n_, ld = n + 1;
  DynamicSolution sol;
  const double corner = r_[sz(n + n * ld)];
  std::copy_n(r_.begin() + static_cast<long>(n * ld), n, x);  // r_b
  if (core::triangular_rcond(n, r_.data(), ld) >= detail::kSingularRcond) {
    core::triangular_solve(false, n, r_.data(), ld, x);
    sol.rank = n;
    sol.objective = corner * corner;
    return sol;
  }
  // Numerically singular R_A: the minimum-norm x of min ||R_A x - r_b|| (the same problem,
  // rotated), and what of r_b it leaves.
  std::vector<double> ra(sz(n * n), 0.0), rb(x, x + n), s(sz(n));
  for (int64_t j = 0; j < n; ++j) {
    for (int64_t i = 0; i <= j; ++i) ra[sz(i + j * n)] = r_[sz(i + j * ld)];
  }
  sol.rank = core::lstsq_svd(n, n, 1, ra.data(), n, rb.data(), n, s.data(), detail::kRankTolerance);
  std::copy_n(rb.begin(), n, x);
  sol.objective = std::pow(residual(x), 2);
  return sol;
}

double DynamicLstsq::residual(const double* x) const {
  const int64_t n = n_, ld = n + 1;
  // ||R [x; -1]||: row i of R times [x; -1].
  return detail::scaled_norm(n + 1, [&](int64_t i) {
    double s = i < n ? -r_[sz(i + n * ld)] : -r_[sz(n + n * ld)];
    for (int64_t j = i; j < n; ++j) s += r_[sz(i + j * ld)] * x[j];
    return s;
  });
}

}  // namespace quarry::lstsq
