//! The ledger's part of a report: each entry's marks folded into counts.

use std::collections::BTreeMap;

use chrono::FixedOffset;

use super::columns::LedgerColumns;
use super::{Tally, Tree};
use crate::ledger::Action;
use crate::ledger::marks::Mark;
use crate::ledger::query::end_of;

/// Where an entry's counts go: its row, its category, its books.
pub(super) struct Sinks<'a> {
    pub(super) rows: &'a mut [Tally],
    pub(super) categories: &'a mut BTreeMap<String, Tally>,
    pub(super) books: &'a mut BTreeMap<String, Tally>,
}

/// The instants `[start, end]` of the days `[first, last]` in `offset`.
pub(crate) fn instants(first: i64, last: i64, offset: FixedOffset) -> (i64, i64) {
    let day = crate::date::from_sql;
    let start = end_of(day(first).pred_opt().unwrap_or(day(first)), offset).timestamp() + 1;
    (start, end_of(day(last), offset).timestamp())
}

/// Folds the entries of `tree`'s units that count over `[first, last]` into `sinks`.
pub(super) fn tally(
    columns: &LedgerColumns,
    offset: FixedOffset,
    tree: &Tree,
    (first, last): (i64, i64),
    sinks: &mut Sinks<'_>,
) {
    let mut row_of = vec![None; columns.unit_len()];
    for m in &tree.members {
        if let Some(i) = columns.unit_index(&m.code) {
            row_of[i as usize] = u32::try_from(m.row).ok();
        }
    }
    let mut classes = vec![Tally::default(); columns.classes().len()];
    columns.tally(
        instants(first, last, offset),
        &row_of,
        sinks.rows,
        &mut classes,
    );
    for ((category, books), t) in columns.classes().iter().zip(&classes) {
        if *t == Tally::default() {
            continue;
        }
        sinks.categories.entry(category.clone()).or_default().add(t);
        for book in books {
            sinks.books.entry(book.clone()).or_default().add(t);
        }
    }
}

/// What one entry counts in a report over the instants `[start, end]`, from its events up
/// to `end` in order. An entry with no event by `end` counts nothing.
pub(crate) fn entry_tally(reported: i64, events: &[Mark], (start, end): (i64, i64)) -> Tally {
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
                    waiting = Some(e.sign_due.unwrap_or(i64::MAX));
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
                    t.resolved_on_time += u64::from(e.at <= e.deadline);
                }
            }
            Action::Close => closed |= during(e.at),
            _ => {}
        }
    }
    t.closed = u64::from(closed);
    if during(reported) {
        t.received = 1;
        t.received_resolved = u64::from(last.first_resolved.is_some());
    }
    t.add(&standing(last, (start, end)));
    t
}

/// What an entry's standing at `end`, `last` its last mark by then, counts: due in the
/// period (and resolved on time), pending, hard, overdue.
fn standing(last: &Mark, (start, end): (i64, i64)) -> Tally {
    let mut t = Tally::default();
    let deadline = last.deadline;
    if (start..=end).contains(&deadline) && last.suspended.is_none() {
        t.due = 1;
        t.due_on_time = u64::from(last.first_resolved.is_some_and(|f| f <= deadline));
    }
    if last.status.is_open() {
        if last.hard {
            t.hard = 1;
        } else {
            t.pending = 1;
        }
        t.overdue = u64::from(last.suspended.unwrap_or(end) > deadline);
    }
    t
}
