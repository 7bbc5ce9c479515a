#include "core/report.hpp"

#include <algorithm>
#include <iterator>

#include "core/error.hpp"

namespace quarry {

namespace {
// Sorted by key; types as documented in quarry/report.h.
constexpr ReportKeyInfo kReportKeys[] = {
    {QUARRY_REPORT_METHOD, "QUARRY_REPORT_METHOD", QUARRY_TYPE_I64},
    {QUARRY_REPORT_ITERATIONS, "QUARRY_REPORT_ITERATIONS", QUARRY_TYPE_I64},
    {QUARRY_REPORT_SKETCH_ROWS, "QUARRY_REPORT_SKETCH_ROWS", QUARRY_TYPE_I64},
    {QUARRY_REPORT_QUERIES, "QUARRY_REPORT_QUERIES", QUARRY_TYPE_I64},
    {QUARRY_REPORT_NEURONS, "QUARRY_REPORT_NEURONS", QUARRY_TYPE_I64},
    {QUARRY_REPORT_RESIDUAL_NORM, "QUARRY_REPORT_RESIDUAL_NORM", QUARRY_TYPE_F64},
    {QUARRY_REPORT_BACKWARD_ERROR, "QUARRY_REPORT_BACKWARD_ERROR", QUARRY_TYPE_F64},
    {QUARRY_REPORT_CONDITION_ESTIMATE, "QUARRY_REPORT_CONDITION_ESTIMATE", QUARRY_TYPE_F64},
    {QUARRY_REPORT_SECONDS, "QUARRY_REPORT_SECONDS", QUARRY_TYPE_F64},
    {QUARRY_REPORT_ORACLE_SECONDS, "QUARRY_REPORT_ORACLE_SECONDS", QUARRY_TYPE_F64},
};

template <class T>
std::optional<T> lookup(const std::map<int32_t, std::variant<int64_t, double>>& entries,
                        int32_t key) {
  auto it = entries.find(key);
  if (it == entries.end() || !std::holds_alternative<T>(it->second)) return std::nullopt;
  return std::get<T>(it->second);
}
}  // namespace

const ReportKeyInfo* find_report_key(int32_t key) {
  auto it = std::lower_bound(std::begin(kReportKeys), std::end(kReportKeys), key,
                             [](const ReportKeyInfo& info, int32_t k) { return info.key < k; });
  return it != std::end(kReportKeys) && it->key == key ? it : nullptr;
}

void Report::check_key(int32_t key, quarry_value_type type) const {
  const ReportKeyInfo* info = find_report_key(key);
  require(info != nullptr && info->type == type, QUARRY_ERR_INTERNAL,
          "report key {} is unknown or not of type {}", key, static_cast<int>(type));
}

void Report::set_i64(int32_t key, int64_t value) {
  check_key(key, QUARRY_TYPE_I64);
  entries_[key] = value;
}

void Report::set_f64(int32_t key, double value) {
  check_key(key, QUARRY_TYPE_F64);
  entries_[key] = value;
}

std::optional<int64_t> Report::get_i64(int32_t key) const { return lookup<int64_t>(entries_, key); }

std::optional<double> Report::get_f64(int32_t key) const { return lookup<double>(entries_, key); }

std::optional<int32_t> Report::key_at(int64_t index) const {
  if (index < 0 || index >= size()) return std::nullopt;
  return std::next(entries_.begin(), index)->first;
}

}  // namespace quarry
