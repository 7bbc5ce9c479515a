// Robust regression (quarry/regress.h). Huber: the optimality conditions of both
// objectives, agreement with least squares when nothing is an outlier, robustness to gross
// outliers, scale and layout invariance, the iteration limit, and bad input. l_p: exact l_1
// optima (every vertex enumerated), the optimality conditions for p > 1, least squares at
// p = 2, the reported duality gap against the true distance to the minimum, both
// preconditioners and layouts, scaling, exact fits, the iteration limit, and bad input.
#include <quarry.h>

#include <gtest/gtest.h>

#include <algorithm>
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

// ---- l_p regression ----

struct LpFit {
  quarry_status status;
  std::vector<double> x;
  double objective = -1, gap = -1;
  int64_t iterations = 0, method = 0;
  std::string message;
};

struct LpCall {
  int32_t layout = QUARRY_ROW_MAJOR;
  int32_t method = QUARRY_LSTSQ_AUTO;
  double tolerance = -1;  // < 0: the default
  int64_t max_iterations = 0;
};

LpFit lp(const Problem& p, double power, const LpCall& c = {}) {
  auto ctx = make_context();
  auto opts = make_options();
  quarry_options_set_i64(opts.get(), QUARRY_OPT_LSTSQ_METHOD, c.method);
  if (c.tolerance >= 0) quarry_options_set_f64(opts.get(), QUARRY_OPT_TOLERANCE, c.tolerance);
  if (c.max_iterations > 0) {
    quarry_options_set_i64(opts.get(), QUARRY_OPT_MAX_ITERATIONS, c.max_iterations);
  }
  std::vector<double> a = p.a;
  int64_t lda = p.n;
  if (c.layout == QUARRY_COL_MAJOR) {
    lda = p.m;
    for (int64_t i = 0; i < p.m; ++i) {
      for (int64_t j = 0; j < p.n; ++j) a[j * p.m + i] = p.a[i * p.n + j];
    }
  }
  LpFit f;
  f.x.assign(static_cast<size_t>(p.n), 0.0);
  quarry_report* raw = nullptr;
  f.status = quarry_lp_regression_f64(ctx.get(), c.layout, p.m, p.n, a.data(), lda, p.b.data(),
                                      power, f.x.data(), opts.get(), &raw);
  f.message = quarry_context_last_error(ctx.get());
  ReportPtr report(raw);
  if (raw != nullptr) {
    quarry_report_get_f64(raw, QUARRY_REPORT_OBJECTIVE, &f.objective);
    quarry_report_get_f64(raw, QUARRY_REPORT_DUAL_GAP, &f.gap);
    quarry_report_get_i64(raw, QUARRY_REPORT_ITERATIONS, &f.iterations);
    quarry_report_get_i64(raw, QUARRY_REPORT_METHOD, &f.method);
  }
  return f;
}

double lp_objective(const Problem& p, const std::vector<double>& x, double power) {
  double s = 0;
  for (const double r : residuals(p, x)) s += std::pow(std::abs(r), power);
  return s;
}

// The l_1 optimum by brute force: some optimal x fits n rows exactly, so the best of all
// the n-row interpolants (Cramer's rule, n = 2) is the minimum.
double l1_minimum(const Problem& p) {
  double best = INFINITY;
  for (int64_t i = 0; i < p.m; ++i) {
    for (int64_t k = i + 1; k < p.m; ++k) {
      const double* u = &p.a[i * 2];
      const double* v = &p.a[k * 2];
      const double det = u[0] * v[1] - u[1] * v[0];
      if (std::abs(det) < 1e-12) continue;
      const std::vector<double> x{(p.b[i] * v[1] - u[1] * p.b[k]) / det,
                                  (u[0] * p.b[k] - p.b[i] * v[0]) / det};
      best = std::min(best, lp_objective(p, x, 1));
    }
  }
  return best;
}

TEST(Lp, LeastAbsoluteDeviationsReachTheExactOptimum) {
  for (unsigned seed : {11u, 12u, 13u}) {
    const Problem p = problem(120, 2, 0.2, seed);
    const double best = l1_minimum(p);
    for (int32_t method : {QUARRY_LSTSQ_GRAM_PRECONDITION, QUARRY_LSTSQ_SKETCH_PRECONDITION}) {
      const LpFit f = lp(p, 1, {QUARRY_ROW_MAJOR, method});
      ASSERT_EQ(f.status, QUARRY_OK) << f.message;
      EXPECT_NEAR(lp_objective(p, f.x, 1), best, 1e-12 * best) << "seed " << seed;
      EXPECT_NEAR(f.objective, best, 1e-12 * best);
      EXPECT_LE(f.gap, 1e-10);
      EXPECT_EQ(f.method, method);
    }
  }
}

// |A^T (sign(r) |r|^(p - 1))|, relative to the sum of its terms' sizes: 0 at the minimum.
double lp_gradient(const Problem& p, const std::vector<double>& x, double power) {
  const std::vector<double> r = residuals(p, x);
  double worst = 0;
  for (int64_t j = 0; j < p.n; ++j) {
    double g = 0, size = 0;
    for (int64_t i = 0; i < p.m; ++i) {
      const double t = std::copysign(std::pow(std::abs(r[i]), power - 1), r[i]) * p.a[i * p.n + j];
      g += t;
      size += std::abs(t);
    }
    worst = std::max(worst, std::abs(g) / size);
  }
  return worst;
}

TEST(Lp, SolutionsMeetTheOptimalityConditionsAndTheGapBoundsTheExcess) {
  const Problem p = problem(3000, 12, 0.05, 14);
  for (double power : {1.0, 1.2, 1.5, 2.5, 3.0, 6.0}) {
    const LpFit tight = lp(p, power, {QUARRY_ROW_MAJOR, QUARRY_LSTSQ_AUTO, 0.0});
    ASSERT_EQ(tight.status, QUARRY_OK) << tight.message;
    for (int32_t method : {QUARRY_LSTSQ_GRAM_PRECONDITION, QUARRY_LSTSQ_SKETCH_PRECONDITION}) {
      const LpFit f = lp(p, power, {QUARRY_ROW_MAJOR, method});
      ASSERT_EQ(f.status, QUARRY_OK) << "p " << power << ": " << f.message;
      const double fx = lp_objective(p, f.x, power);
      EXPECT_NEAR(f.objective, fx, 1e-12 * fx);
      EXPECT_LE(f.gap, 1e-10);
      // The gap bounds the excess over the tightest objective found (its own gap aside).
      const double excess = (fx - tight.objective) / fx;
      EXPECT_LE(excess, f.gap + tight.gap + 1e-14) << "p " << power;
      EXPECT_LT(excess, 1e-10) << "p " << power;  // the 1e-8, with room
    }
    // The gradient vanishes at the minimum for p > 1 (checked on the tightest solve: a
    // relative objective error e leaves a gradient of about sqrt(e), and below p = 2 the
    // curvature near small residuals leaves more).
    if (power >= 2) {
      EXPECT_LT(lp_gradient(p, tight.x, power), 1e-6) << "p " << power;
    }
  }
}

TEST(Lp, TwoIsLeastSquares) {
  const Problem p = problem(1000, 7, 0.1, 15);
  const LpFit f = lp(p, 2);
  ASSERT_EQ(f.status, QUARRY_OK);
  auto ctx = make_context();
  std::vector<double> a = p.a, b = p.b, x(7);
  ASSERT_EQ(quarry_lstsq_f64(ctx.get(), QUARRY_ROW_MAJOR, 1000, 7, 1, a.data(), 7, b.data(), 1,
                             x.data(), 1, nullptr, nullptr),
            QUARRY_OK);
  for (int j = 0; j < 7; ++j) EXPECT_NEAR(f.x[j], x[j], 1e-10 * (1 + std::abs(x[j])));
  EXPECT_LE(f.iterations, 3);
}

TEST(Lp, ResistsGrossOutliersAtPOne) {
  const Problem p = problem(4000, 10, 0.2, 16);
  const LpFit f = lp(p, 1);
  const LpFit ls = lp(p, 2);
  ASSERT_EQ(f.status, QUARRY_OK);
  double err = 0, err_ls = 0;
  for (int64_t j = 0; j < p.n; ++j) {
    err = std::max(err, std::abs(f.x[j] - p.x_true[j]));
    err_ls = std::max(err_ls, std::abs(ls.x[j] - p.x_true[j]));
  }
  EXPECT_LT(err, 0.02);
  EXPECT_GT(err_ls, 5 * err);
}

TEST(Lp, IsEquivariantInScaleAndInvariantInLayout) {
  Problem p = problem(1500, 5, 0.05, 17);
  for (double power : {1.0, 1.5, 4.0}) {
    const LpFit base = lp(p, power);
    ASSERT_EQ(base.status, QUARRY_OK);
    const LpFit col = lp(p, power, {QUARRY_COL_MAJOR});
    ASSERT_EQ(col.status, QUARRY_OK);
    for (int64_t j = 0; j < p.n; ++j) EXPECT_NEAR(col.x[j], base.x[j], 1e-6);
    EXPECT_NEAR(col.objective, base.objective, 1e-10 * base.objective);
    for (double c : {1e-200, 1e200}) {
      Problem q = p;
      for (double& v : q.b) v *= c;
      const LpFit f = lp(q, power);
      ASSERT_EQ(f.status, QUARRY_OK) << "scale " << c << ", p " << power;
      for (int64_t j = 0; j < p.n; ++j) EXPECT_NEAR(f.x[j] / c, base.x[j], 1e-6);
    }
  }
}

TEST(Lp, AnExactFitIsFound) {
  Problem p = problem(200, 4, 0, 18);
  for (int64_t i = 0; i < p.m; ++i) {
    p.b[i] = 0;
    for (int64_t j = 0; j < p.n; ++j) p.b[i] += p.a[i * p.n + j] * p.x_true[j];
  }
  for (double power : {1.0, 1.5, 3.0}) {
    const LpFit f = lp(p, power);
    ASSERT_EQ(f.status, QUARRY_OK) << "p " << power << ": " << f.message;
    for (int64_t j = 0; j < p.n; ++j) EXPECT_NEAR(f.x[j], p.x_true[j], 1e-8) << "p " << power;
  }
  Problem zero = p;
  std::fill(zero.b.begin(), zero.b.end(), 0.0);
  const LpFit f = lp(zero, 1.5);
  ASSERT_EQ(f.status, QUARRY_OK);
  EXPECT_EQ(f.objective, 0);
  EXPECT_EQ(f.gap, 0);
  for (const double v : f.x) EXPECT_EQ(v, 0);
}

TEST(Lp, SquareSystemsAreSolvedExactly) {
  // m = n: the minimum is an exact fit, where the Newton step leaves a dual point that is
  // rounding noise (an early version certified x = 0 for A = [2], b = [1] with it).
  Problem one{1, 1, {2.0}, {1.0}, {0.5}};
  Problem square = problem(6, 6, 0, 30);
  for (int64_t i = 0; i < 6; ++i) {
    square.b[i] = 0;
    for (int64_t j = 0; j < 6; ++j) square.b[i] += square.a[i * 6 + j] * square.x_true[j];
  }
  for (double power : {1.0, 1.5, 2.0, 3.0, 8.0}) {
    for (const Problem* q : {&one, &square}) {
      const LpFit f = lp(*q, power);
      ASSERT_EQ(f.status, QUARRY_OK) << "p " << power << ": " << f.message;
      for (int64_t j = 0; j < q->n; ++j) {
        EXPECT_NEAR(f.x[j], q->x_true[j], 1e-10 * (1 + std::abs(q->x_true[j]))) << "p " << power;
      }
      EXPECT_EQ(f.gap, 0);
    }
  }
}

TEST(Lp, LargeExponentsApproachTheMinimaxFit) {
  const Problem p = problem(1500, 5, 0, 31);
  double minimax_bound = INFINITY;  // max |r| of the p = 100 fit, against the p = 20 one's
  for (double power : {20.0, 100.0}) {
    const LpFit f = lp(p, power);
    ASSERT_EQ(f.status, QUARRY_OK) << "p " << power << ": " << f.message;
    EXPECT_LE(f.gap, 1e-10);
    double worst = 0;
    for (const double r : residuals(p, f.x)) worst = std::max(worst, std::abs(r));
    if (power == 100) {
      EXPECT_LE(worst, minimax_bound);  // larger p: a smaller largest residual
    }
    minimax_bound = worst;
  }
}

TEST(Lp, TheIterationLimitReturnsTheLastIterate) {
  const Problem p = problem(500, 4, 0.1, 19);
  const LpFit f = lp(p, 1, {QUARRY_ROW_MAJOR, QUARRY_LSTSQ_AUTO, -1, 3});
  EXPECT_EQ(f.status, QUARRY_ERR_NO_CONVERGENCE);
  EXPECT_EQ(f.iterations, 3);
  EXPECT_GT(f.gap, 1e-10);
  EXPECT_NEAR(f.objective, lp_objective(p, f.x, 1), 1e-12 * f.objective);
  EXPECT_NE(f.message.find("QUARRY_OPT_MAX_ITERATIONS"), std::string::npos);
}

TEST(Lp, RefusesBadInput) {
  auto ctx = make_context();
  const Problem p = problem(50, 3, 0, 20);
  std::vector<double> x(3);
  auto call = [&](int32_t layout, int64_t m, int64_t n, const double* a, int64_t lda,
                  const double* b, double power, double* xo, const quarry_options* o = nullptr) {
    return quarry_lp_regression_f64(ctx.get(), layout, m, n, a, lda, b, power, xo, o, nullptr);
  };
  const double* a = p.a.data();
  const double* b = p.b.data();
  quarry_report* report = reinterpret_cast<quarry_report*>(&x);  // must be reset to NULL
  EXPECT_EQ(quarry_lp_regression_f64(nullptr, QUARRY_ROW_MAJOR, 50, 3, a, 3, b, 1, x.data(),
                                     nullptr, &report),
            QUARRY_ERR_NULL_POINTER);
  EXPECT_EQ(report, nullptr);
  EXPECT_EQ(call(QUARRY_ROW_MAJOR, 50, 3, nullptr, 3, b, 1, x.data()), QUARRY_ERR_NULL_POINTER);
  EXPECT_EQ(call(QUARRY_ROW_MAJOR, 50, 3, a, 3, nullptr, 1, x.data()), QUARRY_ERR_NULL_POINTER);
  EXPECT_EQ(call(QUARRY_ROW_MAJOR, 50, 3, a, 3, b, 1, nullptr), QUARRY_ERR_NULL_POINTER);
  EXPECT_EQ(call(QUARRY_ROW_MAJOR, 50, 0, a, 3, b, 1, x.data()), QUARRY_ERR_BAD_DIMENSION);
  EXPECT_EQ(call(QUARRY_ROW_MAJOR, 2, 3, a, 3, b, 1, x.data()), QUARRY_ERR_BAD_DIMENSION);
  EXPECT_NE(std::string(quarry_context_last_error(ctx.get())).find("m >= n"), std::string::npos);
  EXPECT_EQ(call(QUARRY_ROW_MAJOR, 50, 3, a, 2, b, 1, x.data()), QUARRY_ERR_BAD_LEADING_DIM);
  EXPECT_EQ(call(7, 50, 3, a, 3, b, 1, x.data()), QUARRY_ERR_BAD_LAYOUT);
  for (double power : {0.5, 0.0, -1.0, 101.0, double(NAN), double(INFINITY)}) {
    EXPECT_EQ(call(QUARRY_ROW_MAJOR, 50, 3, a, 3, b, power, x.data()), QUARRY_ERR_INVALID_ARGUMENT)
        << power;
  }
  EXPECT_NE(std::string(quarry_context_last_error(ctx.get())).find("p = inf"), std::string::npos);
  auto ridge = make_options();
  quarry_options_set_f64(ridge.get(), QUARRY_OPT_RIDGE, 1.0);
  EXPECT_EQ(call(QUARRY_ROW_MAJOR, 50, 3, a, 3, b, 1, x.data(), ridge.get()),
            QUARRY_ERR_INVALID_ARGUMENT);
  std::vector<double> bad = p.a;
  bad[7] = NAN;
  EXPECT_EQ(call(QUARRY_ROW_MAJOR, 50, 3, bad.data(), 3, b, 1, x.data()), QUARRY_ERR_NONFINITE);
  std::vector<double> bad_b = p.b;
  bad_b[3] = -INFINITY;
  EXPECT_EQ(call(QUARRY_ROW_MAJOR, 50, 3, a, 3, bad_b.data(), 1, x.data()), QUARRY_ERR_NONFINITE);
  auto direct = make_options();
  quarry_options_set_i64(direct.get(), QUARRY_OPT_LSTSQ_METHOD, QUARRY_LSTSQ_DIRECT);
  EXPECT_EQ(call(QUARRY_ROW_MAJOR, 50, 3, a, 3, b, 1, x.data(), direct.get()),
            QUARRY_ERR_INVALID_ARGUMENT);
  EXPECT_NE(
      std::string(quarry_context_last_error(ctx.get())).find("QUARRY_LSTSQ_GRAM_PRECONDITION"),
      std::string::npos);
  for (int64_t kind : {QUARRY_SKETCH_SRHT, QUARRY_SKETCH_UNIFORM_ROWS}) {
    auto o = make_options();
    quarry_options_set_i64(o.get(), QUARRY_OPT_SKETCH_KIND, kind);
    EXPECT_EQ(call(QUARRY_ROW_MAJOR, 50, 3, a, 3, b, 1, x.data(), o.get()),
              QUARRY_ERR_INVALID_ARGUMENT)
        << kind;
  }
  for (int64_t rows : {2, 51}) {
    auto o = make_options();
    quarry_options_set_i64(o.get(), QUARRY_OPT_SKETCH_ROWS, rows);
    EXPECT_EQ(call(QUARRY_ROW_MAJOR, 50, 3, a, 3, b, 1, x.data(), o.get()),
              QUARRY_ERR_INVALID_ARGUMENT)
        << rows;
  }
}

// ---- Lewis weights and active regression ----

// Rows of a heavy-tailed design: multivariate t with `dof` degrees of freedom (Gaussian
// rows divided by sqrt(chi^2_dof / dof)), so that a few rows carry most of the leverage.
std::vector<double> t_rows(int64_t m, int64_t n, double dof, unsigned seed) {
  std::mt19937_64 gen(seed);
  std::normal_distribution<double> z;
  std::chi_squared_distribution<double> chi(dof);
  std::vector<double> a(static_cast<size_t>(m * n));
  for (int64_t i = 0; i < m; ++i) {
    const double s = 1 / std::sqrt(chi(gen) / dof);
    for (int64_t j = 0; j < n; ++j) a[i * n + j] = s * z(gen);
  }
  return a;
}

std::vector<double> lewis(const std::vector<double>& a, int64_t m, int64_t n, double p,
                          int64_t* rounds = nullptr, double* residual = nullptr,
                          int32_t method = QUARRY_LEVERAGE_EXACT) {
  auto ctx = make_context();
  auto opts = make_options();
  quarry_options_set_i64(opts.get(), QUARRY_OPT_LEVERAGE_METHOD, method);
  std::vector<double> w(static_cast<size_t>(m), -1.0);
  quarry_report* raw = nullptr;
  EXPECT_EQ(quarry_lewis_weights_f64(ctx.get(), QUARRY_ROW_MAJOR, m, n, a.data(), n, p, w.data(),
                                     opts.get(), &raw),
            QUARRY_OK)
      << quarry_context_last_error(ctx.get());
  ReportPtr report(raw);
  if (rounds != nullptr) quarry_report_get_i64(raw, QUARRY_REPORT_ITERATIONS, rounds);
  if (residual != nullptr) quarry_report_get_f64(raw, QUARRY_REPORT_RESIDUAL_NORM, residual);
  return w;
}

// max_i |w_i / (a_i^T (A^T W^(1-2/p) A)^-1 a_i)^(p/2) - 1|, computed here with a Cholesky
// factorization of the n x n matrix: the definition, independently of the library's QR.
double lewis_residual(const std::vector<double>& a, int64_t m, int64_t n, double p,
                      const std::vector<double>& w) {
  std::vector<double> g(static_cast<size_t>(n * n), 0.0);
  for (int64_t i = 0; i < m; ++i) {
    const double s = std::pow(w[i], 1 - 2 / p);
    for (int64_t j = 0; j < n; ++j) {
      for (int64_t k = 0; k < n; ++k) g[j * n + k] += s * a[i * n + j] * a[i * n + k];
    }
  }
  for (int64_t j = 0; j < n; ++j) {  // Cholesky g = L L^T in place (lower triangle)
    for (int64_t k = 0; k <= j; ++k) {
      double v = g[j * n + k];
      for (int64_t t = 0; t < k; ++t) v -= g[j * n + t] * g[k * n + t];
      g[j * n + k] = k == j ? std::sqrt(v) : v / g[k * n + k];
    }
  }
  double worst = 0;
  std::vector<double> y(static_cast<size_t>(n));
  for (int64_t i = 0; i < m; ++i) {
    double q = 0;  // ||L^-1 a_i||^2
    for (int64_t j = 0; j < n; ++j) {
      double v = a[i * n + j];
      for (int64_t t = 0; t < j; ++t) v -= g[j * n + t] * y[t];
      y[j] = v / g[j * n + j];
      q += y[j] * y[j];
    }
    worst = std::max(worst, std::abs(w[i] / std::pow(q, p / 2) - 1));
  }
  return worst;
}

TEST(Lewis, WeightsMeetTheirDefinitionAndSumToTheRank) {
  const int64_t m = 2000, n = 6;
  const std::vector<double> a = t_rows(m, n, 1.5, 21);
  for (double p : {0.5, 1.0, 1.5, 3.0, 4.0, 6.0}) {
    int64_t rounds = 0;
    double residual = -1;
    const std::vector<double> w = lewis(a, m, n, p, &rounds, &residual);
    double sum = 0;
    for (const double v : w) sum += v;
    EXPECT_NEAR(sum, double(n), 1e-8) << "p " << p;
    EXPECT_LT(lewis_residual(a, m, n, p, w), 1e-8) << "p " << p;
    EXPECT_LE(residual, 1e-10);
    EXPECT_LE(rounds, 90) << "p " << p;  // contractions by 3/4 (p = 0.5) or less
  }
}

TEST(Lewis, SmallExponentsConvergeOrSaySoButNeverCollapse) {
  // An extrapolating step (alpha > 1) once drove every weight towards 0 for p <= 0.2 and
  // called that converged.
  const int64_t m = 800, n = 4;
  for (unsigned seed : {40u, 41u, 42u}) {
    const std::vector<double> a = t_rows(m, n, 1.5, seed);
    for (double p : {0.05, 0.1, 0.2}) {
      auto ctx = make_context();
      std::vector<double> w(static_cast<size_t>(m));
      const quarry_status status = quarry_lewis_weights_f64(
          ctx.get(), QUARRY_ROW_MAJOR, m, n, a.data(), n, p, w.data(), nullptr, nullptr);
      ASSERT_TRUE(status == QUARRY_OK || status == QUARRY_ERR_NO_CONVERGENCE) << status;
      if (status != QUARRY_OK) continue;
      double sum = 0;
      for (const double v : w) sum += v;
      EXPECT_NEAR(sum, double(n), 1e-6) << "p " << p << ", seed " << seed;
      EXPECT_LT(lewis_residual(a, m, n, p, w), 1e-6) << "p " << p << ", seed " << seed;
    }
  }
}

TEST(Lewis, TwoGivesTheLeverageScores) {
  const int64_t m = 500, n = 5;
  const std::vector<double> a = t_rows(m, n, 3, 22);
  int64_t rounds = 0;
  const std::vector<double> w = lewis(a, m, n, 2, &rounds);
  auto ctx = make_context();
  std::vector<double> tau(static_cast<size_t>(m));
  ASSERT_EQ(quarry_leverage_scores_f64(ctx.get(), QUARRY_ROW_MAJOR, m, n, a.data(), n, nullptr,
                                       tau.data()),
            QUARRY_OK);
  for (int64_t i = 0; i < m; ++i) EXPECT_EQ(w[i], tau[i]);
  EXPECT_EQ(rounds, 1);
}

TEST(Lewis, ApproximateWeightsAreCloseAndZeroRowsGetZero) {
  const int64_t m = 4000, n = 8;
  std::vector<double> a = t_rows(m, n, 2, 23);
  for (int64_t j = 0; j < n; ++j) a[17 * n + j] = 0;  // a zero row
  const std::vector<double> exact = lewis(a, m, n, 1);
  const std::vector<double> approx = lewis(a, m, n, 1, nullptr, nullptr, QUARRY_LEVERAGE_APPROX);
  EXPECT_EQ(exact[17], 0);
  EXPECT_EQ(approx[17], 0);
  int64_t close = 0;
  for (int64_t i = 0; i < m; ++i) {
    if (i != 17 && approx[i] <= 2 * exact[i] && exact[i] <= 2 * approx[i]) ++close;
  }
  EXPECT_GE(close, (m - 1) * 99 / 100);
}

TEST(Lewis, RefusesBadInput) {
  auto ctx = make_context();
  const std::vector<double> a = t_rows(20, 2, 3, 24);
  std::vector<double> w(20);
  quarry_report* report = reinterpret_cast<quarry_report*>(&w);
  EXPECT_EQ(quarry_lewis_weights_f64(nullptr, QUARRY_ROW_MAJOR, 20, 2, a.data(), 2, 1, w.data(),
                                     nullptr, &report),
            QUARRY_ERR_NULL_POINTER);
  EXPECT_EQ(report, nullptr);
  auto call = [&](double p, const double* aa, double* ww, const quarry_options* o = nullptr) {
    return quarry_lewis_weights_f64(ctx.get(), QUARRY_ROW_MAJOR, 20, 2, aa, 2, p, ww, o, nullptr);
  };
  EXPECT_EQ(call(1, nullptr, w.data()), QUARRY_ERR_NULL_POINTER);
  EXPECT_EQ(call(1, a.data(), nullptr), QUARRY_ERR_NULL_POINTER);
  for (double p : {0.0, -1.0, double(NAN), double(INFINITY)}) {
    EXPECT_EQ(call(p, a.data(), w.data()), QUARRY_ERR_INVALID_ARGUMENT) << p;
  }
  std::vector<double> bad = a;
  bad[3] = NAN;
  EXPECT_EQ(call(1, bad.data(), w.data()), QUARRY_ERR_NONFINITE);
  auto ridge = make_options();
  quarry_options_set_f64(ridge.get(), QUARRY_OPT_RIDGE, 1.0);
  EXPECT_EQ(call(1, a.data(), w.data(), ridge.get()), QUARRY_ERR_INVALID_ARGUMENT);
  auto one = make_options();
  quarry_options_set_i64(one.get(), QUARRY_OPT_MAX_ITERATIONS, 2);
  EXPECT_EQ(call(1, a.data(), w.data(), one.get()), QUARRY_ERR_NO_CONVERGENCE);
  EXPECT_NE(std::string(quarry_context_last_error(ctx.get())).find("QUARRY_OPT_MAX_ITERATIONS"),
            std::string::npos);
}

// A label oracle over a known b that counts what it is asked, and can fail.
struct Labels {
  const std::vector<double>* b;
  int64_t asked = 0, calls = 0;
  int64_t fail_at = -1;  // the call that returns non-zero
  bool nan = false;

  static int32_t call(int64_t count, const int64_t* rows, double* out, void* user) {
    auto* self = static_cast<Labels*>(user);
    if (self->calls++ == self->fail_at) return 7;
    for (int64_t t = 0; t < count; ++t) {
      if (t > 0 && rows[t] <= rows[t - 1]) return 8;  // rows increasing and distinct
      out[t] = self->nan ? NAN : (*self->b)[rows[t]];
    }
    self->asked += count;
    return 0;
  }
};

double lp_norm(const std::vector<double>& a, const std::vector<double>& b, int64_t m, int64_t n,
               const std::vector<double>& x, double p) {
  double s = 0;
  for (int64_t i = 0; i < m; ++i) {
    double r = b[i];
    for (int64_t j = 0; j < n; ++j) r -= a[i * n + j] * x[j];
    s += std::pow(std::abs(r), p);
  }
  return std::pow(s, 1 / p);
}

// The residual ratio ||b - A x||_p / min ||b - A x||_p of the fit on `rows` (weights
// 1 / pi_i as given), against the full fit.
TEST(ActiveRegression, LewisSamplingNearsTheFullFitWhereUniformSamplingFails) {
  const int64_t m = 20000, n = 10, budget = 10 * n;
  const std::vector<double> a = t_rows(m, n, 1, 25);  // Cauchy-like rows: very coherent
  std::vector<double> b(static_cast<size_t>(m));
  std::mt19937_64 gen(26);
  std::normal_distribution<double> z;
  for (int64_t i = 0; i < m; ++i) {
    b[i] = z(gen);
    for (int64_t j = 0; j < n; ++j) b[i] += a[i * n + j] * (1 + j);
  }
  auto ctx = make_context();
  for (double p : {1.0, 1.5, 2.0}) {
    Problem full{m, n, a, b, {}};
    const LpFit best = lp(full, p);
    ASSERT_EQ(best.status, QUARRY_OK);
    const double opt = lp_norm(a, b, m, n, best.x, p);
    // Five seeds: the median ratio (the theorem is a high-probability statement).
    std::vector<double> ratios, uniform;
    for (int64_t seed = 0; seed < 5; ++seed) {
      auto opts = make_options();
      quarry_options_set_i64(opts.get(), QUARRY_OPT_SEED, seed);
      Labels oracle{&b};
      std::vector<double> x(static_cast<size_t>(n));
      quarry_report* raw = nullptr;
      ASSERT_EQ(
          quarry_active_regression_f64(ctx.get(), QUARRY_ROW_MAJOR, m, n, a.data(), n, p,
                                       Labels::call, &oracle, budget, x.data(), opts.get(), &raw),
          QUARRY_OK)
          << quarry_context_last_error(ctx.get());
      ReportPtr report(raw);
      int64_t queries = 0;
      quarry_report_get_i64(raw, QUARRY_REPORT_QUERIES, &queries);
      EXPECT_EQ(queries, budget);
      EXPECT_EQ(oracle.asked, budget);
      ratios.push_back(lp_norm(a, b, m, n, x, p) / opt);
      // The control: `budget` rows uniformly at random, fitted alike.
      std::mt19937_64 pick(100 + seed);
      std::vector<int64_t> idx(static_cast<size_t>(m));
      for (int64_t i = 0; i < m; ++i) idx[i] = i;
      std::shuffle(idx.begin(), idx.end(), pick);
      Problem sub{budget,
                  n,
                  std::vector<double>(static_cast<size_t>(budget * n)),
                  std::vector<double>(static_cast<size_t>(budget)),
                  {}};
      for (int64_t s = 0; s < budget; ++s) {
        for (int64_t j = 0; j < n; ++j) sub.a[s * n + j] = a[idx[s] * n + j];
        sub.b[s] = b[idx[s]];
      }
      const LpFit u = lp(sub, p);
      uniform.push_back(u.status == QUARRY_OK ? lp_norm(a, b, m, n, u.x, p) / opt : INFINITY);
    }
    std::sort(ratios.begin(), ratios.end());
    std::sort(uniform.begin(), uniform.end());
    EXPECT_LE(ratios[2], 1.1) << "p " << p;
    EXPECT_GT(uniform[2], 1.5 * ratios[2]) << "p " << p;  // the control fails
  }
}

TEST(ActiveRegression, RefusesBadInputAndReportsFailingOracles) {
  auto ctx = make_context();
  const int64_t m = 300, n = 3;
  const std::vector<double> a = t_rows(m, n, 3, 27);
  std::vector<double> b(static_cast<size_t>(m), 1.0), x(3, -5.0);
  Labels oracle{&b};
  auto call = [&](double p, int64_t budget, quarry_label_fn fn = Labels::call) {
    return quarry_active_regression_f64(ctx.get(), QUARRY_ROW_MAJOR, m, n, a.data(), n, p, fn,
                                        &oracle, budget, x.data(), nullptr, nullptr);
  };
  EXPECT_EQ(call(1, 30, nullptr), QUARRY_ERR_NULL_POINTER);
  EXPECT_EQ(call(0.5, 30), QUARRY_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(call(1, 2), QUARRY_ERR_INVALID_ARGUMENT);    // budget < n
  EXPECT_EQ(call(1, 301), QUARRY_ERR_INVALID_ARGUMENT);  // budget > m
  oracle.fail_at = 0;
  EXPECT_EQ(call(1, 30), QUARRY_ERR_ORACLE);
  EXPECT_NE(std::string(quarry_context_last_error(ctx.get())).find("returned 7"),
            std::string::npos);
  EXPECT_EQ(x[0], -5.0);  // untouched
  oracle.fail_at = -1;
  oracle.nan = true;
  EXPECT_EQ(call(1, 30), QUARRY_ERR_ORACLE);
  oracle.nan = false;
  oracle.asked = 0;
  EXPECT_EQ(call(1.5, 3), QUARRY_OK);  // budget = n: an exact fit of n rows
  EXPECT_EQ(oracle.asked, 3);
  // Batches of at most 1024 rows; every label asked once.
  oracle.calls = oracle.asked = 0;
  std::vector<double> big_a = t_rows(3000, 3, 3, 28), big_b(3000, 2.0);
  Labels big{&big_b};
  quarry_report* raw = nullptr;
  ASSERT_EQ(quarry_active_regression_f64(ctx.get(), QUARRY_ROW_MAJOR, 3000, 3, big_a.data(), 3, 2,
                                         Labels::call, &big, 2500, x.data(), nullptr, &raw),
            QUARRY_OK);
  ReportPtr report(raw);
  int64_t batches = 0;
  quarry_report_get_i64(raw, QUARRY_REPORT_BATCHES, &batches);
  EXPECT_EQ(batches, 3);
  EXPECT_EQ(big.calls, 3);
  EXPECT_EQ(big.asked, 2500);
  for (const double v : x) EXPECT_TRUE(std::isfinite(v));
}

}  // namespace
