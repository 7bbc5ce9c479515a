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
  // Checked here, as BLAS++ does, because a reference BLAS reports bad arguments by
  // printing (xerbla), which must never happen inside quarry.
  require(m >= 0 && n >= 0 && k >= 0, QUARRY_ERR_BAD_DIMENSION,
          "gemm dimensions m = {}, n = {}, k = {} must be >= 0", m, n, k);
  const bool a_plain = trans_a == Op::NoTrans, b_plain = trans_b == Op::NoTrans;
  check_dense("A", layout, a_plain ? m : k, a_plain ? k : m, a, lda);
  check_dense("B", layout, b_plain ? k : n, b_plain ? n : k, b, ldb);
  check_dense("C", layout, m, n, c, ldc);
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
