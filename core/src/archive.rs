//! The 民生档案 (livelihood archive) of a household: the eight sections of seed 002, each
//! a JSON object, every change kept as a new version with its time and author so earlier
//! states stay readable; and the day the archive was last re-verified.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, SecondsFormat};
use rusqlite::params;
use serde::Serialize;
use serde_json::{Value, json};

use crate::date::{self, Date};
use crate::error::{Error, Result};
use crate::store::Store;

/// The eight sections, in the seed's order: 个人基本情况, 就业情况, 教育文化情况, 健康状况,
/// 参保情况, 帮扶情况, 信访诉求, 对社区组织诉求.
pub const ARCHIVE_SECTIONS: [&str; 8] = [
    "basic",
    "employment",
    "education",
    "health",
    "insurance",
    "assistance",
    "petitions",
    "demands",
];

/// One version of one section.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArchiveSection {
    /// The section's name (one of [`ARCHIVE_SECTIONS`]).
    pub section: String,
    /// 1 for the first version, then counting up.
    pub version: i64,
    /// When it was written (RFC 3339 with the deployment's offset).
    pub at: String,
    /// Who wrote it.
    pub author: String,
    /// The section's content, a JSON object.
    pub content: Value,
}

/// A household's archive as it stood at some moment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Archive {
    /// The household.
    pub household_id: String,
    /// The latest version of each section written by then; absent sections were never written.
    pub sections: BTreeMap<String, ArchiveSection>,
    /// The day the archive was last re-verified, if ever.
    pub verified: Option<Date>,
}

/// The most bytes one version of an archive section may take, as JSON text: room for
/// years of a household's notes, not for a file pasted in.
pub const ARCHIVE_CONTENT_MAX: usize = 256 * 1024;

/// Checks a section's content: a JSON object of at most [`ARCHIVE_CONTENT_MAX`] bytes
/// whose keys and texts hold no control character but tabs and line breaks (as free text
/// may). Refusals name `content` without showing it: it holds personal data.
fn check_content(content: &Value) -> Result<String> {
    if !content.is_object() {
        return Err(Error::invalid(
            "content",
            crate::json::kind_of(content),
            "an archive section is a JSON object",
        ));
    }
    let text = content.to_string();
    if text.len() > ARCHIVE_CONTENT_MAX {
        return Err(Error::invalid(
            "content",
            format!("{} bytes", text.len()),
            format!("an archive section is at most {ARCHIVE_CONTENT_MAX} bytes of JSON"),
        ));
    }
    let mut texts = vec![content];
    while let Some(value) = texts.pop() {
        let found = match value {
            Value::String(s) => crate::text::first_control(s, true),
            Value::Array(items) => {
                texts.extend(items);
                None
            }
            Value::Object(map) => {
                texts.extend(map.values());
                map.keys().find_map(|k| crate::text::first_control(k, true))
            }
            _ => None,
        };
        if let Some(c) = found {
            return Err(Error::invalid(
                "content",
                format!("U+{:04X}", u32::from(c)),
                "an archive section's text holds a control character",
            ));
        }
    }
    Ok(text)
}

fn check_section(section: &str) -> Result<()> {
    if ARCHIVE_SECTIONS.contains(&section) {
        Ok(())
    } else {
        Err(Error::invalid(
            "section",
            section,
            format!("expected one of {}", ARCHIVE_SECTIONS.join(", ")),
        ))
    }
}

impl Store {
    /// [`Store::set_archive_section`] with the content given as JSON text: an object
    /// whose keys and values the section chooses. Text that is not JSON is
    /// `InvalidInput` naming `content`; the text is not shown, since it holds personal
    /// data.
    pub fn set_archive_section_json(
        &self,
        household_id: &str,
        section: &str,
        content_json: &str,
    ) -> Result<ArchiveSection> {
        let content = crate::json::value(content_json, "content", true)?;
        self.set_archive_section(household_id, section, &content)
    }

    /// Writes a new version of one section of a household's archive; `content` must be a
    /// JSON object of at most [`ARCHIVE_CONTENT_MAX`] bytes whose texts hold no control
    /// character but tabs and line breaks. The author is this handle's actor.
    pub fn set_archive_section(
        &self,
        household_id: &str,
        section: &str,
        content: &Value,
    ) -> Result<ArchiveSection> {
        check_section(section)?;
        let content_text = check_content(content)?;
        let today = self.today();
        self.write(|w| {
            self.household_visible(&w.tx, household_id, today)?;
            let version: i64 = w
                .tx
                .prepare_cached("SELECT coalesce(max(version), 0) + 1 FROM archive_version WHERE household_id = ?1 AND section = ?2")?
                .query_row(params![household_id, section], |r| r.get(0))?;
            let at = w.at().to_owned();
            let author = w.actor().to_owned();
            w.tx.prepare_cached(
                "INSERT INTO archive_version (household_id, section, version, at, author, content) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![household_id, section, version, at, author, content_text])?;
            w.changes_no_household();
            let unit = crate::registry::latest_unit(&w.tx, household_id)?;
            w.audit("set_archive_section", household_id, unit.as_slice(), &json!({"section": section, "version": version}))?;
            Ok(ArchiveSection {
                section: section.to_owned(),
                version,
                at,
                author,
                content: content.clone(),
            })
        })
    }

    /// A household's archive as it stood at moment `at` (RFC 3339 text with an offset, or
    /// a date meaning the end of that day in the deployment's time zone), or now. Other
    /// text is `InvalidInput` naming `at`.
    pub fn archive(&self, household_id: &str, at: Option<&str>) -> Result<Archive> {
        let at = at.map(|at| self.moment_bound(at)).transpose()?;
        let conn = self.read()?;
        let verified = self.household_visible(&conn, household_id, self.today())?;
        let mut stmt = conn.prepare_cached(
            "SELECT section, version, at, author, content FROM archive_version
             WHERE household_id = ?1 AND (?2 IS NULL OR at <= ?2) ORDER BY section, version",
        )?;
        let mut rows = stmt.query(params![household_id, at])?;
        let mut sections = BTreeMap::new();
        while let Some(row) = rows.next()? {
            let section = read_section(row)?;
            sections.insert(section.section.clone(), section);
        }
        Ok(Archive {
            household_id: household_id.to_owned(),
            sections,
            verified,
        })
    }

    /// The last stored time that counts as "at or before `at`", in the form versions are
    /// stored in (the store's offset, microseconds): `at` is RFC 3339 text with an offset,
    /// or a date, meaning the end of that day in the store's time zone.
    fn moment_bound(&self, at: &str) -> Result<String> {
        let offset = self.offset();
        let moment = if let Ok(moment) = DateTime::parse_from_rfc3339(at) {
            moment.with_timezone(&offset)
        } else if let Ok(day) = NaiveDate::parse_from_str(at, "%Y-%m-%d") {
            day.and_hms_micro_opt(23, 59, 59, 999_999)
                .and_then(|t| t.and_local_timezone(offset).single())
                .ok_or_else(|| Error::invalid("at", at, "out of range"))?
        } else {
            return Err(Error::invalid(
                "at",
                at,
                "expected RFC 3339 time with an offset (2024-03-01T09:00:00+08:00) or a date",
            ));
        };
        Ok(moment.to_rfc3339_opts(SecondsFormat::Micros, false))
    }

    /// Every version of one section, oldest first.
    pub fn archive_history(
        &self,
        household_id: &str,
        section: &str,
    ) -> Result<Vec<ArchiveSection>> {
        check_section(section)?;
        let conn = self.read()?;
        self.household_visible(&conn, household_id, self.today())?;
        let mut stmt = conn.prepare_cached(
            "SELECT section, version, at, author, content FROM archive_version
             WHERE household_id = ?1 AND section = ?2 ORDER BY version",
        )?;
        let mut rows = stmt.query(params![household_id, section])?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            out.push(read_section(row)?);
        }
        Ok(out)
    }

    /// Records that a household's archive was re-verified on `on` (数据更新).
    pub fn verify_archive(&self, household_id: &str, on: Date) -> Result<()> {
        self.write(|w| {
            self.household_visible(&w.tx, household_id, on)?;
            w.tx.prepare_cached("UPDATE household SET verified = ?2 WHERE household_id = ?1")?
                .execute(params![household_id, date::to_sql(on)])?;
            w.changes_no_household();
            let unit = crate::registry::latest_unit(&w.tx, household_id)?;
            w.audit(
                "verify_archive",
                household_id,
                unit.as_slice(),
                &json!({"on": on.to_string()}),
            )
        })
    }
}

fn read_section(row: &rusqlite::Row<'_>) -> Result<ArchiveSection> {
    let content: String = row.get(4)?;
    Ok(ArchiveSection {
        section: row.get(0)?,
        version: row.get(1)?,
        at: row.get(2)?,
        author: row.get(3)?,
        content: serde_json::from_str(&content)
            .map_err(|e| Error::Storage(format!("archive content is unreadable: {e}")))?,
    })
}
