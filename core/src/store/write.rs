//! Writes: one immediate transaction with its audit records, and what it changed.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use chrono::Utc;
use foldhash::{HashMap, HashSet};
use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior};

use super::Store;
use super::audit::AuditWriter;
use super::seal;
use crate::date::{self, Date};
use crate::error::{Error, Result};

/// What a committed write changed, as plain data: what the store's derived data reads
/// to bring itself up to date ([`super::Derived::note`]).
#[derive(Debug, Default)]
pub(crate) struct Changes {
    /// The households whose registry facts (where it lives, its kind, members or tags)
    /// changed; `None` when the write did not say, so anything derived may be stale.
    pub(super) households: Option<HashSet<String>>,
    /// The visits recorded.
    pub(super) visits: Vec<VisitFact>,
    /// The entries registered or worked.
    pub(super) entries: Vec<i64>,
}

/// A visit recorded by a write: the household, the day number and the channel.
#[derive(Debug, Clone)]
pub(crate) struct VisitFact {
    /// The household visited.
    pub(crate) household: String,
    /// The day of the visit, as stored.
    pub(crate) day: i64,
    /// The channel of the visit, as stored (`home`, `phone`).
    pub(crate) channel: String,
}

impl Changes {
    /// The households whose registry facts changed, or `None` when the write did not say.
    pub(crate) fn households(&self) -> Option<&HashSet<String>> {
        self.households.as_ref()
    }

    /// The visits recorded.
    pub(crate) fn visits(&self) -> &[VisitFact] {
        &self.visits
    }

    /// The entries registered or worked, in the order the write named them.
    pub(crate) fn entries(&self) -> &[i64] {
        &self.entries
    }
}

/// How long the last committed write of a store held the file's write lock.
#[derive(Debug, Default)]
pub(crate) struct LockClock {
    /// In microseconds, plus one; 0 before the first committed write.
    micros: AtomicU64,
}

impl LockClock {
    fn note(&self, held: Duration) {
        let micros = u64::try_from(held.as_micros()).unwrap_or(u64::MAX - 1);
        self.micros.store(micros + 1, Ordering::Relaxed);
    }

    fn last(&self) -> Option<Duration> {
        let micros = self.micros.load(Ordering::Relaxed);
        (micros > 0).then(|| Duration::from_micros(micros - 1))
    }
}

impl Store {
    /// How long the last committed write through this store (any of its handles) held
    /// the file's write lock: from the start of its transaction (`BEGIN IMMEDIATE`) to the
    /// end of its commit. Another writer waits at most this long for it (within its
    /// `busy_timeout_ms`); readers never do. `None` before the first committed write.
    /// The benchmarks report it for imports and visit batches.
    pub fn last_write_lock_held(&self) -> Option<Duration> {
        self.shared.lock_clock.last()
    }

    /// Whether `other` is a handle of the same store as this one (opened once, then
    /// cloned or scoped): they share one writer and one audit chain.
    pub(crate) fn same_store(&self, other: &Store) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }

    /// Runs `body` in one immediate transaction with an audit writer; commits only if
    /// `body` succeeds, so a failed write leaves nothing behind.
    pub(crate) fn write<T>(&self, body: impl FnOnce(&mut Write<'_>) -> Result<T>) -> Result<T> {
        let mut conn = self.conn()?;
        self.write_on(&mut conn, body)
    }

    /// Like [`Store::write`], with SQLite's foreign-key checks off for the transaction, for
    /// bulk writes that establish every reference they make themselves (checked in advance,
    /// or written earlier in the same transaction). The checks cost an index look-up per
    /// row; they are back on before anyone else can use the connection.
    pub(crate) fn write_bulk<T>(
        &self,
        body: impl FnOnce(&mut Write<'_>) -> Result<T>,
    ) -> Result<T> {
        let mut conn = self.conn()?;
        conn.pragma_update(None, "foreign_keys", "OFF")?;
        let result = self.write_on(&mut conn, body);
        let restored = conn.pragma_update(None, "foreign_keys", "ON");
        let value = result?;
        restored?;
        Ok(value)
    }

    pub(super) fn write_on<T>(
        &self,
        conn: &mut Connection,
        body: impl FnOnce(&mut Write<'_>) -> Result<T>,
    ) -> Result<T> {
        if self.shared.read_only {
            return Err(Error::PermissionDenied(format!(
                "this store was opened read-only; nothing was written (actor {})",
                self.access.actor
            )));
        }
        self.hook().clear();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let locked = Instant::now();
        super::keys::check_current(&tx, &self.vault())?;
        let audit = AuditWriter::load(&tx)?;
        let head_before = audit.head_seq();
        let now = Utc::now().with_timezone(&self.shared.config.offset);
        let at = now.to_rfc3339_opts(chrono::SecondsFormat::Micros, false);
        let mut write = Write {
            tx,
            audit,
            at,
            today: now.date_naive(),
            paths: HashMap::default(),
            all_paths: false,
            actor: &self.access.actor,
            acting: None,
            changes: Changes::default(),
            device: self.shared.device.is_some(),
            logged: false,
            replaying: None,
        };
        let value = body(&mut write).map_err(Error::refused_by_trigger)?;
        if write.device && !write.logged && !self.hook().is_empty() {
            return Err(crate::handheld::only_offline_work(&self.access.actor));
        }
        let Write {
            tx,
            mut audit,
            changes,
            at,
            actor,
            ..
        } = write;
        let (names, rows) = self.hook().take();
        let wrote = !rows.is_empty();
        let mac = self.mac();
        let (seals, found) = seal::flush(&tx, &mac, &names, rows)?;
        if let Some(first) = found.first() {
            // Rows changed outside the library that this write changed again: their
            // seals move on, but the chain keeps what was found.
            let detail = seal::verify::found_detail(&found, found.len() as i64);
            audit.append(
                None,
                seal::verify::FOUND,
                &first.table,
                &detail.to_string(),
                None,
            );
        }
        if wrote && audit.is_empty() {
            audit.append(None, "write", "", "{}", None);
        }
        let head_after = audit.finish(&tx, &mac, &at, actor, &seals)?;
        if self.keeps() {
            super::delta::record(&tx, &mac, (head_before, head_after), &changes)?;
        }
        tx.commit()?;
        self.shared.lock_clock.note(locked.elapsed());
        self.shared.slots.note(&changes, head_before, head_after);
        Ok(value)
    }
}

/// One write in progress: the transaction plus the audit records it appends.
pub(crate) struct Write<'a> {
    pub(crate) tx: Transaction<'a>,
    audit: AuditWriter,
    at: String,
    /// The day of `at`, on which units' paths are read for the audit.
    today: Date,
    /// Units' paths read for the audit so far.
    paths: HashMap<String, Option<String>>,
    /// Whether `paths` holds every unit that exists today.
    all_paths: bool,
    actor: &'a str,
    /// Who makes what follows, when not `actor` (see [`Write::act_as`]).
    acting: Option<String>,
    changes: Changes,
    /// Whether this write goes to a handheld device's store, whose offline writes are
    /// logged for the merge home ([`Write::log_device`]).
    device: bool,
    /// Whether this write logged any offline write.
    logged: bool,
    /// The device log item being replayed on a refreshed device, if one is: its writes
    /// are not logged again (see [`Write::replaying`]).
    replaying: Option<i64>,
}

/// Where a write stood when a savepoint was set ([`Store::attempt`]).
struct Marks {
    hook: usize,
    audit: usize,
    visits: usize,
    entries: usize,
}

impl Write<'_> {
    /// On a handheld device's store, appends offline write `kind` with its arguments
    /// `args` (as the call's JSON shape, times as recorded) to the device log, in this
    /// write's transaction: `local_id` is the id it created on the device (a visit, an
    /// entry), `refers` the log item that created the local record it names. Elsewhere
    /// nothing. Returns the item's sequence number on a device.
    pub(crate) fn log_device(
        &mut self,
        kind: &str,
        args: &serde_json::Value,
        local_id: Option<i64>,
        refers: Option<i64>,
    ) -> Result<Option<i64>> {
        if !self.device {
            return Ok(None);
        }
        self.logged = true;
        if let Some(seq) = self.replaying {
            if let Some(id) = local_id {
                crate::handheld::remember_local(&self.tx, kind, id, seq)?;
            }
            return Ok(Some(seq));
        }
        crate::handheld::log_item(&self.tx, kind, args, local_id, refers).map(Some)
    }

    /// On a refreshed device, says the writes that follow replay log item `seq` (or, with
    /// `None`, that they are new offline work again): a replayed write is not logged
    /// again, and the record it makes is remembered as made by `seq`.
    pub(crate) fn replaying(&mut self, seq: Option<i64>) {
        self.replaying = seq;
    }

    /// Whether this write goes to a handheld device's store.
    pub(crate) fn on_device(&self) -> bool {
        self.device
    }

    /// Says this write changes the registry facts of `household_id` (where it lives, its
    /// kind, members or tags), so the counts' snapshot re-reads just that household.
    pub(crate) fn changes_household(&mut self, household_id: &str) {
        self.changes
            .households
            .get_or_insert_with(HashSet::default)
            .insert(household_id.to_owned());
    }

    /// Says this write records a visit to `household_id` on day number `day` by `channel`
    /// as stored (`home`, `phone`), so the visit log adds it once committed.
    pub(crate) fn records_visit(&mut self, household_id: &str, day: i64, channel: &str) {
        self.changes.visits.push(VisitFact {
            household: household_id.to_owned(),
            day,
            channel: channel.to_owned(),
        });
    }

    /// Says this write registers or works entry `id`, so the reports' columns re-read it
    /// once committed.
    pub(crate) fn changes_entry(&mut self, id: i64) {
        self.changes.entries.push(id);
    }

    /// Says this write changes no registry facts the counts read.
    pub(crate) fn changes_no_household(&mut self) {
        self.changes.households.get_or_insert_with(HashSet::default);
    }

    /// The audit chain's head as this write began (before its own records).
    pub(crate) fn audit_head(&self) -> Result<super::AuditHead> {
        super::audit::head(&self.tx)
    }

    /// What is wrong, if anything, with `head` as part of the chain (see
    /// [`Store::verify_audit_since`]).
    pub(crate) fn audit_head_problem(&self, head: &super::AuditHead) -> Result<Option<String>> {
        super::audit::check_since(&self.tx, head)
    }

    /// Chains this write's records after the head as it now stands: for a write that
    /// rechained the audit records itself (a change of key), before it appends any.
    pub(crate) fn restart_chain(&mut self) -> Result<()> {
        debug_assert!(self.audit.is_empty(), "records appended before the rechain");
        self.audit = AuditWriter::load(&self.tx)?;
        Ok(())
    }

    /// When this write happens (RFC 3339 with the deployment's offset).
    pub(crate) fn at(&self) -> &str {
        &self.at
    }

    /// Who makes what follows: the handle's actor that began it, or the one
    /// [`Write::act_as`] named.
    pub(crate) fn actor(&self) -> &str {
        self.acting.as_deref().unwrap_or(self.actor)
    }

    /// Says that what follows is made by `actor` (`None`: the actor of the handle that
    /// began the write), for a write that applies several handles' actions together:
    /// their events and audit records name each handle's actor.
    pub(crate) fn act_as(&mut self, actor: Option<&str>) {
        self.acting = actor.map(str::to_owned);
    }

    /// Appends an audit record for this write, about the units `about` (codes): the
    /// record keeps the path of the deepest unit whose subtree holds them all, as they
    /// stand today (or last stood), and a scoped handle's `audit_log` shows it only when
    /// that unit lies in its scope. A record about no unit (deployment-wide settings,
    /// staff members' names) is shown only to unrestricted handles.
    pub(crate) fn audit<S: AsRef<str>>(
        &mut self,
        action: &str,
        target: &str,
        about: &[S],
        detail: &serde_json::Value,
    ) -> Result<()> {
        // Many units: one pass over today's tree instead of a look-up per unit.
        if about.len() > 64 && !self.all_paths {
            self.all_paths = true;
            let today = date::to_sql(self.today);
            let mut stmt = self.tx.prepare_cached(
                "SELECT code, path FROM unit_span WHERE valid_from <= ?1 AND valid_to > ?1",
            )?;
            let mut rows = stmt.query([today])?;
            while let Some(row) = rows.next()? {
                self.paths.insert(row.get(0)?, Some(row.get(1)?));
            }
        }
        let mut common = About::default();
        for code in about {
            let path = self.path_of(code.as_ref())?;
            common.add(path.as_deref());
            if common.is_nothing() {
                break;
            }
        }
        self.audit_about(action, target, &common, detail)
    }

    /// Appends an audit record for this write about what `about` gathered (see
    /// [`Write::audit`]), for a write that knows its units' paths already. The record is
    /// chained when the write commits; this stays fallible so that every caller already
    /// handles a chain that cannot be written.
    #[allow(clippy::unnecessary_wraps)]
    pub(crate) fn audit_about(
        &mut self,
        action: &str,
        target: &str,
        about: &About,
        detail: &serde_json::Value,
    ) -> Result<()> {
        let common = about.path();
        let detail = detail.to_string();
        self.audit
            .append(self.acting.as_deref(), action, target, &detail, common);
        Ok(())
    }

    /// The path of unit `code` today or, if it does not exist today, as it last stood.
    /// It reads the unit's `history` (see schema.rs): one span a line, each valid from
    /// its day to the next span's, the last to the day the unit retires.
    fn path_of(&mut self, code: &str) -> Result<Option<String>> {
        if let Some(path) = self.paths.get(code) {
            return Ok(path.clone());
        }
        let row: Option<(String, i64)> = self
            .tx
            .prepare_cached("SELECT history, retired FROM unit WHERE code = ?1")?
            .query_row([code], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let path = row.and_then(|(history, retired)| {
            path_in_history(&history, retired, date::to_sql(self.today)).map(str::to_owned)
        });
        self.paths.insert(code.to_owned(), path.clone());
        Ok(path)
    }
}

/// What an audit record is about: the deepest unit path holding every path added, or
/// nothing in particular (no path added, a unit without one, or paths of two roots).
#[derive(Debug, Default)]
pub(crate) enum About {
    /// Nothing added yet.
    #[default]
    Empty,
    /// The deepest path holding every path added.
    Path(String),
    /// Nothing in particular.
    Nothing,
}

impl About {
    /// Adds a unit's path (`None`: a unit the store does not know).
    pub(crate) fn add(&mut self, path: Option<&str>) {
        *self = match (std::mem::take(self), path) {
            (About::Empty, Some(path)) => About::Path(path.to_owned()),
            (About::Path(common), Some(path)) => {
                let shared = common_path(&common, path);
                if shared.is_empty() {
                    About::Nothing
                } else {
                    About::Path(shared.to_owned())
                }
            }
            _ => About::Nothing,
        };
    }

    /// True once no path can make this about a unit again.
    fn is_nothing(&self) -> bool {
        matches!(self, About::Nothing)
    }

    /// The path, or `None` for nothing in particular.
    fn path(&self) -> Option<&str> {
        match self {
            About::Path(path) => Some(path),
            About::Empty | About::Nothing => None,
        }
    }
}

/// The path a unit's `history` gives on day `today`, or its last path when no span holds
/// `today`; `None` for a history without a span.
fn path_in_history(history: &str, retired: i64, today: i64) -> Option<&str> {
    let spans = super::schema::history_spans(history);
    let ends = spans.iter().skip(1).map(|s| s.0).chain([retired]);
    spans
        .iter()
        .zip(ends)
        .find(|&(&(from, _), to)| from <= today && today < to)
        .map(|(&(_, path), _)| path)
        .or_else(|| spans.last().map(|&(_, path)| path))
}

/// The longest run of whole leading segments two unit paths share (`""` when none).
fn common_path<'p>(a: &'p str, b: &str) -> &'p str {
    let mut end = 0;
    for ((i, x), y) in a
        .split('/')
        .scan(0, |start, seg| {
            let at = *start;
            *start += seg.len() + 1;
            Some((at, seg))
        })
        .zip(b.split('/'))
    {
        if x != y {
            break;
        }
        end = i + x.len();
    }
    &a[..end]
}

impl Store {
    /// Runs `body` inside a savepoint of write `w`: when it fails, what it wrote, the
    /// rows it sealed, its audit records and the changes it noted are all undone, and the
    /// write goes on (a merge reports that item and applies the next).
    pub(crate) fn attempt<T>(
        &self,
        w: &mut Write<'_>,
        body: impl FnOnce(&mut Write<'_>) -> Result<T>,
    ) -> Result<T> {
        let marks = Marks {
            hook: self.hook().mark(),
            audit: w.audit.pending_len(),
            visits: w.changes.visits.len(),
            entries: w.changes.entries.len(),
        };
        w.tx.execute_batch("SAVEPOINT attempt")?;
        match body(w).map_err(Error::refused_by_trigger) {
            Ok(value) => {
                w.tx.execute_batch("RELEASE attempt")?;
                Ok(value)
            }
            Err(e) => {
                w.tx.execute_batch("ROLLBACK TO attempt; RELEASE attempt")?;
                self.hook().truncate(marks.hook);
                w.audit.truncate(marks.audit);
                w.changes.visits.truncate(marks.visits);
                w.changes.entries.truncate(marks.entries);
                Err(e)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_is_about_the_deepest_unit_holding_all_it_names() {
        let about = |paths: &[Option<&str>]| {
            let mut about = About::default();
            for path in paths {
                about.add(*path);
            }
            about.path().map(str::to_owned)
        };
        assert_eq!(about(&[]), None);
        assert_eq!(about(&[Some("/1/12/123")]).as_deref(), Some("/1/12/123"));
        assert_eq!(
            about(&[Some("/1/12/123"), Some("/1/12/124"), Some("/1/12")]).as_deref(),
            Some("/1/12")
        );
        assert_eq!(
            about(&[Some("/1/12/123"), Some("/1/123/1")]).as_deref(),
            Some("/1"),
            "whole segments only"
        );
        assert_eq!(about(&[Some("/1/12"), Some("/2/12")]), None, "two roots");
        assert_eq!(about(&[Some("/1/12"), None, Some("/1/12")]), None);
    }

    #[test]
    fn a_units_path_is_todays_span_or_else_its_last() {
        let history = "100\t/1/2\n200\t/1/3\n300\t/4/3";
        assert_eq!(path_in_history(history, 400, 150), Some("/1/2"));
        assert_eq!(
            path_in_history(history, 400, 200),
            Some("/1/3"),
            "a span starts on its day"
        );
        assert_eq!(path_in_history(history, 400, 399), Some("/4/3"));
        assert_eq!(
            path_in_history(history, 400, 400),
            Some("/4/3"),
            "retired: as it last stood"
        );
        assert_eq!(
            path_in_history(history, 400, 50),
            Some("/4/3"),
            "not yet begun: its last"
        );
        assert_eq!(path_in_history("", 400, 150), None);
    }
}
