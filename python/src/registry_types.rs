//! The records of the registry: households, residents, tag kinds, counts, the archive and
//! import results. ID numbers and phones arrive masked from the core and stay so in every
//! `repr` and `to_dict()`.

use std::collections::BTreeMap;

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use serde_json::Value;
use wangge::Date;

use crate::types::{Field, Record, py_any, record_dict, record_repr};

/// A household (户) as it stood on some date.
#[pyclass(frozen, eq, hash, module = "wangge._native")]
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Household {
    /// The caller's id for the household (`household_id` in Python).
    #[pyo3(get, name = "household_id")]
    pub id: String,
    /// The grid or building it lived in that day.
    #[pyo3(get)]
    pub unit: String,
    /// Its address.
    #[pyo3(get)]
    pub address: String,
    /// `registered` (户籍), `floating` (流动) or `rental` (出租).
    #[pyo3(get)]
    pub kind: String,
    /// The tags active that day on the household or any member, sorted.
    #[pyo3(get)]
    pub tags: Vec<String>,
    /// `ordinary` (普通户) or `special` (特殊户), derived from the tags
    /// (`household_class` in Python).
    #[pyo3(get, name = "household_class")]
    pub class: String,
    /// The first day it is on the registry; `None` for always.
    #[pyo3(get)]
    pub start: Option<Date>,
    /// The day it left the registry, if it has.
    #[pyo3(get)]
    pub end: Option<Date>,
    /// The day its archive was last re-verified, if ever.
    #[pyo3(get)]
    pub verified: Option<Date>,
}

impl From<wangge::Household> for Household {
    fn from(h: wangge::Household) -> Self {
        Household {
            id: h.household_id,
            unit: h.unit,
            address: h.address,
            kind: h.kind.as_str().to_owned(),
            tags: h.tags,
            class: h.household_class.as_str().to_owned(),
            start: h.start,
            end: h.end,
            verified: h.verified,
        }
    }
}

impl Record for Household {
    const NAME: &'static str = "Household";
    fn fields<'py>(&self, py: Python<'py>) -> PyResult<Vec<Field<'py>>> {
        Ok(vec![
            ("household_id", py_any(py, &self.id)?),
            ("unit", py_any(py, &self.unit)?),
            ("address", py_any(py, &self.address)?),
            ("kind", py_any(py, &self.kind)?),
            ("tags", py_any(py, &self.tags)?),
            ("household_class", py_any(py, &self.class)?),
            ("start", py_any(py, self.start)?),
            ("end", py_any(py, self.end)?),
            ("verified", py_any(py, self.verified)?),
        ])
    }
}

#[pymethods]
impl Household {
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        record_repr(self, py)
    }

    /// The household's fields as a new dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        record_dict(self, py)
    }
}

/// A resident (居民) as they stood on some date. The ID number and the phone are masked
/// (`510123********1234`, `138****5678`); `Store.resident_clear` reads them in clear.
#[pyclass(frozen, eq, hash, module = "wangge._native")]
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Resident {
    /// The store's id for the person (`resident_id` in Python).
    #[pyo3(get, name = "resident_id")]
    pub id: i64,
    /// The household they belonged to that day.
    #[pyo3(get)]
    pub household_id: String,
    /// Their name.
    #[pyo3(get)]
    pub name: String,
    /// Their ID number, masked.
    #[pyo3(get)]
    pub id_number: Option<String>,
    /// True when the ID number was given in the 15-digit form and upgraded to 18.
    #[pyo3(get)]
    pub id_upgraded: bool,
    /// The birth date the ID number encodes.
    #[pyo3(get)]
    pub birth_date: Option<Date>,
    /// `male` or `female`, as the ID number encodes it.
    #[pyo3(get)]
    pub sex: Option<String>,
    /// Their phone, masked.
    #[pyo3(get)]
    pub phone: Option<String>,
    /// Hukou type (户口性质).
    #[pyo3(get)]
    pub hukou: Option<String>,
    /// Employer (工作单位).
    #[pyo3(get)]
    pub employer: Option<String>,
    /// Relation to the head of the household (`head`, `spouse`, `child` ...).
    #[pyo3(get)]
    pub relation: String,
    /// The tags active that day on the person, sorted.
    #[pyo3(get)]
    pub tags: Vec<String>,
}

impl From<wangge::Resident> for Resident {
    fn from(r: wangge::Resident) -> Self {
        Resident {
            id: r.resident_id,
            household_id: r.household_id,
            name: r.name,
            id_number: r.id_number,
            id_upgraded: r.id_upgraded,
            birth_date: r.birth_date,
            sex: r.sex.map(|s| s.as_str().to_owned()),
            phone: r.phone,
            hukou: r.hukou,
            employer: r.employer,
            relation: r.relation,
            tags: r.tags,
        }
    }
}

impl Record for Resident {
    const NAME: &'static str = "Resident";
    fn fields<'py>(&self, py: Python<'py>) -> PyResult<Vec<Field<'py>>> {
        Ok(vec![
            ("resident_id", py_any(py, self.id)?),
            ("household_id", py_any(py, &self.household_id)?),
            ("name", py_any(py, &self.name)?),
            ("id_number", py_any(py, &self.id_number)?),
            ("id_upgraded", py_any(py, self.id_upgraded)?),
            ("birth_date", py_any(py, self.birth_date)?),
            ("sex", py_any(py, &self.sex)?),
            ("phone", py_any(py, &self.phone)?),
            ("hukou", py_any(py, &self.hukou)?),
            ("employer", py_any(py, &self.employer)?),
            ("relation", py_any(py, &self.relation)?),
            ("tags", py_any(py, &self.tags)?),
        ])
    }
}

#[pymethods]
impl Resident {
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        record_repr(self, py)
    }

    /// The resident's fields as a new dict (ID number and phone masked).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        record_dict(self, py)
    }
}

/// A tag kind the store knows (特殊群体 and the deployment's own), and whether it makes a
/// household special.
#[pyclass(frozen, eq, hash, module = "wangge._native")]
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TagKind {
    /// Its name, e.g. `低保`.
    #[pyo3(get)]
    pub tag: String,
    /// True when carrying it makes a household special (特殊户).
    #[pyo3(get)]
    pub special: bool,
}

impl From<wangge::TagKind> for TagKind {
    fn from(k: wangge::TagKind) -> Self {
        TagKind {
            tag: k.tag,
            special: k.special,
        }
    }
}

impl Record for TagKind {
    const NAME: &'static str = "TagKind";
    fn fields<'py>(&self, py: Python<'py>) -> PyResult<Vec<Field<'py>>> {
        Ok(vec![
            ("tag", py_any(py, &self.tag)?),
            ("special", py_any(py, self.special)?),
        ])
    }
}

#[pymethods]
impl TagKind {
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        record_repr(self, py)
    }

    /// The tag kind's fields as a new dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        record_dict(self, py)
    }
}

/// Registry counts for one unit on one day: for a row of `Store.unit_counts` the
/// households living directly in the unit, for its total those of the whole subtree.
#[pyclass(frozen, eq, hash, module = "wangge._native")]
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UnitCounts {
    /// The unit's code.
    #[pyo3(get)]
    pub unit: String,
    /// Households living there.
    #[pyo3(get)]
    pub households: u64,
    /// Of those, special ones (特殊户).
    #[pyo3(get)]
    pub special_households: u64,
    /// Residents of those households.
    #[pyo3(get)]
    pub residents: u64,
    /// Floating households (流动).
    #[pyo3(get)]
    pub floating: u64,
}

impl From<wangge::UnitCounts> for UnitCounts {
    fn from(c: wangge::UnitCounts) -> Self {
        UnitCounts {
            unit: c.unit,
            households: c.households,
            special_households: c.special_households,
            residents: c.residents,
            floating: c.floating,
        }
    }
}

impl Record for UnitCounts {
    const NAME: &'static str = "UnitCounts";
    fn fields<'py>(&self, py: Python<'py>) -> PyResult<Vec<Field<'py>>> {
        Ok(vec![
            ("unit", py_any(py, &self.unit)?),
            ("households", py_any(py, self.households)?),
            ("special_households", py_any(py, self.special_households)?),
            ("residents", py_any(py, self.residents)?),
            ("floating", py_any(py, self.floating)?),
        ])
    }
}

#[pymethods]
impl UnitCounts {
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        record_repr(self, py)
    }

    /// The counts as a new dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        record_dict(self, py)
    }
}

/// A JSON value as a new Python object: objects become dicts, arrays lists.
pub(crate) fn json_to_py<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    match value {
        Value::Null => Ok(py.None().into_bound(py)),
        Value::Bool(b) => py_any(py, *b),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                py_any(py, i)
            } else if let Some(u) = n.as_u64() {
                py_any(py, u)
            } else {
                py_any(py, n.as_f64().unwrap_or(f64::NAN))
            }
        }
        Value::String(s) => py_any(py, s),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(json_to_py(py, item)?)?;
            }
            Ok(list.into_any())
        }
        Value::Object(map) => {
            let dict = PyDict::new(py);
            for (key, item) in map {
                dict.set_item(key, json_to_py(py, item)?)?;
            }
            Ok(dict.into_any())
        }
    }
}

/// One version of one section of a household's 民生档案 (livelihood archive).
#[pyclass(frozen, eq, hash, module = "wangge._native")]
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ArchiveSection {
    /// The section's name, one of `ARCHIVE_SECTIONS`.
    #[pyo3(get)]
    pub section: String,
    /// 1 for the first version, then counting up.
    #[pyo3(get)]
    pub version: i64,
    /// When it was written (RFC 3339 text with the deployment's offset).
    #[pyo3(get)]
    pub at: String,
    /// Who wrote it (the actor of the handle that wrote it).
    #[pyo3(get)]
    pub author: String,
    /// The section's content (a JSON object).
    pub content: Value,
}

impl From<wangge::ArchiveSection> for ArchiveSection {
    fn from(s: wangge::ArchiveSection) -> Self {
        ArchiveSection {
            section: s.section,
            version: s.version,
            at: s.at,
            author: s.author,
            content: s.content,
        }
    }
}

impl Record for ArchiveSection {
    const NAME: &'static str = "ArchiveSection";
    fn fields<'py>(&self, py: Python<'py>) -> PyResult<Vec<Field<'py>>> {
        Ok(vec![
            ("section", py_any(py, &self.section)?),
            ("version", py_any(py, self.version)?),
            ("at", py_any(py, &self.at)?),
            ("author", py_any(py, &self.author)?),
            ("content", json_to_py(py, &self.content)?),
        ])
    }
}

#[pymethods]
impl ArchiveSection {
    /// The section's content as a new dict; changing it changes nothing stored.
    #[getter]
    fn content<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_to_py(py, &self.content)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        record_repr(self, py)
    }

    /// The version's fields as a new dict, `content` as a dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        record_dict(self, py)
    }
}

/// A household's archive as it stood at some moment: the latest version of each section
/// written by then.
#[pyclass(frozen, eq, hash, module = "wangge._native")]
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Archive {
    /// The household.
    #[pyo3(get)]
    pub household_id: String,
    /// The sections written by then, by name; sections never written are absent.
    pub sections: BTreeMap<String, ArchiveSection>,
    /// The day the archive was last re-verified, if ever.
    #[pyo3(get)]
    pub verified: Option<Date>,
}

impl From<wangge::Archive> for Archive {
    fn from(a: wangge::Archive) -> Self {
        Archive {
            household_id: a.household_id,
            sections: a
                .sections
                .into_iter()
                .map(|(name, section)| (name, ArchiveSection::from(section)))
                .collect(),
            verified: a.verified,
        }
    }
}

impl Record for Archive {
    const NAME: &'static str = "Archive";
    fn fields<'py>(&self, py: Python<'py>) -> PyResult<Vec<Field<'py>>> {
        Ok(vec![
            ("household_id", py_any(py, &self.household_id)?),
            ("sections", self.sections(py)?.into_any()),
            ("verified", py_any(py, self.verified)?),
        ])
    }
}

#[pymethods]
impl Archive {
    /// The sections written by then as a new dict of `ArchiveSection`, by section name.
    #[getter]
    fn sections<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        for (name, section) in &self.sections {
            dict.set_item(name, section.clone())?;
        }
        Ok(dict)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        record_repr(self, py)
    }

    /// The archive as a new dict; each section is itself a dict (see
    /// `ArchiveSection.to_dict`).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let sections = PyDict::new(py);
        for (name, section) in &self.sections {
            sections.set_item(name, record_dict(section, py)?)?;
        }
        let dict = PyDict::new(py);
        dict.set_item("household_id", &self.household_id)?;
        dict.set_item("sections", sections)?;
        dict.set_item("verified", self.verified)?;
        Ok(dict)
    }
}

/// What `Store.import_households` did. Bad rows never raise: they are listed in `errors`
/// as `(line, field, message)`; in all-or-nothing mode any error means nothing was written.
#[pyclass(frozen, eq, hash, module = "wangge._native")]
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ImportResult {
    /// Households and residents created.
    #[pyo3(get)]
    pub inserted: u64,
    /// Households and residents that existed and were updated.
    #[pyo3(get)]
    pub updated: u64,
    /// Every rejected row as `(line, field, message)`, by line: the line in the CSV file,
    /// or the position (from 1) of a row given directly.
    #[pyo3(get)]
    pub errors: Vec<(usize, String, String)>,
}

impl From<wangge::ImportResult> for ImportResult {
    fn from(r: wangge::ImportResult) -> Self {
        ImportResult {
            inserted: r.inserted,
            updated: r.updated,
            errors: r
                .errors
                .into_iter()
                .map(|e| (e.line, e.field, e.message))
                .collect(),
        }
    }
}

impl Record for ImportResult {
    const NAME: &'static str = "ImportResult";
    fn fields<'py>(&self, py: Python<'py>) -> PyResult<Vec<Field<'py>>> {
        Ok(vec![
            ("inserted", py_any(py, self.inserted)?),
            ("updated", py_any(py, self.updated)?),
            ("errors", py_any(py, &self.errors)?),
        ])
    }
}

#[pymethods]
impl ImportResult {
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        record_repr(self, py)
    }

    /// The result's fields as a new dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        record_dict(self, py)
    }
}
