// Portable SIMD for quarry's hot loops: GCC/Clang vector extensions (no intrinsics, so one
// source serves every instruction set) and function multi-versioning.
#pragma once

#include <cstdint>
#include <cstring>
#include <vector>

// Hot loops are compiled for x86-64-v4 (AVX-512 F/BW/CD/DQ/VL), x86-64-v3 (AVX2, FMA) and
// baseline x86-64, picked at load time (GCC function multi-versioning). The clones use only
// correctly rounded IEEE operations (+, -, *, /, sqrt, an explicit fma, exact conversions,
// bit manipulation), and the library is compiled with -ffp-contract=off (no multiply-add
// fused behind the code's back), so every clone gives bitwise the same result.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define QUARRY_SIMD_CLONES \
  __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define QUARRY_SIMD_CLONES
#endif

namespace quarry::core {

// Eight doubles as one GCC/Clang vector: one AVX-512 register, two AVX2 or four SSE2
// registers in the baseline clone. Loads and stores through memcpy: no alignment needed.
// Passing such a vector by value has a different ABI with and without AVX-512, which
// GCC warns about: the helpers are forced inline (also in unoptimized builds), so a vector
// never crosses a call between code compiled for different targets.
#define QUARRY_VECTOR_INLINE inline __attribute__((always_inline))
#pragma GCC diagnostic ignored "-Wpsabi"
typedef double f64x8 __attribute__((vector_size(64)));
typedef uint64_t u64x8 __attribute__((vector_size(64)));
typedef int64_t i64x8 __attribute__((vector_size(64)));
QUARRY_VECTOR_INLINE f64x8 load8(const double* p) {
  f64x8 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
QUARRY_VECTOR_INLINE void store8(double* p, f64x8 v) { std::memcpy(p, &v, sizeof v); }

// Transposes the 8 x 8 block held by c[0..7] (c[t] = column t, lane i = row i) in place,
// so that c[i] holds row i: 24 two-vector shuffles (one instruction each on AVX-512).
QUARRY_VECTOR_INLINE void transpose8x8(f64x8* c) {
  f64x8 u[8];
  f64x8 v[8];
  for (int p = 0; p < 4; ++p) {
    u[2 * p] = __builtin_shufflevector(c[2 * p], c[2 * p + 1], 0, 8, 2, 10, 4, 12, 6, 14);
    u[2 * p + 1] = __builtin_shufflevector(c[2 * p], c[2 * p + 1], 1, 9, 3, 11, 5, 13, 7, 15);
  }
  for (int h = 0; h < 8; h += 4) {
    v[h] = __builtin_shufflevector(u[h], u[h + 2], 0, 1, 8, 9, 4, 5, 12, 13);
    v[h + 2] = __builtin_shufflevector(u[h], u[h + 2], 2, 3, 10, 11, 6, 7, 14, 15);
    v[h + 1] = __builtin_shufflevector(u[h + 1], u[h + 3], 0, 1, 8, 9, 4, 5, 12, 13);
    v[h + 3] = __builtin_shufflevector(u[h + 1], u[h + 3], 2, 3, 10, 11, 6, 7, 14, 15);
  }
  for (int i = 0; i < 4; ++i) {
    c[i] = __builtin_shufflevector(v[i], v[i + 4], 0, 1, 2, 3, 8, 9, 10, 11);
    c[i + 4] = __builtin_shufflevector(v[i], v[i + 4], 4, 5, 6, 7, 12, 13, 14, 15);
  }
}

// A zeroed buffer of doubles aligned to 64 bytes, so that each 8-value row of a panel
// buffer is one cache line (a row split across two lines halves the kernels' speed).
class AlignedBuffer {
 public:
  explicit AlignedBuffer(int64_t n) : storage_(static_cast<size_t>(n) + 8, 0.0) {
    const auto address = reinterpret_cast<std::uintptr_t>(storage_.data());
    data_ = storage_.data() + ((64 - address % 64) % 64) / sizeof(double);
  }
  double* data() { return data_; }

 private:
  std::vector<double> storage_;
  double* data_;
};

}  // namespace quarry::core
