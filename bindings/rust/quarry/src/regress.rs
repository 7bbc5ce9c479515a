//! Regression beyond least squares (quarry/regress.h): Huber, l_p regression, active l_p
//! regression and Kronecker ridge regression.

use crate::callback::Callback;
use crate::lstsq::{finish, rows_match, zeros, Dense, Layout};
use crate::sys;
use crate::{
    BoxError, Context, Error, Lewis, Lstsq, Method, Options, Report, Result, SketchKind, Solution,
};
use std::os::raw::c_void;
use std::ptr;

/// A Huber fit: the coefficients, the scale sigma and the report (objective, outliers,
/// iterations).
#[derive(Clone, Debug, PartialEq)]
pub struct HuberFit {
    pub x: Vec<f64>,
    pub scale: f64,
    pub report: Report,
}

/// Settings of a Huber regression (`quarry_huber_f64`): threshold epsilon (in units of the
/// scale) and, by default, the scale estimated with the coefficients (scikit-learn's
/// `HuberRegressor` objective). `Huber::new(1.35).fit(&mut ctx, a, &b)`.
#[derive(Clone, Debug)]
pub struct Huber {
    epsilon: f64,
    scale: Option<f64>,
    ridge: Option<f64>,
    tolerance: Option<f64>,
    max_iterations: Option<u64>,
}

impl Huber {
    /// Threshold `epsilon`: >= 1 with an estimated scale (1.35 is the usual choice), > 0
    /// with a fixed one.
    pub fn new(epsilon: f64) -> Huber {
        Huber { epsilon, scale: None, ridge: None, tolerance: None, max_iterations: None }
    }
    /// A fixed scale sigma > 0: the classic Huber loss with threshold epsilon sigma.
    pub fn scale(mut self, sigma: f64) -> Self {
        self.scale = Some(sigma);
        self
    }
    /// Ridge parameter lambda: adds lambda ||x||^2.
    pub fn ridge(mut self, lambda: f64) -> Self {
        self.ridge = Some(lambda);
        self
    }
    /// Relative distance of the objective to its minimum at which to stop (default 1e-12).
    pub fn tolerance(mut self, tolerance: f64) -> Self {
        self.tolerance = Some(tolerance);
        self
    }
    /// Newton iteration limit (default 100).
    pub fn max_iterations(mut self, n: u64) -> Self {
        self.max_iterations = Some(n);
        self
    }

    /// Fits b (A's rows) on the columns of A. On `NoConvergence` the error's
    /// [`Partial::Solution`](crate::Partial::Solution) holds the last iterate (its `x`) and
    /// the report.
    pub fn fit(&self, ctx: &mut Context, a: Dense<'_>, b: &[f64]) -> Result<HuberFit> {
        let (m, n) = a.shape();
        rows_match(m, b.len())?;
        let mut o = Options::new()?;
        o.f64(sys::QUARRY_OPT_HUBER_SCALE, self.scale)?;
        o.f64(sys::QUARRY_OPT_RIDGE, self.ridge)?;
        o.f64(sys::QUARRY_OPT_TOLERANCE, self.tolerance)?;
        o.u64(sys::QUARRY_OPT_MAX_ITERATIONS, self.max_iterations)?;
        let (mut x, mut scale, mut report) = (vec![0.0; n], 0.0, ptr::null_mut());
        let status = unsafe {
            sys::quarry_huber_f64(
                ctx.raw(),
                a.layout().raw(),
                m as i64,
                n as i64,
                a.data().as_ptr(),
                a.ld() as i64,
                b.as_ptr(),
                self.epsilon,
                x.as_mut_ptr(),
                &mut scale,
                o.raw(),
                &mut report,
            )
        };
        let sol = finish(ctx, status, (x, Layout::ColMajor, n, 1), report)?;
        Ok(HuberFit { x: sol.x, scale, report: sol.report })
    }
}

/// Settings of an l_p regression (`quarry_lp_regression_f64`): x minimizing
/// sum_i |b_i - a_i^T x|^p for p >= 1 (p = 1: least absolute deviations, the median
/// regression; p = 2: least squares), with A m x n, m >= n.
/// `LpRegression::new(1.0).fit(&mut ctx, a, &b)` returns a [`Solution`] whose report
/// holds `report_key::OBJECTIVE` (sum_i |r_i|^p at x) and `report_key::DUAL_GAP` (a bound
/// on the objective's relative distance to its minimum, certified by a dual point), with
/// `METHOD` (the preconditioner), `ITERATIONS` (Newton iterations), `RESIDUAL_NORM`
/// (||b - A x||_2) and `SECONDS`.
#[derive(Clone, Debug)]
pub struct LpRegression {
    p: f64,
    settings: Lstsq, // the method, tolerance, iteration limit and sketch; never a ridge
}

impl LpRegression {
    /// Exponent `p`: 1 <= p <= 100 (else `InvalidArgument`); Newton iterations grow with
    /// p (about 20 at p = 20).
    pub fn new(p: f64) -> LpRegression {
        LpRegression { p, settings: Lstsq::new() }
    }
    /// The preconditioner of the Newton systems (weighted least squares):
    /// [`Method::Auto`] (a cost model, the default), [`Method::GramPrecondition`] or
    /// [`Method::SketchPrecondition`]; any other method gives `InvalidArgument`.
    pub fn method(mut self, method: Method) -> Self {
        self.settings = self.settings.method(method);
        self
    }
    /// The duality gap at which to stop (default 1e-10; values below the certificate's own
    /// rounding, 8 p sqrt(m) 2^-52, count as that).
    pub fn tolerance(mut self, tolerance: f64) -> Self {
        self.settings = self.settings.tolerance(tolerance);
        self
    }
    /// Newton iteration limit (default 300).
    pub fn max_iterations(mut self, n: u64) -> Self {
        self.settings = self.settings.max_iterations(n);
        self
    }
    /// The kind of the preconditioner's sketch: sparse sign (the default), CountSketch or
    /// Gaussian (others give `InvalidArgument`: the weighted rows are sketched block by block).
    pub fn sketch_kind(mut self, kind: SketchKind) -> Self {
        self.settings = self.settings.sketch_kind(kind);
        self
    }
    /// The sketch's rows (default 4 n).
    pub fn sketch_rows(mut self, rows: u64) -> Self {
        self.settings = self.settings.sketch_rows(rows);
        self
    }
    /// Non-zeros per column of a sparse-sign sketch.
    pub fn sketch_nnz(mut self, nnz: u64) -> Self {
        self.settings = self.settings.sketch_nnz(nnz);
        self
    }
    /// Seed of the sketch's random stream (same seed, same result).
    pub fn seed(mut self, seed: u64) -> Self {
        self.settings = self.settings.seed(seed);
        self
    }

    /// Fits b (A's rows) on the columns of A. On `NoConvergence` (the iteration limit) the
    /// error's [`Partial::Solution`](crate::Partial::Solution) holds the last iterate and
    /// its report (objective and gap).
    pub fn fit(&self, ctx: &mut Context, a: Dense<'_>, b: &[f64]) -> Result<Solution> {
        let (m, n) = a.shape();
        rows_match(m, b.len())?;
        let o = self.settings.options()?;
        let (mut x, mut report) = (vec![0.0; n], ptr::null_mut());
        let status = unsafe {
            sys::quarry_lp_regression_f64(
                ctx.raw(),
                a.layout().raw(),
                m as i64,
                n as i64,
                a.data().as_ptr(),
                a.ld() as i64,
                b.as_ptr(),
                self.p,
                x.as_mut_ptr(),
                o.raw(),
                &mut report,
            )
        };
        finish(ctx, status, (x, Layout::ColMajor, n, 1), report)
    }
}

/// Settings of an active l_p regression (`quarry_active_regression_f64`): fit b ~ A x in
/// the l_p norm (p >= 1) reading only `budget` of the m labels b_i, where A is known in
/// full and each label is costly. The rows are drawn by A's l_p Lewis weights ([`Lewis`];
/// Musco, Musco, Woodruff and Yasuda, FOCS 2022), which keeps the rows that decide the fit
/// where uniformly drawn rows may miss them; the sampled, reweighted problem is then solved
/// as [`LpRegression`] does.
/// `ActiveRegression::new(1.0, 100).fit(&mut ctx, a, |rows, labels| ...)` returns a
/// [`Solution`] whose report holds `report_key::QUERIES` (labels read: the budget),
/// `BATCHES`, `ORACLE_SECONDS`, `ITERATIONS` (the fit's Newton iterations), `OBJECTIVE`
/// (the sample's estimate of sum_i |r_i|^p at x), `DUAL_GAP` (of the sampled problem) and
/// `SECONDS`.
#[derive(Clone, Debug)]
pub struct ActiveRegression {
    budget: usize,
    settings: Lewis, // p, the Lewis weights' leverage scores and seed; the fit's tolerance and limit
}

/// A user label oracle, as the trampoline sees it: labels for C's rows.
type Labels<'f> = dyn FnMut(&[i64], &mut [f64]) -> std::result::Result<(), BoxError> + 'f;

/// The `quarry_label_fn` of [`with_labels`]: asks the user's oracle for a batch.
unsafe extern "C" fn label_trampoline(
    count: i64,
    rows: *const i64,
    labels: *mut f64,
    user: *mut c_void,
) -> i32 {
    let k = count.max(0) as usize;
    let rows = if k == 0 { &[][..] } else { std::slice::from_raw_parts(rows, k) };
    let labels = if k == 0 { &mut [][..] } else { std::slice::from_raw_parts_mut(labels, k) };
    // SAFETY: `user` is the `Callback` that `with_labels` keeps alive for the whole C call, and
    // quarry calls the oracle only on the calling thread, one batch at a time.
    Callback::<Labels<'_>>::run(user, |oracle| oracle(rows, labels))
}

/// Runs `call`, a C regression given the label trampoline and its `user`, with the user's
/// label oracle `labels` (which sees the rows as indices); then resumes the oracle's panic,
/// or makes its error the source of the call's.
fn with_labels<F>(
    mut labels: F,
    call: impl FnOnce(sys::quarry_label_fn, *mut c_void) -> Result<Solution>,
) -> Result<Solution>
where
    F: FnMut(&[usize], &mut [f64]) -> std::result::Result<(), BoxError>,
{
    let mut batch = Vec::new(); // the rows as indices, reused from batch to batch
    let mut oracle = |rows: &[i64], out: &mut [f64]| {
        batch.clear();
        batch.extend(rows.iter().map(|&i| i as usize));
        labels(&batch, out)
    };
    let mut callback: Callback<'_, Labels<'_>> = Callback::new(&mut oracle);
    let result = call(Some(label_trampoline), callback.user_data());
    callback.conclude(result)
}

impl ActiveRegression {
    /// Exponent `p` (finite, >= 1) and `budget`, the labels to read (n <= budget <= the
    /// number of non-zero rows of A); either out of range gives `InvalidArgument`. The
    /// Lewis weights come from exact leverage scores.
    pub fn new(p: f64, budget: usize) -> ActiveRegression {
        ActiveRegression { budget, settings: Lewis::new(p) }
    }
    /// Lewis weights from sketched leverage scores (see [`Lewis::approximate`]).
    pub fn approximate(mut self) -> Self {
        self.settings = self.settings.approximate();
        self
    }
    /// The kind of the leverage scores' sketch (approximate scores).
    pub fn sketch_kind(mut self, kind: SketchKind) -> Self {
        self.settings = self.settings.sketch_kind(kind);
        self
    }
    /// The rows of the leverage scores' sketch (approximate scores).
    pub fn sketch_rows(mut self, rows: u64) -> Self {
        self.settings = self.settings.sketch_rows(rows);
        self
    }
    /// Seed of the sketch and of the sample of rows (same seed, same rows asked).
    pub fn seed(mut self, seed: u64) -> Self {
        self.settings = self.settings.seed(seed);
        self
    }
    /// The duality gap at which the fit stops (as [`LpRegression::tolerance`]).
    pub fn tolerance(mut self, tolerance: f64) -> Self {
        self.settings = self.settings.tolerance(tolerance);
        self
    }
    /// The fit's Newton iteration limit (default 300).
    pub fn max_iterations(mut self, n: u64) -> Self {
        self.settings = self.settings.max_iterations(n);
        self
    }

    /// Fits b ~ A x asking `labels` for `budget` of the b_i. The oracle gets a batch of at
    /// most 1024 rows of A (0-based indices, increasing; each row is asked once per fit)
    /// and writes their labels into `labels` (as many as rows). It is called on this
    /// thread only. Its error stops the fit and comes back as the source of an
    /// [`crate::ErrorKind::Oracle`] error (as does a NaN or infinite label, without a
    /// source); a panic in it resumes here after the C call returns. On `NoConvergence`
    /// (the Lewis weights' rounds or the fit's iterations) the error's
    /// [`Partial::Solution`](crate::Partial::Solution) holds the last iterate and the report.
    pub fn fit<F>(&self, ctx: &mut Context, a: Dense<'_>, labels: F) -> Result<Solution>
    where
        F: FnMut(&[usize], &mut [f64]) -> std::result::Result<(), BoxError>,
    {
        let (m, n) = a.shape();
        let o = self.settings.options()?;
        let budget = i64::try_from(self.budget).unwrap_or(i64::MAX);
        with_labels(labels, |oracle, user| {
            let (mut x, mut report) = (vec![0.0; n], ptr::null_mut());
            let status = unsafe {
                sys::quarry_active_regression_f64(
                    ctx.raw(),
                    a.layout().raw(),
                    m as i64,
                    n as i64,
                    a.data().as_ptr(),
                    a.ld() as i64,
                    self.settings.p(),
                    oracle,
                    user,
                    budget,
                    x.as_mut_ptr(),
                    o.raw(),
                    &mut report,
                )
            };
            finish(ctx, status, (x, Layout::ColMajor, n, 1), report)
        })
    }
}

/// Settings of a Kronecker ridge regression (`quarry_kronecker_regression_f64`): x
/// minimizing ||K x - b||^2 + lambda ||x||^2 for K = A_1 (x) ... (x) A_N, the Kronecker
/// product of N dense factors A_n (I_n x R_n), never formed.
///
/// b and x are row-major tensors: entry (i_1, ..., i_N) of b is
/// `b[((i_1 I_2 + i_2) I_3 + i_3) ...]`, the order in which K numbers its rows (x likewise
/// over R_1 x ... x R_N). For N = 2, K x = vec(A_1 X A_2^T) with X the R_1 x R_2
/// row-major matrix holding x. Two solvers ([`KroneckerRegression::method`]): the exact
/// one (the default) from the factors' SVDs, reading all of b, and the sampled one
/// (Fahrbach, Fu and Ghadiri, NeurIPS 2022): rows of K drawn by their leverage scores (the
/// products of the factors'), the sampled problem solved by preconditioned conjugate
/// gradients; it reads only the sampled entries of b, which
/// [`KroneckerRegression::solve_labels`] asks of an oracle instead.
/// `KroneckerRegression::new().ridge(1e-3).solve(&mut ctx, &[a1, a2], &b)` returns a
/// [`Solution`] whose report holds `report_key::METHOD`, `QUERIES` (entries of b read) and
/// `SECONDS`; exact: `OBJECTIVE` (||K x - b||^2 + lambda ||x||^2) and `RESIDUAL_NORM`
/// (||K x - b||); sampled: `SKETCH_ROWS` (draws) and `ITERATIONS`.
#[derive(Clone, Debug, Default)]
pub struct KroneckerRegression {
    settings: Lstsq, // the method, ridge, samples, seed, tolerance and iteration limit
}

/// The factors of a Kronecker product as the C calls take them: their one layout, sizes,
/// elements (valid while the factors are borrowed) and leading dimensions; and K's shape.
struct Kron {
    layout: Layout,
    rows: Vec<i64>,
    cols: Vec<i64>,
    data: Vec<*const f64>,
    ld: Vec<i64>,
    m: usize, // prod I_n
    n: usize, // prod R_n
}

impl Kron {
    /// Refuses factors of mixed layouts, and a K whose rows or columns overflow `usize`;
    /// the library checks the rest (1 to 64 factors, each at least 1 x 1).
    fn new(factors: &[Dense<'_>]) -> Result<Kron> {
        let layout = factors.first().map_or(Layout::RowMajor, |f| f.layout());
        if let Some(k) = factors.iter().position(|f| f.layout() != layout) {
            return Err(Error::new(
                sys::QUARRY_ERR_BAD_LAYOUT,
                format!("factor {k} is {:?} but factor 0 is {layout:?}", factors[k].layout()),
            ));
        }
        let shapes: Vec<(usize, usize)> = factors.iter().map(|f| f.shape()).collect();
        let product = |dim: fn(&(usize, usize)) -> usize| {
            shapes.iter().try_fold(1usize, |p, s| p.checked_mul(dim(s)))
        };
        let (m, n) = match (product(|s| s.0), product(|s| s.1)) {
            (Some(m), Some(n)) => (m, n),
            _ => {
                return Err(Error::new(
                    sys::QUARRY_ERR_SIZE_OVERFLOW,
                    "the Kronecker product has more than usize::MAX rows or columns",
                ))
            }
        };
        Ok(Kron {
            layout,
            rows: shapes.iter().map(|s| s.0 as i64).collect(),
            cols: shapes.iter().map(|s| s.1 as i64).collect(),
            data: factors.iter().map(|f| f.data().as_ptr()).collect(),
            ld: factors.iter().map(|f| f.ld() as i64).collect(),
            m,
            n,
        })
    }

    /// N (beyond `i32`, a count the library refuses).
    fn count(&self) -> i32 {
        i32::try_from(self.rows.len()).unwrap_or(i32::MAX)
    }

    /// `Ok` when the tensor `name` has the `want` entries K gives it.
    fn entries(name: &str, want: usize, got: usize) -> Result<()> {
        if want == got {
            return Ok(());
        }
        Err(Error::new(
            sys::QUARRY_ERR_BAD_DIMENSION,
            format!("{name} has {got} entries but the Kronecker product needs {want}"),
        ))
    }
}

impl KroneckerRegression {
    /// The defaults: the exact solver, no ridge.
    pub fn new() -> KroneckerRegression {
        KroneckerRegression::default()
    }
    /// The solver: [`Method::Auto`] (the default: exact for [`KroneckerRegression::solve`],
    /// sampled for [`KroneckerRegression::solve_labels`]), [`Method::Direct`] (exact) or
    /// [`Method::SketchSolve`] (sampled); any other method, or `Direct` with labels, gives
    /// `InvalidArgument`.
    pub fn method(mut self, method: Method) -> Self {
        self.settings = self.settings.method(method);
        self
    }
    /// Ridge parameter lambda >= 0 (default 0: the minimum-norm least-squares solution).
    pub fn ridge(mut self, lambda: f64) -> Self {
        self.settings = self.settings.ridge(lambda);
        self
    }
    /// Rows of K the sampled solver draws (default 50 times the statistical dimension of
    /// K, at least 100: about 2% excess loss).
    pub fn samples(mut self, samples: u64) -> Self {
        self.settings = self.settings.sketch_rows(samples);
        self
    }
    /// Seed of the sampled solver's draws (same seed, same rows, same x).
    pub fn seed(mut self, seed: u64) -> Self {
        self.settings = self.settings.seed(seed);
        self
    }
    /// The sampled solver's relative preconditioned residual at which to stop (default
    /// 1e-10).
    pub fn tolerance(mut self, tolerance: f64) -> Self {
        self.settings = self.settings.tolerance(tolerance);
        self
    }
    /// The sampled solver's conjugate-gradient iteration limit (default 100).
    pub fn max_iterations(mut self, n: u64) -> Self {
        self.settings = self.settings.max_iterations(n);
        self
    }

    /// Fits b (prod I_n values, the tensor above) with the Kronecker product of `factors`
    /// (all in one layout, else `BadLayout`); `x` holds prod R_n values. On `NoConvergence`
    /// (sampled) the error's [`Partial::Solution`](crate::Partial::Solution) holds the last
    /// iterate and the report.
    pub fn solve(&self, ctx: &mut Context, factors: &[Dense<'_>], b: &[f64]) -> Result<Solution> {
        let k = Kron::new(factors)?;
        Kron::entries("b", k.m, b.len())?;
        let o = self.settings.options()?;
        let (mut x, mut report) = (zeros(k.n, 1)?, ptr::null_mut());
        let status = unsafe {
            sys::quarry_kronecker_regression_f64(
                ctx.raw(),
                k.layout.raw(),
                k.count(),
                k.rows.as_ptr(),
                k.cols.as_ptr(),
                k.data.as_ptr(),
                k.ld.as_ptr(),
                b.as_ptr(),
                x.as_mut_ptr(),
                o.raw(),
                &mut report,
            )
        };
        finish(ctx, status, (x, Layout::ColMajor, k.n, 1), report)
    }

    /// The sampled solver with b asked of `labels` (`quarry_kronecker_regression_labels_f64`),
    /// so that b need never exist in full. The oracle gets a batch of at most 4096 rows of
    /// K (flat indices as in b, increasing, distinct) and writes their entries of b into
    /// `labels` (as many as rows); the report adds `BATCHES` and `ORACLE_SECONDS`. Errors
    /// and panics of the oracle are handled as in [`ActiveRegression::fit`].
    pub fn solve_labels<F>(
        &self,
        ctx: &mut Context,
        factors: &[Dense<'_>],
        labels: F,
    ) -> Result<Solution>
    where
        F: FnMut(&[usize], &mut [f64]) -> std::result::Result<(), BoxError>,
    {
        let k = Kron::new(factors)?;
        let o = self.settings.options()?;
        let mut x = zeros(k.n, 1)?;
        with_labels(labels, |oracle, user| {
            let mut report = ptr::null_mut();
            let status = unsafe {
                sys::quarry_kronecker_regression_labels_f64(
                    ctx.raw(),
                    k.layout.raw(),
                    k.count(),
                    k.rows.as_ptr(),
                    k.cols.as_ptr(),
                    k.data.as_ptr(),
                    k.ld.as_ptr(),
                    oracle,
                    user,
                    x.as_mut_ptr(),
                    o.raw(),
                    &mut report,
                )
            };
            finish(ctx, status, (x, Layout::ColMajor, k.n, 1), report)
        })
    }
}

/// y = K x, or y = K^T x with `transpose`, for K = A_1 (x) ... (x) A_N, the Kronecker
/// product of `factors` (all in one layout, else `BadLayout`), mode by mode without
/// forming K (`quarry_kronecker_multiply_f64`): the predictions of a
/// [`KroneckerRegression`], or a Tucker model's mode products. x and y are row-major
/// tensors as there: x has prod R_n values and y gets prod I_n (the other way round with
/// `transpose`).
pub fn kronecker_multiply(
    ctx: &mut Context,
    factors: &[Dense<'_>],
    transpose: bool,
    x: &[f64],
) -> Result<Vec<f64>> {
    let k = Kron::new(factors)?;
    let (from, to) = if transpose { (k.m, k.n) } else { (k.n, k.m) };
    Kron::entries("x", from, x.len())?;
    let mut y = zeros(to, 1)?;
    let status = unsafe {
        sys::quarry_kronecker_multiply_f64(
            ctx.raw(),
            k.layout.raw(),
            k.count(),
            k.rows.as_ptr(),
            k.cols.as_ptr(),
            k.data.as_ptr(),
            k.ld.as_ptr(),
            i32::from(transpose),
            x.as_ptr(),
            y.as_mut_ptr(),
        )
    };
    ctx.check(status).map(|_| y)
}
