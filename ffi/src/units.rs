//! The unit tree over the C ABI. Units come back as JSON objects
//! `{"code", "name", "level", "parent", "start", "end"}` (`parent`, `start`, `end` may be
//! null), lists as JSON arrays of them.

use std::ffi::{c_char, c_void};

use crate::out::opt_json;
use crate::out::opt_value;
use crate::store::{wg_store, with_store};
use crate::wg_status;

/// Adds a unit `code` named `name` at `level` under `parent` (NULL for a root), existing
/// from `start` (NULL: always, or as long as its parent). If `out_json` is not NULL, the
/// new unit is written there as JSON.
///
/// JSON result: a `unit`.
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
    with_store(store, |store| {
        let (code, name, level, parent, start) =
            (arg!(code), arg!(name), arg!(level), opt_arg!(parent), opt_date!(start));
        opt_json(out_json, &store.add_unit(code, name, level, parent, start)?)
    })
}

/// Adds the units of `units_json`, a JSON array of objects `{"code", "name", "level",
/// "parent"?, "start"?}`, in one transaction: all of them or, if any is refused, none.
/// Parents may come earlier in the same array. Writes the number added to `*out_count`
/// if it is not NULL.
///
/// JSON input: an array of `new_unit`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_units_add_json(
    store: *const wg_store,
    units_json: *const c_char,
    out_count: *mut usize,
) -> wg_status {
    with_store(store, |store| {
        let added = store.add_units(&wangge::NewUnit::list_from_json(arg!(units_json))?)?;
        opt_value(out_count, added)
    })
}

/// Adds the units of a table in one transaction, as `wg_units_add_json` does: `stream` is
/// a `struct ArrowArrayStream *` of the Arrow C stream interface (as nanoarrow, DuckDB or
/// pyarrow make one), one unit a row, its columns named `code`, `name`, `level` and
/// optionally `parent` and `start`. Texts are of any Arrow string type or by a dictionary,
/// `start` also a date or a timestamp without a time zone. The call takes the stream
/// whatever the outcome: it reads it to its end and releases it, and leaves the caller's
/// struct released (`release` NULL). A NULL stream, one released already, or one that does
/// not read is `WG_INVALID_INPUT` naming `stream`; an unknown, repeated or missing column,
/// a column of another type or a missing required value is `WG_INVALID_INPUT` naming the
/// field (and the row: `unit 3 of the batch`). Writes the number added to `*out_count` if
/// it is not NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_units_add_arrow(
    store: *const wg_store,
    stream: *mut c_void,
    out_count: *mut usize,
) -> wg_status {
    // SAFETY: `stream` is NULL or a stream the caller gives away (see above).
    let stream = unsafe { crate::arrow::take(stream) };
    with_store(store, |store| {
        let units = crate::arrow::read("stream", stream, wangge::NewUnit::list_from_arrow)?;
        opt_value(out_count, store.add_units(&units)?)
    })
}

/// Writes unit `code` as it stood on `as_of` (NULL: as it stands today, or last stood if
/// retired) to `*out_json`.
///
/// JSON result: a `unit`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_unit_get(
    store: *const wg_store,
    code: *const c_char,
    as_of: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let (code, as_of) = (arg!(code), opt_date!(as_of));
        out!(out_json).json(&store.unit(code, as_of)?)
    })
}

/// Writes the direct children of `code` on `as_of` (NULL: today), sorted by code, to
/// `*out_json` as a JSON array.
///
/// JSON result: an array of `unit`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_unit_children(
    store: *const wg_store,
    code: *const c_char,
    as_of: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let (code, as_of) = (arg!(code), opt_date!(as_of));
        out!(out_json).json(&store.children(code, as_of)?)
    })
}

/// Writes every unit below `code` on `as_of` (NULL: today), only those of `level` unless
/// it is NULL, sorted by code, to `*out_json` as a JSON array.
///
/// JSON result: an array of `unit`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_unit_descendants(
    store: *const wg_store,
    code: *const c_char,
    level: *const c_char,
    as_of: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let (code, level, as_of) = (arg!(code), opt_arg!(level), opt_date!(as_of));
        out!(out_json).json(&store.descendants(code, level, as_of)?)
    })
}

/// Writes the ancestors of `code` on `as_of` (NULL: today), root first, without the unit
/// itself, to `*out_json` as a JSON array. A scoped handle sees them up to its root.
///
/// JSON result: an array of `unit`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_unit_ancestors(
    store: *const wg_store,
    code: *const c_char,
    as_of: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let (code, as_of) = (arg!(code), opt_date!(as_of));
        out!(out_json).json(&store.ancestors(code, as_of)?)
    })
}

/// Moves `code` with its subtree under `new_parent` from date `on`. Moving a unit under
/// itself or a descendant is `WG_INVALID_INPUT`. If `out_json` is not NULL, the moved unit
/// is written there.
///
/// JSON result: a `unit`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_unit_move(
    store: *const wg_store,
    code: *const c_char,
    new_parent: *const c_char,
    on: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let (code, new_parent, on) = (arg!(code), arg!(new_parent), date!(on));
        opt_json(out_json, &store.move_unit(code, new_parent, on)?)
    })
}

/// Retires `code` from date `on` (it no longer exists from that day; history keeps it).
/// If `out_json` is not NULL, the retired unit is written there.
///
/// JSON result: a `unit`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_unit_retire(
    store: *const wg_store,
    code: *const c_char,
    on: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let (code, on) = (arg!(code), date!(on));
        opt_json(out_json, &store.retire_unit(code, on)?)
    })
}
