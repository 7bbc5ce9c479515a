#include <quarry/options.h>

#include <algorithm>
#include <type_traits>
#include <vector>

#include "capi/boundary.hpp"
#include "core/error.hpp"

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
  // A double-array key has a range for each entry.
  const bool typed =
      info != nullptr && (info->type == quarry::core::kValueType<T> ||
                          (std::is_same_v<T, double> && info->type == QUARRY_TYPE_F64_ARRAY));
  if (!typed) return QUARRY_ERR_INVALID_ARGUMENT;
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

quarry_status quarry_options_set_f64_array(quarry_options* options, int32_t key, int64_t n,
                                           const double* values) {
  return guarded(nullptr, [&] {
    auto& o = deref(options, "options");
    quarry::core::require(n >= 1, QUARRY_ERR_INVALID_ARGUMENT, "{} needs n >= 1, not {}",
                          quarry_option_name(key), n);
    deref(values, "values");
    o.core.set_array(key, std::vector<double>(values, values + n));
  });
}

quarry_status quarry_options_get_f64_array(const quarry_options* options, int32_t key,
                                           int64_t capacity, double* values, int64_t* n) {
  return guarded(nullptr, [&] {
    const quarry_options& o = deref(options, "options");
    int64_t& length = deref(n, "n");
    quarry::core::require(capacity >= 0, QUARRY_ERR_INVALID_ARGUMENT,
                          "capacity must be >= 0, not {}", capacity);
    if (capacity > 0) deref(values, "values");
    const auto got = o.core.get<std::vector<double>>(key);
    quarry::core::require(got.has_value(), QUARRY_ERR_INVALID_ARGUMENT,
                          "options hold no entry {} of this type", key);
    length = static_cast<int64_t>(got->size());
    std::copy_n(got->begin(), std::min(capacity, length), values);
  });
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
