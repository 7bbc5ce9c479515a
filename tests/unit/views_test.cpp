#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "core/checked_int.hpp"
#include "core/error.hpp"
#include "core/views.hpp"

namespace {

using quarry::core::DenseView;
using quarry::core::Layout;

// Runs `call`, expecting quarry::core::Error with `status`; returns its message.
template <class F>
std::string error_of(F&& call, quarry_status status) {
  try {
    call();
  } catch (const quarry::core::Error& e) {
    EXPECT_EQ(e.status(), status) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "no error thrown";
  return {};
}

TEST(DenseView, AddressesBothLayoutsWithPaddedLeadingDimension) {
  // A 3 x 2 matrix with a(i, j) = 10 i + j, stored with ld larger than needed.
  std::vector<double> col(5 * 2, -1), row(3 * 4, -1);
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 2; ++j) {
      col[i + j * 5] = 10 * i + j;
      row[i * 4 + j] = 10 * i + j;
    }
  }
  const auto c = quarry::core::dense_view<const double>("A", QUARRY_COL_MAJOR, 3, 2, col.data(), 5);
  const auto r = quarry::core::dense_view<const double>("A", QUARRY_ROW_MAJOR, 3, 2, row.data(), 4);
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 2; ++j) {
      EXPECT_EQ(c(i, j), 10 * i + j);
      EXPECT_EQ(r(i, j), 10 * i + j);
      EXPECT_EQ(c.transposed()(j, i), 10 * i + j);
      EXPECT_EQ(r.transposed()(j, i), 10 * i + j);
    }
  }
  EXPECT_EQ(c.transposed().layout, Layout::RowMajor);
  EXPECT_EQ(c.transposed().rows, 2);
}

TEST(DenseView, RejectsABadLayout) {
  double x = 0;
  const std::string m =
      error_of([&] { quarry::core::dense_view<const double>("A", 103, 1, 1, &x, 1); },
               QUARRY_ERR_BAD_LAYOUT);
  EXPECT_EQ(m, "layout of A = 103 is neither QUARRY_ROW_MAJOR (101) nor QUARRY_COL_MAJOR (102)");
}

TEST(DenseView, RejectsNegativeDimensions) {
  double x = 0;
  EXPECT_EQ(error_of([&] { quarry::core::check_dense("A", Layout::ColMajor, -1, 2, &x, 1); },
                     QUARRY_ERR_BAD_DIMENSION),
            "A has a negative dimension: -1 x 2");
  error_of([&] { quarry::core::check_dense("A", Layout::RowMajor, 2, -3, &x, 1); },
           QUARRY_ERR_BAD_DIMENSION);
}

TEST(DenseView, RejectsLeadingDimensionsTooSmallForTheLayout) {
  std::vector<double> x(100);
  EXPECT_EQ(error_of([&] { quarry::core::check_dense("A", Layout::ColMajor, 5, 2, x.data(), 3); },
                     QUARRY_ERR_BAD_LEADING_DIM),
            "ldA = 3 is smaller than rows = 5 for column-major A");
  EXPECT_EQ(error_of([&] { quarry::core::check_dense("B", Layout::RowMajor, 5, 2, x.data(), 1); },
                     QUARRY_ERR_BAD_LEADING_DIM),
            "ldB = 1 is smaller than cols = 2 for row-major B");
  // ld >= max(1, extent) even for empty matrices, as in BLAS.
  error_of([&] { quarry::core::check_dense("A", Layout::ColMajor, 0, 2, nullptr, 0); },
           QUARRY_ERR_BAD_LEADING_DIM);
  quarry::core::check_dense("A", Layout::ColMajor, 5, 2, x.data(), 5);
  quarry::core::check_dense("A", Layout::RowMajor, 5, 2, x.data(), 2);
}

TEST(DenseView, AllowsNullOnlyForEmptyMatrices) {
  quarry::core::check_dense("A", Layout::ColMajor, 0, 7, nullptr, 1);
  quarry::core::check_dense("A", Layout::RowMajor, 7, 0, nullptr, 1);
  EXPECT_EQ(error_of([] { quarry::core::check_dense("A", Layout::ColMajor, 2, 2, nullptr, 2); },
                     QUARRY_ERR_NULL_POINTER),
            "A is NULL but has 2 x 2 entries");
}

TEST(DenseView, RejectsExtentsThatOverflow) {
  double x = 0;
  const int64_t big = std::numeric_limits<int64_t>::max() / 2;
  error_of([&] { quarry::core::check_dense("A", Layout::ColMajor, big, 4, &x, big); },
           QUARRY_ERR_SIZE_OVERFLOW);
}

TEST(DenseView, RequireFiniteNamesTheFirstBadEntry) {
  std::vector<double> a = {1, 2, 3, std::nan(""), 5, INFINITY};  // 2 x 3 column-major
  const DenseView<const double> v{Layout::ColMajor, 2, 3, a.data(), 2};
  EXPECT_EQ(error_of([&] { quarry::core::require_finite("A", v); }, QUARRY_ERR_NONFINITE),
            "A[1, 1] = nan is not finite");
  a[3] = 4;
  EXPECT_EQ(error_of([&] { quarry::core::require_finite("A", v); }, QUARRY_ERR_NONFINITE),
            "A[1, 2] = inf is not finite");
  a[5] = 6;
  quarry::core::require_finite("A", v);
}

TEST(CsrView, AcceptsAWellFormedMatrix) {
  // [[1, 0, 2], [0, 0, 0], [0, 3, 0]]
  const int64_t row_ptr[] = {0, 2, 2, 3};
  const int64_t col_idx[] = {2, 0, 1};  // unsorted within a row is allowed
  const double val[] = {2, 1, 3};
  const auto v = quarry::core::csr_view("A", 3, 3, row_ptr, col_idx, val);
  EXPECT_EQ(v.nnz(), 3);
  const int64_t empty_ptr[] = {0, 0};
  EXPECT_EQ(quarry::core::csr_view("A", 1, 4, empty_ptr, nullptr, nullptr).nnz(), 0);
}

TEST(CsrView, RejectsMalformedStructure) {
  const int64_t col_idx[] = {0, 1, 2};
  const double val[] = {1, 2, 3};
  const int64_t nonzero_start[] = {1, 2, 3};
  const int64_t decreasing[] = {0, 2, 1};
  const int64_t ok_ptr[] = {0, 2, 3};
  const int64_t bad_cols[] = {0, 5, 1};
  const double nan_val[] = {1, NAN, 3};
  error_of([&] { quarry::core::csr_view("A", -1, 3, ok_ptr, col_idx, val); },
           QUARRY_ERR_BAD_DIMENSION);
  error_of([&] { quarry::core::csr_view("A", 2, 3, nullptr, col_idx, val); },
           QUARRY_ERR_NULL_POINTER);
  error_of([&] { quarry::core::csr_view("A", 2, 3, nonzero_start, col_idx, val); },
           QUARRY_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(error_of([&] { quarry::core::csr_view("A", 2, 3, decreasing, col_idx, val); },
                     QUARRY_ERR_INVALID_ARGUMENT),
            "row_ptr of A decreases at row 1: row_ptr[1] = 2 > row_ptr[2] = 1");
  EXPECT_EQ(error_of([&] { quarry::core::csr_view("A", 2, 3, ok_ptr, bad_cols, val); },
                     QUARRY_ERR_INVALID_ARGUMENT),
            "col_idx[1] of A = 5 (row 0) is outside [0, 3)");
  error_of([&] { quarry::core::csr_view("A", 2, 3, ok_ptr, nullptr, val); },
           QUARRY_ERR_NULL_POINTER);
  error_of([&] { quarry::core::csr_view("A", 2, 3, ok_ptr, col_idx, nullptr); },
           QUARRY_ERR_NULL_POINTER);
  EXPECT_EQ(error_of([&] { quarry::core::csr_view("A", 2, 3, ok_ptr, col_idx, nan_val); },
                     QUARRY_ERR_NONFINITE),
            "A[0, 1] = nan is not finite");
}

TEST(CheckedInt, NarrowingToBlasIntFailsInsteadOfWrapping) {
  EXPECT_EQ(quarry::core::to_blas_int(2147483647, "n"), 2147483647);
  EXPECT_EQ(quarry::core::to_blas_int(-5, "incx"), -5);
  EXPECT_EQ(error_of([] { quarry::core::to_blas_int(int64_t{1} << 31, "lda"); },
                     QUARRY_ERR_SIZE_OVERFLOW),
            "lda = 2147483648 does not fit the 32-bit integers of the BLAS/LAPACK in use "
            "(at most 2147483647)");
}

TEST(CheckedInt, ProductsAndSumsFailOnOverflow) {
  EXPECT_EQ(quarry::core::checked_mul(1 << 20, 1 << 20, "m * n"), int64_t{1} << 40);
  EXPECT_EQ(error_of([] { quarry::core::checked_mul(int64_t{1} << 32, int64_t{1} << 31, "m * n"); },
                     QUARRY_ERR_SIZE_OVERFLOW),
            "m * n = 4294967296 * 2147483648 overflows a 64-bit size");
  error_of([] { quarry::core::checked_add(std::numeric_limits<int64_t>::max(), 1, "offset + n"); },
           QUARRY_ERR_SIZE_OVERFLOW);
}

}  // namespace
