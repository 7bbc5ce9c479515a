// Huber regression (quarry/regress.h): the optimality conditions of both objectives,
// agreement with least squares when nothing is an outlier, robustness to gross outliers,
// scale and layout invariance, the iteration limit, and bad input.
#include <quarry.h>

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "c_handles.hpp"

namespace {

using quarry_test::make_context;
using quarry_test::make_options;
using quarry_test::ReportPtr;

// A row-major m x n Gaussian A and b = A x_true + noise, with a fraction of gross
// outliers (+-50) in b.
struct Problem {
  int64_t m, n;
  std::vector<double> a, b, x_true;
};

Problem problem(int64_t m, int64_t n, double outliers, unsigned seed) {
  std::mt19937_64 gen(seed);
  std::normal_distribution<double> z;
  std::uniform_real_distribution<double> u;
  Problem p{m, n, std::vector<double>(static_cast<size_t>(m * n)), std::vector<double>(m),
            std::vector<double>(n)};
  for (double& v : p.a) v = z(gen);
  for (double& v : p.x_true) v = z(gen);
  for (int64_t i = 0; i < m; ++i) {
    double s = 0;
    for (int64_t j = 0; j < n; ++j) s += p.a[i * n + j] * p.x_true[j];
    p.b[i] = s + 0.1 * z(gen) + (u(gen) < outliers ? (u(gen) < 0.5 ? -50 : 50) : 0);
  }
  return p;
}

struct Fit {
  quarry_status status;
  std::vector<double> x;
  double scale = -1;
  double objective = 0;
  int64_t iterations = 0, outliers = 0;
};

Fit huber(const Problem& p, double epsilon, double fixed_scale = 0, double ridge = 0,
          int32_t layout = QUARRY_ROW_MAJOR, int64_t max_iterations = 0) {
  auto ctx = make_context();
  auto opts = make_options();
  if (fixed_scale > 0) quarry_options_set_f64(opts.get(), QUARRY_OPT_HUBER_SCALE, fixed_scale);
  if (ridge > 0) quarry_options_set_f64(opts.get(), QUARRY_OPT_RIDGE, ridge);
  if (max_iterations > 0) {
    quarry_options_set_i64(opts.get(), QUARRY_OPT_MAX_ITERATIONS, max_iterations);
  }
  std::vector<double> a = p.a;
  int64_t lda = p.n;
  if (layout == QUARRY_COL_MAJOR) {
    lda = p.m;
    for (int64_t i = 0; i < p.m; ++i) {
      for (int64_t j = 0; j < p.n; ++j) a[j * p.m + i] = p.a[i * p.n + j];
    }
  }
  Fit f;
  f.x.assign(static_cast<size_t>(p.n), 0.0);
  quarry_report* raw = nullptr;
  f.status = quarry_huber_f64(ctx.get(), layout, p.m, p.n, a.data(), lda, p.b.data(), epsilon,
                              f.x.data(), &f.scale, opts.get(), &raw);
  ReportPtr report(raw);
  if (raw != nullptr) {
    quarry_report_get_f64(raw, QUARRY_REPORT_OBJECTIVE, &f.objective);
    quarry_report_get_i64(raw, QUARRY_REPORT_ITERATIONS, &f.iterations);
    quarry_report_get_i64(raw, QUARRY_REPORT_OUTLIERS, &f.outliers);
  }
  return f;
}

// The residuals b - A x.
std::vector<double> residuals(const Problem& p, const std::vector<double>& x) {
  std::vector<double> r(p.b);
  for (int64_t i = 0; i < p.m; ++i) {
    for (int64_t j = 0; j < p.n; ++j) r[i] -= p.a[i * p.n + j] * x[j];
  }
  return r;
}

// The gradient in x of the objective at x, relative to the size of its terms:
// A^T psi(r) = c lambda x, psi the residuals clipped to +-t (c = sigma for the concomitant
// objective, whose gradient is (2 / sigma) (-A^T psi) + 2 lambda x; 2 for the fixed one).
double gradient_x(const Problem& p, const std::vector<double>& x, double t, double c,
                  double ridge) {
  const std::vector<double> r = residuals(p, x);
  double worst = 0, scale = 0;
  for (int64_t j = 0; j < p.n; ++j) {
    double g = -c * ridge * x[j], size = c * ridge * std::abs(x[j]);
    for (int64_t i = 0; i < p.m; ++i) {
      const double psi = std::clamp(r[i], -t, t) * p.a[i * p.n + j];
      g += psi;
      size += std::abs(psi);
    }
    worst = std::max(worst, std::abs(g));
    scale = std::max(scale, size);
  }
  return worst / scale;
}

TEST(Huber, FixedScaleSolutionsMeetTheOptimalityConditions) {
  const Problem p = problem(3000, 8, 0.1, 1);
  for (double ridge : {0.0, 5.0}) {
    const Fit f = huber(p, 1.5, 0.2, ridge);
    ASSERT_EQ(f.status, QUARRY_OK);
    EXPECT_EQ(f.scale, 0.2);
    EXPECT_LT(gradient_x(p, f.x, 1.5 * 0.2, 2, ridge), 1e-8) << "ridge " << ridge;
    EXPECT_GT(f.outliers, 200);  // the 10% gross outliers at least
  }
}

TEST(Huber, ConcomitantScaleSolutionsMeetTheOptimalityConditions) {
  const Problem p = problem(3000, 8, 0.05, 2);
  const double eps = 1.35;
  const Fit f = huber(p, eps);
  ASSERT_EQ(f.status, QUARRY_OK);
  const double sigma = f.scale;
  EXPECT_LT(gradient_x(p, f.x, eps * sigma, sigma, 0), 1e-8);
  // d/dsigma: m - sum_inside r^2 / sigma^2 - eps^2 n_outside = 0.
  const std::vector<double> r = residuals(p, f.x);
  double inside = 0, outside = 0;
  for (double ri : r) (std::abs(ri) <= eps* sigma ? inside += ri* ri : outside += 1);
  EXPECT_NEAR(static_cast<double>(p.m) - inside / (sigma * sigma) - eps * eps * outside, 0,
              1e-8 * static_cast<double>(p.m));
  // The objective reported is the one at the solution.
  double f_direct = static_cast<double>(p.m) * sigma;
  for (double ri : r) {
    f_direct +=
        std::abs(ri) <= eps * sigma ? ri * ri / sigma : 2 * eps * std::abs(ri) - eps * eps * sigma;
  }
  EXPECT_NEAR(f.objective, f_direct, 1e-12 * f_direct);
  // Of the order of the noise (0.1; Huber's sigma is a smaller multiple of it), not of the
  // +-50 outliers.
  EXPECT_GT(sigma, 0.05);
  EXPECT_LT(sigma, 0.1);
  // The default tolerance leaves the objective within 1e-12 of the tightest solve's.
  auto ctx = make_context();
  auto opts = make_options();
  quarry_options_set_f64(opts.get(), QUARRY_OPT_TOLERANCE, 0.0);
  std::vector<double> x(static_cast<size_t>(p.n));
  quarry_report* raw = nullptr;
  ASSERT_EQ(quarry_huber_f64(ctx.get(), QUARRY_ROW_MAJOR, p.m, p.n, p.a.data(), p.n, p.b.data(),
                             eps, x.data(), nullptr, opts.get(), &raw),
            QUARRY_OK);
  ReportPtr tight(raw);
  double best = 0;
  quarry_report_get_f64(raw, QUARRY_REPORT_OBJECTIVE, &best);
  EXPECT_LE(f.objective - best, 1e-12 * best);
  EXPECT_LE(best, f.objective * (1 + 1e-15));
}

TEST(Huber, ResistsGrossOutliersWhereLeastSquaresDoesNot) {
  const Problem p = problem(4000, 10, 0.1, 3);
  const Fit f = huber(p, 1.35);
  ASSERT_EQ(f.status, QUARRY_OK);
  const Fit ls = huber(p, 1e6, 1.0);  // a threshold nothing reaches: least squares
  double err = 0, err_ls = 0;
  for (int64_t j = 0; j < p.n; ++j) {
    err = std::max(err, std::abs(f.x[j] - p.x_true[j]));
    err_ls = std::max(err_ls, std::abs(ls.x[j] - p.x_true[j]));
  }
  EXPECT_LT(err, 0.01);
  EXPECT_GT(err_ls, 5 * err);
  EXPECT_EQ(ls.outliers, 0);
  EXPECT_LE(ls.iterations, 1);  // least squares is the starting point
}

TEST(Huber, IsEquivariantInScaleAndInvariantInLayout) {
  Problem p = problem(2000, 6, 0.05, 4);
  const Fit f = huber(p, 1.35);
  const Fit col = huber(p, 1.35, 0, 0, QUARRY_COL_MAJOR);
  ASSERT_EQ(col.status, QUARRY_OK);
  for (int64_t j = 0; j < p.n; ++j) EXPECT_NEAR(col.x[j], f.x[j], 1e-10);
  // Any finite scale of b, far beyond where squares of residuals would overflow or
  // underflow, gives the same fit, scaled.
  for (double k : {1e3, 1e-150, 1e150, 1e300}) {
    Problem q = p;
    for (double& v : q.b) v *= k;
    const Fit big = huber(q, 1.35);
    ASSERT_EQ(big.status, QUARRY_OK) << k;
    EXPECT_NEAR(big.scale / k, f.scale, 1e-12 * f.scale) << k;
    EXPECT_NEAR(big.objective / k, f.objective, 1e-12 * f.objective) << k;
    for (int64_t j = 0; j < p.n; ++j) EXPECT_NEAR(big.x[j] / k, f.x[j], 1e-12) << k;
  }
}

TEST(Huber, FixedScalesFarBelowAndAboveTheResidualsAreSolved) {
  // Below: no residual is inside at the least-squares start (the Hessian is 0 there).
  const Problem p = problem(500, 4, 0, 8);
  for (double scale : {1e-3, 3e-3, 1e-2}) {
    const Fit f = huber(p, 1.35, scale);
    ASSERT_EQ(f.status, QUARRY_OK) << scale;
    EXPECT_LT(gradient_x(p, f.x, 1.35 * scale, 2, 0), 1e-12) << scale;
  }
  // Above: a threshold of 1e160 leaves least squares, and a finite objective.
  const Fit ls = huber(p, 1.35, 1e160);
  ASSERT_EQ(ls.status, QUARRY_OK);
  EXPECT_EQ(ls.outliers, 0);
  const std::vector<double> r = residuals(p, ls.x);
  double half = 0;
  for (double ri : r) half += ri * ri / 2;
  EXPECT_NEAR(ls.objective, half, 1e-12 * half);
}

TEST(Huber, WideAndRankDeficientProblemsAreSolved) {
  // m < n with ridge (strictly convex), and a repeated column without (the Newton matrix
  // is singular: shifted), both layouts; the fixed-scale optimality condition holds.
  const Problem wide = problem(20, 30, 0.1, 9);
  const Fit w = huber(wide, 1.35, 1.0, 0.5, QUARRY_COL_MAJOR);
  ASSERT_EQ(w.status, QUARRY_OK);
  EXPECT_LT(gradient_x(wide, w.x, 1.35, 2, 0.5), 1e-10);
  Problem twin = problem(400, 4, 0.1, 10);
  for (int64_t i = 0; i < twin.m; ++i) twin.a[i * 4 + 3] = twin.a[i * 4 + 2];
  const Fit t = huber(twin, 1.35, 0.5);
  ASSERT_EQ(t.status, QUARRY_OK);
  EXPECT_LT(gradient_x(twin, t.x, 1.35 * 0.5, 2, 0), 1e-10);
}

TEST(Huber, TheIterationLimitReturnsTheLastIterate) {
  const Problem p = problem(2000, 6, 0.2, 5);
  const Fit f = huber(p, 1.35, 0, 0, QUARRY_ROW_MAJOR, 1);
  EXPECT_EQ(f.status, QUARRY_ERR_NO_CONVERGENCE);
  EXPECT_EQ(f.iterations, 1);
  EXPECT_GT(f.scale, 0);
  EXPECT_GT(f.objective, huber(p, 1.35).objective);
}

TEST(Huber, AnExactFitHasAScaleAtRoundingLevel) {
  Problem p = problem(100, 3, 0, 6);
  for (int64_t i = 0; i < p.m; ++i) {
    p.b[i] = 0;
    for (int64_t j = 0; j < p.n; ++j) p.b[i] += p.a[i * p.n + j] * p.x_true[j];
  }
  const Fit f = huber(p, 1.35);
  ASSERT_EQ(f.status, QUARRY_OK);
  for (int64_t j = 0; j < p.n; ++j) EXPECT_NEAR(f.x[j], p.x_true[j], 1e-12);
  EXPECT_LT(f.scale, 1e-12);
}

TEST(Huber, RefusesBadInput) {
  auto ctx = make_context();
  const Problem p = problem(50, 3, 0, 7);
  std::vector<double> x(3);
  double scale = 0;
  auto call = [&](int32_t layout, int64_t m, int64_t n, const double* a, int64_t lda,
                  const double* b, double eps, double* xo, const quarry_options* o = nullptr) {
    return quarry_huber_f64(ctx.get(), layout, m, n, a, lda, b, eps, xo, &scale, o, nullptr);
  };
  const double* a = p.a.data();
  const double* b = p.b.data();
  EXPECT_EQ(quarry_huber_f64(nullptr, QUARRY_ROW_MAJOR, 50, 3, a, 3, b, 1.35, x.data(), nullptr,
                             nullptr, nullptr),
            QUARRY_ERR_NULL_POINTER);
  EXPECT_EQ(call(QUARRY_ROW_MAJOR, 50, 3, nullptr, 3, b, 1.35, x.data()), QUARRY_ERR_NULL_POINTER);
  EXPECT_EQ(call(QUARRY_ROW_MAJOR, 50, 3, a, 3, nullptr, 1.35, x.data()), QUARRY_ERR_NULL_POINTER);
  EXPECT_EQ(call(QUARRY_ROW_MAJOR, 50, 3, a, 3, b, 1.35, nullptr), QUARRY_ERR_NULL_POINTER);
  EXPECT_EQ(call(QUARRY_ROW_MAJOR, 0, 3, a, 3, b, 1.35, x.data()), QUARRY_ERR_BAD_DIMENSION);
  EXPECT_EQ(call(QUARRY_ROW_MAJOR, 50, 3, a, 2, b, 1.35, x.data()), QUARRY_ERR_BAD_LEADING_DIM);
  EXPECT_EQ(call(7, 50, 3, a, 3, b, 1.35, x.data()), QUARRY_ERR_BAD_LAYOUT);
  EXPECT_EQ(call(QUARRY_ROW_MAJOR, 50, 3, a, 3, b, 0.9, x.data()), QUARRY_ERR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(quarry_context_last_error(ctx.get())).find("epsilon = 0.9"),
            std::string::npos);
  EXPECT_EQ(call(QUARRY_ROW_MAJOR, 50, 3, a, 3, b, NAN, x.data()), QUARRY_ERR_INVALID_ARGUMENT);
  auto fixed = make_options();
  quarry_options_set_f64(fixed.get(), QUARRY_OPT_HUBER_SCALE, 2.0);
  EXPECT_EQ(call(QUARRY_ROW_MAJOR, 50, 3, a, 3, b, 0.5, x.data(), fixed.get()), QUARRY_OK);
  EXPECT_EQ(call(QUARRY_ROW_MAJOR, 50, 3, a, 3, b, 0, x.data(), fixed.get()),
            QUARRY_ERR_INVALID_ARGUMENT);
  std::vector<double> bad = p.a;
  bad[7] = NAN;
  EXPECT_EQ(call(QUARRY_ROW_MAJOR, 50, 3, bad.data(), 3, b, 1.35, x.data()), QUARRY_ERR_NONFINITE);
  std::vector<double> bad_b = p.b;
  bad_b[3] = INFINITY;
  EXPECT_EQ(call(QUARRY_ROW_MAJOR, 50, 3, a, 3, bad_b.data(), 1.35, x.data()),
            QUARRY_ERR_NONFINITE);
  auto neg = make_options();
  EXPECT_EQ(quarry_options_set_f64(neg.get(), QUARRY_OPT_HUBER_SCALE, -1.0),
            QUARRY_ERR_INVALID_ARGUMENT);
}

}  // namespace
