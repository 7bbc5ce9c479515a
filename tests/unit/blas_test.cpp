#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "core/blas.hpp"
#include "core/error.hpp"
#include "core/views.hpp"

namespace {

using quarry::core::DenseView;
using quarry::core::Layout;
using quarry::core::Op;

// A deterministic, well-spread test value for entry (i, j) of matrix `id`.
double entry(int id, int64_t i, int64_t j) {
  return std::sin(1.0 + 0.7 * static_cast<double>(id) + 1.3 * static_cast<double>(i) +
                  0.37 * static_cast<double>(j));
}

template <class T>
struct Stored {
  std::vector<T> data;
  DenseView<T> view;
};

// A rows x cols matrix stored in `layout` with two spare entries per leading dimension.
template <class T>
Stored<T> make(int id, Layout layout, int64_t rows, int64_t cols) {
  const int64_t ld = (layout == Layout::ColMajor ? rows : cols) + 2;
  Stored<T> s;
  s.data.assign(static_cast<size_t>(ld * (layout == Layout::ColMajor ? cols : rows)), T(99));
  s.view = {layout, rows, cols, s.data.data(), ld};
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j) s.view(i, j) = static_cast<T>(entry(id, i, j));
  return s;
}

// C = 2 op(A) op(B) - C checked against a plain triple loop in double, in both layouts and
// all transpose combinations, to the standard componentwise bound of the computation in T.
template <class T>
void check_gemm() {
  const int64_t m = 7, n = 5, k = 9;
  for (Layout layout : {Layout::ColMajor, Layout::RowMajor}) {
    for (Op ta : {Op::NoTrans, Op::Trans}) {
      for (Op tb : {Op::NoTrans, Op::Trans}) {
        auto a = ta == Op::NoTrans ? make<T>(1, layout, m, k) : make<T>(1, layout, k, m);
        auto b = tb == Op::NoTrans ? make<T>(2, layout, k, n) : make<T>(2, layout, n, k);
        auto c = make<T>(3, layout, m, n);
        const auto c_before = c.data;
        const DenseView<T> op_a = ta == Op::NoTrans ? a.view : a.view.transposed();
        const DenseView<T> op_b = tb == Op::NoTrans ? b.view : b.view.transposed();
        quarry::core::gemm<T>(layout, ta, tb, m, n, k, T(2), a.data.data(), a.view.ld,
                              b.data.data(), b.view.ld, T(-1), c.data.data(), c.view.ld);
        const DenseView<const T> old_c{layout, m, n, c_before.data(), c.view.ld};
        for (int64_t i = 0; i < m; ++i) {
          for (int64_t j = 0; j < n; ++j) {
            double expected = -double(old_c(i, j)), magnitude = std::abs(double(old_c(i, j)));
            for (int64_t p = 0; p < k; ++p) {
              expected += 2.0 * double(op_a(i, p)) * double(op_b(p, j));
              magnitude += 2.0 * std::abs(double(op_a(i, p)) * double(op_b(p, j)));
            }
            // The sum in T carries at most (k + 2) u (|alpha| |A| |B| + |beta| |C|) error.
            const double bound = (k + 2) * double(std::numeric_limits<T>::epsilon()) * magnitude;
            EXPECT_NEAR(double(c.view(i, j)), expected, bound);
          }
        }
        // The padding between leading dimensions is untouched.
        const int64_t pad_index = layout == Layout::ColMajor ? m : n;
        EXPECT_EQ(c.data[static_cast<size_t>(pad_index)], T(99));
      }
    }
  }
}

TEST(Blas, DgemmMatchesTheDefinitionInBothLayoutsAndTransposes) { check_gemm<double>(); }
TEST(Blas, SgemmMatchesTheDefinitionInBothLayoutsAndTransposes) { check_gemm<float>(); }

TEST(Blas, GemmRefusesSizesBeyondTheBlasIntegerRange) {
  // A valid description of a 2^32 x 1 product (never touched: the narrowing fails first).
  double x = 0;
  const int64_t m = int64_t{1} << 32;
  try {
    quarry::core::gemm(Layout::ColMajor, Op::NoTrans, Op::NoTrans, m, 1, 1, 1.0, &x, m, &x, 1, 0.0,
                       &x, m);
    FAIL() << "expected QUARRY_ERR_SIZE_OVERFLOW";
  } catch (const quarry::core::Error& e) {
    EXPECT_EQ(e.status(), QUARRY_ERR_SIZE_OVERFLOW);
  }
}

TEST(Blas, GemmValidatesItsArgumentsInsteadOfLettingBlasPrint) {
  std::vector<double> x(16);
  auto status_of = [&](auto&& call) -> quarry_status {
    try {
      call();
    } catch (const quarry::core::Error& e) {
      return e.status();
    }
    return QUARRY_OK;
  };
  // Column-major A is 4 x 3 here, so lda = 3 < 4 is too small.
  EXPECT_EQ(status_of([&] {
              quarry::core::gemm(Layout::ColMajor, Op::NoTrans, Op::NoTrans, 4, 2, 3, 1.0, x.data(),
                                 3, x.data(), 3, 0.0, x.data(), 4);
            }),
            QUARRY_ERR_BAD_LEADING_DIM);
  // Transposed, A is stored 3 x 4: lda = 3 is enough, and ldb = 3 for B (3 x 2) too.
  EXPECT_EQ(status_of([&] {
              quarry::core::gemm(Layout::ColMajor, Op::Trans, Op::NoTrans, 4, 2, 3, 1.0, x.data(),
                                 3, x.data(), 3, 0.0, x.data(), 4);
            }),
            QUARRY_OK);
  EXPECT_EQ(status_of([&] {
              quarry::core::gemm(Layout::RowMajor, Op::NoTrans, Op::NoTrans, 2, 2, -1, 1.0,
                                 x.data(), 2, x.data(), 2, 0.0, x.data(), 2);
            }),
            QUARRY_ERR_BAD_DIMENSION);
  EXPECT_EQ(status_of([&] {
              quarry::core::gemm<double>(Layout::RowMajor, Op::NoTrans, Op::NoTrans, 2, 2, 2, 1.0,
                                         nullptr, 2, x.data(), 2, 0.0, x.data(), 2);
            }),
            QUARRY_ERR_NULL_POINTER);
}

}  // namespace

namespace {

TEST(Blas, GramAddAccumulatesTheUpperTriangleOfATransposeA) {
  const int64_t m = 7, n = 4, lda = n + 1;
  std::vector<double> a(static_cast<size_t>(m * lda), 99.0), c(static_cast<size_t>(n * n), 1.0);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) a[i * lda + j] = entry(3, i, j);
  quarry::core::gram_add(m, n, a.data(), lda, c.data());
  for (int64_t p = 0; p < n; ++p) {
    for (int64_t q = p; q < n; ++q) {
      double want = 1.0;  // C is added to, not overwritten
      for (int64_t i = 0; i < m; ++i) want += entry(3, i, p) * entry(3, i, q);
      EXPECT_NEAR(c[p * n + q], want, 1e-13 * m) << p << "," << q;
    }
  }
  EXPECT_THROW(quarry::core::gram_add(m, n, a.data(), n - 1, c.data()), quarry::core::Error);
}

TEST(Blas, SpdSolveSolvesAndRefusesIndefiniteMatrices) {
  // A = B^T B + I is positive definite; x = A^{-1} (A e) must come back as e.
  const int64_t n = 5;
  std::vector<double> a(static_cast<size_t>(n * n), 0.0), b(static_cast<size_t>(n), 0.0);
  for (int64_t p = 0; p < n; ++p) {
    for (int64_t q = 0; q < n; ++q) {
      for (int64_t i = 0; i < n; ++i) a[p * n + q] += entry(4, i, p) * entry(4, i, q);
    }
    a[p * n + p] += 1;
  }
  for (int64_t p = 0; p < n; ++p)
    for (int64_t q = 0; q < n; ++q) b[p] += a[p * n + q] * double(q + 1);
  ASSERT_TRUE(quarry::core::spd_solve(n, a.data(), b.data()));
  for (int64_t q = 0; q < n; ++q) EXPECT_NEAR(b[q], double(q + 1), 1e-12);
  std::vector<double> indefinite = {1, 2, 2, 1}, rhs = {1, 1};
  EXPECT_FALSE(quarry::core::spd_solve(2, indefinite.data(), rhs.data()));
}

}  // namespace
