// l_p Lewis weights (include/c_api/quarry/sampling.h documents the definition): the
// sampling weights of l_p row sampling, a fixed point of iterated leverage scores.
#pragma once

#include <cstdint>

#include "core/views.hpp"
#include "sketch/leverage.hpp"

namespace quarry::sketch {

struct LewisSettings {
  double p = 1;
  double tolerance = 1e-10;  // stop when the fixed-point residual is at most this (lewis.cpp)
  int64_t max_iterations = 100;
  LeverageSettings leverage;  // exact, or approximate with one fixed sketch for every round
};

struct LewisResult {
  int64_t iterations = 0;  // leverage-score computations
  int64_t rank = 0;        // the numerical rank: the weights' sum
  double residual = 0;     // the fixed-point residual of the last round
  bool converged = true;   // false: the iteration limit was reached
  double seconds = 0;
};

// w (m) = the l_p Lewis weights of the rows of a (finite values), p > 0.
LewisResult lewis_weights(int64_t threads, core::DenseView<const double> a,
                          const LewisSettings& settings, double* w);

}  // namespace quarry::sketch
