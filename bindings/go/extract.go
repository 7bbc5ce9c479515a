package quarry

// #include <stdint.h>
// #include <quarry.h>
//
// quarry_status quarrygo_extract_relu1(quarry_context *ctx, int64_t d, int64_t c,
//                                      uintptr_t handle, const quarry_options *options,
//                                      quarry_relu_net **out, quarry_report **report);
import "C"

import (
	"errors"
	"fmt"
	"runtime/cgo"
	"unsafe"
)

// Oracle is a black box that answers a batch of n queries: x holds n x d inputs
// (row-major), and the answer must hold n x c outputs (row-major). x is a copy the
// oracle may keep. A non-nil error stops the extraction, and so does a panic (recovered).
// (*ReluNet).Oracle makes one of a network.
//
// An oracle runs between C++ frames of the library, so it must not call runtime.Goexit,
// nor anything that does (t.FailNow, t.Fatal, t.Skip and the like in a test): that
// would abandon those frames without unwinding them. Return an error instead, and
// report it after ExtractReLU1 returns.
type Oracle func(x []float64, n int) ([]float64, error)

// callback is what a Go callback of the library (an extraction's oracle, an active
// regression's labels) keeps during one C call: the error that stopped it, returned by
// the user's function or a panic recovered from it.
type callback struct {
	err error
}

// recoverPanic, deferred by an exported callback function, recovers a panic of the user's
// function into the kept error and makes the callback return the non-zero *status that
// stops the C call: nothing unwinds into C.
func (cb *callback) recoverPanic(status *C.int32_t) {
	if r := recover(); r != nil {
		cb.err = panicError(r)
		*status = 1
	}
}

// cause makes the kept error, if any, the cause (Err) of the *Error that the C call
// returned, so that errors.Is(err, yourErr) holds; it returns err.
func (cb *callback) cause(err error) error {
	var qerr *Error
	if cb.err != nil && errors.As(err, &qerr) {
		qerr.Err = cb.err
	}
	return err
}

// oracleCall is the state of one extraction that the C callback reaches through a
// cgo.Handle: the user's oracle and the first error it caused.
type oracleCall struct {
	oracle Oracle
	callback
}

// ExtractReLU1 recovers a one-hidden-layer ReLU network F: R^d -> R^c from value
// queries to oracle (quarry_extract_relu1 in quarry/extract.h). The oracle runs on the
// calling goroutine only. Options: WithSeed, WithQueryBudget, WithOutputNoise,
// WithDomainLower and WithDomainUpper (a box every query stays in), WithRefine.
//
// The report holds ReportQueries, ReportBatches, ReportNeurons, ReportLines,
// ReportNoise, ReportSeconds, ReportOracleSeconds and, when the budget allowed the final
// check, ReportRelativeError.
//
// Errors: when the oracle returns an error, answers the wrong number of values or
// panics, the result is an *Error with ErrOracle whose Err is that cause, so
// errors.Is(err, yourErr) holds. When the budget runs out (ErrBudget) or the copy's
// estimated error is above 1e-3 (ErrNoConvergence), the partial or inaccurate network
// is returned beside the error; the caller owns it and closes it.
func ExtractReLU1(ctx *Context, d, c int, oracle Oracle, opts ...Option) (*ReluNet, Report, error) {
	if oracle == nil {
		return nil, Report{}, newError(ErrNullPointer, "the oracle is nil")
	}
	q := &oracleCall{oracle: oracle}
	handle := cgo.NewHandle(q)
	defer handle.Delete()
	var net *ReluNet
	var rep Report
	err := call(ctx, opts, func(p *C.quarry_context, o *C.quarry_options) error {
		var out *C.quarry_relu_net
		var r *C.quarry_report
		st := C.quarrygo_extract_relu1(p, C.int64_t(d), C.int64_t(c), C.uintptr_t(handle), o,
			&out, &r)
		rep = takeReport(r)
		if out != nil {
			net = adoptReluNet(out)
		}
		return q.cause(check(p, st))
	})
	return net, rep, err
}

// quarryGoOracle answers one batch for the C trampoline in oracle.c. It copies the
// inputs into Go memory, calls the oracle, checks and copies its answer into y, and
// recovers any panic: nothing unwinds into C. Any failure is kept for ExtractReLU1 and
// reported to the library as a non-zero return.
//
//export quarryGoOracle
func quarryGoOracle(n, d C.int64_t, x *C.double, c C.int64_t, y *C.double, handle C.uintptr_t) (status C.int32_t) {
	q := cgo.Handle(handle).Value().(*oracleCall)
	defer q.recoverPanic(&status)
	rows := int(n)
	xs := make([]float64, rows*int(d))
	copy(xs, unsafe.Slice((*float64)(unsafe.Pointer(x)), len(xs)))
	ys, err := q.oracle(xs, rows)
	if err == nil && len(ys) != rows*int(c) {
		err = fmt.Errorf("the oracle answered %d values to a batch of %d queries "+
			"with %d outputs each, want %d", len(ys), rows, int(c), rows*int(c))
	}
	if err != nil {
		q.err = err
		return 1
	}
	copy(unsafe.Slice((*float64)(unsafe.Pointer(y)), len(ys)), ys)
	return 0
}

// panicError is the error of a panic recovered from an oracle (or a label oracle),
// wrapping the panic value when it is an error.
func panicError(r interface{}) error {
	if err, ok := r.(error); ok {
		return fmt.Errorf("the oracle panicked: %w", err)
	}
	return fmt.Errorf("the oracle panicked: %v", r)
}
