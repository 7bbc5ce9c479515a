// Injected allocation failures: this test program replaces the global operator new so that
// a chosen allocation throws std::bad_alloc, and checks that quarry turns every such
// failure into a status (never a crash, never std::terminate). A separate executable,
// because the replacement applies to the whole program.
#include <quarry.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <new>
#include <string>
#include <vector>

#include "capi/boundary.hpp"
#include "core/philox.hpp"

namespace {
// -1: never fail; k >= 0: let k more allocations through, then fail the next one.
thread_local long fail_after = -1;
}  // namespace

void* operator new(std::size_t size) {
  if (fail_after == 0) {
    fail_after = -1;
    throw std::bad_alloc();
  }
  if (fail_after > 0) --fail_after;
  void* p = std::malloc(size == 0 ? 1 : size);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace {

TEST(AllocationFailure, ContextCreationReportsOutOfMemory) {
  static int sentinel;  // *out must be reset to NULL on failure
  quarry_context* ctx = reinterpret_cast<quarry_context*>(&sentinel);
  fail_after = 0;
  EXPECT_EQ(quarry_context_create(&ctx), QUARRY_ERR_OUT_OF_MEMORY);
  EXPECT_EQ(ctx, nullptr);
  quarry_options* options = reinterpret_cast<quarry_options*>(&sentinel);
  fail_after = 0;
  EXPECT_EQ(quarry_options_create(&options), QUARRY_ERR_OUT_OF_MEMORY);
  EXPECT_EQ(options, nullptr);
}

TEST(AllocationFailure, AMessageThatCannotBeCopiedIsKeptTruncated) {
  quarry_context ctx;
  const std::string long_message(1000, 'x');
  quarry::core::Error error(QUARRY_ERR_BAD_DIMENSION, long_message);
  const quarry_status status = quarry::capi::guarded(&ctx, [&] {
    fail_after = 0;          // the copy into the context is the next allocation
    throw std::move(error);  // moving the message allocates nothing
  });
  EXPECT_EQ(status, QUARRY_ERR_BAD_DIMENSION) << "the status survives";
  EXPECT_EQ(ctx.last_error, long_message.substr(0, quarry_context::kReservedMessage));
}

TEST(AllocationFailure, NoMemoryForAWorkerThreadStillGivesTheWholeStream) {
  const quarry::core::PhiloxStream stream(quarry::core::rng_state_from_seed(6));
  const int64_t n = 1 << 18;
  std::vector<double> expected(n), got(n);
  quarry::core::rng_fill_normal(stream, 0, n, expected.data(), 1);
  fail_after = 1;  // the pool's reserve succeeds, the worker thread's state does not
  quarry::core::rng_fill_normal(stream, 0, n, got.data(), 2);
  fail_after = -1;
  EXPECT_EQ(got, expected);
}

TEST(AllocationFailure, NoMemoryInsideAComputationIsOutOfMemory) {
  quarry_context* ctx = nullptr;
  ASSERT_EQ(quarry_context_create(&ctx), QUARRY_OK);
  ASSERT_EQ(quarry_context_set_threads(ctx, 2), QUARRY_OK);
  quarry_rng_state s;
  ASSERT_EQ(quarry_rng_state_from_seed(1, &s), QUARRY_OK);
  std::vector<double> out(1 << 18);
  fail_after = 0;  // the thread pool's first allocation
  EXPECT_EQ(quarry_rng_fill_uniform_f64(ctx, &s, 0, static_cast<int64_t>(out.size()), out.data()),
            QUARRY_ERR_OUT_OF_MEMORY);
  EXPECT_STREQ(quarry_context_last_error(ctx), "out of memory");
  quarry_context_destroy(ctx);
}

}  // namespace
