//! The registry (户籍/流动人口) over the C ABI: households, residents, tags and counts.
//!
//! The JSON shapes of results and inputs are in `wangge::shapes` and the header's last
//! section.

use std::ffi::c_char;

use serde::Serialize;
use wangge::TagKind;

use crate::out::opt_json;
use crate::store::{wg_store, with_store};
use crate::wg_status;

/// Adds household `household_id` living in grid or building `unit` at `address`, of
/// `kind` (`registered`, `floating` or `rental`; NULL: `registered`), carrying `tags`
/// (tag kinds separated by `;`, `；`, `,`, `，` or `、`, as in an import's tags cell; NULL
/// or empty for none) from `start` (NULL: always). A
/// duplicate id is `WG_CONFLICT`, an unknown tag `WG_INVALID_INPUT`. If `out_json` is not
/// NULL, the new household is written there.
///
/// JSON result: a `household`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_household_add(
    store: *const wg_store,
    household_id: *const c_char,
    unit: *const c_char,
    address: *const c_char,
    kind: *const c_char,
    tags: *const c_char,
    start: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let (household_id, unit, address) = (arg!(household_id), arg!(unit), arg!(address));
        let kind = opt_arg!(kind).unwrap_or(wangge::HouseholdKind::DEFAULT.as_str());
        let (tags, start) = (TagKind::split(opt_arg!(tags).unwrap_or("")), opt_date!(start));
        opt_json(out_json, &store.add_household(household_id, unit, address, kind, &tags, start)?)
    })
}

/// Moves household `household_id` to `unit` from date `on`; as of earlier dates it is
/// still where it was. If `out_json` is not NULL, the household as of `on` is written there.
///
/// JSON result: a `household`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_household_move(
    store: *const wg_store,
    household_id: *const c_char,
    unit: *const c_char,
    on: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let (household_id, unit, on) = (arg!(household_id), arg!(unit), date!(on));
        opt_json(out_json, &store.move_household(household_id, unit, on)?)
    })
}

/// Takes household `household_id` off the registry from date `on` (moved away,
/// dissolved); history keeps it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_household_end(
    store: *const wg_store,
    household_id: *const c_char,
    on: *const c_char,
) -> wg_status {
    with_store(store, |store| {
        let (household_id, on) = (arg!(household_id), date!(on));
        Ok(store.end_household(household_id, on)?)
    })
}

/// Writes household `household_id` as it stood on `as_of` (NULL: today) to `*out_json`.
///
/// JSON result: a `household`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_household_get(
    store: *const wg_store,
    household_id: *const c_char,
    as_of: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let (household_id, as_of) = (arg!(household_id), opt_date!(as_of));
        out!(out_json).json(&store.household(household_id, as_of)?)
    })
}

/// Writes to `*out_json` the households living in `unit`'s whole subtree, sorted by id,
/// as a JSON array. `filter_json` may be NULL, or a JSON object with any of `"as_of"`
/// (`"YYYY-MM-DD"`, default today), `"household_class"` (`"ordinary"` or `"special"`),
/// `"tag"` (households carrying it themselves or through a member) and `"kind"`.
///
/// JSON input: a `household_filter`; result: an array of `household`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_households(
    store: *const wg_store,
    unit: *const c_char,
    filter_json: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let unit = arg!(unit);
        let filter = opt_input!(filter_json, wangge::HouseholdFilter);
        out!(out_json).json(&store.households(unit, &filter)?)
    })
}

/// Writes to `*out_json` a page of the households of `wg_households`, in the same order
/// (by id); the first page fixes the filter's day, and later pages keep it.
/// `limit` is the most items the page holds (1 to 100000; 0: all the rest) and `after`
/// the `next` of the previous page (NULL: the first page); a bad limit or a cursor of
/// another list or query is `WG_INVALID_INPUT`.
///
/// JSON input: a `household_filter`; result: a `page` of `household`s.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_households_page(
    store: *const wg_store,
    unit: *const c_char,
    filter_json: *const c_char,
    limit: u32,
    after: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let (unit, filter) = (arg!(unit), opt_input!(filter_json, wangge::HouseholdFilter));
        let paging = paging!(limit, after);
        out!(out_json).json(&store.households_page(unit, &filter, &paging)?)
    })
}

/// Puts `tag` on household `household_id` from `start` (NULL: since it joined the
/// registry) to `end`, its last day (NULL: open-ended). An overlapping stretch of the
/// same tag is `WG_CONFLICT`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_household_tag(
    store: *const wg_store,
    household_id: *const c_char,
    tag: *const c_char,
    start: *const c_char,
    end: *const c_char,
) -> wg_status {
    with_store(store, |store| {
        let (household_id, tag, start, end) =
            (arg!(household_id), arg!(tag), opt_date!(start), opt_date!(end));
        Ok(store.tag(household_id, tag, start, end)?)
    })
}

/// Ends `tag` on household `household_id` from date `on`: it no longer carries it that day.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_household_untag(
    store: *const wg_store,
    household_id: *const c_char,
    tag: *const c_char,
    on: *const c_char,
) -> wg_status {
    with_store(store, |store| {
        let (household_id, tag, on) = (arg!(household_id), arg!(tag), date!(on));
        Ok(store.untag(household_id, tag, on)?)
    })
}

/// Puts `tag` on resident `resident_id` from `start` (NULL: always) to `end`, its last
/// day (NULL: open-ended). A resident's special tag makes their household special.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_resident_tag(
    store: *const wg_store,
    resident_id: i64,
    tag: *const c_char,
    start: *const c_char,
    end: *const c_char,
) -> wg_status {
    with_store(store, |store| {
        let (tag, start, end) = (arg!(tag), opt_date!(start), opt_date!(end));
        Ok(store.tag_resident(resident_id, tag, start, end)?)
    })
}

/// Ends `tag` on resident `resident_id` from date `on`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_resident_untag(
    store: *const wg_store,
    resident_id: i64,
    tag: *const c_char,
    on: *const c_char,
) -> wg_status {
    with_store(store, |store| {
        let (tag, on) = (arg!(tag), date!(on));
        Ok(store.untag_resident(resident_id, tag, on)?)
    })
}

/// Defines the deployment's own tag kind `tag` (特殊群体), or changes whether an existing
/// kind makes a household special. Needs a handle that is not scoped.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_tag_define(
    store: *const wg_store,
    tag: *const c_char,
    special: bool,
) -> wg_status {
    with_store(store, |store| {
        let tag = arg!(tag);
        Ok(store.define_tag(tag, special)?)
    })
}

/// Writes to `*out_json` the tag kinds the store knows, sorted, as a JSON array of
/// `{"tag", "special"}`.
///
/// JSON result: an array of `tag_kind`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_tag_kinds(
    store: *const wg_store,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| out!(out_json).json(&store.tag_kinds()?))
}

/// Adds a resident to household `household_id` from `start` (NULL: as long as the
/// household). `resident_json` is a JSON object `{"name", "id_number"?, "phone"?,
/// "hukou"?, "employer"?, "relation"? (default "head"), "tags"? (an array of tag kinds)}`.
/// The ID number is checked (length, region, birth date, check digit; a 15-digit one is
/// upgraded) and one already in the store is `WG_CONFLICT`; messages never show it in
/// clear. If `out_json` is not NULL, the new resident (masked) is written there; its
/// `"resident_id"` names it in the other `wg_resident_*` calls.
///
/// JSON input: a `new_resident`; result: a `resident`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_resident_add(
    store: *const wg_store,
    household_id: *const c_char,
    resident_json: *const c_char,
    start: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let (household_id, start) = (arg!(household_id), opt_date!(start));
        let resident = wangge::NewResident::from_json(arg!(resident_json))?;
        opt_json(out_json, &store.add_resident(household_id, &resident, start)?)
    })
}

/// Moves resident `resident_id` to household `household_id` from date `on`, with
/// `relation` to its head (`head`, `spouse`, `child` …). If `out_json` is not NULL, the
/// resident as of `on` (masked) is written there.
///
/// JSON result: a `resident`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_resident_move(
    store: *const wg_store,
    resident_id: i64,
    household_id: *const c_char,
    relation: *const c_char,
    on: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let (household_id, relation, on) = (arg!(household_id), arg!(relation), date!(on));
        opt_json(out_json, &store.move_resident(resident_id, household_id, relation, on)?)
    })
}

/// Writes resident `resident_id` as they stood on `as_of` (NULL: today), ID number and
/// phone masked, to `*out_json`.
///
/// JSON result: a `resident`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_resident_get(
    store: *const wg_store,
    resident_id: i64,
    as_of: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let as_of = opt_date!(as_of);
        out!(out_json).json(&store.resident(resident_id, as_of)?)
    })
}

/// Writes to `*out_json` the residents of household `household_id` on `as_of` (NULL:
/// today), heads first, then by id, as a JSON array (masked).
///
/// JSON result: an array of `resident`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_residents(
    store: *const wg_store,
    household_id: *const c_char,
    as_of: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let (household_id, as_of) = (arg!(household_id), opt_date!(as_of));
        out!(out_json).json(&store.residents(household_id, as_of)?)
    })
}

#[derive(Serialize)]
struct ClearValues {
    id_number: Option<String>,
    phone: Option<String>,
}

impl From<(Option<String>, Option<String>)> for ClearValues {
    fn from((id_number, phone): (Option<String>, Option<String>)) -> Self {
        ClearValues { id_number, phone }
    }
}

/// Writes to `*out_json` resident `resident_id`'s ID number and phone in clear, as
/// `{"id_number": string|null, "phone": string|null}`. The read is recorded in the audit
/// chain. The caller should wipe the text before freeing it with `wg_string_free`.
///
/// JSON result: a `resident_clear`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_resident_clear(
    store: *const wg_store,
    resident_id: i64,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        out!(out_json).json(&ClearValues::from(store.resident_clear(resident_id)?))
    })
}

#[derive(Serialize)]
struct CountsJson {
    total: wangge::UnitCounts,
    units: Vec<wangge::UnitCounts>,
}

impl From<(wangge::UnitCounts, Vec<wangge::UnitCounts>)> for CountsJson {
    fn from((total, units): (wangge::UnitCounts, Vec<wangge::UnitCounts>)) -> Self {
        CountsJson { total, units }
    }
}

/// Writes to `*out_json` the registry counts of `unit`'s subtree on `as_of` (NULL: today)
/// as `{"total": counts, "units": [counts, ...]}`, where counts is `{"unit",
/// "households", "special_households", "residents", "floating"}`: `total` for the whole
/// subtree (its `unit` is `unit`), `units` one per unit with households living directly
/// in it, sorted by code. The `units` rows sum to `total`.
///
/// JSON result: a `counts` of `unit_counts`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_unit_counts(
    store: *const wg_store,
    unit: *const c_char,
    as_of: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let (unit, as_of) = (arg!(unit), opt_date!(as_of));
        let out = out!(out_json);
        out.json(&CountsJson::from(store.unit_counts(unit, as_of)?))
    })
}
