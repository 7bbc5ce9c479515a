package quarry

// #include <quarry.h>
import "C"

import (
	"errors"
	"fmt"
	"math"
	"runtime"
)

// Dense is a dense matrix over a slice, in row-major (the default) or column-major
// layout. Element (i, j) is Data[i*Stride+j] in row-major layout and Data[i+j*Stride] in
// column-major layout. Stride 0 means packed: Cols (row-major) or Rows (column-major).
// Data may be longer than the matrix needs; the matrix is passed to C without a copy.
type Dense struct {
	Rows, Cols int
	Data       []float64
	Stride     int
	ColMajor   bool
}

// NewDense is a packed rows x cols matrix of zeros.
func NewDense(rows, cols int, colMajor bool) Dense {
	return Dense{Rows: rows, Cols: cols, Data: make([]float64, rows*cols), ColMajor: colMajor}
}

// At is element (i, j).
func (m Dense) At(i, j int) float64 { return m.Data[m.index(i, j)] }

// Col is a copy of column j.
func (m Dense) Col(j int) []float64 {
	col := make([]float64, m.Rows)
	for i := range col {
		col[i] = m.At(i, j)
	}
	return col
}

// ld is the leading dimension: Stride, or the packed one.
func (m Dense) ld() int {
	switch {
	case m.Stride != 0:
		return m.Stride
	case m.ColMajor:
		return maxInt(1, m.Rows)
	default:
		return maxInt(1, m.Cols)
	}
}

// index is the position of element (i, j) in Data.
func (m Dense) index(i, j int) int {
	if m.ColMajor {
		return i + j*m.ld()
	}
	return i*m.ld() + j
}

// check validates the matrix against its slice and gives its C layout and leading
// dimension, so that C never reads past Data.
func (m Dense) check(name string) (C.int32_t, C.int64_t, error) {
	layout, outer, inner, kind := C.int32_t(C.QUARRY_ROW_MAJOR), m.Rows, m.Cols, "row-major"
	if m.ColMajor {
		layout, outer, inner, kind = C.QUARRY_COL_MAJOR, m.Cols, m.Rows, "column-major"
	}
	if m.Rows < 0 || m.Cols < 0 {
		return 0, 0, dimError("%s is %d x %d", name, m.Rows, m.Cols)
	}
	ld := m.ld()
	if ld < maxInt(1, inner) {
		return 0, 0, newError(ErrBadLeadingDim, fmt.Sprintf(
			"%s.Stride = %d is smaller than %d for a %s %d x %d matrix", name, ld, inner, kind,
			m.Rows, m.Cols))
	}
	need := 0
	if outer > 0 && inner > 0 {
		if outer-1 > (math.MaxInt-inner)/ld {
			return 0, 0, dimError("%s (%d x %d, stride %d) is too large", name, m.Rows, m.Cols, ld)
		}
		need = (outer-1)*ld + inner
	}
	if len(m.Data) < need {
		return 0, 0, dimError("%s.Data has %d entries, but a %d x %d matrix with stride %d needs %d",
			name, len(m.Data), m.Rows, m.Cols, ld, need)
	}
	return layout, C.int64_t(ld), nil
}

// inLayout is m itself when it has the layout asked, else a packed copy in that layout.
func (m Dense) inLayout(colMajor bool) Dense {
	if m.ColMajor == colMajor {
		return m
	}
	out := NewDense(m.Rows, m.Cols, colMajor)
	for i := 0; i < m.Rows; i++ {
		for j := 0; j < m.Cols; j++ {
			out.Data[out.index(i, j)] = m.At(i, j)
		}
	}
	return out
}

// column is the m x 1 matrix over b in the layout asked.
func column(b []float64, colMajor bool) Dense {
	return Dense{Rows: len(b), Cols: 1, Data: b, ColMajor: colMajor}
}

// CSR is a sparse matrix in compressed sparse row form: the non-zeros of row i are
// Val[RowPtr[i]:RowPtr[i+1]], in columns ColIdx[RowPtr[i]:RowPtr[i+1]] (any order;
// duplicates add up). RowPtr has Rows+1 entries, RowPtr[0] = 0.
type CSR struct {
	Rows, Cols int
	RowPtr     []int64
	ColIdx     []int64
	Val        []float64
}

// check validates the slice lengths of the matrix (the library checks their contents).
func (a CSR) check() error {
	if a.Rows < 0 || a.Cols < 0 {
		return dimError("a is %d x %d", a.Rows, a.Cols)
	}
	if len(a.RowPtr) != a.Rows+1 {
		return dimError("a.RowPtr has %d entries, want Rows + 1 = %d", len(a.RowPtr), a.Rows+1)
	}
	nnz := a.RowPtr[a.Rows]
	if int64(len(a.ColIdx)) != nnz || int64(len(a.Val)) != nnz {
		return dimError("a.RowPtr[%d] = %d, but a.ColIdx has %d entries and a.Val %d",
			a.Rows, nnz, len(a.ColIdx), len(a.Val))
	}
	return nil
}

// Lstsq solves min ||A x - b||^2 + lambda ||x||^2 (lambda from WithRidge, default 0) for
// a dense A (m x n) and one right-hand side b (m values); x has n values. When A is wide
// or rank deficient, x is the minimum-norm solution. Options: WithMethod, WithRidge,
// WithTolerance, WithMaxIterations, WithSketchKind, WithSketchRows, WithSketchNNZ,
// WithSeed (quarry_lstsq_f64 in quarry/lstsq.h). On ErrNoConvergence from the iteration
// limit, x and the report hold the last iterate and how far it got; on one without a
// report (an SVD that failed to converge), x is nil.
func Lstsq(ctx *Context, a Dense, b []float64, opts ...Option) ([]float64, Report, error) {
	x, rep, err := LstsqMulti(ctx, a, column(b, a.ColMajor), opts...)
	return x.Data, rep, err
}

// LstsqMulti is Lstsq for several right-hand sides: B is m x nrhs, and X (n x nrhs,
// packed, in A's layout) holds one solution per column of B. B is copied when its
// layout differs from A's (the library takes both in one layout).
func LstsqMulti(ctx *Context, a Dense, b Dense, opts ...Option) (Dense, Report, error) {
	layout, lda, err := a.check("a")
	if err != nil {
		return Dense{}, Report{}, err
	}
	if _, _, err := b.check("b"); err != nil {
		return Dense{}, Report{}, err
	}
	if b.Rows != a.Rows {
		return Dense{}, Report{}, dimError("b has %d rows, but a has %d", b.Rows, a.Rows)
	}
	b = b.inLayout(a.ColMajor)
	_, ldb, _ := b.check("b")
	x := NewDense(a.Cols, b.Cols, a.ColMajor)
	return solve(ctx, opts, x, func(p *C.quarry_context, o *C.quarry_options, r **C.quarry_report) C.quarry_status {
		return C.quarry_lstsq_f64(p, layout, C.int64_t(a.Rows), C.int64_t(a.Cols),
			C.int64_t(b.Cols), f64(a.Data), lda, f64(b.Data), ldb, f64(x.Data),
			C.int64_t(x.ld()), o, r)
	})
}

// LstsqCSR is Lstsq for a sparse A. Methods: MethodAuto, MethodSketchPrecondition and
// MethodSketchSolve (others give ErrUnsupported). With m < n, x is the minimum-norm
// solution (quarry_lstsq_csr_f64 in quarry/lstsq.h).
func LstsqCSR(ctx *Context, a CSR, b []float64, opts ...Option) ([]float64, Report, error) {
	x, rep, err := LstsqCSRMulti(ctx, a, column(b, false), opts...)
	return x.Data, rep, err
}

// LstsqCSRMulti is LstsqCSR for several right-hand sides: B is m x nrhs in either
// layout, and X (n x nrhs, packed) is returned in B's layout.
func LstsqCSRMulti(ctx *Context, a CSR, b Dense, opts ...Option) (Dense, Report, error) {
	if err := a.check(); err != nil {
		return Dense{}, Report{}, err
	}
	layout, ldb, err := b.check("b")
	if err != nil {
		return Dense{}, Report{}, err
	}
	if b.Rows != a.Rows {
		return Dense{}, Report{}, dimError("b has %d rows, but a has %d", b.Rows, a.Rows)
	}
	x := NewDense(a.Cols, b.Cols, b.ColMajor)
	return solve(ctx, opts, x, func(p *C.quarry_context, o *C.quarry_options, r **C.quarry_report) C.quarry_status {
		return C.quarry_lstsq_csr_f64(p, C.int64_t(a.Rows), C.int64_t(a.Cols), C.int64_t(b.Cols),
			i64(a.RowPtr), i64(a.ColIdx), f64(a.Val), layout, f64(b.Data), ldb, f64(x.Data),
			C.int64_t(x.ld()), o, r)
	})
}

// RidgePath solves min ||A x - b||^2 + lambda ||x||^2 for every lambda in lambdas (each
// finite and >= 0) with a dense A (m x n) and b (m values), sharing the factorization.
// Column j of X (n x len(lambdas), packed, in A's layout) solves lambdas[j]. Options as
// Lstsq, without WithRidge (refused: the lambdas are the argument).
func RidgePath(ctx *Context, a Dense, b, lambdas []float64, opts ...Option) (Dense, Report, error) {
	layout, lda, err := a.check("a")
	if err != nil {
		return Dense{}, Report{}, err
	}
	if err := checkLen("b", b, a.Rows); err != nil {
		return Dense{}, Report{}, err
	}
	x := NewDense(a.Cols, len(lambdas), a.ColMajor)
	return solve(ctx, opts, x, func(p *C.quarry_context, o *C.quarry_options, r **C.quarry_report) C.quarry_status {
		return C.quarry_ridge_path_f64(p, layout, C.int64_t(a.Rows), C.int64_t(a.Cols),
			f64(a.Data), lda, f64(b), C.int64_t(len(lambdas)), f64(lambdas), f64(x.Data),
			C.int64_t(x.ld()), o, r)
	})
}

// solve runs a C solver that writes x and creates a report, with a context and the
// options, and returns x, the report and the error. x is kept on success, and on
// ErrNoConvergence when the library made a report: the iteration limit was reached and x
// is the last iterate. It is dropped otherwise, including ErrNoConvergence without a
// report (an SVD that failed, or a sketch that lost rank), where x means nothing.
func solve(ctx *Context, opts []Option, x Dense,
	solver func(*C.quarry_context, *C.quarry_options, **C.quarry_report) C.quarry_status) (Dense, Report, error) {
	var rep Report
	reported := false
	err := call(ctx, opts, func(p *C.quarry_context, o *C.quarry_options) error {
		var r *C.quarry_report
		st := solver(p, o, &r)
		reported = r != nil
		rep = takeReport(r)
		return check(p, st)
	})
	if err != nil && !(reported && errors.Is(err, ErrNoConvergence)) {
		return Dense{}, rep, err
	}
	return x, rep, err
}

// maxInt is the larger of a and b.
func maxInt(a, b int) int {
	if a > b {
		return a
	}
	return b
}

// DynamicLstsq is dynamic least squares (quarry_dynamic_lstsq in quarry/lstsq.h): rows of
// A and their labels b are inserted over time, and at any time Solve gives the x
// minimizing ||A x - b||^2 + lambda ||x||^2 over the rows inserted so far. It keeps only
// the triangular factor R ((n + 1) x (n + 1)) of the QR factorization of [A b], updated
// by blocked Householder steps (about 2 n^2 flops a row), so its memory does not grow with
// the rows and x is as accurate as a QR solve of all of them at once.
//
// The mode is chosen at creation: exact (MethodAuto, the default, or MethodDirect: every
// row updates R), or sampled (MethodSketchSolve: online leverage-score row sampling keeps
// each row [a b] with probability min(1, c tau), tau its online leverage score in [A b], c = 2 / eps,
// rescaled; the objective at x is then within about a factor 1 + eps of the minimum over
// all rows, and the rows kept grow like n log(rows) / eps).
//
// It is mutable: one goroutine at a time. Close it once it is no longer used: a Close
// racing a call on another goroutine frees the handle under that call, a use-after-free.
type DynamicLstsq struct {
	ptr *C.quarry_dynamic_lstsq
	n   int // columns of A, entries of x
}

// NewDynamicLstsq creates a handle for n columns, holding no rows
// (quarry_dynamic_lstsq_create). Options: WithMethod (MethodAuto or MethodDirect: exact,
// MethodSketchSolve: sampled; others give ErrInvalidArgument), WithRidge (lambda >= 0,
// default 0), and for the sampled mode WithTolerance (eps in (0, 1], default 0.1) and
// WithSeed (the row choices). n < 1 gives ErrBadDimension.
func NewDynamicLstsq(ctx *Context, n int, opts ...Option) (*DynamicLstsq, error) {
	var d *DynamicLstsq
	err := call(ctx, opts, func(p *C.quarry_context, o *C.quarry_options) error {
		var out *C.quarry_dynamic_lstsq
		if err := check(p, C.quarry_dynamic_lstsq_create(p, C.int64_t(n), o, &out)); err != nil {
			return err
		}
		d = &DynamicLstsq{ptr: out, n: n}
		runtime.SetFinalizer(d, (*DynamicLstsq).Close)
		return nil
	})
	return d, err
}

// Close releases the handle. It is safe to call more than once, and on nil, but not while
// another goroutine still uses the handle (see DynamicLstsq).
func (d *DynamicLstsq) Close() error {
	if d == nil || d.ptr == nil {
		return nil
	}
	C.quarry_dynamic_lstsq_destroy(d.ptr)
	d.ptr = nil
	runtime.SetFinalizer(d, nil)
	return nil
}

// do runs f with the handle and keeps d alive until f returns.
func (d *DynamicLstsq) do(f func(*C.quarry_dynamic_lstsq) error) error {
	if d == nil || d.ptr == nil {
		return ErrClosed
	}
	err := f(d.ptr)
	runtime.KeepAlive(d)
	return err
}

// Insert adds the rows of a dense A (any number of rows, n columns, either layout, any
// stride; not copied) and their labels b (one per row) (quarry_dynamic_lstsq_insert_f64).
// A NaN or infinity in A or b gives ErrNonfinite and inserts nothing. ErrOutOfMemory may
// leave a prefix of the batch in (whole blocks of 256 rows: Solve's report counts them).
func (d *DynamicLstsq) Insert(ctx *Context, a Dense, b []float64) error {
	return d.do(func(h *C.quarry_dynamic_lstsq) error {
		layout, lda, err := a.check("a")
		if err != nil {
			return err
		}
		if a.Cols != d.n {
			return dimError("a has %d columns, but the handle has n = %d", a.Cols, d.n)
		}
		if err := checkLen("b", b, a.Rows); err != nil {
			return err
		}
		return use(ctx, func(p *C.quarry_context) error {
			return check(p, C.quarry_dynamic_lstsq_insert_f64(p, h, layout, C.int64_t(a.Rows),
				f64(a.Data), lda, f64(b)))
		})
	})
}

// Solve is the current solution x (n values; n^2 flops, more while R_A is singular, e.g.
// before n independent rows, when x is the minimum-norm solution)
// (quarry_dynamic_lstsq_solve_f64). The report holds ReportMethod (MethodDirect or
// MethodSketchSolve), ReportQueries (rows inserted), ReportSketchRows (rows held in R:
// all of them, or those kept), ReportRank (of R_A), ReportObjective (||A x - b||^2 +
// lambda ||x||^2 over the rows held, reweighted when sampled: the sample's estimate),
// ReportResidualNorm (its square root) and ReportSeconds.
func (d *DynamicLstsq) Solve(ctx *Context) ([]float64, Report, error) {
	var x []float64
	var rep Report
	err := d.do(func(h *C.quarry_dynamic_lstsq) error {
		x = make([]float64, d.n)
		return use(ctx, func(p *C.quarry_context) error {
			var r *C.quarry_report
			st := C.quarry_dynamic_lstsq_solve_f64(p, h, f64(x), &r)
			rep = takeReport(r)
			return check(p, st)
		})
	})
	if err != nil {
		return nil, rep, err
	}
	return x, rep, nil
}

// Residual is sqrt(||A x - b||^2 + lambda ||x||^2) over the rows held, for any x (n
// values) (quarry_dynamic_lstsq_residual_f64): in the exact mode the true residual of x
// on every row inserted, in the sampled mode the sample's estimate of it. A NaN or
// infinity in x gives ErrNonfinite (and NaN).
func (d *DynamicLstsq) Residual(ctx *Context, x []float64) (float64, error) {
	var norm C.double
	err := d.do(func(h *C.quarry_dynamic_lstsq) error {
		if err := checkLen("x", x, d.n); err != nil {
			return err
		}
		return use(ctx, func(p *C.quarry_context) error {
			return check(p, C.quarry_dynamic_lstsq_residual_f64(p, h, f64(x), &norm))
		})
	})
	if err != nil {
		return math.NaN(), err
	}
	return float64(norm), nil
}
