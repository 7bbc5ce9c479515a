// The input domain of an extraction (extract/domain.hpp): every point it generates for a
// box stays inside the box.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/error.hpp"
#include "core/philox.hpp"
#include "extract/domain.hpp"

namespace {

using quarry::extract::Domain;
using Vec = std::vector<double>;

// Skewed widths, a tiny one, an offset one.
Domain skewed_box() { return Domain(4, {-40.0, 0.0, 5.0, 1e6}, {40.0, 1e-2, 6.0, 1e6 + 3}); }

TEST(Domain, RandomLinesOfABoxRunBetweenOppositeCorners) {
  const Domain box = skewed_box();
  quarry::core::RandomSequence random(quarry::core::rng_state_from_seed(1));
  for (int i = 0; i < 50; ++i) {
    const quarry::extract::Line line = box.random_line(0, random);
    EXPECT_NEAR(std::sqrt(line.v[0] * line.v[0] + line.v[1] * line.v[1] + line.v[2] * line.v[2] +
                          line.v[3] * line.v[3]),
                1.0, 1e-15);
    EXPECT_LT(line.t_lo, 0);
    EXPECT_GT(line.t_hi, 0);
    // Both ends are corners: every input at one of its bounds (up to rounding).
    for (double t : {line.t_lo, line.t_hi}) {
      const Vec x = line.points({t});
      for (int j = 0; j < 4; ++j) {
        const double lo = box.lower()[j], hi = box.upper()[j], scale = 1e-12 * (hi - lo + 1);
        EXPECT_TRUE(std::abs(x[j] - lo) < 1e-9 * (hi - lo) + scale ||
                    std::abs(x[j] - hi) < 1e-9 * (hi - lo) + scale)
            << j << ": " << x[j];
      }
    }
  }
}

TEST(Domain, StepsAndCheckDirectionsPointIntoTheBox) {
  const Domain box = skewed_box();
  quarry::core::RandomSequence random(quarry::core::rng_state_from_seed(2));
  for (int i = 0; i < 200; ++i) {
    Vec p = box.sample(1, random);
    if (i % 4 == 0) p[i % 3] = box.upper()[i % 3];  // on a face
    Vec steps = {5.0, 5.0, 5.0, 5.0};               // longer than some widths
    box.steps_inward(p, steps);
    for (int j = 0; j < 4; ++j) {
      Vec q = p;
      q[j] += steps[j];
      EXPECT_TRUE(box.contains(q)) << j;
      EXPECT_GT(std::abs(steps[j]), 0.0);
    }
    double h = std::abs(steps[0]);
    for (double s : steps) h = std::min(h, std::abs(s));
    Vec r(4);
    random.normals(4, r.data());
    double n = 0;
    for (double x : r) n += x * x;
    for (double& x : r) x /= std::sqrt(n);
    box.direction_inward(p, h, r);
    Vec q = p;
    for (int j = 0; j < 4; ++j) q[j] += h * r[j];
    EXPECT_TRUE(box.contains(q));
    // And the room along a direction ends on the box's boundary.
    const auto [forward, backward] = box.room_along(p, r);
    Vec end = p, start = p;
    for (int j = 0; j < 4; ++j) {
      end[j] += forward * r[j] * (1 - 1e-12);
      start[j] -= backward * r[j] * (1 - 1e-12);
    }
    EXPECT_TRUE(box.contains(end));
    EXPECT_TRUE(box.contains(start));
  }
}

TEST(Domain, ClampMovesRoundingOntoTheBoxAndRefusesRealExcursions) {
  const Domain box = skewed_box();
  Vec x = {40.0 * (1 + 1e-16), 0.0, 5.0, 1e6 + 3};
  box.clamp(1, x.data());
  EXPECT_EQ(x[0], 40.0);
  Vec far = {0.0, 1e-2 * (1 + 1e-9), 5.5, 1e6};
  try {
    box.clamp(1, far.data());
    FAIL() << "a point 1e-9 outside passed";
  } catch (const quarry::core::Error& e) {
    EXPECT_EQ(e.status(), QUARRY_ERR_INTERNAL);
  }
}

TEST(Domain, BoxesTheSearchCannotResolveAreRefused) {
  for (const auto& [lo, hi] : {std::pair{1.0, 1.0 + 1e-13}, std::pair{-1e200, 1e200},
                               std::pair{0.0, 0.0}, std::pair{2.0, 1.0}}) {
    try {
      Domain(3, {lo}, {hi});
      FAIL() << lo << " " << hi;
    } catch (const quarry::core::Error& e) {
      EXPECT_EQ(e.status(), QUARRY_ERR_INVALID_ARGUMENT);
    }
  }
  // Small but resolvable, and far from the origin.
  EXPECT_NO_THROW(Domain(3, {0.0}, {1e-200}));
  EXPECT_NO_THROW(Domain(3, {1e6}, {1e6 + 1e-2}));
}

}  // namespace
