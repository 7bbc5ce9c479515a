// bench_dynamic: quarry's dynamic least squares (quarry_dynamic_lstsq, exact and sampled)
// beside recursive least squares (RLS: the inverse Gram matrix updated by Sherman-Morrison
// for each row, 4 d^2 flops at BLAS 2 speed; exact in exact arithmetic), issue 7.
//
// The stream: row t = V (g_t1 s_1, ..., g_td s_d) with g Gaussian (quarry's Philox stream,
// seed 1), scales s_j log-spaced from 1 down to 1 / cond and V a random orthogonal matrix
// (the Q of a Gaussian matrix's QR; seed 3), so that the rows' covariance has condition
// number cond^2 in no preferred basis (scaling the columns alone would not hurt the normal
// equations: they are invariant to it); label b_t = sum_j a_tj + sigma e_t (e Gaussian).
// RLS starts from the normal equations of its first 2 d rows (Cholesky inverse), then one
// Sherman-Morrison update per row.
//
// 1. Throughput: `--rows` rows in batches of `--batch` into an exact and a sampled handle
//    (eps `--eps`); RLS on the first `--rls-rows` rows (its cost per row does not depend
//    on the rows before). At ten checkpoints: the sampled x's objective over all rows so
//    far (the exact handle's residual of it) over the minimum, and the rows it holds.
//    Rows per second exclude the checkpoints and the data generation.
// 2. Latency: the first `--latency-rows` rows inserted one at a time into fresh handles
//    and into RLS: the distribution of the time per insert.
// 3. Accuracy (`--accuracy`): b = A x_true exactly (sigma = 0), cond 1e2 to 1e10: the
//    relative error of x after `--rows` rows, exact and sampled mode, and RLS.
//
// Usage: bench_dynamic [--rows N] [--d D] [--batch B] [--rls-rows R] [--latency-rows L]
//                      [--eps E] [--cond K] [--accuracy]
#include <cblas.h>
#include <lapacke.h>
#include <quarry.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

using clock_type = std::chrono::steady_clock;

double seconds_since(clock_type::time_point t0) {
  return std::chrono::duration<double>(clock_type::now() - t0).count();
}

void check(quarry_status s, quarry_context* ctx, const char* what) {
  if (s != QUARRY_OK) {
    std::fprintf(stderr, "%s failed: %s: %s\n", what, quarry_status_string(s),
                 quarry_context_last_error(ctx));
    std::exit(1);
  }
}

struct Stream {
  int64_t d;
  double sigma;
  std::vector<double> scale;
  quarry_rng_state state;

  std::vector<double> v;  // d x d orthogonal, column-major

  Stream(quarry_context* ctx, int64_t d_, double cond, double sigma_)
      : d(d_), sigma(sigma_), scale(d_), v(static_cast<size_t>(d_ * d_)) {
    for (int64_t j = 0; j < d; ++j) {
      scale[j] = d > 1 ? std::pow(cond, -static_cast<double>(j) / static_cast<double>(d - 1)) : 1;
    }
    quarry_rng_state vs;
    quarry_rng_state_from_seed(3, &vs);
    check(quarry_rng_fill_normal_f64(ctx, &vs, 0, d * d, v.data()), ctx, "rng");
    std::vector<double> tau(static_cast<size_t>(d));
    const int di = static_cast<int>(d);
    LAPACKE_dgeqrf(LAPACK_COL_MAJOR, di, di, v.data(), di, tau.data());
    LAPACKE_dorgqr(LAPACK_COL_MAJOR, di, di, di, v.data(), di, tau.data());
    quarry_rng_state_from_seed(1, &state);
  }

  // Rows [t0, t0 + k): a (k x d, row-major) = (G diag(s)) V^T, and b.
  void rows(quarry_context* ctx, int64_t t0, int64_t k, std::vector<double>& a,
            std::vector<double>& b) const {
    std::vector<double> z(static_cast<size_t>(k * (d + 1)));
    check(quarry_rng_fill_normal_f64(ctx, &state, t0 * (d + 1), k * (d + 1), z.data()), ctx, "rng");
    for (int64_t i = 0; i < k; ++i) {
      for (int64_t j = 0; j < d; ++j) z[i * (d + 1) + j] *= scale[j];
    }
    a.resize(static_cast<size_t>(k * d));
    b.resize(static_cast<size_t>(k));
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, static_cast<int>(k), static_cast<int>(d),
                static_cast<int>(d), 1.0, z.data(), static_cast<int>(d + 1), v.data(),
                static_cast<int>(d), 0.0, a.data(), static_cast<int>(d));
    for (int64_t i = 0; i < k; ++i) {
      double s = sigma * z[i * (d + 1) + d];
      for (int64_t j = 0; j < d; ++j) s += a[i * d + j];
      b[i] = s;
    }
  }
};

// Recursive least squares: P = (A^T A)^-1 (upper triangle, row-major) and x, updated by
// Sherman-Morrison for each row after the normal equations of the first 2 d rows.
class Rls {
 public:
  explicit Rls(int64_t d)
      : d_(d), p_(static_cast<size_t>(d * d), 0.0), x_(d, 0.0), k_(d), atb_(d, 0.0) {}

  void add(const double* a, double b) {
    const int64_t d = d_;
    if (seen_ < 2 * d) {  // accumulate the normal equations
      cblas_dsyr(CblasRowMajor, CblasUpper, static_cast<int>(d), 1.0, a, 1, p_.data(),
                 static_cast<int>(d));
      cblas_daxpy(static_cast<int>(d), b, a, 1, atb_.data(), 1);
      if (++seen_ == 2 * d) {
        LAPACKE_dpotrf(LAPACK_ROW_MAJOR, 'U', static_cast<int>(d), p_.data(), static_cast<int>(d));
        LAPACKE_dpotri(LAPACK_ROW_MAJOR, 'U', static_cast<int>(d), p_.data(), static_cast<int>(d));
        cblas_dsymv(CblasRowMajor, CblasUpper, static_cast<int>(d), 1.0, p_.data(),
                    static_cast<int>(d), atb_.data(), 1, 0.0, x_.data(), 1);
      }
      return;
    }
    cblas_dsymv(CblasRowMajor, CblasUpper, static_cast<int>(d), 1.0, p_.data(), static_cast<int>(d),
                a, 1, 0.0, k_.data(), 1);
    const double denom = 1 + cblas_ddot(static_cast<int>(d), a, 1, k_.data(), 1);
    const double e = b - cblas_ddot(static_cast<int>(d), a, 1, x_.data(), 1);
    cblas_daxpy(static_cast<int>(d), e / denom, k_.data(), 1, x_.data(), 1);
    cblas_dsyr(CblasRowMajor, CblasUpper, static_cast<int>(d), -1 / denom, k_.data(), 1, p_.data(),
               static_cast<int>(d));
  }
  const std::vector<double>& x() const { return x_; }

 private:
  int64_t d_, seen_ = 0;
  std::vector<double> p_, x_, k_, atb_;
};

// Batched normal equations: G += A_batch^T A_batch and h += A_batch^T b by dsyrk/dgemv per
// batch (BLAS 3), x from a Cholesky solve when asked: the fastest exact-in-exact-arithmetic
// method, with RLS's cond^2 u accuracy.
class NormalEquations {
 public:
  explicit NormalEquations(int64_t d) : d_(d), g_(static_cast<size_t>(d * d), 0.0), h_(d, 0.0) {}

  void add(int64_t k, const double* a, const double* b) {
    const int di = static_cast<int>(d_), ki = static_cast<int>(k);
    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, di, ki, 1.0, a, di, 1.0, g_.data(), di);
    cblas_dgemv(CblasRowMajor, CblasTrans, ki, di, 1.0, a, di, b, 1, 1.0, h_.data(), 1);
  }
  std::vector<double> solve() const {
    std::vector<double> g = g_, x = h_;
    LAPACKE_dposv(LAPACK_ROW_MAJOR, 'U', static_cast<int>(d_), 1, g.data(), static_cast<int>(d_),
                  x.data(), 1);
    return x;
  }

 private:
  int64_t d_;
  std::vector<double> g_, h_;
};

quarry_dynamic_lstsq* make(quarry_context* ctx, int64_t d, bool sampled, double eps) {
  quarry_options* o = nullptr;
  check(quarry_options_create(&o), ctx, "options");
  quarry_options_set_i64(o, QUARRY_OPT_LSTSQ_METHOD,
                         sampled ? QUARRY_LSTSQ_SKETCH_SOLVE : QUARRY_LSTSQ_DIRECT);
  quarry_options_set_f64(o, QUARRY_OPT_TOLERANCE, eps);
  quarry_options_set_i64(o, QUARRY_OPT_SEED, 2);
  quarry_dynamic_lstsq* h = nullptr;
  check(quarry_dynamic_lstsq_create(ctx, d, o, &h), ctx, "create");
  quarry_options_destroy(o);
  return h;
}

std::vector<double> solve(quarry_context* ctx, quarry_dynamic_lstsq* h, int64_t d, int64_t* held) {
  std::vector<double> x(static_cast<size_t>(d));
  quarry_report* r = nullptr;
  check(quarry_dynamic_lstsq_solve_f64(ctx, h, x.data(), &r), ctx, "solve");
  if (held != nullptr) quarry_report_get_i64(r, QUARRY_REPORT_SKETCH_ROWS, held);
  quarry_report_destroy(r);
  return x;
}

double residual(quarry_context* ctx, quarry_dynamic_lstsq* exact, const std::vector<double>& x) {
  double norm = 0;
  check(quarry_dynamic_lstsq_residual_f64(ctx, exact, x.data(), &norm), ctx, "residual");
  return norm;
}

void insert(quarry_context* ctx, quarry_dynamic_lstsq* h, int64_t k, int64_t d, const double* a,
            const double* b) {
  check(quarry_dynamic_lstsq_insert_f64(ctx, h, QUARRY_ROW_MAJOR, k, a, d, b), ctx, "insert");
}

void throughput(quarry_context* ctx, int64_t rows, int64_t d, int64_t batch, int64_t rls_rows,
                double eps, double cond) {
  const Stream s(ctx, d, cond, 0.1);
  quarry_dynamic_lstsq* exact = make(ctx, d, false, eps);
  quarry_dynamic_lstsq* sampled = make(ctx, d, true, eps);
  Rls rls(d);
  NormalEquations ne(d);
  double t_exact = 0, t_sampled = 0, t_rls = 0, t_ne = 0, t_solve = 0, t_ne_solve = 0;
  int64_t solves = 0;
  std::vector<double> a, b;
  std::printf("\nthroughput: %lld rows, d = %lld, cond %.0e, batches of %lld, eps %.2f\n",
              static_cast<long long>(rows), static_cast<long long>(d), cond,
              static_cast<long long>(batch), eps);
  std::printf("%10s %14s %14s %12s\n", "rows", "sampled ratio", "rows held", "held / rows");
  const int64_t every = std::max<int64_t>(batch, rows / 10 / batch * batch);
  for (int64_t t = 0; t < rows; t += batch) {
    const int64_t k = std::min(batch, rows - t);
    s.rows(ctx, t, k, a, b);
    auto t0 = clock_type::now();
    insert(ctx, exact, k, d, a.data(), b.data());
    t_exact += seconds_since(t0);
    t0 = clock_type::now();
    insert(ctx, sampled, k, d, a.data(), b.data());
    t_sampled += seconds_since(t0);
    t0 = clock_type::now();
    ne.add(k, a.data(), b.data());
    t_ne += seconds_since(t0);
    if (t < rls_rows) {
      t0 = clock_type::now();
      for (int64_t i = 0; i < std::min(k, rls_rows - t); ++i) rls.add(&a[i * d], b[i]);
      t_rls += seconds_since(t0);
    }
    if ((t + k) % every == 0 || t + k == rows) {
      int64_t held = 0;
      const std::vector<double> xs = solve(ctx, sampled, d, &held);
      auto ts = clock_type::now();
      const std::vector<double> xe = solve(ctx, exact, d, nullptr);
      t_solve += seconds_since(ts);
      ts = clock_type::now();
      (void)ne.solve();
      t_ne_solve += seconds_since(ts);
      ++solves;
      const double ratio = std::pow(residual(ctx, exact, xs) / residual(ctx, exact, xe), 2);
      std::printf("%10lld %14.5f %14lld %12.4f\n", static_cast<long long>(t + k), ratio,
                  static_cast<long long>(held), static_cast<double>(held) / (t + k));
    }
  }
  const int64_t r_rls = std::min(rls_rows, rows);
  std::printf(
      "rows/s: exact %.0f (%.2f s), sampled %.0f (%.2f s), RLS %.0f (%lld rows, %.2f s), "
      "batched normal equations %.0f (%.2f s)\n",
      rows / t_exact, t_exact, rows / t_sampled, t_sampled, r_rls / t_rls,
      static_cast<long long>(r_rls), t_rls, rows / t_ne, t_ne);
  std::printf("x on demand: exact solve %.3f ms, normal equations' Cholesky solve %.3f ms\n",
              1e3 * t_solve / solves, 1e3 * t_ne_solve / solves);
  quarry_dynamic_lstsq_destroy(exact);
  quarry_dynamic_lstsq_destroy(sampled);
}

void print_latency(const char* name, std::vector<double> us) {
  std::sort(us.begin(), us.end());
  const auto q = [&](double f) {
    return us[std::min(us.size() - 1, static_cast<size_t>(f * static_cast<double>(us.size())))];
  };
  double mean = 0;
  for (const double v : us) mean += v;
  mean /= static_cast<double>(us.size());
  std::printf("%-8s %10.1f %10.1f %10.1f %10.1f %10.1f %10.1f\n", name, mean, q(0.5), q(0.9),
              q(0.99), q(0.999), us.back());
}

void latency(quarry_context* ctx, int64_t rows, int64_t d, double eps, double cond) {
  const Stream s(ctx, d, cond, 0.1);
  std::vector<double> a, b;
  s.rows(ctx, 0, rows, a, b);
  std::printf("\nlatency: %lld single-row inserts, d = %lld (microseconds per insert)\n",
              static_cast<long long>(rows), static_cast<long long>(d));
  std::printf("%-8s %10s %10s %10s %10s %10s %10s\n", "", "mean", "p50", "p90", "p99", "p99.9",
              "max");
  for (const bool sampled : {false, true}) {
    quarry_dynamic_lstsq* h = make(ctx, d, sampled, eps);
    std::vector<double> us(static_cast<size_t>(rows));
    for (int64_t i = 0; i < rows; ++i) {
      const auto t0 = clock_type::now();
      insert(ctx, h, 1, d, &a[i * d], &b[i]);
      us[i] = 1e6 * seconds_since(t0);
    }
    print_latency(sampled ? "sampled" : "exact", us);
    quarry_dynamic_lstsq_destroy(h);
  }
  Rls rls(d);
  std::vector<double> us(static_cast<size_t>(rows));
  for (int64_t i = 0; i < rows; ++i) {
    const auto t0 = clock_type::now();
    rls.add(&a[i * d], b[i]);
    us[i] = 1e6 * seconds_since(t0);
  }
  print_latency("RLS", us);
}

void accuracy(quarry_context* ctx, int64_t rows, int64_t d, int64_t batch, double eps) {
  std::printf(
      "\naccuracy: b = A x_true exactly, %lld rows, d = %lld: ||x - x_true|| / "
      "||x_true||\n",
      static_cast<long long>(rows), static_cast<long long>(d));
  std::printf("%8s %12s %12s %12s %12s\n", "cond", "exact", "sampled", "RLS", "normal eqs");
  for (const double cond : {1e2, 1e4, 1e6, 1e8, 1e10}) {
    const Stream s(ctx, d, cond, 0.0);
    quarry_dynamic_lstsq* exact = make(ctx, d, false, eps);
    quarry_dynamic_lstsq* sampled = make(ctx, d, true, eps);
    Rls rls(d);
    NormalEquations ne(d);
    std::vector<double> a, b;
    for (int64_t t = 0; t < rows; t += batch) {
      const int64_t k = std::min(batch, rows - t);
      s.rows(ctx, t, k, a, b);
      insert(ctx, exact, k, d, a.data(), b.data());
      insert(ctx, sampled, k, d, a.data(), b.data());
      ne.add(k, a.data(), b.data());
      for (int64_t i = 0; i < k; ++i) rls.add(&a[i * d], b[i]);
    }
    const auto err = [&](const std::vector<double>& x) {
      double e = 0;
      for (const double v : x) e += (v - 1) * (v - 1);
      return std::sqrt(e / static_cast<double>(d));
    };
    std::printf("%8.0e %12.2e %12.2e %12.2e %12.2e\n", cond, err(solve(ctx, exact, d, nullptr)),
                err(solve(ctx, sampled, d, nullptr)), err(rls.x()), err(ne.solve()));
    quarry_dynamic_lstsq_destroy(exact);
    quarry_dynamic_lstsq_destroy(sampled);
  }
}

}  // namespace

int main(int argc, char** argv) {
  int64_t rows = 1000000, d = 100, batch = 1000, rls_rows = -1, latency_rows = 20000;
  double eps = 0.1, cond = 100;
  bool only_accuracy = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const auto next = [&]() -> const char* {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", arg.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--rows") {
      rows = std::atoll(next());
    } else if (arg == "--d") {
      d = std::atoll(next());
    } else if (arg == "--batch") {
      batch = std::atoll(next());
    } else if (arg == "--rls-rows") {
      rls_rows = std::atoll(next());
    } else if (arg == "--latency-rows") {
      latency_rows = std::atoll(next());
    } else if (arg == "--eps") {
      eps = std::atof(next());
    } else if (arg == "--cond") {
      cond = std::atof(next());
    } else if (arg == "--accuracy") {
      only_accuracy = true;
    } else {
      std::fprintf(stderr,
                   "usage: bench_dynamic [--rows N] [--d D] [--batch B] [--rls-rows R] "
                   "[--latency-rows L] [--eps E] [--cond K] [--accuracy]\n");
      return 2;
    }
  }
  if (rls_rows < 0) rls_rows = rows;
  quarry_context* ctx = nullptr;
  if (quarry_context_create(&ctx) != QUARRY_OK) return 1;
  std::printf("bench_dynamic (%s)\n", quarry_blas_info());
  if (only_accuracy) {
    accuracy(ctx, rows, d, batch, eps);
  } else {
    throughput(ctx, rows, d, batch, rls_rows, eps, cond);
    latency(ctx, std::min(latency_rows, rows), d, eps, cond);
  }
  quarry_context_destroy(ctx);
  return 0;
}
