//! The unit tree (网格/单元) on the Python `Store`: adding, reading, moving and retiring
//! units, and the `Unit` record.

use std::borrow::Cow;

use pyo3::prelude::*;

use wangge::NewUnit;

use super::Store;
use super::frames::arrow_batches;
use crate::args::{Code, Text};
use crate::convert::{batch_items_json, date_arg, opt_date_arg};
use crate::plain::{Fields, plain_batch};
use crate::record::{record, records};

record! {
    /// A node of the territory tree as it stood on some date (网格/单元).
    pub struct Unit(wangge::Unit) as u, repr = all {
        /// The unit's code, its identity for life.
        code: &str = &u.code,
        /// Its name, e.g. `安岳县`.
        name: &str = &u.name,
        /// Its level kind, e.g. `grid`.
        level: &str = &u.level,
        /// Its parent's code on the date asked about; `None` for a root.
        parent: Option<&str> = u.parent.as_deref(),
        /// The first day it existed; `None` when it has existed on every date.
        start: Option<wangge::Date> = u.start,
        /// The day it was retired (it no longer exists from that day); `None` while active.
        end: Option<wangge::Date> = u.end,
    }
}

/// Adds the `Unit` class to the module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Unit>()
}

#[pymethods]
impl Store {
    /// Adds one unit under `parent` (or as a root), existing from `start` (or as long as
    /// its parent has).
    #[pyo3(signature = (code, name, level, parent=None, start=None))]
    fn add_unit(
        &self,
        py: Python<'_>,
        code: Code<'_>,
        name: Text<'_>,
        level: Text<'_>,
        parent: Option<Code<'_>>,
        start: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Unit> {
        let code = code.0;
        let code: &str = &code;
        let name = name.0;
        let name: &str = &name;
        let level = level.0;
        let level: &str = &level;
        let parent: Option<Cow<'_, str>> = parent.map(|t| t.0);
        let parent: Option<&str> = parent.as_deref();
        self.with_args(
            py,
            || opt_date_arg("start", start),
            |s, start| s.add_unit(code, name, level, parent, start),
        )
        .map(Unit::from)
    }

    /// Adds many units in one transaction, all or none; parents may come earlier in the
    /// same batch. Each item is a dict with the keys `code, name, level` and optionally
    /// `parent, start`, or a tuple in that order; or the units are the rows of a table
    /// with the Arrow stream (`__arrow_c_stream__`: a pyarrow table, a pandas or polars
    /// `DataFrame`), its columns named as those keys. Returns how many were added.
    fn add_units(&self, py: Python<'_>, units: &Bound<'_, PyAny>) -> PyResult<usize> {
        if units.hasattr("__arrow_c_stream__")? {
            return self.with_args(
                py,
                || arrow_batches("units", units),
                |s, (schema, batches)| s.add_units(&NewUnit::list_from_arrow(&schema, &batches)?),
            );
        }
        let read = |fields: Fields<'_, '_>| NewUnit::from_texts(fields);
        if let Some(batch) = plain_batch(units, &NewUnit::KEYS, read)? {
            return self.with_args(py, || Ok(batch), |s, batch| s.add_units(&batch));
        }
        self.with_args(
            py,
            || batch_items_json(py, ("units", "unit"), units, (&NewUnit::KEYS, &["start"])),
            |s, json| s.add_units(&NewUnit::list_from_json(&json)?),
        )
    }

    /// The unit `code` as it stood on `as_of`, or, without a date, as it stands today or,
    /// if retired, as it last stood.
    #[pyo3(signature = (code, as_of=None))]
    fn unit(
        &self,
        py: Python<'_>,
        code: Code<'_>,
        as_of: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Unit> {
        let code = code.0;
        let code: &str = &code;
        self.with_args(
            py,
            || opt_date_arg("as_of", as_of),
            |s, as_of| s.unit(code, as_of),
        )
        .map(Unit::from)
    }

    /// The direct children of `code` on `as_of` (default today), sorted by code.
    #[pyo3(signature = (code, as_of=None))]
    fn children(
        &self,
        py: Python<'_>,
        code: Code<'_>,
        as_of: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Vec<Unit>> {
        let code = code.0;
        let code: &str = &code;
        self.with_args(
            py,
            || opt_date_arg("as_of", as_of),
            |s, as_of| s.children(code, as_of),
        )
        .map(records)
    }

    /// Every unit below `code` on `as_of` (default today), optionally only those of one
    /// level, sorted by code; the unit itself is not included.
    #[pyo3(signature = (code, level=None, as_of=None))]
    fn descendants(
        &self,
        py: Python<'_>,
        code: Code<'_>,
        level: Option<Text<'_>>,
        as_of: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Vec<Unit>> {
        let code = code.0;
        let code: &str = &code;
        let level = level.map(|t| t.0);
        let level: Option<&str> = level.as_deref();
        self.with_args(
            py,
            || opt_date_arg("as_of", as_of),
            |s, as_of| s.descendants(code, level, as_of),
        )
        .map(records)
    }

    /// The ancestors of `code` on `as_of` (default today), root first, not including the
    /// unit itself; a scoped handle sees them only up to its scope's root.
    #[pyo3(signature = (code, as_of=None))]
    fn ancestors(
        &self,
        py: Python<'_>,
        code: Code<'_>,
        as_of: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Vec<Unit>> {
        let code = code.0;
        let code: &str = &code;
        self.with_args(
            py,
            || opt_date_arg("as_of", as_of),
            |s, as_of| s.ancestors(code, as_of),
        )
        .map(records)
    }

    /// Moves `code`, with its whole subtree, under `new_parent` from `on`; it keeps its
    /// code and the tree as of earlier dates is unchanged.
    fn move_unit(
        &self,
        py: Python<'_>,
        code: Code<'_>,
        new_parent: Code<'_>,
        on: &Bound<'_, PyAny>,
    ) -> PyResult<Unit> {
        let code = code.0;
        let code: &str = &code;
        let new_parent = new_parent.0;
        let new_parent: &str = &new_parent;
        self.with_args(
            py,
            || date_arg("on", on),
            |s, on| s.move_unit(code, new_parent, on),
        )
        .map(Unit::from)
    }

    /// Retires `code` from `on`: it no longer exists from that day but stays in history.
    fn retire_unit(&self, py: Python<'_>, code: Code<'_>, on: &Bound<'_, PyAny>) -> PyResult<Unit> {
        let code = code.0;
        let code: &str = &code;
        self.with_args(py, || date_arg("on", on), |s, on| s.retire_unit(code, on))
            .map(Unit::from)
    }
}
