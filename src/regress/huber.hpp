// Huber regression (include/c_api/quarry/regress.h documents the objectives): a
// semismooth Newton method with a backtracking line search.
#pragma once

#include <cstdint>

#include "core/views.hpp"

namespace quarry::regress {

struct HuberSettings {
  double epsilon = 1.35;
  double scale = 0;  // > 0: this fixed sigma; 0: sigma estimated with x (concomitant)
  double ridge = 0;
  double tolerance = 1e-12;  // stop when (F - F*) / F is at most this (Newton decrement)
  int64_t max_iterations = 100;
};

struct HuberResult {
  int64_t iterations = 0;
  double objective = 0;
  double scale = 0;
  int64_t outliers = 0;
  double residual_norm = 0;
  bool converged = true;  // false: the iteration limit was reached, or the search stalled
  bool stalled = false;   // no step lowered the objective while far from its minimum
  double seconds = 0;
};

// x (n) = the Huber fit of b (m, contiguous) on A; a must hold finite values.
HuberResult huber(core::DenseView<const double> a, const double* b, double* x,
                  const HuberSettings& settings);

}  // namespace quarry::regress
