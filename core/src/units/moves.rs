//! Moving and retiring units: the spans of a whole subtree split at the day it changes.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, params};
use serde_json::json;

use super::add::Placed;
use super::{SPAN_COLUMNS, Span, Unit, below, span_on, spans_of};
use crate::date::{self, Date, FOREVER};
use crate::error::{Error, Result};
use crate::levels::check_code_chars;
use crate::store::{Store, path_contains};

/// The `history` column for a unit's spans, oldest first (see the schema).
fn encode_history(spans: &[Span]) -> String {
    Placed::of(spans).history()
}

fn save_history(conn: &Connection, code: &str, spans: &[Span]) -> Result<()> {
    conn.prepare_cached("UPDATE unit SET history = ?2 WHERE code = ?1")?
        .execute(params![code, encode_history(spans)])?;
    Ok(())
}

impl Store {
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
                &[span.parent.as_deref().unwrap_or(code), new_parent],
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
            w.audit("retire_unit", code, &[code], &json!({"on": on.to_string()}))?;
            let mut unit = span.to_unit();
            unit.end = Some(on);
            Ok(unit)
        })
    }
}
