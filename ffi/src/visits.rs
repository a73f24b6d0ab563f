//! Visits (走访) over the C ABI: rule sets, visit records, due lists and compliance.
//!
//! The JSON shapes of results and inputs are in `wangge::shapes` and the header's last
//! section.

use std::ffi::c_char;

use crate::out::opt_json;
use crate::store::{wg_store, with_store};
use crate::wg_status;

/// Sets the visit rules in force from `start` (NULL: always) from `rules_json`, a JSON
/// array of rules, replacing a set that starts the same day. A bad field is
/// `WG_INVALID_INPUT` naming it; a scoped handle gets `WG_PERMISSION_DENIED`.
///
/// JSON input: an array of `visit_rule`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_visit_rules_set(
    store: *const wg_store,
    rules_json: *const c_char,
    start: *const c_char,
) -> wg_status {
    with_store(store, |store| {
        let rules = arg!(rules_json);
        let start = opt_date!(start);
        Ok(store.set_visit_rules_json(rules, start)?)
    })
}

/// Writes to `*out_json` the visit rules in force on `as_of` (NULL: today), a JSON array.
///
/// JSON result: an array of `visit_rule`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_visit_rules(
    store: *const wg_store,
    as_of: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let as_of = opt_date!(as_of);
        out!(out_json).text(&store.visit_rules_json(as_of)?)
    })
}

/// Records a contact with `household_id` by `staff_id` on `on` through `channel` (`home`
/// or `phone`), with `note` (NULL: empty). A household that did not live in the handle's
/// scope that day, or an unknown staff member, is `WG_NOT_FOUND`. If `out_json` is not
/// NULL, the visit is written there.
///
/// JSON result: a `visit`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_visit_record(
    store: *const wg_store,
    household_id: *const c_char,
    staff_id: *const c_char,
    channel: *const c_char,
    on: *const c_char,
    note: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let (household, staff, channel) = (arg!(household_id), arg!(staff_id), arg!(channel));
        let (on, note) = (date!(on), opt_arg!(note).unwrap_or(""));
        opt_json(out_json, &store.record_visit(household, staff, channel, on, note)?)
    })
}

/// Records a batch of visits in one transaction, all or nothing: `visits_json` is a JSON
/// array of `{"household_id", "staff_id", "channel", "on", "note"}` (`note` optional). A
/// visit `wg_visit_record` would refuse refuses the batch, the message naming its
/// position from 0. Writes to `*out_json` (if not NULL) the new visits' ids, a JSON array.
///
/// JSON input: an array of `new_visit`; result: an array of ids.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_visits_record_batch(
    store: *const wg_store,
    visits_json: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let visits = arg!(visits_json);
        opt_json(out_json, &store.record_visits_json(visits)?)
    })
}

/// Writes to `*out_json` the visits of `household_id`, oldest first, a JSON array.
///
/// JSON result: an array of `visit`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_visits(
    store: *const wg_store,
    household_id: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let household_id = arg!(household_id);
        out!(out_json).json(&store.visits(household_id)?)
    })
}

/// Writes to `*out_json` the due list of `unit`'s whole subtree on `as_of` (NULL: today).
///
/// JSON result: an array of `due_visit`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_due_visits(
    store: *const wg_store,
    unit: *const c_char,
    as_of: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let (unit, as_of) = (arg!(unit), opt_date!(as_of));
        out!(out_json).json(&store.due_visits(unit, as_of)?)
    })
}

/// Writes to `*out_json` the due list of the units `staff_id` is assigned to on `as_of`
/// (NULL: today).
///
/// JSON result: an array of `due_visit`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_due_visits_for_staff(
    store: *const wg_store,
    staff_id: *const c_char,
    as_of: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let (staff_id, as_of) = (arg!(staff_id), opt_date!(as_of));
        out!(out_json).json(&store.due_visits_for_staff(staff_id, as_of)?)
    })
}

/// Writes to `*out_json` a page of the due list of `unit`'s whole subtree on `as_of`
/// (NULL: today; the first page fixes the day, and later pages keep it): the items of
/// `wg_due_visits` in page order, by household id and then rule name.
/// `limit` is the most items the page holds (1 to 100000; 0: all the rest) and `after`
/// the `next` of the previous page (NULL: the first page); a bad limit or a cursor of
/// another list or query is `WG_INVALID_INPUT`.
///
/// JSON result: a `page` of `due_visit`s.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_due_visits_page(
    store: *const wg_store,
    unit: *const c_char,
    as_of: *const c_char,
    limit: u32,
    after: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let (unit, as_of, paging) = (arg!(unit), opt_date!(as_of), paging!(limit, after));
        out!(out_json).json(&store.due_visits_page(unit, as_of, &paging)?)
    })
}

/// Writes to `*out_json` a page of the due list of the units `staff_id` is assigned to on
/// `as_of` (NULL: today; the first page fixes the day, and later pages keep it): the items
/// of `wg_due_visits_for_staff` in page order, by household id and then rule name.
/// `limit` is the most items the page holds (1 to 100000; 0: all the rest) and `after`
/// the `next` of the previous page (NULL: the first page); a bad limit or a cursor of
/// another list or query is `WG_INVALID_INPUT`.
///
/// JSON result: a `page` of `due_visit`s.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_due_visits_for_staff_page(
    store: *const wg_store,
    staff_id: *const c_char,
    as_of: *const c_char,
    limit: u32,
    after: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let (staff_id, as_of) = (arg!(staff_id), opt_date!(as_of));
        let paging = paging!(limit, after);
        out!(out_json).json(&store.due_visits_for_staff_page(staff_id, as_of, &paging)?)
    })
}

/// Writes to `*out_json` the compliance of `unit`'s subtree with its calendar visit rules
/// over `period` (`2024-03-17`, `2024-W11`, `2024-03`, `2024-Q1`, `2024-H1` or `2024`),
/// listing every requirement when `detail` is not 0.
///
/// JSON result: a `compliance` of `compliance_row`s.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_visit_compliance(
    store: *const wg_store,
    unit: *const c_char,
    period: *const c_char,
    detail: i32,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let (unit, period) = (arg!(unit), period!(period));
        out!(out_json).json(&store.visit_compliance(unit, &period, detail != 0)?)
    })
}

/// Writes to `*out_json` the households of `unit`'s subtree whose archives are due for
/// re-verification on `as_of` (NULL: today): floating, or tagged 流动人口 or 拆迁过渡, on
/// the quarter's first day, and not re-verified since. A JSON array of `{"household_id",
/// "due", "overdue", "verified"}` (`verified` may be null), overdue first.
///
/// JSON result: an array of `reverification`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_reverification_due(
    store: *const wg_store,
    unit: *const c_char,
    as_of: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let (unit, as_of) = (arg!(unit), opt_date!(as_of));
        out!(out_json).json(&store.reverification_due(unit, as_of)?)
    })
}
