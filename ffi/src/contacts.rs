//! Contact quotas (联户), patrols (巡查) and what visits find over the C ABI.
//!
//! The JSON shapes of results and inputs are in `wangge::shapes` and the header's last
//! section.

use std::ffi::c_char;

use crate::out::opt_json;
use crate::store::{wg_store, with_store};
use crate::wg_status;

/// Sets the contact quotas in force from `start` (NULL: always) from `rules_json`, a JSON
/// array of quota rules, replacing a set that starts the same day. A bad field is
/// `WG_INVALID_INPUT` naming it; a scoped handle gets `WG_PERMISSION_DENIED`.
///
/// JSON input: an array of `quota_rule`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_quota_rules_set(
    store: *const wg_store,
    rules_json: *const c_char,
    start: *const c_char,
) -> wg_status {
    with_store(store, |store| {
        let rules = arg!(rules_json);
        let start = opt_date!(start);
        Ok(store.set_quota_rules_json(rules, start)?)
    })
}

/// Writes to `*out_json` the contact quotas in force on `as_of` (NULL: today), a JSON
/// array.
///
/// JSON result: an array of `quota_rule`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_quota_rules(
    store: *const wg_store,
    as_of: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let as_of = opt_date!(as_of);
        out!(out_json).text(&store.quota_rules_json(as_of)?)
    })
}

/// Writes to `*out_json` how well the staff of `unit`'s subtree kept their contact quotas
/// over `period` (`2024-03-17`, `2024-W11`, `2024-03`, `2024-Q1`, `2024-H1` or `2024`),
/// listing every (staff member, quota period) requirement when `detail` is not 0. A staff
/// member is held for a quota period when, on its first day, they hold the rule's role on
/// a unit of the subtree; distinct households contacted on any channel count.
///
/// JSON result: a `quota_compliance` of `compliance_row`s.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_quota_compliance(
    store: *const wg_store,
    unit: *const c_char,
    period: *const c_char,
    detail: i32,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let (unit, period) = (arg!(unit), period!(period));
        out!(out_json).json(&store.quota_compliance(unit, &period, detail != 0)?)
    })
}

/// Sets the patrol rules in force from `start` (NULL: always) from `rules_json`, a JSON
/// array of patrol rules, replacing a set that starts the same day. A bad field, or a
/// level the store does not have, is `WG_INVALID_INPUT` naming it; a scoped handle gets
/// `WG_PERMISSION_DENIED`.
///
/// JSON input: an array of `patrol_rule`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_patrol_rules_set(
    store: *const wg_store,
    rules_json: *const c_char,
    start: *const c_char,
) -> wg_status {
    with_store(store, |store| {
        let rules = arg!(rules_json);
        let start = opt_date!(start);
        Ok(store.set_patrol_rules_json(rules, start)?)
    })
}

/// Writes to `*out_json` the patrol rules in force on `as_of` (NULL: today), a JSON array.
///
/// JSON result: an array of `patrol_rule`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_patrol_rules(
    store: *const wg_store,
    as_of: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let as_of = opt_date!(as_of);
        out!(out_json).text(&store.patrol_rules_json(as_of)?)
    })
}

/// Records a patrol of `unit` by `staff_id` at `at`, with `note` (NULL: empty). `at` is
/// RFC 3339 (`2024-03-17T08:30:00+08:00`) or a local time without an offset
/// (`2024-03-17T08:30`, `2024-03-17 08:30:00`), read in the deployment's time zone. A unit
/// that did not exist (in the handle's scope) on that day, or an unknown staff member, is
/// `WG_NOT_FOUND`. If `out_json` is not NULL, the patrol is written there.
///
/// JSON result: a `patrol`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_patrol_record(
    store: *const wg_store,
    unit: *const c_char,
    staff_id: *const c_char,
    at: *const c_char,
    note: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let (unit, staff_id, at, note) =
            (arg!(unit), arg!(staff_id), moment!(store, at), opt_arg!(note).unwrap_or(""));
        opt_json(out_json, &store.record_patrol(unit, staff_id, at, note)?)
    })
}

/// Writes to `*out_json` the patrols of `unit` itself (not its descendants) whose day
/// falls in `period`, oldest first, a JSON array.
///
/// JSON result: an array of `patrol`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_patrols(
    store: *const wg_store,
    unit: *const c_char,
    period: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let (unit, period) = (arg!(unit), period!(period));
        out!(out_json).json(&store.patrols(unit, &period)?)
    })
}

/// Writes to `*out_json` how well the units of `unit`'s subtree kept their patrol rules
/// over `period`, listing every (unit, rule period) requirement when `detail` is not 0. A
/// unit is held for a rule period when it has the rule's level and lies in the subtree on
/// the period's first day.
///
/// JSON result: a `patrol_compliance` of `compliance_row`s.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_patrol_compliance(
    store: *const wg_store,
    unit: *const c_char,
    period: *const c_char,
    detail: i32,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let (unit, period) = (arg!(unit), period!(period));
        out!(out_json).json(&store.patrol_compliance(unit, &period, detail != 0)?)
    })
}

/// Records what visit `visit_id` found: `summary` (1 to 2000 characters), a suggested
/// ledger `category` (NULL: none; else 1 to 64 characters) and whether it is `urgent`
/// (not 0). An unknown visit is `WG_NOT_FOUND`; a visit to a household outside the
/// handle's scope is `WG_PERMISSION_DENIED`. If `out_json` is not NULL, the finding is
/// written there.
///
/// JSON result: a `finding`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_finding_record(
    store: *const wg_store,
    visit_id: i64,
    summary: *const c_char,
    category: *const c_char,
    urgent: i32,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let (summary, category) = (arg!(summary), opt_arg!(category));
        opt_json(out_json, &store.record_finding(visit_id, summary, category, urgent != 0)?)
    })
}

/// Writes to `*out_json` the findings of visits to households of `unit`'s subtree (where
/// they lived on the visit's day), oldest first, a JSON array; when `open_only` is not 0,
/// just those no ledger entry has taken up yet.
///
/// JSON result: an array of `finding`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_findings(
    store: *const wg_store,
    unit: *const c_char,
    open_only: i32,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let unit = arg!(unit);
        out!(out_json).json(&store.findings(unit, open_only != 0)?)
    })
}

/// Writes to `*out_json` a page of the findings of `wg_findings`, in page order: by id,
/// the order they were recorded in.
/// `limit` is the most items the page holds (1 to 100000; 0: all the rest) and `after`
/// the `next` of the previous page (NULL: the first page); a bad limit or a cursor of
/// another list or query is `WG_INVALID_INPUT`.
///
/// JSON result: a `page` of `finding`s.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_findings_page(
    store: *const wg_store,
    unit: *const c_char,
    open_only: i32,
    limit: u32,
    after: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let (unit, paging) = (arg!(unit), paging!(limit, after));
        out!(out_json).json(&store.findings_page(unit, open_only != 0, &paging)?)
    })
}
