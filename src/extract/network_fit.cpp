#include "extract/network_fit.hpp"

#include <algorithm>
#include <cmath>

#include "core/blas.hpp"

namespace quarry::extract {

namespace {

using Vec = std::vector<double>;

// The parameter vector: per neuron [w_i (d), b_i, a_i (c)], then the skip term (c x d)
// and c0 (c).
Vec pack(const NetParams<double>& n) {
  Vec theta;
  for (int64_t i = 0; i < n.k; ++i) {
    theta.insert(theta.end(), n.w.begin() + i * n.d, n.w.begin() + (i + 1) * n.d);
    theta.push_back(n.b[i]);
    for (int64_t o = 0; o < n.c; ++o) theta.push_back(n.a[o * n.k + i]);
  }
  theta.insert(theta.end(), n.skip.begin(), n.skip.end());
  theta.insert(theta.end(), n.c0.begin(), n.c0.end());
  return theta;
}

void unpack(const Vec& theta, NetParams<double>& n) {
  size_t at = 0;
  for (int64_t i = 0; i < n.k; ++i) {
    for (int64_t j = 0; j < n.d; ++j) n.w[i * n.d + j] = theta[at++];
    n.b[i] = theta[at++];
    for (int64_t o = 0; o < n.c; ++o) n.a[o * n.k + i] = theta[at++];
  }
  for (double& s : n.skip) s = theta[at++];
  for (double& s : n.c0) s = theta[at++];
}

// r = y - F(x) (m x c).
Vec residuals(const NetParams<double>& n, int64_t m, const double* x, const double* y) {
  Vec r(static_cast<size_t>(m * n.c));
  evaluate(n, m, x, r.data());
  for (size_t i = 0; i < r.size(); ++i) r[i] = y[i] - r[i];
  return r;
}

double sum_squares(const Vec& r) {
  double s = 0;
  for (double v : r) s += v * v;
  return s;
}

// J^T J (upper triangle) and J^T r of the residuals r at x, built in blocks of points so
// that J is never held whole.
void normal_equations(const NetParams<double>& n, int64_t m, const double* x, const Vec& r,
                      Vec& jtj, Vec& jtr) {
  const int64_t d = n.d, k = n.k, c = n.c;
  const int64_t p = fit_parameters(d, k, c), per_neuron = d + 1 + c;
  const int64_t skip_at = k * per_neuron, c0_at = skip_at + c * d;
  std::fill(jtj.begin(), jtj.end(), 0.0);
  std::fill(jtr.begin(), jtr.end(), 0.0);
  const int64_t block = std::max<int64_t>(1, (int64_t{1} << 21) / (p * c));
  Vec jac, z(static_cast<size_t>(k));
  for (int64_t first = 0; first < m; first += block) {
    const int64_t rows = std::min(block, m - first);
    jac.assign(static_cast<size_t>(rows * c * p), 0.0);
    for (int64_t row_at = 0; row_at < rows; ++row_at) {
      const double* xr = x + (first + row_at) * d;
      for (int64_t i = 0; i < k; ++i) {
        double s = n.b[i];
        for (int64_t j = 0; j < d; ++j) s += n.w[i * d + j] * xr[j];
        z[i] = s;
      }
      for (int64_t o = 0; o < c; ++o) {
        double* row = jac.data() + (row_at * c + o) * p;
        const double residual = r[(first + row_at) * c + o];
        for (int64_t i = 0; i < k; ++i) {
          if (z[i] <= 0) continue;
          double* block_i = row + i * per_neuron;
          const double a = n.a[o * k + i];
          for (int64_t j = 0; j < d; ++j) block_i[j] = a * xr[j];
          block_i[d] = a;
          block_i[d + 1 + o] = z[i];
        }
        for (int64_t j = 0; j < d; ++j) row[skip_at + o * d + j] = xr[j];
        row[c0_at + o] = 1;
        for (int64_t q = 0; q < p; ++q) jtr[q] += row[q] * residual;
      }
    }
    core::gram_add(rows * c, p, jac.data(), p, jtj.data());
  }
  // alpha ReLU(w . x + b) is unchanged by (w, b, alpha) -> (s w, s b, alpha / s): J has a
  // null direction per neuron. The term rho (w . dw)^2, rho the w block's mean
  // curvature, removes it (steps keep |w| to first order) without moving the minimum.
  for (int64_t i = 0; i < k; ++i) {
    const int64_t at = i * per_neuron;
    double rho = 0;
    for (int64_t j = 0; j < d; ++j) rho += jtj[(at + j) * p + at + j];
    rho /= double(d);
    double w_sq = 0;
    for (int64_t j = 0; j < d; ++j) w_sq += n.w[i * d + j] * n.w[i * d + j];
    if (!(w_sq > 0)) continue;
    for (int64_t j = 0; j < d; ++j) {
      for (int64_t l = j; l < d; ++l) {
        jtj[(at + j) * p + at + l] += rho / w_sq * n.w[i * d + j] * n.w[i * d + l];
      }
    }
  }
}

}  // namespace

int64_t fit_parameters(int64_t d, int64_t k, int64_t c) { return k * (d + 1 + c) + c * (d + 1); }

FitOutcome fit_network(NetParams<double>& net, int64_t m, const double* x, const double* y,
                       int max_iterations) {
  const int64_t p = fit_parameters(net.d, net.k, net.c);
  if (net.skip.empty()) net.skip.assign(static_cast<size_t>(net.c * net.d), 0.0);
  FitOutcome out;
  Vec r = residuals(net, m, x, y);  // at the current parameters
  double sse = sum_squares(r);
  const double total = double(m * net.c);
  out.rms_before = std::sqrt(sse / total);
  Vec jtj(static_cast<size_t>(p * p)), jtr(static_cast<size_t>(p)), damped, step;
  Vec theta = pack(net);
  NetParams<double> trial = net;
  double lambda = 1e-3;
  bool converged = false;
  for (; out.iterations < max_iterations && !converged && sse > 0; ++out.iterations) {
    normal_equations(net, m, x, r, jtj, jtr);
    // Marquardt's scaling: damp each parameter by its own curvature, plus a floor for
    // parameters the points do not see (a neuron active at none of them).
    double mean_diagonal = 0;
    for (int64_t q = 0; q < p; ++q) mean_diagonal += jtj[q * p + q];
    mean_diagonal /= double(p);
    bool improved = false;
    while (!improved && lambda < 1e10) {
      damped = jtj;
      step = jtr;
      for (int64_t q = 0; q < p; ++q) {
        damped[q * p + q] += lambda * jtj[q * p + q] + 1e-12 * mean_diagonal;
      }
      if (core::spd_solve(p, damped.data(), step.data())) {
        Vec next = theta;
        for (int64_t q = 0; q < p; ++q) next[q] += step[q];
        unpack(next, trial);
        Vec trial_r = residuals(trial, m, x, y);
        const double trial_sse = sum_squares(trial_r);
        if (trial_sse < sse) {
          const double gain = (sse - trial_sse) / sse;
          double moved = 0, size = 0;
          for (int64_t q = 0; q < p; ++q) {
            moved += step[q] * step[q];
            size += next[q] * next[q];
          }
          sse = trial_sse;
          r = std::move(trial_r);
          theta = std::move(next);
          net = trial;
          lambda = std::max(lambda / 10, 1e-12);
          improved = true;
          // Converged when a full (little damped) step no longer moves anything.
          converged = lambda <= 1e-3 && (gain < 1e-12 || moved <= 1e-28 * size);
          continue;
        }
      }
      lambda *= 10;
    }
    if (!improved) break;
  }
  out.rms_after = std::sqrt(sse / total);
  return out;
}

}  // namespace quarry::extract
