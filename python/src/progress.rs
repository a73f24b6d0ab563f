//! Ctrl-C and progress callbacks during store calls. Every call runs with the GIL released
//! under a core [`Progress`], which the core calls back at least every
//! [`wangge::PROGRESS_INTERVAL`] of work: the callback takes the GIL back just long enough
//! to run Python's signal handlers (`py.check_signals()`) and, when the method was given
//! one, the caller's `progress(done, total)`. A signal handler that raises (Ctrl-C's
//! `KeyboardInterrupt`) or a callback that raises stops the call, which the core rolls
//! back, and the exception propagates; a callback returning `False` stops it with the
//! core's `InvalidInput` naming `progress`.
//!
//! The callbacks run while the core holds the store's connection. That cannot deadlock
//! across threads: no thread ever waits for that lock while holding the GIL, because every
//! `Store` method releases the GIL before the core takes the lock. Within the callback's
//! own thread it would (the lock is not re-entrant), so `Store` methods called from a
//! callback or a signal handler raise `StorageError` instead of waiting for ever.

use std::cell::Cell;
use std::sync::{Arc, Mutex, PoisonError};

use pyo3::prelude::*;
use pyo3::types::PyBool;
use wangge::Progress;

use crate::convert::repr_text;
use crate::errors::{StorageError, invalid, py_result_in};
use wangge::Language;

thread_local! {
    /// True on a thread while it runs a progress callback or the signal handlers.
    static IN_PROGRESS: Cell<bool> = const { Cell::new(false) };
}

/// Refuses store calls made from inside a progress callback (or a signal handler run by
/// one): the call in progress holds the store's connection, so they would wait for ever.
pub(crate) fn refuse_inside_progress() -> PyResult<()> {
    if IN_PROGRESS.get() {
        return Err(StorageError::new_err(
            "the store cannot be used from inside a progress callback \
             (the call in progress holds its connection)",
        ));
    }
    Ok(())
}

/// Runs `call` with the GIL taken and store calls refused, as a progress callback runs.
pub(crate) fn as_callback<T>(py: Python<'_>, call: impl FnOnce(Python<'_>) -> T) -> T {
    IN_PROGRESS.set(true);
    let out = call(py);
    IN_PROGRESS.set(false);
    out
}

/// The `progress` argument of a long call: `None`, or a callable taking `(done, total)`.
pub(crate) fn progress_arg(progress: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Py<PyAny>>> {
    let Some(progress) = progress.filter(|p| !p.is_none()) else {
        return Ok(None);
    };
    if !progress.is_callable() {
        return Err(invalid(
            "progress",
            repr_text(progress),
            "expected a callable taking (done, total)",
        ));
    }
    Ok(Some(progress.clone().unbind()))
}

/// What a callback answered: go on unless it returned `False` (a falsy non-bool goes on).
pub(crate) fn goes_on(answer: &Bound<'_, PyAny>) -> bool {
    answer.cast::<PyBool>().map_or(true, PyBoolMethods::is_true)
}

/// Runs `work` with the GIL released under a progress that runs Python's signal handlers
/// and `callback` (with `(done, total)`), as the module documentation says. The exception
/// a signal handler or the callback raised wins over the call's own result.
pub(crate) fn watched<T: Send>(
    py: Python<'_>,
    callback: Option<Py<PyAny>>,
    language: Language,
    work: impl FnOnce(&Progress) -> wangge::Result<T> + Send,
) -> PyResult<T> {
    let raised: Arc<Mutex<Option<PyErr>>> = Arc::default();
    let keep = Arc::clone(&raised);
    let progress = Progress::new(move |step, done, total| {
        Python::attach(|py| {
            let answer = as_callback(py, |py| {
                py.check_signals()?;
                match &callback {
                    // Before the call names its first step there is nothing to count.
                    Some(callback) if !step.is_empty() => {
                        Ok(goes_on(callback.call1(py, (done, total))?.bind(py)))
                    }
                    _ => Ok(true),
                }
            });
            answer.unwrap_or_else(|err: PyErr| {
                *keep.lock().unwrap_or_else(PoisonError::into_inner) = Some(err);
                false
            })
        })
    });
    let result = py.detach(|| work(&progress));
    if let Some(err) = raised.lock().unwrap_or_else(PoisonError::into_inner).take() {
        return Err(err);
    }
    py_result_in(result, language)
}
