// Subsampled randomized Hadamard transform: b = (1 / sqrt(rows)) * P H D a.
//
// m need not be a power of two: each column is implicitly zero-padded to the next power
// of two (the padded SRHT of Tropp, "Improved analysis of the subsampled randomized
// Hadamard transform", 2011, and the RandBLAS design notes), which never copies A: the
// padding lives only in a per-thread buffer of padded x kPanel values, one column panel
// at a time. The transform is an unnormalized fast Walsh-Hadamard transform, blocked so
// that its first stages run inside the L1 cache and the rest two stages per pass.
#include <algorithm>
#include <cmath>
#include <vector>

#include "core/threads.hpp"
#include "sketch/kernels.hpp"

namespace quarry::sketch::detail {

namespace {

constexpr int64_t kPanel = 8;
// Rows per L1 block of the first stages: 256 rows x 8 values x 8 bytes = 16 KiB.
constexpr int64_t kL1Rows = 256;

inline bool flipped(const uint32_t* signs, int64_t i) {
  return ((signs[i >> 5] >> (i & 31)) & 1) != 0;
}

// Stages of size h (butterflies between rows j and j + h) for h in [h0, h1), on rows
// [0, n) of the panel x (8 values per row).
QUARRY_SIMD_CLONES void radix2_stages(double* x, int64_t n, int64_t h0, int64_t h1) {
  for (int64_t h = h0; h < h1; h *= 2) {
    for (int64_t i = 0; i < n; i += 2 * h) {
      for (int64_t j = i; j < i + h; ++j) {
        double* u = x + j * kPanel;
        double* v = u + h * kPanel;
        const f64x8 p = load8(u);
        const f64x8 q = load8(v);
        store8(u, p + q);
        store8(v, p - q);
      }
    }
  }
}

// Stages h and 2h at once (radix 4): the same butterflies, one pass over the data.
QUARRY_SIMD_CLONES void radix4_stage(double* x, int64_t n, int64_t h) {
  for (int64_t i = 0; i < n; i += 4 * h) {
    for (int64_t j = i; j < i + h; ++j) {
      double* x0 = x + j * kPanel;
      double* x1 = x0 + h * kPanel;
      double* x2 = x1 + h * kPanel;
      double* x3 = x2 + h * kPanel;
      const f64x8 a0 = load8(x0) + load8(x1);
      const f64x8 a1 = load8(x0) - load8(x1);
      const f64x8 a2 = load8(x2) + load8(x3);
      const f64x8 a3 = load8(x2) - load8(x3);
      store8(x0, a0 + a2);
      store8(x1, a1 + a3);
      store8(x2, a0 - a2);
      store8(x3, a1 - a3);
    }
  }
}

// Transforms the panel in buf (padded x kPanel, rows of a already signed, padding zero)
// and writes its sampled rows, scaled, to columns c0 .. c0 + w of b.
void finish_panel(double* buf, int64_t padded, const std::vector<int64_t>& sample, int64_t c0,
                  int64_t w, core::DenseView<double> b) {
  fwht_panel(buf, padded);
  const double scale = 1.0 / std::sqrt(static_cast<double>(sample.size()));
  for (int64_t r = 0; r < b.rows; ++r) {
    const double* row = buf + sample[static_cast<size_t>(r)] * kPanel;
    for (int64_t t = 0; t < w; ++t) b(r, c0 + t) = scale * row[t];
  }
}

// Runs fill(buf, c0, w) then finish_panel for every column panel, threads sharing panels.
// fill adds into the panel, which starts zero, or (written_rows > 0) sets its first
// written_rows rows itself, so that only the rows below them are zeroed.
template <class Fill>
void for_each_panel(int64_t threads, int64_t padded, int64_t cols, int64_t written_rows,
                    const std::vector<int64_t>& sample, core::DenseView<double> b, Fill fill) {
  const int64_t panels = (cols + kPanel - 1) / kPanel;
  const int64_t grain = std::max<int64_t>(1, panels / (4 * std::max<int64_t>(threads, 1)));
  core::parallel_for(threads, panels, grain, [&](int64_t p0, int64_t p1) {
    AlignedBuffer buffer(padded * kPanel);
    double* buf = buffer.data();
    for (int64_t p = p0; p < p1; ++p) {
      const int64_t c0 = p * kPanel;
      const int64_t w = std::min(kPanel, cols - c0);
      std::fill(buf + written_rows * kPanel, buf + padded * kPanel, 0.0);
      fill(buf, c0, w);
      finish_panel(buf, padded, sample, c0, w, b);
    }
  });
}

}  // namespace

void fwht_panel(double* x, int64_t n) {
  const int64_t block = std::min(n, kL1Rows);
  for (int64_t b0 = 0; b0 < n; b0 += block) radix2_stages(x + b0 * kPanel, block, 1, block);
  int64_t h = block;
  for (; 4 * h <= n; h *= 4) radix4_stage(x, n, h);
  if (h < n) radix2_stages(x, n, h, n);
}

void srht_dense(int64_t threads, const uint32_t* signs, int64_t padded,
                const std::vector<int64_t>& sample, const core::DenseView<const double>& a,
                core::DenseView<double> b) {
  // Sets rows [0, m) of every panel, all 8 values (0 beyond the last column).
  for_each_panel(threads, padded, a.cols, a.rows, sample, b,
                 [&](double* buf, int64_t c0, int64_t w) {
                   for (int64_t i = 0; i < a.rows; ++i) {
                     const double s = flipped(signs, i) ? -1.0 : 1.0;
                     // 0.0 + ...: a zero is +0.0 whatever its sign, as in the CSR paths.
                     for (int64_t t = 0; t < w; ++t) buf[i * kPanel + t] = 0.0 + s * a(i, c0 + t);
                     for (int64_t t = w; t < kPanel; ++t) buf[i * kPanel + t] = 0.0;
                   }
                 });
}

void srht_csr(int64_t threads, const uint32_t* signs, int64_t padded,
              const std::vector<int64_t>& sample, const core::CsrView<const double>& a,
              core::DenseView<double> b) {
  // Each panel scans all of A for its columns: SRHT suits dense data (docs/sketch.md).
  for_each_panel(threads, padded, a.cols, 0, sample, b, [&](double* buf, int64_t c0, int64_t w) {
    for (int64_t i = 0; i < a.rows; ++i) {
      const double s = flipped(signs, i) ? -1.0 : 1.0;
      for (int64_t p = a.row_ptr[i]; p < a.row_ptr[i + 1]; ++p) {
        const int64_t t = a.col_idx[p] - c0;
        if (t >= 0 && t < w) buf[i * kPanel + t] += s * a.val[p];
      }
    }
  });
}

void srht_csr_right(int64_t threads, const uint32_t* signs, int64_t padded,
                    const std::vector<int64_t>& sample, const core::CsrView<const double>& a,
                    core::DenseView<double> b) {
  // Panels of 8 rows of a are the panels of 8 columns of a^T: b^T = S a^T.
  for_each_panel(threads, padded, a.rows, 0, sample, b.transposed(),
                 [&](double* buf, int64_t i0, int64_t w) {
                   for (int64_t t = 0; t < w; ++t) {
                     for (int64_t p = a.row_ptr[i0 + t]; p < a.row_ptr[i0 + t + 1]; ++p) {
                       const int64_t j = a.col_idx[p];
                       buf[j * kPanel + t] += (flipped(signs, j) ? -1.0 : 1.0) * a.val[p];
                     }
                   }
                 });
}

}  // namespace quarry::sketch::detail
