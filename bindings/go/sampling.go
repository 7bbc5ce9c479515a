package quarry

// #include <quarry.h>
import "C"

import (
	"math"
	"runtime"
)

// LeverageScores are the leverage scores of the rows of a dense A (m x n): score i is the
// squared norm of row i of an orthonormal basis of A's column space, in [0, 1], summing to
// rank(A) (quarry_leverage_scores_f64 in quarry/sampling.h). By default they are exact
// (a thin QR of a copy of A, an SVD when A is numerically rank deficient). Options:
// WithLeverageApprox (sketched scores, within a factor 2 of the exact ones on nearly
// every row), WithRidge (ridge leverage scores a_i^T (A^T A + lambda I)^-1 a_i), and for
// the approximation WithSketchRows (default min(m, 20 n)), WithSketchKind (default
// SketchSparseSign) and WithSeed. A NaN or infinity of A gives ErrNonfinite.
func LeverageScores(ctx *Context, a Dense, opts ...Option) ([]float64, error) {
	layout, lda, err := a.check("a")
	if err != nil {
		return nil, err
	}
	scores := make([]float64, a.Rows)
	err = call(ctx, opts, func(p *C.quarry_context, o *C.quarry_options) error {
		return check(p, C.quarry_leverage_scores_f64(p, layout, C.int64_t(a.Rows),
			C.int64_t(a.Cols), f64(a.Data), lda, o, f64(scores)))
	})
	if err != nil {
		return nil, err
	}
	return scores, nil
}

// LewisWeights are the l_p Lewis weights of the rows of a dense A (m x n): the w > 0 with
// w_i = (a_i^T (A^T W^(1 - 2/p) A)^-1 a_i)^(p/2), W = diag(w), i.e. the leverage scores of
// W^(1/2 - 1/p) A (quarry_lewis_weights_f64 in quarry/sampling.h). They sum to rank(A),
// are the leverage scores for p = 2, and are the weights of l_p row sampling (sampling
// rows in proportion to them preserves ||A x||_p for every x) and of ActiveRegression;
// zero rows get 0. p must be finite and > 0 (else ErrInvalidArgument).
//
// They are computed by the fixed-point iteration of Cohen and Peng, one leverage-score
// computation per round, started at the leverage scores (damped for p > 2). Options:
// WithLeverageApprox (sketched scores in every round: the weights are then within about
// a factor 2 of the exact ones, and the rounds a budget, 10 by default, whose end is no
// error), WithSketchRows, WithSketchKind and WithSeed (the sketch's), WithTolerance (the
// fixed-point residual at which to stop, relative to each weight; default 1e-10) and
// WithMaxIterations (rounds; default 100). WithRidge is refused (ErrInvalidArgument): Lewis
// weights have no ridge. The report holds ReportIterations (rounds), ReportRank (the
// weights' sum), ReportResidualNorm (the last fixed-point residual) and ReportSeconds. On
// ErrNoConvergence (the round limit), the weights and the report are the last round's; on
// any other error the weights are nil. A NaN or infinity of A gives ErrNonfinite.
func LewisWeights(ctx *Context, a Dense, p float64, opts ...Option) (weights []float64, rep Report, err error) {
	layout, lda, err := a.check("a")
	if err != nil {
		return nil, Report{}, err
	}
	w := make([]float64, a.Rows)
	kept, rep, err := solve(ctx, opts, column(w, a.ColMajor), func(c *C.quarry_context, o *C.quarry_options, r **C.quarry_report) C.quarry_status {
		return C.quarry_lewis_weights_f64(c, layout, C.int64_t(a.Rows), C.int64_t(a.Cols),
			f64(a.Data), lda, C.double(p), f64(w), o, r)
	})
	return kept.Data, rep, err
}

// RowNormsSquared are the squared Euclidean norms of the rows of a dense A (m x n), the
// weights of length-squared row sampling (quarry_row_norms_squared_f64); bitwise the
// same for either layout. A NaN or infinity of A gives ErrNonfinite.
func RowNormsSquared(ctx *Context, a Dense) ([]float64, error) {
	layout, lda, err := a.check("a")
	if err != nil {
		return nil, err
	}
	norms := make([]float64, a.Rows)
	err = use(ctx, func(p *C.quarry_context) error {
		return check(p, C.quarry_row_norms_squared_f64(p, layout, C.int64_t(a.Rows),
			C.int64_t(a.Cols), f64(a.Data), lda, f64(norms)))
	})
	if err != nil {
		return nil, err
	}
	return norms, nil
}

// SampleWeighted draws count of the m = len(weights) rows with probability proportional
// to weights (finite, >= 0, with a positive sum; leverage scores, or squared row norms)
// and returns their indices (increasing) and rescaling factors, so that the sampled rows
// of A, each times its factor, form S A with E[S^T S] = I (quarry_sample_weighted).
//
// With replacement, the draws are independent, p_i = w_i / sum(w), an index may repeat
// and its factor is 1 / sqrt(count p_i). Without, count distinct rows are drawn, row i
// with probability pi_i = min(1, c w_i) (the pi_i sum to count) and factor
// 1 / sqrt(pi_i); count may not exceed the number of positive weights (ErrBadDimension).
// The draws come from the stream of state. No weights or a negative count give
// ErrBadDimension; a negative or non-finite weight, a zero sum or a bad state
// ErrInvalidArgument.
func SampleWeighted(ctx *Context, weights []float64, count int, withReplacement bool,
	state RngState) (indices []int, scales []float64, err error) {
	if len(weights) < 1 {
		return nil, nil, dimError("sampling needs at least one weight")
	}
	if count < 0 {
		return nil, nil, dimError("count = %d is negative", count)
	}
	replace := C.int32_t(0)
	if withReplacement {
		replace = 1
	}
	cs := state.c()
	idx := make([]int64, count)
	scales = make([]float64, count)
	err = use(ctx, func(p *C.quarry_context) error {
		return check(p, C.quarry_sample_weighted(p, C.int64_t(len(weights)), f64(weights),
			C.int64_t(count), replace, &cs, i64(idx), f64(scales)))
	})
	if err != nil {
		return nil, nil, err
	}
	return ints(idx), scales, nil
}

// SampleTree is a dynamic sampling tree (quarry_sample_tree in quarry/sampling.h): m
// non-negative weights, each updated in O(log m), and draws of index i with probability
// w_i / total in O(log m) each. Inner nodes are recomputed on every update, so the total
// never drifts. Update needs the tree to itself: no other goroutine may use the tree
// during an Update. Sample, Size and Weight may run on several goroutines at once while
// nobody updates. Close it once every user is done with it: a Close racing a call on
// another goroutine frees the tree under that call, a use-after-free.
type SampleTree struct {
	ptr *C.quarry_sample_tree
}

// NewSampleTree creates a tree of m = len(weights) weights, a copy of weights (pass
// make([]float64, m) for a tree of zeros). m outside [1, 2^40] gives ErrBadDimension,
// a negative or non-finite weight, or a total that overflows, ErrInvalidArgument.
func NewSampleTree(ctx *Context, weights []float64) (*SampleTree, error) {
	if len(weights) < 1 {
		return nil, dimError("a sample tree needs at least one weight")
	}
	var tree *SampleTree
	err := use(ctx, func(p *C.quarry_context) error {
		var out *C.quarry_sample_tree
		if err := check(p, C.quarry_sample_tree_create(p, C.int64_t(len(weights)), f64(weights),
			&out)); err != nil {
			return err
		}
		tree = &SampleTree{ptr: out}
		runtime.SetFinalizer(tree, (*SampleTree).Close)
		return nil
	})
	return tree, err
}

// Close releases the tree. It is safe to call more than once, and on nil, but not while
// another goroutine still uses the tree (see SampleTree).
func (t *SampleTree) Close() error {
	if t == nil || t.ptr == nil {
		return nil
	}
	C.quarry_sample_tree_destroy(t.ptr)
	t.ptr = nil
	runtime.SetFinalizer(t, nil)
	return nil
}

// do runs f with the tree's handle and keeps the tree alive until f returns.
func (t *SampleTree) do(f func(*C.quarry_sample_tree) error) error {
	if t == nil || t.ptr == nil {
		return ErrClosed
	}
	err := f(t.ptr)
	runtime.KeepAlive(t)
	return err
}

// Update sets weight[k] at index[k], in order, each in O(log m)
// (quarry_sample_tree_update). index and weight must have the same length
// (ErrBadDimension, checked before anything is set). An index outside [0, m) gives
// ErrBadDimension, a negative or non-finite weight, or one that makes the total
// overflow, ErrInvalidArgument; the entries before the bad one are set, the rest not.
func (t *SampleTree) Update(ctx *Context, index []int, weight []float64) error {
	if len(index) != len(weight) {
		return dimError("index has %d entries, but weight has %d", len(index), len(weight))
	}
	idx := int64s(index)
	return t.do(func(tree *C.quarry_sample_tree) error {
		return use(ctx, func(p *C.quarry_context) error {
			return check(p, C.quarry_sample_tree_update(p, tree, C.int64_t(len(idx)), i64(idx),
				f64(weight)))
		})
	})
}

// Size is the tree's number of weights m and their total; zeros once closed.
func (t *SampleTree) Size() (m int, total float64) {
	var cm C.int64_t
	var ct C.double
	_ = t.do(func(tree *C.quarry_sample_tree) error {
		C.quarry_sample_tree_get(tree, &cm, &ct, 0, nil)
		return nil
	})
	return int(cm), float64(ct)
}

// Weight is weight i (quarry_sample_tree_get). An index outside [0, m) gives
// ErrBadDimension (and NaN), checked in Go.
func (t *SampleTree) Weight(i int) (float64, error) {
	var w C.double
	err := t.do(func(tree *C.quarry_sample_tree) error {
		if m, _ := t.Size(); i < 0 || i >= m {
			return dimError("index %d is outside [0, %d)", i, m)
		}
		return check(nil, C.quarry_sample_tree_get(tree, nil, nil, C.int64_t(i), &w))
	})
	if err != nil {
		return math.NaN(), err
	}
	return float64(w), nil
}

// Sample makes count independent draws from the stream of state
// (quarry_sample_tree_sample) and returns the indices in draw order and each draw's
// probability w_i / total. A negative count gives ErrBadDimension; a tree whose weights
// are all 0, or a bad state, ErrInvalidArgument.
func (t *SampleTree) Sample(ctx *Context, count int, state RngState) (indices []int, probs []float64, err error) {
	if count < 0 {
		return nil, nil, dimError("count = %d is negative", count)
	}
	cs := state.c()
	idx := make([]int64, count)
	probs = make([]float64, count)
	err = t.do(func(tree *C.quarry_sample_tree) error {
		return use(ctx, func(p *C.quarry_context) error {
			return check(p, C.quarry_sample_tree_sample(p, tree, &cs, C.int64_t(count), i64(idx),
				f64(probs)))
		})
	})
	if err != nil {
		return nil, nil, err
	}
	return ints(idx), probs, nil
}

// ints converts indices from C to Go.
func ints(s []int64) []int {
	out := make([]int, len(s))
	for i, v := range s {
		out[i] = int(v)
	}
	return out
}

// int64s converts indices from Go to C.
func int64s(s []int) []int64 {
	out := make([]int64, len(s))
	for i, v := range s {
		out[i] = int64(v)
	}
	return out
}
