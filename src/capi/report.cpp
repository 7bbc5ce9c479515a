#include <quarry/report.h>

#include "capi/boundary.hpp"

using quarry::capi::deref;
using quarry::capi::get_typed;
using quarry::capi::guarded;

extern "C" {

void quarry_report_destroy(quarry_report* report) { delete report; }

quarry_status quarry_report_get_i64(const quarry_report* report, int32_t key, int64_t* value) {
  return get_typed(report, "report", key, value);
}

quarry_status quarry_report_get_f64(const quarry_report* report, int32_t key, double* value) {
  return get_typed(report, "report", key, value);
}

quarry_status quarry_report_count(const quarry_report* report, int64_t* count) {
  return guarded(nullptr, [&] { deref(count, "count") = deref(report, "report").core.size(); });
}

quarry_status quarry_report_key_at(const quarry_report* report, int64_t index, int32_t* key) {
  return guarded(nullptr, [&] {
    int32_t& result = deref(key, "key");
    const auto got = deref(report, "report").core.key_at(index);
    quarry::core::require(got.has_value(), QUARRY_ERR_INVALID_ARGUMENT,
                          "index {} is outside the report's entries", index);
    result = *got;
  });
}

const char* quarry_report_key_name(int32_t key) {
  const quarry::core::ReportKeyInfo* info = quarry::core::find_report_key(key);
  return info != nullptr ? info->name : "unknown report key";
}

quarry_value_type quarry_report_key_type(int32_t key) {
  const quarry::core::ReportKeyInfo* info = quarry::core::find_report_key(key);
  return info != nullptr ? info->type : QUARRY_TYPE_NONE;
}

}  // extern "C"
