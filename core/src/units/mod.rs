//! The unit tree (网格/单元): counties down to buildings, with history.
//!
//! Each unit's place in the tree over time is a list of spans (`unit_span`), each valid on
//! `[valid_from, valid_to)` and carrying the unit's materialised path. A subtree on a date
//! is one range scan of the path index and ancestors are read off one row, so no query
//! walks the tree a row at a time. Units are retired, never deleted, so history still
//! rolls up; moving a unit splits the spans of its whole subtree at the move date.

mod add;
mod moves;

use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;

use crate::date::{self, Date};
use crate::error::{Error, Result};
use crate::levels::check_code_chars;
use crate::store::{Store, check_actor};

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
    pub(crate) valid_from: i64,
    pub(crate) valid_to: i64,
    pub(crate) code: String,
    pub(crate) parent: Option<String>,
    pub(crate) name: String,
    pub(crate) level: String,
    pub(crate) depth: i64,
    pub(crate) start: i64,
    pub(crate) retired: i64,
}

/// Where spans are inserted: the table and its columns.
macro_rules! into_spans {
    () => {
        "INTO unit_span (path, valid_from, valid_to, code, parent, name, level, depth, start, retired)"
    };
}
/// A batch's spans, up to their values: `OR IGNORE`, with the rows counted instead (see
/// `add.rs`), since a statement of many rows that may abort has SQLite journal every page
/// it touches.
const INSERT_SPANS_HEAD: &str = concat!("INSERT OR IGNORE ", into_spans!());
const INSERT_SPAN: &str = concat!(
    "INSERT ",
    into_spans!(),
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
);

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
            start: date::from_sql_bound(self.start),
            end: date::from_sql_bound(self.retired),
        }
    }

    fn insert(&self, conn: &Connection) -> Result<()> {
        let mut stmt = conn.prepare_cached(INSERT_SPAN)?;
        self.insert_with(&mut stmt)
    }

    fn insert_with(&self, stmt: &mut rusqlite::Statement<'_>) -> Result<()> {
        stmt.execute(params![
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
    Ok(spans_of(conn, code)?
        .into_iter()
        .find(|s| s.valid_from <= on && on < s.valid_to))
}

/// All spans of `code`, oldest first; none when there is no such unit.
pub(crate) fn spans_of(conn: &Connection, code: &str) -> Result<Vec<Span>> {
    let row = conn
        .prepare_cached(
            "SELECT name, level, depth, start, retired, history FROM unit WHERE code = ?1",
        )?
        .query_row([code], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, String>(5)?,
            ))
        })
        .optional()?;
    let Some((name, level, depth, start, retired, history)) = row else {
        return Ok(Vec::new());
    };
    let entries = crate::store::history_spans(&history);
    Ok(entries
        .iter()
        .enumerate()
        .map(|(i, (from, path))| Span {
            path: (*path).to_owned(),
            valid_from: *from,
            valid_to: entries.get(i + 1).map_or(retired, |next| next.0),
            code: code.to_owned(),
            parent: parent_in(path).map(str::to_owned),
            name: name.clone(),
            level: level.clone(),
            depth,
            start,
            retired,
        })
        .collect())
}

/// The parent's code in a path: its second-to-last segment.
fn parent_in(path: &str) -> Option<&str> {
    path.rsplit('/').nth(1).filter(|s| !s.is_empty())
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

impl Store {
    /// A handle on the same store, acting as `actor`, that sees and changes only the
    /// subtree of unit `code`, through every method. A scope of a scoped handle must lie
    /// inside it.
    ///
    /// What the handle gets for anything outside its subtree:
    /// - `PermissionDenied` for a unit code the caller names (it can see the code exists),
    ///   for the deployment's settings (rule sets, calendar, tag kinds), for
    ///   [`Store::verify_audit`] and [`Store::close`], and for staff members working
    ///   outside (staff ids are deployment-wide); [`Store::assign`] refuses a staff member
    ///   with an assignment outside that has not ended.
    /// - `NotFound`, worded exactly as for a record that does not exist, for a household,
    ///   resident, visit, finding, entry or assignment outside: saying "outside" would tell
    ///   that it exists.
    /// - A per-row import error for a row whose household, or whose ID number's resident,
    ///   is registered outside ([`Store::import_households`]).
    /// - Only the audit records about its subtree ([`Store::audit_log`]).
    ///
    /// Household ids and ID numbers are unique store-wide: adding one taken outside is a
    /// `Conflict`. The handle is closed when the store is ([`Store::close`]).
    pub fn scope(&self, code: &str, actor: &str) -> Result<Store> {
        check_actor(actor)?;
        check_code_chars(code)?;
        let today = self.today();
        {
            let conn = self.read()?;
            span_on(&conn, code, today)?
                .ok_or_else(|| Error::not_found("unit", code))
                .and_then(|span| self.check_path_in_scope(code, &span.path))?;
        }
        Ok(self.scoped(code, actor))
    }

    /// The unit `code` as it stood on `as_of` (`NotFound` if it did not exist then), or,
    /// without a date, as it stands today or, if retired, as it last stood.
    pub fn unit(&self, code: &str, as_of: Option<Date>) -> Result<Unit> {
        check_code_chars(code)?;
        let conn = self.read()?;
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
        let conn = self.read()?;
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
        let conn = self.read()?;
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
                start: date::from_sql_bound(row.get(4)?),
                end: date::from_sql_bound(row.get(5)?),
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
        let conn = self.read()?;
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
        if codes.is_empty() {
            return Ok(Vec::new());
        }
        // Every ancestor's path on that day is a prefix of this unit's path, so all of them
        // come from one lookup of the primary key.
        let paths: Vec<String> = {
            let mut end = 0;
            let mut prefixes = Vec::new();
            for segment in span.path[1..].split('/') {
                end += 1 + segment.len();
                prefixes.push(span.path[..end].to_owned());
            }
            prefixes.pop();
            prefixes.split_off(prefixes.len() - codes.len())
        };
        let placeholders = vec!["?"; paths.len()].join(", ");
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {SPAN_COLUMNS} FROM unit_span WHERE path IN ({placeholders}) AND valid_from <= ?{n} AND valid_to > ?{n}",
            n = paths.len() + 1
        ))?;
        let on_sql = date::to_sql(on);
        let mut values: Vec<&dyn rusqlite::ToSql> =
            paths.iter().map(|p| p as &dyn rusqlite::ToSql).collect();
        values.push(&on_sql);
        let mut found: Vec<Span> = stmt
            .query_map(values.as_slice(), Span::from_row)?
            .collect::<rusqlite::Result<_>>()?;
        if found.len() != paths.len() {
            return Err(Error::Storage(format!(
                "ancestors of {code} are missing on {on}"
            )));
        }
        found.sort_by_key(|s| s.depth);
        Ok(found.iter().map(Span::to_unit).collect())
    }
}
