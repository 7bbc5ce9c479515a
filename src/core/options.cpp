#include "core/options.hpp"

#include <cfloat>
#include <limits>

#include "core/error.hpp"

namespace quarry::core {

namespace {

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

constexpr OptionInfo i64_key(int32_t key, const char* name, int64_t lo, int64_t hi) {
  return {key, name, QUARRY_TYPE_I64, lo, hi, 0.0, 0.0};
}
constexpr OptionInfo f64_key(int32_t key, const char* name, double lo, double hi) {
  return {key, name, QUARRY_TYPE_F64, 0, 0, lo, hi};
}
constexpr OptionInfo f64_array_key(int32_t key, const char* name, double lo, double hi) {
  return {key, name, QUARRY_TYPE_F64_ARRAY, 0, 0, lo, hi};
}

// Sorted by key. The ranges are those documented in quarry/options.h.
constexpr OptionInfo kOptions[] = {
    i64_key(QUARRY_OPT_SEED, "QUARRY_OPT_SEED", kMin, kMax),
    f64_key(QUARRY_OPT_TOLERANCE, "QUARRY_OPT_TOLERANCE", 0.0, 1.0),
    i64_key(QUARRY_OPT_MAX_ITERATIONS, "QUARRY_OPT_MAX_ITERATIONS", 1, kMax),
    i64_key(QUARRY_OPT_SKETCH_KIND, "QUARRY_OPT_SKETCH_KIND", QUARRY_SKETCH_GAUSSIAN,
            QUARRY_SKETCH_UNIFORM_ROWS),
    i64_key(QUARRY_OPT_SKETCH_ROWS, "QUARRY_OPT_SKETCH_ROWS", 1, kMax),
    i64_key(QUARRY_OPT_SKETCH_NNZ, "QUARRY_OPT_SKETCH_NNZ", 1, kMax),
    i64_key(QUARRY_OPT_LEVERAGE_METHOD, "QUARRY_OPT_LEVERAGE_METHOD", QUARRY_LEVERAGE_EXACT,
            QUARRY_LEVERAGE_APPROX),
    i64_key(QUARRY_OPT_LSTSQ_METHOD, "QUARRY_OPT_LSTSQ_METHOD", QUARRY_LSTSQ_AUTO,
            QUARRY_LSTSQ_GRAM_PRECONDITION),
    f64_key(QUARRY_OPT_RIDGE, "QUARRY_OPT_RIDGE", 0.0, DBL_MAX),
    i64_key(QUARRY_OPT_QUERY_BUDGET, "QUARRY_OPT_QUERY_BUDGET", 1, kMax),
    i64_key(QUARRY_OPT_EXTRACT_REFINE, "QUARRY_OPT_EXTRACT_REFINE", 0, 1),
    f64_key(QUARRY_OPT_OUTPUT_NOISE, "QUARRY_OPT_OUTPUT_NOISE", 0.0, DBL_MAX),
    i64_key(QUARRY_OPT_ORACLE_FLOAT32, "QUARRY_OPT_ORACLE_FLOAT32", 0, 1),
    f64_key(QUARRY_OPT_ORACLE_ROUNDING, "QUARRY_OPT_ORACLE_ROUNDING", 0.0, DBL_MAX),
    f64_key(QUARRY_OPT_ORACLE_NOISE, "QUARRY_OPT_ORACLE_NOISE", 0.0, DBL_MAX),
    f64_array_key(QUARRY_OPT_DOMAIN_LOWER, "QUARRY_OPT_DOMAIN_LOWER", -DBL_MAX, DBL_MAX),
    f64_array_key(QUARRY_OPT_DOMAIN_UPPER, "QUARRY_OPT_DOMAIN_UPPER", -DBL_MAX, DBL_MAX),
    f64_key(QUARRY_OPT_HUBER_SCALE, "QUARRY_OPT_HUBER_SCALE", 0.0, DBL_MAX),
};

const char* type_name(quarry_value_type type) {
  switch (type) {
    case QUARRY_TYPE_I64: return "an int64";
    case QUARRY_TYPE_F64: return "a double";
    default: return "an array of doubles";
  }
}

// The table row of `key`, which must exist and hold a T.
template <class T>
const OptionInfo& known_option(int32_t key) {
  const OptionInfo* info = find_option(key);
  require(info != nullptr, QUARRY_ERR_INVALID_ARGUMENT, "unknown option key {}", key);
  require(info->type == kValueType<T>, QUARRY_ERR_INVALID_ARGUMENT, "option {} takes {}, not {}",
          info->name, type_name(info->type), type_name(kValueType<T>));
  return *info;
}

}  // namespace

const OptionInfo* find_option(int32_t key) { return find_key(kOptions, key); }

template <class T>
void Options::set(int32_t key, T value) {
  const OptionInfo& info = known_option<T>(key);
  const T lo = info.lo<T>(), hi = info.hi<T>();
  require(value >= lo && value <= hi, QUARRY_ERR_INVALID_ARGUMENT,
          "{} = {} is outside its range [{}, {}]", info.name, value, lo, hi);
  values_[key] = value;
}

void Options::set_array(int32_t key, std::vector<double> values) {
  const OptionInfo& info = known_option<std::vector<double>>(key);
  require(!values.empty(), QUARRY_ERR_INVALID_ARGUMENT, "{} needs at least one entry", info.name);
  for (size_t i = 0; i < values.size(); ++i) {
    require(values[i] >= info.lo_f64 && values[i] <= info.hi_f64, QUARRY_ERR_INVALID_ARGUMENT,
            "{}[{}] = {} is outside its range [{}, {}]", info.name, i, values[i], info.lo_f64,
            info.hi_f64);
  }
  values_[key] = std::move(values);
}

void Options::unset(int32_t key) {
  require(find_option(key) != nullptr, QUARRY_ERR_INVALID_ARGUMENT, "unknown option key {}", key);
  values_.erase(key);
}

template <class T>
std::optional<T> Options::get(int32_t key) const {
  known_option<T>(key);
  auto it = values_.find(key);
  if (it == values_.end()) return std::nullopt;
  return std::get<T>(it->second);
}

template <class T>
T Options::value_in(int32_t key, T fallback, T lo, T hi, std::string_view why) const {
  const std::optional<T> value = get<T>(key);
  if (!value) return fallback;
  if (!(*value >= lo && *value <= hi)) {
    fail(QUARRY_ERR_INVALID_ARGUMENT, "{} = {} is outside the allowed range [{}, {}]{}{}",
         find_option(key)->name, *value, lo, hi, why.empty() ? "" : " ", why);
  }
  return *value;
}

template void Options::set<int64_t>(int32_t, int64_t);
template void Options::set<double>(int32_t, double);
template std::optional<int64_t> Options::get<int64_t>(int32_t) const;
template std::optional<double> Options::get<double>(int32_t) const;
template std::optional<std::vector<double>> Options::get<std::vector<double>>(int32_t) const;
template int64_t Options::value_in<int64_t>(int32_t, int64_t, int64_t, int64_t,
                                            std::string_view) const;
template double Options::value_in<double>(int32_t, double, double, double, std::string_view) const;

}  // namespace quarry::core
