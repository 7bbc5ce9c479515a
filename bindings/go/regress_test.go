package quarry

import (
	"errors"
	"math"
	"math/rand"
	"strings"
	"testing"
)

// outlierProblem is a 3000 x 8 Gaussian A (row-major), true coefficients x0, and
// b = A x0 + N(0, noise^2), with 10% of the entries of b (every tenth) moved by +-50.
func outlierProblem(seed int64, noise float64) (Dense, []float64, []float64) {
	const m, n = 3000, 8
	rng := rand.New(rand.NewSource(seed))
	a := NewDense(m, n, false)
	for i := range a.Data {
		a.Data[i] = rng.NormFloat64()
	}
	x0 := make([]float64, n)
	for j := range x0 {
		x0[j] = rng.NormFloat64()
	}
	b := matVec(a, x0)
	for i := range b {
		b[i] += noise * rng.NormFloat64()
		if i%10 == 3 {
			b[i] += 50 * float64(2*rng.Intn(2)-1)
		}
	}
	return a, b, x0
}

// maxAbsDiff is max_j |x_j - y_j|.
func maxAbsDiff(x, y []float64) float64 {
	if len(x) != len(y) {
		return math.Inf(1)
	}
	d := 0.0
	for j := range x {
		d = math.Max(d, math.Abs(x[j]-y[j]))
	}
	return d
}

// huberStationarity is ||A^T clip(r, -t, t) - 2 lambda x|| / (||A||_F ||clip(r)|| +
// 2 lambda ||x||) with r = b - A x and t = epsilon sigma: zero at the minimum of
// sum rho(r_i) + lambda ||x||^2, and at the x of the concomitant minimum (whose gradient
// in x is 2 A^T clip(r / sigma, -epsilon, epsilon)).
func huberStationarity(a Dense, b, x []float64, t, lambda float64) float64 {
	ax := matVec(a, x)
	g := make([]float64, a.Cols)
	var frob, psi, xn float64
	for i := 0; i < a.Rows; i++ {
		p := math.Max(-t, math.Min(t, b[i]-ax[i]))
		psi += p * p
		for j := 0; j < a.Cols; j++ {
			g[j] += a.At(i, j) * p
			frob += a.At(i, j) * a.At(i, j)
		}
	}
	var gn float64
	for j := range g {
		d := g[j] - 2*lambda*x[j]
		gn += d * d
		xn += x[j] * x[j]
	}
	return math.Sqrt(gn) / (math.Sqrt(frob*psi) + 2*lambda*math.Sqrt(xn))
}

// huberObjective is the objective quarry_huber_f64 minimizes: sum rho(r_i) +
// lambda ||x||^2 with a fixed scale, m sigma + sum H(r_i / sigma) sigma + lambda ||x||^2
// with an estimated one (fixed false), and the number of |r_i| > epsilon sigma.
func huberObjective(a Dense, b, x []float64, epsilon, sigma, lambda float64, fixed bool) (float64, int64) {
	ax := matVec(a, x)
	var f float64
	var outliers int64
	t := epsilon * sigma
	for i, v := range ax {
		r := math.Abs(b[i] - v)
		if r > t {
			outliers++
		}
		switch {
		case fixed && r <= t:
			f += r * r / 2
		case fixed:
			f += t*r - t*t/2
		case r <= t:
			f += sigma + r*r/sigma
		default:
			f += sigma + 2*epsilon*r - epsilon*epsilon*sigma
		}
	}
	for _, v := range x {
		f += lambda * v * v
	}
	return f, outliers
}

func TestHuberIgnoresOutliersThatMoveLeastSquares(t *testing.T) {
	const noise, epsilon = 0.05, 1.35
	a, b, x0 := outlierProblem(11, noise)
	ctx, err := NewContext()
	if err != nil {
		t.Fatal(err)
	}
	defer ctx.Close()
	x, sigma, rep, err := Huber(ctx, a, b, epsilon)
	if err != nil {
		t.Fatal(err)
	}
	ls, _, err := Lstsq(ctx, a, b)
	if err != nil {
		t.Fatal(err)
	}
	dh, dl := maxAbsDiff(x, x0), maxAbsDiff(ls, x0)
	if dh > 0.01 || dl < 5*0.01 {
		t.Errorf("Huber is %.2e from the true coefficients, least squares %.2e", dh, dl)
	}
	if sigma < noise/2 || sigma > 2*noise {
		t.Errorf("estimated scale %g for noise %g", sigma, noise)
	}
	f, outliers := huberObjective(a, b, x, epsilon, sigma, 0, false)
	if rep.Ints[ReportOutliers] != outliers || outliers < 300 || rep.Ints[ReportIterations] < 1 ||
		math.Abs(rep.Floats[ReportObjective]-f) > 1e-9*f {
		t.Errorf("report %v; objective %g and %d outliers recomputed", rep, f, outliers)
	}
	if r := residual(a, x, b); math.Abs(rep.Floats[ReportResidualNorm]-r) > 1e-9*r {
		t.Errorf("report's residual norm %g, recomputed %g", rep.Floats[ReportResidualNorm], r)
	}
	if _, ok := rep.Floats[ReportSeconds]; !ok {
		t.Errorf("report %v has no seconds", rep)
	}

	// Tolerance 0 iterates until no step lowers the objective in floating point, where the
	// optimality conditions hold: A^T clip(r, -t, t) = 0 with t = epsilon sigma, and
	// d/dsigma = m - sum_inside (r / sigma)^2 - epsilon^2 outliers = 0. Only up to the
	// resolution of the objective, though: it is dominated by the outliers' 2 epsilon |r|
	// (about 4e4 here), whose rounding hides changes in x and sigma of about 1e-8, which
	// leaves gradients of about 1e-7 relative (observed up to 3e-8 and 3e-7 over 60
	// problems like this one). The default tolerance stops within 1e-12 of the minimum.
	xm, sm, repm, err := Huber(ctx, a, b, epsilon, WithTolerance(0))
	if err != nil {
		t.Fatal(err)
	}
	if fm := repm.Floats[ReportObjective]; math.Abs(rep.Floats[ReportObjective]-fm) > 1e-10*fm {
		t.Errorf("objective %.17g at the default tolerance, %.17g at tolerance 0",
			rep.Floats[ReportObjective], fm)
	}
	if s := huberStationarity(a, b, xm, epsilon*sm, 0); s > 1e-6 {
		t.Errorf("concomitant fit: A^T clip(r) is %.1e relative", s)
	}
	ds := float64(a.Rows)
	for i, v := range matVec(a, xm) {
		if z := (b[i] - v) / sm; math.Abs(z) <= epsilon {
			ds -= z * z
		} else {
			ds -= epsilon * epsilon
		}
	}
	if math.Abs(ds) > 1e-5*float64(a.Rows) {
		t.Errorf("concomitant fit: the derivative in sigma is %g", ds)
	}
}

func TestHuberFixedScaleMeetsTheOptimalityCondition(t *testing.T) {
	a, b, x0 := outlierProblem(12, 0.05)
	const epsilon, scale = 1.35, 0.05
	for _, lambda := range []float64{0, 3} {
		opts := []Option{WithHuberScale(scale)}
		if lambda > 0 {
			opts = append(opts, WithRidge(lambda))
		}
		x, sigma, rep, err := Huber(nil, a, b, epsilon, append(opts, WithTolerance(0))...)
		if err != nil {
			t.Fatalf("lambda %g: %v", lambda, err)
		}
		if sigma != scale {
			t.Errorf("lambda %g: sigma %g, want the fixed %g", lambda, sigma, scale)
		}
		// The gradient of sum rho(r_i) + lambda ||x||^2: A^T clip(r, -t, t) = 2 lambda x.
		if s := huberStationarity(a, b, x, epsilon*scale, lambda); s > 1e-9 {
			t.Errorf("lambda %g: A^T clip(r, -t, t) - 2 lambda x is %.1e relative", lambda, s)
		}
		f, outliers := huberObjective(a, b, x, epsilon, scale, lambda, true)
		if rep.Ints[ReportOutliers] != outliers || math.Abs(rep.Floats[ReportObjective]-f) > 1e-9*f {
			t.Errorf("lambda %g: report %v; objective %g and %d outliers recomputed", lambda, rep,
				f, outliers)
		}
		if lambda == 0 && maxAbsDiff(x, x0) > 0.01 {
			t.Errorf("fixed scale is %.2e from the true coefficients", maxAbsDiff(x, x0))
		}
		// At the default tolerance: the same minimum, to 1e-10 in the objective.
		_, _, repd, err := Huber(nil, a, b, epsilon, opts...)
		if fd := repd.Floats[ReportObjective]; err != nil || math.Abs(fd-f) > 1e-10*f {
			t.Errorf("lambda %g, default tolerance: objective %.17g vs %.17g (%v)", lambda, fd, f, err)
		}
	}
	// Below 1, epsilon is refused for an estimated scale only.
	if _, _, _, err := Huber(nil, a, b, 0.9, WithHuberScale(scale)); err != nil {
		t.Errorf("epsilon 0.9 with a fixed scale: %v", err)
	}
}

func TestHuberLayoutsAndStridesAgree(t *testing.T) {
	a, b, _ := outlierProblem(13, 0.1)
	// A fixed scale makes the objective piecewise quadratic in x: its Newton steps are
	// exact, so the layouts agree to rounding. The concomitant objective is resolved only to
	// about 1e-8 in x and sigma (see above), and the layouts' different rounding may end
	// the iteration one step apart (observed up to 1.1e-7 over 80 problems like this one).
	for _, tc := range []struct {
		opts []Option
		tol  float64
	}{{[]Option{WithHuberScale(0.2), WithRidge(0.5)}, 1e-10}, {nil, 1e-6}} {
		want, wantSigma, _, err := Huber(nil, a, b, 1.5, tc.opts...)
		if err != nil {
			t.Fatal(err)
		}
		for name, m := range map[string]Dense{"column-major": a.inLayout(true),
			"row-major stride": strided(a, false, 3), "column-major stride": strided(a, true, 5)} {
			x, sigma, _, err := Huber(nil, m, b, 1.5, tc.opts...)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if d := relDiff(x, want); d > tc.tol || math.Abs(sigma-wantSigma) > tc.tol*wantSigma {
				t.Errorf("%s, %d options: x differs by %.1e, sigma %.17g vs %.17g", name,
					len(tc.opts), d, sigma, wantSigma)
			}
		}
	}
}

func TestHuberErrors(t *testing.T) {
	a, b, _ := outlierProblem(14, 0.05)
	_, _, _, err := Huber(nil, a, b, 0.9)
	wantStatus(t, err, ErrInvalidArgument, "epsilon")
	_, _, _, err = Huber(nil, a, b, 1.35, WithHuberScale(-1))
	wantStatus(t, err, ErrInvalidArgument, "QUARRY_OPT_HUBER_SCALE = -1")
	_, _, _, err = Huber(nil, a, b[1:], 1.35)
	wantStatus(t, err, ErrBadDimension, "b has")
	short := a
	short.Data = a.Data[:len(a.Data)-1]
	_, _, _, err = Huber(nil, short, b, 1.35)
	wantStatus(t, err, ErrBadDimension, "a.Data")
	nan := append([]float64(nil), b...)
	nan[5] = math.NaN()
	x, sigma, _, err := Huber(nil, a, nan, 1.35)
	wantStatus(t, err, ErrNonfinite, "b[5, 0]")
	if x != nil || sigma != 0 {
		t.Errorf("x %v and sigma %g beside %v", x, sigma, err)
	}

	// The iteration limit: the last iterate, its scale and the report come with the error.
	x, sigma, rep, err := Huber(nil, a, b, 1.35, WithMaxIterations(1), WithTolerance(0))
	wantStatus(t, err, ErrNoConvergence, "")
	if len(x) != a.Cols || !(sigma > 0) || rep.Ints[ReportIterations] != 1 {
		t.Fatalf("x %v, sigma %g, report %v", x, sigma, rep)
	}
	if _, ok := rep.Floats[ReportObjective]; !ok {
		t.Errorf("report %v has no objective", rep)
	}
	if _, ok := rep.Ints[ReportOutliers]; !ok {
		t.Errorf("report %v has no outlier count", rep)
	}
}

// ---- l_p regression ----

// lpProblem is an m x n Gaussian A (row-major) and b = A x0 + N(0, 0.1^2), with every
// tenth entry of b moved by N(0, 20^2).
func lpProblem(seed int64, m, n int) (Dense, []float64) {
	rng := rand.New(rand.NewSource(seed))
	a := NewDense(m, n, false)
	for i := range a.Data {
		a.Data[i] = rng.NormFloat64()
	}
	x0 := make([]float64, n)
	for j := range x0 {
		x0[j] = rng.NormFloat64()
	}
	b := matVec(a, x0)
	for i := range b {
		b[i] += 0.1 * rng.NormFloat64()
		if i%10 == 0 {
			b[i] += 20 * rng.NormFloat64()
		}
	}
	return a, b
}

// lpObjective is sum_i |b_i - a_i^T x|^p.
func lpObjective(a Dense, b, x []float64, p float64) float64 {
	var f float64
	for i, v := range matVec(a, x) {
		f += math.Pow(math.Abs(b[i]-v), p)
	}
	return f
}

func TestLpRegressionAtOneReachesTheBruteForceOptimum(t *testing.T) {
	for _, seed := range []int64{21, 22, 23} {
		a, b := lpProblem(seed, 60, 2)
		// Some l_1 optimum fits n = 2 rows exactly: the best of all two-row interpolants
		// (Cramer's rule) is the minimum.
		best := math.Inf(1)
		for i := 0; i < a.Rows; i++ {
			for k := i + 1; k < a.Rows; k++ {
				det := a.At(i, 0)*a.At(k, 1) - a.At(i, 1)*a.At(k, 0)
				if math.Abs(det) < 1e-12 {
					continue
				}
				x := []float64{(b[i]*a.At(k, 1) - a.At(i, 1)*b[k]) / det,
					(a.At(i, 0)*b[k] - b[i]*a.At(k, 0)) / det}
				best = math.Min(best, lpObjective(a, b, x, 1))
			}
		}
		for _, method := range []LstsqMethod{MethodGramPrecondition, MethodSketchPrecondition} {
			x, rep, err := LpRegression(nil, a, b, 1, WithMethod(method))
			if err != nil {
				t.Fatalf("seed %d, method %d: %v", seed, method, err)
			}
			f := lpObjective(a, b, x, 1)
			if math.Abs(f-best) > 1e-12*best || math.Abs(rep.Floats[ReportObjective]-best) > 1e-12*best {
				t.Errorf("seed %d, method %d: objective %.17g (reported %.17g), minimum %.17g",
					seed, method, f, rep.Floats[ReportObjective], best)
			}
			if g, ok := rep.Floats[ReportDualGap]; !ok || g > 1e-10 {
				t.Errorf("seed %d, method %d: report %v", seed, method, rep)
			}
			if LstsqMethod(rep.Ints[ReportMethod]) != method {
				t.Errorf("seed %d: method %d asked, %d reported", seed, method, rep.Ints[ReportMethod])
			}
		}
	}
}

func TestLpRegressionCertifiesItsGap(t *testing.T) {
	a, b := lpProblem(24, 2000, 6)
	for _, p := range []float64{1.5, 3} {
		// The tightest objective the solver finds, and its own gap.
		_, tight, err := LpRegression(nil, a, b, p, WithTolerance(0))
		if err != nil {
			t.Fatalf("p %g, tolerance 0: %v", p, err)
		}
		for _, method := range []LstsqMethod{MethodAuto, MethodGramPrecondition, MethodSketchPrecondition} {
			x, rep, err := LpRegression(nil, a, b, p, WithMethod(method))
			if err != nil {
				t.Fatalf("p %g, method %d: %v", p, method, err)
			}
			f, gap := lpObjective(a, b, x, p), rep.Floats[ReportDualGap]
			if math.Abs(rep.Floats[ReportObjective]-f) > 1e-12*f || !(gap >= 0 && gap <= 1e-10) {
				t.Errorf("p %g, method %d: report %v, objective %.17g recomputed", p, method, rep, f)
			}
			// The gap bounds the excess over the tightest objective found (its gap aside).
			if ex := (f - tight.Floats[ReportObjective]) / f; ex > gap+tight.Floats[ReportDualGap]+1e-14 {
				t.Errorf("p %g, method %d: %.1e above the minimum, gap %.1e", p, method, ex, gap)
			}
			if r := residual(a, x, b); math.Abs(rep.Floats[ReportResidualNorm]-r) > 1e-9*r {
				t.Errorf("p %g: report's residual norm %g, recomputed %g", p, rep.Floats[ReportResidualNorm], r)
			}
			if rep.Ints[ReportIterations] < 1 {
				t.Errorf("p %g: report %v", p, rep)
			}
			if _, ok := rep.Floats[ReportSeconds]; !ok {
				t.Errorf("report %v has no seconds", rep)
			}
		}
	}
}

func TestLpRegressionLayoutsAgreeAndTwoIsLeastSquares(t *testing.T) {
	a, b := lpProblem(25, 1500, 5)
	for _, p := range []float64{1, 1.5, 4} {
		want, wrep, err := LpRegression(nil, a, b, p)
		if err != nil {
			t.Fatal(err)
		}
		for name, m := range map[string]Dense{"column-major": a.inLayout(true),
			"row-major stride": strided(a, false, 3), "column-major stride": strided(a, true, 5)} {
			x, rep, err := LpRegression(nil, m, b, p)
			if err != nil {
				t.Fatalf("p %g, %s: %v", p, name, err)
			}
			f, wf := rep.Floats[ReportObjective], wrep.Floats[ReportObjective]
			if maxAbsDiff(x, want) > 1e-6 || math.Abs(f-wf) > 1e-10*wf {
				t.Errorf("p %g, %s: x differs by %.1e, objective %.17g vs %.17g", p, name,
					maxAbsDiff(x, want), f, wf)
			}
		}
	}
	x, _, err := LpRegression(nil, a, b, 2)
	if err != nil {
		t.Fatal(err)
	}
	ls, _, err := Lstsq(nil, a, b)
	if err != nil {
		t.Fatal(err)
	}
	for j := range ls {
		if math.Abs(x[j]-ls[j]) > 1e-10*(1+math.Abs(ls[j])) {
			t.Errorf("p = 2: x %v, least squares %v", x, ls)
			break
		}
	}
}

func TestLpRegressionErrors(t *testing.T) {
	a, b := lpProblem(26, 500, 4)
	for _, p := range []float64{0.5, 0, -1, math.NaN(), math.Inf(1)} {
		x, _, err := LpRegression(nil, a, b, p)
		wantStatus(t, err, ErrInvalidArgument, "p = ")
		if x != nil {
			t.Errorf("p %g: x %v beside %v", p, x, err)
		}
	}
	for _, method := range []LstsqMethod{MethodDirect, MethodSketchSolve} {
		_, _, err := LpRegression(nil, a, b, 1, WithMethod(method))
		wantStatus(t, err, ErrInvalidArgument, "QUARRY_LSTSQ_GRAM_PRECONDITION")
	}
	_, _, err := LpRegression(nil, a, b[1:], 1)
	wantStatus(t, err, ErrBadDimension, "b has")
	wide := Dense{Rows: 3, Cols: 4, Data: a.Data[:12]}
	_, _, err = LpRegression(nil, wide, b[:3], 1)
	wantStatus(t, err, ErrBadDimension, "m >= n")
	nan := append([]float64(nil), b...)
	nan[5] = math.NaN()
	_, _, err = LpRegression(nil, a, nan, 1)
	wantStatus(t, err, ErrNonfinite, "b[5, 0]")

	// The iteration limit: the last iterate and its report (with its gap) come with the error.
	x, rep, err := LpRegression(nil, a, b, 1, WithMaxIterations(3))
	wantStatus(t, err, ErrNoConvergence, "QUARRY_OPT_MAX_ITERATIONS")
	if len(x) != a.Cols || rep.Ints[ReportIterations] != 3 || !(rep.Floats[ReportDualGap] > 1e-10) {
		t.Fatalf("x %v, report %v", x, rep)
	}
	if f := lpObjective(a, b, x, 1); math.Abs(rep.Floats[ReportObjective]-f) > 1e-12*f {
		t.Errorf("report %v, objective %.17g recomputed", rep, f)
	}
}

// ---- active l_p regression ----

// activeProblem is an m x n Gaussian A (row-major) and b = A x0 + N(0, 0.1^2).
func activeProblem(seed int64, m, n int) (Dense, []float64) {
	rng := rand.New(rand.NewSource(seed))
	a := NewDense(m, n, false)
	for i := range a.Data {
		a.Data[i] = rng.NormFloat64()
	}
	x0 := make([]float64, n)
	for j := range x0 {
		x0[j] = rng.NormFloat64()
	}
	b := matVec(a, x0)
	for i := range b {
		b[i] += 0.1 * rng.NormFloat64()
	}
	return a, b
}

// labelsOf is a label oracle over a known b.
func labelsOf(b []float64) LabelOracle {
	return func(rows []int, labels []float64) error {
		for t, r := range rows {
			labels[t] = b[r]
		}
		return nil
	}
}

func TestActiveRegressionNearsTheFullFitFromItsBudget(t *testing.T) {
	const m, n, budget = 2000, 5, 100
	a, b := activeProblem(27, m, n)
	for _, p := range []float64{1, 2} {
		full, _, err := LpRegression(nil, a, b, p)
		if err != nil {
			t.Fatal(err)
		}
		best := math.Pow(lpObjective(a, b, full, p), 1/p)
		for seed := int64(0); seed < 3; seed++ {
			asked := make([]int, m)
			var kept [][]int
			batches := 0
			oracle := func(rows []int, labels []float64) error {
				batches++
				kept = append(kept, rows) // a copy: still valid after the call
				if len(labels) != len(rows) {
					return errors.New("as many labels as rows")
				}
				for t, r := range rows {
					if t > 0 && r <= rows[t-1] {
						return errors.New("rows not increasing")
					}
					asked[r]++
					labels[t] = b[r]
				}
				return nil
			}
			x, rep, err := ActiveRegression(nil, a, p, budget, oracle, WithSeed(seed))
			if err != nil {
				t.Fatalf("p %g, seed %d: %v", p, seed, err)
			}
			total := 0
			for i, k := range asked {
				if k > 1 {
					t.Errorf("p %g, seed %d: row %d asked %d times", p, seed, i, k)
				}
				total += k
			}
			if total != budget || rep.Ints[ReportQueries] != budget ||
				rep.Ints[ReportBatches] != int64(batches) || len(kept) != batches {
				t.Errorf("p %g, seed %d: %d labels in %d batches, report %v", p, seed, total, batches, rep)
			}
			if _, ok := rep.Floats[ReportOracleSeconds]; !ok || !(rep.Floats[ReportDualGap] <= 1e-10) ||
				!(rep.Floats[ReportObjective] > 0) {
				t.Errorf("p %g, seed %d: report %v", p, seed, rep)
			}
			if r := math.Pow(lpObjective(a, b, x, p), 1/p); r > 1.2*best {
				t.Errorf("p %g, seed %d: residual %g, %g with all labels", p, seed, r, best)
			}
			// The same seed asks the same rows: the same fit, in either layout.
			again, _, err := ActiveRegression(nil, a, p, budget, labelsOf(b), WithSeed(seed))
			if err != nil || maxAbsDiff(again, x) != 0 {
				t.Errorf("p %g, seed %d: another run differs (%v)", p, seed, err)
			}
			col, _, err := ActiveRegression(nil, strided(a, true, 2), p, budget, labelsOf(b),
				WithSeed(seed))
			if err != nil || relDiff(col, x) > 1e-8 {
				t.Errorf("p %g, seed %d: column-major with a stride differs (%v)", p, seed, err)
			}
		}
	}
}

func TestActiveRegressionErrors(t *testing.T) {
	const m, n = 300, 3
	a, b := activeProblem(28, m, n)
	errDown := errors.New("the lab is closed")
	for name, tc := range map[string]struct {
		labels LabelOracle
		check  func(error) bool
	}{
		"error": {func([]int, []float64) error { return errDown },
			func(err error) bool { return errors.Is(err, errDown) }},
		"panic with a value": {func([]int, []float64) error { panic("kaboom") },
			func(err error) bool { return strings.Contains(err.Error(), "panicked: kaboom") }},
		"panic with an error": {func([]int, []float64) error { panic(&boomError{"y"}) },
			func(err error) bool { var e *boomError; return errors.As(err, &e) && e.what == "y" }},
	} {
		x, _, err := ActiveRegression(nil, a, 1, 30, tc.labels)
		var qerr *Error
		if x != nil || !errors.Is(err, ErrOracle) || !errors.As(err, &qerr) || qerr.Err == nil ||
			!tc.check(err) {
			t.Errorf("%s: x %v, error %v", name, x, err)
		}
	}
	// A NaN label: the library refuses it; no Go cause.
	_, _, err := ActiveRegression(nil, a, 1, 30, func(rows []int, labels []float64) error {
		labels[0] = math.NaN()
		return nil
	})
	wantStatus(t, err, ErrOracle, "")
	if errors.Unwrap(err) != nil {
		t.Errorf("a NaN label has the cause %v", errors.Unwrap(err))
	}
	_, _, err = ActiveRegression(nil, a, 1, 30, nil)
	wantStatus(t, err, ErrNullPointer, "label oracle")
	// p and the budget out of range: refused before any label is asked.
	asked := 0
	counting := func([]int, []float64) error { asked++; return nil }
	for _, c := range []struct {
		p      float64
		budget int
	}{{0.5, 30}, {math.NaN(), 30}, {1, n - 1}, {1, m + 1}} {
		_, _, err := ActiveRegression(nil, a, c.p, c.budget, counting)
		wantStatus(t, err, ErrInvalidArgument, "")
	}
	if asked != 0 {
		t.Errorf("%d batches asked for refused arguments", asked)
	}
	_, _, err = ActiveRegression(nil, Dense{Rows: 2, Cols: n, Data: a.Data[:2*n]}, 1, 2, labelsOf(b))
	wantStatus(t, err, ErrBadDimension, "m >= n")
	// The fit's iteration limit: the last iterate and the report come with the error.
	x, rep, err := ActiveRegression(nil, a, 1, 30, labelsOf(b), WithMaxIterations(1))
	wantStatus(t, err, ErrNoConvergence, "QUARRY_OPT_MAX_ITERATIONS")
	if len(x) != n || rep.Ints[ReportQueries] != 30 || rep.Ints[ReportIterations] != 1 {
		t.Errorf("x %v, report %v", x, rep)
	}
	// Approximate Lewis weights, column-major A with a stride.
	x, rep, err = ActiveRegression(nil, strided(a, true, 2), 1.5, 60, labelsOf(b),
		WithLeverageApprox(), WithSeed(4))
	if err != nil || len(x) != n || rep.Ints[ReportQueries] != 60 {
		t.Errorf("approximate, column-major: x %v, report %v, %v", x, rep, err)
	}
}

// ---- Kronecker regression ----

// gaussianDense is an r x c row-major matrix of N(0, 1) entries.
func gaussianDense(rng *rand.Rand, r, c int) Dense {
	a := NewDense(r, c, false)
	for i := range a.Data {
		a.Data[i] = rng.NormFloat64()
	}
	return a
}

// kronProduct is the explicit Kronecker product A_1 (x) ... (x) A_N, row-major.
func kronProduct(factors ...Dense) Dense {
	k := Dense{Rows: 1, Cols: 1, Data: []float64{1}}
	for _, f := range factors {
		next := NewDense(k.Rows*f.Rows, k.Cols*f.Cols, false)
		for i := 0; i < k.Rows; i++ {
			for j := 0; j < k.Cols; j++ {
				for r := 0; r < f.Rows; r++ {
					for c := 0; c < f.Cols; c++ {
						next.Data[next.index(i*f.Rows+r, j*f.Cols+c)] = k.At(i, j) * f.At(r, c)
					}
				}
			}
		}
		k = next
	}
	return k
}

// transposed is A^T of a packed A, over the same data.
func transposed(a Dense) Dense {
	return Dense{Rows: a.Cols, Cols: a.Rows, Data: a.Data, ColMajor: !a.ColMajor}
}

func TestKroneckerRegressionExactMatchesTheExplicitProduct(t *testing.T) {
	rng := rand.New(rand.NewSource(81))
	a1, a2 := gaussianDense(rng, 7, 3), gaussianDense(rng, 5, 2)
	k := kronProduct(a1, a2) // 35 x 6
	b := make([]float64, k.Rows)
	for i := range b {
		b[i] = rng.NormFloat64()
	}
	for _, lambda := range []float64{0, 0.5} {
		want := normalSolve(k, b, lambda)
		// The second factor column-major with a stride: the same problem.
		for name, factors := range map[string][]Dense{
			"row-major":               {a1, a2},
			"column-major, strided":   {a1, strided(a2, true, 3)},
			"explicitly MethodDirect": {a1, a2},
		} {
			opts := []Option{WithRidge(lambda)}
			if name == "explicitly MethodDirect" {
				opts = append(opts, WithMethod(MethodDirect))
			}
			x, rep, err := KroneckerRegression(nil, factors, b, opts...)
			if err != nil {
				t.Fatalf("lambda %g, %s: %v", lambda, name, err)
			}
			if d := relDiff(x, want); d > 1e-10 {
				t.Errorf("lambda %g, %s: x differs from the explicit ridge solve by %g", lambda, name, d)
			}
			r := residual(k, x, b)
			var xx float64
			for _, v := range x {
				xx += v * v
			}
			if rep.Ints[ReportMethod] != int64(MethodDirect) || rep.Ints[ReportQueries] != int64(k.Rows) ||
				math.Abs(rep.Floats[ReportResidualNorm]-r) > 1e-8*r ||
				math.Abs(rep.Floats[ReportObjective]-(r*r+lambda*xx)) > 1e-8*r*r {
				t.Errorf("lambda %g, %s: residual %g, report %v", lambda, name, r, rep)
			}
		}
	}
}

func TestKroneckerMultiplyMatchesTheExplicitProduct(t *testing.T) {
	rng := rand.New(rand.NewSource(82))
	factors := []Dense{gaussianDense(rng, 2, 3), strided(gaussianDense(rng, 3, 2), true, 1),
		gaussianDense(rng, 2, 4)}
	k := kronProduct(factors...) // 12 x 24
	x := make([]float64, k.Cols)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	y, err := KroneckerMultiply(nil, factors, false, x)
	if err != nil || relDiff(y, matVec(k, x)) > 1e-13 {
		t.Errorf("K x: %v, %v", relDiff(y, matVec(k, x)), err)
	}
	z := make([]float64, k.Rows)
	for i := range z {
		z[i] = rng.NormFloat64()
	}
	yt, err := KroneckerMultiply(nil, factors, true, z)
	if want := matVec(transposed(k), z); err != nil || relDiff(yt, want) > 1e-13 {
		t.Errorf("K^T z: %v, %v", relDiff(yt, want), err)
	}
}

// kronProblem is N = 2 Gaussian factors (60 x 4, 50 x 3), their explicit product K, and
// b = K x0 + N(0, 0.1^2).
func kronProblem(seed int64) ([]Dense, Dense, []float64) {
	rng := rand.New(rand.NewSource(seed))
	factors := []Dense{gaussianDense(rng, 60, 4), gaussianDense(rng, 50, 3)}
	k := kronProduct(factors...)
	x0 := make([]float64, k.Cols)
	for j := range x0 {
		x0[j] = rng.NormFloat64()
	}
	b := matVec(k, x0)
	for i := range b {
		b[i] += 0.1 * rng.NormFloat64()
	}
	return factors, k, b
}

func TestKroneckerRegressionSampledFromBAndFromLabelsAgree(t *testing.T) {
	factors, k, b := kronProblem(83)
	exact, _, err := KroneckerRegression(nil, factors, b, WithRidge(1e-3))
	if err != nil {
		t.Fatal(err)
	}
	best := residual(k, exact, b)
	for seed := int64(0); seed < 3; seed++ {
		opts := []Option{WithMethod(MethodSketchSolve), WithSketchRows(400), WithSeed(seed),
			WithRidge(1e-3)}
		fromB, rep, err := KroneckerRegression(nil, factors, b, opts...)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		if rep.Ints[ReportMethod] != int64(MethodSketchSolve) || rep.Ints[ReportSketchRows] != 400 ||
			!(rep.Ints[ReportQueries] > 0 && rep.Ints[ReportQueries] <= 400) {
			t.Errorf("seed %d: report %v", seed, rep)
		}
		if r := residual(k, fromB, b); r > 1.1*best {
			t.Errorf("seed %d: residual %g, %g exactly", seed, r, best)
		}
		asked := map[int]int{}
		batches := 0
		oracle := func(rows []int, labels []float64) error {
			batches++
			if len(labels) != len(rows) || len(rows) > 4096 {
				return errors.New("a batch of the wrong size")
			}
			for t, r := range rows {
				if (t > 0 && r <= rows[t-1]) || r < 0 || r >= len(b) {
					return errors.New("rows not increasing or out of range")
				}
				asked[r]++
				labels[t] = b[r]
			}
			return nil
		}
		fromLabels, repL, err := KroneckerRegressionLabels(nil, factors, oracle, opts...)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		if maxAbsDiff(fromLabels, fromB) != 0 {
			t.Errorf("seed %d: labels give %v, b gives %v", seed, fromLabels, fromB)
		}
		for r, n := range asked {
			if n > 1 {
				t.Errorf("seed %d: row %d asked %d times", seed, r, n)
			}
		}
		if repL.Ints[ReportQueries] != int64(len(asked)) || repL.Ints[ReportQueries] != rep.Ints[ReportQueries] ||
			repL.Ints[ReportBatches] != int64(batches) {
			t.Errorf("seed %d: %d labels in %d batches, report %v", seed, len(asked), batches, repL)
		}
		if _, ok := repL.Floats[ReportOracleSeconds]; !ok {
			t.Errorf("seed %d: report %v", seed, repL)
		}
		// Without a method, labels use the sampled solver: the same fit.
		again, _, err := KroneckerRegressionLabels(nil, factors, labelsOf(b), opts[1:]...)
		if err != nil || maxAbsDiff(again, fromB) != 0 {
			t.Errorf("seed %d: the default method differs (%v)", seed, err)
		}
	}
}

func TestKroneckerRegressionErrors(t *testing.T) {
	factors, _, b := kronProblem(84)
	sampled := WithMethod(MethodSketchSolve)
	errDown := errors.New("the simulation is down")
	for name, tc := range map[string]struct {
		labels LabelOracle
		check  func(error) bool
	}{
		"error": {func([]int, []float64) error { return errDown },
			func(err error) bool { return errors.Is(err, errDown) }},
		"panic with a value": {func([]int, []float64) error { panic("kaboom") },
			func(err error) bool { return strings.Contains(err.Error(), "panicked: kaboom") }},
	} {
		x, _, err := KroneckerRegressionLabels(nil, factors, tc.labels)
		var qerr *Error
		if x != nil || !errors.Is(err, ErrOracle) || !errors.As(err, &qerr) || qerr.Err == nil ||
			!tc.check(err) {
			t.Errorf("%s: x %v, error %v", name, x, err)
		}
	}
	// A NaN label: the library refuses it; no Go cause.
	_, _, err := KroneckerRegressionLabels(nil, factors, func(rows []int, labels []float64) error {
		labels[0] = math.NaN()
		return nil
	})
	wantStatus(t, err, ErrOracle, "")
	if errors.Unwrap(err) != nil {
		t.Errorf("a NaN label has the cause %v", errors.Unwrap(err))
	}
	_, _, err = KroneckerRegressionLabels(nil, factors, nil)
	wantStatus(t, err, ErrNullPointer, "label oracle")
	// The exact solver reads all of b: refused with labels, before any label is asked.
	asked := 0
	counting := func([]int, []float64) error { asked++; return nil }
	_, _, err = KroneckerRegressionLabels(nil, factors, counting, WithMethod(MethodDirect))
	wantStatus(t, err, ErrInvalidArgument, "QUARRY_LSTSQ_SKETCH_SOLVE")
	if asked != 0 {
		t.Errorf("%d batches asked for a refused method", asked)
	}
	// Bad arguments.
	_, _, err = KroneckerRegression(nil, factors, b[1:])
	wantStatus(t, err, ErrBadDimension, "b has")
	_, _, err = KroneckerRegression(nil, nil, b)
	wantStatus(t, err, ErrBadDimension, "no factors")
	_, _, err = KroneckerRegression(nil, []Dense{factors[0], {Rows: 50, Cols: 3, Data: factors[1].Data[:100]}}, b)
	wantStatus(t, err, ErrBadDimension, "factors[1].Data")
	_, _, err = KroneckerRegression(nil, []Dense{factors[0], {Rows: 0, Cols: 3}}, nil)
	wantStatus(t, err, ErrBadDimension, "factor 1")
	_, _, err = KroneckerRegression(nil, factors, b, WithMethod(MethodGramPrecondition))
	wantStatus(t, err, ErrInvalidArgument, "QUARRY_LSTSQ_SKETCH_SOLVE")
	bad := NewDense(50, 3, false)
	copy(bad.Data, factors[1].Data)
	bad.Data[7] = math.NaN()
	_, _, err = KroneckerRegression(nil, []Dense{factors[0], bad}, b)
	wantStatus(t, err, ErrNonfinite, "factors[1]")
	_, err = KroneckerMultiply(nil, factors, false, b)
	wantStatus(t, err, ErrBadDimension, "x has")
	_, err = KroneckerMultiply(nil, factors, true, b[:12])
	wantStatus(t, err, ErrBadDimension, "x has")
	nan := make([]float64, 12)
	nan[3] = math.NaN()
	_, err = KroneckerMultiply(nil, factors, false, nan)
	wantStatus(t, err, ErrNonfinite, "")
	// The iteration limit: the last iterate and the report come with the error.
	x, rep, err := KroneckerRegression(nil, factors, b, sampled, WithMaxIterations(1),
		WithTolerance(1e-15))
	wantStatus(t, err, ErrNoConvergence, "QUARRY_OPT_MAX_ITERATIONS")
	if len(x) != 12 || rep.Ints[ReportIterations] != 1 {
		t.Errorf("x %v, report %v", x, rep)
	}
	for _, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Errorf("the last iterate %v is not finite", x)
			break
		}
	}
}
