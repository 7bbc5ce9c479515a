#include <quarry.h>

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "c_handles.hpp"
#include "capi/handles.hpp"
#include "core/error.hpp"
#include "core/philox.hpp"
#include "extract/net_file.hpp"
#include "extract/relu_net.hpp"

namespace {

using quarry::extract::NetParams;
using quarry_test::make_context;
using quarry_test::NetPtr;
using quarry_test::normals;
using quarry_test::OraclePtr;
using quarry_test::ReportPtr;

NetParams<double> random_net(int64_t d, int64_t k, int64_t c, bool skip, uint64_t seed) {
  NetParams<double> p;
  p.d = d;
  p.k = k;
  p.c = c;
  p.w = normals(seed, k * d);
  p.b = normals(seed + 1, k);
  p.a = normals(seed + 2, c * k);
  if (skip) p.skip = normals(seed + 3, c * d);
  p.c0 = normals(seed + 4, c);
  return p;
}

// F(x) by the definition, one sum at a time.
std::vector<double> reference_eval(const NetParams<double>& p, const std::vector<double>& x) {
  const int64_t n = static_cast<int64_t>(x.size()) / p.d;
  std::vector<double> y(static_cast<size_t>(n * p.c));
  for (int64_t r = 0; r < n; ++r) {
    for (int64_t o = 0; o < p.c; ++o) {
      double sum = p.c0[o];
      for (int64_t j = 0; j < p.k; ++j) {
        double z = p.b[j];
        for (int64_t i = 0; i < p.d; ++i) z += p.w[j * p.d + i] * x[r * p.d + i];
        sum += p.a[o * p.k + j] * std::max(z, 0.0);
      }
      if (!p.skip.empty()) {
        for (int64_t i = 0; i < p.d; ++i) sum += p.skip[o * p.d + i] * x[r * p.d + i];
      }
      y[r * p.c + o] = sum;
    }
  }
  return y;
}

NetPtr create(quarry_context* ctx, const NetParams<double>& p) {
  quarry_relu_net* net = nullptr;
  EXPECT_EQ(quarry_relu_net_create_f64(ctx, p.d, p.k, p.c, p.w.data(), p.b.data(), p.a.data(),
                                       p.skip.empty() ? nullptr : p.skip.data(), p.c0.data(), &net),
            QUARRY_OK)
      << quarry_context_last_error(ctx);
  return NetPtr(net);
}

std::string temp_path(const std::string& name) { return testing::TempDir() + "quarry_" + name; }

void write_file(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

TEST(ReluNet, EvaluationMatchesTheDefinitionAcrossBlockBoundaries) {
  auto ctx = make_context();
  for (bool skip : {false, true}) {
    const NetParams<double> p = random_net(7, 13, 3, skip, 11);
    auto net = create(ctx.get(), p);
    for (int64_t n : {0, 1, 511, 512, 513, 1100}) {
      const std::vector<double> x = normals(99, n * p.d);
      std::vector<double> y(static_cast<size_t>(n * p.c));
      ASSERT_EQ(quarry_relu_net_eval_f64(ctx.get(), net.get(), n, x.data(), y.data()), QUARRY_OK);
      const std::vector<double> expected = reference_eval(p, x);
      for (size_t i = 0; i < y.size(); ++i) EXPECT_NEAR(y[i], expected[i], 1e-12) << n << " " << i;
    }
  }
}

TEST(ReluNet, Float32EvaluationIsCloseButNotExact) {
  const NetParams<double> p = random_net(20, 30, 2, true, 5);
  const std::vector<double> x = normals(6, 100 * p.d);
  std::vector<double> y64(200), y32(200);
  quarry::extract::evaluate(p, 100, x.data(), y64.data());
  quarry::extract::evaluate(quarry::extract::to_float(p), 100, x.data(), y32.data());
  double worst = 0;
  bool differs = false;
  for (size_t i = 0; i < y64.size(); ++i) {
    worst = std::max(worst, std::abs(y64[i] - y32[i]) / (1 + std::abs(y64[i])));
    differs = differs || y64[i] != y32[i];
  }
  EXPECT_LT(worst, 1e-4);
  EXPECT_TRUE(differs);
}

TEST(ReluNet, DimsAndWeightsRoundTrip) {
  auto ctx = make_context();
  const NetParams<double> p = random_net(4, 3, 2, false, 21);
  auto net = create(ctx.get(), p);
  int64_t d = 0, k = 0, c = 0;
  ASSERT_EQ(quarry_relu_net_dims(net.get(), &d, &k, &c), QUARRY_OK);
  EXPECT_EQ(d, 4);
  EXPECT_EQ(k, 3);
  EXPECT_EQ(c, 2);
  std::vector<double> w(12), b(3), a(6), skip(8, 5.0), c0(2);
  ASSERT_EQ(
      quarry_relu_net_get_f64(net.get(), w.data(), b.data(), a.data(), skip.data(), c0.data()),
      QUARRY_OK);
  EXPECT_EQ(w, p.w);
  EXPECT_EQ(b, p.b);
  EXPECT_EQ(a, p.a);
  EXPECT_EQ(skip, std::vector<double>(8, 0.0)) << "no skip term reads as zeros";
  EXPECT_EQ(c0, p.c0);
  EXPECT_EQ(quarry_relu_net_get_f64(net.get(), nullptr, b.data(), nullptr, nullptr, nullptr),
            QUARRY_OK);
  EXPECT_EQ(quarry_relu_net_dims(nullptr, &d, &k, &c), QUARRY_ERR_NULL_POINTER);
}

TEST(ReluNet, AnAffineMapHasNoNeuronsAndNeedsNoNeuronArrays) {
  auto ctx = make_context();
  const double skip[] = {1, 2}, c0[] = {3};
  quarry_relu_net* raw = nullptr;
  ASSERT_EQ(
      quarry_relu_net_create_f64(ctx.get(), 2, 0, 1, nullptr, nullptr, nullptr, skip, c0, &raw),
      QUARRY_OK);
  NetPtr net(raw);
  const double x[] = {10, 100};
  double y = 0;
  ASSERT_EQ(quarry_relu_net_eval_f64(ctx.get(), net.get(), 1, x, &y), QUARRY_OK);
  EXPECT_EQ(y, 213);
}

TEST(ReluNet, CreationRefusesBadInputWithAMessage) {
  auto ctx = make_context();
  const NetParams<double> p = random_net(3, 2, 1, false, 1);
  quarry_relu_net* net = reinterpret_cast<quarry_relu_net*>(&ctx);
  EXPECT_EQ(quarry_relu_net_create_f64(ctx.get(), 0, 2, 1, p.w.data(), p.b.data(), p.a.data(),
                                       nullptr, nullptr, &net),
            QUARRY_ERR_BAD_DIMENSION);
  EXPECT_EQ(net, nullptr);
  EXPECT_EQ(quarry_relu_net_create_f64(ctx.get(), 3, -1, 1, p.w.data(), p.b.data(), p.a.data(),
                                       nullptr, nullptr, &net),
            QUARRY_ERR_BAD_DIMENSION);
  EXPECT_EQ(quarry_relu_net_create_f64(ctx.get(), 3, 2, 1, nullptr, p.b.data(), p.a.data(), nullptr,
                                       nullptr, &net),
            QUARRY_ERR_NULL_POINTER);
  EXPECT_STREQ(quarry_context_last_error(ctx.get()), "w is NULL but needs 6 values");
  std::vector<double> bad_b = p.b;
  bad_b[1] = std::nan("");
  EXPECT_EQ(quarry_relu_net_create_f64(ctx.get(), 3, 2, 1, p.w.data(), bad_b.data(), p.a.data(),
                                       nullptr, nullptr, &net),
            QUARRY_ERR_NONFINITE);
  EXPECT_STREQ(quarry_context_last_error(ctx.get()), "b[1] = nan is not finite");
  EXPECT_EQ(quarry_relu_net_create_f64(ctx.get(), int64_t{1} << 40, int64_t{1} << 40, 1, p.w.data(),
                                       p.b.data(), p.a.data(), nullptr, nullptr, &net),
            QUARRY_ERR_SIZE_OVERFLOW);
  EXPECT_EQ(quarry_relu_net_create_f64(nullptr, 3, 2, 1, p.w.data(), p.b.data(), p.a.data(),
                                       nullptr, nullptr, &net),
            QUARRY_ERR_NULL_POINTER);
  EXPECT_EQ(quarry_relu_net_create_f64(ctx.get(), 3, 2, 1, p.w.data(), p.b.data(), p.a.data(),
                                       nullptr, nullptr, nullptr),
            QUARRY_ERR_NULL_POINTER);
  quarry_relu_net_destroy(nullptr);
}

TEST(ReluNet, EvaluationRefusesBadInput) {
  auto ctx = make_context();
  auto net = create(ctx.get(), random_net(2, 2, 1, false, 3));
  double x[] = {1, 2, 3, NAN}, y[2];
  EXPECT_EQ(quarry_relu_net_eval_f64(ctx.get(), net.get(), 2, x, y), QUARRY_ERR_NONFINITE);
  EXPECT_STREQ(quarry_context_last_error(ctx.get()), "x[1, 1] = nan is not finite");
  EXPECT_EQ(quarry_relu_net_eval_f64(ctx.get(), net.get(), -1, x, y), QUARRY_ERR_BAD_DIMENSION);
  EXPECT_EQ(quarry_relu_net_eval_f64(ctx.get(), net.get(), 1, x, nullptr), QUARRY_ERR_NULL_POINTER);
  EXPECT_EQ(quarry_relu_net_eval_f64(ctx.get(), nullptr, 1, x, y), QUARRY_ERR_NULL_POINTER);
  EXPECT_EQ(quarry_relu_net_eval_f64(ctx.get(), net.get(), 0, nullptr, nullptr), QUARRY_OK);
}

TEST(NetFile, SaveThenLoadIsBitExact) {
  auto ctx = make_context();
  NetParams<double> p = random_net(3, 4, 2, true, 8);
  // Values that stress decimal round-trip: -0, subnormals, extremes, thirds.
  p.w[0] = -0.0;
  p.w[1] = std::numeric_limits<double>::denorm_min();
  p.w[2] = std::numeric_limits<double>::max();
  p.w[3] = 1.0 / 3.0;
  p.b[0] = -std::numeric_limits<double>::min();
  p.c0[1] = 0.1 + 0.2;
  auto net = create(ctx.get(), p);
  const std::string path = temp_path("roundtrip.json");
  ASSERT_EQ(quarry_relu_net_save(ctx.get(), net.get(), path.c_str()), QUARRY_OK)
      << quarry_context_last_error(ctx.get());
  quarry_relu_net* raw = nullptr;
  ASSERT_EQ(quarry_relu_net_load(ctx.get(), path.c_str(), &raw), QUARRY_OK)
      << quarry_context_last_error(ctx.get());
  NetPtr loaded(raw);
  const NetParams<double>& q = loaded->params;
  ASSERT_EQ(q.d, p.d);
  ASSERT_EQ(q.k, p.k);
  ASSERT_EQ(q.c, p.c);
  for (const auto& [mine, theirs] :
       {std::pair{&p.w, &q.w}, std::pair{&p.b, &q.b}, std::pair{&p.a, &q.a},
        std::pair{&p.skip, &q.skip}, std::pair{&p.c0, &q.c0}}) {
    ASSERT_EQ(mine->size(), theirs->size());
    EXPECT_EQ(std::memcmp(mine->data(), theirs->data(), mine->size() * sizeof(double)), 0);
  }
  std::remove(path.c_str());
}

TEST(NetFile, ANetWithoutSkipTermStaysWithout) {
  const NetParams<double> p = random_net(2, 1, 1, false, 4);
  const NetParams<double> q = quarry::extract::net_from_json(quarry::extract::net_to_json(p), "t");
  EXPECT_TRUE(q.skip.empty());
}

// Every corruption is refused with QUARRY_ERR_FORMAT and a message naming the field.
TEST(NetFile, MalformedFilesAreFormatErrorsNamingTheProblem) {
  const std::string good = quarry::extract::net_to_json(random_net(2, 2, 1, false, 9));
  auto replace = [&](const std::string& from, const std::string& to) {
    std::string text = good;
    const size_t at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return text.replace(at, from.size(), to);
  };
  const struct {
    std::string text, expected;
  } cases[] = {
      {"", "not valid JSON"},
      {"[1, 2]", "the top level must be a JSON object"},
      {good.substr(0, good.size() / 2), "not valid JSON"},
      {replace("quarry-relu-net", "keras"), "not a quarry network file"},
      {replace("\"version\": 1", "\"version\": 2"), "file version 2 is not supported"},
      {replace("\"version\": 1", "\"version\": \"1\""), "\"version\" must be an integer"},
      {replace("\"d\": 2", "\"d\": 3"), "\"w\"[0] must be an array of 3 numbers"},
      {replace("\"k\": 2", "\"k\": -1"), "\"k\" = -1 is outside"},
      {replace("\"k\": 2", "\"k\": 99999999999"), "\"k\" = 99999999999 is outside"},
      {replace("\"c\": 1", "\"c\": 1.5"), "\"c\" must be an integer"},
      {replace("\"b\": [", "\"b\": [\"x\", "), "\"b\" must be an array of 2 numbers"},
      {replace("\"c0\": [", "\"c0\": [1e999, "), "not valid JSON"},  // beyond double
  };
  for (const auto& c : cases) {
    try {
      quarry::extract::net_from_json(c.text, "net.json");
      ADD_FAILURE() << "accepted: " << c.text;
    } catch (const quarry::core::Error& e) {
      EXPECT_EQ(e.status(), QUARRY_ERR_FORMAT) << e.what();
      EXPECT_NE(std::string(e.what()).find(c.expected), std::string::npos)
          << e.what() << "\nexpected: " << c.expected;
      EXPECT_EQ(std::string(e.what()).rfind("net.json: ", 0), 0u) << e.what();
    }
  }
}

TEST(NetFile, CorruptedBytesNeverCrash) {
  const std::string good = quarry::extract::net_to_json(random_net(3, 3, 2, true, 12));
  std::vector<uint32_t> r(600);
  quarry::core::rng_fill_u32(quarry::core::PhiloxStream(quarry::core::rng_state_from_seed(1)), 0,
                             600, r.data(), 1);
  for (int trial = 0; trial < 200; ++trial) {
    std::string text = good;
    for (int flip = 0; flip < 3; ++flip) {
      text[r[trial * 3 + flip] % text.size()] = static_cast<char>(r[trial * 3 + flip] >> 24);
    }
    try {
      quarry::extract::net_from_json(text, "fuzz");
    } catch (const quarry::core::Error& e) {
      EXPECT_EQ(e.status(), QUARRY_ERR_FORMAT) << e.what();
    }
  }
}

TEST(NetFile, UnreadableAndUnwritablePathsAreIoErrors) {
  auto ctx = make_context();
  quarry_relu_net* net = nullptr;
  EXPECT_EQ(quarry_relu_net_load(ctx.get(), "/nonexistent/quarry/net.json", &net), QUARRY_ERR_IO);
  EXPECT_NE(std::string(quarry_context_last_error(ctx.get())).find("/nonexistent/quarry/net.json"),
            std::string::npos);
  EXPECT_EQ(quarry_relu_net_load(ctx.get(), testing::TempDir().c_str(), &net), QUARRY_ERR_IO);
  EXPECT_NE(std::string(quarry_context_last_error(ctx.get())).find("directory"), std::string::npos);
  EXPECT_EQ(net, nullptr);
  auto good = create(ctx.get(), random_net(1, 1, 1, false, 1));
  EXPECT_EQ(quarry_relu_net_save(ctx.get(), good.get(), "/nonexistent/quarry/net.json"),
            QUARRY_ERR_IO);
  EXPECT_EQ(quarry_relu_net_save(ctx.get(), good.get(), nullptr), QUARRY_ERR_NULL_POINTER);
  const std::string garbage = temp_path("garbage.json");
  write_file(garbage, "{ not json");
  EXPECT_EQ(quarry_relu_net_load(ctx.get(), garbage.c_str(), &net), QUARRY_ERR_FORMAT);
  std::remove(garbage.c_str());
}

}  // namespace
