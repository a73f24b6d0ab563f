//! Submitted reports (报告制度) and the yearly assessment (考核) over the C ABI: which
//! levels report at which cadence, submitting and approving a unit's report for a period,
//! where the reports stand, and each child of a unit scored on weighted targets.
//!
//! `unit` is a unit's code; `period` is written as for `wg_report` (`2025-W10`,
//! `2025-03`, `2025-Q1`...; a malformed one is `WG_INVALID_INPUT` naming `period`); `at`
//! is RFC 3339, or a local time read in the deployment's time zone. A unit outside the
//! handle's scope is `WG_PERMISSION_DENIED`.
//!
//! A **submission** is `{"unit", "period", "due", "status", "versions",
//! "first_submitted_at", "submitted_at", "author", "on_time", "approved_at", "approver"}`
//! plus, except in `wg_submissions`, `"report"` (the same as Python's
//! `Submission.to_json()`): `due` and the `*_at` times RFC 3339 (the latter null until
//! they happen), `status` `missing`, `submitted` or `approved`, `versions` how many times
//! it was submitted, `on_time` whether the first version came by `due`, `author` and
//! `approver` the actors who submitted the latest version and approved it (or null),
//! `report` the latest version's report as it was sealed (the JSON of `wg_report`), null
//! when nothing was submitted, `audit_head` the submitting store's audit head when the
//! latest version was submitted, `received_at` when it was received from the unit's own
//! store (`wg_receive_submission`; null for a report submitted in this store), and `seal`,
//! with the report, the SM3 digest of all the rest (null without the report).

use std::ffi::c_char;

use crate::out::json_list;
use crate::store::{wg_store, with_store};
use crate::wg_status;

/// Sets which levels report at which cadence from `start` (NULL: always) from
/// `rules_json`, a JSON array of `{"level", "every", "due_working_days"}`: `level` a level
/// of the deployment (`grid`), `every` a kind of period (`day`, `week`, `month`,
/// `quarter`, `half_year`, `year`), `due_working_days` the working days after the period by
/// whose end the report is due (0 to 60; default 1). A set starting the same day is
/// replaced. A bad field is `WG_INVALID_INPUT` naming it; a scoped handle gets
/// `WG_PERMISSION_DENIED`.
///
/// JSON input: an array of `reporting_rule`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_reporting_rules_set(
    store: *const wg_store,
    rules_json: *const c_char,
    start: *const c_char,
) -> wg_status {
    with_store(store, |store| {
        let rules = arg!(rules_json);
        let start = opt_date!(start);
        Ok(store.set_reporting_rules_json(rules, start)?)
    })
}

/// Writes to `*out_json` the reporting rules in force on `as_of` (NULL: today), a JSON
/// array of `{"level", "every", "due_working_days"}` (by default grids weekly, communities
/// monthly, townships quarterly). The string is the caller's, freed with
/// `wg_string_free`.
///
/// JSON result: an array of `reporting_rule`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_reporting_rules(
    store: *const wg_store,
    as_of: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let (as_of, out) = (opt_date!(as_of), out!(out_json));
        out.json(&json_list(&store.reporting_rules(as_of)?, wangge::ReportingRule::to_json))
    })
}

/// Submits `unit`'s report for `period` at `at`, by the handle's actor: the report as it
/// now stands (`wg_report`) is sealed with them; a unit may submit again until the report
/// is approved. Writes the submission to `*out_json` as `wg_submission` does, with the
/// report just sealed. A period not of the unit's cadence, or a unit whose level does not
/// report, is `WG_INVALID_INPUT`; an approved report is `WG_CONFLICT`. The string is the
/// caller's, freed with `wg_string_free`.
///
/// JSON result: a `submission`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_submit(
    store: *const wg_store,
    unit: *const c_char,
    period: *const c_char,
    at: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let (unit, period, at) = (arg!(unit), period!(period), moment!(store, at));
        out!(out_json).json(&store.submit(unit, period, &at)?.to_json(true))
    })
}

/// Approves `unit`'s submitted report for `period` at `at`, by the handle's actor, which
/// must be above the unit (a handle scoped to the unit itself is `WG_PERMISSION_DENIED`).
/// Approval locks the unit's subtree for the period: a fact dated in it (an entry or an
/// action on one, a visit, a household arriving or moving, a tag starting or ending) is
/// then `WG_CONFLICT` with a message saying it is locked. Nothing submitted is
/// `WG_NOT_FOUND`; a report already approved `WG_CONFLICT`. Writes the submission to
/// `*out_json` as `wg_submission` does; the string is the caller's, freed with
/// `wg_string_free`.
///
/// JSON result: a `submission`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_approve(
    store: *const wg_store,
    unit: *const c_char,
    period: *const c_char,
    at: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let (unit, period, at) = (arg!(unit), period!(period), moment!(store, at));
        out!(out_json).json(&store.approve(unit, period, &at)?.to_json(true))
    })
}

/// Receives, in the store of the level above (a city's), a unit's sealed submission:
/// `sealed_json` is the JSON `wg_submission` (or `wg_submit`) writes in the unit's own store
/// (a county's), report and `seal` included. Its seal, shape, figures and audit head are
/// checked; a later version replaces an earlier one until the report is approved here
/// (`wg_approve` on this store approves it; a version its own store marked approved still
/// stands here as submitted); the very same JSON again changes nothing. The report of
/// the level above (`wg_report`, `wg_circular`) then counts its figures for the unit's
/// subtree, rates made again from the summed numerators and denominators. Writes the
/// submission as it stands here to `*out_json` as `wg_submission` does; the string is the
/// caller's, freed with `wg_string_free`.
///
/// A unit missing here on the period's last day is `WG_NOT_FOUND`; one outside the
/// handle's scope, or the handle's own root, `WG_PERMISSION_DENIED`. Malformed JSON (an
/// array, unknown keys, more than 8 MiB), a seal that does not match, a report of another
/// unit or period, figures that do not add up, or a level that does not report at the
/// period's cadence here are `WG_INVALID_INPUT` naming the field; an audit head that goes
/// back on the unit's earlier ones, an older version, or a version after approval are
/// `WG_CONFLICT`. Nothing is written then.
///
/// JSON input: a `submission` with its `report`.
/// JSON result: a `submission`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_receive_submission(
    store: *const wg_store,
    sealed_json: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let sealed = arg!(sealed_json);
        out!(out_json).json(&store.receive_submission(sealed)?.to_json(true))
    })
}

/// Writes to `*out_json` where `unit`'s report for `period` stands: the submission with
/// its `"report"` (null when nothing was submitted: `"status": "missing"`). A unit
/// that did not exist on the period's last day is `WG_NOT_FOUND`. The string is the
/// caller's, freed with `wg_string_free`.
///
/// JSON result: a `submission`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_submission(
    store: *const wg_store,
    unit: *const c_char,
    period: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let (unit, period) = (arg!(unit), period!(period));
        out!(out_json).json(&store.submission(unit, period)?.to_json(true))
    })
}

/// Writes to `*out_json` every report expected from `unit`'s subtree (the unit included)
/// for the periods of their cadences inside `period` (a week belongs to the month,
/// quarter or year its Thursday falls in), a JSON array of submissions without their
/// reports, by unit then period; `"status": "missing"` for those not submitted. The string
/// is the caller's, freed with `wg_string_free`.
///
/// JSON result: an array of `submission` (without `report`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_submissions(
    store: *const wg_store,
    unit: *const c_char,
    period: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let (unit, period) = (arg!(unit), period!(period));
        let out = out!(out_json);
        out.json(&json_list(&store.submissions(unit, period)?, |s| s.to_json(false)))
    })
}

/// Sets the assessment rules in force from `start` (NULL: always) from `rules_json`, a
/// JSON object `{"items": [{"indicator", "weight", "target"}], "min_sample"}`: each item a
/// rate indicator of `wg_indicators` (`closure_rate`; a count such as `received` is
/// `WG_INVALID_INPUT` naming it) with a positive weight and target rate, at least one
/// item; `min_sample` the smallest denominator a rate needs to be scored (default 5). A
/// set starting the same day is replaced; a scoped handle gets `WG_PERMISSION_DENIED`.
///
/// JSON input: an `assessment_rules`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_assessment_rules_set(
    store: *const wg_store,
    rules_json: *const c_char,
    start: *const c_char,
) -> wg_status {
    with_store(store, |store| {
        let rules = arg!(rules_json);
        let start = opt_date!(start);
        Ok(store.set_assessment_rules_json(rules, start)?)
    })
}

/// Writes to `*out_json` the assessment rules in force on `as_of` (NULL: today), the JSON
/// object `wg_assessment_rules_set` reads, with every field. The string is the caller's,
/// freed with `wg_string_free`.
///
/// JSON result: an `assessment_rules`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_assessment_rules(
    store: *const wg_store,
    as_of: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let as_of = opt_date!(as_of);
        out!(out_json).json(&store.assessment_rules(as_of)?.to_json())
    })
}

/// Writes to `*out_json` the assessment (考核) of `unit`'s direct children over `period`
/// (a year, usually) with the rules in force on its first day, a JSON object (the same as
/// Python's `Assessment.to_json()`): `{"unit", "period", "rules", "rows"}` where `rules`
/// is as `wg_assessment_rules` gives it and `rows` an array of `{"unit", "name", "score",
/// "rank", "items"}`, best first, those without a score (null score and rank) last by
/// code. `score` is out of 100: each item earns `weight × min(1, value / target)`, and an
/// item whose rate has fewer than `min_sample` cases is not scored and leaves the total.
/// `rank` is 1 for the best, equal scores sharing a rank. `items` is an array of
/// `{"indicator", "num", "den", "value", "points"}` in the rules' order, `points` null
/// when not scored. The string is the caller's, freed with `wg_string_free`.
///
/// JSON result: an `assessment`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wg_assessment(
    store: *const wg_store,
    unit: *const c_char,
    period: *const c_char,
    out_json: *mut *mut c_char,
) -> wg_status {
    with_store(store, |store| {
        let (unit, period) = (arg!(unit), period!(period));
        out!(out_json).json(&store.assessment(unit, period)?.to_json())
    })
}
