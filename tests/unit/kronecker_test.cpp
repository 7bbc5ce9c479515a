// Kronecker regression (quarry/regress.h): the exact solver against the ridge normal
// equations of the explicitly formed product (N = 1, 2, 3 factors, tall and wide, both
// layouts, padded leading dimensions), the minimum-norm solution without a ridge, K x and
// K^T x against the explicit product, the sampled solver's loss against the exact one, b
// read through labels (only the sampled rows, increasing), the iteration limit, bad input.
#include <quarry.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "c_handles.hpp"
#include "normal_equations.hpp"

namespace {

using quarry_test::gaussian;
using quarry_test::make_context;
using quarry_test::make_options;
using quarry_test::normal_equations;
using quarry_test::ReportPtr;
using quarry_test::ridge_objective;

// Factors A_n (I_n x R_n) stored in `layout` with leading dimension ld = (rows or cols) +
// pad, entries mean + spread N(0, 1).
struct Factors {
  int32_t layout = QUARRY_ROW_MAJOR;
  std::vector<int64_t> rows, cols, ld;
  std::vector<std::vector<double>> data;
  std::vector<const double*> ptr;

  double at(size_t n, int64_t i, int64_t j) const {
    return layout == QUARRY_ROW_MAJOR ? data[n][static_cast<size_t>(i * ld[n] + j)]
                                      : data[n][static_cast<size_t>(i + j * ld[n])];
  }
  int64_t total_rows() const {
    int64_t p = 1;
    for (const int64_t r : rows) p *= r;
    return p;
  }
  int64_t total_cols() const {
    int64_t p = 1;
    for (const int64_t c : cols) p *= c;
    return p;
  }
  int32_t count() const { return static_cast<int32_t>(rows.size()); }
};

Factors make_factors(std::vector<int64_t> rows, std::vector<int64_t> cols, int32_t layout,
                     int64_t pad, double mean, double spread, unsigned seed) {
  std::mt19937_64 gen(seed);
  std::normal_distribution<double> z;
  Factors f;
  f.layout = layout;
  f.rows = std::move(rows);
  f.cols = std::move(cols);
  for (size_t n = 0; n < f.rows.size(); ++n) {
    const int64_t ld = (layout == QUARRY_ROW_MAJOR ? f.cols[n] : f.rows[n]) + pad;
    const int64_t outer = layout == QUARRY_ROW_MAJOR ? f.rows[n] : f.cols[n];
    f.ld.push_back(ld);
    f.data.emplace_back(static_cast<size_t>(outer * ld), -999.0);  // padding: never read
    for (int64_t i = 0; i < f.rows[n]; ++i) {
      for (int64_t j = 0; j < f.cols[n]; ++j) {
        const size_t at = static_cast<size_t>(layout == QUARRY_ROW_MAJOR ? i * ld + j : i + j * ld);
        f.data[n][at] = mean + spread * z(gen);
      }
    }
  }
  for (const auto& d : f.data) f.ptr.push_back(d.data());
  return f;
}

// K, row-major (prod I_n x prod R_n), formed entry by entry.
std::vector<double> explicit_product(const Factors& f) {
  const int64_t m = f.total_rows(), n = f.total_cols();
  std::vector<double> k(static_cast<size_t>(m * n));
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      double v = 1;
      int64_t ri = i, rj = j;
      for (size_t q = f.rows.size(); q-- > 0;) {
        v *= f.at(q, ri % f.rows[q], rj % f.cols[q]);
        ri /= f.rows[q];
        rj /= f.cols[q];
      }
      k[static_cast<size_t>(i * n + j)] = v;
    }
  }
  return k;
}

double max_abs_diff(const std::vector<double>& a, const std::vector<double>& b) {
  double d = 0;
  for (size_t i = 0; i < a.size(); ++i) d = std::max(d, std::abs(a[i] - b[i]));
  return d;
}

double max_abs(const std::vector<double>& a) {
  double d = 0;
  for (const double v : a) d = std::max(d, std::abs(v));
  return d;
}

struct KronFit {
  quarry_status status;
  std::vector<double> x;
  double objective = NAN;
  int64_t method = -1, queries = -1, iterations = -1;
};

KronFit solve(const Factors& f, const std::vector<double>& b, double lambda, int64_t method,
              int64_t samples = 0, uint64_t seed = 0) {
  auto ctx = make_context();
  auto opts = make_options();
  quarry_options_set_f64(opts.get(), QUARRY_OPT_RIDGE, lambda);
  quarry_options_set_i64(opts.get(), QUARRY_OPT_LSTSQ_METHOD, method);
  quarry_options_set_i64(opts.get(), QUARRY_OPT_SEED, static_cast<int64_t>(seed));
  if (samples > 0) quarry_options_set_i64(opts.get(), QUARRY_OPT_SKETCH_ROWS, samples);
  KronFit fit;
  fit.x.assign(static_cast<size_t>(f.total_cols()), NAN);
  quarry_report* rep = nullptr;
  fit.status = quarry_kronecker_regression_f64(ctx.get(), f.layout, f.count(), f.rows.data(),
                                               f.cols.data(), f.ptr.data(), f.ld.data(), b.data(),
                                               fit.x.data(), opts.get(), &rep);
  ReportPtr r(rep);
  if (rep != nullptr) {
    quarry_report_get_f64(rep, QUARRY_REPORT_OBJECTIVE, &fit.objective);
    quarry_report_get_i64(rep, QUARRY_REPORT_METHOD, &fit.method);
    quarry_report_get_i64(rep, QUARRY_REPORT_QUERIES, &fit.queries);
    quarry_report_get_i64(rep, QUARRY_REPORT_ITERATIONS, &fit.iterations);
  }
  return fit;
}

TEST(Kronecker, ExactSolutionsMatchTheRidgeNormalEquations) {
  struct Case {
    std::vector<int64_t> rows, cols;
    int32_t layout;
    int64_t pad;
    double lambda;
  };
  const std::vector<Case> cases = {
      {{9}, {4}, QUARRY_ROW_MAJOR, 0, 0.5},              // N = 1: plain ridge
      {{7, 5}, {3, 4}, QUARRY_ROW_MAJOR, 0, 1e-3},       // tall factors
      {{7, 5}, {3, 4}, QUARRY_COL_MAJOR, 2, 1e-3},       // column-major, padded
      {{6, 5, 4}, {2, 3, 2}, QUARRY_ROW_MAJOR, 1, 0.1},  // N = 3
      {{3, 8}, {5, 2}, QUARRY_COL_MAJOR, 0, 0.2},        // a wide factor
      {{8, 6}, {3, 2}, QUARRY_ROW_MAJOR, 0, 0.0},        // no ridge, full rank
  };
  unsigned seed = 1;
  for (const Case& c : cases) {
    const Factors f = make_factors(c.rows, c.cols, c.layout, c.pad, 0.3, 1.0, seed++);
    const int64_t m = f.total_rows(), n = f.total_cols();
    const std::vector<double> k = explicit_product(f);
    const std::vector<double> b = gaussian(m, seed++);
    const std::vector<double> ref = normal_equations(k, b, m, n, c.lambda);
    for (const int64_t method : {QUARRY_LSTSQ_AUTO, QUARRY_LSTSQ_DIRECT}) {
      const KronFit fit = solve(f, b, c.lambda, method);
      ASSERT_EQ(fit.status, QUARRY_OK);
      EXPECT_EQ(fit.method, QUARRY_LSTSQ_DIRECT);
      EXPECT_EQ(fit.queries, m);
      EXPECT_LE(max_abs_diff(fit.x, ref), 1e-10 * std::max(1.0, max_abs(ref)))
          << "case with " << c.rows.size() << " factors, lambda " << c.lambda;
      const double want = ridge_objective(k, b, m, n, ref, c.lambda);
      EXPECT_NEAR(fit.objective, want, 1e-10 * want);
    }
  }
}

TEST(Kronecker, WithoutRidgeRankDeficientFactorsGiveTheMinimumNormSolution) {
  // A_1's last column repeats its first: K's null space is (e_0 - e_2) (x) R^{R_2}, and the
  // minimum-norm solution has no component there; K^T (K x - b) = 0.
  Factors f = make_factors({7, 5}, {3, 2}, QUARRY_ROW_MAJOR, 0, 0.0, 1.0, 11);
  for (int64_t i = 0; i < 7; ++i) f.data[0][static_cast<size_t>(i * 3 + 2)] = f.at(0, i, 0);
  const int64_t m = f.total_rows(), n = f.total_cols();
  const std::vector<double> k = explicit_product(f);
  const std::vector<double> b = gaussian(m, 12);
  const KronFit fit = solve(f, b, 0.0, QUARRY_LSTSQ_AUTO);
  ASSERT_EQ(fit.status, QUARRY_OK);
  for (int64_t j2 = 0; j2 < 2; ++j2) EXPECT_NEAR(fit.x[0 * 2 + j2], fit.x[2 * 2 + j2], 1e-12);
  std::vector<double> r(static_cast<size_t>(m));
  for (int64_t i = 0; i < m; ++i) {
    r[i] = -b[i];
    for (int64_t j = 0; j < n; ++j) r[i] += k[i * n + j] * fit.x[j];
  }
  for (int64_t j = 0; j < n; ++j) {
    double g = 0;
    for (int64_t i = 0; i < m; ++i) g += k[i * n + j] * r[i];
    EXPECT_NEAR(g, 0.0, 1e-11);
  }
}

TEST(Kronecker, MultiplyMatchesTheExplicitProduct) {
  for (const int32_t layout : {QUARRY_ROW_MAJOR, QUARRY_COL_MAJOR}) {
    const Factors f = make_factors({4, 3, 5}, {2, 6, 3}, layout, 1, 0.0, 1.0, 21);
    const int64_t m = f.total_rows(), n = f.total_cols();
    const std::vector<double> k = explicit_product(f);
    auto ctx = make_context();
    for (const int32_t trans : {0, 1}) {
      const std::vector<double> x = gaussian(trans != 0 ? m : n, 22);
      std::vector<double> y(static_cast<size_t>(trans != 0 ? n : m), NAN), want(y.size(), 0.0);
      ASSERT_EQ(
          quarry_kronecker_multiply_f64(ctx.get(), layout, f.count(), f.rows.data(), f.cols.data(),
                                        f.ptr.data(), f.ld.data(), trans, x.data(), y.data()),
          QUARRY_OK);
      for (int64_t i = 0; i < m; ++i) {
        for (int64_t j = 0; j < n; ++j) {
          if (trans != 0) {
            want[j] += k[i * n + j] * x[i];
          } else {
            want[i] += k[i * n + j] * x[j];
          }
        }
      }
      EXPECT_LE(max_abs_diff(y, want), 1e-12 * max_abs(want));
    }
  }
}

// The authors' synthetic problem, scaled down: nearly rank-one factors N(1, 1e-6), b = 1
// plus noise, lambda = 1e-3.
TEST(Kronecker, SampledLossIsCloseToTheExactOne) {
  const Factors f = make_factors({400, 300}, {6, 5}, QUARRY_ROW_MAJOR, 0, 1.0, 1e-3, 31);
  const int64_t m = f.total_rows();
  std::vector<double> b = gaussian(m, 32);
  for (double& v : b) v = 1 + 0.1 * v;
  const double lambda = 1e-3;
  const KronFit exact = solve(f, b, lambda, QUARRY_LSTSQ_DIRECT);
  ASSERT_EQ(exact.status, QUARRY_OK);
  const std::vector<double> k = explicit_product(f);
  const int64_t n = f.total_cols();
  // The excess loss of a sampled fit is about d / s for the statistical dimension d (here
  // about 10 of the 30 columns: the nearly rank-one factors' small singular values are
  // below the ridge): 2% at the default s = 50 d, about 10% at 100 draws.
  for (const uint64_t seed : {1u, 2u, 3u}) {
    for (const int64_t samples : {int64_t{0}, int64_t{100}}) {
      const KronFit fit = solve(f, b, lambda, QUARRY_LSTSQ_SKETCH_SOLVE, samples, seed);
      ASSERT_EQ(fit.status, QUARRY_OK);
      EXPECT_EQ(fit.method, QUARRY_LSTSQ_SKETCH_SOLVE);
      EXPECT_GT(fit.queries, 0);
      EXPECT_LT(fit.queries, m / 100);  // reads a small part of b
      EXPECT_LE(fit.iterations, 30);
      const double ratio = ridge_objective(k, b, m, n, fit.x, lambda) / exact.objective;
      EXPECT_GE(ratio, 1 - 1e-12);
      EXPECT_LE(ratio, samples == 0 ? 1.05 : 1.3) << "seed " << seed << ", " << samples;
    }
  }
  // Many more draws: the sampled solution approaches the exact one.
  const KronFit big = solve(f, b, lambda, QUARRY_LSTSQ_SKETCH_SOLVE, 200000, 4);
  ASSERT_EQ(big.status, QUARRY_OK);
  EXPECT_LE(ridge_objective(k, b, m, n, big.x, lambda) / exact.objective, 1.005);
}

// The sampled path's other shapes: N = 1, N = 3 with unequal ranks (the Kronecker rows of
// factors 2..N are formed per draw), a wide factor (I_n < R_n), a rank-deficient factor
// without a ridge. Many draws bring the loss to the exact one's; the default stays within
// 5%.
TEST(Kronecker, SampledSolverHandlesEveryShape) {
  struct Case {
    std::vector<int64_t> rows, cols;
    double lambda;
    bool dependent;  // factor 0's last column repeats its first
  };
  const std::vector<Case> cases = {
      {{3000}, {8}, 1e-2, false},
      {{40, 30, 25}, {3, 2, 4}, 1e-2, false},
      {{60, 4}, {5, 6}, 1e-2, false},
      {{80, 70}, {4, 3}, 0.0, true},
  };
  unsigned seed = 81;
  for (const Case& c : cases) {
    Factors f = make_factors(c.rows, c.cols, QUARRY_ROW_MAJOR, 0, 0.5, 1.0, seed++);
    if (c.dependent) {
      const int64_t r0 = f.cols[0];
      for (int64_t i = 0; i < f.rows[0]; ++i) f.data[0][i * r0 + r0 - 1] = f.at(0, i, 0);
    }
    const int64_t m = f.total_rows(), n = f.total_cols();
    const std::vector<double> b = gaussian(m, seed++);
    const KronFit exact = solve(f, b, c.lambda, QUARRY_LSTSQ_DIRECT);
    ASSERT_EQ(exact.status, QUARRY_OK);
    const std::vector<double> k = explicit_product(f);
    const KronFit many = solve(f, b, c.lambda, QUARRY_LSTSQ_SKETCH_SOLVE, 400000, 5);
    const KronFit usual = solve(f, b, c.lambda, QUARRY_LSTSQ_SKETCH_SOLVE, 0, 5);
    ASSERT_EQ(many.status, QUARRY_OK);
    ASSERT_EQ(usual.status, QUARRY_OK);
    const double opt = ridge_objective(k, b, m, n, exact.x, c.lambda);
    EXPECT_LE(ridge_objective(k, b, m, n, many.x, c.lambda), 1.003 * opt)
        << c.rows.size() << " factors";
    EXPECT_LE(ridge_objective(k, b, m, n, usual.x, c.lambda), 1.05 * opt)
        << c.rows.size() << " factors";
  }
}

// Factors scaled by 1e80 (products of singular values near 1e160, their squares beyond the
// doubles) and by 1e-85: x scales inversely and is computed as accurately as at scale 1; a
// tiny ridge on a rank-deficient factor gives the ridge-free solution, not amplified noise.
TEST(Kronecker, ExtremeScalesAndTinyRidgesAreSolved) {
  Factors f = make_factors({6, 5}, {3, 2}, QUARRY_ROW_MAJOR, 0, 0.0, 1.0, 91);
  const std::vector<double> b = gaussian(f.total_rows(), 92);
  const KronFit base = solve(f, b, 0.0, QUARRY_LSTSQ_DIRECT);
  ASSERT_EQ(base.status, QUARRY_OK);
  for (const double scale : {1e80, 1e-85}) {
    Factors g = f;
    for (auto& d : g.data) {
      for (double& v : d) v *= scale;
    }
    g.ptr.clear();
    for (const auto& d : g.data) g.ptr.push_back(d.data());
    for (const int64_t method : {QUARRY_LSTSQ_DIRECT, QUARRY_LSTSQ_SKETCH_SOLVE}) {
      const KronFit fit = solve(g, b, 0.0, method, method == QUARRY_LSTSQ_DIRECT ? 0 : 100000);
      ASSERT_EQ(fit.status, QUARRY_OK) << scale;
      std::vector<double> unscaled = fit.x;
      for (double& v : unscaled) v *= scale * scale;  // K scales by scale^2
      EXPECT_LE(max_abs_diff(unscaled, base.x),
                (method == QUARRY_LSTSQ_DIRECT ? 1e-12 : 0.1) * max_abs(base.x))
          << scale << " " << method;
    }
  }
  // Factor 0's last column repeats its first: lambda = 1e-30 must agree with lambda = 0.
  for (int64_t i = 0; i < 6; ++i) f.data[0][i * 3 + 2] = f.at(0, i, 0);
  const KronFit zero = solve(f, b, 0.0, QUARRY_LSTSQ_DIRECT);
  const KronFit tiny = solve(f, b, 1e-30, QUARRY_LSTSQ_DIRECT);
  const KronFit tiny_sampled = solve(f, b, 1e-30, QUARRY_LSTSQ_SKETCH_SOLVE, 100000);
  ASSERT_EQ(zero.status, QUARRY_OK);
  ASSERT_EQ(tiny.status, QUARRY_OK);
  ASSERT_EQ(tiny_sampled.status, QUARRY_OK);
  EXPECT_LE(max_abs_diff(tiny.x, zero.x), 1e-12 * max_abs(zero.x));
  EXPECT_NEAR(tiny.objective, zero.objective, 1e-12 * zero.objective);
  EXPECT_LE(max_abs_diff(tiny_sampled.x, zero.x), 0.1 * max_abs(zero.x));
}

// b as a function of the flat row index, counting and checking what it is asked.
struct Oracle {
  const std::vector<double>* b;
  int64_t asked = 0, calls = 0, fail_at = -1;
  bool nan = false;

  static int32_t call(int64_t count, const int64_t* rows, double* out, void* user) {
    auto* self = static_cast<Oracle*>(user);
    if (self->calls++ == self->fail_at) return 5;
    for (int64_t t = 0; t < count; ++t) {
      if (t > 0 && rows[t] <= rows[t - 1]) return 6;  // increasing and distinct
      out[t] = self->nan ? NAN : (*self->b)[static_cast<size_t>(rows[t])];
    }
    self->asked += count;
    return 0;
  }
};

TEST(Kronecker, LabelsAreAskedOnlyForTheSampleAndGiveTheSameFit) {
  const Factors f = make_factors({300, 200}, {5, 4}, QUARRY_COL_MAJOR, 0, 1.0, 0.1, 41);
  const std::vector<double> b = gaussian(f.total_rows(), 42);
  const KronFit from_b = solve(f, b, 1e-2, QUARRY_LSTSQ_SKETCH_SOLVE, 0, 7);
  ASSERT_EQ(from_b.status, QUARRY_OK);
  auto ctx = make_context();
  auto opts = make_options();
  quarry_options_set_f64(opts.get(), QUARRY_OPT_RIDGE, 1e-2);
  quarry_options_set_i64(opts.get(), QUARRY_OPT_SEED, 7);
  Oracle oracle{&b};
  std::vector<double> x(static_cast<size_t>(f.total_cols()));
  quarry_report* rep = nullptr;
  ASSERT_EQ(quarry_kronecker_regression_labels_f64(
                ctx.get(), f.layout, f.count(), f.rows.data(), f.cols.data(), f.ptr.data(),
                f.ld.data(), &Oracle::call, &oracle, x.data(), opts.get(), &rep),
            QUARRY_OK)
      << quarry_context_last_error(ctx.get());
  ReportPtr r(rep);
  int64_t queries = 0, batches = 0, draws = 0;
  quarry_report_get_i64(rep, QUARRY_REPORT_QUERIES, &queries);
  quarry_report_get_i64(rep, QUARRY_REPORT_BATCHES, &batches);
  quarry_report_get_i64(rep, QUARRY_REPORT_SKETCH_ROWS, &draws);
  EXPECT_EQ(queries, oracle.asked);
  EXPECT_EQ(queries, from_b.queries);
  EXPECT_LE(queries, draws);
  EXPECT_EQ(batches, oracle.calls);
  EXPECT_EQ(batches, (queries + 4095) / 4096);
  EXPECT_EQ(x, from_b.x);  // the same sample, the same arithmetic
}

TEST(Kronecker, TheIterationLimitReturnsTheLastIterate) {
  const Factors f = make_factors({60, 50}, {4, 3}, QUARRY_ROW_MAJOR, 0, 0.0, 1.0, 51);
  const std::vector<double> b = gaussian(f.total_rows(), 52);
  auto ctx = make_context();
  auto opts = make_options();
  quarry_options_set_i64(opts.get(), QUARRY_OPT_LSTSQ_METHOD, QUARRY_LSTSQ_SKETCH_SOLVE);
  quarry_options_set_i64(opts.get(), QUARRY_OPT_MAX_ITERATIONS, 1);
  quarry_options_set_f64(opts.get(), QUARRY_OPT_TOLERANCE, 1e-15);
  std::vector<double> x(static_cast<size_t>(f.total_cols()), NAN);
  EXPECT_EQ(quarry_kronecker_regression_f64(ctx.get(), f.layout, f.count(), f.rows.data(),
                                            f.cols.data(), f.ptr.data(), f.ld.data(), b.data(),
                                            x.data(), opts.get(), nullptr),
            QUARRY_ERR_NO_CONVERGENCE);
  EXPECT_NE(std::string(quarry_context_last_error(ctx.get())).find("QUARRY_OPT_MAX_ITERATIONS"),
            std::string::npos);
  for (const double v : x) EXPECT_TRUE(std::isfinite(v));
}

TEST(Kronecker, ZeroFactorsGiveZero) {
  Factors f = make_factors({5, 4}, {2, 3}, QUARRY_ROW_MAJOR, 0, 0.0, 1.0, 61);
  std::fill(f.data[1].begin(), f.data[1].end(), 0.0);
  const std::vector<double> b = gaussian(f.total_rows(), 62);
  for (const int64_t method : {QUARRY_LSTSQ_DIRECT, QUARRY_LSTSQ_SKETCH_SOLVE}) {
    const KronFit fit = solve(f, b, 0.0, method);
    ASSERT_EQ(fit.status, QUARRY_OK);
    for (const double v : fit.x) EXPECT_EQ(v, 0.0);
  }
}

TEST(Kronecker, RefusesBadInputAndReportsFailingOracles) {
  Factors f = make_factors({6, 5}, {2, 3}, QUARRY_ROW_MAJOR, 0, 0.0, 1.0, 71);
  std::vector<double> b = gaussian(f.total_rows(), 72);
  std::vector<double> x(static_cast<size_t>(f.total_cols()), 0.0);
  auto ctx = make_context();
  const auto call = [&](int32_t layout, int32_t nf, const int64_t* rows, const int64_t* cols,
                        const double* const* ptr, const int64_t* ld, const double* bb,
                        const quarry_options* o) {
    return quarry_kronecker_regression_f64(ctx.get(), layout, nf, rows, cols, ptr, ld, bb, x.data(),
                                           o, nullptr);
  };
  const int64_t* r = f.rows.data();
  const int64_t* c = f.cols.data();
  const int64_t* ld = f.ld.data();
  const double* const* p = f.ptr.data();
  EXPECT_EQ(call(f.layout, 2, r, c, p, ld, b.data(), nullptr), QUARRY_OK);
  EXPECT_EQ(quarry_kronecker_regression_f64(nullptr, f.layout, 2, r, c, p, ld, b.data(), x.data(),
                                            nullptr, nullptr),
            QUARRY_ERR_NULL_POINTER);
  EXPECT_EQ(call(f.layout, 0, r, c, p, ld, b.data(), nullptr), QUARRY_ERR_BAD_DIMENSION);
  EXPECT_EQ(call(f.layout, 65, r, c, p, ld, b.data(), nullptr), QUARRY_ERR_BAD_DIMENSION);
  EXPECT_EQ(call(f.layout, 2, nullptr, c, p, ld, b.data(), nullptr), QUARRY_ERR_NULL_POINTER);
  EXPECT_EQ(call(f.layout, 2, r, c, p, ld, nullptr, nullptr), QUARRY_ERR_NULL_POINTER);
  EXPECT_EQ(call(7, 2, r, c, p, ld, b.data(), nullptr), QUARRY_ERR_BAD_LAYOUT);
  const int64_t zero_rows[2] = {6, 0};
  EXPECT_EQ(call(f.layout, 2, zero_rows, c, p, ld, b.data(), nullptr), QUARRY_ERR_BAD_DIMENSION);
  const int64_t short_ld[2] = {1, 3};
  EXPECT_EQ(call(f.layout, 2, r, c, p, short_ld, b.data(), nullptr), QUARRY_ERR_BAD_LEADING_DIM);
  const double* null_factor[2] = {p[0], nullptr};
  EXPECT_EQ(call(f.layout, 2, r, c, null_factor, ld, b.data(), nullptr), QUARRY_ERR_NULL_POINTER);
  f.data[1][3] = NAN;
  EXPECT_EQ(call(f.layout, 2, r, c, p, ld, b.data(), nullptr), QUARRY_ERR_NONFINITE);
  EXPECT_NE(std::string(quarry_context_last_error(ctx.get())).find("factors[1]"),
            std::string::npos);
  f.data[1][3] = 0.5;
  b[17] = INFINITY;
  EXPECT_EQ(call(f.layout, 2, r, c, p, ld, b.data(), nullptr), QUARRY_ERR_NONFINITE);
  b[17] = 0.25;
  auto opts = make_options();
  quarry_options_set_i64(opts.get(), QUARRY_OPT_LSTSQ_METHOD, QUARRY_LSTSQ_GRAM_PRECONDITION);
  EXPECT_EQ(call(f.layout, 2, r, c, p, ld, b.data(), opts.get()), QUARRY_ERR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(quarry_context_last_error(ctx.get())).find("QUARRY_LSTSQ_SKETCH_SOLVE"),
            std::string::npos);

  // Labels: the exact method is refused, a NULL oracle, a failing one and a NaN label.
  Oracle oracle{&b};
  const auto labels = [&](quarry_label_fn fn, void* user, const quarry_options* o) {
    return quarry_kronecker_regression_labels_f64(ctx.get(), f.layout, 2, r, c, p, ld, fn, user,
                                                  x.data(), o, nullptr);
  };
  auto direct = make_options();
  quarry_options_set_i64(direct.get(), QUARRY_OPT_LSTSQ_METHOD, QUARRY_LSTSQ_DIRECT);
  EXPECT_EQ(labels(&Oracle::call, &oracle, direct.get()), QUARRY_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(labels(nullptr, nullptr, nullptr), QUARRY_ERR_NULL_POINTER);
  std::fill(x.begin(), x.end(), 3.0);
  Oracle failing{&b};
  failing.fail_at = 0;
  EXPECT_EQ(labels(&Oracle::call, &failing, nullptr), QUARRY_ERR_ORACLE);
  EXPECT_NE(std::string(quarry_context_last_error(ctx.get())).find("returned 5"),
            std::string::npos);
  Oracle nan{&b};
  nan.nan = true;
  EXPECT_EQ(labels(&Oracle::call, &nan, nullptr), QUARRY_ERR_ORACLE);
  for (const double v : x) EXPECT_EQ(v, 3.0);  // untouched
  EXPECT_EQ(labels(&Oracle::call, &oracle, nullptr), QUARRY_OK);

  // Multiply: transpose must be 0 or 1, and x finite.
  std::vector<double> y(static_cast<size_t>(f.total_rows()));
  EXPECT_EQ(
      quarry_kronecker_multiply_f64(ctx.get(), f.layout, 2, r, c, p, ld, 2, x.data(), y.data()),
      QUARRY_ERR_INVALID_ARGUMENT);
  x[0] = NAN;
  EXPECT_EQ(
      quarry_kronecker_multiply_f64(ctx.get(), f.layout, 2, r, c, p, ld, 0, x.data(), y.data()),
      QUARRY_ERR_NONFINITE);
  EXPECT_EQ(
      quarry_kronecker_multiply_f64(ctx.get(), f.layout, 2, r, c, p, ld, 0, x.data(), nullptr),
      QUARRY_ERR_NULL_POINTER);
}

}  // namespace
