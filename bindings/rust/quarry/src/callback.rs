//! User closures called back from C (an extraction's oracle, an active regression's
//! labels): nothing may unwind into C, so a trampoline runs the closure through
//! [`Callback::run`], which keeps its error or catches its panic and returns non-zero
//! to stop the C call; [`Callback::conclude`] then resumes the panic, or makes the error
//! the source of the error the C call returned.

use crate::{BoxError, Result};
use std::any::Any;
use std::os::raw::c_void;
use std::panic::{self, AssertUnwindSafe};

/// What a C trampoline reaches through its `user_data`: the user's closure `F` (a trait
/// object, so one trampoline serves every closure type) and what it left behind.
pub(crate) struct Callback<'f, F: ?Sized> {
    f: &'f mut F,
    error: Option<BoxError>,
    panic: Option<Box<dyn Any + Send>>,
}

impl<'f, F: ?Sized + 'f> Callback<'f, F> {
    pub(crate) fn new(f: &'f mut F) -> Self {
        Callback { f, error: None, panic: None }
    }

    /// The `user_data` to hand C with the trampoline; valid while `self` is borrowed.
    pub(crate) fn user_data(&mut self) -> *mut c_void {
        self as *mut Self as *mut c_void
    }

    /// In a trampoline: runs `body` on the closure behind `user`, and returns 0, or 1
    /// after keeping the error it returned or the panic it raised.
    ///
    /// # Safety
    /// `user` must come from [`Callback::user_data`] of a `Callback<F>` that outlives the
    /// C call, which runs callbacks only on the calling thread, one at a time.
    pub(crate) unsafe fn run(
        user: *mut c_void,
        body: impl FnOnce(&mut F) -> std::result::Result<(), BoxError>,
    ) -> i32 {
        let call = &mut *(user as *mut Self);
        let f = &mut *call.f;
        match panic::catch_unwind(AssertUnwindSafe(|| body(f))) {
            Ok(Ok(())) => 0,
            Ok(Err(e)) => {
                call.error = Some(e);
                1
            }
            Err(payload) => {
                call.panic = Some(payload);
                1
            }
        }
    }

    /// After the C call: resumes the closure's panic here, or returns the C call's
    /// `result` with the closure's error, if any, as the source of its error.
    pub(crate) fn conclude<T>(self, result: Result<T>) -> Result<T> {
        if let Some(payload) = self.panic {
            panic::resume_unwind(payload);
        }
        match (result, self.error) {
            (Err(e), Some(source)) => Err(e.with_source(source)),
            (result, _) => result,
        }
    }
}
