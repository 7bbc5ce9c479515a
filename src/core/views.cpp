#include "core/views.hpp"

#include <algorithm>
#include <cmath>

#include "core/checked_int.hpp"
#include "core/error.hpp"

namespace quarry::core {

Layout to_layout(int32_t code, const char* name) {
  require(code == QUARRY_ROW_MAJOR || code == QUARRY_COL_MAJOR, QUARRY_ERR_BAD_LAYOUT,
          "layout of {} = {} is neither QUARRY_ROW_MAJOR ({}) nor QUARRY_COL_MAJOR ({})", name,
          code, static_cast<int>(QUARRY_ROW_MAJOR), static_cast<int>(QUARRY_COL_MAJOR));
  return static_cast<Layout>(code);
}

void check_dense(const char* name, Layout layout, int64_t rows, int64_t cols, const void* data,
                 int64_t ld) {
  require(rows >= 0 && cols >= 0, QUARRY_ERR_BAD_DIMENSION, "{} has a negative dimension: {} x {}",
          name, rows, cols);
  const bool col_major = layout == Layout::ColMajor;
  const int64_t contiguous = col_major ? rows : cols;  // extent along the leading dimension
  const int64_t strided = col_major ? cols : rows;
  require(ld >= std::max<int64_t>(1, contiguous), QUARRY_ERR_BAD_LEADING_DIM,
          "ld{} = {} is smaller than {} = {} for {} {}", name, ld, col_major ? "rows" : "cols",
          std::max<int64_t>(1, contiguous), col_major ? "column-major" : "row-major", name);
  if (rows == 0 || cols == 0) return;
  require(data != nullptr, QUARRY_ERR_NULL_POINTER, "{} is NULL but has {} x {} entries", name,
          rows, cols);
  // The last addressed element is (strided - 1) * ld + contiguous - 1.
  checked_add(checked_mul(strided - 1, ld, "extent"), contiguous, "extent");
}

bool all_finite(DenseView<const double> a) {
  const DenseView<const double> cm = a.layout == Layout::ColMajor ? a : a.transposed();
  for (int64_t j = 0; j < cm.cols; ++j) {
    const double* col = cm.data + j * cm.ld;
    bool ok = true;
    for (int64_t i = 0; i < cm.rows; ++i) ok &= std::isfinite(col[i]);
    if (!ok) return false;
  }
  return true;
}

void require_finite(const char* name, DenseView<const double> a) {
  for (int64_t j = 0; j < a.cols; ++j) {
    for (int64_t i = 0; i < a.rows; ++i) {
      const double v = a(i, j);
      require(std::isfinite(v), QUARRY_ERR_NONFINITE, "{}[{}, {}] = {} is not finite", name, i, j,
              v);
    }
  }
}

CsrView<const double> csr_view(const char* name, int64_t rows, int64_t cols, const int64_t* row_ptr,
                               const int64_t* col_idx, const double* val) {
  require(rows >= 0 && cols >= 0, QUARRY_ERR_BAD_DIMENSION, "{} has a negative dimension: {} x {}",
          name, rows, cols);
  require(row_ptr != nullptr, QUARRY_ERR_NULL_POINTER,
          "row_ptr of {} is NULL (it needs rows + 1 entries)", name);
  require(row_ptr[0] == 0, QUARRY_ERR_INVALID_ARGUMENT, "row_ptr[0] of {} = {} is not 0", name,
          row_ptr[0]);
  for (int64_t i = 0; i < rows; ++i) {
    require(row_ptr[i + 1] >= row_ptr[i], QUARRY_ERR_INVALID_ARGUMENT,
            "row_ptr of {} decreases at row {}: row_ptr[{}] = {} > row_ptr[{}] = {}", name, i, i,
            row_ptr[i], i + 1, row_ptr[i + 1]);
  }
  const int64_t nnz = row_ptr[rows];
  if (nnz > 0) {
    require(col_idx != nullptr, QUARRY_ERR_NULL_POINTER,
            "col_idx of {} is NULL but it has {} non-zeros", name, nnz);
    require(val != nullptr, QUARRY_ERR_NULL_POINTER, "val of {} is NULL but it has {} non-zeros",
            name, nnz);
  }
  for (int64_t i = 0; i < rows; ++i) {
    for (int64_t p = row_ptr[i]; p < row_ptr[i + 1]; ++p) {
      require(col_idx[p] >= 0 && col_idx[p] < cols, QUARRY_ERR_INVALID_ARGUMENT,
              "col_idx[{}] of {} = {} (row {}) is outside [0, {})", p, name, col_idx[p], i, cols);
      require(std::isfinite(val[p]), QUARRY_ERR_NONFINITE, "{}[{}, {}] = {} is not finite", name, i,
              col_idx[p], val[p]);
    }
  }
  return {rows, cols, row_ptr, col_idx, val};
}

}  // namespace quarry::core
