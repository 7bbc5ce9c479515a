package quarry

// #include <quarry.h>
import "C"

import (
	"math/bits"
	"unsafe"
)

// RngPhilox4x32_10 is the Generator of a Philox4x32-10 state (QUARRY_RNG_PHILOX4X32_10),
// the only generator so far.
const RngPhilox4x32_10 = 1

// RngState is the state of a counter-based random stream (quarry_rng_state in
// quarry/rng.h): a plain 40-byte value with the same fields as the C struct, which may
// be copied, compared, stored and serialized freely. It is converted to C at each call.
// Functions never modify the state they are given: every randomized call is a pure
// function of (state, sizes), bitwise the same for any thread count.
//
// The stream of a state is the sequence of blocks Philox4x32-10(Counter + j, Key[0]),
// four 32-bit words each; FillU32, FillUniform and FillNormal are three views of the
// same blocks, not independent streams (see quarry/rng.h). Give each consumer its own
// state: Advance past the blocks the previous one used, or use distinct seeds.
type RngState struct {
	Generator uint32    // RngPhilox4x32_10
	Reserved  uint32    // must be 0
	Key       [2]uint64 // Key[0] is the Philox key; Key[1] must be 0
	Counter   [2]uint64 // the 128-bit block counter, low word first
}

// c is the state as a C struct.
func (s RngState) c() C.quarry_rng_state {
	return C.quarry_rng_state{
		generator: C.uint32_t(s.Generator),
		reserved:  C.uint32_t(s.Reserved),
		key:       [2]C.uint64_t{C.uint64_t(s.Key[0]), C.uint64_t(s.Key[1])},
		counter:   [2]C.uint64_t{C.uint64_t(s.Counter[0]), C.uint64_t(s.Counter[1])},
	}
}

// rngStateFromC is the Go copy of a C state.
func rngStateFromC(c C.quarry_rng_state) RngState {
	return RngState{
		Generator: uint32(c.generator),
		Reserved:  uint32(c.reserved),
		Key:       [2]uint64{uint64(c.key[0]), uint64(c.key[1])},
		Counter:   [2]uint64{uint64(c.counter[0]), uint64(c.counter[1])},
	}
}

// RngStateFromSeed is the state of a seed (quarry_rng_state_from_seed): Philox4x32-10
// with Key[0] = seed and the counter at 0. Distinct seeds give independent streams.
func RngStateFromSeed(seed uint64) RngState {
	var out C.quarry_rng_state
	C.quarry_rng_state_from_seed(C.uint64_t(seed), &out) // fails only on a NULL pointer
	return rngStateFromC(out)
}

// Advance is the state whose stream starts blocks blocks further along the stream of s
// (Counter + blocks, modulo 2^128; quarry_rng_state_advance). Word i of the FillU32
// stream of the result is word 4 blocks + i of that of s. An invalid state (unknown
// generator, Reserved or Key[1] not 0), which the library refuses, is advanced in Go
// by the same rule and stays invalid: every call given it returns ErrInvalidArgument.
func (s RngState) Advance(blocks uint64) RngState {
	in := s.c()
	var out C.quarry_rng_state
	if C.quarry_rng_state_advance(&in, C.uint64_t(blocks), &out) == C.QUARRY_OK {
		return rngStateFromC(out)
	}
	lo, carry := bits.Add64(s.Counter[0], blocks, 0)
	s.Counter[0], s.Counter[1] = lo, s.Counter[1]+carry
	return s
}

// FillU32 writes elements [offset, offset + len(out)) of the 32-bit word stream of s
// into out: element i is word i mod 4 of block i / 4 (quarry_rng_fill_u32). ctx may be
// nil (a fresh Context for this call). A negative offset gives ErrBadDimension, an
// offset + len(out) beyond the int64 range ErrSizeOverflow, an invalid state
// ErrInvalidArgument.
func FillU32(ctx *Context, s RngState, offset int64, out []uint32) error {
	return fill(ctx, s, offset, func(c *C.quarry_context, st *C.quarry_rng_state) C.quarry_status {
		return C.quarry_rng_fill_u32(c, st, C.int64_t(offset), C.int64_t(len(out)), u32(out))
	})
}

// FillUniform writes elements [offset, offset + len(out)) of the uniform stream of s,
// values in the open interval (0, 1): element i is ((x >> 12) + 0.5) 2^-52 with x the
// 64-bit value of words 2(i mod 2) (low) and 2(i mod 2) + 1 of block i / 2
// (quarry_rng_fill_uniform_f64). Errors as FillU32.
func FillUniform(ctx *Context, s RngState, offset int64, out []float64) error {
	return fill(ctx, s, offset, func(c *C.quarry_context, st *C.quarry_rng_state) C.quarry_status {
		return C.quarry_rng_fill_uniform_f64(c, st, C.int64_t(offset), C.int64_t(len(out)), f64(out))
	})
}

// FillNormal writes elements [offset, offset + len(out)) of the standard normal stream
// of s: elements 2j and 2j + 1 are the Box-Muller pair of block j, from the uniforms u1
// (words 0, 1) and u2 (words 2, 3) (quarry_rng_fill_normal_f64). Errors as FillU32.
func FillNormal(ctx *Context, s RngState, offset int64, out []float64) error {
	return fill(ctx, s, offset, func(c *C.quarry_context, st *C.quarry_rng_state) C.quarry_status {
		return C.quarry_rng_fill_normal_f64(c, st, C.int64_t(offset), C.int64_t(len(out)), f64(out))
	})
}

// fill checks the offset in Go, then runs a C fill function with a context and the C
// copy of s.
func fill(ctx *Context, s RngState, offset int64,
	f func(*C.quarry_context, *C.quarry_rng_state) C.quarry_status) error {
	if offset < 0 {
		return dimError("offset = %d is negative", offset)
	}
	cs := s.c()
	return use(ctx, func(p *C.quarry_context) error { return check(p, f(p, &cs)) })
}

// u32 is f64 for []uint32.
func u32(s []uint32) *C.uint32_t {
	if len(s) == 0 {
		return nil
	}
	return (*C.uint32_t)(unsafe.Pointer(&s[0]))
}
