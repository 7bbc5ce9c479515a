// Test support: owning pointers for C handles (a failed assertion never leaks one) and
// reproducible test data.
#pragma once

#include <quarry.h>

#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "core/philox.hpp"

namespace quarry_test {

struct HandleDeleter {
  void operator()(quarry_context* c) const { quarry_context_destroy(c); }
  void operator()(quarry_options* o) const { quarry_options_destroy(o); }
  void operator()(quarry_relu_net* n) const { quarry_relu_net_destroy(n); }
  void operator()(quarry_net_oracle* o) const { quarry_net_oracle_destroy(o); }
  void operator()(quarry_report* r) const { quarry_report_destroy(r); }
  void operator()(quarry_sketch* s) const { quarry_sketch_destroy(s); }
};
using ContextPtr = std::unique_ptr<quarry_context, HandleDeleter>;
using OptionsPtr = std::unique_ptr<quarry_options, HandleDeleter>;
using NetPtr = std::unique_ptr<quarry_relu_net, HandleDeleter>;
using OraclePtr = std::unique_ptr<quarry_net_oracle, HandleDeleter>;
using ReportPtr = std::unique_ptr<quarry_report, HandleDeleter>;
using SketchPtr = std::unique_ptr<quarry_sketch, HandleDeleter>;

// n standard normal values from the stream of `seed`, times `scale`.
inline std::vector<double> normals(uint64_t seed, int64_t n, double scale = 1.0) {
  std::vector<double> v(static_cast<size_t>(n));
  quarry::core::rng_fill_normal(quarry::core::PhiloxStream(quarry::core::rng_state_from_seed(seed)),
                                0, n, v.data(), 1);
  for (double& x : v) x *= scale;
  return v;
}

inline ContextPtr make_context() {
  quarry_context* ctx = nullptr;
  EXPECT_EQ(quarry_context_create(&ctx), QUARRY_OK);
  return ContextPtr(ctx);
}

inline OptionsPtr make_options() {
  quarry_options* o = nullptr;
  EXPECT_EQ(quarry_options_create(&o), QUARRY_OK);
  return OptionsPtr(o);
}

}  // namespace quarry_test
