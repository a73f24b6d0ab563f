//! Contact quotas (联户), patrols (巡查) and what visits find, on the Python `Store`.
//! Rules and compliance are plain dicts in the JSON shape the C API uses; patrols and
//! findings are record classes.

use std::borrow::Cow;

use pyo3::prelude::*;
use wangge::{Date, Moment};

use super::frames::compliance_dict;
use super::{Store, period_arg};
use crate::args::{Code, Int, Text};
use crate::convert::{moment_text_arg, opt_date_arg};
use crate::page::{Listed, listed, paging_arg};
use crate::record::{json_list, record};

record! {
    /// A recorded patrol (巡查) of a unit.
    pub struct Patrol(wangge::Patrol) as p, repr = all {
        /// The patrol's id in this store.
        id: i64 = p.id,
        /// The unit walked.
        unit: &str = &p.unit,
        /// Who walked it.
        staff_id: &str = &p.staff_id,
        /// When, an aware `datetime` with the offset it was given in.
        at: Moment = p.at,
        /// The civil date of `at` in the deployment's time zone: the day rules count it for.
        on: Date = p.on,
        /// What was seen.
        note: &str = &p.note,
    }
}

record! {
    /// Something a visit found, open until a ledger entry takes it up.
    pub struct Finding(wangge::Finding) as f, repr = all {
        /// The finding's id in this store.
        id: i64 = f.id,
        /// The visit it was found on.
        visit_id: i64 = f.visit_id,
        /// The household visited.
        household_id: &str = &f.household_id,
        /// Where the household lived on the visit's day.
        unit: &str = &f.unit,
        /// The visit's day.
        on: Date = f.on,
        /// What was found, in the staff member's words.
        summary: &str = &f.summary,
        /// A suggested ledger category, if one was given.
        category: Option<&str> = f.category.as_deref(),
        /// Whether it needs attention at once.
        urgent: bool = f.urgent,
        /// The ledger entry registered for it; `None` while it is open.
        entry_id: Option<i64> = f.entry_id,
    }
}

/// Adds the patrol and finding record classes to the module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Patrol>()?;
    m.add_class::<Finding>()?;
    Ok(())
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
        self.set_rule_set(py, rules, start, wangge::Store::set_quota_rules_json)
    }

    /// The contact quotas in force on `as_of` (default today), as a list of dicts; the
    /// seed's is "1+10", each party member ten households a month.
    #[pyo3(signature = (as_of=None))]
    fn quota_rules<'py>(
        &self,
        py: Python<'py>,
        as_of: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let rules = self.with_args(
            py,
            || opt_date_arg("as_of", as_of),
            wangge::Store::quota_rules,
        )?;
        json_list(py, rules.iter().map(wangge::QuotaRule::to_json))
    }

    /// How well the staff of `unit`'s subtree kept their contact quotas over `period`
    /// (`"2024-Q1"` and the like), as a dict `{"unit", "period", "rules", "total",
    /// "staff", "requirements"}`; each rate is `{"num", "den", "value"}`, `value` None
    /// when `den` is 0. With `detail`, every (staff member, rule, period) requirement is
    /// listed with its `contacts`.
    /// `progress(done, total)` as for `import_households`.
    #[pyo3(signature = (unit, period, detail=false, *, progress=None))]
    fn quota_compliance<'py>(
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
            |s, ()| s.quota_compliance(unit, &period, detail),
        )?;
        let requirements = std::mem::take(&mut compliance.requirements);
        compliance_dict(py, &compliance, requirements)
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
        self.set_rule_set(py, rules, start, wangge::Store::set_patrol_rules_json)
    }

    /// The patrol rules in force on `as_of` (default today), as a list of dicts; the
    /// seed's is 一日双巡, every grid twice a day.
    #[pyo3(signature = (as_of=None))]
    fn patrol_rules<'py>(
        &self,
        py: Python<'py>,
        as_of: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let rules = self.with_args(
            py,
            || opt_date_arg("as_of", as_of),
            wangge::Store::patrol_rules,
        )?;
        json_list(py, rules.iter().map(wangge::PatrolRule::to_json))
    }

    /// Records a patrol of `unit` by `staff_id` at `at`: a `datetime` (a naive one is a
    /// local time in the deployment's time zone) or ISO text, with or without an offset.
    /// Raises `NotFound` for a unit that did not exist in scope that day or unknown staff.
    #[pyo3(signature = (unit, staff_id, at, note=Text(Cow::Borrowed(""))), text_signature = "($self, unit, staff_id, at, note='')")]
    fn record_patrol(
        &self,
        py: Python<'_>,
        unit: Code<'_>,
        staff_id: Text<'_>,
        at: &Bound<'_, PyAny>,
        note: Text<'_>,
    ) -> PyResult<Patrol> {
        let unit = unit.0;
        let unit: &str = &unit;
        let staff_id = staff_id.0;
        let staff_id: &str = &staff_id;
        let note = note.0;
        let note: &str = &note;
        self.with_args(
            py,
            || moment_text_arg("at", at),
            |s, at| {
                let at = s.parse_moment(&at)?;
                s.record_patrol(unit, staff_id, at, note)
            },
        )
        .map(Patrol::from)
    }

    /// The patrols of `unit` itself (not its descendants) whose day falls in `period`
    /// (`"2024-03-04"`, `"2024-W10"` and the like), oldest first; a `Page`.
    fn patrols<'py>(
        &self,
        py: Python<'py>,
        unit: Code<'_>,
        period: &Bound<'_, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let unit = unit.0;
        let unit: &str = &unit;
        let period = period_arg(period)?;
        Listed::Whole(self.with(py, |s| s.patrols(unit, &period))?).into_page::<Patrol>(py)
    }

    /// How well the units of `unit`'s subtree kept their patrol rules over `period`, as a
    /// dict `{"unit", "period", "rules", "total", "units", "requirements"}` shaped like
    /// `quota_compliance`'s. With `detail`, every (unit, rule, period) requirement is
    /// listed with its `patrols`.
    /// `progress(done, total)` as for `import_households`.
    #[pyo3(signature = (unit, period, detail=false, *, progress=None))]
    fn patrol_compliance<'py>(
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
            |s, ()| s.patrol_compliance(unit, &period, detail),
        )?;
        let requirements = std::mem::take(&mut compliance.requirements);
        compliance_dict(py, &compliance, requirements)
    }

    /// Records what visit `visit_id` found: `summary` (1 to 2000 characters), a suggested
    /// ledger `category` (1 to 64 characters) and whether it is `urgent`. Raises
    /// `NotFound` for an unknown visit, `PermissionDenied` for one outside the scope.
    #[pyo3(signature = (visit_id, summary, category=None, urgent=false))]
    fn record_finding(
        &self,
        py: Python<'_>,
        visit_id: Int,
        summary: Text<'_>,
        category: Option<Text<'_>>,
        urgent: bool,
    ) -> PyResult<Finding> {
        let visit_id: i64 = visit_id.0;
        let summary = summary.0;
        let summary: &str = &summary;
        let category = category.map(|t| t.0);
        let category: Option<&str> = category.as_deref();
        self.with(py, |s| {
            s.record_finding(visit_id, summary, category, urgent)
        })
        .map(Finding::from)
    }

    /// The findings of visits to households of `unit`'s subtree (where they lived on the
    /// visit's day), oldest first; with `open_only`, just those no ledger entry has taken
    /// up yet; a `Page`. With `limit` (1 to 100000) or `after` (the `next` of the previous
    /// page), one page of them in page order, by id (the order they were recorded in).
    #[pyo3(signature = (unit, open_only=false, *, limit=None, after=None))]
    fn findings<'py>(
        &self,
        py: Python<'py>,
        unit: Code<'_>,
        open_only: bool,
        limit: Option<Int>,
        after: Option<Text<'_>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let unit = unit.0;
        let unit: &str = &unit;
        self.with_args(
            py,
            || paging_arg(limit, after),
            |s, paging| {
                listed(
                    paging,
                    || s.findings(unit, open_only),
                    |p| s.findings_page(unit, open_only, p),
                )
            },
        )?
        .into_page::<Finding>(py)
    }
}
