#include <quarry/options.h>

#include "capi/boundary.hpp"

using quarry::capi::deref;
using quarry::capi::guarded;

namespace {

// The static table row of `key` with the given type, or nullptr.
const quarry::OptionInfo* typed_option(int32_t key, quarry_value_type type) {
  const quarry::OptionInfo* info = quarry::find_option(key);
  return info != nullptr && info->type == type ? info : nullptr;
}

}  // namespace

extern "C" {

quarry_status quarry_options_create(quarry_options** out) {
  return guarded(nullptr, [&] {
    deref(out, "out") = nullptr;
    *out = new quarry_options();
  });
}

void quarry_options_destroy(quarry_options* options) { delete options; }

quarry_status quarry_options_set_i64(quarry_options* options, int32_t key, int64_t value) {
  return guarded(nullptr, [&] { deref(options, "options").core.set_i64(key, value); });
}

quarry_status quarry_options_set_f64(quarry_options* options, int32_t key, double value) {
  return guarded(nullptr, [&] { deref(options, "options").core.set_f64(key, value); });
}

quarry_status quarry_options_get_i64(const quarry_options* options, int32_t key, int64_t* value) {
  return guarded(nullptr, [&] {
    const auto got = deref(options, "options").core.get_i64(key);
    quarry::require(got.has_value(), QUARRY_ERR_INVALID_ARGUMENT, "option {} is not set", key);
    deref(value, "value") = *got;
  });
}

quarry_status quarry_options_get_f64(const quarry_options* options, int32_t key, double* value) {
  return guarded(nullptr, [&] {
    const auto got = deref(options, "options").core.get_f64(key);
    quarry::require(got.has_value(), QUARRY_ERR_INVALID_ARGUMENT, "option {} is not set", key);
    deref(value, "value") = *got;
  });
}

quarry_status quarry_options_unset(quarry_options* options, int32_t key) {
  return guarded(nullptr, [&] { deref(options, "options").core.unset(key); });
}

const char* quarry_option_name(int32_t key) {
  const quarry::OptionInfo* info = quarry::find_option(key);
  return info != nullptr ? info->name : "unknown option";
}

quarry_value_type quarry_option_type(int32_t key) {
  const quarry::OptionInfo* info = quarry::find_option(key);
  return info != nullptr ? info->type : QUARRY_TYPE_NONE;
}

quarry_status quarry_option_bounds_i64(int32_t key, int64_t* lo, int64_t* hi) {
  if (lo == nullptr || hi == nullptr) return QUARRY_ERR_NULL_POINTER;
  const quarry::OptionInfo* info = typed_option(key, QUARRY_TYPE_I64);
  if (info == nullptr) return QUARRY_ERR_INVALID_ARGUMENT;
  *lo = info->lo_i64;
  *hi = info->hi_i64;
  return QUARRY_OK;
}

quarry_status quarry_option_bounds_f64(int32_t key, double* lo, double* hi) {
  if (lo == nullptr || hi == nullptr) return QUARRY_ERR_NULL_POINTER;
  const quarry::OptionInfo* info = typed_option(key, QUARRY_TYPE_F64);
  if (info == nullptr) return QUARRY_ERR_INVALID_ARGUMENT;
  *lo = info->lo_f64;
  *hi = info->hi_f64;
  return QUARRY_OK;
}

}  // extern "C"
