//! Calendar periods over the C ABI: parsing, stepping, and how the kinds nest.
//!
//! A period is written `2024-03-17` (day), `2024-W11` (ISO week, Monday first), `2024-03`
//! (month), `2024-Q1` (quarter), `2024-H1` (half year) or `2024` (year); every function
//! returns exactly that text and takes it or another usual form the core reads (`2024Q1`,
//! `2024年第1季度`, `2024年3月`, `2024-3`, a day as `2024/3/17` or `20240317`...). Kinds are named `day`, `week`, `month`, `quarter`,
//! `half_year` and `year` (a plural such as `weeks` is accepted too). A week belongs to
//! the month, quarter, half year and year holding its Thursday, so 2025-W01
//! (2024-12-30..2025-01-05) is January 2025's and every week belongs to exactly one of
//! each. None of these functions takes a store: errors go to this thread's last error,
//! read with `wg_last_error(NULL, ...)`. A malformed period or date is `WG_INVALID_INPUT`
//! naming the argument and the text.

use std::ffi::c_char;

use serde::Serialize;
use wangge::{Date, Period};

use crate::panic::boundary;
use crate::wg_status;

/// A period as `wg_period_parse` describes it.
#[derive(Serialize)]
struct PeriodJson {
    period: Period,
    kind: &'static str,
    first: Date,
    last: Date,
    days: u32,
}

impl From<Period> for PeriodJson {
    fn from(period: Period) -> Self {
        PeriodJson {
            period,
            kind: period.kind().as_str(),
            first: period.first(),
            last: period.last(),
            days: period.days(),
        }
    }
}

/// Reads the period `text` (as printed, `2024-Q1`, or another usual form: `2024Q1`,
/// `2024年第1季度`, `2024年一季度`, `2024年3月`, `2024-3`, `2024/3/17`, `20240317`...) and
/// writes to `*out_json` what it is, as a JSON object:
/// `{"period":"2024-Q1","kind":"quarter","first":"2024-01-01","last":"2024-03-31","days":91}`
/// (`period` its canonical text; `kind` one of `day`, `week`, `month`, `quarter`,
/// `half_year`, `year`; `first` and `last` its first and last day, `YYYY-MM-DD`; `days`
/// how many days it spans). A malformed `text` is `WG_INVALID_INPUT` naming it and
/// saying which forms are read; a month, quarter or day that does not exist, which.
///
/// JSON result: a `period`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_period_parse(
    text: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    boundary(None, || {
        let period = period!(text);
        out!(out_json).json(&PeriodJson::from(period))
    })
}

/// Writes to `*out_period` the period of `kind` that contains `day`, as its text: the
/// `week` containing 2024-12-30 is `2025-W01`. A period with days outside the years
/// 0001 to 9999 (the week of 9999-12-31) is `WG_INVALID_INPUT` naming `date`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_period_containing(
    kind: *const c_char,
    day: *const c_char,
    out_period: *mut *mut c_char,
) -> wg_status {
    boundary(None, || {
        let kind = kind!(kind);
        let day = date!(day);
        out!(out_period).text(&Period::containing(kind, day)?.to_string())
    })
}

/// Writes to `*out_period` the period of the same kind after `period`, as its text
/// (`2024-W52` is followed by `2025-W01`, `2024-H2` by `2025-H1`). The last period of
/// 9999 has none: `WG_INVALID_INPUT` naming `period`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_period_next(
    period: *const c_char,
    out_period: *mut *mut c_char,
) -> wg_status {
    boundary(None, || {
        let period = period!(period);
        out!(out_period).text(&period.next()?.to_string())
    })
}

/// Writes to `*out_period` the period of the same kind before `period`, as its text
/// (`2025-01` is preceded by `2024-12`). The first period of year 1 has none:
/// `WG_INVALID_INPUT` naming `period`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_period_previous(
    period: *const c_char,
    out_period: *mut *mut c_char,
) -> wg_status {
    boundary(None, || {
        let period = period!(period);
        out!(out_period).text(&period.previous()?.to_string())
    })
}

/// Writes to `*out` 1 when `day` falls in `period` (its first and last day included),
/// else 0.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_period_contains(
    period: *const c_char,
    day: *const c_char,
    out: *mut i32,
) -> wg_status {
    boundary(None, || {
        let (period, day, out) = (period!(period), date!(day), out!(out));
        out.put(i32::from(period.contains(day)))
    })
}

/// Writes to `*out_json` the periods of `kind` that make up `period`, in order, as a JSON
/// array of their texts: the days, months, quarters or half years inside it; the weeks
/// that belong to it (whose Thursday falls in it: `2024-03` gives
/// `["2024-W10","2024-W11","2024-W12","2024-W13"]`); a week's 7 days; `period` alone for
/// its own kind. Only periods in the years 0001 to 9999 are listed (`9999-12` ends with
/// `9999-W51`). A kind longer than `period`, weeks of a day, or months, quarters or half
/// years of a week are `WG_INVALID_INPUT` naming `kind`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_period_inside(
    period: *const c_char,
    kind: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    boundary(None, || {
        let period = period!(period);
        let kind = kind!(kind);
        out!(out_json).json(&period.inside(kind)?)
    })
}

/// Writes to `*out_period` the period of `kind` that `period` belongs to, as its text: for
/// a week, the one holding its Thursday (`2025-W01` belongs to `2025-01`); for any other
/// period, the one holding its first day (a day's `week` is its ISO week); `period` itself
/// for its own kind. It is the period whose `wg_period_inside` lists `period`. A shorter
/// kind is `WG_INVALID_INPUT` naming `kind`; belonging to a period with days outside the
/// years 0001 to 9999 (a day of `9999-12-27`..`31` to the week `9999-W52`) is
/// `WG_INVALID_INPUT` naming `period`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_period_belongs_to(
    period: *const c_char,
    kind: *const c_char,
    out_period: *mut *mut c_char,
) -> wg_status {
    boundary(None, || {
        let period = period!(period);
        let kind = kind!(kind);
        out!(out_period).text(&period.belongs_to(kind)?.to_string())
    })
}
