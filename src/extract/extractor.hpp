// Extraction of a one-hidden-layer ReLU network from value queries: the driver.
//
// Algorithm (Chen, Klivans, Meka, "Efficiently Learning Any One Hidden Layer ReLU Network
// From Queries", 2021, with the numerics of Carlini et al. 2020; references/extraction.md
// sections 1 and 6.1):
//  1. On a random Gaussian line, find every kink of F (line_search.hpp).
//  2. Classify each kink against the crossings predicted for the neurons already known;
//     only unmatched kinks are new (never search the residual F - model for kinks:
//     references/extraction-lessons.md 1).
//  3. Measure the affine piece (G, beta) of one linear segment in each gap between new
//     kinks (affine_piece.hpp); pieces either side of a new kink differ by the kink's jump
//     J = alpha u^T, beta jump -alpha tau, once the known neurons crossed in between are
//     subtracted (lessons 2). J gives the hyperplane direction u and the output weights
//     alpha; the beta jump gives the offset tau exactly, without relying on where the
//     kink was pinned.
//  4. Orient every neuron so that u . v > 0 on its line: ReLU(z) = z + ReLU(-z) moves the
//     difference into the affine term, so no per-neuron sign search is needed (this is
//     what makes k > d cheap).
//  5. The affine term G x + g0 follows from any measured piece minus the neurons active
//     there, averaged over all pieces.
//  6. Later lines are first checked against the model at their ends and two random
//     points (a missed neuron makes F and the model part linearly there); only a line that
//     disagrees is searched. The search stops after `empty_lines` lines in a row add
//     nothing.
#pragma once

#include <quarry/extract.h>

#include <cstdint>
#include <functional>
#include <limits>
#include <vector>

#include "core/report.hpp"
#include "extract/relu_net.hpp"

namespace quarry::extract {

struct ExtractSettings {
  uint64_t seed = 0;
  // The box the queries must stay in, 1 or d entries each (see Domain); empty: all of R^d.
  std::vector<double> lower, upper;
  int64_t budget = std::numeric_limits<int64_t>::max();
  double noise = 0;        // the oracle's output noise if known; 0 = estimate it
  double half_length = 0;  // lines in R^d span t in [-half_length, half_length]; 0 = 50 sqrt(d)
  // Stop after this many lines in a row find nothing new; 0 = 2 in R^d (a line crosses
  // every hyperplane), 32 in a box (a diagonal misses a hyperplane that clips a corner
  // more often than not; an explained line costs 4 queries).
  int64_t empty_lines = 0;
  int64_t max_lines = 256;
  int64_t error_samples = 64;  // at most this many fresh queries for the error estimate
  bool refine = false;         // re-measure every neuron on its own hyperplane
  // Called after every line with QUERIES, NEURONS and LINES; returning false stops the
  // extraction with ExtractOutcome::Aborted.
  std::function<bool(const core::Report&)> progress;
};

enum class ExtractOutcome { Complete, BudgetExhausted, Aborted, Inaccurate };

struct ExtractResult {
  NetParams<double> net;
  ExtractOutcome outcome = ExtractOutcome::Complete;
  int64_t queries = 0, batches = 0, lines = 0;
  double seconds = 0, oracle_seconds = 0;
  double estimated_error = -1;  // relative RMS on fresh Gaussian queries; -1 = not measured
  double noise = 0;             // the noise floor used
};

// Runs the extraction. Errors (a failing oracle, NaN answers, a network that overflowed:
// QUARRY_ERR_NO_CONVERGENCE) are thrown as quarry::core::Error; a budget that runs out, a progress
// callback that asks to stop, or a copy whose estimated relative error exceeds 1e-3 return the
// network found with the matching outcome.
ExtractResult extract_relu1(quarry_oracle_fn oracle, void* user_data, int64_t d, int64_t c,
                            const ExtractSettings& settings);

}  // namespace quarry::extract
