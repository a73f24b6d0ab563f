//! Reports (报告) and circulars (通报) over the C ABI: a unit's indicators over a period as
//! JSON, CSV, an XLSX workbook or an HTML page, its children ranked on one indicator (as
//! JSON or an HTML page), and the list of indicators.
//!
//! `unit` is a unit's code; `period` is written `2024-03-17`, `2024-W11`, `2024-03`,
//! `2024-Q1`, `2024-H1` or `2024` (a malformed one is `WG_INVALID_INPUT` naming
//! `period`). A report covers the unit's whole subtree as it stood on the period's last
//! day; a unit outside the handle's scope is `WG_PERMISSION_DENIED`, one that did not
//! exist then `WG_NOT_FOUND`. A report holds counts only, never a person's name, ID number
//! or phone.
//!
//! An **indicators** object holds every indicator of `wg_indicators`, by key: counts
//! (`received`, `resolved`, `closed`, `pending`, `hard`, `overdue`, `visits_home`,
//! `visits_phone`, `households`, `special_households`, `residents`, `floating`) are
//! integers; rates (`closure_rate`, `due_closure_rate`, `timely_rate`, `sign_for_rate`,
//! `timely_sign_for_rate`, `home_coverage`, `rule_compliance`, `report_completeness`,
//! `report_timeliness`) are `{"num", "den", "value"}`, `value` being `num / den` or null
//! when `den` is 0. The **ledger indicators** are its first eleven, `received` to
//! `overdue`.

use std::ffi::c_char;

use serde::Serialize;

use crate::panic::{boundary, release};
use crate::store::{wg_store, with_store};
use crate::wg_status;

/// One indicator as `wg_indicators` lists it.
/// Every indicator a report holds, in column order.
fn indicators() -> Vec<IndicatorJson> {
    let names = wangge::report::INDICATOR_NAMES.iter();
    names.map(|&(key, name)| IndicatorJson { key, name }).collect()
}

#[derive(Serialize)]
struct IndicatorJson {
    key: &'static str,
    name: &'static str,
}

/// Writes to `*out_json` `unit`'s report over `period`, a JSON object (the same as
/// Python's `Report.to_json()`):
/// `{"unit", "name", "level", "period", "first", "last", "totals", "rows", "by_category",
/// "by_book"}` where `period` is its canonical text and `first`/`last` its first and last
/// day (`YYYY-MM-DD`); `totals` is an indicators object for the whole subtree; `rows` is
/// an array of `{"unit", "name", "level", "own", indicators...}`, one per direct child by
/// code, then the row of the facts attached to the unit itself (`"own": true`), the
/// indicators flattened into the row: the rows add up exactly to the totals in every count
/// and in every rate's `num` and `den`; `by_category` and `by_book` are arrays of `{"key",
/// ledger indicators...}`, by key (an entry kept in two books counts in both). The string
/// is the caller's, freed with `wg_string_free`.
///
/// JSON result: a `report` of `report_row`s.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_report(
    store: *const wg_store,
    unit: *const c_char,
    period: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let (unit, period) = (arg!(unit), period!(period));
        out!(out_json).json(&store.report(unit, period)?.to_json())
    })
}

/// Writes the facts of the store, or of `unit`'s subtree (NULL: the whole store, or a
/// scoped handle's scope), as Parquet files into the directory `dir` (created if need be),
/// writing only what changed since the previous export into the same directory, and
/// writes to `*out_json` what it did, a `parquet_export` of `parquet_table`s (the files
/// and rows written per table). The README's "Facts as Parquet" lists the tables and
/// columns; no personal data is written. `unit` outside the handle's scope is
/// `WG_PERMISSION_DENIED`, an unknown one `WG_NOT_FOUND`; an empty `dir` (which would be
/// the process's working directory) `WG_INVALID_INPUT` naming `directory`; a directory
/// holding another
/// store's or unit's export, or a damaged or edited manifest, `WG_CONFLICT` (nothing is
/// written). The export is recorded in the audit chain. The string is the caller's,
/// freed with `wg_string_free`.
///
/// JSON result: a `parquet_export` of `parquet_table`s.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_export_parquet(
    store: *const wg_store,
    dir: *const c_char,
    unit: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let (dir, unit) = (arg!(dir), opt_arg!(unit));
        let summary = store.export_parquet(std::path::Path::new(dir), unit)?;
        out!(out_json).json(&summary.to_json())
    })
}

/// Writes to `*out_csv` the main table of `unit`'s report over `period` as CSV text: UTF-8
/// beginning with a byte-order mark (EF BB BF, so spreadsheet programs read the Chinese),
/// lines ending in CRLF, a header line of Chinese column names (单位代码, 单位名称, 层级,
/// 行, then each indicator's name, a rate followed by its 分子 and 分母 columns), one line
/// per row (行 is 下级 for a child, 本级 for the own row; 层级 in Chinese: 县, 乡镇, 社区,
/// 网格, 楼栋) and a last line of totals (合计).
/// A null rate is an empty field. The string is the caller's, freed with
/// `wg_string_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_report_csv(
    store: *const wg_store,
    unit: *const c_char,
    period: *const c_char,
    out_csv: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let (unit, period) = (arg!(unit), period!(period));
        out!(out_csv).text(&store.report(unit, period)?.to_csv())
    })
}

/// Writes to `*out_bytes` and `*out_len` `unit`'s report over `period` as an XLSX
/// workbook (a ZIP archive, so it begins with `PK`): the main table as `wg_report_csv`
/// gives it, then the ledger indicators per category (按类别, ending in the totals, 合计)
/// and per ledger book (按台账, without totals: an entry kept in two books counts in
/// both). Headers are bold and frozen, columns sized to their text, rates in a
/// percentage format. The buffer is the caller's, freed with `wg_bytes_free(bytes, len)` and the
/// same length; both outputs are written only on success.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_report_xlsx(
    store: *const wg_store,
    unit: *const c_char,
    period: *const c_char,
    out_bytes: *mut *mut u8,
    out_len: *mut usize,
) -> wg_status {
    with_store(store, |store| {
        let (unit, period) = (arg!(unit), period!(period));
        let (out_bytes, out_len) = (out!(out_bytes), out!(out_len));
        out_bytes.bytes(out_len, store.report(unit, period)?.to_xlsx())
    })
}

/// Writes to `*out_html` `unit`'s report over `period` as one self-contained HTML page
/// (UTF-8, Chinese title and headers): a bar chart (inline SVG) of the direct children
/// ranked on 办结率 as `wg_circular` ranks them with `WG_DEFAULT_MIN_SAMPLE`, those with too
/// small a sample drawn grey with the reason (未参评, 不参与排名), then the main table as
/// `wg_report_csv` has it, rates as percentages with their fraction, and the ledger
/// indicators per category and per book. The page has no script and loads nothing; text
/// from the store is escaped. The string is the caller's, freed with `wg_string_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_report_html(
    store: *const wg_store,
    unit: *const c_char,
    period: *const c_char,
    out_html: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let (unit, period) = (arg!(unit), period!(period));
        out!(out_html).text(&store.report(unit, period)?.to_html())
    })
}

/// Frees a byte buffer the library returned (`wg_report_xlsx`), given with the length it
/// came with. NULL is accepted and ignored.
///
/// `len` is the length returned with `bytes`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_bytes_free(bytes: *mut u8, len: usize) {
    // SAFETY: made from a boxed slice of `len` bytes in this library, freed once.
    release(bytes, |b| {
        drop(unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(b, len)) });
    });
}

/// Writes to `*out_json` the direct children of `unit` ranked on `indicator` (a key of
/// `wg_indicators`; another is `WG_INVALID_INPUT` naming it) over `period` (通报), a JSON
/// object (the same as Python's `Circular.to_json()`): `{"unit", "name", "period",
/// "indicator", "indicator_name", "lower_is_better", "min_sample", "ranked", "left_out"}`
/// where `ranked` is an array of `{"unit", "name", "value", "num", "den", "rank"}`, best
/// first (rank 1; equal values share a rank: 1, 2, 2, 4; ties in code order) and
/// `left_out` an array of `{"unit", "name", "den", "reason"}`, by code. A rate is ranked
/// only when its denominator is at least `min_sample` (`WG_DEFAULT_MIN_SAMPLE`, 5, is the
/// usual sample; a negative one is `WG_INVALID_INPUT` naming `min_sample`); counts
/// are always ranked, higher first except `pending`, `hard` and `overdue`
/// (`lower_is_better`), with `num` and `den` the count. The unit's own row is never
/// ranked. The string is the caller's, freed with `wg_string_free`.
///
/// JSON result: a `circular`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_circular(
    store: *const wg_store,
    unit: *const c_char,
    period: *const c_char,
    indicator: *const c_char,
    min_sample: i64,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let (unit, period, indicator) = (arg!(unit), period!(period), arg!(indicator));
        let out = out!(out_json);
        out.json(&store.circular(unit, period, indicator, Some(min_sample))?.to_json())
    })
}

/// Writes to `*out_html` the circular `wg_circular` gives for the same arguments as one
/// self-contained HTML page (UTF-8, Chinese title and headers): a bar chart (inline SVG) of
/// the ranked children, best first, with their rank and value (a rate as a percentage),
/// the left-out ones drawn grey with the reason (未参评, 不参与排名), then the table. The
/// page has no script and loads nothing; text from the store is escaped. Errors as
/// `wg_circular`'s. The string is the caller's, freed with `wg_string_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_circular_html(
    store: *const wg_store,
    unit: *const c_char,
    period: *const c_char,
    indicator: *const c_char,
    min_sample: i64,
    out_html: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let (unit, period, indicator) = (arg!(unit), period!(period), arg!(indicator));
        let out = out!(out_html);
        out.text(&store.circular(unit, period, indicator, Some(min_sample))?.to_html())
    })
}

/// The smallest denominator a circular ranks a rate on unless told otherwise (样本量), as
/// the core's default.
pub const WG_DEFAULT_MIN_SAMPLE: i64 = 5;

/// Writes to `*out_json` every indicator a report holds, in column order (the ledger's
/// first), a JSON array of `{"key", "name"}`: `key` as in the report's JSON
/// (`closure_rate`), `name` its Chinese name (办结率). Takes no store: an error goes to
/// this thread's last error, read with `wg_last_error(NULL, ...)`. The string is the
/// caller's, freed with `wg_string_free`.
///
/// JSON result: an array of `indicator`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_indicators(out_json: *mut *mut c_char) -> wg_status {
    boundary(None, || out!(out_json).json(&indicators()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_c_default_sample_is_the_cores() {
        assert_eq!(
            u64::try_from(super::WG_DEFAULT_MIN_SAMPLE).ok(),
            Some(wangge::report::DEFAULT_MIN_SAMPLE)
        );
    }
}
