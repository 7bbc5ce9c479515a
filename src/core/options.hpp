// Options: the typed key/value store behind quarry_options, its static key table, and the
// checks a consuming call makes against the problem at hand.
#pragma once

#include <quarry/options.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "core/key_table.hpp"

namespace quarry::core {

// One row of the static key table.
struct OptionInfo {
  int32_t key;
  const char* name;
  quarry_value_type type;
  int64_t lo_i64, hi_i64;  // inclusive range of an int64 key
  double lo_f64, hi_f64;   // inclusive range of a double key, or of each entry of a
                           // double-array key (NaN is never in range)

  // The range as T, for a key whose type is kValueType<T>.
  template <class T>
  T lo() const {
    if constexpr (std::is_same_v<T, int64_t>) {
      return lo_i64;
    } else {
      return lo_f64;
    }
  }
  template <class T>
  T hi() const {
    if constexpr (std::is_same_v<T, int64_t>) {
      return hi_i64;
    } else {
      return hi_f64;
    }
  }
};

// The table row of `key`, or nullptr for keys this version does not know.
const OptionInfo* find_option(int32_t key);

// T is int64_t or double for set and value_in, and also std::vector<double> for get (the
// instantiations in options.cpp); it must match the key's type. Array keys are set with
// set_array.
class Options {
 public:
  // Throws QUARRY_ERR_INVALID_ARGUMENT for an unknown key, the wrong type or a value
  // outside the key's static range (NaN never is inside), leaving the object unchanged.
  template <class T>
  void set(int32_t key, T value);
  // The same for a double-array key: at least one entry, each inside the key's range.
  void set_array(int32_t key, std::vector<double> values);
  void unset(int32_t key);

  // The value if set, nullopt if not; throws for an unknown key or the wrong type.
  // T is int64_t, double or std::vector<double>.
  template <class T>
  std::optional<T> get(int32_t key) const;

  // For consuming calls: the value if set, else `fallback` (the caller's default, taken
  // as valid). A set value outside the problem-dependent range [lo, hi] fails with
  // QUARRY_ERR_INVALID_ARGUMENT and a message naming the key, the value, the range and
  // `why`, e.g. "for A with 1000 rows".
  template <class T>
  T value_in(int32_t key, T fallback, T lo, T hi, std::string_view why = {}) const;

  // The progress callback (nullptr: none) and its user data.
  void set_progress(quarry_progress_fn fn, void* user_data) {
    progress_ = fn;
    progress_data_ = user_data;
  }
  quarry_progress_fn progress() const { return progress_; }
  void* progress_data() const { return progress_data_; }

 private:
  quarry_progress_fn progress_ = nullptr;
  void* progress_data_ = nullptr;
  std::map<int32_t, std::variant<int64_t, double, std::vector<double>>> values_;
};

}  // namespace quarry::core
