//! The C ABI of wangge (网格): opaque handles, fixed status codes, JSON results.
//!
//! Conventions, for every exported function:
//! - the handle comes first, then inputs, then out-pointers;
//! - the return value is a [`wg_status`]; `WG_OK` is 0 and the values never change;
//! - outputs are written only on success; required out-pointers that are NULL, NULL or
//!   non-UTF-8 strings are answered with `WG_INVALID_INPUT`, never a crash;
//! - every string the library returns is the caller's, freed with [`wg_string_free`];
//!   every byte buffer, with its length, with [`wg_bytes_free`];
//! - the message of the last failed call is read with [`wg_last_error`]: per thread and
//!   per handle, or per thread for calls made without one; a successful call leaves it
//!   as it was;
//! - no panic crosses the boundary (`WG_INTERNAL_ERROR`).
//!
//! # Safety
//! Written once here and at the top of the header, for every function: a `wg_store *`
//! is NULL or a live handle from `wg_store_open` or `wg_store_scope`, not yet freed; a
//! `const char *` is NULL or a NUL-terminated string that stays readable during the call
//! (the library keeps no pointer to it); an out-pointer is NULL or writable; a pointer the
//! library returned is freed once, by the function its documentation names. A function's
//! own documentation adds only what is particular to it.

#![deny(missing_docs)]
// The Safety contract is the same for every function and is written once, above.
#![allow(clippy::missing_safety_doc)]
// The exported names follow C conventions.
#![allow(non_camel_case_types)]

#[macro_use]
mod args;
mod arrow;
#[macro_use]
mod out;

mod archive;
mod calendar;
mod contacts;
mod error;
mod handheld;
mod import;
mod ledger;
mod panic;
mod period;
mod progress;
mod registry;
mod report;
mod staff;
mod store;
mod submit;
mod units;
mod visits;

use std::ffi::{CString, c_char};

pub use archive::*;
pub use calendar::*;
pub use contacts::*;
pub use error::wg_status;
pub use import::*;
pub use ledger::*;
pub use period::*;
pub use progress::*;
pub use registry::*;
pub use report::*;
pub use staff::*;
pub use store::*;
pub use submit::*;
pub use units::*;
pub use visits::*;

/// Frees a string the library returned. NULL is accepted and ignored.
///
/// `s` must not have been freed already.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_string_free(s: *mut c_char) {
    // SAFETY: made by CString::into_raw in this library, freed once.
    panic::release(s, |s| drop(unsafe { CString::from_raw(s) }));
}

/// The library's version as a static NUL-terminated string; do not free it.
#[unsafe(no_mangle)]
pub extern "C" fn wg_version() -> *const c_char {
    static VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), "\0");
    VERSION.as_ptr().cast()
}
