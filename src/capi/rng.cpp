#include <quarry/rng.h>

#include "capi/boundary.hpp"
#include "core/checked_int.hpp"
#include "core/philox.hpp"

using quarry::capi::deref;
using quarry::capi::guarded;
using quarry::capi::with_context;

namespace {

// Validates the arguments shared by the fill functions and runs `fill` with the stream.
template <class T, class Fill>
quarry_status fill_checked(quarry_context* ctx, const quarry_rng_state* state, int64_t offset,
                           int64_t n, T* out, Fill fill) {
  return with_context(ctx, [&] {
    const quarry::core::PhiloxStream stream(deref(state, "state"));
    quarry::core::require(offset >= 0 && n >= 0, QUARRY_ERR_BAD_DIMENSION,
                          "offset = {} and n = {} must both be >= 0", offset, n);
    quarry::core::checked_add(offset, n, "offset + n");
    quarry::core::require(out != nullptr || n == 0, QUARRY_ERR_NULL_POINTER,
                          "out is NULL but n = {}", n);
    fill(stream, offset, n, out, ctx->core.threads(), quarry::core::kRngGrain);
  });
}

}  // namespace

extern "C" {

quarry_status quarry_rng_state_from_seed(uint64_t seed, quarry_rng_state* out) {
  return guarded(nullptr, [&] { deref(out, "out") = quarry::core::rng_state_from_seed(seed); });
}

quarry_status quarry_rng_state_advance(const quarry_rng_state* state, uint64_t blocks,
                                       quarry_rng_state* out) {
  return guarded(nullptr, [&] {
    const quarry_rng_state next = quarry::core::rng_state_advance(deref(state, "state"), blocks);
    deref(out, "out") = next;
  });
}

quarry_status quarry_rng_fill_u32(quarry_context* ctx, const quarry_rng_state* state,
                                  int64_t offset, int64_t n, uint32_t* out) {
  return fill_checked(ctx, state, offset, n, out, quarry::core::rng_fill_u32);
}

quarry_status quarry_rng_fill_uniform_f64(quarry_context* ctx, const quarry_rng_state* state,
                                          int64_t offset, int64_t n, double* out) {
  return fill_checked(ctx, state, offset, n, out, quarry::core::rng_fill_uniform);
}

quarry_status quarry_rng_fill_normal_f64(quarry_context* ctx, const quarry_rng_state* state,
                                         int64_t offset, int64_t n, double* out) {
  return fill_checked(ctx, state, offset, n, out, quarry::core::rng_fill_normal);
}

}  // extern "C"
