//! Visits (走访) on the Python `Store`: rule sets, visit records, due lists and
//! compliance. Rules and compliance are plain dicts in the JSON shape the C API uses;
//! visits and due items are record classes.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use wangge::Date;

use crate::convert::{date_arg, json_arg, opt_date_arg};
use crate::errors::{invalid, to_py_err};
use crate::registry_types::json_to_py;
use crate::store::{Store, run};
use crate::types::{Field, Record, py_any, record_dict, record_repr};

/// A recorded contact with a household.
#[pyclass(frozen, eq, hash, module = "wangge._native")]
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Visit {
    /// The visit's id in this store (`visit_id` in Python).
    #[pyo3(get, name = "visit_id")]
    pub id: i64,
    /// The household contacted.
    #[pyo3(get)]
    pub household_id: String,
    /// Who made the contact.
    #[pyo3(get)]
    pub staff_id: String,
    /// `home` or `phone`.
    #[pyo3(get)]
    pub channel: String,
    /// The day of the contact.
    #[pyo3(get)]
    pub on: Date,
    /// What was said or found.
    #[pyo3(get)]
    pub note: String,
}

impl From<wangge::Visit> for Visit {
    fn from(v: wangge::Visit) -> Self {
        Visit {
            id: v.id,
            household_id: v.household_id,
            staff_id: v.staff_id,
            channel: v.channel.as_str().to_owned(),
            on: v.on,
            note: v.note,
        }
    }
}

impl Record for Visit {
    const NAME: &'static str = "Visit";
    fn fields<'py>(&self, py: Python<'py>) -> PyResult<Vec<Field<'py>>> {
        Ok(vec![
            ("visit_id", py_any(py, self.id)?),
            ("household_id", py_any(py, &self.household_id)?),
            ("staff_id", py_any(py, &self.staff_id)?),
            ("channel", py_any(py, &self.channel)?),
            ("on", py_any(py, self.on)?),
            ("note", py_any(py, &self.note)?),
        ])
    }
}

#[pymethods]
impl Visit {
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        record_repr(self, py)
    }

    /// The visit's fields as a new dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        record_dict(self, py)
    }
}

/// A household that still needs a contact under one rule.
#[pyclass(frozen, eq, hash, module = "wangge._native")]
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DueVisit {
    /// The household.
    #[pyo3(get)]
    pub household_id: String,
    /// The unit it lives in on the list's day.
    #[pyo3(get)]
    pub unit: String,
    /// The rule's name.
    #[pyo3(get)]
    pub rule: String,
    /// The channel the rule asks for (`home` or `phone`).
    #[pyo3(get)]
    pub channel: String,
    /// The last day of the current period (calendar rules), or the day the next contact
    /// falls due (rolling rules).
    #[pyo3(get)]
    pub due: Date,
    /// Calendar rules: held in the previous period too, with no qualifying contact then
    /// or since. Rolling rules: the list's day is after `due`.
    #[pyo3(get)]
    pub overdue: bool,
    /// The latest qualifying contact up to the list's day, if any.
    #[pyo3(get)]
    pub last_visit: Option<Date>,
}

impl From<wangge::DueVisit> for DueVisit {
    fn from(d: wangge::DueVisit) -> Self {
        DueVisit {
            household_id: d.household_id,
            unit: d.unit,
            rule: d.rule,
            channel: d.channel.as_str().to_owned(),
            due: d.due,
            overdue: d.overdue,
            last_visit: d.last_visit,
        }
    }
}

impl Record for DueVisit {
    const NAME: &'static str = "DueVisit";
    fn fields<'py>(&self, py: Python<'py>) -> PyResult<Vec<Field<'py>>> {
        Ok(vec![
            ("household_id", py_any(py, &self.household_id)?),
            ("unit", py_any(py, &self.unit)?),
            ("rule", py_any(py, &self.rule)?),
            ("channel", py_any(py, &self.channel)?),
            ("due", py_any(py, self.due)?),
            ("overdue", py_any(py, self.overdue)?),
            ("last_visit", py_any(py, self.last_visit)?),
        ])
    }
}

#[pymethods]
impl DueVisit {
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        record_repr(self, py)
    }

    /// The item's fields as a new dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        record_dict(self, py)
    }
}

/// A household whose archive is due for re-verification (数据更新).
#[pyclass(frozen, eq, hash, module = "wangge._native")]
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ReverificationDue {
    /// The household.
    #[pyo3(get)]
    pub household_id: String,
    /// The last day of the current quarter.
    #[pyo3(get)]
    pub due: Date,
    /// Held in the previous quarter too, and not re-verified since it began.
    #[pyo3(get)]
    pub overdue: bool,
    /// The day its archive was last re-verified, if ever.
    #[pyo3(get)]
    pub verified: Option<Date>,
}

impl From<wangge::ReverificationDue> for ReverificationDue {
    fn from(r: wangge::ReverificationDue) -> Self {
        ReverificationDue {
            household_id: r.household_id,
            due: r.due,
            overdue: r.overdue,
            verified: r.verified,
        }
    }
}

impl Record for ReverificationDue {
    const NAME: &'static str = "ReverificationDue";
    fn fields<'py>(&self, py: Python<'py>) -> PyResult<Vec<Field<'py>>> {
        Ok(vec![
            ("household_id", py_any(py, &self.household_id)?),
            ("due", py_any(py, self.due)?),
            ("overdue", py_any(py, self.overdue)?),
            ("verified", py_any(py, self.verified)?),
        ])
    }
}

#[pymethods]
impl ReverificationDue {
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        record_repr(self, py)
    }

    /// The item's fields as a new dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        record_dict(self, py)
    }
}

/// Adds the visit record classes to the module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Visit>()?;
    m.add_class::<DueVisit>()?;
    m.add_class::<ReverificationDue>()?;
    Ok(())
}

#[pymethods]
impl Store {
    /// Sets the visit rules in force from `start` (default: always): a list of dicts
    /// (or a JSON string) `{"name", "class": "ordinary"|"special"` or `"tag", "channel":
    /// "home"|"phone", "every": N, "per": "day"|"week"|"month"|"quarter"|"half_year"|
    /// "year", "mode": "calendar"|"rolling"}`. A bad field raises `InvalidInput` naming it.
    #[pyo3(signature = (rules, start=None))]
    fn set_visit_rules(
        &self,
        py: Python<'_>,
        rules: &Bound<'_, PyAny>,
        start: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let store = self.handle()?;
        let start = opt_date_arg("start", start)?;
        let json = match rules.extract::<String>() {
            Ok(text) => text,
            Err(_) => json_arg("rules", rules)?.to_string(),
        };
        run(py, &store, |s| s.set_visit_rules_json(&json, start))
    }

    /// The visit rules in force on `as_of` (default today), as a list of dicts.
    #[pyo3(signature = (as_of=None))]
    fn visit_rules<'py>(
        &self,
        py: Python<'py>,
        as_of: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let store = self.handle()?;
        let as_of = opt_date_arg("as_of", as_of)?;
        let rules = run(py, &store, |s| s.visit_rules(as_of))?;
        let list = PyList::empty(py);
        for rule in rules {
            list.append(json_to_py(py, &rule.to_json())?)?;
        }
        Ok(list.into_any())
    }

    /// Records a contact with a household (`channel` is `home` or `phone`). Raises
    /// `NotFound` for a household that did not live in scope that day or unknown staff.
    #[pyo3(signature = (household_id, staff_id, channel, on, note=""))]
    fn record_visit(
        &self,
        py: Python<'_>,
        household_id: &str,
        staff_id: &str,
        channel: &str,
        on: &Bound<'_, PyAny>,
        note: &str,
    ) -> PyResult<Visit> {
        let store = self.handle()?;
        let on = date_arg("on", on)?;
        run(py, &store, |s| {
            s.record_visit(household_id, staff_id, channel, on, note)
        })
        .map(Visit::from)
    }

    /// Records a batch of visits in one transaction, all or nothing. Each visit is a dict
    /// `{"household_id", "staff_id", "channel", "on", "note"}` (`note` optional) or a
    /// tuple `(household_id, staff_id, channel, on[, note])`; `on` a date or ISO text. A
    /// visit `record_visit` would refuse refuses the batch, the message naming its
    /// position from 0. Returns the new visits' ids in order.
    fn record_visits(&self, py: Python<'_>, visits: &Bound<'_, PyAny>) -> PyResult<Vec<i64>> {
        let store = self.handle()?;
        let mut batch = Vec::new();
        for (i, item) in visits.try_iter()?.enumerate() {
            batch.push(new_visit(&item?).map_err(|e| {
                let message = format!("{e} (visit {i} of the batch)");
                PyErr::from_type(e.get_type(py), message)
            })?);
        }
        run(py, &store, |s| s.record_visits(&batch))
    }

    /// The visits of a household, oldest first.
    fn visits(&self, py: Python<'_>, household_id: &str) -> PyResult<Vec<Visit>> {
        let store = self.handle()?;
        let visits = run(py, &store, |s| s.visits(household_id))?;
        Ok(visits.into_iter().map(Visit::from).collect())
    }

    /// The due list of `unit`'s whole subtree on `as_of` (default today): overdue items
    /// first, then by due day.
    #[pyo3(signature = (unit, as_of=None))]
    fn due_visits(
        &self,
        py: Python<'_>,
        unit: &str,
        as_of: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Vec<DueVisit>> {
        let store = self.handle()?;
        let as_of = opt_date_arg("as_of", as_of)?;
        let due = run(py, &store, |s| s.due_visits(unit, as_of))?;
        Ok(due.into_iter().map(DueVisit::from).collect())
    }

    /// The due list of the units `staff_id` is assigned to on `as_of` (default today).
    #[pyo3(signature = (staff_id, as_of=None))]
    fn due_visits_for_staff(
        &self,
        py: Python<'_>,
        staff_id: &str,
        as_of: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Vec<DueVisit>> {
        let store = self.handle()?;
        let as_of = opt_date_arg("as_of", as_of)?;
        let due = run(py, &store, |s| s.due_visits_for_staff(staff_id, as_of))?;
        Ok(due.into_iter().map(DueVisit::from).collect())
    }

    /// The households of `unit`'s subtree whose archives are due for re-verification on
    /// `as_of` (default today): floating, or tagged 流动人口 or 拆迁过渡, on the quarter's
    /// first day, and not re-verified since. Overdue first.
    #[pyo3(signature = (unit, as_of=None))]
    fn reverification_due(
        &self,
        py: Python<'_>,
        unit: &str,
        as_of: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Vec<ReverificationDue>> {
        let store = self.handle()?;
        let as_of = opt_date_arg("as_of", as_of)?;
        let due = run(py, &store, |s| s.reverification_due(unit, as_of))?;
        Ok(due.into_iter().map(ReverificationDue::from).collect())
    }

    /// Compliance of `unit`'s subtree with its calendar visit rules over `period`
    /// (`"2024-Q1"` and the like), as a dict `{"unit", "period", "rules", "total",
    /// "requirements"}`; each rate is `{"num", "den", "value"}`, `value` None when `den`
    /// is 0. With `detail`, every (household, rule, period) requirement is listed.
    #[pyo3(signature = (unit, period, detail=false))]
    fn visit_compliance<'py>(
        &self,
        py: Python<'py>,
        unit: &str,
        period: &str,
        detail: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let store = self.handle()?;
        let compliance = run(py, &store, |s| {
            let period = wangge::Period::parse(period)?;
            s.visit_compliance(unit, &period, detail)
        })?;
        let value = serde_json::to_value(&compliance)
            .map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string()))?;
        json_to_py(py, &value)
    }
}

/// One visit of a batch, from a dict or a tuple.
fn new_visit(item: &Bound<'_, PyAny>) -> PyResult<wangge::NewVisit> {
    let text = |value: Option<Bound<'_, PyAny>>, field: &'static str| -> PyResult<String> {
        match value {
            Some(v) if !v.is_none() => v
                .extract::<String>()
                .map_err(|_| invalid(field, v.to_string(), "expected text")),
            _ => Err(invalid(field, "", "required")),
        }
    };
    let (household, staff, channel, on, note) = if let Ok(dict) = item.cast::<PyDict>() {
        for key in dict.keys() {
            let key: String = key.extract()?;
            if !["household_id", "staff_id", "channel", "on", "note"].contains(&key.as_str()) {
                return Err(invalid(
                    "visit",
                    key,
                    "unknown key (expected household_id, staff_id, channel, on, note)",
                ));
            }
        }
        (
            dict.get_item("household_id")?,
            dict.get_item("staff_id")?,
            dict.get_item("channel")?,
            dict.get_item("on")?,
            dict.get_item("note")?,
        )
    } else if let Ok(tuple) = item.cast::<pyo3::types::PyTuple>()
        && (4..=5).contains(&tuple.len())
    {
        (
            Some(tuple.get_item(0)?),
            Some(tuple.get_item(1)?),
            Some(tuple.get_item(2)?),
            Some(tuple.get_item(3)?),
            tuple.get_item(4).ok(),
        )
    } else {
        return Err(invalid(
            "visit",
            item.to_string(),
            "a visit is a dict or a tuple (household_id, staff_id, channel, on[, note])",
        ));
    };
    let on = match on {
        Some(v) if !v.is_none() => date_arg("on", &v)?,
        _ => return Err(invalid("on", "", "required")),
    };
    Ok(wangge::NewVisit {
        household_id: text(household, "household_id")?,
        staff_id: text(staff, "staff_id")?,
        channel: wangge::Channel::parse(&text(channel, "channel")?).map_err(|e| to_py_err(&e))?,
        on,
        note: match note {
            Some(v) if !v.is_none() => text(Some(v), "note")?,
            _ => String::new(),
        },
    })
}
