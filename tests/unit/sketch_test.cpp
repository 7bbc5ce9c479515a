// Sketching operators: the published definitions (re-derived here from quarry/sketch.h),
// products against explicit matrices, bitwise invariance (threads, layouts, CSR),
// statistical properties (E[S^T S] = I, subspace embedding) and bad input.
#include <quarry.h>

#include <gtest/gtest.h>
#include <lapacke.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <set>
#include <string>
#include <vector>

#include "c_handles.hpp"
#include "sketch/kernels.hpp"
#include "sketch/sampling.hpp"

namespace {

using quarry_test::ContextPtr;
using quarry_test::make_context;
using quarry_test::make_options;
using quarry_test::SketchPtr;

constexpr int32_t kKinds[] = {QUARRY_SKETCH_GAUSSIAN, QUARRY_SKETCH_SRHT, QUARRY_SKETCH_COUNTSKETCH,
                              QUARRY_SKETCH_SPARSE_SIGN, QUARRY_SKETCH_UNIFORM_ROWS};

std::string kind_name(int32_t kind) {
  switch (kind) {
    case QUARRY_SKETCH_GAUSSIAN: return "gaussian";
    case QUARRY_SKETCH_SRHT: return "srht";
    case QUARRY_SKETCH_COUNTSKETCH: return "countsketch";
    case QUARRY_SKETCH_SPARSE_SIGN: return "sparse_sign";
    default: return "uniform_rows";
  }
}

SketchPtr make_sketch(quarry_context* ctx, int32_t kind, int64_t rows, int64_t cols, uint64_t seed,
                      int64_t nnz = 0) {
  quarry_rng_state state;
  EXPECT_EQ(quarry_rng_state_from_seed(seed, &state), QUARRY_OK);
  auto opts = make_options();
  if (nnz > 0) {
    EXPECT_EQ(quarry_options_set_i64(opts.get(), QUARRY_OPT_SKETCH_NNZ, nnz), QUARRY_OK);
  }
  quarry_sketch* s = nullptr;
  EXPECT_EQ(quarry_sketch_create(ctx, kind, rows, cols, opts.get(), &state, &s), QUARRY_OK)
      << quarry_context_last_error(ctx);
  return SketchPtr(s);
}

// S explicitly, column-major rows x cols.
std::vector<double> explicit_sketch(quarry_context* ctx, const quarry_sketch* s) {
  int64_t rows = 0, cols = 0;
  EXPECT_EQ(quarry_sketch_info(s, nullptr, &rows, &cols, nullptr), QUARRY_OK);
  std::vector<double> out(static_cast<size_t>(rows * cols));
  EXPECT_EQ(quarry_sketch_columns_f64(ctx, s, 0, cols, QUARRY_COL_MAJOR, out.data(), rows),
            QUARRY_OK)
      << quarry_context_last_error(ctx);
  return out;
}

// Words [0, n) of the public 32-bit stream of `seed` (offset in words).
std::vector<uint32_t> words(quarry_context* ctx, uint64_t seed, int64_t offset, int64_t n,
                            uint64_t advance = 0) {
  quarry_rng_state state;
  EXPECT_EQ(quarry_rng_state_from_seed(seed, &state), QUARRY_OK);
  EXPECT_EQ(quarry_rng_state_advance(&state, advance, &state), QUARRY_OK);
  std::vector<uint32_t> w(static_cast<size_t>(n));
  EXPECT_EQ(quarry_rng_fill_u32(ctx, &state, offset, n, w.data()), QUARRY_OK);
  return w;
}

uint64_t mulhi(uint64_t x, uint64_t range) {
  return static_cast<uint64_t>((static_cast<quarry::sketch::uint128>(x) * range) >> 64);
}

// The documented uniform sample: r distinct indices of [0, n), from the stream of `seed`
// advanced by `advance` blocks.
std::vector<int64_t> documented_sample(quarry_context* ctx, uint64_t seed, uint64_t advance,
                                       int64_t n, int64_t r) {
  std::vector<int64_t> perm(static_cast<size_t>(n));
  std::iota(perm.begin(), perm.end(), int64_t{0});
  const std::vector<uint32_t> w = words(ctx, seed, 0, 4 * r, advance);
  for (int64_t t = 0; t < r; ++t) {
    const uint64_t x =
        (uint64_t{w[static_cast<size_t>(4 * t + 1)]} << 32) | w[static_cast<size_t>(4 * t)];
    const int64_t j = t + static_cast<int64_t>(mulhi(x, static_cast<uint64_t>(n - t)));
    std::swap(perm[static_cast<size_t>(t)], perm[static_cast<size_t>(j)]);
  }
  std::vector<int64_t> sample(perm.begin(), perm.begin() + r);
  std::sort(sample.begin(), sample.end());
  return sample;
}

// Column-major m x n matrix with N(0, 1) entries.
std::vector<double> gaussian_matrix(uint64_t seed, int64_t m, int64_t n) {
  return quarry_test::normals(seed, m * n);
}

// c = s * a, naive: s (rows x m), a (m x n), both column-major.
std::vector<double> multiply(const std::vector<double>& s, int64_t rows,
                             const std::vector<double>& a, int64_t m, int64_t n) {
  std::vector<double> c(static_cast<size_t>(rows * n), 0.0);
  for (int64_t j = 0; j < n; ++j) {
    for (int64_t l = 0; l < m; ++l) {
      const double x = a[static_cast<size_t>(l + j * m)];
      for (int64_t i = 0; i < rows; ++i)
        c[static_cast<size_t>(i + j * rows)] += s[static_cast<size_t>(i + l * rows)] * x;
    }
  }
  return c;
}

// Copies column-major m x n into `layout` with leading dimension ld (padding NaN, so a
// kernel that reads it fails loudly).
std::vector<double> to_layout(const std::vector<double>& a, int64_t m, int64_t n, int32_t layout,
                              int64_t ld) {
  const int64_t strided = layout == QUARRY_COL_MAJOR ? n : m;
  std::vector<double> out(static_cast<size_t>(strided * ld), std::nan(""));
  for (int64_t j = 0; j < n; ++j) {
    for (int64_t i = 0; i < m; ++i) {
      out[static_cast<size_t>(layout == QUARRY_COL_MAJOR ? i + j * ld : i * ld + j)] =
          a[static_cast<size_t>(i + j * m)];
    }
  }
  return out;
}

std::vector<double> from_layout(const std::vector<double>& b, int64_t m, int64_t n, int32_t layout,
                                int64_t ld) {
  std::vector<double> out(static_cast<size_t>(m * n));
  for (int64_t j = 0; j < n; ++j) {
    for (int64_t i = 0; i < m; ++i) {
      out[static_cast<size_t>(i + j * m)] =
          b[static_cast<size_t>(layout == QUARRY_COL_MAJOR ? i + j * ld : i * ld + j)];
    }
  }
  return out;
}

// S * A through the C API, in `layout` with padded leading dimensions; column-major out.
std::vector<double> apply(quarry_context* ctx, const quarry_sketch* s, const std::vector<double>& a,
                          int64_t m, int64_t n, int32_t layout) {
  int64_t rows = 0;
  quarry_sketch_info(s, nullptr, &rows, nullptr, nullptr);
  const int64_t lda = (layout == QUARRY_COL_MAJOR ? m : n) + 3;
  const int64_t ldb = (layout == QUARRY_COL_MAJOR ? rows : n) + 2;
  const std::vector<double> al = to_layout(a, m, n, layout, lda);
  std::vector<double> b((layout == QUARRY_COL_MAJOR ? n : rows) * static_cast<size_t>(ldb), -7.0);
  EXPECT_EQ(quarry_sketch_apply_f64(ctx, s, layout, m, n, al.data(), lda, b.data(), ldb), QUARRY_OK)
      << quarry_context_last_error(ctx);
  return from_layout(b, rows, n, layout, ldb);
}

struct Csr {
  std::vector<int64_t> row_ptr{0};
  std::vector<int64_t> col_idx;
  std::vector<double> val;
};

// The non-zeros of column-major m x n, row by row, each row's columns in reverse order
// (CSR columns need not be sorted), or increasing.
Csr to_csr(const std::vector<double>& a, int64_t m, int64_t n, bool increasing = false) {
  Csr c;
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t jj = 0; jj < n; ++jj) {
      const int64_t j = increasing ? jj : n - 1 - jj;
      const double v = a[static_cast<size_t>(i + j * m)];
      if (v != 0.0) {
        c.col_idx.push_back(j);
        c.val.push_back(v);
      }
    }
    c.row_ptr.push_back(static_cast<int64_t>(c.val.size()));
  }
  return c;
}

std::vector<double> apply_csr(quarry_context* ctx, const quarry_sketch* s, const Csr& a, int64_t m,
                              int64_t n, int32_t layout_b) {
  int64_t rows = 0;
  quarry_sketch_info(s, nullptr, &rows, nullptr, nullptr);
  const int64_t ldb = layout_b == QUARRY_COL_MAJOR ? rows : n;
  std::vector<double> b(static_cast<size_t>(rows * n), -7.0);
  EXPECT_EQ(quarry_sketch_apply_csr_f64(ctx, s, m, n, a.row_ptr.data(), a.col_idx.data(),
                                        a.val.data(), layout_b, b.data(), ldb),
            QUARRY_OK)
      << quarry_context_last_error(ctx);
  return from_layout(b, rows, n, layout_b, ldb);
}

// A sparse m x n test matrix: about a third of the entries non-zero.
std::vector<double> sparse_matrix(uint64_t seed, int64_t m, int64_t n) {
  std::vector<double> a = gaussian_matrix(seed, m, n);
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::fmod(std::abs(a[i]) * 1000.0, 3.0) >= 1.0) a[i] = 0.0;
  }
  for (int64_t j = 0; j < n; ++j) a[static_cast<size_t>(m / 2 + j * m)] = 0.0;    // a zero row
  for (int64_t i = 0; i < m; ++i) a[static_cast<size_t>(i + (n / 2) * m)] = 0.0;  // a zero column
  return a;
}

// Bitwise equality (EXPECT_EQ on doubles takes -0.0 for +0.0).
bool bitwise_equal(const std::vector<double>& x, const std::vector<double>& y) {
  return x.size() == y.size() && std::memcmp(x.data(), y.data(), x.size() * sizeof(double)) == 0;
}

double max_abs_diff(const std::vector<double>& x, const std::vector<double>& y) {
  double d = 0;
  for (size_t i = 0; i < x.size(); ++i) d = std::max(d, std::abs(x[i] - y[i]));
  return d;
}

// Singular values of column-major m x n (m >= n), largest first.
std::vector<double> singular_values(std::vector<double> a, int64_t m, int64_t n) {
  std::vector<double> s(static_cast<size_t>(n)), superb(static_cast<size_t>(n));
  const int info =
      LAPACKE_dgesvd(LAPACK_COL_MAJOR, 'N', 'N', static_cast<int>(m), static_cast<int>(n), a.data(),
                     static_cast<int>(m), s.data(), nullptr, 1, nullptr, 1, superb.data());
  EXPECT_EQ(info, 0);
  return s;
}

// ---------------------------------------------------------------------------------------
// The definitions

TEST(Sketch, SampleWithoutReplacementIsDistinctSortedAndMatchesTheDocumentedShuffle) {
  auto ctx = make_context();
  for (const auto& [n, r] :
       std::vector<std::pair<int64_t, int64_t>>{{10, 10}, {1000, 7}, {64, 40}, {1, 1}, {5, 0}}) {
    quarry_rng_state state;
    quarry_rng_state_from_seed(99, &state);
    const auto got =
        quarry::sketch::sample_without_replacement(quarry::core::PhiloxStream(state), n, r);
    EXPECT_EQ(got, documented_sample(ctx.get(), 99, 0, n, r)) << n << " " << r;
    EXPECT_TRUE(std::is_sorted(got.begin(), got.end()));
    EXPECT_EQ(std::set<int64_t>(got.begin(), got.end()).size(), static_cast<size_t>(r));
  }
}

TEST(Sketch, SampleWithoutReplacementIsUniform) {
  // Each index of [0, 20) is drawn with probability 5/20 = 1/4; over 4000 seeds its count
  // is Binomial(4000, 1/4): mean 1000, sd 27.4. Bound at 6 sd.
  std::vector<int> count(20, 0);
  for (uint64_t seed = 0; seed < 4000; ++seed) {
    quarry_rng_state state;
    quarry_rng_state_from_seed(seed, &state);
    for (int64_t i :
         quarry::sketch::sample_without_replacement(quarry::core::PhiloxStream(state), 20, 5)) {
      ++count[static_cast<size_t>(i)];
    }
  }
  for (int c : count) EXPECT_NEAR(c, 1000, 6 * 27.4);
}

TEST(Sketch, SparseSignEntriesFollowTheDocumentedDefinition) {
  auto ctx = make_context();
  const int64_t rows = 13, cols = 37, k = 5;
  auto s = make_sketch(ctx.get(), QUARRY_SKETCH_SPARSE_SIGN, rows, cols, 2024, k);
  const std::vector<double> got = explicit_sketch(ctx.get(), s.get());
  const std::vector<uint32_t> w = words(ctx.get(), 2024, 0, 2 * cols * k);
  std::vector<double> want(static_cast<size_t>(rows * cols), 0.0);
  for (int64_t j = 0; j < cols; ++j) {
    for (int64_t l = 0; l < k; ++l) {
      const int64_t e = j * k + l;
      const uint64_t x =
          (uint64_t{w[static_cast<size_t>(2 * e + 1)]} << 32) | w[static_cast<size_t>(2 * e)];
      const int64_t lo = l * rows / k, size = (l + 1) * rows / k - lo;
      const int64_t row = lo + static_cast<int64_t>(mulhi(x << 1, static_cast<uint64_t>(size)));
      want[static_cast<size_t>(row + j * rows)] = (x >> 63 ? -1.0 : 1.0) / std::sqrt(5.0);
    }
  }
  EXPECT_EQ(got, want);
  int64_t nnz = 0;
  EXPECT_EQ(quarry_sketch_info(s.get(), nullptr, nullptr, nullptr, &nnz), QUARRY_OK);
  EXPECT_EQ(nnz, k);
}

TEST(Sketch, CountSketchHasOneSignPerColumnAndSparseSignDefaultsToEight) {
  auto ctx = make_context();
  auto cs = make_sketch(ctx.get(), QUARRY_SKETCH_COUNTSKETCH, 9, 50, 3);
  const std::vector<double> s = explicit_sketch(ctx.get(), cs.get());
  for (int64_t j = 0; j < 50; ++j) {
    int nonzeros = 0;
    for (int64_t i = 0; i < 9; ++i) {
      const double v = s[static_cast<size_t>(i + j * 9)];
      if (v != 0) {
        ++nonzeros;
        EXPECT_EQ(std::abs(v), 1.0);
      }
    }
    EXPECT_EQ(nonzeros, 1);
  }
  int64_t nnz = 0;
  auto ss = make_sketch(ctx.get(), QUARRY_SKETCH_SPARSE_SIGN, 100, 10, 3);
  quarry_sketch_info(ss.get(), nullptr, nullptr, nullptr, &nnz);
  EXPECT_EQ(nnz, 8);
  auto small = make_sketch(ctx.get(), QUARRY_SKETCH_SPARSE_SIGN, 3, 10, 3);
  quarry_sketch_info(small.get(), nullptr, nullptr, nullptr, &nnz);
  EXPECT_EQ(nnz, 3);  // min(8, rows)
}

TEST(Sketch, SrhtFollowsTheDocumentedDefinition) {
  auto ctx = make_context();
  const int64_t rows = 6, cols = 11, padded = 16;
  auto s = make_sketch(ctx.get(), QUARRY_SKETCH_SRHT, rows, cols, 77);
  const std::vector<double> got = explicit_sketch(ctx.get(), s.get());
  const std::vector<uint32_t> sign_words = words(ctx.get(), 77, 0, 1);
  const std::vector<int64_t> sample =
      documented_sample(ctx.get(), 77, uint64_t{1} << 62, padded, rows);
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t j = 0; j < cols; ++j) {
      const double h =
          std::popcount(static_cast<uint64_t>(sample[static_cast<size_t>(r)] & j)) % 2 ? -1.0 : 1.0;
      const double d = (sign_words[0] >> j) & 1 ? -1.0 : 1.0;
      EXPECT_EQ(got[static_cast<size_t>(r + j * rows)], h * d / std::sqrt(6.0)) << r << " " << j;
    }
  }
}

TEST(Sketch, TallSrhtIsBitwiseThePlainTransformOfItsSampledRows) {
  // m = 300000 pads to 2^19 rows: 128 L2 blocks, one full-panel stage and the six top
  // stages folded for the sampled rows only. The result is bitwise that of the plain
  // radix-2 transform of the signed, padded columns, stage after stage.
  auto ctx = make_context();
  const int64_t m = 300000, n = 9, rows = 300, padded = int64_t{1} << 19;
  auto s = make_sketch(ctx.get(), QUARRY_SKETCH_SRHT, rows, m, 41);
  const std::vector<double> a = quarry_test::normals(41, m * n);
  const std::vector<uint32_t> sign_words = words(ctx.get(), 41, 0, (m + 31) / 32);
  const std::vector<int64_t> sample =
      documented_sample(ctx.get(), 41, uint64_t{1} << 62, padded, rows);
  for (int32_t layout : {QUARRY_COL_MAJOR, QUARRY_ROW_MAJOR}) {
    const std::vector<double> got = apply(ctx.get(), s.get(), a, m, n, layout);
    for (int64_t t = 0; t < n; ++t) {
      std::vector<double> x(static_cast<size_t>(padded), 0.0);
      for (int64_t i = 0; i < m; ++i) {
        const bool minus = (sign_words[static_cast<size_t>(i / 32)] >> (i % 32)) & 1;
        x[static_cast<size_t>(i)] = (minus ? -1.0 : 1.0) * a[static_cast<size_t>(i + t * m)];
      }
      for (int64_t h = 1; h < padded; h *= 2) {
        for (int64_t i = 0; i < padded; i += 2 * h) {
          for (int64_t j = i; j < i + h; ++j) {
            const double p = x[static_cast<size_t>(j)], q = x[static_cast<size_t>(j + h)];
            x[static_cast<size_t>(j)] = p + q;
            x[static_cast<size_t>(j + h)] = p - q;
          }
        }
      }
      for (int64_t r = 0; r < rows; ++r) {
        ASSERT_EQ(got[static_cast<size_t>(r + t * rows)],
                  (1.0 / std::sqrt(double(rows))) * x[static_cast<size_t>(sample[r])])
            << layout << " " << r << " " << t;
      }
    }
  }
}

TEST(Sketch, UniformRowsAndGaussianFollowTheDocumentedDefinitions) {
  auto ctx = make_context();
  auto u = make_sketch(ctx.get(), QUARRY_SKETCH_UNIFORM_ROWS, 4, 30, 5);
  const std::vector<double> su = explicit_sketch(ctx.get(), u.get());
  const std::vector<int64_t> sample = documented_sample(ctx.get(), 5, 0, 30, 4);
  for (int64_t r = 0; r < 4; ++r) {
    for (int64_t j = 0; j < 30; ++j) {
      EXPECT_EQ(su[static_cast<size_t>(r + j * 4)],
                j == sample[static_cast<size_t>(r)] ? std::sqrt(30.0 / 4.0) : 0.0);
    }
  }
  auto g = make_sketch(ctx.get(), QUARRY_SKETCH_GAUSSIAN, 7, 9, 5);
  const std::vector<double> sg = explicit_sketch(ctx.get(), g.get());
  std::vector<double> z(63);
  quarry_rng_state state;
  quarry_rng_state_from_seed(5, &state);
  ASSERT_EQ(quarry_rng_fill_normal_f64(ctx.get(), &state, 0, 63, z.data()), QUARRY_OK);
  // The sketch computes the same Box-Muller pairs with its own elementary functions.
  for (size_t i = 0; i < z.size(); ++i) EXPECT_NEAR(sg[i], z[i] / std::sqrt(7.0), 4e-15);
}

TEST(Sketch, FastHadamardTransformMatchesTheDefinitionForAnyBlocking) {
  for (int64_t n : {1, 2, 4, 8, 256, 512, 2048, 8192}) {
    const int64_t width = 8;
    const std::vector<double> x = quarry_test::normals(static_cast<uint64_t>(n), n * width);
    std::vector<double> fast = x;
    quarry::sketch::detail::fwht_panel(fast.data(), n);
    for (int64_t t = 0; t < width; ++t) {
      // The plain radix-2 transform of column t, stage after stage: bitwise the same.
      std::vector<double> plain(static_cast<size_t>(n));
      for (int64_t i = 0; i < n; ++i) plain[i] = x[i * width + t];
      for (int64_t h = 1; h < n; h *= 2) {
        for (int64_t i = 0; i < n; i += 2 * h) {
          for (int64_t j = i; j < i + h; ++j) {
            const double p = plain[j], q = plain[j + h];
            plain[j] = p + q;
            plain[j + h] = p - q;
          }
        }
      }
      for (int64_t i = 0; i < n; ++i) ASSERT_EQ(fast[i * width + t], plain[i]) << n;
      if (n > 512) continue;
      for (int64_t i = 0; i < n; ++i) {  // the definition, H(i, j) = (-1)^popcount(i & j)
        double want = 0;
        for (int64_t j = 0; j < n; ++j) {
          want += (std::popcount(static_cast<uint64_t>(i & j)) % 2 ? -1.0 : 1.0) * x[j * width + t];
        }
        ASSERT_NEAR(fast[i * width + t], want, 1e-13 * std::sqrt(double(n)) * 10) << n;
      }
    }
  }
}

// ---------------------------------------------------------------------------------------
// Products

class SketchKind : public ::testing::TestWithParam<int32_t> {};

TEST_P(SketchKind, ProductsMatchTheExplicitOperatorInEveryForm) {
  const int32_t kind = GetParam();
  auto ctx = make_context();
  for (const auto& [m, n, rows] : std::vector<std::tuple<int64_t, int64_t, int64_t>>{
           {300, 21, 40}, {64, 8, 64}, {1, 3, 1}, {1000, 1, 17}}) {
    auto s = make_sketch(ctx.get(), kind, rows, m, 11);
    const std::vector<double> sm = explicit_sketch(ctx.get(), s.get());
    const std::vector<double> a = sparse_matrix(static_cast<uint64_t>(m + n), m, n);
    const std::vector<double> want = multiply(sm, rows, a, m, n);
    double scale = 1e-300;
    for (double v : want) scale = std::max(scale, std::abs(v));
    const double tol = 1e-13 * scale * std::sqrt(double(m));
    const auto col = apply(ctx.get(), s.get(), a, m, n, QUARRY_COL_MAJOR);
    const auto row = apply(ctx.get(), s.get(), a, m, n, QUARRY_ROW_MAJOR);
    const Csr csr = to_csr(a, m, n);
    const auto sparse = apply_csr(ctx.get(), s.get(), csr, m, n, QUARRY_ROW_MAJOR);
    const auto sparse_col = apply_csr(ctx.get(), s.get(), csr, m, n, QUARRY_COL_MAJOR);
    EXPECT_LE(max_abs_diff(col, want), tol) << m << "x" << n;
    EXPECT_LE(max_abs_diff(row, want), tol);
    EXPECT_LE(max_abs_diff(sparse, want), tol);
    if (kind != QUARRY_SKETCH_GAUSSIAN) {  // bitwise across layouts and CSR
      EXPECT_TRUE(bitwise_equal(col, row));
      EXPECT_TRUE(bitwise_equal(col, sparse));
      EXPECT_TRUE(bitwise_equal(col, sparse_col));
    } else {
      EXPECT_EQ(sparse, sparse_col);
    }

    // A S^T for the transposed (wide) matrix: bitwise the transpose of S A.
    std::vector<double> at(static_cast<size_t>(n * m));
    for (int64_t i = 0; i < m; ++i) {
      for (int64_t j = 0; j < n; ++j)
        at[static_cast<size_t>(j + i * n)] = a[static_cast<size_t>(i + j * m)];
    }
    for (int32_t layout : {QUARRY_COL_MAJOR, QUARRY_ROW_MAJOR}) {
      const int64_t lda = layout == QUARRY_COL_MAJOR ? n : m;
      const int64_t ldb = layout == QUARRY_COL_MAJOR ? n : rows;
      const std::vector<double> al = to_layout(at, n, m, layout, lda);
      std::vector<double> b(static_cast<size_t>(n * rows));
      ASSERT_EQ(quarry_sketch_apply_right_f64(ctx.get(), s.get(), layout, n, m, al.data(), lda,
                                              b.data(), ldb),
                QUARRY_OK)
          << quarry_context_last_error(ctx.get());
      const std::vector<double> bt = from_layout(b, n, rows, layout, ldb);
      // The same from CSR (rows of A^T with increasing columns): bitwise equal.
      const Csr csr_t = to_csr(at, n, m, true);
      std::vector<double> bc(static_cast<size_t>(n * rows));
      ASSERT_EQ(quarry_sketch_apply_right_csr_f64(ctx.get(), s.get(), n, m, csr_t.row_ptr.data(),
                                                  csr_t.col_idx.data(), csr_t.val.data(), layout,
                                                  bc.data(), ldb),
                QUARRY_OK)
          << quarry_context_last_error(ctx.get());
      if (kind == QUARRY_SKETCH_GAUSSIAN) {
        EXPECT_LE(max_abs_diff(bc, b), tol);
      } else {
        EXPECT_TRUE(bitwise_equal(bc, b));
      }
      for (int64_t r = 0; r < rows; ++r) {
        for (int64_t j = 0; j < n; ++j) {
          const double got = bt[static_cast<size_t>(j + r * n)];
          const double expect =
              (layout == QUARRY_COL_MAJOR ? row : col)[static_cast<size_t>(r + j * rows)];
          if (kind == QUARRY_SKETCH_GAUSSIAN) {
            EXPECT_NEAR(got, expect, tol);
          } else {
            EXPECT_EQ(got, expect);
          }
        }
      }
    }
  }
}

TEST_P(SketchKind, OperatorAndProductsAreBitwiseTheSameForAnyThreadCount) {
  const int32_t kind = GetParam();
  const int64_t m = 3000, n = 37, rows = 120;
  const std::vector<double> a = sparse_matrix(4, m, n);
  const Csr csr = to_csr(a, m, n);
  std::vector<std::vector<double>> results;
  for (int64_t threads : {1, 2, 3, 8}) {
    auto ctx = make_context();
    ASSERT_EQ(quarry_context_set_threads(ctx.get(), threads), QUARRY_OK);
    auto s = make_sketch(ctx.get(), kind, rows, m, 8);
    std::vector<double> r = apply(ctx.get(), s.get(), a, m, n, QUARRY_COL_MAJOR);
    const auto rr = apply(ctx.get(), s.get(), a, m, n, QUARRY_ROW_MAJOR);
    const auto rc = apply_csr(ctx.get(), s.get(), csr, m, n, QUARRY_COL_MAJOR);
    r.insert(r.end(), rr.begin(), rr.end());
    r.insert(r.end(), rc.begin(), rc.end());
    // A S^T from CSR, A = the first 50 rows of the data transposed (50 x m).
    std::vector<double> at(static_cast<size_t>(50 * m));
    for (int64_t i = 0; i < m; ++i) {
      for (int64_t j = 0; j < 50; ++j)
        at[static_cast<size_t>(j + i * 50)] = a[static_cast<size_t>(i + (j % n) * m)];
    }
    const Csr csr_t = to_csr(at, 50, m);
    std::vector<double> right(static_cast<size_t>(50 * rows));
    ASSERT_EQ(quarry_sketch_apply_right_csr_f64(ctx.get(), s.get(), 50, m, csr_t.row_ptr.data(),
                                                csr_t.col_idx.data(), csr_t.val.data(),
                                                QUARRY_ROW_MAJOR, right.data(), rows),
              QUARRY_OK);
    r.insert(r.end(), right.begin(), right.end());
    results.push_back(r);
  }
  for (size_t t = 1; t < results.size(); ++t)
    EXPECT_TRUE(bitwise_equal(results[t], results[0])) << t;
}

// E[S^T S] = I: the mean of S^T S over 3000 seeds, each entry within 6 of its standard
// errors (estimated from the same draws) of the identity.
TEST_P(SketchKind, IsAnIsometryInExpectation) {
  const int32_t kind = GetParam();
  auto ctx = make_context();
  const int64_t m = 12, rows = 6, trials = 3000;
  std::vector<double> sum(static_cast<size_t>(m * m), 0.0), sum2(sum.size(), 0.0);
  for (int64_t t = 0; t < trials; ++t) {
    auto s = make_sketch(ctx.get(), kind, rows, m, static_cast<uint64_t>(t) + 1000);
    const std::vector<double> sm = explicit_sketch(ctx.get(), s.get());
    for (int64_t i = 0; i < m; ++i) {
      for (int64_t j = 0; j < m; ++j) {
        double g = 0;
        for (int64_t r = 0; r < rows; ++r)
          g += sm[static_cast<size_t>(r + i * rows)] * sm[static_cast<size_t>(r + j * rows)];
        sum[static_cast<size_t>(i + j * m)] += g;
        sum2[static_cast<size_t>(i + j * m)] += g * g;
      }
    }
  }
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < m; ++j) {
      const double mean = sum[static_cast<size_t>(i + j * m)] / trials;
      const double var = std::max(0.0, sum2[static_cast<size_t>(i + j * m)] / trials - mean * mean);
      const double se = std::sqrt(var / trials);
      EXPECT_NEAR(mean, i == j ? 1.0 : 0.0, 6 * se + 1e-12)
          << kind_name(kind) << " " << i << "," << j;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Kinds, SketchKind, ::testing::ValuesIn(kKinds),
                         [](const auto& info) { return kind_name(info.param); });

// ---------------------------------------------------------------------------------------
// Subspace embedding

// An m x n matrix with orthonormal columns: incoherent (QR of a Gaussian matrix) or
// coherent (the first n columns of the identity, rotated by a random n x n orthogonal
// matrix: all of its leverage on n rows).
std::vector<double> orthonormal(uint64_t seed, int64_t m, int64_t n, bool coherent) {
  std::vector<double> q = gaussian_matrix(seed, coherent ? n : m, n);
  const int64_t rows = coherent ? n : m;
  std::vector<double> tau(static_cast<size_t>(n));
  EXPECT_EQ(LAPACKE_dgeqrf(LAPACK_COL_MAJOR, static_cast<int>(rows), static_cast<int>(n), q.data(),
                           static_cast<int>(rows), tau.data()),
            0);
  EXPECT_EQ(LAPACKE_dorgqr(LAPACK_COL_MAJOR, static_cast<int>(rows), static_cast<int>(n),
                           static_cast<int>(n), q.data(), static_cast<int>(rows), tau.data()),
            0);
  if (!coherent) return q;
  std::vector<double> u(static_cast<size_t>(m * n), 0.0);
  for (int64_t j = 0; j < n; ++j) {
    for (int64_t i = 0; i < n; ++i)
      u[static_cast<size_t>(i * (m / n) + j * m)] = q[static_cast<size_t>(i + j * n)];
  }
  return u;
}

struct EmbeddingCase {
  int32_t kind;
  int64_t rows;
  int good = 0;  // seeds with sigma_max / sigma_min of S U at most 3.5
};

// Counts, for each case, the seeds among 100 whose S U has sigma_max / sigma_min <= 3.5
// (U m x n, one U per seed shared by the cases).
void count_embeddings(bool coherent, int64_t m, int64_t n, std::vector<EmbeddingCase>& cases) {
  auto ctx = make_context();
  for (uint64_t seed = 0; seed < 100; ++seed) {
    const std::vector<double> u = orthonormal(seed + 500, m, n, coherent);
    for (EmbeddingCase& c : cases) {
      auto s = make_sketch(ctx.get(), c.kind, c.rows, m, seed);
      std::vector<double> su(static_cast<size_t>(c.rows * n));
      ASSERT_EQ(quarry_sketch_apply_f64(ctx.get(), s.get(), QUARRY_COL_MAJOR, m, n, u.data(), m,
                                        su.data(), c.rows),
                QUARRY_OK);
      const std::vector<double> sv = singular_values(su, c.rows, n);
      if (sv.back() > 0 && sv.front() / sv.back() <= 3.5) ++c.good;
    }
  }
}

TEST(SketchEmbedding, FourTimesTheDimensionEmbedsSubspacesAndUniformSamplingIsTheControl) {
  // m = 1000, n = 40: rows = 4 n = 160 for Gaussian, SRHT and sparse sign; CountSketch at
  // its documented size for incoherent data, n^2 / 2 = 800 (docs/sketch.md).
  for (bool coherent : {false, true}) {
    std::vector<EmbeddingCase> cases = {
        {QUARRY_SKETCH_GAUSSIAN, 160},    {QUARRY_SKETCH_SRHT, 160},
        {QUARRY_SKETCH_SPARSE_SIGN, 160}, {QUARRY_SKETCH_COUNTSKETCH, 800},
        {QUARRY_SKETCH_COUNTSKETCH, 160}, {QUARRY_SKETCH_UNIFORM_ROWS, 160}};
    count_embeddings(coherent, 1000, 40, cases);
    const char* what = coherent ? "coherent" : "incoherent";
    for (size_t i = 0; i < 3; ++i)
      EXPECT_GE(cases[i].good, 99) << kind_name(cases[i].kind) << " " << what;
    if (!coherent) {
      EXPECT_GE(cases[3].good, 99) << "countsketch at n^2 / 2";
      EXPECT_GE(cases[5].good, 99) << "uniform rows, incoherent";
    } else {
      // CountSketch at 4 n: two of the 40 rows that carry U share a bucket in most seeds,
      // which makes S U singular.
      EXPECT_LE(cases[4].good, 5);
      // Uniform rows: 160 of 1000 rows miss most of the 40 that carry U. The control.
      EXPECT_EQ(cases[5].good, 0);
    }
  }
}

TEST(SketchEmbedding, CountSketchEmbedsCoherentSubspacesAtTheSquareOfTheDimension) {
  // No two of the n rows that carry U may share a bucket: rows >= n^2 / (2 delta) for
  // failure probability delta, 6400 rows for n = 8 at delta = 1/200.
  std::vector<EmbeddingCase> cases = {{QUARRY_SKETCH_COUNTSKETCH, 6400}};
  count_embeddings(true, 20000, 8, cases);
  EXPECT_GE(cases[0].good, 99);
}

// ---------------------------------------------------------------------------------------
// Bad input

TEST(SketchErrors, CreateRefusesBadArgumentsWithAMessage) {
  auto ctx = make_context();
  quarry_rng_state state;
  quarry_rng_state_from_seed(1, &state);
  quarry_sketch* s = reinterpret_cast<quarry_sketch*>(&state);
  auto expect = [&](quarry_status want, int32_t kind, int64_t rows, int64_t cols, int64_t nnz,
                    const char* needle) {
    auto opts = make_options();
    if (nnz != 0) {
      ASSERT_EQ(quarry_options_set_i64(opts.get(), QUARRY_OPT_SKETCH_NNZ, nnz), QUARRY_OK);
    }
    EXPECT_EQ(quarry_sketch_create(ctx.get(), kind, rows, cols, opts.get(), &state, &s), want)
        << needle;
    EXPECT_EQ(s, nullptr);
    EXPECT_NE(std::string(quarry_context_last_error(ctx.get())).find(needle), std::string::npos)
        << quarry_context_last_error(ctx.get());
  };
  expect(QUARRY_ERR_INVALID_ARGUMENT, 0, 4, 10, 0, "kind = 0");
  expect(QUARRY_ERR_INVALID_ARGUMENT, 6, 4, 10, 0, "kind = 6");
  expect(QUARRY_ERR_BAD_DIMENSION, QUARRY_SKETCH_GAUSSIAN, 0, 10, 0, "rows = 0");
  expect(QUARRY_ERR_BAD_DIMENSION, QUARRY_SKETCH_GAUSSIAN, 4, -1, 0, "cols = -1");
  expect(QUARRY_ERR_INVALID_ARGUMENT, QUARRY_SKETCH_SPARSE_SIGN, 4, 10, 5, "exceeds rows = 4");
  expect(QUARRY_ERR_INVALID_ARGUMENT, QUARRY_SKETCH_COUNTSKETCH, 4, 10, 2, "one non-zero");
  expect(QUARRY_ERR_INVALID_ARGUMENT, QUARRY_SKETCH_SRHT, 4, 10, 2, "applies only to");
  expect(QUARRY_ERR_BAD_DIMENSION, QUARRY_SKETCH_UNIFORM_ROWS, 11, 10, 0, "cols = 10");
  expect(QUARRY_ERR_BAD_DIMENSION, QUARRY_SKETCH_SRHT, 17, 10, 0, "16 rows");
  expect(QUARRY_ERR_BAD_DIMENSION, QUARRY_SKETCH_SPARSE_SIGN, int64_t{1} << 31, 10, 0, "at most");
  expect(QUARRY_ERR_SIZE_OVERFLOW, QUARRY_SKETCH_GAUSSIAN, int64_t{1} << 40, int64_t{1} << 40, 0,
         "overflows");
  expect(QUARRY_ERR_SIZE_OVERFLOW, QUARRY_SKETCH_SRHT, 4, int64_t{1} << 50, 0, "at most 2^48");
  state.reserved = 1;
  expect(QUARRY_ERR_INVALID_ARGUMENT, QUARRY_SKETCH_GAUSSIAN, 4, 10, 0, "reserved");
  EXPECT_EQ(
      quarry_sketch_create(ctx.get(), QUARRY_SKETCH_GAUSSIAN, 4, 10, nullptr, nullptr, nullptr),
      QUARRY_ERR_NULL_POINTER);
  EXPECT_EQ(quarry_sketch_create(nullptr, QUARRY_SKETCH_GAUSSIAN, 4, 10, nullptr, nullptr, &s),
            QUARRY_ERR_NULL_POINTER);
  // NULL seed: the state of QUARRY_OPT_SEED, like an explicit state from that seed.
  auto opts = make_options();
  ASSERT_EQ(quarry_options_set_i64(opts.get(), QUARRY_OPT_SEED, 42), QUARRY_OK);
  ASSERT_EQ(
      quarry_sketch_create(ctx.get(), QUARRY_SKETCH_SPARSE_SIGN, 5, 9, opts.get(), nullptr, &s),
      QUARRY_OK);
  SketchPtr from_option(s);
  EXPECT_EQ(explicit_sketch(ctx.get(), from_option.get()),
            explicit_sketch(ctx.get(),
                            make_sketch(ctx.get(), QUARRY_SKETCH_SPARSE_SIGN, 5, 9, 42).get()));
  quarry_sketch_destroy(nullptr);
  EXPECT_EQ(quarry_sketch_info(nullptr, nullptr, nullptr, nullptr, nullptr),
            QUARRY_ERR_NULL_POINTER);
}

TEST(SketchErrors, ApplyRefusesBadArgumentsAndNamesNonFiniteEntries) {
  auto ctx = make_context();
  for (int32_t kind : kKinds) {
    SCOPED_TRACE(kind_name(kind));
    auto s = make_sketch(ctx.get(), kind, 4, 10, 1);
    std::vector<double> a(30, 1.0), b(12, 0.0);
    auto status = [&](int32_t layout, int64_t m, int64_t n, const double* ap, int64_t lda,
                      double* bp, int64_t ldb) {
      return quarry_sketch_apply_f64(ctx.get(), s.get(), layout, m, n, ap, lda, bp, ldb);
    };
    EXPECT_EQ(status(QUARRY_COL_MAJOR, 10, 3, a.data(), 10, b.data(), 4), QUARRY_OK);
    EXPECT_EQ(status(QUARRY_COL_MAJOR, 9, 3, a.data(), 10, b.data(), 4), QUARRY_ERR_BAD_DIMENSION);
    EXPECT_NE(std::string(quarry_context_last_error(ctx.get())).find("needs 10 rows"),
              std::string::npos);
    EXPECT_EQ(status(QUARRY_COL_MAJOR, 10, -1, a.data(), 10, b.data(), 4),
              QUARRY_ERR_BAD_DIMENSION);
    EXPECT_EQ(status(QUARRY_COL_MAJOR, 10, 3, a.data(), 9, b.data(), 4),
              QUARRY_ERR_BAD_LEADING_DIM);
    EXPECT_EQ(status(QUARRY_COL_MAJOR, 10, 3, a.data(), 10, b.data(), 3),
              QUARRY_ERR_BAD_LEADING_DIM);
    EXPECT_EQ(status(QUARRY_ROW_MAJOR, 10, 3, a.data(), 2, b.data(), 3),
              QUARRY_ERR_BAD_LEADING_DIM);
    EXPECT_EQ(status(7, 10, 3, a.data(), 10, b.data(), 4), QUARRY_ERR_BAD_LAYOUT);
    EXPECT_EQ(status(QUARRY_COL_MAJOR, 10, 3, nullptr, 10, b.data(), 4), QUARRY_ERR_NULL_POINTER);
    EXPECT_EQ(status(QUARRY_COL_MAJOR, 10, 3, a.data(), 10, nullptr, 4), QUARRY_ERR_NULL_POINTER);
    EXPECT_EQ(status(QUARRY_COL_MAJOR, 10, 0, nullptr, 10, nullptr, 4), QUARRY_OK);  // empty
    EXPECT_EQ(quarry_sketch_apply_f64(ctx.get(), nullptr, QUARRY_COL_MAJOR, 10, 3, a.data(), 10,
                                      b.data(), 4),
              QUARRY_ERR_NULL_POINTER);
    // Every kind but uniform rows reads every row: a NaN anywhere is found and named.
    const int64_t bad_row = kind == QUARRY_SKETCH_UNIFORM_ROWS ? 0 : 7;
    int64_t rows_of_s = 0;
    quarry_sketch_info(s.get(), nullptr, &rows_of_s, nullptr, nullptr);
    if (kind == QUARRY_SKETCH_UNIFORM_ROWS) {
      // Put the NaN in a sampled row: the first column of S's explicit form.
      std::vector<double> sm = explicit_sketch(ctx.get(), s.get());
      for (int64_t j = 0; j < 10; ++j) {
        for (int64_t r = 0; r < 4; ++r) {
          if (sm[static_cast<size_t>(r + j * 4)] != 0)
            a[static_cast<size_t>(j + 10)] = std::nan("");
        }
      }
    } else {
      a[static_cast<size_t>(bad_row + 10)] = std::nan("");
    }
    EXPECT_EQ(status(QUARRY_COL_MAJOR, 10, 3, a.data(), 10, b.data(), 4), QUARRY_ERR_NONFINITE);
    EXPECT_NE(std::string(quarry_context_last_error(ctx.get())).find("= nan"), std::string::npos)
        << quarry_context_last_error(ctx.get());
    // The largest doubles: every kind's sums (or scaling, for uniform rows) overflow.
    std::fill(a.begin(), a.end(), std::numeric_limits<double>::max());
    EXPECT_EQ(status(QUARRY_COL_MAJOR, 10, 3, a.data(), 10, b.data(), 4), QUARRY_ERR_NONFINITE);
    EXPECT_NE(std::string(quarry_context_last_error(ctx.get())).find("overflows"),
              std::string::npos)
        << quarry_context_last_error(ctx.get());
  }
}

TEST(SketchErrors, CsrAndRightProductsAndColumnsRefuseBadArguments) {
  auto ctx = make_context();
  auto s = make_sketch(ctx.get(), QUARRY_SKETCH_SPARSE_SIGN, 4, 3, 1);
  const int64_t row_ptr[] = {0, 1, 2, 3};
  const int64_t col_idx[] = {0, 1, 0};
  double val[] = {1.0, 2.0, 3.0};
  std::vector<double> b(8);
  auto csr = [&](int64_t m, int64_t n, const int64_t* rp, const int64_t* ci, const double* v,
                 int32_t layout, int64_t ldb) {
    return quarry_sketch_apply_csr_f64(ctx.get(), s.get(), m, n, rp, ci, v, layout, b.data(), ldb);
  };
  EXPECT_EQ(csr(3, 2, row_ptr, col_idx, val, QUARRY_COL_MAJOR, 4), QUARRY_OK);
  EXPECT_EQ(csr(2, 2, row_ptr, col_idx, val, QUARRY_COL_MAJOR, 4), QUARRY_ERR_BAD_DIMENSION);
  EXPECT_EQ(csr(3, 1, row_ptr, col_idx, val, QUARRY_COL_MAJOR, 4), QUARRY_ERR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(quarry_context_last_error(ctx.get())).find("col_idx[1]"),
            std::string::npos);
  EXPECT_EQ(csr(3, 2, nullptr, col_idx, val, QUARRY_COL_MAJOR, 4), QUARRY_ERR_NULL_POINTER);
  EXPECT_EQ(csr(3, 2, row_ptr, col_idx, val, QUARRY_ROW_MAJOR, 1), QUARRY_ERR_BAD_LEADING_DIM);
  val[2] = INFINITY;
  EXPECT_EQ(csr(3, 2, row_ptr, col_idx, val, QUARRY_COL_MAJOR, 4), QUARRY_ERR_NONFINITE);
  EXPECT_NE(std::string(quarry_context_last_error(ctx.get())).find("A[2, 0] = inf"),
            std::string::npos)
      << quarry_context_last_error(ctx.get());

  std::vector<double> a(6, 1.0);  // 2 x 3, wide
  EXPECT_EQ(quarry_sketch_apply_right_f64(ctx.get(), s.get(), QUARRY_ROW_MAJOR, 2, 3, a.data(), 3,
                                          b.data(), 4),
            QUARRY_OK);
  EXPECT_EQ(quarry_sketch_apply_right_f64(ctx.get(), s.get(), QUARRY_ROW_MAJOR, 3, 2, a.data(), 2,
                                          b.data(), 4),
            QUARRY_ERR_BAD_DIMENSION);
  EXPECT_NE(std::string(quarry_context_last_error(ctx.get())).find("needs 3 columns"),
            std::string::npos);
  a[4] = std::nan("");
  EXPECT_EQ(quarry_sketch_apply_right_f64(ctx.get(), s.get(), QUARRY_ROW_MAJOR, 2, 3, a.data(), 3,
                                          b.data(), 4),
            QUARRY_ERR_NONFINITE);
  EXPECT_NE(std::string(quarry_context_last_error(ctx.get())).find("A[1, 1] = nan"),
            std::string::npos)
      << quarry_context_last_error(ctx.get());

  EXPECT_EQ(quarry_sketch_columns_f64(ctx.get(), s.get(), 1, 2, QUARRY_COL_MAJOR, b.data(), 4),
            QUARRY_OK);
  EXPECT_EQ(quarry_sketch_columns_f64(ctx.get(), s.get(), 2, 2, QUARRY_COL_MAJOR, b.data(), 4),
            QUARRY_ERR_BAD_DIMENSION);
  EXPECT_EQ(quarry_sketch_columns_f64(ctx.get(), s.get(), -1, 1, QUARRY_COL_MAJOR, b.data(), 4),
            QUARRY_ERR_BAD_DIMENSION);
  EXPECT_EQ(quarry_sketch_columns_f64(ctx.get(), s.get(), 0, 2, QUARRY_COL_MAJOR, nullptr, 4),
            QUARRY_ERR_NULL_POINTER);
}

}  // namespace
