//! What a visit found (a blocked drain, a family in difficulty): recorded on the visit and
//! kept open until the ledger registers an entry for it. `entry_id` is the join point: it
//! stays empty here, and registering a ledger entry from a finding fills it.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;
use serde_json::json;

use crate::date::{self, Date};
use crate::error::{Error, Result};
use crate::paging::{Page, Paging, read_batches};
use crate::store::{Store, Write};
use crate::text;
use crate::visits::household_unit;

/// Something found on a visit, waiting to become (or already) a ledger entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The finding's id in this store.
    pub id: i64,
    /// The visit it was found on.
    pub visit_id: i64,
    /// The household visited.
    pub household_id: String,
    /// Where the household lived on the visit's day.
    pub unit: String,
    /// The visit's day.
    pub on: Date,
    /// What was found, in the staff member's words.
    pub summary: String,
    /// A suggested ledger category, if the staff member gave one.
    pub category: Option<String>,
    /// Whether it needs attention at once.
    pub urgent: bool,
    /// The ledger entry registered for it; `None` while it is open.
    pub entry_id: Option<i64>,
}

const SELECT: &str = "SELECT f.id, f.visit_id, v.household_id, f.unit, v.day, f.summary,
    f.category, f.urgent, f.entry_id FROM visit_finding f JOIN visit v ON v.id = f.visit_id";

fn finding(row: &Row<'_>) -> rusqlite::Result<Finding> {
    Ok(Finding {
        id: row.get(0)?,
        visit_id: row.get(1)?,
        household_id: row.get(2)?,
        unit: row.get(3)?,
        on: date::from_sql(row.get(4)?),
        summary: row.get(5)?,
        category: row.get(6)?,
        urgent: row.get(7)?,
        entry_id: row.get(8)?,
    })
}

fn finding_by_id(conn: &Connection, id: i64) -> Result<Finding> {
    conn.prepare_cached(&format!("{SELECT} WHERE f.id = ?1"))?
        .query_row([id], finding)
        .optional()?
        .ok_or_else(|| Error::not_found("finding", id.to_string()))
}

impl Store {
    /// Records what visit `visit_id` found. `summary` is 1 to 2000 characters; `category`,
    /// if given, 1 to 64. Refused for a visit outside this handle's scope.
    pub fn record_finding(
        &self,
        visit_id: i64,
        summary: &str,
        category: Option<&str>,
        urgent: bool,
    ) -> Result<Finding> {
        text::check_len("summary", summary, 1, text::LONG_TEXT_MAX)?;
        if let Some(c) = category {
            text::check_len("category", c, 1, 64)?;
        }
        let id = self.write(|w| self.record_finding_in(w, visit_id, summary, category, urgent))?;
        let conn = self.conn()?;
        finding_by_id(&conn, id)
    }

    /// What [`Store::record_finding`] does inside its write (a merge replays findings here).
    pub(crate) fn record_finding_in(
        &self,
        w: &mut Write<'_>,
        visit_id: i64,
        summary: &str,
        category: Option<&str>,
        urgent: bool,
    ) -> Result<i64> {
        text::check_len("summary", summary, 1, text::LONG_TEXT_MAX)?;
        if let Some(c) = category {
            text::check_len("category", c, 1, 64)?;
        }
        let visit: Option<(String, i64)> =
            w.tx.prepare_cached("SELECT household_id, day FROM visit WHERE id = ?1")?
                .query_row([visit_id], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
        let (household_id, day) =
            visit.ok_or_else(|| Error::not_found("visit", visit_id.to_string()))?;
        // A visit outside is not found, without naming its household.
        let unit =
            household_unit(self, &w.tx, &household_id, day, &mut HashMap::new()).map_err(|e| {
                match e.kind() {
                    crate::ErrorKind::NotFound => Error::not_found("visit", visit_id.to_string()),
                    _ => e,
                }
            })?;
        w.tx.prepare_cached(
            "INSERT INTO visit_finding (visit_id, unit, summary, category, urgent)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![visit_id, unit, summary, category, urgent])?;
        let id = w.tx.last_insert_rowid();
        w.changes_no_household();
        let refers = if w.on_device() {
            crate::handheld::local_origin(&w.tx, "visit", visit_id)?
        } else {
            None
        };
        let args = json!({"visit_id": visit_id, "summary": summary, "category": category,
                          "urgent": urgent});
        w.log_device("finding", &args, Some(id), refers)?;
        w.audit(
            "record_finding",
            &household_id,
            &[&unit],
            &json!({"finding": id, "visit": visit_id, "urgent": urgent}),
        )?;
        Ok(id)
    }

    /// The findings of visits to households of `unit`'s subtree (where they lived on the
    /// visit's day, the tree as it stood that day), oldest first; with `open_only`, just
    /// those no ledger entry has taken up yet.
    pub fn findings(&self, unit: &str, open_only: bool) -> Result<Vec<Finding>> {
        let found = self.unit(unit, None)?;
        let conn = self.read()?;
        let sql = format!(
            "{SELECT} JOIN unit_span s ON s.code = f.unit AND s.valid_from <= v.day AND s.valid_to > v.day
             WHERE instr(s.path || '/', '/' || ?1 || '/') > 0 AND (?2 = 0 OR f.entry_id IS NULL)
             ORDER BY v.day, f.id"
        );
        let mut stmt = conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params![found.code, open_only], finding)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// A page of [`Store::findings`]: the same findings, in page order (by id, which is
    /// the order they were recorded in) rather than by the visit's day.
    pub fn findings_page(
        &self,
        unit: &str,
        open_only: bool,
        paging: &Paging,
    ) -> Result<Page<Finding>> {
        let query = format!("{unit}\n{open_only}");
        let walk = paging.start("findings", &query, None, || 0)?;
        let found = self.unit(unit, None)?;
        let conn = self.read()?;
        let sql = format!(
            "{SELECT} JOIN unit_span s ON s.code = f.unit AND s.valid_from <= v.day AND s.valid_to > v.day
             WHERE instr(s.path || '/', '/' || ?1 || '/') > 0 AND (?2 = 0 OR f.entry_id IS NULL)
               AND f.id > ?3
             ORDER BY f.id LIMIT ?4"
        );
        let mut stmt = conn.prepare_cached(&sql)?;
        let first = walk.id_key(0)?.unwrap_or(i64::MIN);
        let items = read_batches(&walk, first, |after, size| {
            let rows = stmt.query_map(params![found.code, open_only, after, size as i64], |r| {
                finding(r).map(|f| (f.id, Some(f)))
            })?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })?;
        Ok(walk.finish(items, |f| vec![f.id.to_string()]))
    }
}
