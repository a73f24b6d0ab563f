//! Status codes, errors and where their messages are kept.

use std::cell::RefCell;
use std::collections::HashMap;
use std::ffi::CString;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

use wangge::{ErrorKind, Language};

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
    /// Another connection (in this process or another) held the store's write lock for
    /// the handle's whole busy time (`"busy_timeout_ms"` of `wg_store_open`, default one
    /// minute): nothing was written and the same call may be retried (Python `Busy`, a
    /// `StorageError`).
    WG_BUSY = 8,
}

/// An error on its way out to C.
#[derive(Debug)]
pub(crate) struct FfiError {
    pub(crate) status: wg_status,
    pub(crate) message: String,
    /// The core's Chinese message for the same error, shown by a handle opened with
    /// `"language": "zh"`; `None` for the binding's own refusals.
    pub(crate) zh: Option<String>,
}

impl FfiError {
    pub(crate) fn new(status: wg_status, message: impl Into<String>) -> Self {
        FfiError { status, message: message.into(), zh: None }
    }

    /// The same error, its message in `language` where the core rendered one.
    pub(crate) fn in_language(mut self, language: Language) -> Self {
        if language == Language::Zh
            && let Some(zh) = self.zh.take()
        {
            self.message = zh;
        }
        self
    }

    /// The message as `handle` shows it: in the handle's store's language.
    pub(crate) fn message_for(&self, handle: Option<&wg_store>) -> &str {
        match (&self.zh, handle) {
            (Some(zh), Some(h)) if h.store.language() == Language::Zh => zh,
            _ => &self.message,
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
            ErrorKind::Busy => wg_status::WG_BUSY,
            _ => wg_status::WG_INTERNAL_ERROR,
        };
        FfiError { status, message: error.to_string(), zh: Some(error.message(Language::Zh)) }
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

/// The source of the numbers that tell threads apart in a handle's last errors.
static NEXT_THREAD: AtomicU64 = AtomicU64::new(0);

thread_local! {
    static THREAD_ERROR: RefCell<Option<CString>> = const { RefCell::new(None) };
    /// This thread's number, drawn once; never reused, so a thread that has ended never
    /// hands its message to a new one. A plain number: nothing to free when the thread
    /// ends.
    static THREAD_KEY: u64 = NEXT_THREAD.fetch_add(1, Ordering::Relaxed);
}

/// The number of the calling thread.
fn thread_key() -> u64 {
    THREAD_KEY.with(|key| *key)
}

/// The last error message of each thread that has made a failed call through one handle.
/// Freed with the handle; a thread that ends leaves its one message until then.
#[derive(Debug, Default)]
pub(crate) struct LastErrors(Mutex<HashMap<u64, CString>>);

impl LastErrors {
    fn set(&self, message: CString) {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).insert(thread_key(), message);
    }

    fn get(&self) -> Option<CString> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).get(&thread_key()).cloned()
    }
}

fn to_cstring(message: &str) -> CString {
    CString::new(message.replace('\0', "\u{FFFD}")).unwrap_or_default()
}

/// Keeps `message` as this thread's last error on `handle`, or as this thread's last
/// error without a handle. Only failed calls come here: a successful one leaves the last
/// error as it was.
pub(crate) fn record(handle: Option<&wg_store>, message: &str) {
    let message = to_cstring(message);
    match handle {
        Some(handle) => handle.last_errors.set(message),
        None => THREAD_ERROR.with(|slot| *slot.borrow_mut() = Some(message)),
    }
}

/// This thread's last error message on `handle`, or without a handle.
pub(crate) fn last(handle: Option<&wg_store>) -> Option<CString> {
    match handle {
        Some(handle) => handle.last_errors.get(),
        None => THREAD_ERROR.with(|slot| slot.borrow().clone()),
    }
}
