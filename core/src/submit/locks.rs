//! The approval locks checked where facts are written: an entry reported, an action on an
//! entry taken, or a visit made in a period whose report was approved for a unit holding
//! the fact's unit is refused as a `Conflict`.
//!
//! Arrivals, moves and tags are refused by triggers of the schema. Entries, their events
//! and visits are checked here instead, by the only inserts into their tables
//! (registration, [`crate::ledger::actions::apply::append_event`] and the visits'
//! `insert`): a trigger that can abort makes SQLite journal every page each insert
//! touches, so that it could undo the statement, and that journal took a third of the
//! time of registering an entry. Each check reads what its trigger read, and refuses with
//! its message. A row written around the library is found by `verify_audit`, as any row
//! is.

use rusqlite::{Connection, OptionalExtension};

use crate::error::{Error, Result};

/// The approved periods whose lock holds moment `?2` (or what `$when` says) for a unit
/// that is `$unit` (an expression over `?1`) on the period's last day, or one of its
/// descendants: the condition the schema's lock triggers test.
macro_rules! locked_sql {
    ($unit:literal) => {
        locked_sql!("l.last_at >= ?2 AND l.first_at <= ?2", $unit)
    };
    ($when:literal, $unit:literal) => {
        concat!(
            "SELECT 1 FROM report_lock l
             WHERE ",
            $when,
            " AND EXISTS (SELECT 1 FROM unit_span s WHERE s.code = ",
            $unit,
            " AND s.valid_from <= l.last_day AND s.valid_to > l.last_day
                 AND (s.path = l.path OR substr(s.path, 1, length(l.path) + 1) = l.path || '/'))
             LIMIT 1"
        )
    };
}

/// Locks on an entry raised at unit `?1` and reported at `?2`.
const ENTRY_LOCKED: &str = locked_sql!("?1");

/// Locks on an event at `?2` of entry `?1`.
const EVENT_LOCKED: &str = locked_sql!("(SELECT e.unit FROM entry e WHERE e.id = ?1)");

/// Locks on a visit to household `?1` on day `?2`, at the unit where it lived that day.
const VISIT_LOCKED: &str = locked_sql!(
    "l.last_day >= ?2 AND l.first_day <= ?2",
    "coalesce((SELECT p.unit FROM household_place p WHERE p.household_id = ?1
                 AND p.valid_from <= ?2 AND p.valid_to > ?2),
               (SELECT h.unit FROM household h WHERE h.household_id = ?1))"
);

/// Whether `query` ([`ENTRY_LOCKED`], [`EVENT_LOCKED`] or [`VISIT_LOCKED`]) finds a
/// lock for `key` at `at` (a moment, or a visit's day).
fn locked(conn: &Connection, query: &str, key: impl rusqlite::ToSql, at: i64) -> Result<bool> {
    Ok(conn
        .prepare_cached(query)?
        .query_row(rusqlite::params![key, at], |_| Ok(()))
        .optional()?
        .is_some())
}

/// Refuses an entry raised at `unit` and reported at `at` (seconds) in a locked period.
pub(crate) fn check_entry(conn: &Connection, unit: &str, at: i64) -> Result<()> {
    if locked(conn, ENTRY_LOCKED, unit, at)? {
        return Err(Error::Conflict(
            "locked: an entry reported in a period whose report was approved".into(),
        ));
    }
    Ok(())
}

/// Refuses an event of entry `id` (already written) at `at` in a locked period.
pub(crate) fn check_event(conn: &Connection, id: i64, at: i64) -> Result<()> {
    if locked(conn, EVENT_LOCKED, id, at)? {
        return Err(Error::Conflict(
            "locked: an action on an entry in a period whose report was approved".into(),
        ));
    }
    Ok(())
}

/// Refuses a visit to `household` on `day` (as stored, [`crate::date::to_sql`]) in a
/// locked period.
pub(crate) fn check_visit(conn: &Connection, household: &str, day: i64) -> Result<()> {
    if locked(conn, VISIT_LOCKED, household, day)? {
        return Err(Error::Conflict(
            "locked: a visit in a period whose report was approved".into(),
        ));
    }
    Ok(())
}
