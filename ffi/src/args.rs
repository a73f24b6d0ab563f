//! Reading the caller's arguments. Each macro names the argument after the parameter it
//! reads, so a bad one is answered with `WG_INVALID_INPUT` naming it, and returns early
//! from the body it stands in (as `?` does).

use std::ffi::{CStr, c_char};

use crate::error::FfiError;

/// A required string argument, named after its parameter.
macro_rules! arg {
    ($name:ident) => {
        $crate::args::text(stringify!($name), $name)?
    };
}

/// An optional string argument: NULL is `None`.
macro_rules! opt_arg {
    ($name:ident) => {
        $crate::args::opt_text(stringify!($name), $name)?
    };
}

/// A required ISO date argument.
macro_rules! date {
    ($name:ident) => {
        $crate::args::date(stringify!($name), $name)?
    };
}

/// An optional ISO date argument: NULL is `None`.
macro_rules! opt_date {
    ($name:ident) => {
        $crate::args::opt_date(stringify!($name), $name)?
    };
}

/// A required time argument, read in the deployment's time zone of `$store`.
macro_rules! moment {
    ($store:expr, $name:ident) => {
        $crate::args::moment($store, stringify!($name), $name)?
    };
}

/// A required calendar period argument (`2024-03`, `2024-Q1` …).
macro_rules! period {
    ($name:ident) => {
        wangge::Period::parse($crate::args::text(stringify!($name), $name)?)?
    };
}

/// An optional JSON input read by the core type's own `from_json`: NULL is the type's
/// default, a bad text the core's own refusal.
macro_rules! opt_input {
    ($name:ident, $type:ty) => {
        $crate::args::opt_text(stringify!($name), $name)?
            .map(<$type>::from_json)
            .transpose()?
            .unwrap_or_default()
    };
}

/// The paging of a list: `limit` (0: all the rest) items after the cursor `after` (NULL:
/// from the start).
macro_rules! paging {
    ($limit:ident, $after:ident) => {
        wangge::Paging {
            limit: ($limit != 0).then_some($limit as usize),
            after: $crate::args::opt_text(stringify!($after), $after)?.map(str::to_owned),
        }
    };
}

/// A required period kind argument (`day`, `week`, `month` …).
macro_rules! kind {
    ($name:ident) => {
        wangge::PeriodKind::parse(stringify!($name), $crate::args::text(stringify!($name), $name)?)?
    };
}

/// Reads a required string argument.
pub(crate) fn text<'a>(field: &str, ptr: *const c_char) -> Result<&'a str, FfiError> {
    opt_text(field, ptr)?.ok_or_else(|| {
        FfiError::invalid(format!("invalid {field}: NULL where a string is required"))
    })
}

/// Reads an optional string argument: NULL is `None`.
pub(crate) fn opt_text<'a>(field: &str, ptr: *const c_char) -> Result<Option<&'a str>, FfiError> {
    if ptr.is_null() {
        return Ok(None);
    }
    // SAFETY: the caller passes a NUL-terminated string that outlives the call.
    let bytes = unsafe { CStr::from_ptr(ptr) };
    bytes
        .to_str()
        .map(Some)
        .map_err(|_| FfiError::invalid(format!("invalid {field}: not valid UTF-8")))
}

/// Reads an optional ISO date argument.
pub(crate) fn opt_date(
    field: &'static str,
    ptr: *const c_char,
) -> Result<Option<wangge::Date>, FfiError> {
    match opt_text(field, ptr)? {
        None => Ok(None),
        Some(text) => Ok(Some(wangge::date::parse_date(field, text)?)),
    }
}

/// Reads a required ISO date argument.
pub(crate) fn date(field: &'static str, ptr: *const c_char) -> Result<wangge::Date, FfiError> {
    opt_date(field, ptr)?
        .ok_or_else(|| FfiError::invalid(format!("invalid {field}: NULL where a date is required")))
}

/// Reads a required time argument as the store reads times.
pub(crate) fn moment(
    store: &wangge::Store,
    field: &'static str,
    ptr: *const c_char,
) -> Result<wangge::Moment, FfiError> {
    Ok(wangge::date::parse_moment(field, text(field, ptr)?, store.offset())?)
}

/// The `count` handles and JSON texts of a call that takes one batch per handle, each
/// checked: NULL arrays (with `count` above 0), a NULL handle or a NULL text are
/// `WG_INVALID_INPUT` naming it.
///
/// # Safety
/// `stores` and `texts` are NULL or arrays of `count` items, each NULL or live for the call.
pub(crate) unsafe fn batches<'a>(
    stores: *const *const crate::store::wg_store,
    texts: *const *const c_char,
    count: usize,
) -> Result<Vec<(&'a wangge::Store, &'a str)>, FfiError> {
    if count > 0 && (stores.is_null() || texts.is_null()) {
        return Err(FfiError::invalid(
            "invalid stores or actions_json: NULL where an array is required",
        ));
    }
    (0..count)
        .map(|i| {
            // SAFETY: both arrays hold `count` items, by the caller's contract.
            let (store, text) = unsafe { (*stores.add(i), *texts.add(i)) };
            // SAFETY: each item is NULL or a live handle, by the caller's contract.
            let store = crate::store::need(unsafe { crate::store::handle(store) })?;
            Ok((store, self::text("actions_json", text)?))
        })
        .collect()
}
