package quarry

// #include <quarry.h>
import "C"

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
