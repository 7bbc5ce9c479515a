package quarry

// #include <quarry.h>
import "C"

import "fmt"

// OptionKey is a key of quarry/options.h (QUARRY_OPT_*).
type OptionKey int32

// The option keys of quarry/options.h. Each has one C type (integer, number or list of
// numbers); which calls read which keys is documented with the calls.
const (
	OptSeed           OptionKey = 1   // integer: seed of the call's random stream
	OptTolerance      OptionKey = 2   // number in [0, 1]: relative accuracy of an iterative method
	OptMaxIterations  OptionKey = 3   // integer >= 1: iteration limit
	OptSketchKind     OptionKey = 100 // integer: a SketchKind
	OptSketchRows     OptionKey = 101 // integer >= 1: rows of the sketch
	OptSketchNNZ      OptionKey = 102 // integer >= 1: non-zeros per column of a sparse-sign sketch
	OptLeverageMethod OptionKey = 103 // integer: exact (0) or approximate (1) leverage scores
	OptLstsqMethod    OptionKey = 200 // integer: a LstsqMethod
	OptRidge          OptionKey = 201 // number >= 0: ridge parameter lambda
	OptQueryBudget    OptionKey = 300 // integer >= 1: the most oracle queries an extraction makes
	OptExtractRefine  OptionKey = 301 // integer 0 or 1: run the refinement pass of an extraction
	OptOutputNoise    OptionKey = 302 // number >= 0: the oracle's output noise; 0 = estimate
	OptOracleFloat32  OptionKey = 303 // integer 0 or 1: a simulated oracle computes in float32
	OptOracleRounding OptionKey = 304 // number >= 0: a simulated oracle rounds to multiples of this
	OptOracleNoise    OptionKey = 305 // number >= 0: a simulated oracle adds noise of this deviation
	OptDomainLower    OptionKey = 306 // 1 or d numbers: lower corner of the box queries stay in
	OptDomainUpper    OptionKey = 307 // 1 or d numbers: upper corner of that box
	OptHuberScale     OptionKey = 400 // number >= 0: Huber regression's fixed scale; 0 = estimate
)

// String is the C name of the key, e.g. "QUARRY_OPT_SEED" (quarry_option_name).
func (k OptionKey) String() string { return C.GoString(C.quarry_option_name(C.int32_t(k))) }

// LstsqMethod is a least-squares method (QUARRY_LSTSQ_*), the value of OptLstsqMethod and
// of the report's ReportMethod.
type LstsqMethod int64

// The least-squares methods of quarry/lstsq.h.
const (
	MethodAuto               LstsqMethod = 0 // a cost model picks direct or sketch and precondition
	MethodDirect             LstsqMethod = 1 // LAPACK (QR, or SVD when rank deficient)
	MethodSketchSolve        LstsqMethod = 2 // one sketch and its QR: fast, not LAPACK's accuracy
	MethodSketchPrecondition LstsqMethod = 3 // sketch and precondition with iterative refinement
	MethodGramPrecondition   LstsqMethod = 4 // the Cholesky factor of A^T A + lambda I as preconditioner
)

// SketchKind is a sketching distribution (QUARRY_SKETCH_*), the value of OptSketchKind.
type SketchKind int64

// The sketch kinds of quarry/options.h.
const (
	SketchGaussian    SketchKind = 1
	SketchSRHT        SketchKind = 2
	SketchCountSketch SketchKind = 3
	SketchSparseSign  SketchKind = 4
	SketchUniformRows SketchKind = 5
)

// Option is one setting of a call: a key and its value. Options are made by the With
// functions; a key left out keeps its default, so a zero value (a seed of 0, a ridge of
// 0) is a setting like any other. Each is set with the C setter that quarry_option_type
// names for its key, and refused (ErrInvalidArgument) when the library refuses it.
type Option struct {
	key   OptionKey
	isInt bool
	i     int64
	f     []float64
}

// WithInt sets an integer-valued key (an integer given to a number key is converted).
func WithInt(key OptionKey, value int64) Option { return Option{key: key, isInt: true, i: value} }

// WithFloat sets a number key (one value) or a list-of-numbers key (one or more values).
// A number given to an integer key is refused, never rounded.
func WithFloat(key OptionKey, values ...float64) Option {
	return Option{key: key, f: append([]float64(nil), values...)}
}

// WithSeed sets the seed of every random choice of the call (default 0).
func WithSeed(seed int64) Option { return WithInt(OptSeed, seed) }

// WithTolerance sets the relative accuracy asked of an iterative method, in [0, 1].
func WithTolerance(tol float64) Option { return WithFloat(OptTolerance, tol) }

// WithMaxIterations sets the iteration limit of an iterative method.
func WithMaxIterations(n int64) Option { return WithInt(OptMaxIterations, n) }

// WithMethod picks the least-squares method (default MethodAuto).
func WithMethod(m LstsqMethod) Option { return WithInt(OptLstsqMethod, int64(m)) }

// WithRidge sets the ridge parameter lambda >= 0 of a least-squares solve (default 0).
func WithRidge(lambda float64) Option { return WithFloat(OptRidge, lambda) }

// WithSketchKind picks the sketch distribution (default SketchSparseSign).
func WithSketchKind(k SketchKind) Option { return WithInt(OptSketchKind, int64(k)) }

// WithSketchRows sets the rows of the sketch.
func WithSketchRows(n int64) Option { return WithInt(OptSketchRows, n) }

// WithSketchNNZ sets the non-zeros per column of a sparse-sign sketch.
func WithSketchNNZ(n int64) Option { return WithInt(OptSketchNNZ, n) }

// WithLeverageApprox asks LeverageScores for the sketched approximation of the scores
// (QUARRY_OPT_LEVERAGE_METHOD = QUARRY_LEVERAGE_APPROX) instead of the exact ones.
func WithLeverageApprox() Option { return WithInt(OptLeverageMethod, C.QUARRY_LEVERAGE_APPROX) }

// WithOracleFloat32 makes a NetOracle evaluate with float32 weights and arithmetic, as a
// float32 deployment would (default false: float64).
func WithOracleFloat32(on bool) Option {
	if on {
		return WithInt(OptOracleFloat32, 1)
	}
	return WithInt(OptOracleFloat32, 0)
}

// WithOracleNoise makes a NetOracle add fresh N(0, sigma^2) noise to every output
// (default 0). The noise comes from the stream of WithSeed.
func WithOracleNoise(sigma float64) Option { return WithFloat(OptOracleNoise, sigma) }

// WithOracleRounding makes a NetOracle round every output to a multiple of q (after the
// noise), as a rounding defence would (default 0: no rounding).
func WithOracleRounding(q float64) Option { return WithFloat(OptOracleRounding, q) }

// WithQueryBudget sets the most oracle queries an extraction may make.
func WithQueryBudget(n int64) Option { return WithInt(OptQueryBudget, n) }

// WithRefine asks an extraction to re-measure every neuron (true) or only the imprecise
// ones (false, the default).
func WithRefine(on bool) Option {
	if on {
		return WithInt(OptExtractRefine, 1)
	}
	return WithInt(OptExtractRefine, 0)
}

// WithOutputNoise tells an extraction the oracle's output noise (default 0: estimate it).
func WithOutputNoise(sigma float64) Option { return WithFloat(OptOutputNoise, sigma) }

// WithDomainLower sets the lower corner of the box an extraction's queries stay in: one
// bound for every input, or d bounds. Set WithDomainUpper as well.
func WithDomainLower(bounds ...float64) Option { return WithFloat(OptDomainLower, bounds...) }

// WithDomainUpper sets the upper corner of that box (one bound or d bounds).
func WithDomainUpper(bounds ...float64) Option { return WithFloat(OptDomainUpper, bounds...) }

// WithHuberScale fixes the residual scale sigma > 0 of Huber regression, whose threshold
// is then epsilon * sigma in the units of b (default 0: sigma is estimated with x).
func WithHuberScale(sigma float64) Option { return WithFloat(OptHuberScale, sigma) }

// value formats the option's value for messages.
func (o Option) value() string {
	if o.isInt {
		return fmt.Sprint(o.i)
	}
	if len(o.f) == 1 {
		return fmt.Sprint(o.f[0])
	}
	return fmt.Sprint(o.f)
}

// apply sets the option on a C options object, through the setter of the key's C type.
func (o Option) apply(opts *C.quarry_options) error {
	key := C.int32_t(o.key)
	floats := o.f
	if o.isInt {
		floats = []float64{float64(o.i)}
	}
	var st C.quarry_status
	switch C.quarry_option_type(key) {
	case C.QUARRY_TYPE_I64:
		if !o.isInt {
			return newError(ErrInvalidArgument, fmt.Sprintf("option %v takes an integer, got %s",
				o.key, o.value()))
		}
		st = C.quarry_options_set_i64(opts, key, C.int64_t(o.i))
	case C.QUARRY_TYPE_F64:
		if len(floats) != 1 {
			return newError(ErrInvalidArgument, fmt.Sprintf("option %v takes one number, got %s",
				o.key, o.value()))
		}
		st = C.quarry_options_set_f64(opts, key, C.double(floats[0]))
	case C.QUARRY_TYPE_F64_ARRAY:
		st = C.quarry_options_set_f64_array(opts, key, C.int64_t(len(floats)), f64(floats))
	default:
		return newError(ErrInvalidArgument, fmt.Sprintf("option key %d is unknown to the library",
			int32(o.key)))
	}
	if st != C.QUARRY_OK {
		return newError(Status(st), fmt.Sprintf("option %v = %s is refused", o.key, o.value()))
	}
	return nil
}

// withOptions runs f with a C options object holding opts (NULL when there are none)
// and destroys it afterwards.
func withOptions(opts []Option, f func(*C.quarry_options) error) error {
	if len(opts) == 0 {
		return f(nil)
	}
	var o *C.quarry_options
	if st := C.quarry_options_create(&o); st != C.QUARRY_OK {
		return newError(Status(st), "quarry_options_create failed")
	}
	defer C.quarry_options_destroy(o)
	for _, opt := range opts {
		if err := opt.apply(o); err != nil {
			return err
		}
	}
	return f(o)
}

// call runs f with a context (ctx, or a fresh one when nil) and the C options of opts.
func call(ctx *Context, opts []Option, f func(*C.quarry_context, *C.quarry_options) error) error {
	return use(ctx, func(p *C.quarry_context) error {
		return withOptions(opts, func(o *C.quarry_options) error { return f(p, o) })
	})
}
