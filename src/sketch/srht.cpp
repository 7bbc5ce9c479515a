// Subsampled randomized Hadamard transform: b = (1 / sqrt(rows)) * P H D a.
//
// m need not be a power of two: each column is implicitly zero-padded to the next power
// of two (the padded SRHT of Tropp, "Improved analysis of the subsampled randomized
// Hadamard transform", 2011, and the RandBLAS design notes), which never copies A: the
// padding lives only in a per-thread buffer of one padded column (8 for row-major or CSR
// input). The transform is an unnormalized fast Walsh-Hadamard transform of one
// contiguous column: its first three stages inside SIMD registers, the next ones inside
// L1-sized blocks, the rest two stages per pass (the column stays in L2 up to 2^17 rows).
#include <algorithm>
#include <cmath>
#include <vector>

#include "core/threads.hpp"
#include "sketch/kernels.hpp"

namespace quarry::sketch::detail {

namespace {

// Doubles per L1 block of the first stages: 4096 x 8 bytes = 32 KiB.
constexpr int64_t kL1Block = 4096;
// Columns filled per panel when the input is read a row (or a CSR column scan) at a time.
constexpr int64_t kPanel = 8;

inline bool flipped(const uint64_t* signs, int64_t i) {
  return ((signs[i >> 6] >> (i & 63)) & 1) != 0;
}

// Butterflies of size h (rows j and j + h) for h in [h0, h1) on x[0, n), h0 >= 8: two
// stages per pass (radix 4) while two remain, each butterfly on 8 adjacent values.
QUARRY_VECTOR_INLINE void vector_stages(double* x, int64_t n, int64_t h0, int64_t h1) {
  int64_t h = h0;
  for (; 4 * h <= h1; h *= 4) {
    for (int64_t i = 0; i < n; i += 4 * h) {
      for (int64_t j = i; j < i + h; j += 8) {
        const f64x8 x0 = load8(x + j), x1 = load8(x + j + h);
        const f64x8 x2 = load8(x + j + 2 * h), x3 = load8(x + j + 3 * h);
        const f64x8 a0 = x0 + x1, a1 = x0 - x1, a2 = x2 + x3, a3 = x2 - x3;
        store8(x + j, a0 + a2);
        store8(x + j + h, a1 + a3);
        store8(x + j + 2 * h, a0 - a2);
        store8(x + j + 3 * h, a1 - a3);
      }
    }
  }
  for (; h < h1; h *= 2) {
    for (int64_t i = 0; i < n; i += 2 * h) {
      for (int64_t j = i; j < i + h; j += 8) {
        const f64x8 p = load8(x + j), q = load8(x + j + h);
        store8(x + j, p + q);
        store8(x + j + h, p - q);
      }
    }
  }
}

// The unnormalized fast Walsh-Hadamard transform of x[0, n), n a power of two >= 8, in
// place: stages h = 1, 2, 4 inside each vector of 8 (shuffles), stages up to kL1Block
// inside L1-sized blocks, the rest over the whole column (which stays in L2 for n up to
// 2^17). Every stage is the butterfly (p, q) -> (p + q, p - q), in the order h = 1, 2, 4,
// ...: the result does not depend on the blocking.
QUARRY_SIMD_CLONES void fwht_vectors(double* x, int64_t n) {
  for (int64_t i = 0; i < n; i += 8) {
    f64x8 v = load8(x + i);
    f64x8 a = __builtin_shufflevector(v, v, 1, 0, 3, 2, 5, 4, 7, 6);
    v = __builtin_shufflevector(v + a, a - v, 0, 9, 2, 11, 4, 13, 6, 15);
    a = __builtin_shufflevector(v, v, 2, 3, 0, 1, 6, 7, 4, 5);
    v = __builtin_shufflevector(v + a, a - v, 0, 1, 10, 11, 4, 5, 14, 15);
    a = __builtin_shufflevector(v, v, 4, 5, 6, 7, 0, 1, 2, 3);
    v = __builtin_shufflevector(v + a, a - v, 0, 1, 2, 3, 12, 13, 14, 15);
    store8(x + i, v);
  }
  const int64_t block = std::min(n, kL1Block);
  for (int64_t b0 = 0; b0 < n; b0 += block) vector_stages(x + b0, block, 8, block);
  vector_stages(x, n, block, n);
}

// The distance between the columns of a panel buffer: a little more than the padded size,
// so that the columns (a power of two long) do not all map to the same cache sets.
inline int64_t column_stride(int64_t padded) { return padded + 16; }

// Transforms the `w` padded columns at buf (column t at buf + t * column_stride; rows of
// the input already signed, padding zero) and writes their sampled rows, scaled, to
// columns c0 .. c0 + w of b.
void finish_panel(double* buf, int64_t padded, const std::vector<int64_t>& sample, int64_t c0,
                  int64_t w, core::DenseView<double> b) {
  const double scale = 1.0 / std::sqrt(static_cast<double>(sample.size()));
  for (int64_t t = 0; t < w; ++t) {
    double* col = buf + t * column_stride(padded);
    fwht_column(col, padded);
    for (int64_t r = 0; r < b.rows; ++r) b(r, c0 + t) = scale * col[sample[static_cast<size_t>(r)]];
  }
}

// Runs fill(buf, c0, w) then finish_panel for every panel of `width` columns, threads
// sharing panels; fill writes the signed input of columns c0 .. c0 + w into the zeroed
// padded columns at buf.
template <class Fill>
void for_each_panel(int64_t threads, int64_t padded, int64_t cols, int64_t width,
                    const std::vector<int64_t>& sample, core::DenseView<double> b, Fill fill) {
  const int64_t panels = (cols + width - 1) / width;
  const int64_t grain = std::max<int64_t>(1, panels / (4 * std::max<int64_t>(threads, 1)));
  core::parallel_for(threads, panels, grain, [&](int64_t p0, int64_t p1) {
    AlignedBuffer buffer(column_stride(padded) * width);
    double* buf = buffer.data();
    for (int64_t p = p0; p < p1; ++p) {
      const int64_t c0 = p * width;
      const int64_t w = std::min(width, cols - c0);
      std::fill_n(buf, column_stride(padded) * w, 0.0);
      fill(buf, c0, w);
      finish_panel(buf, padded, sample, c0, w, b);
    }
  });
}

// +1 or -1 per input row, from the sign bits.
std::vector<double> sign_values(const uint64_t* signs, int64_t m) {
  std::vector<double> s(static_cast<size_t>(m));
  for (int64_t i = 0; i < m; ++i) s[static_cast<size_t>(i)] = flipped(signs, i) ? -1.0 : 1.0;
  return s;
}

}  // namespace

void fwht_column(double* x, int64_t n) {
  if (n >= 8) {
    fwht_vectors(x, n);
    return;
  }
  for (int64_t h = 1; h < n; h *= 2) {
    for (int64_t i = 0; i < n; i += 2 * h) {
      for (int64_t j = i; j < i + h; ++j) {
        const double p = x[j], q = x[j + h];
        x[j] = p + q;
        x[j + h] = p - q;
      }
    }
  }
}

void srht_dense(int64_t threads, const uint64_t* signs, int64_t padded,
                const std::vector<int64_t>& sample, const core::DenseView<const double>& a,
                core::DenseView<double> b) {
  const std::vector<double> d = sign_values(signs, a.rows);
  // Column-major input: a column at a time (contiguous, and its transform stays in L2).
  // Row-major: 8 columns per pass over the rows.
  const int64_t width = a.layout == core::Layout::ColMajor ? 1 : kPanel;
  const int64_t stride = column_stride(padded);
  for_each_panel(threads, padded, a.cols, width, sample, b,
                 [&](double* buf, int64_t c0, int64_t w) {
                   for (int64_t i = 0; i < a.rows; ++i) {
                     for (int64_t t = 0; t < w; ++t) {
                       // 0.0 + ...: a zero is +0.0 whatever its sign, as in the CSR paths.
                       buf[t * stride + i] = 0.0 + d[static_cast<size_t>(i)] * a(i, c0 + t);
                     }
                   }
                 });
}

void srht_csr(int64_t threads, const uint64_t* signs, int64_t padded,
              const std::vector<int64_t>& sample, const core::CsrView<const double>& a,
              core::DenseView<double> b) {
  // Each panel scans all of A for its columns: SRHT suits dense data (docs/sketch.md).
  for_each_panel(threads, padded, a.cols, kPanel, sample, b,
                 [&](double* buf, int64_t c0, int64_t w) {
                   for (int64_t i = 0; i < a.rows; ++i) {
                     const double s = flipped(signs, i) ? -1.0 : 1.0;
                     for (int64_t p = a.row_ptr[i]; p < a.row_ptr[i + 1]; ++p) {
                       const int64_t t = a.col_idx[p] - c0;
                       if (t >= 0 && t < w) buf[t * column_stride(padded) + i] += s * a.val[p];
                     }
                   }
                 });
}

void srht_csr_right(int64_t threads, const uint64_t* signs, int64_t padded,
                    const std::vector<int64_t>& sample, const core::CsrView<const double>& a,
                    core::DenseView<double> b) {
  // Rows of a are the columns of a^T: b^T = S a^T, a row per padded column.
  for_each_panel(
      threads, padded, a.rows, 1, sample, b.transposed(), [&](double* buf, int64_t i0, int64_t w) {
        for (int64_t t = 0; t < w; ++t) {
          for (int64_t p = a.row_ptr[i0 + t]; p < a.row_ptr[i0 + t + 1]; ++p) {
            const int64_t j = a.col_idx[p];
            buf[t * column_stride(padded) + j] += (flipped(signs, j) ? -1.0 : 1.0) * a.val[p];
          }
        }
      });
}

}  // namespace quarry::sketch::detail
