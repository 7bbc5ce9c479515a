// The C++ side of a context: what quarry's kernels need from the caller's context.
#pragma once

#include <quarry/context.h>

#include <cstdint>

#include "core/error.hpp"
#include "core/threads.hpp"

namespace quarry::core {

class Context {
 public:
  Context() : threads_(default_thread_count()) {}

  int64_t threads() const { return threads_; }

  // 0 restores the default; anything outside [0, QUARRY_MAX_THREADS] is rejected.
  void set_threads(int64_t threads) {
    require(threads >= 0 && threads <= QUARRY_MAX_THREADS, QUARRY_ERR_INVALID_ARGUMENT,
            "threads = {} is outside [0, {}] (0 selects the default)", threads, QUARRY_MAX_THREADS);
    threads_ = threads == 0 ? default_thread_count() : threads;
  }

 private:
  int64_t threads_;
};

}  // namespace quarry::core
