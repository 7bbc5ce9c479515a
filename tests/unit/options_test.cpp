#include <quarry.h>

#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>
#include <limits>
#include <memory>
#include <string>

#include "c_handles.hpp"
#include "core/error.hpp"
#include "core/options.hpp"
#include "header_enums.hpp"

namespace {

using quarry_test::make_options;

constexpr int32_t kI64Keys[] = {QUARRY_OPT_SEED,           QUARRY_OPT_MAX_ITERATIONS,
                                QUARRY_OPT_SKETCH_KIND,    QUARRY_OPT_SKETCH_ROWS,
                                QUARRY_OPT_SKETCH_NNZ,     QUARRY_OPT_LEVERAGE_METHOD,
                                QUARRY_OPT_LSTSQ_METHOD,   QUARRY_OPT_QUERY_BUDGET,
                                QUARRY_OPT_EXTRACT_REFINE, QUARRY_OPT_ORACLE_FLOAT32};
constexpr int32_t kF64Keys[] = {QUARRY_OPT_TOLERANCE,    QUARRY_OPT_RIDGE,
                                QUARRY_OPT_OUTPUT_NOISE, QUARRY_OPT_ORACLE_ROUNDING,
                                QUARRY_OPT_ORACLE_NOISE, QUARRY_OPT_HUBER_SCALE};
constexpr int32_t kF64ArrayKeys[] = {QUARRY_OPT_DOMAIN_LOWER, QUARRY_OPT_DOMAIN_UPPER};

TEST(Options, CreateAndDestroyHandleNull) {
  EXPECT_EQ(quarry_options_create(nullptr), QUARRY_ERR_NULL_POINTER);
  quarry_options_destroy(nullptr);
}

TEST(Options, KeysKeepTheirPublishedValues) {
  EXPECT_EQ(QUARRY_OPT_SEED, 1);
  EXPECT_EQ(QUARRY_OPT_TOLERANCE, 2);
  EXPECT_EQ(QUARRY_OPT_MAX_ITERATIONS, 3);
  EXPECT_EQ(QUARRY_OPT_SKETCH_KIND, 100);
  EXPECT_EQ(QUARRY_OPT_SKETCH_ROWS, 101);
  EXPECT_EQ(QUARRY_OPT_SKETCH_NNZ, 102);
  EXPECT_EQ(QUARRY_OPT_LEVERAGE_METHOD, 103);
  EXPECT_EQ(QUARRY_OPT_LSTSQ_METHOD, 200);
  EXPECT_EQ(QUARRY_OPT_RIDGE, 201);
  EXPECT_EQ(QUARRY_OPT_QUERY_BUDGET, 300);
  EXPECT_EQ(QUARRY_OPT_EXTRACT_REFINE, 301);
  EXPECT_EQ(QUARRY_OPT_OUTPUT_NOISE, 302);
  EXPECT_EQ(QUARRY_OPT_ORACLE_FLOAT32, 303);
  EXPECT_EQ(QUARRY_OPT_ORACLE_ROUNDING, 304);
  EXPECT_EQ(QUARRY_OPT_ORACLE_NOISE, 305);
  EXPECT_EQ(QUARRY_OPT_DOMAIN_LOWER, 306);
  EXPECT_EQ(QUARRY_OPT_DOMAIN_UPPER, 307);
  EXPECT_EQ(QUARRY_TYPE_F64_ARRAY, 3);
}

TEST(Options, EveryKeyHasANameATypeAndBounds) {
  for (int32_t key : kI64Keys) {
    EXPECT_EQ(quarry_option_type(key), QUARRY_TYPE_I64) << key;
    EXPECT_EQ(std::string(quarry_option_name(key)).rfind("QUARRY_OPT_", 0), 0u) << key;
    int64_t lo = 0, hi = 0;
    EXPECT_EQ(quarry_option_bounds_i64(key, &lo, &hi), QUARRY_OK) << key;
    EXPECT_LE(lo, hi);
    double dlo = 0, dhi = 0;
    EXPECT_EQ(quarry_option_bounds_f64(key, &dlo, &dhi), QUARRY_ERR_INVALID_ARGUMENT) << key;
  }
  for (int32_t key : kF64Keys) {
    EXPECT_EQ(quarry_option_type(key), QUARRY_TYPE_F64) << key;
    double lo = 0, hi = 0;
    EXPECT_EQ(quarry_option_bounds_f64(key, &lo, &hi), QUARRY_OK) << key;
    EXPECT_LE(lo, hi);
  }
  for (int32_t key : kF64ArrayKeys) {
    EXPECT_EQ(quarry_option_type(key), QUARRY_TYPE_F64_ARRAY) << key;
    double lo = 0, hi = 0;
    EXPECT_EQ(quarry_option_bounds_f64(key, &lo, &hi), QUARRY_OK) << "the range of each entry";
    EXPECT_EQ(lo, -DBL_MAX);
    EXPECT_EQ(hi, DBL_MAX);
    int64_t ilo = 0, ihi = 0;
    EXPECT_EQ(quarry_option_bounds_i64(key, &ilo, &ihi), QUARRY_ERR_INVALID_ARGUMENT) << key;
  }
  EXPECT_EQ(quarry_option_type(0), QUARRY_TYPE_NONE);
  EXPECT_EQ(quarry_option_type(999), QUARRY_TYPE_NONE);
  EXPECT_STREQ(quarry_option_name(999), "unknown option");
  int64_t lo = 0;
  EXPECT_EQ(quarry_option_bounds_i64(QUARRY_OPT_SEED, &lo, nullptr), QUARRY_ERR_NULL_POINTER);
}

TEST(Options, EveryKeyInTheHeaderIsInTheKeyTableUnderItsOwnName) {
  const auto published = quarry_test::header_enums("options.h", "QUARRY_OPT_[A-Z_0-9]+");
  EXPECT_EQ(published.size(), std::size(kI64Keys) + std::size(kF64Keys) + std::size(kF64ArrayKeys));
  for (const auto& [name, value] : published) {
    EXPECT_EQ(quarry_option_name(static_cast<int32_t>(value)), name);
    EXPECT_NE(quarry_option_type(static_cast<int32_t>(value)), QUARRY_TYPE_NONE) << name;
  }
}

TEST(Options, NamesMatchTheHeader) {
  EXPECT_STREQ(quarry_option_name(QUARRY_OPT_SKETCH_ROWS), "QUARRY_OPT_SKETCH_ROWS");
  EXPECT_STREQ(quarry_option_name(QUARRY_OPT_RIDGE), "QUARRY_OPT_RIDGE");
}

TEST(Options, SetThenGetRoundTrips) {
  auto o = make_options();
  int64_t i = 0;
  double d = 0;
  EXPECT_EQ(quarry_options_get_i64(o.get(), QUARRY_OPT_SEED, &i), QUARRY_ERR_INVALID_ARGUMENT)
      << "unset keys are not readable";
  EXPECT_EQ(quarry_options_set_i64(o.get(), QUARRY_OPT_SEED, -42), QUARRY_OK);
  EXPECT_EQ(quarry_options_get_i64(o.get(), QUARRY_OPT_SEED, &i), QUARRY_OK);
  EXPECT_EQ(i, -42);
  EXPECT_EQ(quarry_options_set_f64(o.get(), QUARRY_OPT_TOLERANCE, 1e-12), QUARRY_OK);
  EXPECT_EQ(quarry_options_get_f64(o.get(), QUARRY_OPT_TOLERANCE, &d), QUARRY_OK);
  EXPECT_EQ(d, 1e-12);
  EXPECT_EQ(quarry_options_set_i64(o.get(), QUARRY_OPT_SEED, 7), QUARRY_OK);
  EXPECT_EQ(quarry_options_get_i64(o.get(), QUARRY_OPT_SEED, &i), QUARRY_OK);
  EXPECT_EQ(i, 7) << "a second set replaces the first";
  EXPECT_EQ(quarry_options_unset(o.get(), QUARRY_OPT_SEED), QUARRY_OK);
  EXPECT_EQ(quarry_options_get_i64(o.get(), QUARRY_OPT_SEED, &i), QUARRY_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(quarry_options_unset(o.get(), QUARRY_OPT_SEED), QUARRY_OK) << "unset is idempotent";
}

TEST(Options, ArraysRoundTripAndReportTheirLength) {
  auto o = make_options();
  const double box[3] = {-1.5, 0.0, 2e300};
  int64_t n = -1;
  EXPECT_EQ(quarry_options_get_f64_array(o.get(), QUARRY_OPT_DOMAIN_LOWER, 0, nullptr, &n),
            QUARRY_ERR_INVALID_ARGUMENT)
      << "unset keys are not readable";
  ASSERT_EQ(quarry_options_set_f64_array(o.get(), QUARRY_OPT_DOMAIN_LOWER, 3, box), QUARRY_OK);
  EXPECT_EQ(quarry_options_get_f64_array(o.get(), QUARRY_OPT_DOMAIN_LOWER, 0, nullptr, &n),
            QUARRY_OK);
  EXPECT_EQ(n, 3) << "capacity 0 asks for the length";
  double got[4] = {7, 7, 7, 7};
  ASSERT_EQ(quarry_options_get_f64_array(o.get(), QUARRY_OPT_DOMAIN_LOWER, 4, got, &n), QUARRY_OK);
  EXPECT_EQ(n, 3);
  EXPECT_EQ(got[0], -1.5);
  EXPECT_EQ(got[2], 2e300);
  EXPECT_EQ(got[3], 7) << "nothing is written past the length";
  double first[2] = {7, 7};
  ASSERT_EQ(quarry_options_get_f64_array(o.get(), QUARRY_OPT_DOMAIN_LOWER, 1, first, &n),
            QUARRY_OK);
  EXPECT_EQ(n, 3) << "the full length, even when only part fits";
  EXPECT_EQ(first[0], -1.5);
  EXPECT_EQ(first[1], 7);
  // The options keep a copy.
  double changing = 4;
  ASSERT_EQ(quarry_options_set_f64_array(o.get(), QUARRY_OPT_DOMAIN_UPPER, 1, &changing),
            QUARRY_OK);
  changing = 5;
  ASSERT_EQ(quarry_options_get_f64_array(o.get(), QUARRY_OPT_DOMAIN_UPPER, 1, got, &n), QUARRY_OK);
  EXPECT_EQ(got[0], 4);
  EXPECT_EQ(quarry_options_unset(o.get(), QUARRY_OPT_DOMAIN_UPPER), QUARRY_OK);
  EXPECT_EQ(quarry_options_get_f64_array(o.get(), QUARRY_OPT_DOMAIN_UPPER, 1, got, &n),
            QUARRY_ERR_INVALID_ARGUMENT);
}

TEST(Options, BadArraysAreRefusedAndKeepTheOldValue) {
  auto o = make_options();
  const double one = 1;
  ASSERT_EQ(quarry_options_set_f64_array(o.get(), QUARRY_OPT_DOMAIN_LOWER, 1, &one), QUARRY_OK);
  const double bad[2] = {0.0, std::nan("")};
  const double inf[1] = {HUGE_VAL};
  EXPECT_EQ(quarry_options_set_f64_array(o.get(), QUARRY_OPT_DOMAIN_LOWER, 2, bad),
            QUARRY_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(quarry_options_set_f64_array(o.get(), QUARRY_OPT_DOMAIN_LOWER, 1, inf),
            QUARRY_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(quarry_options_set_f64_array(o.get(), QUARRY_OPT_DOMAIN_LOWER, 0, &one),
            QUARRY_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(quarry_options_set_f64_array(o.get(), QUARRY_OPT_DOMAIN_LOWER, -1, &one),
            QUARRY_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(quarry_options_set_f64_array(o.get(), QUARRY_OPT_DOMAIN_LOWER, 1, nullptr),
            QUARRY_ERR_NULL_POINTER);
  EXPECT_EQ(quarry_options_set_f64_array(nullptr, QUARRY_OPT_DOMAIN_LOWER, 1, &one),
            QUARRY_ERR_NULL_POINTER);
  double got = 0;
  int64_t n = 0;
  ASSERT_EQ(quarry_options_get_f64_array(o.get(), QUARRY_OPT_DOMAIN_LOWER, 1, &got, &n), QUARRY_OK);
  EXPECT_EQ(got, 1);
  EXPECT_EQ(n, 1);
  // Wrong types both ways, and bad reads.
  EXPECT_EQ(quarry_options_set_f64_array(o.get(), QUARRY_OPT_TOLERANCE, 1, &one),
            QUARRY_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(quarry_options_set_f64_array(o.get(), 999, 1, &one), QUARRY_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(quarry_options_set_f64(o.get(), QUARRY_OPT_DOMAIN_LOWER, 1.0),
            QUARRY_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(quarry_options_get_f64(o.get(), QUARRY_OPT_DOMAIN_LOWER, &got),
            QUARRY_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(quarry_options_get_f64_array(o.get(), QUARRY_OPT_DOMAIN_LOWER, 1, &got, nullptr),
            QUARRY_ERR_NULL_POINTER);
  EXPECT_EQ(quarry_options_get_f64_array(o.get(), QUARRY_OPT_DOMAIN_LOWER, 1, nullptr, &n),
            QUARRY_ERR_NULL_POINTER);
  EXPECT_EQ(quarry_options_get_f64_array(o.get(), QUARRY_OPT_DOMAIN_LOWER, -1, &got, &n),
            QUARRY_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(quarry_options_get_f64_array(nullptr, QUARRY_OPT_DOMAIN_LOWER, 1, &got, &n),
            QUARRY_ERR_NULL_POINTER);
  try {
    quarry::core::Options core;
    core.set_array(QUARRY_OPT_DOMAIN_UPPER, {0.0, -HUGE_VAL});
    FAIL() << "expected a refusal";
  } catch (const quarry::core::Error& e) {
    EXPECT_NE(std::string(e.what()).find("QUARRY_OPT_DOMAIN_UPPER[1] = -inf is outside its range"),
              std::string::npos)
        << e.what();
  }
}

TEST(Options, RejectsUnknownKeys) {
  auto o = make_options();
  int64_t i = 0;
  for (int32_t key : {0, 4, 99, 104, 1000, -1}) {
    EXPECT_EQ(quarry_options_set_i64(o.get(), key, 1), QUARRY_ERR_INVALID_ARGUMENT) << key;
    EXPECT_EQ(quarry_options_set_f64(o.get(), key, 1.0), QUARRY_ERR_INVALID_ARGUMENT) << key;
    EXPECT_EQ(quarry_options_get_i64(o.get(), key, &i), QUARRY_ERR_INVALID_ARGUMENT) << key;
    EXPECT_EQ(quarry_options_unset(o.get(), key), QUARRY_ERR_INVALID_ARGUMENT) << key;
  }
}

TEST(Options, RejectsTheWrongType) {
  auto o = make_options();
  for (int32_t key : kI64Keys)
    EXPECT_EQ(quarry_options_set_f64(o.get(), key, 1.0), QUARRY_ERR_INVALID_ARGUMENT) << key;
  for (int32_t key : kF64Keys)
    EXPECT_EQ(quarry_options_set_i64(o.get(), key, 0), QUARRY_ERR_INVALID_ARGUMENT) << key;
  ASSERT_EQ(quarry_options_set_i64(o.get(), QUARRY_OPT_SEED, 1), QUARRY_OK);
  double d = 0;
  EXPECT_EQ(quarry_options_get_f64(o.get(), QUARRY_OPT_SEED, &d), QUARRY_ERR_INVALID_ARGUMENT);
}

TEST(Options, RejectsValuesOutsideTheStaticRangeAndKeepsTheOldValue) {
  auto o = make_options();
  ASSERT_EQ(quarry_options_set_i64(o.get(), QUARRY_OPT_SKETCH_ROWS, 10), QUARRY_OK);
  EXPECT_EQ(quarry_options_set_i64(o.get(), QUARRY_OPT_SKETCH_ROWS, 0),
            QUARRY_ERR_INVALID_ARGUMENT);
  int64_t i = 0;
  ASSERT_EQ(quarry_options_get_i64(o.get(), QUARRY_OPT_SKETCH_ROWS, &i), QUARRY_OK);
  EXPECT_EQ(i, 10);
  EXPECT_EQ(quarry_options_set_i64(o.get(), QUARRY_OPT_SKETCH_KIND, 6),
            QUARRY_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(quarry_options_set_i64(o.get(), QUARRY_OPT_SKETCH_KIND, QUARRY_SKETCH_SRHT), QUARRY_OK);
  EXPECT_EQ(quarry_options_set_i64(o.get(), QUARRY_OPT_LSTSQ_METHOD, -1),
            QUARRY_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(quarry_options_set_i64(o.get(), QUARRY_OPT_EXTRACT_REFINE, 2),
            QUARRY_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(quarry_options_set_f64(o.get(), QUARRY_OPT_TOLERANCE, 1.5),
            QUARRY_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(quarry_options_set_f64(o.get(), QUARRY_OPT_RIDGE, -1e-300),
            QUARRY_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(quarry_options_set_f64(o.get(), QUARRY_OPT_RIDGE, DBL_MAX), QUARRY_OK);
}

TEST(Options, RejectsNaNAndInfinity) {
  auto o = make_options();
  for (int32_t key : kF64Keys) {
    EXPECT_EQ(quarry_options_set_f64(o.get(), key, std::nan("")), QUARRY_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(quarry_options_set_f64(o.get(), key, HUGE_VAL), QUARRY_ERR_INVALID_ARGUMENT);
  }
}

TEST(Options, NullArgumentsAreRefused) {
  auto o = make_options();
  EXPECT_EQ(quarry_options_set_i64(nullptr, QUARRY_OPT_SEED, 1), QUARRY_ERR_NULL_POINTER);
  EXPECT_EQ(quarry_options_set_f64(nullptr, QUARRY_OPT_RIDGE, 1), QUARRY_ERR_NULL_POINTER);
  EXPECT_EQ(quarry_options_unset(nullptr, QUARRY_OPT_SEED), QUARRY_ERR_NULL_POINTER);
  ASSERT_EQ(quarry_options_set_i64(o.get(), QUARRY_OPT_SEED, 1), QUARRY_OK);
  EXPECT_EQ(quarry_options_get_i64(o.get(), QUARRY_OPT_SEED, nullptr), QUARRY_ERR_NULL_POINTER);
  EXPECT_EQ(quarry_options_get_f64(o.get(), QUARRY_OPT_RIDGE, nullptr), QUARRY_ERR_NULL_POINTER)
      << "the output pointer is checked before the key is looked up";
  int64_t i = 0;
  EXPECT_EQ(quarry_options_get_i64(nullptr, QUARRY_OPT_SEED, &i), QUARRY_ERR_NULL_POINTER);
}

// What a consuming call does: check a set value against the problem, with a message
// that names the key, the value and the range.
TEST(Options, ConsumerCheckNamesKeyValueAndRange) {
  quarry::core::Options o;
  EXPECT_EQ(o.value_in<int64_t>(QUARRY_OPT_SKETCH_ROWS, 400, 101, 1000), 400)
      << "unset: the fallback";
  o.set<int64_t>(QUARRY_OPT_SKETCH_ROWS, 50);
  try {
    o.value_in<int64_t>(QUARRY_OPT_SKETCH_ROWS, 400, 101, 1000,
                        "for A with 1000 rows and 100 columns");
    FAIL() << "expected a refusal";
  } catch (const quarry::core::Error& e) {
    EXPECT_EQ(e.status(), QUARRY_ERR_INVALID_ARGUMENT);
    EXPECT_STREQ(e.what(),
                 "QUARRY_OPT_SKETCH_ROWS = 50 is outside the allowed range [101, 1000] "
                 "for A with 1000 rows and 100 columns");
  }
  o.set<int64_t>(QUARRY_OPT_SKETCH_ROWS, 101);
  EXPECT_EQ(o.value_in<int64_t>(QUARRY_OPT_SKETCH_ROWS, 400, 101, 1000), 101);

  o.set<double>(QUARRY_OPT_TOLERANCE, 0.5);
  EXPECT_THROW(o.value_in<double>(QUARRY_OPT_TOLERANCE, 1e-10, 0.0, 0.1), quarry::core::Error);
  EXPECT_EQ(o.value_in<double>(QUARRY_OPT_RIDGE, 2.0, 0.0, 1.0), 2.0);
}

TEST(Options, CoreSetterMessagesNameTheProblem) {
  quarry::core::Options o;
  try {
    o.set<double>(QUARRY_OPT_SEED, 1.0);
    FAIL();
  } catch (const quarry::core::Error& e) {
    EXPECT_STREQ(e.what(), "option QUARRY_OPT_SEED takes an int64, not a double");
  }
  try {
    o.set<int64_t>(QUARRY_OPT_EXTRACT_REFINE, 3);
    FAIL();
  } catch (const quarry::core::Error& e) {
    EXPECT_STREQ(e.what(), "QUARRY_OPT_EXTRACT_REFINE = 3 is outside its range [0, 1]");
  }
}

}  // namespace
