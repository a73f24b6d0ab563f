//! `wangge.Store`: a handle on one deployment's SQLite store.
//!
//! The class is frozen and holds the core handle behind a `Mutex<Option<_>>`: `None` once
//! closed. Every method converts its Python arguments first, then takes the lock just long
//! enough to clone the core handle (an `Arc`), and does the database work with the GIL
//! released, so a slow query never blocks other Python threads and no Rust lock is ever
//! held while the GIL is taken.

use std::path::PathBuf;
use std::sync::{Mutex, PoisonError};

use pyo3::prelude::*;
use pyo3::types::PyTuple;
use wangge::{Date, StoreOptions};

use crate::convert::{date_arg, levels_arg, new_unit_arg, opt_date_arg, repr_text};
use crate::errors::{closed, invalid, py_result};
use crate::types::{Assignment, AuditRecord, AuditVerification, Staff, Unit};

/// A handle on one deployment's store (one SQLite file, or `":memory:"`).
///
/// A context manager: leaving the `with` block closes the handle. Every write through any
/// handle appends to the audit chain. `scope()` gives a handle restricted to one subtree.
#[pyclass(frozen, module = "wangge._native")]
#[derive(Debug)]
pub struct Store {
    /// The core handle, `None` once this handle is closed.
    handle: Mutex<Option<wangge::Store>>,
}

impl Store {
    /// Wraps an open core handle.
    fn wrap(store: wangge::Store) -> Self {
        Store {
            handle: Mutex::new(Some(store)),
        }
    }

    /// A clone of the core handle, or `StorageError` once closed. The lock is released
    /// before this returns.
    fn handle(&self) -> PyResult<wangge::Store> {
        self.handle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
            .ok_or_else(closed)
    }
}

/// Runs `work` on a core handle with the GIL released.
fn run<T, F>(py: Python<'_>, store: &wangge::Store, work: F) -> PyResult<T>
where
    T: Send,
    F: FnOnce(&wangge::Store) -> wangge::Result<T> + Send,
{
    py_result(py.detach(move || work(store)))
}

/// Converts a list of core records into their Python classes.
fn convert<C, P: From<C>>(items: Vec<C>) -> Vec<P> {
    items.into_iter().map(P::from).collect()
}

#[pymethods]
impl Store {
    /// Opens (creating if needed) the store at `path`, or an in-memory store for
    /// `":memory:"`. `levels` (a list of `(name, code length or None)` pairs, root first)
    /// and `utc_offset_minutes` are fixed when the store is created; `actor` is who writes
    /// through this handle.
    #[new]
    #[pyo3(signature = (path, levels=None, actor="system", utc_offset_minutes=None))]
    fn new(
        py: Python<'_>,
        path: PathBuf,
        levels: Option<&Bound<'_, PyAny>>,
        actor: &str,
        utc_offset_minutes: Option<i32>,
    ) -> PyResult<Self> {
        let levels = levels
            .filter(|l| !l.is_none())
            .map(levels_arg)
            .transpose()?;
        let options = StoreOptions {
            levels,
            utc_offset_minutes,
            actor: Some(actor.to_owned()),
        };
        let store = py_result(py.detach(move || wangge::Store::open_with(path, options)))?;
        Ok(Store::wrap(store))
    }

    /// Closes this handle; afterwards every call raises `StorageError`. Closing twice is
    /// harmless. The file is closed when its last handle (including scopes) is closed.
    fn close(&self, py: Python<'_>) {
        let taken = self
            .handle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(store) = taken {
            py.detach(move || drop(store));
        }
    }

    /// True once `close()` was called.
    #[getter]
    fn closed(&self) -> bool {
        self.handle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_none()
    }

    fn __enter__(slf: Bound<'_, Self>) -> PyResult<Bound<'_, Self>> {
        slf.get().handle()?;
        Ok(slf)
    }

    #[pyo3(signature = (*_exc_info))]
    fn __exit__(&self, py: Python<'_>, _exc_info: &Bound<'_, PyTuple>) -> bool {
        self.close(py);
        false
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        match self.handle() {
            Err(_) => "Store(closed)".to_owned(),
            Ok(store) => {
                let text = |s: Option<&str>| {
                    s.into_pyobject(py)
                        .map_or_else(|_| String::new(), |o| repr_text(&o))
                };
                format!(
                    "Store(actor={}, scope_root={})",
                    text(Some(store.actor())),
                    text(store.scope_root())
                )
            }
        }
    }

    /// The actor this handle writes as.
    #[getter]
    fn actor(&self) -> PyResult<String> {
        Ok(self.handle()?.actor().to_owned())
    }

    /// The root of this handle's scope, or `None` for an unrestricted handle.
    #[getter]
    fn scope_root(&self) -> PyResult<Option<String>> {
        Ok(self.handle()?.scope_root().map(str::to_owned))
    }

    /// The deployment's levels, root first, as `(name, code length or None)` pairs.
    #[getter]
    fn levels(&self) -> PyResult<Vec<(String, Option<usize>)>> {
        Ok(self
            .handle()?
            .levels()
            .as_slice()
            .iter()
            .map(|l| (l.name.clone(), l.code_len))
            .collect())
    }

    /// Today's date in the deployment's time zone: what an omitted date means.
    fn today(&self) -> PyResult<Date> {
        Ok(self.handle()?.today())
    }

    /// Adds one unit under `parent` (or as a root), existing from `start` (or as long as
    /// its parent has).
    #[pyo3(signature = (code, name, level, parent=None, start=None))]
    fn add_unit(
        &self,
        py: Python<'_>,
        code: &str,
        name: &str,
        level: &str,
        parent: Option<&str>,
        start: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Unit> {
        let store = self.handle()?;
        let start = opt_date_arg("start", start)?;
        run(py, &store, |s| s.add_unit(code, name, level, parent, start)).map(Unit::from)
    }

    /// Adds many units in one transaction, all or none; parents may come earlier in the
    /// same batch. Each item is a dict with the keys `code, name, level` and optionally
    /// `parent, start`, or a tuple in that order. Returns how many were added.
    fn add_units(&self, py: Python<'_>, units: &Bound<'_, PyAny>) -> PyResult<usize> {
        let store = self.handle()?;
        let mut batch = Vec::new();
        for (index, item) in units.try_iter()?.enumerate() {
            batch.push(new_unit_arg(index, &item?)?);
        }
        py_result(py.detach(move || store.add_units(&batch)))
    }

    /// The unit `code` as it stood on `as_of`, or, without a date, as it stands today or,
    /// if retired, as it last stood.
    #[pyo3(signature = (code, as_of=None))]
    fn unit(&self, py: Python<'_>, code: &str, as_of: Option<&Bound<'_, PyAny>>) -> PyResult<Unit> {
        let store = self.handle()?;
        let as_of = opt_date_arg("as_of", as_of)?;
        run(py, &store, |s| s.unit(code, as_of)).map(Unit::from)
    }

    /// The direct children of `code` on `as_of` (default today), sorted by code.
    #[pyo3(signature = (code, as_of=None))]
    fn children(
        &self,
        py: Python<'_>,
        code: &str,
        as_of: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Vec<Unit>> {
        let store = self.handle()?;
        let as_of = opt_date_arg("as_of", as_of)?;
        run(py, &store, |s| s.children(code, as_of)).map(convert)
    }

    /// Every unit below `code` on `as_of` (default today), optionally only those of one
    /// level, sorted by code; the unit itself is not included.
    #[pyo3(signature = (code, level=None, as_of=None))]
    fn descendants(
        &self,
        py: Python<'_>,
        code: &str,
        level: Option<&str>,
        as_of: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Vec<Unit>> {
        let store = self.handle()?;
        let as_of = opt_date_arg("as_of", as_of)?;
        run(py, &store, |s| s.descendants(code, level, as_of)).map(convert)
    }

    /// The ancestors of `code` on `as_of` (default today), root first, not including the
    /// unit itself; a scoped handle sees them only up to its scope's root.
    #[pyo3(signature = (code, as_of=None))]
    fn ancestors(
        &self,
        py: Python<'_>,
        code: &str,
        as_of: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Vec<Unit>> {
        let store = self.handle()?;
        let as_of = opt_date_arg("as_of", as_of)?;
        run(py, &store, |s| s.ancestors(code, as_of)).map(convert)
    }

    /// Moves `code`, with its whole subtree, under `new_parent` from `on`; it keeps its
    /// code and the tree as of earlier dates is unchanged.
    fn move_unit(
        &self,
        py: Python<'_>,
        code: &str,
        new_parent: &str,
        on: &Bound<'_, PyAny>,
    ) -> PyResult<Unit> {
        let store = self.handle()?;
        let on = date_arg("on", on)?;
        run(py, &store, |s| s.move_unit(code, new_parent, on)).map(Unit::from)
    }

    /// Retires `code` from `on`: it no longer exists from that day but stays in history.
    fn retire_unit(&self, py: Python<'_>, code: &str, on: &Bound<'_, PyAny>) -> PyResult<Unit> {
        let store = self.handle()?;
        let on = date_arg("on", on)?;
        run(py, &store, |s| s.retire_unit(code, on)).map(Unit::from)
    }

    /// Adds a staff member; the returned record has the phone masked.
    #[pyo3(signature = (staff_id, name, phone=None))]
    fn add_staff(
        &self,
        py: Python<'_>,
        staff_id: &str,
        name: &str,
        phone: Option<&str>,
    ) -> PyResult<Staff> {
        let store = self.handle()?;
        run(py, &store, |s| s.add_staff(staff_id, name, phone)).map(Staff::from)
    }

    /// A staff member, phone masked.
    fn staff(&self, py: Python<'_>, staff_id: &str) -> PyResult<Staff> {
        let store = self.handle()?;
        run(py, &store, |s| s.staff(staff_id)).map(Staff::from)
    }

    /// A staff member's phone in clear (or `None`); the read is recorded in the audit
    /// chain.
    fn staff_phone(&self, py: Python<'_>, staff_id: &str) -> PyResult<Option<String>> {
        let store = self.handle()?;
        run(py, &store, |s| s.staff_phone(staff_id))
    }

    /// Assigns a staff member to a unit in a role from `start` (or always) to `end`, the
    /// last day (inclusive), or open-ended.
    #[pyo3(signature = (staff_id, unit, role, start=None, end=None))]
    fn assign(
        &self,
        py: Python<'_>,
        staff_id: &str,
        unit: &str,
        role: &str,
        start: Option<&Bound<'_, PyAny>>,
        end: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Assignment> {
        let store = self.handle()?;
        let start = opt_date_arg("start", start)?;
        let end = opt_date_arg("end", end)?;
        run(py, &store, |s| s.assign(staff_id, unit, role, start, end)).map(Assignment::from)
    }

    /// Ends assignment `assignment_id` on `end`, its last day.
    fn end_assignment(
        &self,
        py: Python<'_>,
        assignment_id: i64,
        end: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let store = self.handle()?;
        let end = date_arg("end", end)?;
        run(py, &store, |s| s.end_assignment(assignment_id, end))
    }

    /// The assignments of `unit` itself on `on` (default today), most responsible role
    /// first.
    #[pyo3(signature = (unit, on=None))]
    fn assignments(
        &self,
        py: Python<'_>,
        unit: &str,
        on: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Vec<Assignment>> {
        let store = self.handle()?;
        let on = opt_date_arg("on", on)?;
        run(py, &store, |s| s.assignments(unit, on)).map(convert)
    }

    /// Who is responsible for `unit` on `on` (default today): the unit's own assignments
    /// or, if it has none, those of its nearest ancestor that has some.
    #[pyo3(signature = (unit, on=None))]
    fn responsible(
        &self,
        py: Python<'_>,
        unit: &str,
        on: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Vec<Assignment>> {
        let store = self.handle()?;
        let on = opt_date_arg("on", on)?;
        run(py, &store, |s| s.responsible(unit, on)).map(convert)
    }

    /// A new handle on the same store, acting as `actor`, that sees and changes only the
    /// subtree of unit `code`; anything outside it raises `PermissionDenied`.
    fn scope(&self, py: Python<'_>, code: &str, actor: &str) -> PyResult<Store> {
        let store = self.handle()?;
        run(py, &store, |s| s.scope(code, actor)).map(Store::wrap)
    }

    /// Recomputes the audit chain and reports whether any record was changed or removed.
    fn verify_audit(&self, py: Python<'_>) -> PyResult<AuditVerification> {
        let store = self.handle()?;
        run(py, &store, wangge::Store::verify_audit).map(AuditVerification::from)
    }

    /// The audit records after sequence number `after`, oldest first, at most `limit`.
    #[pyo3(signature = (after=0, limit=1000))]
    fn audit_log(&self, py: Python<'_>, after: i64, limit: i64) -> PyResult<Vec<AuditRecord>> {
        let store = self.handle()?;
        let limit = usize::try_from(limit)
            .map_err(|_| invalid("limit", limit.to_string(), "must not be negative"))?;
        run(py, &store, |s| s.audit_log(after, limit)).map(convert)
    }
}
