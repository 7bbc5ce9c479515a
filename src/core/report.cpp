#include "core/report.hpp"

#include "core/error.hpp"

namespace quarry::core {

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
    {QUARRY_REPORT_BATCHES, "QUARRY_REPORT_BATCHES", QUARRY_TYPE_I64},
    {QUARRY_REPORT_LINES, "QUARRY_REPORT_LINES", QUARRY_TYPE_I64},
    {QUARRY_REPORT_RELATIVE_ERROR, "QUARRY_REPORT_RELATIVE_ERROR", QUARRY_TYPE_F64},
    {QUARRY_REPORT_NOISE, "QUARRY_REPORT_NOISE", QUARRY_TYPE_F64},
    {QUARRY_REPORT_RANK, "QUARRY_REPORT_RANK", QUARRY_TYPE_I64},
    {QUARRY_REPORT_RESIDUAL_BOUND, "QUARRY_REPORT_RESIDUAL_BOUND", QUARRY_TYPE_F64},
    {QUARRY_REPORT_OBJECTIVE, "QUARRY_REPORT_OBJECTIVE", QUARRY_TYPE_F64},
    {QUARRY_REPORT_OUTLIERS, "QUARRY_REPORT_OUTLIERS", QUARRY_TYPE_I64},
    {QUARRY_REPORT_DUAL_GAP, "QUARRY_REPORT_DUAL_GAP", QUARRY_TYPE_F64},
};

}  // namespace

const ReportKeyInfo* find_report_key(int32_t key) { return find_key(kReportKeys, key); }

template <class T>
void Report::set(int32_t key, T value) {
  const ReportKeyInfo* info = find_report_key(key);
  require(info != nullptr && info->type == kValueType<T>, QUARRY_ERR_INTERNAL,
          "report key {} is unknown or not of type {}", key, static_cast<int>(kValueType<T>));
  entries_[key] = value;
}

template void Report::set<int64_t>(int32_t, int64_t);
template void Report::set<double>(int32_t, double);

std::optional<int32_t> Report::key_at(int64_t index) const {
  if (index < 0 || index >= size()) return std::nullopt;
  return std::next(entries_.begin(), index)->first;
}

}  // namespace quarry::core
