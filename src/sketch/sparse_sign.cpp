// Sparse sign (SJLT / OSNAP) and CountSketch products.
//
// Dense input: column panels of kPanel columns; each panel's result is accumulated in a
// rows x kPanel buffer (row r's kPanel values adjacent: one 64-byte line, so each of
// the k updates per input row is one vector add), then scaled into b. This blocking is
// what makes the scatter run at memory speed (references/randnla.md section 7:
// 7.5 GB/s against 1.9 GB/s column at a time).
//
// CSR input: the output rows are split into ranges; each range scans all of A and adds
// the non-zeros that land in it, in row order.
#include <algorithm>
#include <vector>

#include "core/threads.hpp"
#include "sketch/kernels.hpp"

namespace quarry::sketch::detail {

namespace {

// Two vectors of 8 per buffer row: 128 bytes of each input row per visit, which halves
// the TLB misses of strided (row-major) reads against 8 columns; the buffer (rows x 16,
// 512 KiB at 4000 rows) still stays in L2.
constexpr int64_t kVectors = 2;
constexpr int64_t kPanel = 8 * kVectors;
constexpr uint32_t kRowMask = 0x7fffffffu;

// +1 or -1 from bit 31, without a branch (the sign is a coin flip: a branch on it would
// be mispredicted every other time).
inline double sign_of(uint32_t entry) { return 1.0 - 2.0 * static_cast<double>(entry >> 31); }

// buf row e & kRowMask += its sign times x, for the k entries e of one input row.
QUARRY_VECTOR_INLINE void scatter_row(const uint32_t* e, int64_t k, const f64x8* x, double* buf) {
  for (int64_t l = 0; l < k; ++l) {
    double* row = buf + static_cast<int64_t>(e[l] & kRowMask) * kPanel;
    const double s = sign_of(e[l]);
    for (int64_t v = 0; v < kVectors; ++v) store8(row + 8 * v, load8(row + 8 * v) + s * x[v]);
  }
}

// buf (rows x kPanel, zeroed, 64-byte aligned) += S * a(:, c0 .. c0 + w). Row-major a:
// each row's panel values are contiguous. Column-major a: full panels are read 8 rows
// at a time, one vector per column, and transposed in registers.
template <bool ColMajor>
QUARRY_SIMD_CLONES void accumulate_panel(const uint32_t* entries, int64_t k, const double* a,
                                         int64_t lda, int64_t m, int64_t c0, int64_t w,
                                         double* buf) {
  int64_t j = 0;
  if (w == kPanel) {
    if constexpr (ColMajor) {
      for (; j + 8 <= m; j += 8) {
        f64x8 cols[kVectors][8];
        for (int64_t v = 0; v < kVectors; ++v) {
          for (int64_t t = 0; t < 8; ++t) cols[v][t] = load8(a + j + (c0 + 8 * v + t) * lda);
          transpose8x8(cols[v]);
        }
        for (int64_t r = 0; r < 8; ++r) {
          const f64x8 x[kVectors] = {cols[0][r], cols[1][r]};
          scatter_row(entries + (j + r) * k, k, x, buf);
        }
      }
    } else {
      for (; j < m; ++j) {
        f64x8 x[kVectors];
        for (int64_t v = 0; v < kVectors; ++v) x[v] = load8(a + j * lda + c0 + 8 * v);
        scatter_row(entries + j * k, k, x, buf);
      }
    }
  }
  for (; j < m; ++j) {  // a narrow last panel, or the last rows
    f64x8 x[kVectors] = {};
    for (int64_t t = 0; t < w; ++t) {
      x[t / 8][t % 8] = ColMajor ? a[j + (c0 + t) * lda] : a[j * lda + c0 + t];
    }
    scatter_row(entries + j * k, k, x, buf);
  }
}

}  // namespace

void sparse_sign_dense(int64_t threads, const uint32_t* entries, int64_t k, double scale,
                       const core::DenseView<const double>& a, core::DenseView<double> b) {
  const int64_t panels = (a.cols + kPanel - 1) / kPanel;
  // A few panels per chunk, so a thread reuses its buffer.
  const int64_t grain = std::max<int64_t>(1, panels / (4 * std::max<int64_t>(threads, 1)));
  core::parallel_for(threads, panels, grain, [&](int64_t p0, int64_t p1) {
    AlignedBuffer buffer(b.rows * kPanel);
    double* buf = buffer.data();
    for (int64_t p = p0; p < p1; ++p) {
      const int64_t c0 = p * kPanel;
      const int64_t w = std::min(kPanel, a.cols - c0);
      std::fill_n(buf, b.rows * kPanel, 0.0);
      if (a.layout == core::Layout::ColMajor) {
        accumulate_panel<true>(entries, k, a.data, a.ld, a.rows, c0, w, buf);
      } else {
        accumulate_panel<false>(entries, k, a.data, a.ld, a.rows, c0, w, buf);
      }
      for (int64_t r = 0; r < b.rows; ++r) {
        for (int64_t t = 0; t < w; ++t) b(r, c0 + t) = scale * buf[r * kPanel + t];
      }
    }
  });
}

void sparse_sign_csr(int64_t threads, const uint32_t* entries, int64_t k, double scale,
                     const core::CsrView<const double>& a, core::DenseView<double> b) {
  fill_zero(threads, b);
  if (b.empty()) return;
  // Output-row ranges: enough for the threads, each scanning all of A once.
  const int64_t parts = std::min(std::max<int64_t>(threads, 1), b.rows);
  const int64_t per_part = (b.rows + parts - 1) / parts;
  core::parallel_for(threads, parts, 1, [&](int64_t q0, int64_t q1) {
    const auto lo = static_cast<uint32_t>(q0 * per_part);
    const auto hi = static_cast<uint32_t>(std::min(b.rows, q1 * per_part));
    for (int64_t j = 0; j < a.rows; ++j) {
      const int64_t p0 = a.row_ptr[j];
      const int64_t p1 = a.row_ptr[j + 1];
      if (p0 == p1) continue;
      const uint32_t* e = entries + j * k;
      for (int64_t l = 0; l < k; ++l) {
        const uint32_t r = e[l] & kRowMask;
        if (r < lo || r >= hi) continue;
        const double s = sign_of(e[l]);
        for (int64_t p = p0; p < p1; ++p) b(r, a.col_idx[p]) += s * a.val[p];
      }
    }
  });
  scale_all(threads, scale, b);
}

void sparse_sign_csr_right(int64_t threads, const uint32_t* entries, int64_t k, double scale,
                           const core::CsrView<const double>& a, core::DenseView<double> b) {
  fill_zero(threads, b);
  core::parallel_for(threads, a.rows, 256, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i) {
      for (int64_t p = a.row_ptr[i]; p < a.row_ptr[i + 1]; ++p) {
        const uint32_t* e = entries + a.col_idx[p] * k;
        for (int64_t l = 0; l < k; ++l) b(i, e[l] & kRowMask) += sign_of(e[l]) * a.val[p];
      }
    }
  });
  scale_all(threads, scale, b);
}

namespace {

// Calls f(line, length) for every contiguous line of b (its columns, or its rows when
// row-major), threads sharing lines.
template <class F>
void for_each_line(int64_t threads, core::DenseView<double> b, F f) {
  const core::DenseView<double> cm = b.layout == core::Layout::ColMajor ? b : b.transposed();
  core::parallel_for(threads, cm.cols, 64, [&](int64_t j0, int64_t j1) {
    for (int64_t j = j0; j < j1; ++j) f(cm.data + j * cm.ld, cm.rows);
  });
}

}  // namespace

void fill_zero(int64_t threads, core::DenseView<double> b) {
  for_each_line(threads, b, [](double* line, int64_t n) { std::fill_n(line, n, 0.0); });
}

void scale_all(int64_t threads, double scale, core::DenseView<double> b) {
  for_each_line(threads, b, [scale](double* line, int64_t n) {
    for (int64_t i = 0; i < n; ++i) line[i] *= scale;
  });
}

}  // namespace quarry::sketch::detail
