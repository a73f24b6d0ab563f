//! Entries of a subtree as they stood at a moment: by standing, status, book, category
//! and period, overdue or not; and the weekly meeting's three piles.

use chrono::{FixedOffset, NaiveTime, TimeZone, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::{Value, json};

use super::entries::{ENTRY_COLUMNS, entry_from};
use super::workflow::State;
use super::{Entry, Standing, Status};
use crate::date::{self, Moment};
use crate::error::{Error, Result};
use crate::paging::{Page, Paging, read_batches};
use crate::period::Period;
use crate::store::Store;

/// Which entries [`Store::entries`] returns: those raised in `unit`'s subtree (the tree as
/// it stood on the day of `at`) reported by `at`, as they stood at `at`, narrowed by the
/// filters given.
#[derive(Debug, Clone, PartialEq)]
pub struct EntryQuery {
    /// The unit whose subtree is searched.
    pub unit: String,
    /// The moment the entries are taken as of; default now.
    pub at: Option<Moment>,
    /// Only entries of this standing.
    pub standing: Option<Standing>,
    /// Only entries in this status.
    pub status: Option<Status>,
    /// Only entries kept in this book.
    pub book: Option<String>,
    /// Only entries of this category.
    pub category: Option<String>,
    /// Only entries reported in this period.
    pub period: Option<Period>,
    /// Only entries overdue (`true`) or not (`false`) at `at`.
    pub overdue: Option<bool>,
}

impl EntryQuery {
    /// Every entry of `unit`'s subtree, as it stands now.
    pub fn new(unit: &str) -> Self {
        EntryQuery {
            unit: unit.to_owned(),
            at: None,
            standing: None,
            status: None,
            book: None,
            category: None,
            period: None,
            overdue: None,
        }
    }
}

/// The weekly meeting's three piles for a unit and a period: what was resolved in it, and
/// what stood pending or hard at its end.
#[derive(Debug, Clone, PartialEq)]
pub struct Piles {
    /// The unit.
    pub unit: String,
    /// The period.
    pub period: Period,
    /// The last moment of the period, which the entries are taken as of.
    pub at: Moment,
    /// Entries resolved in the period and still resolved or closed at its end (已解决).
    pub resolved: Vec<Entry>,
    /// Entries open and not hard at its end (待解决).
    pub pending: Vec<Entry>,
    /// Entries open and marked hard at its end (难解决).
    pub hard: Vec<Entry>,
}

impl Piles {
    /// The piles as JSON: the unit, the period, the moment, each pile's entries and the
    /// number of them overdue.
    pub fn to_json(&self) -> Value {
        let pile = |entries: &[Entry]| {
            json!({
                "count": entries.len(),
                "overdue": entries.iter().filter(|e| e.overdue_at(&self.at)).count(),
                "entries": entries.iter().map(Entry::to_json).collect::<Vec<_>>(),
            })
        };
        json!({
            "unit": self.unit,
            "period": self.period.to_string(),
            "at": self.at.to_rfc3339(),
            "resolved": pile(&self.resolved),
            "pending": pile(&self.pending),
            "hard": pile(&self.hard),
        })
    }
}

/// The state of entry `id` after its last event at or before `at`.
fn state_at(conn: &Connection, id: i64, at: i64) -> Result<Option<State>> {
    let text: Option<String> = conn
        .prepare_cached(
            "SELECT state FROM entry_event WHERE entry_id = ?1 AND at <= ?2 ORDER BY seq DESC LIMIT 1",
        )?
        .query_row(params![id, at], |r| r.get(0))
        .optional()?;
    text.map(|t| State::from_json(&t)).transpose()
}

/// The last second of `day` in `offset`.
pub(crate) fn end_of(day: date::Date, offset: FixedOffset) -> Moment {
    let next = day.succ_opt().unwrap_or(day).and_time(NaiveTime::MIN);
    let start = offset
        .from_local_datetime(&next)
        .single()
        .unwrap_or_else(|| offset.timestamp_opt(0, 0).unwrap());
    start - chrono::Duration::seconds(1)
}

impl Store {
    /// The entries `query` asks for, by id.
    pub fn entries(&self, query: &EntryQuery) -> Result<Vec<Entry>> {
        let offset = self.offset();
        let at = query
            .at
            .unwrap_or_else(|| Utc::now().with_timezone(&offset).fixed_offset());
        let conn = self.read()?;
        let rows = self.entry_rows(&conn, query, at, (i64::MIN, -1))?;
        Ok(rows.into_iter().filter_map(|(_, entry)| entry).collect())
    }

    /// A page of [`Store::entries`]: the same entries, in the same order (by id). The
    /// first page fixes the moment (`at`, default now, to the second); later pages keep
    /// it, and an `at` other than it is `InvalidInput` naming `after`.
    pub fn entries_page(&self, query: &EntryQuery, paging: &Paging) -> Result<Page<Entry>> {
        let offset = self.offset();
        let text = |v: Option<String>| v.unwrap_or_default();
        let description = [
            query.unit.clone(),
            text(query.standing.map(|s| s.as_str().to_owned())),
            text(query.status.map(|s| s.as_str().to_owned())),
            text(query.book.clone()),
            text(query.category.clone()),
            text(query.period.map(|p| p.to_string())),
            text(query.overdue.map(|o| o.to_string())),
        ]
        .join("\n");
        let walk = paging.start(
            "entries",
            &description,
            query.at.map(|at| at.timestamp()),
            || Utc::now().timestamp(),
        )?;
        let at = query.at.unwrap_or_else(|| {
            offset
                .timestamp_opt(walk.fixed, 0)
                .single()
                .unwrap_or_else(|| Utc::now().with_timezone(&offset).fixed_offset())
        });
        let conn = self.read()?;
        let first = walk.id_key(0)?.unwrap_or(i64::MIN);
        let items = read_batches(&walk, first, |after, size| {
            self.entry_rows(&conn, query, at, (*after, size as i64))
        })?;
        Ok(walk.finish(items, |e| vec![e.id.to_string()]))
    }

    /// The entries `query` asks for as they stood at `at`, by id: those with ids after
    /// `after`, at most `limit` rows (-1: all), each with its id and, unless a filter on
    /// its state at `at` leaves it out, the entry.
    fn entry_rows(
        &self,
        conn: &Connection,
        query: &EntryQuery,
        at: Moment,
        (after, limit): (i64, i64),
    ) -> Result<Vec<(i64, Option<Entry>)>> {
        let offset = self.offset();
        let t = at.timestamp();
        let day = date::local_date(&at, offset);
        let span = crate::units::span_on(conn, &query.unit, day)?
            .ok_or_else(|| Error::not_found("unit", format!("{} on {day}", query.unit)))?;
        self.check_path_in_scope(&query.unit, &span.path)?;
        let (lo, hi) = (format!("{}/", span.path), format!("{}0", span.path));
        let (from, to) = query.period.map_or((i64::MIN, i64::MAX), |p| {
            let first = end_of(p.first().pred_opt().unwrap_or(p.first()), offset).timestamp() + 1;
            (first, end_of(p.last(), offset).timestamp())
        });
        let sql = format!(
            "SELECT {ENTRY_COLUMNS}, e.last_at FROM entry e
             JOIN unit_span s ON s.code = e.unit AND s.valid_from <= ?4 AND s.valid_to > ?4
             WHERE (s.path = ?1 OR (s.path >= ?2 AND s.path < ?3))
               AND e.reported <= ?5 AND e.reported >= ?6 AND e.reported <= ?7
               AND (?8 IS NULL OR e.category = ?8)
               AND (?9 IS NULL OR instr(char(10) || e.books || char(10), char(10) || ?9 || char(10)) > 0)
               AND e.id > ?10
             ORDER BY e.id LIMIT ?11"
        );
        let mut stmt = conn.prepare_cached(&sql)?;
        let mut rows = stmt.query(params![
            span.path,
            lo,
            hi,
            date::to_sql(day),
            t,
            from,
            to,
            query.category,
            query.book,
            after,
            limit,
        ])?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            let id: i64 = row.get(0)?;
            let last_at: i64 = row.get(14)?;
            let entry = if last_at <= t {
                entry_from(row, offset, None)?
            } else {
                let Some(state) = state_at(conn, id, t)? else {
                    out.push((id, None));
                    continue;
                };
                entry_from(row, offset, Some(&state))?
            };
            let kept = query.status.is_none_or(|s| s == entry.status)
                && query.standing.is_none_or(|s| s == entry.standing())
                && query.overdue.is_none_or(|o| o == entry.overdue_at(&at));
            out.push((id, kept.then_some(entry)));
        }
        Ok(out)
    }

    /// The weekly meeting's three piles (已解决/待解决/难解决) for `unit`'s subtree over
    /// `period` (a week, usually), taken as of the period's last moment.
    pub fn piles(&self, unit: &str, period: Period) -> Result<Piles> {
        let at = end_of(period.last(), self.offset());
        let mut query = EntryQuery::new(unit);
        query.at = Some(at);
        let entries = self.entries(&query)?;
        let first = period.first();
        let mut piles = Piles {
            unit: unit.to_owned(),
            period,
            at,
            resolved: Vec::new(),
            pending: Vec::new(),
            hard: Vec::new(),
        };
        for entry in entries {
            match entry.standing() {
                Standing::Resolved => {
                    if entry.resolved_at.is_some_and(|r| r.date_naive() >= first) {
                        piles.resolved.push(entry);
                    }
                }
                Standing::Pending => piles.pending.push(entry),
                Standing::Hard => piles.hard.push(entry),
            }
        }
        Ok(piles)
    }
}
