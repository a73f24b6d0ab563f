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

/// A count given as a C integer where the core counts with `u32`.
macro_rules! count {
    ($name:ident) => {
        $crate::args::count(stringify!($name), $name)?
    };
}

/// A required period kind argument (`day`, `week`, `month` …).
macro_rules! kind {
    ($name:ident) => {
        wangge::PeriodKind::parse(
            stringify!($name),
            $crate::args::text(stringify!($name), $name)?,
        )?
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
    Ok(wangge::date::parse_moment(
        field,
        text(field, ptr)?,
        store.offset(),
    )?)
}

/// A count given as a C integer where the core counts with `u32`; a value no `u32` holds
/// is refused naming `field`, any other is left for the core to judge.
pub(crate) fn count(field: &str, value: i64) -> Result<u32, FfiError> {
    u32::try_from(value)
        .map_err(|_| FfiError::invalid(format!("invalid {field} {value}: out of range")))
}
