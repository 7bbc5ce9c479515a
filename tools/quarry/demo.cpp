#include "demo.hpp"

#include "extract.hpp"

#include <quarry.hpp>

#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
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

  out << (all_ok ? "\nall checks passed\n" : "\nSOME CHECKS FAILED\n");
  return all_ok ? 0 : 1;
}

}  // namespace quarry_cli
