#include <quarry/context.h>

#include "capi/boundary.hpp"

using quarry::capi::deref;
using quarry::capi::guarded;
using quarry::capi::with_context;

extern "C" {

quarry_status quarry_context_create(quarry_context** out) {
  return guarded(nullptr, [&] {
    deref(out, "out") = nullptr;
    *out = new quarry_context();
  });
}

void quarry_context_destroy(quarry_context* ctx) { delete ctx; }

quarry_status quarry_context_set_threads(quarry_context* ctx, int64_t threads) {
  return with_context(ctx, [&] { ctx->core.set_threads(threads); });
}

quarry_status quarry_context_get_threads(quarry_context* ctx, int64_t* threads) {
  return with_context(ctx, [&] { deref(threads, "threads") = ctx->core.threads(); });
}

const char* quarry_context_last_error(const quarry_context* ctx) {
  return ctx != nullptr ? ctx->last_error.c_str() : "the context is NULL";
}

}  // extern "C"
