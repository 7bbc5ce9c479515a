/**
 * @file quarry/report.h
 * @brief Reports: what a computing call did, beyond its output arrays.
 *
 * Functions that accept a `quarry_report **report` argument create a report there when
 * the pointer is not NULL (iterations, residual norm, queries used, method chosen, time,
 * ...). Read it with the typed getters; which keys a call fills is documented with the
 * call. The caller owns the report and frees it with `quarry_report_destroy`.
 * A report is immutable, so several threads may read it at once.
 *
 * Reports can also be walked generically (for bindings that turn them into dictionaries):
 * `quarry_report_count`, `quarry_report_key_at`, `quarry_report_key_name`,
 * `quarry_report_key_type`.
 */
#ifndef QUARRY_REPORT_H
#define QUARRY_REPORT_H

#include <stdint.h>

#include "export.h"
#include "status.h"
#include "types.h"

/** Report keys, with their type. Values are fixed once published. */
enum {
  /** i64: the method the call used (e.g. a `QUARRY_LSTSQ_*` value). */
  QUARRY_REPORT_METHOD = 1,
  /** i64: iterations of an iterative method. */
  QUARRY_REPORT_ITERATIONS = 2,
  /** i64: rows of the sketch the call used. */
  QUARRY_REPORT_SKETCH_ROWS = 3,
  /** i64: oracle queries made (each point of each batch counts once). */
  QUARRY_REPORT_QUERIES = 4,
  /** i64: neurons found by an extraction. */
  QUARRY_REPORT_NEURONS = 5,
  /** f64: norm of the final residual. */
  QUARRY_REPORT_RESIDUAL_NORM = 6,
  /** f64: estimate of the normwise backward error of the returned solution. */
  QUARRY_REPORT_BACKWARD_ERROR = 7,
  /** f64: estimate of the 2-norm condition number of the problem's matrix. */
  QUARRY_REPORT_CONDITION_ESTIMATE = 8,
  /** f64: wall-clock seconds the call took in total. */
  QUARRY_REPORT_SECONDS = 9,
  /** f64: wall-clock seconds spent inside the user's oracle. */
  QUARRY_REPORT_ORACLE_SECONDS = 10,
  /** i64: oracle calls made (batches of queries). */
  QUARRY_REPORT_BATCHES = 11,
  /** i64: random lines an extraction searched or checked. */
  QUARRY_REPORT_LINES = 12,
  /**
   * f64: estimated relative RMS error of a recovered model on fresh inputs (Gaussian, or
   * uniform in an extraction's box).
   */
  QUARRY_REPORT_RELATIVE_ERROR = 13,
  /** f64: the oracle's output noise level used (given, or estimated). */
  QUARRY_REPORT_NOISE = 14,
  /** i64: the numerical rank a solver used (below n when it found A rank deficient). */
  QUARRY_REPORT_RANK = 15,
  /**
   * f64: an a-posteriori bound on ||A X - B|| / min ||A X - B|| of a sketch-and-solve
   * solution (with ridge: on the square root of the objective); valid when the sketch
   * embeds A's column space (docs/lstsq.md).
   */
  QUARRY_REPORT_RESIDUAL_BOUND = 16,
  /** f64: the value of the objective a solver minimized, at the returned solution. */
  QUARRY_REPORT_OBJECTIVE = 17,
  /** i64: residuals a robust solver treated as outliers (beyond its threshold). */
  QUARRY_REPORT_OUTLIERS = 18,
  /**
   * f64: a bound on the objective's relative distance to its minimum, (F(x) - L) / F(x),
   * from a dual feasible point whose value L is a lower bound on the minimum.
   */
  QUARRY_REPORT_DUAL_GAP = 19
};

QUARRY_BEGIN_DECLS

/** @brief Opaque report handle. */
typedef struct quarry_report quarry_report;

/** @brief Destroy a report. NULL is a no-op; any thread. @since 0.1 */
QUARRY_API void quarry_report_destroy(quarry_report *report);

/**
 * @brief Read an int64 entry.
 * @param[out] value Receives the value; untouched on failure.
 * @return `QUARRY_OK`; `QUARRY_ERR_NULL_POINTER`; `QUARRY_ERR_INVALID_ARGUMENT` when the
 *         key is unknown, not an int64 key, or not held by this report.
 * @since 0.1
 */
QUARRY_API quarry_status quarry_report_get_i64(const quarry_report *report, int32_t key,
                                               int64_t *value);

/**
 * @brief Read a double entry.
 * @return As `quarry_report_get_i64`.
 * @since 0.1
 */
QUARRY_API quarry_status quarry_report_get_f64(const quarry_report *report, int32_t key,
                                               double *value);

/**
 * @brief Number of entries the report holds.
 * @return `QUARRY_OK` or `QUARRY_ERR_NULL_POINTER`.
 * @since 0.1
 */
QUARRY_API quarry_status quarry_report_count(const quarry_report *report, int64_t *count);

/**
 * @brief The key of entry `index` (0 <= index < count), in increasing key order.
 * @return `QUARRY_OK`, `QUARRY_ERR_NULL_POINTER` or `QUARRY_ERR_INVALID_ARGUMENT`
 *         (index out of range).
 * @since 0.1
 */
QUARRY_API quarry_status quarry_report_key_at(const quarry_report *report, int64_t index,
                                              int32_t *key);

/**
 * @brief The name of a report key, e.g. "QUARRY_REPORT_ITERATIONS".
 * @return Static text, never NULL; "unknown report key" for keys this version does not know.
 * @since 0.1
 */
QUARRY_API const char *quarry_report_key_name(int32_t key);

/**
 * @brief The type of a report key (`QUARRY_TYPE_I64` or `QUARRY_TYPE_F64`), or
 * `QUARRY_TYPE_NONE` for keys this version does not know.
 * @since 0.1
 */
QUARRY_API quarry_value_type quarry_report_key_type(int32_t key);

QUARRY_END_DECLS

#endif /* QUARRY_REPORT_H */
