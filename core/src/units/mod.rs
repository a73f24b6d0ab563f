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
use sha2::{Digest, Sha256};

use crate::date::{self, Date, FOREVER};
use crate::error::{Error, Result};
use crate::levels::check_code_chars;
use crate::store::{Store, check_actor, path_contains};

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

const INSERT_SPAN: &str = "INSERT INTO unit_span (path, valid_from, valid_to, code, parent, name, level, depth, start, retired)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";

/// Where a unit sits over time, as much as its children need to know: its depth, its
/// lifetime and its `(path, valid_from, valid_to)` spans, oldest first.
struct Placed {
    depth: i64,
    start: i64,
    retired: i64,
    spans: Vec<(String, i64, i64)>,
}

impl Placed {
    fn of(spans: &[Span]) -> Self {
        Placed {
            depth: spans[0].depth,
            start: spans[0].start,
            retired: spans[0].retired,
            spans: spans
                .iter()
                .map(|s| (s.path.clone(), s.valid_from, s.valid_to))
                .collect(),
        }
    }

    fn history(&self) -> String {
        let mut out = String::new();
        for (path, from, _) in &self.spans {
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(&from.to_string());
            out.push('\t');
            out.push_str(path);
        }
        out
    }
}

/// Maps a primary-key clash on `unit` to a `Conflict` naming the code.
fn duplicate_or(error: rusqlite::Error, code: &str) -> Error {
    match &error {
        rusqlite::Error::SqliteFailure(e, _)
            if e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY =>
        {
            Error::Conflict(format!("unit code {code} already exists"))
        }
        _ => Error::from(error),
    }
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
    let entries: Vec<(i64, &str)> = history
        .lines()
        .filter_map(|line| {
            let (from, path) = line.split_once('\t')?;
            Some((from.parse().ok()?, path))
        })
        .collect();
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

/// The `history` column for a unit's spans, oldest first (see the schema).
fn encode_history(spans: &[Span]) -> String {
    Placed::of(spans).history()
}

/// The parent's code in a path: its second-to-last segment.
fn parent_in(path: &str) -> Option<&str> {
    path.rsplit('/').nth(1).filter(|s| !s.is_empty())
}

fn save_history(conn: &Connection, code: &str, spans: &[Span]) -> Result<()> {
    conn.prepare_cached("UPDATE unit SET history = ?2 WHERE code = ?1")?
        .execute(params![code, encode_history(spans)])?;
    Ok(())
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
    /// A handle on the same store, acting as `actor`, that sees and changes only the
    /// subtree of unit `code`: anything outside it is `PermissionDenied`. A scope of a
    /// scoped handle must lie inside it.
    pub fn scope(&self, code: &str, actor: &str) -> Result<Store> {
        check_actor(actor)?;
        check_code_chars(code)?;
        let today = self.today();
        {
            let conn = self.conn();
            span_on(&conn, code, today)?
                .ok_or_else(|| Error::not_found("unit", code))
                .and_then(|span| self.check_path_in_scope(code, &span.path))?;
        }
        Ok(self.scoped(code, actor))
    }

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
    ///
    /// A batch is one write and gets one audit record (`add_units`) naming how many units
    /// it added, the first and last code and a SHA-256 digest of what was added; a single
    /// unit gets an `add_unit` record naming it.
    pub fn add_units(&self, units: &[NewUnit]) -> Result<usize> {
        self.write(|w| {
            let mut digest = Sha256::new();
            let mut first_start = None;
            {
                // Where each unit of the batch sits, for children that follow it.
                let mut added: HashMap<&str, Placed> = HashMap::with_capacity(units.len());
                let mut insert_unit = w
                    .tx
                    .prepare(
                    "INSERT INTO unit (code, name, level, depth, start, retired, history) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )?;
                let mut insert_span = w.tx.prepare(INSERT_SPAN)?;
                for new in units {
                    let placed = self.plan_new_unit(&w.tx, new, &added)?;
                    insert_unit
                        .execute(params![
                            new.code,
                            new.name,
                            new.level,
                            placed.depth,
                            placed.start,
                            placed.retired,
                            placed.history()
                        ])
                        .map_err(|e| duplicate_or(e, &new.code))?;
                    for (path, from, to) in &placed.spans {
                        insert_span.execute(params![
                            path,
                            from,
                            to,
                            new.code,
                            new.parent,
                            new.name,
                            new.level,
                            placed.depth,
                            placed.start,
                            placed.retired
                        ])?;
                    }
                    first_start.get_or_insert(placed.start);
                    for part in [&new.code, &new.name, &new.level, new.parent.as_deref().unwrap_or("")] {
                        digest.update(part.as_bytes());
                        digest.update([0]);
                    }
                    digest.update(placed.start.to_le_bytes());
                    added.insert(new.code.as_str(), placed);
                }
            }
            match units {
                [] => {}
                [one] => w.audit(
                    "add_unit",
                    &one.code,
                    &json!({"name": one.name, "level": one.level, "parent": one.parent,
                            "start": first_start.map(date::iso)}),
                )?,
                [first, .., last] => w.audit(
                    "add_units",
                    &format!("{}..{}", first.code, last.code),
                    &json!({"count": units.len(), "first": first.code, "last": last.code,
                            "sha256": crate::audit::hex(&digest.finalize())}),
                )?,
            }
            Ok(units.len())
        })
    }

    /// Validates one new unit and works out where it sits: its spans follow its parent's.
    fn plan_new_unit(
        &self,
        conn: &Connection,
        new: &NewUnit,
        added: &HashMap<&str, Placed>,
    ) -> Result<Placed> {
        let levels = &self.config().levels;
        check_code_chars(&new.code)?;
        check_name(&new.name)?;
        let depth = levels.depth(&new.level)?;
        let Some(parent) = new.parent.as_deref() else {
            self.check_unscoped(&format!("adding root unit {}", new.code))?;
            levels.check_code(&new.code, depth, None)?;
            let start = date::start_to_sql(new.start);
            return Ok(Placed {
                depth: depth as i64,
                start,
                retired: FOREVER,
                spans: vec![(format!("/{}", new.code), start, FOREVER)],
            });
        };
        check_code_chars(parent)
            .map_err(|_| Error::invalid("parent", parent, "not a valid unit code"))?;
        let fetched;
        let parent_placed: &Placed = if let Some(placed) = added.get(parent) {
            placed
        } else {
            let spans = spans_of(conn, parent)?;
            if spans.is_empty() {
                return Err(Error::not_found("parent unit", parent));
            }
            fetched = Placed::of(&spans);
            &fetched
        };
        let parent_depth = parent_placed.depth as usize;
        if parent_depth >= depth {
            return Err(Error::invalid(
                "level",
                &new.level,
                format!(
                    "a {} cannot be placed under {parent}, a {}",
                    new.level,
                    levels.as_slice()[parent_depth].name
                ),
            ));
        }
        levels.check_code(&new.code, depth, Some((parent, parent_depth)))?;
        // Without a start, the unit has existed as long as its parent.
        let start = new.start.map_or(parent_placed.start, date::to_sql);
        let Some(at_start) = parent_placed
            .spans
            .iter()
            .find(|(_, from, to)| *from <= start && start < *to)
        else {
            return Err(Error::invalid(
                "start",
                date::iso(start),
                format!("parent unit {parent} did not exist on that day"),
            ));
        };
        self.check_path_in_scope(parent, &at_start.0)?;
        let spans: Vec<(String, i64, i64)> = parent_placed
            .spans
            .iter()
            .filter(|(_, _, to)| *to > start)
            .map(|(path, from, to)| (format!("{path}/{}", new.code), (*from).max(start), *to))
            .collect();
        // A parent retired later takes the child with it.
        let retired = spans.last().map_or(FOREVER, |(_, _, to)| *to);
        Ok(Placed {
            depth: depth as i64,
            start,
            retired,
            spans,
        })
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
                    date::iso(parent_span.valid_to)
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
            let mut histories: HashMap<String, Vec<Span>> = HashMap::new();
            for old in affected {
                let history = match histories.entry(old.code.clone()) {
                    std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                    std::collections::hash_map::Entry::Vacant(e) => e.insert(spans_of(&w.tx, &old.code)?),
                };
                let at = history
                    .iter()
                    .position(|s| s.valid_from == old.valid_from)
                    .ok_or_else(|| Error::Storage(format!("history of unit {} is out of step", old.code)))?;
                let mut new = old.clone();
                new.path = format!("{new_prefix}{}", &old.path[old_prefix.len()..]);
                if old.code == code {
                    new.parent = Some(new_parent.to_owned());
                }
                if old.valid_from < on_sql {
                    w.tx.prepare_cached("UPDATE unit_span SET valid_to = ?3 WHERE path = ?1 AND valid_from = ?2")?
                        .execute(params![old.path, old.valid_from, on_sql])?;
                    new.valid_from = on_sql;
                    history[at].valid_to = on_sql;
                    history.insert(at + 1, new.clone());
                } else {
                    w.tx.prepare_cached("DELETE FROM unit_span WHERE path = ?1 AND valid_from = ?2")?
                        .execute(params![old.path, old.valid_from])?;
                    history[at].path.clone_from(&new.path);
                }
                new.insert(&w.tx)?;
            }
            for (code, spans) in &histories {
                save_history(&w.tx, code, spans)?;
            }
            w.audit(
                "move_unit",
                code,
                &json!({"from": span.parent, "to": new_parent, "on": on.to_string()}),
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
                        Error::Conflict(format!("unit {code} is already retired from {}", date::iso(last.retired)))
                    }
                    Some(_) => Error::invalid("on", on, format!("unit {code} did not exist on that day")),
                });
            };
            self.check_path_in_scope(code, &span.path)?;
            if span.start == on_sql {
                return Err(Error::invalid("on", on, format!("unit {code} starts on that day")));
            }
            let mut history = spans_of(&w.tx, code)?;
            let later = history.iter().map(|s| s.valid_from).find(|from| *from > on_sql);
            if let Some(later) = later {
                return Err(Error::Conflict(format!(
                    "unit {code} has changes recorded from {}, after {on}",
                    date::iso(later)
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
                    "unit {code} still has unit {child} under it on or after {on}; retire or move it first"
                )));
            }
            if span.valid_from == on_sql {
                w.tx.prepare_cached("DELETE FROM unit_span WHERE path = ?1 AND valid_from = ?2")?
                    .execute(params![span.path, span.valid_from])?;
                history.retain(|s| s.valid_from != on_sql);
                save_history(&w.tx, code, &history)?;
            } else {
                w.tx.prepare_cached("UPDATE unit_span SET valid_to = ?3 WHERE path = ?1 AND valid_from = ?2")?
                    .execute(params![span.path, span.valid_from, on_sql])?;
            }
            for kept in &history {
                w.tx.prepare_cached("UPDATE unit_span SET retired = ?3 WHERE path = ?1 AND valid_from = ?2")?
                    .execute(params![kept.path, kept.valid_from, on_sql])?;
            }
            w.tx.prepare_cached("UPDATE unit SET retired = ?2 WHERE code = ?1")?
                .execute(params![code, on_sql])?;
            w.audit("retire_unit", code, &json!({"on": on.to_string()}))?;
            let mut unit = span.to_unit();
            unit.end = Some(on);
            Ok(unit)
        })
    }
}
