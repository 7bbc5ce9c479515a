#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
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
  std::atomic<int> inside{0}, most{0};
  quarry::core::parallel_for(2, 64, 1, [&](int64_t, int64_t) {
    const int now = ++inside;
    int seen = most.load();
    while (now > seen && !most.compare_exchange_weak(seen, now)) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    --inside;
  });
  EXPECT_EQ(most, 2);
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

TEST(ParallelFor, SingleThreadRegionsAreNotMarked) {
  quarry::core::parallel_for(
      1, 4, 1, [](int64_t, int64_t) { EXPECT_FALSE(quarry::core::in_parallel_region()); });
}

TEST(Blas, GemmRefusesToRunInsideAParallelRegion) {
  std::atomic<int> refused{0};
  double a = 1, b = 1, c = 0;
  quarry::core::parallel_for(2, 2, 1, [&](int64_t, int64_t) {
    try {
      quarry::core::gemm(quarry::core::Layout::ColMajor, quarry::core::Op::NoTrans,
                         quarry::core::Op::NoTrans, 1, 1, 1, 1.0, &a, 1, &b, 1, 0.0, &c, 1);
    } catch (const quarry::core::Error& e) {
      if (e.status() == QUARRY_ERR_INTERNAL) ++refused;
    }
  });
  EXPECT_EQ(refused, 2);
}

}  // namespace
