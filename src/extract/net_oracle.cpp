#include "extract/net_oracle.hpp"

#include <cmath>
#include <vector>

#include "core/checked_int.hpp"
#include "core/error.hpp"
#include "core/philox.hpp"

namespace quarry::extract {

NetOracle::NetOracle(const NetParams<double>& net, const OracleSettings& settings)
    : net_(net), settings_(settings), noise_state_(core::rng_state_from_seed(settings.seed)) {
  if (settings.float32) net32_ = to_float(net);
}

void NetOracle::answer(int64_t n, int64_t d, const double* x, int64_t c, double* y) {
  core::require(d == net_.d && c == net_.c, QUARRY_ERR_BAD_DIMENSION,
                "the oracle's network maps R^{} to R^{}, but the query batch is {} x {} -> {}",
                net_.d, net_.c, n, d, c);
  core::require(n >= 0, QUARRY_ERR_BAD_DIMENSION, "batch size n = {} is negative", n);
  if (n == 0) return;
  core::require(x != nullptr && y != nullptr, QUARRY_ERR_NULL_POINTER,
                "the query batch x or the answers y is NULL");
  const int64_t values = core::checked_mul(n, c, "n * c");
  if (settings_.float32) {
    evaluate(net32_, n, x, y);
  } else {
    evaluate(net_, n, x, y);
  }
  if (settings_.noise > 0) {
    // Noise element (q * c + j) belongs to output j of query q: reproducible per query.
    std::vector<double> z(static_cast<size_t>(values));
    core::rng_fill_normal(core::PhiloxStream(noise_state_),
                          core::checked_mul(queries_, c, "queries * c"), values, z.data(), 1);
    for (int64_t i = 0; i < values; ++i) y[i] += settings_.noise * z[static_cast<size_t>(i)];
  }
  if (settings_.quantum > 0) {
    const double q = settings_.quantum;
    for (int64_t i = 0; i < values; ++i) {
      const double steps = y[i] / q;
      // Beyond 2^52 steps the value is already coarser than the quantum.
      if (std::abs(steps) < 0x1p52) y[i] = q * std::nearbyint(steps);
    }
  }
  queries_ += n;
}

}  // namespace quarry::extract
