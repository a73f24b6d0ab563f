//! The unit tree over the C ABI. Units come back as JSON objects
//! `{"code", "name", "level", "parent", "start", "end"}` (`parent`, `start`, `end` may be
//! null), lists as JSON arrays of them.

use std::ffi::c_char;

use serde::Deserialize;

use crate::error::{FfiError, arg, date, opt_arg, opt_date};
use crate::out::{OutString, put_json_opt};
use crate::panic::boundary;
use crate::store::{handle, need, wg_store};
use crate::wg_status;

/// Adds a unit `code` named `name` at `level` under `parent` (NULL for a root), existing
/// from `start` (NULL: always, or as long as its parent). If `out_json` is not NULL, the
/// new unit is written there as JSON.
///
/// # Safety
/// `store` is NULL or a live handle; strings are NULL or NUL-terminated; `out_json` is
/// NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_unit_add(
    store: *const wg_store,
    code: *const c_char,
    name: *const c_char,
    level: *const c_char,
    parent: *const c_char,
    start: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    // SAFETY: the caller's contract.
    let h = unsafe { handle(store) };
    boundary(h, || {
        let store = need(h)?;
        let code = arg("code", code)?;
        let name = arg("name", name)?;
        let level = arg("level", level)?;
        let parent = opt_arg("parent", parent)?;
        let start = opt_date("start", start)?;
        let out = OutString::optional(out_json);
        let unit = store.add_unit(code, name, level, parent, start)?;
        put_json_opt(out, &unit)
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewUnitJson {
    code: String,
    name: String,
    level: String,
    #[serde(default)]
    parent: Option<String>,
    #[serde(default)]
    start: Option<String>,
}

/// Adds the units of `units_json`, a JSON array of objects `{"code", "name", "level",
/// "parent"?, "start"?}`, in one transaction: all of them or, if any is refused, none.
/// Parents may come earlier in the same array. Writes the number added to `*out_count`
/// if it is not NULL.
///
/// # Safety
/// `store` is NULL or a live handle; `units_json` is NULL or NUL-terminated; `out_count`
/// is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_units_add_json(
    store: *const wg_store,
    units_json: *const c_char,
    out_count: *mut usize,
) -> wg_status {
    // SAFETY: the caller's contract.
    let h = unsafe { handle(store) };
    boundary(h, || {
        let store = need(h)?;
        let json = arg("units_json", units_json)?;
        let parsed: Vec<NewUnitJson> = serde_json::from_str(json)
            .map_err(|e| FfiError::invalid(format!("invalid units_json: {e}")))?;
        let units = parsed
            .into_iter()
            .map(|u| {
                let start = u
                    .start
                    .as_deref()
                    .map(|s| wangge::date::parse_date("start", s))
                    .transpose()?;
                Ok(wangge::NewUnit {
                    code: u.code,
                    name: u.name,
                    level: u.level,
                    parent: u.parent,
                    start,
                })
            })
            .collect::<Result<Vec<_>, wangge::Error>>()?;
        let added = store.add_units(&units)?;
        if !out_count.is_null() {
            // SAFETY: non-NULL and writable by the caller's contract.
            unsafe { *out_count = added };
        }
        Ok(())
    })
}

/// Writes unit `code` as it stood on `as_of` (NULL: as it stands today, or last stood if
/// retired) to `*out_json`.
///
/// # Safety
/// `store` is NULL or a live handle; strings are NULL or NUL-terminated; `out_json` is
/// NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_unit_get(
    store: *const wg_store,
    code: *const c_char,
    as_of: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    // SAFETY: the caller's contract.
    let h = unsafe { handle(store) };
    boundary(h, || {
        let store = need(h)?;
        let code = arg("code", code)?;
        let as_of = opt_date("as_of", as_of)?;
        let out = OutString::required("out_json", out_json)?;
        out.put_json(&store.unit(code, as_of)?)
    })
}

/// Writes the direct children of `code` on `as_of` (NULL: today), sorted by code, to
/// `*out_json` as a JSON array.
///
/// # Safety
/// `store` is NULL or a live handle; strings are NULL or NUL-terminated; `out_json` is
/// NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_unit_children(
    store: *const wg_store,
    code: *const c_char,
    as_of: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    // SAFETY: the caller's contract.
    let h = unsafe { handle(store) };
    boundary(h, || {
        let store = need(h)?;
        let code = arg("code", code)?;
        let as_of = opt_date("as_of", as_of)?;
        let out = OutString::required("out_json", out_json)?;
        out.put_json(&store.children(code, as_of)?)
    })
}

/// Writes every unit below `code` on `as_of` (NULL: today), only those of `level` unless
/// it is NULL, sorted by code, to `*out_json` as a JSON array.
///
/// # Safety
/// `store` is NULL or a live handle; strings are NULL or NUL-terminated; `out_json` is
/// NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_unit_descendants(
    store: *const wg_store,
    code: *const c_char,
    level: *const c_char,
    as_of: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    // SAFETY: the caller's contract.
    let h = unsafe { handle(store) };
    boundary(h, || {
        let store = need(h)?;
        let code = arg("code", code)?;
        let level = opt_arg("level", level)?;
        let as_of = opt_date("as_of", as_of)?;
        let out = OutString::required("out_json", out_json)?;
        out.put_json(&store.descendants(code, level, as_of)?)
    })
}

/// Writes the ancestors of `code` on `as_of` (NULL: today), root first, without the unit
/// itself, to `*out_json` as a JSON array. A scoped handle sees them up to its root.
///
/// # Safety
/// `store` is NULL or a live handle; strings are NULL or NUL-terminated; `out_json` is
/// NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_unit_ancestors(
    store: *const wg_store,
    code: *const c_char,
    as_of: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    // SAFETY: the caller's contract.
    let h = unsafe { handle(store) };
    boundary(h, || {
        let store = need(h)?;
        let code = arg("code", code)?;
        let as_of = opt_date("as_of", as_of)?;
        let out = OutString::required("out_json", out_json)?;
        out.put_json(&store.ancestors(code, as_of)?)
    })
}

/// Moves `code` with its subtree under `new_parent` from date `on`. Moving a unit under
/// itself or a descendant is `WG_INVALID_INPUT`. If `out_json` is not NULL, the moved unit
/// is written there.
///
/// # Safety
/// `store` is NULL or a live handle; strings are NULL or NUL-terminated; `out_json` is
/// NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_unit_move(
    store: *const wg_store,
    code: *const c_char,
    new_parent: *const c_char,
    on: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    // SAFETY: the caller's contract.
    let h = unsafe { handle(store) };
    boundary(h, || {
        let store = need(h)?;
        let code = arg("code", code)?;
        let new_parent = arg("new_parent", new_parent)?;
        let on = date("on", on)?;
        let out = OutString::optional(out_json);
        let unit = store.move_unit(code, new_parent, on)?;
        put_json_opt(out, &unit)
    })
}

/// Retires `code` from date `on` (it no longer exists from that day; history keeps it).
/// If `out_json` is not NULL, the retired unit is written there.
///
/// # Safety
/// `store` is NULL or a live handle; strings are NULL or NUL-terminated; `out_json` is
/// NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_unit_retire(
    store: *const wg_store,
    code: *const c_char,
    on: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    // SAFETY: the caller's contract.
    let h = unsafe { handle(store) };
    boundary(h, || {
        let store = need(h)?;
        let code = arg("code", code)?;
        let on = date("on", on)?;
        let out = OutString::optional(out_json);
        let unit = store.retire_unit(code, on)?;
        put_json_opt(out, &unit)
    })
}
