#include "regress/huber.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "core/blas.hpp"
#include "core/error.hpp"

namespace quarry::regress {

namespace {

using core::DenseView;
using core::Layout;
using core::Op;

// The objective of regress.h at residuals r, scale sigma and ||x||^2: the concomitant
// one when `concomitant`, else the fixed-scale one. Also counts the outliers.
struct Objective {
  double epsilon, ridge;
  bool concomitant;

  double operator()(const std::vector<double>& r, double sigma, double xx,
                    int64_t* outliers = nullptr) const {
    const double t = epsilon * sigma;
    double inside = 0, outside = 0;
    int64_t count = 0;
    for (const double ri : r) {
      const double v = std::abs(ri);
      if (v <= t) {
        inside += v * v;
      } else {
        outside += v;
        ++count;
      }
    }
    if (outliers != nullptr) *outliers = count;
    const auto m = static_cast<double>(r.size());
    const auto out = static_cast<double>(count);
    // (Written so that a huge t with no outliers gives 0, not inf * 0.)
    if (!concomitant) return inside / 2 + t * (outside - t / 2 * out) + ridge * xx;
    if (sigma == 0) return ridge * xx + 2 * epsilon * outside;  // the limit sigma -> 0
    return m * sigma + inside / sigma + epsilon * (2 * outside - t * out) + ridge * xx;
  }
};

// F(x + alpha dx, sigma + alpha ds) - F(x, sigma), summed row by row from the residuals r
// and u = A dx so that it does not cancel: the objective is dominated by its outliers'
// linear terms, and its value alone rounds away the changes that still improve x.
double change(const Objective& f, const std::vector<double>& r, const std::vector<double>& u,
              double alpha, double sigma, double ds, double dxx) {
  const double s1 = sigma + alpha * ds;
  const double t0 = f.epsilon * sigma, t1 = f.epsilon * s1;
  const double q = f.concomitant ? 1 / sigma : 0.5, q1 = f.concomitant ? 1 / s1 : 0.5;
  const double w = f.concomitant ? 2 * f.epsilon : t0;               // the outliers' slope
  const double dq = f.concomitant ? -alpha * ds / (sigma * s1) : 0;  // q1 - q, uncancelled
  double total = 0;
  int64_t out0 = 0, out1 = 0;  // outliers before and after the step
  for (size_t i = 0; i < r.size(); ++i) {
    const double a = r[i], d = -alpha * u[i], b = a + d;
    const bool in0 = std::abs(a) <= t0, in1 = std::abs(b) <= t1;
    out0 += !in0;
    out1 += !in1;
    if (in0 && in1) {  // b^2 q1 - a^2 q, as d (2a + d) q1 + a^2 (q1 - q)
      total += d * (2 * a + d) * q1 + a * a * dq;
    } else if (!in0 && !in1 && (a > 0) == (b > 0)) {  // w (|b| - |a|) = w sign(a) d
      total += w * (a > 0 ? d : -d);
    } else {  // the row crosses the threshold: both values directly
      const auto value = [&](double ri, double t, double qi) {
        const double v = std::abs(ri);
        return v <= t ? v * v * qi : (f.concomitant ? w * v : t * (v - t / 2));
      };
      total += value(b, t1, q1) - value(a, t0, q);
    }
  }
  // The scale's own terms (concomitant: m sigma - eps t per outlier) and the ridge's.
  if (f.concomitant) {
    // - eps (t1 out1 - t0 out0) = - eps^2 (alpha ds out1 + sigma (out1 - out0))
    const auto m = static_cast<double>(r.size());
    const double outs =
        alpha * ds * static_cast<double>(out1) + sigma * static_cast<double>(out1 - out0);
    total += m * alpha * ds - (outs == 0 ? 0 : f.epsilon * f.epsilon * outs);
  }
  return total + f.ridge * dxx;
}

double dot(const double* u, const double* v, int64_t n) {
  double s = 0;
  for (int64_t i = 0; i < n; ++i) s += u[i] * v[i];
  return s;
}

// Rows gathered per dsyrk call: about 2 MB, in a buffer allocated once per solve.
int64_t gram_block(int64_t m, int64_t n) {
  return std::clamp<int64_t>((int64_t{1} << 18) / std::max<int64_t>(n, 1), 1,
                             std::max<int64_t>(m, 1));
}

// Over the rows i of A with mask[i] == want: g += a_i a_i^T (upper triangle, row-major
// n x n) and aty += a_i y_i. rows holds gram_block(m, n) x n doubles.
void gather_gram(DenseView<const double> a, const std::vector<char>& mask, char want,
                 const double* y, std::vector<double>& rows, std::vector<double>& ys,
                 std::vector<double>& g, double* aty) {
  const int64_t n = a.cols;
  const int64_t block = gram_block(a.rows, n);
  int64_t count = 0;
  const auto flush = [&] {
    core::gram_add(count, n, rows.data(), n, g.data());
    core::gemv(Layout::RowMajor, Op::Trans, count, n, 1.0, rows.data(), n, ys.data(), 1.0, aty);
    count = 0;
  };
  for (int64_t i = 0; i < a.rows; ++i) {
    if (mask[static_cast<size_t>(i)] != want) continue;
    double* row = rows.data() + count * n;
    if (a.layout == Layout::RowMajor) {
      std::memcpy(row, a.data + i * a.ld, static_cast<size_t>(n) * sizeof(double));
    } else {
      for (int64_t j = 0; j < n; ++j) row[j] = a.data[i + j * a.ld];
    }
    ys[static_cast<size_t>(count)] = y[i];
    if (++count == block) flush();
  }
  if (count > 0) flush();
}

// g (upper triangle, row-major n x n) = A^T A, straight from A (dsyrk, no copy). A holding
// NaN or infinity shows on g's diagonal: then the entry is named (QUARRY_ERR_NONFINITE).
void full_gram(DenseView<const double> a, std::vector<double>& g) {
  const int64_t n = a.cols;
  std::fill(g.begin(), g.end(), 0.0);
  if (a.layout == Layout::RowMajor) {
    core::gram_add(a.rows, n, a.data, a.ld, g.data());
  } else {  // column-major upper = row-major lower: mirror it
    std::vector<double> c(g.size());
    core::gram(Layout::ColMajor, a.rows, n, a.data, a.ld, c.data());
    for (int64_t p = 0; p < n; ++p) {
      for (int64_t q = p; q < n; ++q)
        g[static_cast<size_t>(p * n + q)] = c[static_cast<size_t>(p + q * n)];
    }
  }
  for (int64_t j = 0; j < n; ++j) {
    if (!std::isfinite(g[static_cast<size_t>(j * n + j)])) {
      core::require_finite("A", a);  // names the entry
      core::require(false, QUARRY_ERR_NONFINITE, "the squares of A's column {} overflow", j);
    }
  }
}

// A robust first scale: 1.4826 times the median absolute residual (the standard deviation
// for Gaussian residuals), else the largest one. scratch: r.size() doubles.
double initial_scale(const std::vector<double>& r, std::vector<double>& scratch) {
  std::transform(r.begin(), r.end(), scratch.begin(), [](double t) { return std::abs(t); });
  auto mid = scratch.begin() + static_cast<std::ptrdiff_t>(scratch.size() / 2);
  std::nth_element(scratch.begin(), mid, scratch.end());
  return *mid > 0 ? 1.4826 * *mid : *std::max_element(scratch.begin(), scratch.end());
}

}  // namespace

HuberResult huber(DenseView<const double> a, const double* b, double* x, const HuberSettings& s) {
  const auto start = std::chrono::steady_clock::now();
  const int64_t m = a.rows, n = a.cols;
  const bool concomitant = s.scale == 0;
  // The solve runs on b / beta (beta = max |b_i|), x / beta and sigma / beta, so that the
  // squares and cubes of the residuals and the scale stay in range for any finite b. In
  // those units the ridge term of the concomitant objective (degree 1 in b) is
  // beta lambda ||x||^2; the fixed-scale objective is of degree 2, its ridge unchanged.
  double beta = 0;
  for (int64_t i = 0; i < m; ++i) beta = std::max(beta, std::abs(b[i]));
  if (beta == 0) beta = 1;
  const double ridge = concomitant ? s.ridge * beta : s.ridge;
  const Objective f{s.epsilon, ridge, concomitant};
  const int64_t dim = n + (concomitant ? 1 : 0);  // Newton variables: x, and sigma
  const auto size = [](int64_t k) { return static_cast<size_t>(k); };

  // Start: the (ridge) least-squares solution from the normal equations.
  std::vector<double> r(size(m)), rt(size(m)), u(size(m)), psi(size(m));
  std::vector<double> all(size(n * n)), gram(size(n * n)), h(size(dim * dim)), hh(h.size());
  std::vector<double> g(size(dim)), atv(size(n)), atr(size(n)), step(size(dim)), xt(size(n));
  std::vector<double> rows(size(gram_block(m, n) * n)), ys(size(gram_block(m, n)));
  std::vector<char> inside(size(m), 1);
  full_gram(a, all);
  gram = all;
  for (int64_t j = 0; j < n; ++j) gram[size(j * n + j)] += ridge;
  for (int64_t i = 0; i < m; ++i) r[size(i)] = b[i] / beta;
  core::gemv(a.layout, Op::Trans, m, n, 1.0, a.data, a.ld, r.data(), 0.0, x);
  if (!core::spd_solve(n, gram.data(), x)) std::fill(x, x + n, 0.0);
  core::gemv(a.layout, Op::NoTrans, m, n, -1.0, a.data, a.ld, x, 1.0, r.data());
  double sigma = concomitant ? initial_scale(r, rt) : s.scale / beta;
  // The shift that makes a singular Hessian positive definite: relative to A^T A's.
  double diag = 0;
  for (int64_t j = 0; j < n; ++j) diag = std::max(diag, all[size(j * n + j)]);

  HuberResult res;
  double fx = f(r, sigma, dot(x, x, n));
  while (sigma > 0) {
    // Gradient and Hessian at (x, sigma): psi = the residuals clipped to +-t; the Gram
    // matrix and A^T r of the inside rows from those of the fewer outside rows when they
    // are fewer (G_in = G - G_out), else directly.
    const double t = s.epsilon * sigma;
    double inside_ss = 0;
    int64_t outside = 0;
    for (int64_t i = 0; i < m; ++i) {
      const double ri = r[size(i)];
      inside[size(i)] = std::abs(ri) <= t;
      psi[size(i)] = std::clamp(ri, -t, t);
      if (inside[size(i)]) {
        inside_ss += ri * ri;
      } else {
        ++outside;
      }
    }
    core::gemv(a.layout, Op::Trans, m, n, 1.0, a.data, a.ld, psi.data(), 0.0, atv.data());
    std::fill(atr.begin(), atr.end(), 0.0);
    bool direct = 2 * outside > m;
    if (!direct) {
      std::fill(gram.begin(), gram.end(), 0.0);
      gather_gram(a, inside, 0, psi.data(), rows, ys, gram, atr.data());  // G_out, A_out^T psi
      for (size_t k = 0; k < gram.size(); ++k) gram[k] = all[k] - gram[k];
      for (int64_t j = 0; j < n; ++j) atr[size(j)] = atv[size(j)] - atr[size(j)];
      // The difference loses what G_out holds beyond G_in: exact enough while the inside
      // rows keep a fair share of every column (heavy outlier rows of A: gather instead).
      for (int64_t j = 0; j < n && !direct; ++j) {
        direct = gram[size(j * n + j)] < 1e-4 * all[size(j * n + j)];
      }
    }
    if (direct) {
      std::fill(gram.begin(), gram.end(), 0.0);
      std::fill(atr.begin(), atr.end(), 0.0);
      gather_gram(a, inside, 1, r.data(), rows, ys, gram, atr.data());
    }
    // Scale factors of the two objectives: concomitant F = (2 / sigma) sum rho_t + ...
    const double c = concomitant ? 2 / sigma : 1.0;
    std::fill(h.begin(), h.end(), 0.0);
    for (int64_t p = 0; p < n; ++p) {
      for (int64_t q = p; q < n; ++q) h[size(p * dim + q)] = c * gram[size(p * n + q)];
      h[size(p * dim + p)] += 2 * ridge;
      g[size(p)] = -c * atv[size(p)] + 2 * ridge * x[p];
    }
    if (concomitant) {
      // d/dsigma and the sigma row: F_s = m - sum_in r^2 / s^2 - eps^2 n_out,
      // F_xs = (2 / s^2) A_in^T r_in, F_ss = (2 / s^3) sum_in r^2.
      for (int64_t p = 0; p < n; ++p) {
        h[size(p * dim + n)] = 2 / (sigma * sigma) * atr[size(p)];
      }
      h[size(n * dim + n)] = 2 * inside_ss / (sigma * sigma * sigma);
      g[size(n)] = static_cast<double>(m) - inside_ss / (sigma * sigma) -
                   (outside == 0 ? 0 : s.epsilon * s.epsilon * static_cast<double>(outside));
    }
    // Newton step: H step = -g; a tiny shift when H is singular (too few inside rows).
    hh = h;
    for (int64_t i = 0; i < dim; ++i) step[size(i)] = -g[size(i)];
    // The shift grows from 1e-12 of c A^T A's largest diagonal entry (or 1) by 100 a try;
    // a Hessian still singular after 8 tries gives way to the steepest descent direction.
    double shift = 0;
    for (int tries = 0; !core::spd_solve(dim, hh.data(), step.data()); ++tries) {
      hh = h;
      if (tries < 8) {
        shift = tries == 0 ? 1e-12 * std::max(c * diag + 2 * ridge, 1e-300) : shift * 100;
        for (int64_t i = 0; i < dim; ++i) hh[size(i * dim + i)] += shift;
      } else {
        std::fill(hh.begin(), hh.end(), 0.0);
        for (int64_t i = 0; i < dim; ++i) hh[size(i * dim + i)] = 1.0;
      }
      for (int64_t i = 0; i < dim; ++i) step[size(i)] = -g[size(i)];
    }
    const double decrement = -dot(g.data(), step.data(), dim);  // >= 0: F - F* ~ decrement / 2
    // Within the tolerance, one last full step still polishes x (exact once the outlier set
    // has settled) if it does not raise F; beyond it, a backtracking (Armijo) search.
    // (A tolerance below the rounding of F itself, 0 included, means as tight as that.)
    const double tolerance = std::max(s.tolerance, 4 * std::numeric_limits<double>::epsilon());
    const bool last = decrement / 2 <= tolerance * std::abs(fx);
    if (res.iterations == s.max_iterations) {  // the limit, polished or not
      res.converged = last;
      break;
    }
    ++res.iterations;
    core::gemv(a.layout, Op::NoTrans, m, n, 1.0, a.data, a.ld, step.data(), 0.0, u.data());
    double alpha = 1;
    const double ds = concomitant ? step[size(n)] : 0;
    if (ds < 0) alpha = std::min(1.0, 0.99 * sigma / -ds);  // sigma stays positive
    double df = 0;
    for (int tries = 0;; ++tries, alpha /= 2) {
      for (int64_t j = 0; j < n; ++j) xt[size(j)] = x[j] + alpha * step[size(j)];
      df = change(f, r, u, alpha, sigma, ds, dot(xt.data(), xt.data(), n) - dot(x, x, n));
      if (df <= -1e-4 * alpha * decrement || last || tries == 60) break;
    }
    if (last) {
      if (df <= 0) {
        std::copy(xt.begin(), xt.end(), x);
        for (int64_t i = 0; i < m; ++i) r[size(i)] -= alpha * u[size(i)];
        sigma += alpha * ds;
      }
      break;
    }
    if (!(df < 0)) {  // no step lowers F, even summed row by row
      res.stalled = decrement / 2 > 1e-8 * std::abs(fx);  // ... far from its minimum
      res.converged = !res.stalled;
      break;
    }
    for (int64_t i = 0; i < m; ++i) rt[size(i)] = r[size(i)] - alpha * u[size(i)];
    const double ft = fx + df;
    std::copy(xt.begin(), xt.end(), x);
    r.swap(rt);
    sigma += alpha * ds;
    fx = ft;
  }
  // The reported values, back in the units of b (r is kept up to date step by step: a
  // few roundings of a step each, not worth another pass over A).
  res.objective = f(r, sigma, dot(x, x, n), &res.outliers) * (concomitant ? beta : beta * beta);
  res.residual_norm = std::sqrt(dot(r.data(), r.data(), m)) * beta;
  res.scale = concomitant ? sigma * beta : s.scale;
  for (int64_t j = 0; j < n; ++j) x[j] *= beta;
  res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return res;
}

}  // namespace quarry::regress
