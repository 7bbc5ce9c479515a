/**
 * @file quarry/version.h
 * @brief Compile-time and run-time version information.
 *
 * The macros describe the headers you compiled against; the functions describe the
 * library loaded at run time. Bindings should compare `quarry_abi_version()` with
 * `QUARRY_ABI_VERSION` when they load the library and refuse to continue on a mismatch.
 *
 * This header is the single source of the version number: the build system reads it.
 */
#ifndef QUARRY_VERSION_H
#define QUARRY_VERSION_H

#include <stdint.h>

#include "export.h"

#define QUARRY_VERSION_MAJOR 0
#define QUARRY_VERSION_MINOR 1
#define QUARRY_VERSION_PATCH 0
/** The version as one number: MAJOR * 10000 + MINOR * 100 + PATCH. */
#define QUARRY_VERSION_NUMBER \
  (QUARRY_VERSION_MAJOR * 10000 + QUARRY_VERSION_MINOR * 100 + QUARRY_VERSION_PATCH)
#define QUARRY_STRINGIFY_(x) #x
#define QUARRY_STRINGIFY(x) QUARRY_STRINGIFY_(x)
/** The version as text, e.g. "0.1.0". */
#define QUARRY_VERSION_STRING            \
  QUARRY_STRINGIFY(QUARRY_VERSION_MAJOR) \
  "." QUARRY_STRINGIFY(QUARRY_VERSION_MINOR) "." QUARRY_STRINGIFY(QUARRY_VERSION_PATCH)
/** True when the headers are at least version (major, minor, patch). */
#define QUARRY_VERSION_CHECK(major, minor, patch) \
  (QUARRY_VERSION_NUMBER >= ((major)*10000 + (minor)*100 + (patch)))
/**
 * The ABI generation: the number in the SONAME (`libquarry.so.0`). It changes only
 * when a published signature, struct layout or constant value changes.
 */
#define QUARRY_ABI_VERSION 0

QUARRY_BEGIN_DECLS

/**
 * @brief The version of the loaded library, e.g. "0.1.0".
 * @return Static, NUL-terminated text; never NULL. Thread-safe.
 * @since 0.1
 */
QUARRY_API const char *quarry_version_string(void);

/**
 * @brief The version of the loaded library as MAJOR * 10000 + MINOR * 100 + PATCH.
 * @since 0.1
 */
QUARRY_API int32_t quarry_version_number(void);

/**
 * @brief The ABI generation of the loaded library (compare with `QUARRY_ABI_VERSION`).
 * @since 0.1
 */
QUARRY_API int32_t quarry_abi_version(void);

/**
 * @brief Which BLAS/LAPACK the loaded library runs on, as one line of text, e.g.
 *        "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64 (core Haswell,
 *        2 BLAS threads)".
 *
 * Dense kernels in quarry call this BLAS, and its speed and threading decide theirs.
 * The thread count shown is the BLAS library's own setting at the time of the first
 * call (OpenBLAS reads `OPENBLAS_NUM_THREADS`); quarry never changes it.
 * @return Static text; never NULL. Thread-safe.
 * @since 0.1
 */
QUARRY_API const char *quarry_blas_info(void);

QUARRY_END_DECLS

#endif /* QUARRY_VERSION_H */
