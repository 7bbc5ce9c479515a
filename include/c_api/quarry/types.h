/**
 * @file quarry/types.h
 * @brief Small fixed-width codes shared by several modules.
 *
 * Codes are `int32_t` typedefs with an anonymous enum for the values, so their size is
 * the same in every language that binds quarry, and new values never change a type.
 */
#ifndef QUARRY_TYPES_H
#define QUARRY_TYPES_H

#include <stdint.h>

/**
 * @brief Memory layout of a dense matrix. The values equal CBLAS's `CblasRowMajor` and
 * `CblasColMajor`, so CBLAS users can pass theirs through.
 *
 * A dense matrix argument is always the tuple (layout, rows, cols, pointer, ld):
 * element (i, j) lives at `p[i + j * ld]` in column-major layout (ld >= max(1, rows)) and
 * at `p[i * ld + j]` in row-major layout (ld >= max(1, cols)).
 */
typedef int32_t quarry_layout;
enum { QUARRY_ROW_MAJOR = 101, QUARRY_COL_MAJOR = 102 };

/**
 * @brief The type of a value held by an option or a report entry (see
 * `quarry_option_type` and `quarry_report_key_type`). 0 means "no such key".
 */
typedef int32_t quarry_value_type;
enum { QUARRY_TYPE_NONE = 0, QUARRY_TYPE_I64 = 1, QUARRY_TYPE_F64 = 2, QUARRY_TYPE_F64_ARRAY = 3 };

#endif /* QUARRY_TYPES_H */
