#include "regress/lp.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

#include "core/blas.hpp"
#include "core/error.hpp"
#include "lstsq/factor.hpp"
#include "lstsq/operator.hpp"
#include "lstsq/weighted.hpp"

namespace quarry::regress {

namespace {

using core::DenseView;

size_t sz(int64_t n) { return static_cast<size_t>(n); }

// Each stage divides the smoothing mu by this.
constexpr double kMuFactor = 0.1;
// A stage ends when the smoothed problem's Newton decrement (lambda^2 / 2, its distance to
// the smoothed minimum) is below this fraction of the certified duality gap: the
// smoothing, not the iterate, then limits the gap.
constexpr double kStageEnd = 0.1;
// The smallest mu, in units of max |b_i| (its square must stay a normal double).
constexpr double kMinMu = 1e-140;
// The line search: at most kLineSearchSteps Newton (or bisection) steps on the slope,
// stopping once it is below kSlopeEnd of its size at 0.
constexpr int kLineSearchSteps = 20;
constexpr double kSlopeEnd = 0.1;
// Armijo's sufficient decrease, and the halvings tried before a step counts as failed.
constexpr double kArmijo = 1e-4;
constexpr int kMaxHalvings = 40;
// A certificate counts only when ||A^T u|| <= kFeasible ||A||_F ||u||: the bound assumes
// A^T u = 0, and a u that is what cancellation left of phi' (a Newton step that fits the
// data exactly) is noise that A^T does not annihilate.
constexpr double kFeasible = 1e-10;
// Residuals at most kExactFit u (1 + ||A||_F ||x||) in units of max |b_i| are an exact
// fit: the minimum, 0, up to rounding.
constexpr double kExactFit = 16;
// The solve rescales to units of the largest residual when that leaves
// [2^(-kRescale / p), 2^(kRescale / p)]: its p-th power then stays within 2^(+-kRescale).
constexpr double kRescale = 100;
// A stage also ends, and a step counts as no decrease, at the rounding level of the
// smoothed objective's sum: kRounding u sum_i phi(r_i).
constexpr double kRounding = 64;
// No duality gap below kGapFloor p sqrt(m) u is asked for: the rounding of the
// certificate's sums (m terms) is about that large.
constexpr double kGapFloor = 8;

// phi(r) = (r^2 + mu^2)^(p/2), the smoothed |r|^p, and its first two derivatives.
struct Smoothed {
  double p, mu2;

  double value(double r) const {
    const double s = r * r + mu2;
    return p == 1 ? std::sqrt(s) : p == 2 ? s : std::pow(s, p / 2);
  }
  // phi', and phi'' = p (r^2 + mu^2)^(p/2 - 2) ((p - 1) r^2 + mu^2), written without
  // (r^2 + mu^2)^2 (which underflows for small mu).
  void derivatives(double r, double f, double& d1, double& d2) const {
    const double s = r * r + mu2;
    d1 = p * r * (f / s);
    d2 = p * (f / s) * (((p - 1) * r * r + mu2) / s);
  }
};

// h'(t) and h''(t) of h(t) = sum_i phi(r_i - t u_i), the smoothed objective along a step.
void slope(const Smoothed& phi, const std::vector<double>& r, const std::vector<double>& u,
           double t, double& h1, double& h2) {
  h1 = 0;
  h2 = 0;
  for (size_t i = 0; i < r.size(); ++i) {
    const double ri = r[i] - t * u[i];
    double d1 = 0, d2 = 0;
    phi.derivatives(ri, phi.value(ri), d1, d2);
    h1 -= d1 * u[i];
    h2 += d2 * u[i] * u[i];
  }
}

double two_norm(const std::vector<double>& v) {
  return lstsq::detail::norm2(v.data(), static_cast<int64_t>(v.size()));
}

// ||v||_q for q in [1, inf] (q = inf: max |v_i|), scaled by the largest entry.
double qnorm(const std::vector<double>& v, double q) {
  double big = 0;
  for (const double e : v) big = std::max(big, std::abs(e));
  if (big == 0 || std::isinf(q)) return big;
  double s = 0;
  for (const double e : v) s += std::pow(std::abs(e) / big, q);
  return big * std::pow(s, 1 / q);
}

// The duality gap of min ||r||_p at residuals r for the dual point u (any vector with
// A^T u = 0): ||r*||_p >= b^T u / ||u||_q = r^T u / ||u||_q (b^T u = (b - A x)^T u), so
// 1 - (that bound / ||r||_p)^p bounds the objective's relative distance to its minimum.
double relative_gap(const std::vector<double>& r, const std::vector<double>& u, double p,
                    double rnorm) {
  if (rnorm == 0) return 0;
  const double q = p == 1 ? std::numeric_limits<double>::infinity() : p / (p - 1);
  const double un = qnorm(u, q);
  if (un == 0) return 1;
  double ru = 0;
  for (size_t i = 0; i < r.size(); ++i) ru += r[i] * (u[i] / un);
  const double ratio = ru / rnorm;
  if (!(ratio > 0)) return 1;
  return std::max(0.0, -std::expm1(p * std::log(std::min(ratio, 1.0))));
}

// For l_1: the vertex through the n rows with the smallest residuals (x with those
// residuals zero) and its duality gap from the exact dual u (u_i = sign(r_i) off those
// rows, on them solving A_Z^T u_Z = -sum_{i not in Z} u_i a_i). Linear programming's
// optimality test: the vertex is optimal when |u_Z| <= 1. Returns the gap (1: no vertex).
double vertex(const lstsq::Operator& op, DenseView<const double> a, const double* b,
              const std::vector<double>& r, std::vector<double>& xv, std::vector<double>& rv) {
  const int64_t m = a.rows, n = a.cols;
  std::vector<int64_t> idx(sz(m));
  std::iota(idx.begin(), idx.end(), 0);
  std::nth_element(idx.begin(), idx.begin() + (n - 1), idx.end(),
                   [&](int64_t i, int64_t j) { return std::abs(r[sz(i)]) < std::abs(r[sz(j)]); });
  // A_Z (n x n, column-major) and b_Z; then x = A_Z^-1 b_Z by the SVD (rank checked).
  std::vector<double> az(sz(n * n)), work(sz(n * n)), sv(sz(n));
  for (int64_t k = 0; k < n; ++k) {
    for (int64_t j = 0; j < n; ++j) az[sz(k + j * n)] = a(idx[sz(k)], j);
    xv[sz(k)] = b[idx[sz(k)]];
  }
  work = az;
  if (core::lstsq_svd(n, n, 1, work.data(), n, xv.data(), n, sv.data(), 1e-13) < n) return 1;
  std::vector<double> s(sz(m)), c(sz(n));
  op.residual(xv.data(), b, 1, rv.data(), c.data());
  // Residuals at rounding level (more than n rows fitted exactly: a degenerate vertex) get
  // u_i = 0 rather than the sign of their rounding error; 0 is in [-1, 1] all the same.
  double bmax = 0;
  for (int64_t i = 0; i < m; ++i) bmax = std::max(bmax, std::abs(b[i]));
  const double zero_level = kExactFit * std::numeric_limits<double>::epsilon() * bmax;
  for (int64_t i = 0; i < m; ++i) {
    const double v = rv[sz(i)];
    s[sz(i)] = v > zero_level ? 1.0 : v < -zero_level ? -1.0 : 0.0;
  }
  for (int64_t k = 0; k < n; ++k) s[sz(idx[sz(k)])] = 0;
  const std::vector<double> zero(sz(n), 0.0);
  std::vector<double> scratch(sz(m));
  op.residual(zero.data(), s.data(), 1, scratch.data(), c.data());  // c = A^T s
  // A_Z^T u_Z = -c: the transpose of az, column-major.
  for (int64_t k = 0; k < n; ++k) {
    for (int64_t j = 0; j < n; ++j) work[sz(j + k * n)] = az[sz(k + j * n)];
  }
  for (int64_t j = 0; j < n; ++j) c[sz(j)] = -c[sz(j)];
  if (core::lstsq_svd(n, n, 1, work.data(), n, c.data(), n, sv.data(), 1e-13) < n) return 1;
  for (int64_t k = 0; k < n; ++k) s[sz(idx[sz(k)])] = c[sz(k)];
  double rn = 0;
  for (const double e : rv) rn += std::abs(e);
  return relative_gap(rv, s, 1, rn);
}

}  // namespace

LpResult lp(int64_t threads, DenseView<const double> a, const double* b, double* x,
            const LpSettings& st) {
  const auto t0 = std::chrono::steady_clock::now();
  const int64_t m = a.rows, n = a.cols;
  const double p = st.p;
  LpResult res;
  const auto finish = [&] {
    res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return res;
  };
  std::fill(x, x + n, 0.0);
  // Units of max |b_i| (later, of the largest residual): every power of a residual stays
  // in range.
  double unit = 0;
  for (int64_t i = 0; i < m; ++i) unit = std::max(unit, std::abs(b[i]));
  core::require(std::isfinite(unit), QUARRY_ERR_NONFINITE, "b holds NaN or infinity");
  const double bmax = unit;
  lstsq::WeightedSystem system(threads, a, st.inner);
  res.method = system.method();
  if (unit == 0) return finish();
  std::vector<double> bs(sz(m));
  for (int64_t i = 0; i < m; ++i) bs[sz(i)] = b[i] / unit;

  const lstsq::Operator op(threads, a);
  const double a_norm = op.frobenius();
  const double eps = std::numeric_limits<double>::epsilon();
  std::vector<double> r = bs, f(sz(m)), d1(sz(m)), d2(sz(m)), ad(sz(m)), u(sz(m));
  std::vector<double> g(sz(n)), d(sz(n)), xs(sz(n), 0.0), xv(sz(n)), rv(sz(m)), scratch(sz(m));
  const std::vector<double> zero(sz(n), 0.0);
  const double tolerance = std::max(
      st.tolerance, kGapFloor * p * std::sqrt(double(m)) * std::numeric_limits<double>::epsilon());
  // Start smoothed as much as the largest residual (1, in units of max |b_i|): every
  // residual is then in the quadratic part of phi and Newton's first step is about the
  // least-squares one (with a smaller mu, heavy-tailed b would take the power law's slow
  // linear convergence from x = 0 instead).
  double mu = 1;
  double gap = 1;
  const auto p_norm = [&](const std::vector<double>& v) {
    return p == 1 ? std::accumulate(v.begin(), v.end(), 0.0,
                                    [](double s, double e) { return s + std::abs(e); })
                  : qnorm(v, p);
  };
  double rnorm = p_norm(r);
  while (true) {
    if (res.iterations == st.max_iterations) {
      res.converged = false;
      break;
    }
    // An exact fit is the minimum (0) whatever the certificate says.
    double rmax = 0;
    for (const double e : r) rmax = std::max(rmax, std::abs(e));
    if (rmax <= kExactFit * eps * (bmax / unit + a_norm * two_norm(xs))) {
      gap = 0;
      break;
    }
    // Back to units of the largest residual when the residuals have shrunk (or grown) far
    // from 1: |r_i|^p underflows otherwise for large p (0.07^300 = 1e-346). Every
    // quantity below (phi and its derivatives first) is computed afresh in the new units;
    // mu keeps its size relative to the residuals.
    if (std::abs(std::log2(rmax)) * p > kRescale) {
      for (double& e : r) e /= rmax;
      for (double& e : bs) e /= rmax;
      for (double& e : xs) e /= rmax;
      mu = std::max(mu / rmax, kMinMu);
      unit *= rmax;
      rnorm = p_norm(r);
    }
    // phi and its derivatives at r, with sum_i phi and what the smoothing adds at x,
    // F_mu - F, in one pass over the rows.
    const Smoothed phi{p, mu * mu};
    double sum_f = 0, bias = 0;
    for (int64_t i = 0; i < m; ++i) {
      f[sz(i)] = phi.value(r[sz(i)]);
      phi.derivatives(r[sz(i)], f[sz(i)], d1[sz(i)], d2[sz(i)]);
      sum_f += f[sz(i)];
      bias += f[sz(i)] - std::pow(std::abs(r[sz(i)]), p);
    }
    op.residual(zero.data(), d1.data(), 1, scratch.data(), g.data());  // g = A^T phi'
    ++res.iterations;
    // The Newton step of the smoothed objective: (A^T Phi'' A) d = A^T phi'.
    const double inner = std::clamp(1e-3 * gap, 1e-12, 1e-3);
    const lstsq::WeightedSystem::Outcome o =
        system.solve(d2.data(), g.data(), d.data(), inner, std::max<int64_t>(100, 4 * n));
    res.inner_iterations += o.iterations;
    op.product(d.data(), ad.data());
    double decrement = 0;  // lambda^2 = g^T d
    for (int64_t j = 0; j < n; ++j) decrement += g[sz(j)] * d[sz(j)];
    // The dual point phi' - Phi'' A d: A^T of it is the Newton system's residual.
    for (int64_t i = 0; i < m; ++i) u[sz(i)] = d1[sz(i)] - d2[sz(i)] * ad[sz(i)];
    gap = relative_gap(r, u, p, rnorm);
    // (The bound needs A^T u = 0: only a converged Newton solve certifies it.)
    if (gap <= tolerance && o.converged) {
      op.residual(zero.data(), u.data(), 1, scratch.data(), g.data());  // g = A^T u
      if (two_norm(g) <= kFeasible * a_norm * two_norm(u)) break;
      gap = 1;  // no certificate: carry on
    }
    bool stage_over = !(decrement > 0) ||
                      decrement / 2 <= kStageEnd * std::min(bias, gap * std::pow(rnorm, p)) ||
                      decrement / 2 <= kRounding * eps * sum_f;
    if (!stage_over) {
      // The step length: the smoothed objective is convex along d, so its minimum in
      // (0, 1] is found from the slope (Newton's method on it, kept inside a bracket):
      // a full Newton step can overshoot by a factor 1 / (p - 1) on residuals beyond mu
      // (for p = 1.5 it maps such a residual r to -r, which backtracking accepts as a
      // "decrease" of rounding size). Then backtracking from there, the change summed row
      // by row.
      double t = 1, h1 = 0, h2 = 0;
      slope(phi, r, ad, t, h1, h2);
      if (h1 > 0) {  // the minimum lies in (0, 1): h'(lo) < 0 < h'(hi), h'(0) = -lambda^2
        double lo = 0, hi = 1;
        for (int k = 0; k < kLineSearchSteps; ++k) {
          double next = h2 > 0 ? t - h1 / h2 : -1;
          if (!(next > lo && next < hi)) next = (lo + hi) / 2;
          t = next;
          slope(phi, r, ad, t, h1, h2);
          if (std::abs(h1) <= kSlopeEnd * decrement) break;
          (h1 > 0 ? hi : lo) = t;
        }
      }
      bool accepted = false;
      for (int h = 0; h <= kMaxHalvings && !accepted; ++h, t /= 2) {
        double change = 0;
        for (int64_t i = 0; i < m; ++i) change += phi.value(r[sz(i)] - t * ad[sz(i)]) - f[sz(i)];
        if (change <= -kArmijo * t * decrement && -change > kRounding * eps * sum_f) {
          accepted = true;
          for (int64_t j = 0; j < n; ++j) xs[sz(j)] += t * d[sz(j)];
          for (int64_t i = 0; i < m; ++i) r[sz(i)] -= t * ad[sz(i)];
          rnorm = p_norm(r);
        }
      }
      stage_over = !accepted;
    }
    if (stage_over) {
      if (p == 1) {  // a vertex may already be optimal
        const double vg = vertex(op, a, bs.data(), r, xv, rv);
        if (vg <= tolerance) {
          xs = xv;
          r = rv;
          rnorm = p_norm(r);
          gap = vg;
          break;
        }
      }
      if (mu * kMuFactor < kMinMu) {  // nothing smoother left to try
        res.converged = false;
        res.stalled = true;
        break;
      }
      mu *= kMuFactor;
    }
  }
  for (int64_t j = 0; j < n; ++j) x[j] = xs[sz(j)] * unit;
  res.factorizations = system.factorizations();
  res.gap = gap;
  res.objective = rnorm == 0 ? 0 : std::pow(unit * rnorm, p);
  double r2 = 0;
  for (const double e : r) r2 += e * e;
  res.residual_norm = unit * std::sqrt(r2);
  return finish();
}

}  // namespace quarry::regress
