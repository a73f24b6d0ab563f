//! The household archive (民生档案) on the Python `Store`: versioned sections, the archive
//! as it stood at a moment, and re-verification; with the `ArchiveSection` and `Archive`
//! records and `ARCHIVE_SECTIONS`.

use std::collections::BTreeMap;

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};
use wangge::Date;

use super::Store;
use crate::args::Text;
use crate::convert::{date_arg, json_arg, opt_moment_arg};
use crate::record::{Json, record, records};

record! {
    /// One version of one section of a household's 民生档案 (livelihood archive).
    pub struct ArchiveSection(wangge::ArchiveSection) as s, repr = all {
        /// The section's name, one of `ARCHIVE_SECTIONS`.
        section: &str = &s.section,
        /// 1 for the first version, then counting up.
        version: i64 = s.version,
        /// When it was written (RFC 3339 text with the deployment's offset).
        at: &str = &s.at,
        /// Who wrote it (the actor of the handle that wrote it).
        author: &str = &s.author,
        /// The section's content as a new dict; changing it changes nothing stored.
        content: Json = Json(s.content.clone()),
    }
}

record! {
    /// A household's archive as it stood at some moment: the latest version of each section
    /// written by then.
    pub struct Archive(wangge::Archive) as a, repr = all {
        /// The household.
        household_id: &str = &a.household_id,
        /// The sections written by then as a new dict of `ArchiveSection`, by section name;
        /// sections never written are absent. In `to_dict()` each section is itself a
        /// dict (see `ArchiveSection.to_dict`).
        sections: BTreeMap<String, ArchiveSection> = a
            .sections
            .iter()
            .map(|(name, section)| (name.clone(), ArchiveSection::from(section.clone())))
            .collect() => sections_dict,
        /// The day the archive was last re-verified, if ever.
        verified: Option<Date> = a.verified,
    }
}

/// The sections of an archive as a dict of dicts, for `Archive.to_dict()`.
fn sections_dict<'py>(
    py: Python<'py>,
    sections: &BTreeMap<String, ArchiveSection>,
) -> PyResult<Bound<'py, PyAny>> {
    let dict = PyDict::new(py);
    for (name, section) in sections {
        dict.set_item(name, section.to_dict(py)?)?;
    }
    Ok(dict.into_any())
}

/// Adds the archive's record classes and `ARCHIVE_SECTIONS` to the module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<ArchiveSection>()?;
    m.add_class::<Archive>()?;
    m.add(
        "ARCHIVE_SECTIONS",
        PyTuple::new(m.py(), wangge::ARCHIVE_SECTIONS)?,
    )
}

#[pymethods]
impl Store {
    /// Writes a new version of one section (one of `ARCHIVE_SECTIONS`) of a household's
    /// 民生档案; `content` is a dict of JSON values. Earlier versions stay readable; the
    /// author is this handle's actor.
    fn set_archive_section(
        &self,
        py: Python<'_>,
        household_id: Text<'_>,
        section: Text<'_>,
        content: &Bound<'_, PyAny>,
    ) -> PyResult<ArchiveSection> {
        let household_id = household_id.0;
        let household_id: &str = &household_id;
        let section = section.0;
        let section: &str = &section;
        self.with_args(
            py,
            || json_arg("content", content),
            |s, content| s.set_archive_section(household_id, section, &content),
        )
        .map(ArchiveSection::from)
    }

    /// A household's archive as it stood at moment `at`, or now: the latest version of
    /// each section written by then. `at` is a `datetime` with a time zone, RFC 3339 text
    /// (such as the `at` of an `ArchiveSection`), or a date, meaning the end of that day in
    /// the deployment's time zone.
    #[pyo3(signature = (household_id, at=None))]
    fn archive(
        &self,
        py: Python<'_>,
        household_id: Text<'_>,
        at: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Archive> {
        let household_id = household_id.0;
        let household_id: &str = &household_id;
        self.with_args(
            py,
            || opt_moment_arg("at", at),
            |s, at| s.archive(household_id, at.as_deref()),
        )
        .map(Archive::from)
    }

    /// Every version of one section of a household's archive, oldest first.
    fn archive_history(
        &self,
        py: Python<'_>,
        household_id: Text<'_>,
        section: Text<'_>,
    ) -> PyResult<Vec<ArchiveSection>> {
        let household_id = household_id.0;
        let household_id: &str = &household_id;
        let section = section.0;
        let section: &str = &section;
        self.with(py, |s| s.archive_history(household_id, section))
            .map(records)
    }

    /// Records that a household's archive was re-verified on `on` (数据更新); the
    /// household's and the archive's `verified` show it.
    fn verify_archive(
        &self,
        py: Python<'_>,
        household_id: Text<'_>,
        on: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let household_id = household_id.0;
        let household_id: &str = &household_id;
        self.with_args(
            py,
            || date_arg("on", on),
            |s, on| s.verify_archive(household_id, on),
        )
    }
}
