//! Errors: the C status, its name, the library's message, and what a call that stopped
//! early still produced.

use crate::sys;
use crate::{Extraction, Solution};
use std::ffi::CStr;
use std::fmt;

/// The error type a user oracle may return (anything that converts into it, so `?` works).
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// `Result` with [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

/// The kind of a failure, one per C status code (quarry/status.h), plus
/// [`ErrorKind::AbiMismatch`] for a library of another ABI than this crate's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    InvalidArgument,
    NullPointer,
    BadDimension,
    BadLeadingDim,
    BadLayout,
    Unsupported,
    NonFinite,
    OutOfMemory,
    SizeOverflow,
    /// An iterative method hit its iteration limit; [`Error::partial`] has the last iterate.
    NoConvergence,
    CallbackAborted,
    /// The oracle failed; [`std::error::Error::source`] is its own error when it returned one.
    Oracle,
    /// The query budget ran out; [`Error::partial`] has the partial copy.
    Budget,
    Io,
    Format,
    Internal,
    /// The loaded libquarry has another `quarry_abi_version()` than this crate was written for.
    AbiMismatch,
    /// A status this crate does not know (from a newer library).
    Unknown,
}

/// What a call that stopped early still produced, kept in its [`Error`].
#[derive(Debug)]
#[non_exhaustive]
pub enum Partial {
    /// The last iterate of a solve that hit its iteration limit (of Lewis weights: the
    /// last round's weights), and its report.
    Solution(Solution),
    /// The copy an extraction had made when it stopped, and its report.
    Extraction(Extraction),
}

/// A failed quarry call.
#[derive(Debug)]
pub struct Error {
    status: i32,
    kind: ErrorKind,
    message: String,
    source: Option<BoxError>,
    partial: Option<Box<Partial>>,
}

const KINDS: &[(i32, ErrorKind, &str)] = &[
    (sys::QUARRY_ERR_INVALID_ARGUMENT, ErrorKind::InvalidArgument, "QUARRY_ERR_INVALID_ARGUMENT"),
    (sys::QUARRY_ERR_NULL_POINTER, ErrorKind::NullPointer, "QUARRY_ERR_NULL_POINTER"),
    (sys::QUARRY_ERR_BAD_DIMENSION, ErrorKind::BadDimension, "QUARRY_ERR_BAD_DIMENSION"),
    (sys::QUARRY_ERR_BAD_LEADING_DIM, ErrorKind::BadLeadingDim, "QUARRY_ERR_BAD_LEADING_DIM"),
    (sys::QUARRY_ERR_BAD_LAYOUT, ErrorKind::BadLayout, "QUARRY_ERR_BAD_LAYOUT"),
    (sys::QUARRY_ERR_UNSUPPORTED, ErrorKind::Unsupported, "QUARRY_ERR_UNSUPPORTED"),
    (sys::QUARRY_ERR_NONFINITE, ErrorKind::NonFinite, "QUARRY_ERR_NONFINITE"),
    (sys::QUARRY_ERR_OUT_OF_MEMORY, ErrorKind::OutOfMemory, "QUARRY_ERR_OUT_OF_MEMORY"),
    (sys::QUARRY_ERR_SIZE_OVERFLOW, ErrorKind::SizeOverflow, "QUARRY_ERR_SIZE_OVERFLOW"),
    (sys::QUARRY_ERR_NO_CONVERGENCE, ErrorKind::NoConvergence, "QUARRY_ERR_NO_CONVERGENCE"),
    (sys::QUARRY_ERR_CALLBACK_ABORTED, ErrorKind::CallbackAborted, "QUARRY_ERR_CALLBACK_ABORTED"),
    (sys::QUARRY_ERR_ORACLE, ErrorKind::Oracle, "QUARRY_ERR_ORACLE"),
    (sys::QUARRY_ERR_BUDGET, ErrorKind::Budget, "QUARRY_ERR_BUDGET"),
    (sys::QUARRY_ERR_IO, ErrorKind::Io, "QUARRY_ERR_IO"),
    (sys::QUARRY_ERR_FORMAT, ErrorKind::Format, "QUARRY_ERR_FORMAT"),
    (sys::QUARRY_ERR_INTERNAL, ErrorKind::Internal, "QUARRY_ERR_INTERNAL"),
];

impl Error {
    /// An error of C status `status` with `message`.
    pub(crate) fn new(status: i32, message: impl Into<String>) -> Error {
        let kind = KINDS.iter().find(|k| k.0 == status).map_or(ErrorKind::Unknown, |k| k.1);
        Error { status, kind, message: message.into(), source: None, partial: None }
    }

    pub(crate) fn abi_mismatch(found: i32) -> Error {
        let mut e = Error::new(
            sys::QUARRY_ERR_UNSUPPORTED,
            format!(
                "the loaded libquarry has ABI version {found}, this crate needs {}; \
                 install a matching libquarry",
                sys::QUARRY_ABI_VERSION
            ),
        );
        e.kind = ErrorKind::AbiMismatch;
        e
    }

    pub(crate) fn with_source(mut self, source: BoxError) -> Error {
        self.source = Some(source);
        self
    }

    pub(crate) fn with_partial(mut self, partial: Partial) -> Error {
        self.partial = Some(Box::new(partial));
        self
    }

    /// The C status code (`QUARRY_ERR_*`).
    pub fn status(&self) -> i32 {
        self.status
    }

    /// The kind of failure.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The status's C name, e.g. `"QUARRY_ERR_NONFINITE"`.
    pub fn status_name(&self) -> &'static str {
        KINDS.iter().find(|k| k.0 == self.status).map_or("QUARRY_ERR_UNKNOWN", |k| k.2)
    }

    /// The library's message for this failure (what, where, which argument).
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The last iterate or partial copy of a call that stopped early, if any.
    pub fn partial(&self) -> Option<&Partial> {
        self.partial.as_deref()
    }

    /// Takes the partial result out of the error.
    pub fn into_partial(self) -> Option<Partial> {
        self.partial.map(|p| *p)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // SAFETY: quarry_status_string returns a static NUL-terminated string for any code.
        let description = unsafe { CStr::from_ptr(sys::quarry_status_string(self.status)) };
        write!(f, "{} ({}): {}", self.status_name(), description.to_string_lossy(), self.message)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_deref().map(|e| e as &(dyn std::error::Error + 'static))
    }
}
