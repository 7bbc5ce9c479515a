#include <quarry/options.h>

#include "capi/boundary.hpp"

using quarry::capi::deref;
using quarry::capi::get_typed;
using quarry::capi::guarded;

namespace {

template <class T>
quarry_status set_option(quarry_options* options, int32_t key, T value) {
  return guarded(nullptr, [&] { deref(options, "options").core.set<T>(key, value); });
}

template <class T>
quarry_status option_bounds(int32_t key, T* lo, T* hi) {
  if (lo == nullptr || hi == nullptr) return QUARRY_ERR_NULL_POINTER;
  const quarry::core::OptionInfo* info = quarry::core::find_option(key);
  if (info == nullptr || info->type != quarry::core::kValueType<T>)
    return QUARRY_ERR_INVALID_ARGUMENT;
  *lo = info->lo<T>();
  *hi = info->hi<T>();
  return QUARRY_OK;
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
  return set_option(options, key, value);
}

quarry_status quarry_options_set_f64(quarry_options* options, int32_t key, double value) {
  return set_option(options, key, value);
}

quarry_status quarry_options_get_i64(const quarry_options* options, int32_t key, int64_t* value) {
  return get_typed(options, "options", key, value);
}

quarry_status quarry_options_get_f64(const quarry_options* options, int32_t key, double* value) {
  return get_typed(options, "options", key, value);
}

quarry_status quarry_options_set_progress(quarry_options* options, quarry_progress_fn fn,
                                          void* user_data) {
  return guarded(nullptr, [&] { deref(options, "options").core.set_progress(fn, user_data); });
}

quarry_status quarry_options_unset(quarry_options* options, int32_t key) {
  return guarded(nullptr, [&] { deref(options, "options").core.unset(key); });
}

const char* quarry_option_name(int32_t key) {
  const quarry::core::OptionInfo* info = quarry::core::find_option(key);
  return info != nullptr ? info->name : "unknown option";
}

quarry_value_type quarry_option_type(int32_t key) {
  const quarry::core::OptionInfo* info = quarry::core::find_option(key);
  return info != nullptr ? info->type : QUARRY_TYPE_NONE;
}

quarry_status quarry_option_bounds_i64(int32_t key, int64_t* lo, int64_t* hi) {
  return option_bounds(key, lo, hi);
}

quarry_status quarry_option_bounds_f64(int32_t key, double* lo, double* hi) {
  return option_bounds(key, lo, hi);
}

}  // extern "C"
