/**
 * @file quarry/sampling.h
 * @brief Row importance and row sampling: leverage scores (exact, sketched, ridge), squared
 * row norms, weighted sampling with and without replacement, and a dynamic sampling tree.
 *
 * The leverage score of row i of A (m x n) is the squared norm of row i of an orthonormal
 * basis of A's column space: how much the subspace depends on that row. Scores lie in
 * [0, 1] and sum to rank(A); sampling rows with probability proportional to them keeps a
 * least-squares problem's geometry with O(n log n) rows, where uniform sampling can miss the
 * few rows that matter. Ridge leverage scores a_i^T (A^T A + lambda I)^-1 a_i do the same
 * for ridge regression.
 *
 * Random choices use the caller's `quarry_rng_state` (quarry/rng.h) and are reproducible:
 * the same state and inputs give the same result for any thread count.
 */
#ifndef QUARRY_SAMPLING_H
#define QUARRY_SAMPLING_H

#include <stdint.h>

#include "context.h"
#include "export.h"
#include "options.h"
#include "report.h"
#include "rng.h"
#include "status.h"
#include "types.h"

QUARRY_BEGIN_DECLS

/**
 * @brief Leverage scores of the rows of a dense A (m x n): scores[i] for i < m.
 *
 * Options (NULL = defaults):
 * - `QUARRY_OPT_LEVERAGE_METHOD`: `QUARRY_LEVERAGE_EXACT` (default) computes a thin QR of a
 *   copy of A (an SVD when A is numerically rank deficient, rank = the singular values
 *   above max(m, n) eps sigma_max; then the scores sum to that rank), O(m n^2) time and
 *   m n extra doubles. `QUARRY_LEVERAGE_APPROX` (Drineas, Magdon-Ismail, Mahoney and
 *   Woodruff, JMLR 2012) sketches A to s rows, takes the SVD of the sketch (which gives
 *   R^-1 = V Sigma^-1) and returns the squared row norms of A R^-1 G, G a Gaussian
 *   n x 128 matrix scaled by 1/sqrt(128), scaled to sum to the sketch's numerical rank (the
 *   sketch biases all scores by about the same factor): O(nnz(A) k + s n^2 + 128 m n)
 *   time, s n + 128 m extra doubles; within a factor 2 of the exact scores on nearly every
 *   row (tested: at least 99% of rows). It computes the exact scores when s >= m.
 * - `QUARRY_OPT_RIDGE` (lambda >= 0, default 0): ridge leverage scores
 *   a_i^T (A^T A + lambda I)^-1 a_i (exact: QR of [A; sqrt(lambda) I]; approximate: the
 *   sketch gets sqrt(lambda) I below it, and the scores are not rescaled).
 * - `QUARRY_OPT_SKETCH_ROWS` (approximate; default min(m, 20 n)),
 *   `QUARRY_OPT_SKETCH_KIND` (approximate; default `QUARRY_SKETCH_SPARSE_SIGN`),
 *   `QUARRY_OPT_SEED` (approximate; default 0: the state of `quarry_rng_state_from_seed`).
 *
 * @return `QUARRY_OK`, `QUARRY_ERR_NULL_POINTER`, `QUARRY_ERR_BAD_LAYOUT`,
 *         `QUARRY_ERR_BAD_DIMENSION`, `QUARRY_ERR_BAD_LEADING_DIM`, `QUARRY_ERR_NONFINITE`
 *         (A holds NaN or infinity, named), `QUARRY_ERR_INVALID_ARGUMENT` (an option out
 *         of range for this problem), `QUARRY_ERR_NO_CONVERGENCE` (the SVD failed),
 *         `QUARRY_ERR_SIZE_OVERFLOW` or `QUARRY_ERR_OUT_OF_MEMORY`.
 * @since 0.1
 */
QUARRY_API quarry_status quarry_leverage_scores_f64(quarry_context *ctx, int32_t layout, int64_t m,
                                                    int64_t n, const double *a, int64_t lda,
                                                    const quarry_options *opts, double *scores);

/**
 * @brief The l_p Lewis weights of the rows of a dense A (m x n): weights[i] for i < m.
 *
 * The Lewis weights are the w > 0 with w_i = (a_i^T (A^T W^(1 - 2/p) A)^-1 a_i)^(p/2), W =
 * diag(w) (Lewis, 1978): the leverage scores of W^(1/2 - 1/p) A, so they sum to the rank of
 * A, and for p = 2 they are A's leverage scores. Sampling rows with probabilities
 * proportional to them preserves ||A x||_p for every x, as leverage scores do for p = 2
 * (Cohen and Peng, STOC 2015): they are the weights of l_p row sampling and of active
 * l_p regression (`quarry_active_regression_f64`).
 *
 * Computed by the fixed-point iteration of Cohen and Peng, w <- T(w) = (leverage scores of
 * W^(1/2 - 1/p) A)^(p/2) w^(1 - p/2), started at A's leverage scores, each round one
 * leverage-score computation. In log w the map's Jacobian is -(p/2 - 1) times a matrix
 * with eigenvalues in [0, 1], so undamped it contracts by |p/2 - 1| near the fixed point
 * (1/2 at p = 1), and only for p < 4. For p > 2 quarry takes the geometric mean
 * w^(1 - alpha) T(w)^alpha with alpha = 4 / (p + 2), which balances the two ends of that
 * spectrum and contracts by (p - 2) / (p + 2) (1/3 at p = 4, 2/3 at p = 10; 100 rounds
 * do not reach 1e-10 beyond about p = 18). Below p = 2 the same alpha would extrapolate,
 * which far from the fixed point drove every weight towards 0 for p <= 0.2: the step is
 * Cohen and Peng's own there. For p >= 4 this is a local
 * guarantee only (Fazel, Lee, Padmanabhan and Sidford, SODA 2022, give a provable
 * method); the iteration stops at `QUARRY_OPT_TOLERANCE` on the fixed-point residual
 * max_i |T(w)_i - w_i| / max(w_i, 1e-6 r / m), r the rank (relative to each weight, but
 * to a millionth of the mean for the lightest rows, whose tiny leverage scores have only
 * absolute accuracy; default 1e-10), and fails with `QUARRY_ERR_NO_CONVERGENCE` after
 * `QUARRY_OPT_MAX_ITERATIONS` rounds (default 100; exact scores).
 *
 * Options: as `quarry_leverage_scores_f64` for the leverage scores of every round
 * (`QUARRY_OPT_LEVERAGE_METHOD`: exact, the default, or approximate: each round then costs
 * a sketch, not a QR of the scaled A, and the weights are within the scores' accuracy,
 * about a factor 2, of the exact ones; the noise of the estimates leaves no tolerance to
 * reach, so the rounds are a budget, 10 unless `QUARRY_OPT_MAX_ITERATIONS` says, and
 * reaching it is no error; `QUARRY_OPT_SKETCH_ROWS`, `QUARRY_OPT_SKETCH_KIND`,
 * `QUARRY_OPT_SEED`), and the two above. Report: `QUARRY_REPORT_ITERATIONS` (leverage-score
 * computations), `QUARRY_REPORT_RANK` (the rank, the weights' sum), `QUARRY_REPORT_RESIDUAL_NORM`
 * (the last fixed-point residual), `QUARRY_REPORT_SECONDS`.
 *
 * @param p The exponent, finite and > 0.
 * @param[out] weights m values; zero rows of A get 0.
 * @param[out] report Receives a report the caller destroys; may be NULL.
 * @return `QUARRY_OK`, `QUARRY_ERR_NULL_POINTER`, `QUARRY_ERR_BAD_LAYOUT`,
 *         `QUARRY_ERR_BAD_DIMENSION`, `QUARRY_ERR_BAD_LEADING_DIM`, `QUARRY_ERR_NONFINITE`,
 *         `QUARRY_ERR_INVALID_ARGUMENT` (p out of range, an option out of range),
 *         `QUARRY_ERR_NO_CONVERGENCE` (the round limit; weights and the report hold the
 *         last round), `QUARRY_ERR_SIZE_OVERFLOW` or `QUARRY_ERR_OUT_OF_MEMORY`.
 * @note Memory: a scaled copy of A and what each leverage computation takes (exact: a
 *       second copy of A).
 * @since 0.1
 */
QUARRY_API quarry_status quarry_lewis_weights_f64(quarry_context *ctx, int32_t layout, int64_t m,
                                                  int64_t n, const double *a, int64_t lda, double p,
                                                  double *weights, const quarry_options *opts,
                                                  quarry_report **report);

/**
 * @brief out[i] = the squared Euclidean norm of row i of A (m x n): the weights of
 * length-squared (l2) row sampling. Bitwise the same for either layout.
 * @return `QUARRY_OK`, `QUARRY_ERR_NULL_POINTER`, `QUARRY_ERR_BAD_LAYOUT`,
 *         `QUARRY_ERR_BAD_DIMENSION`, `QUARRY_ERR_BAD_LEADING_DIM` or
 *         `QUARRY_ERR_NONFINITE`.
 * @since 0.1
 */
QUARRY_API quarry_status quarry_row_norms_squared_f64(quarry_context *ctx, int32_t layout,
                                                      int64_t m, int64_t n, const double *a,
                                                      int64_t lda, double *out);

/**
 * @brief Draw `count` of the m rows with probability proportional to `weights`, returning
 * the indices (increasing) and their rescaling factors, so that the sampled rows of A,
 * each multiplied by its factor, form S A with E[S^T S] = I.
 *
 * - with_replacement = 1: count independent draws, p_i = w_i / sum(w); draw t picks the
 *   first i whose running sum of weights (in index order) exceeds u_t sum(w), u_t the
 *   uniform element t of the stream (`quarry_rng_fill_uniform_f64`); factor
 *   1 / sqrt(count p_i). An index may repeat.
 * - with_replacement = 0: count distinct rows, row i included with probability
 *   pi_i = min(1, c w_i), c such that the pi_i sum to count; rows with pi_i = 1 always, the
 *   rest by systematic sampling (Madow, 1949) over a uniformly random order of the rows;
 *   factor 1 / sqrt(pi_i). count may not exceed the number of positive weights.
 *
 * @param weights m finite values >= 0 with a positive sum (e.g. leverage scores, or
 *        squared row norms for l2 sampling).
 * @param seed The random state (not NULL).
 * @param[out] indices count indices.
 * @param[out] scales count rescaling factors.
 * @return `QUARRY_OK`, `QUARRY_ERR_NULL_POINTER`, `QUARRY_ERR_BAD_DIMENSION` (m < 1,
 *         count < 0, or too many distinct rows asked), `QUARRY_ERR_INVALID_ARGUMENT`
 *         (a negative or non-finite weight, a zero sum, with_replacement not 0 or 1, a bad
 *         state) or `QUARRY_ERR_OUT_OF_MEMORY`.
 * @since 0.1
 */
QUARRY_API quarry_status quarry_sample_weighted(quarry_context *ctx, int64_t m,
                                                const double *weights, int64_t count,
                                                int32_t with_replacement,
                                                const quarry_rng_state *seed, int64_t *indices,
                                                double *scales);

/**
 * @brief Opaque handle of a dynamic sampling tree: m non-negative weights, each updated in
 * O(log m), and draws of index i with probability w_i / sum(w) in O(log m) each (the
 * l2-sampling data structure of the "dequantized" algorithms, Tang, STOC 2019).
 *
 * Inner nodes hold the sums of their children, recomputed on every update, so sums never
 * drift however many updates are made. A tree is not safe to update from two threads at
 * once; concurrent draws on a tree nobody updates are safe.
 */
typedef struct quarry_sample_tree quarry_sample_tree;

/**
 * @brief Create a tree of m weights: a copy of `weights`, or all 0 when it is NULL.
 * @return `QUARRY_OK`, `QUARRY_ERR_NULL_POINTER`, `QUARRY_ERR_BAD_DIMENSION` (m outside
 *         [1, 2^40]), `QUARRY_ERR_INVALID_ARGUMENT` (a negative or non-finite weight, or a
 *         total that overflows) or `QUARRY_ERR_OUT_OF_MEMORY`.
 * @since 0.1
 */
QUARRY_API quarry_status quarry_sample_tree_create(quarry_context *ctx, int64_t m,
                                                   const double *weights, quarry_sample_tree **out);

/** @brief Destroy a tree; NULL is allowed. @since 0.1 */
QUARRY_API void quarry_sample_tree_destroy(quarry_sample_tree *tree);

/**
 * @brief Set the weights of `count` indices (index[t] gets weight[t], in order), each in
 * O(log m). On failure the entries before the bad one are set and the rest are not.
 * @return `QUARRY_OK`, `QUARRY_ERR_NULL_POINTER`, `QUARRY_ERR_BAD_DIMENSION` (an index
 *         outside [0, m)) or `QUARRY_ERR_INVALID_ARGUMENT` (a negative or non-finite
 *         weight, or one that makes the total overflow).
 * @since 0.1
 */
QUARRY_API quarry_status quarry_sample_tree_update(quarry_context *ctx, quarry_sample_tree *tree,
                                                   int64_t count, const int64_t *index,
                                                   const double *weight);

/**
 * @brief The tree's size, total weight and (when i is in [0, m) and weight is not NULL)
 * weight i. Any output may be NULL.
 * @return `QUARRY_OK`, `QUARRY_ERR_NULL_POINTER` (tree) or `QUARRY_ERR_BAD_DIMENSION`.
 * @since 0.1
 */
QUARRY_API quarry_status quarry_sample_tree_get(const quarry_sample_tree *tree, int64_t *m,
                                                double *total, int64_t i, double *weight);

/**
 * @brief `count` independent draws: draw t walks down from the root with x = u_t total,
 * u_t the uniform element t of the stream of `seed`, going left when x is below the left
 * subtree's sum (or the right one is empty) and right otherwise, with x reduced by the left
 * sum. Writes the indices in draw order and, when `probs` is not NULL, each draw's
 * probability w_i / total.
 * @return `QUARRY_OK`, `QUARRY_ERR_NULL_POINTER`, `QUARRY_ERR_BAD_DIMENSION` (count < 0)
 *         or `QUARRY_ERR_INVALID_ARGUMENT` (every weight is 0, or a bad state).
 * @since 0.1
 */
QUARRY_API quarry_status quarry_sample_tree_sample(quarry_context *ctx,
                                                   const quarry_sample_tree *tree,
                                                   const quarry_rng_state *seed, int64_t count,
                                                   int64_t *indices, double *probs);

QUARRY_END_DECLS

#endif /* QUARRY_SAMPLING_H */
