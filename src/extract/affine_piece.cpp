#include "extract/affine_piece.hpp"

#include <algorithm>
#include <cmath>

#include "extract/vector.hpp"

namespace quarry::extract {

namespace {

struct Attempt {
  size_t request;
  std::vector<double> steps;
  std::vector<double> direction;  // unit, random
  std::vector<double> previous;   // the gradient of a failed attempt with larger steps
  std::vector<double> previous_steps;

  // The length of the step along the random direction: the shortest axis step.
  double check_step() const {
    double h = std::abs(steps[0]);
    for (double s : steps) h = std::min(h, std::abs(s));
    return h;
  }
};

// The d + 2 points of one attempt: p, p + h_j e_j (j < d), p + h r.
void stencil(const std::vector<double>& p, const Attempt& a, std::vector<double>& x) {
  const size_t d = p.size();
  x.insert(x.end(), p.begin(), p.end());
  for (size_t j = 0; j < d; ++j) {
    x.insert(x.end(), p.begin(), p.end());
    x[x.size() - d + j] += a.steps[j];
  }
  const double h = a.check_step();
  for (size_t j = 0; j < d; ++j) x.push_back(p[j] + h * a.direction[j]);
}

// The forward-difference gradient (c x d) of one attempt's d + 2 answers y.
std::vector<double> gradient_of(const Attempt& a, const double* y, size_t d, int64_t c) {
  std::vector<double> g(c * d);
  for (int64_t o = 0; o < c; ++o) {
    for (size_t j = 0; j < d; ++j) g[o * d + j] = (y[(1 + j) * c + o] - y[o]) / a.steps[j];
  }
  return g;
}

// Checks a gradient against the attempt's own answers: G v must equal the known slope
// along v, and the random direction's answer must lie on the plane. `g_err[j]` bounds
// the error of the gradient's entries along axis j.
bool verified(const PieceRequest& r, const Attempt& a, const std::vector<double>& g,
              const std::vector<double>& g_err, const double* y, int64_t c, double eta,
              double tolerance) {
  const size_t d = r.p.size();
  const double h = a.check_step();
  for (int64_t o = 0; o < c; ++o) {
    double along_v = 0, along_r = 0, v_err = 0, r_err = 0;
    for (size_t j = 0; j < d; ++j) {
      along_r += g[o * d + j] * a.direction[j];
      r_err += std::abs(a.direction[j]) * g_err[j];
    }
    for (size_t j = 0; j < r.v.size(); ++j) {
      along_v += g[o * d + j] * r.v[j];
      v_err += std::abs(r.v[j]) * g_err[j];
    }
    if (!r.v.empty() && std::abs(along_v - r.slope_v[o]) > tolerance * (v_err + r.slope_err)) {
      return false;
    }
    const double predicted = y[o] + h * along_r;
    if (std::abs(y[(d + 1) * c + o] - predicted) > tolerance * (2 * eta + h * r_err)) {
      return false;
    }
  }
  return true;
}

std::vector<double> errors_of(const std::vector<double>& steps, double eta) {
  std::vector<double> err(steps.size());
  for (size_t j = 0; j < steps.size(); ++j) err[j] = 2 * eta / std::abs(steps[j]);
  return err;
}

}  // namespace

std::vector<double> AffinePiece::at(const std::vector<double>& x) const {
  const size_t d = p.size();
  std::vector<double> y = f0;
  for (size_t o = 0; o < y.size(); ++o) {
    for (size_t j = 0; j < d; ++j) y[o] += g[o * d + j] * (x[j] - p[j]);
  }
  return y;
}

std::vector<std::optional<AffinePiece>> measure_pieces(OracleSession& oracle,
                                                       const std::vector<PieceRequest>& requests,
                                                       double common_floor, double tolerance,
                                                       int retries, double shrink,
                                                       core::RandomSequence& random) {
  const int64_t c = oracle.c();
  const size_t d = static_cast<size_t>(oracle.d());
  std::vector<std::optional<AffinePiece>> result(requests.size());
  std::vector<Attempt> attempts;
  for (size_t i = 0; i < requests.size(); ++i)
    attempts.push_back({i, requests[i].steps, {}, {}, {}});
  // Batches hold whole stencils and at most ~32 MB of query points.
  const size_t rows = d + 2;
  const size_t per_batch = std::max<size_t>(1, (size_t{1} << 22) / (rows * d));
  for (int round = 0; round <= retries && !attempts.empty(); ++round) {
    std::vector<Attempt> again;
    for (size_t begin = 0; begin < attempts.size(); begin += per_batch) {
      const size_t end = std::min(attempts.size(), begin + per_batch);
      std::vector<double> x;
      x.reserve((end - begin) * rows * d);
      for (size_t k = begin; k < end; ++k) {
        Attempt& a = attempts[k];
        a.direction.resize(d);
        random.normals(static_cast<int64_t>(d), a.direction.data());
        const double n = norm(a.direction);
        for (double& z : a.direction) z /= n;
        oracle.domain().direction_inward(requests[a.request].p, a.check_step(), a.direction);
        stencil(requests[a.request].p, a, x);
      }
      const std::vector<double> y = oracle.query(x);
      for (size_t k = begin; k < end; ++k) {
        Attempt& a = attempts[k];
        const PieceRequest& r = requests[a.request];
        const double* ya = y.data() + (k - begin) * rows * c;
        const double eta = r.verify_at_noise ? r.noise : common_floor;
        std::vector<double> g = gradient_of(a, ya, d, c);
        std::vector<double> g_err = errors_of(a.steps, eta);
        if (verified(r, a, g, g_err, ya, c, eta, tolerance)) {
          if (!a.previous.empty()) {
            // Keep the larger steps' entries wherever the two attempts agree.
            std::vector<double> combined = g, combined_err = g_err;
            const std::vector<double> previous_err = errors_of(a.previous_steps, eta);
            for (size_t j = 0; j < d; ++j) {
              bool agree = true;
              for (int64_t o = 0; o < c; ++o) {
                const size_t i = o * d + j;
                agree = agree &&
                        std::abs(a.previous[i] - g[i]) <= tolerance * (g_err[j] + previous_err[j]);
              }
              if (!agree) continue;
              for (int64_t o = 0; o < c; ++o) combined[o * d + j] = a.previous[o * d + j];
              combined_err[j] = previous_err[j];
            }
            if (verified(r, a, combined, combined_err, ya, c, eta, tolerance)) {
              g = std::move(combined);
              g_err = std::move(combined_err);
            }
          }
          // The verification used bounds (the noise floor); the piece's own error is
          // reported at the oracle's typical noise, scaled the same way per axis.
          const double typical = r.noise > 0 ? r.noise / eta : 1.0;
          const double bound = norm(g_err);
          result[a.request] = AffinePiece{r.p, std::move(g), std::vector<double>(ya, ya + c),
                                          typical * bound, bound};
        } else {
          Attempt retry{a.request, a.steps, {}, {}, {}};
          for (double& h : retry.steps) h /= shrink;
          // Only the first (largest) steps' gradient is worth combining with later ones.
          retry.previous = a.previous.empty() ? std::move(g) : std::move(a.previous);
          retry.previous_steps = a.previous.empty() ? a.steps : std::move(a.previous_steps);
          again.push_back(std::move(retry));
        }
      }
    }
    attempts = std::move(again);
  }
  return result;
}

}  // namespace quarry::extract
