// bench_sketch: quarry's sketching operators beside the BLAS pass they are measured
// against, in the same run on the same data (issue 4 targets, docs/benchmarks.md).
//
//   sparse sign (k = 8) on dense A      vs one GEMV pass over A      (GB/s of A)
//   sparse sign / CountSketch on CSR    nnz per second per core
//   SRHT                                vs one GEMV pass             (time ratio)
//   Gaussian                            vs DGEMM with S stored       (speed ratio)
//
// Times are medians of 5 runs after one warm-up; quarry uses the context's threads (all
// cores unless QUARRY_NUM_THREADS says otherwise), OpenBLAS its own (the same count).
// Usage: bench_sketch [--quick]   (--quick: sizes small enough for a smoke run)
#include <cblas.h>
#include <quarry.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

namespace {

void check(quarry_status s, quarry_context* ctx, const char* what) {
  if (s != QUARRY_OK) {
    std::fprintf(stderr, "%s failed: %s: %s\n", what, quarry_status_string(s),
                 ctx != nullptr ? quarry_context_last_error(ctx) : "");
    std::exit(1);
  }
}

double seconds_of(const std::function<void()>& f) {
  const auto t0 = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Median of 5 timed runs after one warm-up.
double median_time(const std::function<void()>& f) {
  f();
  std::vector<double> t;
  for (int i = 0; i < 5; ++i) t.push_back(seconds_of(f));
  std::sort(t.begin(), t.end());
  return t[2];
}

// n values N(0, 1) from seed, through quarry's own stream.
std::vector<double> normals(quarry_context* ctx, uint64_t seed, int64_t n) {
  quarry_rng_state st;
  quarry_rng_state_from_seed(seed, &st);
  std::vector<double> v(static_cast<size_t>(n));
  check(quarry_rng_fill_normal_f64(ctx, &st, 0, n, v.data()), ctx, "normals");
  return v;
}

quarry_sketch* make_sketch(quarry_context* ctx, int32_t kind, int64_t rows, int64_t cols) {
  quarry_rng_state st;
  quarry_rng_state_from_seed(7, &st);
  quarry_sketch* s = nullptr;
  check(quarry_sketch_create(ctx, kind, rows, cols, nullptr, &st, &s), ctx, "sketch_create");
  return s;
}

// One GEMV pass over column-major A (m x n): y = A^T x, reading A once.
double gemv_time(const std::vector<double>& a, int64_t m, int64_t n) {
  std::vector<double> x(static_cast<size_t>(m), 1.0), y(static_cast<size_t>(n));
  return median_time([&] {
    cblas_dgemv(CblasColMajor, CblasTrans, static_cast<int>(m), static_cast<int>(n), 1.0, a.data(),
                static_cast<int>(m), x.data(), 1, 0.0, y.data(), 1);
  });
}

// Median time of B = S A for a dense, packed A (m x n) in `layout`.
double apply_time(quarry_context* ctx, const quarry_sketch* s, int32_t layout, int64_t m, int64_t n,
                  const std::vector<double>& a, std::vector<double>& b, int64_t rows) {
  const bool col = layout == QUARRY_COL_MAJOR;
  return median_time([&] {
    check(quarry_sketch_apply_f64(ctx, s, layout, m, n, a.data(), col ? m : n, b.data(),
                                  col ? rows : n),
          ctx, "apply");
  });
}

double gb(int64_t m, int64_t n) { return static_cast<double>(m) * static_cast<double>(n) * 8e-9; }

void dense_section(quarry_context* ctx, int32_t kind, const char* name, int64_t m, int64_t n,
                   int64_t rows) {
  const std::vector<double> a = normals(ctx, 1, m * n);
  std::vector<double> b(static_cast<size_t>(rows * n));
  quarry_sketch* s = make_sketch(ctx, kind, rows, m);
  const double t_col = apply_time(ctx, s, QUARRY_COL_MAJOR, m, n, a, b, rows);
  // The same buffer read as row-major m x n: other data of the same size, which is all a
  // timing needs.
  const double t_row = apply_time(ctx, s, QUARRY_ROW_MAJOR, m, n, a, b, rows);
  const double t_gemv = gemv_time(a, m, n);
  std::printf(
      "| %s | %lld x %lld (%.2f GB) | %lld | %.4f s (%.1f GB/s) | %.4f s (%.1f GB/s) | "
      "%.4f s (%.1f GB/s) | %.2f |\n",
      name, static_cast<long long>(m), static_cast<long long>(n), gb(m, n),
      static_cast<long long>(rows), t_col, gb(m, n) / t_col, t_row, gb(m, n) / t_row, t_gemv,
      gb(m, n) / t_gemv, t_col / t_gemv);
  quarry_sketch_destroy(s);
}

void csr_section(quarry_context* ctx, int32_t kind, const char* name, int64_t m, int64_t n,
                 int64_t per_row, int64_t rows, int64_t threads) {
  // per_row non-zeros per row at columns drawn from quarry's stream.
  std::vector<int64_t> row_ptr(static_cast<size_t>(m + 1));
  std::vector<int64_t> col_idx(static_cast<size_t>(m * per_row));
  std::vector<uint32_t> w(static_cast<size_t>(m * per_row));
  quarry_rng_state st;
  quarry_rng_state_from_seed(3, &st);
  check(quarry_rng_fill_u32(ctx, &st, 0, m * per_row, w.data()), ctx, "u32");
  for (int64_t i = 0; i < m; ++i) {
    row_ptr[static_cast<size_t>(i)] = i * per_row;
    for (int64_t p = i * per_row; p < (i + 1) * per_row; ++p) {
      col_idx[static_cast<size_t>(p)] = static_cast<int64_t>(w[static_cast<size_t>(p)] % n);
    }
  }
  row_ptr[static_cast<size_t>(m)] = m * per_row;
  const std::vector<double> val = normals(ctx, 2, m * per_row);
  std::vector<double> b(static_cast<size_t>(rows * n));
  quarry_sketch* s = make_sketch(ctx, kind, rows, m);
  const double nnz = static_cast<double>(m * per_row);
  double t[2];
  const int32_t layouts[2] = {QUARRY_ROW_MAJOR, QUARRY_COL_MAJOR};
  for (int l = 0; l < 2; ++l) {
    t[l] = median_time([&] {
      check(quarry_sketch_apply_csr_f64(ctx, s, m, n, row_ptr.data(), col_idx.data(), val.data(),
                                        layouts[l], b.data(),
                                        layouts[l] == QUARRY_ROW_MAJOR ? n : rows),
            ctx, "apply_csr");
    });
  }
  std::printf(
      "| %s | %lld x %lld, %lld nnz | %lld | %.4f s (%.0f M nnz/s/core) | %.4f s (%.0f M "
      "nnz/s/core) |\n",
      name, static_cast<long long>(m), static_cast<long long>(n),
      static_cast<long long>(m * per_row), static_cast<long long>(rows), t[0],
      nnz / t[0] / 1e6 / static_cast<double>(threads), t[1],
      nnz / t[1] / 1e6 / static_cast<double>(threads));
  quarry_sketch_destroy(s);
}

void gaussian_section(quarry_context* ctx, int64_t m, int64_t n, int64_t rows) {
  const std::vector<double> a = normals(ctx, 1, m * n);
  std::vector<double> b(static_cast<size_t>(rows * n));
  quarry_sketch* s = make_sketch(ctx, QUARRY_SKETCH_GAUSSIAN, rows, m);
  const double t_ours = apply_time(ctx, s, QUARRY_COL_MAJOR, m, n, a, b, rows);
  // The peer: the same product with S already stored (generation not counted).
  const std::vector<double> sm = normals(ctx, 9, rows * m);
  const double t_gemm = median_time([&] {
    cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, static_cast<int>(rows),
                static_cast<int>(n), static_cast<int>(m), 1.0, sm.data(), static_cast<int>(rows),
                a.data(), static_cast<int>(m), 0.0, b.data(), static_cast<int>(rows));
  });
  const double flops =
      2.0 * static_cast<double>(rows) * static_cast<double>(m) * static_cast<double>(n);
  std::printf(
      "| Gaussian | %lld x %lld | %lld | %.4f s (%.0f GF/s) | %.4f s (%.0f GF/s) | %.0f%% |\n",
      static_cast<long long>(m), static_cast<long long>(n), static_cast<long long>(rows), t_ours,
      flops / t_ours * 1e-9, t_gemm, flops / t_gemm * 1e-9, 100 * t_gemm / t_ours);
  quarry_sketch_destroy(s);
}

}  // namespace

int main(int argc, char** argv) {
  const bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
  quarry_context* ctx = nullptr;
  check(quarry_context_create(&ctx), nullptr, "context");
  int64_t threads = 0;
  check(quarry_context_get_threads(ctx, &threads), ctx, "threads");
  std::printf("quarry %s, %lld threads; %s\n\n", quarry_version_string(),
              static_cast<long long>(threads), quarry_blas_info());

  const int64_t m = quick ? 20000 : 100000;
  std::printf("Dense A, column-major (and the same buffer read row-major):\n\n");
  std::printf(
      "| operator | A | rows | S A, col-major | S A, row-major | GEMV pass | ratio to "
      "GEMV |\n|---|---|---|---|---|---|---|\n");
  dense_section(ctx, QUARRY_SKETCH_SPARSE_SIGN, "sparse sign k=8", m, 1000, 4000);
  dense_section(ctx, QUARRY_SKETCH_COUNTSKETCH, "CountSketch", m, 1000, 4000);
  dense_section(ctx, QUARRY_SKETCH_SRHT, "SRHT", m, 1000, 4000);
  dense_section(ctx, QUARRY_SKETCH_SRHT, "SRHT", m, 256, 1024);
  dense_section(ctx, QUARRY_SKETCH_UNIFORM_ROWS, "uniform rows", m, 1000, 4000);

  std::printf("\nCSR A (10 non-zeros per row at uniform columns), B row- or column-major:\n\n");
  std::printf("| operator | A | rows | B row-major | B col-major |\n|---|---|---|---|---|\n");
  const int64_t mc = quick ? 100000 : 1000000;
  csr_section(ctx, QUARRY_SKETCH_SPARSE_SIGN, "sparse sign k=8", mc, 1000, 10, 4000, threads);
  csr_section(ctx, QUARRY_SKETCH_COUNTSKETCH, "CountSketch", mc, 1000, 10, 4000, threads);

  std::printf("\nGaussian against DGEMM with S stored (same shape):\n\n");
  std::printf(
      "| operator | A | rows | quarry (generation included) | DGEMM | DGEMM time / "
      "quarry time |\n|---|---|---|---|---|---|\n");
  gaussian_section(ctx, quick ? 5000 : 20000, 1000, quick ? 250 : 1000);
  quarry_context_destroy(ctx);
  return 0;
}
