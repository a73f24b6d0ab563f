//! Contact quotas (联户), patrols (巡查) and what visits find, on the Python `Store`.
//! Rules and compliance are plain dicts in the JSON shape the C API uses; patrols and
//! findings are record classes.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use wangge::{Date, Moment};

use crate::convert::{json_arg, moment_text_arg, opt_date_arg};
use crate::registry_types::json_to_py;
use crate::store::{Store, run};
use crate::types::{Field, Record, py_any, record_dict, record_repr};

/// A recorded patrol (巡查) of a unit.
#[pyclass(frozen, eq, hash, module = "wangge._native")]
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Patrol {
    /// The patrol's id in this store.
    #[pyo3(get)]
    pub id: i64,
    /// The unit walked.
    #[pyo3(get)]
    pub unit: String,
    /// Who walked it.
    #[pyo3(get)]
    pub staff_id: String,
    /// When, an aware `datetime` with the offset it was given in.
    #[pyo3(get)]
    pub at: Moment,
    /// The civil date of `at` in the deployment's time zone: the day rules count it for.
    #[pyo3(get)]
    pub on: Date,
    /// What was seen.
    #[pyo3(get)]
    pub note: String,
}

impl From<wangge::Patrol> for Patrol {
    fn from(p: wangge::Patrol) -> Self {
        Patrol {
            id: p.id,
            unit: p.unit,
            staff_id: p.staff_id,
            at: p.at,
            on: p.on,
            note: p.note,
        }
    }
}

impl Record for Patrol {
    const NAME: &'static str = "Patrol";
    fn fields<'py>(&self, py: Python<'py>) -> PyResult<Vec<Field<'py>>> {
        Ok(vec![
            ("id", py_any(py, self.id)?),
            ("unit", py_any(py, &self.unit)?),
            ("staff_id", py_any(py, &self.staff_id)?),
            ("at", py_any(py, self.at)?),
            ("on", py_any(py, self.on)?),
            ("note", py_any(py, &self.note)?),
        ])
    }
}

#[pymethods]
impl Patrol {
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        record_repr(self, py)
    }

    /// The patrol's fields as a new dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        record_dict(self, py)
    }
}

/// Something a visit found, open until a ledger entry takes it up.
#[pyclass(frozen, eq, hash, module = "wangge._native")]
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Finding {
    /// The finding's id in this store.
    #[pyo3(get)]
    pub id: i64,
    /// The visit it was found on.
    #[pyo3(get)]
    pub visit_id: i64,
    /// The household visited.
    #[pyo3(get)]
    pub household_id: String,
    /// Where the household lived on the visit's day.
    #[pyo3(get)]
    pub unit: String,
    /// The visit's day.
    #[pyo3(get)]
    pub on: Date,
    /// What was found, in the staff member's words.
    #[pyo3(get)]
    pub summary: String,
    /// A suggested ledger category, if one was given.
    #[pyo3(get)]
    pub category: Option<String>,
    /// Whether it needs attention at once.
    #[pyo3(get)]
    pub urgent: bool,
    /// The ledger entry registered for it; `None` while it is open.
    #[pyo3(get)]
    pub entry_id: Option<i64>,
}

impl From<wangge::Finding> for Finding {
    fn from(f: wangge::Finding) -> Self {
        Finding {
            id: f.id,
            visit_id: f.visit_id,
            household_id: f.household_id,
            unit: f.unit,
            on: f.on,
            summary: f.summary,
            category: f.category,
            urgent: f.urgent,
            entry_id: f.entry_id,
        }
    }
}

impl Record for Finding {
    const NAME: &'static str = "Finding";
    fn fields<'py>(&self, py: Python<'py>) -> PyResult<Vec<Field<'py>>> {
        Ok(vec![
            ("id", py_any(py, self.id)?),
            ("visit_id", py_any(py, self.visit_id)?),
            ("household_id", py_any(py, &self.household_id)?),
            ("unit", py_any(py, &self.unit)?),
            ("on", py_any(py, self.on)?),
            ("summary", py_any(py, &self.summary)?),
            ("category", py_any(py, &self.category)?),
            ("urgent", py_any(py, self.urgent)?),
            ("entry_id", py_any(py, self.entry_id)?),
        ])
    }
}

#[pymethods]
impl Finding {
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        record_repr(self, py)
    }

    /// The finding's fields as a new dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        record_dict(self, py)
    }
}

/// Adds the patrol and finding record classes to the module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Patrol>()?;
    m.add_class::<Finding>()?;
    Ok(())
}

/// A rule set argument: a JSON string as it is, or a list of dicts turned into JSON.
fn rules_json(rules: &Bound<'_, PyAny>) -> PyResult<String> {
    match rules.extract::<String>() {
        Ok(text) => Ok(text),
        Err(_) => Ok(json_arg("rules", rules)?.to_string()),
    }
}

/// A list of rules as a Python list of dicts.
fn rules_list(
    py: Python<'_>,
    rules: impl IntoIterator<Item = serde_json::Value>,
) -> PyResult<Bound<'_, PyAny>> {
    let list = PyList::empty(py);
    for rule in rules {
        list.append(json_to_py(py, &rule)?)?;
    }
    Ok(list.into_any())
}

/// A core result, serialised by `serde_json::to_value`, as plain Python values (dicts,
/// lists, text, numbers).
fn to_py(
    py: Python<'_>,
    value: serde_json::Result<serde_json::Value>,
) -> PyResult<Bound<'_, PyAny>> {
    let value = value.map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string()))?;
    json_to_py(py, &value)
}

#[pymethods]
impl Store {
    /// Sets the contact quotas in force from `start` (default: always): a list of dicts
    /// (or a JSON string) `{"name", "role", "contacts": K, "every": N, "per": "day"|
    /// "week"|"month"|"quarter"|"half_year"|"year"}`, every staff member holding `role`
    /// contacting K distinct households per period. A bad field raises `InvalidInput`
    /// naming it; a scoped handle raises `PermissionDenied`.
    #[pyo3(signature = (rules, start=None))]
    fn set_quota_rules(
        &self,
        py: Python<'_>,
        rules: &Bound<'_, PyAny>,
        start: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let store = self.handle()?;
        let start = opt_date_arg("start", start)?;
        let json = rules_json(rules)?;
        run(py, &store, |s| s.set_quota_rules_json(&json, start))
    }

    /// The contact quotas in force on `as_of` (default today), as a list of dicts; the
    /// seed's is "1+10", each party member ten households a month.
    #[pyo3(signature = (as_of=None))]
    fn quota_rules<'py>(
        &self,
        py: Python<'py>,
        as_of: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let store = self.handle()?;
        let as_of = opt_date_arg("as_of", as_of)?;
        let rules = run(py, &store, |s| s.quota_rules(as_of))?;
        rules_list(py, rules.iter().map(wangge::QuotaRule::to_json))
    }

    /// How well the staff of `unit`'s subtree kept their contact quotas over `period`
    /// (`"2024-Q1"` and the like), as a dict `{"unit", "period", "rules", "total",
    /// "staff", "requirements"}`; each rate is `{"num", "den", "value"}`, `value` None
    /// when `den` is 0. With `detail`, every (staff member, rule, period) requirement is
    /// listed with its `contacts`.
    #[pyo3(signature = (unit, period, detail=false))]
    fn quota_compliance<'py>(
        &self,
        py: Python<'py>,
        unit: &str,
        period: &str,
        detail: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let store = self.handle()?;
        let compliance = run(py, &store, |s| {
            let period = wangge::Period::parse(period)?;
            s.quota_compliance(unit, &period, detail)
        })?;
        to_py(py, serde_json::to_value(&compliance))
    }

    /// Sets the patrol rules in force from `start` (default: always): a list of dicts (or
    /// a JSON string) `{"name", "level", "times": K, "every": N, "per"}`, every unit of
    /// `level` patrolled K times per period. A bad field, or a level the store does not
    /// have, raises `InvalidInput` naming it; a scoped handle raises `PermissionDenied`.
    #[pyo3(signature = (rules, start=None))]
    fn set_patrol_rules(
        &self,
        py: Python<'_>,
        rules: &Bound<'_, PyAny>,
        start: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let store = self.handle()?;
        let start = opt_date_arg("start", start)?;
        let json = rules_json(rules)?;
        run(py, &store, |s| s.set_patrol_rules_json(&json, start))
    }

    /// The patrol rules in force on `as_of` (default today), as a list of dicts; the
    /// seed's is 一日双巡, every grid twice a day.
    #[pyo3(signature = (as_of=None))]
    fn patrol_rules<'py>(
        &self,
        py: Python<'py>,
        as_of: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let store = self.handle()?;
        let as_of = opt_date_arg("as_of", as_of)?;
        let rules = run(py, &store, |s| s.patrol_rules(as_of))?;
        rules_list(py, rules.iter().map(wangge::PatrolRule::to_json))
    }

    /// Records a patrol of `unit` by `staff_id` at `at`: a `datetime` (a naive one is a
    /// local time in the deployment's time zone) or ISO text, with or without an offset.
    /// Raises `NotFound` for a unit that did not exist in scope that day or unknown staff.
    #[pyo3(signature = (unit, staff_id, at, note=""))]
    fn record_patrol(
        &self,
        py: Python<'_>,
        unit: &str,
        staff_id: &str,
        at: &Bound<'_, PyAny>,
        note: &str,
    ) -> PyResult<Patrol> {
        let store = self.handle()?;
        let at = moment_text_arg("at", at)?;
        run(py, &store, |s| {
            let at = s.parse_moment(&at)?;
            s.record_patrol(unit, staff_id, at, note)
        })
        .map(Patrol::from)
    }

    /// The patrols of `unit` itself (not its descendants) whose day falls in `period`
    /// (`"2024-03-04"`, `"2024-W10"` and the like), oldest first.
    fn patrols(&self, py: Python<'_>, unit: &str, period: &str) -> PyResult<Vec<Patrol>> {
        let store = self.handle()?;
        let patrols = run(py, &store, |s| {
            let period = wangge::Period::parse(period)?;
            s.patrols(unit, &period)
        })?;
        Ok(patrols.into_iter().map(Patrol::from).collect())
    }

    /// How well the units of `unit`'s subtree kept their patrol rules over `period`, as a
    /// dict `{"unit", "period", "rules", "total", "units", "requirements"}` shaped like
    /// `quota_compliance`'s. With `detail`, every (unit, rule, period) requirement is
    /// listed with its `patrols`.
    #[pyo3(signature = (unit, period, detail=false))]
    fn patrol_compliance<'py>(
        &self,
        py: Python<'py>,
        unit: &str,
        period: &str,
        detail: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let store = self.handle()?;
        let compliance = run(py, &store, |s| {
            let period = wangge::Period::parse(period)?;
            s.patrol_compliance(unit, &period, detail)
        })?;
        to_py(py, serde_json::to_value(&compliance))
    }

    /// Records what visit `visit_id` found: `summary` (1 to 2000 characters), a suggested
    /// ledger `category` (1 to 64 characters) and whether it is `urgent`. Raises
    /// `NotFound` for an unknown visit, `PermissionDenied` for one outside the scope.
    #[pyo3(signature = (visit_id, summary, category=None, urgent=false))]
    fn record_finding(
        &self,
        py: Python<'_>,
        visit_id: i64,
        summary: &str,
        category: Option<&str>,
        urgent: bool,
    ) -> PyResult<Finding> {
        let store = self.handle()?;
        run(py, &store, |s| {
            s.record_finding(visit_id, summary, category, urgent)
        })
        .map(Finding::from)
    }

    /// The findings of visits to households of `unit`'s subtree (where they lived on the
    /// visit's day), oldest first; with `open_only`, just those no ledger entry has taken
    /// up yet.
    #[pyo3(signature = (unit, open_only=false))]
    fn findings(&self, py: Python<'_>, unit: &str, open_only: bool) -> PyResult<Vec<Finding>> {
        let store = self.handle()?;
        let findings = run(py, &store, |s| s.findings(unit, open_only))?;
        Ok(findings.into_iter().map(Finding::from).collect())
    }
}
