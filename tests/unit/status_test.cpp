#include <quarry.h>

#include <gtest/gtest.h>

#include <map>

#include <set>
#include <string>

#include "header_enums.hpp"

namespace {

// Every published code with its fixed value: renumbering one is an ABI break.
constexpr struct {
  quarry_status status;
  int value;
} kCodes[] = {
    {QUARRY_OK, 0},
    {QUARRY_ERR_INVALID_ARGUMENT, 1},
    {QUARRY_ERR_NULL_POINTER, 2},
    {QUARRY_ERR_BAD_DIMENSION, 3},
    {QUARRY_ERR_BAD_LEADING_DIM, 4},
    {QUARRY_ERR_BAD_LAYOUT, 5},
    {QUARRY_ERR_UNSUPPORTED, 6},
    {QUARRY_ERR_NONFINITE, 7},
    {QUARRY_ERR_OUT_OF_MEMORY, 100},
    {QUARRY_ERR_SIZE_OVERFLOW, 101},
    {QUARRY_ERR_NO_CONVERGENCE, 200},
    {QUARRY_ERR_CALLBACK_ABORTED, 300},
    {QUARRY_ERR_ORACLE, 301},
    {QUARRY_ERR_BUDGET, 302},
    {QUARRY_ERR_IO, 400},
    {QUARRY_ERR_FORMAT, 401},
    {QUARRY_ERR_INTERNAL, 900},
};

TEST(Status, CodesKeepTheirPublishedValues) {
  for (const auto& code : kCodes) EXPECT_EQ(code.status, code.value);
}

TEST(Status, EveryCodeHasItsOwnDescription) {
  std::set<std::string> seen;
  for (const auto& code : kCodes) {
    const char* text = quarry_status_string(code.status);
    ASSERT_NE(text, nullptr);
    EXPECT_STRNE(text, "unknown status code") << "code " << code.value;
    EXPECT_TRUE(seen.insert(text).second) << "duplicate description: " << text;
  }
}

TEST(Status, EveryCodeInTheHeaderIsPinnedAndDescribed) {
  const auto published = quarry_test::header_enums("status.h", "QUARRY_(OK|ERR_[A-Z_]+)");
  ASSERT_EQ(published.size(), std::size(kCodes)) << "a code was added or removed: pin it here";
  std::map<int64_t, std::string> by_value;
  for (const auto& [name, value] : published) {
    EXPECT_TRUE(by_value.emplace(value, name).second) << name << " reuses value " << value;
    EXPECT_STRNE(quarry_status_string(static_cast<quarry_status>(value)), "unknown status code")
        << name << " has no description";
  }
  for (const auto& code : kCodes) EXPECT_EQ(by_value.count(code.value), 1u) << code.value;
}

TEST(Status, UnknownCodesGetAFixedNonNullDescription) {
  for (quarry_status s : {-1, 8, 99, 102, 199, 303, 899, 901, INT32_MIN, INT32_MAX}) {
    ASSERT_NE(quarry_status_string(s), nullptr);
    EXPECT_STREQ(quarry_status_string(s), "unknown status code") << s;
  }
}

TEST(Version, RuntimeMatchesHeaders) {
  EXPECT_STREQ(quarry_version_string(), QUARRY_VERSION_STRING);
  EXPECT_EQ(quarry_version_number(), QUARRY_VERSION_NUMBER);
  EXPECT_EQ(quarry_abi_version(), QUARRY_ABI_VERSION);
  EXPECT_EQ(QUARRY_VERSION_NUMBER,
            QUARRY_VERSION_MAJOR * 10000 + QUARRY_VERSION_MINOR * 100 + QUARRY_VERSION_PATCH);
  EXPECT_EQ(std::to_string(QUARRY_VERSION_MAJOR) + "." + std::to_string(QUARRY_VERSION_MINOR) +
                "." + std::to_string(QUARRY_VERSION_PATCH),
            QUARRY_VERSION_STRING);
  EXPECT_TRUE(QUARRY_VERSION_CHECK(0, 1, 0));
  EXPECT_FALSE(QUARRY_VERSION_CHECK(QUARRY_VERSION_MAJOR + 1, 0, 0));
}

TEST(Version, BlasInfoNamesTheLibrary) {
  const std::string info = quarry_blas_info();
  EXPECT_NE(info.find("OpenBLAS"), std::string::npos) << info;
  EXPECT_NE(info.find("BLAS threads"), std::string::npos) << info;
}

}  // namespace
