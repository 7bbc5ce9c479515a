// The affine function F(x) = F(p) + G (x - p) that a ReLU network is inside one linear
// region, measured by forward differences. Inside a region F is exactly affine, so the
// differences are exact up to the oracle's noise: steps are taken as large as the region
// allows (error ~ noise / step), per axis where the geometry is known, and every
// measurement is verified before it is trusted (references/extraction-lessons.md 3).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "core/philox.hpp"
#include "extract/oracle_session.hpp"

namespace quarry::extract {

// Written around its own point p rather than the origin: F far from p would amplify the
// gradient's error by |x - p|, and the pieces serve points near them.
struct AffinePiece {
  std::vector<double> p;   // the point it was measured at (d)
  std::vector<double> g;   // G, c x d row-major
  std::vector<double> f0;  // F(p), c
  double error = 0;        // typical |G - true G| for one output (2-norm over the axes)
  double bound = 0;        // the same at the noise floor: what a jump must exceed

  // F(x) predicted by the piece (c values).
  std::vector<double> at(const std::vector<double>& x) const;
};

struct PieceRequest {
  std::vector<double> p;        // a point inside the region
  std::vector<double> steps;    // first step to try along each axis (d; signed, e.g. to
                                // stay inside a box: see Domain::steps_inward)
  std::vector<double> v;        // a direction whose slope is known (empty: none)...
  std::vector<double> slope_v;  // ...dF/dv there (c)...
  double slope_err = 0;         // ...with this error bound
  double noise = 0;             // the oracle's typical noise near p (for `error`)
  // Verify against `noise` instead of the common floor (a noisy oracle: the common
  // floor is the largest on the line).
  bool verify_at_noise = false;
};

// Measures each request's piece, verified against the noise floor `common_floor` (or the
// request's own noise): d + 2 queries per attempt (the point, one step along
// each axis, and a random direction), first attempts batched together. A piece is
// accepted when G v matches the known slope and the random direction lands on the plane;
// otherwise every step shrinks `shrink`-fold, up to `retries` times, and then the result
// is nullopt (the region is too thin to measure here). When a smaller step succeeds, the
// entries of the first, larger step that agree with it are kept: a step usually fails on
// the few axes that crossed a hyperplane, and the others are more precise.
std::vector<std::optional<AffinePiece>> measure_pieces(OracleSession& oracle,
                                                       const std::vector<PieceRequest>& requests,
                                                       double common_floor, double tolerance,
                                                       int retries, double shrink,
                                                       core::RandomSequence& random);

}  // namespace quarry::extract
