#include "sketch/sampling.hpp"

#include <algorithm>
#include <numeric>
#include <unordered_map>

#include "core/error.hpp"

namespace quarry::sketch {

namespace {

// Runs the first `count` Fisher-Yates swaps on a permutation of [0, population) held by
// `perm` (get(i) and swap(i, j)), returning its first `count` entries.
template <class Perm>
std::vector<int64_t> partial_shuffle(const core::PhiloxStream& stream, int64_t population,
                                     int64_t count, Perm& perm) {
  std::vector<int64_t> chosen(static_cast<size_t>(count));
  for (int64_t t = 0; t < count; ++t) {
    const auto range = static_cast<uint64_t>(population - t);
    const int64_t r =
        t + static_cast<int64_t>(below(word64(stream, static_cast<uint64_t>(t)), range));
    chosen[static_cast<size_t>(t)] = perm.swap(t, r);
  }
  return chosen;
}

// The permutation as an array (count > population / 2).
struct DensePerm {
  std::vector<int64_t> p;
  // Swaps entries t and r and returns the new entry t.
  int64_t swap(int64_t t, int64_t r) {
    std::swap(p[static_cast<size_t>(t)], p[static_cast<size_t>(r)]);
    return p[static_cast<size_t>(t)];
  }
};

// The permutation as the identity plus the entries moved so far.
struct SparsePerm {
  std::unordered_map<int64_t, int64_t> moved;
  int64_t get(int64_t i) const {
    const auto it = moved.find(i);
    return it == moved.end() ? i : it->second;
  }
  int64_t swap(int64_t t, int64_t r) {
    const int64_t at_t = get(t);
    const int64_t at_r = get(r);
    moved[r] = at_t;
    moved[t] = at_r;
    return at_r;
  }
};

}  // namespace

std::vector<int64_t> sample_without_replacement(const core::PhiloxStream& stream,
                                                int64_t population, int64_t count) {
  core::require(count >= 0 && count <= population, QUARRY_ERR_INTERNAL,
                "cannot sample {} distinct indices out of {}", count, population);
  std::vector<int64_t> chosen;
  if (count > population / 2) {
    DensePerm perm{std::vector<int64_t>(static_cast<size_t>(population))};
    std::iota(perm.p.begin(), perm.p.end(), int64_t{0});
    chosen = partial_shuffle(stream, population, count, perm);
  } else {
    SparsePerm perm;
    perm.moved.reserve(static_cast<size_t>(2 * count));
    chosen = partial_shuffle(stream, population, count, perm);
  }
  std::sort(chosen.begin(), chosen.end());
  return chosen;
}

}  // namespace quarry::sketch
