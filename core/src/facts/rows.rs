//! Reading the store's facts, table by table, into part files: what changed since the
//! previous export, found by digests.

use std::path::{Path, PathBuf};

use foldhash::HashSet;
use rusqlite::{Connection, OptionalExtension};

use sha2::{Digest, Sha256};

use super::manifest::{Keys, Manifest, Part};
use super::parts::{PartWriter, Val};
use super::tables::{TABLES, Versioning, table};
use crate::date::{self, BEGINNING, FOREVER};
use crate::error::{Error, Result};
use crate::ledger::query::end_of;
use crate::period::Period;
use crate::report::ReportingRule;
use crate::snapshot::text;
use crate::store::Store;

/// What an export covers, read before anything is written.
#[derive(Debug)]
pub(super) struct Plan {
    pub(super) store_id: String,
    /// The audit head: seq, digest, moment.
    pub(super) head: (i64, String, String),
    root: Option<String>,
    /// The units ever under the root (`None`: all).
    units: Option<HashSet<String>>,
    /// The spans' path ranges under the root, as (path, path + '/', path + '0').
    paths: Vec<String>,
    horizon: i64,
    /// The first day of the year of the store's earliest dated fact (a year before the horizon
    /// when there is none): requirements and reporting periods are written from it.
    window_from: i64,
    offset_seconds: i64,
    /// The reporting rule sets: first day, the day the next takes over, rules.
    reporting: Vec<(i64, i64, Vec<ReportingRule>)>,
}

/// The store's identity: the first 16 hex digits of its first audit record's hash.
fn store_id(conn: &Connection) -> Result<String> {
    let hash: Option<String> = conn
        .query_row("SELECT hash FROM audit ORDER BY seq LIMIT 1", [], |r| {
            r.get(0)
        })
        .optional()?;
    Ok(hash.map_or_else(|| "0".repeat(16), |h| h.chars().take(16).collect()))
}

impl Plan {
    pub(super) fn new(store: &Store, root: Option<&str>) -> Result<Self> {
        let starts: Vec<i64> = {
            let conn = store.read()?;
            let mut stmt = conn.prepare("SELECT start FROM reporting_rule_set ORDER BY start")?;
            stmt.query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?
        };
        let mut starts = starts;
        if starts.first().is_none_or(|&s| s > BEGINNING) {
            starts.insert(0, BEGINNING);
        }
        let mut reporting = Vec::new();
        for (i, &start) in starts.iter().enumerate() {
            let until = starts.get(i + 1).copied().unwrap_or(FOREVER);
            let rules = store.reporting_rules(Some(date::from_sql(start)))?;
            reporting.push((start, until, rules));
        }
        let conn = store.read()?;
        let head: (i64, String, String) = conn
            .query_row(
                "SELECT seq, hash, at FROM audit ORDER BY seq DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?
            .unwrap_or((0, "0".repeat(64), String::new()));
        let (units, paths) = match root {
            None => (None, Vec::new()),
            Some(code) => {
                let mut stmt = conn.prepare(
                    "SELECT path FROM unit_span WHERE code = ?1 ORDER BY valid_from DESC",
                )?;
                let paths: Vec<String> = stmt
                    .query_map([code], |r| r.get(0))?
                    .collect::<rusqlite::Result<_>>()?;
                let Some(latest) = paths.first() else {
                    return Err(Error::not_found("unit", code));
                };
                store.check_path_in_scope(code, latest)?;
                let mut units = HashSet::default();
                let mut stmt = conn.prepare(
                    "SELECT code FROM unit_span WHERE path = ?1 OR (path >= ?2 AND path < ?3)",
                )?;
                for p in &paths {
                    let rows = stmt.query_map(
                        rusqlite::params![p, format!("{p}/"), format!("{p}0")],
                        |r| r.get::<_, String>(0),
                    )?;
                    for c in rows {
                        units.insert(c?);
                    }
                }
                (Some(units), paths)
            }
        };
        let today = store.today();
        let horizon = chrono::NaiveDate::from_ymd_opt(chrono::Datelike::year(&today), 12, 31)
            .map_or(FOREVER, date::to_sql);
        let window_from = earliest_year(&conn)?.unwrap_or(horizon - 364).min(horizon);
        Ok(Plan {
            window_from,
            store_id: store_id(&conn)?,
            head,
            root: root.map(str::to_owned),
            units,
            paths,
            horizon,
            offset_seconds: i64::from(store.offset().local_minus_utc()),
            reporting,
        })
    }

    /// Whether the store's chain still holds the head `m` was written at.
    pub(super) fn holds_head(store: &Store, m: &Manifest) -> Result<bool> {
        if m.audit_seq == 0 {
            return Ok(true);
        }
        let conn = store.read()?;
        let row: Option<(String, String)> = conn
            .query_row(
                "SELECT hash, at FROM audit WHERE seq = ?1",
                [m.audit_seq],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        Ok(row.is_some_and(|(h, at)| h.eq_ignore_ascii_case(&m.audit_digest) && at == m.audit_at))
    }

    /// The days requirements and reporting periods are written for.
    pub(super) fn window(&self) -> (i64, i64) {
        (self.window_from, self.horizon)
    }

    pub(super) fn covers(&self, unit: &str) -> bool {
        self.units.as_ref().is_none_or(|u| u.contains(unit))
    }
}

/// The part files an export wrote, not yet renamed into place, and the digests to keep.
#[derive(Debug)]
pub(super) struct Written {
    /// Rows written, per table.
    pub(super) rows: Vec<(&'static str, u64)>,
    /// (table, temporary path, final path, rows) of each part.
    parts: Vec<(&'static str, PathBuf, PathBuf, u64)>,
    keys: Keys,
}

impl Written {
    /// Renames the parts into place, keeps the digests, and lists both in `next`.
    pub(super) fn commit(self, dir: &Path, next: &mut Manifest) -> Result<()> {
        for (t, temp, path, rows) in self.parts {
            std::fs::rename(&temp, &path)
                .map_err(|e| Error::Storage(format!("cannot write {}: {e}", path.display())))?;
            let file = path
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_default();
            next.tables.entry(t.to_owned()).or_default().push(Part {
                file,
                export_seq: next.export_seq,
                rows,
            });
        }
        next.keys_sha256 = self.keys.save(dir)?;
        Ok(())
    }
}

/// The writers of one export, one per table.
pub(super) struct Writers {
    seq: i64,
    dir: PathBuf,
    open: Vec<(&'static str, PartWriter)>,
}

impl Writers {
    pub(super) fn get(&mut self, name: &'static str) -> &mut PartWriter {
        let i = if let Some(i) = self.open.iter().position(|(t, _)| *t == name) {
            i
        } else {
            let path = self
                .dir
                .join(name)
                .join(format!("part-{:06}.parquet", self.seq));
            self.open
                .push((name, PartWriter::new(table(name).columns, path)));
            self.open.len() - 1
        };
        &mut self.open[i].1
    }

    /// Pushes `row` to `name`'s part and into the digest `h` of a table written whole.
    fn push_whole(&mut self, name: &'static str, h: &mut Sha256, row: &[Val<'_>]) -> Result<()> {
        // Its export_seq, the last value, is left out: it differs every time.
        let values = &row[..row.len().saturating_sub(1)];
        h.update(format!("{values:?}\n").as_bytes());
        self.get(name).push(row)
    }
}

fn finish_digest(h: Sha256) -> u64 {
    let d = h.finalize();
    u64::from_le_bytes(d[..8].try_into().unwrap_or([0; 8]))
}

/// Reads every table through `conn` and writes what changed since `next` (a copy of the
/// previous manifest, or empty for a full export) into part files under temporary names.
pub(super) fn write_all(
    store: &Store,
    conn: &Connection,
    plan: &Plan,
    dir: &Path,
    next: &mut Manifest,
    mut keys: Keys,
) -> Result<Written> {
    let seq = next.export_seq;
    let mut w = Writers {
        seq,
        dir: dir.to_owned(),
        open: Vec::new(),
    };
    for t in TABLES {
        w.get(t.name);
    }
    let id = plan.store_id.as_str();
    let mut whole: Vec<(&'static str, u64)> = Vec::new();
    // The store table.
    {
        let p = w.get("store");
        p.push(&[
            Val::Text(id),
            plan.root.as_deref().map_or(Val::Null, Val::Text),
            Val::Int(plan.offset_seconds),
            Val::Moment(chrono::Utc::now().timestamp()),
            Val::Int(plan.head.0),
            Val::Date(plan.window_from),
            Val::Date(plan.horizon),
            Val::Int(seq),
        ])?;
        whole.push(("store", 0));
    }
    // Its stages, as progress counts them: units and reporting, households, visits,
    // entries, submissions.
    let stage = |done| store.report_progress("export_parquet", done, 5);
    stage(0)?;
    whole.push(("units", units(conn, plan, &mut w, seq)?));
    whole.push(("reporting_rules", reporting_rules(plan, &mut w, seq)?));
    let periods = reporting_periods(store, conn, plan, &mut w, seq)?;
    whole.push(("reporting_periods", periods));
    stage(1)?;
    super::registry::households(store, conn, plan, &mut w, &mut keys, seq)?;
    stage(2)?;
    next.visits_after = visits(conn, plan, &mut w, seq, next.visits_after)?;
    stage(3)?;
    super::ledger::entries(conn, plan, &mut w, &mut keys, seq)?;
    stage(4)?;
    super::ledger::submissions(conn, plan, &mut w, &mut keys, seq)?;
    stage(5)?;

    let mut rows = Vec::new();
    let mut parts = Vec::new();
    for t in TABLES {
        let Some(i) = w.open.iter().position(|(n, _)| *n == t.name) else {
            rows.push((t.name, 0));
            continue;
        };
        let (_, writer) = w.open.swap_remove(i);
        let digest = whole
            .iter()
            .find(|(n, _)| *n == t.name)
            .map(|(_, d)| format!("{d:016x}"));
        let unchanged = t.versioning == Versioning::Whole
            && t.name != "store"
            && digest.is_some()
            && next.whole.get(t.name) == digest.as_ref();
        let first = !next.tables.contains_key(t.name);
        let (n, files) = writer.finish(first && !unchanged)?;
        match files {
            Some((temp, _)) if unchanged => {
                let _ = std::fs::remove_file(temp);
                rows.push((t.name, 0));
            }
            Some((temp, path)) => {
                if let Some(d) = digest {
                    next.whole.insert(t.name.to_owned(), d);
                }
                rows.push((t.name, n));
                parts.push((t.name, temp, path, n));
            }
            None => rows.push((t.name, 0)),
        }
    }
    Ok(Written { rows, parts, keys })
}

/// A day number as written: `FOREVER` and later as 9999-12-31.
fn day(d: i64) -> Val<'static> {
    Val::Date(d.min(FOREVER))
}

/// The unit spans under the root; gives the table's digest.
fn units(conn: &Connection, plan: &Plan, w: &mut Writers, seq: i64) -> Result<u64> {
    let mut h = Sha256::new();
    let sql = "SELECT code, name, level, parent, path, depth, valid_from, valid_to, start, retired
               FROM unit_span";
    let ranges: Vec<(String, String, String)> = if plan.paths.is_empty() {
        vec![(String::new(), "/".to_owned(), "0".to_owned())]
    } else {
        plan.paths
            .iter()
            .map(|p| (p.clone(), format!("{p}/"), format!("{p}0")))
            .collect()
    };
    let mut stmt = conn.prepare(&format!(
        "{sql} WHERE path = ?1 OR (path >= ?2 AND path < ?3) ORDER BY path, valid_from"
    ))?;
    let mut seen = HashSet::default();
    for (p, lo, hi) in &ranges {
        let mut rows = stmt.query(rusqlite::params![p, lo, hi])?;
        while let Some(r) = rows.next()? {
            let (path, from): (String, i64) = (r.get(4)?, r.get(6)?);
            if !seen.insert((path.clone(), from)) {
                continue;
            }
            let parent: Option<String> = r.get(3)?;
            w.push_whole(
                "units",
                &mut h,
                &[
                    Val::Text(&plan.store_id),
                    Val::Text(text(r, 0)?),
                    Val::Text(text(r, 1)?),
                    Val::Text(text(r, 2)?),
                    parent.as_deref().map_or(Val::Null, Val::Text),
                    Val::Text(&path),
                    Val::Int(r.get(5)?),
                    day(from),
                    day(r.get(7)?),
                    day(r.get(8)?),
                    day(r.get(9)?),
                    Val::Int(seq),
                ],
            )?;
        }
    }
    Ok(finish_digest(h))
}

/// The reporting rules over time; gives the table's digest.
fn reporting_rules(plan: &Plan, w: &mut Writers, seq: i64) -> Result<u64> {
    let mut h = Sha256::new();
    for (from, until, rules) in &plan.reporting {
        for r in rules {
            w.push_whole(
                "reporting_rules",
                &mut h,
                &[
                    Val::Text(&plan.store_id),
                    Val::Text(&r.level),
                    Val::Text(r.every.as_str()),
                    Val::Int(i64::from(r.due_working_days)),
                    day(*from),
                    day(*until),
                    Val::Int(seq),
                ],
            )?;
        }
    }
    Ok(finish_digest(h))
}

/// The day that decides which longer period `q` lies in.
fn deciding_day(q: Period) -> i64 {
    let first = date::to_sql(q.first());
    if q.kind() == crate::period::PeriodKind::Week {
        first + 3
    } else {
        first
    }
}

/// The first day of the year of the store's earliest dated fact (a unit's start, a
/// household's arrival, a visit, an entry, a submission), if it has any.
fn earliest_year(conn: &Connection) -> Result<Option<i64>> {
    let earliest: Option<i64> = conn.query_row(
        "SELECT min(d) FROM (
             SELECT min(start) AS d FROM unit_span WHERE start > ?1
             UNION ALL SELECT min(start) FROM household WHERE start > ?1
             UNION ALL SELECT min(day) FROM visit
             UNION ALL SELECT min(reported_day) FROM entry
             UNION ALL SELECT min(first_day) FROM submission)",
        [BEGINNING],
        |r| r.get(0),
    )?;
    Ok(earliest.and_then(|d| {
        let year = chrono::Datelike::year(&date::from_sql(d));
        chrono::NaiveDate::from_ymd_opt(year, 1, 1).map(date::to_sql)
    }))
}

/// The periods each level must report for, from the year of the store's earliest fact
/// to the horizon; gives the table's digest.
fn reporting_periods(
    store: &Store,
    conn: &Connection,
    plan: &Plan,
    w: &mut Writers,
    seq: i64,
) -> Result<u64> {
    let mut h = Sha256::new();
    let earliest = plan.window_from;
    let calendar = store.calendar_on(conn)?;
    let offset = store.offset();
    for (from, until, rules) in &plan.reporting {
        let begin = (*from).max(earliest);
        let end = (*until - 1).min(plan.horizon);
        if begin > end {
            continue;
        }
        for r in rules {
            let mut q = Period::containing(r.every, date::from_sql(begin))?;
            while date::to_sql(q.first()) <= end {
                if date::to_sql(q.first()) >= *from {
                    let due = calendar
                        .add_working_days(q.last(), i64::from(r.due_working_days))
                        .ok()
                        .map(|d| end_of(d, offset).timestamp());
                    let text = q.to_string();
                    w.push_whole(
                        "reporting_periods",
                        &mut h,
                        &[
                            Val::Text(&plan.store_id),
                            Val::Text(&r.level),
                            Val::Text(&text),
                            Val::Text(q.kind().as_str()),
                            Val::Date(date::to_sql(q.first())),
                            Val::Date(date::to_sql(q.last())),
                            Val::Date(deciding_day(q)),
                            due.map_or(Val::Null, Val::Moment),
                            Val::Int(seq),
                        ],
                    )?;
                }
                match q.next() {
                    Ok(n) => q = n,
                    Err(_) => break,
                }
            }
        }
    }
    Ok(finish_digest(h))
}

/// The visits numbered after `after` whose household lived under the root that day;
/// gives the greatest number read.
fn visits(conn: &Connection, plan: &Plan, w: &mut Writers, seq: i64, after: i64) -> Result<i64> {
    let mut stmt = conn.prepare(
        "SELECT v.id, v.household_id, v.day, v.channel,
                coalesce((SELECT p.unit FROM household_place p WHERE p.household_id = v.household_id
                          AND p.valid_from <= v.day AND p.valid_to > v.day),
                         (SELECT h.unit FROM household h WHERE h.household_id = v.household_id))
         FROM visit v WHERE v.id > ?1 ORDER BY v.id",
    )?;
    let mut rows = stmt.query([after])?;
    let mut last = after;
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        last = last.max(id);
        let unit: Option<String> = r.get(4)?;
        if plan.units.is_some() && !unit.as_deref().is_some_and(|u| plan.covers(u)) {
            continue;
        }
        w.get("visits").push(&[
            Val::Text(&plan.store_id),
            Val::Int(id),
            Val::Text(text(r, 1)?),
            Val::Date(r.get(2)?),
            Val::Text(text(r, 3)?),
            Val::Int(seq),
        ])?;
    }
    Ok(last)
}
