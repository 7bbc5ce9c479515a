package quarry

// #include <quarry.h>
import "C"

import (
	"fmt"
	"math"
	"runtime"
)

// Sketch is an immutable sketching operator S, a random rows x cols matrix that
// compresses the cols rows of a tall matrix A into rows rows, S A, scaled so that
// E[S^T S] = I (quarry_sketch in quarry/sketch.h). It is a pure function of (kind, rows,
// cols, non-zeros per column, state): the same arguments give bitwise the same operator
// and products for any thread count. It may be shared by goroutines. Close it once
// every user is done with it: a Close racing a call (Apply, Columns, ...) on another
// goroutine frees the operator under that call, a use-after-free that no check catches.
type Sketch struct {
	ptr *C.quarry_sketch
}

// NewSketch creates a rows x cols operator of the given kind from state
// (quarry_sketch_create). rows is at most cols for SketchUniformRows, at most the
// power of two >= cols for SketchSRHT, below 2^31 for the sparse kinds. Options:
// WithSketchNNZ (SketchSparseSign: 1 to rows, default min(8, rows); SketchCountSketch
// accepts 1); WithSeed is ignored, the state is the argument. An unknown kind or a bad
// state gives ErrInvalidArgument, sizes below 1 ErrBadDimension.
func NewSketch(ctx *Context, kind SketchKind, rows, cols int, state RngState, opts ...Option) (*Sketch, error) {
	if kind < math.MinInt32 || kind > math.MaxInt32 {
		return nil, newError(ErrInvalidArgument, fmt.Sprintf("sketch kind %d is unknown", int64(kind)))
	}
	if rows < 1 || cols < 1 {
		return nil, dimError("a sketch needs rows >= 1 and cols >= 1, got %d x %d", rows, cols)
	}
	cs := state.c()
	var sk *Sketch
	err := call(ctx, opts, func(p *C.quarry_context, o *C.quarry_options) error {
		var out *C.quarry_sketch
		if err := check(p, C.quarry_sketch_create(p, C.int32_t(kind), C.int64_t(rows),
			C.int64_t(cols), o, &cs, &out)); err != nil {
			return err
		}
		sk = &Sketch{ptr: out}
		runtime.SetFinalizer(sk, (*Sketch).Close)
		return nil
	})
	return sk, err
}

// Close releases the operator. It is safe to call more than once, and on nil, but not
// while another goroutine still uses the operator (see Sketch).
func (s *Sketch) Close() error {
	if s == nil || s.ptr == nil {
		return nil
	}
	C.quarry_sketch_destroy(s.ptr)
	s.ptr = nil
	runtime.SetFinalizer(s, nil)
	return nil
}

// do runs f with the operator's handle and keeps the operator alive until f returns.
func (s *Sketch) do(f func(*C.quarry_sketch) error) error {
	if s == nil || s.ptr == nil {
		return ErrClosed
	}
	err := f(s.ptr)
	runtime.KeepAlive(s)
	return err
}

// Info is the operator's kind, size (rows x cols) and non-zeros per column (k for the
// sparse kinds, rows for Gaussian and SRHT, 1 for uniform rows); zeros once closed.
func (s *Sketch) Info() (kind SketchKind, rows, cols, nnz int) {
	var ck C.int32_t
	var cr, cc, cn C.int64_t
	_ = s.do(func(p *C.quarry_sketch) error {
		C.quarry_sketch_info(p, &ck, &cr, &cc, &cn)
		return nil
	})
	return SketchKind(ck), int(cr), int(cc), int(cn)
}

// Apply is B = S A for a dense A (m x n, m = the operator's cols): B is rows x n, packed,
// in A's layout (quarry_sketch_apply_f64). A may have any stride and is not copied. A
// NaN or infinity of A that reaches B, or an overflow, gives ErrNonfinite.
func (s *Sketch) Apply(ctx *Context, a Dense) (Dense, error) {
	_, rows, cols, _ := s.Info()
	return s.applyDense(ctx, a, a.Rows, cols, NewDense(rows, a.Cols, a.ColMajor), "rows",
		func(p *C.quarry_context, sk *C.quarry_sketch, layout C.int32_t, lda C.int64_t, b Dense) C.quarry_status {
			return C.quarry_sketch_apply_f64(p, sk, layout, C.int64_t(a.Rows), C.int64_t(a.Cols),
				f64(a.Data), lda, f64(b.Data), C.int64_t(b.ld()))
		})
}

// ApplyRight is B = A S^T for a dense wide A (n x m, m = the operator's cols, e.g. n
// samples of m features): B is n x rows, packed, in A's layout
// (quarry_sketch_apply_right_f64). Bitwise the transpose of Apply on A^T.
func (s *Sketch) ApplyRight(ctx *Context, a Dense) (Dense, error) {
	_, rows, cols, _ := s.Info()
	return s.applyDense(ctx, a, a.Cols, cols, NewDense(a.Rows, rows, a.ColMajor), "columns",
		func(p *C.quarry_context, sk *C.quarry_sketch, layout C.int32_t, lda C.int64_t, b Dense) C.quarry_status {
			return C.quarry_sketch_apply_right_f64(p, sk, layout, C.int64_t(a.Rows),
				C.int64_t(a.Cols), f64(a.Data), lda, f64(b.Data), C.int64_t(b.ld()))
		})
}

// applyDense checks a dense A (its size along the sketched side, got, against the
// operator's cols, want) and runs a C product into b.
func (s *Sketch) applyDense(ctx *Context, a Dense, got, want int, b Dense, side string,
	f func(*C.quarry_context, *C.quarry_sketch, C.int32_t, C.int64_t, Dense) C.quarry_status) (Dense, error) {
	err := s.do(func(sk *C.quarry_sketch) error {
		layout, lda, err := a.check("a")
		if err != nil {
			return err
		}
		if got != want {
			return dimError("a has %d %s, but the sketch has %d cols", got, side, want)
		}
		if _, _, err := b.check("b"); err != nil {
			return err
		}
		return use(ctx, func(p *C.quarry_context) error { return check(p, f(p, sk, layout, lda, b)) })
	})
	if err != nil {
		return Dense{}, err
	}
	return b, nil
}

// ApplyCSR is B = S A for a CSR matrix A (m x n, m = the operator's cols): B is dense
// rows x n, packed, column-major when colMajor (quarry_sketch_apply_csr_f64). For the
// sparse kinds it costs O(k nnz(A)) and never densifies A; for every kind but Gaussian
// it is bitwise Apply on the same values (without duplicates). A malformed structure
// gives ErrInvalidArgument, a NaN or infinity ErrNonfinite.
func (s *Sketch) ApplyCSR(ctx *Context, a CSR, colMajor bool) (Dense, error) {
	_, rows, cols, _ := s.Info()
	return s.applyCSR(ctx, a, a.Rows, cols, NewDense(rows, a.Cols, colMajor), "rows",
		func(p *C.quarry_context, sk *C.quarry_sketch, layout C.int32_t, b Dense) C.quarry_status {
			return C.quarry_sketch_apply_csr_f64(p, sk, C.int64_t(a.Rows), C.int64_t(a.Cols),
				i64(a.RowPtr), i64(a.ColIdx), f64(a.Val), layout, f64(b.Data), C.int64_t(b.ld()))
		})
}

// ApplyRightCSR is B = A S^T for a CSR matrix A (n x m, m = the operator's cols, e.g. n
// samples of m features): B is dense n x rows, packed, column-major when colMajor
// (quarry_sketch_apply_right_csr_f64). Bitwise ApplyRight on the same values when each
// row's column indices are increasing.
func (s *Sketch) ApplyRightCSR(ctx *Context, a CSR, colMajor bool) (Dense, error) {
	_, rows, cols, _ := s.Info()
	return s.applyCSR(ctx, a, a.Cols, cols, NewDense(a.Rows, rows, colMajor), "columns",
		func(p *C.quarry_context, sk *C.quarry_sketch, layout C.int32_t, b Dense) C.quarry_status {
			return C.quarry_sketch_apply_right_csr_f64(p, sk, C.int64_t(a.Rows), C.int64_t(a.Cols),
				i64(a.RowPtr), i64(a.ColIdx), f64(a.Val), layout, f64(b.Data), C.int64_t(b.ld()))
		})
}

// applyCSR is applyDense for a CSR A.
func (s *Sketch) applyCSR(ctx *Context, a CSR, got, want int, b Dense, side string,
	f func(*C.quarry_context, *C.quarry_sketch, C.int32_t, Dense) C.quarry_status) (Dense, error) {
	err := s.do(func(sk *C.quarry_sketch) error {
		if err := a.check(); err != nil {
			return err
		}
		if got != want {
			return dimError("a has %d %s, but the sketch has %d cols", got, side, want)
		}
		layout, _, err := b.check("b")
		if err != nil {
			return err
		}
		return use(ctx, func(p *C.quarry_context) error { return check(p, f(p, sk, layout, b)) })
	})
	if err != nil {
		return Dense{}, err
	}
	return b, nil
}

// Columns is columns j0 .. j0 + w - 1 of S, explicitly: rows x w, packed, column-major
// when colMajor (quarry_sketch_columns_f64). It costs about as much as applying S to w
// columns. A range outside [0, cols) gives ErrBadDimension.
func (s *Sketch) Columns(ctx *Context, j0, w int, colMajor bool) (Dense, error) {
	var out Dense
	err := s.do(func(sk *C.quarry_sketch) error {
		_, rows, cols, _ := s.Info()
		if j0 < 0 || w < 0 || j0 > cols-w {
			return dimError("j0 = %d and w = %d ask for columns outside the sketch's [0, %d)",
				j0, w, cols)
		}
		out = NewDense(rows, w, colMajor)
		layout, ld, err := out.check("out")
		if err != nil {
			return err
		}
		return use(ctx, func(p *C.quarry_context) error {
			return check(p, C.quarry_sketch_columns_f64(p, sk, C.int64_t(j0), C.int64_t(w), layout,
				f64(out.Data), ld))
		})
	})
	if err != nil {
		return Dense{}, err
	}
	return out, nil
}
