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

// y = alpha op(A) x + beta y for an m x n A in `layout` (dgemv): x and y contiguous.
void gemv(Layout layout, Op trans, int64_t m, int64_t n, double alpha, const double* a, int64_t lda,
          const double* x, double beta, double* y);

// sum_i x_i^2 for n contiguous values (cblas_ddot, any n >= 0; BLAS's threads): no
// scaling, so it overflows to infinity for values beyond about 1e154 (or non-finite ones).
double sum_squares(int64_t n, const double* x);

// C += A^T A (upper triangle of the n x n C only), A m x n row-major with leading
// dimension lda, C row-major n x n: the Gram matrix of a block of rows (dsyrk).
void gram_add(int64_t m, int64_t n, const double* a, int64_t lda, double* c);

// Solves A x = b for symmetric positive definite A (n x n, row-major, upper triangle
// read; overwritten by its Cholesky factor); b (n) is overwritten by x. Returns false,
// leaving x unspecified, when A is not numerically positive definite (dposv info > 0).
bool spd_solve(int64_t n, double* a, double* b);

// LAPACK on column-major matrices (sizes checked like gemm's). Householder QR: a (m x n,
// m >= n) becomes R (upper triangle) and the reflectors (below), tau has n entries.
void qr_factor(int64_t m, int64_t n, double* a, int64_t lda, double* tau);
// Overwrites the output of qr_factor with the first n columns of Q (m x n, orthonormal).
void qr_form_q(int64_t m, int64_t n, double* a, int64_t lda, const double* tau);
// Reciprocal condition number, in the 1-norm, of the upper triangular n x n matrix r
// (dtrcon): near 1 well-conditioned, near 0 numerically singular.
double triangular_rcond(int64_t n, const double* r, int64_t ldr);
// Thin SVD a = U diag(s) V^T (dgesdd): a (m x n) is destroyed, s gets min(m, n) singular
// values in decreasing order, u (m x min(m, n)) and vt (min(m, n) x n) the vectors; with
// u NULL, only s and vt are computed (dgesvd, which then skips U's work entirely).
// Throws QUARRY_ERR_NO_CONVERGENCE when the SVD does not converge.
void svd_thin(int64_t m, int64_t n, double* a, int64_t lda, double* s, double* u, int64_t ldu,
              double* vt, int64_t ldvt);

// c (m x nc, column-major) = Q^T c, Q the m x m orthogonal factor held by the output of
// qr_factor (a: m x k reflectors, tau: k) (dormqr).
void qr_apply_qt(int64_t m, int64_t k, const double* a, int64_t lda, const double* tau, int64_t nc,
                 double* c, int64_t ldc);
// x = R^-1 x (trans false) or R^-T x (trans true), R the upper triangle of the n x n
// column-major r (dtrsv).
void triangular_solve(bool trans, int64_t n, const double* r, int64_t ldr, double* x);
// X = R^-1 X (trans false) or R^-T X (trans true) for nrhs columns of the column-major
// n x nrhs X, R the upper triangle of the n x n column-major r (dtrsm).
void triangular_solve_many(bool trans, int64_t n, int64_t nrhs, const double* r, int64_t ldr,
                           double* x, int64_t ldx);
// Adds k rows to a QR factorization: the upper triangular n x n R (column-major) becomes the
// R of [R; B] for the k x n column-major B, which is overwritten by the reflectors (dtpqrt:
// about 2 k n^2 flops, blocked). R's diagonal may come out negative.
void qr_add_rows(int64_t n, double* r, int64_t ldr, int64_t k, double* b, int64_t ldb);
// Minimum-norm least squares by the SVD (dgelsd, singular values at or below rcond
// sigma_max treated as zero): a (m x n) is destroyed, b (max(m, n) x nrhs, column-major) holds B on
// entry and X in its first n rows on exit, s gets min(m, n) singular values. Returns the
// numerical rank. Throws QUARRY_ERR_NO_CONVERGENCE when the SVD does not converge.
int64_t lstsq_svd(int64_t m, int64_t n, int64_t nrhs, double* a, int64_t lda, double* b,
                  int64_t ldb, double* s, double rcond);

// C = A^T A (upper triangle of the n x n column-major C, ldc n) for an m x n A in `layout`
// (dsyrk: half the flops of a QR, at BLAS 3 speed).
void gram(Layout layout, int64_t m, int64_t n, const double* a, int64_t lda, double* c);
// Cholesky factor R (upper, C = R^T R) of the symmetric n x n column-major C in place
// (dpotrf, upper triangle read). Returns false when C is not numerically positive definite.
bool cholesky_upper(int64_t n, double* c, int64_t ldc);

// One line naming the BLAS library, its build and its thread setting (quarry_blas_info).
const char* blas_info();

}  // namespace quarry::core
