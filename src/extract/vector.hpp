// The two vector operations the extraction's geometry needs.
#pragma once

#include <cmath>
#include <cstddef>
#include <vector>

namespace quarry::extract {

inline double dot(const std::vector<double>& a, const std::vector<double>& b) {
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}

inline double norm(const std::vector<double>& a) { return std::sqrt(dot(a, a)); }

}  // namespace quarry::extract
