package quarry

// #include <quarry.h>
import "C"

import (
	"fmt"
	"runtime"
	"unsafe"
)

// NetOracle is a simulated black box that answers with a known network, optionally the
// way a defended or low-precision deployment would (quarry_net_oracle in
// quarry/extract.h): a C oracle that ExtractReLU1FromNetOracle calls without going
// through Go, and that counts its queries. It is mutable (the count, the noise stream):
// one goroutine at a time. Close it once it is no longer used: a Close racing a call on
// another goroutine frees the oracle under that call, a use-after-free.
type NetOracle struct {
	ptr  *C.quarry_net_oracle
	d, c int // the network's inputs and outputs
}

// NewNetOracle creates a black box that answers with net (copied: net may be closed
// afterwards) (quarry_net_oracle_create). Options: WithOracleFloat32, WithOracleNoise,
// WithOracleRounding, and WithSeed, the seed of the noise (the noise of output j of the
// q-th query is element q c + j of the normal stream of that seed). Without options the
// oracle is exact: it answers as net.Eval. A closed or nil net gives ErrClosed.
func NewNetOracle(ctx *Context, net *ReluNet, opts ...Option) (*NetOracle, error) {
	var oracle *NetOracle
	err := net.do(func(pn *C.quarry_relu_net) error {
		d, _, c := net.Dims()
		return call(ctx, opts, func(p *C.quarry_context, o *C.quarry_options) error {
			var out *C.quarry_net_oracle
			if err := check(p, C.quarry_net_oracle_create(p, pn, o, &out)); err != nil {
				return err
			}
			oracle = &NetOracle{ptr: out, d: d, c: c}
			runtime.SetFinalizer(oracle, (*NetOracle).Close)
			return nil
		})
	})
	return oracle, err
}

// Close releases the oracle. It is safe to call more than once, and on nil, but not
// while another goroutine still uses the oracle (see NetOracle).
func (o *NetOracle) Close() error {
	if o == nil || o.ptr == nil {
		return nil
	}
	C.quarry_net_oracle_destroy(o.ptr)
	o.ptr = nil
	runtime.SetFinalizer(o, nil)
	return nil
}

// do runs f with the oracle's handle and keeps the oracle alive until f returns.
func (o *NetOracle) do(f func(*C.quarry_net_oracle) error) error {
	if o == nil || o.ptr == nil {
		return ErrClosed
	}
	err := f(o.ptr)
	runtime.KeepAlive(o)
	return err
}

// Dims are the inputs d and outputs c of the oracle's network; zeros once closed.
func (o *NetOracle) Dims() (d, c int) {
	if o == nil || o.ptr == nil {
		return 0, 0
	}
	return o.d, o.c
}

// Eval asks the black box n queries: x holds n x d inputs (row-major), the answer n x c
// outputs (quarry_net_oracle_eval, called directly). Every row counts as a query; a
// failed batch counts none. The function takes no context, so a failure is an *Error
// with the returned status and a message from the binding.
func (o *NetOracle) Eval(x []float64, n int) ([]float64, error) {
	var y []float64
	err := o.do(func(p *C.quarry_net_oracle) error {
		if err := checkBatch("n", x, n, o.d, o.c); err != nil {
			return err
		}
		y = make([]float64, n*o.c)
		st := C.quarry_net_oracle_eval(C.int64_t(n), C.int64_t(o.d), f64(x), C.int64_t(o.c),
			f64(y), unsafe.Pointer(p))
		if st != 0 {
			return newError(Status(st), fmt.Sprintf("quarry_net_oracle_eval failed on a batch "+
				"of %d queries", n))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return y, nil
}

// Queries is how many queries the black box has answered (every row of every batch,
// Eval and extractions alike; quarry_net_oracle_queries); 0 once closed.
func (o *NetOracle) Queries() int64 {
	var q C.int64_t
	_ = o.do(func(p *C.quarry_net_oracle) error {
		C.quarry_net_oracle_queries(p, &q)
		return nil
	})
	return int64(q)
}

// ExtractReLU1FromNetOracle is ExtractReLU1 with a simulated black box: d and c are the
// oracle's, and the library calls quarry_net_oracle_eval itself with the oracle's
// handle, with no Go callback per batch. Options, report and errors as ExtractReLU1
// (the network is returned beside ErrBudget and ErrNoConvergence). The oracle counts the
// extraction's queries, so the difference of Queries before and after equals the
// report's ReportQueries. A closed or nil oracle gives ErrClosed.
func ExtractReLU1FromNetOracle(ctx *Context, oracle *NetOracle, opts ...Option) (*ReluNet, Report, error) {
	var net *ReluNet
	var rep Report
	err := oracle.do(func(po *C.quarry_net_oracle) error {
		return call(ctx, opts, func(p *C.quarry_context, o *C.quarry_options) error {
			var out *C.quarry_relu_net
			var r *C.quarry_report
			st := C.quarry_extract_relu1(p, C.int64_t(oracle.d), C.int64_t(oracle.c),
				C.quarry_oracle_fn(C.quarry_net_oracle_eval), unsafe.Pointer(po), o, &out, &r)
			rep = takeReport(r)
			if out != nil {
				net = adoptReluNet(out)
			}
			return check(p, st)
		})
	})
	return net, rep, err
}
