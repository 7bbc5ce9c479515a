// The final least-squares fit of every network parameter (extract/network_fit.hpp).
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "c_handles.hpp"
#include "extract/network_fit.hpp"
#include "extract/relu_net.hpp"

namespace {

using quarry::extract::fit_network;
using quarry::extract::fit_parameters;
using quarry::extract::NetParams;
using quarry_test::normals;

NetParams<double> gaussian_net(int64_t d, int64_t k, int64_t c, uint64_t seed) {
  NetParams<double> n;
  n.d = d;
  n.k = k;
  n.c = c;
  n.w = normals(seed, k * d, 1 / std::sqrt(double(d)));
  // Offsets small against |w| = 1: every hyperplane passes through the bulk of the
  // Gaussian points, so the points determine every parameter (a hyperplane no point
  // straddles is not identifiable, and the fit may move it).
  n.b = normals(seed + 1, k, 0.3);
  n.a = normals(seed + 2, c * k, 1 / std::sqrt(double(k)));
  n.skip = normals(seed + 3, c * d, 0.1);
  n.c0 = normals(seed + 4, c);
  return n;
}

// Every parameter moved by `size` relative, deterministically.
NetParams<double> perturbed(NetParams<double> n, double size, uint64_t seed) {
  for (auto* v : {&n.w, &n.b, &n.a, &n.skip, &n.c0}) {
    const auto e = normals(seed++, static_cast<int64_t>(v->size()), size);
    for (size_t i = 0; i < v->size(); ++i) (*v)[i] *= 1 + e[i];
  }
  return n;
}

double relative_rms(const NetParams<double>& truth, const NetParams<double>& copy, uint64_t seed) {
  const int64_t m = 4000;
  const auto x = normals(seed, m * truth.d);
  std::vector<double> y(static_cast<size_t>(m * truth.c)), z(y.size());
  quarry::extract::evaluate(truth, m, x.data(), y.data());
  quarry::extract::evaluate(copy, m, x.data(), z.data());
  double err = 0, ref = 0;
  for (size_t i = 0; i < y.size(); ++i) {
    err += (y[i] - z[i]) * (y[i] - z[i]);
    ref += y[i] * y[i];
  }
  return std::sqrt(err / ref);
}

struct Data {
  int64_t m;
  std::vector<double> x, y;
};

Data answers(const NetParams<double>& truth, int64_t m, double noise, uint64_t seed) {
  Data data{m, normals(seed, m * truth.d), std::vector<double>(static_cast<size_t>(m * truth.c))};
  quarry::extract::evaluate(truth, m, data.x.data(), data.y.data());
  const auto e = normals(seed + 1, m * truth.c, noise);
  for (size_t i = 0; i < data.y.size(); ++i) data.y[i] += e[i];
  return data;
}

TEST(NetworkFit, CountsEveryParameter) {
  EXPECT_EQ(fit_parameters(3, 2, 1), 2 * (3 + 1 + 1) + 1 * (3 + 1));
  EXPECT_EQ(fit_parameters(5, 0, 2), 2 * 6);
}

TEST(NetworkFit, ExactAnswersBringAPerturbedNetworkBackToRounding) {
  for (const auto& [d, k, c] : {std::tuple{5, 8, 1}, std::tuple{4, 6, 3}}) {
    const NetParams<double> truth = gaussian_net(d, k, c, 10 + d);
    NetParams<double> copy = perturbed(truth, 1e-3, 77);
    const double before = relative_rms(truth, copy, 5);
    const Data data = answers(truth, 3 * fit_parameters(d, k, c), 0, 1);
    const auto outcome = fit_network(copy, data.m, data.x.data(), data.y.data(), 40);
    EXPECT_GT(before, 1e-4);
    EXPECT_LT(relative_rms(truth, copy, 5), 1e-11) << d << "-" << k << "-" << c;
    EXPECT_LT(outcome.rms_after, 1e-11 * outcome.rms_before + 1e-14);
    EXPECT_LE(outcome.iterations, 40);
  }
}

TEST(NetworkFit, NoisyAnswersAreAveragedDown) {
  // With 3 answers per parameter, the residual settles at the noise level and the copy's
  // error falls well below the noise of a single answer.
  const double sigma = 1e-4;
  const NetParams<double> truth = gaussian_net(6, 10, 1, 3);
  NetParams<double> copy = perturbed(truth, 1e-2, 9);
  const Data data = answers(truth, 3 * fit_parameters(6, 10, 1), sigma, 2);
  const auto outcome = fit_network(copy, data.m, data.x.data(), data.y.data(), 40);
  EXPECT_GT(outcome.rms_after, 0.5 * sigma);
  EXPECT_LT(outcome.rms_after, 1.2 * sigma);
  EXPECT_LT(relative_rms(truth, copy, 5), sigma);
}

TEST(NetworkFit, ANetworkWithoutSkipTermGetsOne) {
  NetParams<double> truth = gaussian_net(3, 2, 1, 21);
  NetParams<double> copy = perturbed(truth, 1e-3, 4);
  copy.skip.clear();
  const Data data = answers(truth, 60, 0, 8);
  fit_network(copy, data.m, data.x.data(), data.y.data(), 40);
  ASSERT_EQ(copy.skip.size(), 3u);
  EXPECT_LT(relative_rms(truth, copy, 5), 1e-9);
}

}  // namespace
