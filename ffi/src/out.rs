//! Writing results through out-pointers: checked before any work is done when required,
//! written only on success.

use std::ffi::{CString, c_char};

use serde::Serialize;
use serde_json::Value;

use crate::error::FfiError;
use crate::wg_status;

/// A required out-pointer, named after its parameter: `WG_INVALID_INPUT` naming it when
/// NULL.
macro_rules! out {
    ($name:ident) => {
        $crate::out::Out::required(stringify!($name), $name)?
    };
}

/// A checked, non-NULL `char **` the caller gave for a string result.
pub(crate) struct OutString(*mut *mut c_char);

impl OutString {
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

    /// Hands `text` to the caller through `ptr` without the boundary, so that nothing is
    /// recorded as the last error: `WG_INVALID_INPUT` when `ptr` is NULL.
    pub(crate) fn put_unrecorded(ptr: *mut *mut c_char, text: &str) -> wg_status {
        match OutString::optional(ptr) {
            Some(out) => {
                out.put(text);
                wg_status::WG_OK
            }
            None => wg_status::WG_INVALID_INPUT,
        }
    }

    /// Hands `value` to the caller as UTF-8 JSON.
    pub(crate) fn put_json(self, value: &impl Serialize) -> Result<(), FfiError> {
        let json = serde_json::to_string(value)?;
        self.put(&json);
        Ok(())
    }
}

/// Writes `value` as JSON through an out-pointer the caller may leave NULL.
pub(crate) fn opt_json(ptr: *mut *mut c_char, value: &impl Serialize) -> Result<(), FfiError> {
    match OutString::optional(ptr) {
        Some(out) => out.put_json(value),
        None => Ok(()),
    }
}

/// Writes `value` through an out-pointer the caller may leave NULL.
#[allow(clippy::unnecessary_wraps)] // ends a body, as every writer does
pub(crate) fn opt_value<T>(ptr: *mut T, value: T) -> Result<(), FfiError> {
    if !ptr.is_null() {
        // SAFETY: non-NULL and writable by the caller's contract.
        unsafe { *ptr = value };
    }
    Ok(())
}

/// A checked, non-NULL out-pointer of any type.
pub(crate) struct Out<T>(*mut T);

impl<T> Out<T> {
    /// Checks a required out-pointer before any work is done.
    pub(crate) fn required(field: &str, ptr: *mut T) -> Result<Self, FfiError> {
        if ptr.is_null() {
            return Err(FfiError::invalid(format!(
                "invalid {field}: NULL where an out-pointer is required"
            )));
        }
        Ok(Out(ptr))
    }

    /// Hands `value` to the caller.
    #[allow(clippy::unnecessary_wraps)] // ends a body, as every writer does
    pub(crate) fn put(self, value: T) -> Result<(), FfiError> {
        // SAFETY: checked non-NULL when made; the caller passed a writable pointer.
        unsafe { *self.0 = value };
        Ok(())
    }
}

impl Out<*mut c_char> {
    /// Hands `text` to the caller, who frees it with `wg_string_free`.
    #[allow(clippy::unnecessary_wraps)] // ends a body, as every writer does
    pub(crate) fn text(self, text: &str) -> Result<(), FfiError> {
        OutString(self.0).put(text);
        Ok(())
    }

    /// Hands `value` to the caller as UTF-8 JSON.
    pub(crate) fn json(self, value: &impl Serialize) -> Result<(), FfiError> {
        OutString(self.0).put_json(value)
    }
}

impl Out<*mut u8> {
    /// Hands `bytes` to the caller, their length through `len`: a buffer the caller frees
    /// with `wg_bytes_free` and that length.
    pub(crate) fn bytes(self, len: Out<usize>, bytes: Vec<u8>) -> Result<(), FfiError> {
        let bytes = bytes.into_boxed_slice();
        len.put(bytes.len())?;
        self.put(Box::into_raw(bytes).cast::<u8>())
    }
}

/// The JSON of each item, for a list whose items have their own `to_json`.
pub(crate) fn json_list<T>(items: &[T], to_json: impl Fn(&T) -> Value) -> Vec<Value> {
    items.iter().map(to_json).collect()
}
