#include "extract/relu_net.hpp"

#include <algorithm>
#include <cmath>
#include <type_traits>

#include "core/blas.hpp"
#include "core/checked_int.hpp"
#include "core/error.hpp"

namespace quarry::extract {

namespace {

using core::Layout;
using core::Op;
using core::require;

// Rows per block: H = ReLU(X W^T + b) needs block * k scratch values.
constexpr int64_t kBlockRows = 512;

void check_array(const char* name, const std::vector<double>& v, int64_t expected,
                 const char* shape) {
  require(static_cast<int64_t>(v.size()) == expected, QUARRY_ERR_BAD_DIMENSION,
          "{} has {} entries, but {} needs {}", name, v.size(), shape, expected);
  for (size_t i = 0; i < v.size(); ++i) {
    require(std::isfinite(v[i]), QUARRY_ERR_NONFINITE, "{}[{}] = {} is not finite", name, i, v[i]);
  }
}

}  // namespace

void check_dims(int64_t d, int64_t k, int64_t c) {
  require(d >= 1 && c >= 1 && k >= 0, QUARRY_ERR_BAD_DIMENSION,
          "a network needs d >= 1 inputs, c >= 1 outputs and k >= 0 neurons; got d = {}, k = {}, "
          "c = {}",
          d, k, c);
  core::checked_mul(k, d, "k * d");
  core::checked_mul(c, std::max(k, d), "c * max(k, d)");
}

void validate(const NetParams<double>& p) {
  check_dims(p.d, p.k, p.c);
  check_array("w", p.w, p.k * p.d, "k x d");
  check_array("b", p.b, p.k, "k");
  check_array("a", p.a, p.c * p.k, "c x k");
  if (!p.skip.empty()) check_array("skip", p.skip, p.c * p.d, "c x d");
  check_array("c0", p.c0, p.c, "c");
}

NetParams<float> to_float(const NetParams<double>& p) {
  auto narrow = [](const std::vector<double>& v) { return std::vector<float>(v.begin(), v.end()); };
  return {p.d, p.k, p.c, narrow(p.w), narrow(p.b), narrow(p.a), narrow(p.skip), narrow(p.c0)};
}

template <class T>
void evaluate(const NetParams<T>& p, int64_t n, const double* x, double* y) {
  // In double the blocks are read from x and written to y in place; in float they are
  // rounded into and out of staging buffers.
  constexpr bool kInPlace = std::is_same_v<T, double>;
  const int64_t d = p.d, k = p.k, c = p.c;
  const size_t block = static_cast<size_t>(std::min(n, kBlockRows));
  std::vector<T> xs(kInPlace ? 0 : block * d), out(kInPlace ? 0 : block * c);
  std::vector<T> h(block * static_cast<size_t>(std::max<int64_t>(k, 1)));
  for (int64_t row0 = 0; row0 < n; row0 += kBlockRows) {
    const int64_t m = std::min(kBlockRows, n - row0);
    const T* xb;
    T* yb;
    if constexpr (kInPlace) {
      xb = x + row0 * d;
      yb = y + row0 * c;
    } else {
      std::transform(x + row0 * d, x + (row0 + m) * d, xs.begin(),
                     [](double v) { return static_cast<T>(v); });
      xb = xs.data();
      yb = out.data();
    }
    for (int64_t i = 0; i < m; ++i) std::copy(p.c0.begin(), p.c0.end(), yb + i * c);
    if (k > 0) {
      // H = ReLU(X W^T + 1 b^T), then Y += H A^T.
      core::gemm<T>(Layout::RowMajor, Op::NoTrans, Op::Trans, m, k, d, T(1), xb, d, p.w.data(), d,
                    T(0), h.data(), k);
      for (int64_t i = 0; i < m; ++i) {
        T* row = h.data() + i * k;
        for (int64_t j = 0; j < k; ++j) row[j] = std::max(row[j] + p.b[j], T(0));
      }
      core::gemm<T>(Layout::RowMajor, Op::NoTrans, Op::Trans, m, c, k, T(1), h.data(), k,
                    p.a.data(), k, T(1), yb, c);
    }
    if (!p.skip.empty()) {
      core::gemm<T>(Layout::RowMajor, Op::NoTrans, Op::Trans, m, c, d, T(1), xb, d, p.skip.data(),
                    d, T(1), yb, c);
    }
    if constexpr (!kInPlace) std::copy(out.begin(), out.begin() + m * c, y + row0 * c);
  }
}

template void evaluate<double>(const NetParams<double>&, int64_t, const double*, double*);
template void evaluate<float>(const NetParams<float>&, int64_t, const double*, double*);

}  // namespace quarry::extract
