// Least squares and ridge regression: the module's surface to the C shim
// (include/c_api/quarry/lstsq.h documents the methods and their guarantees).
#pragma once

#include <quarry/options.h>
#include <quarry/rng.h>

#include <cstdint>
#include <vector>

#include "core/philox.hpp"
#include "core/views.hpp"

namespace quarry::lstsq {

struct Settings {
  int32_t method = QUARRY_LSTSQ_AUTO;
  double ridge = 0;
  double tolerance = 1e-16;
  int64_t max_iterations = 1000;
  int32_t sketch_kind = QUARRY_SKETCH_SPARSE_SIGN;
  int64_t sketch_rows = 0;  // 0: the method's default
  int64_t sketch_nnz = 0;   // 0: the kind's default (8 for sparse sign)
  quarry_rng_state state = core::rng_state_from_seed(0);  // a valid state by default
};

struct Result {
  int32_t method = QUARRY_LSTSQ_DIRECT;
  int64_t iterations = 0;
  int64_t sketch_rows = 0;
  int64_t rank = 0;
  double residual_norm = 0;   // ||A X - B||_F
  double backward_error = 0;  // largest over right-hand sides
  double condition = 1;
  double residual_bound = -1;  // sketch and solve only
  bool converged = true;       // false: the iteration limit was reached
  double seconds = 0;
};

// X = argmin ||A X - B||_F^2 + ridge ||X||_F^2; b is m x nrhs, x n x nrhs.
Result solve(int64_t threads, core::DenseView<const double> a, core::DenseView<const double> b,
             core::DenseView<double> x, const Settings& settings);
Result solve(int64_t threads, const core::CsrView<const double>& a, core::DenseView<const double> b,
             core::DenseView<double> x, const Settings& settings);

// x (n x lambdas.size()): column j = argmin ||A x - b||^2 + lambdas[j] ||x||^2; b has m
// entries (contiguous). One factorization (the SVD of the sketch, or a QR of A and an SVD
// of its R) serves every lambda.
Result ridge_path(int64_t threads, core::DenseView<const double> a, const double* b,
                  const std::vector<double>& lambdas, core::DenseView<double> x,
                  const Settings& settings);

}  // namespace quarry::lstsq
