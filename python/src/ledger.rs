//! The ledger (台账) on the Python `Store`: classification rules, registering entries,
//! the entry workflow (one action at a time, or a batch in one write), `tick`, and the
//! queries (an entry, its history, the entries of a subtree at a moment, the weekly
//! meeting's piles).
//!
//! Moments (`at`, `reported_at`, `now`) are a `datetime.datetime`, aware or naive (a
//! naive one is a local time in the deployment's time zone), or ISO text with or without
//! an offset; an invalid transition raises `wangge.InvalidTransition` and changes nothing.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};
use serde_json::{Map, Value};
use wangge::{EntryQuery, Moment, NewEntry, Period, Source, Standing, Status};

use crate::convert::{json_arg, moment_text_arg, opt_date_arg, repr_text};
use crate::entry_types::{Entry, Event};
use crate::errors::invalid;
use crate::ledger_types::{Classification, Piles};
use crate::registry_types::json_to_py;
use crate::store::{Store, run};

/// Reads a moment as the store does, naming `field` (not `at`) when the text is bad.
fn moment(store: &wangge::Store, field: &'static str, text: &str) -> wangge::Result<Moment> {
    store.parse_moment(text).map_err(|e| match e {
        wangge::Error::InvalidInput { value, reason, .. } => wangge::Error::InvalidInput {
            field,
            value,
            reason,
        },
        other => other,
    })
}

/// A count of working days (`days`): a whole number that fits the core's `u32`; the core
/// checks the range it allows.
fn days_arg(days: i64) -> PyResult<u32> {
    u32::try_from(days).map_err(|_| {
        invalid(
            "days",
            days.to_string(),
            "an extension is 1 to 365 working days",
        )
    })
}

/// How a batch argument given as dicts is read: the argument's name, what one item is,
/// the keys the core reads, and the key whose value may be a `datetime`.
struct BatchShape {
    argument: &'static str,
    item: &'static str,
    keys: &'static [&'static str],
    moment_key: &'static str,
}

/// The entries given to `register_entries`, as `NewEntry::from_json` reads them.
const NEW_ENTRIES: BatchShape = BatchShape {
    argument: "entries",
    item: "entry",
    keys: &[
        "unit",
        "category",
        "summary",
        "reported_at",
        "household_id",
        "resident_id",
        "source",
        "urgent",
        "finding_id",
    ],
    moment_key: "reported_at",
};

/// The actions given to `work_entries`, as `EntryAction::from_json` reads them.
const ENTRY_ACTIONS: BatchShape = BatchShape {
    argument: "actions",
    item: "action",
    keys: &[
        "entry_id",
        "action",
        "at",
        "staff_id",
        "note",
        "to",
        "days",
        "satisfied",
    ],
    moment_key: "at",
};

impl BatchShape {
    /// One item of a batch as a JSON object: its moment may be a `datetime` (naive ones
    /// being local times), every other value plain JSON. Unknown keys are left for the
    /// core to refuse by name.
    fn item_json(&self, item: &Bound<'_, PyAny>) -> PyResult<Value> {
        let Ok(dict) = item.cast::<PyDict>() else {
            return Err(invalid(
                self.argument,
                repr_text(item),
                &format!(
                    "each {} is a dict with the keys {}",
                    self.item,
                    self.keys.join(", ")
                ),
            ));
        };
        let mut map = Map::new();
        for (key, value) in dict.iter() {
            let Ok(key) = key.cast::<PyString>() else {
                return Err(invalid(
                    self.argument,
                    repr_text(&key),
                    "a key must be text",
                ));
            };
            let key = key.to_str()?.to_owned();
            let value = if key == self.moment_key && !value.is_none() {
                Value::String(moment_text_arg(self.moment_key, &value)?)
            } else {
                json_arg(self.argument, &value)?
            };
            map.insert(key, value);
        }
        Ok(Value::Object(map))
    }

    /// The batch as the JSON text the core reads: text is taken as it is, an iterable of
    /// dicts made into an array, a refused item named by its place the way the core names
    /// it (`entry 3 of the batch`).
    fn json(&self, py: Python<'_>, batch: &Bound<'_, PyAny>) -> PyResult<String> {
        if let Ok(text) = batch.cast::<PyString>() {
            return Ok(text.to_str()?.to_owned());
        }
        let mut items = Vec::new();
        for (index, item) in batch.try_iter()?.enumerate() {
            items.push(self.item_json(&item?).map_err(|e| {
                let message = format!("{} ({} {index} of the batch)", e.value(py), self.item);
                PyErr::from_type(e.get_type(py), message)
            })?);
        }
        Ok(Value::Array(items).to_string())
    }
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
    crate::ledger_types::register(m)?;
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
        let store = self.handle()?;
        let start = opt_date_arg("start", start)?;
        let json = match rules.cast::<PyString>() {
            Ok(text) => text.to_str()?.to_owned(),
            Err(_) => json_arg("rules", rules)?.to_string(),
        };
        run(py, &store, |s| s.set_ledger_rules_json(&json, start))
    }

    /// The classification rules in force on `as_of` (default today), as a dict.
    #[pyo3(signature = (as_of=None))]
    fn ledger_rules<'py>(
        &self,
        py: Python<'py>,
        as_of: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let store = self.handle()?;
        let as_of = opt_date_arg("as_of", as_of)?;
        let rules = run(py, &store, |s| s.ledger_rules(as_of))?;
        json_to_py(py, &rules.to_json())
    }

    /// Classifies an entry without registering it (a dry run): the rules in force at `at`
    /// (default now) applied to `category` (or the one the summary's keywords suggest),
    /// `summary`, the household's tags that day and the `urgent` flag. With a `unit` (or a
    /// household, whose unit that day is taken) the handler is found too. `reasons` says
    /// which rule decided what. An unknown category raises `InvalidInput` unless the rules
    /// keep free categories.
    #[pyo3(signature = (category=None, summary="", household_id=None, unit=None, urgent=false, at=None))]
    #[allow(clippy::too_many_arguments)]
    fn classify(
        &self,
        py: Python<'_>,
        category: Option<&str>,
        summary: &str,
        household_id: Option<&str>,
        unit: Option<&str>,
        urgent: bool,
        at: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Classification> {
        let store = self.handle()?;
        let at = at
            .filter(|a| !a.is_none())
            .map(|a| moment_text_arg("at", a))
            .transpose()?;
        run(py, &store, |s| {
            let at = at.as_deref().map(|t| s.parse_moment(t)).transpose()?;
            s.classify(category, summary, household_id, unit, urgent, at.as_ref())
        })
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
        unit, category, summary, reported_at, household_id=None, source="visit", *,
        resident_id=None, urgent=false, finding_id=None
    ))]
    #[allow(clippy::too_many_arguments)]
    fn register(
        &self,
        py: Python<'_>,
        unit: &str,
        category: Option<&str>,
        summary: &str,
        reported_at: &Bound<'_, PyAny>,
        household_id: Option<String>,
        source: &str,
        resident_id: Option<i64>,
        urgent: bool,
        finding_id: Option<i64>,
    ) -> PyResult<Entry> {
        let store = self.handle()?;
        let reported_at = moment_text_arg("reported_at", reported_at)?;
        let source = crate::errors::py_result(Source::parse(source))?;
        run(py, &store, |s| {
            let mut entry = NewEntry::new(
                unit,
                category,
                summary,
                moment(s, "reported_at", &reported_at)?,
            );
            entry.household_id = household_id;
            entry.resident_id = resident_id;
            entry.source = source;
            entry.urgent = urgent;
            entry.finding_id = finding_id;
            s.register(&entry)
        })
        .map(Entry::from)
    }

    /// Registers a batch of entries in one transaction, all or nothing; returns their ids
    /// in order. Each entry is a dict with the keys `unit`, `summary`, `reported_at` (a
    /// `datetime` or ISO text) and optionally `category`, `household_id`, `resident_id`,
    /// `source`, `urgent`, `finding_id`; the whole batch may also be given as JSON text.
    /// An entry `register` would refuse refuses the batch, the message naming its
    /// position from 0.
    fn register_entries(&self, py: Python<'_>, entries: &Bound<'_, PyAny>) -> PyResult<Vec<i64>> {
        let store = self.handle()?;
        let json = NEW_ENTRIES.json(py, entries)?;
        run(py, &store, |s| s.register_entries_json(&json))
    }

    /// Applies a batch of workflow actions in order in one transaction, all or nothing;
    /// returns how many were applied. Each action is a dict with the keys `entry_id`,
    /// `action` (`sign_for`, `start`, `escalate`, `return`, `mark_hard`, `suspend`,
    /// `resume`, `extend`, `resolve`, `verify`, `close` or `reopen`), `at` (a `datetime`
    /// or ISO text) and, as the action needs them, `staff_id` (`sign_for`, `start`),
    /// `note` (the reason, the result of `resolve`, the note of `verify`), `to`
    /// (`escalate`), `days` (`extend`) and `satisfied` (`verify`); the whole batch may
    /// also be given as JSON text. Each is checked and recorded as its single action
    /// (`sign_for` and the rest) would be; the first one refused raises what that action
    /// would (`InvalidTransition`, `NotFound`, `InvalidInput`, `PermissionDenied`), the
    /// message naming its position from 0, and nothing is written.
    fn work_entries(&self, py: Python<'_>, actions: &Bound<'_, PyAny>) -> PyResult<usize> {
        let store = self.handle()?;
        let json = ENTRY_ACTIONS.json(py, actions)?;
        run(py, &store, |s| s.work_entries_json(&json))
    }

    /// Registers an entry for visit finding `finding_id` at `reported_at`: at the
    /// finding's unit, about the visited household, with its summary and urgency, in
    /// `category` or else the finding's own (or the one its summary suggests). Raises
    /// `Conflict` when an entry already took the finding up.
    #[pyo3(signature = (finding_id, reported_at, category=None))]
    fn register_finding(
        &self,
        py: Python<'_>,
        finding_id: i64,
        reported_at: &Bound<'_, PyAny>,
        category: Option<&str>,
    ) -> PyResult<Entry> {
        let store = self.handle()?;
        let reported_at = moment_text_arg("reported_at", reported_at)?;
        run(py, &store, |s| {
            let at = moment(s, "reported_at", &reported_at)?;
            s.register_finding(finding_id, category, &at)
        })
        .map(Entry::from)
    }

    /// The handler signs for the entry (签收), by `staff_id` (a known staff member).
    fn sign_for(
        &self,
        py: Python<'_>,
        entry_id: i64,
        staff_id: &str,
        at: &Bound<'_, PyAny>,
    ) -> PyResult<Entry> {
        let (store, at) = (self.handle()?, moment_text_arg("at", at)?);
        run(py, &store, |s| {
            s.sign_for(entry_id, staff_id, &s.parse_moment(&at)?)
        })
        .map(Entry::from)
    }

    /// Work on a signed-for entry starts, by `staff_id`.
    fn start(
        &self,
        py: Python<'_>,
        entry_id: i64,
        staff_id: &str,
        at: &Bound<'_, PyAny>,
    ) -> PyResult<Entry> {
        let (store, at) = (self.handle()?, moment_text_arg("at", at)?);
        run(py, &store, |s| {
            s.start(entry_id, staff_id, &s.parse_moment(&at)?)
        })
        .map(Entry::from)
    }

    /// Hands the entry on with `reason`: to the unit above the one accountable for it, or
    /// to `to` (a unit above it, by code, or else a named department). It is `registered`
    /// there and must be signed for again. At the top of the tree: `InvalidTransition`.
    #[pyo3(signature = (entry_id, at, reason, to=None))]
    fn escalate(
        &self,
        py: Python<'_>,
        entry_id: i64,
        at: &Bound<'_, PyAny>,
        reason: &str,
        to: Option<&str>,
    ) -> PyResult<Entry> {
        let (store, at) = (self.handle()?, moment_text_arg("at", at)?);
        run(py, &store, |s| {
            s.escalate(entry_id, &s.parse_moment(&at)?, reason, to)
        })
        .map(Entry::from)
    }

    /// Sends the entry back to whoever sent it, as misrouted (退回), with `reason`.
    /// (`return` is a Python keyword, hence the underscore.)
    fn return_(
        &self,
        py: Python<'_>,
        entry_id: i64,
        at: &Bound<'_, PyAny>,
        reason: &str,
    ) -> PyResult<Entry> {
        let (store, at) = (self.handle()?, moment_text_arg("at", at)?);
        run(py, &store, |s| {
            s.return_entry(entry_id, &s.parse_moment(&at)?, reason)
        })
        .map(Entry::from)
    }

    /// Marks the entry hard to resolve (难解决) with `reason`; it stays open.
    fn mark_hard(
        &self,
        py: Python<'_>,
        entry_id: i64,
        at: &Bound<'_, PyAny>,
        reason: &str,
    ) -> PyResult<Entry> {
        let (store, at) = (self.handle()?, moment_text_arg("at", at)?);
        run(py, &store, |s| {
            s.mark_hard(entry_id, &s.parse_moment(&at)?, reason)
        })
        .map(Entry::from)
    }

    /// Puts the entry off (缓办) with `reason`: its deadline's clock stops until resumed.
    fn suspend(
        &self,
        py: Python<'_>,
        entry_id: i64,
        at: &Bound<'_, PyAny>,
        reason: &str,
    ) -> PyResult<Entry> {
        let (store, at) = (self.handle()?, moment_text_arg("at", at)?);
        run(py, &store, |s| {
            s.suspend(entry_id, &s.parse_moment(&at)?, reason)
        })
        .map(Entry::from)
    }

    /// Takes a suspended entry up again: its deadline moves by the working days it was
    /// suspended (by the time suspended, for a limit in hours).
    fn resume(&self, py: Python<'_>, entry_id: i64, at: &Bound<'_, PyAny>) -> PyResult<Entry> {
        let (store, at) = (self.handle()?, moment_text_arg("at", at)?);
        run(py, &store, |s| s.resume(entry_id, &s.parse_moment(&at)?)).map(Entry::from)
    }

    /// Extends the entry's deadline by `days` working days (延期, 1 to 365) with `reason`.
    fn extend(
        &self,
        py: Python<'_>,
        entry_id: i64,
        at: &Bound<'_, PyAny>,
        days: i64,
        reason: &str,
    ) -> PyResult<Entry> {
        let (store, at) = (self.handle()?, moment_text_arg("at", at)?);
        let days = days_arg(days)?;
        run(py, &store, |s| {
            s.extend(entry_id, &s.parse_moment(&at)?, days, reason)
        })
        .map(Entry::from)
    }

    /// Resolves the entry (办结) with `result`.
    fn resolve(
        &self,
        py: Python<'_>,
        entry_id: i64,
        at: &Bound<'_, PyAny>,
        result: &str,
    ) -> PyResult<Entry> {
        let (store, at) = (self.handle()?, moment_text_arg("at", at)?);
        run(py, &store, |s| {
            s.resolve(entry_id, &s.parse_moment(&at)?, result)
        })
        .map(Entry::from)
    }

    /// Records the resident's feedback on the resolution (核查): unsatisfied sends the
    /// entry back to `in_progress` and counts as rework (返工).
    #[pyo3(signature = (entry_id, at, satisfied, note=""))]
    fn verify(
        &self,
        py: Python<'_>,
        entry_id: i64,
        at: &Bound<'_, PyAny>,
        satisfied: bool,
        note: &str,
    ) -> PyResult<Entry> {
        let (store, at) = (self.handle()?, moment_text_arg("at", at)?);
        run(py, &store, |s| {
            s.verify(entry_id, &s.parse_moment(&at)?, satisfied, note)
        })
        .map(Entry::from)
    }

    /// Closes a resolved entry (注销, "close one when it is solved").
    fn close_entry(&self, py: Python<'_>, entry_id: i64, at: &Bound<'_, PyAny>) -> PyResult<Entry> {
        let (store, at) = (self.handle()?, moment_text_arg("at", at)?);
        run(py, &store, |s| {
            s.close_entry(entry_id, &s.parse_moment(&at)?)
        })
        .map(Entry::from)
    }

    /// Opens a closed entry again with `reason`; it goes back to `in_progress`.
    fn reopen(
        &self,
        py: Python<'_>,
        entry_id: i64,
        at: &Bound<'_, PyAny>,
        reason: &str,
    ) -> PyResult<Entry> {
        let (store, at) = (self.handle()?, moment_text_arg("at", at)?);
        run(py, &store, |s| {
            s.reopen(entry_id, &s.parse_moment(&at)?, reason)
        })
        .map(Entry::from)
    }

    /// Applies what time has made due by `now`: every entry of this handle's scope not
    /// signed for within its limit is escalated to the level above, as an automatic event,
    /// again while the new limit has also run out. Returns the events made, in order; a
    /// second tick at the same `now` returns `[]`.
    fn tick(&self, py: Python<'_>, now: &Bound<'_, PyAny>) -> PyResult<Vec<Event>> {
        let (store, now) = (self.handle()?, moment_text_arg("now", now)?);
        let events = run(py, &store, |s| s.tick(&moment(s, "now", &now)?))?;
        Ok(events.into_iter().map(Event::from).collect())
    }

    /// The entry as it stands; `PermissionDenied` outside this handle's scope.
    fn entry(&self, py: Python<'_>, entry_id: i64) -> PyResult<Entry> {
        let store = self.handle()?;
        run(py, &store, |s| s.entry(entry_id)).map(Entry::from)
    }

    /// The entry's history, oldest first: one `Event` per change.
    fn history(&self, py: Python<'_>, entry_id: i64) -> PyResult<Vec<Event>> {
        let store = self.handle()?;
        let events = run(py, &store, |s| s.history(entry_id))?;
        Ok(events.into_iter().map(Event::from).collect())
    }

    /// The entries raised in `unit`'s subtree (the tree as it stood on `at`'s day) and
    /// reported by `at` (default now), as they stood at `at`, by id. Narrowed to one
    /// `standing` (`resolved`, `pending`, `hard`), `status`, `book`, `category`, reporting
    /// `period` (`"2024-W10"`, `"2024-03"` and the like) and overdue or not at `at`.
    #[pyo3(signature = (
        unit, at=None, standing=None, status=None, book=None, category=None, period=None,
        overdue=None
    ))]
    #[allow(clippy::too_many_arguments)]
    fn entries(
        &self,
        py: Python<'_>,
        unit: &str,
        at: Option<&Bound<'_, PyAny>>,
        standing: Option<&str>,
        status: Option<&str>,
        book: Option<String>,
        category: Option<String>,
        period: Option<&str>,
        overdue: Option<bool>,
    ) -> PyResult<Vec<Entry>> {
        let store = self.handle()?;
        let at = at
            .filter(|a| !a.is_none())
            .map(|a| moment_text_arg("at", a))
            .transpose()?;
        let entries = run(py, &store, |s| {
            let query = EntryQuery {
                unit: unit.to_owned(),
                at: at.as_deref().map(|t| s.parse_moment(t)).transpose()?,
                standing: standing.map(Standing::parse).transpose()?,
                status: status.map(Status::parse).transpose()?,
                book,
                category,
                period: period.map(Period::parse).transpose()?,
                overdue,
            };
            s.entries(&query)
        })?;
        Ok(entries.into_iter().map(Entry::from).collect())
    }

    /// The weekly meeting's three piles (已解决/待解决/难解决) for `unit`'s subtree over
    /// `period` (a week such as `"2024-W10"`, usually), taken as of its last moment.
    fn piles(&self, py: Python<'_>, unit: &str, period: &str) -> PyResult<Piles> {
        let store = self.handle()?;
        run(py, &store, |s| s.piles(unit, Period::parse(period)?)).map(Piles::from)
    }
}
