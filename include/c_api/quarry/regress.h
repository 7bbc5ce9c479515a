/**
 * @file quarry/regress.h
 * @brief Robust regression: Huber's M-estimator, with a fixed residual scale or with the
 * scale estimated jointly with the coefficients (scikit-learn's `HuberRegressor`), and
 * l_p regression for p >= 1 (least absolute deviations at p = 1); active regression
 * (labels read through an oracle); Kronecker regression.
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

/**
 * @brief Kronecker ridge regression: x minimizing ||K x - b||^2 + lambda ||x||^2 for
 * K = A_1 (x) A_2 (x) ... (x) A_N, the Kronecker product of N dense factors A_n
 * (I_n x R_n), never formed (K has prod I_n rows and prod R_n columns).
 *
 * b and x are tensors, row-major: entry (i_1, ..., i_N) of b is
 * b[((i_1 I_2 + i_2) I_3 + i_3) ...], the order in which the Kronecker product numbers its
 * rows (x likewise over R_1 x ... x R_N), so that K x is x multiplied along each mode n by
 * A_n. For N = 2 in matrix terms: K x = vec(A_1 X A_2^T) with X the R_1 x R_2 row-major
 * matrix holding x and b the I_1 x I_2 row-major matrix holding b.
 *
 * Two solvers (`QUARRY_OPT_LSTSQ_METHOD`):
 * - **Exact** (`QUARRY_LSTSQ_AUTO`, the default, or `QUARRY_LSTSQ_DIRECT`): from the thin
 *   SVDs A_n = U_n S_n V_n^T, x = (V_1 (x) ... (x) V_N) D (U_1 (x) ... (x) U_N)^T b with
 *   D = S / (S^2 + lambda) on the products S of the factors' singular values, the
 *   U_n^T and V_n applied mode by mode (one pass over b, sum_n (prod of the current
 *   dimensions) k_n flops, the first mode product dominating: 2 prod I_n min(I_n, R_n)
 *   flops for the mode that shrinks b most). Products of singular values at or below
 *   (sum_n max(I_n, R_n)) eps of the largest count as zero, with or without a ridge:
 *   without one, the minimum-norm least-squares solution. S / (S^2 + lambda) is computed
 *   without forming S^2, so any scale of the factors that K itself survives is solved. Fahrbach, Fu
 * and Ghadiri's "KronSVD" baseline, with U^T b in place of their K^T b (the same flops, without
 * squaring the condition number).
 * - **Sampled** (`QUARRY_LSTSQ_SKETCH_SOLVE`; Fahrbach, Fu and Ghadiri, NeurIPS 2022): s
 *   rows of K drawn by their leverage scores, which are products of the factors' (each
 *   draw picks one row of each factor independently, with probability its leverage score
 *   over the factor's rank), weighted 1 / (s p_i), and the sampled ridge problem solved by
 *   conjugate gradients preconditioned with (K^T K + lambda I)^+ from the factors' SVDs,
 *   to `QUARRY_OPT_TOLERANCE` (relative preconditioned residual, default 1e-10; a few
 *   iterations: the sample's normal matrix is within a small factor of K's). Reads only
 *   the sampled entries of b (at most s), so its cost does not grow with prod I_n:
 *   O(sum_n I_n R_n^2) for the SVDs plus O(s N log I_n) to draw and, per iteration, two
 *   products of the sampled rows of one factor A_m with the R_m x (prod R_n / R_m)
 *   unfolding of x and O(s prod R_n / R_m) more (m: the factor whose distinct sampled
 *   rows times prod R_n / R_m is smallest). The fit's excess loss is about d / s of the
 *   minimum, for the statistical dimension d = sum_j S_j^2 / (S_j^2 + lambda) of K (its
 *   rank without a ridge; within a few tenths of a percent of that on the authors'
 *   suite), so s defaults to 50 d, at least 100: about 2% (`QUARRY_OPT_SKETCH_ROWS` sets
 *   it). The exact solver is the faster one until prod I_n is far larger than s
 *   (docs/benchmarks.md).
 *
 * Options (NULL = defaults): `QUARRY_OPT_RIDGE` (lambda >= 0, default 0),
 * `QUARRY_OPT_LSTSQ_METHOD` (above), and for the sampled solver `QUARRY_OPT_SKETCH_ROWS`
 * (draws), `QUARRY_OPT_SEED`, `QUARRY_OPT_TOLERANCE`, `QUARRY_OPT_MAX_ITERATIONS`
 * (conjugate-gradient iterations, default 100).
 * Report: `QUARRY_REPORT_METHOD` (`QUARRY_LSTSQ_DIRECT` or `QUARRY_LSTSQ_SKETCH_SOLVE`),
 * `QUARRY_REPORT_QUERIES` (entries of b read: all, or the distinct sampled rows),
 * `QUARRY_REPORT_SECONDS`; exact: `QUARRY_REPORT_OBJECTIVE` (||K x - b||^2 + lambda
 * ||x||^2) and `QUARRY_REPORT_RESIDUAL_NORM` (||K x - b||), both from the projection of b
 * (||b||^2 - ||U^T b||^2 + ..., so accurate to about eps ||b||^2 when the factors' SVDs
 * are; infinite when ||b||^2 overflows); sampled:
 * `QUARRY_REPORT_SKETCH_ROWS` (draws), `QUARRY_REPORT_ITERATIONS`.
 *
 * @param ctx Context (thread count, error message).
 * @param layout `QUARRY_ROW_MAJOR` or `QUARRY_COL_MAJOR`: every factor's.
 * @param nfactors N, 1 to 64 (N = 1 is ordinary ridge regression on A_1).
 * @param rows I_1 ... I_N, each >= 1 (any sizes: I_n < R_n is allowed).
 * @param cols R_1 ... R_N, each >= 1.
 * @param factors N pointers to the factors; not modified.
 * @param ld N leading dimensions.
 * @param b prod I_n values (the tensor above); not modified.
 * @param[out] x prod R_n values.
 * @param opts Options, or NULL.
 * @param[out] report Receives a report the caller destroys; may be NULL.
 * @return `QUARRY_OK`; `QUARRY_ERR_NULL_POINTER`, `QUARRY_ERR_BAD_LAYOUT`,
 *         `QUARRY_ERR_BAD_DIMENSION` (N or a factor's size), `QUARRY_ERR_BAD_LEADING_DIM`,
 *         `QUARRY_ERR_NONFINITE` (a factor or a read entry of b holds NaN or infinity),
 *         `QUARRY_ERR_INVALID_ARGUMENT` (an option out of range or another method),
 *         `QUARRY_ERR_OUT_OF_MEMORY`, `QUARRY_ERR_SIZE_OVERFLOW` (prod I_n or prod R_n
 *         beyond int64; with a 32-bit-integer BLAS, as Debian's OpenBLAS, also a mode
 *         product whose dimensions after its mode multiply to 2^31 or more, e.g. b beyond
 *         16 GiB with I_1 = 1); `QUARRY_ERR_NONFINITE` also when x overflows (a problem
 *         scaled beyond the doubles); `QUARRY_ERR_NO_CONVERGENCE` (sampled) when the
 *         iteration limit came first (x holds the last iterate).
 * @note Memory: exact, two buffers of the largest intermediate tensor (prod I_n k_1 / I_1
 *       for the first mode) plus the factors' SVDs; sampled, (N + 3) s + the distinct
 *       sampled rows of A_m times prod R_n / R_m doubles, a few vectors of prod R_n, and the
 *       SVDs.
 * @since 0.1
 */
QUARRY_API quarry_status quarry_kronecker_regression_f64(
    quarry_context *ctx, int32_t layout, int32_t nfactors, const int64_t *rows, const int64_t *cols,
    const double *const *factors, const int64_t *ld, const double *b, double *x,
    const quarry_options *opts, quarry_report **report);

/**
 * @brief Sampled Kronecker ridge regression with b given by a label oracle: the sampled
 * solver of `quarry_kronecker_regression_f64`, asking `labels` only for the sampled rows
 * of K (flat row indices as above, increasing, distinct, in batches of at most 4096), so
 * that b need never exist in full (prod I_n can be far beyond memory).
 *
 * Options and report as for `quarry_kronecker_regression_f64` (the method, if set, must be
 * `QUARRY_LSTSQ_AUTO` or `QUARRY_LSTSQ_SKETCH_SOLVE`), plus `QUARRY_REPORT_BATCHES` and
 * `QUARRY_REPORT_ORACLE_SECONDS`.
 * @return As `quarry_kronecker_regression_f64`, plus `QUARRY_ERR_ORACLE` when the oracle
 *         returns non-zero or a label is NaN or infinite (x is then untouched).
 * @since 0.1
 */
QUARRY_API quarry_status quarry_kronecker_regression_labels_f64(
    quarry_context *ctx, int32_t layout, int32_t nfactors, const int64_t *rows, const int64_t *cols,
    const double *const *factors, const int64_t *ld, quarry_label_fn labels, void *user, double *x,
    const quarry_options *opts, quarry_report **report);

/**
 * @brief y = K x or y = K^T x for K = A_1 (x) ... (x) A_N (factors as in
 * `quarry_kronecker_regression_f64`), mode by mode without forming K: predictions and
 * residuals of a Kronecker regression, or the mode products of a Tucker model.
 *
 * @param transpose 0: x has prod R_n entries, y gets prod I_n (y = K x); 1: x has prod I_n,
 *        y gets prod R_n (y = K^T x).
 * @param x The input tensor (row-major, as above); finite (a NaN or infinity is found
 *        when it reaches y, so a valid call pays no separate pass over x; a finite x
 *        whose product overflows gives infinities in y).
 * @param[out] y The output tensor; must not overlap x.
 * @return `QUARRY_OK`; `QUARRY_ERR_NULL_POINTER`, `QUARRY_ERR_BAD_LAYOUT`,
 *         `QUARRY_ERR_BAD_DIMENSION`, `QUARRY_ERR_BAD_LEADING_DIM`, `QUARRY_ERR_NONFINITE`,
 *         `QUARRY_ERR_INVALID_ARGUMENT` (transpose not 0 or 1), `QUARRY_ERR_OUT_OF_MEMORY`,
 *         `QUARRY_ERR_SIZE_OVERFLOW`.
 * @note Memory: two buffers of the largest intermediate tensor.
 * @since 0.1
 */
QUARRY_API quarry_status quarry_kronecker_multiply_f64(
    quarry_context *ctx, int32_t layout, int32_t nfactors, const int64_t *rows, const int64_t *cols,
    const double *const *factors, const int64_t *ld, int32_t transpose, const double *x, double *y);

QUARRY_END_DECLS

#endif /* QUARRY_REGRESS_H */
