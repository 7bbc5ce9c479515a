package quarry

// #include <stdint.h>
// #include <quarry.h>
//
// quarry_status quarrygo_active_regression_f64(quarry_context *ctx, int32_t layout,
//                                              int64_t m, int64_t n, const double *a,
//                                              int64_t lda, double p, uintptr_t handle,
//                                              int64_t budget, double *x,
//                                              const quarry_options *opts,
//                                              quarry_report **report);
import "C"

import (
	"runtime/cgo"
	"unsafe"
)

// Huber is Huber regression of b (m values) on the columns of a dense A (m x n), robust
// to gross outliers in b: with residuals r = b - A x, it minimizes Huber's loss, which is
// quadratic for small residuals and linear beyond a threshold, plus lambda ||x||^2
// (lambda from WithRidge, default 0). x has n values and sigma is the residual scale
// (quarry_huber_f64 in quarry/regress.h).
//
// Without WithHuberScale (or with WithHuberScale(0)) sigma is estimated with x, jointly
// (the concomitant objective m sigma + sum_i H(r_i / sigma) sigma + lambda ||x||^2 of
// scikit-learn's HuberRegressor with fit_intercept = false and alpha = lambda); epsilon
// must then be >= 1, and 1.35 (95% efficiency on Gaussian noise) is the usual choice.
// sigma is 0 when b is fitted exactly. With WithHuberScale(s), s > 0, sigma = s is fixed
// and the loss is the classic Huber loss with threshold epsilon * s in the units of b;
// epsilon must be > 0. An epsilon out of range gives ErrInvalidArgument.
//
// Options: WithHuberScale, WithRidge, WithTolerance (relative distance of the objective to
// its minimum; default 1e-12), WithMaxIterations (Newton iterations; default 100). The
// report holds ReportIterations, ReportObjective (the objective at x), ReportOutliers
// (residuals beyond epsilon * sigma), ReportResidualNorm (||b - A x||) and ReportSeconds.
// On ErrNoConvergence (the iteration limit was reached), x, sigma and the report hold the
// last iterate; on any other error x is nil and sigma 0.
func Huber(ctx *Context, a Dense, b []float64, epsilon float64, opts ...Option) (x []float64, sigma float64, rep Report, err error) {
	layout, lda, err := a.check("a")
	if err != nil {
		return nil, 0, Report{}, err
	}
	if err := checkLen("b", b, a.Rows); err != nil {
		return nil, 0, Report{}, err
	}
	coef := make([]float64, a.Cols)
	var scale C.double
	kept, rep, err := solve(ctx, opts, column(coef, a.ColMajor), func(p *C.quarry_context, o *C.quarry_options, r **C.quarry_report) C.quarry_status {
		return C.quarry_huber_f64(p, layout, C.int64_t(a.Rows), C.int64_t(a.Cols), f64(a.Data),
			lda, f64(b), C.double(epsilon), f64(coef), &scale, o, r)
	})
	if kept.Data == nil { // an error without a usable iterate
		return nil, 0, rep, err
	}
	return kept.Data, float64(scale), rep, err
}

// LpRegression is l_p regression of b (m values) on the columns of a dense A (m x n,
// m >= n): x (n values) minimizes sum_i |b_i - a_i^T x|^p for an exponent 1 <= p <= 100
// (p = 1: least absolute deviations, the median regression; p = 2: least squares; large
// p approaches the minimax fit; Newton iterations grow with p, about 20 at p = 20). A p out of range gives ErrInvalidArgument, m < n ErrBadDimension
// (quarry_lp_regression_f64 in quarry/regress.h).
//
// The solver follows smoothed objectives down to the l_p one by Newton's method, and
// stops when a dual point certifies that the objective is within the tolerance of its
// minimum (relative); at p = 1 it ends at an optimal vertex, exactly. Each Newton system
// is a weighted least-squares problem, solved by conjugate gradients preconditioned with
// the Cholesky factor of the weighted Gram matrix or with R from a QR of a sparse sketch
// of the weighted A.
//
// Options: WithMethod (MethodAuto, the default, MethodGramPrecondition or
// MethodSketchPrecondition: the preconditioner; any other method gives
// ErrInvalidArgument), WithTolerance (the duality gap to reach; default 1e-10),
// WithMaxIterations (Newton iterations; default 300), and for the sketch WithSketchKind,
// WithSketchRows (default 4 n), WithSketchNNZ, WithSeed. The report holds ReportMethod
// (the preconditioner used), ReportIterations, ReportObjective (sum_i |r_i|^p at x),
// ReportDualGap (a bound on the objective's relative distance to its minimum),
// ReportResidualNorm (||b - A x||_2) and ReportSeconds. On ErrNoConvergence (the
// iteration limit was reached), x and the report hold the last iterate and its gap; on
// any other error x is nil.
func LpRegression(ctx *Context, a Dense, b []float64, p float64, opts ...Option) (x []float64, rep Report, err error) {
	layout, lda, err := a.check("a")
	if err != nil {
		return nil, Report{}, err
	}
	if err := checkLen("b", b, a.Rows); err != nil {
		return nil, Report{}, err
	}
	coef := make([]float64, a.Cols)
	kept, rep, err := solve(ctx, opts, column(coef, a.ColMajor), func(c *C.quarry_context, o *C.quarry_options, r **C.quarry_report) C.quarry_status {
		return C.quarry_lp_regression_f64(c, layout, C.int64_t(a.Rows), C.int64_t(a.Cols),
			f64(a.Data), lda, f64(b), C.double(p), f64(coef), o, r)
	})
	return kept.Data, rep, err
}

// LabelOracle answers a batch of labels for ActiveRegression: rows holds row indices of
// A (0-based, increasing and distinct, at most 1024; every row is asked at most once per
// regression), a copy the oracle may keep, and it writes the label b_i of row rows[t]
// into labels[t] (len(labels) == len(rows)). A non-nil error stops the regression, and so
// does a panic (recovered). Like an Oracle, it runs between C++ frames of the library, so
// it must not call runtime.Goexit (t.Fatal, t.FailNow, ...): return an error instead.
type LabelOracle func(rows []int, labels []float64) error

// labelCall is the state of one active regression that the C callback reaches through a
// cgo.Handle: the user's label oracle and the first error it caused.
type labelCall struct {
	labels LabelOracle
	callback
}

// ActiveRegression is active l_p regression: it fits b ~ A x in the l_p norm (p >= 1,
// finite) for a dense A (m x n, m >= n) known in full, reading only budget of the m labels
// b_i, each costly (a simulation, an assay, a survey answer), from labels
// (quarry_active_regression_f64 in quarry/regress.h). It computes A's l_p Lewis weights
// (see LewisWeights; no labels needed), draws budget distinct rows with inclusion
// probabilities pi_i = min(1, c w_i), asks labels for them in batches of at most 1024 rows,
// and minimizes the sample's unbiased estimate sum over sampled i of |b_i - a_i^T x|^p /
// pi_i as LpRegression does (Musco, Musco, Woodruff and Yasuda, FOCS 2022: about n / eps
// labels give a (1 + eps)-approximate fit for p in [1, 2], where uniformly drawn rows may
// miss the few rows that decide it). x has n values. The labels run on the calling
// goroutine only.
//
// A p out of range, or a budget outside [n, the number of non-zero rows of A], gives
// ErrInvalidArgument before any label is asked; m < n ErrBadDimension; a nil labels
// ErrNullPointer. Options: WithLeverageApprox, WithSketchRows and WithSketchKind (the
// Lewis weights' leverage scores), WithSeed (the sketch's and the sample's: the same seed
// asks the same rows), WithTolerance (the fit's duality gap; default 1e-10) and
// WithMaxIterations (the fit's Newton iterations; default 300). The report holds
// ReportQueries (labels read: the budget), ReportBatches, ReportOracleSeconds,
// ReportIterations (the fit's), ReportObjective (the sample's estimate of
// sum_i |r_i|^p at x), ReportDualGap (of the sampled problem) and ReportSeconds.
//
// Errors: when labels returns an error or panics, the result is an *Error with ErrOracle
// whose Err is that cause, so errors.Is(err, yourErr) holds; a NaN or infinite label is
// ErrOracle without a cause. On ErrNoConvergence (the Lewis weights or the fit), x and the
// report hold what was reached; on any other error x is nil.
func ActiveRegression(ctx *Context, a Dense, p float64, budget int, labels LabelOracle, opts ...Option) (x []float64, rep Report, err error) {
	layout, lda, err := a.check("a")
	if err != nil {
		return nil, Report{}, err
	}
	if labels == nil {
		return nil, Report{}, newError(ErrNullPointer, "the label oracle is nil")
	}
	q := &labelCall{labels: labels}
	handle := cgo.NewHandle(q)
	defer handle.Delete()
	coef := make([]float64, a.Cols)
	kept, rep, err := solve(ctx, opts, column(coef, a.ColMajor), func(c *C.quarry_context, o *C.quarry_options, r **C.quarry_report) C.quarry_status {
		return C.quarrygo_active_regression_f64(c, layout, C.int64_t(a.Rows), C.int64_t(a.Cols),
			f64(a.Data), lda, C.double(p), C.uintptr_t(handle), C.int64_t(budget), f64(coef), o, r)
	})
	return kept.Data, rep, q.cause(err)
}

// quarryGoLabels answers one batch for the C trampoline in oracle.c. It copies the rows
// into Go memory, calls the label oracle with a Go slice for the labels, copies them into
// the library's buffer, and recovers any panic: nothing unwinds into C. Any failure is
// kept for ActiveRegression and reported to the library as a non-zero return.
//
//export quarryGoLabels
func quarryGoLabels(count C.int64_t, rows *C.int64_t, labels *C.double, handle C.uintptr_t) (status C.int32_t) {
	q := cgo.Handle(handle).Value().(*labelCall)
	defer q.recoverPanic(&status)
	k := int(count)
	idx := ints(unsafe.Slice((*int64)(unsafe.Pointer(rows)), k))
	ys := make([]float64, k)
	if err := q.labels(idx, ys); err != nil {
		q.err = err
		return 1
	}
	copy(unsafe.Slice((*float64)(unsafe.Pointer(labels)), k), ys)
	return 0
}
