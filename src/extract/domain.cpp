#include "extract/domain.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/error.hpp"
#include "extract/vector.hpp"

namespace quarry::extract {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// Rounding in x0 + t v may put a line's end this many ulps of the box's scale outside.
constexpr double kRoundingUlps = 64;
// Widths the search can resolve: at least this fraction of the bounds' magnitude (the
// line search works down to 1e-10 of a line), and squares that stay finite.
constexpr double kMinRelativeWidth = 1e-9;
constexpr double kMaxWidth = 1e150;

// |v| without overflow or underflow: scaled by the largest entry first.
double scaled_norm(const std::vector<double>& v) {
  double largest = 0;
  for (double x : v) largest = std::max(largest, std::abs(x));
  if (largest == 0) return 0;
  double s = 0;
  for (double x : v) s += (x / largest) * (x / largest);
  return largest * std::sqrt(s);
}

std::vector<double> broadcast(const std::vector<double>& bound, int64_t d, const char* name) {
  core::require(!bound.empty(), QUARRY_ERR_INVALID_ARGUMENT,
                "{} is not set: a box needs both QUARRY_OPT_DOMAIN_LOWER and _UPPER", name);
  core::require(bound.size() == 1 || static_cast<int64_t>(bound.size()) == d,
                QUARRY_ERR_INVALID_ARGUMENT, "{} has {} entries; it needs 1 or d = {}", name,
                bound.size(), d);
  if (bound.size() == 1) return std::vector<double>(static_cast<size_t>(d), bound[0]);
  return bound;
}

}  // namespace

Domain::Domain(int64_t d, const std::vector<double>& lower, const std::vector<double>& upper)
    : d_(d),
      lower_(broadcast(lower, d, "QUARRY_OPT_DOMAIN_LOWER")),
      upper_(broadcast(upper, d, "QUARRY_OPT_DOMAIN_UPPER")) {
  for (int64_t j = 0; j < d; ++j) {
    const double lo = lower_[j], hi = upper_[j], width = hi - lo;
    core::require(std::isfinite(lo) && std::isfinite(hi) && lo < hi, QUARRY_ERR_INVALID_ARGUMENT,
                  "the box needs finite QUARRY_OPT_DOMAIN_LOWER < QUARRY_OPT_DOMAIN_UPPER; input "
                  "{} has [{}, {}]",
                  j, lo, hi);
    core::require(
        width >= kMinRelativeWidth * std::max(std::abs(lo), std::abs(hi)) && width <= kMaxWidth,
        QUARRY_ERR_INVALID_ARGUMENT,
        "the box's width must be at least {} of its bounds' magnitude and at most {}; "
        "input {} has [{}, {}]",
        kMinRelativeWidth, kMaxWidth, j, lo, hi);
  }
}

double Domain::min_width() const {
  double w = kInf;
  for (int64_t j = 0; bounded() && j < d_; ++j) w = std::min(w, upper_[j] - lower_[j]);
  return w;
}

double Domain::diameter(double half_length) const {
  if (!bounded()) return 2 * half_length;
  std::vector<double> widths(static_cast<size_t>(d_));
  for (int64_t j = 0; j < d_; ++j) widths[j] = upper_[j] - lower_[j];
  return scaled_norm(widths);
}

std::vector<double> Domain::sample(int64_t m, core::RandomSequence& random) const {
  std::vector<double> x(static_cast<size_t>(m * d_));
  if (!bounded()) {
    random.normals(m * d_, x.data());
    return x;
  }
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < d_; ++j) {
      x[i * d_ + j] = lower_[j] + random.uniform() * (upper_[j] - lower_[j]);
    }
  }
  return x;
}

Line Domain::random_line(double half_length, core::RandomSequence& random) const {
  Line line;
  if (!bounded()) {
    line.x0 = sample(1, random);
    line.v.resize(static_cast<size_t>(d_));
    random.normals(d_, line.v.data());
    line.t_lo = -half_length;
    line.t_hi = half_length;
  } else {
    // A diagonal: from a random vertex through the centre to the opposite vertex.
    line.x0.resize(static_cast<size_t>(d_));
    line.v.resize(static_cast<size_t>(d_));
    for (int64_t j = 0; j < d_; ++j) {
      line.x0[j] = 0.5 * (lower_[j] + upper_[j]);
      line.v[j] = random.uniform() < 0.5 ? upper_[j] - lower_[j] : lower_[j] - upper_[j];
    }
  }
  const double n = bounded() ? scaled_norm(line.v) : norm(line.v);
  for (double& x : line.v) x /= n;
  if (bounded()) {
    const auto [forward, backward] = room_along(line.x0, line.v);
    line.t_lo = -backward;
    line.t_hi = forward;
  }
  return line;
}

std::vector<double> Domain::far_point(const std::vector<double>& p,
                                      core::RandomSequence& random) const {
  std::vector<double> far = p;
  for (int64_t j = 0; j < d_; ++j) {
    far[j] = bounded() ? (random.uniform() < 0.5 ? lower_[j] : upper_[j]) : 30 * p[j];
  }
  return far;
}

void Domain::steps_inward(const std::vector<double>& p, std::vector<double>& steps) const {
  if (!bounded()) return;
  for (int64_t j = 0; j < d_; ++j) {
    const double h = std::abs(steps[j]), up = upper_[j] - p[j], down = p[j] - lower_[j];
    if (h <= up) {
      steps[j] = h;
    } else if (h <= down) {
      steps[j] = -h;
    } else {
      steps[j] = up >= down ? up : -down;
    }
    // p + h rounded may land an ulp past the face: step back until it does not.
    while (p[j] + steps[j] > upper_[j] || p[j] + steps[j] < lower_[j]) {
      steps[j] = std::nextafter(steps[j], 0.0);
    }
  }
}

void Domain::direction_inward(const std::vector<double>& p, double h,
                              std::vector<double>& r) const {
  if (!bounded()) return;
  for (int64_t j = 0; j < d_; ++j) {
    const double x = p[j] + h * r[j];
    if (x > upper_[j] || x < lower_[j]) r[j] = -r[j];
  }
}

std::pair<double, double> Domain::room_along(const std::vector<double>& p,
                                             const std::vector<double>& u) const {
  if (!bounded()) return {kInf, kInf};
  double forward = kInf, backward = kInf;
  for (int64_t j = 0; j < d_; ++j) {
    if (u[j] == 0) continue;
    const double to_upper = (upper_[j] - p[j]) / u[j], to_lower = (lower_[j] - p[j]) / u[j];
    forward = std::min(forward, std::max(to_upper, to_lower));
    backward = std::min(backward, -std::min(to_upper, to_lower));
  }
  return {std::max(0.0, forward), std::max(0.0, backward)};
}

bool Domain::contains(const std::vector<double>& p) const { return contains(1, p.data()); }

bool Domain::contains(int64_t m, const double* x) const {
  if (!bounded()) return true;
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < d_; ++j) {
      if (!(x[i * d_ + j] >= lower_[j] && x[i * d_ + j] <= upper_[j])) return false;
    }
  }
  return true;
}

void Domain::clamp(int64_t m, double* x) const {
  if (!bounded()) return;
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < d_; ++j) {
      double& xj = x[i * d_ + j];
      const double slack = kRoundingUlps * std::numeric_limits<double>::epsilon() *
                           (std::abs(lower_[j]) + std::abs(upper_[j]));
      core::require(xj >= lower_[j] - slack && xj <= upper_[j] + slack, QUARRY_ERR_INTERNAL,
                    "the extraction made a query outside the box (input {} = {}, box [{}, {}])", j,
                    xj, lower_[j], upper_[j]);
      xj = std::clamp(xj, lower_[j], upper_[j]);
    }
  }
}

}  // namespace quarry::extract
