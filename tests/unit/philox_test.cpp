#include <quarry.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <vector>

#include "c_handles.hpp"
#include "core/error.hpp"
#include "core/philox.hpp"

namespace {

using quarry::core::PhiloxBlock;
using quarry_test::make_context;

// Random123 tests/kat_vectors, the "philox4x32 10" lines: counter, key, expected output.
struct KnownAnswer {
  PhiloxBlock counter;
  std::array<uint32_t, 2> key;
  PhiloxBlock expected;
};
const KnownAnswer kVectors[] = {
    {{0, 0, 0, 0}, {0, 0}, {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
    {{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff},
     {0xffffffff, 0xffffffff},
     {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
    {{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344},
     {0xa4093822, 0x299f31d0},
     {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}},
};

uint64_t join(uint32_t low, uint32_t high) { return (uint64_t{high} << 32) | low; }

quarry_rng_state state_for(const KnownAnswer& v) {
  return {QUARRY_RNG_PHILOX4X32_10,
          0,
          {join(v.key[0], v.key[1]), 0},
          {join(v.counter[0], v.counter[1]), join(v.counter[2], v.counter[3])}};
}

TEST(Philox, MatchesRandom123KnownAnswers) {
  for (const auto& v : kVectors)
    EXPECT_EQ(quarry::core::philox4x32_10(v.counter, v.key), v.expected);
}

TEST(Philox, StateMapsKeyAndCounterWordsLowFirst) {
  for (const auto& v : kVectors) {
    EXPECT_EQ(quarry::core::PhiloxStream(state_for(v)).block(0), v.expected);
  }
}

TEST(Philox, PublicWordStreamMatchesKnownAnswers) {
  auto owner = make_context();
  quarry_context* ctx = owner.get();
  for (const auto& v : kVectors) {
    const quarry_rng_state state = state_for(v);
    PhiloxBlock got{};
    ASSERT_EQ(quarry_rng_fill_u32(ctx, &state, 0, 4, got.data()), QUARRY_OK);
    EXPECT_EQ(got, v.expected);
  }
}

TEST(Philox, StateIsA40BytePodWithTheDocumentedLayout) {
  static_assert(sizeof(quarry_rng_state) == 40);
  static_assert(std::is_trivially_copyable_v<quarry_rng_state>);
  EXPECT_EQ(offsetof(quarry_rng_state, generator), 0u);
  EXPECT_EQ(offsetof(quarry_rng_state, reserved), 4u);
  EXPECT_EQ(offsetof(quarry_rng_state, key), 8u);
  EXPECT_EQ(offsetof(quarry_rng_state, counter), 24u);
}

TEST(Philox, FromSeedPutsTheSeedInTheKeyAndZeroesTheCounter) {
  quarry_rng_state s;
  ASSERT_EQ(quarry_rng_state_from_seed(0xdeadbeefcafef00dULL, &s), QUARRY_OK);
  EXPECT_EQ(s.generator, uint32_t{QUARRY_RNG_PHILOX4X32_10});
  EXPECT_EQ(s.reserved, 0u);
  EXPECT_EQ(s.key[0], 0xdeadbeefcafef00dULL);
  EXPECT_EQ(s.key[1], 0u);
  EXPECT_EQ(s.counter[0], 0u);
  EXPECT_EQ(s.counter[1], 0u);
  EXPECT_EQ(quarry_rng_state_from_seed(1, nullptr), QUARRY_ERR_NULL_POINTER);
}

TEST(Philox, InvalidStatesAreRefused) {
  const quarry_rng_state good = quarry::core::rng_state_from_seed(1);
  quarry_rng_state bad_generator = good, bad_reserved = good, bad_key = good;
  bad_generator.generator = 2;
  bad_reserved.reserved = 1;
  bad_key.key[1] = 3;
  auto owner = make_context();
  quarry_context* ctx = owner.get();
  double x = 0;
  for (const quarry_rng_state& s : {bad_generator, bad_reserved, bad_key}) {
    quarry_rng_state next;
    EXPECT_EQ(quarry_rng_state_advance(&s, 1, &next), QUARRY_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(quarry_rng_fill_normal_f64(ctx, &s, 0, 1, &x), QUARRY_ERR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(quarry_context_last_error(ctx)).find("rng state"), std::string::npos);
  }
}

TEST(Philox, FillRejectsBadSizesAndNull) {
  auto owner = make_context();
  quarry_context* ctx = owner.get();
  const quarry_rng_state s = quarry::core::rng_state_from_seed(1);
  double x[2];
  EXPECT_EQ(quarry_rng_fill_uniform_f64(ctx, &s, -1, 1, x), QUARRY_ERR_BAD_DIMENSION);
  EXPECT_EQ(quarry_rng_fill_uniform_f64(ctx, &s, 0, -1, x), QUARRY_ERR_BAD_DIMENSION);
  EXPECT_EQ(quarry_rng_fill_uniform_f64(ctx, &s, INT64_MAX, 2, x), QUARRY_ERR_SIZE_OVERFLOW);
  EXPECT_EQ(quarry_rng_fill_uniform_f64(ctx, &s, 0, 1, nullptr), QUARRY_ERR_NULL_POINTER);
  EXPECT_EQ(quarry_rng_fill_uniform_f64(ctx, nullptr, 0, 1, x), QUARRY_ERR_NULL_POINTER);
  EXPECT_STREQ(quarry_context_last_error(ctx), "state is NULL");
  EXPECT_EQ(quarry_rng_fill_uniform_f64(nullptr, &s, 0, 1, x), QUARRY_ERR_NULL_POINTER);
  EXPECT_EQ(quarry_rng_fill_uniform_f64(ctx, &s, 5, 0, nullptr), QUARRY_OK) << "empty is fine";
}

TEST(Philox, TheLastElementsOfTheIndexRangeAreReachable) {
  // offset + n may reach INT64_MAX exactly; element INT64_MAX - 1 is word 2 of block
  // (INT64_MAX - 1) / 4 and is reached without overflowing any index.
  auto owner = make_context();
  const quarry_rng_state s = quarry::core::rng_state_from_seed(3);
  const quarry::core::PhiloxStream stream(s);
  const uint64_t last_block = static_cast<uint64_t>(INT64_MAX) / 4;
  uint32_t words[2] = {0, 0};
  ASSERT_EQ(quarry_rng_fill_u32(owner.get(), &s, INT64_MAX - 2, 2, words), QUARRY_OK);
  EXPECT_EQ(words[0], stream.block(last_block)[1]);
  EXPECT_EQ(words[1], stream.block(last_block)[2]);
  double u[1], z[1];
  ASSERT_EQ(quarry_rng_fill_uniform_f64(owner.get(), &s, INT64_MAX - 1, 1, u), QUARRY_OK);
  ASSERT_EQ(quarry_rng_fill_normal_f64(owner.get(), &s, INT64_MAX - 1, 1, z), QUARRY_OK);
  EXPECT_GT(u[0], 0.0);
  EXPECT_TRUE(std::isfinite(z[0]));
}

TEST(Philox, AdvanceCarriesIntoTheHighCounterWord) {
  quarry_rng_state s = quarry::core::rng_state_from_seed(9);
  s.counter[0] = UINT64_MAX - 1;
  const quarry_rng_state next = quarry::core::rng_state_advance(s, 3);
  EXPECT_EQ(next.counter[0], 1u);
  EXPECT_EQ(next.counter[1], 1u);
  // Block 3 of s is block 0 of next, including across the carry.
  EXPECT_EQ(quarry::core::PhiloxStream(s).block(3), quarry::core::PhiloxStream(next).block(0));
  quarry_rng_state wrapped = s;
  wrapped.counter[1] = UINT64_MAX;
  const quarry_rng_state around = quarry::core::rng_state_advance(wrapped, 2);
  EXPECT_EQ(around.counter[0], 0u);
  EXPECT_EQ(around.counter[1], 0u) << "the counter wraps modulo 2^128";
}

TEST(Philox, AdvanceMayWriteOverItsInput) {
  quarry_rng_state s = quarry::core::rng_state_from_seed(4);
  ASSERT_EQ(quarry_rng_state_advance(&s, 5, &s), QUARRY_OK);
  EXPECT_EQ(s.counter[0], 5u);
}

// The heart of reproducibility: a stream does not depend on how it is cut up.
template <class T, class Fill>
void expect_invariant(Fill fill) {
  const quarry::core::PhiloxStream stream(quarry::core::rng_state_from_seed(2024));
  const int64_t offset = 7, n = 100003;  // odd offset and length cut blocks in half
  std::vector<T> reference(n);
  fill(stream, offset, n, reference.data(), 1, n);
  for (int64_t threads : {1, 2, 3}) {
    for (int64_t grain : {1, 3, 4, 1000, 65536}) {
      std::vector<T> got(n);
      fill(stream, offset, n, got.data(), threads, grain);
      ASSERT_EQ(std::memcmp(got.data(), reference.data(), n * sizeof(T)), 0)
          << "threads " << threads << ", grain " << grain;
    }
  }
  // Any window of the stream equals the same window of a longer fill.
  for (int64_t start : {0, 1, 2, 3, 5, 12345}) {
    std::vector<T> window(101);
    fill(stream, offset + start, 101, window.data(), 2, 7);
    ASSERT_EQ(std::memcmp(window.data(), reference.data() + start, 101 * sizeof(T)), 0) << start;
  }
}

TEST(Philox, WordStreamIsIdenticalForAnyThreadsGrainAndOffset) {
  expect_invariant<uint32_t>(quarry::core::rng_fill_u32);
}
TEST(Philox, UniformStreamIsIdenticalForAnyThreadsGrainAndOffset) {
  expect_invariant<double>(quarry::core::rng_fill_uniform);
}
TEST(Philox, NormalStreamIsIdenticalForAnyThreadsGrainAndOffset) {
  expect_invariant<double>(quarry::core::rng_fill_normal);
}

TEST(Philox, PublicFillIsIdenticalOnOneAndTwoThreads) {
  auto owner = make_context();
  quarry_context* ctx = owner.get();
  const quarry_rng_state s = quarry::core::rng_state_from_seed(77);
  const int64_t n = 300001;  // several default grains
  std::vector<double> one(n), two(n);
  ASSERT_EQ(quarry_context_set_threads(ctx, 1), QUARRY_OK);
  ASSERT_EQ(quarry_rng_fill_normal_f64(ctx, &s, 3, n, one.data()), QUARRY_OK);
  ASSERT_EQ(quarry_context_set_threads(ctx, 2), QUARRY_OK);
  ASSERT_EQ(quarry_rng_fill_normal_f64(ctx, &s, 3, n, two.data()), QUARRY_OK);
  EXPECT_EQ(std::memcmp(one.data(), two.data(), n * sizeof(double)), 0);
}

TEST(Philox, UniformStreamFollowsItsDocumentedDefinition) {
  const quarry::core::PhiloxStream stream(quarry::core::rng_state_from_seed(5));
  double u[4];
  quarry::core::rng_fill_uniform(stream, 0, 4, u, 1);
  for (int64_t i = 0; i < 4; ++i) {
    const PhiloxBlock b = stream.block(static_cast<uint64_t>(i / 2));
    const uint64_t x = join(b[2 * (i % 2)], b[2 * (i % 2) + 1]);
    EXPECT_EQ(u[i], (static_cast<double>(x >> 12) + 0.5) * 0x1p-52);
  }
}

// Statistical checks with bounds of six standard errors: a correct generator fails one
// with probability below 1e-8.
TEST(Philox, UniformAndNormalStreamsHaveTheRightMoments) {
  const quarry::core::PhiloxStream stream(quarry::core::rng_state_from_seed(31337));
  const int64_t n = 1 << 20;
  std::vector<double> u(n), z(n);
  quarry::core::rng_fill_uniform(stream, 0, n, u.data(), 2);
  quarry::core::rng_fill_normal(stream, 0, n, z.data(), 2);
  double su = 0, suu = 0, sz = 0, szz = 0, sz4 = 0;
  for (int64_t i = 0; i < n; ++i) {
    ASSERT_GT(u[i], 0.0);
    ASSERT_LT(u[i], 1.0);
    su += u[i];
    suu += u[i] * u[i];
    sz += z[i];
    szz += z[i] * z[i];
    sz4 += z[i] * z[i] * z[i] * z[i];
  }
  const double root_n = std::sqrt(static_cast<double>(n));
  EXPECT_NEAR(su / n, 0.5, 6 * std::sqrt(1.0 / 12) / root_n);
  EXPECT_NEAR(suu / n, 1.0 / 3, 6 * std::sqrt(4.0 / 45) / root_n);
  EXPECT_NEAR(sz / n, 0.0, 6 / root_n);
  EXPECT_NEAR(szz / n, 1.0, 6 * std::sqrt(2.0) / root_n);
  EXPECT_NEAR(sz4 / n, 3.0, 6 * std::sqrt(96.0) / root_n);
}

TEST(Philox, NeighbouringNormalsAreUncorrelated) {
  // Box-Muller pairs share a block; their correlation must still vanish.
  const quarry::core::PhiloxStream stream(quarry::core::rng_state_from_seed(8));
  const int64_t pairs = 1 << 19;
  std::vector<double> z(2 * pairs);
  quarry::core::rng_fill_normal(stream, 0, 2 * pairs, z.data(), 2);
  double s = 0;
  for (int64_t j = 0; j < pairs; ++j) s += z[2 * j] * z[2 * j + 1];
  EXPECT_NEAR(s / pairs, 0.0, 6 / std::sqrt(static_cast<double>(pairs)));
}

TEST(Philox, DistinctSeedsGiveDistinctStreams) {
  const int64_t n = 64;
  std::vector<uint32_t> a(n), b(n);
  quarry::core::rng_fill_u32(quarry::core::PhiloxStream(quarry::core::rng_state_from_seed(1)), 0, n,
                             a.data(), 1);
  quarry::core::rng_fill_u32(quarry::core::PhiloxStream(quarry::core::rng_state_from_seed(2)), 0, n,
                             b.data(), 1);
  int equal = 0;
  for (int64_t i = 0; i < n; ++i) equal += a[i] == b[i];
  EXPECT_LE(equal, 2);
}

TEST(Philox, FastGaussianStreamMatchesTheNormalStreamForAnyOffsetAndThreads) {
  using namespace quarry::core;
  // A counter near 2^64 - 16, so that the 128-bit carry happens inside the range.
  const PhiloxStream stream(rng_state_advance(rng_state_from_seed(5), 0xfffffffffffffff0ull));
  const int64_t n = 200000;
  std::vector<double> normal(n), fast(n);
  rng_fill_normal(stream, 0, n, normal.data(), 1);
  rng_fill_gaussian(stream, 0, n, fast.data(), 1);
  double worst = 0;
  for (int64_t i = 0; i < n; ++i) worst = std::max(worst, std::abs(normal[i] - fast[i]));
  EXPECT_LT(worst, 4e-15);
  double mean = 0, var = 0;
  for (double z : fast) mean += z / n;
  for (double z : fast) var += (z - mean) * (z - mean) / n;
  EXPECT_NEAR(mean, 0.0, 6 / std::sqrt(double(n)));
  EXPECT_NEAR(var, 1.0, 6 * std::sqrt(2.0 / n));
  for (const auto& [offset, count, threads, grain] :
       std::vector<std::array<int64_t, 4>>{{0, 1, 1, 64},
                                           {1, 1, 2, 64},
                                           {33, 1000, 3, 32},
                                           {12345, 7777, 2, 64},
                                           {99999, 100001, 8, 4096}}) {
    std::vector<double> part(count);
    rng_fill_gaussian(stream, offset, count, part.data(), threads, grain);
    for (int64_t i = 0; i < count; ++i) ASSERT_EQ(part[i], fast[offset + i]) << offset << " " << i;
  }
}

}  // namespace
