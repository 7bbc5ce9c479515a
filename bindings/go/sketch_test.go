package quarry

import (
	"errors"
	"math"
	"math/bits"
	"math/rand"
	"sort"
	"testing"
)

// ---- random streams, against their definitions in quarry/rng.h ----

// philox is Philox4x32-10 of a 128-bit counter (four 32-bit words, low first) under a
// 64-bit key (Random123).
func philox(key uint64, ctr [4]uint32) [4]uint32 {
	k0, k1 := uint32(key), uint32(key>>32)
	for r := 0; r < 10; r++ {
		if r > 0 {
			k0 += 0x9E3779B9
			k1 += 0xBB67AE85
		}
		hi0, lo0 := bits.Mul32(0xD2511F53, ctr[0])
		hi1, lo1 := bits.Mul32(0xCD9E8D57, ctr[2])
		ctr = [4]uint32{hi1 ^ ctr[1] ^ k0, lo1, hi0 ^ ctr[3] ^ k1, lo0}
	}
	return ctr
}

// wordAt is element i of the 32-bit word stream of s: word i mod 4 of block i / 4.
func wordAt(s RngState, i int64) uint32 {
	lo, carry := bits.Add64(s.Counter[0], uint64(i/4), 0)
	hi := s.Counter[1] + carry
	b := philox(s.Key[0], [4]uint32{uint32(lo), uint32(lo >> 32), uint32(hi), uint32(hi >> 32)})
	return b[i%4]
}

// u64At is the 64-bit value of words 2e (low) and 2e + 1 of the stream of s.
func u64At(s RngState, e int64) uint64 {
	return uint64(wordAt(s, 2*e)) | uint64(wordAt(s, 2*e+1))<<32
}

// uniformAt is element i of the uniform stream of s.
func uniformAt(s RngState, i int64) float64 {
	return (float64(u64At(s, i)>>12) + 0.5) * 0x1p-52
}

// normalAt is element i of the normal stream of s (Box-Muller on Go's math library).
func normalAt(s RngState, i int64) float64 {
	j := i / 2
	r := math.Sqrt(-2 * math.Log(uniformAt(s, 2*j)))
	if i%2 == 0 {
		return r * math.Cos(2*math.Pi*uniformAt(s, 2*j+1))
	}
	return r * math.Sin(2*math.Pi*uniformAt(s, 2*j+1))
}

// twoContexts are contexts with 1 and 2 threads.
func twoContexts(t *testing.T) (*Context, *Context) {
	t.Helper()
	one, err := NewContext()
	if err != nil {
		t.Fatal(err)
	}
	two, err := NewContext()
	if err != nil {
		t.Fatal(err)
	}
	if err := one.SetThreads(1); err != nil {
		t.Fatal(err)
	}
	if err := two.SetThreads(2); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { one.Close(); two.Close() })
	return one, two
}

// sameBits fails unless x and y are bitwise equal.
func sameBits(t *testing.T, what string, x, y []float64) {
	t.Helper()
	if len(x) != len(y) {
		t.Fatalf("%s: %d and %d values", what, len(x), len(y))
	}
	for i := range x {
		if math.Float64bits(x[i]) != math.Float64bits(y[i]) {
			t.Fatalf("%s: entry %d differs: %v, %v", what, i, x[i], y[i])
		}
	}
}

func TestStatesFromSeedsAndAdvance(t *testing.T) {
	s := RngStateFromSeed(0xDEADBEEF12345678)
	want := RngState{Generator: RngPhilox4x32_10, Key: [2]uint64{0xDEADBEEF12345678, 0}}
	if s != want {
		t.Fatalf("state %+v, want %+v", s, want)
	}
	// The Random123 known answer of counter 0 and key 0.
	words := make([]uint32, 4)
	if err := FillU32(nil, RngStateFromSeed(0), 0, words); err != nil {
		t.Fatal(err)
	}
	if words[0] != 0x6627e8d5 || words[1] != 0xe169c58d || words[2] != 0xbc57ac4c ||
		words[3] != 0x9b00dbd8 {
		t.Fatalf("words %x", words)
	}
	// Advance carries into the high counter word, modulo 2^128.
	top := s
	top.Counter = [2]uint64{math.MaxUint64, 7}
	if got := top.Advance(3).Counter; got != [2]uint64{2, 8} {
		t.Fatalf("advanced counter %v", got)
	}
	top.Counter = [2]uint64{math.MaxUint64, math.MaxUint64}
	if got := top.Advance(1).Counter; got != [2]uint64{0, 0} {
		t.Fatalf("wrapped counter %v", got)
	}
	// Advance(k) is offset 4k of the word stream; the state given is never modified.
	long := make([]uint32, 4*40)
	if err := FillU32(nil, s, 0, long); err != nil {
		t.Fatal(err)
	}
	for _, k := range []uint64{0, 1, 5, 33} {
		part := make([]uint32, 4*7)
		if err := FillU32(nil, s.Advance(k), 0, part); err != nil {
			t.Fatal(err)
		}
		for i, w := range part {
			if w != long[4*int(k)+i] {
				t.Fatalf("Advance(%d): word %d is %x, want %x", k, i, w, long[4*int(k)+i])
			}
		}
	}
	if s != want {
		t.Fatal("a call modified the state")
	}
	// An invalid state is refused by the library, and stays invalid when advanced.
	bad := s
	bad.Reserved = 1
	wantStatus(t, FillU32(nil, bad, 0, words), ErrInvalidArgument, "")
	if adv := bad.Advance(2); adv.Reserved != 1 || adv.Counter != [2]uint64{2, 0} {
		t.Fatalf("advanced invalid state %+v", adv)
	}
	bad = s
	bad.Key[1] = 1
	wantStatus(t, FillUniform(nil, bad, 0, make([]float64, 3)), ErrInvalidArgument, "")
}

func TestStreamsFollowTheirDefinitions(t *testing.T) {
	s := RngStateFromSeed(42).Advance(1000)
	const n = 257
	for _, offset := range []int64{0, 3, 1 << 40} {
		words, uniform, normal := make([]uint32, n), make([]float64, n), make([]float64, n)
		if err := FillU32(nil, s, offset, words); err != nil {
			t.Fatal(err)
		}
		if err := FillUniform(nil, s, offset, uniform); err != nil {
			t.Fatal(err)
		}
		if err := FillNormal(nil, s, offset, normal); err != nil {
			t.Fatal(err)
		}
		for i := int64(0); i < n; i++ {
			if w := wordAt(s, offset+i); words[i] != w {
				t.Fatalf("offset %d: word %d is %x, want %x", offset, i, words[i], w)
			}
			if u := uniformAt(s, offset+i); uniform[i] != u || u <= 0 || u >= 1 {
				t.Fatalf("offset %d: uniform %d is %v, want %v", offset, i, uniform[i], u)
			}
			if z := normalAt(s, offset+i); math.Abs(normal[i]-z) > 1e-13 {
				t.Fatalf("offset %d: normal %d is %v, want %v", offset, i, normal[i], z)
			}
		}
	}
	// Any part of a stream is generated on its own: a slice of a long fill.
	long := make([]float64, 1000)
	part := make([]float64, 101)
	if err := FillNormal(nil, s, 0, long); err != nil {
		t.Fatal(err)
	}
	if err := FillNormal(nil, s, 333, part); err != nil {
		t.Fatal(err)
	}
	sameBits(t, "part of the normal stream", part, long[333:434])
	if err := FillU32(nil, s, 0, nil); err != nil {
		t.Errorf("an empty fill: %v", err)
	}
}

func TestStreamsDoNotDependOnTheThreadCount(t *testing.T) {
	one, two := twoContexts(t)
	s := RngStateFromSeed(9)
	const n = 300001 // several grains of the library's parallel fill
	for name, fillFn := range map[string]func(*Context, RngState, int64, []float64) error{
		"uniform": FillUniform, "normal": FillNormal,
	} {
		x1, x2 := make([]float64, n), make([]float64, n)
		if err := fillFn(one, s, 5, x1); err != nil {
			t.Fatal(err)
		}
		if err := fillFn(two, s, 5, x2); err != nil {
			t.Fatal(err)
		}
		sameBits(t, name, x1, x2)
	}
	w1, w2 := make([]uint32, n), make([]uint32, n)
	if err := FillU32(one, s, 1, w1); err != nil {
		t.Fatal(err)
	}
	if err := FillU32(two, s, 1, w2); err != nil {
		t.Fatal(err)
	}
	for i := range w1 {
		if w1[i] != w2[i] {
			t.Fatalf("word %d differs between 1 and 2 threads", i)
		}
	}
}

// ---- sketches ----

var sketchKinds = map[SketchKind]string{SketchGaussian: "Gaussian", SketchSRHT: "SRHT",
	SketchCountSketch: "CountSketch", SketchSparseSign: "sparse sign",
	SketchUniformRows: "uniform rows"}

// matMul is A B for dense matrices in any layouts, row-major.
func matMul(a, b Dense) Dense {
	c := NewDense(a.Rows, b.Cols, false)
	for i := 0; i < a.Rows; i++ {
		for j := 0; j < b.Cols; j++ {
			var s float64
			for k := 0; k < a.Cols; k++ {
				s += a.At(i, k) * b.At(k, j)
			}
			c.Data[i*b.Cols+j] = s
		}
	}
	return c
}

// transpose is a packed copy of A^T in the layout asked.
func transpose(a Dense, colMajor bool) Dense {
	t := NewDense(a.Cols, a.Rows, colMajor)
	for i := 0; i < a.Rows; i++ {
		for j := 0; j < a.Cols; j++ {
			t.Data[t.index(j, i)] = a.At(i, j)
		}
	}
	return t
}

// maxDiff is the largest |A(i, j) - B(i, j)| over matrices of the same size (Inf when
// the sizes differ).
func maxDiff(a, b Dense) float64 {
	if a.Rows != b.Rows || a.Cols != b.Cols {
		return math.Inf(1)
	}
	d := 0.0
	for i := 0; i < a.Rows; i++ {
		for j := 0; j < a.Cols; j++ {
			d = math.Max(d, math.Abs(a.At(i, j)-b.At(i, j)))
		}
	}
	return d
}

// sameMatrix fails unless A and B are bitwise equal element by element.
func sameMatrix(t *testing.T, what string, a, b Dense) {
	t.Helper()
	if a.Rows != b.Rows || a.Cols != b.Cols {
		t.Fatalf("%s: %d x %d and %d x %d", what, a.Rows, a.Cols, b.Rows, b.Cols)
	}
	for i := 0; i < a.Rows; i++ {
		for j := 0; j < a.Cols; j++ {
			if math.Float64bits(a.At(i, j)) != math.Float64bits(b.At(i, j)) {
				t.Fatalf("%s: (%d, %d) differs: %v, %v", what, i, j, a.At(i, j), b.At(i, j))
			}
		}
	}
}

func newSketch(t *testing.T, kind SketchKind, rows, cols int, seed uint64, opts ...Option) *Sketch {
	t.Helper()
	s, err := NewSketch(nil, kind, rows, cols, RngStateFromSeed(seed), opts...)
	if err != nil {
		t.Fatalf("%s: %v", sketchKinds[kind], err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestEverySketchAppliesItsExplicitMatrix(t *testing.T) {
	const m, n, rows = 300, 7, 40
	a, _ := problem(m, n, 21, 1)
	for kind, name := range sketchKinds {
		s := newSketch(t, kind, rows, m, 5)
		k, r, c, nnz := s.Info()
		if k != kind || r != rows || c != m || nnz < 1 {
			t.Fatalf("%s: info %v %d %d %d", name, k, r, c, nnz)
		}
		full, err := s.Columns(nil, 0, m, false)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want := matMul(full, a)
		for _, colMajor := range []bool{false, true} {
			b, err := s.Apply(nil, a.inLayout(colMajor))
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if b.ColMajor != colMajor || b.Rows != rows || b.Cols != n {
				t.Fatalf("%s: S A is %d x %d, column-major %v", name, b.Rows, b.Cols, b.ColMajor)
			}
			if d := maxDiff(b, want); d > 1e-12 {
				t.Errorf("%s (column-major %v): S A is %.1e from Columns(0, m) A", name, colMajor, d)
			}
		}
		// A block of columns of the explicit matrix, in the other layout.
		block, err := s.Columns(nil, 13, 9, true)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < rows; i++ {
			for j := 0; j < 9; j++ {
				if block.At(i, j) != full.At(i, 13+j) {
					t.Fatalf("%s: Columns(13, 9) differs at (%d, %d)", name, i, j)
				}
			}
		}
	}
}

func TestLayoutsStridesAndTheRightProductAgree(t *testing.T) {
	const m, n, rows = 200, 6, 24
	a, _ := problem(m, n, 22, 1)
	for kind, name := range sketchKinds {
		s := newSketch(t, kind, rows, m, 6)
		row, err := s.Apply(nil, strided(a, false, 3))
		if err != nil {
			t.Fatal(err)
		}
		col, err := s.Apply(nil, strided(a, true, 2))
		if err != nil {
			t.Fatal(err)
		}
		if kind == SketchGaussian { // GEMM: the layouts differ in the last bits
			if d := maxDiff(row, col); d > 1e-12 {
				t.Errorf("%s: layouts differ by %.1e", name, d)
			}
		} else {
			sameMatrix(t, name+": row- and column-major", row, col)
		}
		// A S^T on A^T (n x m) is (S A)^T, bitwise, on the same memory: A^T row-major
		// is A column-major.
		for _, colMajor := range []bool{false, true} {
			right, err := s.ApplyRight(nil, transpose(a, colMajor))
			if err != nil {
				t.Fatal(err)
			}
			if right.Rows != n || right.Cols != rows || right.ColMajor != colMajor {
				t.Fatalf("%s: A S^T is %d x %d", name, right.Rows, right.Cols)
			}
			left := col
			if colMajor {
				left = row
			}
			sameMatrix(t, name+": A S^T and (S A)^T", transpose(right, false), left)
		}
	}
}

func TestCSRInputGivesTheDenseProductBitwise(t *testing.T) {
	const m, n, rows = 400, 9, 30
	a, dense, dup := sparse(m, n, 0.05, 23)
	at, denseT, _ := sparse(n, m, 0.05, 24) // n samples of m features
	for kind, name := range sketchKinds {
		s := newSketch(t, kind, rows, m, 7)
		want, err := s.Apply(nil, dense)
		if err != nil {
			t.Fatal(err)
		}
		wantRight, err := s.ApplyRight(nil, denseT)
		if err != nil {
			t.Fatal(err)
		}
		for _, colMajor := range []bool{false, true} {
			got, err := s.ApplyCSR(nil, a, colMajor)
			if err != nil {
				t.Fatal(err)
			}
			right, err := s.ApplyRightCSR(nil, at, colMajor)
			if err != nil {
				t.Fatal(err)
			}
			if got.ColMajor != colMajor || right.Rows != n || right.Cols != rows {
				t.Fatalf("%s: shapes %d x %d, %d x %d", name, got.Rows, got.Cols, right.Rows, right.Cols)
			}
			if kind == SketchGaussian {
				if d1, d2 := maxDiff(got, want), maxDiff(right, wantRight); d1 > 1e-12 || d2 > 1e-12 {
					t.Errorf("%s: CSR differs by %.1e and %.1e", name, d1, d2)
				}
			} else {
				sameMatrix(t, name+": CSR S A", got, want)
				sameMatrix(t, name+": CSR A S^T", right, wantRight)
			}
			// Cancelling duplicates add up.
			withDup, err := s.ApplyCSR(nil, dup, colMajor)
			if err != nil {
				t.Fatal(err)
			}
			if d := maxDiff(withDup, want); d > 1e-12 {
				t.Errorf("%s: duplicates differ by %.1e", name, d)
			}
		}
	}
}

func TestSparseSketchesFollowTheirDefinitions(t *testing.T) {
	const cols = 150
	state := RngStateFromSeed(77)
	for _, tc := range []struct {
		kind       SketchKind
		rows, nnz  int
		opts       []Option
		wantValues float64
	}{
		{SketchSparseSign, 20, 8, nil, 1 / math.Sqrt(8)},
		{SketchSparseSign, 20, 3, []Option{WithSketchNNZ(3)}, 1 / math.Sqrt(3)},
		{SketchCountSketch, 20, 1, nil, 1},
	} {
		s, err := NewSketch(nil, tc.kind, tc.rows, cols, state, tc.opts...)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if _, _, _, nnz := s.Info(); nnz != tc.nnz {
			t.Fatalf("%s: %d non-zeros per column, want %d", sketchKinds[tc.kind], nnz, tc.nnz)
		}
		want := NewDense(tc.rows, cols, false)
		k := int64(tc.nnz)
		for j := int64(0); j < cols; j++ {
			for l := int64(0); l < k; l++ {
				x := u64At(state, j*k+l)
				start := l * int64(tc.rows) / k
				size := (l+1)*int64(tc.rows)/k - start
				hi, lo := bits.Mul64(x&(1<<63-1), uint64(size))
				row := start + int64(hi<<1|lo>>63)
				v := tc.wantValues
				if x>>63 == 1 {
					v = -v
				}
				want.Data[row*cols+j] = v
			}
		}
		got, err := s.Columns(nil, 0, cols, false)
		if err != nil {
			t.Fatal(err)
		}
		if d := maxDiff(got, want); d > 1e-15 {
			t.Errorf("%s with k = %d: %.1e from the definition", sketchKinds[tc.kind], tc.nnz, d)
		}
	}
	// Gaussian: S(i, j) = normal element j rows + i of the stream, over sqrt(rows).
	const rows = 12
	g, err := NewSketch(nil, SketchGaussian, rows, cols, state)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	z := make([]float64, rows*cols)
	if err := FillNormal(nil, state, 0, z); err != nil {
		t.Fatal(err)
	}
	full, err := g.Columns(nil, 0, cols, true)
	if err != nil {
		t.Fatal(err)
	}
	for i := range z {
		if d := math.Abs(full.Data[i]*math.Sqrt(rows) - z[i]); d > 1e-14 {
			t.Fatalf("Gaussian entry %d: %v, want %v / sqrt(%d)", i, full.Data[i], z[i], rows)
		}
	}
	// Uniform rows: sqrt(cols / rows) at the first rows entries of a Fisher-Yates
	// shuffle, sorted.
	u, err := NewSketch(nil, SketchUniformRows, rows, cols, state)
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	perm := make([]int, cols)
	for i := range perm {
		perm[i] = i
	}
	for i := 0; i < rows; i++ {
		x := uint64(wordAt(state, 4*int64(i))) | uint64(wordAt(state, 4*int64(i)+1))<<32
		hi, _ := bits.Mul64(x, uint64(cols-i))
		j := i + int(hi)
		perm[i], perm[j] = perm[j], perm[i]
	}
	picked := append([]int(nil), perm[:rows]...)
	sort.Ints(picked)
	want := NewDense(rows, cols, false)
	for r, j := range picked {
		want.Data[r*cols+j] = math.Sqrt(float64(cols) / float64(rows))
	}
	got, err := u.Columns(nil, 0, cols, false)
	if err != nil {
		t.Fatal(err)
	}
	if d := maxDiff(got, want); d > 1e-15 {
		t.Errorf("uniform rows: %.1e from the definition", d)
	}
}

func TestSketchesDoNotDependOnTheThreadCount(t *testing.T) {
	one, two := twoContexts(t)
	const m, n, rows = 20000, 12, 100
	a, _ := problem(m, n, 25, 1)
	for kind, name := range sketchKinds {
		s := newSketch(t, kind, rows, m, 8)
		b1, err1 := s.Apply(one, a)
		b2, err2 := s.Apply(two, a)
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		sameMatrix(t, name+": 1 and 2 threads", b1, b2)
		// The operator drawn with 2 threads is the one drawn with 1.
		s2, err := NewSketch(two, kind, rows, m, RngStateFromSeed(8))
		if err != nil {
			t.Fatal(err)
		}
		b3, err := s2.Apply(one, a)
		s2.Close()
		if err != nil {
			t.Fatal(err)
		}
		sameMatrix(t, name+": drawn with 2 threads", b1, b3)
	}
}

func TestSketchErrorsAndClose(t *testing.T) {
	a, _ := problem(50, 3, 26, 1)
	s := newSketch(t, SketchSparseSign, 10, 50, 1)
	// Refused in Go, with the binding's messages.
	_, err := s.Apply(nil, Dense{Rows: 49, Cols: 3, Data: a.Data})
	wantStatus(t, err, ErrBadDimension, "but the sketch has 50 cols")
	_, err = s.ApplyRight(nil, a)
	wantStatus(t, err, ErrBadDimension, "a has 3 columns")
	short := a
	short.Data = a.Data[:10]
	_, err = s.Apply(nil, short)
	wantStatus(t, err, ErrBadDimension, "a.Data has 10 entries")
	csr, _, _ := sparse(40, 3, 0.1, 27)
	_, err = s.ApplyCSR(nil, csr, false)
	wantStatus(t, err, ErrBadDimension, "a has 40 rows")
	csr.Val = csr.Val[1:]
	_, err = s.ApplyCSR(nil, csr, false)
	wantStatus(t, err, ErrBadDimension, "a.ColIdx has")
	for _, r := range [][2]int{{-1, 2}, {0, 51}, {49, 2}, {3, -1}} {
		_, err = s.Columns(nil, r[0], r[1], false)
		wantStatus(t, err, ErrBadDimension, "outside the sketch's [0, 50)")
	}
	_, err = NewSketch(nil, SketchGaussian, 0, 5, RngState{})
	wantStatus(t, err, ErrBadDimension, "rows >= 1")
	_, err = NewSketch(nil, SketchKind(1<<32+1), 2, 5, RngStateFromSeed(0))
	wantStatus(t, err, ErrInvalidArgument, "unknown")
	// Refused by the library.
	_, err = NewSketch(nil, SketchKind(99), 2, 5, RngStateFromSeed(0))
	wantStatus(t, err, ErrInvalidArgument, "")
	_, err = NewSketch(nil, SketchUniformRows, 6, 5, RngStateFromSeed(0))
	wantStatus(t, err, ErrBadDimension, "")
	_, err = NewSketch(nil, SketchSparseSign, 4, 5, RngState{}) // not a valid state
	wantStatus(t, err, ErrInvalidArgument, "")
	_, err = NewSketch(nil, SketchSparseSign, 4, 5, RngStateFromSeed(0), WithSketchNNZ(5))
	wantStatus(t, err, ErrInvalidArgument, "")
	nan := a.inLayout(false)
	nan.Data = append([]float64(nil), a.Data...)
	nan.Data[4*3+1] = math.Inf(1)
	_, err = s.Apply(nil, nan)
	wantStatus(t, err, ErrNonfinite, "A[4, 1]")
	// Closing.
	if s.Close() != nil || s.Close() != nil {
		t.Fatal("Close twice failed")
	}
	if _, err := s.Apply(nil, a); !errors.Is(err, ErrClosed) {
		t.Fatalf("closed sketch: %v", err)
	}
	if _, err := s.Columns(nil, 0, 1, false); !errors.Is(err, ErrClosed) {
		t.Fatalf("closed sketch: %v", err)
	}
	if k, r, c, nnz := s.Info(); k != 0 || r != 0 || c != 0 || nnz != 0 {
		t.Fatal("a closed sketch has an info")
	}
	var none *Sketch
	if none.Close() != nil {
		t.Fatal("Close on nil failed")
	}
}

// ---- leverage scores and row norms ----

// leverageRef is a_i^T (A^T A + lambda I)^-1 a_i for every row i, in Go.
func leverageRef(a Dense, lambda float64) []float64 {
	n := a.Cols
	g := make([]float64, n*n)
	for i := 0; i < a.Rows; i++ {
		for j := 0; j < n; j++ {
			for k := 0; k < n; k++ {
				g[j*n+k] += a.At(i, j) * a.At(i, k)
			}
		}
	}
	for j := 0; j < n; j++ {
		g[j*n+j] += lambda
	}
	scores := make([]float64, a.Rows)
	row := make([]float64, n)
	for i := range scores {
		for j := range row {
			row[j] = a.At(i, j)
		}
		for j, v := range cholSolve(g, row) {
			scores[i] += row[j] * v
		}
	}
	return scores
}

func sum(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s
}

func TestLeverageScoresExactApproximateAndRidge(t *testing.T) {
	a, _ := problem(600, 10, 31, 1)
	exact, err := LeverageScores(nil, a)
	if err != nil {
		t.Fatal(err)
	}
	if d := relDiff(exact, leverageRef(a, 0)); d > 1e-10 {
		t.Errorf("exact scores are %.1e from the definition", d)
	}
	if s := sum(exact); math.Abs(s-10) > 1e-10 {
		t.Errorf("exact scores sum to %v, want 10", s)
	}
	col, err := LeverageScores(nil, strided(a, true, 3))
	if err != nil || relDiff(col, exact) > 1e-12 {
		t.Errorf("column-major: %v", err)
	}
	// Ridge scores: the definition, and below the exact ones.
	ridge, err := LeverageScores(nil, a, WithRidge(5))
	if err != nil {
		t.Fatal(err)
	}
	if d := relDiff(ridge, leverageRef(a, 5)); d > 1e-10 {
		t.Errorf("ridge scores are %.1e from the definition", d)
	}
	for i := range ridge {
		if ridge[i] > exact[i]+1e-14 {
			t.Fatalf("row %d: ridge score %v above the exact %v", i, ridge[i], exact[i])
		}
	}

	// [I_n; 1e-3 noise]: the first n rows carry the subspace.
	const n, m = 8, 2000
	coherent := NewDense(m, n, false)
	noise := gaussian((m-n)*n, 32)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			if i < n {
				if i == j {
					coherent.Data[i*n+j] = 1
				}
			} else {
				coherent.Data[i*n+j] = 1e-3 * noise[(i-n)*n+j]
			}
		}
	}
	for _, opts := range [][]Option{nil, {WithLeverageApprox(), WithSeed(3)}} {
		scores, err := LeverageScores(nil, coherent, opts...)
		if err != nil {
			t.Fatal(err)
		}
		tol := 0.01 // exact: 1 minus the noise's share
		if opts != nil {
			tol = 0.5 // approximate: within a factor 2
		}
		for i := 0; i < n; i++ {
			if math.Abs(scores[i]-1) > tol {
				t.Errorf("options %d: row %d of the identity has score %v", len(opts), i, scores[i])
			}
		}
		if s := sum(scores); math.Abs(s-n) > 1e-6*n {
			t.Errorf("options %d: scores sum to %v", len(opts), s)
		}
	}

	// Approximate scores: within a factor 2 of the exact ones on >= 99% of the rows, the
	// same for 1 and 2 threads, and the exact ones with as many sketch rows as rows.
	big, _ := problem(5000, 15, 33, 2)
	for i := 0; i < 5000; i += 50 { // heavy rows make the scores uneven
		for j := 0; j < 15; j++ {
			big.Data[i*15+j] *= 30
		}
	}
	exactBig, err := LeverageScores(nil, big)
	if err != nil {
		t.Fatal(err)
	}
	one, two := twoContexts(t)
	approx, err := LeverageScores(one, big, WithLeverageApprox(), WithSeed(4))
	if err != nil {
		t.Fatal(err)
	}
	approx2, err := LeverageScores(two, big, WithLeverageApprox(), WithSeed(4))
	if err != nil {
		t.Fatal(err)
	}
	sameBits(t, "approximate scores with 1 and 2 threads", approx, approx2)
	good := 0
	for i := range approx {
		if r := approx[i] / exactBig[i]; r >= 0.5 && r <= 2 {
			good++
		}
	}
	if good < 99*len(approx)/100 {
		t.Errorf("approximate scores within a factor 2 on %d of %d rows", good, len(approx))
	}
	for _, kind := range []SketchKind{SketchGaussian, SketchSRHT, SketchCountSketch} {
		if _, err := LeverageScores(nil, big, WithLeverageApprox(), WithSketchKind(kind),
			WithSketchRows(600)); err != nil {
			t.Errorf("%s: %v", sketchKinds[kind], err)
		}
	}
	full, err := LeverageScores(nil, a, WithLeverageApprox(), WithSketchRows(600))
	if err != nil || relDiff(full, exact) > 1e-10 {
		t.Errorf("approximate with s = m: %v", err)
	}
	_, err = LeverageScores(nil, Dense{Rows: 5, Cols: 2, Data: make([]float64, 9)})
	wantStatus(t, err, ErrBadDimension, "a.Data has 9 entries")
	nan := NewDense(5, 2, false)
	nan.Data[3] = math.NaN()
	_, err = LeverageScores(nil, nan)
	wantStatus(t, err, ErrNonfinite, "A[1, 1]")
	_, err = LeverageScores(nil, a, WithRidge(-1))
	wantStatus(t, err, ErrInvalidArgument, "")
}

// unevenProblem is problem's A with every tenth row scaled by 30: uneven leverage scores
// and Lewis weights.
func unevenProblem(m, n int, seed int64) Dense {
	a, _ := problem(m, n, seed, 1)
	for i := 0; i < m; i += 10 {
		for j := 0; j < n; j++ {
			a.Data[i*n+j] *= 30
		}
	}
	return a
}

func TestLewisWeightsMeetTheirDefinition(t *testing.T) {
	const m, n = 2000, 6
	a := unevenProblem(m, n, 34)
	for _, p := range []float64{0.5, 1, 1.5, 3, 4} {
		w, rep, err := LewisWeights(nil, a, p)
		if err != nil {
			t.Fatalf("p %g: %v", p, err)
		}
		if s := sum(w); len(w) != m || math.Abs(s-n) > 1e-8 {
			t.Errorf("p %g: %d weights summing to %v, want %d summing to %d", p, len(w), s, m, n)
		}
		if rep.Ints[ReportRank] != n || rep.Ints[ReportIterations] < 1 ||
			!(rep.Floats[ReportResidualNorm] <= 1e-10) {
			t.Errorf("p %g: report %v", p, rep)
		}
		// The definition, in Go: w holds the leverage scores of W^(1/2 - 1/p) A.
		scaled := NewDense(m, n, false)
		for i := 0; i < m; i++ {
			s := math.Pow(w[i], 0.5-1/p)
			for j := 0; j < n; j++ {
				scaled.Data[i*n+j] = s * a.At(i, j)
			}
		}
		if d := relDiff(w, leverageRef(scaled, 0)); d > 1e-8 {
			t.Errorf("p %g: the weights are %.1e from their definition", p, d)
		}
		col, _, err := LewisWeights(nil, strided(a, true, 3), p)
		if err != nil || relDiff(col, w) > 1e-12 {
			t.Errorf("p %g, column-major with a stride: %v", p, err)
		}
	}
	// p = 2: the leverage scores, in one round.
	two, rep, err := LewisWeights(nil, a, 2)
	if err != nil {
		t.Fatal(err)
	}
	scores, err := LeverageScores(nil, a)
	if err != nil || relDiff(two, scores) > 1e-15 || rep.Ints[ReportIterations] != 1 {
		t.Errorf("p = 2: %.1e from the leverage scores, report %v, %v", relDiff(two, scores), rep, err)
	}
	// Sketched leverage scores: within a factor 2 of the exact weights on nearly every row.
	exact, _, err := LewisWeights(nil, a, 1)
	if err != nil {
		t.Fatal(err)
	}
	approx, _, err := LewisWeights(nil, a, 1, WithLeverageApprox(), WithSeed(3))
	if err != nil {
		t.Fatal(err)
	}
	good := 0
	for i := range approx {
		if r := approx[i] / exact[i]; r >= 0.5 && r <= 2 {
			good++
		}
	}
	if good < 99*m/100 {
		t.Errorf("approximate weights within a factor 2 on %d of %d rows", good, m)
	}
}

func TestLewisWeightsErrors(t *testing.T) {
	a := unevenProblem(500, 4, 35)
	for _, p := range []float64{0, -1, math.NaN(), math.Inf(1)} {
		w, _, err := LewisWeights(nil, a, p)
		wantStatus(t, err, ErrInvalidArgument, "p = ")
		if w != nil {
			t.Errorf("p %g: weights beside %v", p, err)
		}
	}
	_, _, err := LewisWeights(nil, a, 1, WithRidge(1))
	wantStatus(t, err, ErrInvalidArgument, "")
	_, _, err = LewisWeights(nil, a, 1, WithLeverageApprox(), WithSketchRows(0))
	wantStatus(t, err, ErrInvalidArgument, "")
	_, _, err = LewisWeights(nil, Dense{Rows: 5, Cols: 2, Data: make([]float64, 9)}, 1)
	wantStatus(t, err, ErrBadDimension, "a.Data has 9 entries")
	nan := NewDense(5, 2, false)
	nan.Data[3] = math.NaN()
	_, _, err = LewisWeights(nil, nan, 1)
	wantStatus(t, err, ErrNonfinite, "A[1, 1]")
	// The round limit: the last round's weights and the report come with the error.
	w, rep, err := LewisWeights(nil, a, 1, WithMaxIterations(2))
	wantStatus(t, err, ErrNoConvergence, "QUARRY_OPT_MAX_ITERATIONS")
	if len(w) != 500 || rep.Ints[ReportIterations] != 2 || !(rep.Floats[ReportResidualNorm] > 1e-10) {
		t.Errorf("%d weights, report %v", len(w), rep)
	}
}

func TestRowNormsSquared(t *testing.T) {
	a, _ := problem(300, 9, 34, 2)
	want := make([]float64, a.Rows)
	for i := range want {
		for j := 0; j < a.Cols; j++ {
			want[i] += a.At(i, j) * a.At(i, j)
		}
	}
	row, err := RowNormsSquared(nil, a)
	if err != nil {
		t.Fatal(err)
	}
	if d := relDiff(row, want); d > 1e-14 {
		t.Errorf("row norms are %.1e from the definition", d)
	}
	col, err := RowNormsSquared(nil, strided(a, true, 4))
	if err != nil {
		t.Fatal(err)
	}
	sameBits(t, "row norms in the two layouts", row, col)
	_, err = RowNormsSquared(nil, Dense{Rows: 3, Cols: 3, Data: make([]float64, 8)})
	wantStatus(t, err, ErrBadDimension, "a.Data has 8 entries")
	nan := NewDense(3, 3, true)
	nan.Data[5] = math.Inf(-1)
	_, err = RowNormsSquared(nil, nan)
	wantStatus(t, err, ErrNonfinite, "A[2, 1]")
}

// ---- sampling ----

func TestSampleWeightedWithAndWithoutReplacement(t *testing.T) {
	rng := rand.New(rand.NewSource(35))
	weights := make([]float64, 50)
	for i := range weights {
		weights[i] = 1 + rng.Float64()
	}
	weights[17] = 0 // never drawn
	total := sum(weights)
	state := RngStateFromSeed(36)

	// With replacement: draw t is the first index whose running sum exceeds u_t total.
	const count = 400
	idx, scales, err := SampleWeighted(nil, weights, count, true, state)
	if err != nil {
		t.Fatal(err)
	}
	u := make([]float64, count)
	if err := FillUniform(nil, state, 0, u); err != nil {
		t.Fatal(err)
	}
	want := make([]int, count)
	for t2, ut := range u {
		run := 0.0
		for i, w := range weights {
			run += w
			if run > ut*total {
				want[t2] = i
				break
			}
		}
	}
	sort.Ints(want)
	for k := range idx {
		if idx[k] != want[k] {
			t.Fatalf("draw %d is %d, want %d", k, idx[k], want[k])
		}
		if k > 0 && idx[k] < idx[k-1] {
			t.Fatal("the indices are not increasing")
		}
		p := weights[idx[k]] / total
		if s := 1 / math.Sqrt(count*p); math.Abs(scales[k]-s) > 1e-13*s {
			t.Fatalf("draw %d: scale %v, want 1/sqrt(count p) = %v", k, scales[k], s)
		}
	}
	again, _, _ := SampleWeighted(nil, weights, count, true, state)
	for k := range idx {
		if again[k] != idx[k] {
			t.Fatal("the same state drew other rows")
		}
	}

	// Without replacement: distinct rows, scale 1/sqrt(pi_i), pi_i = count w_i / total
	// (no pi_i reaches 1 here: 20 * 2 / 49 < 1).
	idx, scales, err = SampleWeighted(nil, weights, 20, false, state)
	if err != nil {
		t.Fatal(err)
	}
	if len(idx) != 20 {
		t.Fatalf("%d rows", len(idx))
	}
	for k := range idx {
		if k > 0 && idx[k] <= idx[k-1] {
			t.Fatalf("indices %v are not distinct and increasing", idx)
		}
		if idx[k] == 17 {
			t.Fatal("a zero weight was drawn")
		}
		pi := 20 * weights[idx[k]] / total
		if s := 1 / math.Sqrt(pi); math.Abs(scales[k]-s) > 1e-12*s {
			t.Fatalf("row %d: scale %v, want 1/sqrt(pi) = %v", idx[k], scales[k], s)
		}
	}
	// A dominant weight has pi = 1, so it is always drawn with scale 1.
	heavy := append([]float64(nil), weights...)
	heavy[3] = 1000
	idx, scales, err = SampleWeighted(nil, heavy, 10, false, state)
	if err != nil || idx[0] > 3 {
		t.Fatalf("heavy row: %v, %v", idx, err)
	}
	for k := range idx {
		if idx[k] == 3 && scales[k] != 1 {
			t.Fatalf("the heavy row has scale %v", scales[k])
		}
	}
	if _, _, err := SampleWeighted(nil, weights, 49, false, state); err != nil {
		t.Errorf("every positive weight: %v", err)
	}
	_, _, err = SampleWeighted(nil, weights, 50, false, state) // only 49 are positive
	wantStatus(t, err, ErrBadDimension, "")
	if idx, scales, err := SampleWeighted(nil, weights, 0, true, state); err != nil ||
		len(idx) != 0 || len(scales) != 0 {
		t.Errorf("count 0: %v %v %v", idx, scales, err)
	}
	// Refused in Go, then by the library.
	_, _, err = SampleWeighted(nil, nil, 1, true, state)
	wantStatus(t, err, ErrBadDimension, "at least one weight")
	_, _, err = SampleWeighted(nil, weights, -1, true, state)
	wantStatus(t, err, ErrBadDimension, "count = -1")
	_, _, err = SampleWeighted(nil, []float64{1, math.NaN()}, 1, true, state)
	wantStatus(t, err, ErrInvalidArgument, "")
	_, _, err = SampleWeighted(nil, []float64{0, 0}, 1, true, state)
	wantStatus(t, err, ErrInvalidArgument, "")
	_, _, err = SampleWeighted(nil, weights, 1, true, RngState{})
	wantStatus(t, err, ErrInvalidArgument, "")
}

func TestSampleTree(t *testing.T) {
	tree, err := NewSampleTree(nil, []float64{1, 2, 0, 3, 0.5})
	if err != nil {
		t.Fatal(err)
	}
	defer tree.Close()
	if m, total := tree.Size(); m != 5 || total != 6.5 {
		t.Fatalf("size %d, total %v", m, total)
	}
	if err := tree.Update(nil, []int{0, 3, 1}, []float64{0, 4, 2.5}); err != nil {
		t.Fatal(err)
	}
	weights := []float64{0, 2.5, 0, 4, 0.5}
	for i, w := range weights {
		if got, err := tree.Weight(i); err != nil || got != w {
			t.Fatalf("weight %d is %v (%v), want %v", i, got, err, w)
		}
	}
	if _, total := tree.Size(); total != 7 {
		t.Fatalf("total %v after the update", total)
	}
	const count = 20000
	state := RngStateFromSeed(41)
	idx, probs, err := tree.Sample(nil, count, state)
	if err != nil {
		t.Fatal(err)
	}
	seen := make([]int, len(weights))
	for k, i := range idx {
		if weights[i] == 0 {
			t.Fatalf("draw %d picked index %d of weight 0", k, i)
		}
		if p := weights[i] / 7; math.Abs(probs[k]-p) > 1e-15 {
			t.Fatalf("draw %d: probability %v, want %v", k, probs[k], p)
		}
		seen[i]++
	}
	for i, w := range weights {
		p := w / 7
		if sd := math.Sqrt(count * p * (1 - p)); math.Abs(float64(seen[i])-count*p) > 5*sd+1 {
			t.Errorf("index %d drawn %d times, expected about %v", i, seen[i], count*p)
		}
	}
	again, _, _ := tree.Sample(nil, count, state)
	for k := range idx {
		if again[k] != idx[k] {
			t.Fatal("the same state drew other indices")
		}
	}
	// Errors: in Go (lengths, index of Weight), then in the library.
	wantStatus(t, tree.Update(nil, []int{1, 2}, []float64{1}), ErrBadDimension, "index has 2 entries")
	wantStatus(t, tree.Update(nil, []int{2, 5}, []float64{9, 1}), ErrBadDimension, "")
	if w, _ := tree.Weight(2); w != 9 {
		t.Errorf("the entry before the bad index was not set: %v", w)
	}
	wantStatus(t, tree.Update(nil, []int{-1}, []float64{1}), ErrBadDimension, "")
	wantStatus(t, tree.Update(nil, []int{0}, []float64{math.NaN()}), ErrInvalidArgument, "")
	wantStatus(t, tree.Update(nil, []int{0}, []float64{-1}), ErrInvalidArgument, "")
	_, err = tree.Weight(5)
	wantStatus(t, err, ErrBadDimension, "index 5 is outside [0, 5)")
	_, _, err = tree.Sample(nil, -2, state)
	wantStatus(t, err, ErrBadDimension, "count = -2")
	_, _, err = tree.Sample(nil, 1, RngState{})
	wantStatus(t, err, ErrInvalidArgument, "")
	_, err = NewSampleTree(nil, nil)
	wantStatus(t, err, ErrBadDimension, "at least one weight")
	_, err = NewSampleTree(nil, []float64{1, math.Inf(1)})
	wantStatus(t, err, ErrInvalidArgument, "")
	zeros, err := NewSampleTree(nil, make([]float64, 3))
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = zeros.Sample(nil, 1, state)
	wantStatus(t, err, ErrInvalidArgument, "")
	if zeros.Close() != nil || zeros.Close() != nil {
		t.Fatal("Close twice failed")
	}
	if err := zeros.Update(nil, []int{0}, []float64{1}); !errors.Is(err, ErrClosed) {
		t.Fatalf("closed tree: %v", err)
	}
	if _, err := zeros.Weight(0); !errors.Is(err, ErrClosed) {
		t.Fatalf("closed tree: %v", err)
	}
	if m, total := zeros.Size(); m != 0 || total != 0 {
		t.Fatal("a closed tree has a size")
	}
}

// ---- simulated black boxes ----

func TestNetOracleAnswersAndCounts(t *testing.T) {
	w := randomWeights(6, 9, 2, 51, false)
	net, err := NewReluNet(nil, w)
	if err != nil {
		t.Fatal(err)
	}
	oracle, err := NewNetOracle(nil, net)
	if err != nil {
		t.Fatal(err)
	}
	defer oracle.Close()
	net.Close() // the oracle holds a copy
	if d, c := oracle.Dims(); d != 6 || c != 2 || oracle.Queries() != 0 {
		t.Fatalf("dims %d %d, queries %d", d, c, oracle.Queries())
	}
	x := gaussian(37*6, 52)
	want := evalWeights(w, x)
	y, err := oracle.Eval(x, 37)
	if err != nil {
		t.Fatal(err)
	}
	if d := relDiff(y, want); d > 1e-14 {
		t.Errorf("exact oracle: %.1e from the network", d)
	}
	if _, err := oracle.Eval(x[:5*6], 5); err != nil || oracle.Queries() != 42 {
		t.Fatalf("queries %d: %v", oracle.Queries(), err)
	}
	// Refused in Go: nothing reaches the oracle, nothing is counted.
	_, err = oracle.Eval(x[:7], 2)
	wantStatus(t, err, ErrBadDimension, "x has 7 entries, want 12")
	_, err = oracle.Eval(nil, -1)
	wantStatus(t, err, ErrBadDimension, "n = -1")
	_, err = oracle.Eval(nil, math.MaxInt/4+1) // n d wraps around to 0
	wantStatus(t, err, ErrBadDimension, "too large")
	if oracle.Queries() != 42 {
		t.Fatalf("a refused batch was counted: %d", oracle.Queries())
	}

	// The exact answers are those of net.Eval, bitwise.
	net, _ = NewReluNet(nil, w)
	defer net.Close()
	byNet, err := net.Eval(nil, x, 37)
	if err != nil {
		t.Fatal(err)
	}
	sameBits(t, "oracle and net.Eval", y, byNet)
	_, err = net.Eval(nil, nil, math.MaxInt/4+1)
	wantStatus(t, err, ErrBadDimension, "too large")

	// float32: close to, but not, the exact answers.
	f32, err := NewNetOracle(nil, net, WithOracleFloat32(true))
	if err != nil {
		t.Fatal(err)
	}
	defer f32.Close()
	y32, err := f32.Eval(x, 37)
	if err != nil {
		t.Fatal(err)
	}
	if d := relDiff(y32, want); d <= 0 || d > 1e-5 {
		t.Errorf("float32 oracle: relative difference %.1e, want in (0, 1e-5]", d)
	}
	// Rounding: every answer is a multiple of the quantum, within half of it.
	rounded, err := NewNetOracle(nil, net, WithOracleRounding(0.25))
	if err != nil {
		t.Fatal(err)
	}
	defer rounded.Close()
	yr, _ := rounded.Eval(x, 37)
	for i, v := range yr {
		if v != 0.25*math.Round(v/0.25) || math.Abs(v-want[i]) > 0.125+1e-12 {
			t.Fatalf("rounded answer %d: %v for %v", i, v, want[i])
		}
	}
	// Noise: reproducible from its seed, of about the deviation asked.
	noisy := func(seed int64) []float64 {
		o, err := NewNetOracle(nil, net, WithOracleNoise(0.01), WithSeed(seed))
		if err != nil {
			t.Fatal(err)
		}
		defer o.Close()
		big := gaussian(2000*6, 53)
		y, err := o.Eval(big, 2000)
		if err != nil {
			t.Fatal(err)
		}
		exact := evalWeights(w, big)
		for i := range y {
			y[i] -= exact[i]
		}
		return y
	}
	e1, e2, e3 := noisy(1), noisy(1), noisy(2)
	sameBits(t, "noise of the same seed", e1, e2)
	if relDiff(e1, e3) < 0.1 {
		t.Error("two seeds gave the same noise")
	}
	if sd := math.Sqrt(sum(func() []float64 {
		sq := make([]float64, len(e1))
		for i, v := range e1 {
			sq[i] = v * v
		}
		return sq
	}()) / float64(len(e1))); sd < 0.009 || sd > 0.011 {
		t.Errorf("noise deviation %v, want about 0.01", sd)
	}
	_, err = NewNetOracle(nil, net, WithOracleNoise(-1))
	wantStatus(t, err, ErrInvalidArgument, "")

	// Closed handles.
	if oracle.Close() != nil || oracle.Close() != nil {
		t.Fatal("Close twice failed")
	}
	if _, err := oracle.Eval(x, 37); !errors.Is(err, ErrClosed) {
		t.Fatalf("closed oracle: %v", err)
	}
	if oracle.Queries() != 0 {
		t.Fatal("a closed oracle counts queries")
	}
	if _, _, err := ExtractReLU1FromNetOracle(nil, oracle); !errors.Is(err, ErrClosed) {
		t.Fatalf("closed oracle: %v", err)
	}
	closedNet, _ := NewReluNet(nil, w)
	closedNet.Close()
	if _, err := NewNetOracle(nil, closedNet); !errors.Is(err, ErrClosed) {
		t.Fatalf("closed net: %v", err)
	}
	if _, err := NewNetOracle(nil, nil); !errors.Is(err, ErrClosed) {
		t.Fatalf("nil net: %v", err)
	}
}

func TestExtractionFromANetOracle(t *testing.T) {
	hidden, err := NewReluNet(nil, randomWeights(10, 8, 2, 61, false))
	if err != nil {
		t.Fatal(err)
	}
	defer hidden.Close()
	oracle, err := NewNetOracle(nil, hidden)
	if err != nil {
		t.Fatal(err)
	}
	defer oracle.Close()
	if _, err := oracle.Eval(gaussian(10*3, 62), 3); err != nil { // counted before
		t.Fatal(err)
	}
	before := oracle.Queries()
	ctx, err := NewContext() // the oracle needs no context: it may be the extraction's
	if err != nil {
		t.Fatal(err)
	}
	defer ctx.Close()
	copyNet, rep, err := ExtractReLU1FromNetOracle(ctx, oracle, WithSeed(5))
	if err != nil {
		t.Fatal(err)
	}
	defer copyNet.Close()
	if d, _, c := copyNet.Dims(); d != 10 || c != 2 {
		t.Fatalf("dims %d, %d", d, c)
	}
	z := gaussian(2000*10, 63)
	want, _ := hidden.Eval(ctx, z, 2000)
	got, _ := copyNet.Eval(ctx, z, 2000)
	if d := relDiff(got, want); d > 1e-8 {
		t.Errorf("relative error %.1e", d)
	}
	if q := rep.Ints[ReportQueries]; q != oracle.Queries()-before || q < 1 ||
		rep.Ints[ReportNeurons] < 1 {
		t.Errorf("report %v; the oracle counted %d queries", rep, oracle.Queries()-before)
	}
	// The same seed and oracle give the same network and query count.
	again, rep2, err := ExtractReLU1FromNetOracle(nil, oracle, WithSeed(5))
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	got2, _ := again.Eval(nil, z, 2000)
	sameBits(t, "a second extraction", got2, got)
	if rep2.Ints[ReportQueries] != rep.Ints[ReportQueries] {
		t.Errorf("query counts %d and %d", rep2.Ints[ReportQueries], rep.Ints[ReportQueries])
	}

	// A budget of 30 queries: ErrBudget, with the partial network.
	before = oracle.Queries()
	partial, rep, err := ExtractReLU1FromNetOracle(nil, oracle, WithQueryBudget(30))
	wantStatus(t, err, ErrBudget, "")
	if partial == nil {
		t.Fatal("no partial network")
	}
	defer partial.Close()
	if d, _, c := partial.Dims(); d != 10 || c != 2 {
		t.Errorf("partial dims %d, %d", d, c)
	}
	if q := oracle.Queries() - before; q > 30 || rep.Ints[ReportQueries] != q {
		t.Errorf("%d queries, report %v", q, rep)
	}
	_, _, err = ExtractReLU1FromNetOracle(nil, oracle, WithDomainLower(1), WithDomainUpper(-1))
	wantStatus(t, err, ErrInvalidArgument, "")
}
