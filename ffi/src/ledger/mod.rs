//! The ledger (台账) over the C ABI: classification rules, classifying, registering
//! entries and reading them back; the workflow actions are in `workflow.rs`.
//!
//! Times are RFC 3339 (`2024-03-04T09:00:00+08:00`) or a local time without an offset
//! (`2024-03-04T09:00`, `2024-03-04 09:00:00`), read in the deployment's time zone; times
//! come back as RFC 3339 in that zone. Dates are `YYYY-MM-DD`. Entry ids are positive:
//! a negative or zero id is `WG_INVALID_INPUT`.
//!
//! An **entry** is `{"id", "unit", "household_id", "resident_id", "source",
//! "reported_at", "category", "summary", "urgent", "books", "triage", "time_limit",
//! "finding_id", "status", "standing", "hard", "handler", "deadline", "sign_due",
//! "suspended_since", "rework", "signed_at", "first_resolved_at", "resolved_at",
//! "closed_at", "verified"}`: `source` is `visit`, `hotline`, `walk_in`, `online`,
//! `patrol` or `letter`; `books` an array of ledger books; `triage` `on_site`,
//! `coordinate` or `escalate`; `time_limit` `{"working_days": n}` or `{"hours": n}`;
//! `status` `registered`, `signed_for`, `in_progress`, `suspended`, `resolved` or
//! `closed`; `standing` `resolved`, `pending` or `hard`; `handler` `{"kind": "unit" |
//! "department", "name"}` (a unit's code or a department's name); `rework` the times
//! verification sent it back; `verified` true once the resident was satisfied. The
//! household, resident, finding, the five times after `deadline` and `verified` may be
//! null.
//!
//! An **event** (one change in an entry's history) is `{"entry_id", "seq", "action",
//! "actor", "at", "note", "auto", "days", "satisfied", "status", "handler", "deadline",
//! "hard"}`: `action` is `register`, `sign_for`, `start`, `escalate`, `return`,
//! `mark_hard`, `suspend`, `resume`, `extend`, `resolve`, `verify`, `close` or `reopen`;
//! `auto` is true for what `wg_tick` did; `days` (for `extend`) and `satisfied` (for
//! `verify`) may be null; the last four are the entry's after the event.
//!
//! A **new entry** (to register) is `{"unit", "summary", "reported_at"}` and optionally
//! `"category"` (null or absent: the summary's keywords suggest one), `"household_id"`,
//! `"resident_id"`, `"source"` (default `visit`), `"urgent"` (default false) and
//! `"finding_id"`.
//!
//! An **entry action** (one step of `wg_entries_work_batch`) is `{"entry_id", "action",
//! "at"}` and, as the action needs them, `"staff_id"` (`sign_for` and `start`: a known
//! staff member), `"note"` (the reason of `escalate`, `return`, `mark_hard`, `suspend`,
//! `extend` and `reopen`, the result of `resolve`, the feedback of `verify`), `"to"`
//! (where `escalate` sends it; default the unit above), `"days"` (the working days
//! `extend` adds) and `"satisfied"` (`verify`): `action` is any action of an event but
//! `register`, `at` a time as above. Unknown keys are `WG_INVALID_INPUT`.
//!
//! A **classification** is `{"category", "suggested_category", "ties", "books",
//! "triage", "urgent", "time_limit", "sign_for_limit", "handler", "rules_from",
//! "reasons"}`: `ties` lists the categories equally specific keywords suggested (empty
//! unless two or more did), `handler` is null when no unit or household was given,
//! `rules_from` is the day the rule set used took effect (null for the defaults), and
//! `reasons` lists, in order, `{"rule", "matched", "effect"}` where `rule` is `keyword`,
//! `tie`, `category`, `given_category`, `free_category`, `tag`, `urgent_keyword`,
//! `urgent_flag` or `handler`.
//!
//! **Ledger rules** are `{"books", "categories", "tag_books", "urgent", "sign_for_days",
//! "handlers", "free_categories"}`: `categories` (required) is an array of `{"name",
//! "books", "triage", "days", "keywords", "department"?}` (first listed wins a tie),
//! `tag_books` an object from a household tag to the books it adds, `urgent` `{"keywords",
//! "hours", "sign_for_hours"}`, `handlers` `{"on_site", "coordinate", "escalate"}` naming
//! the level of the unit that handles each triage, `free_categories` null or `{"books",
//! "triage", "days", "department"?}` for categories the rules do not list. Keys left out
//! take the defaults' values.
//!
//! The **piles** (the weekly meeting's 已解决/待解决/难解决) are `{"unit", "period", "at",
//! "resolved", "pending", "hard"}` where each pile is `{"count", "overdue", "entries"}`.

mod actions;

use std::ffi::c_char;

use crate::input;
use crate::out::{json_list, opt_json, opt_value};
use crate::store::{wg_store, with_store};
use crate::wg_status;

pub use actions::*;

/// Sets the ledger's classification rules in force from `start` (NULL: always) from
/// `rules_json`, a JSON object in the shape of the module documentation, replacing a set
/// that starts the same day. Entries already registered keep what they were given. A bad
/// field is `WG_INVALID_INPUT` naming it; a scoped handle gets `WG_PERMISSION_DENIED`.
///
/// # Safety
/// `store` is NULL or a live handle; strings are NULL or NUL-terminated.
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
/// # Safety
/// `store` is NULL or a live handle; strings are NULL or NUL-terminated; `out_json` is
/// NULL or writable.
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
/// # Safety
/// `store` is NULL or a live handle; strings are NULL or NUL-terminated; `out_json` is
/// NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_classify(
    store: *const wg_store,
    request_json: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let (json, out) = (arg!(request_json), out!(out_json));
        out.json(&input::classify(store, json)?.to_json())
    })
}

/// Registers the entry `entry_json` describes (a new entry, see the module
/// documentation): classified by the rules in force on its day, given its books, triage,
/// handler and deadline, and recorded with a `register` event. Refused when its unit did
/// not exist that day (`WG_NOT_FOUND`) or lies outside the handle's scope
/// (`WG_PERMISSION_DENIED`), when its household did not live in the unit's subtree, for
/// an unknown category, and when the calendar lacks a year its limits reach
/// (`WG_NOT_FOUND`). If `out_json` is not NULL, the entry is written there.
///
/// # Safety
/// `store` is NULL or a live handle; strings are NULL or NUL-terminated; `out_json` is
/// NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_entry_register(
    store: *const wg_store,
    entry_json: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let new = input::new_entry(store, arg!(entry_json))?;
        opt_json(out_json, &store.register(&new)?.to_json())
    })
}

/// Registers a batch of entries in one transaction, all or nothing: `entries_json` is a
/// JSON array of new entries; one `wg_entry_register` would refuse refuses the batch, the
/// message naming its position from 0. Writes to `*out_json` (if not NULL) the new
/// entries' ids, in order, a JSON array.
///
/// # Safety
/// `store` is NULL or a live handle; strings are NULL or NUL-terminated; `out_json` is
/// NULL or writable.
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
/// `"satisfied"` (see the module documentation). Each is checked and recorded as its
/// single action (`wg_entry_sign_for` and the rest) would be, with the same events and
/// audit records. The first action refused refuses the batch with that action's status
/// (`WG_INVALID_TRANSITION`, `WG_NOT_FOUND` for an unknown entry or staff member,
/// `WG_PERMISSION_DENIED`, `WG_INVALID_INPUT`), the message naming its position from 0
/// (`action 3 of the batch`), and nothing is written. Writes to `*out_count` (if not
/// NULL) the number of actions applied, only on success.
///
/// # Safety
/// `store` is NULL or a live handle; `actions_json` is NULL or NUL-terminated;
/// `out_count` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_entries_work_batch(
    store: *const wg_store,
    actions_json: *const c_char,
    out_count: *mut usize,
) -> wg_status {
    with_store(store, |store| {
        opt_value(out_count, store.work_entries_json(arg!(actions_json))?)
    })
}

/// Registers an entry for visit finding `finding_id`, reported at `at`: at the finding's
/// unit, about the visited household, with its summary, its urgency and its category
/// unless `category` is not NULL. A finding already taken up is `WG_CONFLICT`. If
/// `out_json` is not NULL, the entry is written there.
///
/// # Safety
/// `store` is NULL or a live handle; strings are NULL or NUL-terminated; `out_json` is
/// NULL or writable.
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
        opt_json(
            out_json,
            &store.register_finding(finding_id, category, &at)?.to_json(),
        )
    })
}

/// Writes entry `id` as it stands to `*out_json`. An unknown id is `WG_NOT_FOUND`; one
/// raised outside the handle's scope `WG_PERMISSION_DENIED`.
///
/// # Safety
/// `store` is NULL or a live handle; `out_json` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_entry(
    store: *const wg_store,
    id: i64,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        out!(out_json).json(&store.entry(id)?.to_json())
    })
}

/// Writes entry `id`'s history to `*out_json`, oldest first, a JSON array of events.
///
/// # Safety
/// `store` is NULL or a live handle; `out_json` is NULL or writable.
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
/// # Safety
/// `store` is NULL or a live handle; strings are NULL or NUL-terminated; `out_json` is
/// NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_entries(
    store: *const wg_store,
    query_json: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let query = input::entry_query(store, arg!(query_json))?;
        let out = out!(out_json);
        out.json(&json_list(&store.entries(&query)?, wangge::Entry::to_json))
    })
}

/// Writes to `*out_json` the weekly meeting's three piles for `unit`'s subtree over
/// `period` (a week such as `2024-W10`, usually), taken as of the period's last moment:
/// entries resolved in the period and still resolved or closed at its end, and those
/// pending or hard at its end.
///
/// # Safety
/// `store` is NULL or a live handle; strings are NULL or NUL-terminated; `out_json` is
/// NULL or writable.
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
