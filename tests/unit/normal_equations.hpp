// References for the least-squares tests, independent of quarry and of LAPACK: the ridge
// normal equations of a small dense problem solved by Gaussian elimination with partial
// pivoting, the ridge objective, Gaussian test data.
#pragma once

#include <cmath>
#include <cstdint>
#include <random>
#include <utility>
#include <vector>

namespace quarry_test {

// x solving (A^T A + lambda I) x = A^T b for a row-major m x n A.
inline std::vector<double> normal_equations(const std::vector<double>& a,
                                            const std::vector<double>& b, int64_t m, int64_t n,
                                            double lambda) {
  const auto at = [](int64_t i) { return static_cast<size_t>(i); };
  std::vector<double> g(at(n * (n + 1)), 0.0);  // [A^T A + lambda I | A^T b]
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t p = 0; p < n; ++p) {
      for (int64_t q = 0; q < n; ++q) g[at(p * (n + 1) + q)] += a[at(i * n + p)] * a[at(i * n + q)];
      g[at(p * (n + 1) + n)] += a[at(i * n + p)] * b[at(i)];
    }
  }
  for (int64_t p = 0; p < n; ++p) g[at(p * (n + 1) + p)] += lambda;
  for (int64_t c = 0; c < n; ++c) {
    int64_t piv = c;
    for (int64_t r = c + 1; r < n; ++r) {
      if (std::abs(g[at(r * (n + 1) + c)]) > std::abs(g[at(piv * (n + 1) + c)])) piv = r;
    }
    for (int64_t j = 0; j <= n; ++j) std::swap(g[at(c * (n + 1) + j)], g[at(piv * (n + 1) + j)]);
    for (int64_t r = c + 1; r < n; ++r) {
      const double f = g[at(r * (n + 1) + c)] / g[at(c * (n + 1) + c)];
      for (int64_t j = c; j <= n; ++j) g[at(r * (n + 1) + j)] -= f * g[at(c * (n + 1) + j)];
    }
  }
  std::vector<double> x(at(n));
  for (int64_t i = n; i-- > 0;) {
    double s = g[at(i * (n + 1) + n)];
    for (int64_t j = i + 1; j < n; ++j) s -= g[at(i * (n + 1) + j)] * x[at(j)];
    x[at(i)] = s / g[at(i * (n + 1) + i)];
  }
  return x;
}

// ||A x - b||^2 + lambda ||x||^2 for a row-major m x n A.
inline double ridge_objective(const std::vector<double>& a, const std::vector<double>& b, int64_t m,
                              int64_t n, const std::vector<double>& x, double lambda) {
  const auto at = [](int64_t i) { return static_cast<size_t>(i); };
  double s = 0;
  for (int64_t i = 0; i < m; ++i) {
    double r = -b[at(i)];
    for (int64_t j = 0; j < n; ++j) r += a[at(i * n + j)] * x[at(j)];
    s += r * r;
  }
  for (const double v : x) s += lambda * v * v;
  return s;
}

// n standard normal values from std::mt19937_64(seed).
inline std::vector<double> gaussian(int64_t n, unsigned seed) {
  std::mt19937_64 gen(seed);
  std::normal_distribution<double> z;
  std::vector<double> v(static_cast<size_t>(n));
  for (double& e : v) e = z(gen);
  return v;
}

}  // namespace quarry_test
