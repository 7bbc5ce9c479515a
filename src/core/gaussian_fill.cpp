// rng_fill_gaussian: Box-Muller on Philox blocks, sixteen blocks per step in SIMD lanes.
//
// Per block j (the stream's counter plus j): u1 from words 0, 1 and u2 from words 2, 3
// exactly as rng_fill_normal forms them (bitwise the same uniforms), then
// z_2j = sqrt(-2 ln u1) cos(2 pi u2), z_2j+1 = sqrt(-2 ln u1) sin(2 pi u2), with
// - ln u = e ln 2 + 2 atanh(s), u = 2^e m, m in [sqrt(1/2), sqrt(2)), s = (m - 1) / (m + 1),
//   atanh by its odd series to s^21 (|s| <= 0.172: truncation below 1e-18);
// - 2 pi u2 reduced to phi = 2 pi (u2 - q / 4), q = the integer nearest 4 u2 (the
//   subtraction is exact), |phi| <= pi / 4, sin and cos by Taylor series to phi^17 and
//   phi^18 (truncation below 1e-18), then rotated by q quarter turns.
#include <cmath>
#include <numbers>
#include <vector>

#include "core/philox.hpp"
#include "core/simd.hpp"
#include "core/threads.hpp"

namespace quarry::core {

namespace {

// Sixteen lanes (two AVX-512 registers per value): two independent dependency chains
// through each polynomial, which the core overlaps.
typedef double f64x16 __attribute__((vector_size(128)));
typedef uint64_t u64x16 __attribute__((vector_size(128)));
constexpr int kLanes = 16;

constexpr uint64_t kLow32 = 0xffffffffu;
constexpr uint64_t kTwo52Bits = 0x4330000000000000u;  // the bits of 2^52
constexpr double kTwo52 = 0x1p52;

QUARRY_VECTOR_INLINE f64x16 as_f64(u64x16 x) {
  f64x16 d;
  std::memcpy(&d, &x, sizeof d);
  return d;
}
QUARRY_VECTOR_INLINE u64x16 as_u64(f64x16 d) {
  u64x16 x;
  std::memcpy(&x, &d, sizeof x);
  return x;
}
// x < 2^52 as a double, exactly (the 2^52 exponent trick: no 64-bit conversion needed).
QUARRY_VECTOR_INLINE f64x16 small_to_f64(u64x16 x) { return as_f64(x | kTwo52Bits) - kTwo52; }
// Lanes where the mask (all ones or zero per lane) is set take a, the others b.
QUARRY_VECTOR_INLINE f64x16 select(u64x16 mask, f64x16 a, f64x16 b) {
  return as_f64((as_u64(a) & mask) | (as_u64(b) & ~mask));
}

// ((x >> 12) + 0.5) 2^-52: the open uniform of rng_fill_uniform, bitwise.
QUARRY_VECTOR_INLINE f64x16 open_uniform(u64x16 x) {
  return (small_to_f64(x >> 12) + 0.5) * 0x1p-52;
}

// ln u for u in (0, 1).
QUARRY_VECTOR_INLINE f64x16 log_unit(f64x16 u) {
  const u64x16 bits = as_u64(u);
  f64x16 e = small_to_f64(bits >> 52) - 1023.0;
  f64x16 m = as_f64((bits & 0x000fffffffffffffu) | 0x3ff0000000000000u);  // [1, 2)
  const u64x16 big = (u64x16)(m > std::numbers::sqrt2);
  m = select(big, m * 0.5, m);
  e = e + as_f64(big & as_u64(f64x16{} + 1.0));
  const f64x16 f = m - 1.0;
  const f64x16 s = f / (f + 2.0);
  const f64x16 z = s * s;
  f64x16 p = f64x16{} + 1.0 / 21;
  for (int k = 9; k >= 0; --k) p = p * z + 1.0 / (2 * k + 1);
  // ln 2 split so that e ln2_hi is exact for |e| <= 2^10 (fdlibm's constants).
  constexpr double kLn2Hi = 6.93147180369123816490e-01;
  constexpr double kLn2Lo = 1.90821492927058770002e-10;
  return e * kLn2Hi + (e * kLn2Lo + 2.0 * s * p);
}

// cos(2 pi t) and sin(2 pi t) for t in (0, 1).
QUARRY_VECTOR_INLINE void cos_sin_turns(f64x16 t, f64x16& c, f64x16& s) {
  const f64x16 shifted = t * 4.0 + kTwo52;  // rounds 4 t to the nearest integer q
  const u64x16 q = as_u64(shifted) & 3;     // q mod 4 (q = 4 is a full turn)
  const f64x16 phi = (t - (shifted - kTwo52) * 0.25) * (2 * std::numbers::pi);
  const f64x16 z = phi * phi;
  // Taylor coefficients (-1)^k / (2k+1)! and (-1)^k / (2k)!.
  constexpr double kSin[9] = {1.0,
                              -1.0 / 6,
                              1.0 / 120,
                              -1.0 / 5040,
                              1.0 / 362880,
                              -1.0 / 39916800,
                              1.0 / 6227020800,
                              -1.0 / 1307674368000,
                              1.0 / 355687428096000};
  constexpr double kCos[10] = {1.0,
                               -1.0 / 2,
                               1.0 / 24,
                               -1.0 / 720,
                               1.0 / 40320,
                               -1.0 / 3628800,
                               1.0 / 479001600,
                               -1.0 / 87178291200,
                               1.0 / 20922789888000,
                               -1.0 / 6402373705728000};
  f64x16 ps = f64x16{} + kSin[8];
  for (int k = 7; k >= 0; --k) ps = ps * z + kSin[k];
  f64x16 pc = f64x16{} + kCos[9];
  for (int k = 8; k >= 0; --k) pc = pc * z + kCos[k];
  const f64x16 sin_phi = phi * ps;
  const f64x16 cos_phi = pc;
  // Rotate by q quarter turns: (cos, sin) = (c, s), (-s, c), (-c, -s), (s, -c).
  const u64x16 odd = -(q & 1);  // all ones for q = 1, 3
  const f64x16 a = select(odd, sin_phi, cos_phi);
  const f64x16 b = select(odd, cos_phi, sin_phi);
  c = as_f64(as_u64(a) ^ ((((q + 1) >> 1) & 1) << 63));  // negative for q = 1, 2
  s = as_f64(as_u64(b) ^ ((q >> 1) << 63));              // negative for q = 2, 3
}

// Normals 2 b .. 2 b + 31 of the stream for the 16 blocks b = first .. first + 15, in order.
QUARRY_SIMD_CLONES void gaussian_group(uint32_t key0, uint32_t key1, uint64_t counter_lo,
                                       uint64_t counter_hi, uint64_t first, double* out) {
  const u64x16 lane = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
  const u64x16 j = first + lane;
  const u64x16 lo = counter_lo + j;
  const u64x16 hi = counter_hi - (u64x16)(lo < j);  // carry: (lo < j) is all ones or 0
  u64x16 c0 = lo & kLow32, c1 = lo >> 32, c2 = hi & kLow32, c3 = hi >> 32;
  uint64_t k0 = key0, k1 = key1;
  for (int round = 0; round < 10; ++round) {  // Philox4x32-10 (Salmon et al., SC'11)
    const u64x16 p0 = c0 * 0xD2511F53u;
    const u64x16 p1 = c2 * 0xCD9E8D57u;
    const u64x16 n0 = (p1 >> 32) ^ c1 ^ k0;
    const u64x16 n2 = (p0 >> 32) ^ c3 ^ k1;
    c1 = p1 & kLow32;
    c3 = p0 & kLow32;
    c0 = n0;
    c2 = n2;
    k0 = (k0 + 0x9E3779B9u) & kLow32;
    k1 = (k1 + 0xBB67AE85u) & kLow32;
  }
  const f64x16 u1 = open_uniform((c1 << 32) | c0);
  const f64x16 u2 = open_uniform((c3 << 32) | c2);
  f64x16 r = -2.0 * log_unit(u1);
  for (int l = 0; l < kLanes; ++l) r[l] = std::sqrt(r[l]);  // vsqrtpd: correctly rounded
  f64x16 c, s;
  cos_sin_turns(u2, c, s);
  const f64x16 z0 = r * c, z1 = r * s;
  const f64x16 first_half =
      __builtin_shufflevector(z0, z1, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
  const f64x16 second_half =
      __builtin_shufflevector(z0, z1, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
  std::memcpy(out, &first_half, sizeof first_half);
  std::memcpy(out + kLanes, &second_half, sizeof second_half);
}

}  // namespace

void rng_fill_gaussian(const PhiloxStream& stream, int64_t offset, int64_t n, double* out,
                       int64_t threads, int64_t grain) {
  grain = std::max<int64_t>(2 * kLanes, grain / (2 * kLanes) * (2 * kLanes));
  parallel_for(threads, n, grain, [&](int64_t begin, int64_t end) {
    // Elements [offset + begin, offset + end) live in blocks first .. last; groups of 8
    // blocks are computed whole and the needed part copied.
    const int64_t e0 = offset + begin;
    const int64_t e1 = offset + end;
    double group[2 * kLanes];
    for (int64_t b = e0 / 2; b * 2 < e1; b += kLanes) {
      gaussian_group(stream.key()[0], stream.key()[1], stream.counter_lo(), stream.counter_hi(),
                     static_cast<uint64_t>(b), group);
      const int64_t lo = std::max(e0, 2 * b);
      const int64_t hi = std::min(e1, 2 * b + 2 * kLanes);
      std::copy(group + (lo - 2 * b), group + (hi - 2 * b), out + (lo - offset));
    }
  });
}

}  // namespace quarry::core
