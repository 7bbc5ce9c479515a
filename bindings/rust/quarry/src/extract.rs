//! ReLU networks and their extraction from value queries (quarry/extract.h).

use crate::callback::Callback;
use crate::sys;
use crate::{BoxError, Context, Error, Options, Partial, Report, Result};
use std::ffi::CString;
use std::os::raw::c_void;
use std::path::Path;
use std::ptr::{self, NonNull};

/// The weights of F(x) = A relu(W x + b) + S x + c0, row-major: `w` k x d, `b` k,
/// `a` c x k, `skip` (S) c x d or empty for none, `c0` c or empty for none.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Weights {
    pub d: usize,
    pub k: usize,
    pub c: usize,
    pub w: Vec<f64>,
    pub b: Vec<f64>,
    pub a: Vec<f64>,
    pub skip: Vec<f64>,
    pub c0: Vec<f64>,
}

/// A one-hidden-layer ReLU network (`quarry_relu_net`), immutable: it may be shared by
/// threads and evaluated by several at once (each with its own [`Context`]).
pub struct ReluNet {
    raw: NonNull<sys::quarry_relu_net>,
}

// SAFETY: the C object is immutable after creation and its destroy has no thread affinity.
unsafe impl Send for ReluNet {}
unsafe impl Sync for ReluNet {}

/// The path as the C library takes it: its bytes on Unix, UTF-8 elsewhere.
fn c_path(path: &Path) -> Result<CString> {
    #[cfg(unix)]
    let bytes = Some(std::os::unix::ffi::OsStrExt::as_bytes(path.as_os_str()).to_vec());
    #[cfg(not(unix))]
    let bytes = path.to_str().map(|s| s.as_bytes().to_vec());
    bytes.and_then(|b| CString::new(b).ok()).ok_or_else(|| {
        Error::new(
            sys::QUARRY_ERR_INVALID_ARGUMENT,
            format!("path {path:?} holds a NUL byte or is not valid UTF-8"),
        )
    })
}

impl ReluNet {
    fn adopt(status: i32, raw: *mut sys::quarry_relu_net, ctx: &Context) -> Result<ReluNet> {
        ctx.check(status)?;
        NonNull::new(raw)
            .map(|raw| ReluNet { raw })
            .ok_or_else(|| Error::new(sys::QUARRY_ERR_INTERNAL, "no network was returned"))
    }

    /// A network with these weights (copied). Every array's length is checked first.
    pub fn new(ctx: &mut Context, weights: &Weights) -> Result<ReluNet> {
        let Weights { d, k, c, .. } = *weights;
        let want = [
            ("w", weights.w.len(), k.checked_mul(d), false),
            ("b", weights.b.len(), Some(k), false),
            ("a", weights.a.len(), c.checked_mul(k), false),
            ("skip", weights.skip.len(), c.checked_mul(d), true),
            ("c0", weights.c0.len(), Some(c), true),
        ];
        for (name, len, need, optional) in want {
            let need = need.unwrap_or(usize::MAX);
            if len != need && !(optional && len == 0) {
                let or_none = if optional { " (or none)" } else { "" };
                return Err(Error::new(
                    sys::QUARRY_ERR_BAD_DIMENSION,
                    format!(
                        "{name} has {len} values; d = {d}, k = {k}, c = {c} needs {need}{or_none}"
                    ),
                ));
            }
        }
        let optional = |v: &Vec<f64>| if v.is_empty() { ptr::null() } else { v.as_ptr() };
        let mut raw = ptr::null_mut();
        let status = unsafe {
            sys::quarry_relu_net_create_f64(
                ctx.raw(),
                d as i64,
                k as i64,
                c as i64,
                weights.w.as_ptr(),
                weights.b.as_ptr(),
                weights.a.as_ptr(),
                optional(&weights.skip),
                optional(&weights.c0),
                &mut raw,
            )
        };
        ReluNet::adopt(status, raw, ctx)
    }

    /// Reads a network saved by [`ReluNet::save`] (quarry's JSON format).
    pub fn load(ctx: &mut Context, path: impl AsRef<Path>) -> Result<ReluNet> {
        let path = c_path(path.as_ref())?;
        let mut raw = ptr::null_mut();
        let status = unsafe { sys::quarry_relu_net_load(ctx.raw(), path.as_ptr(), &mut raw) };
        ReluNet::adopt(status, raw, ctx)
    }

    /// Writes the network to `path` (quarry's JSON format).
    pub fn save(&self, ctx: &mut Context, path: impl AsRef<Path>) -> Result<()> {
        let path = c_path(path.as_ref())?;
        let status =
            unsafe { sys::quarry_relu_net_save(ctx.raw(), self.raw.as_ptr(), path.as_ptr()) };
        ctx.check(status)
    }

    /// (d, k, c): inputs, hidden neurons, outputs.
    pub fn dims(&self) -> (usize, usize, usize) {
        let (mut d, mut k, mut c) = (0i64, 0i64, 0i64);
        // Cannot fail: the handle and the out-pointers are valid.
        unsafe { sys::quarry_relu_net_dims(self.raw.as_ptr(), &mut d, &mut k, &mut c) };
        (d as usize, k as usize, c as usize)
    }

    /// A copy of the weights (skip and c0 as stored: zeros when created without them).
    pub fn weights(&self) -> Weights {
        let (d, k, c) = self.dims();
        let mut w = Weights {
            d,
            k,
            c,
            w: vec![0.0; k * d],
            b: vec![0.0; k],
            a: vec![0.0; c * k],
            skip: vec![0.0; c * d],
            c0: vec![0.0; c],
        };
        unsafe {
            sys::quarry_relu_net_get_f64(
                self.raw.as_ptr(),
                w.w.as_mut_ptr(),
                w.b.as_mut_ptr(),
                w.a.as_mut_ptr(),
                w.skip.as_mut_ptr(),
                w.c0.as_mut_ptr(),
            )
        };
        w
    }

    /// The outputs (n x c, row-major) for the inputs `x` (n x d, row-major).
    pub fn eval(&self, ctx: &mut Context, x: &[f64]) -> Result<Vec<f64>> {
        let (d, _, c) = self.dims();
        let mut y = vec![0.0; x.len() / d.max(1) * c];
        self.eval_into(ctx, x, &mut y)?;
        Ok(y)
    }

    /// As [`ReluNet::eval`], into `y` (n x c): for an oracle answering in place.
    pub fn eval_into(&self, ctx: &mut Context, x: &[f64], y: &mut [f64]) -> Result<()> {
        let (d, _, c) = self.dims();
        let n = x.len() / d.max(1);
        if x.len() != n * d || y.len() != n * c {
            return Err(Error::new(
                sys::QUARRY_ERR_BAD_DIMENSION,
                format!(
                    "{} inputs and {} outputs do not make n x {d} and n x {c}",
                    x.len(),
                    y.len()
                ),
            ));
        }
        let status = unsafe {
            sys::quarry_relu_net_eval_f64(
                ctx.raw(),
                self.raw.as_ptr(),
                n as i64,
                x.as_ptr(),
                y.as_mut_ptr(),
            )
        };
        ctx.check(status)
    }
}

impl Drop for ReluNet {
    fn drop(&mut self) {
        unsafe { sys::quarry_relu_net_destroy(self.raw.as_ptr()) }
    }
}

impl std::fmt::Debug for ReluNet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (d, k, c) = self.dims();
        write!(f, "ReluNet {{ d: {d}, k: {k}, c: {c} }}")
    }
}

/// An extracted copy and the extraction's report (queries, batches, neurons, estimated
/// relative error, seconds in the oracle...).
#[derive(Debug)]
pub struct Extraction {
    pub net: ReluNet,
    pub report: Report,
}

/// Settings of an extraction (`quarry_extract_relu1`); every one unset means the
/// library's default. `Extract::new().seed(1).run(&mut ctx, d, c, oracle)`.
#[derive(Clone, Debug, Default)]
pub struct Extract {
    seed: Option<u64>,
    budget: Option<u64>,
    noise: Option<f64>,
    refine: Option<bool>,
    lower: Option<Vec<f64>>,
    upper: Option<Vec<f64>>,
}

/// A user oracle: answers the batch `x` (n x d) into `y` (n x c).
type Oracle<'f> = dyn FnMut(&[f64], &mut [f64]) -> std::result::Result<(), BoxError> + 'f;

/// The `quarry_oracle_fn` of [`Extract::run`]: answers a batch with the user's oracle.
unsafe extern "C" fn trampoline(
    n: i64,
    d: i64,
    x: *const f64,
    c: i64,
    y: *mut f64,
    user: *mut c_void,
) -> i32 {
    let (nx, ny) = ((n * d) as usize, (n * c) as usize);
    let x = if nx == 0 { &[][..] } else { std::slice::from_raw_parts(x, nx) };
    let y = if ny == 0 { &mut [][..] } else { std::slice::from_raw_parts_mut(y, ny) };
    // SAFETY: `user` is the `Callback` that `Extract::run` keeps alive for the whole C
    // call, and quarry calls the oracle only on the calling thread, one batch at a time.
    Callback::<Oracle<'_>>::run(user, |oracle| oracle(x, y))
}

impl Extract {
    /// The defaults.
    pub fn new() -> Extract {
        Extract::default()
    }
    /// Seed of the extraction's random stream.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }
    /// The most queries the extraction may make.
    pub fn budget(mut self, queries: u64) -> Self {
        self.budget = Some(queries);
        self
    }
    /// The standard deviation of the oracle's output noise, if known (default: estimated).
    pub fn noise(mut self, sigma: f64) -> Self {
        self.noise = Some(sigma);
        self
    }
    /// Run the refinement pass (re-measure every neuron) or not.
    pub fn refine(mut self, on: bool) -> Self {
        self.refine = Some(on);
        self
    }
    /// A box every query stays in: one bound for all inputs, or d each.
    pub fn domain(mut self, lower: &[f64], upper: &[f64]) -> Self {
        self.lower = Some(lower.to_vec());
        self.upper = Some(upper.to_vec());
        self
    }

    /// Copies the network behind `oracle` (d inputs, c outputs). The oracle answers a batch:
    /// `x` holds n queries (n x d, row-major), it writes the n x c outputs into `y`. It is
    /// called on this thread only. Its error stops the extraction and comes back as the
    /// source of an [`crate::ErrorKind::Oracle`] error; a panic in it resumes here after
    /// the C call returns. A spent budget (or an unconverged copy) gives an error whose
    /// [`Error::partial`] holds the copy so far.
    pub fn run<F>(&self, ctx: &mut Context, d: usize, c: usize, mut oracle: F) -> Result<Extraction>
    where
        F: FnMut(&[f64], &mut [f64]) -> std::result::Result<(), BoxError>,
    {
        let mut call: Callback<'_, Oracle<'_>> = Callback::new(&mut oracle);
        let outcome = self.extract(ctx, d, c, Some(trampoline), call.user_data())?;
        call.conclude(outcome.conclude())
    }

    /// Copies the network behind a simulated black box (its d and c), in C throughout:
    /// to measure what an attack costs against a float32, rounding or noisy deployment.
    pub fn run_black_box(&self, ctx: &mut Context, oracle: &mut NetOracle) -> Result<Extraction> {
        let (d, c) = (oracle.d, oracle.c);
        let user = oracle.raw.as_ptr() as *mut c_void;
        self.extract(ctx, d, c, Some(sys::quarry_net_oracle_eval), user)?.conclude()
    }

    /// One `quarry_extract_relu1` call with these settings.
    fn extract(
        &self,
        ctx: &mut Context,
        d: usize,
        c: usize,
        oracle: sys::quarry_oracle_fn,
        user: *mut c_void,
    ) -> Result<Outcome> {
        let mut o = Options::new()?;
        o.u64(sys::QUARRY_OPT_SEED, self.seed)?;
        o.u64(sys::QUARRY_OPT_QUERY_BUDGET, self.budget)?;
        o.f64(sys::QUARRY_OPT_OUTPUT_NOISE, self.noise)?;
        o.i64(sys::QUARRY_OPT_EXTRACT_REFINE, self.refine.map(i64::from))?;
        o.f64_array(sys::QUARRY_OPT_DOMAIN_LOWER, self.lower.as_deref())?;
        o.f64_array(sys::QUARRY_OPT_DOMAIN_UPPER, self.upper.as_deref())?;
        let (mut raw, mut report) = (ptr::null_mut(), ptr::null_mut());
        let status = unsafe {
            sys::quarry_extract_relu1(
                ctx.raw(),
                d as i64,
                c as i64,
                oracle,
                user,
                o.raw(),
                &mut raw,
                &mut report,
            )
        };
        Ok(Outcome {
            status,
            message: ctx.last_error(),
            report: Report::take(report),
            net: NonNull::new(raw).map(|raw| ReluNet { raw }),
        })
    }
}

/// What one extraction call returned.
struct Outcome {
    status: i32,
    message: String,
    report: Report,
    net: Option<ReluNet>,
}

impl Outcome {
    /// The copy; an error holding the partial copy when the budget ran out (or the copy is
    /// not accurate enough); or the error.
    fn conclude(self) -> Result<Extraction> {
        let Outcome { status, message, report, net } = self;
        match (status, net) {
            (sys::QUARRY_OK, Some(net)) => Ok(Extraction { net, report }),
            (
                sys::QUARRY_ERR_BUDGET
                | sys::QUARRY_ERR_CALLBACK_ABORTED
                | sys::QUARRY_ERR_NO_CONVERGENCE,
                Some(net),
            ) => Err(Error::new(status, message)
                .with_partial(Partial::Extraction(Extraction { net, report }))),
            (sys::QUARRY_OK, None) => {
                Err(Error::new(sys::QUARRY_ERR_INTERNAL, "no network was returned"))
            }
            _ => Err(Error::new(status, message)),
        }
    }
}

/// Settings of a simulated black box over a known network (`quarry_net_oracle_create`):
/// an exact float64 oracle unless told otherwise.
#[derive(Clone, Debug, Default)]
pub struct BlackBox {
    float32: bool,
    noise: Option<f64>,
    rounding: Option<f64>,
    seed: Option<u64>,
}

impl BlackBox {
    /// An exact float64 black box.
    pub fn new() -> BlackBox {
        BlackBox::default()
    }
    /// Evaluate in float32, as a float32 deployment would.
    pub fn float32(mut self) -> Self {
        self.float32 = true;
        self
    }
    /// Add fresh N(0, sigma^2) noise to every output.
    pub fn noise(mut self, sigma: f64) -> Self {
        self.noise = Some(sigma);
        self
    }
    /// Round every output to a multiple of `quantum` (after the noise).
    pub fn rounding(mut self, quantum: f64) -> Self {
        self.rounding = Some(quantum);
        self
    }
    /// Seed of the noise (reproducible runs).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// The black box answering with a copy of `net`.
    pub fn build(&self, ctx: &mut Context, net: &ReluNet) -> Result<NetOracle> {
        let mut o = Options::new()?;
        o.i64(sys::QUARRY_OPT_ORACLE_FLOAT32, Some(i64::from(self.float32)))?;
        o.f64(sys::QUARRY_OPT_ORACLE_NOISE, self.noise)?;
        o.f64(sys::QUARRY_OPT_ORACLE_ROUNDING, self.rounding)?;
        o.u64(sys::QUARRY_OPT_SEED, self.seed)?;
        let mut raw = ptr::null_mut();
        let status = unsafe {
            sys::quarry_net_oracle_create(ctx.raw(), net.raw.as_ptr(), o.raw(), &mut raw)
        };
        ctx.check(status)?;
        let raw = NonNull::new(raw)
            .ok_or_else(|| Error::new(sys::QUARRY_ERR_INTERNAL, "no black box was returned"))?;
        let (d, _, c) = net.dims();
        Ok(NetOracle { raw, d, c })
    }
}

/// A simulated black box (`quarry_net_oracle`): it counts its queries and owns its noise
/// stream, so it is used by one thread at a time (`&mut`).
pub struct NetOracle {
    raw: NonNull<sys::quarry_net_oracle>,
    d: usize,
    c: usize,
}

// SAFETY: the C object has no thread affinity; all mutation goes through &mut self.
unsafe impl Send for NetOracle {}

impl NetOracle {
    /// Queries answered so far (every row of every batch).
    pub fn queries(&self) -> u64 {
        let mut q = 0i64;
        unsafe { sys::quarry_net_oracle_queries(self.raw.as_ptr(), &mut q) };
        q as u64
    }

    /// Answers the batch `x` (n x d, row-major) into `y` (n x c); counts n queries.
    pub fn eval(&mut self, x: &[f64], y: &mut [f64]) -> Result<()> {
        let n = x.len() / self.d;
        if x.len() != n * self.d || y.len() != n * self.c {
            return Err(Error::new(
                sys::QUARRY_ERR_BAD_DIMENSION,
                format!(
                    "{} inputs and {} outputs do not make n x {} and n x {}",
                    x.len(),
                    y.len(),
                    self.d,
                    self.c
                ),
            ));
        }
        let status = unsafe {
            sys::quarry_net_oracle_eval(
                n as i64,
                self.d as i64,
                x.as_ptr(),
                self.c as i64,
                y.as_mut_ptr(),
                self.raw.as_ptr() as *mut c_void,
            )
        };
        match status {
            sys::QUARRY_OK => Ok(()),
            s => Err(Error::new(s, "the simulated black box refused the batch")),
        }
    }
}

impl std::fmt::Debug for NetOracle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "NetOracle {{ d: {}, c: {}, queries: {} }}", self.d, self.c, self.queries())
    }
}

impl Drop for NetOracle {
    fn drop(&mut self) {
        unsafe { sys::quarry_net_oracle_destroy(self.raw.as_ptr()) }
    }
}
