// Dynamic least squares (quarry/lstsq.h): the exact mode against the normal equations of
// all rows at once (any batch sizes, both layouts, a ridge), the minimum-norm solution
// before n rows, accuracy where recursive least squares fails (cond 1e8), the residual of
// any x; the sampled mode's objective within (1 + eps) of the minimum at checkpoints of a
// coherent stream while keeping a small part of it, reproducibility; bad input.
#include <quarry.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <memory>
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

struct DynamicDeleter {
  void operator()(quarry_dynamic_lstsq* d) const { quarry_dynamic_lstsq_destroy(d); }
};
using DynamicPtr = std::unique_ptr<quarry_dynamic_lstsq, DynamicDeleter>;

DynamicPtr make_dynamic(quarry_context* ctx, int64_t n, const quarry_options* opts) {
  quarry_dynamic_lstsq* d = nullptr;
  EXPECT_EQ(quarry_dynamic_lstsq_create(ctx, n, opts, &d), QUARRY_OK);
  return DynamicPtr(d);
}

double max_rel_diff(const std::vector<double>& x, const std::vector<double>& y) {
  double d = 0, s = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    d = std::max(d, std::abs(x[i] - y[i]));
    s = std::max(s, std::abs(y[i]));
  }
  return d / s;
}

// Inserts rows [from, to) of the row-major a (m x n) in `layout` (a column-major copy with
// a padded leading dimension for QUARRY_COL_MAJOR).
quarry_status insert(quarry_context* ctx, quarry_dynamic_lstsq* d, const std::vector<double>& a,
                     const std::vector<double>& b, int64_t n, int64_t from, int64_t to,
                     int32_t layout) {
  const int64_t k = to - from;
  if (layout == QUARRY_ROW_MAJOR) {
    return quarry_dynamic_lstsq_insert_f64(ctx, d, layout, k, a.data() + from * n, n,
                                           b.data() + from);
  }
  const int64_t ld = k + 3;
  std::vector<double> col(static_cast<size_t>(ld * n), NAN);
  for (int64_t i = 0; i < k; ++i) {
    for (int64_t j = 0; j < n; ++j) col[i + j * ld] = a[(from + i) * n + j];
  }
  return quarry_dynamic_lstsq_insert_f64(ctx, d, layout, k, col.data(), ld, b.data() + from);
}

TEST(DynamicLstsq, ExactModeMatchesTheNormalEquationsOfAllRows) {
  const int64_t m = 3000, n = 12;
  const std::vector<double> a = gaussian(m * n, 1), noise = gaussian(m, 2);
  std::vector<double> b(static_cast<size_t>(m));
  for (int64_t i = 0; i < m; ++i) {
    b[i] = noise[i];
    for (int64_t j = 0; j < n; ++j) b[i] += (j + 1) * a[i * n + j];
  }
  auto ctx = make_context();
  for (const double lambda : {0.0, 5.0}) {
    for (const int32_t layout : {QUARRY_ROW_MAJOR, QUARRY_COL_MAJOR}) {
      auto opts = make_options();
      quarry_options_set_f64(opts.get(), QUARRY_OPT_RIDGE, lambda);
      auto d = make_dynamic(ctx.get(), n, opts.get());
      // Batches of 1, 7, 300, 1000, ... rows; checked at every boundary.
      const int64_t sizes[] = {1, 7, 13, 300, 1000, 679, 1000};
      int64_t at = 0;
      for (const int64_t k : sizes) {
        ASSERT_EQ(insert(ctx.get(), d.get(), a, b, n, at, at + k, layout), QUARRY_OK);
        at += k;
        if (at < n) continue;
        std::vector<double> x(static_cast<size_t>(n));
        quarry_report* rep = nullptr;
        ASSERT_EQ(quarry_dynamic_lstsq_solve_f64(ctx.get(), d.get(), x.data(), &rep), QUARRY_OK);
        ReportPtr r(rep);
        const std::vector<double> ref = normal_equations(a, b, at, n, lambda);
        EXPECT_LE(max_rel_diff(x, ref), 1e-11) << at << " rows, lambda " << lambda;
        int64_t rows = 0, held = 0, rank = 0, method = 0;
        double obj = 0;
        quarry_report_get_i64(rep, QUARRY_REPORT_QUERIES, &rows);
        quarry_report_get_i64(rep, QUARRY_REPORT_SKETCH_ROWS, &held);
        quarry_report_get_i64(rep, QUARRY_REPORT_RANK, &rank);
        quarry_report_get_i64(rep, QUARRY_REPORT_METHOD, &method);
        quarry_report_get_f64(rep, QUARRY_REPORT_OBJECTIVE, &obj);
        EXPECT_EQ(rows, at);
        EXPECT_EQ(held, at);
        EXPECT_EQ(rank, n);
        EXPECT_EQ(method, QUARRY_LSTSQ_DIRECT);
        const double want = ridge_objective(a, b, at, n, ref, lambda);
        EXPECT_NEAR(obj, want, 1e-10 * want);
      }
      // The residual of any x, against its direct evaluation over all rows.
      const std::vector<double> y = gaussian(n, 3);
      double norm = 0;
      ASSERT_EQ(quarry_dynamic_lstsq_residual_f64(ctx.get(), d.get(), y.data(), &norm), QUARRY_OK);
      const double want = std::sqrt(ridge_objective(a, b, m, n, y, lambda));
      EXPECT_NEAR(norm, want, 1e-12 * want);
    }
  }
}

TEST(DynamicLstsq, FewerRowsThanColumnsGiveTheMinimumNormSolution) {
  const int64_t m = 3, n = 5;
  const std::vector<double> a = gaussian(m * n, 4), b = gaussian(m, 5);
  auto ctx = make_context();
  auto d = make_dynamic(ctx.get(), n, nullptr);
  std::vector<double> x(static_cast<size_t>(n), NAN);
  quarry_report* rep = nullptr;
  ASSERT_EQ(quarry_dynamic_lstsq_solve_f64(ctx.get(), d.get(), x.data(), &rep), QUARRY_OK);
  ReportPtr r0(rep);
  for (const double v : x) EXPECT_EQ(v, 0.0);  // no rows yet
  ASSERT_EQ(insert(ctx.get(), d.get(), a, b, n, 0, m, QUARRY_ROW_MAJOR), QUARRY_OK);
  ASSERT_EQ(quarry_dynamic_lstsq_solve_f64(ctx.get(), d.get(), x.data(), &rep), QUARRY_OK);
  ReportPtr r(rep);
  int64_t rank = 0;
  quarry_report_get_i64(rep, QUARRY_REPORT_RANK, &rank);
  EXPECT_EQ(rank, m);
  // A x = b, and x = A^T z (the row space): z from (A A^T) z = b.
  for (int64_t i = 0; i < m; ++i) {
    double s = -b[i];
    for (int64_t j = 0; j < n; ++j) s += a[i * n + j] * x[j];
    EXPECT_NEAR(s, 0.0, 1e-12);
  }
  std::vector<double> at(static_cast<size_t>(n * m));
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) at[j * m + i] = a[i * n + j];
  }
  // z minimizes ||A^T z - x||: zero residual when x is in the row space.
  const std::vector<double> z = normal_equations(at, x, n, m, 0.0);
  EXPECT_LE(ridge_objective(at, x, n, m, z, 0.0), 1e-24);
}

// Rows G diag(s) V^T with s spread over 1e8 and V a Householder reflection (scaling the
// columns alone would leave the normal equations unhurt), b = A x_true exactly: the QR
// updates recover x_true to about cond u, where the normal equations of the same rows
// (what recursive least squares maintains, cond^2 u = 1) lose every digit.
TEST(DynamicLstsq, IllConditionedRowsKeepQrAccuracy) {
  const int64_t m = 4000, n = 8;
  const std::vector<double> g = gaussian(m * n, 6), u = gaussian(n, 13);
  double uu = 0;
  for (const double v : u) uu += v * v;
  std::vector<double> a(static_cast<size_t>(m * n), 0.0);
  for (int64_t i = 0; i < m; ++i) {
    // row = (g_i * s) (I - 2 u u^T / u^T u)
    double proj = 0;
    for (int64_t j = 0; j < n; ++j)
      proj += g[i * n + j] * std::pow(10.0, -8.0 * j / (n - 1)) * u[j];
    for (int64_t j = 0; j < n; ++j) {
      a[i * n + j] = g[i * n + j] * std::pow(10.0, -8.0 * j / (n - 1)) - 2 * proj / uu * u[j];
    }
  }
  std::vector<double> x_true(static_cast<size_t>(n)), b(static_cast<size_t>(m), 0.0);
  for (int64_t j = 0; j < n; ++j) x_true[j] = 1.0 + j;
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) b[i] += a[i * n + j] * x_true[j];
  }
  auto ctx = make_context();
  auto d = make_dynamic(ctx.get(), n, nullptr);
  for (int64_t at = 0; at < m; at += 500) {
    ASSERT_EQ(insert(ctx.get(), d.get(), a, b, n, at, at + 500, QUARRY_ROW_MAJOR), QUARRY_OK);
  }
  std::vector<double> x(static_cast<size_t>(n));
  ASSERT_EQ(quarry_dynamic_lstsq_solve_f64(ctx.get(), d.get(), x.data(), nullptr), QUARRY_OK);
  EXPECT_LE(max_rel_diff(x, x_true), 1e-6);
  EXPECT_GE(max_rel_diff(normal_equations(a, b, m, n, 0.0), x_true), 1e-3);  // the contrast
}

// A coherent stream: Gaussian rows, and every 500th row a large spike on one coordinate
// (the rows that decide that coordinate), b = A x_true + noise. The sampled mode at
// eps = 0.1 stays within 1 + eps of the minimum at every checkpoint while holding a small
// part of the rows.
TEST(DynamicLstsq, SampledModeStaysWithinOnePlusEpsOfTheMinimum) {
  const int64_t m = 60000, n = 10, batch = 2000;
  std::vector<double> a = gaussian(m * n, 7), noise = gaussian(m, 8);
  std::vector<double> b(static_cast<size_t>(m));
  for (int64_t i = 0; i < m; ++i) {
    if (i % 500 == 0) a[i * n + (i / 500) % n] *= 300;
    b[i] = noise[i];
    for (int64_t j = 0; j < n; ++j) b[i] += a[i * n + j];
  }
  auto ctx = make_context();
  auto exact = make_dynamic(ctx.get(), n, nullptr);
  for (const uint64_t seed : {1u, 2u, 3u}) {
    auto opts = make_options();
    quarry_options_set_i64(opts.get(), QUARRY_OPT_LSTSQ_METHOD, QUARRY_LSTSQ_SKETCH_SOLVE);
    quarry_options_set_f64(opts.get(), QUARRY_OPT_TOLERANCE, 0.1);
    quarry_options_set_i64(opts.get(), QUARRY_OPT_SEED, static_cast<int64_t>(seed));
    auto sampled = make_dynamic(ctx.get(), n, opts.get());
    std::vector<double> x(static_cast<size_t>(n)), best(static_cast<size_t>(n));
    for (int64_t at = 0; at < m; at += batch) {
      ASSERT_EQ(insert(ctx.get(), sampled.get(), a, b, n, at, at + batch, QUARRY_ROW_MAJOR),
                QUARRY_OK);
      if (seed == 1) {
        ASSERT_EQ(insert(ctx.get(), exact.get(), a, b, n, at, at + batch, QUARRY_ROW_MAJOR),
                  QUARRY_OK);
      }
      if ((at / batch) % 5 != 4) continue;  // checkpoints every 10000 rows
      ASSERT_EQ(quarry_dynamic_lstsq_solve_f64(ctx.get(), sampled.get(), x.data(), nullptr),
                QUARRY_OK);
      ASSERT_EQ(quarry_dynamic_lstsq_solve_f64(ctx.get(), exact.get(), best.data(), nullptr),
                QUARRY_OK);
      double res = 0, opt = 0;
      ASSERT_EQ(quarry_dynamic_lstsq_residual_f64(ctx.get(), exact.get(), x.data(), &res),
                QUARRY_OK);
      ASSERT_EQ(quarry_dynamic_lstsq_residual_f64(ctx.get(), exact.get(), best.data(), &opt),
                QUARRY_OK);
      EXPECT_LE(res * res, 1.1 * opt * opt) << "seed " << seed << ", " << at + batch << " rows";
    }
    quarry_report* rep = nullptr;
    ASSERT_EQ(quarry_dynamic_lstsq_solve_f64(ctx.get(), sampled.get(), x.data(), &rep), QUARRY_OK);
    ReportPtr r(rep);
    int64_t rows = 0, held = 0;
    quarry_report_get_i64(rep, QUARRY_REPORT_QUERIES, &rows);
    quarry_report_get_i64(rep, QUARRY_REPORT_SKETCH_ROWS, &held);
    EXPECT_EQ(rows, m);
    EXPECT_LT(held, m / 10) << "seed " << seed;
    EXPECT_GE(held, n);
  }
}

// The rows kept depend on the sequence of rows and the seed, not on how it was batched.
TEST(DynamicLstsq, SampledModeIsReproducibleForAnyBatching) {
  const int64_t m = 6000, n = 6;
  const std::vector<double> a = gaussian(m * n, 9), b = gaussian(m, 10);
  auto ctx = make_context();
  auto opts = make_options();
  quarry_options_set_i64(opts.get(), QUARRY_OPT_LSTSQ_METHOD, QUARRY_LSTSQ_SKETCH_SOLVE);
  quarry_options_set_i64(opts.get(), QUARRY_OPT_SEED, 4);
  std::vector<std::vector<double>> xs;
  std::vector<int64_t> held;
  for (const int64_t batch : {int64_t{6000}, int64_t{1000}, int64_t{100}, int64_t{7}, int64_t{1}}) {
    auto d = make_dynamic(ctx.get(), n, opts.get());
    for (int64_t at = 0; at < m; at += batch) {
      ASSERT_EQ(insert(ctx.get(), d.get(), a, b, n, at, std::min(m, at + batch), QUARRY_ROW_MAJOR),
                QUARRY_OK);
    }
    xs.emplace_back(static_cast<size_t>(n));
    quarry_report* rep = nullptr;
    ASSERT_EQ(quarry_dynamic_lstsq_solve_f64(ctx.get(), d.get(), xs.back().data(), &rep),
              QUARRY_OK);
    ReportPtr r(rep);
    held.push_back(0);
    quarry_report_get_i64(rep, QUARRY_REPORT_SKETCH_ROWS, &held.back());
  }
  for (size_t t = 1; t < xs.size(); ++t) {
    EXPECT_EQ(held[t], held[0]) << "batching " << t;
    EXPECT_LE(max_rel_diff(xs[t], xs[0]), 1e-12) << "batching " << t;
  }
  EXPECT_LT(held[0], m / 2);
}

// Streams that sampling by A's leverage alone gets wrong, and one it would keep whole:
// - misspecified: b = sum_j a_j + tanh(3 a_0) + noise with rare spike rows (leaving out the
//   1 / sqrt(p) weights biases the fit: objective ratio about 1.4);
// - label outliers: 0.2% of the labels off by 1000 (rows of ordinary leverage);
// - zero rows with non-zero labels (a = 0, b = 3: leverage 0, but they weigh in the
//   objective the sample must estimate);
// - a column that is always zero (R_A singular for good).
// Each: the sampled x within 1.1 of the minimum, the reported objective within 20% of it,
// and a small part of the rows held.
TEST(DynamicLstsq, SampledModeHandlesMisspecifiedOutlyingAndDegenerateStreams) {
  const int64_t m = 40000, n = 8;
  for (int kind = 0; kind < 4; ++kind) {
    std::vector<double> a = gaussian(m * n, 30 + kind), e = gaussian(m, 40 + kind);
    std::vector<double> b(static_cast<size_t>(m));
    for (int64_t i = 0; i < m; ++i) {
      if (kind == 0 && i % 400 == 0) a[i * n + (i / 400) % n] *= 50;
      if (kind == 3) a[i * n + 2] = 0;
      b[i] = 0.1 * e[i];
      for (int64_t j = 0; j < n; ++j) b[i] += a[i * n + j];
      if (kind == 0) b[i] += std::tanh(3 * a[i * n]);
      if (kind == 1 && i % 500 == 7) b[i] += 1000 * e[(i + 1) % m];
      if (kind == 2 && i % 2 == 1) {
        for (int64_t j = 0; j < n; ++j) a[i * n + j] = 0;
        b[i] = 3;
      }
    }
    auto ctx = make_context();
    auto exact = make_dynamic(ctx.get(), n, nullptr);
    for (const uint64_t seed : {1u, 2u, 3u}) {
      auto opts = make_options();
      quarry_options_set_i64(opts.get(), QUARRY_OPT_LSTSQ_METHOD, QUARRY_LSTSQ_SKETCH_SOLVE);
      quarry_options_set_i64(opts.get(), QUARRY_OPT_SEED, static_cast<int64_t>(seed));
      auto sampled = make_dynamic(ctx.get(), n, opts.get());
      for (int64_t at = 0; at < m; at += 1000) {
        ASSERT_EQ(insert(ctx.get(), sampled.get(), a, b, n, at, at + 1000, QUARRY_ROW_MAJOR),
                  QUARRY_OK);
        if (seed == 1) {
          ASSERT_EQ(insert(ctx.get(), exact.get(), a, b, n, at, at + 1000, QUARRY_ROW_MAJOR),
                    QUARRY_OK);
        }
      }
      std::vector<double> x(static_cast<size_t>(n)), best(static_cast<size_t>(n));
      quarry_report* rep = nullptr;
      ASSERT_EQ(quarry_dynamic_lstsq_solve_f64(ctx.get(), sampled.get(), x.data(), &rep),
                QUARRY_OK);
      ReportPtr r(rep);
      ASSERT_EQ(quarry_dynamic_lstsq_solve_f64(ctx.get(), exact.get(), best.data(), nullptr),
                QUARRY_OK);
      double res = 0, opt = 0, reported = 0;
      int64_t held = 0;
      quarry_report_get_f64(rep, QUARRY_REPORT_OBJECTIVE, &reported);
      quarry_report_get_i64(rep, QUARRY_REPORT_SKETCH_ROWS, &held);
      ASSERT_EQ(quarry_dynamic_lstsq_residual_f64(ctx.get(), exact.get(), x.data(), &res),
                QUARRY_OK);
      ASSERT_EQ(quarry_dynamic_lstsq_residual_f64(ctx.get(), exact.get(), best.data(), &opt),
                QUARRY_OK);
      EXPECT_LE(res * res, 1.1 * opt * opt) << "stream " << kind << ", seed " << seed;
      EXPECT_NEAR(reported, opt * opt, 0.2 * opt * opt) << "stream " << kind << ", seed " << seed;
      EXPECT_LT(held, m / 4) << "stream " << kind << ", seed " << seed;
    }
  }
}

TEST(DynamicLstsq, RefusesBadInputAndLeavesTheHandleAsItWas) {
  auto ctx = make_context();
  quarry_dynamic_lstsq* raw = nullptr;
  EXPECT_EQ(quarry_dynamic_lstsq_create(ctx.get(), 0, nullptr, &raw), QUARRY_ERR_BAD_DIMENSION);
  EXPECT_EQ(raw, nullptr);
  EXPECT_EQ(quarry_dynamic_lstsq_create(ctx.get(), 3, nullptr, nullptr), QUARRY_ERR_NULL_POINTER);
  EXPECT_EQ(quarry_dynamic_lstsq_create(nullptr, 3, nullptr, &raw), QUARRY_ERR_NULL_POINTER);
  auto bad = make_options();
  quarry_options_set_i64(bad.get(), QUARRY_OPT_LSTSQ_METHOD, QUARRY_LSTSQ_GRAM_PRECONDITION);
  EXPECT_EQ(quarry_dynamic_lstsq_create(ctx.get(), 3, bad.get(), &raw),
            QUARRY_ERR_INVALID_ARGUMENT);
  auto zero = make_options();
  quarry_options_set_f64(zero.get(), QUARRY_OPT_TOLERANCE, 0.0);
  EXPECT_EQ(quarry_dynamic_lstsq_create(ctx.get(), 3, zero.get(), &raw),
            QUARRY_ERR_INVALID_ARGUMENT);
  quarry_dynamic_lstsq_destroy(nullptr);

  const int64_t n = 3;
  auto d = make_dynamic(ctx.get(), n, nullptr);
  std::vector<double> a = gaussian(10 * n, 11), b = gaussian(10, 12);
  ASSERT_EQ(quarry_dynamic_lstsq_insert_f64(ctx.get(), d.get(), QUARRY_ROW_MAJOR, 10, a.data(), n,
                                            b.data()),
            QUARRY_OK);
  std::vector<double> before(static_cast<size_t>(n)), after(static_cast<size_t>(n));
  ASSERT_EQ(quarry_dynamic_lstsq_solve_f64(ctx.get(), d.get(), before.data(), nullptr), QUARRY_OK);
  const auto ins = [&](int32_t layout, int64_t count, const double* aa, int64_t lda,
                       const double* bb) {
    return quarry_dynamic_lstsq_insert_f64(ctx.get(), d.get(), layout, count, aa, lda, bb);
  };
  EXPECT_EQ(ins(QUARRY_ROW_MAJOR, 0, nullptr, n, nullptr), QUARRY_OK);  // nothing to insert
  EXPECT_EQ(ins(QUARRY_ROW_MAJOR, -1, a.data(), n, b.data()), QUARRY_ERR_BAD_DIMENSION);
  EXPECT_EQ(ins(7, 10, a.data(), n, b.data()), QUARRY_ERR_BAD_LAYOUT);
  EXPECT_EQ(ins(QUARRY_ROW_MAJOR, 10, a.data(), n - 1, b.data()), QUARRY_ERR_BAD_LEADING_DIM);
  EXPECT_EQ(ins(QUARRY_ROW_MAJOR, 10, nullptr, n, b.data()), QUARRY_ERR_NULL_POINTER);
  EXPECT_EQ(ins(QUARRY_ROW_MAJOR, 10, a.data(), n, nullptr), QUARRY_ERR_NULL_POINTER);
  a[7] = NAN;
  EXPECT_EQ(ins(QUARRY_ROW_MAJOR, 10, a.data(), n, b.data()), QUARRY_ERR_NONFINITE);
  a[7] = 0.5;
  b[9] = INFINITY;
  EXPECT_EQ(ins(QUARRY_ROW_MAJOR, 10, a.data(), n, b.data()), QUARRY_ERR_NONFINITE);
  EXPECT_EQ(quarry_dynamic_lstsq_insert_f64(ctx.get(), nullptr, QUARRY_ROW_MAJOR, 10, a.data(), n,
                                            b.data()),
            QUARRY_ERR_NULL_POINTER);
  quarry_report* rep = nullptr;
  ASSERT_EQ(quarry_dynamic_lstsq_solve_f64(ctx.get(), d.get(), after.data(), &rep), QUARRY_OK);
  ReportPtr r(rep);
  int64_t rows = 0;
  quarry_report_get_i64(rep, QUARRY_REPORT_QUERIES, &rows);
  EXPECT_EQ(rows, 10);  // none of the failed batches went in
  EXPECT_EQ(before, after);
  EXPECT_EQ(quarry_dynamic_lstsq_solve_f64(ctx.get(), d.get(), nullptr, nullptr),
            QUARRY_ERR_NULL_POINTER);
  EXPECT_EQ(quarry_dynamic_lstsq_solve_f64(ctx.get(), nullptr, after.data(), nullptr),
            QUARRY_ERR_NULL_POINTER);
  double norm = 0;
  after[1] = NAN;
  EXPECT_EQ(quarry_dynamic_lstsq_residual_f64(ctx.get(), d.get(), after.data(), &norm),
            QUARRY_ERR_NONFINITE);
  EXPECT_EQ(quarry_dynamic_lstsq_residual_f64(ctx.get(), d.get(), before.data(), nullptr),
            QUARRY_ERR_NULL_POINTER);
}

}  // namespace
