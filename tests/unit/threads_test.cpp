#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

#include "core/blas.hpp"
#include "core/error.hpp"
#include "core/threads.hpp"

namespace {

TEST(ParallelFor, CoversEveryIndexExactlyOnce) {
  for (int64_t threads : {1, 2, 4}) {
    for (int64_t n : {0, 1, 7, 1000}) {
      for (int64_t grain : {1, 3, 64, 5000}) {
        std::vector<std::atomic<int>> hits(static_cast<size_t>(n));
        quarry::core::parallel_for(threads, n, grain, [&](int64_t begin, int64_t end) {
          EXPECT_LE(end - begin, grain);
          for (int64_t i = begin; i < end; ++i) ++hits[static_cast<size_t>(i)];
        });
        for (int64_t i = 0; i < n; ++i)
          ASSERT_EQ(hits[static_cast<size_t>(i)], 1) << threads << " " << n << " " << grain;
      }
    }
  }
}

TEST(ParallelFor, UsesSeveralThreadsWhenAsked) {
  // Two ranges on two threads: each body waits until the other is running too, which
  // only happens if two threads really run at once (bounded wait: no hang on failure).
  std::atomic<int> inside{0};
  std::atomic<int> met{0};
  quarry::core::parallel_for(2, 2, 1, [&](int64_t, int64_t) {
    ++inside;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (inside.load() < 2 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::yield();
    }
    if (inside.load() == 2) ++met;
  });
  EXPECT_EQ(met, 2);
}

TEST(ParallelFor, RethrowsTheBodysExceptionOnTheCaller) {
  for (int64_t threads : {1, 2}) {
    try {
      quarry::core::parallel_for(threads, 100, 1, [](int64_t begin, int64_t) {
        if (begin == 37) quarry::core::fail(QUARRY_ERR_NONFINITE, "x[{}] is NaN", begin);
      });
      FAIL() << "expected an exception";
    } catch (const quarry::core::Error& e) {
      EXPECT_EQ(e.status(), QUARRY_ERR_NONFINITE);
      EXPECT_STREQ(e.what(), "x[37] is NaN");
    }
  }
}

TEST(ParallelFor, MarksItsRegionAndRunsNestedCallsSerially) {
  EXPECT_FALSE(quarry::core::in_parallel_region());
  std::atomic<int> marked{0}, nested_threads_seen{0};
  quarry::core::parallel_for(2, 8, 1, [&](int64_t, int64_t) {
    if (quarry::core::in_parallel_region()) ++marked;
    const auto outer = std::this_thread::get_id();
    quarry::core::parallel_for(2, 4, 1, [&](int64_t, int64_t) {
      if (std::this_thread::get_id() != outer) ++nested_threads_seen;
    });
  });
  EXPECT_EQ(marked, 8);
  EXPECT_EQ(nested_threads_seen, 0);
  EXPECT_FALSE(quarry::core::in_parallel_region()) << "the caller's mark is restored";
}

TEST(ParallelFor, SingleThreadRegionsAreMarkedToo) {
  int marked = 0;
  quarry::core::parallel_for(
      1, 4, 1, [&](int64_t, int64_t) { marked += quarry::core::in_parallel_region(); });
  EXPECT_EQ(marked, 4);
  EXPECT_FALSE(quarry::core::in_parallel_region());
}

TEST(ParallelFor, RangesNearTheTopOfInt64DoNotOverflow) {
  const int64_t n = INT64_MAX - 1;
  int64_t calls = 0, last_begin = -1, last_end = -1;
  quarry::core::parallel_for(1, n, INT64_MAX / 2 + 1, [&](int64_t begin, int64_t end) {
    ++calls;
    last_begin = begin;
    last_end = end;
  });
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(last_begin, INT64_MAX / 2 + 1);
  EXPECT_EQ(last_end, n);
}

TEST(Blas, GemmRefusesToRunInsideAParallelRegionOnAnyThreadCount) {
  for (int64_t threads : {1, 2}) {
    std::atomic<int> refused{0};
    double a = 1, b = 1, c = 0;
    quarry::core::parallel_for(threads, 2, 1, [&](int64_t, int64_t) {
      try {
        quarry::core::gemm(quarry::core::Layout::ColMajor, quarry::core::Op::NoTrans,
                           quarry::core::Op::NoTrans, 1, 1, 1, 1.0, &a, 1, &b, 1, 0.0, &c, 1);
      } catch (const quarry::core::Error& e) {
        if (e.status() == QUARRY_ERR_INTERNAL) ++refused;
      }
    });
    EXPECT_EQ(refused, 2) << threads << " thread(s)";
  }
}

}  // namespace
