/**
 * @file quarry/context.h
 * @brief The context: thread count and the last error message of the calls made with it.
 *
 * Every computing function takes a `quarry_context *` first. The context carries
 * - the number of threads quarry's own kernels may use, and
 * - the detailed message of the last failed call made with it.
 *
 * Threading rules:
 * - a context is used by **one thread at a time**; distinct contexts may be used
 *   concurrently from different threads;
 * - immutable objects (options once set up, reports, sketches, networks) may be shared;
 * - `quarry_context_destroy` may be called from any thread;
 * - quarry never changes the BLAS library's global thread count. Dense BLAS/LAPACK calls
 *   inside quarry run with the BLAS library's own setting (for OpenBLAS:
 *   `OPENBLAS_NUM_THREADS`), and quarry never calls BLAS from inside its own parallel
 *   regions, so the two never multiply.
 */
#ifndef QUARRY_CONTEXT_H
#define QUARRY_CONTEXT_H

#include <stdint.h>

#include "export.h"
#include "status.h"

/** Largest thread count a context accepts. */
#define QUARRY_MAX_THREADS 1024

QUARRY_BEGIN_DECLS

/** @brief Opaque context handle. */
typedef struct quarry_context quarry_context;

/**
 * @brief Create a context.
 *
 * Its thread count starts at the default: the value of the environment variable
 * `QUARRY_NUM_THREADS` when that is an integer in [1, QUARRY_MAX_THREADS], otherwise the
 * number of hardware threads. A malformed `QUARRY_NUM_THREADS` is ignored (read the
 * effective count back with `quarry_context_get_threads`).
 *
 * @param[out] out Receives the new context; set to NULL on failure.
 * @return `QUARRY_OK`, `QUARRY_ERR_NULL_POINTER` (out is NULL) or
 *         `QUARRY_ERR_OUT_OF_MEMORY`.
 * @note Ownership: the caller owns the context and frees it with `quarry_context_destroy`.
 * @since 0.1
 */
QUARRY_API quarry_status quarry_context_create(quarry_context **out);

/**
 * @brief Destroy a context. NULL is a no-op. May be called from any thread, before or
 * after the objects created with the context (they do not depend on it).
 * @since 0.1
 */
QUARRY_API void quarry_context_destroy(quarry_context *ctx);

/**
 * @brief Set how many threads quarry's own kernels may use with this context.
 *
 * Results of quarry's randomized kernels do not depend on this number: a random object
 * is a pure function of its seed and sizes, bitwise.
 *
 * @param ctx The context.
 * @param threads 1..QUARRY_MAX_THREADS, or 0 for the default described at
 *        `quarry_context_create`.
 * @return `QUARRY_OK`, `QUARRY_ERR_NULL_POINTER` or `QUARRY_ERR_INVALID_ARGUMENT`
 *         (message on the context).
 * @since 0.1
 */
QUARRY_API quarry_status quarry_context_set_threads(quarry_context *ctx, int64_t threads);

/**
 * @brief Read the thread count the context uses (never 0: the default is resolved).
 * @param ctx The context.
 * @param[out] threads Receives the count.
 * @return `QUARRY_OK` or `QUARRY_ERR_NULL_POINTER`.
 * @since 0.1
 */
QUARRY_API quarry_status quarry_context_get_threads(quarry_context *ctx, int64_t *threads);

/**
 * @brief The detailed message of the last call made with `ctx`, e.g.
 *        "lda = 3 is smaller than m = 5 for column-major A".
 *
 * Every call that takes the context clears the message when it starts, so after a
 * successful call this returns "". The text stays valid until the next call with `ctx`
 * or its destruction.
 * @return NUL-terminated UTF-8 text; never NULL (a fixed text when ctx is NULL).
 * @since 0.1
 */
QUARRY_API const char *quarry_context_last_error(const quarry_context *ctx);

QUARRY_END_DECLS

#endif /* QUARRY_CONTEXT_H */
