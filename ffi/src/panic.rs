//! The boundary every exported function runs behind: no panic crosses into C.

use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::error::{FfiError, record};
use crate::wg_status;

/// Runs `body`, turning its error or any panic into a status code and recording the
/// message where `wg_last_error` finds it: on `handle` when there is one, else per thread.
pub(crate) fn boundary(
    handle: Option<&crate::store::wg_store>,
    body: impl FnOnce() -> Result<(), FfiError>,
) -> wg_status {
    let outcome = catch_unwind(AssertUnwindSafe(body));
    let error = match outcome {
        Ok(Ok(())) => return wg_status::WG_OK,
        Ok(Err(error)) => error,
        Err(payload) => {
            let message = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_owned());
            FfiError::new(wg_status::WG_INTERNAL_ERROR, format!("internal error: {message}"))
        }
    };
    // Recording must not panic either; if it somehow did, the status still gets out.
    let status = error.status;
    let _ = catch_unwind(AssertUnwindSafe(|| {
        record(handle, error.message_for(handle));
    }));
    status
}

/// Frees what `ptr` points to with `free`, behind the boundary; NULL is ignored.
pub(crate) fn release<T>(ptr: *mut T, free: impl FnOnce(*mut T)) {
    if !ptr.is_null() {
        let _ = boundary(None, || {
            free(ptr);
            Ok(())
        });
    }
}
