// quarry's own threading: a fork-safe parallel_for over std::thread (no persistent pool,
// so a forked child never inherits a half-alive pool), and the rule that BLAS is never
// called from inside one of our parallel regions (Debian's OpenBLAS runs its own pthreads;
// nesting the two would oversubscribe the machine). BLAS wrappers call
// require_outside_parallel_region() to enforce the rule in tests.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace quarry::core {

// The thread count a context starts with: QUARRY_NUM_THREADS when it parses, else the
// number of hardware threads (at least 1).
int64_t default_thread_count();

// Parses a thread count in [1, QUARRY_MAX_THREADS]; nullopt for anything else
// (empty, signs, trailing characters, zero, too large).
std::optional<int64_t> parse_thread_count(const char* text);

// True on a thread currently running the body of a parallel_for (on any number of threads).
bool in_parallel_region();

// Throws QUARRY_ERR_INTERNAL when called inside a parallel region; `what` names the call.
void require_outside_parallel_region(const char* what);

namespace detail {
// Marks the current thread as inside (or not) a parallel region for its lifetime.
class RegionMark {
 public:
  explicit RegionMark(bool inside);
  ~RegionMark();
  RegionMark(const RegionMark&) = delete;
  RegionMark& operator=(const RegionMark&) = delete;

 private:
  bool previous_;
};
}  // namespace detail

// Calls body(begin, end) on consecutive ranges that partition [0, n), each at most `grain`
// long, on up to `threads` threads (the calling thread is one of them). Ranges are handed
// out dynamically, so the body must not depend on which thread runs which range; every
// caller in quarry computes each output element as a pure function of its index, which
// is what makes results thread-count invariant. Nested calls run serially. The first
// exception thrown by any body is rethrown on the calling thread after all threads stop.
template <class Body>
void parallel_for(int64_t threads, int64_t n, int64_t grain, Body&& body) {
  if (n <= 0) return;
  grain = std::max<int64_t>(grain, 1);
  const int64_t chunks = (n - 1) / grain + 1;
  // The range of chunk c, written so that no index overflows even for n near INT64_MAX.
  auto run_chunk = [&](int64_t c) {
    const int64_t begin = c * grain;
    body(begin, begin + std::min(grain, n - begin));
  };
  const int64_t workers = std::min(threads, chunks);
  if (workers <= 1 || in_parallel_region()) {
    // Marked like a parallel region, so that a rule broken inside a region (BLAS) fails
    // on one thread exactly as it would on many.
    detail::RegionMark mark(true);
    for (int64_t c = 0; c < chunks; ++c) run_chunk(c);
    return;
  }

  std::atomic<int64_t> next{0};
  std::atomic<bool> failed{false};
  std::exception_ptr error;
  std::mutex error_mutex;
  auto work = [&] {
    detail::RegionMark mark(true);
    try {
      for (int64_t c = next++; c < chunks && !failed.load(std::memory_order_relaxed); c = next++) {
        run_chunk(c);
      }
    } catch (...) {
      std::lock_guard<std::mutex> lock(error_mutex);
      if (!error) error = std::current_exception();
      failed = true;
    }
  };

  std::vector<std::thread> pool;
  pool.reserve(static_cast<size_t>(workers - 1));
  for (int64_t t = 1; t < workers; ++t) {
    try {
      pool.emplace_back(work);
    } catch (...) {  // no thread (system_error) or no memory for one (bad_alloc)
      break;         // fewer threads: the dynamic schedule still covers every range
    }
  }
  work();
  for (auto& thread : pool) thread.join();
  if (error) std::rethrow_exception(error);
}

}  // namespace quarry::core
