// bench/extract: extraction of generic Gaussian one-hidden-layer ReLU networks from
// simulated black boxes. Prints, per size: queries and queries / P, the relative RMS and
// max abs error on 1e5 fresh N(0, I) inputs, time, and the oracle's share of it.
// With --seeds N, the same on N networks per size; with --box, the networks live on the unit cube
// [0, 1]^d (each hyperplane through a uniform point of it), the extraction may query only inside
// it, and the error is measured on uniform points of the cube. Uses only the public API.
#include <quarry.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

struct Size {
  int64_t d, k, c;
};

// n values of the stream of `seed`, filled by `fill` (quarry_rng_fill_normal_f64 or _uniform_f64).
template <class Fill>
std::vector<double> stream(quarry_context* ctx, uint64_t seed, int64_t n, Fill fill) {
  quarry_rng_state s;
  quarry_rng_state_from_seed(seed, &s);
  std::vector<double> v(static_cast<size_t>(n));
  if (fill(ctx, &s, 0, n, v.data()) != QUARRY_OK) std::abort();
  return v;
}

std::vector<double> normals(quarry_context* ctx, uint64_t seed, int64_t n, double scale) {
  std::vector<double> v = stream(ctx, seed, n, quarry_rng_fill_normal_f64);
  for (double& x : v) x *= scale;
  return v;
}

// n uniform values in (0, 1).
std::vector<double> uniforms(quarry_context* ctx, uint64_t seed, int64_t n) {
  return stream(ctx, seed, n, quarry_rng_fill_uniform_f64);
}

void check(quarry_status status, quarry_context* ctx, const char* what) {
  if (status == QUARRY_OK) return;
  std::fprintf(stderr, "%s: %s: %s\n", what, quarry_status_string(status),
               quarry_context_last_error(ctx));
  std::exit(1);
}

void run(quarry_context* ctx, const Size& s, uint64_t seed, const char* mode, double float32,
         double rounding, double noise, bool refine = false, bool box = false) {
  // A generic net: W, b, A ~ N(0, 1) scaled so that pre-activations and outputs are O(1).
  // On the unit cube, b_i = -w_i . z_i for a uniform z_i in it instead.
  const auto w = normals(ctx, seed, s.k * s.d, 1.0 / std::sqrt(double(s.d)));
  auto b = normals(ctx, seed + 1, s.k, 1.0);
  if (box) {
    const auto z = uniforms(ctx, seed + 3, s.k * s.d);
    for (int64_t i = 0; i < s.k; ++i) {
      b[i] = 0;
      for (int64_t j = 0; j < s.d; ++j) b[i] -= w[i * s.d + j] * z[i * s.d + j];
    }
  }
  const auto a = normals(ctx, seed + 2, s.c * s.k, 1.0 / std::sqrt(double(s.k)));
  quarry_relu_net* target = nullptr;
  check(quarry_relu_net_create_f64(ctx, s.d, s.k, s.c, w.data(), b.data(), a.data(), nullptr,
                                   nullptr, &target),
        ctx, "create");
  quarry_options* oracle_options = nullptr;
  quarry_options_create(&oracle_options);
  quarry_options_set_i64(oracle_options, QUARRY_OPT_ORACLE_FLOAT32, float32 > 0 ? 1 : 0);
  quarry_options_set_f64(oracle_options, QUARRY_OPT_ORACLE_ROUNDING, rounding);
  quarry_options_set_f64(oracle_options, QUARRY_OPT_ORACLE_NOISE, noise);
  quarry_net_oracle* oracle = nullptr;
  check(quarry_net_oracle_create(ctx, target, oracle_options, &oracle), ctx, "oracle");

  quarry_options* opts = nullptr;
  quarry_options_create(&opts);
  quarry_options_set_i64(opts, QUARRY_OPT_SEED, int64_t(seed));
  quarry_options_set_i64(opts, QUARRY_OPT_EXTRACT_REFINE, refine ? 1 : 0);
  const double lower = 0, upper = 1;
  if (box) {
    quarry_options_set_f64_array(opts, QUARRY_OPT_DOMAIN_LOWER, 1, &lower);
    quarry_options_set_f64_array(opts, QUARRY_OPT_DOMAIN_UPPER, 1, &upper);
  }
  quarry_relu_net* found = nullptr;
  quarry_report* report = nullptr;
  const auto start = std::chrono::steady_clock::now();
  const quarry_status status =
      quarry_extract_relu1(ctx, s.d, s.c, quarry_net_oracle_eval, oracle, opts, &found, &report);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (status != QUARRY_OK && found == nullptr) check(status, ctx, "extract");

  int64_t queries = 0, neurons = 0, lines = 0, batches = 0;
  double oracle_seconds = 0;
  quarry_report_get_i64(report, QUARRY_REPORT_QUERIES, &queries);
  quarry_report_get_i64(report, QUARRY_REPORT_NEURONS, &neurons);
  quarry_report_get_i64(report, QUARRY_REPORT_LINES, &lines);
  quarry_report_get_i64(report, QUARRY_REPORT_BATCHES, &batches);
  quarry_report_get_f64(report, QUARRY_REPORT_ORACLE_SECONDS, &oracle_seconds);

  // Error on fresh inputs (not counted: the attacker would not need them).
  const int64_t m = 100000;
  const auto x = box ? uniforms(ctx, seed + 99, m * s.d) : normals(ctx, seed + 99, m * s.d, 1.0);
  std::vector<double> y(m * s.c), z(m * s.c);
  check(quarry_relu_net_eval_f64(ctx, target, m, x.data(), y.data()), ctx, "eval");
  check(quarry_relu_net_eval_f64(ctx, found, m, x.data(), z.data()), ctx, "eval");
  double err = 0, ref = 0, worst = 0;
  for (size_t i = 0; i < y.size(); ++i) {
    err += (y[i] - z[i]) * (y[i] - z[i]);
    ref += y[i] * y[i];
    worst = std::max(worst, std::abs(y[i] - z[i]));
  }
  const double p = double(s.k * (s.d + 1) * 1 + s.c * (s.k + s.d + 1));  // all weights
  std::printf(
      "%-10s %4lld-%-4lld-%-3lld %9lld %7.2f %9.2e %9.2e %4lld/%-4lld %5lld %6lld %8.2f %5.0f%% "
      "%s\n",
      mode, (long long)s.d, (long long)s.k, (long long)s.c, (long long)queries, queries / p,
      std::sqrt(err / ref), worst, (long long)neurons, (long long)s.k, (long long)lines,
      (long long)batches, seconds, seconds > 0 ? 100 * oracle_seconds / seconds : 0.0,
      quarry_status_string(status));
  std::fflush(stdout);
  quarry_report_destroy(report);
  quarry_relu_net_destroy(found);
  quarry_options_destroy(opts);
  quarry_net_oracle_destroy(oracle);
  quarry_options_destroy(oracle_options);
  quarry_relu_net_destroy(target);
}

}  // namespace

int main(int argc, char** argv) {
  quarry_context* ctx = nullptr;
  if (quarry_context_create(&ctx) != QUARRY_OK) return 1;
  std::vector<Size> sizes = {{10, 20, 1}, {100, 100, 1}, {32, 128, 1}, {64, 32, 10}, {784, 128, 1}};
  const bool modes = argc > 1 && std::strcmp(argv[1], "--modes") == 0;
  const bool box = argc > 1 && std::strcmp(argv[1], "--box") == 0;
  if (argc > 1 && std::strcmp(argv[1], "--quick") == 0)
    sizes = {{10, 20, 1}, {32, 128, 1}, {64, 32, 10}};
  if (modes || box) sizes = {};
  std::printf("%-10s %-14s %9s %7s %9s %9s %9s %5s %6s %8s %6s %s\n", "oracle", "d-k-c", "queries",
              "q/P", "relRMS", "maxabs", "neurons", "lines", "batch", "seconds", "oracle",
              "status");
  // --seeds N: the default sizes on networks (and extraction seeds) 1..N.
  const int64_t seeds = argc > 2 && std::strcmp(argv[1], "--seeds") == 0 ? std::atoll(argv[2]) : 1;
  for (int64_t seed = 1; seed <= seeds; ++seed) {
    for (const Size& s : sizes) run(ctx, s, uint64_t(seed), "float64", 0, 0, 0);
  }
  if (argc > 1 && std::strcmp(argv[1], "--refine") == 0) {
    for (const Size& s : sizes) run(ctx, s, 1, "f64+refine", 0, 0, 0, true);
  }
  if (box) {
    // Three networks of each size on the unit cube.
    for (const Size& s : {Size{10, 20, 1}, Size{100, 100, 1}, Size{32, 128, 1}, Size{64, 32, 10},
                          Size{784, 128, 1}}) {
      for (uint64_t seed = 1; seed <= 3; ++seed) run(ctx, s, seed, "box", 0, 0, 0, false, true);
    }
  }
  if (modes) {
    // Defended black boxes: float32 arithmetic on three sizes, then the curves over the
    // rounding quantum and the noise level on 10-20-1.
    for (const Size& s : {Size{10, 20, 1}, Size{32, 128, 1}, Size{64, 32, 10}}) {
      run(ctx, s, 1, "float32", 1, 0, 0);
    }
    for (double q : {1e-3, 1e-4, 1e-5, 1e-6}) {
      run(ctx, {10, 20, 1}, 1, ("round" + std::to_string(int(std::lround(std::log10(q))))).c_str(),
          0, q, 0);
    }
    for (double sigma : {1e-3, 1e-5, 1e-7, 1e-9}) {
      run(ctx, {10, 20, 1}, 1,
          ("noise" + std::to_string(int(std::lround(std::log10(sigma))))).c_str(), 0, 0, sigma);
    }
  }
  quarry_context_destroy(ctx);
  return 0;
}
