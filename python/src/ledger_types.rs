//! The ledger's classification and the weekly meeting's three piles as frozen Python
//! classes; entries and their events are in `entry_types`.
//!
//! Each class wraps the core record, so `to_json()` gives exactly the JSON the C API
//! returns; the properties give Python values.

use std::hash::{Hash, Hasher};

use pyo3::prelude::*;
use pyo3::types::PyDict;
use wangge::{Date, Handler, Moment};

use crate::entry_types::{Entry, Event, limit_json, short_repr};
use crate::registry_types::json_to_py;
use crate::types::{Field, Record, py_any, record_dict, record_repr};

/// One step of a classification: which rule matched what, and what it decided.
#[pyclass(frozen, eq, hash, module = "wangge._native")]
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Reason {
    /// The kind of rule: `keyword`, `tie`, `category`, `given_category`, `free_category`,
    /// `tag`, `urgent_keyword`, `urgent_flag` or `handler`.
    #[pyo3(get)]
    pub rule: String,
    /// What it matched: a keyword, a category, a tag, a triage level.
    #[pyo3(get)]
    pub matched: String,
    /// What it decided, in words.
    #[pyo3(get)]
    pub effect: String,
}

impl From<wangge::Reason> for Reason {
    fn from(r: wangge::Reason) -> Self {
        Reason {
            rule: r.rule,
            matched: r.matched,
            effect: r.effect,
        }
    }
}

impl Record for Reason {
    const NAME: &'static str = "Reason";
    fn fields<'py>(&self, py: Python<'py>) -> PyResult<Vec<Field<'py>>> {
        Ok(vec![
            ("rule", py_any(py, &self.rule)?),
            ("matched", py_any(py, &self.matched)?),
            ("effect", py_any(py, &self.effect)?),
        ])
    }
}

#[pymethods]
impl Reason {
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        record_repr(self, py)
    }

    /// The reason's fields as a new dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        record_dict(self, py)
    }
}

/// What the ledger rules make of an entry (a dry run of `Store.register`), and why.
#[pyclass(frozen, eq, hash, module = "wangge._native")]
#[derive(Debug, Clone, PartialEq)]
pub struct Classification(pub(crate) wangge::Classification);

impl Hash for Classification {
    fn hash<H: Hasher>(&self, state: &mut H) {
        let c = &self.0;
        (&c.category, &c.books, c.triage, c.urgent, &c.handler).hash(state);
    }
}

impl From<wangge::Classification> for Classification {
    fn from(c: wangge::Classification) -> Self {
        Classification(c)
    }
}

impl Record for Classification {
    const NAME: &'static str = "Classification";
    fn fields<'py>(&self, py: Python<'py>) -> PyResult<Vec<Field<'py>>> {
        let c = &self.0;
        Ok(vec![
            ("category", py_any(py, &c.category)?),
            ("suggested_category", py_any(py, &c.suggested_category)?),
            ("ties", py_any(py, &c.ties)?),
            ("books", py_any(py, &c.books)?),
            ("triage", py_any(py, c.triage.as_str())?),
            ("urgent", py_any(py, c.urgent)?),
            ("time_limit", json_to_py(py, &limit_json(c.time_limit))?),
            (
                "sign_for_limit",
                json_to_py(py, &limit_json(c.sign_for_limit))?,
            ),
            (
                "handler",
                py_any(py, c.handler.as_ref().map(Handler::name))?,
            ),
            (
                "handler_kind",
                py_any(py, c.handler.as_ref().map(Handler::kind))?,
            ),
            ("rules_from", py_any(py, c.rules_from)?),
            ("reasons", py_any(py, self.reasons())?),
        ])
    }
}

#[pymethods]
impl Classification {
    /// The category: the one given, or the one the summary's keywords suggest.
    #[getter]
    fn category(&self) -> &str {
        &self.0.category
    }

    /// The category the summary's most specific keyword suggests, if any matched.
    #[getter]
    fn suggested_category(&self) -> Option<&str> {
        self.0.suggested_category.as_deref()
    }

    /// Categories suggested by equally specific keywords, when more than one was (the
    /// first listed in the rules is suggested); empty otherwise.
    #[getter]
    fn ties(&self) -> Vec<String> {
        self.0.ties.clone()
    }

    /// The books the entry goes in: the category's, then those its household's tags add.
    #[getter]
    fn books(&self) -> Vec<String> {
        self.0.books.clone()
    }

    /// How it is triaged: `on_site`, `coordinate` or `escalate`.
    #[getter]
    fn triage(&self) -> &'static str {
        self.0.triage.as_str()
    }

    /// Whether it is urgent (flagged so, or an urgency keyword matched).
    #[getter]
    fn urgent(&self) -> bool {
        self.0.urgent
    }

    /// Its time limit to resolution: `{"working_days": n}` or `{"hours": n}`.
    #[getter]
    fn time_limit<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_to_py(py, &limit_json(self.0.time_limit))
    }

    /// Its handler's time limit to sign for it, in the same shape.
    #[getter]
    fn sign_for_limit<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_to_py(py, &limit_json(self.0.sign_for_limit))
    }

    /// Who would handle it (a unit's code or a department's name), when a unit or a
    /// household was given; otherwise `None`.
    #[getter]
    fn handler(&self) -> Option<&str> {
        self.0.handler.as_ref().map(Handler::name)
    }

    /// `unit` or `department`, when there is a handler.
    #[getter]
    fn handler_kind(&self) -> Option<&'static str> {
        self.0.handler.as_ref().map(Handler::kind)
    }

    /// The day the rule set used took effect; `None` for the default rules.
    #[getter]
    fn rules_from(&self) -> Option<Date> {
        self.0.rules_from
    }

    /// Which rule decided what, in order.
    #[getter]
    fn reasons(&self) -> Vec<Reason> {
        self.0.reasons.iter().cloned().map(Reason::from).collect()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        short_repr(
            self,
            py,
            &["category", "books", "triage", "urgent", "handler", "ties"],
        )
    }

    /// The classification as JSON text, the shape the C API returns.
    fn to_json(&self) -> String {
        self.0.to_json().to_string()
    }

    /// The classification's fields as a new dict (`reasons` as `Reason` objects).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        record_dict(self, py)
    }
}

/// The weekly meeting's three piles (已解决/待解决/难解决) for a unit and a period.
#[pyclass(frozen, eq, hash, module = "wangge._native")]
#[derive(Debug, Clone, PartialEq)]
pub struct Piles(pub(crate) wangge::Piles);

impl Hash for Piles {
    fn hash<H: Hasher>(&self, state: &mut H) {
        let p = &self.0;
        let ids = |pile: &[wangge::Entry]| pile.iter().map(|e| e.id).collect::<Vec<_>>();
        (
            &p.unit,
            p.at,
            ids(&p.resolved),
            ids(&p.pending),
            ids(&p.hard),
        )
            .hash(state);
    }
}

impl From<wangge::Piles> for Piles {
    fn from(p: wangge::Piles) -> Self {
        Piles(p)
    }
}

/// A pile's entries as Python objects.
fn pile(entries: &[wangge::Entry]) -> Vec<Entry> {
    entries.iter().cloned().map(Entry::from).collect()
}

impl Record for Piles {
    const NAME: &'static str = "Piles";
    fn fields<'py>(&self, py: Python<'py>) -> PyResult<Vec<Field<'py>>> {
        let p = &self.0;
        Ok(vec![
            ("unit", py_any(py, &p.unit)?),
            ("period", py_any(py, p.period.to_string())?),
            ("at", py_any(py, p.at)?),
            ("resolved", py_any(py, pile(&p.resolved))?),
            ("pending", py_any(py, pile(&p.pending))?),
            ("hard", py_any(py, pile(&p.hard))?),
        ])
    }
}

#[pymethods]
impl Piles {
    /// The unit whose subtree the piles cover.
    #[getter]
    fn unit(&self) -> &str {
        &self.0.unit
    }

    /// The period, as text (`2024-W10` and the like).
    #[getter]
    fn period(&self) -> String {
        self.0.period.to_string()
    }

    /// The period's last moment, which the entries are taken as of.
    #[getter]
    fn at(&self) -> Moment {
        self.0.at
    }

    /// Entries resolved in the period and still resolved or closed at its end (已解决).
    #[getter]
    fn resolved(&self) -> Vec<Entry> {
        pile(&self.0.resolved)
    }

    /// Entries open and not hard at its end (待解决).
    #[getter]
    fn pending(&self) -> Vec<Entry> {
        pile(&self.0.pending)
    }

    /// Entries open and marked hard at its end (难解决).
    #[getter]
    fn hard(&self) -> Vec<Entry> {
        pile(&self.0.hard)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let p = &self.0;
        Ok(format!(
            "Piles(unit={}, period={}, resolved={}, pending={}, hard={})",
            py_any(py, &p.unit)?.repr()?,
            py_any(py, p.period.to_string())?.repr()?,
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

    /// The piles' fields as a new dict (the piles as lists of `Entry`).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        record_dict(self, py)
    }
}

/// Adds the ledger record classes to the module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Entry>()?;
    m.add_class::<Event>()?;
    m.add_class::<Reason>()?;
    m.add_class::<Classification>()?;
    m.add_class::<Piles>()?;
    Ok(())
}
