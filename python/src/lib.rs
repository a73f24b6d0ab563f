//! `wangge._native`: the Python binding of the wangge core (网格化服务管理).
//!
//! A thin layer: arguments are converted to core values, the core does the work with the
//! GIL released, results come back as frozen record classes and core errors as one
//! exception class per error kind under `wangge.Error`. The pure-Python package `wangge`
//! re-exports everything defined here. `Store`'s methods and the record classes live in
//! `store/`, one file per area of the core.

mod args;
mod convert;
mod errors;
mod page;
mod plain;
mod progress;
mod record;
mod store;

use pyo3::prelude::*;
use pyo3::types::PyDict;
use wangge::{EntryAction, HouseholdKind, Levels, NewResident, Role, Source};

/// The core's defaults that `Store`'s signatures write out as literals (Python shows a
/// default only when it is a literal), so a test can check that they agree: `kind`,
/// `relation`, `source`, `min_sample` and `extension_days` (first, last).
#[pyfunction(name = "_defaults")]
fn defaults(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let days = EntryAction::EXTENSION_DAYS;
    let d = PyDict::new(py);
    d.set_item("kind", HouseholdKind::DEFAULT.as_str())?;
    d.set_item("relation", NewResident::DEFAULT_RELATION)?;
    d.set_item("source", Source::DEFAULT.as_str())?;
    d.set_item("min_sample", wangge::report::DEFAULT_MIN_SAMPLE)?;
    d.set_item("extension_days", (*days.start(), *days.end()))?;
    Ok(d)
}

/// The native module: the `Store` class, the record classes, `Period`, the exception classes,
/// `__version__`, `ROLES` (every staff role name, most responsible first),
/// `DEFAULT_LEVELS` (the levels a store gets when none are given), `ARCHIVE_SECTIONS`
/// (the sections of a household's archive, in the seed's order) and `INDICATORS` (every
/// report indicator's key and Chinese name, in column order).
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    // Before any store opens: the interpreter's SQLite, built without lookaside memory,
    // counts every allocation under a mutex while its statistics are on. Does nothing if
    // SQLite has already started in this process (see the function's documentation).
    wangge::sqlite_memory_statistics_off();
    m.add("__version__", wangge::VERSION)?;
    store::register(m)?;
    errors::register(m)?;
    page::register(m)?;
    let roles: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
    m.add("ROLES", pyo3::types::PyTuple::new(m.py(), roles)?)?;
    m.add("DEFAULT_LEVELS", store::level_pairs(&Levels::default()))?;
    // Set, not added: a private name stays out of `__all__`.
    m.setattr("_defaults", wrap_pyfunction!(defaults, m)?)?;
    Ok(())
}
