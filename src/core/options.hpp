// Options: the typed key/value store behind quarry_options, its static key table, and the
// checks a consuming call makes against the problem at hand.
#pragma once

#include <quarry/options.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string_view>
#include <variant>

namespace quarry {

// One row of the static key table.
struct OptionInfo {
  int32_t key;
  const char* name;
  quarry_value_type type;
  int64_t lo_i64, hi_i64;  // inclusive range of an int64 key
  double lo_f64, hi_f64;   // inclusive range of a double key (NaN is never in range)
};

// The table row of `key`, or nullptr for keys this version does not know.
const OptionInfo* find_option(int32_t key);

class Options {
 public:
  // The setters throw QUARRY_ERR_INVALID_ARGUMENT for an unknown key, the wrong type or a
  // value outside the key's static range, leaving the object unchanged.
  void set_i64(int32_t key, int64_t value);
  void set_f64(int32_t key, double value);
  void unset(int32_t key);

  // The value if set, nullopt if not; throws for an unknown key or the wrong type.
  std::optional<int64_t> get_i64(int32_t key) const;
  std::optional<double> get_f64(int32_t key) const;

  // For consuming calls: the value if set, else `fallback` (the caller's default, taken
  // as valid). A set value outside the problem-dependent range [lo, hi] fails with
  // QUARRY_ERR_INVALID_ARGUMENT and a message naming the key, the value, the range and
  // `why`, e.g. "for A with 1000 rows".
  int64_t i64_in(int32_t key, int64_t fallback, int64_t lo, int64_t hi,
                 std::string_view why = {}) const;
  double f64_in(int32_t key, double fallback, double lo, double hi,
                std::string_view why = {}) const;

 private:
  std::map<int32_t, std::variant<int64_t, double>> values_;
};

}  // namespace quarry
