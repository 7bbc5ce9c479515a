// Thin wrappers over the BLAS/LAPACK in use: int64 sizes narrowed with a check
// (QUARRY_ERR_SIZE_OVERFLOW instead of wraparound), quarry's Layout/Op types, and the rule
// that BLAS never runs inside one of quarry's parallel regions (see core/threads.hpp).
#pragma once

#include <cstdint>

#include "core/views.hpp"

namespace quarry::core {

enum class Op : int32_t { NoTrans = 111, Trans = 112 };

// C = alpha * op(A) * op(B) + beta * C, with C m x n and op(A) m x k, all in `layout`.
// Arguments are validated like the C API's arrays (check_dense) before BLAS sees them.
// T is float (sgemm) or double (dgemm).
template <class T>
void gemm(Layout layout, Op trans_a, Op trans_b, int64_t m, int64_t n, int64_t k, T alpha,
          const T* a, int64_t lda, const T* b, int64_t ldb, T beta, T* c, int64_t ldc);

// One line naming the BLAS library, its build and its thread setting (quarry_blas_info).
const char* blas_info();

}  // namespace quarry::core
