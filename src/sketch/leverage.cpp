#include "sketch/leverage.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "core/blas.hpp"
#include "core/checked_int.hpp"
#include "core/error.hpp"
#include "core/philox.hpp"
#include "core/threads.hpp"
#include "sketch/sampling.hpp"
#include "sketch/sketch.hpp"

namespace quarry::sketch {

namespace {

constexpr double kEps = std::numeric_limits<double>::epsilon();

// A column-major copy of a with `extra` zero rows below it (m + extra) x n.
std::vector<double> column_major_copy(core::DenseView<const double> a, int64_t extra) {
  const int64_t rows = core::checked_add(a.rows, extra, "rows");
  std::vector<double> w(static_cast<size_t>(core::checked_mul(rows, a.cols, "copy of A")), 0.0);
  for (int64_t j = 0; j < a.cols; ++j) {
    for (int64_t i = 0; i < a.rows; ++i) w[static_cast<size_t>(i + j * rows)] = a(i, j);
  }
  return w;
}

// scores[i] = sum over columns j < r of q(i, j)^2 for the first `rows` rows of the
// column-major q (leading dimension ldq).
void squared_row_norms_of(int64_t threads, const double* q, int64_t ldq, int64_t rows, int64_t r,
                          double* scores) {
  row_norms_squared(threads, core::DenseView<const double>{core::Layout::ColMajor, rows, r, q, ldq},
                    scores);
}

// The number of singular values above max(rows, cols) eps sigma_max.
int64_t numerical_rank(const std::vector<double>& sigma, int64_t rows, int64_t cols) {
  if (sigma.empty() || sigma[0] == 0.0) return 0;
  const double tol = static_cast<double>(std::max(rows, cols)) * kEps * sigma[0];
  return std::count_if(sigma.begin(), sigma.end(), [&](double s) { return s > tol; });
}

int64_t exact_scores(int64_t threads, core::DenseView<const double> a, double ridge,
                     double* scores) {
  const int64_t m = a.rows;
  const int64_t n = a.cols;
  if (ridge > 0 || m >= n) {
    // QR of A, or of [A; sqrt(lambda) I] (always of full column rank).
    const int64_t extra = ridge > 0 ? n : 0;
    const int64_t rows = m + extra;
    std::vector<double> w = column_major_copy(a, extra);
    for (int64_t j = 0; j < extra; ++j) w[static_cast<size_t>(m + j + j * rows)] = std::sqrt(ridge);
    std::vector<double> tau(static_cast<size_t>(n));
    core::qr_factor(rows, n, w.data(), rows, tau.data());
    if (ridge > 0 || core::triangular_rcond(n, w.data(), rows) > static_cast<double>(rows) * kEps) {
      core::qr_form_q(rows, n, w.data(), rows, tau.data());
      squared_row_norms_of(threads, w.data(), rows, m, n, scores);
      return n;
    }
  }
  // Rank deficient (or wide): the left singular vectors of the nonzero singular values.
  std::vector<double> w = column_major_copy(a, 0);
  const int64_t k = std::min(m, n);
  std::vector<double> sigma(static_cast<size_t>(k));
  std::vector<double> u(static_cast<size_t>(core::checked_mul(m, k, "U")));
  std::vector<double> vt(static_cast<size_t>(core::checked_mul(k, n, "V^T")));
  core::svd_thin(m, n, w.data(), m, sigma.data(), u.data(), m, vt.data(), k);
  const int64_t r = numerical_rank(sigma, m, n);
  squared_row_norms_of(threads, u.data(), m, m, r, scores);
  return r;
}

int64_t approximate_scores(int64_t threads, core::DenseView<const double> a,
                           const LeverageSettings& settings, int64_t s, double* scores) {
  const int64_t m = a.rows;
  const int64_t n = a.cols;
  // B = S A (s x n), with sqrt(lambda) I below it for ridge scores.
  const int64_t extra = settings.ridge > 0 ? n : 0;
  const int64_t rows = s + extra;
  std::vector<double> b(static_cast<size_t>(core::checked_mul(rows, n, "sketch of A")), 0.0);
  const Sketch sketch(settings.sketch_kind, s, m, 0, settings.state, threads);
  sketch.apply(threads, a, core::DenseView<double>{core::Layout::ColMajor, s, n, b.data(), rows});
  for (int64_t j = 0; j < extra; ++j) {
    b[static_cast<size_t>(s + j + j * rows)] = std::sqrt(settings.ridge);
  }
  const int64_t k = std::min(rows, n);
  std::vector<double> sigma(static_cast<size_t>(k));
  std::vector<double> vt(static_cast<size_t>(k * n));
  core::svd_thin(rows, n, b.data(), rows, sigma.data(), nullptr, 1, vt.data(), k);  // no U
  const int64_t r = settings.ridge > 0 ? n : numerical_rank(sigma, rows, n);
  if (r == 0) {
    std::fill_n(scores, m, 0.0);
    return 0;
  }
  // M = Sigma_r^-1 G / sqrt(q) (r x q), then Omega = V_r M (n x q), then Y = A Omega. G
  // comes from the third stream of the state (the sketch uses the first two).
  const int64_t q = kJlColumns;
  std::vector<double> g(static_cast<size_t>(r * q));
  core::rng_fill_normal(core::PhiloxStream(core::rng_state_advance(settings.state, kThirdStream)),
                        0, r * q, g.data(), threads);
  for (int64_t c = 0; c < q; ++c) {
    for (int64_t i = 0; i < r; ++i) {
      g[static_cast<size_t>(i + c * r)] /= sigma[static_cast<size_t>(i)] * std::sqrt(double(q));
    }
  }
  std::vector<double> omega(static_cast<size_t>(n * q));
  core::gemm(core::Layout::ColMajor, core::Op::Trans, core::Op::NoTrans, n, q, r, 1.0, vt.data(), k,
             g.data(), r, 0.0, omega.data(), n);
  std::vector<double> y(static_cast<size_t>(core::checked_mul(m, q, "A Omega")));
  const core::Op op_a = a.layout == core::Layout::ColMajor ? core::Op::NoTrans : core::Op::Trans;
  core::gemm(core::Layout::ColMajor, op_a, core::Op::NoTrans, m, q, n, 1.0, a.data, a.ld,
             omega.data(), n, 0.0, y.data(), m);
  squared_row_norms_of(threads, y.data(), m, m, q, scores);
  if (settings.ridge == 0) {
    // The sketch's distortion biases every score by about the same factor (for a Gaussian
    // sketch E[(S U)^T (S U)]^-1 = s / (s - n - 1) I): scale the scores to sum to the rank,
    // as exact scores do.
    double total = 0;
    for (int64_t i = 0; i < m; ++i) total += scores[i];
    if (total > 0) {
      const double f = static_cast<double>(r) / total;
      for (int64_t i = 0; i < m; ++i) scores[i] *= f;
    }
  }
  return r;
}

}  // namespace

int64_t leverage_scores(int64_t threads, core::DenseView<const double> a,
                        const LeverageSettings& settings, double* scores) {
  core::require(std::isfinite(settings.ridge) && settings.ridge >= 0, QUARRY_ERR_INVALID_ARGUMENT,
                "QUARRY_OPT_RIDGE = {} must be finite and >= 0", settings.ridge);
  if (a.empty()) {
    std::fill_n(scores, a.rows, 0.0);
    return 0;
  }
  if (settings.approximate) {
    const int64_t s = settings.sketch_rows > 0
                          ? settings.sketch_rows
                          : std::min(core::checked_mul(20, a.cols, "20 n"), a.rows);
    if (s < a.rows) return approximate_scores(threads, a, settings, s, scores);
  }
  return exact_scores(threads, a, settings.ridge, scores);
}

void row_norms_squared(int64_t threads, core::DenseView<const double> a, double* out) {
  core::parallel_for(threads, a.rows, 4096, [&](int64_t i0, int64_t i1) {
    std::fill(out + i0, out + i1, 0.0);
    if (a.layout == core::Layout::ColMajor) {
      for (int64_t j = 0; j < a.cols; ++j) {
        const double* col = a.data + j * a.ld;
        for (int64_t i = i0; i < i1; ++i) out[i] += col[i] * col[i];
      }
    } else {
      for (int64_t i = i0; i < i1; ++i) {
        const double* row = a.data + i * a.ld;
        double sum = 0;
        for (int64_t j = 0; j < a.cols; ++j) sum += row[j] * row[j];
        out[i] = sum;
      }
    }
  });
}

}  // namespace quarry::sketch
