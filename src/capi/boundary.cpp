#include "capi/boundary.hpp"

#include <algorithm>
#include <cstring>

namespace quarry::capi {

quarry_status store_error(quarry_context* ctx, quarry_status status, const char* message) noexcept {
  if (ctx == nullptr) return status;
  try {
    ctx->last_error = message;
  } catch (...) {
    // No memory for all of it: keep what fits the reserved room (no allocation).
    ctx->last_error.assign(message, std::min(std::strlen(message), ctx->last_error.capacity()));
  }
  return status;
}

}  // namespace quarry::capi
