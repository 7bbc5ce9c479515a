#include <quarry.h>

#include <gtest/gtest.h>

#include <string>

#include "capi/handles.hpp"
#include "core/error.hpp"
#include "header_enums.hpp"

namespace {

// Reports are made by computing calls; the tests build one the way the shim does.
quarry_report* sample_report() {
  auto* r = new quarry_report();
  r->core.set<int64_t>(QUARRY_REPORT_ITERATIONS, 17);
  r->core.set<double>(QUARRY_REPORT_RESIDUAL_NORM, 2.5e-13);
  r->core.set<int64_t>(QUARRY_REPORT_METHOD, QUARRY_LSTSQ_SKETCH_PRECONDITION);
  return r;
}

TEST(Report, KeysKeepTheirPublishedValuesAndTypes) {
  const struct {
    int32_t key;
    int value;
    quarry_value_type type;
  } keys[] = {{QUARRY_REPORT_METHOD, 1, QUARRY_TYPE_I64},
              {QUARRY_REPORT_ITERATIONS, 2, QUARRY_TYPE_I64},
              {QUARRY_REPORT_SKETCH_ROWS, 3, QUARRY_TYPE_I64},
              {QUARRY_REPORT_QUERIES, 4, QUARRY_TYPE_I64},
              {QUARRY_REPORT_NEURONS, 5, QUARRY_TYPE_I64},
              {QUARRY_REPORT_RESIDUAL_NORM, 6, QUARRY_TYPE_F64},
              {QUARRY_REPORT_BACKWARD_ERROR, 7, QUARRY_TYPE_F64},
              {QUARRY_REPORT_CONDITION_ESTIMATE, 8, QUARRY_TYPE_F64},
              {QUARRY_REPORT_SECONDS, 9, QUARRY_TYPE_F64},
              {QUARRY_REPORT_ORACLE_SECONDS, 10, QUARRY_TYPE_F64},
              {QUARRY_REPORT_BATCHES, 11, QUARRY_TYPE_I64},
              {QUARRY_REPORT_LINES, 12, QUARRY_TYPE_I64},
              {QUARRY_REPORT_RELATIVE_ERROR, 13, QUARRY_TYPE_F64},
              {QUARRY_REPORT_NOISE, 14, QUARRY_TYPE_F64},
              {QUARRY_REPORT_RANK, 15, QUARRY_TYPE_I64},
              {QUARRY_REPORT_RESIDUAL_BOUND, 16, QUARRY_TYPE_F64},
              {QUARRY_REPORT_OBJECTIVE, 17, QUARRY_TYPE_F64},
              {QUARRY_REPORT_OUTLIERS, 18, QUARRY_TYPE_I64},
              {QUARRY_REPORT_DUAL_GAP, 19, QUARRY_TYPE_F64}};
  for (const auto& k : keys) {
    EXPECT_EQ(k.key, k.value);
    EXPECT_EQ(quarry_report_key_type(k.key), k.type) << k.key;
    EXPECT_EQ(std::string(quarry_report_key_name(k.key)).rfind("QUARRY_REPORT_", 0), 0u);
  }
  EXPECT_STREQ(quarry_report_key_name(QUARRY_REPORT_QUERIES), "QUARRY_REPORT_QUERIES");
  EXPECT_EQ(quarry_report_key_type(0), QUARRY_TYPE_NONE);
  EXPECT_STREQ(quarry_report_key_name(20), "unknown report key");
}

TEST(Report, EveryKeyInTheHeaderIsInTheKeyTableUnderItsOwnName) {
  const auto published = quarry_test::header_enums("report.h", "QUARRY_REPORT_[A-Z_]+");
  EXPECT_EQ(published.size(), 19u);
  for (const auto& [name, value] : published) {
    EXPECT_EQ(quarry_report_key_name(static_cast<int32_t>(value)), name);
    EXPECT_NE(quarry_report_key_type(static_cast<int32_t>(value)), QUARRY_TYPE_NONE) << name;
  }
}

TEST(Report, TypedGettersReturnHeldEntries) {
  quarry_report* r = sample_report();
  int64_t i = 0;
  double d = 0;
  EXPECT_EQ(quarry_report_get_i64(r, QUARRY_REPORT_ITERATIONS, &i), QUARRY_OK);
  EXPECT_EQ(i, 17);
  EXPECT_EQ(quarry_report_get_f64(r, QUARRY_REPORT_RESIDUAL_NORM, &d), QUARRY_OK);
  EXPECT_EQ(d, 2.5e-13);
  quarry_report_destroy(r);
}

TEST(Report, MissingUnknownOrMistypedKeysAreInvalidAndLeaveTheOutputAlone) {
  quarry_report* r = sample_report();
  int64_t i = -5;
  double d = -5;
  EXPECT_EQ(quarry_report_get_i64(r, QUARRY_REPORT_QUERIES, &i), QUARRY_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(quarry_report_get_i64(r, 12345, &i), QUARRY_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(quarry_report_get_f64(r, QUARRY_REPORT_ITERATIONS, &d), QUARRY_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(quarry_report_get_i64(r, QUARRY_REPORT_RESIDUAL_NORM, &i), QUARRY_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(i, -5);
  EXPECT_EQ(d, -5);
  quarry_report_destroy(r);
}

TEST(Report, NullArgumentsAreRefused) {
  quarry_report* r = sample_report();
  int64_t i = 0;
  EXPECT_EQ(quarry_report_get_i64(nullptr, QUARRY_REPORT_ITERATIONS, &i), QUARRY_ERR_NULL_POINTER);
  EXPECT_EQ(quarry_report_get_i64(r, QUARRY_REPORT_ITERATIONS, nullptr), QUARRY_ERR_NULL_POINTER);
  EXPECT_EQ(quarry_report_count(nullptr, &i), QUARRY_ERR_NULL_POINTER);
  EXPECT_EQ(quarry_report_count(r, nullptr), QUARRY_ERR_NULL_POINTER);
  // The output pointer is checked before the key: NULL wins even for a missing key.
  EXPECT_EQ(quarry_report_get_i64(r, QUARRY_REPORT_QUERIES, nullptr), QUARRY_ERR_NULL_POINTER);
  EXPECT_EQ(quarry_report_key_at(r, 99, nullptr), QUARRY_ERR_NULL_POINTER);
  quarry_report_destroy(r);
  quarry_report_destroy(nullptr);
}

TEST(Report, EntriesCanBeWalkedInKeyOrder) {
  quarry_report* r = sample_report();
  int64_t count = 0;
  ASSERT_EQ(quarry_report_count(r, &count), QUARRY_OK);
  ASSERT_EQ(count, 3);
  const int32_t expected[] = {QUARRY_REPORT_METHOD, QUARRY_REPORT_ITERATIONS,
                              QUARRY_REPORT_RESIDUAL_NORM};
  for (int64_t index = 0; index < count; ++index) {
    int32_t key = 0;
    ASSERT_EQ(quarry_report_key_at(r, index, &key), QUARRY_OK);
    EXPECT_EQ(key, expected[index]);
  }
  int32_t key = 0;
  EXPECT_EQ(quarry_report_key_at(r, 3, &key), QUARRY_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(quarry_report_key_at(r, -1, &key), QUARRY_ERR_INVALID_ARGUMENT);
  quarry_report_destroy(r);
}

TEST(Report, RecordingAnUndeclaredKeyIsAnInternalError) {
  quarry::core::Report report;
  auto status_of = [](auto&& call) -> quarry_status {
    try {
      call();
    } catch (const quarry::core::Error& e) {
      return e.status();
    }
    return QUARRY_OK;
  };
  EXPECT_EQ(status_of([&] { report.set<int64_t>(QUARRY_REPORT_RESIDUAL_NORM, 1); }),
            QUARRY_ERR_INTERNAL);
  EXPECT_EQ(status_of([&] { report.set<double>(QUARRY_REPORT_QUERIES, 1.0); }),
            QUARRY_ERR_INTERNAL);
  EXPECT_EQ(status_of([&] { report.set<double>(999, 1.0); }), QUARRY_ERR_INTERNAL);
  EXPECT_EQ(report.size(), 0);
}

}  // namespace
