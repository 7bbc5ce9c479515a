// Report: the typed key/value record behind quarry_report, filled by computing calls.
#pragma once

#include <quarry/report.h>

#include <cstdint>
#include <map>
#include <optional>
#include <variant>

namespace quarry {

struct ReportKeyInfo {
  int32_t key;
  const char* name;
  quarry_value_type type;
};

// The table row of `key`, or nullptr for keys this version does not know.
const ReportKeyInfo* find_report_key(int32_t key);

class Report {
 public:
  // Record an entry (replacing an earlier one). A key of the other type or an unknown key
  // is a quarry bug, reported as QUARRY_ERR_INTERNAL.
  void set_i64(int32_t key, int64_t value);
  void set_f64(int32_t key, double value);

  // The entry if held, nullopt if not held, unknown, or of the other type.
  std::optional<int64_t> get_i64(int32_t key) const;
  std::optional<double> get_f64(int32_t key) const;

  int64_t size() const { return static_cast<int64_t>(entries_.size()); }
  // Key of entry `index` in increasing key order; nullopt when out of range.
  std::optional<int32_t> key_at(int64_t index) const;

 private:
  void check_key(int32_t key, quarry_value_type type) const;
  std::map<int32_t, std::variant<int64_t, double>> entries_;
};

}  // namespace quarry
