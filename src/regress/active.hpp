// Active l_p regression (include/c_api/quarry/regress.h documents it): read only a budget
// of the labels b_i, chosen by the l_p Lewis weights of A, and fit on them.
#pragma once

#include <quarry/rng.h>

#include <cstdint>

#include "core/philox.hpp"
#include "core/views.hpp"
#include "regress/labels.hpp"
#include "regress/lp.hpp"
#include "sketch/lewis.hpp"

namespace quarry::regress {

struct ActiveSettings {
  int64_t budget = 0;                                     // labels to read, n <= budget <= m
  int64_t batch = 1024;                                   // rows per label call, at most
  sketch::LewisSettings lewis;                            // its p is the regression's
  LpSettings solve;                                       // the fit on the sampled rows (same p)
  quarry_rng_state state = core::rng_state_from_seed(0);  // the row sample's
};

struct ActiveResult {
  int64_t labels = 0, batches = 0;
  int64_t lewis_iterations = 0;
  bool lewis_converged = true;
  LpResult fit;  // its objective: the sample's estimate of sum_i |r_i|^p
  double oracle_seconds = 0, seconds = 0;
};

ActiveResult active_regression(int64_t threads, core::DenseView<const double> a,
                               const LabelFn& labels, double* x, const ActiveSettings& settings);

}  // namespace quarry::regress
