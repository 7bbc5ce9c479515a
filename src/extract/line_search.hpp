// Kinks of F on a line. Restricted to the line x(t) = x0 + t v, a one-hidden-layer ReLU
// network is piecewise linear in t with a kink wherever the line crosses a neuron's
// hyperplane. This finds every kink in [t_lo, t_hi] by recursive splitting with
// randomized, non-dyadic probes and pins isolated kinks with the two-line intersection
// (Jagielski et al. 2020, Carlini et al. 2020 section 5; references/extraction.md 1, 2).
//
// Changed from the papers: all open intervals of a round are probed in one oracle batch;
// tolerances come from a measured noise floor and each slope's own error, not absolute
// constants; every accepted kink is confirmed by two random probes, one on each side
// (a midpoint chord test alone passes a symmetric pair of kinks); and intervals narrower
// than the floor are reported as unresolved clusters instead of looping (the failure of
// ART's critical-point search, issues #420/#867). Under noise (`polish`), every kink is
// re-pinned where the chords from the interval's ends through its two probes meet, and
// confirmed there and next to it: chords carry the noise of two answers over their
// length, where finite-difference slopes carry it over their short step.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "core/philox.hpp"
#include "extract/line.hpp"
#include "extract/oracle_session.hpp"

namespace quarry::extract {

struct Kink {
  double t = 0;
  std::vector<double> slope_left, slope_right;  // df/dt just left and right of t (c each)
  double left_err = 0, right_err = 0;           // error bounds of the two slopes
  bool resolved = true;  // false: kinks closer together than the search floor, merged
};

struct SearchSettings {
  double eta = 0;         // absolute noise of one oracle answer (largest over outputs)
  double relative = 0;    // noise relative to |F| (float32 or rounding in the oracle)
  double min_width = 0;   // narrowest interval searched, in t
  double tolerance = 16;  // how many error estimates a deviation must exceed
  // Slopes are measured to this fraction of the line's largest slope at least: under
  // noise, kinks whose slope change is smaller may be missed.
  double slope_resolution = 1e-3;
  int64_t max_rounds = 200;
  // Re-pin every kink from chords before accepting it (one more query per kink): for noisy
  // oracles, whose finite-difference slopes are too coarse to pin kinks or tell close
  // ones apart. See Searcher::resolve.
  bool polish = false;
};

struct LineScan {
  double t_lo = 0, t_hi = 0;
  std::vector<double> slope_lo;  // slope at the start of the range
  double slope_err = 0;          // its error bound
  double eta = 0;                // the noise floor the search used
  std::vector<Kink> kinks;       // sorted by t
};

// The function searched: its values (c each, concatenated) at a batch of t.
using LineFunction = std::function<std::vector<double>(const std::vector<double>& ts)>;

// Finds the kinks of f on [t_lo, t_hi]; random probe positions come from `random`.
LineScan scan_line(const LineFunction& f, int64_t c, double t_lo, double t_hi,
                   const SearchSettings& settings, core::RandomSequence& random);

// The function t -> F(x(t)) of a line, asked of the oracle.
LineFunction along(OracleSession& oracle, const Line& line);

}  // namespace quarry::extract
