//! Staff and assignments over the C ABI. A staff member comes back as
//! `{"staff_id", "name", "phone"}` (phone masked), an assignment as `{"id", "staff_id",
//! "name", "unit", "role", "start", "end"}` (`end` is the last day, inclusive).

use std::ffi::c_char;

use crate::out::opt_json;
use crate::store::{wg_store, with_store};
use crate::wg_status;

/// Adds staff member `staff_id` named `name` with `phone` (may be NULL). If `out_json` is
/// not NULL, the staff member (phone masked) is written there.
///
/// JSON result: a `staff`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_staff_add(
    store: *const wg_store,
    staff_id: *const c_char,
    name: *const c_char,
    phone: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let (staff_id, name, phone) = (arg!(staff_id), arg!(name), opt_arg!(phone));
        opt_json(out_json, &store.add_staff(staff_id, name, phone)?)
    })
}

/// Writes staff member `staff_id` (phone masked) to `*out_json`.
///
/// JSON result: a `staff`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_staff_get(
    store: *const wg_store,
    staff_id: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let staff_id = arg!(staff_id);
        out!(out_json).json(&store.staff(staff_id)?)
    })
}

/// Assigns `staff_id` to `unit` in `role` (`grid_chief`, `grid_worker`, `info_officer`,
/// `supervisor`, `building_captain`, `guide`, `party_member`) from `start` (NULL: always)
/// to `end`, the last day (NULL: open-ended). If `out_json` is not NULL, the assignment
/// is written there.
///
/// JSON result: an `assignment`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_staff_assign(
    store: *const wg_store,
    staff_id: *const c_char,
    unit: *const c_char,
    role: *const c_char,
    start: *const c_char,
    end: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let (staff_id, unit, role, start, end) =
            (arg!(staff_id), arg!(unit), arg!(role), opt_date!(start), opt_date!(end));
        opt_json(out_json, &store.assign(staff_id, unit, role, start, end)?)
    })
}

/// Ends assignment `id` on `end`, its last day.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_assignment_end(
    store: *const wg_store,
    id: i64,
    end: *const c_char,
) -> wg_status {
    with_store(store, |store| {
        let end = date!(end);
        Ok(store.end_assignment(id, end)?)
    })
}

/// Writes to `*out_json` the assignments responsible for `unit` on `on` (NULL: today):
/// the unit's own or, if it has none, its nearest ancestor's; most responsible first.
///
/// JSON result: an array of `assignment`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_staff_responsible(
    store: *const wg_store,
    unit: *const c_char,
    on: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let (unit, on) = (arg!(unit), opt_date!(on));
        out!(out_json).json(&store.responsible(unit, on)?)
    })
}
