// Extraction of one-hidden-layer ReLU networks through the public C API, on simulated
// black boxes. Accuracy is measured as in CKM'21: relative RMS error on fresh N(0, I)
// inputs (the report's estimate is checked too).
#include <quarry.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "c_handles.hpp"
#include "core/philox.hpp"

namespace {

using quarry_test::make_context;
using quarry_test::make_options;
using quarry_test::NetPtr;
using quarry_test::normals;
using quarry_test::OraclePtr;
using quarry_test::ReportPtr;

// A network given by its weights (row-major as in quarry_relu_net_create_f64).
struct Weights {
  int64_t d, k, c;
  std::vector<double> w, b, a, skip, c0;
};

Weights gaussian(int64_t d, int64_t k, int64_t c, uint64_t seed) {
  return {d,
          k,
          c,
          normals(seed, k * d, 1 / std::sqrt(double(d))),
          normals(seed + 1, k),
          normals(seed + 2, c * k, 1 / std::sqrt(double(k))),
          {},
          std::vector<double>(static_cast<size_t>(c), 0.0)};
}

NetPtr make_net(quarry_context* ctx, const Weights& n) {
  quarry_relu_net* net = nullptr;
  EXPECT_EQ(quarry_relu_net_create_f64(ctx, n.d, n.k, n.c, n.w.data(), n.b.data(), n.a.data(),
                                       n.skip.empty() ? nullptr : n.skip.data(), n.c0.data(), &net),
            QUARRY_OK)
      << quarry_context_last_error(ctx);
  return NetPtr(net);
}

struct Outcome {
  quarry_status status;
  std::string message;  // the context's message right after the extraction
  NetPtr net;
  ReportPtr report;
  int64_t queries = 0;
  double error = -1;  // relative RMS on 20000 fresh Gaussian inputs
};

int64_t report_i64(const quarry_report* r, int32_t key) {
  int64_t v = -1;
  EXPECT_EQ(quarry_report_get_i64(r, key, &v), QUARRY_OK) << quarry_report_key_name(key);
  return v;
}

double report_f64(const quarry_report* r, int32_t key) {
  double v = -1;
  EXPECT_EQ(quarry_report_get_f64(r, key, &v), QUARRY_OK) << quarry_report_key_name(key);
  return v;
}

// Relative RMS error of `found` against `truth` at the points x (m x d), by default 20000
// fresh Gaussian ones.
double relative_error(quarry_context* ctx, const quarry_relu_net* truth,
                      const quarry_relu_net* found, int64_t d, int64_t c,
                      std::vector<double> x = {}) {
  if (x.empty()) x = normals(424242, 20000 * d);
  const int64_t m = static_cast<int64_t>(x.size()) / d;
  std::vector<double> y(m * c), z(m * c);
  EXPECT_EQ(quarry_relu_net_eval_f64(ctx, truth, m, x.data(), y.data()), QUARRY_OK);
  EXPECT_EQ(quarry_relu_net_eval_f64(ctx, found, m, x.data(), z.data()), QUARRY_OK);
  double err = 0, ref = 0;
  for (size_t i = 0; i < y.size(); ++i) {
    err += (y[i] - z[i]) * (y[i] - z[i]);
    ref += y[i] * y[i];
  }
  return ref > 0 ? std::sqrt(err / ref) : std::sqrt(err / double(y.size()));
}

Outcome extract(quarry_context* ctx, const Weights& target, quarry_options* opts = nullptr,
                quarry_options* black_box = nullptr) {
  NetPtr truth = make_net(ctx, target);
  quarry_net_oracle* raw_oracle = nullptr;
  EXPECT_EQ(quarry_net_oracle_create(ctx, truth.get(), black_box, &raw_oracle), QUARRY_OK);
  OraclePtr oracle(raw_oracle);
  quarry_relu_net* found = nullptr;
  quarry_report* report = nullptr;
  Outcome out;
  out.status = quarry_extract_relu1(ctx, target.d, target.c, quarry_net_oracle_eval, oracle.get(),
                                    opts, &found, &report);
  out.message = quarry_context_last_error(ctx);
  out.net.reset(found);
  out.report.reset(report);
  EXPECT_EQ(quarry_net_oracle_queries(oracle.get(), &out.queries), QUARRY_OK);
  if (found != nullptr) out.error = relative_error(ctx, truth.get(), found, target.d, target.c);
  return out;
}

// Options with QUARRY_OPT_SEED set and nothing else.
auto seeded(int64_t seed) {
  auto opts = make_options();
  EXPECT_EQ(quarry_options_set_i64(opts.get(), QUARRY_OPT_SEED, seed), QUARRY_OK);
  return opts;
}

int64_t neurons_of(const quarry_relu_net* net) {
  int64_t k = -1;
  EXPECT_EQ(quarry_relu_net_dims(net, nullptr, &k, nullptr), QUARRY_OK);
  return k;
}

double parameter_count(const Weights& n) { return double(n.k * (n.d + 1) + n.c * (n.k + n.d + 1)); }

TEST(Extract, RecoversGenericNetworksToNearFloatPrecision) {
  auto ctx = make_context();
  for (const auto& [d, k, c] :
       {std::tuple{10, 20, 1}, std::tuple{24, 48, 1}, std::tuple{16, 12, 4}}) {
    const Weights target = gaussian(d, k, c, 7);
    const Outcome out = extract(ctx.get(), target);
    ASSERT_EQ(out.status, QUARRY_OK) << out.message;
    EXPECT_LT(out.error, 1e-8) << d << "-" << k << "-" << c;
    EXPECT_EQ(neurons_of(out.net.get()), k);
    // The benchmark's target is 5 P for small d (docs/benchmarks.md); this guards it loosely
    // across seeds.
    EXPECT_LE(out.queries, 6 * parameter_count(target)) << d << "-" << k << "-" << c;
    // The report counts exactly what the oracle answered, and estimates the error.
    EXPECT_EQ(report_i64(out.report.get(), QUARRY_REPORT_QUERIES), out.queries);
    EXPECT_EQ(report_i64(out.report.get(), QUARRY_REPORT_NEURONS), k);
    EXPECT_LT(report_f64(out.report.get(), QUARRY_REPORT_RELATIVE_ERROR), 1e-7);
  }
}

TEST(Extract, AMismeasuredNeuronIsDropped) {
  // On this network (k = 3d) the first line measures one jump that mixes two neurons; later
  // lines cross its hyperplane without a kink and drop it (drop_unseen), and were that to
  // fail, the final check drops it (from 8.5e-2 to 1e-12 on its points). Either way the copy
  // must come out exact.
  auto ctx = make_context();
  const Weights target = gaussian(8, 24, 1, 19);
  const auto opts = seeded(19);
  const Outcome out = extract(ctx.get(), target, opts.get());
  ASSERT_EQ(out.status, QUARRY_OK) << out.message;
  EXPECT_LT(out.error, 1e-9);
  EXPECT_EQ(neurons_of(out.net.get()), 24);
}

TEST(Extract, OverParameterizedNetworksNeedNoSignSearch) {
  auto ctx = make_context();
  const Weights target = gaussian(4, 16, 1, 3);  // k = 4d
  const Outcome out = extract(ctx.get(), target);
  ASSERT_EQ(out.status, QUARRY_OK);
  EXPECT_LT(out.error, 1e-8);
  EXPECT_EQ(neurons_of(out.net.get()), 16);
}

TEST(Extract, TheSameSeedGivesTheSameNetworkAndQueryCount) {
  auto ctx = make_context();
  const Weights target = gaussian(8, 10, 1, 11);
  const auto opts = seeded(5);
  const Outcome a = extract(ctx.get(), target, opts.get());
  const Outcome b = extract(ctx.get(), target, opts.get());
  ASSERT_EQ(a.status, QUARRY_OK);
  ASSERT_EQ(b.status, QUARRY_OK);
  EXPECT_EQ(a.queries, b.queries);
  const int64_t k = neurons_of(a.net.get());
  ASSERT_EQ(k, neurons_of(b.net.get()));
  auto weights = [k](const quarry_relu_net* net) {
    std::vector<double> w(k * 8), b(k), a(k), skip(8), c0(1);
    EXPECT_EQ(quarry_relu_net_get_f64(net, w.data(), b.data(), a.data(), skip.data(), c0.data()),
              QUARRY_OK);
    return std::vector<std::vector<double>>{w, b, a, skip, c0};
  };
  EXPECT_EQ(weights(a.net.get()), weights(b.net.get()));
}

TEST(Extract, AnExhaustedBudgetReturnsThePartialNetwork) {
  auto ctx = make_context();
  const Weights target = gaussian(10, 20, 1, 2);
  auto opts = make_options();
  ASSERT_EQ(quarry_options_set_i64(opts.get(), QUARRY_OPT_QUERY_BUDGET, 300), QUARRY_OK);
  const Outcome out = extract(ctx.get(), target, opts.get());
  EXPECT_EQ(out.status, QUARRY_ERR_BUDGET);
  ASSERT_NE(out.net, nullptr);
  EXPECT_LE(out.queries, 300);
  EXPECT_NE(out.message.find("budget"), std::string::npos) << out.message;
  ASSERT_NE(out.report, nullptr);
  EXPECT_EQ(report_i64(out.report.get(), QUARRY_REPORT_QUERIES), out.queries);
}

TEST(Extract, AProgressCallbackSeesEveryLineAndCanStop) {
  auto ctx = make_context();
  const Weights target = gaussian(6, 8, 1, 4);
  struct Seen {
    int64_t calls = 0, last_queries = 0;
  } seen;
  auto opts = make_options();
  ASSERT_EQ(quarry_options_set_progress(
                opts.get(),
                [](const quarry_report* r, void* user) -> int32_t {
                  auto* s = static_cast<Seen*>(user);
                  int64_t q = 0;
                  quarry_report_get_i64(r, QUARRY_REPORT_QUERIES, &q);
                  if (q < s->last_queries) return 2;  // must never go back
                  s->last_queries = q;
                  return ++s->calls == 2 ? 1 : 0;  // stop at the second line
                },
                &seen),
            QUARRY_OK);
  const Outcome out = extract(ctx.get(), target, opts.get());
  EXPECT_EQ(out.status, QUARRY_ERR_CALLBACK_ABORTED);
  EXPECT_EQ(seen.calls, 2);
  EXPECT_NE(out.net, nullptr);
}

TEST(Extract, AFailingOracleStopsTheExtractionWithItsCode) {
  auto ctx = make_context();
  quarry_relu_net* net = reinterpret_cast<quarry_relu_net*>(&ctx);
  const quarry_status status = quarry_extract_relu1(
      ctx.get(), 3, 1,
      [](int64_t, int64_t, const double*, int64_t, double*, void*) -> int32_t { return 7; },
      nullptr, nullptr, &net, nullptr);
  EXPECT_EQ(status, QUARRY_ERR_ORACLE);
  EXPECT_EQ(net, nullptr);
  EXPECT_NE(std::string(quarry_context_last_error(ctx.get())).find("returned 7"), std::string::npos)
      << quarry_context_last_error(ctx.get());
}

TEST(Extract, NaNAnswersAreOracleErrorsNamingTheQuery) {
  auto ctx = make_context();
  quarry_relu_net* net = nullptr;
  const quarry_status status = quarry_extract_relu1(
      ctx.get(), 2, 1,
      [](int64_t n, int64_t, const double*, int64_t, double* y, void*) -> int32_t {
        for (int64_t i = 0; i < n; ++i) y[i] = i == n - 1 ? NAN : 1.0;
        return 0;
      },
      nullptr, nullptr, &net, nullptr);
  EXPECT_EQ(status, QUARRY_ERR_ORACLE);
  EXPECT_EQ(net, nullptr);
  const std::string message = quarry_context_last_error(ctx.get());
  EXPECT_NE(message.find("nan"), std::string::npos) << message;
  EXPECT_NE(message.find("query 8"), std::string::npos) << message;  // last of the first batch
}

TEST(Extract, AnAbsurdNoiseLevelNeverYieldsANonFiniteNetwork) {
  auto ctx = make_context();
  const Weights target = gaussian(4, 3, 1, 5);
  auto opts = make_options();
  ASSERT_EQ(quarry_options_set_f64(opts.get(), QUARRY_OPT_OUTPUT_NOISE, 1e200), QUARRY_OK);
  const Outcome out = extract(ctx.get(), target, opts.get());
  EXPECT_NE(out.status, QUARRY_OK) << "a copy this uncertain is not a success";
  if (out.net != nullptr) {
    std::vector<double> skip(4), c0(1);
    ASSERT_EQ(
        quarry_relu_net_get_f64(out.net.get(), nullptr, nullptr, nullptr, skip.data(), c0.data()),
        QUARRY_OK);
    for (double v : skip) EXPECT_TRUE(std::isfinite(v));
    EXPECT_TRUE(std::isfinite(c0[0]));
  }
}

TEST(Extract, Float32BlackBoxesOfSmallNetworksAreCopiedToTheirPrecision) {
  // Kinks pinned from chords, pieces verified against the local noise and a final fit of
  // every parameter: all of these small networks come out at float32 precision (1e-7;
  // measured 4e-8 to 7e-8 at 5.7 to 14.5 queries per parameter). Before the chords, half
  // of them did, within 25 per parameter.
  auto ctx = make_context();
  auto float32 = make_options();
  ASSERT_EQ(quarry_options_set_i64(float32.get(), QUARRY_OPT_ORACLE_FLOAT32, 1), QUARRY_OK);
  for (uint64_t seed = 1; seed <= 6; ++seed) {
    const Weights target = gaussian(8, 8, 1, seed);
    const auto opts = seeded(int64_t(seed));
    const Outcome out = extract(ctx.get(), target, opts.get(), float32.get());
    ASSERT_NE(out.net, nullptr) << seed;
    EXPECT_EQ(out.status, QUARRY_OK) << seed << ": " << out.message;
    EXPECT_LT(out.error, 1e-6) << seed;
    EXPECT_LE(out.queries, 20 * parameter_count(target)) << seed;
  }
}

TEST(Extract, ABlackBoxTooCoarseToCopyIsReportedNotHidden) {
  // Outputs rounded to 0.01 are beyond what the extraction handles so far: it must say
  // so (and still hand over what it found), never return the copy as a success.
  auto ctx = make_context();
  auto coarse = make_options();
  ASSERT_EQ(quarry_options_set_f64(coarse.get(), QUARRY_OPT_ORACLE_ROUNDING, 1e-2), QUARRY_OK);
  const Outcome out = extract(ctx.get(), gaussian(6, 8, 1, 9), nullptr, coarse.get());
  EXPECT_NE(out.status, QUARRY_OK);
  if (out.status == QUARRY_ERR_NO_CONVERGENCE) {
    EXPECT_NE(out.net, nullptr);
    EXPECT_NE(out.message.find("estimated relative error"), std::string::npos) << out.message;
  }
}

// A network whose hyperplanes all cut the box [lower, upper] (each passes through a
// uniform point of it), with a skip term; and an oracle over it that records how far any
// query strayed outside the box.
struct BoxCase {
  Weights net;
  std::vector<double> lower, upper;  // d each
};

BoxCase box_case(int64_t d, int64_t k, const std::vector<double>& lower,
                 const std::vector<double>& upper, uint64_t seed) {
  BoxCase b{gaussian(d, k, 1, seed), lower, upper};
  b.net.skip = normals(seed + 3, d, 0.3);
  quarry::core::RandomSequence random(quarry::core::rng_state_from_seed(seed + 4));
  for (int64_t i = 0; i < k; ++i) {
    double z = 0;  // w_i . (a uniform point of the box)
    for (int64_t j = 0; j < d; ++j) {
      z += b.net.w[i * d + j] * (lower[j] + random.uniform() * (upper[j] - lower[j]));
    }
    b.net.b[i] = -z;
  }
  return b;
}

struct BoxOracle {
  quarry_net_oracle* oracle;
  const std::vector<double>* lower;
  const std::vector<double>* upper;
  double outside = 0;  // the farthest any query went outside the box

  static int32_t answer(int64_t n, int64_t d, const double* x, int64_t c, double* y, void* user) {
    auto* self = static_cast<BoxOracle*>(user);
    for (int64_t i = 0; i < n * d; ++i) {
      const double lo = (*self->lower)[i % d], hi = (*self->upper)[i % d];
      self->outside = std::max({self->outside, lo - x[i], x[i] - hi});
    }
    return quarry_net_oracle_eval(n, d, x, c, y, self->oracle);
  }
};

// Extracts the box case's network with queries confined to its box; returns the outcome
// with the error measured on 20000 uniform points of the box, and the worst excursion the
// oracle saw. (The extraction moves points outside by rounding, a few ulps, onto the box
// and fails with QUARRY_ERR_INTERNAL for any farther out, so a stray shows as a failed
// status as well.)
std::pair<Outcome, double> extract_in_box(quarry_context* ctx, const BoxCase& b,
                                          quarry_options* opts) {
  NetPtr truth = make_net(ctx, b.net);
  quarry_net_oracle* raw_oracle = nullptr;
  EXPECT_EQ(quarry_net_oracle_create(ctx, truth.get(), nullptr, &raw_oracle), QUARRY_OK);
  OraclePtr oracle(raw_oracle);
  BoxOracle box{oracle.get(), &b.lower, &b.upper};
  quarry_relu_net* found = nullptr;
  quarry_report* report = nullptr;
  Outcome out;
  out.status =
      quarry_extract_relu1(ctx, b.net.d, 1, BoxOracle::answer, &box, opts, &found, &report);
  out.message = quarry_context_last_error(ctx);
  out.net.reset(found);
  out.report.reset(report);
  EXPECT_EQ(quarry_net_oracle_queries(oracle.get(), &out.queries), QUARRY_OK);
  if (found != nullptr) {
    const int64_t m = 20000, d = b.net.d;
    quarry::core::RandomSequence random(quarry::core::rng_state_from_seed(99));
    std::vector<double> x(m * d);
    for (int64_t i = 0; i < m * d; ++i) {
      x[i] = b.lower[i % d] + random.uniform() * (b.upper[i % d] - b.lower[i % d]);
    }
    out.error = relative_error(ctx, truth.get(), found, d, 1, std::move(x));
  }
  return {std::move(out), box.outside};
}

quarry_status set_box(quarry_options* opts, const std::vector<double>& lower,
                      const std::vector<double>& upper) {
  const quarry_status status = quarry_options_set_f64_array(opts, QUARRY_OPT_DOMAIN_LOWER,
                                                            int64_t(lower.size()), lower.data());
  if (status != QUARRY_OK) return status;
  return quarry_options_set_f64_array(opts, QUARRY_OPT_DOMAIN_UPPER, int64_t(upper.size()),
                                      upper.data());
}

TEST(Extract, InABoxEveryQueryStaysInsideAndTheCopyMatchesThere) {
  auto ctx = make_context();
  // The unit cube (images), and a box with very different ranges per input.
  const int64_t d = 12;
  std::vector<double> skewed_lower(d), skewed_upper(d);
  for (int64_t j = 0; j < d; ++j) {
    skewed_lower[j] = j % 3 == 0 ? -40.0 : j % 3 == 1 ? 0.0 : 5.0;
    skewed_upper[j] = j % 3 == 0 ? 40.0 : j % 3 == 1 ? 1e-2 : 6.0;
  }
  const std::vector<double> unit_lower(d, 0.0), unit_upper(d, 1.0);
  for (const auto& [lower, upper] :
       {std::pair{unit_lower, unit_upper}, std::pair{skewed_lower, skewed_upper}}) {
    const BoxCase b = box_case(d, 16, lower, upper, 31);
    auto opts = make_options();
    // The unit cube given as one entry for every input.
    ASSERT_EQ(
        lower == unit_lower ? set_box(opts.get(), {0.0}, {1.0}) : set_box(opts.get(), lower, upper),
        QUARRY_OK);
    const auto [out, outside] = extract_in_box(ctx.get(), b, opts.get());
    ASSERT_EQ(out.status, QUARRY_OK) << out.message;
    EXPECT_LE(outside, 0.0);
    EXPECT_LT(out.error, 1e-8);
    EXPECT_EQ(neurons_of(out.net.get()), 16);
    EXPECT_LT(report_f64(out.report.get(), QUARRY_REPORT_RELATIVE_ERROR), 1e-7);
  }
}

TEST(Extract, ABadBoxIsRefusedBeforeAnyQuery) {
  auto ctx = make_context();
  int64_t asked = 0;
  auto count = [](int64_t n, int64_t, const double*, int64_t, double* y, void* user) -> int32_t {
    *static_cast<int64_t*>(user) += n;
    for (int64_t i = 0; i < n; ++i) y[i] = 0;
    return 0;
  };
  struct Bad {
    std::vector<double> lower, upper;
    const char* says;
  };
  const Bad cases[] = {
      {{0.0}, {}, "QUARRY_OPT_DOMAIN_UPPER is not set"},
      {{}, {1.0}, "QUARRY_OPT_DOMAIN_LOWER is not set"},
      {{0.0, 0.0}, {1.0}, "QUARRY_OPT_DOMAIN_LOWER has 2 entries"},
      {{0.0}, {0.0}, "input 0 has [0, 0]"},
      {{0.0, 0.0, 2.0}, {1.0}, "input 2 has [2, 1]"},
      {{-1e200}, {1e200}, "width must be at least"},
      {{1.0}, {1.0 + 1e-13}, "width must be at least"},
  };
  for (const Bad& bad : cases) {
    auto opts = make_options();
    if (!bad.lower.empty()) {
      ASSERT_EQ(quarry_options_set_f64_array(opts.get(), QUARRY_OPT_DOMAIN_LOWER,
                                             int64_t(bad.lower.size()), bad.lower.data()),
                QUARRY_OK);
    }
    if (!bad.upper.empty()) {
      ASSERT_EQ(quarry_options_set_f64_array(opts.get(), QUARRY_OPT_DOMAIN_UPPER,
                                             int64_t(bad.upper.size()), bad.upper.data()),
                QUARRY_OK);
    }
    quarry_relu_net* net = nullptr;
    EXPECT_EQ(quarry_extract_relu1(ctx.get(), 3, 1, count, &asked, opts.get(), &net, nullptr),
              QUARRY_ERR_INVALID_ARGUMENT)
        << bad.says;
    EXPECT_EQ(net, nullptr);
    const std::string message = quarry_context_last_error(ctx.get());
    EXPECT_NE(message.find(bad.says), std::string::npos) << message;
  }
  EXPECT_EQ(asked, 0);
}

TEST(Extract, BadArgumentsAreRefused) {
  auto ctx = make_context();
  quarry_relu_net* net = nullptr;
  auto fn = [](int64_t, int64_t, const double*, int64_t, double*, void*) -> int32_t { return 0; };
  EXPECT_EQ(quarry_extract_relu1(ctx.get(), 0, 1, fn, nullptr, nullptr, &net, nullptr),
            QUARRY_ERR_BAD_DIMENSION);
  EXPECT_EQ(quarry_extract_relu1(ctx.get(), 2, 0, fn, nullptr, nullptr, &net, nullptr),
            QUARRY_ERR_BAD_DIMENSION);
  EXPECT_EQ(quarry_extract_relu1(ctx.get(), 2, 1, nullptr, nullptr, nullptr, &net, nullptr),
            QUARRY_ERR_NULL_POINTER);
  EXPECT_EQ(quarry_extract_relu1(ctx.get(), 2, 1, fn, nullptr, nullptr, nullptr, nullptr),
            QUARRY_ERR_NULL_POINTER);
  EXPECT_EQ(quarry_extract_relu1(nullptr, 2, 1, fn, nullptr, nullptr, &net, nullptr),
            QUARRY_ERR_NULL_POINTER);
}

// The degenerate and adversarial networks of references/extraction.md 6.4. Each must be
// recovered as a function (relative RMS below the bound), whatever the neuron count.
struct ZooCase {
  std::string name;
  Weights net;
  double max_error;
  int64_t neurons;  // expected count, or -1 when any count is right
};

Weights with(int64_t d, int64_t c, std::vector<std::vector<double>> w, std::vector<double> b,
             std::vector<double> a, std::vector<double> skip = {}, std::vector<double> c0 = {}) {
  Weights n{d,
            static_cast<int64_t>(w.size()),
            c,
            {},
            std::move(b),
            std::move(a),
            std::move(skip),
            std::move(c0)};
  for (const auto& row : w) n.w.insert(n.w.end(), row.begin(), row.end());
  if (n.c0.empty()) n.c0.assign(static_cast<size_t>(c), 0.0);
  return n;
}

std::vector<ZooCase> zoo() {
  std::vector<ZooCase> cases;
  const std::vector<double> u = {0.6, -0.8, 0.0};
  cases.push_back({"exact duplicate", with(3, 1, {u, u}, {0.3, 0.3}, {1.0, 2.0}), 1e-9, 1});
  cases.push_back(
      {"opposite duplicate", with(3, 1, {u, {-0.6, 0.8, 0.0}}, {0.3, -0.3}, {1.0, 1.0}), 1e-9, 1});
  cases.push_back({"pure-linear disguise",
                   with(3, 1, {u, {-0.6, 0.8, 0.0}}, {0.3, -0.3}, {1.0, -1.0}), 1e-9, 0});
  cases.push_back({"exact cancellation",
                   with(3, 1, {u, u}, {0.3, 0.3}, {1.0, -1.0}, {0.5, 0.5, 0.5}, {1.0}), 1e-9, 0});
  cases.push_back({"dead and always-on",
                   with(3, 1, {{0, 0, 0}, {0, 0, 0}, u}, {-1.0, 2.0, 0.1}, {5.0, 3.0, 1.0}), 1e-9,
                   1});
  cases.push_back(
      {"axis-aligned and sparse",
       with(4, 1, {{1, 0, 0, 0}, {0, 0, 2, 0}, {0, 0, 0, -1}}, {0.2, -0.5, 0.1}, {1.0, -0.7, 0.4}),
       1e-9, 3});
  cases.push_back({"parallel hyperplanes, different offsets (staircase)",
                   with(3, 1, {u, u, u, u}, {0.0, -1.0, -2.0, 1.5}, {1.0, 0.5, -0.8, 0.3}), 1e-9,
                   4});
  cases.push_back(
      {"bias-free",
       with(4, 1, {{1, 2, 0, -1}, {0, 1, -1, 1}, {2, 0, 1, 0}}, {0, 0, 0}, {1.0, -1.0, 0.5}), 1e-9,
       3});
  cases.push_back(
      {"large linear term, small kinks",
       with(3, 1, {u, {0, 0.6, 0.8}}, {0.1, -0.2}, {1e-3, -2e-3}, {1e3, -1e3, 5e2}, {7.0}), 1e-9,
       2});
  cases.push_back({"huge constant offset",
                   with(3, 1, {u, {0, 0.6, 0.8}}, {0.1, -0.2}, {1.0, -2.0}, {}, {1e8}), 1e-9, 2});
  Weights line = gaussian(1, 200, 1, 12);  // d = 1: every kink on one axis
  cases.push_back({"d = 1, k = 200", line, 1e-9, 200});
  cases.push_back({"near-parallel pair, merged (angle 1e-9)",
                   with(3, 1, {u, {0.6 + 0.8e-9, -0.8 + 0.6e-9, 0.0}, {0, 0.6, 0.8}},
                        {0.3, 0.3, -0.1}, {1.0, -0.5, 0.7}),
                   1e-9, -1});
  Weights wide = gaussian(2, 100, 1, 21);  // k = 50 d
  cases.push_back({"k >> d (d = 2, k = 100)", wide, 1e-8, 100});
  cases.push_back({"tiny neuron (1e-10 relative)",
                   with(3, 1, {u, {0, 0.6, 0.8}}, {0.3, -0.1}, {1.0, 1e-10}), 1e-8, -1});
  cases.push_back({"dynamic range 1e-2 .. 1e2",
                   with(3, 1, {{60, -80, 0}, {0, 0.006, 0.008}, {0.8, 0, 0.6}}, {10, -0.001, 0.2},
                        {0.01, 100, 1}),
                   1e-8, 3});
  cases.push_back({"far hyperplanes (10 and 30 sigma)",
                   with(3, 1, {u, {0, 0.6, 0.8}, {0.8, 0, 0.6}}, {10, -30, 0.1}, {1, 1, 1}), 1e-8,
                   -1});
  cases.push_back(
      {"many hyperplanes through one flat",
       with(4, 1,
            {{1, 0, 0, 0}, {0, 1, 0, 0}, {0.6, 0.8, 0, 0}, {0.8, -0.6, 0, 0}, {0.28, 0.96, 0, 0}},
            {0, 0, 0, 0, 0}, {1, -1, 0.5, 0.7, -0.3}),
       1e-8, 5});
  cases.push_back(
      {"symmetric plateau-ramp", with(3, 1, {u, u}, {0.0, -0.01}, {1.0, -1.0}), 1e-8, 2});
  cases.push_back({"kinks closer than the search floor",
                   with(3, 1, {u, u, {0, 0.6, 0.8}}, {0.0, -1e-13, 0.2}, {1.0, 1.0, -0.5}), 1e-7,
                   -1});
  cases.push_back({"partial cancellation (1e-9)",
                   with(3, 1, {u, u, {0, 0.6, 0.8}}, {0.2, 0.2, -0.1}, {1.0, -1.0 + 1e-9, 0.5}),
                   1e-8, -1});
  return cases;
}

// Zoo cases the current algorithm does not pass yet (issue 3 stays open for them): the
// kinks of a near-parallel pair closer on a line than the kink certificate's probe spacing
// (1e-3 of the search interval) are taken for one kink, whose neuron mixes the two. In a
// dense network other lines separate the pair; here every later line agrees with the
// mixed neuron at its ends, so none is searched again. (Probes closer to the kink resolve
// these pairs, but in dense networks they resolve many close pairs from thin segments,
// less precisely: 784-128-1 in the unit cube went from 7e-11 to 1.5e-8.)
std::vector<ZooCase> zoo_known_failures() {
  std::vector<ZooCase> cases;
  const std::vector<double> u = {0.6, -0.8, 0.0};
  for (double angle : {1e-2, 1e-4}) {
    cases.push_back({"near-parallel pair, resolved (angle " + std::to_string(angle) + ")",
                     with(3, 1, {u, {0.6 + 0.8 * angle, -0.8 + 0.6 * angle, 0.0}, {0, 0.6, 0.8}},
                          {0.3, 0.3, -0.1}, {1.0, -0.5, 0.7}),
                     1e-8, 3});
  }
  return cases;
}

void check_zoo(const std::vector<ZooCase>& cases) {
  auto ctx = make_context();
  for (const ZooCase& z : cases) {
    SCOPED_TRACE(z.name);
    const Outcome out = extract(ctx.get(), z.net);
    ASSERT_EQ(out.status, QUARRY_OK) << out.message;
    EXPECT_LT(out.error, z.max_error);
    if (z.neurons >= 0) {
      EXPECT_EQ(neurons_of(out.net.get()), z.neurons);
    }
  }
}

TEST(ExtractZoo, DegenerateAndAdversarialNetworksAreRecoveredAsFunctions) { check_zoo(zoo()); }

// Run with --gtest_also_run_disabled_tests to see where the algorithm stands on these.
TEST(ExtractZoo, DISABLED_NearParallelPairsWhoseKinksMerge) { check_zoo(zoo_known_failures()); }

}  // namespace
