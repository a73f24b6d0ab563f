//! The official working-day calendar (法定节假日 and 调休) over the C ABI.
//!
//! Government time limits are counted in working days: a day is one when the year's
//! arrangement makes it one (a make-up day, even on a weekend), is not when it closes it
//! (a holiday, even on a weekday), and otherwise when it falls Monday to Friday. The
//! arrangements for 2010–2026 ship with the library; a store may load more years, in the
//! text format, one holiday per line (`#` starts a comment):
//!
//! ```text
//! # YEAR NAME off FIRST[..LAST] [work DAY[,DAY...]]
//! 2020 春节 off 01-24..02-02 work 01-19
//! 2012 元旦 off 01-01..01-03 work 2011-12-31
//! ```
//!
//! Dates are `MM-DD` in the line's year, or `YYYY-MM-DD` when the notice puts them in
//! another year; all lines of a year are given together. Every function taking a store
//! accepts NULL there for the shipped calendar alone (errors then go to this thread's
//! last error, read with `wg_last_error(NULL, ...)`); with a store, the store's calendar
//! is used: the shipped years, with the years loaded into it added or replacing them. A
//! date of a year the calendar lacks is `WG_NOT_FOUND` naming the year, never a guess from
//! weekdays alone. Dates are `YYYY-MM-DD`; lists of years are JSON arrays of numbers.

use std::ffi::c_char;

use crate::error::FfiError;
use crate::out::opt_json;
use crate::panic::boundary;
use crate::store::{wg_store, with_store};
use crate::wg_status;

/// Runs `body` behind the boundary on the calendar of `ptr`, or on the shipped one without a handle.
fn with_calendar(
    ptr: *const wg_store,
    body: impl FnOnce(&wangge::Calendar) -> Result<(), FfiError>,
) -> wg_status {
    // SAFETY: every exported function asks for NULL or a live handle.
    let handle = unsafe { ptr.as_ref() };
    boundary(handle, || match handle {
        Some(h) => body(&*h.store.calendar()?),
        None => body(wangge::Calendar::official()),
    })
}

/// Writes to `*out_date` the `n`-th working day after `day` (`day` itself not counted),
/// as `YYYY-MM-DD`: a limit of `n` working days from a moment of `day` ends at the end of
/// that day. A negative `n` counts backwards (the `-n`-th working day before `day`); 0
/// gives `day` itself. An `n` larger (in size) than the days the calendar covers is
/// `WG_INVALID_INPUT` naming `n`. `store` NULL: the shipped calendar.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_add_working_days(
    store: *const wg_store,
    day: *const c_char,
    n: i64,
    out_date: *mut *mut c_char,
) -> wg_status {
    with_calendar(store, |calendar| {
        let day = date!(day);
        let out = out!(out_date);
        out.text(&calendar.add_working_days(day, n)?.to_string())
    })
}

/// Writes to `*out` the number of working days in `(a, b]`; negative, counting `(b, a]`,
/// when `b` is before `a`. `store` NULL: the shipped calendar.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_working_days_between(
    store: *const wg_store,
    a: *const c_char,
    b: *const c_char,
    out: *mut i64,
) -> wg_status {
    with_calendar(store, |calendar| {
        let (a, b) = (date!(a), date!(b));
        let out = out!(out);
        out.put(calendar.working_days_between(a, b)?)
    })
}

/// Writes to `*out` 1 when `day` is a working day, else 0. `store` NULL: the shipped
/// calendar.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_is_working_day(
    store: *const wg_store,
    day: *const c_char,
    out: *mut i32,
) -> wg_status {
    with_calendar(store, |calendar| {
        let (day, out) = (date!(day), out!(out));
        out.put(i32::from(calendar.is_working_day(day)?))
    })
}

/// Writes to `*out_json` the years the calendar covers, in order, a JSON array of
/// numbers. `store` NULL: the shipped calendar.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_calendar_years(
    store: *const wg_store,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_calendar(store, |calendar| out!(out_json).json(&calendar.years()))
}

/// Loads the arrangements in the file at `path` (the module's text format, UTF-8) into
/// the store, so every handle on it counts working days with them; a year already loaded
/// or shipped is replaced. A malformed line is `WG_INVALID_INPUT` naming its number, an
/// unreadable file `WG_INVALID_INPUT` naming the path; a scoped handle gets
/// `WG_PERMISSION_DENIED`. If `out_json` is not NULL, the years loaded are written there.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_calendar_load(
    store: *const wg_store,
    path: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let path = arg!(path);
        opt_json(out_json, &store.load_calendar_file(path)?)
    })
}

/// Loads the arrangements of `text` (the module's text format) into the store, like
/// [`wg_calendar_load`] does from a file.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_calendar_load_text(
    store: *const wg_store,
    text: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let text = arg!(text);
        opt_json(out_json, &store.load_calendar(text)?)
    })
}
