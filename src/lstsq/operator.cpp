#include "lstsq/operator.hpp"

#include <algorithm>
#include <cmath>

#include "core/simd.hpp"
#include "core/threads.hpp"

namespace quarry::lstsq {

namespace {

using core::f64x8;
using core::load8;

// Rows per chunk: at least 4096, and at most about 128 chunks (their partial sums, cols
// each, are the pass's extra memory). A function of m only, hence thread-invariant.
int64_t chunk_rows_for(int64_t m) {
  const int64_t rows = std::max<int64_t>(4096, (m + 127) / 128);
  return (rows + 511) / 512 * 512;
}

// Rows per tile of a column-major pass: the tile (rows x n doubles, 512 KiB) stays in L2
// between its two products. A multiple of 8, from 8 to 1024.
int64_t tile_rows_for(int64_t n) {
  return std::clamp<int64_t>(65536 / std::max<int64_t>(n, 1) / 8 * 8, 8, 1024);
}

constexpr int64_t kPrefetchColumns = 16;

// sum_i x[i] y[i] for i < h, in a fixed order for every instruction set: 8 lanes of
// partial sums over the full groups of 8, added pairwise, then the tail in order.
QUARRY_VECTOR_INLINE double dot(const double* x, const double* y, int64_t h) {
  f64x8 acc{};
  int64_t i = 0;
  for (; i + 8 <= h; i += 8) acc += load8(x + i) * load8(y + i);
  double s = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
  for (; i < h; ++i) s += x[i] * y[i];
  return s;
}

// Error-free transformations (Dekker's product, Knuth's sum; no fused multiply-add, so
// every instruction set gives the same bits) for T = double or f64x8: a * b = p + e and
// a + b = s + e exactly.
template <class T>
QUARRY_VECTOR_INLINE void two_prod(T a, T b, T& p, T& e) {
  p = a * b;
  const T ca = 134217729.0 * a, cb = 134217729.0 * b;  // 2^27 + 1: Veltkamp's split
  const T ah = ca - (ca - a), al = a - ah, bh = cb - (cb - b), bl = b - bh;
  e = ((ah * bh - p) + ah * bl + al * bh) + al * bl;
}
template <class T>
QUARRY_VECTOR_INLINE void two_sum(T a, T b, T& s, T& e) {
  s = a + b;
  const T z = s - a;
  e = (a - (s - z)) + (b - z);
}
// (hi, lo) += a * b in about twice the working precision (Ogita, Rump and Oishi's Dot2).
template <class T>
QUARRY_VECTOR_INLINE void add_product(T& hi, T& lo, T a, T b) {
  T p, ep, sum, es;
  two_prod(a, b, p, ep);
  two_sum(hi, p, sum, es);
  hi = sum;
  lo += ep + es;
}
QUARRY_VECTOR_INLINE void add_pair(double& hi, double& lo, double h, double l) {
  double sum, e;
  two_sum(hi, h, sum, e);
  hi = sum;
  lo += e + l;
}

// sum_i x[i] y[i] for i < h as hi + lo, about twice as accurate as dot, in a fixed order.
QUARRY_VECTOR_INLINE void dot2(const double* x, const double* y, int64_t h, double& hi,
                               double& lo) {
  f64x8 vh{}, vl{};
  int64_t i = 0;
  for (; i + 8 <= h; i += 8) add_product(vh, vl, load8(x + i), load8(y + i));
  double th = 0, tl = 0;
  for (; i < h; ++i) add_product(th, tl, x[i], y[i]);
  hi = 0;
  lo = 0;
  for (int k = 0; k < 8; ++k) add_pair(hi, lo, vh[k], vl[k]);
  add_pair(hi, lo, th, tl);
}

// Rows [i0, i0 + h) of a column-major A (h <= 1024): t = b - A p on those rows (b = 0 when
// NULL), r = t if given, out += A^T t (accumulated as out + out_lo, twice as accurate,
// when out_lo is given).
QUARRY_SIMD_CLONES void colmajor_tile(const double* a, int64_t ld, int64_t n, int64_t i0, int64_t h,
                                      const double* p, const double* b, int64_t incb, double* r,
                                      double* out, double* out_lo) {
  alignas(64) double t[1024];
  std::fill(t, t + h, 0.0);
  for (int64_t j = 0; j < n; ++j) {
    const double* col = a + j * ld + i0;
    // Each column's segment is a few cache lines far from the last one's: too many short
    // streams for the hardware prefetcher, so ask for the segment kPrefetchColumns ahead.
    if (j + kPrefetchColumns < n) {
      const double* ahead = col + kPrefetchColumns * ld;
      for (int64_t i = 0; i < h; i += 8) __builtin_prefetch(ahead + i);
    }
    const double pj = p[j];
    for (int64_t i = 0; i < h; ++i) t[i] += col[i] * pj;
  }
  for (int64_t i = 0; i < h; ++i) {
    t[i] = (b != nullptr ? b[(i0 + i) * incb] : 0.0) - t[i];
    if (r != nullptr) r[i0 + i] = t[i];
  }
  if (out_lo == nullptr) {
    for (int64_t j = 0; j < n; ++j) out[j] += dot(a + j * ld + i0, t, h);
    return;
  }
  for (int64_t j = 0; j < n; ++j) {
    double hi = 0, lo = 0;
    dot2(a + j * ld + i0, t, h, hi, lo);
    add_pair(out[j], out_lo[j], hi, lo);
  }
}

// Rows [i0, i1) of a row-major A, one row at a time.
QUARRY_SIMD_CLONES void rowmajor_rows(const double* a, int64_t ld, int64_t n, int64_t i0,
                                      int64_t i1, const double* p, const double* b, int64_t incb,
                                      double* r, double* out, double* out_lo) {
  for (int64_t i = i0; i < i1; ++i) {
    const double* row = a + i * ld;
    const double t = (b != nullptr ? b[i * incb] : 0.0) - dot(row, p, n);
    if (r != nullptr) r[i] = t;
    if (out_lo == nullptr) {
      for (int64_t j = 0; j < n; ++j) out[j] += t * row[j];
      continue;
    }
    const f64x8 tv = f64x8{} + t;
    int64_t j = 0;
    for (; j + 8 <= n; j += 8) {
      f64x8 hi = load8(out + j), lo = load8(out_lo + j);
      add_product(hi, lo, tv, load8(row + j));
      core::store8(out + j, hi);
      core::store8(out_lo + j, lo);
    }
    for (; j < n; ++j) add_product(out[j], out_lo[j], t, row[j]);
  }
}

void csr_rows(const core::CsrView<const double>& a, int64_t i0, int64_t i1, const double* p,
              const double* b, int64_t incb, double* r, double* out, double* out_lo) {
  for (int64_t i = i0; i < i1; ++i) {
    double s = 0;
    for (int64_t q = a.row_ptr[i]; q < a.row_ptr[i + 1]; ++q) s += a.val[q] * p[a.col_idx[q]];
    const double t = (b != nullptr ? b[i * incb] : 0.0) - s;
    if (r != nullptr) r[i] = t;
    for (int64_t q = a.row_ptr[i]; q < a.row_ptr[i + 1]; ++q) {
      const int64_t j = a.col_idx[q];
      if (out_lo == nullptr) {
        out[j] += t * a.val[q];
      } else {
        add_product(out[j], out_lo[j], t, a.val[q]);
      }
    }
  }
}

}  // namespace

Operator::Operator(int64_t threads, core::DenseView<const double> a)
    : threads_(threads), rows_(a.rows), cols_(a.cols), a_(a), chunk_rows_(chunk_rows_for(a.rows)) {}

Operator::Operator(int64_t threads, core::CsrView<const double> a)
    : threads_(threads), rows_(a.rows), cols_(a.cols), a_(a), chunk_rows_(chunk_rows_for(a.rows)) {}

void Operator::fused(const double* p, const double* b, int64_t incb, double* r, double* out,
                     bool accurate) const {
  const int64_t chunks = (rows_ + chunk_rows_ - 1) / chunk_rows_;
  // Per chunk: the partial sums (and, when accurate, their low parts right after them).
  const int64_t stride = accurate ? 2 * cols_ : cols_;
  std::vector<double> partial(static_cast<size_t>(chunks * stride), 0.0);
  core::parallel_for(threads_, chunks, 1, [&](int64_t c0, int64_t c1) {
    for (int64_t c = c0; c < c1; ++c) {
      const int64_t i0 = c * chunk_rows_;
      const int64_t i1 = std::min(rows_, i0 + chunk_rows_);
      double* acc = partial.data() + c * stride;
      double* acc_lo = accurate ? acc + cols_ : nullptr;
      if (const auto* d = std::get_if<core::DenseView<const double>>(&a_)) {
        if (d->layout == core::Layout::RowMajor) {
          rowmajor_rows(d->data, d->ld, cols_, i0, i1, p, b, incb, r, acc, acc_lo);
        } else {
          const int64_t tile = tile_rows_for(cols_);
          for (int64_t i = i0; i < i1; i += tile) {
            colmajor_tile(d->data, d->ld, cols_, i, std::min(tile, i1 - i), p, b, incb, r, acc,
                          acc_lo);
          }
        }
      } else {
        csr_rows(std::get<core::CsrView<const double>>(a_), i0, i1, p, b, incb, r, acc, acc_lo);
      }
    }
  });
  for (int64_t j = 0; j < cols_; ++j) {
    double hi = 0, lo = 0;
    for (int64_t c = 0; c < chunks; ++c) {
      const double* acc = partial.data() + c * stride;
      if (accurate) {
        add_pair(hi, lo, acc[j], acc[cols_ + j]);
      } else {
        hi += acc[j];
      }
    }
    out[j] = hi + lo;
  }
}

void Operator::gram(const double* p, double* out) const {
  fused(p, nullptr, 0, nullptr, out, false);
  for (int64_t j = 0; j < cols_; ++j) out[j] = -out[j];
}

void Operator::residual(const double* x, const double* b, int64_t incb, double* r,
                        double* g) const {
  fused(x, b, incb, r, g, true);
}

double Operator::frobenius() const {
  const auto visit = [&](auto&& f) {
    if (const auto* d = std::get_if<core::DenseView<const double>>(&a_)) {
      // In memory order: as (outer, inner) = (cols, rows) column-major, (rows, cols) row-major.
      const bool col = d->layout == core::Layout::ColMajor;
      const int64_t outer = col ? cols_ : rows_, inner = col ? rows_ : cols_;
      for (int64_t o = 0; o < outer; ++o) {
        for (int64_t i = 0; i < inner; ++i) f(d->data[o * d->ld + i]);
      }
    } else {
      const auto& c = std::get<core::CsrView<const double>>(a_);
      for (int64_t q = 0; q < c.nnz(); ++q) f(c.val[q]);
    }
  };
  double sum = 0;
  visit([&](double v) { sum += v * v; });
  if (std::isfinite(sum) && sum > 1e-250) return std::sqrt(sum);
  // Over- or underflow: again, scaled by the largest entry.
  double big = 0;
  visit([&](double v) { big = std::max(big, std::abs(v)); });
  if (big == 0) return 0;
  sum = 0;
  visit([&](double v) { sum += (v / big) * (v / big); });
  return big * std::sqrt(sum);
}

void Operator::sketch(const sketch::Sketch& s, double* out, int64_t ld) const {
  const core::DenseView<double> sa{core::Layout::ColMajor, s.rows(), cols_, out, ld};
  std::visit([&](const auto& a) { s.apply(threads_, a, sa); }, a_);
}

}  // namespace quarry::lstsq
