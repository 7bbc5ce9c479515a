/**
 * @file quarry/extract.h
 * @brief One-hidden-layer ReLU networks, and simulated black boxes to extract them from.
 *
 * A network maps R^d to R^c with k hidden ReLU neurons:
 *
 *     F(x) = A ReLU(W x + b) + S x + c0
 *
 * with W (k x d), b (k), A (c x k), an optional affine skip term S (c x d) and c0 (c).
 * All matrices are row-major and dense. A `quarry_relu_net` is immutable once created, so
 * it may be shared by threads; destroy it with `quarry_relu_net_destroy`.
 *
 * Oracles: extraction sees the network only through a `quarry_oracle_fn`, which answers a
 * batch of queries. `quarry_net_oracle` is a ready-made oracle that evaluates a known
 * network, optionally the way a defended or low-precision deployment would, so that users
 * and tests can simulate black boxes and count queries.
 */
#ifndef QUARRY_EXTRACT_H
#define QUARRY_EXTRACT_H

#include <stdint.h>

#include "context.h"
#include "export.h"
#include "options.h"
#include "report.h"
#include "status.h"

QUARRY_BEGIN_DECLS

/**
 * @brief A black box: answer the n queries in `x` (n x d, row-major) with the n outputs
 * `y` (n x c, row-major).
 *
 * The library calls it only on the thread that called the extraction, with n >= 1.
 * Every row of every batch counts as one query.
 * @return 0 on success; any other value aborts the extraction with `QUARRY_ERR_ORACLE`.
 */
typedef int32_t (*quarry_oracle_fn)(int64_t n, int64_t d, const double *x, int64_t c, double *y,
                                    void *user_data);

/** @brief Opaque handle of an immutable one-hidden-layer ReLU network. */
typedef struct quarry_relu_net quarry_relu_net;

/**
 * @brief Create a network from its weights (copied; the arrays may be freed afterwards).
 * @param ctx Context for the error message.
 * @param d Inputs, >= 1.
 * @param k Hidden neurons, >= 0 (0: a purely affine map).
 * @param c Outputs, >= 1.
 * @param w k x d row-major (may be NULL when k = 0).
 * @param b k biases (may be NULL when k = 0).
 * @param a c x k row-major output weights (may be NULL when k = 0).
 * @param skip c x d row-major affine skip term, or NULL for none.
 * @param c0 c output offsets, or NULL for zeros.
 * @param[out] out Receives the network; NULL on failure.
 * @return `QUARRY_OK`, `QUARRY_ERR_NULL_POINTER`, `QUARRY_ERR_BAD_DIMENSION`,
 *         `QUARRY_ERR_NONFINITE` (a NaN/Inf weight, named in the message),
 *         `QUARRY_ERR_SIZE_OVERFLOW` or `QUARRY_ERR_OUT_OF_MEMORY`.
 * @since 0.1
 */
QUARRY_API quarry_status quarry_relu_net_create_f64(quarry_context *ctx, int64_t d, int64_t k,
                                                    int64_t c, const double *w, const double *b,
                                                    const double *a, const double *skip,
                                                    const double *c0, quarry_relu_net **out);

/** @brief Destroy a network. NULL is a no-op; any thread. @since 0.1 */
QUARRY_API void quarry_relu_net_destroy(quarry_relu_net *net);

/**
 * @brief The network's sizes. Any of d, k, c may be NULL to skip it.
 * @return `QUARRY_OK` or `QUARRY_ERR_NULL_POINTER` (net is NULL).
 * @since 0.1
 */
QUARRY_API quarry_status quarry_relu_net_dims(const quarry_relu_net *net, int64_t *d, int64_t *k,
                                              int64_t *c);

/**
 * @brief Copy the weights out, in the layouts of `quarry_relu_net_create_f64`. Any
 * pointer may be NULL to skip that array; `skip` receives zeros when the network has no
 * skip term.
 * @return `QUARRY_OK` or `QUARRY_ERR_NULL_POINTER` (net is NULL).
 * @since 0.1
 */
QUARRY_API quarry_status quarry_relu_net_get_f64(const quarry_relu_net *net, double *w, double *b,
                                                 double *a, double *skip, double *c0);

/**
 * @brief Evaluate the network: y (n x c, row-major) = F(x) for x (n x d, row-major).
 * @return `QUARRY_OK`, `QUARRY_ERR_NULL_POINTER`, `QUARRY_ERR_BAD_DIMENSION` (n < 0),
 *         `QUARRY_ERR_NONFINITE` (a NaN/Inf input), `QUARRY_ERR_SIZE_OVERFLOW`.
 * @since 0.1
 */
QUARRY_API quarry_status quarry_relu_net_eval_f64(quarry_context *ctx, const quarry_relu_net *net,
                                                  int64_t n, const double *x, double *y);

/**
 * @brief Save the network as a JSON file (format "quarry-relu-net", version 1; see
 * docs/extract.md). Doubles are written so that they read back bit for bit. The file is
 * written to `path`.tmp and renamed over `path`, so readers never see half a file.
 * @return `QUARRY_OK`, `QUARRY_ERR_NULL_POINTER` or `QUARRY_ERR_IO` (message names the
 *         file and the system error).
 * @since 0.1
 */
QUARRY_API quarry_status quarry_relu_net_save(quarry_context *ctx, const quarry_relu_net *net,
                                              const char *path);

/**
 * @brief Load a network saved by `quarry_relu_net_save` (or written by another program in
 * the same format).
 * @return `QUARRY_OK`, `QUARRY_ERR_NULL_POINTER`, `QUARRY_ERR_IO` (cannot open or read),
 *         `QUARRY_ERR_FORMAT` (not JSON, another format or version, missing or
 *         mis-sized arrays, non-numbers; the message names the field).
 * @since 0.1
 */
QUARRY_API quarry_status quarry_relu_net_load(quarry_context *ctx, const char *path,
                                              quarry_relu_net **out);

/**
 * @brief Opaque handle of a simulated black box over a network. It counts its queries and
 * owns its noise stream, so it is mutable: one thread at a time.
 */
typedef struct quarry_net_oracle quarry_net_oracle;

/**
 * @brief Create a simulated black box that answers with `net` (copied).
 *
 * Options read (NULL = an exact float64 oracle):
 * - `QUARRY_OPT_ORACLE_FLOAT32` (default 0): evaluate with float weights and float
 *   arithmetic, as a float32 deployment would;
 * - `QUARRY_OPT_ORACLE_NOISE` (default 0): add fresh N(0, sigma^2) noise to every output;
 * - `QUARRY_OPT_ORACLE_ROUNDING` (default 0): round every output to a multiple of this
 *   quantum (after the noise), as a rounding defence would;
 * - `QUARRY_OPT_SEED` (default 0): seed of the noise. The noise of output j of the q-th
 *   query is element q c + j of the normal stream of that seed, so a run is reproducible.
 * @return `QUARRY_OK`, `QUARRY_ERR_NULL_POINTER`, `QUARRY_ERR_OUT_OF_MEMORY`.
 * @since 0.1
 */
QUARRY_API quarry_status quarry_net_oracle_create(quarry_context *ctx, const quarry_relu_net *net,
                                                  const quarry_options *options,
                                                  quarry_net_oracle **out);

/** @brief Destroy a simulated black box. NULL is a no-op. @since 0.1 */
QUARRY_API void quarry_net_oracle_destroy(quarry_net_oracle *oracle);

/**
 * @brief The oracle function of a simulated black box: pass it as the `quarry_oracle_fn`
 * with the `quarry_net_oracle *` as `user_data`. It may also be called directly.
 * @return 0, or a non-zero `quarry_status` value (`QUARRY_ERR_BAD_DIMENSION` when d or c
 *         differ from the network's, `QUARRY_ERR_NULL_POINTER`,
 *         `QUARRY_ERR_OUT_OF_MEMORY`); a failed batch counts no queries.
 * @since 0.1
 */
QUARRY_API int32_t quarry_net_oracle_eval(int64_t n, int64_t d, const double *x, int64_t c,
                                          double *y, void *oracle);

/**
 * @brief How many queries the black box has answered (every row of every batch).
 * @return `QUARRY_OK` or `QUARRY_ERR_NULL_POINTER`.
 * @since 0.1
 */
QUARRY_API quarry_status quarry_net_oracle_queries(const quarry_net_oracle *oracle,
                                                   int64_t *queries);

/**
 * @brief Recover a one-hidden-layer ReLU network from value queries to a black box.
 *
 * The black box computes F: R^d -> R^c, F(x) = A ReLU(W x + b) + S x + c0 for unknown
 * weights (the skip term may be zero). The extraction asks `oracle` for batches of
 * queries and returns a network F' equal to F up to the oracle's precision: the same
 * function, written canonically (each neuron as alpha ReLU(u . x - tau) with |u| = 1,
 * neurons that only add an affine function folded into S' and c0'). Neurons whose
 * hyperplanes never meet the Gaussian bulk (or the box, below) are indistinguishable from
 * affine terms there and are absorbed into them. The algorithm is in docs/extract.md.
 *
 * Options read (NULL = defaults):
 * - `QUARRY_OPT_SEED` (0): seed of every random choice; the same seed and the same oracle
 *   give the same network and the same query count.
 * - `QUARRY_OPT_QUERY_BUDGET` (unlimited): the most queries to make. When the next batch
 *   would exceed it, the extraction stops and returns what it has.
 * - `QUARRY_OPT_OUTPUT_NOISE` (0 = estimate): the oracle's output noise, if known.
 * - `QUARRY_OPT_DOMAIN_LOWER`, `QUARRY_OPT_DOMAIN_UPPER` (unset: all of R^d): a box every
 *   query stays in, set with `quarry_options_set_f64_array` (1 entry, the same bound for
 *   every input, or d entries; both or neither; finite, lower < upper, each width at least
 *   1e-9 of the bounds' magnitude and at most 1e150). The copy then equals F on the box,
 *   and the error estimate uses uniform points of the box.
 * - `QUARRY_OPT_EXTRACT_REFINE` (0): 1 measures every neuron once more on its own
 *   hyperplane, with the largest steps the other neurons allow (about 2 (d + 2) queries a
 *   neuron) for the last digits; by default only the neurons measured imprecisely are.
 * - A progress callback (`quarry_options_set_progress`): called after every line with
 *   `QUARRY_REPORT_QUERIES`, `QUARRY_REPORT_NEURONS`, `QUARRY_REPORT_LINES`.
 *
 * Report (when `report` is not NULL): `QUARRY_REPORT_QUERIES`, `QUARRY_REPORT_BATCHES`,
 * `QUARRY_REPORT_NEURONS`, `QUARRY_REPORT_LINES`, `QUARRY_REPORT_NOISE`,
 * `QUARRY_REPORT_SECONDS`, `QUARRY_REPORT_ORACLE_SECONDS`, and, when the budget allowed
 * the final check on fresh queries (Gaussian, or uniform in the box),
 * `QUARRY_REPORT_RELATIVE_ERROR`.
 *
 * @param ctx Context (error message).
 * @param d Inputs of the black box, >= 1.
 * @param c Outputs of the black box, >= 1.
 * @param oracle The black box; called on this thread only.
 * @param user_data Passed to `oracle` untouched.
 * @param options Options, or NULL.
 * @param[out] out The recovered network (also after `QUARRY_ERR_BUDGET`,
 *        `QUARRY_ERR_CALLBACK_ABORTED` or `QUARRY_ERR_NO_CONVERGENCE`: the partial or
 *        inaccurate one); NULL after other errors.
 * @param[out] report The report, or NULL to skip it.
 * @return `QUARRY_OK`; `QUARRY_ERR_BUDGET` (budget exhausted: partial network);
 *         `QUARRY_ERR_CALLBACK_ABORTED` (progress callback asked to stop: partial
 *         network); `QUARRY_ERR_NO_CONVERGENCE` (the copy's estimated relative error is
 *         above 1e-3: the black box is noisier or less precise than the extraction
 *         handles; the network is returned for inspection); `QUARRY_ERR_ORACLE` (the oracle
 *         failed or answered NaN/Inf: the message says which query);
 *         `QUARRY_ERR_INVALID_ARGUMENT` (a bad box, refused before any query);
 *         `QUARRY_ERR_NULL_POINTER`, `QUARRY_ERR_BAD_DIMENSION`, `QUARRY_ERR_SIZE_OVERFLOW`,
 *         `QUARRY_ERR_OUT_OF_MEMORY`.
 * @since 0.1
 */
QUARRY_API quarry_status quarry_extract_relu1(quarry_context *ctx, int64_t d, int64_t c,
                                              quarry_oracle_fn oracle, void *user_data,
                                              const quarry_options *options, quarry_relu_net **out,
                                              quarry_report **report);

QUARRY_END_DECLS

#endif /* QUARRY_EXTRACT_H */
