//! Status codes, errors and where their messages are kept.

use std::cell::RefCell;
use std::ffi::CString;

use wangge::ErrorKind;

use crate::store::wg_store;

/// The outcome of every call. The values are fixed and never renumbered; one per error
/// kind, matching the Python exception classes.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(non_camel_case_types, clippy::upper_case_acronyms)]
pub enum wg_status {
    /// Success.
    WG_OK = 0,
    /// A record named by the caller does not exist (Python `NotFound`).
    WG_NOT_FOUND = 1,
    /// An argument is NULL, not UTF-8, malformed or out of range (Python `InvalidInput`).
    WG_INVALID_INPUT = 2,
    /// A workflow action not allowed in the current state (Python `InvalidTransition`).
    WG_INVALID_TRANSITION = 3,
    /// The request contradicts what is stored (Python `Conflict`).
    WG_CONFLICT = 4,
    /// Outside the handle's scope (Python `PermissionDenied`).
    WG_PERMISSION_DENIED = 5,
    /// SQLite failed or the file is not a usable store (Python `StorageError`).
    WG_STORAGE_ERROR = 6,
    /// A bug in the library was caught at the boundary; the handle is still usable.
    WG_INTERNAL_ERROR = 7,
}

/// An error on its way out to C.
#[derive(Debug)]
pub(crate) struct FfiError {
    pub(crate) status: wg_status,
    pub(crate) message: String,
}

impl FfiError {
    pub(crate) fn new(status: wg_status, message: impl Into<String>) -> Self {
        FfiError {
            status,
            message: message.into(),
        }
    }

    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        FfiError::new(wg_status::WG_INVALID_INPUT, message)
    }
}

impl From<wangge::Error> for FfiError {
    fn from(error: wangge::Error) -> Self {
        let status = match error.kind() {
            ErrorKind::NotFound => wg_status::WG_NOT_FOUND,
            ErrorKind::InvalidInput => wg_status::WG_INVALID_INPUT,
            ErrorKind::InvalidTransition => wg_status::WG_INVALID_TRANSITION,
            ErrorKind::Conflict => wg_status::WG_CONFLICT,
            ErrorKind::PermissionDenied => wg_status::WG_PERMISSION_DENIED,
            ErrorKind::Storage => wg_status::WG_STORAGE_ERROR,
            _ => wg_status::WG_INTERNAL_ERROR,
        };
        FfiError::new(status, error.to_string())
    }
}

impl From<serde_json::Error> for FfiError {
    fn from(error: serde_json::Error) -> Self {
        FfiError::new(
            wg_status::WG_INTERNAL_ERROR,
            format!("cannot encode the result as JSON: {error}"),
        )
    }
}

thread_local! {
    static THREAD_ERROR: RefCell<Option<CString>> = const { RefCell::new(None) };
}

fn to_cstring(message: &str) -> CString {
    CString::new(message.replace('\0', "\u{FFFD}")).unwrap_or_default()
}

/// Keeps `message` as the last error of `handle`, or of this thread without one.
pub(crate) fn record(handle: Option<&wg_store>, message: &str) {
    let message = to_cstring(message);
    match handle {
        Some(handle) => handle.set_last_error(message),
        None => THREAD_ERROR.with(|slot| *slot.borrow_mut() = Some(message)),
    }
}

/// The last error message of `handle`, or of this thread without one.
pub(crate) fn last(handle: Option<&wg_store>) -> Option<CString> {
    match handle {
        Some(handle) => handle.last_error(),
        None => THREAD_ERROR.with(|slot| slot.borrow().clone()),
    }
}
