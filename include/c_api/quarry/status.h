/**
 * @file quarry/status.h
 * @brief Status codes returned by every fallible quarry function.
 *
 * Every function that can fail returns a `quarry_status`: 0 (`QUARRY_OK`) on success,
 * a positive code otherwise. The code says what kind of failure happened; the detailed
 * message (naming the argument and the value) is on the context the call was made with:
 * see `quarry_context_last_error`. Functions that take no context report by the code alone.
 *
 * The numeric values are part of the ABI: they are fixed once published and never reused.
 * They are grouped by hundreds:
 * - 1..99: usage errors (a bug in the calling program);
 * - 100..199: resources;
 * - 200..299: numerical outcomes;
 * - 300..399: control flow (callbacks, oracles, budgets);
 * - 400..499: files and formats;
 * - 900: an internal error (a bug in quarry; please report it with the message).
 *
 * Bindings must map codes they do not know to a generic error, since later versions may
 * add codes.
 */
#ifndef QUARRY_STATUS_H
#define QUARRY_STATUS_H

#include <stdint.h>

#include "export.h"

typedef int32_t quarry_status;
enum {
  /** Success. */
  QUARRY_OK = 0,

  /** An argument has a value outside what the function accepts (e.g. an option key). */
  QUARRY_ERR_INVALID_ARGUMENT = 1,
  /** A pointer argument is NULL where an object or a non-empty array is required. */
  QUARRY_ERR_NULL_POINTER = 2,
  /** A dimension is negative, or dimensions do not fit together. */
  QUARRY_ERR_BAD_DIMENSION = 3,
  /** A leading dimension is smaller than the layout requires. */
  QUARRY_ERR_BAD_LEADING_DIM = 4,
  /** A layout argument is neither `QUARRY_ROW_MAJOR` nor `QUARRY_COL_MAJOR`. */
  QUARRY_ERR_BAD_LAYOUT = 5,
  /** The request is valid but not supported by this build or this method. */
  QUARRY_ERR_UNSUPPORTED = 6,
  /** An input array holds NaN or Inf where finite values are required. */
  QUARRY_ERR_NONFINITE = 7,

  /** Memory could not be allocated. */
  QUARRY_ERR_OUT_OF_MEMORY = 100,
  /** A size does not fit the integer type of an internal call (e.g. 32-bit BLAS). */
  QUARRY_ERR_SIZE_OVERFLOW = 101,

  /** An iterative method stopped before reaching the requested accuracy. */
  QUARRY_ERR_NO_CONVERGENCE = 200,

  /** A user callback returned non-zero, which asks the call to stop. */
  QUARRY_ERR_CALLBACK_ABORTED = 300,
  /** A query oracle returned non-zero or produced NaN/Inf outputs. */
  QUARRY_ERR_ORACLE = 301,
  /** A query or label budget ran out; the outputs hold the best partial result. */
  QUARRY_ERR_BUDGET = 302,

  /** A file could not be opened, read or written. */
  QUARRY_ERR_IO = 400,
  /** A file or buffer does not hold a valid quarry format of a known version. */
  QUARRY_ERR_FORMAT = 401,

  /** An unexpected internal failure (a quarry bug); the message says where. */
  QUARRY_ERR_INTERNAL = 900
};

QUARRY_BEGIN_DECLS

/**
 * @brief A short, static English description of a status code, e.g. "null pointer".
 * @param status Any value, including codes this version does not know.
 * @return Static text, never NULL; "unknown status code" for values not listed above.
 *         Thread-safe.
 * @since 0.1
 */
QUARRY_API const char *quarry_status_string(quarry_status status);

QUARRY_END_DECLS

#endif /* QUARRY_STATUS_H */
