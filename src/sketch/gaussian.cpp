// Gaussian sketches (entries N(0, 1/rows)), generated a block of columns at a time from
// the Philox stream and applied with GEMM on each block: S is never held whole.
//
// Uniform-row sampling is here too: the other operator that needs no stored structure
// beyond its sample.
#include <algorithm>
#include <cmath>
#include <vector>

#include "core/blas.hpp"
#include "core/threads.hpp"
#include "sketch/kernels.hpp"

namespace quarry::sketch::detail {

namespace {

// Entries of S generated per block: 2^20 doubles (8 MiB), so that a block is large
// enough for GEMM to run at full speed and small enough to stay out of the way.
constexpr int64_t kBlockEntries = int64_t{1} << 20;

int64_t block_columns(int64_t rows, int64_t cols) {
  return std::clamp<int64_t>(kBlockEntries / rows, 1, std::max<int64_t>(cols, 1));
}

// Calls body(j0, bj, s) for the blocks of columns [j0, j0 + bj) of S (rows x cols), s the
// block generated column-major (rows x bj), in increasing j0.
template <class Body>
void for_each_block(int64_t threads, const core::PhiloxStream& stream, int64_t rows, int64_t cols,
                    Body body) {
  const int64_t width = block_columns(rows, cols);
  std::vector<double> s(static_cast<size_t>(rows * width));
  for (int64_t j0 = 0; j0 < cols; j0 += width) {
    const int64_t bj = std::min(width, cols - j0);
    core::rng_fill_gaussian(stream, j0 * rows, bj * rows, s.data(), threads);
    body(j0, bj, s.data());
  }
}

// How a matrix stored in layout `stored` reads in layout `target`: as itself or as its
// transpose.
core::Op op_in(core::Layout stored, core::Layout target) {
  return stored == target ? core::Op::NoTrans : core::Op::Trans;
}

}  // namespace

void gaussian_dense(int64_t threads, const core::PhiloxStream& stream, int64_t rows,
                    const core::DenseView<const double>& a, core::DenseView<double> b) {
  if (b.empty()) return;
  const double alpha = 1.0 / std::sqrt(static_cast<double>(rows));
  for_each_block(threads, stream, rows, a.rows, [&](int64_t j0, int64_t bj, const double* s) {
    // b (+)= alpha * S(:, j0 .. j0 + bj) * a(j0 .. j0 + bj, :), all read in b's layout.
    const double* a_block = a.layout == core::Layout::ColMajor ? a.data + j0 : a.data + j0 * a.ld;
    core::gemm(b.layout, op_in(core::Layout::ColMajor, b.layout), op_in(a.layout, b.layout), rows,
               a.cols, bj, alpha, s, rows, a_block, a.ld, j0 == 0 ? 0.0 : 1.0, b.data, b.ld);
  });
}

void gaussian_csr(int64_t threads, const core::PhiloxStream& stream, int64_t rows,
                  const core::CsrView<const double>& a, core::DenseView<double> b) {
  fill_zero(threads, b);
  if (b.empty()) return;
  for_each_block(threads, stream, rows, a.rows, [&](int64_t j0, int64_t bj, const double* s) {
    core::parallel_for(threads, rows, 64, [&](int64_t r0, int64_t r1) {
      for (int64_t j = j0; j < j0 + bj; ++j) {
        const double* col = s + (j - j0) * rows;
        for (int64_t p = a.row_ptr[j]; p < a.row_ptr[j + 1]; ++p) {
          const double v = a.val[p];
          const int64_t c = a.col_idx[p];
          for (int64_t r = r0; r < r1; ++r) b(r, c) += col[r] * v;
        }
      }
    });
  });
  scale_all(threads, 1.0 / std::sqrt(static_cast<double>(rows)), b);
}

void gaussian_csr_right(int64_t threads, const core::PhiloxStream& stream, int64_t rows,
                        const core::CsrView<const double>& a, core::DenseView<double> b) {
  fill_zero(threads, b);
  if (b.empty()) return;
  // Each block of S's columns scans all of A for its non-zeros: Gaussian suits dense data.
  for_each_block(threads, stream, rows, a.cols, [&](int64_t j0, int64_t bj, const double* s) {
    core::parallel_for(threads, a.rows, 64, [&](int64_t i0, int64_t i1) {
      for (int64_t i = i0; i < i1; ++i) {
        for (int64_t p = a.row_ptr[i]; p < a.row_ptr[i + 1]; ++p) {
          const int64_t j = a.col_idx[p];
          if (j < j0 || j >= j0 + bj) continue;
          const double* col = s + (j - j0) * rows;
          for (int64_t r = 0; r < rows; ++r) b(i, r) += col[r] * a.val[p];
        }
      }
    });
  });
  scale_all(threads, 1.0 / std::sqrt(static_cast<double>(rows)), b);
}

void rows_dense(int64_t threads, const std::vector<int64_t>& sample, double scale,
                const core::DenseView<const double>& a, core::DenseView<double> b) {
  core::parallel_for(threads, b.rows, 64, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const int64_t i = sample[static_cast<size_t>(r)];
      // 0.0 + ...: a zero is +0.0 whatever its sign, as in the CSR paths.
      for (int64_t c = 0; c < b.cols; ++c) b(r, c) = scale * (0.0 + a(i, c));
    }
  });
}

void rows_csr(int64_t threads, const std::vector<int64_t>& sample, double scale,
              const core::CsrView<const double>& a, core::DenseView<double> b) {
  fill_zero(threads, b);
  core::parallel_for(threads, b.rows, 64, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const int64_t i = sample[static_cast<size_t>(r)];
      for (int64_t p = a.row_ptr[i]; p < a.row_ptr[i + 1]; ++p) b(r, a.col_idx[p]) += a.val[p];
    }
  });
  scale_all(threads, scale, b);
}

void rows_csr_right(int64_t threads, const std::vector<int64_t>& sample, double scale,
                    const core::CsrView<const double>& a, core::DenseView<double> b) {
  fill_zero(threads, b);
  std::vector<int64_t> position(static_cast<size_t>(a.cols), -1);
  for (size_t r = 0; r < sample.size(); ++r)
    position[static_cast<size_t>(sample[r])] = static_cast<int64_t>(r);
  core::parallel_for(threads, a.rows, 256, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i) {
      for (int64_t p = a.row_ptr[i]; p < a.row_ptr[i + 1]; ++p) {
        const int64_t r = position[static_cast<size_t>(a.col_idx[p])];
        if (r >= 0) b(i, r) += a.val[p];
      }
    }
  });
  scale_all(threads, scale, b);
}

}  // namespace quarry::sketch::detail
