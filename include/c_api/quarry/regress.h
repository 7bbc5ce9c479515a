/**
 * @file quarry/regress.h
 * @brief Robust regression: Huber's M-estimator, with a fixed residual scale or with the
 * scale estimated jointly with the coefficients (scikit-learn's `HuberRegressor`), and
 * l_p regression for p >= 1 (least absolute deviations at p = 1).
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

/**
 * @brief l_p regression: x minimizing sum_i |b_i - a_i^T x|^p for a dense A (m x n, m >= n)
 * and 1 <= p <= 100 (p = 1: least absolute deviations, the median regression; p = 2: least
 * squares; large p approaches the minimax fit).
 *
 * The objective is convex for every p >= 1 but not smooth at zero residuals (p < 2) and
 * not strongly convex (p > 2). quarry follows a path of smoothed objectives
 * sum_i (r_i^2 + mu^2)^(p/2) from mu about the residuals' size (where Newton's first step
 * is close to least squares) down to mu -> 0, by Newton's method with a line search, and
 * stops when a duality gap certifies the unsmoothed objective: each Newton step gives a
 * dual point u with A^T u = 0 and a lower bound r^T u / ||u||_q (q = p / (p - 1)) on the
 * minimum of ||r||_p, so `QUARRY_REPORT_DUAL_GAP` = (F(x) - bound^p) / F(x) bounds the
 * relative distance of the objective F(x) to its minimum. A certificate counts only when
 * ||A^T u|| <= 1e-10 ||A||_F ||u|| (checked by one more pass over A): the bound assumes
 * A^T u = 0, which the Newton solve meets only to its tolerance, relative to the gradient.
 * Residuals at rounding level are an exact fit, the minimum (gap 0). For p = 1 quarry also tries,
 * at the end of each stage, the vertex through the n smallest residuals with linear programming's
 * optimality test, and so ends exactly at an optimal vertex (gap at rounding level).
 *
 * Each Newton system (A^T Phi'' A) d = A^T phi' is a weighted least-squares problem (the
 * iteratively reweighted least squares of l_p regression), solved from the current iterate
 * by conjugate gradients with one of two preconditioners: the Cholesky factor of the
 * weighted Gram matrix (m n^2 flops, direct for small n) or R from a QR of a sparse sign
 * sketch of the weighted A, kept over the following Newton steps while it still
 * preconditions their weights (each iteration one pass over A). A cost model picks one;
 * `QUARRY_OPT_LSTSQ_METHOD` = `QUARRY_LSTSQ_GRAM_PRECONDITION` or
 * `QUARRY_LSTSQ_SKETCH_PRECONDITION` forces it.
 *
 * Options (NULL = defaults): `QUARRY_OPT_TOLERANCE` (the duality gap at which to stop,
 * default 1e-10; below 8 p sqrt(m) u, u = 2^-52 the unit roundoff, counts as that: the
 * certificate's own rounding), `QUARRY_OPT_MAX_ITERATIONS` (Newton
 * iterations, default 300), `QUARRY_OPT_LSTSQ_METHOD` (`QUARRY_LSTSQ_AUTO`, the default,
 * or one of the two above), and for the sketch `QUARRY_OPT_SKETCH_KIND` (sparse sign, the
 * default, CountSketch or Gaussian: kinds with independent columns),
 * `QUARRY_OPT_SKETCH_ROWS` (default 4 n), `QUARRY_OPT_SKETCH_NNZ`, `QUARRY_OPT_SEED`.
 * Report: `QUARRY_REPORT_METHOD` (the preconditioner), `QUARRY_REPORT_ITERATIONS` (Newton
 * iterations), `QUARRY_REPORT_OBJECTIVE` (sum_i |r_i|^p at x; infinite when it
 * overflows), `QUARRY_REPORT_DUAL_GAP`, `QUARRY_REPORT_RESIDUAL_NORM` (||b - A x||_2),
 * `QUARRY_REPORT_SECONDS`.
 *
 * @param ctx Context (thread count, error message).
 * @param layout `QUARRY_ROW_MAJOR` or `QUARRY_COL_MAJOR`.
 * @param m Rows of A and entries of b, >= n.
 * @param n Columns of A and entries of x, >= 1.
 * @param a A, with leading dimension lda; not modified.
 * @param b m values; not modified.
 * @param p The exponent, 1 <= p <= 100 (beyond, the smoothed objectives are so stiff that
 *        Newton's method crawls). Newton iterations grow with p (about 10 at p = 3, 20 at
 *        p = 20, 36 at p = 50 on a 20000 x 20 problem).
 * @param[out] x n values: the coefficients.
 * @param opts Options, or NULL.
 * @param[out] report Receives a report the caller destroys; may be NULL.
 * @return `QUARRY_OK`; `QUARRY_ERR_NULL_POINTER`, `QUARRY_ERR_BAD_LAYOUT`,
 *         `QUARRY_ERR_BAD_DIMENSION` (also m < n), `QUARRY_ERR_BAD_LEADING_DIM`,
 *         `QUARRY_ERR_NONFINITE` (A or b holds NaN or infinity),
 *         `QUARRY_ERR_INVALID_ARGUMENT` (p out of range, an option out of range or a
 *         method other than the three above, a ridge), `QUARRY_ERR_OUT_OF_MEMORY`,
 *         `QUARRY_ERR_SIZE_OVERFLOW`; `QUARRY_ERR_NO_CONVERGENCE` when the iteration limit
 *         was reached before the tolerance, or the smoothing reached its floor without a
 *         certificate (x and the report then hold the last iterate and its gap; the message
 *         says which).
 * @note Memory: about 12 m + 2 n^2 doubles (Gram) or 12 m + 8 n^2 (sketch), and a block of
 *       8192 scaled rows of A; A is never copied.
 * @since 0.1
 */
QUARRY_API quarry_status quarry_lp_regression_f64(quarry_context *ctx, int32_t layout, int64_t m,
                                                  int64_t n, const double *a, int64_t lda,
                                                  const double *b, double p, double *x,
                                                  const quarry_options *opts,
                                                  quarry_report **report);

/**
 * @brief A label oracle for active regression: fill labels[t] = b_{rows[t]} for t < count
 * (rows increasing, distinct, each asked once per call of the regression).
 *
 * The library calls it only on the thread that called the regression, with count >= 1.
 * @return 0 on success; any other value aborts the regression with `QUARRY_ERR_ORACLE`
 *         (as does a label that is NaN or infinite).
 */
typedef int32_t (*quarry_label_fn)(int64_t count, const int64_t *rows, double *labels, void *user);

/**
 * @brief Active l_p regression: fit b ~ A x in the l_p norm (p >= 1) reading only `budget`
 * of the m labels b_i, where A is known in full and each label is costly (a simulation, an
 * assay, a survey answer).
 *
 * Musco, Musco, Woodruff and Yasuda (FOCS 2022): rows chosen by A's l_p Lewis weights
 * (`quarry_lewis_weights_f64`; the leverage scores for p = 2) give a (1 + eps)-approximate
 * fit from about n / eps labels for p in [1, 2] (up to logarithms), where uniformly chosen
 * rows may miss the few rows that decide the fit (coherent A, heavy-tailed rows). quarry
 * computes the weights (labels are not needed for that), draws `budget` distinct rows with
 * inclusion probabilities pi_i = min(1, c w_i) summing to the budget (systematic sampling,
 * as `quarry_sample_weighted` without replacement; seed `QUARRY_OPT_SEED`), asks `labels`
 * for them in batches of at most 1024 rows, and minimizes the sample's unbiased estimate of
 * the objective, sum over sampled i of |b_i - a_i^T x|^p / pi_i, with
 * `quarry_lp_regression_f64` (for every p, p = 2 included).
 *
 * Options: the Lewis weights' (`QUARRY_OPT_LEVERAGE_METHOD`, `QUARRY_OPT_SKETCH_ROWS`,
 * `QUARRY_OPT_SKETCH_KIND`; exact scores: at most 100 rounds to 1e-10, approximate: 10
 * rounds; large p converges slowly, by (p - 2) / (p + 2) per round), `QUARRY_OPT_SEED` (the
 * sketch's and the sample's), and the fit's `QUARRY_OPT_TOLERANCE` and `QUARRY_OPT_MAX_ITERATIONS`.
 * Report: `QUARRY_REPORT_QUERIES` (labels read: the budget), `QUARRY_REPORT_BATCHES`,
 * `QUARRY_REPORT_ORACLE_SECONDS`, `QUARRY_REPORT_ITERATIONS` (the fit's Newton
 * iterations), `QUARRY_REPORT_OBJECTIVE` (the sample's estimate of sum_i |r_i|^p at x),
 * `QUARRY_REPORT_DUAL_GAP` (of the sampled problem), `QUARRY_REPORT_SECONDS`.
 *
 * @param p The exponent, 1 <= p <= 100.
 * @param labels The label oracle (not NULL); `user` is passed to it.
 * @param budget Labels to read: n <= budget <= the number of non-zero rows of A.
 * @param[out] x n values: the coefficients.
 * @return `QUARRY_OK`; `QUARRY_ERR_NULL_POINTER`, `QUARRY_ERR_BAD_LAYOUT`,
 *         `QUARRY_ERR_BAD_DIMENSION` (m < n), `QUARRY_ERR_BAD_LEADING_DIM`,
 *         `QUARRY_ERR_NONFINITE` (A), `QUARRY_ERR_INVALID_ARGUMENT` (p, the budget or an
 *         option out of range), `QUARRY_ERR_ORACLE` (the oracle failed or gave a NaN or
 *         infinite label; x is then untouched), `QUARRY_ERR_NO_CONVERGENCE` (the Lewis
 *         weights or the fit; x and the report hold what was reached),
 *         `QUARRY_ERR_OUT_OF_MEMORY`, `QUARRY_ERR_SIZE_OVERFLOW`.
 * @note Memory: the Lewis weights' (two copies of A, exact) and budget x n doubles.
 * @since 0.1
 */
QUARRY_API quarry_status quarry_active_regression_f64(quarry_context *ctx, int32_t layout,
                                                      int64_t m, int64_t n, const double *a,
                                                      int64_t lda, double p, quarry_label_fn labels,
                                                      void *user, int64_t budget, double *x,
                                                      const quarry_options *opts,
                                                      quarry_report **report);

QUARRY_END_DECLS

#endif /* QUARRY_REGRESS_H */
