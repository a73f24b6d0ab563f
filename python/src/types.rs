//! The records the store returns, as frozen Python classes with a readable `repr`,
//! equality, hashing and `to_dict()`: here the helpers they share and the records of the
//! unit tree, staff and the audit chain; those of the registry are in `registry_types`.

use pyo3::IntoPyObjectExt;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use wangge::Date;

use crate::registry_types::{
    Archive, ArchiveSection, Household, ImportResult, Resident, TagKind, UnitCounts,
};

/// One field of a record as a Python value, for `repr` and `to_dict`.
pub(crate) type Field<'py> = (&'static str, Bound<'py, PyAny>);

/// A record's fields in declaration order.
pub(crate) trait Record {
    /// The Python class name.
    const NAME: &'static str;
    /// The field names and their Python values.
    fn fields<'py>(&self, py: Python<'py>) -> PyResult<Vec<Field<'py>>>;
}

/// `Name(field=repr, …)`, each value shown by its Python `repr`.
pub(crate) fn record_repr<R: Record>(record: &R, py: Python<'_>) -> PyResult<String> {
    let mut parts = Vec::new();
    for (name, value) in record.fields(py)? {
        parts.push(format!("{name}={}", value.repr()?.to_string_lossy()));
    }
    Ok(format!("{}({})", R::NAME, parts.join(", ")))
}

/// A new dict of the record's fields.
pub(crate) fn record_dict<'py, R: Record>(
    record: &R,
    py: Python<'py>,
) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    for (name, value) in record.fields(py)? {
        dict.set_item(name, value)?;
    }
    Ok(dict)
}

/// A Rust value as a Python object.
pub(crate) fn py_any<'py, T: IntoPyObjectExt<'py>>(
    py: Python<'py>,
    value: T,
) -> PyResult<Bound<'py, PyAny>> {
    value.into_bound_py_any(py)
}

/// A node of the territory tree as it stood on some date (网格/单元).
#[pyclass(frozen, eq, hash, module = "wangge._native")]
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Unit {
    /// The unit's code, its identity for life.
    #[pyo3(get)]
    pub code: String,
    /// Its name, e.g. `安岳县`.
    #[pyo3(get)]
    pub name: String,
    /// Its level kind, e.g. `grid`.
    #[pyo3(get)]
    pub level: String,
    /// Its parent's code on the date asked about; `None` for a root.
    #[pyo3(get)]
    pub parent: Option<String>,
    /// The first day it existed; `None` when it has existed on every date.
    #[pyo3(get)]
    pub start: Option<Date>,
    /// The day it was retired (it no longer exists from that day); `None` while active.
    #[pyo3(get)]
    pub end: Option<Date>,
}

impl From<wangge::Unit> for Unit {
    fn from(unit: wangge::Unit) -> Self {
        Unit {
            code: unit.code,
            name: unit.name,
            level: unit.level,
            parent: unit.parent,
            start: unit.start,
            end: unit.end,
        }
    }
}

impl Record for Unit {
    const NAME: &'static str = "Unit";
    fn fields<'py>(&self, py: Python<'py>) -> PyResult<Vec<Field<'py>>> {
        Ok(vec![
            ("code", py_any(py, &self.code)?),
            ("name", py_any(py, &self.name)?),
            ("level", py_any(py, &self.level)?),
            ("parent", py_any(py, &self.parent)?),
            ("start", py_any(py, self.start)?),
            ("end", py_any(py, self.end)?),
        ])
    }
}

#[pymethods]
impl Unit {
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        record_repr(self, py)
    }

    /// The unit's fields as a new dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        record_dict(self, py)
    }
}

/// A staff member (网格员 and the other roles); the phone is masked (`138****5678`).
#[pyclass(frozen, eq, hash, module = "wangge._native")]
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Staff {
    /// The caller's id for the person (`staff_id` in Python).
    #[pyo3(get, name = "staff_id")]
    pub id: String,
    /// Their name.
    #[pyo3(get)]
    pub name: String,
    /// Their phone, masked; `Store.staff_phone` reads it in clear.
    #[pyo3(get)]
    pub phone: Option<String>,
}

impl From<wangge::Staff> for Staff {
    fn from(staff: wangge::Staff) -> Self {
        Staff {
            id: staff.staff_id,
            name: staff.name,
            phone: staff.phone,
        }
    }
}

impl Record for Staff {
    const NAME: &'static str = "Staff";
    fn fields<'py>(&self, py: Python<'py>) -> PyResult<Vec<Field<'py>>> {
        Ok(vec![
            ("staff_id", py_any(py, &self.id)?),
            ("name", py_any(py, &self.name)?),
            ("phone", py_any(py, &self.phone)?),
        ])
    }
}

#[pymethods]
impl Staff {
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        record_repr(self, py)
    }

    /// The staff member's fields as a new dict (phone masked).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        record_dict(self, py)
    }
}

/// A staff member's role on a unit over a stretch of days, both ends inclusive.
#[pyclass(frozen, eq, hash, module = "wangge._native")]
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Assignment {
    /// The assignment's id in this store.
    #[pyo3(get)]
    pub id: i64,
    /// Who.
    #[pyo3(get)]
    pub staff_id: String,
    /// Their name.
    #[pyo3(get)]
    pub name: String,
    /// On which unit (its code).
    #[pyo3(get)]
    pub unit: String,
    /// In which role, e.g. `grid_chief`.
    #[pyo3(get)]
    pub role: String,
    /// The first day; `None` for "always".
    #[pyo3(get)]
    pub start: Option<Date>,
    /// The last day (inclusive); `None` while it lasts.
    #[pyo3(get)]
    pub end: Option<Date>,
}

impl From<wangge::Assignment> for Assignment {
    fn from(a: wangge::Assignment) -> Self {
        Assignment {
            id: a.id,
            staff_id: a.staff_id,
            name: a.name,
            unit: a.unit,
            role: a.role.as_str().to_owned(),
            start: a.start,
            end: a.end,
        }
    }
}

impl Record for Assignment {
    const NAME: &'static str = "Assignment";
    fn fields<'py>(&self, py: Python<'py>) -> PyResult<Vec<Field<'py>>> {
        Ok(vec![
            ("id", py_any(py, self.id)?),
            ("staff_id", py_any(py, &self.staff_id)?),
            ("name", py_any(py, &self.name)?),
            ("unit", py_any(py, &self.unit)?),
            ("role", py_any(py, &self.role)?),
            ("start", py_any(py, self.start)?),
            ("end", py_any(py, self.end)?),
        ])
    }
}

#[pymethods]
impl Assignment {
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        record_repr(self, py)
    }

    /// The assignment's fields as a new dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        record_dict(self, py)
    }
}

/// One record of the audit chain: who did what to which record, and when.
#[pyclass(frozen, eq, hash, module = "wangge._native")]
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AuditRecord {
    /// Position in the chain, from 1, without gaps.
    #[pyo3(get)]
    pub seq: i64,
    /// When the write happened (RFC 3339 text with the deployment's offset).
    #[pyo3(get)]
    pub at: String,
    /// Who made it (the handle's actor).
    #[pyo3(get)]
    pub actor: String,
    /// What was done, e.g. `add_unit`.
    #[pyo3(get)]
    pub action: String,
    /// What it was done to, e.g. a unit code.
    #[pyo3(get)]
    pub target: String,
    /// Details of the write as JSON text.
    #[pyo3(get)]
    pub detail: String,
    /// SHA-256 (hex) over the previous hash and this record's fields.
    #[pyo3(get)]
    pub hash: String,
}

impl From<wangge::AuditRecord> for AuditRecord {
    fn from(r: wangge::AuditRecord) -> Self {
        AuditRecord {
            seq: r.seq,
            at: r.at,
            actor: r.actor,
            action: r.action,
            target: r.target,
            detail: r.detail,
            hash: r.hash,
        }
    }
}

impl Record for AuditRecord {
    const NAME: &'static str = "AuditRecord";
    fn fields<'py>(&self, py: Python<'py>) -> PyResult<Vec<Field<'py>>> {
        Ok(vec![
            ("seq", py_any(py, self.seq)?),
            ("at", py_any(py, &self.at)?),
            ("actor", py_any(py, &self.actor)?),
            ("action", py_any(py, &self.action)?),
            ("target", py_any(py, &self.target)?),
            ("detail", py_any(py, &self.detail)?),
            ("hash", py_any(py, &self.hash)?),
        ])
    }
}

#[pymethods]
impl AuditRecord {
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        record_repr(self, py)
    }

    /// The record's fields as a new dict (`detail` stays JSON text).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        record_dict(self, py)
    }
}

/// The outcome of `Store.verify_audit()`; true in a boolean context when the chain is
/// intact.
#[pyclass(frozen, eq, hash, module = "wangge._native")]
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AuditVerification {
    /// True when every record is intact and none is missing.
    #[pyo3(get)]
    pub ok: bool,
    /// How many records the chain holds.
    #[pyo3(get)]
    pub records: i64,
    /// The sequence number of the first bad or missing record, when not ok.
    #[pyo3(get)]
    pub first_bad: Option<i64>,
    /// What is wrong, when not ok.
    #[pyo3(get)]
    pub problem: Option<String>,
}

impl From<wangge::AuditVerification> for AuditVerification {
    fn from(v: wangge::AuditVerification) -> Self {
        AuditVerification {
            ok: v.ok,
            records: v.records,
            first_bad: v.first_bad,
            problem: v.problem,
        }
    }
}

impl Record for AuditVerification {
    const NAME: &'static str = "AuditVerification";
    fn fields<'py>(&self, py: Python<'py>) -> PyResult<Vec<Field<'py>>> {
        Ok(vec![
            ("ok", py_any(py, self.ok)?),
            ("records", py_any(py, self.records)?),
            ("first_bad", py_any(py, self.first_bad)?),
            ("problem", py_any(py, &self.problem)?),
        ])
    }
}

#[pymethods]
impl AuditVerification {
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        record_repr(self, py)
    }

    fn __bool__(&self) -> bool {
        self.ok
    }

    /// The outcome's fields as a new dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        record_dict(self, py)
    }
}

/// Adds the record classes to the module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Unit>()?;
    m.add_class::<Staff>()?;
    m.add_class::<Assignment>()?;
    m.add_class::<AuditRecord>()?;
    m.add_class::<AuditVerification>()?;
    m.add_class::<Household>()?;
    m.add_class::<Resident>()?;
    m.add_class::<TagKind>()?;
    m.add_class::<UnitCounts>()?;
    m.add_class::<ArchiveSection>()?;
    m.add_class::<Archive>()?;
    m.add_class::<ImportResult>()?;
    Ok(())
}
