// Checked integer arithmetic for sizes. The ABI uses int64_t everywhere; LP64 BLAS and
// LAPACK take 32-bit ints, so every size handed to them goes through to_blas_int, which
// fails with QUARRY_ERR_SIZE_OVERFLOW instead of wrapping (the BLAS++ to_blas_int idea).
#pragma once

#include <cstdint>
#include <limits>

#include "core/error.hpp"

namespace quarry::core {

// The integer type of the BLAS/LAPACK we link (Debian's OpenBLAS is LP64).
using blas_int = int;

inline blas_int to_blas_int(int64_t value, const char* name) {
  require(value >= std::numeric_limits<blas_int>::min() &&
              value <= std::numeric_limits<blas_int>::max(),
          QUARRY_ERR_SIZE_OVERFLOW,
          "{} = {} does not fit the 32-bit integers of the BLAS/LAPACK in use (at most {})", name,
          value, std::numeric_limits<blas_int>::max());
  return static_cast<blas_int>(value);
}

// a * b for non-negative sizes; `what` names the product in the error message.
inline int64_t checked_mul(int64_t a, int64_t b, const char* what) {
  int64_t r = 0;
  require(!__builtin_mul_overflow(a, b, &r), QUARRY_ERR_SIZE_OVERFLOW,
          "{} = {} * {} overflows a 64-bit size", what, a, b);
  return r;
}

inline int64_t checked_add(int64_t a, int64_t b, const char* what) {
  int64_t r = 0;
  require(!__builtin_add_overflow(a, b, &r), QUARRY_ERR_SIZE_OVERFLOW,
          "{} = {} + {} overflows a 64-bit size", what, a, b);
  return r;
}

}  // namespace quarry::core
