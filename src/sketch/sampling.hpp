// Index sampling driven by a Philox stream: the building block of subsampled sketches
// (SRHT, uniform rows) and, later, of leverage-score sampling.
#pragma once

#include <cstdint>
#include <vector>

#include "core/philox.hpp"

namespace quarry::sketch {

// floor(x * range / 2^64): a 64-bit uniform word mapped to [0, range) by Lemire's
// multiply-shift (bias below range / 2^64, i.e. none that any test can see).
__extension__ typedef unsigned __int128 uint128;  // GCC and Clang, on 64-bit targets
inline uint64_t below(uint64_t x, uint64_t range) {
  return static_cast<uint64_t>((static_cast<uint128>(x) * range) >> 64);
}

// The 64-bit word of block `j`: words 0 (low) and 1 (high).
inline uint64_t word64(const core::PhiloxStream& stream, uint64_t j) {
  const core::PhiloxBlock b = stream.block(j);
  return (uint64_t{b[1]} << 32) | b[0];
}

// `count` distinct indices of [0, population), uniformly without replacement, in increasing
// order: the first `count` entries of a Fisher-Yates shuffle whose t-th swap partner is
// t + below(word64(stream, t), population - t). Memory O(count) (a hash map of the swapped
// entries) unless count is more than half the population. 0 <= count <= population.
std::vector<int64_t> sample_without_replacement(const core::PhiloxStream& stream,
                                                int64_t population, int64_t count);

}  // namespace quarry::sketch
