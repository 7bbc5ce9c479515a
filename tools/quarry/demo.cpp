#include "demo.hpp"

#include "extract.hpp"
#include "lstsq.hpp"

#include <lapacke.h>
#include <quarry.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

namespace quarry_cli {

namespace {

struct KnownAnswer {
  std::array<uint32_t, 4> counter;
  std::array<uint32_t, 2> key;
  std::array<uint32_t, 4> expected;
};

// Random123's tests/kat_vectors, the three "philox4x32 10" lines.
constexpr KnownAnswer kPhiloxVectors[] = {
    {{0, 0, 0, 0}, {0, 0}, {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
    {{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff},
     {0xffffffff, 0xffffffff},
     {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
    {{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344},
     {0xa4093822, 0x299f31d0},
     {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}},
};

uint64_t join(uint32_t low, uint32_t high) { return (uint64_t{high} << 32) | low; }

bool philox_known_answers(quarry::Context& ctx) {
  for (const KnownAnswer& v : kPhiloxVectors) {
    quarry_rng_state state{QUARRY_RNG_PHILOX4X32_10,
                           0,
                           {join(v.key[0], v.key[1]), 0},
                           {join(v.counter[0], v.counter[1]), join(v.counter[2], v.counter[3])}};
    std::array<uint32_t, 4> got{};
    ctx.check(quarry_rng_fill_u32(ctx.get(), &state, 0, 4, got.data()));
    if (got != v.expected) return false;
  }
  return true;
}

void line(std::ostream& out, const std::string& what, bool ok, const std::string& detail) {
  out << "  " << (ok ? "ok  " : "FAIL") << "  " << what;
  if (!detail.empty()) out << ": " << detail;
  out << '\n';
}

// Copies a hidden 64-32-10 network through a simulated black box that answers value
// queries only, and measures the copy on fresh inputs.
bool extraction_demo(std::ostream& out, quarry::Context& ctx) {
  constexpr int64_t d = 64, k = 32, c = 10;
  const quarry_rng_state weights = quarry::rng_state_from_seed(64);
  auto w = quarry::random_normal(ctx, weights, 0, k * d);
  const auto b = quarry::random_normal(ctx, weights, k * d, k);
  auto a = quarry::random_normal(ctx, weights, k * d + k, c * k);
  for (double& x : w) x /= std::sqrt(double(d));
  for (double& x : a) x /= std::sqrt(double(k));
  const quarry::ReluNet hidden(ctx, d, k, c, w, b, a);
  quarry::NetOracle black_box(ctx, hidden);

  const auto start = std::chrono::steady_clock::now();
  quarry::Options opts;
  opts.set(QUARRY_OPT_SEED, 1);
  quarry::Extraction copy = quarry::extract_relu1(
      ctx, d, c, [&](int64_t n, const double* x, double* y) { black_box.answer(n, d, x, c, y); },
      &opts);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  const double relative = copy_error(ctx, hidden, copy.net, 10000, 65).relative_rms;
  const double parameters = parameter_count(d, k, c);
  const int64_t queries = black_box.queries();
  char detail[200];
  std::snprintf(detail, sizeof detail,
                "%lld of %lld neurons, %lld queries (%.2f per parameter), %.2f s, relative "
                "RMS error %.1e on 10000 fresh inputs",
                static_cast<long long>(copy.net.neurons()), static_cast<long long>(k),
                static_cast<long long>(queries), double(queries) / parameters, seconds, relative);
  out << "\nextraction\n";
  const bool ok = copy.status == QUARRY_OK && relative < 1e-8;
  line(out, "hidden 64-32-10 network copied from its answers", ok, detail);
  return ok;
}

// The faster of two runs of f, with setup (untimed) before each.
template <class Setup, class F>
double best_of_two(Setup setup, F f) {
  double best = std::numeric_limits<double>::infinity();
  for (int run = 0; run < 2; ++run) {
    setup();
    const auto start = std::chrono::steady_clock::now();
    f();
    best = std::min(
        best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return best;
}

// ||b - A x|| for a column-major m x n A.
double residual_norm(const std::vector<double>& a, const std::vector<double>& b, const double* x,
                     int64_t m, int64_t n) {
  std::vector<double> r = b;
  for (int64_t j = 0; j < n; ++j) {
    for (int64_t i = 0; i < m; ++i) r[size_t(i)] -= a[size_t(i + j * m)] * x[j];
  }
  double ss = 0;
  for (const double v : r) ss += v * v;
  return std::sqrt(ss);
}

// A 2e5 x 200 least-squares problem (Gaussian columns scaled to a condition number of
// about 1e6, ||r*|| / ||b|| about 1e-3) solved by LAPACK's dgels (on a copy of A and b,
// the copy not timed) and by quarry's default solver: time and residual.
bool least_squares_demo(std::ostream& out, quarry::Context& ctx) {
  constexpr int64_t m = 200'000, n = 200;
  const quarry_rng_state seed = quarry::rng_state_from_seed(200);
  std::vector<double> a = quarry::random_normal(ctx, seed, 0, m * n);
  const std::vector<double> x_true = quarry::random_normal(ctx, seed, m * n, n);
  const std::vector<double> noise = quarry::random_normal(ctx, seed, m * n + n, m);
  std::vector<double> b(size_t(m), 0.0);
  for (int64_t j = 0; j < n; ++j) {
    const double scale = std::pow(1e-6, double(j) / double(n - 1));
    for (int64_t i = 0; i < m; ++i) {
      double& v = a[size_t(i + j * m)];
      v *= scale;
      b[size_t(i)] += v * x_true[size_t(j)];
    }
  }
  double fit = 0, ee = 0;
  for (int64_t i = 0; i < m; ++i) {
    fit += b[size_t(i)] * b[size_t(i)];
    ee += noise[size_t(i)] * noise[size_t(i)];
  }
  for (int64_t i = 0; i < m; ++i) b[size_t(i)] += 1e-3 * std::sqrt(fit / ee) * noise[size_t(i)];

  std::vector<double> a_copy, b_copy;
  lapack_int info = 0;
  const double t_lapack = best_of_two(
      [&] {
        a_copy = a;
        b_copy = b;
      },
      [&] {
        info = LAPACKE_dgels(LAPACK_COL_MAJOR, 'N', m, n, 1, a_copy.data(), m, b_copy.data(), m);
      });
  a_copy = std::vector<double>();
  quarry::LstsqSolution ours;
  const double t_quarry = best_of_two([] {}, [&] { ours = quarry::lstsq(ctx, a, n, b); });
  const double r_lapack = residual_norm(a, b, b_copy.data(), m, n);
  const double r_ours = residual_norm(a, b, ours.x.data(), m, n);
  const int64_t method = ours.report.get_i64(QUARRY_REPORT_METHOD).value_or(-1);
  const std::vector<std::string> names = lstsq_method_names();
  char detail[300];
  std::snprintf(detail, sizeof detail,
                "dgels %.2f s, quarry %.2f s (%.1fx; %s, %lld iterations); residual %.6e, "
                "dgels' %.6e (relative difference %.1e)",
                t_lapack, t_quarry, t_lapack / t_quarry,
                method >= 0 && method < int64_t(names.size()) ? names[size_t(method)].c_str() : "?",
                static_cast<long long>(ours.report.get_i64(QUARRY_REPORT_ITERATIONS).value_or(0)),
                r_ours, r_lapack, r_ours / r_lapack - 1);
  out << "\nleast squares\n";
  // The accuracy contract of docs/lstsq.md: the residual within 1e-12 of LAPACK's (or below).
  const bool ok = info == 0 && r_ours <= (1 + 1e-12) * r_lapack;
  line(out, "200000 x 200, condition number 1e6, beside LAPACK", ok, detail);
  return ok;
}

}  // namespace

int run_demo(std::ostream& out, int64_t threads) {
  quarry::Context ctx;
  if (threads != 0) ctx.set_threads(threads);
  const char* env = std::getenv("QUARRY_NUM_THREADS");

  out << "quarry " << quarry::version_string() << " (ABI " << quarry::abi_version()
      << "): model extraction from queries, randomized sketching and fast regression\n"
      << "BLAS:    " << quarry::blas_info() << '\n'
      << "threads: " << ctx.threads()
      << (threads != 0     ? " (--threads)"
          : env != nullptr ? " (default; QUARRY_NUM_THREADS=" + std::string(env) + ")"
                           : std::string(" (default: hardware threads)"))
      << "\n\nself-check\n";
  bool all_ok = true;
  auto check = [&](const std::string& what, bool ok, const std::string& detail) {
    line(out, what, ok, detail);
    all_ok = all_ok && ok;
  };

  check("Philox4x32-10 matches Random123's known-answer vectors", philox_known_answers(ctx), "");

  // The same stream on 1 thread and on 2 threads must agree bit for bit.
  constexpr int64_t n = 1'000'000;
  const quarry_rng_state seed = quarry::rng_state_from_seed(2026);
  ctx.set_threads(1);
  const std::vector<double> one = quarry::random_normal(ctx, seed, 0, n);
  ctx.set_threads(2);
  const std::vector<double> two = quarry::random_normal(ctx, seed, 0, n);
  ctx.set_threads(threads);
  check("normal stream is identical on 1 and 2 threads", one == two,
        std::to_string(n) + " values, bitwise");

  // Sample moments: standard errors are 1/sqrt(n) (mean) and sqrt(2/n) (variance); six of
  // them bound a false failure below 1e-8.
  double sum = 0, sum_sq = 0;
  for (double z : one) sum += z;
  const double mean = sum / n;
  for (double z : one) sum_sq += (z - mean) * (z - mean);
  const double variance = sum_sq / (n - 1);
  const bool moments_ok =
      std::abs(mean) < 6 / std::sqrt(double(n)) && std::abs(variance - 1) < 6 * std::sqrt(2.0 / n);
  check("normal stream has mean 0 and variance 1", moments_ok,
        "mean " + std::to_string(mean) + ", variance " + std::to_string(variance));

  // Errors come back as a status plus a message on the context, never as a crash.
  const quarry_status refused = quarry_context_set_threads(ctx.get(), -1);
  check("bad input is refused with a message", refused == QUARRY_ERR_INVALID_ARGUMENT,
        std::string("\"") + ctx.last_error() + "\"");

  all_ok = extraction_demo(out, ctx) && all_ok;
  all_ok = least_squares_demo(out, ctx) && all_ok;

  out << (all_ok ? "\nall checks passed\n" : "\nSOME CHECKS FAILED\n");
  return all_ok ? 0 : 1;
}

}  // namespace quarry_cli
