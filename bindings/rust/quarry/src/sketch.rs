//! Random streams, sketching operators, leverage scores, Lewis weights and row sampling
//! (quarry/rng.h, quarry/sketch.h, quarry/sampling.h).

use crate::lstsq::{finish, minor_len, zeros, Csr, Dense, Layout, SketchKind};
use crate::sys;
use crate::{Context, Error, Options, Result, Solution};
use std::ptr::{self, NonNull};

/// The state of a counter-based random stream (Philox4x32-10, quarry/rng.h): a plain
/// value to copy, store and compare. Every random thing quarry makes is a pure function
/// of a state and sizes: the same bits for any thread count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RngState(sys::quarry_rng_state);

fn offset_i64(offset: u64, n: usize) -> Result<(i64, i64)> {
    match (i64::try_from(offset), i64::try_from(n)) {
        (Ok(o), Ok(n)) => Ok((o, n)),
        _ => Err(Error::new(sys::QUARRY_ERR_SIZE_OVERFLOW, "offset or count beyond i64")),
    }
}

impl RngState {
    /// The state of a seed: distinct seeds give independent streams.
    pub fn from_seed(seed: u64) -> RngState {
        let mut s = sys::quarry_rng_state::default();
        // Cannot fail: the out-pointer is valid.
        unsafe { sys::quarry_rng_state_from_seed(seed, &mut s) };
        RngState(s)
    }

    /// The stream that starts `blocks` blocks (of 4 x 32 bits) later: disjoint pieces of
    /// one stream for different consumers.
    pub fn advance(&self, blocks: u64) -> RngState {
        let mut s = sys::quarry_rng_state::default();
        unsafe { sys::quarry_rng_state_advance(&self.0, blocks, &mut s) };
        RngState(s)
    }

    /// The C value.
    pub fn raw(&self) -> &sys::quarry_rng_state {
        &self.0
    }

    /// Elements `offset .. offset + out.len()` of the 32-bit stream.
    pub fn fill_u32(&self, ctx: &mut Context, offset: u64, out: &mut [u32]) -> Result<()> {
        let (o, n) = offset_i64(offset, out.len())?;
        let status =
            unsafe { sys::quarry_rng_fill_u32(ctx.raw(), &self.0, o, n, out.as_mut_ptr()) };
        ctx.check(status)
    }

    /// Elements `offset ..` of the uniform (0, 1) stream.
    pub fn fill_uniform(&self, ctx: &mut Context, offset: u64, out: &mut [f64]) -> Result<()> {
        let (o, n) = offset_i64(offset, out.len())?;
        let status =
            unsafe { sys::quarry_rng_fill_uniform_f64(ctx.raw(), &self.0, o, n, out.as_mut_ptr()) };
        ctx.check(status)
    }

    /// Elements `offset ..` of the standard normal stream.
    pub fn fill_normal(&self, ctx: &mut Context, offset: u64, out: &mut [f64]) -> Result<()> {
        let (o, n) = offset_i64(offset, out.len())?;
        let status =
            unsafe { sys::quarry_rng_fill_normal_f64(ctx.raw(), &self.0, o, n, out.as_mut_ptr()) };
        ctx.check(status)
    }
}

/// An owned dense matrix (a result): `rows x cols`, contiguous in `layout`.
#[derive(Clone, Debug, PartialEq)]
pub struct Matrix {
    pub rows: usize,
    pub cols: usize,
    pub layout: Layout,
    pub data: Vec<f64>,
}

impl Matrix {
    fn zeros(rows: usize, cols: usize, layout: Layout) -> Result<Matrix> {
        Ok(Matrix { rows, cols, layout, data: zeros(rows, cols)? })
    }

    fn ld(&self) -> i64 {
        minor_len(self.layout, self.rows, self.cols) as i64
    }

    /// Element (i, j).
    pub fn get(&self, i: usize, j: usize) -> f64 {
        match self.layout {
            Layout::RowMajor => self.data[i * self.cols + j],
            Layout::ColMajor => self.data[i + j * self.rows],
        }
    }

    /// A borrowed view, to pass the result on (to a solve, say).
    pub fn view(&self) -> Dense<'_> {
        Dense::new(
            &self.data,
            self.rows,
            self.cols,
            self.layout,
            minor_len(self.layout, self.rows, self.cols),
        )
        .expect("a Matrix holds all its elements")
    }
}

/// A sketching operator S (`rows x cols`, quarry/sketch.h): immutable, shared by threads.
/// `S A` compresses the `cols` rows of a tall A into `rows` rows, keeping norms in A's
/// column space.
pub struct Sketch {
    raw: NonNull<sys::quarry_sketch>,
    kind: SketchKind,
}

// SAFETY: a sketch is immutable after creation; its destroy has no thread affinity.
unsafe impl Send for Sketch {}
unsafe impl Sync for Sketch {}

impl Sketch {
    /// A `rows x cols` operator of `kind` drawn from `state` (sparse kinds: the default
    /// non-zeros per column, min(8, rows)).
    pub fn new(
        ctx: &mut Context,
        kind: SketchKind,
        rows: usize,
        cols: usize,
        state: &RngState,
    ) -> Result<Sketch> {
        Sketch::create(ctx, kind, rows, cols, None, state)
    }

    /// A sparse sign operator with `nnz` non-zeros per column.
    pub fn sparse_sign(
        ctx: &mut Context,
        rows: usize,
        cols: usize,
        nnz: usize,
        state: &RngState,
    ) -> Result<Sketch> {
        Sketch::create(ctx, SketchKind::SparseSign, rows, cols, Some(nnz as u64), state)
    }

    fn create(
        ctx: &mut Context,
        kind: SketchKind,
        rows: usize,
        cols: usize,
        nnz: Option<u64>,
        state: &RngState,
    ) -> Result<Sketch> {
        let mut o = Options::new()?;
        o.u64(sys::QUARRY_OPT_SKETCH_NNZ, nnz)?;
        let mut raw = ptr::null_mut();
        let status = unsafe {
            sys::quarry_sketch_create(
                ctx.raw(),
                kind.raw(),
                rows as i64,
                cols as i64,
                o.raw(),
                &state.0,
                &mut raw,
            )
        };
        ctx.check(status)?;
        let raw = NonNull::new(raw)
            .ok_or_else(|| Error::new(sys::QUARRY_ERR_INTERNAL, "no sketch was returned"))?;
        Ok(Sketch { raw, kind })
    }

    /// The operator's kind.
    pub fn kind(&self) -> SketchKind {
        self.kind
    }

    /// (rows, cols, non-zeros per column).
    pub fn shape(&self) -> (usize, usize, usize) {
        let (mut rows, mut cols, mut nnz) = (0i64, 0i64, 0i64);
        unsafe {
            sys::quarry_sketch_info(
                self.raw.as_ptr(),
                ptr::null_mut(),
                &mut rows,
                &mut cols,
                &mut nnz,
            )
        };
        (rows as usize, cols as usize, nnz as usize)
    }

    /// S A for a dense A (the sketch's cols x n): rows x n in A's layout.
    pub fn apply(&self, ctx: &mut Context, a: Dense<'_>) -> Result<Matrix> {
        self.dense(ctx, a, false)
    }

    /// A S^T for a dense wide A (n x the sketch's cols), e.g. one sample per row: n x rows
    /// in A's layout.
    pub fn apply_right(&self, ctx: &mut Context, a: Dense<'_>) -> Result<Matrix> {
        self.dense(ctx, a, true)
    }

    /// S A for a sparse A (the sketch's cols x n): dense rows x n in `layout`.
    pub fn apply_csr(&self, ctx: &mut Context, a: Csr<'_>, layout: Layout) -> Result<Matrix> {
        self.sparse(ctx, a, layout, false)
    }

    /// A S^T for a sparse A (n x the sketch's cols; n samples of m features): dense
    /// n x rows in `layout`.
    pub fn apply_right_csr(&self, ctx: &mut Context, a: Csr<'_>, layout: Layout) -> Result<Matrix> {
        self.sparse(ctx, a, layout, true)
    }

    /// The result's shape for A of `shape`: S A (rows x cols of A) or A S^T (A's rows x rows).
    fn out_shape(&self, (ra, ca): (usize, usize), right: bool) -> (usize, usize) {
        let rows = self.shape().0;
        if right {
            (ra, rows)
        } else {
            (rows, ca)
        }
    }

    fn dense(&self, ctx: &mut Context, a: Dense<'_>, right: bool) -> Result<Matrix> {
        let (ra, ca) = a.shape();
        let (r, c) = self.out_shape((ra, ca), right);
        let mut out = Matrix::zeros(r, c, a.layout())?;
        let f =
            if right { sys::quarry_sketch_apply_right_f64 } else { sys::quarry_sketch_apply_f64 };
        let status = unsafe {
            f(
                ctx.raw(),
                self.raw.as_ptr(),
                a.layout().raw(),
                ra as i64,
                ca as i64,
                a.data().as_ptr(),
                a.ld() as i64,
                out.data.as_mut_ptr(),
                out.ld(),
            )
        };
        ctx.check(status).map(|_| out)
    }

    fn sparse(&self, ctx: &mut Context, a: Csr<'_>, layout: Layout, right: bool) -> Result<Matrix> {
        let (ra, ca) = a.shape();
        let (r, c) = self.out_shape((ra, ca), right);
        let mut out = Matrix::zeros(r, c, layout)?;
        let (row_ptr, col_idx, val) = a.arrays();
        let f = if right {
            sys::quarry_sketch_apply_right_csr_f64
        } else {
            sys::quarry_sketch_apply_csr_f64
        };
        let status = unsafe {
            f(
                ctx.raw(),
                self.raw.as_ptr(),
                ra as i64,
                ca as i64,
                row_ptr,
                col_idx,
                val,
                layout.raw(),
                out.data.as_mut_ptr(),
                out.ld(),
            )
        };
        ctx.check(status).map(|_| out)
    }

    /// Columns `j0 .. j0 + w` of S, explicitly (rows x w in `layout`).
    pub fn columns(
        &self,
        ctx: &mut Context,
        j0: usize,
        w: usize,
        layout: Layout,
    ) -> Result<Matrix> {
        let mut out = Matrix::zeros(self.shape().0, w, layout)?;
        let status = unsafe {
            sys::quarry_sketch_columns_f64(
                ctx.raw(),
                self.raw.as_ptr(),
                j0 as i64,
                w as i64,
                layout.raw(),
                out.data.as_mut_ptr(),
                out.ld(),
            )
        };
        ctx.check(status).map(|_| out)
    }
}

impl Drop for Sketch {
    fn drop(&mut self) {
        unsafe { sys::quarry_sketch_destroy(self.raw.as_ptr()) }
    }
}

impl std::fmt::Debug for Sketch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (rows, cols, nnz) = self.shape();
        write!(f, "Sketch {{ {:?}, {rows} x {cols}, nnz {nnz} }}", self.kind)
    }
}

/// Settings of a leverage-score computation (`quarry_leverage_scores_f64`); exact and
/// without ridge by default. `Leverage::new().approximate().scores(&mut ctx, a)`.
#[derive(Clone, Debug, Default)]
pub struct Leverage {
    approximate: bool,
    ridge: Option<f64>,
    sketch_kind: Option<SketchKind>,
    sketch_rows: Option<u64>,
    seed: Option<u64>,
}

impl Leverage {
    /// Exact scores (a thin QR of a copy of A; an SVD when A is rank deficient).
    pub fn new() -> Leverage {
        Leverage::default()
    }
    /// Sketched scores (Drineas et al. 2012): within a factor 2 of the exact ones on
    /// nearly every row, in O(nnz(A) + s n^2 + m n) time.
    pub fn approximate(mut self) -> Self {
        self.approximate = true;
        self
    }
    /// Ridge leverage scores a_i^T (A^T A + lambda I)^-1 a_i.
    pub fn ridge(mut self, lambda: f64) -> Self {
        self.ridge = Some(lambda);
        self
    }
    /// The sketch's kind (approximate scores).
    pub fn sketch_kind(mut self, kind: SketchKind) -> Self {
        self.sketch_kind = Some(kind);
        self
    }
    /// The sketch's rows (approximate scores; default min(m, 20 n)).
    pub fn sketch_rows(mut self, rows: u64) -> Self {
        self.sketch_rows = Some(rows);
        self
    }
    /// The seed of the sketch (approximate scores).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    fn options(&self) -> Result<Options> {
        let mut o = Options::new()?;
        let method =
            if self.approximate { sys::QUARRY_LEVERAGE_APPROX } else { sys::QUARRY_LEVERAGE_EXACT };
        o.i64(sys::QUARRY_OPT_LEVERAGE_METHOD, Some(i64::from(method)))?;
        o.f64(sys::QUARRY_OPT_RIDGE, self.ridge)?;
        o.i64(sys::QUARRY_OPT_SKETCH_KIND, self.sketch_kind.map(|k| i64::from(k.raw())))?;
        o.u64(sys::QUARRY_OPT_SKETCH_ROWS, self.sketch_rows)?;
        o.u64(sys::QUARRY_OPT_SEED, self.seed)?;
        Ok(o)
    }

    /// The leverage score of every row of A (m values in [0, 1], summing to A's rank).
    pub fn scores(&self, ctx: &mut Context, a: Dense<'_>) -> Result<Vec<f64>> {
        let o = self.options()?;
        let (m, n) = a.shape();
        let mut scores = vec![0.0; m];
        let status = unsafe {
            sys::quarry_leverage_scores_f64(
                ctx.raw(),
                a.layout().raw(),
                m as i64,
                n as i64,
                a.data().as_ptr(),
                a.ld() as i64,
                o.raw(),
                scores.as_mut_ptr(),
            )
        };
        ctx.check(status).map(|_| scores)
    }
}

/// Settings of l_p Lewis weights (`quarry_lewis_weights_f64`): the w > 0 with
/// w_i = (a_i^T (A^T W^(1 - 2/p) A)^-1 a_i)^(p/2), the leverage scores of W^(1/2 - 1/p) A.
/// They sum to A's rank, are A's leverage scores for p = 2, and are the weights of l_p row
/// sampling (and of [`ActiveRegression`](crate::ActiveRegression)).
/// `Lewis::new(1.0).weights(&mut ctx, a)` returns a [`Solution`] whose `x` holds the m
/// weights (0 for zero rows) and whose report holds `report_key::ITERATIONS` (leverage-score
/// computations, one per round), `RANK` (the weights' sum), `RESIDUAL_NORM` (the last
/// fixed-point residual) and `SECONDS`.
#[derive(Clone, Debug)]
pub struct Lewis {
    p: f64,
    leverage: Leverage, // the leverage scores of every round; never a ridge
    tolerance: Option<f64>,
    max_iterations: Option<u64>,
}

impl Lewis {
    /// Exponent `p`: finite and > 0 (else `InvalidArgument`). Exact leverage scores.
    pub fn new(p: f64) -> Lewis {
        Lewis { p, leverage: Leverage::new(), tolerance: None, max_iterations: None }
    }
    /// Sketched leverage scores in every round: the weights are then within about a
    /// factor 2 of the exact ones, and the rounds a budget (10 by default) rather than a
    /// limit (reaching it is no error).
    pub fn approximate(mut self) -> Self {
        self.leverage = self.leverage.approximate();
        self
    }
    /// The sketch's kind (approximate scores).
    pub fn sketch_kind(mut self, kind: SketchKind) -> Self {
        self.leverage = self.leverage.sketch_kind(kind);
        self
    }
    /// The sketch's rows (approximate scores; default min(m, 20 n)).
    pub fn sketch_rows(mut self, rows: u64) -> Self {
        self.leverage = self.leverage.sketch_rows(rows);
        self
    }
    /// The seed of the sketch (approximate scores).
    pub fn seed(mut self, seed: u64) -> Self {
        self.leverage = self.leverage.seed(seed);
        self
    }
    /// The fixed-point residual at which to stop (max_i |T(w)_i - w_i| / w_i, the lightest
    /// weights measured against a millionth of the mean; default 1e-10).
    pub fn tolerance(mut self, tolerance: f64) -> Self {
        self.tolerance = Some(tolerance);
        self
    }
    /// The most rounds (default 100 exact, 10 approximate).
    pub fn max_iterations(mut self, n: u64) -> Self {
        self.max_iterations = Some(n);
        self
    }

    pub(crate) fn p(&self) -> f64 {
        self.p
    }

    /// The options of these settings: the leverage scores', the tolerance, the limit.
    pub(crate) fn options(&self) -> Result<Options> {
        let mut o = self.leverage.options()?;
        o.f64(sys::QUARRY_OPT_TOLERANCE, self.tolerance)?;
        o.u64(sys::QUARRY_OPT_MAX_ITERATIONS, self.max_iterations)?;
        Ok(o)
    }

    /// The Lewis weight of every row of A, in `x` (m values). On `NoConvergence` (the
    /// round limit, exact scores) the error's [`Partial::Solution`](crate::Partial::Solution)
    /// holds the last round's weights and the report.
    pub fn weights(&self, ctx: &mut Context, a: Dense<'_>) -> Result<Solution> {
        let o = self.options()?;
        let (m, n) = a.shape();
        let (mut weights, mut report) = (vec![0.0; m], ptr::null_mut());
        let status = unsafe {
            sys::quarry_lewis_weights_f64(
                ctx.raw(),
                a.layout().raw(),
                m as i64,
                n as i64,
                a.data().as_ptr(),
                a.ld() as i64,
                self.p,
                weights.as_mut_ptr(),
                o.raw(),
                &mut report,
            )
        };
        finish(ctx, status, (weights, Layout::ColMajor, m, 1), report)
    }
}

/// The squared Euclidean norm of every row of A: the weights of length-squared sampling.
pub fn row_norms_squared(ctx: &mut Context, a: Dense<'_>) -> Result<Vec<f64>> {
    let (m, n) = a.shape();
    let mut out = vec![0.0; m];
    let status = unsafe {
        sys::quarry_row_norms_squared_f64(
            ctx.raw(),
            a.layout().raw(),
            m as i64,
            n as i64,
            a.data().as_ptr(),
            a.ld() as i64,
            out.as_mut_ptr(),
        )
    };
    ctx.check(status).map(|_| out)
}

/// Sampled rows and their rescaling factors (the rows of A at `indices`, each times its
/// factor, form S A with E[S^T S] = I), or draws and their probabilities from a tree.
#[derive(Clone, Debug, PartialEq)]
pub struct Sample {
    pub indices: Vec<usize>,
    pub values: Vec<f64>,
}

impl Sample {
    /// From the i64 indices C wrote (in [0, m)).
    fn from_raw(indices: Vec<i64>, values: Vec<f64>) -> Sample {
        Sample { indices: indices.into_iter().map(|i| i as usize).collect(), values }
    }
}

/// Draws `count` of the rows with probability proportional to `weights` (increasing
/// indices; `values` are the rescaling factors): with replacement (independent draws) or
/// without (distinct rows, inclusion probabilities min(1, c w_i)).
pub fn sample_weighted(
    ctx: &mut Context,
    weights: &[f64],
    count: usize,
    with_replacement: bool,
    state: &RngState,
) -> Result<Sample> {
    let (mut indices, mut values) = (vec![0i64; count], vec![0.0; count]);
    let status = unsafe {
        sys::quarry_sample_weighted(
            ctx.raw(),
            weights.len() as i64,
            weights.as_ptr(),
            count as i64,
            i32::from(with_replacement),
            &state.0,
            indices.as_mut_ptr(),
            values.as_mut_ptr(),
        )
    };
    ctx.check(status).map(|_| Sample::from_raw(indices, values))
}

/// A dynamic sampling tree (`quarry_sample_tree`): m weights, each updated in O(log m),
/// and draws of index i with probability w_i / sum(w) in O(log m). Updates take `&mut`;
/// draws may run on several threads at once.
pub struct SampleTree {
    raw: NonNull<sys::quarry_sample_tree>,
}

// SAFETY: concurrent draws on a tree nobody updates are safe (sampling.h); updates need
// &mut self.
unsafe impl Send for SampleTree {}
unsafe impl Sync for SampleTree {}

impl SampleTree {
    /// A tree holding a copy of `weights` (finite, >= 0).
    pub fn new(ctx: &mut Context, weights: &[f64]) -> Result<SampleTree> {
        let mut raw = ptr::null_mut();
        let status = unsafe {
            sys::quarry_sample_tree_create(
                ctx.raw(),
                weights.len() as i64,
                weights.as_ptr(),
                &mut raw,
            )
        };
        ctx.check(status)?;
        let raw = NonNull::new(raw)
            .ok_or_else(|| Error::new(sys::QUARRY_ERR_INTERNAL, "no tree was returned"))?;
        Ok(SampleTree { raw })
    }

    /// Sets `weight[t]` at `index[t]`, in order (on failure the entries before the bad
    /// one are set).
    pub fn update(&mut self, ctx: &mut Context, index: &[usize], weight: &[f64]) -> Result<()> {
        if index.len() != weight.len() {
            return Err(Error::new(
                sys::QUARRY_ERR_BAD_DIMENSION,
                format!("{} indices but {} weights", index.len(), weight.len()),
            ));
        }
        let index: Vec<i64> = index.iter().map(|&i| i64::try_from(i).unwrap_or(-1)).collect();
        let status = unsafe {
            sys::quarry_sample_tree_update(
                ctx.raw(),
                self.raw.as_ptr(),
                index.len() as i64,
                index.as_ptr(),
                weight.as_ptr(),
            )
        };
        ctx.check(status)
    }

    /// (m, total weight).
    pub fn size(&self) -> (usize, f64) {
        let (mut m, mut total) = (0i64, 0.0);
        unsafe {
            sys::quarry_sample_tree_get(self.raw.as_ptr(), &mut m, &mut total, -1, ptr::null_mut())
        };
        (m as usize, total)
    }

    /// The weight of index `i` (`None` outside [0, m)).
    pub fn weight(&self, i: usize) -> Option<f64> {
        let mut w = 0.0;
        let status = unsafe {
            let i = i64::try_from(i).unwrap_or(-1);
            sys::quarry_sample_tree_get(
                self.raw.as_ptr(),
                ptr::null_mut(),
                ptr::null_mut(),
                i,
                &mut w,
            )
        };
        (status == sys::QUARRY_OK).then_some(w)
    }

    /// `count` independent draws: `indices` and their probabilities in `values`.
    pub fn sample(&self, ctx: &mut Context, count: usize, state: &RngState) -> Result<Sample> {
        let (mut indices, mut values) = (vec![0i64; count], vec![0.0; count]);
        let status = unsafe {
            sys::quarry_sample_tree_sample(
                ctx.raw(),
                self.raw.as_ptr(),
                &state.0,
                count as i64,
                indices.as_mut_ptr(),
                values.as_mut_ptr(),
            )
        };
        ctx.check(status).map(|_| Sample::from_raw(indices, values))
    }
}

impl Drop for SampleTree {
    fn drop(&mut self) {
        unsafe { sys::quarry_sample_tree_destroy(self.raw.as_ptr()) }
    }
}
