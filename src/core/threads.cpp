#include "core/threads.hpp"

#include <quarry/context.h>

#include <cstdlib>
#include <cstring>

#include "core/error.hpp"

namespace quarry::core {

namespace {
thread_local bool tls_in_region = false;
}

std::optional<int64_t> parse_thread_count(const char* text) {
  if (text == nullptr || *text == '\0' || std::strlen(text) > 9) return std::nullopt;
  int64_t value = 0;
  for (const char* p = text; *p != '\0'; ++p) {
    if (*p < '0' || *p > '9') return std::nullopt;
    value = value * 10 + (*p - '0');
  }
  if (value < 1 || value > QUARRY_MAX_THREADS) return std::nullopt;
  return value;
}

int64_t default_thread_count() {
  if (auto parsed = parse_thread_count(std::getenv("QUARRY_NUM_THREADS"))) return *parsed;
  const unsigned hardware = std::thread::hardware_concurrency();
  return std::clamp<int64_t>(hardware, 1, QUARRY_MAX_THREADS);
}

bool in_parallel_region() { return tls_in_region; }

void require_outside_parallel_region(const char* what) {
  require(!tls_in_region, QUARRY_ERR_INTERNAL,
          "{} was called inside a quarry parallel region; BLAS may only run outside them", what);
}

namespace detail {
RegionMark::RegionMark(bool inside) : previous_(tls_in_region) { tls_in_region = inside; }
RegionMark::~RegionMark() { tls_in_region = previous_; }
}  // namespace detail

}  // namespace quarry::core
