// The least-squares operator (src/lstsq/operator.hpp): its passes over A against long-double
// references for every tile height of the column-major pass (64, 32, 16 and 8 rows, and
// the generic path for the last rows), both layouts and CSR; thread-count invariance;
// ||A||_F with over- and underflow and its NaN check.
#include "lstsq/operator.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "c_handles.hpp"
#include "core/error.hpp"

namespace {

using quarry::core::DenseView;
using quarry::core::Layout;
using quarry::lstsq::Operator;

// A column-major m x n matrix with leading dimension m + 3 (the padding holds NaN, which
// no pass may read).
struct Dense {
  int64_t m, n, ld;
  std::vector<double> a;
  double operator()(int64_t i, int64_t j) const { return a[static_cast<size_t>(i + j * ld)]; }
  DenseView<const double> view() const { return {Layout::ColMajor, m, n, a.data(), ld}; }
};

Dense make_dense(int64_t m, int64_t n, uint64_t seed) {
  Dense d{m, n, m + 3, {}};
  const std::vector<double> g = quarry_test::normals(seed, d.ld * n);
  d.a = g;
  for (int64_t j = 0; j < n; ++j) {
    for (int64_t i = m; i < d.ld; ++i) d.a[static_cast<size_t>(i + j * d.ld)] = NAN;
  }
  return d;
}

double max_abs(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s = std::max(s, std::abs(x));
  return s;
}

// A^T (b - A x) in long double (b = 0: -A^T A x).
std::vector<double> reference_gradient(const Dense& d, const std::vector<double>& x,
                                       const std::vector<double>* b) {
  std::vector<long double> r(static_cast<size_t>(d.m));
  for (int64_t i = 0; i < d.m; ++i) {
    long double s = b != nullptr ? (*b)[static_cast<size_t>(i)] : 0.0L;
    for (int64_t j = 0; j < d.n; ++j) s -= static_cast<long double>(d(i, j)) * x[j];
    r[static_cast<size_t>(i)] = s;
  }
  std::vector<double> g(static_cast<size_t>(d.n));
  for (int64_t j = 0; j < d.n; ++j) {
    long double s = 0;
    for (int64_t i = 0; i < d.m; ++i) s += static_cast<long double>(d(i, j)) * r[i];
    g[static_cast<size_t>(j)] = static_cast<double>(s);
  }
  return g;
}

TEST(LstsqOperator, ColumnMajorPassesMatchTheDefinitionForEveryTileHeight) {
  // n picks the tile height (64 rows up to n = 1024, then 32, 16, 8); m = 205 leaves 13
  // rows for the generic path after the full tiles.
  for (const int64_t n : {1, 7, 100, 1024, 1025, 2049, 4097, 8200}) {
    const Dense d = make_dense(205, n, 10 + static_cast<uint64_t>(n));
    const std::vector<double> x = quarry_test::normals(20, n), b = quarry_test::normals(21, 205);
    const Operator op(2, d.view());
    std::vector<double> g(static_cast<size_t>(n)), r(205);
    op.gram(x.data(), g.data());
    std::vector<double> ref = reference_gradient(d, x, nullptr);
    for (double& v : ref) v = -v;  // A^T A x
    double err = 0;
    for (int64_t j = 0; j < n; ++j) err = std::max(err, std::abs(g[j] - ref[j]));
    EXPECT_LE(err, 1e-12 * max_abs(ref) + 1e-300) << n;
    // The accurate pass: r = b - A x and A^T r to about twice the working precision.
    op.residual(x.data(), b.data(), 1, r.data(), g.data());
    ref = reference_gradient(d, x, &b);
    err = 0;
    for (int64_t j = 0; j < n; ++j) err = std::max(err, std::abs(g[j] - ref[j]));
    EXPECT_LE(err, 1e-13 * max_abs(ref) + 1e-300) << n;
    // A x.
    std::vector<double> ax(205);
    op.product(x.data(), ax.data());
    for (int64_t i = 0; i < 205; ++i) {
      long double s = 0;
      for (int64_t j = 0; j < n; ++j) s += static_cast<long double>(d(i, j)) * x[j];
      EXPECT_NEAR(ax[i], static_cast<double>(s), 1e-12 * std::sqrt(double(n)) * 10) << n;
      EXPECT_NEAR(r[i], b[i] - static_cast<double>(s), 1e-12 * std::sqrt(double(n)) * 10) << n;
    }
  }
}

TEST(LstsqOperator, PassesAreBitwiseTheSameForAnyThreadCountAndLayoutInvariantInValue) {
  // 9005 rows: three chunks of rows, the last one ending in a short tile.
  const Dense d = make_dense(9005, 7, 30);
  const std::vector<double> x = quarry_test::normals(31, 7), b = quarry_test::normals(32, 9005);
  std::vector<std::vector<double>> out;
  for (const int64_t threads : {1, 2, 3}) {
    const Operator op(threads, d.view());
    std::vector<double> g(7), r(9005), h(7);
    op.gram(x.data(), g.data());
    op.residual(x.data(), b.data(), 1, r.data(), h.data());
    g.insert(g.end(), h.begin(), h.end());
    g.push_back(op.frobenius());
    out.push_back(g);
  }
  EXPECT_EQ(out[0], out[1]);
  EXPECT_EQ(out[0], out[2]);
  // Row-major storage of the same matrix: the same values to rounding.
  std::vector<double> rm(static_cast<size_t>(9005 * 7));
  for (int64_t i = 0; i < 9005; ++i) {
    for (int64_t j = 0; j < 7; ++j) rm[static_cast<size_t>(i * 7 + j)] = d(i, j);
  }
  const Operator op(2, DenseView<const double>{Layout::RowMajor, 9005, 7, rm.data(), 7});
  std::vector<double> g(7);
  op.gram(x.data(), g.data());
  for (int64_t j = 0; j < 7; ++j) EXPECT_NEAR(g[j], out[0][j], 1e-11 * max_abs(out[0]));
}

TEST(LstsqOperator, FrobeniusNormSurvivesOverAndUnderflowAndNamesANaN) {
  Dense d = make_dense(300, 5, 40);
  long double ss = 0;
  for (int64_t j = 0; j < 5; ++j) {
    for (int64_t i = 0; i < 300; ++i) ss += static_cast<long double>(d(i, j)) * d(i, j);
  }
  const double f = static_cast<double>(std::sqrt(ss));
  EXPECT_NEAR(Operator(2, d.view()).frobenius(), f, 1e-14 * f);
  for (const double scale : {1e200, 1e-200}) {
    Dense s = d;
    for (double& v : s.a) v *= scale;
    EXPECT_NEAR(Operator(2, s.view()).frobenius() / scale, f, 1e-13 * f) << scale;
  }
  d.a[static_cast<size_t>(17 + 3 * d.ld)] = std::numeric_limits<double>::infinity();
  try {
    Operator(2, d.view()).frobenius();
    ADD_FAILURE() << "no error for an infinite entry";
  } catch (const quarry::core::Error& e) {
    EXPECT_EQ(e.status(), QUARRY_ERR_NONFINITE);
    EXPECT_NE(std::string(e.what()).find("A[17, 3]"), std::string::npos) << e.what();
  }
}

}  // namespace
