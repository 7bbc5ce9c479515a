#include "sketch/sampling.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
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

std::vector<int64_t> shuffled_prefix(const core::PhiloxStream& stream, int64_t population,
                                     int64_t count) {
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
  return chosen;
}

std::vector<int64_t> sample_without_replacement(const core::PhiloxStream& stream,
                                                int64_t population, int64_t count) {
  std::vector<int64_t> chosen = shuffled_prefix(stream, population, count);
  std::sort(chosen.begin(), chosen.end());
  return chosen;
}

double check_weights(const double* w, int64_t m) {
  core::require(m >= 1, QUARRY_ERR_BAD_DIMENSION, "sampling needs m >= 1 weights, got m = {}", m);
  double total = 0;
  for (int64_t i = 0; i < m; ++i) {
    core::require(std::isfinite(w[i]) && w[i] >= 0, QUARRY_ERR_INVALID_ARGUMENT,
                  "weights[{}] = {} is not a finite value >= 0", i, w[i]);
    total += w[i];
  }
  core::require(total > 0 && std::isfinite(total), QUARRY_ERR_INVALID_ARGUMENT,
                "the weights sum to {}; sampling needs a positive, finite sum", total);
  return total;
}

void sample_with_replacement(const core::PhiloxStream& stream, const double* w, int64_t m,
                             int64_t count, int64_t* indices, double* scales) {
  std::vector<double> cumulative(static_cast<size_t>(m));
  double running = 0;
  int64_t last_positive = 0;
  for (int64_t i = 0; i < m; ++i) {
    running += w[i];
    cumulative[static_cast<size_t>(i)] = running;
    if (w[i] > 0) last_positive = i;
  }
  const double total = running;
  std::vector<double> u(static_cast<size_t>(count));
  core::rng_fill_uniform(stream, 0, count, u.data(), 1);
  for (int64_t t = 0; t < count; ++t) {
    const double x = u[static_cast<size_t>(t)] * total;
    auto it = std::upper_bound(cumulative.begin(), cumulative.end(), x);
    // x rounds up to the total only when u is within an ulp of 1: the last positive row.
    indices[t] = it == cumulative.end() ? last_positive : it - cumulative.begin();
  }
  std::sort(indices, indices + count);
  for (int64_t t = 0; t < count; ++t) {
    const double p = w[indices[t]] / total;
    scales[t] = 1.0 / std::sqrt(static_cast<double>(count) * p);
  }
}

void sample_weighted_distinct(const quarry_rng_state& state, const double* w, int64_t m,
                              int64_t count, int64_t* indices, double* scales) {
  const int64_t positive = std::count_if(w, w + m, [](double x) { return x > 0; });
  core::require(count <= positive, QUARRY_ERR_BAD_DIMENSION,
                "count = {} distinct rows cannot be drawn from {} rows of positive weight", count,
                positive);
  // Inclusion probabilities: cap at 1 (and treat as 1 what is within 1e-12 of it, so
  // that the systematic pass never meets a row it could select twice) until the rest,
  // scaled to the remaining count, all stay below 1.
  // A row is capped when its pi is exactly 1; the others stay below 1 - 1e-12.
  std::vector<double> pi(static_cast<size_t>(m), 0.0);
  const auto capped = [&](int64_t i) { return pi[static_cast<size_t>(i)] == 1.0; };
  int64_t n_capped = 0;
  for (bool changed = true; changed && n_capped < count;) {
    changed = false;
    double free_weight = 0;
    for (int64_t i = 0; i < m; ++i) free_weight += capped(i) ? 0.0 : w[i];
    const double c = static_cast<double>(count - n_capped) / free_weight;
    for (int64_t i = 0; i < m; ++i) {
      if (capped(i)) continue;
      pi[static_cast<size_t>(i)] = c * w[i];
      if (pi[static_cast<size_t>(i)] >= 1.0 - 1e-12) {
        pi[static_cast<size_t>(i)] = 1.0;
        ++n_capped;
        changed = true;
      }
    }
  }
  std::vector<int64_t> chosen;
  chosen.reserve(static_cast<size_t>(count));
  for (int64_t i = 0; i < m && static_cast<int64_t>(chosen.size()) < count; ++i) {
    if (capped(i)) chosen.push_back(i);
  }
  const int64_t rest = count - static_cast<int64_t>(chosen.size());
  if (rest > 0) {
    // Systematic sampling over a random order: points (u + k) T / rest, k < rest, on the
    // running sum of the uncapped pi (total T); each row's interval is shorter than the
    // spacing, so it holds at most one point, and every point lands in some row.
    const std::vector<int64_t> perm = shuffled_prefix(core::PhiloxStream(state), m, m);
    double total = 0;
    for (int64_t i : perm) total += capped(i) ? 0.0 : pi[static_cast<size_t>(i)];
    double u = 0;
    core::rng_fill_uniform(core::PhiloxStream(core::rng_state_advance(state, kSecondStream)), 0, 1,
                           &u, 1);
    const double spacing = total / static_cast<double>(rest);
    int64_t k = 0;
    double running = 0;
    int64_t last = -1;  // the last row of the pass not taken
    for (int64_t i : perm) {
      if (capped(i) || pi[static_cast<size_t>(i)] == 0.0) continue;
      running += pi[static_cast<size_t>(i)];
      if (k < rest && (u + static_cast<double>(k)) * spacing < running) {
        chosen.push_back(i);
        ++k;
      } else {
        last = i;
      }
    }
    // The last point, (u + rest - 1) T / rest, lies below the total T by (1 - u) T / rest,
    // but its product can round up to T when u is within rounding of 1: it then belongs to
    // the last row of the pass, which no other point reached.
    if (k < rest && last >= 0) {
      chosen.push_back(last);
      ++k;
    }
    core::require(k == rest, QUARRY_ERR_INTERNAL,
                  "systematic sampling drew {} of {} rows (weights summing to {})", k, rest, total);
  }
  std::sort(chosen.begin(), chosen.end());
  for (int64_t t = 0; t < count; ++t) {
    indices[t] = chosen[static_cast<size_t>(t)];
    scales[t] = 1.0 / std::sqrt(pi[static_cast<size_t>(indices[t])]);
  }
}

SampleTree::SampleTree(int64_t m, const double* weights) : m_(m) {
  core::require(m >= 1 && m <= (int64_t{1} << 40), QUARRY_ERR_BAD_DIMENSION,
                "a sampling tree holds 1 .. 2^40 weights, got m = {}", m);
  leaves_ = static_cast<int64_t>(std::bit_ceil(static_cast<uint64_t>(m)));
  node_.assign(static_cast<size_t>(2 * leaves_), 0.0);
  if (weights == nullptr) return;
  for (int64_t i = 0; i < m; ++i) {
    core::require(std::isfinite(weights[i]) && weights[i] >= 0, QUARRY_ERR_INVALID_ARGUMENT,
                  "weight {} of index {} is not a finite value >= 0", weights[i], i);
    node_[static_cast<size_t>(leaves_ + i)] = weights[i];
  }
  // Every inner node from its children, bottom up: the sums set() keeps.
  for (int64_t v = leaves_ - 1; v >= 1; --v) {
    node_[static_cast<size_t>(v)] =
        node_[static_cast<size_t>(2 * v)] + node_[static_cast<size_t>(2 * v + 1)];
  }
  core::require(std::isfinite(total()), QUARRY_ERR_INVALID_ARGUMENT,
                "the weights' total overflows");
}

void SampleTree::set(int64_t i, double w) {
  core::require(i >= 0 && i < m_, QUARRY_ERR_BAD_DIMENSION, "index {} is outside [0, {})", i, m_);
  core::require(std::isfinite(w) && w >= 0, QUARRY_ERR_INVALID_ARGUMENT,
                "weight {} of index {} is not a finite value >= 0", w, i);
  const double old = weight(i);
  int64_t v = leaves_ + i;
  node_[static_cast<size_t>(v)] = w;
  for (v /= 2; v >= 1; v /= 2) {
    node_[static_cast<size_t>(v)] =
        node_[static_cast<size_t>(2 * v)] + node_[static_cast<size_t>(2 * v + 1)];
  }
  if (!std::isfinite(total())) {
    set(i, old);
    core::fail(QUARRY_ERR_INVALID_ARGUMENT, "weight {} of index {} makes the total overflow", w, i);
  }
}

void SampleTree::sample(const core::PhiloxStream& stream, int64_t count, int64_t* indices,
                        double* probs) const {
  core::require(total() > 0, QUARRY_ERR_INVALID_ARGUMENT,
                "cannot sample: every weight of the tree is 0");
  std::vector<double> u(static_cast<size_t>(count));
  core::rng_fill_uniform(stream, 0, count, u.data(), 1);
  for (int64_t t = 0; t < count; ++t) {
    double x = u[static_cast<size_t>(t)] * total();
    int64_t v = 1;
    while (v < leaves_) {
      const double left = node_[static_cast<size_t>(2 * v)];
      if (x < left || node_[static_cast<size_t>(2 * v + 1)] == 0.0) {
        v = 2 * v;
      } else {
        x -= left;
        v = 2 * v + 1;
      }
    }
    indices[t] = v - leaves_;
    if (probs != nullptr) probs[t] = weight(indices[t]) / total();
  }
}

}  // namespace quarry::sketch
