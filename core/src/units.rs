//! The unit tree (网格/单元): counties down to buildings, with history.
//!
//! Each unit's place in the tree over time is a list of spans (`unit_span`), each valid on
//! `[valid_from, valid_to)` and carrying the unit's materialised path. A subtree on a date
//! is one range scan of the path index and ancestors are read off one row, so no query
//! walks the tree a row at a time. Units are retired, never deleted, so history still
//! rolls up; moving a unit splits the spans of its whole subtree at the move date.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;
use serde_json::json;

use crate::date::{self, Date, FOREVER};
use crate::error::{Error, Result};
use crate::levels::check_code_chars;
use crate::store::{Store, path_contains};

/// A node of the territory tree as it stood on some date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unit {
    /// The unit's code, its identity for life.
    pub code: String,
    /// Its name, e.g. `安岳县`.
    pub name: String,
    /// Its level kind, e.g. `grid`.
    pub level: String,
    /// Its parent's code on the date asked about; `None` for a root.
    pub parent: Option<String>,
    /// The first day it existed; `None` when it has existed on every date.
    pub start: Option<Date>,
    /// The day it was retired (it no longer exists from that day); `None` while active.
    pub end: Option<Date>,
}

/// A unit to add, for [`Store::add_units`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUnit {
    /// The new unit's code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// Its level kind.
    pub level: String,
    /// Its parent's code, or `None` for a root.
    pub parent: Option<String>,
    /// The first day it exists; `None` for "always" (or as long as its parent has).
    pub start: Option<Date>,
}

/// One stored span of a unit's history.
#[derive(Debug, Clone)]
pub(crate) struct Span {
    pub(crate) path: String,
    pub(crate) valid_from: String,
    pub(crate) valid_to: String,
    pub(crate) code: String,
    pub(crate) parent: Option<String>,
    pub(crate) name: String,
    pub(crate) level: String,
    pub(crate) depth: i64,
    pub(crate) start: String,
    pub(crate) retired: String,
}

const SPAN_COLUMNS: &str =
    "path, valid_from, valid_to, code, parent, name, level, depth, start, retired";

impl Span {
    fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Span {
            path: row.get(0)?,
            valid_from: row.get(1)?,
            valid_to: row.get(2)?,
            code: row.get(3)?,
            parent: row.get(4)?,
            name: row.get(5)?,
            level: row.get(6)?,
            depth: row.get(7)?,
            start: row.get(8)?,
            retired: row.get(9)?,
        })
    }

    fn to_unit(&self) -> Unit {
        Unit {
            code: self.code.clone(),
            name: self.name.clone(),
            level: self.level.clone(),
            parent: self.parent.clone(),
            start: date::from_sql_bound(&self.start),
            end: date::from_sql_bound(&self.retired),
        }
    }

    fn insert(&self, conn: &Connection) -> Result<()> {
        conn.prepare_cached(
            "INSERT INTO unit_span (path, valid_from, valid_to, code, parent, name, level, depth, start, retired)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )?
        .execute(params![
            self.path,
            self.valid_from,
            self.valid_to,
            self.code,
            self.parent,
            self.name,
            self.level,
            self.depth,
            self.start,
            self.retired
        ])?;
        Ok(())
    }
}

/// The span of `code` valid on `on`, if the unit existed that day.
pub(crate) fn span_on(conn: &Connection, code: &str, on: Date) -> Result<Option<Span>> {
    let on = date::to_sql(on);
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {SPAN_COLUMNS} FROM unit_span WHERE code = ?1 AND valid_from <= ?2 AND valid_to > ?2"
        ))?
        .query_row(params![code, on], Span::from_row)
        .optional()?)
}

/// All spans of `code`, oldest first.
fn spans_of(conn: &Connection, code: &str) -> Result<Vec<Span>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {SPAN_COLUMNS} FROM unit_span WHERE code = ?1 ORDER BY valid_from"
    ))?;
    let spans = stmt.query_map([code], Span::from_row)?;
    Ok(spans.collect::<rusqlite::Result<_>>()?)
}

/// The key range `[lo, hi)` of the paths strictly below `path`.
fn below(path: &str) -> (String, String) {
    (format!("{path}/"), format!("{path}0"))
}

fn unit_exists(conn: &Connection, code: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM unit WHERE code = ?1")?
        .query_row([code], |_| Ok(()))
        .optional()?
        .is_some())
}

fn check_name(name: &str) -> Result<()> {
    if name.trim().is_empty() || name.chars().count() > 200 {
        return Err(Error::invalid(
            "name",
            name,
            "a unit name is 1 to 200 characters",
        ));
    }
    Ok(())
}

impl Store {
    /// Adds one unit under `parent` (or as a root), existing from `start` (or always).
    ///
    /// Under the default coding rule the code must have its level's length and start with
    /// the parent's code; the level must lie below the parent's. A duplicate code is a
    /// `Conflict`, an unknown parent `NotFound`.
    pub fn add_unit(
        &self,
        code: &str,
        name: &str,
        level: &str,
        parent: Option<&str>,
        start: Option<Date>,
    ) -> Result<Unit> {
        let new = NewUnit {
            code: code.to_owned(),
            name: name.to_owned(),
            level: level.to_owned(),
            parent: parent.map(str::to_owned),
            start,
        };
        self.add_units(std::slice::from_ref(&new))?;
        self.unit(code, None).or_else(|_| {
            let conn = self.conn();
            let spans = spans_of(&conn, code)?;
            spans
                .last()
                .map(Span::to_unit)
                .ok_or_else(|| Error::not_found("unit", code))
        })
    }

    /// Adds many units in one transaction: all of them, or none when any is refused.
    /// Parents may come earlier in the same batch. Returns how many were added.
    pub fn add_units(&self, units: &[NewUnit]) -> Result<usize> {
        self.write(|w| {
            // Spans of the units added so far in this batch, for children that follow them.
            let mut added: HashMap<&str, Vec<Span>> = HashMap::new();
            for new in units {
                let spans = self.plan_new_unit(&w.tx, new, &added)?;
                w.tx.prepare_cached("INSERT INTO unit (code, name, level, start, retired) VALUES (?1, ?2, ?3, ?4, ?5)")?
                    .execute(params![new.code, new.name, new.level, spans[0].start, spans[0].retired])?;
                for span in &spans {
                    span.insert(&w.tx)?;
                }
                w.audit(
                    "add_unit",
                    &new.code,
                    &json!({"name": new.name, "level": new.level, "parent": new.parent, "start": spans[0].start}),
                )?;
                added.insert(new.code.as_str(), spans);
            }
            Ok(units.len())
        })
    }

    /// Validates one new unit and works out its spans, which follow its parent's.
    fn plan_new_unit(
        &self,
        conn: &Connection,
        new: &NewUnit,
        added: &HashMap<&str, Vec<Span>>,
    ) -> Result<Vec<Span>> {
        let levels = &self.config().levels;
        check_code_chars(&new.code)?;
        check_name(&new.name)?;
        let depth = levels.depth(&new.level)?;
        if added.contains_key(new.code.as_str()) || unit_exists(conn, &new.code)? {
            return Err(Error::Conflict(format!(
                "unit code {} already exists",
                new.code
            )));
        }
        let Some(parent) = new.parent.as_deref() else {
            self.check_unscoped(&format!("adding root unit {}", new.code))?;
            levels.check_code(&new.code, depth, None)?;
            let start = date::start_to_sql(new.start);
            return Ok(vec![Span {
                path: format!("/{}", new.code),
                valid_from: start.clone(),
                valid_to: FOREVER.to_owned(),
                code: new.code.clone(),
                parent: None,
                name: new.name.clone(),
                level: new.level.clone(),
                depth: depth as i64,
                start,
                retired: FOREVER.to_owned(),
            }]);
        };
        check_code_chars(parent)
            .map_err(|_| Error::invalid("parent", parent, "not a valid unit code"))?;
        let parent_spans = match added.get(parent) {
            Some(spans) => spans.clone(),
            None => spans_of(conn, parent)?,
        };
        let Some(first) = parent_spans.first() else {
            return Err(Error::not_found("parent unit", parent));
        };
        let parent_depth = first.depth as usize;
        if parent_depth >= depth {
            return Err(Error::invalid(
                "level",
                &new.level,
                format!(
                    "a {} cannot be placed under {parent}, a {}",
                    new.level, first.level
                ),
            ));
        }
        levels.check_code(&new.code, depth, Some((parent, parent_depth)))?;
        // Without a start, the unit has existed as long as its parent.
        let start = new
            .start
            .map_or_else(|| first.valid_from.clone(), date::to_sql);
        let Some(at_start) = parent_spans
            .iter()
            .find(|s| s.valid_from <= start && start < s.valid_to)
        else {
            return Err(Error::invalid(
                "start",
                &start,
                format!("parent unit {parent} did not exist on that day"),
            ));
        };
        self.check_path_in_scope(parent, &at_start.path)?;
        let mut spans: Vec<Span> = parent_spans
            .iter()
            .filter(|s| s.valid_to > start)
            .map(|s| Span {
                path: format!("{}/{}", s.path, new.code),
                valid_from: s.valid_from.clone().max(start.clone()),
                valid_to: s.valid_to.clone(),
                code: new.code.clone(),
                parent: Some(parent.to_owned()),
                name: new.name.clone(),
                level: new.level.clone(),
                depth: depth as i64,
                start: start.clone(),
                retired: FOREVER.to_owned(),
            })
            .collect();
        // A parent retired later takes the child with it.
        let retired = spans
            .last()
            .map_or_else(|| FOREVER.to_owned(), |s| s.valid_to.clone());
        for span in &mut spans {
            span.retired.clone_from(&retired);
        }
        Ok(spans)
    }

    /// The unit `code` as it stood on `as_of` (`NotFound` if it did not exist then), or,
    /// without a date, as it stands today or, if retired, as it last stood.
    pub fn unit(&self, code: &str, as_of: Option<Date>) -> Result<Unit> {
        check_code_chars(code)?;
        let conn = self.conn();
        let on = as_of.unwrap_or_else(|| self.today());
        let span = match span_on(&conn, code, on)? {
            Some(span) => span,
            None if as_of.is_none() => spans_of(&conn, code)?
                .pop()
                .ok_or_else(|| Error::not_found("unit", code))?,
            None if unit_exists(&conn, code)? => {
                return Err(Error::not_found("unit", format!("{code} on {on}")));
            }
            None => return Err(Error::not_found("unit", code)),
        };
        self.check_path_in_scope(code, &span.path)?;
        Ok(span.to_unit())
    }

    /// The span of `code` on `on` within this handle's scope, or the matching error.
    fn visible_span(&self, conn: &Connection, code: &str, on: Date) -> Result<Span> {
        check_code_chars(code)?;
        let span = match span_on(conn, code, on)? {
            Some(span) => span,
            None if unit_exists(conn, code)? => {
                return Err(Error::not_found("unit", format!("{code} on {on}")));
            }
            None => return Err(Error::not_found("unit", code)),
        };
        self.check_path_in_scope(code, &span.path)?;
        Ok(span)
    }

    /// The direct children of `code` on `as_of` (default today), sorted by code.
    pub fn children(&self, code: &str, as_of: Option<Date>) -> Result<Vec<Unit>> {
        let on = as_of.unwrap_or_else(|| self.today());
        let conn = self.conn();
        self.visible_span(&conn, code, on)?;
        let on = date::to_sql(on);
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {SPAN_COLUMNS} FROM unit_span WHERE parent = ?1 AND valid_from <= ?2 AND valid_to > ?2 ORDER BY code"
        ))?;
        let units = stmt.query_map(params![code, on], |r| {
            Span::from_row(r).map(|s| s.to_unit())
        })?;
        Ok(units.collect::<rusqlite::Result<_>>()?)
    }

    /// Every unit below `code` on `as_of` (default today), optionally only those of one
    /// level, sorted by code. The unit itself is not included.
    pub fn descendants(
        &self,
        code: &str,
        level: Option<&str>,
        as_of: Option<Date>,
    ) -> Result<Vec<Unit>> {
        if let Some(level) = level {
            self.levels().depth(level)?;
        }
        let on = as_of.unwrap_or_else(|| self.today());
        let conn = self.conn();
        let span = self.visible_span(&conn, code, on)?;
        let (lo, hi) = below(&span.path);
        let on = date::to_sql(on);
        let mut units = Vec::new();
        let mut push = |row: &Row<'_>| -> rusqlite::Result<()> {
            units.push(Unit {
                code: row.get(0)?,
                name: row.get(1)?,
                level: row.get(2)?,
                parent: row.get(3)?,
                start: date::from_sql_bound(row.get_ref(4)?.as_str()?),
                end: date::from_sql_bound(row.get_ref(5)?.as_str()?),
            });
            Ok(())
        };
        let sql = "SELECT code, name, level, parent, start, retired FROM unit_span
                   WHERE path >= ?1 AND path < ?2 AND valid_from <= ?3 AND valid_to > ?3";
        if let Some(level) = level {
            let mut stmt = conn.prepare_cached(&format!("{sql} AND level = ?4"))?;
            let mut rows = stmt.query(params![lo, hi, on, level])?;
            while let Some(row) = rows.next()? {
                push(row)?;
            }
        } else {
            let mut stmt = conn.prepare_cached(sql)?;
            let mut rows = stmt.query(params![lo, hi, on])?;
            while let Some(row) = rows.next()? {
                push(row)?;
            }
        }
        units.sort_unstable_by(|a, b| a.code.cmp(&b.code));
        Ok(units)
    }

    /// The ancestors of `code` on `as_of` (default today), root first, not including the
    /// unit itself. A scoped handle sees them only up to its scope's root.
    pub fn ancestors(&self, code: &str, as_of: Option<Date>) -> Result<Vec<Unit>> {
        let on = as_of.unwrap_or_else(|| self.today());
        let conn = self.conn();
        let span = self.visible_span(&conn, code, on)?;
        let mut codes: Vec<&str> = span.path.split('/').filter(|s| !s.is_empty()).collect();
        codes.pop();
        if let Some(root) = &self.access.root {
            if let Some(at) = codes.iter().position(|c| c == root) {
                codes.drain(..at);
            } else {
                codes.clear();
            }
        }
        codes
            .into_iter()
            .map(|c| {
                span_on(&conn, c, on)?.map(|s| s.to_unit()).ok_or_else(|| {
                    Error::Storage(format!("ancestor {c} of {code} is missing on {on}"))
                })
            })
            .collect()
    }

    /// Moves `code` (with its whole subtree) under `new_parent` from `on`. The unit keeps
    /// its code. Moving a unit under itself or one of its descendants is `InvalidInput`.
    pub fn move_unit(&self, code: &str, new_parent: &str, on: Date) -> Result<Unit> {
        check_code_chars(new_parent)
            .map_err(|_| Error::invalid("new_parent", new_parent, "not a valid unit code"))?;
        let on_sql = date::to_sql(on);
        self.write(|w| {
            let span = self.visible_span(&w.tx, code, on)?;
            let parent_span = span_on(&w.tx, new_parent, on)?
                .ok_or_else(|| Error::not_found("unit", format!("{new_parent} on {on}")))?;
            self.check_path_in_scope(new_parent, &parent_span.path)?;
            if path_contains(&parent_span.path, code) {
                return Err(Error::invalid(
                    "new_parent",
                    new_parent,
                    format!("is {code} itself or one of its descendants"),
                ));
            }
            if parent_span.depth >= span.depth {
                return Err(Error::invalid(
                    "new_parent",
                    new_parent,
                    format!("a {} cannot be placed under a {}", span.level, parent_span.level),
                ));
            }
            if parent_span.valid_to != FOREVER {
                return Err(Error::Conflict(format!(
                    "{new_parent} is moved or retired on {}; a unit can only be moved under a parent that stays put",
                    parent_span.valid_to
                )));
            }
            if span.parent.as_deref() == Some(new_parent) {
                return Ok(span.to_unit());
            }
            let old_prefix = span.path.clone();
            let new_prefix = format!("{}/{code}", parent_span.path);
            let (lo, hi) = below(&old_prefix);
            let affected: Vec<Span> = {
                let mut stmt = w.tx.prepare_cached(&format!(
                    "SELECT {SPAN_COLUMNS} FROM unit_span
                     WHERE (path = ?1 OR (path >= ?2 AND path < ?3)) AND valid_to > ?4"
                ))?;
                let rows = stmt.query_map(params![old_prefix, lo, hi, on_sql], Span::from_row)?;
                rows.collect::<rusqlite::Result<_>>()?
            };
            for old in affected {
                let mut new = old.clone();
                new.path = format!("{new_prefix}{}", &old.path[old_prefix.len()..]);
                if old.code == code {
                    new.parent = Some(new_parent.to_owned());
                }
                if old.valid_from < on_sql {
                    w.tx.prepare_cached("UPDATE unit_span SET valid_to = ?3 WHERE path = ?1 AND valid_from = ?2")?
                        .execute(params![old.path, old.valid_from, on_sql])?;
                    new.valid_from.clone_from(&on_sql);
                } else {
                    w.tx.prepare_cached("DELETE FROM unit_span WHERE path = ?1 AND valid_from = ?2")?
                        .execute(params![old.path, old.valid_from])?;
                }
                new.insert(&w.tx)?;
            }
            w.audit(
                "move_unit",
                code,
                &json!({"from": span.parent, "to": new_parent, "on": on_sql}),
            )?;
            let moved = span_on(&w.tx, code, on)?.ok_or_else(|| Error::not_found("unit", code))?;
            Ok(moved.to_unit())
        })
    }

    /// Retires `code` from `on`: it no longer exists from that day, but stays in history
    /// so earlier periods still roll up. A unit with active children cannot be retired.
    pub fn retire_unit(&self, code: &str, on: Date) -> Result<Unit> {
        let on_sql = date::to_sql(on);
        self.write(|w| {
            let Some(span) = span_on(&w.tx, code, on)? else {
                check_code_chars(code)?;
                let spans = spans_of(&w.tx, code)?;
                return Err(match spans.last() {
                    None => Error::not_found("unit", code),
                    Some(last) if last.retired != FOREVER => {
                        Error::Conflict(format!("unit {code} is already retired from {}", last.retired))
                    }
                    Some(_) => Error::invalid("on", &on_sql, format!("unit {code} did not exist on that day")),
                });
            };
            self.check_path_in_scope(code, &span.path)?;
            if span.start == on_sql {
                return Err(Error::invalid("on", &on_sql, format!("unit {code} starts on that day")));
            }
            let later: Option<String> = w
                .tx
                .prepare_cached("SELECT valid_from FROM unit_span WHERE code = ?1 AND valid_from > ?2 LIMIT 1")?
                .query_row(params![code, on_sql], |r| r.get(0))
                .optional()?;
            if let Some(later) = later {
                return Err(Error::Conflict(format!(
                    "unit {code} has changes recorded from {later}, after {on_sql}"
                )));
            }
            let (lo, hi) = below(&span.path);
            let child: Option<String> = w
                .tx
                .prepare_cached("SELECT code FROM unit_span WHERE path >= ?1 AND path < ?2 AND valid_to > ?3 LIMIT 1")?
                .query_row(params![lo, hi, on_sql], |r| r.get(0))
                .optional()?;
            if let Some(child) = child {
                return Err(Error::Conflict(format!(
                    "unit {code} still has unit {child} under it on or after {on_sql}; retire or move it first"
                )));
            }
            if span.valid_from == on_sql {
                w.tx.prepare_cached("DELETE FROM unit_span WHERE path = ?1 AND valid_from = ?2")?
                    .execute(params![span.path, span.valid_from])?;
            } else {
                w.tx.prepare_cached("UPDATE unit_span SET valid_to = ?3 WHERE path = ?1 AND valid_from = ?2")?
                    .execute(params![span.path, span.valid_from, on_sql])?;
            }
            w.tx.prepare_cached("UPDATE unit_span SET retired = ?2 WHERE code = ?1")?
                .execute(params![code, on_sql])?;
            w.tx.prepare_cached("UPDATE unit SET retired = ?2 WHERE code = ?1")?
                .execute(params![code, on_sql])?;
            w.audit("retire_unit", code, &json!({"on": on_sql}))?;
            let mut unit = span.to_unit();
            unit.end = Some(on);
            Ok(unit)
        })
    }
}
