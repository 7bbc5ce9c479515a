// What the option and report key tables share: the C value-type code of the C++ types
// they hold, and lookup in a table sorted by key.
#pragma once

#include <quarry/types.h>

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <type_traits>
#include <vector>

namespace quarry::core {

template <class T>
inline constexpr quarry_value_type kValueType =
    std::is_same_v<T, int64_t>               ? QUARRY_TYPE_I64
    : std::is_same_v<T, double>              ? QUARRY_TYPE_F64
    : std::is_same_v<T, std::vector<double>> ? QUARRY_TYPE_F64_ARRAY
                                             : QUARRY_TYPE_NONE;

// The row of `table` (sorted by its `key` member) with the given key, or nullptr.
template <class Row, std::size_t N>
const Row* find_key(const Row (&table)[N], int32_t key) {
  const Row* it = std::lower_bound(std::begin(table), std::end(table), key,
                                   [](const Row& row, int32_t k) { return row.key < k; });
  return it != std::end(table) && it->key == key ? it : nullptr;
}

}  // namespace quarry::core
