package quarry

// #cgo pkg-config: quarry
// #include <quarry.h>
import "C"

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"unsafe"
)

// BindingABIVersion is the ABI generation (QUARRY_ABI_VERSION, the number in the
// library's SONAME) this Go code was written for.
const BindingABIVersion = 0

// abiErr is the result of the ABI check made once at initialisation.
var abiErr = checkABI(int(C.quarry_abi_version()), int(C.QUARRY_ABI_VERSION), BindingABIVersion)

// checkABI compares the ABI generation of the loaded library with those of the headers
// and of this binding.
func checkABI(loaded, headers, binding int) error {
	if loaded != headers || loaded != binding {
		return fmt.Errorf("quarry: the loaded libquarry has ABI version %d, but this binding "+
			"was compiled against headers of ABI version %d and written for ABI version %d; "+
			"install a matching libquarry", loaded, headers, binding)
	}
	return nil
}

// CheckABI reports whether the loaded library, the headers the binding was compiled
// against and the binding agree on the ABI generation. When they do not, every
// function that computes returns this error.
func CheckABI() error { return abiErr }

// Version is the version of the loaded library, e.g. "0.1.0".
func Version() string { return C.GoString(C.quarry_version_string()) }

// ABIVersion is the ABI generation of the loaded library.
func ABIVersion() int { return int(C.quarry_abi_version()) }

// BLASInfo describes the BLAS/LAPACK the loaded library runs on, as one line of text.
func BLASInfo() string { return C.GoString(C.quarry_blas_info()) }

// Status is a quarry_status code (quarry/status.h). A Status is also an error, so that
// errors.Is(err, ErrNoConvergence) tells whether err is an *Error with that code.
type Status int32

// The status codes of quarry/status.h.
const (
	StatusOK           Status = 0   // QUARRY_OK: success (never held by an *Error)
	ErrInvalidArgument Status = 1   // an argument or option value is outside what is accepted
	ErrNullPointer     Status = 2   // a required pointer was NULL
	ErrBadDimension    Status = 3   // a dimension is negative, or dimensions do not fit
	ErrBadLeadingDim   Status = 4   // a leading dimension (stride) is too small
	ErrBadLayout       Status = 5   // a layout is neither row- nor column-major
	ErrUnsupported     Status = 6   // valid, but not supported by this build or method
	ErrNonfinite       Status = 7   // an input holds NaN or Inf
	ErrOutOfMemory     Status = 100 // memory could not be allocated
	ErrSizeOverflow    Status = 101 // a size does not fit an internal integer type
	ErrNoConvergence   Status = 200 // an iterative method stopped short of its accuracy
	ErrCallbackAborted Status = 300 // a progress callback asked to stop
	ErrOracle          Status = 301 // the oracle failed or answered NaN/Inf
	ErrBudget          Status = 302 // a query budget ran out; the result is partial
	ErrIO              Status = 400 // a file could not be opened, read or written
	ErrFormat          Status = 401 // a file does not hold a valid quarry format
	ErrInternal        Status = 900 // an internal error of quarry (a bug)
)

// statusNames holds the C name of every status code above.
var statusNames = map[Status]string{
	StatusOK:           "QUARRY_OK",
	ErrInvalidArgument: "QUARRY_ERR_INVALID_ARGUMENT",
	ErrNullPointer:     "QUARRY_ERR_NULL_POINTER",
	ErrBadDimension:    "QUARRY_ERR_BAD_DIMENSION",
	ErrBadLeadingDim:   "QUARRY_ERR_BAD_LEADING_DIM",
	ErrBadLayout:       "QUARRY_ERR_BAD_LAYOUT",
	ErrUnsupported:     "QUARRY_ERR_UNSUPPORTED",
	ErrNonfinite:       "QUARRY_ERR_NONFINITE",
	ErrOutOfMemory:     "QUARRY_ERR_OUT_OF_MEMORY",
	ErrSizeOverflow:    "QUARRY_ERR_SIZE_OVERFLOW",
	ErrNoConvergence:   "QUARRY_ERR_NO_CONVERGENCE",
	ErrCallbackAborted: "QUARRY_ERR_CALLBACK_ABORTED",
	ErrOracle:          "QUARRY_ERR_ORACLE",
	ErrBudget:          "QUARRY_ERR_BUDGET",
	ErrIO:              "QUARRY_ERR_IO",
	ErrFormat:          "QUARRY_ERR_FORMAT",
	ErrInternal:        "QUARRY_ERR_INTERNAL",
}

// String is the C name of the code, e.g. "QUARRY_ERR_NONFINITE", or "status N" for a
// code this binding does not know (a newer library may add codes).
func (s Status) String() string {
	if name, ok := statusNames[s]; ok {
		return name
	}
	return fmt.Sprintf("status %d", int32(s))
}

// Description is the library's short English description of the code
// (quarry_status_string), e.g. "null pointer".
func (s Status) Description() string {
	return C.GoString(C.quarry_status_string(C.quarry_status(s)))
}

// Error makes a Status usable as a sentinel error for errors.Is.
func (s Status) Error() string { return "quarry: " + s.String() + " (" + s.Description() + ")" }

// Error is a failed quarry call: the status code, its C name and the detailed message
// (from the library's context, or from the binding for checks made in Go). Err is the
// cause when there is one: the error returned, or the panic recovered, by an oracle.
type Error struct {
	Status  Status // the quarry_status code
	Name    string // its C name, e.g. "QUARRY_ERR_NONFINITE"
	Message string // the detailed message, e.g. "A[7, 2] = nan is not finite"
	Err     error  // the cause, or nil
}

// newError builds the *Error of a status with a message.
func newError(s Status, message string) *Error {
	return &Error{Status: s, Name: s.String(), Message: message}
}

// Error formats the name, the description, the message and the cause.
func (e *Error) Error() string {
	text := e.Status.Error()
	if e.Message != "" {
		text += ": " + e.Message
	}
	if e.Err != nil {
		text += ": " + e.Err.Error()
	}
	return text
}

// Is reports whether target is the Status of e, for errors.Is(err, ErrBudget).
func (e *Error) Is(target error) bool {
	s, ok := target.(Status)
	return ok && s == e.Status
}

// Unwrap returns the cause (an oracle's error), for errors.Is and errors.As.
func (e *Error) Unwrap() error { return e.Err }

// ErrClosed is returned when a closed (or nil) handle is used: a Context, ReluNet,
// Sketch, SampleTree, NetOracle or DynamicLstsq.
var ErrClosed = errors.New("quarry: use of a closed Context, ReluNet, Sketch, SampleTree, NetOracle or DynamicLstsq")

// Context holds the thread count of quarry's kernels and the message of the last failed
// call made with it. Use it from one goroutine at a time. Close it once every user is
// done with it: a Close racing a call on another goroutine frees the context under that
// call, a use-after-free that no check catches.
type Context struct {
	ptr *C.quarry_context
}

// NewContext creates a context with the default thread count (QUARRY_NUM_THREADS when
// set to a valid value, else all hardware threads). It returns the error of CheckABI
// when the loaded library does not match this binding.
func NewContext() (*Context, error) {
	if abiErr != nil {
		return nil, abiErr
	}
	var ptr *C.quarry_context
	if st := C.quarry_context_create(&ptr); st != C.QUARRY_OK {
		return nil, newError(Status(st), "quarry_context_create failed")
	}
	ctx := &Context{ptr: ptr}
	runtime.SetFinalizer(ctx, (*Context).Close)
	return ctx, nil
}

// Close releases the context. It is safe to call more than once, and on nil, but not
// while another goroutine still uses the context (see Context).
func (c *Context) Close() error {
	if c == nil || c.ptr == nil {
		return nil
	}
	C.quarry_context_destroy(c.ptr)
	c.ptr = nil
	runtime.SetFinalizer(c, nil)
	return nil
}

// SetThreads sets how many threads quarry's own kernels may use with this context:
// 1 to 1024, or 0 for the default. Results never depend on it.
func (c *Context) SetThreads(n int) error {
	return c.do(func(p *C.quarry_context) error {
		return check(p, C.quarry_context_set_threads(p, C.int64_t(n)))
	})
}

// Threads is the thread count the context uses (the default resolved, never 0).
func (c *Context) Threads() (int, error) {
	var n C.int64_t
	err := c.do(func(p *C.quarry_context) error {
		return check(p, C.quarry_context_get_threads(p, &n))
	})
	return int(n), err
}

// do runs f with the context's handle and keeps the context alive until f returns.
func (c *Context) do(f func(*C.quarry_context) error) error {
	if c == nil || c.ptr == nil {
		return ErrClosed
	}
	err := f(c.ptr)
	runtime.KeepAlive(c)
	return err
}

// use runs f with ctx, or with a fresh context closed afterwards when ctx is nil.
func use(ctx *Context, f func(*C.quarry_context) error) error {
	if ctx == nil {
		fresh, err := NewContext()
		if err != nil {
			return err
		}
		defer fresh.Close()
		ctx = fresh
	}
	return ctx.do(f)
}

// check turns the status of a call made with context p (nil for a call without one)
// into an error carrying the context's message; nil for QUARRY_OK.
func check(p *C.quarry_context, st C.quarry_status) error {
	switch {
	case st == C.QUARRY_OK:
		return nil
	case p == nil:
		return newError(Status(st), "")
	}
	return newError(Status(st), C.GoString(C.quarry_context_last_error(p)))
}

// dimError is the error of a size check made in Go before a C call.
func dimError(format string, args ...interface{}) error {
	return newError(ErrBadDimension, fmt.Sprintf(format, args...))
}

// checkLen checks that a slice has exactly want entries.
func checkLen(name string, s []float64, want int) error {
	if len(s) != want {
		return dimError("%s has %d entries, want %d", name, len(s), want)
	}
	return nil
}

// checkBatch checks a batch of rows inputs of d values (x) whose answer has c values
// per row: rows >= 0, rows x d and rows x c fit an int, and x has rows x d entries.
// name is the name of the row count in messages.
func checkBatch(name string, x []float64, rows, d, c int) error {
	if rows < 0 {
		return dimError("%s = %d is negative", name, rows)
	}
	if (d > 0 && rows > math.MaxInt/d) || (c > 0 && rows > math.MaxInt/c) {
		return dimError("%s = %d is too large for %d inputs and %d outputs", name, rows, d, c)
	}
	return checkLen("x", x, rows*d)
}

// f64 is the C pointer to a slice's first element, or NULL for an empty slice. The
// slice must hold no Go pointers (a []float64 never does) and C must not keep it.
func f64(s []float64) *C.double {
	if len(s) == 0 {
		return nil
	}
	return (*C.double)(unsafe.Pointer(&s[0]))
}

// i64 is f64 for []int64.
func i64(s []int64) *C.int64_t {
	if len(s) == 0 {
		return nil
	}
	return (*C.int64_t)(unsafe.Pointer(&s[0]))
}
