/**
 * @file quarry/regress.h
 * @brief Robust regression: Huber's M-estimator, with a fixed residual scale or with the
 * scale estimated jointly with the coefficients (scikit-learn's `HuberRegressor`).
 *
 * Least squares lets a few gross outliers move the whole fit; Huber's loss is quadratic for
 * small residuals and linear for large ones, so outliers pull with a bounded force. With
 * residuals r = b - A x, threshold epsilon and ridge parameter lambda
 * (`QUARRY_OPT_RIDGE`, default 0):
 *
 * - **Fixed scale** sigma > 0 (`QUARRY_OPT_HUBER_SCALE` = sigma): minimize over x
 *       sum_i rho(r_i) + lambda ||x||^2,
 *   rho(r) = r^2 / 2 for |r| <= t, t |r| - t^2 / 2 beyond, t = epsilon sigma: the classic
 *   Huber loss with threshold t in the units of b.
 * - **Concomitant scale** (the default, `QUARRY_OPT_HUBER_SCALE` = 0): minimize over x and
 *   sigma > 0
 *       m sigma + sum_i H(r_i / sigma) sigma + lambda ||x||^2,
 *   H(z) = z^2 for |z| <= epsilon, 2 epsilon |z| - epsilon^2 beyond: Owen's (2007) jointly
 *   convex objective, the one scikit-learn's `HuberRegressor(epsilon, alpha = lambda,
 *   fit_intercept = False)` minimizes, so the scale follows the data (invariant to scaling b)
 *   and epsilon = 1.35 gives 95% efficiency on Gaussian noise.
 *
 * The solver is a semismooth Newton method on these convex, piecewise quadratic objectives
 * (in (x, sigma) jointly for the concomitant scale) with a backtracking line search,
 * started from the least-squares solution: each iteration is two passes over A and the
 * Gram matrix of the rows inside the threshold (A^T A, computed once, less that of the
 * rows outside when they are fewer), and the outlier set settles within a few
 * iterations (4 to 12 on the problems measured; heavy outlier rows of A take more). It
 * stops when the Newton decrement estimates the objective's distance to its minimum below
 * `QUARRY_OPT_TOLERANCE` (relative, default 1e-12), after one last full step. It works in
 * units of max |b_i|, so any finite b is fitted alike.
 */
#ifndef QUARRY_REGRESS_H
#define QUARRY_REGRESS_H

#include <stdint.h>

#include "context.h"
#include "export.h"
#include "options.h"
#include "report.h"
#include "status.h"
#include "types.h"

QUARRY_BEGIN_DECLS

/**
 * @brief Huber regression of b (m values) on the columns of a dense A (m x n).
 *
 * Options (NULL = defaults): `QUARRY_OPT_HUBER_SCALE` (0: estimate sigma, the default;
 * > 0: this fixed sigma), `QUARRY_OPT_RIDGE` (lambda), `QUARRY_OPT_TOLERANCE` (relative
 * distance of the objective to its minimum at which to stop; default 1e-12),
 * `QUARRY_OPT_MAX_ITERATIONS` (Newton iterations; default 100).
 * Report: `QUARRY_REPORT_ITERATIONS`, `QUARRY_REPORT_OBJECTIVE` (the objective above at the
 * solution), `QUARRY_REPORT_OUTLIERS` (residuals beyond epsilon sigma),
 * `QUARRY_REPORT_RESIDUAL_NORM` (||b - A x||), `QUARRY_REPORT_SECONDS`.
 *
 * @param ctx Context (thread count, error message).
 * @param layout `QUARRY_ROW_MAJOR` or `QUARRY_COL_MAJOR`.
 * @param m Rows of A and entries of b, >= 1.
 * @param n Columns of A and entries of x, >= 1.
 * @param a A, with leading dimension lda; not modified.
 * @param b m values; not modified.
 * @param epsilon The threshold in units of sigma: >= 1 for the concomitant scale (below 1
 *        the objective is minimized by sigma -> 0), > 0 for a fixed scale. scikit-learn's
 *        default, 1.35, is the usual choice.
 * @param[out] x n values: the coefficients.
 * @param[out] scale The scale sigma (estimated, or the fixed one); may be NULL. When b is
 *        fitted exactly the concomitant infimum is at sigma -> 0: sigma is then at rounding
 *        level (0 when the least-squares residuals are exactly 0).
 * @param opts Options, or NULL.
 * @param[out] report Receives a report the caller destroys; may be NULL.
 * @return `QUARRY_OK`; `QUARRY_ERR_NULL_POINTER`, `QUARRY_ERR_BAD_LAYOUT`,
 *         `QUARRY_ERR_BAD_DIMENSION`, `QUARRY_ERR_BAD_LEADING_DIM`, `QUARRY_ERR_NONFINITE`
 *         (A or b holds NaN or infinity, or A's entries are so large, beyond about 1e154,
 *         that A^T A overflows), `QUARRY_ERR_INVALID_ARGUMENT` (epsilon out of range, an
 *         option out of range), `QUARRY_ERR_OUT_OF_MEMORY`, `QUARRY_ERR_SIZE_OVERFLOW`;
 *         `QUARRY_ERR_NO_CONVERGENCE` when the iteration limit was reached, or no step
 *         lowered the objective while the Newton decrement was still above 1e-8 of it
 *         (x, scale and the report then hold the last iterate; the message says which).
 * @note Memory: 4 m + 5 n^2 doubles, m bytes, and a block of about 2 MB to gather rows
 *       for their Gram matrix; A is never copied. A holding NaN or infinity is found from
 *       A^T A's diagonal, so a valid call pays no separate pass for the check.
 * @since 0.1
 */
QUARRY_API quarry_status quarry_huber_f64(quarry_context *ctx, int32_t layout, int64_t m, int64_t n,
                                          const double *a, int64_t lda, const double *b,
                                          double epsilon, double *x, double *scale,
                                          const quarry_options *opts, quarry_report **report);

QUARRY_END_DECLS

#endif /* QUARRY_REGRESS_H */
