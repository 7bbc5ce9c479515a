//! Robust regression (quarry/regress.h).

use crate::lstsq::{finish, Dense, Layout};
use crate::sys;
use crate::{Context, Error, Options, Report, Result};
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
    /// [`Partial::Solution`] holds the last iterate (its `x`) and the report.
    pub fn fit(&self, ctx: &mut Context, a: Dense<'_>, b: &[f64]) -> Result<HuberFit> {
        let (m, n) = a.shape();
        if b.len() != m {
            return Err(Error::new(
                sys::QUARRY_ERR_BAD_DIMENSION,
                format!("b has {} rows but A has {m}", b.len()),
            ));
        }
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
