//! Visits (走访) on the Python `Store`: rule sets, visit records, due lists and
//! compliance. Rules and compliance are plain dicts in the JSON shape the C API uses;
//! visits and due items are record classes.

use std::borrow::Cow;

use pyo3::prelude::*;
use wangge::{Date, NewVisit};

use super::frames::compliance_dict;
use super::{Store, period_arg};
use crate::args::{Code, Int, Text};
use crate::convert::{batch_items_json, date_arg, opt_date_arg};
use crate::page::{Shared, listed, paging_arg};
use crate::record::{Json, json_list, record, records};

record! {
    /// A recorded contact with a household.
    pub struct Visit(wangge::Visit) as v, repr = all {
        /// The visit's id in this store.
        visit_id: i64 = v.id,
        /// The household contacted.
        household_id: &str = &v.household_id,
        /// Who made the contact.
        staff_id: &str = &v.staff_id,
        /// `home` or `phone`.
        channel: &str = v.channel.as_str(),
        /// The day of the contact.
        on: Date = v.on,
        /// What was said or found.
        note: &str = &v.note,
    }
}

record! {
    /// A household that still needs a contact under one rule.
    pub struct DueVisit(Shared<wangge::DueVisit>) as d, repr = all {
        /// The household.
        household_id: &str = &d.household_id,
        /// The unit it lives in on the list's day.
        unit: &str = &d.unit,
        /// The rule's name.
        rule: &str = &d.rule,
        /// The channel the rule asks for (`home` or `phone`).
        channel: &str = d.channel.as_str(),
        /// The last day of the current period (calendar rules), or the day the next contact
        /// falls due (rolling rules).
        due: Date = d.due,
        /// Calendar rules: held in the previous period too, with no qualifying contact then
        /// or since. Rolling rules: the list's day is after `due`.
        overdue: bool = d.overdue,
        /// The latest qualifying contact up to the list's day, if any.
        last_visit: Option<Date> = d.last_visit,
        /// The code of the grid (网格) its unit lies in on the list's day (the unit itself
        /// or its nearest ancestor of level `grid`), or `None`.
        grid: Option<&str> = d.grid.as_deref(),
        /// That grid's name, or `None`.
        grid_name: Option<&str> = d.grid_name.as_deref(),
        /// The household's address, as the household list shows it.
        address: &str = &d.address,
        /// The grid's workers (网格员) that day, by staff id: a list of
        /// `{"staff_id", "name"}` dicts, empty when there are none.
        responsible: Vec<Json> = d
            .responsible
            .iter()
            .map(|r| Json(serde_json::json!({"staff_id": r.staff_id, "name": r.name})))
            .collect(),
    }
}

record! {
    /// A household whose archive is due for re-verification (数据更新).
    pub struct ReverificationDue(wangge::ReverificationDue) as r, repr = all {
        /// The household.
        household_id: &str = &r.household_id,
        /// The last day of the current quarter.
        due: Date = r.due,
        /// Held in the previous quarter too, and not re-verified since it began.
        overdue: bool = r.overdue,
        /// The day its archive was last re-verified, if ever.
        verified: Option<Date> = r.verified,
    }
}

/// A due list's frame, made column by column from its rows.
fn due_frame(
    rows: &[wangge::DueVisit],
    labels: wangge::labels::Labels,
) -> wangge::Result<arrow_array::RecordBatch> {
    wangge::frame::due_visit_batch(rows, labels)
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
        self.set_rule_set(py, rules, start, wangge::Store::set_visit_rules_json)
    }

    /// The visit rules in force on `as_of` (default today), as a list of dicts.
    #[pyo3(signature = (as_of=None))]
    fn visit_rules<'py>(
        &self,
        py: Python<'py>,
        as_of: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let rules = self.with_args(
            py,
            || opt_date_arg("as_of", as_of),
            wangge::Store::visit_rules,
        )?;
        json_list(py, rules.iter().map(wangge::VisitRule::to_json))
    }

    /// Records a contact with a household (`channel` is `home` or `phone`). Raises
    /// `NotFound` for a household that did not live in scope that day or unknown staff.
    #[pyo3(signature = (household_id, staff_id, channel, on, note=Text(Cow::Borrowed(""))), text_signature = "($self, household_id, staff_id, channel, on, note='')")]
    fn record_visit(
        &self,
        py: Python<'_>,
        household_id: Text<'_>,
        staff_id: Text<'_>,
        channel: Text<'_>,
        on: &Bound<'_, PyAny>,
        note: Text<'_>,
    ) -> PyResult<Visit> {
        let household_id = household_id.0;
        let household_id: &str = &household_id;
        let staff_id = staff_id.0;
        let staff_id: &str = &staff_id;
        let channel = channel.0;
        let channel: &str = &channel;
        let note = note.0;
        let note: &str = &note;
        self.with_args(
            py,
            || date_arg("on", on),
            |s, on| s.record_visit(household_id, staff_id, channel, on, note),
        )
        .map(Visit::from)
    }

    /// Records a batch of visits in one transaction, all or nothing. Each visit is a dict
    /// `{"household_id", "staff_id", "channel", "on", "note"}` (`note` optional) or a
    /// tuple (or list) `(household_id, staff_id, channel, on[, note])`; `on` a date or ISO text. A
    /// visit `record_visit` would refuse refuses the batch, the message naming its
    /// position from 0. Returns the new visits' ids in order.
    fn record_visits(&self, py: Python<'_>, visits: &Bound<'_, PyAny>) -> PyResult<Vec<i64>> {
        self.with_args(
            py,
            || batch_items_json(py, ("visits", "visit"), visits, (&NewVisit::KEYS, &["on"])),
            |s, json| s.record_visits(&NewVisit::list_from_json(&json)?),
        )
    }

    /// The visits of a household, oldest first.
    fn visits(&self, py: Python<'_>, household_id: Text<'_>) -> PyResult<Vec<Visit>> {
        let household_id = household_id.0;
        let household_id: &str = &household_id;
        self.with(py, |s| s.visits(household_id)).map(records)
    }

    /// The due list of `unit`'s whole subtree on `as_of` (default today), a `Page`:
    /// overdue items first, then by due day. With `limit` (1 to 100000) or `after` (the
    /// `next` of the previous page), one page in page order, by household and rule; the
    /// first page fixes the day, and later pages keep it. `progress(done, total)` is
    /// called as the households are gone through (see `import_households`).
    #[pyo3(signature = (unit, as_of=None, *, limit=None, after=None, progress=None))]
    fn due_visits<'py>(
        &self,
        py: Python<'py>,
        unit: Code<'_>,
        as_of: Option<&Bound<'_, PyAny>>,
        limit: Option<Int>,
        after: Option<Text<'_>>,
        progress: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let unit = unit.0;
        let unit: &str = &unit;
        self.with_progress_args(
            py,
            progress,
            || Ok((opt_date_arg("as_of", as_of)?, paging_arg(limit, after)?)),
            |s, (as_of, paging)| {
                listed(
                    paging,
                    || s.due_visits(unit, as_of),
                    |p| s.due_visits_page(unit, as_of, p),
                )
            },
        )?
        .into_shared_page::<DueVisit>(py, due_frame)
    }

    /// The due list of the units `staff_id` is assigned to on `as_of` (default today), a
    /// `Page`; `limit`, `after` and `progress` as for `due_visits`.
    #[pyo3(signature = (staff_id, as_of=None, *, limit=None, after=None, progress=None))]
    fn due_visits_for_staff<'py>(
        &self,
        py: Python<'py>,
        staff_id: Text<'_>,
        as_of: Option<&Bound<'_, PyAny>>,
        limit: Option<Int>,
        after: Option<Text<'_>>,
        progress: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let staff_id = staff_id.0;
        let staff_id: &str = &staff_id;
        self.with_progress_args(
            py,
            progress,
            || Ok((opt_date_arg("as_of", as_of)?, paging_arg(limit, after)?)),
            |s, (as_of, paging)| {
                listed(
                    paging,
                    || s.due_visits_for_staff(staff_id, as_of),
                    |p| s.due_visits_for_staff_page(staff_id, as_of, p),
                )
            },
        )?
        .into_shared_page::<DueVisit>(py, due_frame)
    }

    /// The households of `unit`'s subtree whose archives are due for re-verification on
    /// `as_of` (default today): floating, or tagged 流动人口 or 拆迁过渡, on the quarter's
    /// first day, and not re-verified since. Overdue first.
    #[pyo3(signature = (unit, as_of=None))]
    fn reverification_due(
        &self,
        py: Python<'_>,
        unit: Code<'_>,
        as_of: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Vec<ReverificationDue>> {
        let unit = unit.0;
        let unit: &str = &unit;
        self.with_args(
            py,
            || opt_date_arg("as_of", as_of),
            |s, as_of| s.reverification_due(unit, as_of),
        )
        .map(records)
    }

    /// Compliance of `unit`'s subtree with its calendar visit rules over `period`
    /// (`"2024-Q1"` and the like), as a dict `{"unit", "period", "rules", "total",
    /// "requirements"}`; each rate is `{"num", "den", "value"}`, `value` None when `den`
    /// is 0. With `detail`, every (household, rule, period) requirement is listed.
    /// `progress(done, total)` as for `import_households`.
    #[pyo3(signature = (unit, period, detail=false, *, progress=None))]
    fn visit_compliance<'py>(
        &self,
        py: Python<'py>,
        unit: Code<'_>,
        period: &Bound<'_, PyAny>,
        detail: bool,
        progress: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let unit = unit.0;
        let unit: &str = &unit;
        let period = period_arg(period)?;
        let mut compliance = self.with_progress_args(
            py,
            progress,
            || Ok(()),
            |s, ()| s.visit_compliance(unit, &period, detail),
        )?;
        let requirements = std::mem::take(&mut compliance.requirements);
        compliance_dict(py, &compliance, requirements)
    }
}
