package quarry

// #include <stdint.h>
// #include <stdlib.h>
// #include <quarry.h>
//
// quarry_status quarrygo_active_regression_f64(quarry_context *ctx, int32_t layout,
//                                              int64_t m, int64_t n, const double *a,
//                                              int64_t lda, double p, uintptr_t handle,
//                                              int64_t budget, double *x,
//                                              const quarry_options *opts,
//                                              quarry_report **report);
// quarry_status quarrygo_kronecker_regression_labels_f64(
//     quarry_context *ctx, int32_t layout, int32_t nfactors, const int64_t *rows,
//     const int64_t *cols, const double *const *factors, const int64_t *ld,
//     uintptr_t handle, double *x, const quarry_options *opts, quarry_report **report);
import "C"

import (
	"fmt"
	"math"
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

// LabelOracle answers a batch of labels for ActiveRegression (rows of A, at most 1024 a
// batch) or KroneckerRegressionLabels (flat rows of the Kronecker product, numbered as b
// of KroneckerRegression, at most 4096 a batch): rows holds row indices (0-based,
// increasing and distinct; every row is asked at most once per regression), a copy the
// oracle may keep, and it writes the label b_i of row rows[t] into labels[t]
// (len(labels) == len(rows)). A non-nil error stops the regression, and so does a panic
// (recovered). Like an Oracle, it runs between C++ frames of the library, so it must not
// call runtime.Goexit (t.Fatal, t.FailNow, ...): return an error instead.
type LabelOracle func(rows []int, labels []float64) error

// labelCall is the state of one regression with a label oracle that the C callback
// reaches through a cgo.Handle: the user's label oracle and the first error it caused.
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
	coef := make([]float64, a.Cols)
	return solveWithLabels(ctx, opts, coef, labels, func(h C.uintptr_t, c *C.quarry_context, o *C.quarry_options, r **C.quarry_report) C.quarry_status {
		return C.quarrygo_active_regression_f64(c, layout, C.int64_t(a.Rows), C.int64_t(a.Cols),
			f64(a.Data), lda, C.double(p), h, C.int64_t(budget), f64(coef), o, r)
	})
}

// solveWithLabels is solve for a C solver that asks labels through the trampoline of
// oracle.c, which reaches them through the cgo.Handle h the solver passes it; what labels
// returned or panicked with becomes the cause of the error. x (the solver's output) is
// returned as solve keeps it.
func solveWithLabels(ctx *Context, opts []Option, x []float64, labels LabelOracle,
	solver func(h C.uintptr_t, c *C.quarry_context, o *C.quarry_options, r **C.quarry_report) C.quarry_status) ([]float64, Report, error) {
	if labels == nil {
		return nil, Report{}, newError(ErrNullPointer, "the label oracle is nil")
	}
	q := &labelCall{labels: labels}
	handle := cgo.NewHandle(q)
	defer handle.Delete()
	kept, rep, err := solve(ctx, opts, column(x, false), func(c *C.quarry_context, o *C.quarry_options, r **C.quarry_report) C.quarry_status {
		return solver(C.uintptr_t(handle), c, o, r)
	})
	return kept.Data, rep, q.cause(err)
}

// quarryGoLabels answers one batch for the C trampoline in oracle.c. It copies the rows
// into Go memory, calls the label oracle with a Go slice for the labels, copies them into
// the library's buffer, and recovers any panic: nothing unwinds into C. Any failure is
// kept for the regression (see solveWithLabels) and reported to the library as a non-zero
// return.
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

// kronecker is the factors A_1 ... A_N of a Kronecker product K = A_1 (x) ... (x) A_N as
// the C calls take them: packed row-major copies in C memory (cgo does not let Go hand C
// an array of pointers to Go memory), their sizes and leading dimensions, and K's rows m
// (prod I_n) and columns n (prod R_n). free releases the copies.
type kronecker struct {
	rows, cols, ld []int64
	ptrs           **C.double     // N pointers into data, in C memory
	data           unsafe.Pointer // the copies, in C memory
	m, n           int
}

// newKronecker checks the factors (at least one, each against its slice) and copies them.
func newKronecker(factors []Dense) (*kronecker, error) {
	if len(factors) == 0 {
		return nil, dimError("no factors: a Kronecker product needs at least one")
	}
	k := &kronecker{m: 1, n: 1}
	total := 0
	for i, f := range factors {
		if _, _, err := f.check(fmt.Sprintf("factors[%d]", i)); err != nil {
			return nil, err
		}
		if !mulSize(&k.m, f.Rows) || !mulSize(&k.n, f.Cols) {
			return nil, newError(ErrSizeOverflow, fmt.Sprintf(
				"the Kronecker product of these factors has more than %d rows or columns", math.MaxInt))
		}
		k.rows = append(k.rows, int64(f.Rows))
		k.cols = append(k.cols, int64(f.Cols))
		k.ld = append(k.ld, int64(maxInt(1, f.Cols)))
		total += f.Rows * f.Cols
	}
	// C.malloc never returns nil (cgo's wrapper aborts when memory runs out).
	k.data = C.malloc(C.size_t(total) * C.size_t(unsafe.Sizeof(C.double(0))))
	k.ptrs = (**C.double)(C.malloc(C.size_t(len(factors)) * C.size_t(unsafe.Sizeof(k.ptrs))))
	data := unsafe.Slice((*float64)(k.data), total)
	ptrs := unsafe.Slice(k.ptrs, len(factors))
	at := 0
	for i, f := range factors {
		ptrs[i] = (*C.double)(unsafe.Add(k.data, at*int(unsafe.Sizeof(C.double(0)))))
		for r := 0; r < f.Rows; r++ {
			for c := 0; c < f.Cols; c++ {
				data[at] = f.At(r, c)
				at++
			}
		}
	}
	return k, nil
}

// mulSize sets *p = *p * v (sizes >= 0), or reports false when the product overflows.
func mulSize(p *int, v int) bool {
	if v != 0 && *p > math.MaxInt/v {
		return false
	}
	*p *= v
	return true
}

// free releases the C copies of the factors.
func (k *kronecker) free() {
	C.free(k.data)
	C.free(unsafe.Pointer(k.ptrs))
}

// count is N, as the C calls take it.
func (k *kronecker) count() C.int32_t { return C.int32_t(len(k.rows)) }

// KroneckerRegression is Kronecker ridge regression: x minimizing ||K x - b||^2 +
// lambda ||x||^2 (lambda from WithRidge, default 0) for K = A_1 (x) A_2 (x) ... (x) A_N,
// the Kronecker product of the dense factors A_n = factors[n] (I_n x R_n, each in either
// layout, with any stride), never formed (quarry_kronecker_regression_f64 in
// quarry/regress.h). K has prod I_n rows and prod R_n columns.
//
// b (prod I_n values) and x (prod R_n values) are tensors in row-major order, the order in
// which the Kronecker product numbers its rows and columns: entry (i_1, ..., i_N) of b is
// b[((i_1 I_2 + i_2) I_3 + i_3) ...], so that K x is x multiplied along each mode n by A_n.
// For N = 2: K x = vec(A_1 X A_2^T) with X the R_1 x R_2 row-major matrix holding x, and b
// the I_1 x I_2 row-major matrix holding b.
//
// Two solvers, chosen by WithMethod:
//   - exact (MethodDirect, or MethodAuto, the default): from the thin SVDs of the factors,
//     reading all of b; without a ridge, the minimum-norm least-squares solution.
//   - sampled (MethodSketchSolve; Fahrbach, Fu and Ghadiri, NeurIPS 2022): rows of K drawn
//     by their leverage scores (products of the factors'), and the sampled ridge problem
//     solved by preconditioned conjugate gradients. It reads only the sampled entries of
//     b, so its cost does not grow with prod I_n; the exact solver is the faster one until
//     prod I_n is far larger than the draws. Its excess loss is about d / draws of the
//     minimum, for the statistical dimension d of K (its rank without a ridge).
//     KroneckerRegressionLabels asks the sampled entries of a LabelOracle instead, so that
//     b need never exist in full.
//
// Any other method gives ErrInvalidArgument. Options of the sampled solver:
// WithSketchRows (the draws; default 50 d, at least 100: about 2% excess loss), WithSeed,
// WithTolerance (relative preconditioned residual; default 1e-10) and WithMaxIterations
// (conjugate-gradient iterations; default 100). The report holds ReportMethod
// (MethodDirect or MethodSketchSolve), ReportQueries (entries of b read: all, or the
// distinct sampled rows), ReportSeconds, and for the exact solver ReportObjective
// (||K x - b||^2 + lambda ||x||^2) and ReportResidualNorm (||K x - b||), for the sampled
// one ReportSketchRows (the draws) and ReportIterations.
//
// The factors are copied (packed, row-major) for the call. No factors, or a b of the
// wrong length, gives ErrBadDimension before any C call; a factor with no rows or no
// columns, or more than 64 factors, ErrBadDimension from the library. On ErrNoConvergence
// (sampled: the iteration limit came first), x and the report hold the last iterate; on
// any other error x is nil.
func KroneckerRegression(ctx *Context, factors []Dense, b []float64, opts ...Option) (x []float64, rep Report, err error) {
	k, err := newKronecker(factors)
	if err != nil {
		return nil, Report{}, err
	}
	defer k.free()
	if err := checkLen("b", b, k.m); err != nil {
		return nil, Report{}, err
	}
	coef := make([]float64, k.n)
	kept, rep, err := solve(ctx, opts, column(coef, false), func(c *C.quarry_context, o *C.quarry_options, r **C.quarry_report) C.quarry_status {
		return C.quarry_kronecker_regression_f64(c, C.QUARRY_ROW_MAJOR, k.count(), i64(k.rows),
			i64(k.cols), k.ptrs, i64(k.ld), f64(b), f64(coef), o, r)
	})
	return kept.Data, rep, err
}

// KroneckerRegressionLabels is the sampled solver of KroneckerRegression with b given by
// labels, which is asked only for the sampled rows of K (flat row indices, numbered as b
// of KroneckerRegression, in batches of at most 4096), so that b need never exist in full
// (quarry_kronecker_regression_labels_f64 in quarry/regress.h). The labels run on the
// calling goroutine only. With the same options and seed it asks exactly the entries
// KroneckerRegression with WithMethod(MethodSketchSolve) reads, and gives the same x.
//
// Options as for KroneckerRegression; the method, if set, must be MethodAuto or
// MethodSketchSolve (others give ErrInvalidArgument). The report is the sampled one plus
// ReportBatches and ReportOracleSeconds. A nil labels gives ErrNullPointer. Errors: when
// labels returns an error or panics, the result is an *Error with ErrOracle whose Err is
// that cause, so errors.Is(err, yourErr) holds; a NaN or infinite label is ErrOracle
// without a cause. On ErrNoConvergence x and the report hold the last iterate; on any
// other error x is nil.
func KroneckerRegressionLabels(ctx *Context, factors []Dense, labels LabelOracle, opts ...Option) (x []float64, rep Report, err error) {
	k, err := newKronecker(factors)
	if err != nil {
		return nil, Report{}, err
	}
	defer k.free()
	coef := make([]float64, k.n)
	return solveWithLabels(ctx, opts, coef, labels, func(h C.uintptr_t, c *C.quarry_context, o *C.quarry_options, r **C.quarry_report) C.quarry_status {
		return C.quarrygo_kronecker_regression_labels_f64(c, C.QUARRY_ROW_MAJOR, k.count(),
			i64(k.rows), i64(k.cols), k.ptrs, i64(k.ld), h, f64(coef), o, r)
	})
}

// KroneckerMultiply is y = K x, or y = K^T x when transpose is true, for K = A_1 (x) ...
// (x) A_N (factors as in KroneckerRegression), computed mode by mode without forming K
// (quarry_kronecker_multiply_f64 in quarry/regress.h): the predictions and residuals of a
// Kronecker regression, or the mode products of a Tucker model. x has prod R_n values
// (prod I_n with transpose) and y prod I_n (prod R_n), both tensors in row-major order as
// b and x of KroneckerRegression. A NaN or infinite x gives ErrNonfinite; an x of the
// wrong length ErrBadDimension.
func KroneckerMultiply(ctx *Context, factors []Dense, transpose bool, x []float64) ([]float64, error) {
	k, err := newKronecker(factors)
	if err != nil {
		return nil, err
	}
	defer k.free()
	in, out, t := k.n, k.m, C.int32_t(0)
	if transpose {
		in, out, t = k.m, k.n, 1
	}
	if err := checkLen("x", x, in); err != nil {
		return nil, err
	}
	y := make([]float64, out)
	err = use(ctx, func(p *C.quarry_context) error {
		return check(p, C.quarry_kronecker_multiply_f64(p, C.QUARRY_ROW_MAJOR, k.count(),
			i64(k.rows), i64(k.cols), k.ptrs, i64(k.ld), t, f64(x), f64(y)))
	})
	if err != nil {
		return nil, err
	}
	return y, nil
}
