// A one-hidden-layer ReLU network F(x) = A ReLU(W x + b) + S x + c0, the object that
// extraction recovers and that simulated black boxes evaluate.
#pragma once

#include <cstdint>
#include <vector>

namespace quarry::extract {

// The parameters of F: R^d -> R^c with k hidden neurons, all row-major:
// w is k x d, b is k, a is c x k, skip is c x d (empty: no skip term), c0 is c.
// T is double (the network) or float (a float32 evaluation of it).
template <class T>
struct NetParams {
  int64_t d = 0, k = 0, c = 0;
  std::vector<T> w, b, a, skip, c0;
};

// Checks d >= 1, c >= 1, k >= 0 and that the arrays' sizes fit int64; throws
// quarry::core::Error (QUARRY_ERR_BAD_DIMENSION, QUARRY_ERR_SIZE_OVERFLOW).
void check_dims(int64_t d, int64_t k, int64_t c);

// Checks sizes (d >= 1, c >= 1, k >= 0, vector lengths) and finiteness; throws
// quarry::core::Error naming the offending array and entry.
void validate(const NetParams<double>& p);

// The same network with every parameter rounded to float.
NetParams<float> to_float(const NetParams<double>& p);

// y (n x c, row-major) = F(x) for x (n x d, row-major), computed in T with BLAS in
// blocks of rows (memory O(block * k)). Inputs are rounded to T first.
template <class T>
void evaluate(const NetParams<T>& p, int64_t n, const double* x, double* y);

}  // namespace quarry::extract
