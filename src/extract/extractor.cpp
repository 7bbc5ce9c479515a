#include "extract/extractor.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <initializer_list>
#include <limits>
#include <numeric>
#include <optional>
#include <tuple>
#include <vector>

#include "core/error.hpp"
#include "core/philox.hpp"
#include "extract/affine_piece.hpp"
#include "extract/line_search.hpp"
#include "extract/network_fit.hpp"
#include "extract/oracle_session.hpp"
#include "extract/vector.hpp"

namespace quarry::extract {

namespace {

using Vec = std::vector<double>;

constexpr double kEps = std::numeric_limits<double>::epsilon();
constexpr double kTolerance = 16;      // deviations must exceed this many error estimates
constexpr double kStepShrink = 16;     // a failed piece retries with a step this much smaller
constexpr double kPieceReach = 2;      // how far from its kink a piece is measured, at most
constexpr double kWideSegment = 0.05;  // a segment this long measures well enough
constexpr int kMaxChain = 3;           // known kinks a piece may be away from its new kink
// A piece's first axis steps reach at most this fraction of the distance (along its line)
// to the segment's ends, where kinks of hyperplanes not yet known lie. An axis step h
// crosses such a hyperplane when h |u_j| > distance |u . v|, and over the d axes the
// largest |u_j| runs ~sqrt(2 ln d) times |u . v| (3.6 at d = 784), so large steps fail
// verification and cost a second stencil of d + 2 queries: measured, 0.25 failed 2 in 3
// first attempts at d = 784 (2.08 queries per parameter), 0.05 about 1 in 10 (1.43), at
// rel. RMS errors from 2e-11 to 5e-10 on 32..784 inputs. A noisy oracle keeps the longer
// reach: there the steps' length is the gradients' precision.
constexpr double kPieceReachExact = 0.05;
constexpr double kPieceReachNoisy = 0.25;
// Re-measure neurons whose estimated uncertainty exceeds this. Measured against known
// networks, the estimate runs 1 to 30 times above the actual error, so this re-measures
// the neurons whose error may exceed ~1e-9 (few: those from thin regions).
constexpr double kRefineAbove = 1e-7;
// The relative RMS error an exact (float64) oracle's copy should reach.
constexpr double kFloat64Target = 1e-9;
// An estimated relative error above this means the extraction failed.
constexpr double kUsableError = 1e-3;
// An oracle whose relative noise exceeds this is not exact double arithmetic: finish
// with the least-squares fit of every parameter (network_fit.hpp).
constexpr double kNoisyOracle = 1e-12;
// The fit solves a dense system in this many parameters at most (memory 2 p^2 doubles;
// at 4,400 parameters one fit took minutes here).
constexpr int64_t kMaxFitParameters = 3200;
// Levenberg-Marquardt iterations of one fit, at most (each costs m c p^2 flops).
constexpr int kFitIterations = 40;
// The fit uses this many answers per parameter.
constexpr int64_t kFitAnswersPerParameter = 3;

// A neuron in canonical form: alpha ReLU(u . x - tau), |u| = 1, alpha in R^c.
struct Neuron {
  Vec u;
  double tau = 0;
  Vec alpha;
  // Estimated error of its contribution over the Gaussian bulk, relative to |alpha|:
  // |du| sqrt(d) + |dtau|, from the errors of the pieces it was measured from (and of the
  // known neurons subtracted between them).
  double uncertainty = 0;
  int confirmed = 0;  // kinks on later lines that matched its predicted crossing
  int missed = 0;     // later lines that crossed its hyperplane with no kink near
};

// True when b's hyperplane is a's, either orientation: 1 - |cos| below `angle`, offsets
// within `offset` relative.
bool same_hyperplane(const Neuron& a, const Neuron& b, double angle, double offset) {
  const double cosine = dot(a.u, b.u);
  return std::abs(cosine) > 1 - angle &&
         std::abs(b.tau - (cosine > 0 ? a.tau : -a.tau)) <= offset * (1 + std::abs(b.tau));
}

// Where a known neuron crosses a line, and how far off the kink found there may be:
// 1e-4 relative, or more where the neuron is uncertain (a noisy oracle); the slope change
// must match too, see learn_from_scan.
struct Crossing {
  double t;
  size_t neuron;
  double tol;
};

struct Stop {
  ExtractOutcome outcome;
};

class Extractor {
 public:
  Extractor(quarry_oracle_fn fn, void* user_data, int64_t d, int64_t c, const ExtractSettings& s)
      : domain_(s.lower.empty() && s.upper.empty() ? Domain(d) : Domain(d, s.lower, s.upper)),
        oracle_(fn, user_data, domain_, c, s.budget),
        s_(s),
        d_(d),
        c_(c),
        random_(core::rng_state_from_seed(s.seed)),
        half_length_(s.half_length > 0 ? s.half_length : 50 * std::sqrt(double(d))),
        empty_lines_(s.empty_lines > 0   ? s.empty_lines
                     : domain_.bounded() ? 32
                                         : 2),
        g_(static_cast<size_t>(c * d)),
        g0_(static_cast<size_t>(c)) {}

  ExtractResult run();

 private:
  void estimate_noise();
  std::pair<double, double> noise_at(Line probe);
  double noise_near(const Vec& x) const;
  bool model_explains(const Line& line);
  SearchSettings search_settings(double eta) const;
  int64_t learn_from(const Line& line);
  int64_t learn_from_scan(const Line& line, const LineScan& scan);
  bool drop_unseen();
  void assemble_affine();
  Vec safe_steps(const Vec& p, double cap) const;
  std::optional<Neuron> neuron_from_jump(const Vec& jump_g, const Vec& jump_f, const Vec& at,
                                         const Vec& along, const AffinePiece& left,
                                         const AffinePiece& right, double eta) const;
  void refine(size_t i);
  bool fit_possible() const;
  bool fit_all();
  std::vector<Crossing> crossings(const Line& line) const;
  // The model's outputs (m x c) at the m points x (m x d).
  Vec model_at(const Vec& x) const;
  double estimate_error();
  double error_on(const Vec& x, const Vec& y) const;
  bool drop_best_of(std::initializer_list<size_t> candidates, const Vec& x, const Vec& y,
                    double& error);
  bool drop_mismeasured(const Vec& x, const Vec& y);
  void search_lines();
  void report_progress();
  NetParams<double> network() const;

  Domain domain_;
  OracleSession oracle_;
  const ExtractSettings& s_;
  int64_t d_, c_;
  core::RandomSequence random_;
  double half_length_;
  int64_t empty_lines_;
  double eta0_ = 0;          // noise of one answer near the origin
  double eta0_scale_ = 1;    // |x| where eta0_ was measured
  double eta_relative_ = 0;  // the noise relative to |F| there
  bool noisy_ = false;       // noisier than double arithmetic: finish with fit_all
  std::vector<Neuron> neurons_;
  std::vector<AffinePiece> pieces_;
  Vec g_, g0_;           // the affine term G (c x d) and g0 (c)
  bool fitted_ = false;  // G and g0 come from fit_all, not from the pieces
  Vec fit_x_, fit_y_;    // the points fit_all fits to, and F there
  int64_t lines_ = 0;
};

// The residual spread sqrt(RSS / (n - 2)) of the least-squares line through the answers
// y[i * c + o] at ts[i], for i in [begin, end).
double line_fit_spread(const std::vector<double>& ts, const std::vector<double>& y, int64_t c,
                       int64_t o, size_t begin, size_t end) {
  const double n = double(end - begin);
  double st = 0, sy = 0, stt = 0, sty = 0;
  for (size_t i = begin; i < end; ++i) {
    st += ts[i];
    sy += y[i * c + o];
    stt += ts[i] * ts[i];
    sty += ts[i] * y[i * c + o];
  }
  const double slope = (n * sty - st * sy) / (n * stt - st * st);
  const double intercept = (sy - slope * st) / n;
  double rss = 0;
  for (size_t i = begin; i < end; ++i) rss += std::pow(y[i * c + o] - intercept - slope * ts[i], 2);
  return std::sqrt(rss / (n - 2));
}

// Asks for 8 answers close together from x0 along v (a linear region, almost surely) and
// returns the oracle's noise there and the largest |F| seen. Two estimates, each robust to
// a kink among the points (likely where hyperplanes are dense, as in a small box): the
// median spread of each answer about the straight line through its two neighbours (a
// kink spoils two of the six), and the smaller residual spread of straight lines through
// the first and the last four points (one of them has no kink); the larger counts.
// Outputs rounded to a quantum coarser than their change between neighbours repeat, and
// their noise is in the steps between the repeats, which both estimates may discard: then
// the spread about one line through all 8 points counts (ties are what gives rounding
// away: a kink does not make two answers equal).
std::pair<double, double> Extractor::noise_at(Line probe) {
  std::vector<double> ts(8);
  const double h = 1e-3 * std::min(1.0, domain_.min_width());
  for (size_t i = 0; i < ts.size(); ++i) ts[i] = h * (double(i) + 0.5 * random_.uniform());
  domain_.direction_inward(probe.x0, ts.back(), probe.v);
  const Vec y = oracle_.query(probe.points(ts));
  double noise = 0, magnitude = 0;
  for (double v : y) magnitude = std::max(magnitude, std::abs(v));
  std::vector<double> spread(ts.size() - 2);
  for (int64_t o = 0; o < c_; ++o) {
    for (size_t i = 1; i + 1 < ts.size(); ++i) {
      // y_i less the interpolation a y_{i-1} + b y_{i+1}: variance (1 + a^2 + b^2) sigma^2.
      const double a = (ts[i + 1] - ts[i]) / (ts[i + 1] - ts[i - 1]), b = 1 - a;
      const double r = y[i * c_ + o] - a * y[(i - 1) * c_ + o] - b * y[(i + 1) * c_ + o];
      spread[i - 1] = std::abs(r) / std::sqrt(1 + a * a + b * b);
    }
    std::sort(spread.begin(), spread.end());
    // The median of |N(0, sigma^2)| is 0.6745 sigma.
    const double median = 0.5 * (spread[2] + spread[3]) / 0.6745;
    const double halves =
        std::min(line_fit_spread(ts, y, c_, o, 0, 4), line_fit_spread(ts, y, c_, o, 4, ts.size()));
    std::vector<double> values(ts.size());
    for (size_t i = 0; i < ts.size(); ++i) values[i] = y[i * c_ + o];
    std::sort(values.begin(), values.end());
    const bool ties = std::adjacent_find(values.begin(), values.end()) != values.end();
    const double whole = ties ? line_fit_spread(ts, y, c_, o, 0, ts.size()) : 0.0;
    noise = std::max({noise, median, halves, whole});
  }
  return {noise, magnitude};
}

// The oracle's noise, measured at a typical point and at one farther out (30 times in
// R^d, a corner of a box), where |F| is larger: noise that grows with |F| (float32
// arithmetic) is relative, noise that does not (rounding to a quantum, additive noise)
// is absolute.
void Extractor::estimate_noise() {
  // Where F is 0 (every neuron off, no affine term) it is computed exactly and shows no
  // noise: look elsewhere, a few times.
  Line probe;
  double near = 0, near_f = 0, far = 0, far_f = 0;
  for (int tries = 0; tries < 4 && (near_f == 0 || far_f == 0); ++tries) {
    probe = domain_.random_line(half_length_, random_);
    // A box's lines all pass through its centre: look at a uniform point instead.
    if (domain_.bounded()) probe.x0 = domain_.sample(1, random_);
    std::tie(near, near_f) = noise_at(probe);
    std::tie(far, far_f) = noise_at({domain_.far_point(probe.x0, random_), probe.v});
  }
  eta0_ = std::max({near, s_.noise, 4 * kEps * near_f, std::numeric_limits<double>::min()});
  eta0_scale_ = 1 + norm(probe.x0);
  // Relative when it grew at least 4-fold with |F| (30-fold here, typically).
  eta_relative_ = far > 4 * near && far_f > 0 ? far / far_f : 0;
  if (eta_relative_ == 0) eta0_ = std::max(eta0_, far);
  noisy_ = s_.noise > 0 || eta_relative_ > kNoisyOracle ||
           eta0_ > kNoisyOracle * std::max(near_f, far_f);
}

// The oracle's typical noise at x: the estimate, grown with |x| where it is relative.
double Extractor::noise_near(const Vec& x) const {
  if (eta_relative_ == 0) return eta0_;  // absolute noise
  return eta0_ * std::max(1.0, (1 + norm(x)) / eta0_scale_);
}

Vec Extractor::model_at(const Vec& x) const {
  const int64_t m = static_cast<int64_t>(x.size()) / d_;
  Vec y(static_cast<size_t>(m * c_));
  evaluate(network(), m, x.data(), y.data());
  return y;
}

// A line on which the model matches F at both ends and at two random points has no
// missed neuron crossing it with a visible jump: a missed neuron adds a ramp that reaches
// one end of the line.
bool Extractor::model_explains(const Line& line) {
  const double width = line.t_hi - line.t_lo;
  const std::vector<double> ts = {line.t_lo, line.t_hi, line.t_lo + width * random_.uniform(),
                                  line.t_lo + width * random_.uniform()};
  const Vec x = line.points(ts);
  const Vec y = oracle_.query(x);
  const Vec predicted = model_at(x);
  bool explained = true;
  for (size_t i = 0; i < ts.size(); ++i) {
    for (int64_t o = 0; o < c_; ++o) {
      const double f = y[i * c_ + o];
      // A missed neuron's ramp reaches a line end at full size (|alpha (u . v)| times
      // the distance from its kink): 1e-7 relative to F's variation (not to a constant
      // offset, which may dwarf it) still sees jumps far below the oracle's own scale,
      // and stays clear of the model's rounding at |x| ~ half_length.
      const double tol = 1e3 * kTolerance * (eta0_ + eta_relative_ * std::abs(f)) +
                         1e-7 * (std::abs(f - g0_[o]) + 1);
      explained = explained && std::abs(f - predicted[i * c_ + o]) <= tol;
    }
  }
  return explained;
}

SearchSettings Extractor::search_settings(double eta) const {
  SearchSettings search;
  search.eta = eta;
  search.relative = eta_relative_;
  search.min_width = 1e-10 * domain_.diameter(half_length_);
  search.tolerance = kTolerance;
  search.polish = noisy_;
  return search;
}

std::vector<Crossing> Extractor::crossings(const Line& line) const {
  std::vector<Crossing> out;
  for (size_t i = 0; i < neurons_.size(); ++i) {
    const Neuron& n = neurons_[i];
    const double uv = dot(n.u, line.v);
    if (uv == 0) continue;
    const double t = (n.tau - dot(n.u, line.x0)) / uv;
    // The neuron's position error at x(t): |du| |x| + |dtau|, with uncertainty
    // ~ |du| sqrt(d) + |dtau|.
    double x_norm = 0;
    for (int64_t j = 0; j < d_; ++j) x_norm += std::pow(line.x0[j] + t * line.v[j], 2);
    const double position = std::min(1e-2, n.uncertainty) * (1 + std::sqrt(x_norm / double(d_)));
    out.push_back({t, i, 1e-4 * (1 + std::abs(t)) + kTolerance * position / std::abs(uv)});
  }
  std::sort(out.begin(), out.end(), [](const Crossing& a, const Crossing& b) { return a.t < b.t; });
  return out;
}

// Searches F along the whole line and learns its new neurons; returns how many.
int64_t Extractor::learn_from(const Line& line) {
  const LineScan scan =
      scan_line(along(oracle_, line), c_, line.t_lo, line.t_hi, search_settings(eta0_), random_);
  return learn_from_scan(line, scan);
}

// Learns the new neurons among a line's kinks; returns how many were added.
int64_t Extractor::learn_from_scan(const Line& line, const LineScan& scan) {
  const double eta = scan.eta;
  const SearchSettings search = search_settings(eta);
  const auto& kinks = scan.kinks;
  const size_t nk = kinks.size();

  // Where the known neurons cross this line, and which kinks they explain.
  const std::vector<Crossing> crossings = this->crossings(line);
  double max_tol = 0;
  for (const Crossing& c : crossings) max_tol = std::max(max_tol, c.tol);
  // A kink is known when known neurons cross the line there (within their crossing
  // tolerances) and their slope changes alpha |u . v| add up to the kink's measured one.
  std::vector<bool> is_new(nk, true);
  for (size_t k = 0; k < nk; ++k) {
    const Kink& kink = kinks[k];
    const double tol = max_tol + 10 * search.min_width;
    auto first = std::lower_bound(crossings.begin(), crossings.end(), kink.t - tol,
                                  [](const Crossing& c, double t) { return c.t < t; });
    Vec predicted(static_cast<size_t>(c_), 0.0);
    double measured_norm = 0;
    for (int64_t o = 0; o < c_; ++o) {
      measured_norm += std::pow(kink.slope_right[o] - kink.slope_left[o], 2);
    }
    measured_norm = std::sqrt(measured_norm);
    for (auto it = first; it != crossings.end() && it->t <= kink.t + tol; ++it) {
      if (std::abs(it->t - kink.t) > it->tol + 10 * search.min_width) continue;
      const Neuron& n = neurons_[it->neuron];
      // Crossing a neuron along +v changes the slope by alpha |u . v|: its ramp starts
      // (u . v > 0) or ends (u . v < 0) there.
      const double uv = std::abs(dot(n.u, line.v));
      for (int64_t o = 0; o < c_; ++o) predicted[o] += n.alpha[o] * uv;
      double mismatch = 0;
      for (int64_t o = 0; o < c_; ++o) {
        mismatch += std::pow(kink.slope_right[o] - kink.slope_left[o] - predicted[o], 2);
      }
      const double relative = std::clamp(kTolerance * n.uncertainty, 1e-3, 0.1);
      const double slope_err = std::sqrt(double(c_)) * (kink.left_err + kink.right_err);
      if (std::sqrt(mismatch) <= relative * measured_norm + kTolerance * slope_err) {
        is_new[k] = false;
        ++neurons_[it->neuron].confirmed;
        break;
      }
    }
  }
  // A known neuron predicted to cross the line (away from its ends) with no kink near
  // that crossing did not show; see drop_unseen.
  for (const Crossing& x : crossings) {
    const double tol = x.tol + 10 * search.min_width;
    if (x.t - tol <= scan.t_lo || x.t + tol >= scan.t_hi) continue;
    auto near = std::lower_bound(kinks.begin(), kinks.end(), x.t - tol,
                                 [](const Kink& k, double t) { return k.t < t; });
    if (near == kinks.end() || near->t > x.t + tol) ++neurons_[x.neuron].missed;
  }

  // Each new kink is measured between a piece on either side of it: the adjacent segment
  // when it is wide enough to measure well, else the next one over (at most a few known
  // kinks away: every known neuron crossed in between carries its own error into the
  // jump).
  std::vector<size_t> new_kinks;
  for (size_t k = 0; k < nk; ++k)
    if (is_new[k]) new_kinks.push_back(k);
  // Nothing new, and no piece measured yet (F may have no kink at all): measure the
  // affine function of the line's longest segment so the affine term is known.
  if (new_kinks.empty() && !pieces_.empty()) return 0;
  auto segment_start = [&](size_t s) { return s == 0 ? scan.t_lo : kinks[s - 1].t; };
  auto segment_end = [&](size_t s) { return s == nk ? scan.t_hi : kinks[s].t; };
  auto segment_length = [&](size_t s) { return segment_end(s) - segment_start(s); };
  auto segment_slope = [&](size_t s) -> const Vec& {
    return s == 0 ? (nk == 0 ? scan.slope_lo : kinks[0].slope_left) : kinks[s - 1].slope_right;
  };
  auto segment_slope_err = [&](size_t s) {
    return s == 0 ? (nk == 0 ? scan.slope_err : kinks[0].left_err) : kinks[s - 1].right_err;
  };
  // The segment serving kink k on one side (step -1: left, +1: right).
  auto serving = [&](size_t k, int step) {
    size_t s = step < 0 ? k : k + 1, best = s;
    for (int hop = 0; hop <= kMaxChain; ++hop) {
      if (segment_length(s) >= kWideSegment) return s;
      if (segment_length(s) > segment_length(best)) best = s;
      // Step over the next kink only if it is a known one.
      if (step < 0 ? (s == 0 || is_new[s - 1]) : (s == nk || is_new[s])) break;
      s = step < 0 ? s - 1 : s + 1;
    }
    return best;
  };
  std::vector<std::pair<size_t, size_t>> sides;  // per new kink: its left and right segments
  std::vector<size_t> chosen;
  for (size_t k : new_kinks) {
    sides.emplace_back(serving(k, -1), serving(k, +1));
    chosen.push_back(sides.back().first);
    chosen.push_back(sides.back().second);
  }
  if (chosen.empty()) {
    size_t longest = 0;
    for (size_t s = 0; s <= nk; ++s) {
      if (segment_length(s) > segment_length(longest)) longest = s;
    }
    chosen.push_back(longest);
  }
  std::sort(chosen.begin(), chosen.end());
  chosen.erase(std::unique(chosen.begin(), chosen.end()), chosen.end());
  auto piece_of_segment = [&](size_t s) {
    return static_cast<size_t>(std::lower_bound(chosen.begin(), chosen.end(), s) - chosen.begin());
  };

  std::vector<PieceRequest> requests;
  for (size_t s : chosen) {
    const double a = segment_start(s), b = segment_end(s);
    // Measure near the new kink(s) the piece serves: its error grows with the distance.
    const bool left_new = s > 0 && is_new[s - 1], right_new = s < nk && is_new[s];
    double t = 0.5 * (a + b);
    if (b - a > 2 * kPieceReach && left_new != right_new) {
      t = right_new ? b - kPieceReach : a + kPieceReach;
    }
    PieceRequest r;
    r.p = line.points({t});
    // Stay well inside the region: along each axis half the way to every known
    // hyperplane, and a fraction of the distance to the segment's ends along the line
    // (the new kinks' hyperplanes are not known yet; kPieceReachExact).
    const double reach = noisy_ ? kPieceReachNoisy : kPieceReachExact;
    r.steps = safe_steps(r.p, std::max(1e-8, std::min(1.0, reach * std::min(t - a, b - t))));
    domain_.steps_inward(r.p, r.steps);
    r.noise = noise_near(r.p);
    r.verify_at_noise = noisy_;
    r.v = line.v;
    r.slope_v = segment_slope(s);
    r.slope_err = segment_slope_err(s);
    requests.push_back(std::move(r));
  }
  const auto pieces = measure_pieces(oracle_, requests, eta, kTolerance, 3, kStepShrink, random_);

  int64_t added = 0;
  std::vector<Neuron> found;
  for (size_t g = 0; g < new_kinks.size(); ++g) {
    const auto& left = pieces[piece_of_segment(sides[g].first)];
    const auto& right = pieces[piece_of_segment(sides[g].second)];
    if (!left || !right) continue;
    // The jump across the new kink, at the kink: the difference of the two pieces there,
    // less the known neurons crossed between them (+alpha u^T entering the active side,
    // - leaving it). Evaluating at the kink, not at the origin, keeps the pieces' error
    // proportional to their distance from it.
    const Kink& kink = kinks[new_kinks[g]];
    const Vec at_kink = line.points({kink.t});
    Vec jump_g(static_cast<size_t>(c_ * d_)), jump_f = right->at(at_kink);
    const Vec left_at_kink = left->at(at_kink);
    for (size_t i = 0; i < jump_g.size(); ++i) jump_g[i] = right->g[i] - left->g[i];
    for (int64_t o = 0; o < c_; ++o) jump_f[o] -= left_at_kink[o];
    const double t_left = dot(line.v, left->p) - dot(line.v, line.x0);
    const double t_right = dot(line.v, right->p) - dot(line.v, line.x0);
    double chained = 0;  // error carried in from the known neurons subtracted
    for (const Crossing& x : crossings) {
      if (x.t <= t_left || x.t >= t_right) continue;
      const Neuron& n = neurons_[x.neuron];
      chained += norm(n.alpha) * n.uncertainty;
      const double sign = dot(n.u, line.v) > 0 ? 1.0 : -1.0;
      const double z = dot(n.u, at_kink) - n.tau;
      for (int64_t o = 0; o < c_; ++o) {
        for (int64_t j = 0; j < d_; ++j) jump_g[o * d_ + j] -= sign * n.alpha[o] * n.u[j];
        jump_f[o] -= sign * n.alpha[o] * z;
      }
    }
    std::optional<Neuron> made =
        neuron_from_jump(jump_g, jump_f, at_kink, line.v, *left, *right, noise_near(at_kink));
    if (!made) continue;
    Neuron n = std::move(*made);
    n.uncertainty += chained / norm(n.alpha);
    // The kink's measured slope change must agree: J v = slope_right - slope_left.
    if (kink.resolved) {
      const double uv = dot(n.u, line.v);
      const double g_err = kTolerance * (left->bound + right->bound);
      bool agrees = true;
      for (int64_t o = 0; o < c_; ++o) {
        const double ds = kink.slope_right[o] - kink.slope_left[o];
        const double tol = 1e-4 * (std::abs(ds) + std::abs(n.alpha[o] * uv)) + g_err;
        agrees = agrees && std::abs(n.alpha[o] * uv - ds) <= tol;
      }
      if (!agrees) continue;
    }
    // The same hyperplane found twice (a pinned position off by more than the matching
    // tolerance) is kept once.
    bool duplicate = false;
    for (const auto* list : {&neurons_, &found}) {
      for (const Neuron& m : *list) {
        // A poorly measured neuron must not swallow others: the more certain of the two
        // sets the slack (a duplicate kept costs little; the final fit shares the work).
        const double slack = std::min(1e-2, kTolerance * std::min(m.uncertainty, n.uncertainty));
        duplicate = duplicate || same_hyperplane(m, n, std::max(1e-9, 0.5 * slack * slack),
                                                 std::max(1e-6, slack));
      }
    }
    if (duplicate) continue;
    ++added;
    // A known neuron close to this one that no later line has confirmed, or one ten times
    // less certain (its wide crossing tolerance may have matched other kinks), was
    // mismeasured (which is why this kink did not match its prediction): the new one
    // replaces it. Only against noisy oracles: exact ones measure a neuron twice alike
    // (a duplicate, above), and a new neuron this close is a genuine near-parallel pair.
    bool replaced = false;
    for (size_t i = 0; noisy_ && i < neurons_.size() && !replaced; ++i) {
      Neuron& m = neurons_[i];
      const bool doubtful = m.confirmed == 0 || n.uncertainty < 0.1 * m.uncertainty;
      if (doubtful && same_hyperplane(m, n, 5e-3, 0.1)) {
        m = std::move(n);
        replaced = true;
      }
    }
    if (!replaced) found.push_back(std::move(n));
  }
  for (const auto& p : pieces)
    if (p) pieces_.push_back(*p);
  neurons_.insert(neurons_.end(), found.begin(), found.end());
  return added;
}

// With an exact oracle every kink shows, so a neuron that later lines crossed twice
// without a kink, and never with one, is not in F: a jump that mixed two neurons
// (c = 1 cannot tell: any jump is rank one, and its slope along the line adds up) or was
// measured across an unseen hyperplane. It is dropped; the neurons it stood in for are
// found on later lines. A noisy oracle can hide the kinks of small neurons, so there the
// fit decides (fit_all). Returns whether any was dropped.
bool Extractor::drop_unseen() {
  if (noisy_) return false;
  return std::erase_if(neurons_,
                       [](const Neuron& n) { return n.confirmed == 0 && n.missed >= 2; }) > 0;
}

// Per-axis steps from p that stay inside p's region as far as the known neurons tell:
// half the way, along axis j, to each known hyperplane; at most `cap`.
Vec Extractor::safe_steps(const Vec& p, double cap) const {
  Vec steps(static_cast<size_t>(d_), cap);
  for (const Neuron& n : neurons_) {
    const double distance = std::abs(dot(n.u, p) - n.tau);
    for (int64_t j = 0; j < d_; ++j) {
      if (n.u[j] != 0) steps[j] = std::min(steps[j], 0.5 * distance / std::abs(n.u[j]));
    }
  }
  for (double& h : steps) h = std::max(h, 1e-12 * cap);
  return steps;
}

// The neuron behind a jump between two pieces: jump_g = alpha u^T (c x d) and jump_f the
// jump of F at the point `at` near its hyperplane. u is J's leading right singular vector,
// oriented so that u . along > 0; then alpha = J u and, since the neuron adds
// alpha (u . x - tau) on its active side, tau = u . at - alpha . jump_f / |alpha|^2.
// Refused (nullopt) when the jump is within its error (no neuron) or is not rank one
// (two neurons mixed: other lines will separate them).
std::optional<Neuron> Extractor::neuron_from_jump(const Vec& jump_g, const Vec& jump_f,
                                                  const Vec& at, const Vec& along,
                                                  const AffinePiece& left, const AffinePiece& right,
                                                  double eta) const {
  // J is rank one: any row is alpha_o u. Start from the largest row and take one power
  // step, u ~ J^T J r, which averages every row in (and is exact for c = 1).
  Neuron n;
  size_t largest = 0;
  double largest_norm = -1;
  for (int64_t o = 0; o < c_; ++o) {
    double row = 0;
    for (int64_t j = 0; j < d_; ++j) row += jump_g[o * d_ + j] * jump_g[o * d_ + j];
    if (row > largest_norm) {
      largest_norm = row;
      largest = static_cast<size_t>(o);
    }
  }
  n.u.assign(static_cast<size_t>(d_), 0.0);
  for (int64_t o = 0; o < c_; ++o) {
    double along = 0;  // row o . the largest row
    for (int64_t j = 0; j < d_; ++j) along += jump_g[o * d_ + j] * jump_g[largest * d_ + j];
    for (int64_t j = 0; j < d_; ++j) n.u[j] += along * jump_g[o * d_ + j];
  }
  const double u_norm = norm(n.u);
  if (u_norm == 0) return std::nullopt;
  const double orient = dot(n.u, along) >= 0 ? 1.0 : -1.0;
  for (double& x : n.u) x *= orient / u_norm;
  n.alpha.resize(static_cast<size_t>(c_));
  double rank_one_residual = 0, jump_norm = 0, alpha_sq = 0, alpha_jump = 0;
  for (int64_t o = 0; o < c_; ++o) {
    double a = 0;
    for (int64_t j = 0; j < d_; ++j) a += jump_g[o * d_ + j] * n.u[j];
    n.alpha[o] = a;
    alpha_sq += a * a;
    alpha_jump += a * jump_f[o];
    for (int64_t j = 0; j < d_; ++j) {
      rank_one_residual += std::pow(jump_g[o * d_ + j] - a * n.u[j], 2);
      jump_norm += std::pow(jump_g[o * d_ + j], 2);
    }
  }
  // The tests use the pieces' error bounds; the uncertainty their typical errors.
  const double j_bound = std::sqrt(double(c_)) * (left.bound + right.bound);
  if (std::sqrt(jump_norm) <= kTolerance * j_bound) return std::nullopt;
  if (std::sqrt(rank_one_residual) > 1e-6 * std::sqrt(jump_norm) + kTolerance * j_bound) {
    return std::nullopt;
  }
  const double j_err = std::sqrt(double(c_)) * (left.error + right.error);
  n.tau = dot(n.u, at) - alpha_jump / alpha_sq;
  const double alpha_norm = std::sqrt(alpha_sq);
  const double du = j_err / alpha_norm;
  auto distance = [&](const Vec& p) {
    double s = 0;
    for (int64_t j = 0; j < d_; ++j) s += (at[j] - p[j]) * (at[j] - p[j]);
    return std::sqrt(s);
  };
  const double jump_f_err = std::sqrt(double(c_)) * (left.error * distance(left.p) +
                                                     right.error * distance(right.p) + 4 * eta);
  const double dtau = du * norm(at) + jump_f_err / alpha_norm;
  n.uncertainty = du * std::sqrt(double(d_)) + dtau;
  return n;
}

// Re-measures neuron i where it is easiest to measure well: two pieces straddling its
// hyperplane at a random point q on it, each as far from the other known hyperplanes as
// the neighbours allow, with per-axis steps made safe by the known neurons. Replaces the
// neuron when the new measurement is more certain.
void Extractor::refine(size_t i) {
  const Neuron& n = neurons_[i];
  // A random point of the domain, projected onto the hyperplane; in a box, a few tries
  // for a projection that stays inside.
  Vec q;
  for (int tries = 0; tries < 8 && (q.empty() || !domain_.contains(q)); ++tries) {
    q = domain_.sample(1, random_);
    const double offset = dot(n.u, q) - n.tau;
    for (int64_t j = 0; j < d_; ++j) q[j] -= offset * n.u[j];
  }
  if (!domain_.contains(q)) return;
  // Walking along u from q, where does the next other hyperplane (or the box's face)
  // come, on either side?
  auto [up, down] = domain_.room_along(q, n.u);
  up = std::min(up, 1.0);
  down = std::min(down, 1.0);
  if (!(up > 0 && down > 0)) return;
  for (size_t m = 0; m < neurons_.size(); ++m) {
    const double along = dot(neurons_[m].u, n.u);
    if (m == i || along == 0) continue;
    const double s = (neurons_[m].tau - dot(neurons_[m].u, q)) / along;
    if (s > 0) up = std::min(up, s);
    if (s < 0) down = std::min(down, -s);
  }
  std::vector<PieceRequest> requests;
  for (double side : {-0.5 * down, 0.5 * up}) {
    PieceRequest r;
    r.p = q;
    for (int64_t j = 0; j < d_; ++j) r.p[j] += side * n.u[j];
    r.steps = safe_steps(r.p, 1.0);
    domain_.steps_inward(r.p, r.steps);
    r.noise = noise_near(r.p);
    // No slope is known here for sure (the model may still miss neurons): the pieces are
    // checked by their random directions, and the result against the old estimate.
    requests.push_back(std::move(r));
  }
  const auto pieces = measure_pieces(oracle_, requests, eta0_, kTolerance, 2, kStepShrink, random_);
  if (!pieces[0] || !pieces[1]) return;
  Vec jump_g(static_cast<size_t>(c_ * d_)), jump_f = pieces[1]->at(q);
  const Vec below = pieces[0]->at(q);
  for (size_t k = 0; k < jump_g.size(); ++k) jump_g[k] = pieces[1]->g[k] - pieces[0]->g[k];
  for (int64_t o = 0; o < c_; ++o) jump_f[o] -= below[o];
  std::optional<Neuron> better =
      neuron_from_jump(jump_g, jump_f, q, n.u, *pieces[0], *pieces[1], noise_near(q));
  // A new measurement must agree with the old one within the old one's uncertainty
  // (anything else means a piece crossed a hyperplane no check saw) and be more certain.
  if (!better || better->uncertainty >= n.uncertainty) return;
  double du = 0, dalpha = 0;
  for (int64_t j = 0; j < d_; ++j) du += std::pow(better->u[j] - n.u[j], 2);
  for (int64_t o = 0; o < c_; ++o) dalpha += std::pow(better->alpha[o] - n.alpha[o], 2);
  const double allowed = 10 * n.uncertainty;
  if (std::sqrt(du) > allowed || std::abs(better->tau - n.tau) > allowed * (1 + std::abs(n.tau)) ||
      std::sqrt(dalpha) > allowed * norm(n.alpha)) {
    return;
  }
  neurons_[i] = std::move(*better);
  pieces_.push_back(*pieces[0]);
  pieces_.push_back(*pieces[1]);
}

// Whether fit_all applies: a noisy oracle, and a network small enough for the dense fit.
bool Extractor::fit_possible() const {
  const int64_t k = static_cast<int64_t>(neurons_.size());
  return noisy_ && k > 0 && fit_parameters(d_, k, c_) <= kMaxFitParameters;
}

// Fits every parameter to queries from the domain (in R^d half from the distribution the
// error is measured on, half three times wider) when the oracle is noisy and the system is small
// enough; returns whether it did. The points are kept and reused by later fits, topped up to 3
// answers per parameter: that many average the noise down without overfitting it.
bool Extractor::fit_all() {
  if (!fit_possible()) return false;
  const int64_t k = static_cast<int64_t>(neurons_.size());
  const int64_t p = fit_parameters(d_, k, c_);
  const int64_t have = static_cast<int64_t>(fit_y_.size()) / c_;
  const int64_t wanted = (kFitAnswersPerParameter * p + c_ - 1) / c_;
  const int64_t more = std::min(std::max<int64_t>(0, wanted - have), oracle_.remaining() / 2);
  if ((have + more) * c_ < p) return false;
  if (more > 0) {
    Vec x = domain_.sample(more, random_);
    // In R^d, every other point three times farther out: hyperplanes at the edge of the
    // bulk are then straddled by enough points to pin them (unstraddled ones would
    // drift). A box is covered uniformly to its faces already.
    for (int64_t i = 1; i < more && !domain_.bounded(); i += 2) {
      for (int64_t j = 0; j < d_; ++j) x[i * d_ + j] *= 3;
    }
    const Vec y = oracle_.query(x);
    fit_x_.insert(fit_x_.end(), x.begin(), x.end());
    fit_y_.insert(fit_y_.end(), y.begin(), y.end());
  }
  const int64_t m = have + more;
  NetParams<double> net = network();
  const FitOutcome fit = fit_network(net, m, fit_x_.data(), fit_y_.data(), kFitIterations);
  // Each parameter is then good to about the residual over sqrt(answers per parameter).
  const double spread = fit.rms_after * std::sqrt(double(p) / double(m * c_));
  for (int64_t i = 0; i < k; ++i) {
    Neuron& n = neurons_[i];
    const double scale = std::sqrt(std::inner_product(
        net.w.begin() + i * d_, net.w.begin() + (i + 1) * d_, net.w.begin() + i * d_, 0.0));
    if (!(scale > 0)) continue;
    for (int64_t j = 0; j < d_; ++j) n.u[j] = net.w[i * d_ + j] / scale;
    n.tau = -net.b[i] / scale;
    for (int64_t o = 0; o < c_; ++o) n.alpha[o] = net.a[o * k + i] * scale;
    n.uncertainty = spread / std::max(norm(n.alpha), 1e-300);
  }
  g_ = net.skip;
  g0_ = net.c0;
  fitted_ = true;
  return true;
}

// The affine term from every measured piece: G = g - sum of the neurons active at the
// piece's point, and likewise for g0; averaged over the pieces.
void Extractor::assemble_affine() {
  if (fitted_) return;
  std::fill(g_.begin(), g_.end(), 0.0);
  std::fill(g0_.begin(), g0_.end(), 0.0);
  if (pieces_.empty()) return;
  // In the region of a piece, F = G x + g0 + sum over its active neurons of
  // alpha (u . x - tau). G and g0 are averages over the pieces weighted by their inverse
  // variance: a piece measured with small steps (a thin region) is much less precise, and
  // g0, read at the origin, also carries the piece's error times |p|.
  const Vec origin(static_cast<size_t>(d_), 0.0);
  std::vector<Vec> gs, g0s;
  std::vector<double> g_weights, g0_weights;
  for (const AffinePiece& piece : pieces_) {
    Vec g = piece.g, g0 = piece.at(origin);
    for (const Neuron& n : neurons_) {
      if (dot(n.u, piece.p) - n.tau <= 0) continue;
      for (int64_t o = 0; o < c_; ++o) {
        for (int64_t j = 0; j < d_; ++j) g[o * d_ + j] -= n.alpha[o] * n.u[j];
        g0[o] += n.alpha[o] * n.tau;
      }
    }
    const double variance = std::max(piece.error * piece.error, 1e-300);
    g_weights.push_back(1 / variance);
    g0_weights.push_back(1 / (variance * (1 + dot(piece.p, piece.p))));
    gs.push_back(std::move(g));
    g0s.push_back(std::move(g0));
  }
  double g_total = 0, g0_total = 0;
  for (size_t k = 0; k < gs.size(); ++k) {
    g_total += g_weights[k];
    g0_total += g0_weights[k];
  }
  // Weights that overflowed (pieces with errors beyond 1e150) leave the plain mean.
  if (!(g_total > 0 && std::isfinite(g_total) && g0_total > 0 && std::isfinite(g0_total))) {
    std::fill(g_weights.begin(), g_weights.end(), 1.0);
    std::fill(g0_weights.begin(), g0_weights.end(), 1.0);
    g_total = g0_total = double(gs.size());
  }
  for (size_t k = 0; k < gs.size(); ++k) {
    for (size_t i = 0; i < g_.size(); ++i) g_[i] += g_weights[k] / g_total * gs[k][i];
    for (int64_t o = 0; o < c_; ++o) g0_[o] += g0_weights[k] / g0_total * g0s[k][o];
  }
}

NetParams<double> Extractor::network() const {
  NetParams<double> p;
  p.d = d_;
  p.c = c_;
  p.k = static_cast<int64_t>(neurons_.size());
  p.a.resize(static_cast<size_t>(c_ * p.k));
  for (size_t i = 0; i < neurons_.size(); ++i) {
    p.w.insert(p.w.end(), neurons_[i].u.begin(), neurons_[i].u.end());
    p.b.push_back(-neurons_[i].tau);
    for (int64_t o = 0; o < c_; ++o) p.a[o * p.k + i] = neurons_[i].alpha[o];
  }
  p.skip = g_;
  p.c0 = g0_;
  return p;
}

// Relative RMS error of the model on fresh inputs from the domain's reference distribution
// (N(0, I), the metric of CKM'21, or uniform in the box).
double Extractor::estimate_error() {
  // About 6% of the network's parameter count, 16 to error_samples queries.
  const int64_t k = static_cast<int64_t>(neurons_.size());
  const int64_t parameters = k * (d_ + 1) + c_ * (k + d_ + 1);
  const int64_t wanted =
      std::clamp<int64_t>(parameters / 16, 16, std::max<int64_t>(16, s_.error_samples));
  const int64_t m = std::min(wanted, oracle_.remaining());
  if (m <= 0) return -1;
  Vec x = domain_.sample(m, random_);
  Vec y = oracle_.query(x);
  // Points that chose which neurons to drop would flatter the copy: the estimate then
  // comes from fresh ones.
  if (!noisy_ && drop_mismeasured(x, y) && oracle_.remaining() >= m) {
    x = domain_.sample(m, random_);
    y = oracle_.query(x);
  }
  return error_on(x, y);
}

// The model's relative RMS error on the points x, where F answered y.
double Extractor::error_on(const Vec& x, const Vec& y) const {
  const Vec f = model_at(x);
  double err = 0, ref = 0;
  for (size_t i = 0; i < y.size(); ++i) {
    err += std::pow(f[i] - y[i], 2);
    ref += std::pow(y[i], 2);
  }
  return ref > 0 ? std::sqrt(err / ref) : std::sqrt(err / double(y.size()));
}

// Drops whichever of the candidate neurons leaves the model most accurate on the check
// points (x, y), if it is then at least twice as accurate there; `error` is the model's
// error there now, and afterwards. Returns whether one was dropped.
bool Extractor::drop_best_of(std::initializer_list<size_t> candidates, const Vec& x, const Vec& y,
                             double& error) {
  const std::vector<Neuron> all = neurons_;
  const Vec g = g_, g0 = g0_;
  double best = error;
  size_t drop = all.size();
  for (size_t candidate : candidates) {
    neurons_.erase(neurons_.begin() + static_cast<std::ptrdiff_t>(candidate));
    assemble_affine();
    const double without = error_on(x, y);
    if (without < best) {
      best = without;
      drop = candidate;
    }
    neurons_ = all;
  }
  if (!(best < 0.5 * error)) {  // all kept, with the affine term they had
    g_ = g;
    g0_ = g0;
    return false;
  }
  neurons_.erase(neurons_.begin() + static_cast<std::ptrdiff_t>(drop));
  assemble_affine();
  error = best;
  return true;
}

// With an exact oracle, the check points (x, y) settle what the lines could not:
//  - two neurons on almost the same hyperplane are a genuine near-parallel pair, or one
//    neuron found twice, once mismeasured (a jump that mixed in a second neuron, with an
//    error estimate too small to merge it): the worse one goes if that helps;
//  - a neuron no later line confirmed may be such a mixed jump too, with a jump small
//    enough that no line's ends saw it (so drop_unseen never did): it goes if that helps.
bool Extractor::drop_mismeasured(const Vec& x, const Vec& y) {
  // A model this accurate has nothing to gain that matters (and each trial reassembles the
  // affine term from every piece).
  double error = error_on(x, y);
  if (error <= 0.1 * kFloat64Target) return false;
  const size_t before = neurons_.size();
  for (size_t i = 0; i < neurons_.size(); ++i) {
    for (size_t j = i + 1; j < neurons_.size(); ++j) {
      if (same_hyperplane(neurons_[i], neurons_[j], 1e-4, 1e-2) &&
          drop_best_of({i, j}, x, y, error)) {
        j = i;  // neuron j may have moved: look at i's pairs again
      }
    }
  }
  for (size_t i = 0; i < neurons_.size();) {
    if (neurons_[i].confirmed == 0 && drop_best_of({i}, x, y, error)) continue;
    ++i;
  }
  return neurons_.size() < before;
}

// Searches random lines until `empty_lines_` in a row add nothing. After each line the
// affine term is reassembled from the pieces, or, once the network has been fitted
// (fit_all), the fit is redone whenever a line added a neuron.
void Extractor::search_lines() {
  for (int64_t empty = 0; lines_ < s_.max_lines && empty < empty_lines_;) {
    const Line line = domain_.random_line(half_length_, random_);
    ++lines_;
    const bool explained = lines_ > 1 && model_explains(line);
    const int64_t known = static_cast<int64_t>(neurons_.size());
    const int64_t added = explained ? 0 : learn_from(line);
    // A dropped neuron is progress too: the neurons it stood in for are still to be found.
    const bool dropped = drop_unseen();
    // Under noise, lines may go on adding a neuron or two that are poorly measured where
    // hyperplanes are dense (and so not recognised again): a line counts as progress when
    // it adds more than 1/32 of the neurons known.
    const int64_t trickle = noisy_ ? known / 32 : 0;
    empty = added > trickle || dropped ? 0 : empty + 1;
    if (added > 0 && fitted_) fit_all();
    assemble_affine();  // nothing to do once fitted
    report_progress();
  }
}

void Extractor::report_progress() {
  if (!s_.progress) return;
  core::Report report;
  report.set<int64_t>(QUARRY_REPORT_QUERIES, oracle_.queries());
  report.set<int64_t>(QUARRY_REPORT_NEURONS, static_cast<int64_t>(neurons_.size()));
  report.set<int64_t>(QUARRY_REPORT_LINES, lines_);
  if (!s_.progress(report)) throw Stop{ExtractOutcome::Aborted};
}

ExtractResult Extractor::run() {
  const auto start = std::chrono::steady_clock::now();
  ExtractResult result;
  try {
    estimate_noise();
    search_lines();
    // Neurons measured from thin regions (kinks close together on their line) are
    // measured again on their own hyperplane, now that every neuron is known; with
    // refinement on, all of them are. Against a noisy oracle every neuron is uncertain,
    // and the fit that follows (if the network is small enough) makes them precise.
    const bool fit_follows = fit_possible();
    for (size_t i = 0; i < neurons_.size(); ++i) {
      if (s_.refine || (!fit_follows && neurons_[i].uncertainty > kRefineAbove)) refine(i);
    }
    assemble_affine();
    // Against a noisy oracle the fit makes every known neuron precise, so kinks of the
    // known neurons are now recognised on new lines and only missed ones are learned;
    // each line that adds one is followed by a refit (on the same points).
    if (fit_all()) search_lines();
    result.estimated_error = estimate_error();
    // A copy this far off is not what the caller asked for: say so, never return
    // garbage silently (a black box noisier than the extraction handles ends here).
    if (result.estimated_error > kUsableError) result.outcome = ExtractOutcome::Inaccurate;
  } catch (const BudgetExhausted&) {
    result.outcome = ExtractOutcome::BudgetExhausted;
    assemble_affine();
  } catch (const Stop& stop) {
    result.outcome = stop.outcome;
    assemble_affine();
  }
  result.net = network();
  result.queries = oracle_.queries();
  result.batches = oracle_.batches();
  result.lines = lines_;
  result.oracle_seconds = oracle_.oracle_seconds();
  result.noise = eta0_;
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace

ExtractResult extract_relu1(quarry_oracle_fn oracle, void* user_data, int64_t d, int64_t c,
                            const ExtractSettings& settings) {
  ExtractResult result = Extractor(oracle, user_data, d, c, settings).run();
  // Noise beyond double range can overflow the weights: never hand such a network out.
  try {
    validate(result.net);
  } catch (const core::Error& e) {
    core::fail(QUARRY_ERR_NO_CONVERGENCE,
               "the extraction produced an invalid network ({}); is the oracle's noise within "
               "double range?",
               e.what());
  }
  return result;
}

}  // namespace quarry::extract
