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

// Rows per tile of a column-major pass: 8 V rows, V = 8, 4, 2 or 1, held in V registers of
// 8 doubles while the tile (8 V x n doubles, at most 512 KiB for n <= 8192) stays in L2
// between its two products.
int64_t tile_rows_for(int64_t n) {
  int64_t rows = 64;
  while (rows > 8 && rows * n > 65536) rows /= 2;
  return rows;
}

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

// Error-free transformations for T = double or f64x8: a * b = p + e and a + b = s + e
// exactly. The product's error comes from a fused multiply-add, which is exact by
// definition, so every instruction set gives the same bits (one instruction on x86-64-v3
// and v4; a call to the C library's correctly rounded fma in the baseline clone).
QUARRY_VECTOR_INLINE void two_prod(double a, double b, double& p, double& e) {
  p = a * b;
  e = __builtin_fma(a, b, -p);
}
QUARRY_VECTOR_INLINE void two_prod(f64x8 a, f64x8 b, f64x8& p, f64x8& e) {
  p = a * b;
  for (int l = 0; l < 8; ++l) e[l] = __builtin_fma(a[l], b[l], -p[l]);
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

// Rows [i0, i0 + 8 V) of a column-major A, held in V vector registers: t = b - A p on
// those rows (b = 0 when NULL), r = t if given, out += A^T W t (W = diag(w), the identity
// when w is NULL; as out + out_lo, twice as accurate, when out_lo is given). Each column segment is
// read once from memory and once from L2; with the products in registers the pass runs at the speed
// of one GEMV.
template <int V>
QUARRY_VECTOR_INLINE void colmajor_tile_in_registers(const double* a, int64_t ld, int64_t n,
                                                     int64_t i0, const double* p, const double* b,
                                                     int64_t incb, const double* w, double* r,
                                                     double* out, double* out_lo) {
  f64x8 t[V];
#pragma GCC unroll 8
  for (int k = 0; k < V; ++k) t[k] = f64x8{};
  for (int64_t j = 0; j < n; ++j) {
    const double* col = a + j * ld + i0;
    const f64x8 pj = f64x8{} + p[j];
#pragma GCC unroll 8
    for (int k = 0; k < V; ++k) t[k] += load8(col + 8 * k) * pj;
  }
  alignas(64) double tv[8 * V];
#pragma GCC unroll 8
  for (int k = 0; k < V; ++k) core::store8(tv + 8 * k, t[k]);
  for (int64_t i = 0; i < 8 * V; ++i) {
    tv[i] = (b != nullptr ? b[(i0 + i) * incb] : 0.0) - tv[i];
    if (r != nullptr) r[i0 + i] = tv[i];
    if (w != nullptr) tv[i] *= w[i0 + i];
  }
#pragma GCC unroll 8
  for (int k = 0; k < V; ++k) t[k] = load8(tv + 8 * k);
  for (int64_t j = 0; j < n; ++j) {
    const double* col = a + j * ld + i0;
    if (out_lo == nullptr) {
      f64x8 acc = load8(col) * t[0];
#pragma GCC unroll 8
      for (int k = 1; k < V; ++k) acc += load8(col + 8 * k) * t[k];
      out[j] += ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
    } else {
      f64x8 vh{}, vl{};
#pragma GCC unroll 8
      for (int k = 0; k < V; ++k) add_product(vh, vl, load8(col + 8 * k), t[k]);
      double hi = 0, lo = 0;
      for (int l = 0; l < 8; ++l) add_pair(hi, lo, vh[l], vl[l]);
      add_pair(out[j], out_lo[j], hi, lo);
    }
  }
}

// Rows [i0, i0 + h) of a column-major A (h <= 64), as colmajor_tile_in_registers: in
// registers when h is 8, 16, 32 or 64, else (the last rows of A) through memory.
QUARRY_SIMD_CLONES void colmajor_tile(const double* a, int64_t ld, int64_t n, int64_t i0, int64_t h,
                                      const double* p, const double* b, int64_t incb,
                                      const double* w, double* r, double* out, double* out_lo) {
  switch (h) {
    case 64: return colmajor_tile_in_registers<8>(a, ld, n, i0, p, b, incb, w, r, out, out_lo);
    case 32: return colmajor_tile_in_registers<4>(a, ld, n, i0, p, b, incb, w, r, out, out_lo);
    case 16: return colmajor_tile_in_registers<2>(a, ld, n, i0, p, b, incb, w, r, out, out_lo);
    case 8: return colmajor_tile_in_registers<1>(a, ld, n, i0, p, b, incb, w, r, out, out_lo);
    default: break;
  }
  alignas(64) double t[64];
  std::fill(t, t + h, 0.0);
  for (int64_t j = 0; j < n; ++j) {
    const double* col = a + j * ld + i0;
    const double pj = p[j];
    for (int64_t i = 0; i < h; ++i) t[i] += col[i] * pj;
  }
  for (int64_t i = 0; i < h; ++i) {
    t[i] = (b != nullptr ? b[(i0 + i) * incb] : 0.0) - t[i];
    if (r != nullptr) r[i0 + i] = t[i];
    if (w != nullptr) t[i] *= w[i0 + i];
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
                                      const double* w, double* r, double* out, double* out_lo) {
  for (int64_t i = i0; i < i1; ++i) {
    const double* row = a + i * ld;
    double t = (b != nullptr ? b[i * incb] : 0.0) - dot(row, p, n);
    if (r != nullptr) r[i] = t;
    if (w != nullptr) t *= w[i];
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

QUARRY_SIMD_CLONES void csr_rows(const core::CsrView<const double>& a, int64_t i0, int64_t i1,
                                 const double* p, const double* b, int64_t incb, const double* w,
                                 double* r, double* out, double* out_lo) {
  for (int64_t i = i0; i < i1; ++i) {
    double s = 0;
    for (int64_t q = a.row_ptr[i]; q < a.row_ptr[i + 1]; ++q) s += a.val[q] * p[a.col_idx[q]];
    double t = (b != nullptr ? b[i * incb] : 0.0) - s;
    if (r != nullptr) r[i] = t;
    if (w != nullptr) t *= w[i];
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
          rowmajor_rows(d->data, d->ld, cols_, i0, i1, p, b, incb, weights_, r, acc, acc_lo);
        } else {
          const int64_t tile = tile_rows_for(cols_);
          for (int64_t i = i0; i < i1; i += tile) {
            colmajor_tile(d->data, d->ld, cols_, i, std::min(tile, i1 - i), p, b, incb, weights_, r,
                          acc, acc_lo);
          }
        }
      } else {
        csr_rows(std::get<core::CsrView<const double>>(a_), i0, i1, p, b, incb, weights_, r, acc,
                 acc_lo);
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

void Operator::product(const double* x, double* out) const {
  core::parallel_for(threads_, rows_, 256, [&](int64_t i0, int64_t i1) {
    if (const auto* d = std::get_if<core::DenseView<const double>>(&a_)) {
      for (int64_t i = i0; i < i1; ++i) {
        double s = 0;
        for (int64_t j = 0; j < cols_; ++j) s += (*d)(i, j) * x[j];
        out[i] = s;
      }
    } else {
      const auto& c = std::get<core::CsrView<const double>>(a_);
      for (int64_t i = i0; i < i1; ++i) {
        double s = 0;
        for (int64_t q = c.row_ptr[i]; q < c.row_ptr[i + 1]; ++q) s += c.val[q] * x[c.col_idx[q]];
        out[i] = s;
      }
    }
  });
}

void Operator::residual(const double* x, const double* b, int64_t incb, double* r,
                        double* g) const {
  fused(x, b, incb, r, g, true);
}

// sum of (v / scale)^2 over a run of n contiguous entries, in a fixed order (scale 1:
// no division).
QUARRY_SIMD_CLONES double scaled_squares(const double* v, int64_t n, double scale) {
  const f64x8 sv = f64x8{} + scale;
  f64x8 acc{};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const f64x8 w = scale == 1 ? load8(v + i) : load8(v + i) / sv;
    acc += w * w;
  }
  double sum = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
  for (; i < n; ++i) sum += (v[i] / scale) * (v[i] / scale);
  return sum;
}

double Operator::sum_of_squares(double scale) const {
  // The runs of A in memory: columns (column-major), rows (row-major) or the non-zeros
  // (CSR, in runs of 64 Ki), taken in fixed groups of about 64 Ki entries whose sums are
  // added in order: the same bits for any thread count.
  const double* data = nullptr;
  int64_t runs = 1, length = 0, stride = 0, last = 0;
  if (const auto* d = std::get_if<core::DenseView<const double>>(&a_)) {
    const bool col = d->layout == core::Layout::ColMajor;
    data = d->data;
    runs = col ? cols_ : rows_;
    length = col ? rows_ : cols_;
    stride = d->ld;
    last = length;
  } else {  // the non-zeros in runs of 65536 (the last one shorter)
    const auto& c = std::get<core::CsrView<const double>>(a_);
    data = c.val;
    length = std::min<int64_t>(c.nnz(), 65536);
    stride = length;
    runs = length > 0 ? (c.nnz() + length - 1) / length : 0;
    last = c.nnz() - (runs - 1) * length;
  }
  if (length == 0) return 0;
  const int64_t per_group = std::max<int64_t>(1, 65536 / length);
  const int64_t groups = (runs + per_group - 1) / per_group;
  std::vector<double> partial(static_cast<size_t>(groups), 0.0);
  core::parallel_for(threads_, groups, 1, [&](int64_t g0, int64_t g1) {
    for (int64_t g = g0; g < g1; ++g) {
      for (int64_t o = g * per_group; o < std::min(runs, (g + 1) * per_group); ++o) {
        partial[static_cast<size_t>(g)] +=
            scaled_squares(data + o * stride, o == runs - 1 ? last : length, scale);
      }
    }
  });
  double sum = 0;
  for (const double v : partial) sum += v;
  return sum;
}

double Operator::frobenius() const {
  const double sum = sum_of_squares(1);
  if (std::isfinite(sum) && sum > 1e-250) return std::sqrt(sum);
  double big = 0;
  if (const auto* d = std::get_if<core::DenseView<const double>>(&a_)) {
    core::require_finite("A", *d);  // a NaN or infinity, named; else overflow or underflow
    for (int64_t j = 0; j < cols_; ++j) {
      for (int64_t i = 0; i < rows_; ++i) big = std::max(big, std::abs((*d)(i, j)));
    }
  } else {
    const auto& c = std::get<core::CsrView<const double>>(a_);
    for (int64_t q = 0; q < c.nnz(); ++q) big = std::max(big, std::abs(c.val[q]));
  }
  if (big == 0) return 0;
  // Again, scaled by the largest entry.
  return big * std::sqrt(sum_of_squares(big));
}

void Operator::sketch(const sketch::Sketch& s, double* out, int64_t ld) const {
  const core::DenseView<double> sa{core::Layout::ColMajor, s.rows(), cols_, out, ld};
  std::visit([&](const auto& a) { s.apply(threads_, a, sa); }, a_);
}

}  // namespace quarry::lstsq
