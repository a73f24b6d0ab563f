//! The Python exception classes, one per core [`wangge::ErrorKind`], under `wangge.Error`.
//!
//! They are created with `create_exception!` under the module `wangge._native` and added to
//! it, so `pickle` finds them by their qualified name and an exception raised in one
//! process can be re-raised in another with its message.

use std::cell::Cell;
use std::sync::atomic::{AtomicBool, Ordering};

use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use wangge::{ErrorKind, Language};

use crate::args::Text;

create_exception!(
    wangge._native,
    Error,
    PyException,
    "The base class of every error wangge raises."
);
create_exception!(
    wangge._native,
    NotFound,
    Error,
    "A unit, staff member or other record named by the caller does not exist (on the date asked about, where dated)."
);
create_exception!(
    wangge._native,
    InvalidInput,
    Error,
    "An argument is malformed or out of range; the message names the field and the value."
);
create_exception!(
    wangge._native,
    InvalidTransition,
    Error,
    "A workflow action is not allowed in the record's current state."
);
create_exception!(
    wangge._native,
    Conflict,
    Error,
    "The request contradicts what is stored (a duplicate code, a unit still in use, other levels)."
);
create_exception!(
    wangge._native,
    PermissionDenied,
    Error,
    "The handle's scope does not cover the unit the request touches."
);
create_exception!(
    wangge._native,
    StorageError,
    Error,
    "SQLite failed, the file is not a wangge store, or the store is closed."
);
create_exception!(
    wangge._native,
    Busy,
    StorageError,
    "Another connection held the store's write lock for the whole busy time (busy_timeout_ms): nothing was written; the call may be retried."
);

/// Whether the module's language (`set_language`) is Chinese rather than English.
static MODULE_ZH: AtomicBool = AtomicBool::new(false);

/// The module's language: the default of stores opened afterwards, and the language of
/// messages raised without a store.
pub(crate) fn module_language() -> Language {
    if MODULE_ZH.load(Ordering::Relaxed) {
        Language::Zh
    } else {
        Language::En
    }
}

/// Sets the module's language, `"en"` or `"zh"` (anything else raises `InvalidInput`
/// naming `language`): stores opened afterwards without `language=` render their errors'
/// messages in it, and so do errors raised without a store (date and period parsing).
/// Stores already open keep theirs. The exception's class, and the field name and value
/// in its message, are the same in both languages.
#[pyfunction]
fn set_language(language: Text<'_>) -> PyResult<()> {
    let text = language.0;
    let language = py_result(Language::parse(&text))?;
    MODULE_ZH.store(language == Language::Zh, Ordering::Relaxed);
    Ok(())
}

/// The module's language, `"en"` (the default) or `"zh"`.
#[pyfunction]
fn get_language() -> &'static str {
    module_language().as_str()
}

thread_local! {
    /// The language of the store whose method is reading its arguments on this thread.
    static READING_FOR: Cell<Option<Language>> = const { Cell::new(None) };
}

/// Runs `read`, a store's method reading its arguments, with errors raised meanwhile in
/// the store's `language` rather than the module's: a refused argument reads as the
/// store's own refusals do.
pub(crate) fn reading_for<T>(language: Language, read: impl FnOnce() -> T) -> T {
    /// Puts back the language before, however `read` ends.
    struct Restore(Option<Language>);
    impl Drop for Restore {
        fn drop(&mut self) {
            READING_FOR.set(self.0);
        }
    }
    let _restore = Restore(READING_FOR.replace(Some(language)));
    read()
}

/// The Python exception for a core error, its message in the module's language (the
/// store's, while one of its methods reads its arguments: see [`reading_for`]).
pub(crate) fn to_py_err(err: &wangge::Error) -> PyErr {
    to_py_err_in(err, READING_FOR.get().unwrap_or_else(module_language))
}

/// The Python exception for a core error: its class follows the error's kind, its message
/// is the error's text in `language` (which names the field and the value).
pub(crate) fn to_py_err_in(err: &wangge::Error, language: Language) -> PyErr {
    let message = err.message(language);
    match err.kind() {
        ErrorKind::NotFound => NotFound::new_err(message),
        ErrorKind::InvalidInput => InvalidInput::new_err(message),
        ErrorKind::InvalidTransition => InvalidTransition::new_err(message),
        ErrorKind::Conflict => Conflict::new_err(message),
        ErrorKind::PermissionDenied => PermissionDenied::new_err(message),
        ErrorKind::Storage => StorageError::new_err(message),
        ErrorKind::Busy => Busy::new_err(message),
        // A kind added to the core later is still a `wangge.Error`.
        _ => Error::new_err(message),
    }
}

/// Converts a core result into a Python one, a message in the module's language.
pub(crate) fn py_result<T>(result: wangge::Result<T>) -> PyResult<T> {
    result.map_err(|e| to_py_err(&e))
}

/// Converts a core result into a Python one, a message in `language` (a store's).
pub(crate) fn py_result_in<T>(result: wangge::Result<T>, language: Language) -> PyResult<T> {
    result.map_err(|e| to_py_err_in(&e, language))
}

/// An `InvalidInput` error built the way the core builds its own, naming `field` and `value`.
pub(crate) fn invalid(field: &'static str, value: impl Into<String>, reason: &str) -> PyErr {
    to_py_err(&wangge::Error::InvalidInput {
        field,
        value: wangge::text::clip(&value.into()),
        reason: reason.to_owned(),
    })
}

/// What every call on a closed store raises.
pub(crate) fn closed() -> PyErr {
    to_py_err(&wangge::Error::Storage(wangge::STORE_CLOSED.to_owned()))
}

/// Adds the exception classes to the module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("Error", py.get_type::<Error>())?;
    m.add("NotFound", py.get_type::<NotFound>())?;
    m.add("InvalidInput", py.get_type::<InvalidInput>())?;
    m.add("InvalidTransition", py.get_type::<InvalidTransition>())?;
    m.add("Conflict", py.get_type::<Conflict>())?;
    m.add("PermissionDenied", py.get_type::<PermissionDenied>())?;
    m.add("StorageError", py.get_type::<StorageError>())?;
    m.add("Busy", py.get_type::<Busy>())?;
    m.add_function(wrap_pyfunction!(set_language, m)?)?;
    m.add_function(wrap_pyfunction!(get_language, m)?)?;
    Ok(())
}
