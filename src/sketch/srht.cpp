// Subsampled randomized Hadamard transform: b = (1 / sqrt(rows)) * P H D a.
//
// m need not be a power of two: each column is implicitly zero-padded to the next power
// of two (the padded SRHT of Tropp, "Improved analysis of the subsampled randomized
// Hadamard transform", 2011, and the RandBLAS design notes), which never copies A: the
// padding lives only in a per-thread buffer of padded x kPanel values, one column panel
// at a time. The transform is an unnormalized fast Walsh-Hadamard transform in three
// tiers: each L2 block of the panel is transformed as soon as it is filled from A (radix
// 16 in registers inside L1 blocks, radix 4 above), the middle stages, if any, run over
// the whole panel, and the top stages (up to six) only for the sampled rows, each a
// pairwise fold of the rows it depends on (the pruned transform of Ailon and Liberty,
// "Fast dimension reduction using Rademacher series on dual BCH codes", 2009). Every
// output is the result of the same butterflies, in the same order, as the plain radix-2
// transform: bitwise, whatever the blocking.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "core/threads.hpp"
#include "sketch/kernels.hpp"

namespace quarry::sketch::detail {

namespace {

constexpr int64_t kPanel = 8;
// Rows per L1 block of the first stages: 256 rows x 8 values x 8 bytes = 16 KiB.
constexpr int64_t kL1Rows = 256;
// Rows per L2 block, transformed right after it is filled: 4096 x 8 x 8 bytes = 256 KiB.
constexpr int64_t kL2Rows = 4096;
// The top stages, up to log2(kMaxFold) of them, run only for the sampled rows.
constexpr int64_t kMaxFold = 64;
// How far ahead a row-major fill prefetches.
constexpr int64_t kPrefetchRows = 16;

inline bool flipped(const uint32_t* signs, int64_t i) {
  return ((signs[i >> 5] >> (i & 31)) & 1) != 0;
}

// The sign of row i in all 8 lanes.
QUARRY_VECTOR_INLINE f64x8 sign8(const uint32_t* signs, int64_t i) {
  return f64x8{} + (flipped(signs, i) ? -1.0 : 1.0);
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

// Stages h, 2h, 4h and 8h at once (radix 16) on 16 rows held in registers: the same
// butterflies in the same order, one pass over the data. Meant for the L1 blocks: with h
// a multiple of 256 rows, the 16 rows of a butterfly group would fall in one cache set.
QUARRY_SIMD_CLONES void radix16_stage(double* x, int64_t n, int64_t h) {
  for (int64_t i = 0; i < n; i += 16 * h) {
    for (int64_t j = i; j < i + h; ++j) {
      f64x8 v[16];
#pragma GCC unroll 16
      for (int64_t t = 0; t < 16; ++t) v[t] = load8(x + (j + t * h) * kPanel);
#pragma GCC unroll 4
      for (int64_t d = 1; d < 16; d *= 2) {
#pragma GCC unroll 16
        for (int64_t t = 0; t < 16; ++t) {
          if ((t & d) != 0) continue;
          const f64x8 p = v[t];
          v[t] = p + v[t + d];
          v[t + d] = p - v[t + d];
        }
      }
#pragma GCC unroll 16
      for (int64_t t = 0; t < 16; ++t) store8(x + (j + t * h) * kPanel, v[t]);
    }
  }
}

// How a panel of `padded` rows is transformed: L2 blocks of `block` rows, each fully
// transformed after it is filled; the stages h in [block, span) over the whole panel; the
// top `fold` = padded / span stages only for the sampled rows, in `order` (the output rows
// sorted by i mod span, so that the reads of every fold term run forward).
struct Plan {
  int64_t block = 0;
  int64_t fold = 0;
  int64_t span = 0;
  const std::vector<int64_t>& sample;
  std::vector<int64_t> order;

  Plan(int64_t padded, const std::vector<int64_t>& sample_rows)
      : block(std::min(padded, kL2Rows)),
        fold(std::min(padded / block, kMaxFold)),
        span(padded / fold),
        sample(sample_rows),
        order(sample_rows.size()) {
    std::iota(order.begin(), order.end(), int64_t{0});
    std::stable_sort(order.begin(), order.end(), [&](int64_t x, int64_t y) {
      return sample[static_cast<size_t>(x)] % span < sample[static_cast<size_t>(y)] % span;
    });
  }
};

// The sampled rows of H x for a panel x whose L2 blocks are transformed. Output row
// i = i1 * span + i2 is sum_j1 H_fold(i1, j1) y(j1 * span + i2) with y the panel after the
// stages below span, folded pairwise from j1's lowest bit up: the very butterflies the
// full transform runs for row i, in its order, so the result is bitwise that of
// fwht_panel. Writes the rows, times 1 / sqrt(rows), to columns c0 .. c0 + w of b.
QUARRY_SIMD_CLONES void finish_panel(double* buf, int64_t padded, const Plan& plan, int64_t c0,
                                     int64_t w, core::DenseView<double> b) {
  int64_t h = plan.block;
  for (; 4 * h <= plan.span; h *= 4) radix4_stage(buf, padded, h);
  if (h < plan.span) radix2_stages(buf, padded, h, plan.span);
  const f64x8 scale = f64x8{} + 1.0 / std::sqrt(static_cast<double>(plan.sample.size()));
  for (const int64_t r : plan.order) {
    const int64_t i = plan.sample[static_cast<size_t>(r)];
    const int64_t i1 = i / plan.span;
    const double* y = buf + (i % plan.span) * kPanel;
    f64x8 v[kMaxFold];
    for (int64_t j = 0; j < plan.fold; ++j) v[j] = load8(y + j * plan.span * kPanel);
    for (int64_t len = plan.fold, bit = 0; len > 1; len /= 2, ++bit) {
      const bool minus = ((i1 >> bit) & 1) != 0;
      for (int64_t t = 0; t < len / 2; ++t) {
        v[t] = minus ? v[2 * t] - v[2 * t + 1] : v[2 * t] + v[2 * t + 1];
      }
    }
    const f64x8 out = scale * v[0];
    if (w == kPanel && b.layout == core::Layout::RowMajor) {
      store8(&b(r, c0), out);
    } else {
      for (int64_t t = 0; t < w; ++t) b(r, c0 + t) = out[t];
    }
  }
}

// For every column panel, threads sharing panels: fill(buf, c0, w, r0, r1) sets rows
// [r0, r1) of the panel (signed rows of A, zeros beyond them), one L2 block at a time, each
// transformed while it is in cache; then finish_panel. A fill that cannot go by rows
// (by_rows false) is called once for all rows.
template <class Fill>
void for_each_panel(int64_t threads, int64_t padded, int64_t cols, bool by_rows,
                    const std::vector<int64_t>& sample, core::DenseView<double> b, Fill fill) {
  const int64_t panels = (cols + kPanel - 1) / kPanel;
  const int64_t grain = std::max<int64_t>(1, panels / (4 * std::max<int64_t>(threads, 1)));
  const Plan plan(padded, sample);
  core::parallel_for(threads, panels, grain, [&](int64_t p0, int64_t p1) {
    AlignedBuffer buffer(padded * kPanel);
    double* buf = buffer.data();
    for (int64_t p = p0; p < p1; ++p) {
      const int64_t c0 = p * kPanel;
      const int64_t w = std::min(kPanel, cols - c0);
      if (!by_rows) fill(buf, c0, w, 0, padded);
      for (int64_t r0 = 0; r0 < padded; r0 += plan.block) {
        if (by_rows) fill(buf, c0, w, r0, r0 + plan.block);
        fwht_panel(buf + r0 * kPanel, plan.block);
      }
      finish_panel(buf, padded, plan, c0, w, b);
    }
  });
}

// Rows [r0, r1) of a panel from columns c0 .. c0 + w of dense a: row i signed, zeros beyond
// a's rows and its w columns. 0.0 + s * a: a zero is +0.0 whatever its sign, as in the CSR
// paths. Full panels go 8 values at a time (column-major through 8 x 8 transposes),
// bitwise as the scalar rows.
QUARRY_SIMD_CLONES void fill_dense(double* buf, const uint32_t* signs,
                                   const core::DenseView<const double>& a, int64_t c0, int64_t w,
                                   int64_t r0, int64_t r1) {
  const int64_t filled = std::clamp(a.rows, r0, r1);
  int64_t i = r0;
  if (w == kPanel && a.layout == core::Layout::RowMajor) {
    for (; i < filled; ++i) {
      // A line from each row of A, the rows a page apart or more: the hardware prefetcher
      // does not follow, so ask for the lines ahead.
      if (i + kPrefetchRows < a.rows) __builtin_prefetch(&a(i + kPrefetchRows, c0));
      store8(buf + i * kPanel, 0.0 + sign8(signs, i) * load8(&a(i, c0)));
    }
  } else if (w == kPanel) {
    for (; i + kPanel <= filled; i += kPanel) {
      f64x8 c[kPanel];
      for (int64_t t = 0; t < kPanel; ++t) c[t] = load8(&a(i, c0 + t));
      transpose8x8(c);
      for (int64_t t = 0; t < kPanel; ++t)
        store8(buf + (i + t) * kPanel, 0.0 + sign8(signs, i + t) * c[t]);
    }
  }
  for (; i < filled; ++i) {
    const double s = flipped(signs, i) ? -1.0 : 1.0;
    for (int64_t t = 0; t < w; ++t) buf[i * kPanel + t] = 0.0 + s * a(i, c0 + t);
    for (int64_t t = w; t < kPanel; ++t) buf[i * kPanel + t] = 0.0;
  }
  std::fill(buf + filled * kPanel, buf + r1 * kPanel, 0.0);
}

}  // namespace

void fwht_panel(double* x, int64_t n) {
  const int64_t block = std::min(n, kL1Rows);
  for (int64_t b0 = 0; b0 < n; b0 += block) {
    double* xb = x + b0 * kPanel;
    int64_t h = 1;
    for (; 16 * h <= block; h *= 16) radix16_stage(xb, block, h);
    for (; 4 * h <= block; h *= 4) radix4_stage(xb, block, h);
    if (h < block) radix2_stages(xb, block, h, block);
  }
  int64_t h = block;
  for (; 4 * h <= n; h *= 4) radix4_stage(x, n, h);
  if (h < n) radix2_stages(x, n, h, n);
}

void srht_dense(int64_t threads, const uint32_t* signs, int64_t padded,
                const std::vector<int64_t>& sample, const core::DenseView<const double>& a,
                core::DenseView<double> b) {
  for_each_panel(threads, padded, a.cols, true, sample, b,
                 [&](double* buf, int64_t c0, int64_t w, int64_t r0, int64_t r1) {
                   fill_dense(buf, signs, a, c0, w, r0, r1);
                 });
}

void srht_csr(int64_t threads, const uint32_t* signs, int64_t padded,
              const std::vector<int64_t>& sample, const core::CsrView<const double>& a,
              core::DenseView<double> b) {
  // Each panel scans all of A for its columns: SRHT suits dense data (docs/sketch.md).
  for_each_panel(threads, padded, a.cols, true, sample, b,
                 [&](double* buf, int64_t c0, int64_t w, int64_t r0, int64_t r1) {
                   std::fill(buf + r0 * kPanel, buf + r1 * kPanel, 0.0);
                   for (int64_t i = r0; i < std::min(a.rows, r1); ++i) {
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
  // Panels of 8 rows of a are the panels of 8 columns of a^T: b^T = S a^T. Each row
  // scatters into any row of the panel, so the fill sets them all at once.
  for_each_panel(threads, padded, a.rows, false, sample, b.transposed(),
                 [&](double* buf, int64_t i0, int64_t w, int64_t r0, int64_t r1) {
                   std::fill(buf + r0 * kPanel, buf + r1 * kPanel, 0.0);
                   for (int64_t t = 0; t < w; ++t) {
                     for (int64_t p = a.row_ptr[i0 + t]; p < a.row_ptr[i0 + t + 1]; ++p) {
                       const int64_t j = a.col_idx[p];
                       buf[j * kPanel + t] += (flipped(signs, j) ? -1.0 : 1.0) * a.val[p];
                     }
                   }
                 });
}

}  // namespace quarry::sketch::detail
