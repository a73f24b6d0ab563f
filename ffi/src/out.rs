//! Writing results through out-pointers.

use std::ffi::{CString, c_char};

use serde::Serialize;

use crate::error::FfiError;

/// A checked, non-NULL `char **` the caller gave for a string result.
pub(crate) struct OutString(*mut *mut c_char);

impl OutString {
    /// Checks a required out-pointer before any work is done.
    pub(crate) fn required(field: &str, ptr: *mut *mut c_char) -> Result<Self, FfiError> {
        if ptr.is_null() {
            return Err(FfiError::invalid(format!(
                "invalid {field}: NULL where an out-pointer is required"
            )));
        }
        Ok(OutString(ptr))
    }

    /// An out-pointer the caller may leave NULL when it does not want the result.
    pub(crate) fn optional(ptr: *mut *mut c_char) -> Option<Self> {
        (!ptr.is_null()).then_some(OutString(ptr))
    }

    /// Hands `text` to the caller, who frees it with `wg_string_free`.
    pub(crate) fn put(self, text: &str) {
        let owned = CString::new(text.replace('\0', "\u{FFFD}")).unwrap_or_default();
        // SAFETY: checked non-NULL when made; the caller passed a writable `char **`.
        unsafe { *self.0 = owned.into_raw() };
    }

    /// Hands `value` to the caller as UTF-8 JSON.
    pub(crate) fn put_json(self, value: &impl Serialize) -> Result<(), FfiError> {
        let json = serde_json::to_string(value)?;
        self.put(&json);
        Ok(())
    }
}

/// Writes `value` as JSON through an optional out-pointer.
pub(crate) fn put_json_opt(out: Option<OutString>, value: &impl Serialize) -> Result<(), FfiError> {
    match out {
        Some(out) => out.put_json(value),
        None => Ok(()),
    }
}
