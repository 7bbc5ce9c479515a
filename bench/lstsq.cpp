// bench_lstsq: quarry's least-squares solvers beside LAPACK, in the same run on the same
// data (issue 5 targets; docs/references/randnla.md §8.1 protocol, §8.2 problems, §8.3 P1,
// P3, P4, P5, P12).
//
//   dense D3 1e5 x 1e3, D5 1e6 x 100, D6 2e5 x 200, D1 2e4 x 1e3, kappa 1e1 and 1e12:
//       LAPACKE_dgels  vs  quarry auto, sketch and precondition, sketch and solve (10 n rows)
//   ridge path, 10 lambdas log-spaced 1e-3 .. 1e3, on D3 with kappa 1e6:
//       normal-equations Cholesky (dsyrk once, then dposv per lambda)  vs  quarry, 10 calls
//   crossover: n = 500, m / n from 2 to 64, kappa 1e6: dgels vs sketch and precondition
//       and auto (where the iterative method overtakes LAPACK)
//   CSR S1 1e6 x 1e3, 10 non-zeros a row, columns scaled to kappa 1 and 1e8:
//       quarry alone (its peer, scipy's lsqr, is in bench/lstsq_peers.py)
//
// Dense A = G diag(sigma) V^T, G Gaussian m x n, sigma log-spaced from 1 to 1/kappa, V Haar;
// b = A x_true + e with ||e|| = 1e-3 ||A x_true||, so ||r*|| / ||b|| is about 1e-3 (the
// dgels row prints the measured value). All data come from quarry's Philox stream with the
// seeds printed in the header, so every run sees the same problems.
//
// Times are medians of 5 runs after one warm-up. dgels overwrites A and b, so each of its
// runs works on a fresh copy made before the clock starts: the copy is not timed, but its
// memory is counted in dgels' "extra memory" (peak resident set during the runs minus the
// resident set before, from /proc/self/status), as quarry's direct path copies A too.
// Residuals, forward errors and backward-error bounds are computed here from A, b and x,
// the same way for every solver. quarry uses the context's threads (all cores unless
// QUARRY_NUM_THREADS says otherwise), OpenBLAS its own (OPENBLAS_NUM_THREADS).
//
// Usage: bench_lstsq [--quick] [--only NAME]...
//   --quick      every m and n divided by 10: a smoke run of a few seconds
//   --only NAME  run only D1, D3, D5, D6, ridge, crossover or S1 (repeatable)
#include <cblas.h>
#include <lapacke.h>
#include <malloc.h>
#include <quarry.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <limits>
#include <string>
#include <vector>

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// Seed of the sketches inside quarry (QUARRY_OPT_SEED).
constexpr int64_t kSolverSeed = 1;

void check(quarry_status s, quarry_context* ctx, const char* what) {
  if (s != QUARRY_OK) {
    std::fprintf(stderr, "%s failed: %s: %s\n", what, quarry_status_string(s),
                 ctx != nullptr ? quarry_context_last_error(ctx) : "");
    std::exit(1);
  }
}

void check_lapack(lapack_int info, const char* what) {
  if (info != 0) {
    std::fprintf(stderr, "%s failed: info = %d\n", what, static_cast<int>(info));
    std::exit(1);
  }
}

size_t sz(int64_t v) { return static_cast<size_t>(v); }
int ni(int64_t v) { return static_cast<int>(v); }

double seconds_of(const std::function<void()>& f) {
  const auto t0 = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Median of 5 timed runs of f after one warm-up; setup runs untimed before each.
double median_time(
    const std::function<void()>& f, const std::function<void()>& setup = [] {}) {
  setup();
  f();
  std::vector<double> t;
  for (int i = 0; i < 5; ++i) {
    setup();
    t.push_back(seconds_of(f));
  }
  std::sort(t.begin(), t.end());
  return t[2];
}

// A value of /proc/self/status in MB ("VmRSS", "VmHWM"); NaN where there is none.
double proc_status_mb(const char* key) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const std::string prefix = std::string(key) + ":";
  while (std::getline(in, line)) {
    if (line.compare(0, prefix.size(), prefix) == 0) {
      return std::atof(line.c_str() + prefix.size()) / 1024.0;
    }
  }
  return kNaN;
}

// The peak resident set of the whole run in MB, which each reset below would lose.
double run_peak_mb = 0;

// Peak resident set of f above the resident set before it, in MB. Writing 5 to
// /proc/self/clear_refs resets VmHWM (Linux >= 4.0); NaN where that is not allowed.
// malloc_trim first hands back what glibc kept of earlier frees (blocks under its dynamic
// mmap threshold, up to 32 MB, stay resident otherwise and would hide f's own peak).
double extra_memory_mb(const std::function<void()>& f) {
  run_peak_mb = std::max(run_peak_mb, proc_status_mb("VmHWM"));
  malloc_trim(0);
  std::ofstream reset("/proc/self/clear_refs");
  reset << "5" << std::flush;
  const bool ok = static_cast<bool>(reset);
  const double before = proc_status_mb("VmRSS");
  f();
  return ok ? proc_status_mb("VmHWM") - before : kNaN;
}

// n values N(0, 1) from seed, through quarry's own stream.
std::vector<double> normals(quarry_context* ctx, uint64_t seed, int64_t n) {
  quarry_rng_state st;
  quarry_rng_state_from_seed(seed, &st);
  std::vector<double> v(sz(n));
  check(quarry_rng_fill_normal_f64(ctx, &st, 0, n, v.data()), ctx, "normals");
  return v;
}

double norm2(const std::vector<double>& v) {
  return cblas_dnrm2(ni(static_cast<int64_t>(v.size())), v.data(), 1);
}

double rel_diff(const std::vector<double>& x, const std::vector<double>& ref) {
  std::vector<double> d(x);
  cblas_daxpy(ni(static_cast<int64_t>(d.size())), -1.0, ref.data(), 1, d.data(), 1);
  return norm2(d) / norm2(ref);
}

// b = A x_true + e, ||e|| = 1e-3 ||A x_true||, given y = A x_true (overwritten with b).
void add_noise(quarry_context* ctx, uint64_t seed, std::vector<double>& y) {
  const std::vector<double> e = normals(ctx, seed, static_cast<int64_t>(y.size()));
  cblas_daxpy(ni(static_cast<int64_t>(y.size())), 1e-3 * norm2(y) / norm2(e), e.data(), 1, y.data(),
              1);
}

struct Dense {
  int64_t m = 0, n = 0;
  double kappa = 1;
  std::vector<double> a, b;  // column-major m x n, and m
  double a_fro = 0;
};

// A = G diag(sigma) V^T built in place, one block of rows at a time, so that only A and a
// block are held. V is Haar: the Q of a QR of a Gaussian with the signs of R's diagonal
// moved into Q (Mezzadri, "How to generate random matrices from the classical compact
// groups", 2007). G's singular values lie near sqrt(m) (1 +- sqrt(n / m)), so A's
// condition number is kappa times at most about 1.6 for m >= 20 n.
Dense make_dense(quarry_context* ctx, int64_t m, int64_t n, double kappa, uint64_t seed) {
  Dense p;
  p.m = m;
  p.n = n;
  p.kappa = kappa;
  p.a = normals(ctx, seed, m * n);
  for (int64_t j = 0; j < n; ++j) {
    const double sigma =
        n > 1 ? std::pow(kappa, -static_cast<double>(j) / static_cast<double>(n - 1)) : 1.0;
    cblas_dscal(ni(m), sigma, p.a.data() + sz(j * m), 1);
  }
  std::vector<double> v = normals(ctx, seed + 1, n * n), tau(sz(n));
  check_lapack(LAPACKE_dgeqrf(LAPACK_COL_MAJOR, ni(n), ni(n), v.data(), ni(n), tau.data()),
               "dgeqrf");
  std::vector<double> sign(sz(n));
  for (int64_t j = 0; j < n; ++j) sign[sz(j)] = v[sz(j + j * n)] < 0 ? -1.0 : 1.0;
  check_lapack(LAPACKE_dorgqr(LAPACK_COL_MAJOR, ni(n), ni(n), ni(n), v.data(), ni(n), tau.data()),
               "dorgqr");
  for (int64_t j = 0; j < n; ++j) cblas_dscal(ni(n), sign[sz(j)], v.data() + sz(j * n), 1);
  const int64_t block = 4096;
  std::vector<double> w(sz(std::min(block, m) * n));
  for (int64_t i0 = 0; i0 < m; i0 += block) {
    const int64_t rows = std::min(block, m - i0);
    cblas_dgemm(CblasColMajor, CblasNoTrans, CblasTrans, ni(rows), ni(n), ni(n), 1.0,
                p.a.data() + sz(i0), ni(m), v.data(), ni(n), 0.0, w.data(), ni(rows));
    for (int64_t j = 0; j < n; ++j) {
      std::memcpy(p.a.data() + sz(i0 + j * m), w.data() + sz(j * rows), sz(rows) * sizeof(double));
    }
  }
  const std::vector<double> x_true = normals(ctx, seed + 2, n);
  p.b.assign(sz(m), 0.0);
  cblas_dgemv(CblasColMajor, CblasNoTrans, ni(m), ni(n), 1.0, p.a.data(), ni(m), x_true.data(), 1,
              0.0, p.b.data(), 1);
  add_noise(ctx, seed + 3, p.b);
  p.a_fro = cblas_dnrm2(ni(m * n), p.a.data(), 1);
  return p;
}

// s + c += a x, both rounding errors kept in c: Dot2 of Ogita, Rump and Oishi ("Accurate
// sum and dot product", SISC 26(6), 2005), as accurate as twice the working precision.
inline void dot2_add(double& s, double& c, double a, double x) {
  const double p = a * x;
  const double ep = std::fma(a, x, -p);
  const double t = s + p;
  const double z = t - s;
  c += ((s - (t - z)) + (p - z)) + ep;
  s = t;
}

// r = b - A x, in twice the working precision. In double, the rounding error of r is
// about eps ||A|| ||x||, which at kappa = 1e12 exceeds 1e-8 ||r||: more than the
// differences between solvers that the table is to show.
std::vector<double> residual(const Dense& p, const std::vector<double>& x) {
  std::vector<double> s(p.b), c(sz(p.m), 0.0);
  for (int64_t j = 0; j < p.n; ++j) {
    const double* col = p.a.data() + sz(j * p.m);
    const double xj = -x[sz(j)];
    for (int64_t i = 0; i < p.m; ++i) dot2_add(s[sz(i)], c[sz(i)], col[i], xj);
  }
  for (int64_t i = 0; i < p.m; ++i) s[sz(i)] += c[sz(i)];
  return s;
}

// The backward-error bound quarry reports (QUARRY_REPORT_BACKWARD_ERROR), computed here for
// every solver alike: min(||r|| / ||x||, ||A^T r|| / ||r||) / ||A||_F.
double backward_bound(const Dense& p, const std::vector<double>& x, const std::vector<double>& r) {
  std::vector<double> g(sz(p.n));
  cblas_dgemv(CblasColMajor, CblasTrans, ni(p.m), ni(p.n), 1.0, p.a.data(), ni(p.m), r.data(), 1,
              0.0, g.data(), 1);
  return std::min(norm2(r) / norm2(x), norm2(g) / norm2(r)) / p.a_fro;
}

const char* method_name(int64_t method) {
  switch (method) {
    case QUARRY_LSTSQ_AUTO: return "auto";
    case QUARRY_LSTSQ_DIRECT: return "direct";
    case QUARRY_LSTSQ_SKETCH_SOLVE: return "sketch_solve";
    case QUARRY_LSTSQ_SKETCH_PRECONDITION: return "sketch_precondition";
    case QUARRY_LSTSQ_GRAM_PRECONDITION: return "gram_precondition";
    default: return "?";
  }
}

struct Outcome {
  double seconds = kNaN;
  double extra_mb = kNaN;
  std::string method;  // what ran, or the failure
  int64_t iterations = -1, sketch_rows = -1;
  std::vector<double> x;
  bool ok = false;  // x is a solution (converged or not)
};

// Reads method, iterations and sketch rows from the last run's report; a failure other than
// QUARRY_ERR_NO_CONVERGENCE leaves x unset and names the status.
void take_report(quarry_context* ctx, quarry_status st, quarry_report* rep, Outcome& out) {
  if (st != QUARRY_OK && st != QUARRY_ERR_NO_CONVERGENCE) {
    std::fprintf(stderr, "quarry failed: %s: %s\n", quarry_status_string(st),
                 quarry_context_last_error(ctx));
    out.method = std::string("error: ") + quarry_status_string(st);
    return;
  }
  int64_t method = 0;
  quarry_report_get_i64(rep, QUARRY_REPORT_METHOD, &method);
  quarry_report_get_i64(rep, QUARRY_REPORT_ITERATIONS, &out.iterations);
  quarry_report_get_i64(rep, QUARRY_REPORT_SKETCH_ROWS, &out.sketch_rows);
  out.method = method_name(method);
  if (st == QUARRY_ERR_NO_CONVERGENCE) out.method += " (no convergence)";
  out.ok = true;
}

quarry_options* solver_options(int64_t method, int64_t sketch_rows, double ridge) {
  quarry_options* o = nullptr;
  check(quarry_options_create(&o), nullptr, "options");
  check(quarry_options_set_i64(o, QUARRY_OPT_LSTSQ_METHOD, method), nullptr, "method");
  check(quarry_options_set_i64(o, QUARRY_OPT_SEED, kSolverSeed), nullptr, "seed");
  if (sketch_rows > 0) {
    check(quarry_options_set_i64(o, QUARRY_OPT_SKETCH_ROWS, sketch_rows), nullptr, "rows");
  }
  if (ridge > 0) check(quarry_options_set_f64(o, QUARRY_OPT_RIDGE, ridge), nullptr, "ridge");
  return o;
}

// Times call(&report) into out (median of 5 after a warm-up, and its extra memory) and
// reads the last report, which it returns for the caller to destroy.
template <class Call>
quarry_report* time_solver(quarry_context* ctx, Outcome& out, Call call) {
  quarry_report* rep = nullptr;
  quarry_status st = QUARRY_OK;
  out.extra_mb = extra_memory_mb([&] {
    out.seconds = median_time([&] {
      quarry_report_destroy(rep);
      rep = nullptr;
      st = call(&rep);
    });
  });
  take_report(ctx, st, rep, out);
  return rep;
}

Outcome run_quarry(quarry_context* ctx, const Dense& p, int64_t method, int64_t sketch_rows,
                   double ridge) {
  quarry_options* o = solver_options(method, sketch_rows, ridge);
  Outcome out;
  out.x.assign(sz(p.n), 0.0);
  quarry_report_destroy(time_solver(ctx, out, [&](quarry_report** rep) {
    return quarry_lstsq_f64(ctx, QUARRY_COL_MAJOR, p.m, p.n, 1, p.a.data(), p.m, p.b.data(), p.m,
                            out.x.data(), p.n, o, rep);
  }));
  quarry_options_destroy(o);
  return out;
}

Outcome run_dgels(const Dense& p) {
  Outcome out;
  out.method = "Householder QR";
  out.extra_mb = extra_memory_mb([&] {
    std::vector<double> a(p.a.size()), b(p.b.size());
    out.seconds = median_time(
        [&] {
          check_lapack(LAPACKE_dgels(LAPACK_COL_MAJOR, 'N', ni(p.m), ni(p.n), 1, a.data(), ni(p.m),
                                     b.data(), ni(p.m)),
                       "dgels");
        },
        [&] {
          std::memcpy(a.data(), p.a.data(), a.size() * sizeof(double));
          std::memcpy(b.data(), p.b.data(), b.size() * sizeof(double));
        });
    out.x.assign(b.begin(), b.begin() + p.n);
  });
  out.ok = true;
  return out;
}

void print_dense_row(const char* problem, const Dense& p, const char* solver, const Outcome& o,
                     const Outcome& ref, double ref_residual) {
  std::printf("| %s | %.0e | %s | %.3f s | %.2f | ", problem, p.kappa, solver, o.seconds,
              ref.seconds / o.seconds);
  if (!o.ok) {
    std::printf("– | – | – | %s | – | %.0f MB |\n", o.method.c_str(), o.extra_mb);
    return;
  }
  const std::vector<double> r = residual(p, o.x);
  if (&o == &ref) {
    std::printf("(‖r‖/‖b‖ = %.1e) | – | ", norm2(r) / norm2(p.b));
  } else {
    std::printf("%.1e | %.1e | ", norm2(r) / ref_residual - 1.0, rel_diff(o.x, ref.x));
  }
  const std::string method =
      o.sketch_rows > 0 ? o.method + " (" + std::to_string(o.sketch_rows) + " rows)" : o.method;
  std::printf("%s | %s | %.1e | %.0f MB |\n",
              o.iterations >= 0 ? std::to_string(o.iterations).c_str() : "–", method.c_str(),
              backward_bound(p, o.x, r), o.extra_mb);
}

void dense_section(quarry_context* ctx, const char* name, int64_t m, int64_t n, uint64_t seed) {
  for (const double kappa : {1e1, 1e12}) {
    Dense p = make_dense(ctx, m, n, kappa, seed);
    char problem[96];
    std::snprintf(problem, sizeof problem, "%s %lld x %lld", name, static_cast<long long>(m),
                  static_cast<long long>(n));
    const Outcome ref = run_dgels(p);
    const double ref_residual = norm2(residual(p, ref.x));
    print_dense_row(problem, p, "dgels", ref, ref, ref_residual);
    const Outcome aut = run_quarry(ctx, p, QUARRY_LSTSQ_AUTO, 0, 0);
    print_dense_row(problem, p, "quarry auto", aut, ref, ref_residual);
    const Outcome pre = run_quarry(ctx, p, QUARRY_LSTSQ_SKETCH_PRECONDITION, 0, 0);
    print_dense_row(problem, p, "quarry sketch_precondition", pre, ref, ref_residual);
    const Outcome sas = run_quarry(ctx, p, QUARRY_LSTSQ_SKETCH_SOLVE, 10 * n, 0);
    print_dense_row(problem, p, "quarry sketch_solve, 10 n rows", sas, ref, ref_residual);
    std::fflush(stdout);
  }
}

// Where sketch and precondition overtakes LAPACK: n fixed, m / n from 2 to 64, kappa 1e6;
// dgels beside quarry's sketch and precondition and auto (which picks by its cost model).
void crossover_section(quarry_context* ctx, int64_t n, uint64_t seed) {
  std::printf(
      "| m x n | m / n | dgels | quarry sketch_precondition | dgels / sketch_precondition | "
      "quarry auto | auto picked | dgels / auto |\n|---|---|---|---|---|---|---|---|\n");
  for (const int64_t ratio : {2, 3, 4, 6, 8, 12, 16, 32, 64}) {
    const int64_t m = ratio * n;
    const Dense p = make_dense(ctx, m, n, 1e6, seed + static_cast<uint64_t>(ratio));
    const Outcome ref = run_dgels(p);
    const Outcome pre = run_quarry(ctx, p, QUARRY_LSTSQ_SKETCH_PRECONDITION, 0, 0);
    const Outcome aut = run_quarry(ctx, p, QUARRY_LSTSQ_AUTO, 0, 0);
    std::printf("| %lld x %lld | %lld | %.3f s | %.3f s | %.2f | %.3f s | %s | %.2f |\n",
                static_cast<long long>(m), static_cast<long long>(n), static_cast<long long>(ratio),
                ref.seconds, pre.seconds, ref.seconds / pre.seconds, aut.seconds,
                aut.method.c_str(), ref.seconds / aut.seconds);
    std::fflush(stdout);
  }
}

// ||A x - b||^2 + lambda ||x||^2.
double ridge_objective(const Dense& p, const std::vector<double>& x, double lambda) {
  const double r = norm2(residual(p, x)), xn = norm2(x);
  return r * r + lambda * xn * xn;
}

void ridge_section(quarry_context* ctx, int64_t m, int64_t n, uint64_t seed) {
  const Dense p = make_dense(ctx, m, n, 1e6, seed);
  // The reference: A^T A and A^T b once, then per lambda a Cholesky of A^T A + lambda I.
  // Its error grows with cond(A)^2 (up to about 1e8 at lambda = 1e-3 here), so the
  // comparison is by objective value, where it is at most eps cond.
  std::vector<double> ata(sz(n * n)), atb(sz(n));
  const double t_gram = median_time([&] {
    cblas_dsyrk(CblasColMajor, CblasUpper, CblasTrans, ni(n), ni(m), 1.0, p.a.data(), ni(m), 0.0,
                ata.data(), ni(n));
    cblas_dgemv(CblasColMajor, CblasTrans, ni(m), ni(n), 1.0, p.a.data(), ni(m), p.b.data(), 1, 0.0,
                atb.data(), 1);
  });
  // The reference path: A^T A + lambda I by Cholesky, per lambda.
  std::vector<double> lambdas;
  for (int k = 0; k < 10; ++k) lambdas.push_back(std::pow(10.0, -3.0 + 6.0 * k / 9.0));
  const int64_t nl = static_cast<int64_t>(lambdas.size());
  std::vector<double> w(sz(n * n)), x_ref(sz(n * nl));
  const double t_ref = t_gram + median_time([&] {
                         for (int64_t l = 0; l < nl; ++l) {
                           w = ata;
                           for (int64_t j = 0; j < n; ++j) w[sz(j + j * n)] += lambdas[sz(l)];
                           std::copy(atb.begin(), atb.end(), x_ref.begin() + l * n);
                           check_lapack(LAPACKE_dposv(LAPACK_COL_MAJOR, 'U', ni(n), 1, w.data(),
                                                      ni(n), x_ref.data() + l * n, ni(n)),
                                        "dposv");
                         }
                       });
  std::printf(
      "| quarry_ridge_path_f64 method | whole path | reference path (dsyrk, then 10 dposv) | "
      "reference / quarry | method used | iterations | worst (f_quarry − f_ref) / f_ref | "
      "worst ‖x − x_ref‖/‖x_ref‖ |\n|---|---|---|---|---|---|---|---|\n");
  for (int64_t method :
       {QUARRY_LSTSQ_AUTO, QUARRY_LSTSQ_DIRECT, QUARRY_LSTSQ_SKETCH_PRECONDITION}) {
    quarry_options* o = solver_options(method, 0, 0);
    std::vector<double> x(sz(n * nl));
    Outcome q;
    quarry_report* rep = time_solver(ctx, q, [&](quarry_report** r) {
      return quarry_ridge_path_f64(ctx, QUARRY_COL_MAJOR, m, n, p.a.data(), m, p.b.data(), nl,
                                   lambdas.data(), x.data(), n, o, r);
    });
    const double t = q.seconds;
    double worst_f = -1e300, worst_x = 0;
    for (int64_t l = 0; l < nl; ++l) {
      const std::vector<double> xq(x.begin() + l * n, x.begin() + (l + 1) * n);
      const std::vector<double> xr(x_ref.begin() + l * n, x_ref.begin() + (l + 1) * n);
      const double f_ref = ridge_objective(p, xr, lambdas[sz(l)]);
      worst_f = std::max(worst_f, (ridge_objective(p, xq, lambdas[sz(l)]) - f_ref) / f_ref);
      worst_x = std::max(worst_x, rel_diff(xq, xr));
    }
    std::printf("| %s | %.3f s | %.3f s | %.2f | %s | %lld | %.1e | %.1e |\n", method_name(method),
                t, t_ref, t_ref / t, q.method.c_str(), static_cast<long long>(q.iterations),
                worst_f, worst_x);
    std::fflush(stdout);
    quarry_report_destroy(rep);
    quarry_options_destroy(o);
  }
}

struct Csr {
  int64_t m = 0, n = 0;
  std::vector<int64_t> row_ptr, col_idx;
  std::vector<double> val, b;
  double a_fro = 0;
};

// y = A^T x.
std::vector<double> csr_transpose_apply(const Csr& p, const std::vector<double>& x) {
  std::vector<double> y(sz(p.n), 0.0);
  for (int64_t i = 0; i < p.m; ++i) {
    for (int64_t k = p.row_ptr[sz(i)]; k < p.row_ptr[sz(i + 1)]; ++k) {
      y[sz(p.col_idx[sz(k)])] += p.val[sz(k)] * x[sz(i)];
    }
  }
  return y;
}

// b - A x in twice the working precision (as residual() for dense A); b = 0 gives -A x.
std::vector<double> csr_residual(const Csr& p, const std::vector<double>& b,
                                 const std::vector<double>& x) {
  std::vector<double> r(sz(p.m));
  for (int64_t i = 0; i < p.m; ++i) {
    double s = b[sz(i)], c = 0;
    for (int64_t k = p.row_ptr[sz(i)]; k < p.row_ptr[sz(i + 1)]; ++k) {
      dot2_add(s, c, p.val[sz(k)], -x[sz(p.col_idx[sz(k)])]);
    }
    r[sz(i)] = s + c;
  }
  return r;
}

// per_row non-zeros a row at uniform columns, N(0, 1) values, column j scaled by
// kappa^(j / (n - 1)): the condition number is about kappa times that of the unscaled
// matrix (near 1 + 2 sqrt(n / m)).
Csr make_csr(quarry_context* ctx, int64_t m, int64_t n, int64_t per_row, double kappa,
             uint64_t seed) {
  Csr p;
  p.m = m;
  p.n = n;
  const int64_t nnz = m * per_row;
  p.row_ptr.resize(sz(m + 1));
  p.col_idx.resize(sz(nnz));
  std::vector<uint32_t> w(sz(nnz));
  quarry_rng_state st;
  quarry_rng_state_from_seed(seed, &st);
  check(quarry_rng_fill_u32(ctx, &st, 0, nnz, w.data()), ctx, "u32");
  for (int64_t i = 0; i <= m; ++i) p.row_ptr[sz(i)] = i * per_row;
  for (int64_t k = 0; k < nnz; ++k) p.col_idx[sz(k)] = static_cast<int64_t>(w[sz(k)] % n);
  p.val = normals(ctx, seed + 1, nnz);
  for (int64_t k = 0; k < nnz; ++k) {
    p.val[sz(k)] *=
        std::pow(kappa, static_cast<double>(p.col_idx[sz(k)]) / static_cast<double>(n - 1));
  }
  // Duplicate (i, j) entries add up in A but are counted apart here: ||A||_F is off by a
  // few per cent at most, which the optimality ratio it scales can afford.
  p.a_fro = norm2(p.val);
  p.b = csr_residual(p, std::vector<double>(sz(m), 0.0), normals(ctx, seed + 2, n));
  cblas_dscal(ni(m), -1.0, p.b.data(), 1);
  add_noise(ctx, seed + 3, p.b);
  return p;
}

void csr_section(quarry_context* ctx, int64_t m, int64_t n, uint64_t seed) {
  std::printf(
      "| A | κ (column scaling) | quarry auto | method | iterations | ‖r‖/‖b‖ | ‖Aᵀr‖ / "
      "(‖A‖_F ‖r‖) | backward-error bound (report) | extra memory |\n"
      "|---|---|---|---|---|---|---|---|---|\n");
  for (const double kappa : {1.0, 1e8}) {
    const Csr p = make_csr(ctx, m, n, 10, kappa, seed);
    quarry_options* o = solver_options(QUARRY_LSTSQ_AUTO, 0, 0);
    Outcome out;
    out.x.assign(sz(n), 0.0);
    quarry_report* rep = time_solver(ctx, out, [&](quarry_report** r) {
      return quarry_lstsq_csr_f64(ctx, m, n, 1, p.row_ptr.data(), p.col_idx.data(), p.val.data(),
                                  QUARRY_COL_MAJOR, p.b.data(), m, out.x.data(), n, o, r);
    });
    double backward = kNaN;
    if (rep != nullptr) quarry_report_get_f64(rep, QUARRY_REPORT_BACKWARD_ERROR, &backward);
    quarry_report_destroy(rep);
    quarry_options_destroy(o);
    std::printf("| %lld x %lld, %lld nnz | %.0e | %.3f s | %s | ", static_cast<long long>(m),
                static_cast<long long>(n), static_cast<long long>(p.row_ptr.back()), kappa,
                out.seconds, out.method.c_str());
    if (!out.ok) {
      std::printf("– | – | – | – | %.0f MB |\n", out.extra_mb);
      continue;
    }
    const std::vector<double> r = csr_residual(p, p.b, out.x);
    const double rn = norm2(r);
    std::printf("%lld | %.3e | %.1e | %.1e | %.0f MB |\n", static_cast<long long>(out.iterations),
                rn / norm2(p.b), norm2(csr_transpose_apply(p, r)) / (p.a_fro * rn), backward,
                out.extra_mb);
    std::fflush(stdout);
  }
}

bool wanted(const std::vector<std::string>& only, const char* name) {
  return only.empty() || std::find(only.begin(), only.end(), name) != only.end();
}

}  // namespace

int main(int argc, char** argv) {
  bool quick = false;
  std::vector<std::string> only;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--quick") == 0) {
      quick = true;
    } else if (std::strcmp(argv[i], "--only") == 0 && i + 1 < argc) {
      only.emplace_back(argv[++i]);
    } else {
      std::fprintf(stderr,
                   "usage: bench_lstsq [--quick] [--only D1|D3|D5|D6|ridge|crossover|S1]...\n");
      return 2;
    }
  }
  quarry_context* ctx = nullptr;
  check(quarry_context_create(&ctx), nullptr, "context");
  int64_t threads = 0;
  check(quarry_context_get_threads(ctx, &threads), ctx, "threads");
  std::printf("quarry %s, %lld threads; %s\n", quarry_version_string(),
              static_cast<long long>(threads), quarry_blas_info());
  std::printf(
      "Data seeds: D1 10, D3 20, D5 30, D6 40, ridge 50, S1 60, crossover 70 + m / n "
      "(quarry's Philox stream); "
      "solver QUARRY_OPT_SEED = %lld.%s\n\n",
      static_cast<long long>(kSolverSeed), quick ? " --quick: m and n divided by 10." : "");

  const int64_t q = quick ? 10 : 1;
  struct DenseProblem {
    const char* name;
    int64_t m, n;
    uint64_t seed;
  };
  const DenseProblem dense[] = {{"D3", 100000, 1000, 20},
                                {"D5", 1000000, 100, 30},
                                {"D6", 200000, 200, 40},
                                {"D1", 20000, 1000, 10}};
  bool header = false;
  for (const DenseProblem& d : dense) {
    if (!wanted(only, d.name)) continue;
    if (!header) {
      std::printf(
          "Dense least squares, column-major A, one right-hand side, ‖r*‖/‖b‖ ≈ 1e-3 "
          "(residual and forward error against dgels' solution; backward-error bound "
          "min(‖r‖/‖x‖, ‖Aᵀr‖/‖r‖)/‖A‖_F computed here):\n\n"
          "| problem | κ | solver | time | speedup over dgels | ‖r‖/‖r_dgels‖ − 1 | "
          "‖x − x_dgels‖/‖x_dgels‖ | iterations | method | backward-error bound | extra "
          "memory |\n|---|---|---|---|---|---|---|---|---|---|---|\n");
      header = true;
    }
    dense_section(ctx, d.name, d.m / q, d.n / q, d.seed);
  }
  if (wanted(only, "ridge")) {
    std::printf(
        "\nRidge path on D3 (%lld x %lld, κ = 1e6), 10 λ log-spaced from 1e-3 to 1e3; "
        "f(x) = ‖Ax − b‖² + λ‖x‖²; reference: normal-equations Cholesky:\n\n",
        static_cast<long long>(100000 / q), static_cast<long long>(1000 / q));
    ridge_section(ctx, 100000 / q, 1000 / q, 50);
  }
  if (wanted(only, "crossover")) {
    std::printf(
        "\nCrossover, n = %lld, κ = 1e6, m / n from 2 to 64 (auto on dense A below 2 n "
        "rows is LAPACK by rule):\n\n",
        static_cast<long long>(500 / q));
    crossover_section(ctx, 500 / q, 70);
  }
  if (wanted(only, "S1")) {
    std::printf(
        "\nSparse least squares S1, CSR, 10 non-zeros a row at uniform columns, "
        "‖r*‖/‖b‖ ≈ 1e-3 (scipy's lsqr beside it: bench/lstsq_peers.py):\n\n");
    csr_section(ctx, 1000000 / q, 1000 / q, 60);
  }
  std::printf("\nPeak resident set of the run: %.0f MB.\n",
              std::max(run_peak_mb, proc_status_mb("VmHWM")));
  quarry_context_destroy(ctx);
  return 0;
}
