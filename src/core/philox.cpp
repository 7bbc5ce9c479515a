#include "core/philox.hpp"

#include <Random123/philox.h>

#include <algorithm>
#include <cmath>
#include <numbers>

#include "core/error.hpp"
#include "core/threads.hpp"

namespace quarry::core {

namespace {

using Philox = r123::Philox4x32_R<10>;

// Two 32-bit words -> a uniform double in (0, 1): the top 52 bits of the 64-bit value,
// centred in their cell, so neither 0 (log(0) in Box-Muller) nor 1 can occur.
double open_uniform(uint32_t low, uint32_t high) {
  const uint64_t x = (uint64_t{high} << 32) | low;
  return (static_cast<double>(x >> 12) + 0.5) * 0x1p-52;
}

// Writes elements [offset, offset + n) of a stream with `PerBlock` elements per Philox
// block; expand(block, values) computes all elements of one block.
template <int PerBlock, class T, class Expand>
void fill_stream(const PhiloxStream& stream, int64_t offset, int64_t n, T* out, int64_t threads,
                 int64_t grain, Expand expand) {
  parallel_for(threads, n, grain, [&](int64_t begin, int64_t end) {
    int64_t i = offset + begin;
    const int64_t stop = offset + end;
    T* dst = out + begin;
    while (i < stop) {  // i + take <= stop <= INT64_MAX: no index overflows
      T values[PerBlock];
      expand(stream.block(static_cast<uint64_t>(i / PerBlock)), values);
      const int64_t first = i % PerBlock;
      const int64_t take = std::min<int64_t>(stop - i, PerBlock - first);
      dst = std::copy(values + first, values + first + take, dst);
      i += take;
    }
  });
}

}  // namespace

PhiloxBlock philox4x32_10(const PhiloxBlock& counter, const std::array<uint32_t, 2>& key) {
  const Philox::ctr_type c = {{counter[0], counter[1], counter[2], counter[3]}};
  const Philox::key_type k = {{key[0], key[1]}};
  const Philox::ctr_type r = Philox()(c, k);
  return {r[0], r[1], r[2], r[3]};
}

void validate_rng_state(const quarry_rng_state& state) {
  require(state.generator == QUARRY_RNG_PHILOX4X32_10, QUARRY_ERR_INVALID_ARGUMENT,
          "rng state generator = {} is not QUARRY_RNG_PHILOX4X32_10 ({})", state.generator,
          QUARRY_RNG_PHILOX4X32_10);
  require(state.reserved == 0, QUARRY_ERR_INVALID_ARGUMENT, "rng state reserved = {} must be 0",
          state.reserved);
  require(state.key[1] == 0, QUARRY_ERR_INVALID_ARGUMENT,
          "rng state key[1] = {} must be 0 for Philox4x32-10 (its key is key[0])", state.key[1]);
}

PhiloxStream::PhiloxStream(const quarry_rng_state& state)
    : key_{static_cast<uint32_t>(state.key[0]), static_cast<uint32_t>(state.key[0] >> 32)},
      counter_lo_(state.counter[0]),
      counter_hi_(state.counter[1]) {
  validate_rng_state(state);
}

PhiloxBlock PhiloxStream::block(uint64_t j) const {
  const uint64_t lo = counter_lo_ + j;
  const uint64_t hi = counter_hi_ + (lo < j ? 1 : 0);  // carry into the high 64 bits
  return philox4x32_10({static_cast<uint32_t>(lo), static_cast<uint32_t>(lo >> 32),
                        static_cast<uint32_t>(hi), static_cast<uint32_t>(hi >> 32)},
                       key_);
}

quarry_rng_state rng_state_from_seed(uint64_t seed) {
  return {QUARRY_RNG_PHILOX4X32_10, 0, {seed, 0}, {0, 0}};
}

quarry_rng_state rng_state_advance(const quarry_rng_state& state, uint64_t blocks) {
  validate_rng_state(state);
  quarry_rng_state next = state;
  next.counter[0] = state.counter[0] + blocks;
  next.counter[1] = state.counter[1] + (next.counter[0] < blocks ? 1 : 0);
  return next;
}

void rng_fill_u32(const PhiloxStream& stream, int64_t offset, int64_t n, uint32_t* out,
                  int64_t threads, int64_t grain) {
  fill_stream<4>(stream, offset, n, out, threads, grain,
                 [](const PhiloxBlock& b, uint32_t* v) { std::copy(b.begin(), b.end(), v); });
}

void rng_fill_uniform(const PhiloxStream& stream, int64_t offset, int64_t n, double* out,
                      int64_t threads, int64_t grain) {
  fill_stream<2>(stream, offset, n, out, threads, grain, [](const PhiloxBlock& b, double* v) {
    v[0] = open_uniform(b[0], b[1]);
    v[1] = open_uniform(b[2], b[3]);
  });
}

void rng_fill_normal(const PhiloxStream& stream, int64_t offset, int64_t n, double* out,
                     int64_t threads, int64_t grain) {
  fill_stream<2>(stream, offset, n, out, threads, grain, [](const PhiloxBlock& b, double* v) {
    const double r = std::sqrt(-2.0 * std::log(open_uniform(b[0], b[1])));
    const double theta = 2.0 * std::numbers::pi * open_uniform(b[2], b[3]);
    v[0] = r * std::cos(theta);
    v[1] = r * std::sin(theta);
  });
}

// Uniform and normal draws use disjoint halves of the stream's block range, so the two
// kinds of draw never share blocks (see quarry/rng.h on views of one stream).
namespace {
constexpr int64_t kNormalOffset = int64_t{1} << 62;
}

double RandomSequence::uniform() {
  double u = 0;
  rng_fill_uniform(stream_, next_uniform_++, 1, &u, 1);
  return u;
}

void RandomSequence::normals(int64_t n, double* out) {
  rng_fill_normal(stream_, kNormalOffset + next_normal_, n, out, 1);
  next_normal_ += n;
}

}  // namespace quarry::core
