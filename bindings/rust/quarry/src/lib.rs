//! quarry for Rust: least squares, ridge regression and ReLU-network extraction through
//! libquarry's C ABI (the `quarry-sys` crate), safely.
//!
//! - Every call runs on a [`Context`] (its thread count and error message); calls that do
//!   work take it as `&mut`, so one context is never used by two calls at once, nor from
//!   inside an oracle running on it.
//! - Handles ([`Context`], [`ReluNet`]) own their C object and free it on drop.
//! - Failures are [`Error`]s with the C status, its name and the library's message; a
//!   solve that hit its iteration limit and an extraction that ran out of budget keep
//!   what they produced in [`Error::partial`].
//! - Matrices are borrowed slices ([`Dense`] in either layout with any leading dimension,
//!   [`Csr`]): passed to C without a copy. Results are owned `Vec`s.
//! - An oracle is any closure; its error is returned as the [`Error`]'s source and a panic
//!   in it resumes after the C call returns: nothing unwinds through C.
//!
//! ```
//! let mut ctx = quarry::Context::new()?;
//! let (m, n) = (2000, 20);
//! let a: Vec<f64> = (0..m * n).map(|i| ((i * 7919) % 1000) as f64 / 1000.0 - 0.5).collect();
//! let b: Vec<f64> = (0..m).map(|i| a[i * n..(i + 1) * n].iter().sum()).collect();
//! let sol = quarry::Lstsq::new().solve(&mut ctx, quarry::Dense::row_major(&a, m, n)?, &b)?;
//! assert!(sol.x.iter().all(|v| (v - 1.0).abs() < 1e-10));
//! # Ok::<(), quarry::Error>(())
//! ```

pub use quarry_sys as sys;

mod callback;
mod error;
mod extract;
mod lstsq;
mod regress;
mod sketch;

pub use error::{BoxError, Error, ErrorKind, Partial, Result};
pub use extract::{BlackBox, Extract, Extraction, NetOracle, ReluNet, Weights};
pub use lstsq::{
    Csr, Dense, DynamicLstsq, DynamicSettings, Layout, Lstsq, Method, SketchKind, Solution,
};
pub use regress::{
    kronecker_multiply, ActiveRegression, Huber, HuberFit, KroneckerRegression, LpRegression,
};
pub use sketch::{
    row_norms_squared, sample_weighted, Leverage, Lewis, Matrix, RngState, Sample, SampleTree,
    Sketch,
};

use std::ffi::CStr;
use std::ptr::{self, NonNull};

/// The ABI generation this crate was written for (`QUARRY_ABI_VERSION`).
pub const ABI_VERSION: i32 = sys::QUARRY_ABI_VERSION;

fn static_str(p: *const std::os::raw::c_char) -> &'static str {
    if p.is_null() {
        return "";
    }
    // SAFETY: the library returns static NUL-terminated strings for these calls.
    unsafe { CStr::from_ptr(p) }.to_str().unwrap_or("")
}

/// The loaded library's version, e.g. `"0.1.0"`.
pub fn version() -> &'static str {
    static_str(unsafe { sys::quarry_version_string() })
}

/// The loaded library's ABI generation (`quarry_abi_version()`).
pub fn abi_version() -> i32 {
    unsafe { sys::quarry_abi_version() }
}

/// The BLAS the library runs on and its configuration.
pub fn blas_info() -> &'static str {
    static_str(unsafe { sys::quarry_blas_info() })
}

/// `Ok` when the loaded library has this crate's ABI, else an [`ErrorKind::AbiMismatch`].
pub fn check_abi() -> Result<()> {
    match abi_version() {
        ABI_VERSION => Ok(()),
        found => Err(Error::abi_mismatch(found)),
    }
}

/// A quarry context: the thread count of the calls made on it and their error messages.
/// [`Context::new`] checks the library's ABI. A context may move between threads; a call
/// borrows it mutably, so it is used by one call at a time.
pub struct Context {
    raw: NonNull<sys::quarry_context>,
}

// SAFETY: a context has no thread affinity; it is not Sync (calls record messages on it).
unsafe impl Send for Context {}

impl Context {
    /// A context using all cores. Fails with [`ErrorKind::AbiMismatch`] when the loaded
    /// library is of another ABI generation than this crate.
    pub fn new() -> Result<Context> {
        check_abi()?;
        let mut raw = ptr::null_mut();
        let status = unsafe { sys::quarry_context_create(&mut raw) };
        match NonNull::new(raw) {
            Some(raw) if status == sys::QUARRY_OK => Ok(Context { raw }),
            _ => Err(Error::new(status, "quarry_context_create failed")),
        }
    }

    /// A context using `threads` threads (1 ..= `QUARRY_MAX_THREADS`; 0 = all cores).
    pub fn with_threads(threads: usize) -> Result<Context> {
        let mut ctx = Context::new()?;
        ctx.set_threads(threads)?;
        Ok(ctx)
    }

    /// The thread count of calls on this context.
    pub fn threads(&self) -> usize {
        let mut n = 0i64;
        // Cannot fail: the handle and the out-pointer are valid.
        unsafe { sys::quarry_context_get_threads(self.raw.as_ptr(), &mut n) };
        n as usize
    }

    /// Sets the thread count (1 ..= `QUARRY_MAX_THREADS`; 0 = all cores).
    pub fn set_threads(&mut self, threads: usize) -> Result<()> {
        let n = i64::try_from(threads).unwrap_or(i64::MAX);
        let status = unsafe { sys::quarry_context_set_threads(self.raw.as_ptr(), n) };
        self.check(status)
    }

    pub(crate) fn raw(&mut self) -> *mut sys::quarry_context {
        self.raw.as_ptr()
    }

    /// The message of the last failed call on this context (copied: the C string lives
    /// only until the next call; bytes that are not UTF-8, as in a path, are replaced).
    pub(crate) fn last_error(&self) -> String {
        let p = unsafe { sys::quarry_context_last_error(self.raw.as_ptr()) };
        let text = if p.is_null() {
            String::new()
        } else {
            unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
        };
        if text.is_empty() {
            "(no message)".to_string()
        } else {
            text
        }
    }

    /// `Ok` for `QUARRY_OK`, else the error with this context's message.
    pub(crate) fn check(&self, status: i32) -> Result<()> {
        if status == sys::QUARRY_OK {
            Ok(())
        } else {
            Err(Error::new(status, self.last_error()))
        }
    }
}

impl Drop for Context {
    fn drop(&mut self) {
        unsafe { sys::quarry_context_destroy(self.raw.as_ptr()) }
    }
}

impl std::fmt::Debug for Context {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context").field("threads", &self.threads()).finish()
    }
}

/// A value in a [`Report`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Value {
    I64(i64),
    F64(f64),
}

/// What a call measured (quarry/report.h): its method, iterations, queries, residual,
/// seconds... Keys are the `QUARRY_REPORT_*` constants ([`report_key`]).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Report {
    entries: Vec<(i32, &'static str, Value)>,
}

/// The `QUARRY_REPORT_*` keys of a [`Report`].
pub mod report_key {
    use crate::sys;
    pub const METHOD: i32 = sys::QUARRY_REPORT_METHOD;
    pub const ITERATIONS: i32 = sys::QUARRY_REPORT_ITERATIONS;
    pub const SKETCH_ROWS: i32 = sys::QUARRY_REPORT_SKETCH_ROWS;
    pub const QUERIES: i32 = sys::QUARRY_REPORT_QUERIES;
    pub const NEURONS: i32 = sys::QUARRY_REPORT_NEURONS;
    pub const RESIDUAL_NORM: i32 = sys::QUARRY_REPORT_RESIDUAL_NORM;
    pub const BACKWARD_ERROR: i32 = sys::QUARRY_REPORT_BACKWARD_ERROR;
    pub const CONDITION_ESTIMATE: i32 = sys::QUARRY_REPORT_CONDITION_ESTIMATE;
    pub const SECONDS: i32 = sys::QUARRY_REPORT_SECONDS;
    pub const ORACLE_SECONDS: i32 = sys::QUARRY_REPORT_ORACLE_SECONDS;
    pub const BATCHES: i32 = sys::QUARRY_REPORT_BATCHES;
    pub const LINES: i32 = sys::QUARRY_REPORT_LINES;
    pub const RELATIVE_ERROR: i32 = sys::QUARRY_REPORT_RELATIVE_ERROR;
    pub const NOISE: i32 = sys::QUARRY_REPORT_NOISE;
    pub const RANK: i32 = sys::QUARRY_REPORT_RANK;
    pub const RESIDUAL_BOUND: i32 = sys::QUARRY_REPORT_RESIDUAL_BOUND;
    pub const OBJECTIVE: i32 = sys::QUARRY_REPORT_OBJECTIVE;
    pub const OUTLIERS: i32 = sys::QUARRY_REPORT_OUTLIERS;
    pub const DUAL_GAP: i32 = sys::QUARRY_REPORT_DUAL_GAP;
}

impl Report {
    /// Reads every entry of a C report and destroys it (NULL: an empty report).
    pub(crate) fn take(raw: *mut sys::quarry_report) -> Report {
        let mut entries = Vec::new();
        if raw.is_null() {
            return Report { entries };
        }
        let mut count = 0i64;
        unsafe { sys::quarry_report_count(raw, &mut count) };
        for i in 0..count {
            let mut key = 0i32;
            unsafe { sys::quarry_report_key_at(raw, i, &mut key) };
            let value = match unsafe { sys::quarry_report_key_type(key) } {
                sys::QUARRY_TYPE_I64 => {
                    let mut v = 0i64;
                    unsafe { sys::quarry_report_get_i64(raw, key, &mut v) };
                    Value::I64(v)
                }
                sys::QUARRY_TYPE_F64 => {
                    let mut v = 0f64;
                    unsafe { sys::quarry_report_get_f64(raw, key, &mut v) };
                    Value::F64(v)
                }
                _ => continue, // a key of a newer library than this crate knows
            };
            entries.push((key, static_str(unsafe { sys::quarry_report_key_name(key) }), value));
        }
        unsafe { sys::quarry_report_destroy(raw) };
        Report { entries }
    }

    /// The value of `key`, if the call reported it.
    pub fn get(&self, key: i32) -> Option<Value> {
        self.entries.iter().find(|e| e.0 == key).map(|e| e.2)
    }

    /// An integer entry (`None` when absent or not an integer).
    pub fn i64(&self, key: i32) -> Option<i64> {
        match self.get(key) {
            Some(Value::I64(v)) => Some(v),
            _ => None,
        }
    }

    /// A floating-point entry (`None` when absent or not a float).
    pub fn f64(&self, key: i32) -> Option<f64> {
        match self.get(key) {
            Some(Value::F64(v)) => Some(v),
            _ => None,
        }
    }

    /// Every entry as (C name, value), in the library's order.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, Value)> + '_ {
        self.entries.iter().map(|e| (e.1, e.2))
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when the call reported nothing.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// An owned `quarry_options` built for one call.
pub(crate) struct Options {
    raw: NonNull<sys::quarry_options>,
}

impl Options {
    pub(crate) fn new() -> Result<Options> {
        let mut raw = ptr::null_mut();
        let status = unsafe { sys::quarry_options_create(&mut raw) };
        match NonNull::new(raw) {
            Some(raw) if status == sys::QUARRY_OK => Ok(Options { raw }),
            _ => Err(Error::new(status, "quarry_options_create failed")),
        }
    }

    fn refused(status: i32, key: i32, value: &dyn std::fmt::Debug) -> Result<()> {
        if status == sys::QUARRY_OK {
            return Ok(());
        }
        let name = static_str(unsafe { sys::quarry_option_name(key) });
        Err(Error::new(status, format!("option {name} = {value:?} is refused")))
    }

    pub(crate) fn i64(&mut self, key: i32, value: Option<i64>) -> Result<()> {
        match value {
            None => Ok(()),
            Some(v) => {
                let status = unsafe { sys::quarry_options_set_i64(self.raw.as_ptr(), key, v) };
                Options::refused(status, key, &v)
            }
        }
    }

    /// An unsigned count or seed: its bits for a seed (any value), range-checked otherwise.
    pub(crate) fn u64(&mut self, key: i32, value: Option<u64>) -> Result<()> {
        match value {
            Some(v) if key == sys::QUARRY_OPT_SEED => self.i64(key, Some(v as i64)),
            Some(v) => match i64::try_from(v) {
                Ok(v) => self.i64(key, Some(v)),
                Err(_) => Options::refused(sys::QUARRY_ERR_INVALID_ARGUMENT, key, &v),
            },
            None => Ok(()),
        }
    }

    pub(crate) fn f64(&mut self, key: i32, value: Option<f64>) -> Result<()> {
        match value {
            None => Ok(()),
            Some(v) => {
                let status = unsafe { sys::quarry_options_set_f64(self.raw.as_ptr(), key, v) };
                Options::refused(status, key, &v)
            }
        }
    }

    pub(crate) fn f64_array(&mut self, key: i32, value: Option<&[f64]>) -> Result<()> {
        match value {
            None => Ok(()),
            Some(v) => {
                let status = unsafe {
                    sys::quarry_options_set_f64_array(
                        self.raw.as_ptr(),
                        key,
                        v.len() as i64,
                        v.as_ptr(),
                    )
                };
                Options::refused(status, key, &v)
            }
        }
    }

    pub(crate) fn raw(&self) -> *const sys::quarry_options {
        self.raw.as_ptr()
    }
}

impl Drop for Options {
    fn drop(&mut self) {
        unsafe { sys::quarry_options_destroy(self.raw.as_ptr()) }
    }
}
