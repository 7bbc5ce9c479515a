#include <quarry.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <thread>

#include "c_handles.hpp"
#include "core/threads.hpp"

namespace {

using quarry_test::make_context;

int64_t threads_of(quarry_context* ctx) {
  int64_t n = -1;
  EXPECT_EQ(quarry_context_get_threads(ctx, &n), QUARRY_OK);
  return n;
}

TEST(Context, CreateRejectsNullOut) {
  EXPECT_EQ(quarry_context_create(nullptr), QUARRY_ERR_NULL_POINTER);
}

TEST(Context, DestroyNullIsANoOp) { quarry_context_destroy(nullptr); }

TEST(Context, NullContextIsRefusedWithoutCrashing) {
  int64_t n = 0;
  EXPECT_EQ(quarry_context_set_threads(nullptr, 1), QUARRY_ERR_NULL_POINTER);
  EXPECT_EQ(quarry_context_get_threads(nullptr, &n), QUARRY_ERR_NULL_POINTER);
  ASSERT_NE(quarry_context_last_error(nullptr), nullptr);
  EXPECT_STRNE(quarry_context_last_error(nullptr), "");
}

TEST(Context, StartsWithAnEmptyMessage) {
  auto ctx = make_context();
  EXPECT_STREQ(quarry_context_last_error(ctx.get()), "");
}

TEST(Context, SetThreadsAcceptsItsRangeAndZeroMeansDefault) {
  auto ctx = make_context();
  const int64_t initial = threads_of(ctx.get());
  EXPECT_GE(initial, 1);
  EXPECT_EQ(quarry_context_set_threads(ctx.get(), 3), QUARRY_OK);
  EXPECT_EQ(threads_of(ctx.get()), 3);
  EXPECT_EQ(quarry_context_set_threads(ctx.get(), QUARRY_MAX_THREADS), QUARRY_OK);
  EXPECT_EQ(threads_of(ctx.get()), QUARRY_MAX_THREADS);
  EXPECT_EQ(quarry_context_set_threads(ctx.get(), 0), QUARRY_OK);
  EXPECT_EQ(threads_of(ctx.get()), quarry::core::default_thread_count());
}

TEST(Context, SetThreadsRejectsOutOfRangeWithAMessageNamingTheValue) {
  auto ctx = make_context();
  ASSERT_EQ(quarry_context_set_threads(ctx.get(), 5), QUARRY_OK);
  for (int64_t bad : {int64_t{-1}, int64_t{QUARRY_MAX_THREADS + 1}, INT64_MIN}) {
    EXPECT_EQ(quarry_context_set_threads(ctx.get(), bad), QUARRY_ERR_INVALID_ARGUMENT);
    const std::string message = quarry_context_last_error(ctx.get());
    EXPECT_NE(message.find("threads = " + std::to_string(bad)), std::string::npos) << message;
    EXPECT_EQ(threads_of(ctx.get()), 5) << "a refused call must not change the context";
  }
}

TEST(Context, GetThreadsRejectsNullOutWithAMessage) {
  auto ctx = make_context();
  EXPECT_EQ(quarry_context_get_threads(ctx.get(), nullptr), QUARRY_ERR_NULL_POINTER);
  EXPECT_STREQ(quarry_context_last_error(ctx.get()), "threads is NULL");
}

TEST(Context, MessageLandsOnTheContextOfTheFailedCallOnly) {
  auto failing = make_context();
  auto other = make_context();
  EXPECT_EQ(quarry_context_set_threads(failing.get(), -7), QUARRY_ERR_INVALID_ARGUMENT);
  EXPECT_STRNE(quarry_context_last_error(failing.get()), "");
  EXPECT_STREQ(quarry_context_last_error(other.get()), "");
}

TEST(Context, NextSuccessfulCallClearsTheMessage) {
  auto ctx = make_context();
  EXPECT_EQ(quarry_context_set_threads(ctx.get(), -7), QUARRY_ERR_INVALID_ARGUMENT);
  EXPECT_STRNE(quarry_context_last_error(ctx.get()), "");
  int64_t threads = 0;
  EXPECT_EQ(quarry_context_get_threads(ctx.get(), &threads), QUARRY_OK);
  EXPECT_STREQ(quarry_context_last_error(ctx.get()), "");
}

TEST(Context, ContextsWorkConcurrentlyFromDifferentThreads) {
  std::vector<std::thread> workers;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    workers.emplace_back([&, t] {
      quarry_context* ctx = nullptr;
      if (quarry_context_create(&ctx) != QUARRY_OK) ++failures;
      for (int i = 0; i < 200; ++i) {
        if (quarry_context_set_threads(ctx, -1 - t) != QUARRY_ERR_INVALID_ARGUMENT) ++failures;
        const std::string expected = "threads = " + std::to_string(-1 - t);
        if (std::string(quarry_context_last_error(ctx)).find(expected) == std::string::npos)
          ++failures;
      }
      quarry_context_destroy(ctx);
    });
  }
  for (auto& w : workers) w.join();
  EXPECT_EQ(failures, 0);
}

TEST(ThreadCount, ParsesOnlyPlainIntegersInRange) {
  EXPECT_EQ(quarry::core::parse_thread_count("1"), 1);
  EXPECT_EQ(quarry::core::parse_thread_count("16"), 16);
  EXPECT_EQ(quarry::core::parse_thread_count("1024"), QUARRY_MAX_THREADS);
  for (const char* bad : {"", "0", "-2", "+2", " 2", "2 ", "2x", "1025", "99999999999", "abc"})
    EXPECT_FALSE(quarry::core::parse_thread_count(bad).has_value()) << '"' << bad << '"';
  EXPECT_FALSE(quarry::core::parse_thread_count(nullptr).has_value());
}

TEST(ThreadCount, DefaultFollowsTheEnvironmentVariable) {
  const char* saved = std::getenv("QUARRY_NUM_THREADS");
  const std::string restore = saved != nullptr ? saved : "";
  setenv("QUARRY_NUM_THREADS", "3", 1);
  EXPECT_EQ(quarry::core::default_thread_count(), 3);
  {
    auto ctx = make_context();
    EXPECT_EQ(threads_of(ctx.get()), 3);
  }
  setenv("QUARRY_NUM_THREADS", "lots", 1);  // malformed: ignored
  const int64_t hardware = std::max<int64_t>(1, std::thread::hardware_concurrency());
  EXPECT_EQ(quarry::core::default_thread_count(), std::min<int64_t>(hardware, QUARRY_MAX_THREADS));
  if (saved != nullptr) {
    setenv("QUARRY_NUM_THREADS", restore.c_str(), 1);
  } else {
    unsetenv("QUARRY_NUM_THREADS");
  }
}

}  // namespace
