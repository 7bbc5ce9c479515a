/**
 * @file quarry/rng.h
 * @brief Reproducible random streams: the Philox4x32-10 state and stream generators.
 *
 * quarry has no global random generator and never seeds from the clock. Every randomized
 * function takes a `const quarry_rng_state *` and is a pure function of (state, sizes):
 * the same state gives bitwise the same result for any thread count and any internal
 * blocking. Functions never modify the state they are given.
 *
 * ## The stream of a state
 * The generator is Philox4x32-10 (Salmon et al., SC'11; Random123) with the 64-bit key
 * `key[0]` (32-bit key words: low half, high half) and the 128-bit counter
 * `C = counter[0] + 2^64 * counter[1]` (32-bit counter words from low to high).
 * Block j of the stream is Philox4x32-10(C + j mod 2^128, key): four 32-bit words.
 * The fill functions below read elements [offset, offset + n) of a stream defined on
 * those blocks, so any part of a stream can be generated on its own:
 * - `quarry_rng_fill_u32`: element i is word (i mod 4) of block i / 4;
 * - `quarry_rng_fill_uniform_f64`: element i uses block i / 2, words 2(i mod 2) (low) and
 *   2(i mod 2) + 1 (high) as x = low + 2^32 high, and is ((x >> 12) + 0.5) * 2^-52, a
 *   uniform value in the open interval (0, 1);
 * - `quarry_rng_fill_normal_f64`: elements 2j and 2j + 1 come from block j: u1 from words
 *   0, 1 and u2 from words 2, 3 as above, then Box-Muller r = sqrt(-2 ln u1),
 *   z_2j = r cos(2 pi u2), z_2j+1 = r sin(2 pi u2).
 *
 * The three fill functions are three views of the **same** blocks, not independent
 * streams: word 0 of block 0 feeds u32 element 0, uniform element 0 and normal element 0.
 * To draw independent values of several kinds (or for several consumers) from one seed,
 * give each its own state: `quarry_rng_state_advance` past the blocks the previous one
 * used, or distinct seeds.
 *
 * These definitions are part of the ABI: changing them is a stream-breaking change,
 * announced in the changelog. Integer streams are identical on every platform; the
 * floating-point streams are identical for the same build and math library.
 */
#ifndef QUARRY_RNG_H
#define QUARRY_RNG_H

#include <stdint.h>

#include "context.h"
#include "export.h"
#include "status.h"

/** The `generator` value of a Philox4x32-10 state (the only generator so far). */
#define QUARRY_RNG_PHILOX4X32_10 1

/**
 * @brief The state of a counter-based random stream: a 40-byte plain value without
 * padding that callers may copy, store and serialize freely.
 */
typedef struct quarry_rng_state {
  uint32_t generator;  /**< `QUARRY_RNG_PHILOX4X32_10`. */
  uint32_t reserved;   /**< Must be 0. */
  uint64_t key[2];     /**< key[0] is the Philox key; key[1] must be 0. */
  uint64_t counter[2]; /**< 128-bit block counter, low word first. */
} quarry_rng_state;

QUARRY_BEGIN_DECLS

/**
 * @brief The state for a seed: Philox4x32-10 with key[0] = seed and the counter at 0.
 * Distinct seeds give independent streams.
 * @param seed Any value.
 * @param[out] out Receives the state.
 * @return `QUARRY_OK` or `QUARRY_ERR_NULL_POINTER`.
 * @since 0.1
 */
QUARRY_API quarry_status quarry_rng_state_from_seed(uint64_t seed, quarry_rng_state *out);

/**
 * @brief The state whose stream starts `blocks` blocks further along the stream of
 * `state` (counter + blocks, modulo 2^128). `out` may equal `state`.
 * @return `QUARRY_OK`, `QUARRY_ERR_NULL_POINTER` or `QUARRY_ERR_INVALID_ARGUMENT`
 *         (not a valid state: unknown generator, reserved or key[1] not 0).
 * @since 0.1
 */
QUARRY_API quarry_status quarry_rng_state_advance(const quarry_rng_state *state, uint64_t blocks,
                                                  quarry_rng_state *out);

/**
 * @brief Write elements [offset, offset + n) of the 32-bit word stream of `state`.
 * @param ctx Context (thread count, error message).
 * @param state A valid state (see `quarry_rng_state_advance` for what valid means).
 * @param offset First element, >= 0.
 * @param n Number of elements, >= 0.
 * @param[out] out n words, caller-allocated (may be NULL when n = 0).
 * @return `QUARRY_OK`, `QUARRY_ERR_NULL_POINTER`, `QUARRY_ERR_BAD_DIMENSION` (negative
 *         offset or n), `QUARRY_ERR_SIZE_OVERFLOW` (offset + n exceeds INT64_MAX),
 *         `QUARRY_ERR_INVALID_ARGUMENT` (bad state).
 * @since 0.1
 */
QUARRY_API quarry_status quarry_rng_fill_u32(quarry_context *ctx, const quarry_rng_state *state,
                                             int64_t offset, int64_t n, uint32_t *out);

/**
 * @brief Write elements [offset, offset + n) of the uniform (0, 1) stream of `state`.
 * @return As `quarry_rng_fill_u32`.
 * @since 0.1
 */
QUARRY_API quarry_status quarry_rng_fill_uniform_f64(quarry_context *ctx,
                                                     const quarry_rng_state *state, int64_t offset,
                                                     int64_t n, double *out);

/**
 * @brief Write elements [offset, offset + n) of the standard normal stream of `state`.
 * @return As `quarry_rng_fill_u32`.
 * @since 0.1
 */
QUARRY_API quarry_status quarry_rng_fill_normal_f64(quarry_context *ctx,
                                                    const quarry_rng_state *state, int64_t offset,
                                                    int64_t n, double *out);

QUARRY_END_DECLS

#endif /* QUARRY_RNG_H */
