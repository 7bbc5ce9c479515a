// Leverage scores (exact, approximate, ridge), squared row norms, weighted sampling and the
// dynamic sampling tree.
#include <quarry.h>

#include <gtest/gtest.h>
#include <lapacke.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include <string>
#include <vector>

#include "c_handles.hpp"

namespace {

using quarry_test::make_context;
using quarry_test::make_options;

struct TreeDeleter {
  void operator()(quarry_sample_tree* t) const { quarry_sample_tree_destroy(t); }
};
using TreePtr = std::unique_ptr<quarry_sample_tree, TreeDeleter>;

std::string last_error(quarry_context* ctx) { return quarry_context_last_error(ctx); }

// Column-major m x n Gaussian matrix.
std::vector<double> gaussian(uint64_t seed, int64_t m, int64_t n) {
  return quarry_test::normals(seed, m * n);
}

// Rows i.i.d. multivariate t with `dof` degrees of freedom: Gaussian rows divided by
// sqrt(chi^2_dof / dof), which gives heavy-tailed leverage (the T1 / T3 designs).
std::vector<double> heavy_tailed(uint64_t seed, int64_t m, int64_t n, int dof) {
  std::vector<double> a = gaussian(seed, m, n);
  const std::vector<double> z = quarry_test::normals(seed + 1, m * dof);
  for (int64_t i = 0; i < m; ++i) {
    double chi2 = 0;
    for (int d = 0; d < dof; ++d)
      chi2 += z[static_cast<size_t>(i * dof + d)] * z[static_cast<size_t>(i * dof + d)];
    const double scale = 1.0 / std::sqrt(chi2 / dof);
    for (int64_t j = 0; j < n; ++j) a[static_cast<size_t>(i + j * m)] *= scale;
  }
  return a;
}

std::vector<double> scores_of(quarry_context* ctx, const std::vector<double>& a, int64_t m,
                              int64_t n, const quarry_options* opts,
                              int32_t layout = QUARRY_COL_MAJOR) {
  std::vector<double> al = a;
  if (layout == QUARRY_ROW_MAJOR) {
    for (int64_t i = 0; i < m; ++i) {
      for (int64_t j = 0; j < n; ++j)
        al[static_cast<size_t>(i * n + j)] = a[static_cast<size_t>(i + j * m)];
    }
  }
  std::vector<double> s(static_cast<size_t>(m));
  EXPECT_EQ(quarry_leverage_scores_f64(ctx, layout, m, n, al.data(),
                                       layout == QUARRY_COL_MAJOR ? m : n, opts, s.data()),
            QUARRY_OK)
      << last_error(ctx);
  return s;
}

// a_i^T (A^T A + lambda I)^+ a_i from the SVD (reference for the tests).
std::vector<double> reference_scores(std::vector<double> a, int64_t m, int64_t n, double lambda) {
  const int64_t k = std::min(m, n);
  std::vector<double> s(static_cast<size_t>(k)), u(static_cast<size_t>(m * k)),
      vt(static_cast<size_t>(k * n)), superb(static_cast<size_t>(k));
  EXPECT_EQ(LAPACKE_dgesvd(LAPACK_COL_MAJOR, 'S', 'S', static_cast<int>(m), static_cast<int>(n),
                           a.data(), static_cast<int>(m), s.data(), u.data(), static_cast<int>(m),
                           vt.data(), static_cast<int>(k), superb.data()),
            0);
  std::vector<double> out(static_cast<size_t>(m), 0.0);
  const double tol = static_cast<double>(std::max(m, n)) * 2.2e-16 * s[0];
  for (int64_t j = 0; j < k; ++j) {
    if (s[static_cast<size_t>(j)] <= tol) continue;
    const double f = lambda == 0
                         ? 1.0
                         : s[static_cast<size_t>(j)] * s[static_cast<size_t>(j)] /
                               (s[static_cast<size_t>(j)] * s[static_cast<size_t>(j)] + lambda);
    for (int64_t i = 0; i < m; ++i)
      out[static_cast<size_t>(i)] +=
          f * u[static_cast<size_t>(i + j * m)] * u[static_cast<size_t>(i + j * m)];
  }
  return out;
}

double sum(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return s;
}

TEST(Leverage, ExactScoresMatchTheSvdAndSumToTheRankInEitherLayout) {
  auto ctx = make_context();
  const int64_t m = 300, n = 12;
  const std::vector<double> a = heavy_tailed(1, m, n, 3);
  const auto col = scores_of(ctx.get(), a, m, n, nullptr);
  const auto row = scores_of(ctx.get(), a, m, n, nullptr, QUARRY_ROW_MAJOR);
  EXPECT_EQ(col, row);
  const auto want = reference_scores(a, m, n, 0);
  for (int64_t i = 0; i < m; ++i)
    EXPECT_NEAR(col[static_cast<size_t>(i)], want[static_cast<size_t>(i)], 1e-13);
  EXPECT_NEAR(sum(col), 12.0, 1e-12);
}

TEST(Leverage, RankDeficientInputGivesTheScoresOfItsColumnSpace) {
  auto ctx = make_context();
  const int64_t m = 200, n = 10;
  std::vector<double> a = gaussian(2, m, n);
  for (int64_t i = 0; i < m; ++i) {
    a[static_cast<size_t>(i + 3 * m)] = a[static_cast<size_t>(i + 1 * m)];  // duplicate column
    a[static_cast<size_t>(i + 7 * m)] = 0.0;                                // zero column
  }
  const auto got = scores_of(ctx.get(), a, m, n, nullptr);
  EXPECT_NEAR(sum(got), 8.0, 1e-10);
  const auto want = reference_scores(a, m, n, 0);
  for (int64_t i = 0; i < m; ++i)
    EXPECT_NEAR(got[static_cast<size_t>(i)], want[static_cast<size_t>(i)], 1e-12);
  // A wide matrix of full row rank: every row is essential.
  const auto wide = scores_of(ctx.get(), gaussian(3, 5, 9), 5, 9, nullptr);
  for (double s : wide) EXPECT_NEAR(s, 1.0, 1e-13);
  // The zero matrix has rank 0.
  for (double s : scores_of(ctx.get(), std::vector<double>(40, 0.0), 10, 4, nullptr))
    EXPECT_EQ(s, 0.0);
}

TEST(Leverage, CoherentRowsCarryTheirWholeScore) {
  auto ctx = make_context();
  const int64_t m = 500, n = 6;
  std::vector<double> a = gaussian(4, m, n);
  for (double& x : a) x *= 1e-8;
  for (int64_t j = 0; j < n; ++j) a[static_cast<size_t>(j * 50 + j * m)] = 1.0 + j;
  const auto s = scores_of(ctx.get(), a, m, n, nullptr);
  for (int64_t j = 0; j < n; ++j) EXPECT_NEAR(s[static_cast<size_t>(j * 50)], 1.0, 1e-10);
}

TEST(Leverage, RidgeScoresMatchTheirDefinition) {
  auto ctx = make_context();
  const int64_t m = 400, n = 15;
  const std::vector<double> a = heavy_tailed(5, m, n, 1);
  for (double lambda : {1e-3, 1.0, 1e3}) {
    auto opts = make_options();
    ASSERT_EQ(quarry_options_set_f64(opts.get(), QUARRY_OPT_RIDGE, lambda), QUARRY_OK);
    const auto got = scores_of(ctx.get(), a, m, n, opts.get());
    const auto want = reference_scores(a, m, n, lambda);
    for (int64_t i = 0; i < m; ++i) {
      EXPECT_NEAR(got[static_cast<size_t>(i)], want[static_cast<size_t>(i)],
                  1e-12 + 1e-10 * want[static_cast<size_t>(i)])
          << lambda;
    }
  }
}

// The fraction of rows whose approximate score is within a factor 2 of the exact one.
double fraction_within_two(const std::vector<double>& approx, const std::vector<double>& exact) {
  int64_t good = 0;
  for (size_t i = 0; i < exact.size(); ++i) {
    if (approx[i] <= 2 * exact[i] && exact[i] <= 2 * approx[i]) ++good;
  }
  return static_cast<double>(good) / static_cast<double>(exact.size());
}

TEST(Leverage, ApproximateScoresAreWithinAFactorTwoOnNearlyEveryRow) {
  auto ctx = make_context();
  const int64_t m = 20000, n = 30;
  for (int dof : {1, 3}) {  // heavy-tailed (coherent) designs
    const std::vector<double> a = heavy_tailed(static_cast<uint64_t>(10 + dof), m, n, dof);
    const auto exact = scores_of(ctx.get(), a, m, n, nullptr);
    for (int32_t kind : {QUARRY_SKETCH_SPARSE_SIGN, QUARRY_SKETCH_SRHT, QUARRY_SKETCH_GAUSSIAN}) {
      auto opts = make_options();
      ASSERT_EQ(
          quarry_options_set_i64(opts.get(), QUARRY_OPT_LEVERAGE_METHOD, QUARRY_LEVERAGE_APPROX),
          QUARRY_OK);
      ASSERT_EQ(quarry_options_set_i64(opts.get(), QUARRY_OPT_SKETCH_KIND, kind), QUARRY_OK);
      ASSERT_EQ(quarry_options_set_i64(opts.get(), QUARRY_OPT_SEED, 3), QUARRY_OK);
      const auto approx = scores_of(ctx.get(), a, m, n, opts.get());
      EXPECT_GE(fraction_within_two(approx, exact), 0.99) << "dof " << dof << " kind " << kind;
      EXPECT_NEAR(sum(approx), 30.0, 1e-10);  // normalized to the rank
      // Ridge scores too.
      ASSERT_EQ(quarry_options_set_f64(opts.get(), QUARRY_OPT_RIDGE, 10.0), QUARRY_OK);
      ASSERT_EQ(quarry_options_unset(opts.get(), QUARRY_OPT_LEVERAGE_METHOD), QUARRY_OK);
      const auto ridge_exact = scores_of(ctx.get(), a, m, n, opts.get());
      ASSERT_EQ(
          quarry_options_set_i64(opts.get(), QUARRY_OPT_LEVERAGE_METHOD, QUARRY_LEVERAGE_APPROX),
          QUARRY_OK);
      EXPECT_GE(fraction_within_two(scores_of(ctx.get(), a, m, n, opts.get()), ridge_exact), 0.99);
    }
  }
}

TEST(Leverage, BadInputIsRefusedWithAMessage) {
  auto ctx = make_context();
  std::vector<double> a(20, 1.0), s(10);
  EXPECT_EQ(quarry_leverage_scores_f64(ctx.get(), QUARRY_COL_MAJOR, 10, 2, a.data(), 10, nullptr,
                                       s.data()),
            QUARRY_OK);
  EXPECT_EQ(quarry_leverage_scores_f64(ctx.get(), QUARRY_COL_MAJOR, 10, 2, a.data(), 10, nullptr,
                                       nullptr),
            QUARRY_ERR_NULL_POINTER);
  EXPECT_EQ(quarry_leverage_scores_f64(ctx.get(), QUARRY_COL_MAJOR, 10, 2, a.data(), 9, nullptr,
                                       s.data()),
            QUARRY_ERR_BAD_LEADING_DIM);
  EXPECT_EQ(quarry_leverage_scores_f64(ctx.get(), QUARRY_COL_MAJOR, -1, 2, a.data(), 10, nullptr,
                                       s.data()),
            QUARRY_ERR_BAD_DIMENSION);
  a[13] = std::nan("");
  EXPECT_EQ(quarry_leverage_scores_f64(ctx.get(), QUARRY_COL_MAJOR, 10, 2, a.data(), 10, nullptr,
                                       s.data()),
            QUARRY_ERR_NONFINITE);
  EXPECT_NE(last_error(ctx.get()).find("A[3, 1] = nan"), std::string::npos)
      << last_error(ctx.get());
  EXPECT_EQ(quarry_row_norms_squared_f64(ctx.get(), QUARRY_ROW_MAJOR, 10, 2, a.data(), 2, s.data()),
            QUARRY_ERR_NONFINITE);
  a[13] = 1.0;
  auto opts = make_options();
  ASSERT_EQ(quarry_options_set_i64(opts.get(), QUARRY_OPT_LEVERAGE_METHOD, QUARRY_LEVERAGE_APPROX),
            QUARRY_OK);
  ASSERT_EQ(quarry_options_set_i64(opts.get(), QUARRY_OPT_SKETCH_ROWS, 5), QUARRY_OK);
  ASSERT_EQ(quarry_options_set_i64(opts.get(), QUARRY_OPT_SKETCH_KIND, QUARRY_SKETCH_SPARSE_SIGN),
            QUARRY_OK);
  EXPECT_EQ(quarry_leverage_scores_f64(ctx.get(), QUARRY_COL_MAJOR, 10, 2, a.data(), 10, opts.get(),
                                       s.data()),
            QUARRY_OK)
      << last_error(ctx.get());
  EXPECT_EQ(
      quarry_leverage_scores_f64(nullptr, QUARRY_COL_MAJOR, 10, 2, a.data(), 10, nullptr, s.data()),
      QUARRY_ERR_NULL_POINTER);
}

TEST(RowNorms, SquaredRowNormsAreBitwiseTheSameInEitherLayout) {
  auto ctx = make_context();
  const int64_t m = 37, n = 5;
  const std::vector<double> a = gaussian(6, m, n);
  std::vector<double> at(a.size()), col(static_cast<size_t>(m)), row(static_cast<size_t>(m));
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j)
      at[static_cast<size_t>(i * n + j)] = a[static_cast<size_t>(i + j * m)];
  }
  ASSERT_EQ(
      quarry_row_norms_squared_f64(ctx.get(), QUARRY_COL_MAJOR, m, n, a.data(), m, col.data()),
      QUARRY_OK);
  ASSERT_EQ(
      quarry_row_norms_squared_f64(ctx.get(), QUARRY_ROW_MAJOR, m, n, at.data(), n, row.data()),
      QUARRY_OK);
  EXPECT_EQ(col, row);
  for (int64_t i = 0; i < m; ++i) {
    double want = 0;
    for (int64_t j = 0; j < n; ++j)
      want += a[static_cast<size_t>(i + j * m)] * a[static_cast<size_t>(i + j * m)];
    EXPECT_EQ(col[static_cast<size_t>(i)], want);
  }
}

// ---------------------------------------------------------------------------------------
// Weighted sampling

quarry_rng_state state_of(uint64_t seed) {
  quarry_rng_state s;
  quarry_rng_state_from_seed(seed, &s);
  return s;
}

TEST(Sampling, WithReplacementDrawsInProportionToTheWeights) {
  auto ctx = make_context();
  const std::vector<double> w = {1, 0, 3, 6, 0, 10};  // p = .05 0 .15 .3 0 .5
  const int64_t count = 20000;
  std::vector<int64_t> idx(count);
  std::vector<double> sc(count);
  const quarry_rng_state st = state_of(1);
  ASSERT_EQ(quarry_sample_weighted(ctx.get(), 6, w.data(), count, 1, &st, idx.data(), sc.data()),
            QUARRY_OK);
  EXPECT_TRUE(std::is_sorted(idx.begin(), idx.end()));
  std::vector<int64_t> hits(6, 0);
  for (int64_t t = 0; t < count; ++t) {
    ++hits[static_cast<size_t>(idx[static_cast<size_t>(t)])];
    const double p = w[static_cast<size_t>(idx[static_cast<size_t>(t)])] / 20.0;
    EXPECT_DOUBLE_EQ(sc[static_cast<size_t>(t)], 1.0 / std::sqrt(count * p));
  }
  for (size_t i = 0; i < 6; ++i) {
    const double p = w[i] / 20.0;
    EXPECT_NEAR(static_cast<double>(hits[i]), count * p, 6 * std::sqrt(count * p * (1 - p)) + 1e-9)
        << i;
  }
}

TEST(Sampling, WithoutReplacementIncludesEachRowWithItsProbability) {
  auto ctx = make_context();
  // pi = min(1, c w) summing to 4: the weight-100 row is capped at 1, the rest share 3.
  const std::vector<double> w = {100, 1, 2, 3, 4, 0, 5, 6, 1};  // uncapped sum 22
  const int64_t count = 4, trials = 4000;
  std::vector<double> pi(w.size());
  for (size_t i = 0; i < w.size(); ++i) pi[i] = i == 0 ? 1.0 : 3.0 * w[i] / 22.0;
  std::vector<int64_t> hits(w.size(), 0);
  for (int64_t t = 0; t < trials; ++t) {
    std::vector<int64_t> idx(count);
    std::vector<double> sc(count);
    const quarry_rng_state st = state_of(static_cast<uint64_t>(t));
    ASSERT_EQ(quarry_sample_weighted(ctx.get(), 9, w.data(), count, 0, &st, idx.data(), sc.data()),
              QUARRY_OK);
    ASSERT_TRUE(std::is_sorted(idx.begin(), idx.end()));
    ASSERT_EQ(std::set<int64_t>(idx.begin(), idx.end()).size(), static_cast<size_t>(count));
    for (int64_t k = 0; k < count; ++k) {
      const auto i = static_cast<size_t>(idx[static_cast<size_t>(k)]);
      ++hits[i];
      EXPECT_NEAR(sc[static_cast<size_t>(k)], 1.0 / std::sqrt(pi[i]), 1e-12);
    }
  }
  EXPECT_EQ(hits[0], trials);
  EXPECT_EQ(hits[5], 0);
  for (size_t i = 1; i < w.size(); ++i) {
    EXPECT_NEAR(static_cast<double>(hits[i]), trials * pi[i],
                6 * std::sqrt(trials * pi[i] * (1 - pi[i])) + 1e-9)
        << i;
  }
}

TEST(Sampling, BadWeightsAndCountsAreRefused) {
  auto ctx = make_context();
  std::vector<int64_t> idx(5);
  std::vector<double> sc(5);
  const quarry_rng_state st = state_of(1);
  auto call = [&](std::vector<double> w, int64_t count, int32_t repl) {
    return quarry_sample_weighted(ctx.get(), static_cast<int64_t>(w.size()), w.data(), count, repl,
                                  &st, idx.data(), sc.data());
  };
  EXPECT_EQ(call({1, 2, 3}, 3, 0), QUARRY_OK);
  EXPECT_EQ(call({1, -2, 3}, 2, 1), QUARRY_ERR_INVALID_ARGUMENT);
  EXPECT_NE(last_error(ctx.get()).find("weights[1] = -2"), std::string::npos)
      << last_error(ctx.get());
  EXPECT_EQ(call({1, std::nan(""), 3}, 2, 1), QUARRY_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(call({0, 0}, 1, 1), QUARRY_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(call({1, 0, 3}, 3, 0), QUARRY_ERR_BAD_DIMENSION);  // 2 positive weights
  EXPECT_EQ(call({1, 2}, -1, 1), QUARRY_ERR_BAD_DIMENSION);
  EXPECT_EQ(call({1, 2}, 1, 2), QUARRY_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(call({1e308, 1e308}, 1, 1), QUARRY_ERR_INVALID_ARGUMENT);  // the sum overflows
  EXPECT_EQ(quarry_sample_weighted(ctx.get(), 2, nullptr, 1, 1, &st, idx.data(), sc.data()),
            QUARRY_ERR_NULL_POINTER);
  const double w[] = {1, 1};
  EXPECT_EQ(quarry_sample_weighted(ctx.get(), 2, w, 1, 1, nullptr, idx.data(), sc.data()),
            QUARRY_ERR_NULL_POINTER);
  EXPECT_EQ(quarry_sample_weighted(ctx.get(), 0, w, 1, 1, &st, idx.data(), sc.data()),
            QUARRY_ERR_BAD_DIMENSION);
}

// ---------------------------------------------------------------------------------------
// The dynamic sampling tree

TreePtr make_tree(quarry_context* ctx, const std::vector<double>& w) {
  quarry_sample_tree* t = nullptr;
  EXPECT_EQ(quarry_sample_tree_create(ctx, static_cast<int64_t>(w.size()), w.data(), &t), QUARRY_OK)
      << last_error(ctx);
  return TreePtr(t);
}

TEST(SampleTree, DrawsFollowTheWeightsThroughUpdates) {
  auto ctx = make_context();
  auto tree = make_tree(ctx.get(), {5, 0, 1, 4, 0});  // 5 leaves: padded to 8
  const int64_t count = 20000;
  std::vector<int64_t> idx(count);
  std::vector<double> pr(count);
  const quarry_rng_state st = state_of(9);
  auto frequencies_match = [&](const std::vector<double>& w) {
    ASSERT_EQ(quarry_sample_tree_sample(ctx.get(), tree.get(), &st, count, idx.data(), pr.data()),
              QUARRY_OK);
    double total = 0;
    for (double x : w) total += x;
    std::vector<int64_t> hits(w.size(), 0);
    for (int64_t t = 0; t < count; ++t) {
      ++hits[static_cast<size_t>(idx[static_cast<size_t>(t)])];
      EXPECT_EQ(pr[static_cast<size_t>(t)],
                w[static_cast<size_t>(idx[static_cast<size_t>(t)])] / total);
    }
    for (size_t i = 0; i < w.size(); ++i) {
      const double p = w[i] / total;
      EXPECT_NEAR(static_cast<double>(hits[i]), count * p,
                  6 * std::sqrt(count * p * (1 - p)) + 1e-9)
          << i;
    }
  };
  frequencies_match({5, 0, 1, 4, 0});
  const int64_t which[] = {0, 4, 1};
  const double weights[] = {0, 2, 3};
  ASSERT_EQ(quarry_sample_tree_update(ctx.get(), tree.get(), 3, which, weights), QUARRY_OK);
  frequencies_match({0, 3, 1, 4, 2});
  int64_t m = 0;
  double total = 0, w4 = 0;
  ASSERT_EQ(quarry_sample_tree_get(tree.get(), &m, &total, 4, &w4), QUARRY_OK);
  EXPECT_EQ(m, 5);
  EXPECT_EQ(total, 10.0);
  EXPECT_EQ(w4, 2.0);
}

TEST(SampleTree, SumsNeverDriftAcrossManyUpdates) {
  auto ctx = make_context();
  const int64_t m = 1000;
  const std::vector<double> start = quarry_test::normals(3, m, 1.0);
  std::vector<double> w(static_cast<size_t>(m));
  for (int64_t i = 0; i < m; ++i)
    w[static_cast<size_t>(i)] = std::abs(start[static_cast<size_t>(i)]) * 1e3;
  auto tree = make_tree(ctx.get(), w);
  const std::vector<double> u = quarry_test::normals(4, 20000, 1.0);
  for (int64_t t = 0; t < 10000; ++t) {
    const int64_t i = static_cast<int64_t>(std::abs(u[static_cast<size_t>(2 * t)]) * 1e6) % m;
    const double v = std::abs(u[static_cast<size_t>(2 * t + 1)]) *
                     std::pow(10.0, static_cast<double>(t % 7) - 3);
    w[static_cast<size_t>(i)] = v;
    ASSERT_EQ(quarry_sample_tree_update(ctx.get(), tree.get(), 1, &i, &v), QUARRY_OK);
  }
  double total = 0;
  ASSERT_EQ(quarry_sample_tree_get(tree.get(), nullptr, &total, 0, nullptr), QUARRY_OK);
  double fresh_total = 0;
  auto fresh = make_tree(ctx.get(), w);
  ASSERT_EQ(quarry_sample_tree_get(fresh.get(), nullptr, &fresh_total, 0, nullptr), QUARRY_OK);
  EXPECT_EQ(total, fresh_total);  // bitwise: every node is recomputed from its children
}

TEST(SampleTree, BadUpdatesLeaveTheTreeUnchanged) {
  auto ctx = make_context();
  auto tree = make_tree(ctx.get(), {1, 2});
  const int64_t bad_index = 2, zero = 0;
  const double one = 1.0, negative = -1.0, huge = std::numeric_limits<double>::max();
  EXPECT_EQ(quarry_sample_tree_update(ctx.get(), tree.get(), 1, &bad_index, &one),
            QUARRY_ERR_BAD_DIMENSION);
  EXPECT_EQ(quarry_sample_tree_update(ctx.get(), tree.get(), 1, &zero, &negative),
            QUARRY_ERR_INVALID_ARGUMENT);
  double total = 0;
  ASSERT_EQ(quarry_sample_tree_get(tree.get(), nullptr, &total, 0, nullptr), QUARRY_OK);
  EXPECT_EQ(total, 3.0);
  auto big = make_tree(ctx.get(), {1, huge});
  EXPECT_EQ(quarry_sample_tree_update(ctx.get(), big.get(), 1, &zero, &huge),
            QUARRY_ERR_INVALID_ARGUMENT);
  EXPECT_NE(last_error(ctx.get()).find("overflow"), std::string::npos);
  double w0 = 0;
  ASSERT_EQ(quarry_sample_tree_get(big.get(), nullptr, &total, 0, &w0), QUARRY_OK);
  EXPECT_EQ(total, huge);
  EXPECT_EQ(w0, 1.0);
  EXPECT_EQ(quarry_sample_tree_get(tree.get(), nullptr, nullptr, 5, &total),
            QUARRY_ERR_BAD_DIMENSION);
  EXPECT_EQ(quarry_sample_tree_get(nullptr, nullptr, nullptr, 0, nullptr), QUARRY_ERR_NULL_POINTER);

  auto empty = make_tree(ctx.get(), {0, 0, 0});
  int64_t idx = 0;
  const quarry_rng_state st = state_of(1);
  EXPECT_EQ(quarry_sample_tree_sample(ctx.get(), empty.get(), &st, 1, &idx, nullptr),
            QUARRY_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(quarry_sample_tree_sample(ctx.get(), tree.get(), &st, -1, &idx, nullptr),
            QUARRY_ERR_BAD_DIMENSION);
  quarry_sample_tree* t = nullptr;
  EXPECT_EQ(quarry_sample_tree_create(ctx.get(), 0, nullptr, &t), QUARRY_ERR_BAD_DIMENSION);
  EXPECT_EQ(t, nullptr);
  const double bad[] = {1, -1};
  EXPECT_EQ(quarry_sample_tree_create(ctx.get(), 2, bad, &t), QUARRY_ERR_INVALID_ARGUMENT);
  ASSERT_EQ(quarry_sample_tree_create(ctx.get(), 3, nullptr, &t), QUARRY_OK);  // all zero
  quarry_sample_tree_destroy(t);
  quarry_sample_tree_destroy(nullptr);
}

}  // namespace
