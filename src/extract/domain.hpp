// The inputs an extraction may query: all of R^d, or a box lower <= x <= upper (a model
// defined on images in [0, 1]^d, say, or on features with known ranges). Every query
// point the extraction makes is generated through this class, and OracleSession checks
// the result, so no query leaves the box.
//
// The reference distribution (the final fit, the error estimate) is N(0, I) on R^d and
// uniform in a box. Random lines in R^d are Gaussian; in a box they are diagonals, from a
// random vertex V through the centre c to the opposite vertex. Any hyperplane that cuts
// the box separates some of its vertices, and u . (V - c) spreads sqrt(3) times wider than
// u . (x - c) for a uniform point x, so diagonals cross hyperplanes near the box's faces
// and corners far more often than chords through uniform points (which also stay short:
// a random direction from a point leaves a high-dimensional box after ~1/sqrt(d)).
// Measured on 40 networks whose hyperplanes pass through uniform points of the unit cube
// (d = 12 and 24): diagonals found every neuron; chords through two uniform points missed
// one in about every fourth network, each a hyperplane clipping a corner.
#pragma once

#include <cstdint>
#include <vector>

#include "core/philox.hpp"
#include "extract/line.hpp"

namespace quarry::extract {

class Domain {
 public:
  // All of R^d.
  explicit Domain(int64_t d) : d_(d) {}
  // The box [lower, upper]: each of 1 entry (the same for every input) or d, finite, with
  // lower < upper, a width of at least 1e-9 of the bounds' magnitude and at most 1e150;
  // throws QUARRY_ERR_INVALID_ARGUMENT otherwise, naming the options
  // QUARRY_OPT_DOMAIN_LOWER and _UPPER (where users set them).
  Domain(int64_t d, const std::vector<double>& lower, const std::vector<double>& upper);

  int64_t d() const { return d_; }
  bool bounded() const { return !lower_.empty(); }
  const std::vector<double>& lower() const { return lower_; }  // d entries, or none
  const std::vector<double>& upper() const { return upper_; }
  // The largest distance inside the domain that matters: the box's diagonal, or the
  // length of a line in R^d (2 half_length).
  double diameter(double half_length) const;
  // The box's narrowest width (infinite in R^d).
  double min_width() const;

  // m points (m x d, row-major) from the reference distribution.
  std::vector<double> sample(int64_t m, core::RandomSequence& random) const;
  // A random line through the domain and the range of t it may be searched on: in R^d
  // a Gaussian point, a random direction and [-half_length, half_length]; in a box, a
  // random diagonal, end to end.
  Line random_line(double half_length, core::RandomSequence& random) const;
  // Where to measure the noise far from p (where |F| is larger): 30 p in R^d, a random
  // corner of the box.
  std::vector<double> far_point(const std::vector<double>& p, core::RandomSequence& random) const;

  // Forward-difference steps from p inside the box: each step |h_j| along axis j goes
  // toward the side with room, and is cut to the room there when neither side has
  // enough. No change in R^d.
  void steps_inward(const std::vector<double>& p, std::vector<double>& steps) const;
  // Flips the entries of the direction r (|r_j| <= 1) that would take p + h r out of the
  // box; every step of `steps_inward` of size >= h leaves room for it.
  void direction_inward(const std::vector<double>& p, double h, std::vector<double>& r) const;
  // How far p may move along +u (first) and -u (second) and stay inside (infinite in R^d).
  std::pair<double, double> room_along(const std::vector<double>& p,
                                       const std::vector<double>& u) const;
  bool contains(const std::vector<double>& p) const;
  // Whether all m points x (m x d) are inside.
  bool contains(int64_t m, const double* x) const;

  // Moves the m points x (m x d) that are outside the box by rounding (a few ulps of the
  // bounds) onto it; throws QUARRY_ERR_INTERNAL for a point farther out (a bug: no query
  // may leave the box).
  void clamp(int64_t m, double* x) const;

 private:
  int64_t d_;
  std::vector<double> lower_, upper_;  // d each when bounded
};

}  // namespace quarry::extract
