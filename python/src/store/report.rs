//! Reports (报告) and circulars (通报) on the Python `Store`, as the frozen classes
//! `Report` and `Circular`, and `INDICATORS`, every indicator's key and Chinese name.
//!
//! Each class keeps the core record and its JSON, so `to_json()` gives exactly the text
//! the C API returns and every view (`totals`, `rows`, `ranked`...) is a fresh Python copy
//! of a part of it: counts as `int`, rates as `{"num", "den", "value"}` with `value`
//! `None` when `den` is 0.

use std::path::PathBuf;

use pyo3::prelude::*;
use pyo3::types::PyBytes;
use serde_json::Value;
use wangge::labels::Labels;
use wangge::report::INDICATOR_NAMES;

use super::Store;
use super::frames::{labels_arg, report_pandas, stream};
use super::period_arg;
use crate::args::{Code, Int, Text};
use crate::errors::py_result;
use crate::record::{json_to_py, text_repr};

/// A unit's indicators over a period (报告): the totals of its whole subtree, one row per
/// direct child plus the own row (the facts attached to the unit itself), which add up
/// to the totals, and the ledger's indicators per category and per ledger book.
#[pyclass(frozen, module = "wangge._native")]
#[derive(Debug)]
pub struct Report {
    report: wangge::Report,
    json: Value,
}

impl From<wangge::Report> for Report {
    fn from(report: wangge::Report) -> Self {
        let json = report.to_json();
        Report { report, json }
    }
}

impl Report {
    /// One part of the JSON as a new Python value.
    fn part<'py>(&self, py: Python<'py>, key: &str) -> PyResult<Bound<'py, PyAny>> {
        json_to_py(py, &self.json[key])
    }
}

#[pymethods]
impl Report {
    /// The unit's code.
    #[getter]
    fn unit(&self) -> &str {
        &self.report.unit
    }

    /// The unit's name.
    #[getter]
    fn name(&self) -> &str {
        &self.report.name
    }

    /// The unit's level.
    #[getter]
    fn level(&self) -> &str {
        &self.report.level
    }

    /// The period, as text (`2024-Q1`).
    #[getter]
    fn period(&self) -> String {
        self.report.period.to_string()
    }

    /// The whole subtree's indicators, a dict by key (see `INDICATORS`).
    #[getter]
    fn totals<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.part(py, "totals")
    }

    /// One dict per direct child, by code, then the own row (`"own": True`): `unit`,
    /// `name`, `level`, `own` and every indicator. They add up to the totals in every
    /// count and in every rate's `num` and `den`.
    #[getter]
    fn rows<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.part(py, "rows")
    }

    /// The ledger's indicators per category: dicts with `key` (the category), by key.
    #[getter]
    fn by_category<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.part(py, "by_category")
    }

    /// The ledger's indicators per ledger book: dicts with `key` (the book), by key. An
    /// entry kept in two books counts in both.
    #[getter]
    fn by_book<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.part(py, "by_book")
    }

    /// The report as JSON text, the shape the C API's `wg_report` returns: `{"unit",
    /// "name", "level", "period", "first", "last", "totals", "rows", "by_category",
    /// "by_book"}`.
    fn to_json(&self) -> String {
        self.json.to_string()
    }

    /// The report as a new dict, the JSON of `to_json()`.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_to_py(py, &self.json)
    }

    /// The main table as CSV text: it starts with a byte-order mark (`\ufeff`, so Excel
    /// reads the Chinese), has Chinese headers (a rate takes three columns: its value, 分子
    /// and 分母), one line per row (下级 or 本级) and a last line of totals (合计).
    fn to_csv(&self, py: Python<'_>) -> String {
        py.detach(|| self.report.to_csv())
    }

    /// The report as an XLSX workbook: the main table, then the breakdowns per category
    /// (按类别) and per ledger book (按台账). Written to `path` when given (replacing
    /// the file; an unwritable path raises `OSError`); the bytes are returned either way.
    #[pyo3(signature = (path=None))]
    fn to_xlsx<'py>(
        &self,
        py: Python<'py>,
        path: Option<PathBuf>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let bytes = py.detach(|| -> std::io::Result<Vec<u8>> {
            let bytes = self.report.to_xlsx();
            if let Some(path) = path {
                std::fs::write(path, &bytes)?;
            }
            Ok(bytes)
        })?;
        Ok(PyBytes::new(py, &bytes))
    }

    /// The report as one self-contained HTML page (UTF-8, Chinese): a bar chart (inline
    /// SVG) of the direct children ranked on 办结率, those with too small a sample drawn
    /// grey with the reason, then the main table (rates as percentages) and the
    /// breakdowns. No script, nothing loaded from outside. Written to `path` when given
    /// (replacing the file; an unwritable path raises `OSError`); the text is returned
    /// either way.
    #[pyo3(signature = (path=None))]
    fn to_html(&self, py: Python<'_>, path: Option<PathBuf>) -> PyResult<String> {
        Ok(py.detach(|| written(self.report.to_html(), path))?)
    }

    /// The page of `to_html()`, so that Jupyter shows the report as its chart and table.
    fn _repr_html_(&self, py: Python<'_>) -> String {
        py.detach(|| self.report.to_html())
    }

    /// The rows as a pandas `DataFrame`, one line per row (the own row last): the columns
    /// `unit`, `name`, `level`, `own`, then each indicator of `INDICATORS` in order, a
    /// count as an int and a rate as its value (NaN when its denominator is 0) followed
    /// by `<name>_num` and `<name>_den`. With `labels="zh"`, Chinese headers (单位代码,
    /// 办结率分子...) and level names (乡镇...); other labels raise `InvalidInput`. Raises
    /// `ImportError` when pandas is not installed.
    #[pyo3(signature = (labels="en"))]
    fn to_pandas<'py>(&self, py: Python<'py>, labels: &str) -> PyResult<Bound<'py, PyAny>> {
        let labels = labels_arg(labels)?;
        let batch = py_result(py.detach(|| self.report.frame(labels)))?;
        report_pandas(py, &batch, "Report.to_pandas")
    }

    /// The rows of `to_pandas()` as an Arrow C stream (a capsule), for `pyarrow.table`,
    /// polars, DuckDB and pandas.
    #[pyo3(signature = (requested_schema=None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let batch = py_result(py.detach(|| self.report.frame(Labels::En)))?;
        stream(py, batch, requested_schema)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let r = &self.report;
        Ok(format!(
            "Report(unit={}, name={}, period={}, rows={}, received={})",
            text_repr(py, &r.unit)?,
            text_repr(py, &r.name)?,
            text_repr(py, &r.period.to_string())?,
            r.rows.len(),
            r.totals.ledger.received
        ))
    }
}

/// The direct children of a unit ranked on one indicator over a period (通报): those
/// ranked, best first, and those left out for too small a sample.
#[pyclass(frozen, module = "wangge._native")]
#[derive(Debug)]
pub struct Circular {
    circular: wangge::Circular,
    json: Value,
}

impl From<wangge::Circular> for Circular {
    fn from(circular: wangge::Circular) -> Self {
        let json = circular.to_json();
        Circular { circular, json }
    }
}

#[pymethods]
impl Circular {
    /// The code of the unit whose children are ranked.
    #[getter]
    fn unit(&self) -> &str {
        &self.circular.unit
    }

    /// Its name.
    #[getter]
    fn name(&self) -> &str {
        &self.circular.name
    }

    /// The period, as text.
    #[getter]
    fn period(&self) -> &str {
        &self.circular.period
    }

    /// The indicator's key (`closure_rate`).
    #[getter]
    fn indicator(&self) -> &str {
        &self.circular.indicator
    }

    /// Its Chinese name (办结率).
    #[getter]
    fn indicator_name(&self) -> &str {
        &self.circular.indicator_name
    }

    /// Whether a lower value ranks better (the `pending`, `hard` and `overdue` counts).
    #[getter]
    fn lower_is_better(&self) -> bool {
        self.circular.lower_is_better
    }

    /// The smallest denominator a rate needs to be ranked.
    #[getter]
    fn min_sample(&self) -> u64 {
        self.circular.min_sample
    }

    /// The ranked children, best first: dicts with `unit`, `name`, `value`, `num`, `den`
    /// and `rank` (1 for the best; equal values share a rank: 1, 2, 2, 4). For a count,
    /// `num` and `den` are the count.
    #[getter]
    fn ranked<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_to_py(py, &self.json["ranked"])
    }

    /// The children left out, by code: dicts with `unit`, `name`, `den` (the sample) and
    /// `reason`.
    #[getter]
    fn left_out<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_to_py(py, &self.json["left_out"])
    }

    /// The circular as JSON text, the shape the C API's `wg_circular` returns.
    fn to_json(&self) -> String {
        self.json.to_string()
    }

    /// The circular as a new dict, the JSON of `to_json()`.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_to_py(py, &self.json)
    }

    /// The circular as one self-contained HTML page (UTF-8, Chinese): a bar chart (inline
    /// SVG) of the ranked children, best first, with rank and value (a rate as a
    /// percentage), the left-out ones drawn grey with the reason (未参评, 不参与排名),
    /// then the table. No script, nothing loaded from outside. Written to `path` when
    /// given (replacing the file; an unwritable path raises `OSError`); the text is
    /// returned either way.
    #[pyo3(signature = (path=None))]
    fn to_html(&self, py: Python<'_>, path: Option<PathBuf>) -> PyResult<String> {
        Ok(py.detach(|| written(self.circular.to_html(), path))?)
    }

    /// The page of `to_html()`, so that Jupyter shows the circular as its chart and table.
    fn _repr_html_(&self, py: Python<'_>) -> String {
        py.detach(|| self.circular.to_html())
    }

    /// The children as a pandas `DataFrame`: the ranked ones best first (`unit`, `name`,
    /// `value`, `num`, `den`, `rank`), then the left-out ones with their `den` and
    /// `reason`. With `labels="zh"`, Chinese headers (单位代码, 排名...); other labels
    /// raise `InvalidInput`. Raises `ImportError` when pandas is not installed.
    #[pyo3(signature = (labels="en"))]
    fn to_pandas<'py>(&self, py: Python<'py>, labels: &str) -> PyResult<Bound<'py, PyAny>> {
        let labels = labels_arg(labels)?;
        let batch = py_result(py.detach(|| self.circular.frame(labels)))?;
        report_pandas(py, &batch, "Circular.to_pandas")
    }

    /// The rows of `to_pandas()` as an Arrow C stream (a capsule).
    #[pyo3(signature = (requested_schema=None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let batch = py_result(py.detach(|| self.circular.frame(Labels::En)))?;
        stream(py, batch, requested_schema)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let c = &self.circular;
        Ok(format!(
            "Circular(unit={}, period={}, indicator={}, ranked={}, left_out={})",
            text_repr(py, &c.unit)?,
            text_repr(py, &c.period)?,
            text_repr(py, &c.indicator)?,
            c.ranked.len(),
            c.left_out.len()
        ))
    }
}

#[pymethods]
impl Store {
    /// `unit`'s report over `period` (a `wangge.Period` or its text, such as `"2024-Q1"`):
    /// every indicator for its whole subtree as it stood on the period's last day, one row
    /// per direct child plus the own row, and the ledger's indicators per category and
    /// book. Raises `InvalidInput` for a malformed period, `NotFound` for a unit that did
    /// not exist then, `PermissionDenied` outside this handle's scope.
    /// `progress(done, total)` as for `import_households`.
    #[pyo3(signature = (unit, period, *, progress=None))]
    fn report(
        &self,
        py: Python<'_>,
        unit: Code<'_>,
        period: &Bound<'_, PyAny>,
        progress: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Report> {
        let unit = unit.0;
        let unit: &str = &unit;
        self.with_progress_args(
            py,
            progress,
            || period_arg(period),
            // The JSON is made here too, with the GIL released.
            |s, period| s.report(unit, period).map(Report::from),
        )
    }

    /// Ranks the direct children of `unit` on `indicator` (a key of `INDICATORS`) over
    /// `period` (通报). A rate is ranked only when its denominator is at least
    /// `min_sample`; the others are listed in `left_out` with the reason. Counts are
    /// always ranked, higher first except `pending`, `hard` and `overdue`. An unknown
    /// indicator or a negative `min_sample` raises `InvalidInput` naming it.
    /// `progress(done, total)` as for `import_households`.
    #[pyo3(signature = (unit, period, indicator, min_sample=Int(5), *, progress=None), text_signature = "($self, unit, period, indicator, min_sample=5, *, progress=None)")]
    fn circular(
        &self,
        py: Python<'_>,
        unit: Code<'_>,
        period: &Bound<'_, PyAny>,
        indicator: Text<'_>,
        min_sample: Int,
        progress: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Circular> {
        let unit = unit.0;
        let unit: &str = &unit;
        let indicator = indicator.0;
        let indicator: &str = &indicator;
        let min_sample: i64 = min_sample.0;
        self.with_progress_args(
            py,
            progress,
            || period_arg(period),
            |s, period| {
                s.circular(unit, period, indicator, Some(min_sample))
                    .map(Circular::from)
            },
        )
    }
}

#[pymethods]
impl Store {
    /// Writes the facts of the store, or of `unit`'s subtree, as Parquet files into
    /// `directory` (a `str` or `os.PathLike`, created if need be), writing only what changed
    /// since the previous export into the same directory; see the README's "Facts as
    /// Parquet" for the tables and columns. Gives the summary: `{"directory", "store_id",
    /// "unit", "export_seq", "full", "audit_from", "audit_to", "tables": [{"table",
    /// "rows_written", "files"}]}`. A scoped handle exports its scope; `unit` outside it
    /// raises `PermissionDenied`, an unknown one `NotFound`; a directory holding another
    /// store's or unit's export, or a damaged manifest, `Conflict`. `progress(done,
    /// total)` as for `import_households`.
    #[pyo3(signature = (directory, unit=None, *, progress=None))]
    fn export_parquet<'py>(
        &self,
        py: Python<'py>,
        directory: PathBuf,
        unit: Option<Code<'_>>,
        progress: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let unit = unit.map(|u| u.0.into_owned());
        let json = self.with_progress_args(
            py,
            progress,
            || Ok(()),
            move |s, ()| {
                s.export_parquet(&directory, unit.as_deref())
                    .map(|e| e.to_json())
            },
        )?;
        json_to_py(py, &json)
    }
}

/// `text`, after writing it to `path` when one is given.
fn written(text: String, path: Option<PathBuf>) -> std::io::Result<String> {
    if let Some(path) = path {
        std::fs::write(path, &text)?;
    }
    Ok(text)
}

/// Adds `Report`, `Circular` and `INDICATORS` to the module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Report>()?;
    m.add_class::<Circular>()?;
    m.add("INDICATORS", INDICATOR_NAMES.to_vec())?;
    Ok(())
}
