// Non-owning views of caller memory: dense matrices in either layout with a leading
// dimension, and CSR matrices with int64 indices. The constructors validate exactly what
// the C API promises to reject (negative sizes, bad layout, ld too small, NULL data for a
// non-empty matrix, malformed CSR structure), with messages naming the argument.
#pragma once

#include <quarry/types.h>

#include <cstdint>

namespace quarry::core {

enum class Layout : int32_t { RowMajor = QUARRY_ROW_MAJOR, ColMajor = QUARRY_COL_MAJOR };

// Converts a C layout code, failing with QUARRY_ERR_BAD_LAYOUT; `name` is the argument.
Layout to_layout(int32_t code, const char* name);

inline Layout transposed(Layout layout) {
  return layout == Layout::RowMajor ? Layout::ColMajor : Layout::RowMajor;
}

// A rows x cols dense matrix at `data`. T may be const-qualified.
template <class T>
struct DenseView {
  Layout layout = Layout::ColMajor;
  int64_t rows = 0;
  int64_t cols = 0;
  T* data = nullptr;
  int64_t ld = 1;

  T& operator()(int64_t i, int64_t j) const {
    return layout == Layout::ColMajor ? data[i + j * ld] : data[i * ld + j];
  }
  // The same memory read as the transposed matrix (the BLAS++ trick that serves both
  // layouts with one kernel).
  DenseView transposed() const { return {core::transposed(layout), cols, rows, data, ld}; }
  // A writable view read-only.
  operator DenseView<const T>() const { return {layout, rows, cols, data, ld}; }
  bool empty() const { return rows == 0 || cols == 0; }
};

// Validates (layout, rows, cols, data, ld) as the C API documents them, also that the
// addressed extent fits int64_t. Throws quarry::Error; `name` is the matrix argument ("A").
void check_dense(const char* name, Layout layout, int64_t rows, int64_t cols, const void* data,
                 int64_t ld);

template <class T>
DenseView<T> dense_view(const char* name, int32_t layout_code, int64_t rows, int64_t cols, T* data,
                        int64_t ld) {
  const Layout layout = to_layout(layout_code, name);
  check_dense(name, layout, rows, cols, data, ld);
  return {layout, rows, cols, data, ld};
}

// True when every entry of a is finite.
bool all_finite(DenseView<const double> a);

// Fails with QUARRY_ERR_NONFINITE naming the first NaN/Inf entry, e.g. "A[3, 7] = nan".
void require_finite(const char* name, DenseView<const double> a);

// A rows x cols CSR matrix: row i holds entries row_ptr[i] .. row_ptr[i + 1] - 1 of
// col_idx and val. Column indices inside a row need not be sorted; duplicates add up.
template <class T>
struct CsrView {
  int64_t rows = 0;
  int64_t cols = 0;
  const int64_t* row_ptr = nullptr;
  const int64_t* col_idx = nullptr;
  T* val = nullptr;

  int64_t nnz() const { return row_ptr[rows]; }
};

// Validates the structure in O(rows + nnz): row_ptr[0] == 0, row_ptr non-decreasing,
// every column index in [0, cols), and the values finite.
CsrView<const double> csr_view(const char* name, int64_t rows, int64_t cols, const int64_t* row_ptr,
                               const int64_t* col_idx, const double* val);

}  // namespace quarry::core
