//! A ledger entry and the events of its history as frozen Python classes.
//!
//! Each class wraps the core record, so `to_json()` gives exactly the JSON the C API
//! returns; the properties give Python values (aware `datetime`s in the deployment's
//! offset, lists, `None`).

use std::hash::{Hash, Hasher};

use pyo3::prelude::*;
use pyo3::types::PyDict;
use serde_json::{Value, json};
use wangge::{Moment, TimeLimit};

use crate::convert::moment_text_arg;
use crate::errors::py_result;
use crate::registry_types::json_to_py;
use crate::types::{Field, Record, py_any, record_dict};

/// A time limit as a dict: `{"working_days": n}` or `{"hours": n}`, as in `to_json()`.
pub(crate) fn limit_json(limit: TimeLimit) -> Value {
    match limit {
        TimeLimit::WorkingDays(n) => json!({"working_days": n}),
        TimeLimit::Hours(n) => json!({"hours": n}),
    }
}

/// `Name(field=repr, …)` for the fields named in `shown` only, in the record's order.
pub(crate) fn short_repr<R: Record>(
    record: &R,
    py: Python<'_>,
    shown: &[&str],
) -> PyResult<String> {
    let mut parts = Vec::new();
    for (name, value) in record.fields(py)? {
        if shown.contains(&name) {
            parts.push(format!("{name}={}", value.repr()?.to_string_lossy()));
        }
    }
    Ok(format!("{}({})", R::NAME, parts.join(", ")))
}

/// A ledger entry (台账/诉求) as it stands, or stood at the moment a query asked about.
#[pyclass(frozen, eq, hash, module = "wangge._native")]
#[derive(Debug, Clone, PartialEq)]
pub struct Entry(pub(crate) wangge::Entry);

impl Hash for Entry {
    fn hash<H: Hasher>(&self, state: &mut H) {
        let e = &self.0;
        (e.id, e.status, e.hard, &e.handler, e.deadline, e.rework).hash(state);
    }
}

impl From<wangge::Entry> for Entry {
    fn from(entry: wangge::Entry) -> Self {
        Entry(entry)
    }
}

impl Record for Entry {
    const NAME: &'static str = "Entry";
    fn fields<'py>(&self, py: Python<'py>) -> PyResult<Vec<Field<'py>>> {
        let e = &self.0;
        Ok(vec![
            ("id", py_any(py, e.id)?),
            ("unit", py_any(py, &e.unit)?),
            ("household_id", py_any(py, &e.household_id)?),
            ("resident_id", py_any(py, e.resident_id)?),
            ("source", py_any(py, e.source.as_str())?),
            ("reported_at", py_any(py, e.reported_at)?),
            ("category", py_any(py, &e.category)?),
            ("summary", py_any(py, &e.summary)?),
            ("urgent", py_any(py, e.urgent)?),
            ("books", py_any(py, &e.books)?),
            ("triage", py_any(py, e.triage.as_str())?),
            ("time_limit", json_to_py(py, &limit_json(e.time_limit))?),
            ("finding_id", py_any(py, e.finding_id)?),
            ("status", py_any(py, e.status.as_str())?),
            ("standing", py_any(py, e.standing().as_str())?),
            ("hard", py_any(py, e.hard)?),
            ("handler", py_any(py, e.handler.name())?),
            ("handler_kind", py_any(py, e.handler.kind())?),
            ("deadline", py_any(py, e.deadline)?),
            ("sign_due", py_any(py, e.sign_due)?),
            ("suspended_since", py_any(py, e.suspended_since)?),
            ("rework", py_any(py, e.rework)?),
            ("signed_at", py_any(py, e.signed_at)?),
            ("first_resolved_at", py_any(py, e.first_resolved_at)?),
            ("resolved_at", py_any(py, e.resolved_at)?),
            ("closed_at", py_any(py, e.closed_at)?),
            ("verified", py_any(py, e.verified)?),
        ])
    }
}

#[pymethods]
impl Entry {
    /// The entry's number.
    #[getter]
    fn id(&self) -> i64 {
        self.0.id
    }

    /// The unit where it was raised; it counts there and for all its ancestors.
    #[getter]
    fn unit(&self) -> &str {
        &self.0.unit
    }

    /// The household it concerns, if any.
    #[getter]
    fn household_id(&self) -> Option<&str> {
        self.0.household_id.as_deref()
    }

    /// The resident it concerns, if any.
    #[getter]
    fn resident_id(&self) -> Option<i64> {
        self.0.resident_id
    }

    /// Where it came from: `visit`, `hotline`, `walk_in`, `online`, `patrol` or `letter`.
    #[getter]
    fn source(&self) -> &'static str {
        self.0.source.as_str()
    }

    /// When it was reported, an aware `datetime` in the deployment's offset.
    #[getter]
    fn reported_at(&self) -> Moment {
        self.0.reported_at
    }

    /// Its category, e.g. `市政设施`.
    #[getter]
    fn category(&self) -> &str {
        &self.0.category
    }

    /// What the resident raised, in their words.
    #[getter]
    fn summary(&self) -> &str {
        &self.0.summary
    }

    /// Whether it is urgent: time limits in hours, triage escalated.
    #[getter]
    fn urgent(&self) -> bool {
        self.0.urgent
    }

    /// The ledger books it is kept in: its category's, then those its household's tags add.
    #[getter]
    fn books(&self) -> Vec<String> {
        self.0.books.clone()
    }

    /// How it was triaged when registered: `on_site`, `coordinate` or `escalate`.
    #[getter]
    fn triage(&self) -> &'static str {
        self.0.triage.as_str()
    }

    /// The time limit it was given: `{"working_days": n}` or `{"hours": n}`.
    #[getter]
    fn time_limit<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_to_py(py, &limit_json(self.0.time_limit))
    }

    /// The visit finding it was raised from, if any.
    #[getter]
    fn finding_id(&self) -> Option<i64> {
        self.0.finding_id
    }

    /// Its workflow status: `registered`, `signed_for`, `in_progress`, `suspended`,
    /// `resolved` or `closed`.
    #[getter]
    fn status(&self) -> &'static str {
        self.0.status.as_str()
    }

    /// Its standing (the weekly meeting's piles): `resolved`, `pending` or `hard`.
    #[getter]
    fn standing(&self) -> &'static str {
        self.0.standing().as_str()
    }

    /// Whether it is marked hard to resolve (难解决).
    #[getter]
    fn hard(&self) -> bool {
        self.0.hard
    }

    /// Who handles it now: a unit's code or a department's name (see `handler_kind`).
    #[getter]
    fn handler(&self) -> &str {
        self.0.handler.name()
    }

    /// `unit` or `department`.
    #[getter]
    fn handler_kind(&self) -> &'static str {
        self.0.handler.kind()
    }

    /// When it must be resolved by (moved by suspensions and extensions).
    #[getter]
    fn deadline(&self) -> Moment {
        self.0.deadline
    }

    /// When its current handler must sign for it by, while it awaits signing.
    #[getter]
    fn sign_due(&self) -> Option<Moment> {
        self.0.sign_due
    }

    /// Since when it is suspended (缓办), while it is.
    #[getter]
    fn suspended_since(&self) -> Option<Moment> {
        self.0.suspended_since
    }

    /// How many times verification sent it back (返工).
    #[getter]
    fn rework(&self) -> u32 {
        self.0.rework
    }

    /// When its current handler signed for it.
    #[getter]
    fn signed_at(&self) -> Option<Moment> {
        self.0.signed_at
    }

    /// When it was first resolved.
    #[getter]
    fn first_resolved_at(&self) -> Option<Moment> {
        self.0.first_resolved_at
    }

    /// When it was last resolved, while it stays resolved or closed.
    #[getter]
    fn resolved_at(&self) -> Option<Moment> {
        self.0.resolved_at
    }

    /// When it was closed (注销), while it stays closed.
    #[getter]
    fn closed_at(&self) -> Option<Moment> {
        self.0.closed_at
    }

    /// The resident's feedback on its resolution: `True` when satisfied, `None` before.
    #[getter]
    fn verified(&self) -> Option<bool> {
        self.0.verified
    }

    /// Whether it is open past its deadline at `at` (suspended time excluded).
    fn overdue_at(&self, at: &Bound<'_, PyAny>) -> PyResult<bool> {
        let at = moment_text_arg("at", at)?;
        let at = py_result(wangge::date::parse_moment(
            "at",
            &at,
            *self.0.reported_at.offset(),
        ))?;
        Ok(self.0.overdue_at(&at))
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        short_repr(
            self,
            py,
            &[
                "id", "unit", "category", "status", "standing", "handler", "deadline",
            ],
        )
    }

    /// The entry as JSON text, the shape the C API returns.
    fn to_json(&self) -> String {
        self.0.to_json().to_string()
    }

    /// The entry's fields as a new dict of Python values.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        record_dict(self, py)
    }
}

/// One change to an entry, appended to its history and never changed.
#[pyclass(frozen, eq, hash, module = "wangge._native")]
#[derive(Debug, Clone, PartialEq)]
pub struct Event(pub(crate) wangge::EntryEvent);

impl Hash for Event {
    fn hash<H: Hasher>(&self, state: &mut H) {
        (self.0.entry_id, self.0.seq, self.0.action, self.0.at).hash(state);
    }
}

impl From<wangge::EntryEvent> for Event {
    fn from(event: wangge::EntryEvent) -> Self {
        Event(event)
    }
}

impl Record for Event {
    const NAME: &'static str = "Event";
    fn fields<'py>(&self, py: Python<'py>) -> PyResult<Vec<Field<'py>>> {
        let e = &self.0;
        Ok(vec![
            ("entry_id", py_any(py, e.entry_id)?),
            ("seq", py_any(py, e.seq)?),
            ("action", py_any(py, e.action.as_str())?),
            ("actor", py_any(py, &e.actor)?),
            ("at", py_any(py, e.at)?),
            ("note", py_any(py, &e.note)?),
            ("auto", py_any(py, e.auto)?),
            ("days", py_any(py, e.days)?),
            ("satisfied", py_any(py, e.satisfied)?),
            ("status", py_any(py, e.status.as_str())?),
            ("handler", py_any(py, e.handler.name())?),
            ("handler_kind", py_any(py, e.handler.kind())?),
            ("deadline", py_any(py, e.deadline)?),
            ("hard", py_any(py, e.hard)?),
        ])
    }
}

#[pymethods]
impl Event {
    /// The entry.
    #[getter]
    fn entry_id(&self) -> i64 {
        self.0.entry_id
    }

    /// Its place in the entry's history, from 1.
    #[getter]
    fn seq(&self) -> u32 {
        self.0.seq
    }

    /// What was done: `register`, `sign_for`, `start`, `escalate`, `return`, `mark_hard`,
    /// `suspend`, `resume`, `extend`, `resolve`, `verify`, `close` or `reopen`.
    #[getter]
    fn action(&self) -> &'static str {
        self.0.action.as_str()
    }

    /// Who did it: the staff member for `sign_for` and `start`, otherwise the handle's
    /// actor.
    #[getter]
    fn actor(&self) -> &str {
        &self.0.actor
    }

    /// When, an aware `datetime` in the deployment's offset.
    #[getter]
    fn at(&self) -> Moment {
        self.0.at
    }

    /// The reason, result or note given.
    #[getter]
    fn note(&self) -> &str {
        &self.0.note
    }

    /// Whether `Store.tick` made it, not a person.
    #[getter]
    fn auto(&self) -> bool {
        self.0.auto
    }

    /// Working days added, for `extend`.
    #[getter]
    fn days(&self) -> Option<u32> {
        self.0.days
    }

    /// The resident's answer, for `verify`.
    #[getter]
    fn satisfied(&self) -> Option<bool> {
        self.0.satisfied
    }

    /// The entry's status after it.
    #[getter]
    fn status(&self) -> &'static str {
        self.0.status.as_str()
    }

    /// The entry's handler after it: a unit's code or a department's name.
    #[getter]
    fn handler(&self) -> &str {
        self.0.handler.name()
    }

    /// `unit` or `department`.
    #[getter]
    fn handler_kind(&self) -> &'static str {
        self.0.handler.kind()
    }

    /// The entry's deadline after it.
    #[getter]
    fn deadline(&self) -> Moment {
        self.0.deadline
    }

    /// Whether the entry was marked hard after it.
    #[getter]
    fn hard(&self) -> bool {
        self.0.hard
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        short_repr(
            self,
            py,
            &[
                "entry_id", "seq", "action", "actor", "at", "note", "auto", "status", "handler",
            ],
        )
    }

    /// The event as JSON text, the shape the C API returns.
    fn to_json(&self) -> String {
        self.0.to_json().to_string()
    }

    /// The event's fields as a new dict of Python values.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        record_dict(self, py)
    }
}
