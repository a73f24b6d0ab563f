//! The official Chinese working-day calendar (public holidays and 调休 make-up days):
//! module functions over the calendar shipped with the library, and `Store` methods over
//! the store's calendar (the shipped one plus the years loaded into the store).
//!
//! A date of a year the calendar does not cover raises `NotFound` naming the year; load
//! its arrangement with `Store.load_calendar`.

use std::path::PathBuf;

use pyo3::prelude::*;
use wangge::Date;

use super::Store;
use crate::args::{Text, int_value};
use crate::convert::date_arg;
use crate::errors::{invalid, py_result};

/// The `n`-th working day after `date` (the day itself not counted) in the official
/// calendar; the `-n`-th before it for a negative `n`, `date` itself for 0.
#[pyfunction]
fn add_working_days(date: &Bound<'_, PyAny>, n: &Bound<'_, PyAny>) -> PyResult<Date> {
    let n = int_value("n", n)?.0;
    let day = date_arg("date", date)?;
    py_result(wangge::add_working_days(day, n))
}

/// The working days in `(a, b]` in the official calendar; negative when `b` is before
/// `a`.
#[pyfunction]
fn working_days_between(a: &Bound<'_, PyAny>, b: &Bound<'_, PyAny>) -> PyResult<i64> {
    let (a, b) = (date_arg("a", a)?, date_arg("b", b)?);
    py_result(wangge::working_days_between(a, b))
}

/// Adds the calendar functions to the module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(add_working_days, m)?)?;
    m.add_function(wrap_pyfunction!(working_days_between, m)?)?;
    Ok(())
}

#[pymethods]
impl Store {
    /// The `n`-th working day after `date` in this store's calendar.
    fn add_working_days(
        &self,
        py: Python<'_>,
        date: &Bound<'_, PyAny>,
        n: &Bound<'_, PyAny>,
    ) -> PyResult<Date> {
        let n = int_value("n", n)?.0;
        self.with_args(
            py,
            || date_arg("date", date),
            |s, day| s.add_working_days(day, n),
        )
    }

    /// The working days in `(a, b]` in this store's calendar.
    fn working_days_between(
        &self,
        py: Python<'_>,
        a: &Bound<'_, PyAny>,
        b: &Bound<'_, PyAny>,
    ) -> PyResult<i64> {
        self.with_args(
            py,
            || Ok((date_arg("a", a)?, date_arg("b", b)?)),
            |s, (a, b)| s.working_days_between(a, b),
        )
    }

    /// Loads holiday arrangements into the store, from the file at `path` or from `text`
    /// (one of the two), one holiday per line: `YEAR NAME off FIRST[..LAST] [work
    /// DAY[,DAY...]]`, dates `MM-DD` or `YYYY-MM-DD`, `#` starting a comment. Every handle
    /// on the store then counts working days with them; a year already loaded or shipped
    /// is replaced. Returns the years loaded. A malformed line raises `InvalidInput`
    /// naming its number; a scoped handle raises `PermissionDenied`.
    #[pyo3(signature = (path=None, *, text=None))]
    fn load_calendar(
        &self,
        py: Python<'_>,
        path: Option<PathBuf>,
        text: Option<Text<'_>>,
    ) -> PyResult<Vec<i32>> {
        let text: Option<String> = text.map(|t| t.0.into_owned());
        // The file's path (`Ok`) or the text (`Err`), exactly one of them.
        let source = || match (path, text) {
            (Some(path), None) => Ok(Ok(path)),
            (None, Some(text)) => Ok(Err(text)),
            _ => Err(invalid(
                "path",
                "",
                "give either a file path or text=, not both or neither",
            )),
        };
        self.with_args(py, source, |s, source| match source {
            Ok(path) => s.load_calendar_file(&path),
            Err(text) => s.load_calendar(&text),
        })
    }

    /// The years this store's calendar covers, in order: the shipped ones and those loaded.
    fn calendar_years(&self, py: Python<'_>) -> PyResult<Vec<i32>> {
        self.with(py, |s| Ok(s.calendar()?.years()))
    }
}
