//! The ledger (台账) on the Python `Store`: classification rules, registering entries,
//! `tick`, and the queries (an entry, its history, the entries of a subtree at a moment,
//! the weekly meeting's piles); the entry workflow is in `actions`, the record classes in
//! `records`.
//!
//! Moments (`at`, `reported_at`, `now`) are a `datetime.datetime`, aware or naive (a
//! naive one is a local time in the deployment's time zone), or ISO text with or without
//! an offset; an invalid transition raises `wangge.InvalidTransition` and changes nothing.

mod actions;
mod records;

use std::borrow::Cow;

use pyo3::prelude::*;
use wangge::{ClassifyRequest, EntryQuery, Moment, NewEntry};

pub(crate) use records::{Classification, Entry, Event, Piles};

use super::{Store, period_arg};
use crate::args::{Code, Int, Text};
use crate::convert::{
    Json, batch_json, input_json, moment_text_arg, object_json, opt_date_arg, opt_input_json,
    to_json,
};
use crate::page::{listed, paging_arg};
use crate::record::{json_to_py, records};

/// Reads a moment as the store does (local times in its offset), naming `field`.
fn moment(store: &wangge::Store, field: &'static str, text: &str) -> wangge::Result<Moment> {
    wangge::date::parse_moment(field, text, store.offset())
}

/// The default ledger classification rules (the books, categories, tag books, urgency
/// keywords and handler levels drawn from the sources), as a dict in the shape
/// `Store.set_ledger_rules` reads.
#[pyfunction]
fn default_ledger_rules(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    json_to_py(py, &wangge::default_ledger_rules().to_json())
}

/// Adds the ledger's record classes and `default_ledger_rules` to the module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    records::register(m)?;
    m.add_function(wrap_pyfunction!(default_ledger_rules, m)?)?;
    Ok(())
}

#[pymethods]
impl Store {
    /// Sets the ledger's classification rules in force from `start` (default: always): a
    /// dict (or its JSON text) in the shape `ledger_rules()` returns, `{"books",
    /// "categories": [{"name", "books", "triage", "days", "keywords", "department"}],
    /// "tag_books", "urgent": {"keywords", "hours", "sign_for_hours"}, "sign_for_days",
    /// "handlers": {"on_site", "coordinate", "escalate"}, "free_categories"}`; keys left
    /// out take the defaults' values, except `categories`. Entries already registered
    /// keep what they were given. A bad field raises `InvalidInput` naming it; a scoped
    /// handle raises `PermissionDenied`.
    #[pyo3(signature = (rules, start=None))]
    fn set_ledger_rules(
        &self,
        py: Python<'_>,
        rules: &Bound<'_, PyAny>,
        start: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        self.set_rule_set(py, rules, start, wangge::Store::set_ledger_rules_json)
    }

    /// The classification rules in force on `as_of` (default today), as a dict.
    #[pyo3(signature = (as_of=None))]
    fn ledger_rules<'py>(
        &self,
        py: Python<'py>,
        as_of: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let rules = self.with_args(
            py,
            || opt_date_arg("as_of", as_of),
            wangge::Store::ledger_rules,
        )?;
        json_to_py(py, &rules.to_json())
    }

    /// Classifies an entry without registering it (a dry run): the rules in force at `at`
    /// (default now) applied to `category` (or the one the summary's keywords suggest),
    /// `summary`, the household's tags that day and the `urgent` flag. With a `unit` (or a
    /// household, whose unit that day is taken) the handler is found too. `reasons` says
    /// which rule decided what. An unknown category raises `InvalidInput` unless the rules
    /// keep free categories.
    #[pyo3(signature = (category=None, summary=Text(Cow::Borrowed("")), household_id=None, unit=None, urgent=false, at=None), text_signature = "($self, category=None, summary='', household_id=None, unit=None, urgent=False, at=None)")]
    #[allow(clippy::too_many_arguments)]
    fn classify(
        &self,
        py: Python<'_>,
        category: Option<Text<'_>>,
        summary: Text<'_>,
        household_id: Option<Text<'_>>,
        unit: Option<Code<'_>>,
        urgent: bool,
        at: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Classification> {
        let category = category.map(|t| t.0);
        let category: Option<&str> = category.as_deref();
        let summary = summary.0;
        let summary: &str = &summary;
        let household_id = household_id.map(|t| t.0);
        let household_id: Option<&str> = household_id.as_deref();
        let unit: Option<Cow<'_, str>> = unit.map(|t| t.0);
        let unit: Option<&str> = unit.as_deref();
        self.with_args(
            py,
            || {
                Ok(object_json([
                    ("category", category.into()),
                    ("summary", summary.into()),
                    ("household_id", household_id.into()),
                    ("unit", unit.into()),
                    ("urgent", urgent.into()),
                    ("at", opt_input_json("at", at)?),
                ]))
            },
            |s, request| s.classify_request(&ClassifyRequest::from_json(&request, s.offset())?),
        )
        .map(Classification::from)
    }

    /// Registers a ledger entry raised at `unit` (a grid, usually) at `reported_at`:
    /// classified by the rules in force that day into its books, triage (`on_site` → the
    /// grid, `coordinate` → the community, `escalate` → the township), handler and
    /// deadline, and recorded with a `register` event. `category` None lets the summary's
    /// keywords suggest one. `source` is `visit`, `hotline`, `walk_in`, `online`, `patrol`
    /// or `letter`; `resident_id` implies their household; `finding_id` takes up a visit
    /// finding. Raises `NotFound` for a unit that did not exist that day or a calendar
    /// year the deadline needs but the store lacks, `PermissionDenied` outside the scope.
    #[pyo3(signature = (
        unit, category, summary, reported_at, household_id=None, source=Text(Cow::Borrowed("visit")), *,
        resident_id=None, urgent=false, finding_id=None
    ), text_signature = "($self, unit, category, summary, reported_at, household_id=None, source='visit', *, resident_id=None, urgent=False, finding_id=None)")]
    #[allow(clippy::too_many_arguments)]
    fn register(
        &self,
        py: Python<'_>,
        unit: Code<'_>,
        category: Option<Text<'_>>,
        summary: Text<'_>,
        reported_at: &Bound<'_, PyAny>,
        household_id: Option<Text<'_>>,
        source: Text<'_>,
        resident_id: Option<Int>,
        urgent: bool,
        finding_id: Option<Int>,
    ) -> PyResult<Entry> {
        let unit = unit.0;
        let unit: &str = &unit;
        let category = category.map(|t| t.0);
        let category: Option<&str> = category.as_deref();
        let summary = summary.0;
        let summary: &str = &summary;
        let household_id: Option<String> = household_id.map(|t| t.0.into_owned());
        let source = source.0;
        let source: &str = &source;
        let resident_id: Option<i64> = resident_id.map(|i| i.0);
        let finding_id: Option<i64> = finding_id.map(|i| i.0);
        self.with_args(
            py,
            || {
                Ok(object_json([
                    ("unit", unit.into()),
                    ("category", category.into()),
                    ("summary", summary.into()),
                    ("reported_at", input_json("reported_at", reported_at)?),
                    ("household_id", household_id.into()),
                    ("resident_id", resident_id.into()),
                    ("source", source.into()),
                    ("urgent", urgent.into()),
                    ("finding_id", finding_id.into()),
                ]))
            },
            |s, entry| s.register(&NewEntry::from_json_str(&entry, s.offset())?),
        )
        .map(Entry::from)
    }

    /// Registers a batch of entries in one transaction, all or nothing; returns their ids
    /// in order. Each entry is a dict with the keys `unit`, `summary`, `reported_at` (a
    /// `datetime` or ISO text) and optionally `category`, `household_id`, `resident_id`,
    /// `source`, `urgent`, `finding_id`; the whole batch may also be given as JSON text.
    /// An entry `register` would refuse refuses the batch, the message naming its
    /// position from 0.
    fn register_entries(&self, py: Python<'_>, entries: &Bound<'_, PyAny>) -> PyResult<Vec<i64>> {
        self.with_args(
            py,
            || {
                batch_json(py, ("entries", "entry"), entries, |item, at| {
                    to_json("entries", item, at, 1, Json::Input)
                })
            },
            |s, json| s.register_entries_json(&json),
        )
    }

    /// Registers an entry for visit finding `finding_id` at `reported_at`: at the
    /// finding's unit, about the visited household, with its summary and urgency, in
    /// `category` or else the finding's own (or the one its summary suggests). Raises
    /// `Conflict` when an entry already took the finding up.
    #[pyo3(signature = (finding_id, reported_at, category=None))]
    fn register_finding(
        &self,
        py: Python<'_>,
        finding_id: Int,
        reported_at: &Bound<'_, PyAny>,
        category: Option<Text<'_>>,
    ) -> PyResult<Entry> {
        let finding_id: i64 = finding_id.0;
        let category = category.map(|t| t.0);
        let category: Option<&str> = category.as_deref();
        self.with_args(
            py,
            || moment_text_arg("reported_at", reported_at),
            |s, reported_at| {
                let at = moment(s, "reported_at", &reported_at)?;
                s.register_finding(finding_id, category, &at)
            },
        )
        .map(Entry::from)
    }

    /// Applies what time has made due by `now`: every entry of this handle's scope not
    /// signed for within its limit is escalated to the level above, as an automatic event,
    /// again while the new limit has also run out. Returns the events made, in order; a
    /// second tick at the same `now` returns `[]`.
    fn tick(&self, py: Python<'_>, now: &Bound<'_, PyAny>) -> PyResult<Vec<Event>> {
        self.with_args(
            py,
            || moment_text_arg("now", now),
            |s, now| s.tick(&moment(s, "now", &now)?),
        )
        .map(records)
    }

    /// The entry as it stands; `PermissionDenied` outside this handle's scope.
    fn entry(&self, py: Python<'_>, entry_id: Int) -> PyResult<Entry> {
        let entry_id: i64 = entry_id.0;
        self.with(py, |s| s.entry(entry_id)).map(Entry::from)
    }

    /// The entry's history, oldest first: one `Event` per change.
    fn history(&self, py: Python<'_>, entry_id: Int) -> PyResult<Vec<Event>> {
        let entry_id: i64 = entry_id.0;
        self.with(py, |s| s.history(entry_id)).map(records)
    }

    /// The entries raised in `unit`'s subtree (the tree as it stood on `at`'s day) and
    /// reported by `at` (default now), as they stood at `at`, by id. Narrowed to one
    /// `standing` (`resolved`, `pending`, `hard`), `status`, `book`, `category`, reporting
    /// `period` (`"2024-W10"`, `"2024-03"` and the like) and overdue or not at `at`.
    #[pyo3(signature = (
        unit, at=None, standing=None, status=None, book=None, category=None, period=None,
        overdue=None, *, limit=None, after=None
    ))]
    #[allow(clippy::too_many_arguments)]
    fn entries<'py>(
        &self,
        py: Python<'py>,
        unit: Code<'_>,
        at: Option<&Bound<'_, PyAny>>,
        standing: Option<Text<'_>>,
        status: Option<Text<'_>>,
        book: Option<Text<'_>>,
        category: Option<Text<'_>>,
        period: Option<&Bound<'_, PyAny>>,
        overdue: Option<bool>,
        limit: Option<Int>,
        after: Option<Text<'_>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let unit = unit.0;
        let unit: &str = &unit;
        let standing = standing.map(|t| t.0);
        let standing: Option<&str> = standing.as_deref();
        let status = status.map(|t| t.0);
        let status: Option<&str> = status.as_deref();
        let book: Option<String> = book.map(|t| t.0.into_owned());
        let category: Option<String> = category.map(|t| t.0.into_owned());
        let period = period.map(period_arg).transpose()?.map(|p| p.to_string());
        self.with_args(
            py,
            || {
                let query = object_json([
                    ("unit", unit.into()),
                    ("at", opt_input_json("at", at)?),
                    ("standing", standing.into()),
                    ("status", status.into()),
                    ("book", book.into()),
                    ("category", category.into()),
                    ("period", period.into()),
                    ("overdue", overdue.into()),
                ]);
                Ok((query, paging_arg(limit, after)?))
            },
            |s, (query, paging)| {
                let query = EntryQuery::from_json(&query, s.offset())?;
                listed(paging, || s.entries(&query), |p| s.entries_page(&query, p))
            },
        )?
        .into_page::<Entry>(py)
    }

    /// The weekly meeting's three piles (已解决/待解决/难解决) for `unit`'s subtree over
    /// `period` (a week such as `"2024-W10"`, usually), taken as of its last moment.
    fn piles(&self, py: Python<'_>, unit: Code<'_>, period: &Bound<'_, PyAny>) -> PyResult<Piles> {
        let unit = unit.0;
        let unit: &str = &unit;
        let period = period_arg(period)?;
        self.with(py, |s| s.piles(unit, period)).map(Piles::from)
    }
}
