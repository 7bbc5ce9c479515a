/**
 * @file quarry/sketch.h
 * @brief Sketching operators: random matrices S (rows x cols) that compress the cols rows
 * of a tall matrix A into rows rows, S A, while keeping norms in A's column space.
 *
 * A `quarry_sketch` is immutable once created and may be shared by threads. It is a pure
 * function of (kind, rows, cols, non-zeros per column, rng state): the same arguments give
 * bitwise the same operator and bitwise the same products for any thread count and any
 * internal blocking. For every kind but `QUARRY_SKETCH_GAUSSIAN` the products are also
 * bitwise identical for row- and column-major input and for CSR input holding the same
 * values (without duplicate entries); a Gaussian sketch is applied with GEMM, whose
 * result for the two layouts differs in the last bits.
 *
 * ## The operators (all scaled so that E[S^T S] = I)
 * The stream of the state is as defined in quarry/rng.h.
 * - `QUARRY_SKETCH_GAUSSIAN`: S(i, j) = z / sqrt(rows), z = normal element j * rows + i of
 *   the stream: the Box-Muller pair of `quarry_rng_fill_normal_f64` from the same block,
 *   computed with quarry's own vectorized logarithm, square root and sine/cosine
 *   polynomials instead of the C library's (the same on every platform; within 4e-15 of
 *   `quarry_rng_fill_normal_f64`). Generated a block of columns at a time and applied
 *   with GEMM; S is never stored.
 * - `QUARRY_SKETCH_SRHT`: S = P H D / sqrt(rows). D flips input row j when bit (j mod 32) of
 *   32-bit element j / 32 of the stream is set; H is the unnormalized Walsh-Hadamard
 *   matrix of order N, the power of two >= cols (A is implicitly padded with zero rows,
 *   never copied); P keeps the rows of H D A chosen by a uniform sample of rows distinct
 *   indices of [0, N) (below), drawn from the stream 2^62 blocks further on. rows <= N.
 * - `QUARRY_SKETCH_SPARSE_SIGN` (SJLT / OSNAP, k = `QUARRY_OPT_SKETCH_NNZ`, default
 *   min(8, rows)): column j of S has k non-zeros +-1/sqrt(k), one in each of the k near-equal
 *   row blocks [l rows / k, (l + 1) rows / k), l = 0..k-1. Non-zero l of column j uses the
 *   64-bit value x of 32-bit elements 2e and 2e + 1 (e = j k + l; x = low + 2^32 high): its
 *   row is l rows / k + floor((x mod 2^63) size / 2^63) (size: the block's rows) and it is
 *   negative when x >= 2^63. rows < 2^31.
 * - `QUARRY_SKETCH_COUNTSKETCH`: the sparse sign sketch with k = 1 (entries +-1).
 * - `QUARRY_SKETCH_UNIFORM_ROWS`: sqrt(cols / rows) times the rows of A at a uniform sample of
 *   rows distinct indices of [0, cols) (rows <= cols), in increasing order. Kept as the
 *   negative control: it fails on coherent matrices, where a few rows carry the subspace.
 *
 * A uniform sample of r distinct indices of [0, N) is the first r entries of a
 * Fisher-Yates shuffle whose t-th swap exchanges t with t + floor(x_t (N - t) / 2^64),
 * x_t the 64-bit value of words 0 (low) and 1 of block t; the indices are then sorted.
 * The sampled kinds keep their sample in that increasing order, so row r of S A comes
 * from the r-th smallest index.
 *
 * Which kind when (details in docs/sketch.md): sparse sign for tall dense or sparse
 * data (O(k nnz(A)), needs rows of about 2 to 4 times A's rank); SRHT for dense data when
 * a few more rows must do (O(cols log cols) per column); Gaussian when rows is small or
 * the best embedding per row matters more than time (O(rows cols) per column);
 * CountSketch when rows can be about rank^2.
 *
 * These definitions are part of the ABI, like the random streams.
 */
#ifndef QUARRY_SKETCH_H
#define QUARRY_SKETCH_H

#include <stdint.h>

#include "context.h"
#include "export.h"
#include "options.h"
#include "rng.h"
#include "status.h"
#include "types.h"

QUARRY_BEGIN_DECLS

/** @brief Opaque handle of an immutable sketching operator. */
typedef struct quarry_sketch quarry_sketch;

/**
 * @brief Create a sketching operator S of size rows x cols.
 * @param ctx Context (thread count for drawing the operator, error message).
 * @param kind One of the `QUARRY_SKETCH_*` kinds.
 * @param rows Rows of S (the sketch size), >= 1; at most cols for uniform rows, at most
 *        the padded size for SRHT, below 2^31 for the sparse kinds.
 * @param cols Columns of S (rows of the matrices it applies to), >= 1.
 * @param opts NULL, or options: `QUARRY_OPT_SKETCH_NNZ` (sparse sign only, 1 .. rows;
 *        CountSketch accepts 1), `QUARRY_OPT_SEED` (used when `seed` is NULL).
 * @param seed The operator's random state, or NULL for the state of
 *        `quarry_rng_state_from_seed(QUARRY_OPT_SEED)` (seed 0 when unset).
 * @param[out] out Receives the operator; NULL on failure.
 * @return `QUARRY_OK`, `QUARRY_ERR_NULL_POINTER`, `QUARRY_ERR_INVALID_ARGUMENT` (unknown
 *         kind, bad state, non-zeros that do not fit), `QUARRY_ERR_BAD_DIMENSION`,
 *         `QUARRY_ERR_SIZE_OVERFLOW` (rows x cols of a Gaussian sketch beyond INT64_MAX,
 *         an SRHT with more than 2^48 cols) or `QUARRY_ERR_OUT_OF_MEMORY`.
 * @note Memory: about 4 k cols bytes for the sparse kinds, cols / 8 + 8 rows bytes for
 *       SRHT, 8 rows bytes for uniform rows, nothing for Gaussian.
 * @since 0.1
 */
QUARRY_API quarry_status quarry_sketch_create(quarry_context *ctx, int32_t kind, int64_t rows,
                                              int64_t cols, const quarry_options *opts,
                                              const quarry_rng_state *seed, quarry_sketch **out);

/** @brief Destroy an operator; NULL is allowed. @since 0.1 */
QUARRY_API void quarry_sketch_destroy(quarry_sketch *s);

/**
 * @brief The operator's kind, size and non-zeros per column (k for the sparse kinds, rows
 * for Gaussian and SRHT, 1 for uniform rows). Any output pointer may be NULL.
 * @return `QUARRY_OK` or `QUARRY_ERR_NULL_POINTER` (s is NULL).
 * @since 0.1
 */
QUARRY_API quarry_status quarry_sketch_info(const quarry_sketch *s, int32_t *kind, int64_t *rows,
                                            int64_t *cols, int64_t *nnz);

/**
 * @brief B = S A for a dense A (m x n, m = the sketch's cols); B is rows x n.
 *
 * A and B share `layout` and must not overlap. Extra memory: a rows x 16 buffer per thread
 * (sparse kinds), N x 8 per thread (SRHT, N the padded size), a block of at most 2^20
 * entries of S (Gaussian); A is never copied.
 * @return `QUARRY_OK`, `QUARRY_ERR_NULL_POINTER`, `QUARRY_ERR_BAD_LAYOUT`,
 *         `QUARRY_ERR_BAD_DIMENSION` (m is not the sketch's cols, or negative n),
 *         `QUARRY_ERR_BAD_LEADING_DIM`, `QUARRY_ERR_NONFINITE` (A holds a NaN or infinity
 *         that reaches B, named in the message, or S A overflows; found from B, so a valid
 *         call pays nothing for the check; uniform rows read only their sampled rows),
 *         `QUARRY_ERR_SIZE_OVERFLOW` or `QUARRY_ERR_OUT_OF_MEMORY`.
 * @since 0.1
 */
QUARRY_API quarry_status quarry_sketch_apply_f64(quarry_context *ctx, const quarry_sketch *s,
                                                 int32_t layout, int64_t m, int64_t n,
                                                 const double *a, int64_t lda, double *b,
                                                 int64_t ldb);

/**
 * @brief B = A S^T for a dense wide A (n x m, m = the sketch's cols); B is n x rows. The
 * sketch of A's rows, for data stored a sample per column. The same result, bitwise, as
 * `quarry_sketch_apply_f64` on A^T, transposed.
 * @return As `quarry_sketch_apply_f64`.
 * @since 0.1
 */
QUARRY_API quarry_status quarry_sketch_apply_right_f64(quarry_context *ctx, const quarry_sketch *s,
                                                       int32_t layout, int64_t n, int64_t m,
                                                       const double *a, int64_t lda, double *b,
                                                       int64_t ldb);

/**
 * @brief B = S A for a CSR matrix A (m x n, m = the sketch's cols); B is dense rows x n in
 * `layout_b`.
 *
 * Row i of A holds entries row_ptr[i] .. row_ptr[i + 1] - 1 of col_idx and val (columns
 * in any order; duplicates add up). Cost O(k nnz(A)) for the sparse kinds (never
 * densifies A), O(rows nnz(A)) for Gaussian; SRHT reads A once per 8 columns of B, so
 * prefer the sparse kinds for sparse data.
 * @return As `quarry_sketch_apply_f64`, plus `QUARRY_ERR_INVALID_ARGUMENT` for a malformed
 *         CSR structure (named in the message); every value of A is checked.
 * @since 0.1
 */
QUARRY_API quarry_status quarry_sketch_apply_csr_f64(quarry_context *ctx, const quarry_sketch *s,
                                                     int64_t m, int64_t n, const int64_t *row_ptr,
                                                     const int64_t *col_idx, const double *val,
                                                     int32_t layout_b, double *b, int64_t ldb);

/**
 * @brief B = A S^T for a CSR matrix A (n x m, m = the sketch's cols; e.g. n samples of m
 * features, as scikit-learn's random projections take them); B is dense n x rows in
 * `layout_b`.
 *
 * Row i of B sums row i of A in its stored order, so the result is bitwise that of
 * `quarry_sketch_apply_right_f64` on the same values when each row's column indices are
 * increasing (and not repeated). Cost O(k nnz(A)) for the sparse kinds, O(rows nnz(A))
 * for Gaussian, O(n N log N) for SRHT (N the padded size).
 * @return As `quarry_sketch_apply_csr_f64`.
 * @since 0.1
 */
QUARRY_API quarry_status quarry_sketch_apply_right_csr_f64(
    quarry_context *ctx, const quarry_sketch *s, int64_t n, int64_t m, const int64_t *row_ptr,
    const int64_t *col_idx, const double *val, int32_t layout_b, double *b, int64_t ldb);

/**
 * @brief Columns j0 .. j0 + w - 1 of S, explicitly (rows x w in `layout`): to inspect an
 * operator or hand it to another library. Costs about as much as applying S to w columns.
 * @return `QUARRY_OK`, `QUARRY_ERR_NULL_POINTER`, `QUARRY_ERR_BAD_LAYOUT`,
 *         `QUARRY_ERR_BAD_DIMENSION` (the range leaves [0, cols)),
 *         `QUARRY_ERR_BAD_LEADING_DIM` or `QUARRY_ERR_OUT_OF_MEMORY`.
 * @since 0.1
 */
QUARRY_API quarry_status quarry_sketch_columns_f64(quarry_context *ctx, const quarry_sketch *s,
                                                   int64_t j0, int64_t w, int32_t layout,
                                                   double *out, int64_t ld);

QUARRY_END_DECLS

#endif /* QUARRY_SKETCH_H */
