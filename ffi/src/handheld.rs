//! Handheld terminals (手持终端) over the C ABI: checking a unit out to a device store,
//! merging a device home, withdrawing a checkout.
//!
//! The JSON shapes of results are in `wangge::shapes` and the header's last section.

use std::ffi::c_char;

use crate::store::{wg_store, with_store};
use crate::wg_status;

/// Checks unit `unit` out to staff member `staff_id`: writes a device store at `path` (a
/// normal store, opened on the device with `wg_store_open`, whose handle is scoped to the
/// unit and acts as the worker). A file already at `path` that is a device of this store
/// for the same unit and worker is refreshed, keeping its work not merged yet (shown on the
/// device as before); any other
/// file there is `WG_CONFLICT`, untouched. A unit the handle does not see is
/// `WG_NOT_FOUND` or `WG_PERMISSION_DENIED`; a worker not assigned in the unit's subtree
/// `WG_CONFLICT`. A keyed store's device is keyed under the same deployment key. Writes the checkout to `*out_json`; the string is the
/// caller's, freed with `wg_string_free`.
///
/// JSON result: a `checkout`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_checkout(
    store: *const wg_store,
    unit: *const c_char,
    staff_id: *const c_char,
    path: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let (unit, staff_id, path) = (arg!(unit), arg!(staff_id), arg!(path));
        out!(out_json).json(&store.checkout(unit, staff_id, path)?)
    })
}

/// Merges the device store at `path` home in one transaction: its work not merged before
/// is applied with its recorded times, and each item that no longer fits (the entry moved
/// on, the household moved or ended, the period locked, the checkout withdrawn) is
/// reported once in `"conflicts"`. The same file merged again applies nothing. A store
/// that is not a device of this one, or a device changed outside the library, is
/// `WG_CONFLICT`; a file that is not a store `WG_STORAGE_ERROR`; nothing is written then.
/// Writes the result to `*out_json`; the string is the caller's, freed with
/// `wg_string_free`.
///
/// JSON result: a `merge_result`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_merge(
    store: *const wg_store,
    path: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let path = arg!(path);
        out!(out_json).json(&store.merge(path)?)
    })
}

/// Withdraws the checkout of device `device_id` (a lost device, say): its later merge
/// applies nothing and reports each of its items as a conflict. An unknown device, or one
/// of a unit the handle does not see, is `WG_NOT_FOUND`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_withdraw_checkout(
    store: *const wg_store,
    device_id: *const c_char,
) -> wg_status {
    with_store(store, |store| {
        let device_id = arg!(device_id);
        Ok(store.withdraw_checkout(device_id)?)
    })
}

/// `wg_checkout` with a key of the device's own, `key_hex` (16 to 64 bytes as hex, never
/// written to the file): the device's ID numbers and phones are sealed anew under it and
/// its chain is keyed with it; the device opens the file with `{"key_hex": ...}` in
/// `wg_store_open`'s options, and `wg_merge_keyed` brings it home. A bad key is
/// `WG_INVALID_INPUT` naming `key_hex`, its value withheld. Writes the checkout to
/// `*out_json`; the string is the caller's, freed with `wg_string_free`.
///
/// JSON result: a `checkout`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_checkout_keyed(
    store: *const wg_store,
    unit: *const c_char,
    staff_id: *const c_char,
    path: *const c_char,
    key_hex: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let (unit, staff_id, path) = (arg!(unit), arg!(staff_id), arg!(path));
        let key = zeroize::Zeroizing::new(wangge::key_from_hex(arg!(key_hex))?);
        out!(out_json).json(&store.checkout_with_key(unit, staff_id, path, &key)?)
    })
}

/// `wg_merge` of a device store keyed under its own key `key_hex` (see
/// `wg_checkout_keyed`): another key is `WG_PERMISSION_DENIED`, nothing written. Writes
/// the result to `*out_json`; the string is the caller's, freed with `wg_string_free`.
///
/// JSON result: a `merge_result`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_merge_keyed(
    store: *const wg_store,
    path: *const c_char,
    key_hex: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let path = arg!(path);
        let key = zeroize::Zeroizing::new(wangge::key_from_hex(arg!(key_hex))?);
        out!(out_json).json(&store.merge_with_key(path, &key)?)
    })
}
