//! Submitted reports (报告制度) and the yearly assessment (考核) on the Python `Store`, as
//! the frozen classes `Submission` and `Assessment`.
//!
//! Each class keeps the core record and its JSON, so `to_json()` gives exactly the text
//! the C API returns (a submission's with its sealed `report`) and every dict or list view
//! is a fresh Python copy.

use pyo3::prelude::*;
use serde_json::Value;
use wangge::Moment;
use wangge::labels::Labels;

use super::frames::{labels_arg, report_pandas, stream};
use super::{Store, period_arg};
use crate::args::Code;
use crate::convert::{json_text_arg, moment_text_arg, opt_date_arg};
use crate::errors::py_result;
use crate::record::{json_to_py, text_repr};

/// A unit's report for one period of its cadence (报告制度): expected (`missing`),
/// `submitted` (sealed with its time and author, perhaps in several versions) or
/// `approved` by the level above, which locks the unit's subtree for the period.
#[pyclass(frozen, module = "wangge._native")]
#[derive(Debug)]
pub struct Submission {
    submission: wangge::Submission,
    json: Value,
}

impl From<wangge::Submission> for Submission {
    fn from(submission: wangge::Submission) -> Self {
        let json = submission.to_json(true);
        Submission { submission, json }
    }
}

#[pymethods]
impl Submission {
    /// The unit's code.
    #[getter]
    fn unit(&self) -> &str {
        &self.submission.unit
    }

    /// The period, as text (`2025-W10`).
    #[getter]
    fn period(&self) -> String {
        self.submission.period.to_string()
    }

    /// When the report is due: the end of the given number of working days after the
    /// period.
    #[getter]
    fn due(&self) -> Moment {
        self.submission.due
    }

    /// `missing`, `submitted` or `approved`.
    #[getter]
    fn status(&self) -> &'static str {
        self.submission.status.as_str()
    }

    /// How many times the report was submitted (0 when missing).
    #[getter]
    fn versions(&self) -> u32 {
        self.submission.versions
    }

    /// When the first version was submitted.
    #[getter]
    fn first_submitted_at(&self) -> Option<Moment> {
        self.submission.first_submitted_at
    }

    /// When the latest version was submitted.
    #[getter]
    fn submitted_at(&self) -> Option<Moment> {
        self.submission.submitted_at
    }

    /// Who submitted the latest version.
    #[getter]
    fn author(&self) -> Option<&str> {
        self.submission.author.as_deref()
    }

    /// Whether the first version was submitted by the due time.
    #[getter]
    fn on_time(&self) -> bool {
        self.submission.on_time
    }

    /// When the report was approved.
    #[getter]
    fn approved_at(&self) -> Option<Moment> {
        self.submission.approved_at
    }

    /// Who approved it.
    #[getter]
    fn approver(&self) -> Option<&str> {
        self.submission.approver.as_deref()
    }

    /// The latest version's report as it was sealed, a new dict in the shape of
    /// `Report.to_dict()`; `None` when nothing was submitted, and in the lists of
    /// `Store.submissions`.
    #[getter]
    fn report<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_to_py(py, &self.json["report"])
    }

    /// The store's audit head when the latest version was submitted, a new dict
    /// `{"seq", "digest", "at"}`, which approval checks is still in the chain and
    /// records; `None` when nothing was submitted.
    #[getter]
    fn audit_head<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_to_py(py, &self.json["audit_head"])
    }

    /// When the latest version was received from the unit's own store
    /// (`Store.receive_submission`); `None` for a report submitted in this store.
    #[getter]
    fn received_at(&self) -> Option<Moment> {
        self.submission.received_at
    }

    /// The SM3 digest (64 hex digits) of the canonical JSON of everything else, report
    /// included, which `Store.receive_submission` checks; `None` in the lists of
    /// `Store.submissions`, which leave the report out.
    #[getter]
    fn seal(&self) -> Option<&str> {
        self.json["seal"].as_str()
    }

    /// The submission as JSON text: the C API's `wg_submission` shape, `{"unit", "period",
    /// "due", "status", "versions", "first_submitted_at", "submitted_at", "author",
    /// "on_time", "approved_at", "approver", "audit_head", "received_at", "seal",
    /// "report"}`, times in RFC 3339: what `Store.receive_submission` takes in the store
    /// of the level above.
    fn to_json(&self) -> String {
        self.json.to_string()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let s = &self.submission;
        Ok(format!(
            "Submission(unit={}, period={}, status={}, versions={}, on_time={})",
            text_repr(py, &s.unit)?,
            text_repr(py, &s.period.to_string())?,
            text_repr(py, s.status.as_str())?,
            s.versions,
            if s.on_time { "True" } else { "False" }
        ))
    }
}

/// The assessment (考核) of a unit's direct children over a period: each scored out of
/// 100 on the weighted targets of the rules, and ranked.
#[pyclass(frozen, module = "wangge._native")]
#[derive(Debug)]
pub struct Assessment {
    assessment: wangge::Assessment,
    json: Value,
}

impl From<wangge::Assessment> for Assessment {
    fn from(assessment: wangge::Assessment) -> Self {
        let json = assessment.to_json();
        Assessment { assessment, json }
    }
}

#[pymethods]
impl Assessment {
    /// The code of the unit whose children are assessed.
    #[getter]
    fn unit(&self) -> &str {
        &self.assessment.unit
    }

    /// The period, as text.
    #[getter]
    fn period(&self) -> &str {
        &self.assessment.period
    }

    /// The rules applied, a new dict: `{"items": [{"indicator", "weight", "target"}],
    /// "min_sample"}`.
    #[getter]
    fn rules<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_to_py(py, &self.json["rules"])
    }

    /// The children, best first, those without a score last by code: dicts with `unit`,
    /// `name`, `score` (out of 100, or `None` when no item could be scored), `rank` (1 for
    /// the best, equal scores sharing one; `None` without a score) and `items`, one dict
    /// per rule item in order with `indicator`, `num`, `den`, `value` and `points` (weight
    /// × min(1, value / target), `None` when the sample is too small).
    #[getter]
    fn rows<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_to_py(py, &self.json["rows"])
    }

    /// The assessment as JSON text, the shape the C API's `wg_assessment` returns:
    /// `{"unit", "period", "rules", "rows"}`.
    fn to_json(&self) -> String {
        self.json.to_string()
    }

    /// The assessment as a new dict, the JSON of `to_json()`.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_to_py(py, &self.json)
    }

    /// The rows as a pandas `DataFrame` with the columns `unit`, `name`, `score` (NaN when
    /// not scored) and `rank` (`None` when not scored), best first. With `labels="zh"`,
    /// Chinese headers; other labels raise `InvalidInput`. Raises `ImportError` when pandas
    /// is not installed.
    #[pyo3(signature = (labels="en"))]
    fn to_pandas<'py>(&self, py: Python<'py>, labels: &str) -> PyResult<Bound<'py, PyAny>> {
        let labels = labels_arg(labels)?;
        let batch = py_result(py.detach(|| self.assessment.frame(labels)))?;
        report_pandas(py, &batch, "Assessment.to_pandas")
    }

    /// The rows of `to_pandas()` as an Arrow C stream (a capsule).
    #[pyo3(signature = (requested_schema=None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let batch = py_result(py.detach(|| self.assessment.frame(Labels::En)))?;
        stream(py, batch, requested_schema)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let a = &self.assessment;
        Ok(format!(
            "Assessment(unit={}, period={}, rows={})",
            text_repr(py, &a.unit)?,
            text_repr(py, &a.period)?,
            a.rows.len()
        ))
    }
}

#[pymethods]
impl Store {
    /// Sets which levels report at which cadence from `start` (default: always): a list
    /// of dicts (or its JSON text) `{"level", "every", "due_working_days"}`, `every` a kind
    /// of period (`week`, `month`, `quarter`...) and `due_working_days` the working days
    /// after the period by whose end the report is due (0 to 60; default 1). A bad field
    /// raises `InvalidInput` naming it; a scoped handle raises `PermissionDenied`.
    #[pyo3(signature = (rules, start=None))]
    fn set_reporting_rules(
        &self,
        py: Python<'_>,
        rules: &Bound<'_, PyAny>,
        start: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        self.set_rule_set(py, rules, start, wangge::Store::set_reporting_rules_json)
    }

    /// The reporting rules in force on `as_of` (default today), as a list of dicts (by
    /// default grids weekly, communities monthly, townships quarterly).
    #[pyo3(signature = (as_of=None))]
    fn reporting_rules<'py>(
        &self,
        py: Python<'py>,
        as_of: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let rules = self.with_args(
            py,
            || opt_date_arg("as_of", as_of),
            wangge::Store::reporting_rules,
        )?;
        let json = Value::Array(rules.iter().map(wangge::ReportingRule::to_json).collect());
        json_to_py(py, &json)
    }

    /// Submits `unit`'s report for `period` (a `wangge.Period` or its text) at `at` (a
    /// `datetime` or ISO text), by this handle's actor: the report as it now stands is
    /// sealed with them (`report`); a unit may submit again until the report is approved.
    /// A period
    /// not of the unit's cadence raises `InvalidInput`; an approved report `Conflict`.
    fn submit(
        &self,
        py: Python<'_>,
        unit: Code<'_>,
        period: &Bound<'_, PyAny>,
        at: &Bound<'_, PyAny>,
    ) -> PyResult<Submission> {
        let unit = unit.0;
        let unit: &str = &unit;
        self.with_args(
            py,
            || Ok((period_arg(period)?, moment_text_arg("at", at)?)),
            |s, (period, at)| {
                let at = s.parse_moment(&at)?;
                s.submit(unit, period, &at).map(Submission::from)
            },
        )
    }

    /// Approves `unit`'s submitted report for `period` at `at`, by this handle's actor,
    /// which must be above the unit (a handle scoped to the unit itself raises
    /// `PermissionDenied`). Approval locks the unit's subtree for the period: a fact
    /// dated in it (an entry or an action on one, a visit, a household arriving or moving,
    /// a tag) then raises `Conflict`. Nothing submitted raises `NotFound`.
    fn approve(
        &self,
        py: Python<'_>,
        unit: Code<'_>,
        period: &Bound<'_, PyAny>,
        at: &Bound<'_, PyAny>,
    ) -> PyResult<Submission> {
        let unit = unit.0;
        let unit: &str = &unit;
        self.with_args(
            py,
            || Ok((period_arg(period)?, moment_text_arg("at", at)?)),
            |s, (period, at)| {
                let at = s.parse_moment(&at)?;
                s.approve(unit, period, &at).map(Submission::from)
            },
        )
    }

    /// Where `unit`'s report for `period` stands, with the latest version's sealed report
    /// (`report`; `None` when missing).
    fn submission(
        &self,
        py: Python<'_>,
        unit: Code<'_>,
        period: &Bound<'_, PyAny>,
    ) -> PyResult<Submission> {
        let unit = unit.0;
        let unit: &str = &unit;
        self.with_args(
            py,
            || period_arg(period),
            |s, period| s.submission(unit, period).map(Submission::from),
        )
    }

    /// Receives, in the store of the level above (a city's), a unit's sealed submission:
    /// `sealed` is `Submission.to_json()` from the unit's own store (a county's), as text
    /// or as a dict. Its seal, shape, figures and audit head are checked; a later version
    /// replaces an earlier one until the report is approved here (with `approve` on this
    /// store: a version the unit's own store marked approved still stands here as
    /// submitted); the very same JSON again changes nothing. `report` and `circular` of
    /// the level above then count its figures for the unit's subtree, rates made again
    /// from the summed numerators and denominators. Returns the submission as it stands
    /// here.
    ///
    /// A unit missing here raises `NotFound`; one outside this handle's scope, or its own
    /// root, `PermissionDenied`. Malformed JSON, a seal that does not match, a report of
    /// another unit or period, figures that do not add up, or a level that does not report
    /// at the period's cadence here raise `InvalidInput` naming the field; an audit head
    /// that goes back on the unit's earlier ones, an older version, or a version after
    /// approval raise `Conflict`. Nothing is written then.
    fn receive_submission(
        &self,
        py: Python<'_>,
        sealed: &Bound<'_, PyAny>,
    ) -> PyResult<Submission> {
        self.with_args(
            py,
            || json_text_arg("sealed", sealed),
            |s, sealed| s.receive_submission(&sealed).map(Submission::from),
        )
    }

    /// Every report expected from `unit`'s subtree (the unit included) for the periods of
    /// their cadences inside `period` (a week belongs to the month its Thursday is in),
    /// with where each stands, by unit then period; their `report` is `None`.
    fn submissions(
        &self,
        py: Python<'_>,
        unit: Code<'_>,
        period: &Bound<'_, PyAny>,
    ) -> PyResult<Vec<Submission>> {
        let unit = unit.0;
        let unit: &str = &unit;
        self.with_args(
            py,
            || period_arg(period),
            |s, period| {
                Ok(s.submissions(unit, period)?
                    .into_iter()
                    .map(Submission::from)
                    .collect())
            },
        )
    }

    /// Sets the assessment rules in force from `start` (default: always): a dict (or its
    /// JSON text) `{"items": [{"indicator", "weight", "target"}], "min_sample"}`, each
    /// item a rate of `INDICATORS` with a positive weight and target. A count, a missing
    /// item or a bad number raises `InvalidInput` naming it; a scoped handle raises
    /// `PermissionDenied`.
    #[pyo3(signature = (rules, start=None))]
    fn set_assessment_rules(
        &self,
        py: Python<'_>,
        rules: &Bound<'_, PyAny>,
        start: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        self.set_rule_set(py, rules, start, wangge::Store::set_assessment_rules_json)
    }

    /// The assessment rules in force on `as_of` (default today), as a dict.
    #[pyo3(signature = (as_of=None))]
    fn assessment_rules<'py>(
        &self,
        py: Python<'py>,
        as_of: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let rules = self.with_args(
            py,
            || opt_date_arg("as_of", as_of),
            wangge::Store::assessment_rules,
        )?;
        json_to_py(py, &rules.to_json())
    }

    /// Assesses the direct children of `unit` over `period` (考核; a year, usually) with
    /// the rules in force on its first day: each scored out of 100 on the report's rates
    /// and ranked. Raises as `report` does. `progress(done, total)` as for
    /// `import_households`.
    #[pyo3(signature = (unit, period, *, progress=None))]
    fn assessment(
        &self,
        py: Python<'_>,
        unit: Code<'_>,
        period: &Bound<'_, PyAny>,
        progress: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Assessment> {
        let unit = unit.0;
        let unit: &str = &unit;
        self.with_progress_args(
            py,
            progress,
            || period_arg(period),
            |s, period| s.assessment(unit, period).map(Assessment::from),
        )
    }
}

/// Adds `Submission` and `Assessment` to the module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Submission>()?;
    m.add_class::<Assessment>()?;
    Ok(())
}
