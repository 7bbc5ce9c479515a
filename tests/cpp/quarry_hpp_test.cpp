// The C++ wrapper, compiled as C++17 (its promised standard) against libquarry.so.
#include <quarry.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

namespace {

static_assert(__cplusplus == 201703L, "this test must be compiled as C++17");
static_assert(!std::is_copy_constructible_v<quarry::Context>);
static_assert(std::is_nothrow_move_constructible_v<quarry::Context>);
static_assert(!std::is_copy_constructible_v<quarry::Options>);
static_assert(!std::is_copy_constructible_v<quarry::Report>);

TEST(CppWrapper, ContextFailuresThrowWithStatusAndTheContextsMessage) {
  quarry::Context ctx(2);
  EXPECT_EQ(ctx.threads(), 2);
  try {
    ctx.set_threads(-4);
    FAIL() << "expected quarry::Error";
  } catch (const quarry::Error& e) {
    EXPECT_EQ(e.status(), QUARRY_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(std::string(e.what()),
              "invalid argument: threads = -4 is outside [0, 1024] (0 selects the default)");
  }
  EXPECT_EQ(ctx.threads(), 2);
  EXPECT_EQ(ctx.last_error(), "");
}

TEST(CppWrapper, ContextMovesItsHandle) {
  quarry::Context a(3);
  quarry_context* raw = a.get();
  quarry::Context b(std::move(a));
  EXPECT_EQ(b.get(), raw);
  EXPECT_EQ(a.get(), nullptr);
  quarry::Context c;
  c = std::move(b);
  EXPECT_EQ(c.get(), raw);
  EXPECT_EQ(c.threads(), 3);
}

TEST(CppWrapper, OptionsDispatchOnTheValueType) {
  quarry::Options o;
  o.set(QUARRY_OPT_SEED, 42).set(QUARRY_OPT_TOLERANCE, 1e-9).set(QUARRY_OPT_EXTRACT_REFINE, true);
  EXPECT_EQ(o.get_i64(QUARRY_OPT_SEED), 42);
  EXPECT_EQ(o.get_f64(QUARRY_OPT_TOLERANCE), 1e-9);
  EXPECT_EQ(o.get_i64(QUARRY_OPT_EXTRACT_REFINE), 1);
  EXPECT_FALSE(o.get_i64(QUARRY_OPT_SKETCH_ROWS).has_value());
  o.set(QUARRY_OPT_TOLERANCE, 0);  // an integer for a double key is converted
  EXPECT_EQ(o.get_f64(QUARRY_OPT_TOLERANCE), 0.0);
  o.unset(QUARRY_OPT_SEED);
  EXPECT_FALSE(o.get_i64(QUARRY_OPT_SEED).has_value());
}

TEST(CppWrapper, ArrayOptionsRoundTrip) {
  quarry::Options o;
  EXPECT_FALSE(o.get_array(QUARRY_OPT_DOMAIN_LOWER).has_value());
  o.set_array(QUARRY_OPT_DOMAIN_LOWER, {0.0, -1.0, 2.5});
  EXPECT_EQ(o.get_array(QUARRY_OPT_DOMAIN_LOWER), (std::vector<double>{0.0, -1.0, 2.5}));
  o.unset(QUARRY_OPT_DOMAIN_LOWER);
  EXPECT_FALSE(o.get_array(QUARRY_OPT_DOMAIN_LOWER).has_value());
}

TEST(CppWrapper, OptionRefusalsExplainThemselves) {
  quarry::Options o;
  auto message_of = [&](auto&& call) -> std::string {
    try {
      call();
    } catch (const quarry::Error& e) {
      EXPECT_EQ(e.status(), QUARRY_ERR_INVALID_ARGUMENT);
      return e.what();
    }
    return "no error";
  };
  EXPECT_EQ(message_of([&] { o.set(QUARRY_OPT_SEED, 1.5); }),
            "invalid argument: QUARRY_OPT_SEED takes an integer");
  EXPECT_EQ(message_of([&] { o.set(QUARRY_OPT_RIDGE, -1); }),
            "invalid argument: QUARRY_OPT_RIDGE must be a number in [0, 1.7976931348623157e+308]");
  EXPECT_EQ(message_of([&] { o.set(QUARRY_OPT_EXTRACT_REFINE, 2); }),
            "invalid argument: QUARRY_OPT_EXTRACT_REFINE must be in [0, 1]");
  const std::string array_refusal =
      "invalid argument: QUARRY_OPT_DOMAIN_LOWER takes a non-empty array (set_array) of numbers "
      "in [-1.7976931348623157e+308, 1.7976931348623157e+308]";
  EXPECT_EQ(message_of([&] { o.set(QUARRY_OPT_DOMAIN_LOWER, 0.5); }), array_refusal);
  EXPECT_EQ(message_of([&] { o.set_array(QUARRY_OPT_DOMAIN_LOWER, {}); }), array_refusal);
  EXPECT_EQ(message_of([&] { o.set_array(QUARRY_OPT_DOMAIN_LOWER, {0.0, NAN}); }), array_refusal);
  EXPECT_EQ(message_of([&] { o.set_array(QUARRY_OPT_RIDGE, {1.0}); }),
            "invalid argument: QUARRY_OPT_RIDGE takes one number (set)");
  EXPECT_EQ(message_of([&] { o.set(4242, 1); }), "invalid argument: unknown option key 4242");
  EXPECT_EQ(message_of([&] { o.unset(4242); }), "invalid argument: unknown option key 4242");
}

TEST(CppWrapper, MovedFromOptionsReportTheNullHandleNotARange) {
  quarry::Options a;
  quarry::Options b(std::move(a));
  try {
    a.set(QUARRY_OPT_SEED, 1);
    FAIL() << "expected quarry::Error";
  } catch (const quarry::Error& e) {
    EXPECT_EQ(e.status(), QUARRY_ERR_NULL_POINTER);
    EXPECT_STREQ(e.what(), "null pointer");
  }
}

TEST(CppWrapper, EmptyReportAnswersNothing) {
  quarry::Report r;
  EXPECT_FALSE(r);
  EXPECT_FALSE(r.get_i64(QUARRY_REPORT_ITERATIONS).has_value());
  EXPECT_TRUE(r.keys().empty());
  EXPECT_NE(r.out(), nullptr);
}

TEST(CppWrapper, RandomStreamsAreThreadInvariant) {
  const quarry_rng_state s = quarry::rng_state_from_seed(99);
  quarry::Context one(1), two(2);
  const auto a = quarry::random_normal(one, s, 11, 200001);
  const auto b = quarry::random_normal(two, s, 11, 200001);
  ASSERT_EQ(a.size(), b.size());
  EXPECT_EQ(std::memcmp(a.data(), b.data(), a.size() * sizeof(double)), 0);
  const auto u = quarry::random_uniform(one, s, 0, 3);
  EXPECT_EQ(u.size(), 3u);
  EXPECT_THROW(quarry::random_uniform(one, s, -1, 3), quarry::Error);
}

TEST(CppWrapper, NetworksEvaluateSaveAndLoad) {
  quarry::Context ctx;
  const quarry::ReluNet net(ctx, 2, 1, 1, {0.6, -0.8}, {0.3}, {2.0}, {}, {1.0});
  EXPECT_EQ(net.inputs(), 2);
  EXPECT_EQ(net.neurons(), 1);
  const auto y = net.eval(ctx, {1.0, 0.0, 0.0, 1.0});  // 2 (0.9) + 1 and 2 ReLU(-0.5) + 1
  ASSERT_EQ(y.size(), 2u);
  EXPECT_DOUBLE_EQ(y[0], 2.8);
  EXPECT_DOUBLE_EQ(y[1], 1.0);
  const std::string path = testing::TempDir() + "quarry_hpp_net.json";
  net.save(ctx, path);
  EXPECT_EQ(quarry::ReluNet::load(ctx, path).eval(ctx, {1.0, 0.0}), std::vector<double>{2.8});
  EXPECT_THROW(quarry::ReluNet::load(ctx, path + ".missing"), quarry::Error);
}

TEST(CppWrapper, ExtractionTakesALambdaOracle) {
  quarry::Context ctx;
  const quarry::ReluNet hidden(ctx, 3, 4, 1, {0.6, -0.8, 0, 0, 0.6, 0.8, 0.8, 0, 0.6, -0.6, 0, 0.8},
                               {0.1, -0.2, 0.3, 0.0}, {1.0, -2.0, 0.5, 1.5});
  int64_t queries = 0;
  quarry::Context model_ctx;  // a callback must not re-enter the extraction's context
  auto result = quarry::extract_relu1(ctx, 3, 1, [&](int64_t n, const double* x, double* y) {
    queries += n;
    const auto f = hidden.eval(model_ctx, std::vector<double>(x, x + 3 * n));
    std::copy(f.begin(), f.end(), y);
  });
  ASSERT_EQ(result.status, QUARRY_OK);
  EXPECT_EQ(result.net.neurons(), 4);
  EXPECT_EQ(result.report.get_i64(QUARRY_REPORT_QUERIES), queries);
  const std::vector<double> probe = {0.3, -1.2, 2.0, -0.7, 0.1, 0.4};
  const auto want = hidden.eval(ctx, probe), got = result.net.eval(ctx, probe);
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-10);
}

TEST(CppWrapper, ExtractionInABoxQueriesOnlyInsideIt) {
  quarry::Context ctx, model_ctx;
  // Hyperplanes through the unit square's inside.
  const quarry::ReluNet hidden(ctx, 2, 3, 1, {1.0, 0.5, -0.3, 1.0, 0.7, -0.7}, {-0.6, -0.4, 0.1},
                               {1.0, -2.0, 0.5});
  quarry::Options opts;
  opts.set_array(QUARRY_OPT_DOMAIN_LOWER, {0.0}).set_array(QUARRY_OPT_DOMAIN_UPPER, {1.0});
  bool inside = true;
  auto result = quarry::extract_relu1(
      ctx, 2, 1,
      [&](int64_t n, const double* x, double* y) {
        for (int64_t i = 0; i < 2 * n; ++i) inside = inside && x[i] >= 0 && x[i] <= 1;
        const auto f = hidden.eval(model_ctx, std::vector<double>(x, x + 2 * n));
        std::copy(f.begin(), f.end(), y);
      },
      &opts);
  ASSERT_EQ(result.status, QUARRY_OK) << result.message;
  EXPECT_TRUE(inside);
  EXPECT_EQ(result.net.neurons(), 3);
  const std::vector<double> probe = {0.3, 0.2, 0.9, 0.7, 0.5, 0.5, 0.05, 0.95};
  const auto want = hidden.eval(ctx, probe), got = result.net.eval(ctx, probe);
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-10);
}

TEST(CppWrapper, AnOracleExceptionReachesTheCaller) {
  quarry::Context ctx;
  EXPECT_THROW(quarry::extract_relu1(ctx, 2, 1,
                                     [](int64_t, const double*, double*) {
                                       throw std::runtime_error("model server down");
                                     }),
               std::runtime_error);
}

TEST(CppWrapper, ABudgetReturnsThePartialNetworkWithItsStatus) {
  quarry::Context ctx;
  const quarry::ReluNet hidden(ctx, 2, 2, 1, {1, 0, 0, 1}, {0.1, -0.2}, {1.0, 2.0});
  quarry::NetOracle oracle(ctx, hidden);
  quarry::Options opts;
  opts.set(QUARRY_OPT_QUERY_BUDGET, 10);
  auto result = quarry::extract_relu1(
      ctx, 2, 1, [&](int64_t n, const double* x, double* y) { oracle.answer(n, 2, x, 1, y); },
      &opts);
  EXPECT_EQ(result.status, QUARRY_ERR_BUDGET);
  EXPECT_LE(oracle.queries(), 10);
}

TEST(CppWrapper, VersionHelpersMatchTheHeaders) {
  EXPECT_EQ(quarry::version_string(), QUARRY_VERSION_STRING);
  EXPECT_EQ(quarry::abi_version(), QUARRY_ABI_VERSION);
  EXPECT_FALSE(quarry::blas_info().empty());
}

TEST(CppWrapper, SketchAndLeverageScores) {
  quarry::Context ctx;
  const quarry::Sketch s(ctx, QUARRY_SKETCH_SPARSE_SIGN, 6, 40, 7, 3);
  EXPECT_EQ(s.rows(), 6);
  EXPECT_EQ(s.cols(), 40);
  std::vector<double> a(80);
  for (size_t i = 0; i < a.size(); ++i) a[i] = std::sin(static_cast<double>(i));
  const std::vector<double> sa = s.apply(ctx, a);
  ASSERT_EQ(sa.size(), 12u);
  // The same through the raw call, row-major: the sparse kinds agree bitwise.
  std::vector<double> at(80), b(12);
  for (int i = 0; i < 40; ++i) {
    for (int j = 0; j < 2; ++j)
      at[static_cast<size_t>(i * 2 + j)] = a[static_cast<size_t>(i + j * 40)];
  }
  s.apply(ctx, QUARRY_ROW_MAJOR, 40, 2, at.data(), 2, b.data(), 2);
  for (int r = 0; r < 6; ++r) {
    for (int j = 0; j < 2; ++j)
      EXPECT_EQ(b[static_cast<size_t>(r * 2 + j)], sa[static_cast<size_t>(r + j * 6)]);
  }
  EXPECT_THROW(s.apply(ctx, std::vector<double>(41)), quarry::Error);
  EXPECT_THROW(quarry::Sketch(ctx, QUARRY_SKETCH_SPARSE_SIGN, 2, 40, 7, 3), quarry::Error);
  const std::vector<double> scores = quarry::leverage_scores(ctx, a, 2);
  double total = 0;
  for (double x : scores) total += x;
  EXPECT_NEAR(total, 2.0, 1e-12);
}

}  // namespace

TEST(Cpp, LstsqSolvesAndReports) {
  quarry::Context ctx;
  // A = [1 0; 0 2; 1 1] (column-major), b = A [1, -1] + [2, 1, -2] (orthogonal to range(A)).
  const std::vector<double> a = {1, 0, 1, 0, 2, 1};
  const std::vector<double> b = {1 + 2, -2 + 1, 0 - 2};
  quarry::Options opts;
  opts.set(QUARRY_OPT_LSTSQ_METHOD, int64_t{QUARRY_LSTSQ_DIRECT});
  const quarry::LstsqSolution s = quarry::lstsq(ctx, a, 2, b, &opts);
  ASSERT_EQ(s.x.size(), 2u);
  EXPECT_NEAR(s.x[0], 1.0, 1e-14);
  EXPECT_NEAR(s.x[1], -1.0, 1e-14);
  EXPECT_EQ(s.report.get_i64(QUARRY_REPORT_METHOD), QUARRY_LSTSQ_DIRECT);
  EXPECT_NEAR(*s.report.get_f64(QUARRY_REPORT_RESIDUAL_NORM), 3.0, 1e-14);
  EXPECT_THROW(quarry::lstsq(ctx, a, 4, b), quarry::Error);
}
