//! `wangge._native`: the Python binding of the wangge core (网格化服务管理).
//!
//! A thin layer: arguments are converted to core values, the core does the work with the
//! GIL released, results come back as frozen record classes and core errors as one
//! exception class per error kind under `wangge.Error`. The pure-Python package `wangge`
//! re-exports everything defined here. `Store`'s methods and the record classes live in
//! `store/`, one file per area of the core.

mod convert;
mod errors;
mod record;
mod shapes;
mod store;

use pyo3::prelude::*;
use wangge::{Levels, Role};

/// The native module: the `Store` class, the record classes, `Period`, the exception classes,
/// `__version__`, `ROLES` (every staff role name, most responsible first),
/// `DEFAULT_LEVELS` (the levels a store gets when none are given), `ARCHIVE_SECTIONS`
/// (the sections of a household's archive, in the seed's order) and `INDICATORS` (every
/// report indicator's key and Chinese name, in column order).
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", wangge::VERSION)?;
    store::register(m)?;
    errors::register(m)?;
    let roles: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
    m.add("ROLES", pyo3::types::PyTuple::new(m.py(), roles)?)?;
    m.add("DEFAULT_LEVELS", store::level_pairs(&Levels::default()))?;
    Ok(())
}
