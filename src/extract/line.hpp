// A line x(t) = x0 + t v through input space, and the part of it to search.
#pragma once

#include <vector>

namespace quarry::extract {

struct Line {
  std::vector<double> x0, v;  // d each
  double t_lo = 0, t_hi = 0;  // the part of the line to search

  // The points x(t) for the given t, row-major (defined in line_search.cpp).
  std::vector<double> points(const std::vector<double>& ts) const;
};

}  // namespace quarry::extract
