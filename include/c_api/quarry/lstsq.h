/**
 * @file quarry/lstsq.h
 * @brief Least squares and ridge regression, dense and CSR, at LAPACK's accuracy:
 * X = argmin ||A X - B||_F^2 + lambda ||X||_F^2, A m x n, B m x nrhs, X n x nrhs.
 *
 * Methods (`QUARRY_OPT_LSTSQ_METHOD`):
 * - `QUARRY_LSTSQ_DIRECT`: LAPACK on a copy of A: Householder QR (`dgeqrf`, as `dgels`),
 *   or the SVD (`dgelsd`) when R is numerically singular or m < n, which gives the
 *   minimum-norm solution; ridge: QR of [A; sqrt(lambda) I]. Dense only.
 * - `QUARRY_LSTSQ_SKETCH_SOLVE`: one sketch S (default 10 n rows, sparse sign), a QR of
 *   S A, X = argmin ||S (A X - B)||: fast, squared residual within a factor of about
 *   1 + n / (s - n - 1) of the optimum (Gaussian theory), not LAPACK's accuracy. The
 *   report's `QUARRY_REPORT_RESIDUAL_BOUND` bounds ||A X - B|| / min ||A X - B|| (with
 *   ridge: the same ratio for the objective's square root) a posteriori.
 * - `QUARRY_LSTSQ_SKETCH_PRECONDITION`: sketch and precondition (Blendenpik, LSRN) with
 *   iterative refinement (Epperly, Meier and Nakatsukasa, "Fast randomized least-squares
 *   solvers can be just as accurate and stable as classical direct solvers", 2024): the
 *   R of a QR of S A (an SVD of S A when R is numerically singular: then the
 *   minimum-norm solution) preconditions conjugate gradients on the normal equations, one
 *   fused pass over A per iteration (A^T (A p) while a block of rows is in cache); each
 *   refinement step recomputes the residual B - A X and solves for the correction, until
 *   the correction no longer shrinks. Converges at a rate of about sqrt(n / s) per
 *   iteration whatever the condition number of A.
 * - `QUARRY_LSTSQ_GRAM_PRECONDITION`: the Cholesky factor of A^T A + lambda I (one dsyrk)
 *   as the preconditioner, the same refinement; sketch and precondition when that factor
 *   is too ill-conditioned (cond(A) above about 1e6 without ridge). Dense A only.
 * - `QUARRY_LSTSQ_AUTO` (default): a cost model picks direct or sketch and precondition
 *   (direct when A is not much taller than wide, or when the sketch would have more rows
 *   than a quarter of A's).
 *
 * Dense A less than twice as tall as wide (m < 2n) is solved by LAPACK whatever the method
 * asked (a sketch of it would cost as much, and one with about n rows may lose A's rank):
 * the QR, or the minimum-norm solution by the SVD when A is rank deficient or m < n (with
 * ridge, the QR of [A; sqrt(lambda) I]). The report says which method ran. A sketch whose
 * rank falls short of A's (a direction S A drops but A does not) is detected: dense A then
 * goes to LAPACK, CSR A fails with `QUARRY_ERR_NO_CONVERGENCE` (raise the sketch rows).
 *
 * Multiple right-hand sides share the sketch and its factorization; each column then
 * iterates alone. Ridge (lambda > 0) goes into the preconditioner ([S A; sqrt(lambda) I]),
 * so the iteration count does not depend on lambda either.
 *
 * Accuracy (tested, docs/lstsq.md): the default tolerance gives a residual within a
 * factor 1 + 1e-12 of `dgels`' and a forward error within 10 times `dgels`' for
 * condition numbers up to 1e12 and residuals from 1e-10 to 0.5 of ||b||.
 *
 * Random choices (the sketch) come from `QUARRY_OPT_SEED`: the same seed and input give
 * bitwise the same X for any thread count.
 */
#ifndef QUARRY_LSTSQ_H
#define QUARRY_LSTSQ_H

#include <stdint.h>

#include "context.h"
#include "export.h"
#include "options.h"
#include "report.h"
#include "status.h"
#include "types.h"

QUARRY_BEGIN_DECLS

/**
 * @brief Least squares or ridge regression with a dense A: X = argmin ||A X - B||_F^2 +
 * lambda ||X||_F^2.
 *
 * @param ctx Context (threads, error message).
 * @param layout `QUARRY_ROW_MAJOR` or `QUARRY_COL_MAJOR`, for A, B and X alike.
 * @param m Rows of A and B, >= 0.
 * @param n Columns of A, rows of X, >= 0.
 * @param nrhs Columns of B and X, >= 0.
 * @param a A (m x n), leading dimension lda; read only, never copied except by
 *        `QUARRY_LSTSQ_DIRECT`.
 * @param b B (m x nrhs), leading dimension ldb; read only.
 * @param[out] x X (n x nrhs), leading dimension ldx; must not overlap A or B.
 * @param opts NULL, or options:
 *        `QUARRY_OPT_LSTSQ_METHOD` (default `QUARRY_LSTSQ_AUTO`),
 *        `QUARRY_OPT_RIDGE` (lambda >= 0, default 0),
 *        `QUARRY_OPT_TOLERANCE` (sketch and precondition: stop when the preconditioned
 *        gradient falls below tol times ||A x|| (times sqrt(||A x||^2 + lambda ||x||^2)
 *        for ridge), or a refinement step no longer halves it; default 1e-16, which
 *        refines to the rounding floor),
 *        `QUARRY_OPT_MAX_ITERATIONS` (conjugate-gradient iterations per right-hand side,
 *        all refinement steps together; default 1000),
 *        `QUARRY_OPT_SKETCH_KIND` (default `QUARRY_SKETCH_SPARSE_SIGN`),
 *        `QUARRY_OPT_SKETCH_ROWS` (default: picked by the cost model for sketch and
 *        precondition, 4 n to 48 n and above 4 n at most 8192 and m / 8; 10 n for
 *        sketch and solve),
 *        `QUARRY_OPT_SKETCH_NNZ` (sparse sign non-zeros per column, default 8),
 *        `QUARRY_OPT_SEED` (default 0).
 * @param[out] report NULL, or receives a report the caller destroys: `QUARRY_REPORT_METHOD`
 *        (the method used, never `QUARRY_LSTSQ_AUTO`), `QUARRY_REPORT_ITERATIONS` (total
 *        over right-hand sides), `QUARRY_REPORT_SKETCH_ROWS` (0 for direct),
 *        `QUARRY_REPORT_RANK` (numerical rank used), `QUARRY_REPORT_RESIDUAL_NORM`
 *        (||A X - B||_F), `QUARRY_REPORT_BACKWARD_ERROR` (largest over right-hand sides of
 *        the bound min(||r_a|| / ||x||, ||A^T r - lambda x|| / ||r_a||) / ||A_a||_F, with
 *        r_a = [r; -sqrt(lambda) x] and A_a = [A; sqrt(lambda) I]),
 *        `QUARRY_REPORT_CONDITION_ESTIMATE` (of A, or of [A; sqrt(lambda) I]; from R or
 *        the singular values), `QUARRY_REPORT_SECONDS`, and for sketch and solve
 *        `QUARRY_REPORT_RESIDUAL_BOUND`. Set on success and when the iteration limit was
 *        reached; NULL otherwise (also when an SVD fails to converge).
 * @return `QUARRY_OK`, `QUARRY_ERR_NULL_POINTER`, `QUARRY_ERR_BAD_LAYOUT`,
 *         `QUARRY_ERR_BAD_DIMENSION`, `QUARRY_ERR_BAD_LEADING_DIM`, `QUARRY_ERR_NONFINITE`
 *         (A or B holds a NaN or infinity, named), `QUARRY_ERR_INVALID_ARGUMENT` (an
 *         option out of range: unknown method, sketch rows below n or above m),
 *         `QUARRY_ERR_NO_CONVERGENCE` (the iteration limit was reached: X holds the last
 *         iterate, the report says how far it got; or an SVD failed),
 *         `QUARRY_ERR_SIZE_OVERFLOW` or `QUARRY_ERR_OUT_OF_MEMORY`.
 * @note Memory: sketch and precondition needs the sketch (s n doubles, s the sketch rows)
 *       and O(n^2 + m) more; direct needs a copy of A (as `dgels`).
 * @since 0.1
 */
QUARRY_API quarry_status quarry_lstsq_f64(quarry_context *ctx, int32_t layout, int64_t m, int64_t n,
                                          int64_t nrhs, const double *a, int64_t lda,
                                          const double *b, int64_t ldb, double *x, int64_t ldx,
                                          const quarry_options *opts, quarry_report **report);

/**
 * @brief Least squares or ridge regression with a CSR A (m x n): as `quarry_lstsq_f64`,
 * never densifying A.
 *
 * A is given by row_ptr (m + 1 entries, row_ptr[0] = 0, non-decreasing), col_idx and val
 * (row_ptr[m] entries each; column indices in [0, n), in any order, duplicates add up).
 * B and X are dense in `layout_b`. Methods: `QUARRY_LSTSQ_AUTO` and
 * `QUARRY_LSTSQ_SKETCH_PRECONDITION` (the sparse-sign sketch of A costs O(nnz k)), and
 * `QUARRY_LSTSQ_SKETCH_SOLVE` (m >= n); `QUARRY_LSTSQ_DIRECT` and
 * `QUARRY_LSTSQ_GRAM_PRECONDITION` are not supported (`QUARRY_ERR_UNSUPPORTED`: a sparse
 * direct solver such as SuiteSparseQR does that job). With m < n, X is the minimum-norm
 * solution (of the ridge problem with lambda > 0), X = A^T Y with (A A^T + lambda I) Y = B,
 * preconditioned by a sketch of A's columns (A S^T, between m and n sketch rows:
 * `QUARRY_OPT_SKETCH_ROWS` must lie in [m, n]); the tolerance is then relative to
 * sqrt(||X||^2 + lambda ||Y||^2), and the solve keeps a transposed copy of A's non-zeros.
 * @return As `quarry_lstsq_f64`, and `QUARRY_ERR_INVALID_ARGUMENT` for malformed CSR
 *         arrays, `QUARRY_ERR_UNSUPPORTED` as above.
 * @since 0.1
 */
QUARRY_API quarry_status quarry_lstsq_csr_f64(quarry_context *ctx, int64_t m, int64_t n,
                                              int64_t nrhs, const int64_t *row_ptr,
                                              const int64_t *col_idx, const double *val,
                                              int32_t layout_b, const double *b, int64_t ldb,
                                              double *x, int64_t ldx, const quarry_options *opts,
                                              quarry_report **report);

/**
 * @brief A ridge path: x_j = argmin ||A x - b||^2 + lambdas[j] ||x||^2 for every j, sharing
 * the expensive work across the lambdas.
 *
 * `QUARRY_LSTSQ_AUTO` and `QUARRY_LSTSQ_GRAM_PRECONDITION` (the default path, m >= n): one
 * dsyrk gives A^T A and one pass A^T b; each lambda then takes the Cholesky factor of
 * A^T A + lambda I as its preconditioner and refines as `quarry_lstsq_f64` does (a few
 * passes over A). When one lambda's factor is too ill-conditioned (lambda = 0 with cond(A)
 * above about 1e6), the whole path goes to direct. `QUARRY_LSTSQ_DIRECT`: one QR of A and
 * one SVD of its R, after which each lambda costs O(n^2):
 * x = V_R (Sigma_R^2 + lambda)^-1 Sigma_R U_R^T Q^T b (m < n: the SVD of A).
 * `QUARRY_LSTSQ_SKETCH_PRECONDITION` (m >= 2n): one SVD of the sketch S A = U Sigma V^T
 * preconditions every lambda as a QR of [S A; sqrt(lambda) I] would
 * (P = V (Sigma^2 + lambda I)^-1/2); `QUARRY_LSTSQ_SKETCH_SOLVE` stops at its start.
 *
 * @param layout `QUARRY_ROW_MAJOR` or `QUARRY_COL_MAJOR`, for A and X.
 * @param b The right-hand side, m entries.
 * @param nlambda Number of ridge parameters, >= 1.
 * @param lambdas The ridge parameters, each finite and >= 0, in any order.
 * @param[out] x X (n x nlambda, leading dimension ldx): column j solves lambdas[j].
 * @param opts As `quarry_lstsq_f64`, without `QUARRY_OPT_RIDGE` (refused: the lambdas
 *        are the argument).
 * @param[out] report As `quarry_lstsq_f64`; `QUARRY_REPORT_RESIDUAL_NORM` is the largest
 *        ||A x_j - b|| and the iterations are summed over the path.
 * @return As `quarry_lstsq_f64`, and `QUARRY_ERR_INVALID_ARGUMENT` for a bad lambda or
 *         `QUARRY_OPT_RIDGE` set.
 * @since 0.1
 */
QUARRY_API quarry_status quarry_ridge_path_f64(quarry_context *ctx, int32_t layout, int64_t m,
                                               int64_t n, const double *a, int64_t lda,
                                               const double *b, int64_t nlambda,
                                               const double *lambdas, double *x, int64_t ldx,
                                               const quarry_options *opts, quarry_report **report);

/**
 * @brief Dynamic least squares: a handle that accepts rows over time and gives, at any
 * time, x minimizing ||A x - b||^2 + lambda ||x||^2 over the rows inserted so far.
 *
 * Rows arrive in batches (`quarry_dynamic_lstsq_insert_f64`, any number of rows each);
 * `quarry_dynamic_lstsq_solve_f64` returns the current x. Both modes keep the triangular
 * factor R ((n + 1) x (n + 1)) of the QR factorization of [A b] (with the ridge rows
 * [sqrt(lambda) I, 0] on top) and add rows to it by blocked Householder updates (LAPACK's
 * dtpqrt, about 2 n^2 flops a row, 256 rows at a time; fewer than 8 rows by Givens
 * rotations, 3 n^2 multiply-adds a row without call overhead): x = R_A^-1 r_b costs n^2 flops,
 * and the objective of any x is ||R [x; -1]||^2 (`quarry_dynamic_lstsq_residual_f64`).
 * Unlike recursive least squares (RLS: the inverse Gram matrix updated by Sherman-Morrison
 * for each row, 4 n^2 flops a row at BLAS 2 speed), nothing squares the condition number:
 * x is as accurate as a QR solve of all the rows at once.
 *
 * Modes (`QUARRY_OPT_LSTSQ_METHOD` at creation):
 * - **Exact** (`QUARRY_LSTSQ_AUTO`, the default, or `QUARRY_LSTSQ_DIRECT`): every row
 *   updates R; x is the exact minimizer (to rounding).
 * - **Sampled** (`QUARRY_LSTSQ_SKETCH_SOLVE`): online leverage-score row sampling (Cohen,
 *   Musco and Pachocki; the insertion-only dynamic least squares of Jiang, Peng and
 *   Weinstein). A row [a, b] is kept with probability p = min(1, c tau), tau = u / (1 + u)
 *   its online leverage score in [A b] against the rows kept so far
 *   (u = [a b] (R^T R)^-1 [a b]^T with R's diagonal floored at (n + 1) eps of its largest
 *   entry, estimated from a 32-row Gaussian sketch of R^-T: 64 (n + 1) flops a row;
 *   refreshed at multiples of 256 rows once the kept rows have grown by a sixteenth),
 *   c = 2 / eps with eps = `QUARRY_OPT_TOLERANCE` (default 0.1), and then scaled by
 *   1 / sqrt(p); only kept rows update R. Scoring the label with the row makes the sample
 *   an embedding of [A b]: the objective of every x, not only of the minimizer, is kept
 *   within about eps, so a label far off the fit, or a zero row with a non-zero label,
 *   is kept like a row of high leverage, and the reported objective estimates the full
 *   one. A row reaching into a direction the rows kept so far leave empty (every row
 *   before n independent ones; a column that has been zero) scores high and is kept. The
 *   objective at x is then within about a factor 1 + eps of the minimum over all rows
 *   (measured: docs/benchmarks.md), and the rows kept grow like n log(rows) / eps instead
 *   of with the rows. The rows kept depend only on the rows' sequence and the seed, not
 *   on how they were batched (x then agrees to rounding).
 * Either way R's memory is (n + 1)^2 doubles, whatever the number of rows.
 *
 * Not thread-safe: calls on one handle must not overlap.
 * @since 0.1
 */
typedef struct quarry_dynamic_lstsq quarry_dynamic_lstsq;

/**
 * @brief Creates a dynamic least-squares handle for n columns, holding no rows.
 *
 * Options (NULL = defaults): `QUARRY_OPT_LSTSQ_METHOD` (above), `QUARRY_OPT_RIDGE`
 * (lambda >= 0, default 0), and for the sampled mode `QUARRY_OPT_TOLERANCE` (eps, in
 * (0, 1]) and `QUARRY_OPT_SEED` (the row choices).
 *
 * @param ctx Context (error message).
 * @param n Columns of A and entries of x, >= 1.
 * @param opts Options, or NULL; read once.
 * @param[out] out The new handle; NULL on failure.
 * @return `QUARRY_OK`; `QUARRY_ERR_NULL_POINTER`, `QUARRY_ERR_BAD_DIMENSION`,
 *         `QUARRY_ERR_INVALID_ARGUMENT` (a method other than those above, eps = 0),
 *         `QUARRY_ERR_OUT_OF_MEMORY`, `QUARRY_ERR_SIZE_OVERFLOW`.
 * @since 0.1
 */
QUARRY_API quarry_status quarry_dynamic_lstsq_create(quarry_context *ctx, int64_t n,
                                                     const quarry_options *opts,
                                                     quarry_dynamic_lstsq **out);

/** @brief Destroys the handle (NULL is ignored). @since 0.1 */
QUARRY_API void quarry_dynamic_lstsq_destroy(quarry_dynamic_lstsq *d);

/**
 * @brief Inserts count rows: A's rows (count x n, in layout with leading dimension lda)
 * and their labels b (count values).
 *
 * @param count Rows, >= 0 (0 does nothing).
 * @return `QUARRY_OK`; `QUARRY_ERR_NULL_POINTER`, `QUARRY_ERR_BAD_LAYOUT`,
 *         `QUARRY_ERR_BAD_DIMENSION`, `QUARRY_ERR_BAD_LEADING_DIM`, `QUARRY_ERR_NONFINITE`
 *         (nothing is inserted then), `QUARRY_ERR_OUT_OF_MEMORY` (a prefix of the batch,
 *         in whole blocks of 256 rows, may be in: the solve's report counts the rows).
 * @since 0.1
 */
QUARRY_API quarry_status quarry_dynamic_lstsq_insert_f64(quarry_context *ctx,
                                                         quarry_dynamic_lstsq *d, int32_t layout,
                                                         int64_t count, const double *a,
                                                         int64_t lda, const double *b);

/**
 * @brief The current solution x (n values): a triangular solve with R_A after a condition
 * estimate of it (a few times n^2 flops: 2 ms at n = 1000), or, while R_A is
 * numerically singular (e.g. before n independent rows), an SVD of R_A (O(n^3)) for the
 * minimum-norm solution.
 *
 * Report: `QUARRY_REPORT_METHOD` (`QUARRY_LSTSQ_DIRECT` or `QUARRY_LSTSQ_SKETCH_SOLVE`),
 * `QUARRY_REPORT_QUERIES` (rows inserted), `QUARRY_REPORT_SKETCH_ROWS` (rows held in R:
 * all, or those kept), `QUARRY_REPORT_RANK` (of R_A), `QUARRY_REPORT_OBJECTIVE` (||A x -
 * b||^2 + lambda ||x||^2 over the rows held, reweighted when sampled: the sample's
 * estimate of the full objective), `QUARRY_REPORT_RESIDUAL_NORM` (its square root),
 * `QUARRY_REPORT_SECONDS` (this call).
 * @return `QUARRY_OK`; `QUARRY_ERR_NULL_POINTER`, `QUARRY_ERR_OUT_OF_MEMORY`,
 *         `QUARRY_ERR_NO_CONVERGENCE` (the SVD of a singular R_A failed; never seen).
 * @since 0.1
 */
QUARRY_API quarry_status quarry_dynamic_lstsq_solve_f64(quarry_context *ctx,
                                                        const quarry_dynamic_lstsq *d, double *x,
                                                        quarry_report **report);

/**
 * @brief sqrt(||A x - b||^2 + lambda ||x||^2) over the rows held, for any x (n values):
 * ||R [x; -1]||, (n + 1)^2 flops. In the exact mode this is the true residual of x on
 * every row inserted (for checking another model against the stream); in the sampled mode
 * the sample's estimate of it.
 * @return `QUARRY_OK`; `QUARRY_ERR_NULL_POINTER`, `QUARRY_ERR_NONFINITE` (x).
 * @since 0.1
 */
QUARRY_API quarry_status quarry_dynamic_lstsq_residual_f64(quarry_context *ctx,
                                                           const quarry_dynamic_lstsq *d,
                                                           const double *x, double *norm);

QUARRY_END_DECLS

#endif /* QUARRY_LSTSQ_H */
