// Index sampling driven by a Philox stream: the building block of subsampled sketches
// (SRHT, uniform rows) and, later, of leverage-score sampling.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/philox.hpp"

namespace quarry::sketch {

// Where a random object needs a second (third) independent stream, it takes the stream of
// its state advanced by these many blocks: far beyond the blocks the first one uses.
inline constexpr uint64_t kSecondStream = uint64_t{1} << 62;
inline constexpr uint64_t kThirdStream = uint64_t{1} << 63;

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

// The first `count` entries of a uniformly random permutation of [0, population): a
// Fisher-Yates shuffle whose t-th swap partner is t + below(word64(stream, t),
// population - t), stopped after `count` swaps.
std::vector<int64_t> shuffled_prefix(const core::PhiloxStream& stream, int64_t population,
                                     int64_t count);

// `count` distinct indices of [0, population), uniformly without replacement, in increasing
// order: shuffled_prefix, sorted. Memory O(count) (a hash map of the swapped
// entries) unless count is more than half the population. 0 <= count <= population.
std::vector<int64_t> sample_without_replacement(const core::PhiloxStream& stream,
                                                int64_t population, int64_t count);

// Checks weights for sampling (m >= 1 finite values >= 0 with a positive, finite sum),
// naming the first bad one; returns the sum.
double check_weights(const double* w, int64_t m);

// `count` draws with replacement, index i with probability p_i = w_i / sum(w): draw t is
// the first i whose running sum of weights (in index order) exceeds u_t sum(w), u_t the
// uniform element t of the stream. Indices come out in increasing order, each with its
// rescaling factor 1 / sqrt(count p_i) (so that E[S^T S] = I).
void sample_with_replacement(const core::PhiloxStream& stream, const double* w, int64_t m,
                             int64_t count, int64_t* indices, double* scales);

// `count` distinct indices with inclusion probabilities pi_i = min(1, c w_i), c such that
// they sum to count: rows with pi_i = 1 always, the others by systematic sampling (Madow,
// 1949) over a uniformly random order of the rows (the permutation of the stream of
// `stream`, as sample_without_replacement draws it, and one uniform value from the stream
// advanced 2^62 blocks). Indices in increasing order, each with its rescaling factor
// 1 / sqrt(pi_i). count must not exceed the number of positive weights.
void sample_weighted_distinct(const quarry_rng_state& state, const double* w, int64_t m,
                              int64_t count, int64_t* indices, double* scales);

// A dynamic sampling tree (the l2-sampling structure of the dequantized algorithms, Tang,
// STOC 2019): m non-negative weights, each updated in O(log m), and draws of index i with
// probability w_i / sum(w) in O(log m). Every inner node holds the sum of its children,
// recomputed (not adjusted) on each update, so no rounding drift accumulates.
class SampleTree {
 public:
  // m weights: a copy of `weights`, or all 0 when it is NULL (each finite and >= 0, with
  // a finite total).
  SampleTree(int64_t m, const double* weights);

  int64_t size() const { return m_; }
  double weight(int64_t i) const { return node_[static_cast<size_t>(leaves_ + i)]; }
  double total() const { return node_[1]; }
  // Sets w_i (finite, >= 0; the new total must stay finite), leaving the tree unchanged
  // on failure.
  void set(int64_t i, double w);
  // Draw t (t = 0 .. count-1) walks down from the root with x = u_t total (u_t the uniform
  // element t of the stream): left when x < the left sum or the right sum is 0, else right
  // with x reduced by the left sum. Writes the indices in draw order and, when probs is
  // not NULL, their probabilities w_i / total. Needs a positive total.
  void sample(const core::PhiloxStream& stream, int64_t count, int64_t* indices,
              double* probs) const;

 private:
  int64_t m_;
  int64_t leaves_;  // a power of two >= m; leaf i is node leaves_ + i
  std::vector<double> node_;
};

}  // namespace quarry::sketch
