// Counter-based random streams on Philox4x32-10 (Salmon, Moraes, Dror, Shaw, "Parallel
// random numbers: as easy as 1, 2, 3", SC'11; the Random123 implementation).
//
// A stream is addressed by element index: element i is a pure function of (state, i), so
// any block of a stream can be generated on its own, by any thread, in any order. That is
// what makes every random object in quarry bitwise identical for any thread count and
// any internal blocking (the RandBLAS design). The exact element definitions are public
// and documented in include/c_api/quarry/rng.h.
#pragma once

#include <quarry/rng.h>

#include <array>
#include <cstdint>

namespace quarry::core {

using PhiloxBlock = std::array<uint32_t, 4>;

// Throws QUARRY_ERR_INVALID_ARGUMENT for an unknown generator or non-zero reserved fields.
void validate_rng_state(const quarry_rng_state& state);

class PhiloxStream {
 public:
  // Validates the state (validate_rng_state).
  explicit PhiloxStream(const quarry_rng_state& state);

  // Block j: Philox4x32-10(counter + j mod 2^128, key).
  PhiloxBlock block(uint64_t j) const;

  const std::array<uint32_t, 2>& key() const { return key_; }
  uint64_t counter_lo() const { return counter_lo_; }
  uint64_t counter_hi() const { return counter_hi_; }

 private:
  std::array<uint32_t, 2> key_;
  uint64_t counter_lo_;
  uint64_t counter_hi_;
};

// The raw Philox4x32-10 bijection (for known-answer tests).
PhiloxBlock philox4x32_10(const PhiloxBlock& counter, const std::array<uint32_t, 2>& key);

quarry_rng_state rng_state_from_seed(uint64_t seed);

// The state whose block 0 is block `blocks` of `state` (counter + blocks, mod 2^128).
quarry_rng_state rng_state_advance(const quarry_rng_state& state, uint64_t blocks);

// Elements [offset, offset + n) of the stream, generated on up to `threads` threads in
// ranges of `grain` elements. The output does not depend on `threads` or `grain`.
inline constexpr int64_t kRngGrain = int64_t{1} << 16;
void rng_fill_u32(const PhiloxStream& stream, int64_t offset, int64_t n, uint32_t* out,
                  int64_t threads, int64_t grain = kRngGrain);
void rng_fill_uniform(const PhiloxStream& stream, int64_t offset, int64_t n, double* out,
                      int64_t threads, int64_t grain = kRngGrain);
void rng_fill_normal(const PhiloxStream& stream, int64_t offset, int64_t n, double* out,
                     int64_t threads, int64_t grain = kRngGrain);

// The normal stream of rng_fill_normal (the same Box-Muller pairs from the same blocks),
// computed eight blocks at a time with quarry's own vectorized Philox, log and sincos
// (polynomials accurate to a few ulp) instead of libm: 15 to 30 times faster, identical
// on every platform and instruction set, and within a few 1e-16 (relative) of
// rng_fill_normal. For bulk random matrices (Gaussian sketches).
void rng_fill_gaussian(const PhiloxStream& stream, int64_t offset, int64_t n, double* out,
                       int64_t threads, int64_t grain = kRngGrain);

// Sequential draws from one stream, for algorithms that make their random choices one at
// a time (which line, which probe point). Deterministic: the k-th draw is a fixed
// element of the stream of `state`.
class RandomSequence {
 public:
  explicit RandomSequence(const quarry_rng_state& state) : stream_(state) {}

  // A uniform value in the open interval (0, 1).
  double uniform();
  // n standard normal values.
  void normals(int64_t n, double* out);

 private:
  PhiloxStream stream_;
  int64_t next_uniform_ = 0;
  int64_t next_normal_ = 0;
};

}  // namespace quarry::core
