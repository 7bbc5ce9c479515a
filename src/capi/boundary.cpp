#include "capi/boundary.hpp"

namespace quarry::capi {

quarry_status store_error(quarry_context* ctx, quarry_status status, const char* message) noexcept {
  if (ctx == nullptr) return status;
  try {
    ctx->last_error = message;
  } catch (...) {
    ctx->last_error.clear();  // no memory for the message: the status still tells the kind
  }
  return status;
}

}  // namespace quarry::capi
