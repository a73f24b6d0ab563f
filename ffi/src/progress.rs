//! Progress reports and stopping for the calls on one store handle: a callback set with
//! `wg_store_set_progress` is told how far each long call has got, at least every 50 ms
//! of its work, and stops it by returning 0.

use std::ffi::{CString, c_char, c_int, c_void};
use std::sync::PoisonError;

use crate::store::{wg_store, with_handle};
use crate::wg_status;

/// A progress callback for every call on a store handle (`wg_store_set_progress`): called
/// with the `user_data` given with it, the step (`"import"`, `"due_visits"`,
/// `"compliance"`, `"report"`, `"verify_audit"` …, a NUL-terminated string valid only
/// during the call), and how many of the step's `total` units are done (`done` never goes
/// down within a step; a finished step is last reported with `done == total`; work
/// before a call names its first step is reported as step `""`, 0 of 0). It is
/// called when a step starts, at least every 50 ms of work while it runs and when it
/// ends. It returns nonzero to go on, 0 to stop the call: the call then fails with
/// `WG_INVALID_INPUT` (its message names `progress`) and writes nothing. It runs on the
/// thread making the call while the store is busy: it must not call the library with the
/// same store or one of its scopes (`wg_last_error` excepted).
pub type wg_step_progress_fn = Option<
    unsafe extern "C" fn(
        user_data: *mut c_void,
        step: *const c_char,
        done: u64,
        total: u64,
    ) -> c_int,
>;

/// The callback set on a handle, with its `user_data`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CallerProgress {
    callback: unsafe extern "C" fn(*mut c_void, *const c_char, u64, u64) -> c_int,
    user_data: *mut c_void,
}

// SAFETY: the callback is called only on the threads making calls on the handle, as its
// documentation says; what `user_data` points to is the caller's to make safe there.
unsafe impl Send for CallerProgress {}
// SAFETY: as above; a `&CallerProgress` only copies the two pointers.
unsafe impl Sync for CallerProgress {}

impl CallerProgress {
    /// A core progress for one call, reporting to the caller's callback.
    pub(crate) fn progress(self) -> wangge::Progress {
        wangge::Progress::new(move |step, done, total| self.call(step, done, total))
    }

    /// Calls the callback: true to go on.
    fn call(&self, step: &str, done: u64, total: u64) -> bool {
        // Steps are the library's own names, without NUL.
        let step = CString::new(step).unwrap_or_default();
        // SAFETY: the caller passed a callable function and the user_data it expects.
        unsafe { (self.callback)(self.user_data, step.as_ptr(), done, total) != 0 }
    }
}

/// Sets (or, with `progress` NULL, removes) the progress callback of the calls made
/// through `store`: every call on this handle then reports to `progress` with `user_data`
/// and stops when it returns 0 (see `wg_step_progress_fn`). The imports' own `progress`
/// argument is called as well. A handle made by `wg_store_scope` starts without one. Set
/// it while no call on the handle runs.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_store_set_progress(
    store: *const wg_store,
    progress: wg_step_progress_fn,
    user_data: *mut c_void,
) -> wg_status {
    with_handle(store, |handle| {
        let progress = progress.map(|callback| CallerProgress { callback, user_data });
        *handle.progress.lock().unwrap_or_else(PoisonError::into_inner) = progress;
        Ok(())
    })
}
