package quarry

// #include <stdlib.h>
// #include <quarry.h>
import "C"

import (
	"fmt"
	"runtime"
	"strings"
	"unsafe"
)

// Weights are the parameters of a one-hidden-layer ReLU network with D inputs, K hidden
// neurons and C outputs, F(x) = A ReLU(W x + B) + Skip x + C0. Matrices are row-major.
type Weights struct {
	D, K, C int
	W       []float64 // K x D
	B       []float64 // K
	A       []float64 // C x K
	Skip    []float64 // C x D, or nil for no skip term
	C0      []float64 // C, or nil for zeros
}

// check validates the slice lengths against D, K and C.
func (w Weights) check() error {
	if w.D < 1 || w.K < 0 || w.C < 1 {
		return dimError("a network needs D >= 1, K >= 0 and C >= 1, got D = %d, K = %d, C = %d",
			w.D, w.K, w.C)
	}
	for _, s := range []struct {
		name     string
		v        []float64
		want     int
		optional bool
	}{
		{"W", w.W, w.K * w.D, false}, {"B", w.B, w.K, false}, {"A", w.A, w.C * w.K, false},
		{"Skip", w.Skip, w.C * w.D, true}, {"C0", w.C0, w.C, true},
	} {
		if s.optional && s.v == nil {
			continue
		}
		if err := checkLen(s.name, s.v, s.want); err != nil {
			return err
		}
	}
	return nil
}

// ReluNet is an immutable one-hidden-layer ReLU network (quarry_relu_net). It may be
// shared by goroutines. Close it once every user is done with it: a Close racing a call
// (Eval, Save, an extraction using its Oracle) on another goroutine frees the network
// under that call, a use-after-free that no check catches.
type ReluNet struct {
	ptr *C.quarry_relu_net
}

// adoptReluNet wraps a C network, which the ReluNet then owns.
func adoptReluNet(ptr *C.quarry_relu_net) *ReluNet {
	net := &ReluNet{ptr: ptr}
	runtime.SetFinalizer(net, (*ReluNet).Close)
	return net
}

// NewReluNet creates a network from its weights (copied). Slice lengths are checked
// against D, K and C first; the library refuses NaN and Inf weights (ErrNonfinite).
func NewReluNet(ctx *Context, w Weights) (*ReluNet, error) {
	if err := w.check(); err != nil {
		return nil, err
	}
	return newReluNet(ctx, func(p *C.quarry_context, out **C.quarry_relu_net) C.quarry_status {
		return C.quarry_relu_net_create_f64(p, C.int64_t(w.D), C.int64_t(w.K), C.int64_t(w.C),
			f64(w.W), f64(w.B), f64(w.A), f64(w.Skip), f64(w.C0), out)
	})
}

// LoadReluNet reads a network saved by Save (quarry's JSON format, "quarry-relu-net"
// version 1). A file that is not one gives ErrFormat, one that cannot be read ErrIO, a
// path holding a NUL byte ErrInvalidArgument.
func LoadReluNet(ctx *Context, path string) (*ReluNet, error) {
	cpath, err := cPath(path)
	if err != nil {
		return nil, err
	}
	defer C.free(unsafe.Pointer(cpath))
	return newReluNet(ctx, func(p *C.quarry_context, out **C.quarry_relu_net) C.quarry_status {
		return C.quarry_relu_net_load(p, cpath, out)
	})
}

// newReluNet runs a C function that creates a network and adopts the result.
func newReluNet(ctx *Context, create func(*C.quarry_context, **C.quarry_relu_net) C.quarry_status) (*ReluNet, error) {
	var net *ReluNet
	err := use(ctx, func(p *C.quarry_context) error {
		var out *C.quarry_relu_net
		if err := check(p, create(p, &out)); err != nil {
			return err
		}
		net = adoptReluNet(out)
		return nil
	})
	return net, err
}

// Close releases the network. It is safe to call more than once, and on nil, but not
// while another goroutine still uses the network (see ReluNet).
func (n *ReluNet) Close() error {
	if n == nil || n.ptr == nil {
		return nil
	}
	C.quarry_relu_net_destroy(n.ptr)
	n.ptr = nil
	runtime.SetFinalizer(n, nil)
	return nil
}

// do runs f with the network's handle and keeps the network alive until f returns.
func (n *ReluNet) do(f func(*C.quarry_relu_net) error) error {
	if n == nil || n.ptr == nil {
		return ErrClosed
	}
	err := f(n.ptr)
	runtime.KeepAlive(n)
	return err
}

// Dims are the network's inputs d, hidden neurons k and outputs c; zeros once closed.
func (n *ReluNet) Dims() (d, k, c int) {
	var cd, ck, cc C.int64_t
	_ = n.do(func(p *C.quarry_relu_net) error {
		C.quarry_relu_net_dims(p, &cd, &ck, &cc)
		return nil
	})
	return int(cd), int(ck), int(cc)
}

// Weights copies the network's parameters out; Skip holds zeros when it has no skip term.
func (n *ReluNet) Weights() (Weights, error) {
	d, k, c := n.Dims()
	w := Weights{D: d, K: k, C: c, W: make([]float64, k*d), B: make([]float64, k),
		A: make([]float64, c*k), Skip: make([]float64, c*d), C0: make([]float64, c)}
	err := n.do(func(p *C.quarry_relu_net) error {
		return check(nil, C.quarry_relu_net_get_f64(p, f64(w.W), f64(w.B), f64(w.A), f64(w.Skip),
			f64(w.C0)))
	})
	if err != nil {
		return Weights{}, err
	}
	return w, nil
}

// Eval evaluates the network on rows inputs with ctx (nil: a fresh Context for this
// call): x holds rows x d values (row-major), the result rows x c. A NaN or Inf input
// gives ErrNonfinite.
func (n *ReluNet) Eval(ctx *Context, x []float64, rows int) ([]float64, error) {
	var y []float64
	err := n.do(func(net *C.quarry_relu_net) error {
		d, _, c := n.Dims()
		if err := checkBatch("rows", x, rows, d, c); err != nil {
			return err
		}
		y = make([]float64, rows*c)
		return use(ctx, func(p *C.quarry_context) error {
			return check(p, C.quarry_relu_net_eval_f64(p, net, C.int64_t(rows), f64(x), f64(y)))
		})
	})
	if err != nil {
		return nil, err
	}
	return y, nil
}

// Oracle is the network as the black box of ExtractReLU1: each batch is evaluated by
// Eval with ctx. ctx must not be the Context the extraction runs on (a Context serves
// one call at a time, and the extraction's is busy); nil makes a fresh Context per batch.
func (n *ReluNet) Oracle(ctx *Context) Oracle {
	return func(x []float64, rows int) ([]float64, error) { return n.Eval(ctx, x, rows) }
}

// Save writes the network to path as JSON with ctx (nil: a fresh Context for this call),
// written to path.tmp, then renamed, so that LoadReluNet reads it back bit for bit. A
// path holding a NUL byte gives ErrInvalidArgument, one that cannot be written ErrIO.
func (n *ReluNet) Save(ctx *Context, path string) error {
	cpath, err := cPath(path)
	if err != nil {
		return err
	}
	defer C.free(unsafe.Pointer(cpath))
	return n.do(func(net *C.quarry_relu_net) error {
		return use(ctx, func(p *C.quarry_context) error {
			return check(p, C.quarry_relu_net_save(p, net, cpath))
		})
	})
}

// cPath is path as a C string, which the caller frees. A path holding a NUL byte is
// refused: C would read it cut short at that byte, and so use another file.
func cPath(path string) (*C.char, error) {
	if strings.IndexByte(path, 0) >= 0 {
		return nil, newError(ErrInvalidArgument, fmt.Sprintf("the path %q holds a NUL byte", path))
	}
	return C.CString(path), nil
}
