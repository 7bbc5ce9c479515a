//! Least squares and ridge regression (quarry/lstsq.h).

use crate::sys;
use crate::{Context, Error, Options, Partial, Report, Result};
use std::ptr::{self, NonNull};

/// The storage order of a [`Dense`] matrix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// Rows contiguous: element (i, j) at `i * ld + j`.
    RowMajor,
    /// Columns contiguous: element (i, j) at `i + j * ld`.
    ColMajor,
}

impl Layout {
    pub(crate) fn raw(self) -> i32 {
        match self {
            Layout::RowMajor => sys::QUARRY_ROW_MAJOR,
            Layout::ColMajor => sys::QUARRY_COL_MAJOR,
        }
    }
}

/// A borrowed dense matrix: `rows x cols` in `layout` with leading dimension `ld`.
/// Constructors check that `data` holds every element, so C never reads past it.
#[derive(Clone, Copy)]
pub struct Dense<'a> {
    data: &'a [f64],
    rows: usize,
    cols: usize,
    layout: Layout,
    ld: usize,
}

impl<'a> Dense<'a> {
    /// A matrix in `layout` with leading dimension `ld` (at least the row length for
    /// row-major, the column length for column-major, and at least 1).
    pub fn new(
        data: &'a [f64],
        rows: usize,
        cols: usize,
        layout: Layout,
        ld: usize,
    ) -> Result<Self> {
        let (major, minor) = match layout {
            Layout::RowMajor => (rows, cols),
            Layout::ColMajor => (cols, rows),
        };
        if ld < minor.max(1) {
            return Err(Error::new(
                sys::QUARRY_ERR_BAD_LEADING_DIM,
                format!("ld = {ld} is below the {layout:?} minimum {}", minor.max(1)),
            ));
        }
        let need = match (major, minor) {
            (0, _) | (_, 0) => Some(0),
            _ => (major - 1).checked_mul(ld).and_then(|v| v.checked_add(minor)),
        };
        if need.map_or(true, |need| data.len() < need) {
            return Err(Error::new(
                sys::QUARRY_ERR_BAD_DIMENSION,
                format!(
                    "a {rows} x {cols} {layout:?} matrix with ld {ld} needs {} values, got {}",
                    need.map_or("more than usize::MAX".to_string(), |v| v.to_string()),
                    data.len()
                ),
            ));
        }
        Ok(Dense { data, rows, cols, layout, ld })
    }

    /// A contiguous row-major matrix (`data.len() == rows * cols`).
    pub fn row_major(data: &'a [f64], rows: usize, cols: usize) -> Result<Self> {
        Dense::exact(data, rows, cols, Layout::RowMajor, cols)
    }

    /// A contiguous column-major matrix (`data.len() == rows * cols`).
    pub fn col_major(data: &'a [f64], rows: usize, cols: usize) -> Result<Self> {
        Dense::exact(data, rows, cols, Layout::ColMajor, rows)
    }

    fn exact(data: &'a [f64], rows: usize, cols: usize, layout: Layout, ld: usize) -> Result<Self> {
        if Some(data.len()) != rows.checked_mul(cols) {
            return Err(Error::new(
                sys::QUARRY_ERR_BAD_DIMENSION,
                format!("a {rows} x {cols} matrix needs rows * cols values, got {}", data.len()),
            ));
        }
        Dense::new(data, rows, cols, layout, ld.max(1))
    }

    /// (rows, cols).
    pub fn shape(&self) -> (usize, usize) {
        (self.rows, self.cols)
    }

    /// The storage order.
    pub fn layout(&self) -> Layout {
        self.layout
    }

    /// The leading dimension.
    pub fn ld(&self) -> usize {
        self.ld
    }

    /// The borrowed elements.
    pub fn data(&self) -> &'a [f64] {
        self.data
    }

    fn at(&self, i: usize, j: usize) -> f64 {
        match self.layout {
            Layout::RowMajor => self.data[i * self.ld + j],
            Layout::ColMajor => self.data[i + j * self.ld],
        }
    }
}

impl std::fmt::Debug for Dense<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let Dense { rows, cols, layout, ld, .. } = self;
        write!(f, "Dense {{ {rows} x {cols}, {layout:?}, ld {ld} }}")
    }
}

/// A borrowed sparse matrix in compressed sparse rows, 0-based: row i's entries are
/// `values[row_ptr[i]..row_ptr[i + 1]]` in columns `col_idx[..]` (duplicates add up).
#[derive(Clone, Copy, Debug)]
pub struct Csr<'a> {
    rows: usize,
    cols: usize,
    row_ptr: &'a [i64],
    col_idx: &'a [i64],
    values: &'a [f64],
}

impl<'a> Csr<'a> {
    /// Checks the array lengths (`row_ptr`: rows + 1; `col_idx` and `values`: the
    /// non-zeros); the library checks the indices themselves.
    pub fn new(
        rows: usize,
        cols: usize,
        row_ptr: &'a [i64],
        col_idx: &'a [i64],
        values: &'a [f64],
    ) -> Result<Self> {
        let nnz = row_ptr.last().copied().unwrap_or(-1);
        if row_ptr.len().checked_sub(1) != Some(rows)
            || col_idx.len() != values.len()
            || nnz < 0
            || nnz as usize > values.len()
        {
            return Err(Error::new(
                sys::QUARRY_ERR_BAD_DIMENSION,
                format!(
                    "CSR {rows} x {cols}: row_ptr has {} entries (needs rows + 1), col_idx {}, values {}, last row_ptr {nnz}",
                    row_ptr.len(),
                    col_idx.len(),
                    values.len()
                ),
            ));
        }
        Ok(Csr { rows, cols, row_ptr, col_idx, values })
    }

    /// (rows, cols).
    pub fn shape(&self) -> (usize, usize) {
        (self.rows, self.cols)
    }

    pub(crate) fn arrays(&self) -> (*const i64, *const i64, *const f64) {
        (self.row_ptr.as_ptr(), self.col_idx.as_ptr(), self.values.as_ptr())
    }
}

/// A least-squares method (`QUARRY_LSTSQ_*`, docs/lstsq.md).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Method {
    /// Chosen by a cost model.
    #[default]
    Auto,
    /// LAPACK QR (as dgels), SVD when rank deficient.
    Direct,
    /// Solve the sketched problem; an a-posteriori residual bound in the report.
    SketchSolve,
    /// Sketch, precondition, iterate and refine to LAPACK's accuracy.
    SketchPrecondition,
    /// The Cholesky factor of A^T A + lambda I as the preconditioner (dense only).
    GramPrecondition,
}

impl Method {
    pub(crate) fn raw(self) -> i32 {
        match self {
            Method::Auto => sys::QUARRY_LSTSQ_AUTO,
            Method::Direct => sys::QUARRY_LSTSQ_DIRECT,
            Method::SketchSolve => sys::QUARRY_LSTSQ_SKETCH_SOLVE,
            Method::SketchPrecondition => sys::QUARRY_LSTSQ_SKETCH_PRECONDITION,
            Method::GramPrecondition => sys::QUARRY_LSTSQ_GRAM_PRECONDITION,
        }
    }
}

/// A sketch kind (`QUARRY_SKETCH_*`, docs/sketch.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SketchKind {
    Gaussian,
    Srht,
    CountSketch,
    SparseSign,
    /// Uniformly sampled rows: the negative control (fails on coherent matrices).
    UniformRows,
}

impl SketchKind {
    pub(crate) fn raw(self) -> i32 {
        match self {
            SketchKind::Gaussian => sys::QUARRY_SKETCH_GAUSSIAN,
            SketchKind::Srht => sys::QUARRY_SKETCH_SRHT,
            SketchKind::CountSketch => sys::QUARRY_SKETCH_COUNTSKETCH,
            SketchKind::SparseSign => sys::QUARRY_SKETCH_SPARSE_SIGN,
            SketchKind::UniformRows => sys::QUARRY_SKETCH_UNIFORM_ROWS,
        }
    }
}

/// A solution: `x` holds one n-vector per right-hand side (or per lambda of a ridge
/// path), one after the other (column-major n x k), and the solver's report.
#[derive(Clone, Debug, PartialEq)]
pub struct Solution {
    pub x: Vec<f64>,
    pub report: Report,
}

/// Settings of a least-squares or ridge solve; every one unset means the library's
/// default. `Lstsq::new().ridge(1e-3).solve(&mut ctx, a, &b)`.
#[derive(Clone, Debug, Default)]
pub struct Lstsq {
    method: Method,
    ridge: Option<f64>,
    tolerance: Option<f64>,
    max_iterations: Option<u64>,
    sketch_kind: Option<SketchKind>,
    sketch_rows: Option<u64>,
    sketch_nnz: Option<u64>,
    seed: Option<u64>,
}

impl Lstsq {
    /// The defaults: auto method, no ridge.
    pub fn new() -> Lstsq {
        Lstsq::default()
    }
    /// The method (default [`Method::Auto`]).
    pub fn method(mut self, method: Method) -> Self {
        self.method = method;
        self
    }
    /// Ridge parameter lambda >= 0: minimize ||A x - b||^2 + lambda ||x||^2.
    pub fn ridge(mut self, lambda: f64) -> Self {
        self.ridge = Some(lambda);
        self
    }
    /// Relative accuracy asked of an iterative method (0: as tight as it can).
    pub fn tolerance(mut self, tolerance: f64) -> Self {
        self.tolerance = Some(tolerance);
        self
    }
    /// Iteration limit of an iterative method.
    pub fn max_iterations(mut self, n: u64) -> Self {
        self.max_iterations = Some(n);
        self
    }
    /// The sketch's kind.
    pub fn sketch_kind(mut self, kind: SketchKind) -> Self {
        self.sketch_kind = Some(kind);
        self
    }
    /// The sketch's rows.
    pub fn sketch_rows(mut self, rows: u64) -> Self {
        self.sketch_rows = Some(rows);
        self
    }
    /// Non-zeros per column of a sparse-sign sketch.
    pub fn sketch_nnz(mut self, nnz: u64) -> Self {
        self.sketch_nnz = Some(nnz);
        self
    }
    /// Seed of the call's random stream (same seed, same result).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    pub(crate) fn options(&self) -> Result<Options> {
        let mut o = Options::new()?;
        let kind = self.sketch_kind.map(SketchKind::raw);
        o.i64(sys::QUARRY_OPT_LSTSQ_METHOD, Some(i64::from(self.method.raw())))?;
        o.i64(sys::QUARRY_OPT_SKETCH_KIND, kind.map(i64::from))?;
        o.f64(sys::QUARRY_OPT_RIDGE, self.ridge)?;
        o.f64(sys::QUARRY_OPT_TOLERANCE, self.tolerance)?;
        o.u64(sys::QUARRY_OPT_MAX_ITERATIONS, self.max_iterations)?;
        o.u64(sys::QUARRY_OPT_SKETCH_ROWS, self.sketch_rows)?;
        o.u64(sys::QUARRY_OPT_SKETCH_NNZ, self.sketch_nnz)?;
        o.u64(sys::QUARRY_OPT_SEED, self.seed)?;
        Ok(o)
    }

    /// x = argmin ||A x - b||^2 (+ ridge), minimum norm when A is wide or rank deficient;
    /// `b` has A's rows. A is passed to C without a copy.
    pub fn solve(&self, ctx: &mut Context, a: Dense<'_>, b: &[f64]) -> Result<Solution> {
        let b = Dense::col_major(b, b.len(), 1)?;
        self.solve_many(ctx, a, b)
    }

    /// One solution per column of `b` (A's rows x k, either layout): `x` is n x k
    /// column-major. `b` is copied only when its layout differs from A's.
    pub fn solve_many(&self, ctx: &mut Context, a: Dense<'_>, b: Dense<'_>) -> Result<Solution> {
        let ((m, n), k) = (a.shape(), b.cols);
        rows_match(m, b.rows)?;
        let opts = self.options()?;
        let copy;
        let b = if b.layout == a.layout {
            b
        } else if k == 1 && (b.layout == Layout::ColMajor || b.ld == 1) {
            Dense::new(b.data, b.rows, 1, a.layout, 1)? // contiguous: either layout
        } else {
            copy = transposed_copy(&b);
            Dense::new(&copy, b.rows, k, a.layout, minor_len(a.layout, b.rows, k))?
        };
        // B and X share A's layout in the C call; X comes back column-major.
        let ldx = minor_len(a.layout, n, k);
        let mut x = zeros(n, k)?;
        let mut report = ptr::null_mut();
        let status = unsafe {
            sys::quarry_lstsq_f64(
                ctx.raw(),
                a.layout.raw(),
                m as i64,
                n as i64,
                k as i64,
                a.data.as_ptr(),
                a.ld as i64,
                b.data.as_ptr(),
                b.ld as i64,
                x.as_mut_ptr(),
                ldx as i64,
                opts.raw(),
                &mut report,
            )
        };
        finish(ctx, status, (x, a.layout, n, k), report)
    }

    /// Least squares for a sparse A: one solution per column of `b` (A's rows x k,
    /// either layout), `x` n x k column-major.
    pub fn solve_csr(&self, ctx: &mut Context, a: Csr<'_>, b: Dense<'_>) -> Result<Solution> {
        rows_match(a.rows, b.rows)?;
        let opts = self.options()?;
        let (n, k) = (a.cols, b.cols);
        let ldx = minor_len(b.layout, n, k);
        let mut x = zeros(n, k)?;
        let mut report = ptr::null_mut();
        let status = unsafe {
            sys::quarry_lstsq_csr_f64(
                ctx.raw(),
                a.rows as i64,
                n as i64,
                k as i64,
                a.row_ptr.as_ptr(),
                a.col_idx.as_ptr(),
                a.values.as_ptr(),
                b.layout.raw(),
                b.data.as_ptr(),
                b.ld as i64,
                x.as_mut_ptr(),
                ldx as i64,
                opts.raw(),
                &mut report,
            )
        };
        finish(ctx, status, (x, b.layout, n, k), report)
    }

    /// The ridge solutions for each of `lambdas` (sharing one factorization): `x` holds
    /// one n-vector per lambda (n x lambdas.len(), column-major). The builder's own
    /// ridge is not used.
    pub fn ridge_path(
        &self,
        ctx: &mut Context,
        a: Dense<'_>,
        b: &[f64],
        lambdas: &[f64],
    ) -> Result<Solution> {
        let (m, n) = a.shape();
        rows_match(m, b.len())?;
        let opts = Lstsq { ridge: None, ..self.clone() }.options()?;
        let nl = lambdas.len();
        let ldx = minor_len(a.layout, n, nl);
        let mut x = zeros(n, nl)?;
        let mut report = ptr::null_mut();
        let status = unsafe {
            sys::quarry_ridge_path_f64(
                ctx.raw(),
                a.layout.raw(),
                m as i64,
                n as i64,
                a.data.as_ptr(),
                a.ld as i64,
                b.as_ptr(),
                nl as i64,
                lambdas.as_ptr(),
                x.as_mut_ptr(),
                ldx as i64,
                opts.raw(),
                &mut report,
            )
        };
        finish(ctx, status, (x, a.layout, n, nl), report)
    }
}

/// Settings of a [`DynamicLstsq`] (`quarry_dynamic_lstsq_create`): the exact mode and no
/// ridge by default. `DynamicSettings::new().method(Method::SketchSolve).tolerance(0.1)`.
#[derive(Clone, Debug, Default)]
pub struct DynamicSettings {
    settings: Lstsq, // the method, ridge, eps and seed
}

impl DynamicSettings {
    /// The defaults: the exact mode, no ridge.
    pub fn new() -> DynamicSettings {
        DynamicSettings::default()
    }
    /// The mode: [`Method::Auto`] (the default) or [`Method::Direct`], exact (every row
    /// updates the factor), or [`Method::SketchSolve`], sampled (online leverage-score row
    /// sampling: only the rows kept update it); any other method gives `InvalidArgument`.
    pub fn method(mut self, method: Method) -> Self {
        self.settings = self.settings.method(method);
        self
    }
    /// Ridge parameter lambda >= 0: minimize ||A x - b||^2 + lambda ||x||^2 (default 0).
    pub fn ridge(mut self, lambda: f64) -> Self {
        self.settings = self.settings.ridge(lambda);
        self
    }
    /// The sampled mode's eps in (0, 1] (default 0.1): the objective at x is within about a
    /// factor 1 + eps of the minimum over all rows; the rows kept grow like
    /// n log(rows) / eps.
    pub fn tolerance(mut self, eps: f64) -> Self {
        self.settings = self.settings.tolerance(eps);
        self
    }
    /// Seed of the sampled mode's row choices (same seed and rows, same choices).
    pub fn seed(mut self, seed: u64) -> Self {
        self.settings = self.settings.seed(seed);
        self
    }
}

/// Dynamic least squares (`quarry_dynamic_lstsq`): x = argmin ||A x - b||^2 +
/// lambda ||x||^2 while the rows of A and b arrive in batches
/// ([`DynamicLstsq::insert`]), the current x at any time ([`DynamicLstsq::solve`]). It
/// keeps the (n + 1) x (n + 1) triangular factor of the QR factorization of [A b],
/// updated row by row (about 2 n^2 flops a row): x is as accurate as a QR solve of all the
/// rows at once, and the memory does not grow with the rows. The sampled mode
/// ([`DynamicSettings::method`]) keeps only some rows, rescaled.
///
/// Calls on one handle must not overlap, so it is `Send` but not `Sync`.
pub struct DynamicLstsq {
    raw: NonNull<sys::quarry_dynamic_lstsq>,
    n: usize,
}

// SAFETY: the C object has no thread affinity; it is not Sync (calls must not overlap).
unsafe impl Send for DynamicLstsq {}

impl DynamicLstsq {
    /// A handle for `n` columns (>= 1, else `BadDimension`), holding no rows.
    pub fn new(ctx: &mut Context, n: usize, settings: &DynamicSettings) -> Result<DynamicLstsq> {
        let o = settings.settings.options()?;
        let mut raw = ptr::null_mut();
        let status =
            unsafe { sys::quarry_dynamic_lstsq_create(ctx.raw(), n as i64, o.raw(), &mut raw) };
        ctx.check(status)?;
        let raw = NonNull::new(raw)
            .ok_or_else(|| Error::new(sys::QUARRY_ERR_INTERNAL, "no handle was returned"))?;
        Ok(DynamicLstsq { raw, n })
    }

    /// Columns of A, entries of x.
    pub fn columns(&self) -> usize {
        self.n
    }

    /// `Ok` when `what` (a count) is n.
    fn fits(&self, what: &str, got: usize) -> Result<()> {
        if got == self.n {
            return Ok(());
        }
        Err(Error::new(
            sys::QUARRY_ERR_BAD_DIMENSION,
            format!("{what} = {got} but the handle has n = {}", self.n),
        ))
    }

    /// Inserts the rows of `a` (any count x n, either layout, passed without a copy) and
    /// their labels `b` (count values). A NaN or infinite value gives `NonFinite` and
    /// inserts nothing.
    pub fn insert(&mut self, ctx: &mut Context, a: Dense<'_>, b: &[f64]) -> Result<()> {
        let (count, n) = a.shape();
        self.fits("A's columns", n)?;
        rows_match(count, b.len())?;
        let status = unsafe {
            sys::quarry_dynamic_lstsq_insert_f64(
                ctx.raw(),
                self.raw.as_ptr(),
                a.layout.raw(),
                count as i64,
                a.data.as_ptr(),
                a.ld as i64,
                b.as_ptr(),
            )
        };
        ctx.check(status)
    }

    /// The current x (n^2 flops; the minimum-norm solution while the rows held are rank
    /// deficient). The report holds `report_key::METHOD` (`QUARRY_LSTSQ_DIRECT` or
    /// `QUARRY_LSTSQ_SKETCH_SOLVE`), `QUERIES` (rows inserted), `SKETCH_ROWS` (rows held:
    /// all, or those kept), `RANK`, `OBJECTIVE` (||A x - b||^2 + lambda ||x||^2 over the
    /// rows held, reweighted when sampled), `RESIDUAL_NORM` (its square root) and `SECONDS`.
    pub fn solve(&self, ctx: &mut Context) -> Result<Solution> {
        let (mut x, mut report) = (zeros(self.n, 1)?, ptr::null_mut());
        let status = unsafe {
            sys::quarry_dynamic_lstsq_solve_f64(
                ctx.raw(),
                self.raw.as_ptr(),
                x.as_mut_ptr(),
                &mut report,
            )
        };
        finish(ctx, status, (x, Layout::ColMajor, self.n, 1), report)
    }

    /// sqrt(||A x - b||^2 + lambda ||x||^2) over the rows held, for any `x` (n values,
    /// (n + 1)^2 flops): in the exact mode the true residual of `x` on every row inserted,
    /// in the sampled mode the sample's estimate of it.
    pub fn residual(&self, ctx: &mut Context, x: &[f64]) -> Result<f64> {
        self.fits("x's length", x.len())?;
        let mut norm = 0.0;
        let status = unsafe {
            sys::quarry_dynamic_lstsq_residual_f64(
                ctx.raw(),
                self.raw.as_ptr(),
                x.as_ptr(),
                &mut norm,
            )
        };
        ctx.check(status).map(|_| norm)
    }
}

impl Drop for DynamicLstsq {
    fn drop(&mut self) {
        unsafe { sys::quarry_dynamic_lstsq_destroy(self.raw.as_ptr()) }
    }
}

impl std::fmt::Debug for DynamicLstsq {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DynamicLstsq {{ n: {} }}", self.n)
    }
}

pub(crate) fn rows_match(a_rows: usize, b_rows: usize) -> Result<()> {
    if a_rows == b_rows {
        return Ok(());
    }
    Err(Error::new(
        sys::QUARRY_ERR_BAD_DIMENSION,
        format!("b has {b_rows} rows but A has {a_rows}"),
    ))
}

/// The leading dimension of a contiguous rows x cols matrix in `layout`.
pub(crate) fn minor_len(layout: Layout, rows: usize, cols: usize) -> usize {
    match layout {
        Layout::RowMajor => cols.max(1),
        Layout::ColMajor => rows.max(1),
    }
}

/// The elements of `m` in the other layout, contiguous.
fn transposed_copy(m: &Dense<'_>) -> Vec<f64> {
    let mut out = Vec::with_capacity(m.rows * m.cols);
    match m.layout {
        Layout::RowMajor => (0..m.cols).for_each(|j| out.extend((0..m.rows).map(|i| m.at(i, j)))),
        Layout::ColMajor => (0..m.rows).for_each(|i| out.extend((0..m.cols).map(|j| m.at(i, j)))),
    }
    out
}

/// A contiguous rows x cols matrix in `layout`, in column-major order.
fn col_major(x: Vec<f64>, layout: Layout, rows: usize, cols: usize) -> Vec<f64> {
    match layout {
        Layout::RowMajor if cols > 1 && rows > 0 => {
            transposed_copy(&Dense { data: &x, rows, cols, layout, ld: cols })
        }
        _ => x,
    }
}

/// A zeroed rows x cols buffer, or `QUARRY_ERR_SIZE_OVERFLOW` when it cannot exist.
pub(crate) fn zeros(rows: usize, cols: usize) -> Result<Vec<f64>> {
    match rows.checked_mul(cols) {
        Some(len) if len <= isize::MAX as usize / 8 => Ok(vec![0.0; len]),
        _ => Err(Error::new(
            sys::QUARRY_ERR_SIZE_OVERFLOW,
            format!("a {rows} x {cols} result does not fit in memory"),
        )),
    }
}

/// The solution (`x`: rows x cols in `layout`, returned column-major), a [`Partial`] last
/// iterate on `QUARRY_ERR_NO_CONVERGENCE`, or the error.
pub(crate) fn finish(
    ctx: &Context,
    status: i32,
    (x, layout, rows, cols): (Vec<f64>, Layout, usize, usize),
    report: *mut sys::quarry_report,
) -> Result<Solution> {
    let message = ctx.last_error();
    let had_report = !report.is_null();
    let report = Report::take(report);
    match status {
        sys::QUARRY_OK => Ok(Solution { x: col_major(x, layout, rows, cols), report }),
        sys::QUARRY_ERR_NO_CONVERGENCE if had_report => {
            let x = col_major(x, layout, rows, cols);
            Err(Error::new(status, message).with_partial(Partial::Solution(Solution { x, report })))
        }
        _ => Err(Error::new(status, message)),
    }
}
