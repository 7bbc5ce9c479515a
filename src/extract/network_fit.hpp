// The final least-squares fit of every parameter of a one-hidden-layer ReLU network to
// the oracle's answers at random points (Levenberg-Marquardt). The kink pipeline gives
// every neuron from a few finite differences; against a noisy oracle (float32
// arithmetic, rounded or noisy outputs) their errors are those of single differences,
// while a fit over m points averages the noise down like 1/sqrt(m) and pulls the
// hyperplanes, output weights and affine term together. It needs a start inside the
// basin, which the kink pipeline provides: it never adds or removes neurons.
#pragma once

#include <cstdint>
#include <vector>

#include "extract/relu_net.hpp"

namespace quarry::extract {

struct FitOutcome {
  double rms_before = 0, rms_after = 0;  // RMS residual over the points
  int iterations = 0;
};

// The number of parameters the fit solves for: k (d + 1 + c) + c (d + 1).
int64_t fit_parameters(int64_t d, int64_t k, int64_t c);

// Fits net (which must have a skip term) to y (m x c) at x (m x d), both row-major.
// Memory: one p x p normal matrix twice, p = fit_parameters; time m c p^2 per iteration.
FitOutcome fit_network(NetParams<double>& net, int64_t m, const double* x, const double* y,
                       int max_iterations);

}  // namespace quarry::extract
