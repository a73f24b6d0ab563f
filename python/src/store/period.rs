//! Calendar periods as the frozen Python class `Period`: parsed from and printed as their
//! text (`2024-03-17`, `2024-W11`, `2024-03`, `2024-Q1`, `2024-H1`, `2024`), stepped with
//! `next()`/`previous()`, and nested with `inside(kind)`/`belongs_to(kind)`, where a week
//! belongs to the month, quarter, half year and year holding its Thursday.

use std::cmp::Ordering;

use pyo3::prelude::*;
use pyo3::types::PyTuple;
use wangge::{Date, PeriodKind};

use pyo3::types::{PyFloat, PyString};

use crate::args::{Text, str_value};
use crate::convert::{date_arg, repr_text};
use crate::errors::{invalid, py_result};

/// A calendar period: a day `2024-03-17`, an ISO week `2024-W11` (Monday first), a month
/// `2024-03`, a quarter `2024-Q1`, a half year `2024-H1` or a year `2024`. Periods compare
/// equal when they are the same period, hash accordingly, sort by first day and then by
/// kind (shorter first), print as their text and pickle.
#[pyclass(frozen, eq, ord, hash, module = "wangge._native")]
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Period(pub(crate) wangge::Period);

impl Ord for Period {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.0.first(), self.0.kind()).cmp(&(other.0.first(), other.0.kind()))
    }
}

impl PartialOrd for Period {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// A kind argument: `day`, `week`, `month`, `quarter`, `half_year` or `year` (or plural).
fn kind_arg(kind: &str) -> PyResult<PeriodKind> {
    py_result(PeriodKind::parse("kind", kind))
}

#[pymethods]
impl Period {
    /// The period `value` stands for, as every method taking a period reads it: text as
    /// `Period.parse` reads it, a `Period`, or a `pandas.Period` of a day, an ISO week
    /// (`W-SUN`), a month, a quarter or a year. Anything else raises `InvalidInput`.
    #[new]
    fn new(value: &Bound<'_, PyAny>) -> PyResult<Self> {
        period_arg(value).map(Period)
    }

    /// Reads `2024-03-17`, `2024-W11`, `2024-03`, `2024-Q1`, `2024-H1` or `2024`, or
    /// another usual form (`2024Q1`, `2024年第1季度`, `2024年一季度`, `2024年3月`, `2024-3`,
    /// `2024/3/17`, `20240317`...); any other text raises `InvalidInput` naming it and
    /// saying which forms are read.
    #[staticmethod]
    fn parse(text: Text<'_>) -> PyResult<Self> {
        let text = text.0;
        py_result(wangge::Period::parse(&text)).map(Period)
    }

    /// The period of `kind` (`day`, `week`, `month`, `quarter`, `half_year` or `year`)
    /// that contains `date`: the week containing 2024-12-30 is `2025-W01`.
    #[staticmethod]
    fn containing(kind: Text<'_>, date: &Bound<'_, PyAny>) -> PyResult<Self> {
        let kind = kind.0;
        let kind: &str = &kind;
        let kind = kind_arg(kind)?;
        let day = date_arg("date", date)?;
        Ok(Period(py_result(wangge::Period::containing(kind, day))?))
    }

    /// The kind: `day`, `week`, `month`, `quarter`, `half_year` or `year`.
    #[getter]
    fn kind(&self) -> &'static str {
        self.0.kind().as_str()
    }

    /// Its first day.
    #[getter]
    fn first(&self) -> Date {
        self.0.first()
    }

    /// Its last day.
    #[getter]
    fn last(&self) -> Date {
        self.0.last()
    }

    /// How many days it spans.
    #[getter]
    fn days(&self) -> u32 {
        self.0.days()
    }

    /// Whether `date` falls in it, its first and last day included.
    fn contains(&self, date: &Bound<'_, PyAny>) -> PyResult<bool> {
        Ok(self.0.contains(date_arg("date", date)?))
    }

    /// The period of the same kind after this one (`2024-W52` is followed by `2025-W01`);
    /// after the last period of 9999, `InvalidInput` naming `period`.
    fn next(&self) -> PyResult<Self> {
        Ok(Period(py_result(self.0.next())?))
    }

    /// The period of the same kind before this one; before the first of year 1,
    /// `InvalidInput` naming `period`.
    fn previous(&self) -> PyResult<Self> {
        Ok(Period(py_result(self.0.previous())?))
    }

    /// The periods of `kind` that make up this one, in order: the days, months, quarters
    /// or half years inside it; the weeks that belong to it (whose Thursday falls in it,
    /// so `2024-03` holds `2024-W10` to `2024-W13`); a week's 7 days; itself for its own
    /// kind; only periods in the years 0001 to 9999 (`9999-12` ends with `9999-W51`). A
    /// kind longer than the period, weeks of a day, or months, quarters or half years of a
    /// week raise `InvalidInput` naming `kind`.
    fn inside(&self, kind: Text<'_>) -> PyResult<Vec<Self>> {
        let kind = kind.0;
        let kind: &str = &kind;
        let kind = kind_arg(kind)?;
        py_result(self.0.inside(kind)).map(|periods| periods.into_iter().map(Period).collect())
    }

    /// The period of `kind` this one belongs to: for a week, the one holding its Thursday
    /// (`2025-W01` belongs to `2025-01`); for any other period, the one holding its first
    /// day; itself for its own kind. A shorter kind raises `InvalidInput` naming `kind`;
    /// belonging to a period with days outside the years 0001 to 9999 (a day of
    /// `9999-12-27`..`31` to the week `9999-W52`) raises `InvalidInput` naming `period`.
    fn belongs_to(&self, kind: Text<'_>) -> PyResult<Self> {
        let kind = kind.0;
        let kind: &str = &kind;
        let kind = kind_arg(kind)?;
        py_result(self.0.belongs_to(kind)).map(Period)
    }

    fn __str__(&self) -> String {
        self.0.to_string()
    }

    fn __repr__(&self) -> String {
        format!("Period('{}')", self.0)
    }

    /// Pickles as `Period.parse(text)`.
    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let parse = slf.get_type().getattr("parse")?;
        let args = PyTuple::new(slf.py(), [slf.get().0.to_string()])?;
        Ok((parse, args))
    }
}

/// A period argument: a `wangge.Period`, its text in any form the core reads (`2024-Q1`,
/// `2024Q1`, `2024年第1季度`, `2024年3月`, `2024-03`, `2024-W11`...), or a `pandas.Period`
/// of a frequency that is a wangge period (see [`pandas_period`]). A missing value
/// (`None`, `NaT`, NaN) and anything else are `InvalidInput` naming `period`.
pub(crate) fn period_arg(value: &Bound<'_, PyAny>) -> PyResult<wangge::Period> {
    if let Ok(period) = value.cast::<Period>() {
        return Ok(period.get().0);
    }
    if let Ok(text) = value.cast::<PyString>() {
        return py_result(wangge::Period::parse(&str_value("period", text)?));
    }
    let kind = value.get_type();
    let module = kind.module()?.to_string_lossy().into_owned();
    if module.starts_with("pandas") && kind.name()?.to_string_lossy() == "Period" {
        return pandas_period(value);
    }
    let missing = value.is_none()
        || value.cast::<PyFloat>().is_ok_and(|f| f.value().is_nan())
        || (module.starts_with("pandas") && kind.name()?.to_string_lossy() == "NaTType");
    let reason = if missing {
        "a period is required here, and a missing value (None, NaT, NaN) is no period"
    } else {
        "expected a wangge.Period, a pandas.Period or text such as 2024-Q1, 2024Q1, \
         2024年第1季度 or 2024年3月"
    };
    Err(invalid("period", repr_text(value), reason))
}

/// A `pandas.Period` as the wangge period of the same days: frequency `D` a day, `W-SUN`
/// an ISO week (Monday to Sunday), `M` a month, `Q-DEC` a quarter, `Y-DEC` a year (read
/// from its `freqstr` and `start_time`). Any other frequency (hours, weeks ending on
/// another day, fiscal quarters and years) is `InvalidInput` naming `period`.
fn pandas_period(value: &Bound<'_, PyAny>) -> PyResult<wangge::Period> {
    let freq: String = value.getattr("freqstr")?.extract()?;
    let kind = match freq.as_str() {
        "D" => PeriodKind::Day,
        "W-SUN" => PeriodKind::Week,
        "M" | "ME" => PeriodKind::Month,
        "Q-DEC" | "QE-DEC" => PeriodKind::Quarter,
        "Y-DEC" | "YE-DEC" | "A-DEC" => PeriodKind::Year,
        _ => {
            return Err(invalid(
                "period",
                repr_text(value),
                &format!(
                    "a pandas.Period of frequency {freq} is no wangge period (expected D, \
                     W-SUN, M, Q-DEC or Y-DEC)"
                ),
            ));
        }
    };
    let first = date_arg("period", &value.getattr("start_time")?)?;
    let period = py_result(wangge::Period::containing(kind, first))?;
    if period.first() != first {
        return Err(invalid(
            "period",
            repr_text(value),
            &format!(
                "it does not start where the {} {period} does",
                kind.as_str()
            ),
        ));
    }
    Ok(period)
}

/// Adds the `Period` class to the module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Period>()
}
