//! The ledger's part of a report: each entry's events read once, folded into counts.

use std::collections::BTreeMap;

use chrono::FixedOffset;
use rusqlite::{Connection, params};

use super::{Tally, Tree, counted_span};
use crate::error::Result;
use crate::ledger::Action;
use crate::ledger::Status;
use crate::ledger::query::end_of;
use crate::ledger::workflow::State;
use crate::snapshot::text;

/// Where an entry's counts go: its row, its category, its books.
pub(super) struct Sinks<'a> {
    pub(super) rows: &'a mut [Tally],
    pub(super) categories: &'a mut BTreeMap<String, Tally>,
    pub(super) books: &'a mut BTreeMap<String, Tally>,
}

/// One event of an entry, as the report reads it.
pub(crate) struct Event {
    pub(crate) action: Action,
    pub(crate) at: i64,
    pub(crate) state: State,
}

/// The instants `[start, end]` of the days `[first, last]` in `offset`.
pub(crate) fn instants(first: i64, last: i64, offset: FixedOffset) -> (i64, i64) {
    let day = crate::date::from_sql;
    let start = end_of(day(first).pred_opt().unwrap_or(day(first)), offset).timestamp() + 1;
    (start, end_of(day(last), offset).timestamp())
}

/// Folds the entries of `tree` reported by the end of `[first, last]` into `sinks`;
/// `row_of` gives the row of an entry's unit from its path on the last day.
pub(super) fn tally(
    conn: &Connection,
    offset: FixedOffset,
    tree: &Tree,
    (first, last): (i64, i64),
    row_of: impl Fn(&str) -> Option<usize>,
    sinks: &mut Sinks<'_>,
) -> Result<()> {
    let (start, end) = instants(first, last, offset);
    let (lo, hi) = (format!("{}/", tree.path), format!("{}0", tree.path));
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT e.id, s.path, e.category, e.books, e.reported, e.last_at, e.status, e.hard,
                e.deadline, e.state
         FROM unit_span s JOIN entry e ON e.unit = s.code
         WHERE (s.path = ?1 OR (s.path >= ?2 AND s.path < ?5)) AND {} AND e.reported <= ?6",
        counted_span("?3", "?4")
    ))?;
    let mut events_stmt = conn.prepare_cached(
        "SELECT action, at, state FROM entry_event WHERE entry_id = ?1 AND at <= ?2 ORDER BY seq",
    )?;
    let mut rows = stmt.query(params![tree.path, lo, last, first, hi, end])?;
    let mut events = Vec::new();
    while let Some(row) = rows.next()? {
        let Some(r) = row_of(text(row, 1)?) else {
            continue;
        };
        let reported: i64 = row.get(4)?;
        let last_at: i64 = row.get(5)?;
        let t = if last_at < start {
            // Nothing happened to it in the period: only where it stands counts.
            let status = Status::parse(text(row, 6)?)?;
            let deadline: i64 = row.get(8)?;
            let state = if status == Status::Suspended || (start..=end).contains(&deadline) {
                Some(State::from_json(text(row, 9)?)?)
            } else {
                None
            };
            standing(
                status,
                row.get::<_, i64>(7)? != 0,
                deadline,
                state.as_ref(),
                (start, end),
            )
        } else {
            events.clear();
            let id: i64 = row.get(0)?;
            let mut ev = events_stmt.query(params![id, end])?;
            while let Some(e) = ev.next()? {
                events.push(Event {
                    action: Action::parse(text(e, 0)?)?,
                    at: e.get(1)?,
                    state: State::from_json(text(e, 2)?)?,
                });
            }
            entry_tally(reported, &events, (start, end))
        };
        sinks.rows[r].add(&t);
        let category = text(row, 2)?;
        if let Some(c) = sinks.categories.get_mut(category) {
            c.add(&t);
        } else {
            sinks.categories.insert(category.to_owned(), t);
        }
        for book in text(row, 3)?.split('\n').filter(|b| !b.is_empty()) {
            if let Some(b) = sinks.books.get_mut(book) {
                b.add(&t);
            } else {
                sinks.books.insert(book.to_owned(), t);
            }
        }
    }
    Ok(())
}

/// What one entry counts in a report over the instants `[start, end]`, from its events up
/// to `end` in order. An entry with no event by `end` counts nothing.
pub(crate) fn entry_tally(reported: i64, events: &[Event], (start, end): (i64, i64)) -> Tally {
    let mut t = Tally::default();
    let Some(last) = events.iter().rev().find(|e| e.at <= end) else {
        return t;
    };
    let during = |at: i64| start <= at && at <= end;
    // The sign-for limit of the latest dispatch in the period still waiting for one.
    let mut waiting: Option<i64> = None;
    let mut first_resolved_before = false;
    let mut closed = false;
    for e in events.iter().filter(|e| e.at <= end) {
        match e.action {
            Action::Register | Action::Escalate | Action::Return => {
                waiting = None;
                if during(e.at) {
                    t.dispatched += 1;
                    waiting = Some(e.state.sign_due.unwrap_or(i64::MAX));
                }
            }
            Action::SignFor => {
                if let Some(due) = waiting.take() {
                    t.signed += 1;
                    t.signed_on_time += u64::from(e.at <= due);
                }
            }
            Action::Resolve if !first_resolved_before => {
                first_resolved_before = true;
                if during(e.at) {
                    t.resolved += 1;
                    t.resolved_on_time += u64::from(e.at <= e.state.deadline);
                }
            }
            Action::Close => closed |= during(e.at),
            _ => {}
        }
    }
    t.closed = u64::from(closed);
    if during(reported) {
        t.received = 1;
        t.received_resolved = u64::from(last.state.first_resolved.is_some());
    }
    let s = &last.state;
    t.add(&standing(
        s.status,
        s.hard,
        s.deadline,
        Some(s),
        (start, end),
    ));
    t
}

/// What an entry's standing at `end` counts: due in the period (and resolved on time),
/// pending, hard, overdue. `state` is needed when the deadline falls in the period or the
/// entry is suspended.
fn standing(
    status: Status,
    hard: bool,
    deadline: i64,
    state: Option<&State>,
    (start, end): (i64, i64),
) -> Tally {
    let mut t = Tally::default();
    let suspended = state.and_then(|s| s.suspended);
    if (start..=end).contains(&deadline) && suspended.is_none() {
        t.due = 1;
        let first = state.and_then(|s| s.first_resolved);
        t.due_on_time = u64::from(first.is_some_and(|f| f <= deadline));
    }
    if status.is_open() {
        if hard {
            t.hard = 1;
        } else {
            t.pending = 1;
        }
        t.overdue = u64::from(suspended.unwrap_or(end) > deadline);
    }
    t
}
