//! The entry workflow on the Python `Store` (代访制): one action at a time (`sign_for`,
//! `start`, `escalate`, `return_`, `mark_hard`, `suspend`, `resume`, `extend`, `resolve`,
//! `verify`, `close_entry`, `reopen`) or a batch of them in one write (`work_entries`).
//! Each returns the entry as it then stands; an invalid transition raises
//! `wangge.InvalidTransition` and changes nothing.

use std::borrow::Cow;

use pyo3::prelude::*;
use wangge::{EntryAction, Moment};

use super::Entry;
use crate::args::{Int, Text};
use crate::convert::{Json, batch_json, moment_text_arg, repr_text, to_json};
use crate::errors::py_result;
use crate::progress::watched;
use crate::store::Store;

impl Store {
    /// Runs one workflow action at moment `at` (a `datetime` or ISO text, read as the
    /// store reads moments) and gives back the entry as it then stands.
    fn act<F>(&self, py: Python<'_>, at: &Bound<'_, PyAny>, action: F) -> PyResult<Entry>
    where
        F: FnOnce(&wangge::Store, &Moment) -> wangge::Result<wangge::Entry> + Send,
    {
        self.with_args(
            py,
            || moment_text_arg("at", at),
            |s, at| action(s, &s.parse_moment(&at)?),
        )
        .map(Entry::from)
    }
}

#[pymethods]
impl Store {
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
        self.with_args(
            py,
            || {
                batch_json(py, ("actions", "action"), actions, |item, at| {
                    to_json("actions", item, at, 1, Json::Input)
                })
            },
            |s, json| s.work_entries_json(&json),
        )
    }

    /// Applies several handles' batches of workflow actions in one transaction, all or
    /// nothing; returns how many were applied. `batches` is a list of `(store, actions)`
    /// pairs, `actions` as `work_entries` takes them. Each action is checked against its
    /// own handle's scope, and its event and audit record name its own handle's actor, as
    /// if each handle had called `work_entries` in turn; a platform that gathers many
    /// officials' actions writes them once. The handles must be of one store (opened once,
    /// then `scope()`d), else `InvalidInput` naming `batches`; the first action refused
    /// raises what it would, the message naming its batch and place from 0 (`action 3 of
    /// batch 1`), and nothing is written.
    #[staticmethod]
    fn work_entries_together(py: Python<'_>, batches: &Bound<'_, PyAny>) -> PyResult<usize> {
        let mut pairs: Vec<(wangge::Store, String)> = Vec::new();
        for (b, pair) in batches.try_iter()?.enumerate() {
            let pair = pair?;
            let (store, actions) = pair
                .extract::<(PyRef<'_, Store>, Bound<'_, PyAny>)>()
                .map_err(|_| {
                    crate::errors::invalid(
                        "batches",
                        repr_text(&pair),
                        &format!("expected a (Store, actions) pair (batch {b})"),
                    )
                })?;
            let json = batch_json(py, ("actions", "action"), &actions, |item, at| {
                to_json("actions", item, at, 1, Json::Input)
            })?;
            pairs.push((store.handle()?, json));
        }
        let Some((first, _)) = pairs.first() else {
            return Ok(0);
        };
        let (first, language) = (first.clone(), first.language());
        watched(py, None, language, move |p| {
            first.with_progress(p, |_| {
                let refs: Vec<(&wangge::Store, &str)> =
                    pairs.iter().map(|(s, json)| (s, json.as_str())).collect();
                wangge::Store::work_entries_together_json(&refs)
            })
        })
    }

    /// The handler signs for the entry (签收), by `staff_id` (a known staff member).
    fn sign_for(
        &self,
        py: Python<'_>,
        entry_id: Int,
        staff_id: Text<'_>,
        at: &Bound<'_, PyAny>,
    ) -> PyResult<Entry> {
        let entry_id: i64 = entry_id.0;
        let staff_id = staff_id.0;
        let staff_id: &str = &staff_id;
        self.act(py, at, |s, at| s.sign_for(entry_id, staff_id, at))
    }

    /// Work on a signed-for entry starts, by `staff_id`.
    fn start(
        &self,
        py: Python<'_>,
        entry_id: Int,
        staff_id: Text<'_>,
        at: &Bound<'_, PyAny>,
    ) -> PyResult<Entry> {
        let entry_id: i64 = entry_id.0;
        let staff_id = staff_id.0;
        let staff_id: &str = &staff_id;
        self.act(py, at, |s, at| s.start(entry_id, staff_id, at))
    }

    /// Hands the entry on with `reason`: to the unit above the one accountable for it, or
    /// to `to` (a unit above it, by code, or else a named department). It is `registered`
    /// there and must be signed for again. At the top of the tree: `InvalidTransition`.
    #[pyo3(signature = (entry_id, at, reason, to=None))]
    fn escalate(
        &self,
        py: Python<'_>,
        entry_id: Int,
        at: &Bound<'_, PyAny>,
        reason: Text<'_>,
        to: Option<Text<'_>>,
    ) -> PyResult<Entry> {
        let entry_id: i64 = entry_id.0;
        let reason = reason.0;
        let reason: &str = &reason;
        let to = to.map(|t| t.0);
        let to: Option<&str> = to.as_deref();
        self.act(py, at, |s, at| s.escalate(entry_id, at, reason, to))
    }

    /// Sends the entry back to whoever sent it, as misrouted (退回), with `reason`.
    /// (`return` is a Python keyword, hence the underscore.)
    fn return_(
        &self,
        py: Python<'_>,
        entry_id: Int,
        at: &Bound<'_, PyAny>,
        reason: Text<'_>,
    ) -> PyResult<Entry> {
        let entry_id: i64 = entry_id.0;
        let reason = reason.0;
        let reason: &str = &reason;
        self.act(py, at, |s, at| s.return_entry(entry_id, at, reason))
    }

    /// Marks the entry hard to resolve (难解决) with `reason`; it stays open.
    fn mark_hard(
        &self,
        py: Python<'_>,
        entry_id: Int,
        at: &Bound<'_, PyAny>,
        reason: Text<'_>,
    ) -> PyResult<Entry> {
        let entry_id: i64 = entry_id.0;
        let reason = reason.0;
        let reason: &str = &reason;
        self.act(py, at, |s, at| s.mark_hard(entry_id, at, reason))
    }

    /// Puts the entry off (缓办) with `reason`: its deadline's clock stops until resumed.
    fn suspend(
        &self,
        py: Python<'_>,
        entry_id: Int,
        at: &Bound<'_, PyAny>,
        reason: Text<'_>,
    ) -> PyResult<Entry> {
        let entry_id: i64 = entry_id.0;
        let reason = reason.0;
        let reason: &str = &reason;
        self.act(py, at, |s, at| s.suspend(entry_id, at, reason))
    }

    /// Takes a suspended entry up again: its deadline moves by the working days it was
    /// suspended (by the time suspended, for a limit in hours).
    fn resume(&self, py: Python<'_>, entry_id: Int, at: &Bound<'_, PyAny>) -> PyResult<Entry> {
        let entry_id: i64 = entry_id.0;
        self.act(py, at, |s, at| s.resume(entry_id, at))
    }

    /// Extends the entry's deadline by `days` working days (延期, 1 to 365) with `reason`.
    fn extend(
        &self,
        py: Python<'_>,
        entry_id: Int,
        at: &Bound<'_, PyAny>,
        days: Int,
        reason: Text<'_>,
    ) -> PyResult<Entry> {
        let entry_id: i64 = entry_id.0;
        let days: i64 = days.0;
        let reason = reason.0;
        let reason: &str = &reason;
        self.with_args(
            py,
            || {
                Ok((
                    moment_text_arg("at", at)?,
                    py_result(EntryAction::check_days(days))?,
                ))
            },
            |s, (at, days)| s.extend(entry_id, &s.parse_moment(&at)?, days, reason),
        )
        .map(Entry::from)
    }

    /// Resolves the entry (办结) with `result`.
    fn resolve(
        &self,
        py: Python<'_>,
        entry_id: Int,
        at: &Bound<'_, PyAny>,
        result: Text<'_>,
    ) -> PyResult<Entry> {
        let entry_id: i64 = entry_id.0;
        let result = result.0;
        let result: &str = &result;
        self.act(py, at, |s, at| s.resolve(entry_id, at, result))
    }

    /// Records the resident's feedback on the resolution (核查): unsatisfied sends the
    /// entry back to `in_progress` and counts as rework (返工).
    #[pyo3(signature = (entry_id, at, satisfied, note=Text(Cow::Borrowed(""))), text_signature = "($self, entry_id, at, satisfied, note='')")]
    fn verify(
        &self,
        py: Python<'_>,
        entry_id: Int,
        at: &Bound<'_, PyAny>,
        satisfied: bool,
        note: Text<'_>,
    ) -> PyResult<Entry> {
        let entry_id: i64 = entry_id.0;
        let note = note.0;
        let note: &str = &note;
        self.act(py, at, |s, at| s.verify(entry_id, at, satisfied, note))
    }

    /// Closes a resolved entry (注销, "close one when it is solved").
    fn close_entry(&self, py: Python<'_>, entry_id: Int, at: &Bound<'_, PyAny>) -> PyResult<Entry> {
        let entry_id: i64 = entry_id.0;
        self.act(py, at, |s, at| s.close_entry(entry_id, at))
    }

    /// Opens a closed entry again with `reason`; it goes back to `in_progress`.
    fn reopen(
        &self,
        py: Python<'_>,
        entry_id: Int,
        at: &Bound<'_, PyAny>,
        reason: Text<'_>,
    ) -> PyResult<Entry> {
        let entry_id: i64 = entry_id.0;
        let reason = reason.0;
        let reason: &str = &reason;
        self.act(py, at, |s, at| s.reopen(entry_id, at, reason))
    }
}
