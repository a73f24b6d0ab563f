//! The ledger's entry workflow over the C ABI: one function per action, and `wg_tick`.
//!
//! The workflow is `registered → signed_for → in_progress → resolved → closed`, with
//! `suspended` (缓办) stopping the deadline's clock. Every action takes the entry's id
//! (an unknown one, 0 and negative ids included, is `WG_NOT_FOUND`) and the moment `at`
//! it was taken (RFC 3339, or a local time read in the deployment's time zone; not before
//! the entry's last event),
//! appends an event to the entry's history and writes the entry as it now stands (an
//! `entry`, see `wangge::shapes`) to `*out_json` when `out_json` is not NULL; with NULL
//! nothing is written. An action the entry's status does not allow is
//! `WG_INVALID_TRANSITION` naming the status and changes nothing; an unknown entry is
//! `WG_NOT_FOUND`; an entry (or a handler's unit) outside the handle's scope is
//! `WG_PERMISSION_DENIED`. Reasons and results are 1 to 2000 characters, notes at most
//! 2000. Events come back as `event`s.

use std::ffi::c_char;

use crate::out::{json_list, opt_json};
use crate::store::{wg_store, with_store};
use crate::wg_status;

/// Entry `id`'s handler signs for it (签收) through staff member `staff_id` (an unknown
/// one is `WG_NOT_FOUND`): `registered → signed_for`.
///
/// JSON result: an `entry`, the entry as it now stands, written to `*out_json` unless it
/// is NULL. An unknown `id` (0 and negative ones too) is `WG_NOT_FOUND`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_entry_sign_for(
    store: *const wg_store,
    id: i64,
    staff_id: *const c_char,
    at: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let (staff_id, at) = (arg!(staff_id), moment!(store, at));
        opt_json(out_json, &store.sign_for(id, staff_id, &at)?.to_json())
    })
}

/// Work on entry `id` starts, by staff member `staff_id`: `signed_for → in_progress`.
///
/// JSON result: an `entry`, the entry as it now stands, written to `*out_json` unless it
/// is NULL. An unknown `id` (0 and negative ones too) is `WG_NOT_FOUND`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_entry_start(
    store: *const wg_store,
    id: i64,
    staff_id: *const c_char,
    at: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let (staff_id, at) = (arg!(staff_id), moment!(store, at));
        opt_json(out_json, &store.start(id, staff_id, &at)?.to_json())
    })
}

/// Hands entry `id` on with `reason`: to the unit above the one accountable for it, or,
/// when `to` is not NULL, to `to` (a unit above it, by code, or else a named department
/// such as 县民政局). It is `registered` there and must be signed for again. Allowed when
/// registered, signed for or in progress; at the top of the tree it is
/// `WG_INVALID_TRANSITION`, a unit `to` not above it `WG_INVALID_INPUT`.
///
/// JSON result: an `entry`, the entry as it now stands, written to `*out_json` unless it
/// is NULL. An unknown `id` (0 and negative ones too) is `WG_NOT_FOUND`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_entry_escalate(
    store: *const wg_store,
    id: i64,
    at: *const c_char,
    reason: *const c_char,
    to: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let (at, reason, to) = (moment!(store, at), arg!(reason), opt_arg!(to));
        opt_json(out_json, &store.escalate(id, &at, reason, to)?.to_json())
    })
}

/// Sends entry `id` back to the handler that sent it on, as misrouted (退回), with
/// `reason`; it is `registered` there again. Allowed when registered or signed for.
///
/// JSON result: an `entry`, the entry as it now stands, written to `*out_json` unless it
/// is NULL. An unknown `id` (0 and negative ones too) is `WG_NOT_FOUND`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_entry_return(
    store: *const wg_store,
    id: i64,
    at: *const c_char,
    reason: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let (at, reason) = (moment!(store, at), arg!(reason));
        opt_json(out_json, &store.return_entry(id, &at, reason)?.to_json())
    })
}

/// Marks open entry `id` hard to resolve (难解决) with `reason`; it stays open, in the
/// `hard` standing.
///
/// JSON result: an `entry`, the entry as it now stands, written to `*out_json` unless it
/// is NULL. An unknown `id` (0 and negative ones too) is `WG_NOT_FOUND`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_entry_mark_hard(
    store: *const wg_store,
    id: i64,
    at: *const c_char,
    reason: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let (at, reason) = (moment!(store, at), arg!(reason));
        opt_json(out_json, &store.mark_hard(id, &at, reason)?.to_json())
    })
}

/// Puts entry `id` off (缓办) with `reason`: its deadline's clock stops until resumed.
/// Allowed when signed for or in progress.
///
/// JSON result: an `entry`, the entry as it now stands, written to `*out_json` unless it
/// is NULL. An unknown `id` (0 and negative ones too) is `WG_NOT_FOUND`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_entry_suspend(
    store: *const wg_store,
    id: i64,
    at: *const c_char,
    reason: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let (at, reason) = (moment!(store, at), arg!(reason));
        opt_json(out_json, &store.suspend(id, &at, reason)?.to_json())
    })
}

/// Takes suspended entry `id` up again, in the status it was suspended from: its deadline
/// moves by the working days it was suspended (by the time, for a limit in hours).
///
/// JSON result: an `entry`, the entry as it now stands, written to `*out_json` unless it
/// is NULL. An unknown `id` (0 and negative ones too) is `WG_NOT_FOUND`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_entry_resume(
    store: *const wg_store,
    id: i64,
    at: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let at = moment!(store, at);
        opt_json(out_json, &store.resume(id, &at)?.to_json())
    })
}

/// Extends entry `id`'s deadline by `days` working days (延期, 1 to 365; anything else is
/// `WG_INVALID_INPUT`), with `reason`. Allowed when signed for, in progress or suspended.
///
/// JSON result: an `entry`, the entry as it now stands, written to `*out_json` unless it
/// is NULL. An unknown `id` (0 and negative ones too) is `WG_NOT_FOUND`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_entry_extend(
    store: *const wg_store,
    id: i64,
    at: *const c_char,
    days: i64,
    reason: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let (at, days, reason) =
            (moment!(store, at), wangge::EntryAction::check_days(days)?, arg!(reason));
        opt_json(out_json, &store.extend(id, &at, days, reason)?.to_json())
    })
}

/// Resolves entry `id` (办结) with `result`: `in_progress → resolved`.
///
/// JSON result: an `entry`, the entry as it now stands, written to `*out_json` unless it
/// is NULL. An unknown `id` (0 and negative ones too) is `WG_NOT_FOUND`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_entry_resolve(
    store: *const wg_store,
    id: i64,
    at: *const c_char,
    result: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let (at, result) = (moment!(store, at), arg!(result));
        opt_json(out_json, &store.resolve(id, &at, result)?.to_json())
    })
}

/// Records the resident's feedback on resolved entry `id` (核查), with `note` (NULL:
/// empty): satisfied (`satisfied` not 0) keeps it resolved and marks it verified;
/// unsatisfied sends it back to `in_progress` and counts as rework (返工).
///
/// JSON result: an `entry`, the entry as it now stands, written to `*out_json` unless it
/// is NULL. An unknown `id` (0 and negative ones too) is `WG_NOT_FOUND`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_entry_verify(
    store: *const wg_store,
    id: i64,
    at: *const c_char,
    satisfied: i32,
    note: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let (at, note) = (moment!(store, at), opt_arg!(note).unwrap_or(""));
        opt_json(out_json, &store.verify(id, &at, satisfied != 0, note)?.to_json())
    })
}

/// Closes resolved entry `id` (注销): archived, "close one when it is solved".
///
/// JSON result: an `entry`, the entry as it now stands, written to `*out_json` unless it
/// is NULL. An unknown `id` (0 and negative ones too) is `WG_NOT_FOUND`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_entry_close(
    store: *const wg_store,
    id: i64,
    at: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let at = moment!(store, at);
        opt_json(out_json, &store.close_entry(id, &at)?.to_json())
    })
}

/// Opens closed entry `id` again with `reason`; it goes back to `in_progress`.
///
/// JSON result: an `entry`, the entry as it now stands, written to `*out_json` unless it
/// is NULL. An unknown `id` (0 and negative ones too) is `WG_NOT_FOUND`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_entry_reopen(
    store: *const wg_store,
    id: i64,
    at: *const c_char,
    reason: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let (at, reason) = (moment!(store, at), arg!(reason));
        opt_json(out_json, &store.reopen(id, &at, reason)?.to_json())
    })
}

/// Applies what time has made due by `now`: every entry of the handle's scope whose
/// handler has not signed for it within its limit is escalated to the level above, as an
/// automatic event at the moment the limit ran out, again while the new limit has also
/// run out by `now`, up to the top of the tree. Deterministic and idempotent: a second
/// tick at the same `now` does nothing. Writes to `*out_json` (if not NULL) the events
/// made, in order, a JSON array (`[]` when there were none).
///
/// JSON result: an array of `event`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_tick(
    store: *const wg_store,
    now: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let now = moment!(store, now);
        opt_json(out_json, &json_list(&store.tick(&now)?, wangge::EntryEvent::to_json))
    })
}
