//! The ledger (台账) over the C ABI: classification rules, classifying, registering
//! entries and reading them back; the workflow actions are in `actions.rs`.
//!
//! The JSON shapes of results and inputs are in `wangge::shapes` and the header's last
//! section.

mod actions;

use std::ffi::c_char;

use crate::out::{json_list, opt_json, opt_value};
use crate::panic::boundary;
use crate::store::{handle, wg_store, with_store};
use crate::wg_status;

pub use actions::*;

/// Sets the ledger's classification rules in force from `start` (NULL: always) from
/// `rules_json`, a JSON object of the `ledger_rules` shape, replacing a set
/// that starts the same day. Entries already registered keep what they were given. A bad
/// field is `WG_INVALID_INPUT` naming it; a scoped handle gets `WG_PERMISSION_DENIED`.
///
/// JSON input: a `ledger_rules`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_ledger_rules_set(
    store: *const wg_store,
    rules_json: *const c_char,
    start: *const c_char,
) -> wg_status {
    with_store(store, |store| {
        let rules = arg!(rules_json);
        let start = opt_date!(start);
        Ok(store.set_ledger_rules_json(rules, start)?)
    })
}

/// Writes to `*out_json` the classification rules in force on `as_of` (NULL: today), a
/// JSON object that `wg_ledger_rules_set` reads back.
///
/// JSON result: a `ledger_rules`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_ledger_rules(
    store: *const wg_store,
    as_of: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let as_of = opt_date!(as_of);
        out!(out_json).json(&store.ledger_rules(as_of)?.to_json())
    })
}

/// Classifies an entry without registering it and writes the classification to
/// `*out_json`. `request_json` is `{"summary"}` (required, may be empty when a category
/// is given) with any of `"category"` (absent or null: suggested by the summary's
/// keywords), `"household_id"` (its tags that day add books; its unit that day finds the
/// handler), `"unit"` (where the entry would be raised: finds the handler), `"urgent"`
/// (default false) and `"at"` (the rules in force then; default now). No category given
/// and none suggested, or a category the rules do not list, is `WG_INVALID_INPUT`.
///
/// JSON input: a `classify_request`; result: a `classification`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_classify(
    store: *const wg_store,
    request_json: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let (json, out) = (arg!(request_json), out!(out_json));
        let request = wangge::ClassifyRequest::from_json(json, store.offset())?;
        out.json(&store.classify_request(&request)?.to_json())
    })
}

/// Registers the entry `entry_json` describes (a `new_entry`, read as the core reads
/// it): classified by the rules in force on its day, given its books, triage,
/// handler and deadline, and recorded with a `register` event. Refused when its unit did
/// not exist that day (`WG_NOT_FOUND`) or lies outside the handle's scope
/// (`WG_PERMISSION_DENIED`), when its household did not live in the unit's subtree, for
/// an unknown category, and when the calendar lacks a year its limits reach
/// (`WG_NOT_FOUND`). If `out_json` is not NULL, the entry is written there.
///
/// JSON input: a `new_entry`; result: an `entry`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_entry_register(
    store: *const wg_store,
    entry_json: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let new = wangge::NewEntry::from_json_str(arg!(entry_json), store.offset())?;
        opt_json(out_json, &store.register(&new)?.to_json())
    })
}

/// Registers a batch of entries in one transaction, all or nothing: `entries_json` is a
/// JSON array of new entries; one `wg_entry_register` would refuse refuses the batch, the
/// message naming its position from 0. Writes to `*out_json` (if not NULL) the new
/// entries' ids, in order, a JSON array.
///
/// JSON input: an array of `new_entry`; result: an array of ids.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_entries_register_batch(
    store: *const wg_store,
    entries_json: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let entries = arg!(entries_json);
        opt_json(out_json, &store.register_entries_json(entries)?)
    })
}

/// Applies a batch of workflow actions in order in one transaction, all or nothing:
/// `actions_json` is a JSON array of entry actions, each `{"entry_id", "action", "at"}`
/// with, as its action needs them, `"staff_id"`, `"note"`, `"to"`, `"days"` and
/// `"satisfied"` (the `entry_action` shape). Each is checked and recorded as its
/// single action (`wg_entry_sign_for` and the rest) would be, with the same events and
/// audit records. The first action refused refuses the batch with that action's status
/// (`WG_INVALID_TRANSITION`, `WG_NOT_FOUND` for an unknown entry or staff member,
/// `WG_PERMISSION_DENIED`, `WG_INVALID_INPUT`), the message naming its position from 0
/// (`action 3 of the batch`), and nothing is written. Writes to `*out_count` (if not
/// NULL) the number of actions applied, only on success.
///
/// JSON input: an array of `entry_action`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_entries_work_batch(
    store: *const wg_store,
    actions_json: *const c_char,
    out_count: *mut usize,
) -> wg_status {
    with_store(store, |store| opt_value(out_count, store.work_entries_json(arg!(actions_json))?))
}

/// Applies several handles' batches of workflow actions in one transaction, all or
/// nothing: handle `stores[i]` applies `actions_json[i]` (a JSON array of `entry_action`,
/// as `wg_entries_work_batch` reads it), for `i` below `count`. Each action is checked
/// against its own handle's scope, and its event and audit record name its own handle's
/// actor, as if each handle had called `wg_entries_work_batch` in turn; a platform that
/// gathers many officials' actions writes them once. The handles must be of one store
/// (one `wg_store_open`, then `wg_store_scope`), else `WG_INVALID_INPUT` naming
/// `batches`. The first action refused refuses them all with its status, the message
/// naming its batch and place from 0 (`action 3 of batch 1`). NULL arrays with `count`
/// above 0, or a NULL item, are `WG_INVALID_INPUT`; `count` 0 applies nothing. A failure
/// is recorded on `stores[0]` (or, without it, as `wg_last_error(NULL, ...)` reads).
/// Writes to `*out_count` (if not NULL) the number of actions applied, only on success.
///
/// JSON input: an array of `entry_action` per handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_entries_work_together(
    stores: *const *const wg_store,
    actions_json: *const *const c_char,
    count: usize,
    out_count: *mut usize,
) -> wg_status {
    // SAFETY: `stores` is NULL or holds `count` NULL or live handles, by the contract.
    boundary(unsafe { first_of(stores, count) }, || {
        // SAFETY: the arrays as the caller's contract says.
        let batches = unsafe { crate::args::batches(stores, actions_json, count)? };
        opt_value(out_count, wangge::Store::work_entries_together_json(&batches)?)
    })
}

/// The first of `count` handles at `stores`, if there is one and it is not NULL.
///
/// # Safety
/// `stores` is NULL or an array of `count` items, each NULL or a live handle.
unsafe fn first_of<'a>(stores: *const *const wg_store, count: usize) -> Option<&'a wg_store> {
    if stores.is_null() || count == 0 {
        None
    } else {
        // SAFETY: at least one item, NULL or live, by the caller's contract.
        unsafe { handle(*stores) }
    }
}

/// Registers an entry for visit finding `finding_id`, reported at `at`: at the finding's
/// unit, about the visited household, with its summary, its urgency and its category
/// unless `category` is not NULL. A finding already taken up is `WG_CONFLICT`. If
/// `out_json` is not NULL, the entry is written there.
///
/// JSON result: an `entry`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_finding_register(
    store: *const wg_store,
    finding_id: i64,
    category: *const c_char,
    at: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let (category, at) = (opt_arg!(category), moment!(store, at));
        opt_json(out_json, &store.register_finding(finding_id, category, &at)?.to_json())
    })
}

/// Writes entry `id` as it stands to `*out_json`. An unknown id is `WG_NOT_FOUND`; one
/// raised outside the handle's scope `WG_PERMISSION_DENIED`.
///
/// JSON result: an `entry`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_entry(
    store: *const wg_store,
    id: i64,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| out!(out_json).json(&store.entry(id)?.to_json()))
}

/// Writes entry `id`'s history to `*out_json`, oldest first, a JSON array of events.
///
/// JSON result: an array of `event`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_entry_history(
    store: *const wg_store,
    id: i64,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        out!(out_json).json(&json_list(&store.history(id)?, wangge::EntryEvent::to_json))
    })
}

/// Writes to `*out_json` the entries raised in a unit's subtree, by id, as they stood at
/// a moment, a JSON array. `query_json` is `{"unit"}` (required; the tree as it stood on
/// the day of `at`) with any of `"at"` (default now: entries reported by then, as they
/// stood then), `"standing"` (`resolved`, `pending` or `hard`), `"status"`, `"book"`,
/// `"category"`, `"period"` (reported in it: `2024-03-17`, `2024-W11`, `2024-03`,
/// `2024-Q1`, `2024-H1` or `2024`) and `"overdue"` (true or false: open past the deadline
/// at `at`, or not).
///
/// JSON input: an `entry_query`; result: an array of `entry`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_entries(
    store: *const wg_store,
    query_json: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let query = wangge::EntryQuery::from_json(arg!(query_json), store.offset())?;
        let out = out!(out_json);
        out.json(&json_list(&store.entries(&query)?, wangge::Entry::to_json))
    })
}

/// Writes to `*out_json` a page of the entries of `wg_entries`, in the same order (by
/// id); the first page fixes the moment (`"at"`, default now), and later pages keep it.
/// `limit` is the most items the page holds (1 to 100000; 0: all the rest) and `after`
/// the `next` of the previous page (NULL: the first page); a bad limit or a cursor of
/// another list or query is `WG_INVALID_INPUT`.
///
/// JSON input: an `entry_query`; result: a `page` of `entry`s.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_entries_page(
    store: *const wg_store,
    query_json: *const c_char,
    limit: u32,
    after: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let query = wangge::EntryQuery::from_json(arg!(query_json), store.offset())?;
        let paging = paging!(limit, after);
        out!(out_json).json(&store.entries_page(&query, &paging)?.map(|e| e.to_json()))
    })
}

/// Writes to `*out_json` the weekly meeting's three piles for `unit`'s subtree over
/// `period` (a week such as `2024-W10`, usually), taken as of the period's last moment:
/// entries resolved in the period and still resolved or closed at its end, and those
/// pending or hard at its end.
///
/// JSON result: a `piles` of three `pile`s.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_piles(
    store: *const wg_store,
    unit: *const c_char,
    period: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let (unit, period) = (arg!(unit), period!(period));
        out!(out_json).json(&store.piles(unit, period)?.to_json())
    })
}
