//! The registry (户籍/流动人口) over the C ABI: households, residents, tags and counts.
//!
//! A household comes back as a JSON object `{"household_id", "unit", "address", "kind",
//! "tags", "household_class", "start", "end", "verified"}` (`kind` is `registered`,
//! `floating` or `rental`; `household_class`, derived from the tags of the household and
//! its members that day, is `ordinary` or `special`; the three dates may be null); a
//! resident as `{"resident_id", "household_id", "name", "id_number", "id_upgraded",
//! "birth_date", "sex", "phone", "hukou", "employer", "relation", "tags"}` with the ID
//! number and phone masked (`510123********1234`, `138****5678`): only
//! `wg_resident_clear` gives them in clear. Lists are JSON arrays of these objects.

use std::ffi::c_char;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use crate::error::{FfiError, arg, date, opt_arg, opt_date};
use crate::out::{OutString, put_json_opt};
use crate::panic::boundary;
use crate::store::{handle, need, wg_store};
use crate::wg_status;

/// Reads an ID number or phone given in JSON: a string, or null or absent for none. Any
/// other value is refused without echoing it, since it is personal information.
pub(crate) fn private_text<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    match Option::<Value>::deserialize(deserializer)? {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text)),
        Some(_) => Err(D::Error::custom(
            "ID numbers and phones are given as JSON strings",
        )),
    }
}

/// The tags of a `;`-separated list, trimmed, empty ones dropped; NULL is none.
fn split_tags(tags: Option<&str>) -> Vec<&str> {
    tags.map(|text| {
        text.split(';')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .collect()
    })
    .unwrap_or_default()
}

/// Adds household `household_id` living in grid or building `unit` at `address`, of
/// `kind` (`registered`, `floating` or `rental`; NULL: `registered`), carrying `tags`
/// (`;`-separated tag kinds, NULL or empty for none) from `start` (NULL: always). A
/// duplicate id is `WG_CONFLICT`, an unknown tag `WG_INVALID_INPUT`. If `out_json` is not
/// NULL, the new household is written there.
///
/// # Safety
/// `store` is NULL or a live handle; strings are NULL or NUL-terminated; `out_json` is
/// NULL or writable.
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
    // SAFETY: the caller's contract.
    let h = unsafe { handle(store) };
    boundary(h, || {
        let store = need(h)?;
        let household_id = arg("household_id", household_id)?;
        let unit = arg("unit", unit)?;
        let address = arg("address", address)?;
        let kind = opt_arg("kind", kind)?.unwrap_or("registered");
        let tags = split_tags(opt_arg("tags", tags)?);
        let start = opt_date("start", start)?;
        let out = OutString::optional(out_json);
        let household = store.add_household(household_id, unit, address, kind, &tags, start)?;
        put_json_opt(out, &household)
    })
}

/// Moves household `household_id` to `unit` from date `on`; as of earlier dates it is
/// still where it was. If `out_json` is not NULL, the household as of `on` is written there.
///
/// # Safety
/// `store` is NULL or a live handle; strings are NULL or NUL-terminated; `out_json` is
/// NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_household_move(
    store: *const wg_store,
    household_id: *const c_char,
    unit: *const c_char,
    on: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    // SAFETY: the caller's contract.
    let h = unsafe { handle(store) };
    boundary(h, || {
        let store = need(h)?;
        let household_id = arg("household_id", household_id)?;
        let unit = arg("unit", unit)?;
        let on = date("on", on)?;
        let out = OutString::optional(out_json);
        let household = store.move_household(household_id, unit, on)?;
        put_json_opt(out, &household)
    })
}

/// Takes household `household_id` off the registry from date `on` (moved away,
/// dissolved); history keeps it.
///
/// # Safety
/// `store` is NULL or a live handle; strings are NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_household_end(
    store: *const wg_store,
    household_id: *const c_char,
    on: *const c_char,
) -> wg_status {
    // SAFETY: the caller's contract.
    let h = unsafe { handle(store) };
    boundary(h, || {
        let store = need(h)?;
        let household_id = arg("household_id", household_id)?;
        let on = date("on", on)?;
        store.end_household(household_id, on)?;
        Ok(())
    })
}

/// Writes household `household_id` as it stood on `as_of` (NULL: today) to `*out_json`.
///
/// # Safety
/// `store` is NULL or a live handle; strings are NULL or NUL-terminated; `out_json` is
/// NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_household_get(
    store: *const wg_store,
    household_id: *const c_char,
    as_of: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    // SAFETY: the caller's contract.
    let h = unsafe { handle(store) };
    boundary(h, || {
        let store = need(h)?;
        let household_id = arg("household_id", household_id)?;
        let as_of = opt_date("as_of", as_of)?;
        let out = OutString::required("out_json", out_json)?;
        out.put_json(&store.household(household_id, as_of)?)
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FilterJson {
    #[serde(default)]
    as_of: Option<String>,
    #[serde(default)]
    household_class: Option<String>,
    #[serde(default)]
    tag: Option<String>,
    #[serde(default)]
    kind: Option<String>,
}

fn household_filter(json: Option<&str>) -> Result<wangge::HouseholdFilter, FfiError> {
    let Some(json) = json else {
        return Ok(wangge::HouseholdFilter::default());
    };
    let parsed: FilterJson = serde_json::from_str(json)
        .map_err(|e| FfiError::invalid(format!("invalid filter_json {json:?}: {e}")))?;
    Ok(wangge::HouseholdFilter {
        as_of: parsed
            .as_of
            .as_deref()
            .map(|d| wangge::date::parse_date("as_of", d))
            .transpose()?,
        household_class: parsed
            .household_class
            .as_deref()
            .map(wangge::HouseholdClass::parse)
            .transpose()?,
        tag: parsed.tag,
        kind: parsed
            .kind
            .as_deref()
            .map(wangge::HouseholdKind::parse)
            .transpose()?,
    })
}

/// Writes to `*out_json` the households living in `unit`'s whole subtree, sorted by id,
/// as a JSON array. `filter_json` may be NULL, or a JSON object with any of `"as_of"`
/// (`"YYYY-MM-DD"`, default today), `"household_class"` (`"ordinary"` or `"special"`),
/// `"tag"` (households carrying it themselves or through a member) and `"kind"`.
///
/// # Safety
/// `store` is NULL or a live handle; strings are NULL or NUL-terminated; `out_json` is
/// NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_households(
    store: *const wg_store,
    unit: *const c_char,
    filter_json: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    // SAFETY: the caller's contract.
    let h = unsafe { handle(store) };
    boundary(h, || {
        let store = need(h)?;
        let unit = arg("unit", unit)?;
        let filter = household_filter(opt_arg("filter_json", filter_json)?)?;
        let out = OutString::required("out_json", out_json)?;
        out.put_json(&store.households(unit, &filter)?)
    })
}

/// Puts `tag` on household `household_id` from `start` (NULL: since it joined the
/// registry) to `end`, its last day (NULL: open-ended). An overlapping stretch of the
/// same tag is `WG_CONFLICT`.
///
/// # Safety
/// `store` is NULL or a live handle; strings are NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_household_tag(
    store: *const wg_store,
    household_id: *const c_char,
    tag: *const c_char,
    start: *const c_char,
    end: *const c_char,
) -> wg_status {
    // SAFETY: the caller's contract.
    let h = unsafe { handle(store) };
    boundary(h, || {
        let store = need(h)?;
        let household_id = arg("household_id", household_id)?;
        let tag = arg("tag", tag)?;
        let start = opt_date("start", start)?;
        let end = opt_date("end", end)?;
        store.tag(household_id, tag, start, end)?;
        Ok(())
    })
}

/// Ends `tag` on household `household_id` from date `on`: it no longer carries it that day.
///
/// # Safety
/// `store` is NULL or a live handle; strings are NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_household_untag(
    store: *const wg_store,
    household_id: *const c_char,
    tag: *const c_char,
    on: *const c_char,
) -> wg_status {
    // SAFETY: the caller's contract.
    let h = unsafe { handle(store) };
    boundary(h, || {
        let store = need(h)?;
        let household_id = arg("household_id", household_id)?;
        let tag = arg("tag", tag)?;
        let on = date("on", on)?;
        store.untag(household_id, tag, on)?;
        Ok(())
    })
}

/// Puts `tag` on resident `resident_id` from `start` (NULL: always) to `end`, its last
/// day (NULL: open-ended). A resident's special tag makes their household special.
///
/// # Safety
/// `store` is NULL or a live handle; strings are NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_resident_tag(
    store: *const wg_store,
    resident_id: i64,
    tag: *const c_char,
    start: *const c_char,
    end: *const c_char,
) -> wg_status {
    // SAFETY: the caller's contract.
    let h = unsafe { handle(store) };
    boundary(h, || {
        let store = need(h)?;
        let tag = arg("tag", tag)?;
        let start = opt_date("start", start)?;
        let end = opt_date("end", end)?;
        store.tag_resident(resident_id, tag, start, end)?;
        Ok(())
    })
}

/// Ends `tag` on resident `resident_id` from date `on`.
///
/// # Safety
/// `store` is NULL or a live handle; strings are NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_resident_untag(
    store: *const wg_store,
    resident_id: i64,
    tag: *const c_char,
    on: *const c_char,
) -> wg_status {
    // SAFETY: the caller's contract.
    let h = unsafe { handle(store) };
    boundary(h, || {
        let store = need(h)?;
        let tag = arg("tag", tag)?;
        let on = date("on", on)?;
        store.untag_resident(resident_id, tag, on)?;
        Ok(())
    })
}

/// Defines the deployment's own tag kind `tag` (特殊群体), or changes whether an existing
/// kind makes a household special. Needs a handle that is not scoped.
///
/// # Safety
/// `store` is NULL or a live handle; `tag` is NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_tag_define(
    store: *const wg_store,
    tag: *const c_char,
    special: bool,
) -> wg_status {
    // SAFETY: the caller's contract.
    let h = unsafe { handle(store) };
    boundary(h, || {
        let store = need(h)?;
        let tag = arg("tag", tag)?;
        store.define_tag(tag, special)?;
        Ok(())
    })
}

/// Writes to `*out_json` the tag kinds the store knows, sorted, as a JSON array of
/// `{"tag", "special"}`.
///
/// # Safety
/// `store` is NULL or a live handle; `out_json` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_tag_kinds(
    store: *const wg_store,
    out_json: *mut *mut c_char,
) -> wg_status {
    // SAFETY: the caller's contract.
    let h = unsafe { handle(store) };
    boundary(h, || {
        let store = need(h)?;
        let out = OutString::required("out_json", out_json)?;
        out.put_json(&store.tag_kinds()?)
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewResidentJson {
    name: String,
    #[serde(default, deserialize_with = "private_text")]
    id_number: Option<String>,
    #[serde(default, deserialize_with = "private_text")]
    phone: Option<String>,
    #[serde(default)]
    hukou: Option<String>,
    #[serde(default)]
    employer: Option<String>,
    #[serde(default)]
    relation: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
}

/// Adds a resident to household `household_id` from `start` (NULL: as long as the
/// household). `resident_json` is a JSON object `{"name", "id_number"?, "phone"?,
/// "hukou"?, "employer"?, "relation"? (default "head"), "tags"? (an array of tag kinds)}`.
/// The ID number is checked (length, region, birth date, check digit; a 15-digit one is
/// upgraded) and one already in the store is `WG_CONFLICT`; messages never show it in
/// clear. If `out_json` is not NULL, the new resident (masked) is written there; its
/// `"resident_id"` names it in the other `wg_resident_*` calls.
///
/// # Safety
/// `store` is NULL or a live handle; strings are NULL or NUL-terminated; `out_json` is
/// NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_resident_add(
    store: *const wg_store,
    household_id: *const c_char,
    resident_json: *const c_char,
    start: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    // SAFETY: the caller's contract.
    let h = unsafe { handle(store) };
    boundary(h, || {
        let store = need(h)?;
        let household_id = arg("household_id", household_id)?;
        let json = arg("resident_json", resident_json)?;
        let start = opt_date("start", start)?;
        let out = OutString::optional(out_json);
        // The text is not echoed: it holds an ID number and a phone.
        let parsed: NewResidentJson = serde_json::from_str(json)
            .map_err(|e| FfiError::invalid(format!("invalid resident_json: {e}")))?;
        let resident = wangge::NewResident {
            name: parsed.name,
            id_number: parsed.id_number,
            phone: parsed.phone,
            hukou: parsed.hukou,
            employer: parsed.employer,
            relation: parsed.relation,
            tags: parsed.tags,
        };
        let added = store.add_resident(household_id, &resident, start)?;
        put_json_opt(out, &added)
    })
}

/// Moves resident `resident_id` to household `household_id` from date `on`, with
/// `relation` to its head (`head`, `spouse`, `child` …). If `out_json` is not NULL, the
/// resident as of `on` (masked) is written there.
///
/// # Safety
/// `store` is NULL or a live handle; strings are NULL or NUL-terminated; `out_json` is
/// NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_resident_move(
    store: *const wg_store,
    resident_id: i64,
    household_id: *const c_char,
    relation: *const c_char,
    on: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    // SAFETY: the caller's contract.
    let h = unsafe { handle(store) };
    boundary(h, || {
        let store = need(h)?;
        let household_id = arg("household_id", household_id)?;
        let relation = arg("relation", relation)?;
        let on = date("on", on)?;
        let out = OutString::optional(out_json);
        let resident = store.move_resident(resident_id, household_id, relation, on)?;
        put_json_opt(out, &resident)
    })
}

/// Writes resident `resident_id` as they stood on `as_of` (NULL: today), ID number and
/// phone masked, to `*out_json`.
///
/// # Safety
/// `store` is NULL or a live handle; `as_of` is NULL or NUL-terminated; `out_json` is
/// NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_resident_get(
    store: *const wg_store,
    resident_id: i64,
    as_of: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    // SAFETY: the caller's contract.
    let h = unsafe { handle(store) };
    boundary(h, || {
        let store = need(h)?;
        let as_of = opt_date("as_of", as_of)?;
        let out = OutString::required("out_json", out_json)?;
        out.put_json(&store.resident(resident_id, as_of)?)
    })
}

/// Writes to `*out_json` the residents of household `household_id` on `as_of` (NULL:
/// today), heads first, then by id, as a JSON array (masked).
///
/// # Safety
/// `store` is NULL or a live handle; strings are NULL or NUL-terminated; `out_json` is
/// NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_residents(
    store: *const wg_store,
    household_id: *const c_char,
    as_of: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    // SAFETY: the caller's contract.
    let h = unsafe { handle(store) };
    boundary(h, || {
        let store = need(h)?;
        let household_id = arg("household_id", household_id)?;
        let as_of = opt_date("as_of", as_of)?;
        let out = OutString::required("out_json", out_json)?;
        out.put_json(&store.residents(household_id, as_of)?)
    })
}

#[derive(Serialize)]
struct ClearValues {
    id_number: Option<String>,
    phone: Option<String>,
}

/// Writes to `*out_json` resident `resident_id`'s ID number and phone in clear, as
/// `{"id_number": string|null, "phone": string|null}`. The read is recorded in the audit
/// chain. The caller should wipe the text before freeing it with `wg_string_free`.
///
/// # Safety
/// `store` is NULL or a live handle; `out_json` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_resident_clear(
    store: *const wg_store,
    resident_id: i64,
    out_json: *mut *mut c_char,
) -> wg_status {
    // SAFETY: the caller's contract.
    let h = unsafe { handle(store) };
    boundary(h, || {
        let store = need(h)?;
        let out = OutString::required("out_json", out_json)?;
        let (id_number, phone) = store.resident_clear(resident_id)?;
        out.put_json(&ClearValues { id_number, phone })
    })
}

#[derive(Serialize)]
struct CountsJson<'a> {
    total: &'a wangge::UnitCounts,
    units: &'a [wangge::UnitCounts],
}

/// Writes to `*out_json` the registry counts of `unit`'s subtree on `as_of` (NULL: today)
/// as `{"total": counts, "units": [counts, ...]}`, where counts is `{"unit",
/// "households", "special_households", "residents", "floating"}`: `total` for the whole
/// subtree (its `unit` is `unit`), `units` one per unit with households living directly
/// in it, sorted by code. The `units` rows sum to `total`.
///
/// # Safety
/// `store` is NULL or a live handle; strings are NULL or NUL-terminated; `out_json` is
/// NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_unit_counts(
    store: *const wg_store,
    unit: *const c_char,
    as_of: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    // SAFETY: the caller's contract.
    let h = unsafe { handle(store) };
    boundary(h, || {
        let store = need(h)?;
        let unit = arg("unit", unit)?;
        let as_of = opt_date("as_of", as_of)?;
        let out = OutString::required("out_json", out_json)?;
        let (total, units) = store.unit_counts(unit, as_of)?;
        out.put_json(&CountsJson {
            total: &total,
            units: &units,
        })
    })
}
