package quarry

import (
	"errors"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// ---- references computed in Go ----

// problem is an m x n row-major A with singular values spread over 10^-logKappa..1
// (Gaussian columns scaled geometrically), and b = A x0 + 1e-3 noise.
func problem(m, n int, seed int64, logKappa float64) (Dense, []float64) {
	rng := rand.New(rand.NewSource(seed))
	a := NewDense(m, n, false)
	for j := 0; j < n; j++ {
		scale := math.Pow(10, -logKappa*float64(j)/float64(maxInt(1, n-1)))
		for i := 0; i < m; i++ {
			a.Data[i*n+j] = rng.NormFloat64() * scale
		}
	}
	x0 := make([]float64, n)
	for j := range x0 {
		x0[j] = rng.NormFloat64()
	}
	b := matVec(a, x0)
	for i := range b {
		b[i] += 1e-3 * rng.NormFloat64()
	}
	return a, b
}

// matVec is A x.
func matVec(a Dense, x []float64) []float64 {
	y := make([]float64, a.Rows)
	for i := range y {
		for j := 0; j < a.Cols; j++ {
			y[i] += a.At(i, j) * x[j]
		}
	}
	return y
}

// cholSolve solves the symmetric positive definite system g x = r (g packed n x n).
func cholSolve(g []float64, r []float64) []float64 {
	n := len(r)
	l := make([]float64, n*n)
	for j := 0; j < n; j++ {
		s := g[j*n+j]
		for k := 0; k < j; k++ {
			s -= l[j*n+k] * l[j*n+k]
		}
		l[j*n+j] = math.Sqrt(s)
		for i := j + 1; i < n; i++ {
			s := g[i*n+j]
			for k := 0; k < j; k++ {
				s -= l[i*n+k] * l[j*n+k]
			}
			l[i*n+j] = s / l[j*n+j]
		}
	}
	y := make([]float64, n)
	for i := 0; i < n; i++ {
		s := r[i]
		for k := 0; k < i; k++ {
			s -= l[i*n+k] * y[k]
		}
		y[i] = s / l[i*n+i]
	}
	for i := n - 1; i >= 0; i-- {
		s := y[i]
		for k := i + 1; k < n; k++ {
			s -= l[k*n+i] * y[k]
		}
		y[i] = s / l[i*n+i]
	}
	return y
}

// normalSolve is the solution of the ridge normal equations (A^T A + lambda I) x = A^T b.
func normalSolve(a Dense, b []float64, lambda float64) []float64 {
	n := a.Cols
	g, r := make([]float64, n*n), make([]float64, n)
	for i := 0; i < a.Rows; i++ {
		for j := 0; j < n; j++ {
			r[j] += a.At(i, j) * b[i]
			for k := 0; k < n; k++ {
				g[j*n+k] += a.At(i, j) * a.At(i, k)
			}
		}
	}
	for j := 0; j < n; j++ {
		g[j*n+j] += lambda
	}
	return cholSolve(g, r)
}

// minNormSolve is the minimum-norm solution A^T (A A^T)^-1 b of a wide, full-rank A.
func minNormSolve(a Dense, b []float64) []float64 {
	m := a.Rows
	g := make([]float64, m*m)
	for i := 0; i < m; i++ {
		for k := 0; k < m; k++ {
			for j := 0; j < a.Cols; j++ {
				g[i*m+k] += a.At(i, j) * a.At(k, j)
			}
		}
	}
	y := cholSolve(g, b)
	x := make([]float64, a.Cols)
	for j := range x {
		for i := 0; i < m; i++ {
			x[j] += a.At(i, j) * y[i]
		}
	}
	return x
}

// relDiff is ||x - y|| / ||y||.
func relDiff(x, y []float64) float64 {
	if len(x) != len(y) {
		return math.Inf(1)
	}
	var d, n float64
	for i := range x {
		d += (x[i] - y[i]) * (x[i] - y[i])
		n += y[i] * y[i]
	}
	return math.Sqrt(d / n)
}

// residual is ||A x - b||.
func residual(a Dense, x, b []float64) float64 {
	var s float64
	for i, v := range matVec(a, x) {
		s += (v - b[i]) * (v - b[i])
	}
	return math.Sqrt(s)
}

// strided is a copy of a in the layout asked with `pad` unused entries after each row
// (row-major) or column (column-major), filled with NaN that must never be read.
func strided(a Dense, colMajor bool, pad int) Dense {
	out := a.inLayout(colMajor)
	outer, inner := out.Rows, out.Cols
	if colMajor {
		outer, inner = out.Cols, out.Rows
	}
	s := Dense{Rows: a.Rows, Cols: a.Cols, Stride: inner + pad, ColMajor: colMajor,
		Data: make([]float64, outer*(inner+pad))}
	for i := range s.Data {
		s.Data[i] = math.NaN()
	}
	for i := 0; i < a.Rows; i++ {
		for j := 0; j < a.Cols; j++ {
			s.Data[s.index(i, j)] = a.At(i, j)
		}
	}
	return s
}

// wantStatus fails unless err is an *Error with status s whose message contains text.
func wantStatus(t *testing.T, err error, s Status, text string) {
	t.Helper()
	var qerr *Error
	if !errors.Is(err, s) || !errors.As(err, &qerr) {
		t.Fatalf("want an *Error with %v, got %v", s, err)
	}
	if qerr.Name != s.String() || !strings.Contains(qerr.Message, text) {
		t.Fatalf("want %v with a message containing %q, got %q: %q", s, text, qerr.Name, qerr.Message)
	}
}

// ---- version, ABI, constants ----

func TestVersionAndABI(t *testing.T) {
	if strings.Count(Version(), ".") != 2 || BLASInfo() == "" {
		t.Fatalf("version %q, BLAS %q", Version(), BLASInfo())
	}
	if ABIVersion() != BindingABIVersion || CheckABI() != nil {
		t.Fatalf("ABI %d, binding %d: %v", ABIVersion(), BindingABIVersion, CheckABI())
	}
	if checkABI(0, 0, 0) != nil {
		t.Fatal("matching ABI versions refused")
	}
	for _, v := range [][3]int{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}} {
		err := checkABI(v[0], v[1], v[2])
		if err == nil || !strings.Contains(err.Error(), "install a matching libquarry") {
			t.Fatalf("ABI versions %v: %v", v, err)
		}
	}
}

func TestConstantsMatchTheCHeaders(t *testing.T) {
	mirrored := map[string]int64{"QUARRY_ABI_VERSION": BindingABIVersion,
		"QUARRY_RNG_PHILOX4X32_10": RngPhilox4x32_10}
	for s, name := range statusNames {
		mirrored[name] = int64(s)
	}
	options := map[OptionKey]string{OptSeed: "SEED", OptTolerance: "TOLERANCE",
		OptMaxIterations: "MAX_ITERATIONS", OptSketchKind: "SKETCH_KIND",
		OptSketchRows: "SKETCH_ROWS", OptSketchNNZ: "SKETCH_NNZ",
		OptLeverageMethod: "LEVERAGE_METHOD", OptLstsqMethod: "LSTSQ_METHOD", OptRidge: "RIDGE",
		OptQueryBudget: "QUERY_BUDGET", OptExtractRefine: "EXTRACT_REFINE",
		OptOutputNoise: "OUTPUT_NOISE", OptOracleFloat32: "ORACLE_FLOAT32",
		OptOracleRounding: "ORACLE_ROUNDING", OptOracleNoise: "ORACLE_NOISE",
		OptDomainLower: "DOMAIN_LOWER", OptDomainUpper: "DOMAIN_UPPER",
		OptHuberScale: "HUBER_SCALE"}
	for k, name := range options {
		mirrored["QUARRY_OPT_"+name] = int64(k)
		if k.String() != "QUARRY_OPT_"+name { // the library's own name of the value
			t.Errorf("option %d is %s in the library", k, k)
		}
	}
	reports := map[ReportKey]string{ReportMethod: "METHOD", ReportIterations: "ITERATIONS",
		ReportSketchRows: "SKETCH_ROWS", ReportQueries: "QUERIES", ReportNeurons: "NEURONS",
		ReportResidualNorm: "RESIDUAL_NORM", ReportBackwardError: "BACKWARD_ERROR",
		ReportConditionEstimate: "CONDITION_ESTIMATE", ReportSeconds: "SECONDS",
		ReportOracleSeconds: "ORACLE_SECONDS", ReportBatches: "BATCHES", ReportLines: "LINES",
		ReportRelativeError: "RELATIVE_ERROR", ReportNoise: "NOISE", ReportRank: "RANK",
		ReportResidualBound: "RESIDUAL_BOUND", ReportObjective: "OBJECTIVE",
		ReportOutliers: "OUTLIERS", ReportDualGap: "DUAL_GAP"}
	for k, name := range reports {
		mirrored["QUARRY_REPORT_"+name] = int64(k)
		if k.String() != "QUARRY_REPORT_"+name {
			t.Errorf("report key %d is %s in the library", k, k)
		}
	}
	for m, name := range map[LstsqMethod]string{MethodAuto: "AUTO", MethodDirect: "DIRECT",
		MethodSketchSolve: "SKETCH_SOLVE", MethodSketchPrecondition: "SKETCH_PRECONDITION",
		MethodGramPrecondition: "GRAM_PRECONDITION"} {
		mirrored["QUARRY_LSTSQ_"+name] = int64(m)
	}
	for k, name := range map[SketchKind]string{SketchGaussian: "GAUSSIAN", SketchSRHT: "SRHT",
		SketchCountSketch: "COUNTSKETCH", SketchSparseSign: "SPARSE_SIGN",
		SketchUniformRows: "UNIFORM_ROWS"} {
		mirrored["QUARRY_SKETCH_"+name] = int64(k)
	}
	for name, v := range mirrored {
		if c, ok := cEnums[name]; !ok || c != v {
			t.Errorf("%s is %d in Go but %d (present: %v) in the C headers", name, v, c, ok)
		}
	}
	for name := range cEnums {
		if _, ok := mirrored[name]; !ok {
			t.Errorf("%s is read from C but not mirrored in Go", name)
		}
	}
	if Status(12345).String() != "status 12345" || ErrNullPointer.Description() != "null pointer" {
		t.Errorf("unknown status %q, description %q", Status(12345), ErrNullPointer.Description())
	}
}

// ---- least squares ----

func TestLstsqLayoutsAndStridesAgreeWithTheNormalEquations(t *testing.T) {
	a, b := problem(2000, 30, 1, 3)
	want := normalSolve(a, b, 0)
	for _, tc := range []struct {
		name string
		a    Dense
	}{
		{"row-major", a},
		{"column-major", a.inLayout(true)},
		{"row-major stride", strided(a, false, 7)},
		{"column-major stride", strided(a, true, 5)},
	} {
		x, rep, err := Lstsq(nil, tc.a, b)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if d := relDiff(x, want); d > 1e-8 {
			t.Errorf("%s: relative difference %.1e from the normal equations", tc.name, d)
		}
		if _, ok := rep.Ints[ReportMethod]; !ok || rep.Floats[ReportSeconds] < 0 {
			t.Errorf("%s: report %v", tc.name, rep)
		}
	}
}

func TestEveryMethodReachesTheLeastSquaresResidual(t *testing.T) {
	a, b := problem(3000, 20, 2, 3)
	want := normalSolve(a, b, 0)
	best := residual(a, want, b)
	for _, m := range []LstsqMethod{MethodAuto, MethodDirect, MethodSketchSolve,
		MethodSketchPrecondition, MethodGramPrecondition} {
		x, rep, err := Lstsq(nil, a, b, WithMethod(m), WithSeed(0))
		if err != nil {
			t.Fatalf("method %d: %v", m, err)
		}
		r := residual(a, x, b)
		if m == MethodSketchSolve {
			if r > 1.2*best || rep.Floats[ReportResidualBound] < r/best*(1-1e-9) {
				t.Errorf("sketch and solve: residual %g / %g, report %v", r, best, rep)
			}
		} else if r > best*(1+1e-10) || relDiff(x, want) > 1e-8 {
			t.Errorf("method %d: residual %g / %g, relative difference %.1e", m, r, best,
				relDiff(x, want))
		}
		if used := LstsqMethod(rep.Ints[ReportMethod]); used == MethodAuto {
			t.Errorf("method %d: the report names auto", m)
		}
	}
}

func TestSeveralRightHandSidesInEitherLayout(t *testing.T) {
	a, b := problem(1500, 12, 3, 2)
	b3 := NewDense(len(b), 3, false)
	for i, v := range b {
		b3.Data[i*3], b3.Data[i*3+1], b3.Data[i*3+2] = v, 2*v, -v
	}
	want := normalSolve(a, b, 0)
	scale := []float64{1, 2, -1}
	for _, colMajorA := range []bool{false, true} {
		for _, colMajorB := range []bool{false, true} {
			x, _, err := LstsqMulti(nil, a.inLayout(colMajorA), strided(b3, colMajorB, 2))
			if err != nil {
				t.Fatal(err)
			}
			if x.Rows != 12 || x.Cols != 3 || x.ColMajor != colMajorA {
				t.Fatalf("x is %d x %d (column-major %v)", x.Rows, x.Cols, x.ColMajor)
			}
			for j, s := range scale {
				w := make([]float64, len(want))
				for i := range w {
					w[i] = s * want[i]
				}
				if d := relDiff(x.Col(j), w); d > 1e-8 {
					t.Errorf("A column-major %v, B column-major %v, column %d: %.1e", colMajorA,
						colMajorB, j, d)
				}
			}
		}
	}
}

// sparse is a random m x n CSR matrix with about density m n entries plus a unit
// diagonal (full rank), its dense copy, and the same matrix with two cancelling
// duplicates in row 0.
func sparse(m, n int, density float64, seed int64) (CSR, Dense, CSR) {
	rng := rand.New(rand.NewSource(seed))
	a := CSR{Rows: m, Cols: n, RowPtr: []int64{0}}
	dup := CSR{Rows: m, Cols: n, RowPtr: []int64{0}, ColIdx: []int64{0, 0}, Val: []float64{1, -1}}
	dense := NewDense(m, n, false)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			if i == j || rng.Float64() < density {
				v := rng.NormFloat64()
				if i == j {
					v = 1
				}
				a.ColIdx, a.Val = append(a.ColIdx, int64(j)), append(a.Val, v)
				dense.Data[i*n+j] = v
			}
		}
		a.RowPtr = append(a.RowPtr, int64(len(a.Val)))
		dup.RowPtr = append(dup.RowPtr, int64(len(a.Val)+2))
	}
	dup.ColIdx, dup.Val = append(dup.ColIdx, a.ColIdx...), append(dup.Val, a.Val...)
	return a, dense, dup
}

func TestCSRTallWideAndWithDuplicates(t *testing.T) {
	a, dense, dup := sparse(3000, 40, 0.05, 4)
	rng := rand.New(rand.NewSource(5))
	b := make([]float64, 3000)
	for i := range b {
		b[i] = rng.NormFloat64()
	}
	want := normalSolve(dense, b, 0)
	for name, m := range map[string]CSR{"plain": a, "duplicates": dup} {
		x, rep, err := LstsqCSR(nil, m, b)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if d := relDiff(x, want); d > 1e-9 {
			t.Errorf("%s: relative difference %.1e", name, d)
		}
		if LstsqMethod(rep.Ints[ReportMethod]) != MethodSketchPrecondition {
			t.Errorf("%s: report %v", name, rep)
		}
	}
	// Two right-hand sides, column-major: X comes back in B's layout.
	b2 := Dense{Rows: 3000, Cols: 2, Data: append(append([]float64{}, b...), b...), ColMajor: true}
	x2, _, err := LstsqCSRMulti(nil, a, b2)
	if err != nil || !x2.ColMajor || relDiff(x2.Col(0), want) > 1e-9 || relDiff(x2.Col(1), want) > 1e-9 {
		t.Errorf("two right-hand sides: %v", err)
	}
	// Wide (30 x 500): the minimum-norm solution.
	wide, wideDense, _ := sparse(30, 500, 0.1, 6)
	bw := b[:30]
	xw, _, err := LstsqCSR(nil, wide, bw)
	if err != nil {
		t.Fatal(err)
	}
	if d := relDiff(xw, minNormSolve(wideDense, bw)); d > 1e-9 {
		t.Errorf("wide: relative difference %.1e from the minimum-norm solution", d)
	}
	_, _, err = LstsqCSR(nil, a, b, WithMethod(MethodDirect))
	wantStatus(t, err, ErrUnsupported, "")
}

func TestRidgeAndTheRidgePathSolveTheRidgeNormalEquations(t *testing.T) {
	a, b := problem(2000, 25, 7, 3)
	lambdas := []float64{0, 1e-3, 1, 100}
	for _, colMajor := range []bool{false, true} {
		path, rep, err := RidgePath(nil, a.inLayout(colMajor), b, lambdas)
		if err != nil {
			t.Fatal(err)
		}
		if path.Rows != 25 || path.Cols != len(lambdas) || rep.Floats[ReportResidualNorm] <= 0 {
			t.Fatalf("path %d x %d, report %v", path.Rows, path.Cols, rep)
		}
		for j, lambda := range lambdas {
			want := normalSolve(a, b, lambda)
			x, _, err := Lstsq(nil, a.inLayout(colMajor), b, WithRidge(lambda))
			if err != nil {
				t.Fatal(err)
			}
			if d1, d2 := relDiff(x, want), relDiff(path.Col(j), want); d1 > 1e-8 || d2 > 1e-8 {
				t.Errorf("lambda %g: lstsq %.1e, path %.1e from the normal equations", lambda, d1, d2)
			}
		}
	}
	_, _, err := RidgePath(nil, a, b, lambdas, WithRidge(1))
	wantStatus(t, err, ErrInvalidArgument, "")
	_, _, err = RidgePath(nil, a, b, []float64{-1})
	wantStatus(t, err, ErrInvalidArgument, "")
}

func TestNoConvergenceReturnsTheLastIterateAndTheReport(t *testing.T) {
	a, b := problem(500, 10, 8, 8)
	x, rep, err := Lstsq(nil, a, b, WithMethod(MethodSketchPrecondition), WithMaxIterations(1),
		WithSketchRows(12), WithTolerance(0))
	wantStatus(t, err, ErrNoConvergence, "")
	if len(x) != 10 || rep.Ints[ReportIterations] < 1 {
		t.Fatalf("x %v, report %v", x, rep)
	}
}

func TestBadInputIsRefusedBeforeC(t *testing.T) {
	a, b := problem(50, 4, 9, 1)
	short := a
	short.Data = a.Data[:len(a.Data)-1]
	for name, call := range map[string]func() error{
		"short A": func() error { _, _, err := Lstsq(nil, short, b); return err },
		"short b": func() error { _, _, err := Lstsq(nil, a, b[1:]); return err },
		"negative size": func() error {
			_, _, err := Lstsq(nil, Dense{Rows: -1, Cols: 2}, nil)
			return err
		},
		"short B": func() error {
			_, _, err := LstsqMulti(nil, a, Dense{Rows: 50, Cols: 2, Data: b})
			return err
		},
		"path b": func() error { _, _, err := RidgePath(nil, a, b[:3], []float64{1}); return err },
		"CSR row_ptr": func() error {
			_, _, err := LstsqCSR(nil, CSR{Rows: 2, Cols: 2, RowPtr: []int64{0, 1}}, b[:2])
			return err
		},
		"CSR values": func() error {
			m := CSR{Rows: 1, Cols: 2, RowPtr: []int64{0, 2}, ColIdx: []int64{0, 1}, Val: []float64{1}}
			_, _, err := LstsqCSR(nil, m, b[:1])
			return err
		},
	} {
		err := call()
		var qerr *Error
		if !errors.Is(err, ErrBadDimension) || !errors.As(err, &qerr) || qerr.Message == "" {
			t.Errorf("%s: %v", name, err)
		}
	}
	narrow := a
	narrow.Stride = 3
	_, _, err := Lstsq(nil, narrow, b)
	wantStatus(t, err, ErrBadLeadingDim, "a.Stride = 3")

	// Checks made by the library carry its message.
	nan := a.inLayout(false)
	nan.Data = append([]float64(nil), a.Data...)
	nan.Data[7*4+3] = math.NaN()
	_, _, err = Lstsq(nil, nan, b)
	wantStatus(t, err, ErrNonfinite, "A[7, 3]")
	_, _, err = Lstsq(nil, a, b, WithRidge(-1))
	wantStatus(t, err, ErrInvalidArgument, "QUARRY_OPT_RIDGE = -1")
	_, _, err = Lstsq(nil, a, b, WithFloat(OptMaxIterations, 1.5))
	wantStatus(t, err, ErrInvalidArgument, "takes an integer")
	_, _, err = Lstsq(nil, a, b, WithInt(OptionKey(9999), 1))
	wantStatus(t, err, ErrInvalidArgument, "unknown")
	// An integer given to a number key is converted; a zero seed is an explicit setting.
	if _, _, err = Lstsq(nil, a, b, WithInt(OptRidge, 0), WithSeed(0)); err != nil {
		t.Error(err)
	}
}

func TestContextThreadsCloseAndReproducibility(t *testing.T) {
	one, err := NewContext()
	if err != nil {
		t.Fatal(err)
	}
	two, _ := NewContext()
	defer two.Close()
	if err := one.SetThreads(1); err != nil {
		t.Fatal(err)
	}
	if err := two.SetThreads(2); err != nil {
		t.Fatal(err)
	}
	if n, err := one.Threads(); n != 1 || err != nil {
		t.Fatalf("threads %d, %v", n, err)
	}
	wantStatus(t, one.SetThreads(-1), ErrInvalidArgument, "")
	a, b := problem(20000, 20, 10, 2)
	x1, _, err1 := Lstsq(one, a, b, WithMethod(MethodSketchPrecondition))
	x2, _, err2 := Lstsq(two, a, b, WithMethod(MethodSketchPrecondition))
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	for i := range x1 {
		if x1[i] != x2[i] {
			t.Fatalf("x[%d] differs between 1 and 2 threads: %v, %v", i, x1[i], x2[i])
		}
	}
	if one.Close() != nil || one.Close() != nil {
		t.Fatal("Close twice failed")
	}
	if _, _, err := Lstsq(one, a, b); !errors.Is(err, ErrClosed) {
		t.Fatalf("closed context: %v", err)
	}
	if _, err := one.Threads(); !errors.Is(err, ErrClosed) {
		t.Fatalf("closed context: %v", err)
	}
	var none *Context
	if none.Close() != nil {
		t.Fatal("Close on nil failed")
	}
}

// ---- dynamic least squares ----

// rowsOf is rows i0 .. i1 - 1 of a packed row-major A, over the same data.
func rowsOf(a Dense, i0, i1 int) Dense {
	return Dense{Rows: i1 - i0, Cols: a.Cols, Data: a.Data[i0*a.Cols : i1*a.Cols]}
}

func TestDynamicLstsqExactIsTheSolveOfEveryRowInserted(t *testing.T) {
	const n = 6
	a, b := problem(700, n, 91, 1)
	z := gaussian(n, 92) // any x, for Residual
	for _, lambda := range []float64{0, 0.5} {
		d, err := NewDynamicLstsq(nil, n, WithMethod(MethodDirect), WithRidge(lambda))
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		rows := 0
		// Batches of every size (the updates go 256 rows at a time), in both layouts and
		// with a stride: 0 and 2 rows leave R_A singular, then x is the minimum-norm one.
		for k, count := range []int{0, 2, 7, 256, 300, 135} {
			batch := rowsOf(a, rows, rows+count)
			if k%2 == 1 {
				batch = strided(batch, true, 2)
			}
			if err := d.Insert(nil, batch, b[rows:rows+count]); err != nil {
				t.Fatalf("lambda %g, batch %d: %v", lambda, k, err)
			}
			rows += count
			x, rep, err := d.Solve(nil)
			if err != nil {
				t.Fatalf("lambda %g, %d rows: %v", lambda, rows, err)
			}
			seen, bs := rowsOf(a, 0, rows), b[:rows]
			want, rank := make([]float64, n), int64(n)
			switch {
			case lambda == 0 && rows == 0:
				rank = 0
			case lambda == 0 && rows < n:
				want, rank = minNormSolve(seen, bs), int64(rows)
			default:
				want = normalSolve(seen, bs, lambda)
			}
			// (Without rows, x = 0 exactly and relDiff is NaN.)
			if diff := relDiff(x, want); !(diff <= 1e-10) && maxAbsDiff(x, want) != 0 {
				t.Errorf("lambda %g, %d rows: x differs from the normal equations' by %g", lambda, rows, diff)
			}
			var xx, zz, bb float64
			for j := range x {
				xx += x[j] * x[j]
				zz += z[j] * z[j]
			}
			for _, v := range bs {
				bb += v * v
			}
			// The objective to rounding: relative, or of ||b||^2 where A x fits b exactly.
			r := residual(seen, x, bs)
			objective := r*r + lambda*xx
			if rep.Ints[ReportMethod] != int64(MethodDirect) || rep.Ints[ReportQueries] != int64(rows) ||
				rep.Ints[ReportSketchRows] != int64(rows) || rep.Ints[ReportRank] != rank ||
				math.Abs(rep.Floats[ReportObjective]-objective) > 1e-8*objective+1e-14*bb {
				t.Errorf("lambda %g, %d rows: residual %g, report %v", lambda, rows, r, rep)
			}
			// Residual is ||R [z; -1]||: the objective's square root at any z, on every row.
			rz := residual(seen, z, bs)
			want2 := math.Sqrt(rz*rz + lambda*zz)
			if got, err := d.Residual(nil, z); err != nil || math.Abs(got-want2) > 1e-10*want2 {
				t.Errorf("lambda %g, %d rows: Residual %g, %v; want %g", lambda, rows, got, err, want2)
			}
		}
	}
}

func TestDynamicLstsqSampledKeepsFewRowsAndANearMinimalObjective(t *testing.T) {
	const m, n = 20000, 5
	rng := rand.New(rand.NewSource(93))
	a := gaussianDense(rng, m, n)
	x0 := gaussian(n, 94)
	b := matVec(a, x0)
	for i := range b {
		b[i] += rng.NormFloat64()
	}
	exact, err := NewDynamicLstsq(nil, n)
	if err != nil {
		t.Fatal(err)
	}
	defer exact.Close()
	sampled, err := NewDynamicLstsq(nil, n, WithMethod(MethodSketchSolve), WithTolerance(0.1),
		WithSeed(3))
	if err != nil {
		t.Fatal(err)
	}
	defer sampled.Close()
	for i := 0; i < m; i += 1000 {
		for _, d := range []*DynamicLstsq{exact, sampled} {
			if err := d.Insert(nil, rowsOf(a, i, i+1000), b[i:i+1000]); err != nil {
				t.Fatal(err)
			}
		}
	}
	best, _, err := exact.Solve(nil)
	if err != nil {
		t.Fatal(err)
	}
	x, rep, err := sampled.Solve(nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Ints[ReportMethod] != int64(MethodSketchSolve) || rep.Ints[ReportQueries] != m ||
		!(rep.Ints[ReportSketchRows] >= n && rep.Ints[ReportSketchRows] < m) {
		t.Errorf("report %v", rep)
	}
	minimum, err1 := exact.Residual(nil, best)
	got, err2 := exact.Residual(nil, x)
	if err1 != nil || err2 != nil || got*got > 1.1*minimum*minimum {
		t.Errorf("the sampled x has objective %g, the minimum is %g (%v, %v)", got*got,
			minimum*minimum, err1, err2)
	}
	t.Logf("sampled: %d of %d rows kept, objective %.4f of the minimum", rep.Ints[ReportSketchRows],
		m, got*got/(minimum*minimum))
}

func TestDynamicLstsqErrorsLeaveItAsItWas(t *testing.T) {
	a, b := problem(40, 3, 95, 1)
	d, err := NewDynamicLstsq(nil, 3)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Insert(nil, a, b); err != nil {
		t.Fatal(err)
	}
	x, _, err := d.Solve(nil)
	if err != nil {
		t.Fatal(err)
	}
	// A NaN row (or label) is refused before any row of its batch goes in.
	bad := NewDense(5, 3, false)
	copy(bad.Data, a.Data)
	bad.Data[3*3+1] = math.NaN()
	wantStatus(t, d.Insert(nil, bad, b[:5]), ErrNonfinite, "A[3, 1]")
	wantStatus(t, d.Insert(nil, rowsOf(a, 0, 2), []float64{1, math.Inf(1)}), ErrNonfinite, "b[1")
	if again, rep, err := d.Solve(nil); err != nil || maxAbsDiff(again, x) != 0 ||
		rep.Ints[ReportQueries] != 40 {
		t.Errorf("after refused batches: x %v (was %v), report %v, %v", again, x, rep, err)
	}
	// Checks made in Go, before C.
	wantStatus(t, d.Insert(nil, NewDense(2, 4, false), b[:2]), ErrBadDimension, "4 columns")
	wantStatus(t, d.Insert(nil, a, b[1:]), ErrBadDimension, "b has")
	_, err = d.Residual(nil, x[:2])
	wantStatus(t, err, ErrBadDimension, "x has")
	_, err = d.Residual(nil, []float64{1, math.NaN(), 0})
	wantStatus(t, err, ErrNonfinite, "x[")
	if err := d.Insert(nil, Dense{Cols: 3}, nil); err != nil { // no rows: nothing to do
		t.Errorf("an empty batch: %v", err)
	}
	// Creation.
	none, err := NewDynamicLstsq(nil, 0)
	wantStatus(t, err, ErrBadDimension, "n = 0")
	if none != nil {
		t.Errorf("a handle %v beside the error", none)
	}
	_, err = NewDynamicLstsq(nil, 3, WithMethod(MethodSketchPrecondition))
	wantStatus(t, err, ErrInvalidArgument, "")
	_, err = NewDynamicLstsq(nil, 3, WithMethod(MethodSketchSolve), WithTolerance(0))
	wantStatus(t, err, ErrInvalidArgument, "")
	_, err = NewDynamicLstsq(nil, 3, WithRidge(-1))
	wantStatus(t, err, ErrInvalidArgument, "QUARRY_OPT_RIDGE")
	// Closed handles.
	if d.Close() != nil || d.Close() != nil {
		t.Fatal("Close twice failed")
	}
	if err := d.Insert(nil, a, b); !errors.Is(err, ErrClosed) {
		t.Errorf("closed: %v", err)
	}
	if x, _, err := d.Solve(nil); x != nil || !errors.Is(err, ErrClosed) {
		t.Errorf("closed: %v, %v", x, err)
	}
	if r, err := d.Residual(nil, x); !math.IsNaN(r) || !errors.Is(err, ErrClosed) {
		t.Errorf("closed: %v, %v", r, err)
	}
	var nilHandle *DynamicLstsq
	if nilHandle.Close() != nil {
		t.Error("Close on nil failed")
	}
}

// ---- networks and extraction ----

// randomWeights are the weights of a random d-k-c network, without skip term when
// plain is true.
func randomWeights(d, k, c int, seed int64, plain bool) Weights {
	rng := rand.New(rand.NewSource(seed))
	fill := func(n int, scale float64) []float64 {
		v := make([]float64, n)
		for i := range v {
			v[i] = rng.NormFloat64() * scale
		}
		return v
	}
	w := Weights{D: d, K: k, C: c, W: fill(k*d, 1/math.Sqrt(float64(d))), B: fill(k, 1),
		A: fill(c*k, 1/math.Sqrt(float64(k)))}
	if !plain {
		w.Skip, w.C0 = fill(c*d, 1), fill(c, 1)
	}
	return w
}

// evalWeights evaluates F(x) = A ReLU(W x + B) + Skip x + C0 in Go.
func evalWeights(w Weights, x []float64) []float64 {
	n := len(x) / w.D
	y := make([]float64, n*w.C)
	for q := 0; q < n; q++ {
		xq := x[q*w.D : (q+1)*w.D]
		for o := 0; o < w.C; o++ {
			s := 0.0
			if w.C0 != nil {
				s = w.C0[o]
			}
			for j := 0; j < w.K; j++ {
				h := w.B[j]
				for i, v := range xq {
					h += w.W[j*w.D+i] * v
				}
				s += w.A[o*w.K+j] * math.Max(h, 0)
			}
			if w.Skip != nil {
				for i, v := range xq {
					s += w.Skip[o*w.D+i] * v
				}
			}
			y[q*w.C+o] = s
		}
	}
	return y
}

func gaussian(n int, seed int64) []float64 {
	rng := rand.New(rand.NewSource(seed))
	v := make([]float64, n)
	for i := range v {
		v[i] = rng.NormFloat64()
	}
	return v
}

func TestReluNetEvaluatesRoundTripsAndChecksItsInputs(t *testing.T) {
	w := randomWeights(4, 6, 3, 11, false)
	net, err := NewReluNet(nil, w)
	if err != nil {
		t.Fatal(err)
	}
	if d, k, c := net.Dims(); d != 4 || k != 6 || c != 3 {
		t.Fatalf("dims %d %d %d", d, k, c)
	}
	x := gaussian(50*4, 12)
	y, err := net.Eval(nil, x, 50)
	if err != nil || relDiff(y, evalWeights(w, x)) > 1e-14 {
		t.Fatalf("eval: %v", err)
	}
	ctx, err := NewContext()
	if err != nil {
		t.Fatal(err)
	}
	defer ctx.Close()
	if y1, err := net.Eval(ctx, x, 50); err != nil || relDiff(y1, y) != 0 {
		t.Fatalf("eval with a context: %v", err)
	}
	got, err := net.Weights()
	if err != nil {
		t.Fatal(err)
	}
	for name, pair := range map[string][2][]float64{"W": {got.W, w.W}, "B": {got.B, w.B},
		"A": {got.A, w.A}, "Skip": {got.Skip, w.Skip}, "C0": {got.C0, w.C0}} {
		if relDiff(pair[0], pair[1]) != 0 {
			t.Errorf("%s differs", name)
		}
	}
	path := filepath.Join(t.TempDir(), "net.json")
	if err := net.Save(ctx, path); err != nil {
		t.Fatal(err)
	}
	again, err := LoadReluNet(nil, path)
	if err != nil {
		t.Fatal(err)
	}
	y2, _ := again.Eval(nil, x, 50)
	for i := range y {
		if y[i] != y2[i] {
			t.Fatalf("the loaded network differs at %d", i)
		}
	}
	if net.Close() != nil || net.Close() != nil || again.Close() != nil {
		t.Fatal("Close twice failed")
	}
	if _, err := net.Eval(nil, x, 50); !errors.Is(err, ErrClosed) {
		t.Fatalf("closed net: %v", err)
	}
	if d, _, _ := net.Dims(); d != 0 {
		t.Fatal("a closed net has dimensions")
	}

	// Errors: lengths (in Go), NaN weights and bad files (in C).
	for _, bad := range []func(*Weights){
		func(v *Weights) { v.B = v.B[:1] }, func(v *Weights) { v.A = v.A[:2] },
		func(v *Weights) { v.Skip = v.Skip[:1] }, func(v *Weights) { v.C0 = v.C0[:2] },
		func(v *Weights) { v.D = 0 },
	} {
		v := w
		bad(&v)
		if _, err := NewReluNet(nil, v); !errors.Is(err, ErrBadDimension) {
			t.Errorf("bad weights: %v", err)
		}
	}
	v := w
	v.B = append([]float64{math.NaN()}, w.B[1:]...)
	_, err = NewReluNet(nil, v)
	wantStatus(t, err, ErrNonfinite, "")
	net, _ = NewReluNet(nil, w)
	defer net.Close()
	if _, err := net.Eval(nil, x[:7], 2); !errors.Is(err, ErrBadDimension) {
		t.Errorf("short x: %v", err)
	}
	nanX := append([]float64{math.NaN()}, x[1:4]...)
	_, err = net.Eval(ctx, nanX, 1)
	wantStatus(t, err, ErrNonfinite, "is not finite") // the message of ctx
	// A path holding a NUL byte is refused, not cut short at that byte.
	dir := t.TempDir()
	err = net.Save(nil, filepath.Join(dir, "cut\x00.json"))
	wantStatus(t, err, ErrInvalidArgument, "NUL byte")
	if _, statErr := os.Stat(filepath.Join(dir, "cut")); !os.IsNotExist(statErr) {
		t.Errorf("a file was written at the path cut short: %v", statErr)
	}
	_, err = LoadReluNet(nil, path+"\x00junk")
	wantStatus(t, err, ErrInvalidArgument, "NUL byte")
	_, err = LoadReluNet(nil, filepath.Join(t.TempDir(), "missing.json"))
	wantStatus(t, err, ErrIO, "missing.json")
	junk := filepath.Join(t.TempDir(), "junk.json")
	if err := os.WriteFile(junk, []byte(`{"format": "something else"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = LoadReluNet(nil, junk)
	wantStatus(t, err, ErrFormat, "")
}

func TestExtractionCopiesANetworkFromAGoOracle(t *testing.T) {
	hidden, err := NewReluNet(nil, randomWeights(12, 10, 2, 13, true))
	if err != nil {
		t.Fatal(err)
	}
	defer hidden.Close()
	evalCtx, err := NewContext() // not the extraction's context
	if err != nil {
		t.Fatal(err)
	}
	defer evalCtx.Close()
	queries := 0
	var kept [][]float64
	oracle := func(x []float64, n int) ([]float64, error) {
		queries += n
		kept = append(kept, x) // a copy: still valid after the call
		return hidden.Eval(evalCtx, x, n)
	}
	copyNet, rep, err := ExtractReLU1(nil, 12, 2, oracle, WithSeed(3))
	if err != nil {
		t.Fatal(err)
	}
	defer copyNet.Close()
	z := gaussian(2000*12, 14)
	want, _ := hidden.Eval(nil, z, 2000)
	got, _ := copyNet.Eval(nil, z, 2000)
	if d := relDiff(got, want); d > 1e-8 {
		t.Errorf("relative error %.1e", d)
	}
	if rep.Ints[ReportQueries] != int64(queries) || rep.Ints[ReportNeurons] < 1 {
		t.Errorf("report %v, %d queries", rep, queries)
	}
	if d := relDiff(evalNet(t, copyNet, kept[0]), evalNet(t, hidden, kept[0])); d > 1e-8 {
		t.Errorf("a kept batch: %.1e", d)
	}
	// In a box: every query stays inside it.
	inside := true
	boxed := func(x []float64, n int) ([]float64, error) {
		for _, v := range x {
			inside = inside && math.Abs(v) <= 2
		}
		return hidden.Eval(nil, x, n)
	}
	boxNet, _, err := ExtractReLU1(nil, 12, 2, boxed, WithSeed(3), WithDomainLower(-2),
		WithDomainUpper(2))
	if err != nil || !inside {
		t.Fatalf("box: %v, inside %v", err, inside)
	}
	boxNet.Close()
}

func evalNet(t *testing.T, net *ReluNet, x []float64) []float64 {
	t.Helper()
	d, _, _ := net.Dims()
	y, err := net.Eval(nil, x, len(x)/d)
	if err != nil {
		t.Fatal(err)
	}
	return y
}

type boomError struct{ what string }

func (e *boomError) Error() string { return "boom: " + e.what }

func TestOracleErrorsAndPanicsReachTheCaller(t *testing.T) {
	errDown := errors.New("the black box is down")
	for name, tc := range map[string]struct {
		oracle Oracle
		check  func(error) bool
	}{
		"error": {func([]float64, int) ([]float64, error) { return nil, errDown },
			func(err error) bool { return errors.Is(err, errDown) }},
		"panic with a value": {func([]float64, int) ([]float64, error) { panic("kaboom") },
			func(err error) bool { return strings.Contains(err.Error(), "panicked: kaboom") }},
		"panic with an error": {func([]float64, int) ([]float64, error) { panic(&boomError{"x"}) },
			func(err error) bool { var b *boomError; return errors.As(err, &b) && b.what == "x" }},
		"short answer": {func(x []float64, n int) ([]float64, error) { return make([]float64, n+1), nil },
			func(err error) bool { return strings.Contains(err.Error(), "answered") }},
	} {
		net, _, err := ExtractReLU1(nil, 6, 1, tc.oracle)
		var qerr *Error
		if net != nil || !errors.Is(err, ErrOracle) || !errors.As(err, &qerr) || qerr.Err == nil ||
			!tc.check(err) {
			t.Errorf("%s: net %v, error %v", name, net, err)
		}
	}
	if _, _, err := ExtractReLU1(nil, 6, 1, nil); !errors.Is(err, ErrNullPointer) {
		t.Errorf("nil oracle: %v", err)
	}
}

func TestABudgetReturnsThePartialNetwork(t *testing.T) {
	hidden, _ := NewReluNet(nil, randomWeights(6, 5, 1, 15, true))
	defer hidden.Close()
	net, rep, err := ExtractReLU1(nil, 6, 1, hidden.Oracle(nil), WithQueryBudget(50))
	wantStatus(t, err, ErrBudget, "")
	if net == nil {
		t.Fatal("no partial network")
	}
	defer net.Close()
	if d, _, c := net.Dims(); d != 6 || c != 1 || rep.Ints[ReportQueries] > 50 {
		t.Errorf("dims %d, %d, report %v", d, c, rep)
	}
}

func TestNoConvergenceWithoutAReportReturnsNoX(t *testing.T) {
	// A CSR A whose last column has one non-zero, in row 7: a uniform row sample of n
	// rows almost surely misses it, the sketch loses that rank, and the library fails
	// with ErrNoConvergence but makes no report, so x means nothing.
	m, n := 2000, 5
	rng := rand.New(rand.NewSource(16))
	a := CSR{Rows: m, Cols: n, RowPtr: []int64{0}}
	for i := 0; i < m; i++ {
		for j := 0; j < n-1; j++ {
			a.ColIdx, a.Val = append(a.ColIdx, int64(j)), append(a.Val, rng.NormFloat64())
		}
		if i == 7 {
			a.ColIdx, a.Val = append(a.ColIdx, int64(n-1)), append(a.Val, 1)
		}
		a.RowPtr = append(a.RowPtr, int64(len(a.Val)))
	}
	x, rep, err := LstsqCSR(nil, a, gaussian(m, 17), WithSketchKind(SketchUniformRows),
		WithSketchRows(int64(n)), WithSeed(1))
	wantStatus(t, err, ErrNoConvergence, "lost rank")
	if x != nil || len(rep.Ints)+len(rep.Floats) != 0 {
		t.Fatalf("x %v, report %v", x, rep)
	}
}
