#include <gtest/gtest.h>

#include <new>
#include <stdexcept>
#include <string>
#include <vector>

#include "capi/boundary.hpp"

namespace {

using quarry::capi::guarded;
using quarry::capi::with_context;

TEST(Boundary, ConvertsEveryKindOfExceptionToAStatusAndMessage) {
  quarry_context ctx;
  EXPECT_EQ(guarded(&ctx, [] { quarry::core::fail(QUARRY_ERR_BAD_DIMENSION, "m = {} < 0", -3); }),
            QUARRY_ERR_BAD_DIMENSION);
  EXPECT_EQ(ctx.last_error, "m = -3 < 0");

  EXPECT_EQ(guarded(&ctx, [] { throw std::bad_alloc(); }), QUARRY_ERR_OUT_OF_MEMORY);
  EXPECT_EQ(ctx.last_error, "out of memory");

  EXPECT_EQ(guarded(&ctx,
                    [] {
                      std::vector<double> beyond_max_size(size_t{1} << 62);
                      (void)beyond_max_size;
                    }),
            QUARRY_ERR_OUT_OF_MEMORY)
      << "a container too large for the address space is out of memory";

  EXPECT_EQ(guarded(&ctx, [] { throw std::logic_error("broken invariant"); }), QUARRY_ERR_INTERNAL);
  EXPECT_EQ(ctx.last_error, "broken invariant");

  EXPECT_EQ(guarded(&ctx, [] { throw 42; }), QUARRY_ERR_INTERNAL);
  EXPECT_EQ(ctx.last_error, "unknown exception inside quarry");

  EXPECT_EQ(guarded(&ctx, [] {}), QUARRY_OK);
  EXPECT_EQ(ctx.last_error, "") << "a successful call clears the message";
}

TEST(Boundary, WorksWithoutAContext) {
  EXPECT_EQ(guarded(nullptr, [] { quarry::core::fail(QUARRY_ERR_IO, "cannot open"); }),
            QUARRY_ERR_IO);
  EXPECT_EQ(guarded(nullptr, [] { throw std::runtime_error("x"); }), QUARRY_ERR_INTERNAL);
}

TEST(Boundary, NullContextIsReportedBeforeTheBodyRuns) {
  bool ran = false;
  EXPECT_EQ(with_context(nullptr, [&] { ran = true; }), QUARRY_ERR_NULL_POINTER);
  EXPECT_FALSE(ran);
}

TEST(Boundary, DerefNamesTheNullArgument) {
  quarry_context ctx;
  int* missing = nullptr;
  EXPECT_EQ(guarded(&ctx, [&] { quarry::capi::deref(missing, "x"); }), QUARRY_ERR_NULL_POINTER);
  EXPECT_EQ(ctx.last_error, "x is NULL");
}

}  // namespace
