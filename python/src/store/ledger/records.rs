//! The ledger's record classes: an entry and the events of its history, a classification
//! and its reasons, and the weekly meeting's three piles.
//!
//! Each class wraps the core record, so `to_json()` gives exactly the JSON the C API
//! returns; the getters give Python values (aware `datetime`s in the deployment's
//! offset, lists, dicts, `None`).

use pyo3::prelude::*;
use wangge::{Date, Handler, Moment};

use crate::convert::moment_text_arg;
use crate::errors::py_result;
use crate::record::{Json, record, records, text_repr};

record! {
    /// A ledger entry (台账/诉求) as it stands, or stood at the moment a query asked about.
    pub struct Entry(wangge::Entry) as e,
    repr = [id, unit, category, status, standing, handler, deadline] {
        /// The entry's number.
        id: i64 = e.id,
        /// The unit where it was raised; it counts there and for all its ancestors.
        unit: &str = &e.unit,
        /// The household it concerns, if any.
        household_id: Option<&str> = e.household_id.as_deref(),
        /// The resident it concerns, if any.
        resident_id: Option<i64> = e.resident_id,
        /// Where it came from: `visit`, `hotline`, `walk_in`, `online`, `patrol` or `letter`.
        source: &str = e.source.as_str(),
        /// When it was reported, an aware `datetime` in the deployment's offset.
        reported_at: Moment = e.reported_at,
        /// Its category, e.g. `市政设施`.
        category: &str = &e.category,
        /// What the resident raised, in their words.
        summary: &str = &e.summary,
        /// Whether it is urgent: time limits in hours, triage escalated.
        urgent: bool = e.urgent,
        /// The ledger books it is kept in: its category's, then those its household's tags
        /// add.
        books: Vec<String> = e.books.clone(),
        /// How it was triaged when registered: `on_site`, `coordinate` or `escalate`.
        triage: &str = e.triage.as_str(),
        /// The time limit it was given: `{"working_days": n}` or `{"hours": n}`.
        time_limit: Json = Json(e.time_limit.to_json()),
        /// The visit finding it was raised from, if any.
        finding_id: Option<i64> = e.finding_id,
        /// Its workflow status: `registered`, `signed_for`, `in_progress`, `suspended`,
        /// `resolved` or `closed`.
        status: &str = e.status.as_str(),
        /// Its standing (the weekly meeting's piles): `resolved`, `pending` or `hard`.
        standing: &str = e.standing().as_str(),
        /// Whether it is marked hard to resolve (难解决).
        hard: bool = e.hard,
        /// Who handles it now: a unit's code or a department's name (see `handler_kind`).
        handler: &str = e.handler.name(),
        /// `unit` or `department`.
        handler_kind: &str = e.handler.kind(),
        /// When it must be resolved by (moved by suspensions and extensions).
        deadline: Moment = e.deadline,
        /// When its current handler must sign for it by, while it awaits signing.
        sign_due: Option<Moment> = e.sign_due,
        /// Since when it is suspended (缓办), while it is.
        suspended_since: Option<Moment> = e.suspended_since,
        /// How many times verification sent it back (返工).
        rework: u32 = e.rework,
        /// When its current handler signed for it.
        signed_at: Option<Moment> = e.signed_at,
        /// When it was first resolved.
        first_resolved_at: Option<Moment> = e.first_resolved_at,
        /// When it was last resolved, while it stays resolved or closed.
        resolved_at: Option<Moment> = e.resolved_at,
        /// When it was closed (注销), while it stays closed.
        closed_at: Option<Moment> = e.closed_at,
        /// The resident's feedback on its resolution: `True` when satisfied, `None` before.
        verified: Option<bool> = e.verified,
    }
}

#[pymethods]
impl Entry {
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

    /// The entry as JSON text, the shape the C API returns.
    fn to_json(&self) -> String {
        self.0.to_json().to_string()
    }
}

record! {
    /// One change to an entry, appended to its history and never changed.
    pub struct Event(wangge::EntryEvent) as e,
    repr = [entry_id, seq, action, actor, at, note, auto, status, handler] {
        /// The entry.
        entry_id: i64 = e.entry_id,
        /// Its place in the entry's history, from 1.
        seq: u32 = e.seq,
        /// What was done: `register`, `sign_for`, `start`, `escalate`, `return`,
        /// `mark_hard`, `suspend`, `resume`, `extend`, `resolve`, `verify`, `close` or
        /// `reopen`.
        action: &str = e.action.as_str(),
        /// Who did it: the staff member for `sign_for` and `start`, otherwise the handle's
        /// actor.
        actor: &str = &e.actor,
        /// When, an aware `datetime` in the deployment's offset.
        at: Moment = e.at,
        /// The reason, result or note given.
        note: &str = &e.note,
        /// Whether `Store.tick` made it, not a person.
        auto: bool = e.auto,
        /// Working days added, for `extend`.
        days: Option<u32> = e.days,
        /// The resident's answer, for `verify`.
        satisfied: Option<bool> = e.satisfied,
        /// The entry's status after it.
        status: &str = e.status.as_str(),
        /// The entry's handler after it: a unit's code or a department's name.
        handler: &str = e.handler.name(),
        /// `unit` or `department`.
        handler_kind: &str = e.handler.kind(),
        /// The entry's deadline after it.
        deadline: Moment = e.deadline,
        /// Whether the entry was marked hard after it.
        hard: bool = e.hard,
    }
}

#[pymethods]
impl Event {
    /// The event as JSON text, the shape the C API returns.
    fn to_json(&self) -> String {
        self.0.to_json().to_string()
    }
}

record! {
    /// One step of a classification: which rule matched what, and what it decided.
    pub struct Reason(wangge::Reason) as r, repr = all {
        /// The kind of rule: `keyword`, `tie`, `category`, `given_category`,
        /// `free_category`, `tag`, `urgent_keyword`, `urgent_flag` or `handler`.
        rule: &str = &r.rule,
        /// What it matched: a keyword, a category, a tag, a triage level.
        matched: &str = &r.matched,
        /// What it decided, in words.
        effect: &str = &r.effect,
    }
}

record! {
    /// What the ledger rules make of an entry (a dry run of `Store.register`), and why.
    pub struct Classification(wangge::Classification) as c,
    repr = [category, books, triage, urgent, handler, ties] {
        /// The category: the one given, or the one the summary's keywords suggest.
        category: &str = &c.category,
        /// The category the summary's most specific keyword suggests, if any matched.
        suggested_category: Option<&str> = c.suggested_category.as_deref(),
        /// Categories suggested by equally specific keywords, when more than one was (the
        /// first listed in the rules is suggested); empty otherwise.
        ties: Vec<String> = c.ties.clone(),
        /// The books the entry goes in: the category's, then those its household's tags
        /// add.
        books: Vec<String> = c.books.clone(),
        /// How it is triaged: `on_site`, `coordinate` or `escalate`.
        triage: &str = c.triage.as_str(),
        /// Whether it is urgent (flagged so, or an urgency keyword matched).
        urgent: bool = c.urgent,
        /// Its time limit to resolution: `{"working_days": n}` or `{"hours": n}`.
        time_limit: Json = Json(c.time_limit.to_json()),
        /// Its handler's time limit to sign for it, in the same shape.
        sign_for_limit: Json = Json(c.sign_for_limit.to_json()),
        /// Who would handle it (a unit's code or a department's name), when a unit or a
        /// household was given; otherwise `None`.
        handler: Option<&str> = c.handler.as_ref().map(Handler::name),
        /// `unit` or `department`, when there is a handler.
        handler_kind: Option<&str> = c.handler.as_ref().map(Handler::kind),
        /// The day the rule set used took effect; `None` for the default rules.
        rules_from: Option<Date> = c.rules_from,
        /// Which rule decided what, in order (`Reason` objects, in `to_dict()` too).
        reasons: Vec<Reason> = records(c.reasons.clone()),
    }
}

#[pymethods]
impl Classification {
    /// The classification as JSON text, the shape the C API returns.
    fn to_json(&self) -> String {
        self.0.to_json().to_string()
    }
}

record! {
    /// The weekly meeting's three piles (已解决/待解决/难解决) for a unit and a period.
    pub struct Piles(wangge::Piles) as p, repr = custom {
        /// The unit whose subtree the piles cover.
        unit: &str = &p.unit,
        /// The period, as text (`2024-W10` and the like).
        period: String = p.period.to_string(),
        /// The period's last moment, which the entries are taken as of.
        at: Moment = p.at,
        /// Entries resolved in the period and still resolved or closed at its end (已解决);
        /// `Entry` objects, in `to_dict()` too.
        resolved: Vec<Entry> = records(p.resolved.clone()),
        /// Entries open and not hard at its end (待解决).
        pending: Vec<Entry> = records(p.pending.clone()),
        /// Entries open and marked hard at its end (难解决).
        hard: Vec<Entry> = records(p.hard.clone()),
    }
}

#[pymethods]
impl Piles {
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let p = &self.0;
        Ok(format!(
            "Piles(unit={}, period={}, resolved={}, pending={}, hard={})",
            text_repr(py, &p.unit)?,
            text_repr(py, &p.period.to_string())?,
            p.resolved.len(),
            p.pending.len(),
            p.hard.len()
        ))
    }

    /// The piles as JSON text, the shape the C API returns: the unit, the period, the
    /// moment, and per pile its `count`, how many are `overdue` and its `entries`.
    fn to_json(&self) -> String {
        self.0.to_json().to_string()
    }
}

/// Adds the ledger's record classes to the module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Entry>()?;
    m.add_class::<Event>()?;
    m.add_class::<Reason>()?;
    m.add_class::<Classification>()?;
    m.add_class::<Piles>()
}
