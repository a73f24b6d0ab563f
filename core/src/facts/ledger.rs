//! The ledger's part of an export: entries with their events, and submissions, each
//! written again when its digest changed.

use rusqlite::Connection;

use super::manifest::{Keys, digest64};
use super::parts::Val;
use super::rows::{Plan, Writers};
use crate::error::Result;
use crate::ledger::marks::Marks;
use crate::snapshot::text;

/// The entries of units under the root whose facts or events changed, with their events.
pub(super) fn entries(
    conn: &Connection,
    plan: &Plan,
    w: &mut Writers,
    keys: &mut Keys,
    seq: i64,
) -> Result<()> {
    let known = keys.tables.entry("entries".to_owned()).or_default();
    let mut stmt = conn.prepare(
        "SELECT id, unit, category, books, source, urgent, reported, marks FROM entry ORDER BY id",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let unit = text(r, 1)?;
        if !plan.covers(unit) {
            continue;
        }
        let id: i64 = r.get(0)?;
        let (category, books, source) = (text(r, 2)?, text(r, 3)?, text(r, 4)?);
        let (urgent, reported): (bool, i64) = (r.get(5)?, r.get(6)?);
        let marks: Vec<u8> = r.get::<_, Option<Vec<u8>>>(7)?.unwrap_or_default();
        let digest = digest64(&[
            unit.as_bytes(),
            category.as_bytes(),
            books.as_bytes(),
            source.as_bytes(),
            &[u8::from(urgent)],
            &reported.to_le_bytes(),
            &marks,
        ]);
        let key = digest64(&[&id.to_le_bytes()]);
        if known.get(&key) == Some(&digest) {
            continue;
        }
        known.insert(key, digest);
        let books: Vec<&str> = books.split('\n').filter(|b| !b.is_empty()).collect();
        w.get("entries").push(&[
            Val::Text(&plan.store_id),
            Val::Int(id),
            Val::Text(unit),
            Val::Text(category),
            Val::Texts(&books),
            Val::Text(source),
            Val::Bool(urgent),
            Val::Moment(reported),
            Val::Int(seq),
        ])?;
        let events = w.get("entry_events");
        for (i, m) in (1i64..).zip(Marks::new(&marks)) {
            let opt = |o: Option<i64>| o.map_or(Val::Null, Val::Moment);
            events.push(&[
                Val::Text(&plan.store_id),
                Val::Int(id),
                Val::Int(i),
                Val::Text(m.action.as_str()),
                Val::Moment(m.at),
                Val::Text(m.status.as_str()),
                Val::Bool(m.hard),
                Val::Moment(m.deadline),
                opt(m.sign_due),
                opt(m.suspended),
                opt(m.first_resolved),
                Val::Int(seq),
            ])?;
        }
    }
    Ok(())
}

/// The submissions of units under the root that are new or were approved since.
pub(super) fn submissions(
    conn: &Connection,
    plan: &Plan,
    w: &mut Writers,
    keys: &mut Keys,
    seq: i64,
) -> Result<()> {
    let known = keys.tables.entry("submissions".to_owned()).or_default();
    let mut stmt = conn.prepare(
        "SELECT unit, period, version, first_day, last_day, submitted_at, approved_at
         FROM submission ORDER BY unit, period, version",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let (unit, period) = (text(r, 0)?, text(r, 1)?);
        if !plan.covers(unit) {
            continue;
        }
        let version: i64 = r.get(2)?;
        let (submitted, approved): (i64, Option<i64>) = (r.get(5)?, r.get(6)?);
        let key = digest64(&[unit.as_bytes(), period.as_bytes(), &version.to_le_bytes()]);
        let digest = digest64(&[
            &submitted.to_le_bytes(),
            &approved.unwrap_or(-1).to_le_bytes(),
        ]);
        if known.get(&key) == Some(&digest) {
            continue;
        }
        known.insert(key, digest);
        w.get("submissions").push(&[
            Val::Text(&plan.store_id),
            Val::Text(unit),
            Val::Text(period),
            Val::Int(version),
            Val::Date(r.get(3)?),
            Val::Date(r.get(4)?),
            Val::Moment(submitted),
            approved.map_or(Val::Null, Val::Moment),
            Val::Int(seq),
        ])?;
    }
    Ok(())
}
