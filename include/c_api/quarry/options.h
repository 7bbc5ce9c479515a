/**
 * @file quarry/options.h
 * @brief Options: typed key/value settings passed to computing functions.
 *
 * A `quarry_options` object holds settings keyed by `QUARRY_OPT_*`. Each key has one type
 * (int64 or double) and a static range; the setters reject an unknown key, the wrong type
 * or a value outside the range. Setters have no context, so they report through the status
 * code alone. A function that consumes the options checks them once more against the
 * problem (for example, sketch rows against the number of rows of A) and, on failure, puts
 * a message naming the key, the value and the allowed range on its context.
 *
 * Keys that a function does not use are ignored by it. Passing NULL options means
 * "all defaults". Defaults are documented by each consuming function.
 *
 * Thread safety: an options object may be read by several calls at once (on different
 * contexts) as long as nobody modifies it meanwhile.
 *
 * Example:
 * @code
 *   quarry_options *o = NULL;
 *   if (quarry_options_create(&o) != QUARRY_OK) return 1;
 *   quarry_options_set_i64(o, QUARRY_OPT_SEED, 42);
 *   quarry_options_set_f64(o, QUARRY_OPT_TOLERANCE, 1e-12);
 *   ... pass o to a computing function ...
 *   quarry_options_destroy(o);
 * @endcode
 */
#ifndef QUARRY_OPTIONS_H
#define QUARRY_OPTIONS_H

#include <stdint.h>

#include "export.h"
#include "report.h"
#include "status.h"
#include "types.h"

/**
 * Option keys. The comment gives each key's type and static range. Values are grouped
 * by module in hundreds and are fixed once published.
 */
enum {
  /** i64, any value: seed of the call's random stream (see `quarry_rng_state_from_seed`). */
  QUARRY_OPT_SEED = 1,
  /** f64 in [0, 1]: relative accuracy asked of an iterative method; 0 = as tight as it can. */
  QUARRY_OPT_TOLERANCE = 2,
  /** i64 in [1, INT64_MAX]: iteration limit of an iterative method. */
  QUARRY_OPT_MAX_ITERATIONS = 3,

  /** i64, one of the `QUARRY_SKETCH_*` kinds below. */
  QUARRY_OPT_SKETCH_KIND = 100,
  /** i64 in [1, INT64_MAX]: rows of the sketch (the consuming call bounds it further). */
  QUARRY_OPT_SKETCH_ROWS = 101,
  /** i64 in [1, INT64_MAX]: non-zeros per column of a sparse-sign sketch. */
  QUARRY_OPT_SKETCH_NNZ = 102,
  /** i64, one of the `QUARRY_LEVERAGE_*` methods below. */
  QUARRY_OPT_LEVERAGE_METHOD = 103,

  /** i64, one of the `QUARRY_LSTSQ_*` methods below. */
  QUARRY_OPT_LSTSQ_METHOD = 200,
  /** f64 in [0, DBL_MAX]: ridge parameter lambda (0 = plain least squares). */
  QUARRY_OPT_RIDGE = 201,

  /** i64 in [1, INT64_MAX]: the most oracle queries an extraction may make. */
  QUARRY_OPT_QUERY_BUDGET = 300,
  /** i64 in [0, 1]: run the refinement pass of an extraction (1) or not (0). */
  QUARRY_OPT_EXTRACT_REFINE = 301,
  /** f64 in [0, DBL_MAX]: standard deviation of the oracle's output noise; 0 = estimate. */
  QUARRY_OPT_OUTPUT_NOISE = 302,
  /** i64 in [0, 1]: a simulated oracle evaluates the network in float32 (1) or float64 (0). */
  QUARRY_OPT_ORACLE_FLOAT32 = 303,
  /** f64 in [0, DBL_MAX]: a simulated oracle rounds outputs to multiples of this; 0 = off. */
  QUARRY_OPT_ORACLE_ROUNDING = 304,
  /** f64 in [0, DBL_MAX]: a simulated oracle adds N(0, this^2) noise to outputs; 0 = off. */
  QUARRY_OPT_ORACLE_NOISE = 305,
  /**
   * f64 array, 1 or d finite entries: the lower corner of the box an extraction may query
   * (one entry: the same bound for every input). Set together with
   * `QUARRY_OPT_DOMAIN_UPPER`; unset (the default): all of R^d.
   */
  QUARRY_OPT_DOMAIN_LOWER = 306,
  /** f64 array, 1 or d finite entries: the upper corner of that box, above the lower one. */
  QUARRY_OPT_DOMAIN_UPPER = 307,
  /**
   * f64 in [0, DBL_MAX]: the residual scale sigma of Huber regression (quarry/regress.h);
   * 0 (the default) estimates it with the coefficients.
   */
  QUARRY_OPT_HUBER_SCALE = 400
};

/** Values of `QUARRY_OPT_SKETCH_KIND` (also the `kind` of a sketching operator). */
enum {
  QUARRY_SKETCH_GAUSSIAN = 1,
  QUARRY_SKETCH_SRHT = 2,
  QUARRY_SKETCH_COUNTSKETCH = 3,
  QUARRY_SKETCH_SPARSE_SIGN = 4,
  QUARRY_SKETCH_UNIFORM_ROWS = 5
};

/** Values of `QUARRY_OPT_LEVERAGE_METHOD`. */
enum { QUARRY_LEVERAGE_EXACT = 0, QUARRY_LEVERAGE_APPROX = 1 };

/** Values of `QUARRY_OPT_LSTSQ_METHOD`. */
enum {
  QUARRY_LSTSQ_AUTO = 0,
  QUARRY_LSTSQ_DIRECT = 1,
  QUARRY_LSTSQ_SKETCH_SOLVE = 2,
  QUARRY_LSTSQ_SKETCH_PRECONDITION = 3,
  /**
   * The Cholesky factor of A^T A + lambda I (one dsyrk) as the preconditioner, with the
   * refinement of sketch and precondition; falls back to sketch and precondition when
   * that factor is too ill-conditioned to precondition (estimated cond(A^T A + lambda I)
   * above about 1e12, i.e. cond(A) about 1e6 without ridge).
   * Dense A only. Auto uses it for ridge paths (quarry_ridge_path_f64).
   */
  QUARRY_LSTSQ_GRAM_PRECONDITION = 4
};

QUARRY_BEGIN_DECLS

/** @brief Opaque options handle. */
typedef struct quarry_options quarry_options;

/**
 * @brief A progress callback for long computations. It is called on the calling thread
 * between steps, with a report of the state so far (for an extraction:
 * `QUARRY_REPORT_QUERIES`, `QUARRY_REPORT_NEURONS`, `QUARRY_REPORT_LINES`); the report is
 * valid during the call only. Return 0 to continue; any other value stops the
 * computation, which returns `QUARRY_ERR_CALLBACK_ABORTED` (with its partial result where
 * the function documents one).
 */
typedef int32_t (*quarry_progress_fn)(const quarry_report *progress, void *user_data);

/**
 * @brief Create an empty options object (every key at its default).
 * @param[out] out Receives the object; set to NULL on failure.
 * @return `QUARRY_OK`, `QUARRY_ERR_NULL_POINTER` or `QUARRY_ERR_OUT_OF_MEMORY`.
 * @note Ownership: free with `quarry_options_destroy`.
 * @since 0.1
 */
QUARRY_API quarry_status quarry_options_create(quarry_options **out);

/** @brief Destroy an options object. NULL is a no-op; any thread. @since 0.1 */
QUARRY_API void quarry_options_destroy(quarry_options *options);

/**
 * @brief Set an integer-valued option.
 * @return `QUARRY_OK`; `QUARRY_ERR_NULL_POINTER` (options is NULL);
 *         `QUARRY_ERR_INVALID_ARGUMENT` when the key is unknown, is not an int64 key, or
 *         the value is outside the key's range (the options are left unchanged).
 * @since 0.1
 */
QUARRY_API quarry_status quarry_options_set_i64(quarry_options *options, int32_t key,
                                                int64_t value);

/**
 * @brief Set a floating-point option. NaN is always rejected.
 * @return As `quarry_options_set_i64`.
 * @since 0.1
 */
QUARRY_API quarry_status quarry_options_set_f64(quarry_options *options, int32_t key, double value);

/**
 * @brief Set an array-valued option (type `QUARRY_TYPE_F64_ARRAY`) to a copy of
 * `values[0..n)`. Each entry must lie in the key's range (`quarry_option_bounds_f64`);
 * NaN is always rejected. How many entries a call accepts is the consuming call's
 * business (e.g. 1 or d for `QUARRY_OPT_DOMAIN_LOWER`).
 * @return `QUARRY_OK`; `QUARRY_ERR_NULL_POINTER` (options is NULL, or values with n >= 1);
 *         `QUARRY_ERR_INVALID_ARGUMENT` when the key is unknown or not an array key, n < 1,
 *         or an entry is outside the range (the options are left unchanged).
 * @since 0.1
 */
QUARRY_API quarry_status quarry_options_set_f64_array(quarry_options *options, int32_t key,
                                                      int64_t n, const double *values);

/**
 * @brief Read an integer-valued option that was set.
 * @param[out] value Receives the value; untouched on failure.
 * @return `QUARRY_OK`; `QUARRY_ERR_NULL_POINTER`; `QUARRY_ERR_INVALID_ARGUMENT` when the
 *         key is unknown, not an int64 key, or not set.
 * @since 0.1
 */
QUARRY_API quarry_status quarry_options_get_i64(const quarry_options *options, int32_t key,
                                                int64_t *value);

/**
 * @brief Read a floating-point option that was set.
 * @return As `quarry_options_get_i64`.
 * @since 0.1
 */
QUARRY_API quarry_status quarry_options_get_f64(const quarry_options *options, int32_t key,
                                                double *value);

/**
 * @brief Read an array-valued option that was set: its length goes to `*n` and its first
 * min(n, capacity) entries to `values` (which may be NULL when capacity is 0, to ask for
 * the length).
 * @return `QUARRY_OK`; `QUARRY_ERR_NULL_POINTER` (options or n is NULL, or values is NULL
 *         with capacity > 0); `QUARRY_ERR_INVALID_ARGUMENT` when the key is unknown, not an
 *         array key, not set, or capacity < 0.
 * @since 0.1
 */
QUARRY_API quarry_status quarry_options_get_f64_array(const quarry_options *options, int32_t key,
                                                      int64_t capacity, double *values, int64_t *n);

/**
 * @brief Return a key to its default (as if never set). Unsetting a key that is not set
 * is not an error.
 * @return `QUARRY_OK`, `QUARRY_ERR_NULL_POINTER` or `QUARRY_ERR_INVALID_ARGUMENT`
 *         (unknown key).
 * @since 0.1
 */
QUARRY_API quarry_status quarry_options_unset(quarry_options *options, int32_t key);

/**
 * @brief Set (or, with fn = NULL, clear) the progress callback of the functions that take
 * these options. `user_data` is passed back to it untouched.
 * @return `QUARRY_OK` or `QUARRY_ERR_NULL_POINTER` (options is NULL).
 * @since 0.1
 */
QUARRY_API quarry_status quarry_options_set_progress(quarry_options *options, quarry_progress_fn fn,
                                                     void *user_data);

/**
 * @brief The name of an option key, e.g. "QUARRY_OPT_SEED".
 * @return Static text, never NULL; "unknown option" for keys this version does not know.
 * @since 0.1
 */
QUARRY_API const char *quarry_option_name(int32_t key);

/**
 * @brief The type of an option key: `QUARRY_TYPE_I64`, `QUARRY_TYPE_F64`,
 * `QUARRY_TYPE_F64_ARRAY`, or `QUARRY_TYPE_NONE` for keys this version does not know.
 * @since 0.1
 */
QUARRY_API quarry_value_type quarry_option_type(int32_t key);

/**
 * @brief The static range [lo, hi] (inclusive) of an int64 option key.
 * @return `QUARRY_OK`, `QUARRY_ERR_NULL_POINTER` or `QUARRY_ERR_INVALID_ARGUMENT`
 *         (unknown key or not an int64 key).
 * @since 0.1
 */
QUARRY_API quarry_status quarry_option_bounds_i64(int32_t key, int64_t *lo, int64_t *hi);

/**
 * @brief The static range [lo, hi] (inclusive) of a double option key, or of each entry
 * of a double-array key.
 * @return `QUARRY_OK`, `QUARRY_ERR_NULL_POINTER` or `QUARRY_ERR_INVALID_ARGUMENT`
 *         (unknown key or not a double or double-array key).
 * @since 0.1
 */
QUARRY_API quarry_status quarry_option_bounds_f64(int32_t key, double *lo, double *hi);

QUARRY_END_DECLS

#endif /* QUARRY_OPTIONS_H */
