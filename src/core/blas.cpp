#include "core/blas.hpp"

#include <cblas.h>

#include <string>

#include "core/checked_int.hpp"
#include "core/threads.hpp"

namespace quarry::core {

void gemm(Layout layout, Op trans_a, Op trans_b, int64_t m, int64_t n, int64_t k, double alpha,
          const double* a, int64_t lda, const double* b, int64_t ldb, double beta, double* c,
          int64_t ldc) {
  require_outside_parallel_region("cblas_dgemm");
  cblas_dgemm(static_cast<CBLAS_ORDER>(layout), static_cast<CBLAS_TRANSPOSE>(trans_a),
              static_cast<CBLAS_TRANSPOSE>(trans_b), to_blas_int(m, "m"), to_blas_int(n, "n"),
              to_blas_int(k, "k"), alpha, a, to_blas_int(lda, "lda"), b, to_blas_int(ldb, "ldb"),
              beta, c, to_blas_int(ldc, "ldc"));
}

const char* blas_info() {
  // Built once (thread-safe static initialization) and kept for the process lifetime.
  static const std::string info = [] {
    std::string config = openblas_get_config();
    while (!config.empty() && config.back() == ' ') config.pop_back();
    return fmt::format("{} (core {}, {} BLAS threads)", config, openblas_get_corename(),
                       openblas_get_num_threads());
  }();
  return info.c_str();
}

}  // namespace quarry::core
