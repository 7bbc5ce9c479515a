#include <quarry.h>

#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <vector>

#include "c_handles.hpp"
#include "capi/handles.hpp"
#include "core/philox.hpp"

namespace {

using quarry_test::make_context;
using quarry_test::make_options;
using quarry_test::NetPtr;
using quarry_test::normals;
using quarry_test::OraclePtr;
using quarry_test::ReportPtr;

constexpr int64_t kD = 6, kK = 9, kC = 2;

NetPtr make_net(quarry_context* ctx) {
  const auto w = normals(1, kK * kD), b = normals(2, kK), a = normals(3, kC * kK);
  const auto c0 = normals(4, kC);
  quarry_relu_net* net = nullptr;
  EXPECT_EQ(quarry_relu_net_create_f64(ctx, kD, kK, kC, w.data(), b.data(), a.data(), nullptr,
                                       c0.data(), &net),
            QUARRY_OK);
  return NetPtr(net);
}

OraclePtr make_oracle(quarry_context* ctx, quarry_relu_net* net, const quarry_options* o) {
  quarry_net_oracle* oracle = nullptr;
  EXPECT_EQ(quarry_net_oracle_create(ctx, net, o, &oracle), QUARRY_OK);
  return OraclePtr(oracle);
}

int64_t queries_of(const quarry_net_oracle* o) {
  int64_t q = -1;
  EXPECT_EQ(quarry_net_oracle_queries(o, &q), QUARRY_OK);
  return q;
}

TEST(NetOracle, ExactOracleAnswersWithTheNetworkAndCountsEveryRow) {
  auto ctx = make_context();
  auto net = make_net(ctx.get());
  auto oracle = make_oracle(ctx.get(), net.get(), nullptr);
  const int64_t n = 37;
  const auto x = normals(10, n * kD);
  std::vector<double> expected(n * kC), got(n * kC);
  ASSERT_EQ(quarry_relu_net_eval_f64(ctx.get(), net.get(), n, x.data(), expected.data()),
            QUARRY_OK);
  EXPECT_EQ(quarry_net_oracle_eval(n, kD, x.data(), kC, got.data(), oracle.get()), 0);
  EXPECT_EQ(got, expected);
  EXPECT_EQ(quarry_net_oracle_eval(5, kD, x.data(), kC, got.data(), oracle.get()), 0);
  EXPECT_EQ(queries_of(oracle.get()), n + 5);
}

TEST(NetOracle, TheOracleOutlivesTheNetItWasMadeFrom) {
  auto ctx = make_context();
  auto net = make_net(ctx.get());
  auto oracle = make_oracle(ctx.get(), net.get(), nullptr);
  net.reset();
  const auto x = normals(3, kD);
  double y[kC];
  EXPECT_EQ(quarry_net_oracle_eval(1, kD, x.data(), kC, y, oracle.get()), 0);
}

TEST(NetOracle, Float32OracleMatchesAFloatEvaluation) {
  auto ctx = make_context();
  auto net = make_net(ctx.get());
  auto opts = make_options();
  ASSERT_EQ(quarry_options_set_i64(opts.get(), QUARRY_OPT_ORACLE_FLOAT32, 1), QUARRY_OK);
  auto oracle = make_oracle(ctx.get(), net.get(), opts.get());
  const int64_t n = 50;
  const auto x = normals(11, n * kD);
  std::vector<double> exact(n * kC), got(n * kC), by_float(n * kC);
  ASSERT_EQ(quarry_relu_net_eval_f64(ctx.get(), net.get(), n, x.data(), exact.data()), QUARRY_OK);
  ASSERT_EQ(quarry_net_oracle_eval(n, kD, x.data(), kC, got.data(), oracle.get()), 0);
  quarry::extract::evaluate(quarry::extract::to_float(net->params), n, x.data(), by_float.data());
  EXPECT_EQ(got, by_float);
  double worst = 0;
  for (int64_t i = 0; i < n * kC; ++i) worst = std::max(worst, std::abs(got[i] - exact[i]));
  EXPECT_GT(worst, 0.0);
  EXPECT_LT(worst, 1e-4);
}

TEST(NetOracle, RoundingOracleAnswersMultiplesOfTheQuantumWithinHalfAQuantum) {
  auto ctx = make_context();
  auto net = make_net(ctx.get());
  auto opts = make_options();
  const double q = 1e-3;
  ASSERT_EQ(quarry_options_set_f64(opts.get(), QUARRY_OPT_ORACLE_ROUNDING, q), QUARRY_OK);
  auto oracle = make_oracle(ctx.get(), net.get(), opts.get());
  const int64_t n = 200;
  const auto x = normals(12, n * kD);
  std::vector<double> exact(n * kC), got(n * kC);
  ASSERT_EQ(quarry_relu_net_eval_f64(ctx.get(), net.get(), n, x.data(), exact.data()), QUARRY_OK);
  ASSERT_EQ(quarry_net_oracle_eval(n, kD, x.data(), kC, got.data(), oracle.get()), 0);
  for (int64_t i = 0; i < n * kC; ++i) {
    EXPECT_LE(std::abs(got[i] - exact[i]), q / 2 * (1 + 1e-12));
    EXPECT_NEAR(got[i] / q, std::nearbyint(got[i] / q), 1e-9);
  }
}

TEST(NetOracle, NoiseHasTheRequestedSpreadAndDependsOnlyOnTheQueryIndex) {
  auto ctx = make_context();
  auto net = make_net(ctx.get());
  auto opts = make_options();
  const double sigma = 1e-3;
  ASSERT_EQ(quarry_options_set_f64(opts.get(), QUARRY_OPT_ORACLE_NOISE, sigma), QUARRY_OK);
  ASSERT_EQ(quarry_options_set_i64(opts.get(), QUARRY_OPT_SEED, 77), QUARRY_OK);
  auto whole = make_oracle(ctx.get(), net.get(), opts.get());
  auto piecewise = make_oracle(ctx.get(), net.get(), opts.get());
  const int64_t n = 20000;
  const auto x = normals(13, n * kD);
  std::vector<double> exact(n * kC), a(n * kC), b(n * kC);
  ASSERT_EQ(quarry_relu_net_eval_f64(ctx.get(), net.get(), n, x.data(), exact.data()), QUARRY_OK);
  ASSERT_EQ(quarry_net_oracle_eval(n, kD, x.data(), kC, a.data(), whole.get()), 0);
  // The same queries in uneven batches get the same answers.
  for (int64_t start = 0; start < n;) {
    const int64_t size = std::min<int64_t>(n - start, 1 + start % 7);
    ASSERT_EQ(quarry_net_oracle_eval(size, kD, x.data() + start * kD, kC, b.data() + start * kC,
                                     piecewise.get()),
              0);
    start += size;
  }
  EXPECT_EQ(a, b);
  double sum = 0, sum_sq = 0;
  for (int64_t i = 0; i < n * kC; ++i) {
    const double e = (a[i] - exact[i]) / sigma;
    sum += e;
    sum_sq += e * e;
  }
  const double m = static_cast<double>(n * kC);
  EXPECT_NEAR(sum / m, 0.0, 6 / std::sqrt(m));  // six standard errors
  EXPECT_NEAR(sum_sq / m, 1.0, 6 * std::sqrt(2 / m));
}

TEST(NetOracle, AMismatchedBatchIsRefusedAndNotCounted) {
  auto ctx = make_context();
  auto net = make_net(ctx.get());
  auto oracle = make_oracle(ctx.get(), net.get(), nullptr);
  const auto x = normals(1, 2 * kD);
  double y[2 * kC];
  EXPECT_EQ(quarry_net_oracle_eval(2, kD + 1, x.data(), kC, y, oracle.get()),
            QUARRY_ERR_BAD_DIMENSION);
  EXPECT_EQ(quarry_net_oracle_eval(2, kD, x.data(), kC + 1, y, oracle.get()),
            QUARRY_ERR_BAD_DIMENSION);
  EXPECT_EQ(quarry_net_oracle_eval(2, kD, nullptr, kC, y, oracle.get()), QUARRY_ERR_NULL_POINTER);
  EXPECT_EQ(quarry_net_oracle_eval(2, kD, x.data(), kC, y, nullptr), QUARRY_ERR_NULL_POINTER);
  EXPECT_EQ(queries_of(oracle.get()), 0);
  int64_t q = 0;
  EXPECT_EQ(quarry_net_oracle_queries(nullptr, &q), QUARRY_ERR_NULL_POINTER);
  quarry_net_oracle* none = nullptr;
  EXPECT_EQ(quarry_net_oracle_create(ctx.get(), nullptr, nullptr, &none), QUARRY_ERR_NULL_POINTER);
  quarry_net_oracle_destroy(nullptr);
}

}  // namespace
