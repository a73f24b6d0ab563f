//! A household's livelihood archive (民生档案) over the C ABI.
//!
//! The JSON shapes of results and inputs are in `wangge::shapes` and the header's last
//! section.

use std::ffi::c_char;

use crate::out::opt_json;
use crate::store::{wg_store, with_store};
use crate::wg_status;

/// Writes a new version of `section` of household `household_id`'s archive, whose content
/// is `content_json`, a JSON object of at most 262,144 bytes whose texts hold no control
/// character but tabs and line breaks (else `WG_INVALID_INPUT` naming `content`, without
/// showing it); earlier versions stay readable. The author is the handle's actor. If
/// `out_json` is not NULL, the new version is written there.
///
/// JSON result: an `archive_section`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_archive_set(
    store: *const wg_store,
    household_id: *const c_char,
    section: *const c_char,
    content_json: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let (household_id, section, content) =
            (arg!(household_id), arg!(section), arg!(content_json));
        opt_json(out_json, &store.set_archive_section_json(household_id, section, content)?)
    })
}

/// Writes to `*out_json` household `household_id`'s archive as it stood at moment `at`
/// (NULL: now): the latest version of each section written by then. Unlike other
/// moments, `at` here is RFC 3339 with its offset (`"2024-03-01T09:00:00+08:00"`) or a
/// date (`"2024-03-01"`: the end of that day in the deployment's time zone); a local time
/// without an offset is `WG_INVALID_INPUT` naming `at`.
///
/// JSON result: an `archive`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_archive_get(
    store: *const wg_store,
    household_id: *const c_char,
    at: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let (household_id, at) = (arg!(household_id), opt_arg!(at));
        out!(out_json).json(&store.archive(household_id, at)?)
    })
}

/// Writes to `*out_json` every version of `section` of household `household_id`'s
/// archive, oldest first, as a JSON array.
///
/// JSON result: an array of `archive_section`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_archive_history(
    store: *const wg_store,
    household_id: *const c_char,
    section: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let (household_id, section) = (arg!(household_id), arg!(section));
        out!(out_json).json(&store.archive_history(household_id, section)?)
    })
}

/// Records that household `household_id`'s archive was re-verified (数据更新) on date
/// `on`; the household's `"verified"` shows it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_archive_verify(
    store: *const wg_store,
    household_id: *const c_char,
    on: *const c_char,
) -> wg_status {
    with_store(store, |store| {
        let (household_id, on) = (arg!(household_id), date!(on));
        Ok(store.verify_archive(household_id, on)?)
    })
}
