#include "extract/line_search.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <span>

namespace quarry::extract {

namespace {

using Vec = std::vector<double>;

// An open interval of the search: the values at both ends and the one-sided slopes just
// inside them, each slope with its own error bound.
struct Interval {
  double l, r;
  Vec fl, fr, sl, sr;
  double sl_err, sr_err;
  // A point inside already evaluated and known to break linearity: split there next.
  std::optional<std::pair<double, Vec>> split_hint = std::nullopt;
  // A kink re-pinned from chords (polish): where the chords from both ends meet, their
  // slopes and the slopes' errors. F must be on both chords there, and on its side's
  // chord at delta either side.
  struct Pinned {
    double t, delta;
    Vec sl, sr;
    double sl_err, sr_err;
  };
  std::optional<Pinned> pinned = std::nullopt;
  int straddled = 0;  // split stencils that straddled a kink (polish)
};

enum class Plan { Linear, Kink, Confirm, Split, Floor };

constexpr size_t kMaxOpen = 1 << 14;

double max_abs(const Vec& v) {
  double m = 0;
  for (double x : v) m = std::max(m, std::abs(x));
  return m;
}

struct Planned {
  Interval iv;
  Plan plan;
  std::vector<double> ts;  // the probes this interval asks for
  size_t first = 0;        // where its answers start in the round's batch
  double split = 0;        // Split: the split point
  double step = 0;         // Split: the slope step
};

class Searcher {
 public:
  Searcher(const LineFunction& f, int64_t c, const SearchSettings& s, core::RandomSequence& random)
      : f_(f), s_(s), random_(random), c_(c) {}

  LineScan run(double t_lo, double t_hi);

 private:
  // The answers at the given t, one Vec each.
  std::vector<Vec> evaluate(const std::vector<double>& ts) {
    const Vec y = f_(ts);
    std::vector<Vec> out(ts.size());
    for (size_t i = 0; i < ts.size(); ++i)
      out[i].assign(y.begin() + i * c_, y.begin() + (i + 1) * c_);
    return out;
  }

  // A random position in (a, b), away from both ends and never a dyadic fraction.
  double probe(double a, double b, double margin) {
    return a + (b - a) * (margin + (1 - 2 * margin) * random_.uniform());
  }

  // The oracle's noise in an answer of about f's size: the absolute floor, or its
  // relative noise (float32 arithmetic, rounding) times |f|.
  double noise(const Vec& f) const { return std::max(s_.eta, relative_ * max_abs(f)); }

  // The slope step for a split point inside an interval of width w at position t, where
  // F is about f: small against w (the step must not cross a kink), but large enough
  // that the oracle's noise leaves the slope good to `slope_resolution` of the line's
  // slopes. With polish, at most a tenth of w: where kinks are dense, longer steps
  // straddle one more often than not, and the chords pin the kinks anyway.
  double slope_step(double w, double t, const Vec& f) const {
    const double eps = std::numeric_limits<double>::epsilon();
    const double resolution = s_.slope_resolution * slope_scale_;
    const double for_noise = resolution > 0 ? 2 * s_.tolerance * noise(f) / resolution : 0;
    const double cap = s_.polish ? 0.1 * w : std::numeric_limits<double>::infinity();
    return std::max({1e-4 * w, 1024 * eps * (1 + std::abs(t)), std::min(cap, for_noise)});
  }

  // True when the slopes a and b agree on every output within `tolerance` times err.
  bool same_slopes(const Vec& a, const Vec& b, double err) const {
    for (int64_t j = 0; j < c_; ++j) {
      if (std::abs(a[j] - b[j]) > s_.tolerance * err) return false;
    }
    return true;
  }

  // Where the line through (l, fl) with slope sl meets the one through (r, fr) with slope
  // sr: the least-squares intersection over all outputs (NaN when the slopes are equal).
  double meet(double l, const Vec& fl, const Vec& sl, double r, const Vec& fr,
              const Vec& sr) const {
    double num = 0, den = 0;
    for (int64_t j = 0; j < c_; ++j) {
      const double ds = sl[j] - sr[j];
      num += ds * (fr[j] - fl[j] + sl[j] * l - sr[j] * r);
      den += ds * ds;
    }
    return num / den;
  }

  // True when f matches the line through (t0, f0) with slope s (error s_err) at t.
  bool on_line(const Vec& f, double t, double t0, const Vec& f0, const Vec& s, double s_err) const {
    const double tol = s_.tolerance * (noise(f) + noise(f0) + std::abs(t - t0) * s_err);
    for (int64_t j = 0; j < c_; ++j) {
      if (std::abs(f[j] - (f0[j] + s[j] * (t - t0))) > tol) return false;
    }
    return true;
  }

  Planned plan(Interval iv);
  // A kink at t between the interval's two end slopes.
  void record_kink(const Interval& i, double t, bool resolved) {
    kinks_.push_back({.t = t,
                      .slope_left = i.sl,
                      .slope_right = i.sr,
                      .left_err = i.sl_err,
                      .right_err = i.sr_err,
                      .resolved = resolved});
  }
  void resolve(Planned& p, const std::vector<Vec>& answers, std::vector<Interval>& next);
  void pin(Interval& i, double a, const Vec& fa, double b, const Vec& fb);
  void split_at(const Interval& iv, double m, const Vec& fm, double h, const Vec& f_minus,
                const Vec& f_plus, std::vector<Interval>& next);

  const LineFunction& f_;
  const SearchSettings& s_;
  core::RandomSequence& random_;
  int64_t c_;
  std::vector<Kink> kinks_;
  double eta_ = 0;          // the largest noise on this line
  double relative_ = 0;     // the oracle's relative noise (at least double rounding)
  double slope_scale_ = 0;  // the larger slope at the line's ends
};

Planned Searcher::plan(Interval iv) {
  Planned p{std::move(iv), Plan::Split, {}, 0, 0, 0};
  const Interval& i = p.iv;
  const double w = i.r - i.l;
  if (w < s_.min_width) {
    p.plan = Plan::Floor;
    return p;
  }
  if (i.pinned) {
    p.plan = Plan::Confirm;
    p.split = i.pinned->t;
    p.ts = {p.split, p.split - i.pinned->delta, p.split + i.pinned->delta};
    return p;
  }
  if (i.split_hint) {
    p.split = i.split_hint->first;
    p.step = std::min(slope_step(w, p.split, i.split_hint->second),
                      0.5 * std::min(p.split - i.l, i.r - p.split));
    p.ts = {p.split - p.step, p.split + p.step};
    return p;
  }
  const bool equal_slopes = same_slopes(i.sl, i.sr, i.sl_err + i.sr_err);
  bool chord_on_slope = true;
  for (int64_t j = 0; j < c_; ++j) {
    const double chord = (i.fr[j] - i.fl[j]) / w;
    chord_on_slope =
        chord_on_slope && std::abs(chord - i.sl[j]) <=
                              s_.tolerance * (2 * (noise(i.fl) + noise(i.fr)) / w + i.sl_err);
  }
  if (equal_slopes && chord_on_slope) {
    p.plan = Plan::Linear;
    p.ts = {probe(i.l, i.r, 0.2)};
    return p;
  }
  if (!equal_slopes) {
    const double t_star = meet(i.l, i.fl, i.sl, i.r, i.fr, i.sr);
    if (t_star > i.l + 1e-3 * w && t_star < i.r - 1e-3 * w) {
      // Certify a single kink at t*: just left of it F follows the left end's line, just
      // right of it the right end's line, and so do random probes further out. (Checking
      // F(t*) alone is not enough: the two end lines meet at t* by construction, so a
      // pair of kinks entirely on one side of t* would pass.) "Just" is 1e-3 of the
      // interval: two kinks closer than that can be taken for one (see docs/extract.md,
      // failure modes). With polish, the random probes come first and the others follow
      // around the re-pinned kink (Plan::Confirm).
      const double delta = std::min(1e-3 * w, 0.25 * std::min(t_star - i.l, i.r - t_star));
      p.plan = Plan::Kink;
      p.split = t_star;
      const double a = probe(i.l, t_star - delta, 0.2), b = probe(t_star + delta, i.r, 0.2);
      p.ts = s_.polish ? std::vector<double>{a, b}
                       : std::vector<double>{t_star - delta, t_star + delta, a, b};
      return p;
    }
  }
  p.split = probe(i.l, i.r, 0.3);
  p.step = slope_step(w, p.split, i.fl);
  // Too narrow to measure a slope inside at this noise: an unresolved cluster.
  if (p.step > 0.25 * w) {
    p.plan = Plan::Floor;
    p.ts.clear();
    return p;
  }
  p.ts = {p.split - p.step, p.split, p.split + p.step};
  return p;
}

// Re-pins the kink of an interval that passed the kink test, from the chords through its
// ends and the test's probes a (left of the kink) and b (right of it): their slopes have
// the error of two answers over the chord's length, where a finite-difference slope's
// error is two answers over its (short) step, and it grows with the distance from the
// interval's end. The kink is then confirmed with F where the chords meet.
void Searcher::pin(Interval& i, double a, const Vec& fa, double b, const Vec& fb) {
  Interval::Pinned p{0,
                     0,
                     Vec(c_),
                     Vec(c_),
                     (noise(i.fl) + noise(fa)) / (a - i.l),
                     (noise(i.fr) + noise(fb)) / (i.r - b)};
  for (int64_t j = 0; j < c_; ++j) {
    p.sl[j] = (fa[j] - i.fl[j]) / (a - i.l);
    p.sr[j] = (i.fr[j] - fb[j]) / (i.r - b);
  }
  // Chords that meet outside (a, b) (or not at all) contradict the test just passed: look
  // again between a and b.
  const double t = meet(i.l, i.fl, p.sl, i.r, i.fr, p.sr);
  if (!(t > a && t < b)) {
    i.split_hint = std::make_pair(a, fa);
    return;
  }
  p.t = t;
  p.delta = std::min(1e-3 * (i.r - i.l), 0.25 * std::min(t - a, b - t));
  i.pinned = std::move(p);
}

void Searcher::split_at(const Interval& iv, double m, const Vec& fm, double h, const Vec& f_minus,
                        const Vec& f_plus, std::vector<Interval>& next) {
  Vec s_minus(c_), s_plus(c_);
  for (int64_t j = 0; j < c_; ++j) {
    s_minus[j] = (fm[j] - f_minus[j]) / h;
    s_plus[j] = (f_plus[j] - fm[j]) / h;
  }
  const double err = (noise(fm) + std::max(noise(f_minus), noise(f_plus))) / h;
  // Under noise the slope step is long (it sets the slopes' precision), and a kink inside
  // the stencil spoils one of its slopes: the two disagree. Such a split is thrown away
  // and the interval split elsewhere (a few times at most: kinks closer together than
  // the step cannot be told apart anyway).
  if (s_.polish && !iv.split_hint && iv.straddled < 3) {
    for (int64_t j = 0; j < c_; ++j) {
      if (std::abs(s_minus[j] - s_plus[j]) > s_.tolerance * 2 * err) {
        Interval again = iv;
        ++again.straddled;
        next.push_back(std::move(again));
        return;
      }
    }
  }
  next.push_back({.l = iv.l,
                  .r = m,
                  .fl = iv.fl,
                  .fr = fm,
                  .sl = iv.sl,
                  .sr = s_minus,
                  .sl_err = iv.sl_err,
                  .sr_err = err});
  next.push_back({.l = m,
                  .r = iv.r,
                  .fl = fm,
                  .fr = iv.fr,
                  .sl = s_plus,
                  .sr = iv.sr,
                  .sl_err = err,
                  .sr_err = iv.sr_err});
}

void Searcher::resolve(Planned& p, const std::vector<Vec>& answers, std::vector<Interval>& next) {
  Interval& i = p.iv;
  auto answer = [&](size_t k) -> const Vec& { return answers[p.first + k]; };
  switch (p.plan) {
    case Plan::Floor: record_kink(i, 0.5 * (i.l + i.r), false); return;
    case Plan::Linear: {
      const double m = p.ts[0];
      if (!on_line(answer(0), m, i.l, i.fl, i.sl, i.sl_err) ||
          !on_line(answer(0), m, i.r, i.fr, i.sr, i.sr_err)) {
        i.split_hint = std::make_pair(m, answer(0));
        next.push_back(std::move(i));
      }
      return;
    }
    case Plan::Kink: {
      // Probes 0 and 2 must be on the left end's line, 1 and 3 on the right end's (the
      // random ones first); polish asks for the random ones only.
      static constexpr size_t kAll[] = {2, 0, 1, 3}, kRandom[] = {0, 1};
      for (size_t k :
           s_.polish ? std::span<const size_t>(kRandom) : std::span<const size_t>(kAll)) {
        const bool left = k % 2 == 0;
        const bool ok = left ? on_line(answer(k), p.ts[k], i.l, i.fl, i.sl, i.sl_err)
                             : on_line(answer(k), p.ts[k], i.r, i.fr, i.sr, i.sr_err);
        if (!ok) {  // split where linearity visibly breaks
          i.split_hint = std::make_pair(p.ts[k], answer(k));
          next.push_back(std::move(i));
          return;
        }
      }
      if (s_.polish) {
        pin(i, p.ts[0], answer(0), p.ts[1], answer(1));
        next.push_back(std::move(i));
        return;
      }
      record_kink(i, p.split, true);
      return;
    }
    case Plan::Confirm: {
      const Interval::Pinned pinned = std::move(*i.pinned);
      i.pinned.reset();
      auto on_chords = [&](double t, const Vec& f) {
        const bool left = t <= pinned.t, right = t >= pinned.t;
        return (!left || on_line(f, t, i.l, i.fl, pinned.sl, pinned.sl_err)) &&
               (!right || on_line(f, t, i.r, i.fr, pinned.sr, pinned.sr_err));
      };
      // (A pair of kinks whose slope changes have opposite signs looks like one kink
      // outside the pair from far away, and where the chords meet F is on both; but
      // next to that point, on one side, F is not on the chord.)
      for (size_t k = 0; k < p.ts.size(); ++k) {
        if (!on_chords(p.ts[k], answer(k))) {
          i.split_hint = std::make_pair(p.ts[k], answer(k));
          next.push_back(std::move(i));
          return;
        }
      }
      // Chords too short to tell the two slopes apart: no kink visible at this noise
      // (a sliver beside a kink, measured with slopes that straddled it).
      if (same_slopes(pinned.sl, pinned.sr, pinned.sl_err + pinned.sr_err)) return;
      i.sl = pinned.sl;
      i.sr = pinned.sr;
      i.sl_err = pinned.sl_err;
      i.sr_err = pinned.sr_err;
      record_kink(i, pinned.t, true);
      return;
    }
    case Plan::Split:
      if (i.split_hint) {
        const Vec fm = i.split_hint->second;
        split_at(i, p.split, fm, p.step, answer(0), answer(1), next);
      } else {
        split_at(i, p.split, answer(1), p.step, answer(0), answer(2), next);
      }
      return;
  }
}

LineScan Searcher::run(double t_lo, double t_hi) {
  relative_ = std::max(s_.relative, 16 * std::numeric_limits<double>::epsilon());
  const double w = t_hi - t_lo, t_max = std::max(std::abs(t_lo), std::abs(t_hi));
  double h = std::min(slope_step(w, t_max, {}), 0.25 * w);
  std::vector<Vec> ends = evaluate({t_lo, t_lo + h, t_hi - h, t_hi});
  LineScan scan;
  scan.t_lo = t_lo;
  scan.t_hi = t_hi;
  scan.slope_lo.resize(c_);
  Vec slope_hi(c_);
  auto end_slopes = [&] {
    for (int64_t j = 0; j < c_; ++j) {
      scan.slope_lo[j] = (ends[1][j] - ends[0][j]) / h;
      slope_hi[j] = (ends[3][j] - ends[2][j]) / h;
    }
    slope_scale_ = std::max(max_abs(scan.slope_lo), max_abs(slope_hi));
  };
  end_slopes();
  // The floor grows with the largest answers on this line: the oracle's relative noise
  // (its arithmetic) and at least double rounding. The absolute estimate alone may come
  // from a spot where F happened to be small, or computed exactly (0).
  eta_ = std::max(noise(ends[0]), noise(ends[3]));
  // A noisy oracle needs longer steps for slopes good to the resolution; now that the
  // slopes' size is known, measure the ends' again with them.
  const double step_lo = slope_step(w, t_max, ends[0]), step_hi = slope_step(w, t_max, ends[3]);
  if (std::min(step_lo, step_hi) > h) {
    // At most 1% of the line: far out, every hyperplane has usually been crossed.
    h = std::min(0.01 * w, std::max(step_lo, step_hi));
    const std::vector<Vec> inner = evaluate({t_lo + h, t_hi - h});
    ends[1] = inner[0];
    ends[2] = inner[1];
    end_slopes();
  }
  const double err = 2 * eta_ / h;
  scan.slope_err = err;
  scan.eta = eta_;
  std::vector<Interval> open = {{.l = t_lo,
                                 .r = t_hi,
                                 .fl = ends[0],
                                 .fr = ends[3],
                                 .sl = scan.slope_lo,
                                 .sr = slope_hi,
                                 .sl_err = err,
                                 .sr_err = err}};
  for (int64_t round = 0; !open.empty(); ++round) {
    std::vector<Planned> plans;
    std::vector<double> ts;
    // Past the round limit, or with more open intervals than any real network has
    // kinks on one line, every interval is reported as it stands: the search always ends.
    const bool give_up = round >= s_.max_rounds || open.size() > kMaxOpen;
    for (Interval& iv : open) {
      Planned p = give_up ? Planned{std::move(iv), Plan::Floor, {}, 0, 0, 0} : plan(std::move(iv));
      p.first = ts.size();
      ts.insert(ts.end(), p.ts.begin(), p.ts.end());
      plans.push_back(std::move(p));
    }
    const std::vector<Vec> answers = evaluate(ts);
    std::vector<Interval> next;
    for (Planned& p : plans) resolve(p, answers, next);
    open = std::move(next);
  }
  std::sort(kinks_.begin(), kinks_.end(), [](const Kink& a, const Kink& b) { return a.t < b.t; });
  scan.kinks = std::move(kinks_);
  return scan;
}

}  // namespace

std::vector<double> Line::points(const std::vector<double>& ts) const {
  const size_t d = x0.size();
  std::vector<double> x(ts.size() * d);
  for (size_t i = 0; i < ts.size(); ++i) {
    for (size_t j = 0; j < d; ++j) x[i * d + j] = x0[j] + ts[i] * v[j];
  }
  return x;
}

LineScan scan_line(const LineFunction& f, int64_t c, double t_lo, double t_hi,
                   const SearchSettings& settings, core::RandomSequence& random) {
  return Searcher(f, c, settings, random).run(t_lo, t_hi);
}

LineFunction along(OracleSession& oracle, const Line& line) {
  return [&oracle, &line](const std::vector<double>& ts) { return oracle.query(line.points(ts)); };
}

}  // namespace quarry::extract
