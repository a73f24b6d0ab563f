//! The approval locks, checked where facts are written: an entry reported, an action on an
//! entry, a visit, a household arriving or moving, or a tag starting or ending, dated in
//! a period whose report was approved for a unit holding the fact's unit, is refused as
//! a `Conflict`.
//!
//! Each write of such a fact calls its check here just before the statement: registering
//! an entry, [`crate::ledger::actions::apply::append_event`], the visits' `insert`, and
//! the registry's and the import's inserts and moves of households and tags (a test in
//! this module finds every such statement in the sources and its check beside it). Until
//! schema 16 these were triggers; a trigger that can abort makes SQLite journal every
//! page each insert touches, so that it could undo the statement, and that journal took
//! a third of the time of registering an entry. Each check reads what its trigger read,
//! and refuses with its message. A row written around the library is found by
//! `verify_audit`, as any row is.

use rusqlite::{Connection, OptionalExtension, ToSql};

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

/// Locks on a day `?2` at unit `?1`: a household arriving there, or moving from or to it.
const DAY_LOCKED: &str = locked_sql!("l.last_day >= ?2 AND l.first_day <= ?2", "?1");

/// Locks on a tag starting or ending on day `?2` of household `?1`, or of resident `?3`'s
/// household, at the unit it lives in now.
const TAG_LOCKED: &str = locked_sql!(
    "l.last_day >= ?2 AND l.first_day <= ?2",
    "(SELECT h.unit FROM household h WHERE h.household_id =
        coalesce(?1, (SELECT r.household_id FROM resident r WHERE r.resident_id = ?3)))"
);

/// Locks on a visit to household `?1` on day `?2`, at the unit where it lived that day.
const VISIT_LOCKED: &str = locked_sql!(
    "l.last_day >= ?2 AND l.first_day <= ?2",
    "coalesce((SELECT p.unit FROM household_place p WHERE p.household_id = ?1
                 AND p.valid_from <= ?2 AND p.valid_to > ?2),
               (SELECT h.unit FROM household h WHERE h.household_id = ?1))"
);

/// Whether the store held any approval lock when a write began: read once by a write of
/// many facts (entries and their events through its
/// [`crate::ledger::actions::apply::Walk`], a batch of visits, an import), which then
/// checks none of them one by one in a store without a lock, as most stores are most of
/// the time (two lookups an entry registered took a twentieth of the time). No lock
/// appears within such a write: approving a report is a write of its own.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Locks {
    any: bool,
}

impl Locks {
    /// Whether the store holds any lock now.
    pub(crate) fn read(conn: &Connection) -> Result<Locks> {
        let any = conn
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM report_lock)")?
            .query_row([], |r| r.get(0))?;
        Ok(Locks { any })
    }
}

/// Whether `query` (one of the `…_LOCKED` above) finds a lock for `values`: never when
/// `locks` has none.
fn locked(conn: &Connection, locks: Locks, query: &str, values: &[&dyn ToSql]) -> Result<bool> {
    if !locks.any {
        return Ok(false);
    }
    Ok(conn
        .prepare_cached(query)?
        .query_row(values, |_| Ok(()))
        .optional()?
        .is_some())
}

/// Refuses an entry raised at `unit` and reported at `at` (seconds) in a locked period.
pub(crate) fn check_entry(conn: &Connection, locks: Locks, unit: &str, at: i64) -> Result<()> {
    if locked(conn, locks, ENTRY_LOCKED, &[&unit, &at])? {
        return Err(Error::Conflict(
            "locked: an entry reported in a period whose report was approved".into(),
        ));
    }
    Ok(())
}

/// Refuses an event of entry `id` (already written) at `at` in a locked period.
pub(crate) fn check_event(conn: &Connection, locks: Locks, id: i64, at: i64) -> Result<()> {
    if locked(conn, locks, EVENT_LOCKED, &[&id, &at])? {
        return Err(Error::Conflict(
            "locked: an action on an entry in a period whose report was approved".into(),
        ));
    }
    Ok(())
}

/// Refuses a visit to `household` on `day` (as stored, [`crate::date::to_sql`]) in a
/// locked period.
pub(crate) fn check_visit(
    conn: &Connection,
    locks: Locks,
    household: &str,
    day: i64,
) -> Result<()> {
    if locked(conn, locks, VISIT_LOCKED, &[&household, &day])? {
        return Err(Error::Conflict(
            "locked: a visit in a period whose report was approved".into(),
        ));
    }
    Ok(())
}

/// Refuses a household arriving at `unit` from `start` (a stored day) in a locked period.
pub(crate) fn check_arrival(conn: &Connection, locks: Locks, unit: &str, start: i64) -> Result<()> {
    if locked(conn, locks, DAY_LOCKED, &[&unit, &start])? {
        return Err(Error::Conflict(
            "locked: a household arriving in a period whose report was approved".into(),
        ));
    }
    Ok(())
}

/// Refuses a household moving from unit `from` to unit `to` on `since` (a stored day) in a
/// period locked for either.
pub(crate) fn check_move(
    conn: &Connection,
    locks: Locks,
    from: &str,
    to: &str,
    since: i64,
) -> Result<()> {
    if locked(conn, locks, DAY_LOCKED, &[&from, &since])?
        || locked(conn, locks, DAY_LOCKED, &[&to, &since])?
    {
        return Err(Error::Conflict(
            "locked: a household moving in a period whose report was approved".into(),
        ));
    }
    Ok(())
}

/// Which of a tag's days a write sets: its first, or the first it no longer holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TagDay {
    Start,
    End,
}

/// Refuses a tag of household `household_id` or resident `resident_id` starting or ending
/// (`which`) on `day` (a stored day) in a locked period.
pub(crate) fn check_tag_day(
    conn: &Connection,
    locks: Locks,
    (household_id, resident_id): (Option<&str>, Option<i64>),
    (which, day): (TagDay, i64),
) -> Result<()> {
    if locked(
        conn,
        locks,
        TAG_LOCKED,
        &[&household_id, &day, &resident_id],
    )? {
        let reason = match which {
            TagDay::Start => "locked: a tag starting in a period whose report was approved",
            TagDay::End => "locked: a tag ending in a period whose report was approved",
        };
        return Err(Error::Conflict(reason.into()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// The statements that write a fact an approval locks, and the executions of the
    /// import's statements prepared ahead (their text is in `ImportWriter::new`).
    const WRITES: [&str; 9] = [
        "INSERT INTO entry (",
        "INSERT INTO entry_event (",
        "INSERT INTO visit (",
        "INSERT INTO household (",
        "INSERT INTO tag (",
        "UPDATE household SET unit",
        "UPDATE tag SET end_day",
        "insert_household.execute(",
        "insert_tag.execute(",
    ];

    fn sources(dir: &Path, out: &mut Vec<(String, String)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                sources(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                out.push((path.display().to_string(), text));
            }
        }
    }

    #[test]
    fn every_write_of_a_locked_fact_checks_the_locks_just_before() {
        let mut files = Vec::new();
        sources(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut files,
        );
        let (mut writes, mut unchecked) = (0, Vec::new());
        for (path, text) in &files {
            // The schema's own text, and a migration that moves rows of a schema older
            // than the locks.
            if path.ends_with("store/schema.rs")
                || path.ends_with("store/migrate.rs")
                || path.ends_with("submit/locks.rs")
            {
                continue;
            }
            // `a.b\n    .execute(` reads as `a.b.execute(`.
            let lines: Vec<String> = text.lines().map(str::trim).map(str::to_owned).collect();
            let joined: Vec<String> = (0..lines.len())
                .map(|i| match lines.get(i + 1) {
                    Some(next) if next.starts_with('.') => format!("{}{next}", lines[i]),
                    _ => lines[i].clone(),
                })
                .collect();
            for (i, line) in joined.iter().enumerate() {
                let Some(write) = WRITES.iter().find(|w| line.contains(*w)) else {
                    continue;
                };
                // The import prepares its inserts ahead, as fields: not a write.
                let declared = (i.saturating_sub(1)..=i).any(|j| {
                    ["insert_household:", "insert_tag:"]
                        .iter()
                        .any(|f| lines[j].starts_with(f))
                });
                if declared {
                    continue;
                }
                writes += 1;
                let checked = lines[i.saturating_sub(6)..i]
                    .iter()
                    .any(|l| l.contains("locks::check_"));
                if !checked {
                    unchecked.push(format!("{path}:{}: {write}", i + 1));
                }
            }
        }
        assert!(
            writes >= 10,
            "only {writes} writes found: the scan is broken"
        );
        assert!(
            unchecked.is_empty(),
            "writes without a lock check just before:\n{}",
            unchecked.join("\n")
        );
    }
}
