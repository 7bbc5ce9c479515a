// A simulated black box: answers oracle queries with a known network, optionally the way
// a defended or low-precision deployment would (float32 arithmetic, outputs rounded to a
// quantum, seeded Gaussian noise). Extraction tests and benchmarks query it, and users
// measure how exposed their own model is with it.
#pragma once

#include <quarry/rng.h>

#include <cstdint>

#include "extract/relu_net.hpp"

namespace quarry::extract {

struct OracleSettings {
  bool float32 = false;  // evaluate with float weights and float arithmetic
  double quantum = 0;    // > 0: round every output to a multiple of it
  double noise = 0;      // > 0: add N(0, noise^2) to every output, fresh per query
  uint64_t seed = 0;     // of the noise stream
};

// Mutable (it counts queries and walks its noise stream): one thread at a time.
class NetOracle {
 public:
  NetOracle(const NetParams<double>& net, const OracleSettings& settings);

  // y (n x c, row-major) = the black box's answers at x (n x d, row-major). Throws
  // quarry::core::Error when d or c differ from the network's.
  void answer(int64_t n, int64_t d, const double* x, int64_t c, double* y);

  int64_t queries() const { return queries_; }

 private:
  NetParams<double> net_;
  NetParams<float> net32_;  // filled in float32 mode only
  OracleSettings settings_;
  quarry_rng_state noise_state_;
  int64_t queries_ = 0;
};

}  // namespace quarry::extract
