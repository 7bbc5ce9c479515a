// Report: the typed key/value record behind quarry_report, filled by computing calls.
#pragma once

#include <quarry/report.h>

#include <cstdint>
#include <map>
#include <optional>
#include <variant>

#include "core/key_table.hpp"

namespace quarry::core {

struct ReportKeyInfo {
  int32_t key;
  const char* name;
  quarry_value_type type;
};

// The table row of `key`, or nullptr for keys this version does not know.
const ReportKeyInfo* find_report_key(int32_t key);

class Report {
 public:
  // Record an entry (replacing an earlier one). T is int64_t or double. A key of the
  // other type or an unknown key is a quarry bug, reported as QUARRY_ERR_INTERNAL.
  template <class T>
  void set(int32_t key, T value);

  // The entry if held, nullopt if not held, unknown, or of the other type.
  template <class T>
  std::optional<T> get(int32_t key) const {
    auto it = entries_.find(key);
    if (it == entries_.end() || !std::holds_alternative<T>(it->second)) return std::nullopt;
    return std::get<T>(it->second);
  }

  int64_t size() const { return static_cast<int64_t>(entries_.size()); }
  // Key of entry `index` in increasing key order; nullopt when out of range.
  std::optional<int32_t> key_at(int64_t index) const;

 private:
  std::map<int32_t, std::variant<int64_t, double>> entries_;
};

}  // namespace quarry::core
