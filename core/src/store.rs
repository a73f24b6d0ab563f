//! The store: one SQLite file per deployment, its configuration, handles and scopes.

use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use chrono::{FixedOffset, Utc};
use foldhash::HashSet;
use rusqlite::{Connection, OpenFlags, OptionalExtension, Transaction, TransactionBehavior};

use crate::audit::{self, AuditVerification, AuditWriter};
use crate::date::{self, Date};
use crate::error::{Error, Result};
use crate::levels::{Levels, check_code_chars};
use crate::report::ReportTree;
use crate::report::columns::LedgerColumns;
use crate::schema::{LATEST, MIGRATIONS};
use crate::snapshot::{PATCH_LIMIT, RegistrySnapshot};
use crate::visits::Channel;
use crate::visits::log::VisitLog;

/// How a new store is set up. Options that describe the deployment (levels, offset) only
/// apply when the file is created; opening an existing store with different ones is a
/// `Conflict`.
#[derive(Debug, Clone, Default)]
pub struct StoreOptions {
    /// The deployment's level kinds; default county, township, community, grid, building.
    pub levels: Option<Levels>,
    /// The deployment's offset from UTC in minutes; default +480 (Asia/Shanghai).
    pub utc_offset_minutes: Option<i32>,
    /// Who writes through the handle that is opened; default `system`.
    pub actor: Option<String>,
}

/// What one deployment is, fixed when its store is created.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    pub(crate) levels: Levels,
    pub(crate) offset: FixedOffset,
}

#[derive(Debug)]
struct Shared {
    conn: Mutex<Connection>,
    config: Config,
    /// The registry snapshot and what has changed since; taken only while `conn` is held.
    snapshot: Mutex<SnapshotCache>,
    /// The visit log and the visits recorded since; taken only while `conn` is held.
    visit_log: Mutex<VisitLogCache>,
    /// The working-day calendar with the years loaded into the store, and a stamp of the
    /// loaded years it was built from.
    calendar: Mutex<Option<(i64, Arc<crate::calendar::Calendar>)>>,
    /// The classifier of each ledger rule set, by the set's start day and text.
    classifiers: Mutex<crate::ledger::ClassifierCache>,
    /// The entries' marks laid out for reports, and the entries written since; taken only
    /// while `conn` is held.
    ledger_columns: Mutex<LedgerColumnsCache>,
    /// Report trees already read, while no write could have changed the units; taken
    /// only while `conn` is held.
    report_trees: Mutex<ReportTrees>,
}

/// Report trees by (unit, first day, last day), with the `PRAGMA data_version` they were
/// read at.
#[derive(Debug, Default)]
struct ReportTrees {
    data_version: i64,
    trees: foldhash::HashMap<(String, i64, i64), Arc<ReportTree>>,
}

/// How many report trees are kept at most.
const REPORT_TREES: usize = 64;

/// The entries' columns, if built, with the `PRAGMA data_version` they were built at and
/// the entries written through this store since.
#[derive(Debug, Default)]
struct LedgerColumnsCache {
    columns: Option<Arc<LedgerColumns>>,
    data_version: i64,
    pending: Vec<i64>,
}

/// The visit log, if one was built, with the `PRAGMA data_version` it was built at and
/// the visits recorded through this store since.
#[derive(Debug, Default)]
struct VisitLogCache {
    log: Option<Arc<VisitLog>>,
    data_version: i64,
    pending: Vec<(String, i64, Channel)>,
}

/// The registry snapshot, if one was built, with the `PRAGMA data_version` it was built
/// at and the households written through this store since.
#[derive(Debug, Default)]
struct SnapshotCache {
    snapshot: Option<Arc<RegistrySnapshot>>,
    data_version: i64,
    pending: HashSet<String>,
}

/// Which registry facts a write changed, for the counts' snapshot.
#[derive(Debug)]
enum Changes {
    /// Not said: the snapshot is rebuilt.
    Unknown,
    /// Only these households' facts (none, if empty).
    Households(HashSet<String>),
}

/// Who a handle acts as and which subtree it may see.
#[derive(Debug, Clone)]
pub(crate) struct Access {
    pub(crate) actor: String,
    /// The root of the subtree this handle is restricted to; `None` sees everything.
    pub(crate) root: Option<String>,
}

/// A handle on one deployment's store.
///
/// Handles are cheap to clone and safe to share between threads; every handle to the same
/// store uses one connection, taken in turn. [`Store::scope`] gives a handle that sees
/// only one subtree. Every write through any handle appends to the audit chain.
#[derive(Debug, Clone)]
pub struct Store {
    shared: Arc<Shared>,
    pub(crate) access: Access,
}

const DEFAULT_OFFSET_MINUTES: i32 = 8 * 60;
const DEFAULT_ACTOR: &str = "system";

impl Store {
    /// Opens (creating if needed) the store at `path`, or an in-memory store for
    /// `":memory:"`, with the default options.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        Self::open_with(path, StoreOptions::default())
    }

    /// Opens (creating if needed) the store at `path` with `options`.
    ///
    /// A file written by a newer version of the library, a SQLite file that is not a
    /// wangge store, or a file that is not SQLite at all is refused and left untouched.
    pub fn open_with(path: impl AsRef<Path>, options: StoreOptions) -> Result<Self> {
        let path = path.as_ref();
        let in_memory = path.as_os_str() == ":memory:";
        let conn = if in_memory {
            Connection::open_in_memory()?
        } else {
            Connection::open_with_flags(
                path,
                OpenFlags::SQLITE_OPEN_READ_WRITE
                    | OpenFlags::SQLITE_OPEN_CREATE
                    | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )
            .map_err(|e| Error::Storage(format!("cannot open {}: {e}", path.display())))?
        };
        conn.busy_timeout(Duration::from_secs(5))?;
        // One plan per statement: without this, SQLite re-prepares a cached statement
        // whenever the values bound might suit another plan, which costs far more than
        // the lookups the library makes (a day compared with a range, say).
        conn.set_db_config(
            rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
            true,
        )?;
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| {
                Error::Storage(format!("{} is not a SQLite database: {e}", path.display()))
            })?;
        if version > LATEST {
            return Err(Error::Storage(format!(
                "{} was written by a newer wangge (schema version {version}; this library knows up to {LATEST}); \
                 it was not opened or changed",
                path.display()
            )));
        }
        if version == 0 {
            let tables: i64 =
                conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))?;
            if tables > 0 {
                return Err(Error::Storage(format!(
                    "{} is a SQLite database but not a wangge store; it was not changed",
                    path.display()
                )));
            }
        }
        if version == 0 {
            // A new file: 8 KiB pages (SQLite's default is 4 KiB) halve the page splits
            // and writes of county-sized bulk loads, for slightly larger point reads.
            conn.pragma_update(None, "page_size", 8192)?;
        }
        if !in_memory {
            conn.pragma_update(None, "journal_mode", "WAL")?;
            conn.pragma_update(None, "synchronous", "NORMAL")?;
        }
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // County-scale batches touch more pages than SQLite's default 2 MiB cache holds;
        // spilling them to the WAL mid-transaction costs more than the memory.
        conn.pragma_update(None, "cache_size", -65_536)?;
        migrate(&conn, version)?;
        let config = load_or_create_config(&conn, &options)?;
        let actor = options.actor.unwrap_or_else(|| DEFAULT_ACTOR.to_owned());
        check_actor(&actor)?;
        Ok(Store {
            shared: Arc::new(Shared {
                conn: Mutex::new(conn),
                config,
                snapshot: Mutex::new(SnapshotCache::default()),
                visit_log: Mutex::new(VisitLogCache::default()),
                calendar: Mutex::new(None),
                classifiers: Mutex::new(crate::ledger::ClassifierCache::default()),
                ledger_columns: Mutex::new(LedgerColumnsCache::default()),
                report_trees: Mutex::new(ReportTrees::default()),
            }),
            access: Access { actor, root: None },
        })
    }

    /// A handle on the same store, acting as `actor`, that sees and changes only the
    /// subtree of unit `code`: anything outside it is `PermissionDenied`. A scope of a
    /// scoped handle must lie inside it.
    pub fn scope(&self, code: &str, actor: &str) -> Result<Store> {
        check_actor(actor)?;
        check_code_chars(code)?;
        let today = self.today();
        {
            let conn = self.conn();
            crate::units::span_on(&conn, code, today)?
                .ok_or_else(|| Error::not_found("unit", code))
                .and_then(|span| self.check_path_in_scope(code, &span.path))?;
        }
        Ok(Store {
            shared: Arc::clone(&self.shared),
            access: Access {
                actor: actor.to_owned(),
                root: Some(code.to_owned()),
            },
        })
    }

    /// The actor this handle writes as.
    pub fn actor(&self) -> &str {
        &self.access.actor
    }

    /// The root of this handle's scope, or `None` for an unrestricted handle.
    pub fn scope_root(&self) -> Option<&str> {
        self.access.root.as_deref()
    }

    /// The deployment's level kinds.
    pub fn levels(&self) -> &Levels {
        &self.shared.config.levels
    }

    /// The deployment's time zone, fixed when the store was created.
    pub fn offset(&self) -> FixedOffset {
        self.shared.config.offset
    }

    /// Today's date in the deployment's time zone: what an omitted `as_of` means.
    pub fn today(&self) -> Date {
        date::today(self.shared.config.offset)
    }

    /// Parses a moment as the store reads times: RFC 3339 with an offset, or a local time
    /// without one (`2024-03-17T08:30`, `2024-03-17 08:30:00`) in the deployment's time
    /// zone. Bad text is `InvalidInput` naming `at`.
    pub fn parse_moment(&self, text: &str) -> Result<date::Moment> {
        date::parse_moment("at", text, self.shared.config.offset)
    }

    /// Recomputes the audit chain and reports whether any record was changed or removed.
    pub fn verify_audit(&self) -> Result<AuditVerification> {
        audit::verify(&self.conn())
    }

    /// The audit records after sequence number `after`, oldest first, at most `limit`.
    pub fn audit_log(&self, after: i64, limit: usize) -> Result<Vec<audit::AuditRecord>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT seq, at, actor, action, target, detail, hash FROM audit WHERE seq > ?1 ORDER BY seq LIMIT ?2",
        )?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = stmt.query_map(rusqlite::params![after, limit], |r| {
            Ok(audit::AuditRecord {
                seq: r.get(0)?,
                at: r.get(1)?,
                actor: r.get(2)?,
                action: r.get(3)?,
                target: r.get(4)?,
                detail: r.get(5)?,
                hash: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub(crate) fn config(&self) -> &Config {
        &self.shared.config
    }

    /// The connection, taken in turn. A panic while it was held leaves no open
    /// transaction behind (dropping a transaction rolls it back), so poisoning is ignored.
    pub(crate) fn conn(&self) -> MutexGuard<'_, Connection> {
        self.shared
            .conn
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Runs `body` in one immediate transaction with an audit writer; commits only if
    /// `body` succeeds, so a failed write leaves nothing behind.
    pub(crate) fn write<T>(&self, body: impl FnOnce(&mut Write<'_>) -> Result<T>) -> Result<T> {
        let mut conn = self.conn();
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
        let mut conn = self.conn();
        conn.pragma_update(None, "foreign_keys", "OFF")?;
        let result = self.write_on(&mut conn, body);
        let restored = conn.pragma_update(None, "foreign_keys", "ON");
        let value = result?;
        restored?;
        Ok(value)
    }

    fn write_on<T>(
        &self,
        conn: &mut Connection,
        body: impl FnOnce(&mut Write<'_>) -> Result<T>,
    ) -> Result<T> {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let audit = AuditWriter::load(&tx)?;
        let at = Utc::now()
            .with_timezone(&self.shared.config.offset)
            .to_rfc3339_opts(chrono::SecondsFormat::Micros, false);
        let mut write = Write {
            tx,
            audit,
            at,
            actor: &self.access.actor,
            changes: Changes::Unknown,
            visits: Vec::new(),
            entries: Vec::new(),
        };
        let value = body(&mut write).map_err(Error::refused_by_trigger)?;
        let Write {
            tx,
            audit,
            changes,
            visits,
            entries,
            ..
        } = write;
        audit.finish(&tx)?;
        tx.commit()?;
        if !entries.is_empty() {
            let mut cache = lock(&self.shared.ledger_columns);
            if cache.columns.is_some() {
                cache.pending.extend(entries);
            }
        }
        if !visits.is_empty() {
            let mut cache = lock(&self.shared.visit_log);
            if cache.log.is_some() {
                cache.pending.extend(visits);
            }
        }
        let mut cache = self.snapshot_cache();
        match changes {
            Changes::Households(households) if cache.snapshot.is_some() => {
                cache.pending.extend(households);
                if cache.pending.len() > PATCH_LIMIT {
                    *cache = SnapshotCache::default();
                }
            }
            Changes::Households(_) => {}
            Changes::Unknown => {
                *cache = SnapshotCache::default();
                lock(&self.shared.report_trees).trees.clear();
            }
        }
        Ok(value)
    }

    fn snapshot_cache(&self) -> MutexGuard<'_, SnapshotCache> {
        lock(&self.shared.snapshot)
    }

    pub(crate) fn calendar_cache(
        &self,
    ) -> MutexGuard<'_, Option<(i64, Arc<crate::calendar::Calendar>)>> {
        lock(&self.shared.calendar)
    }

    pub(crate) fn classifier_cache(&self) -> MutexGuard<'_, crate::ledger::ClassifierCache> {
        lock(&self.shared.classifiers)
    }

    /// The visit log for the database's current state, laid out by `snapshot` (the
    /// registry snapshot just taken through [`Store::registry_snapshot`]): built if there
    /// is none, if another connection to the same file changed the database, or if the
    /// snapshot was rebuilt since; with the visits recorded through this store since
    /// added. `conn` is this store's connection, held by the caller.
    pub(crate) fn visit_log(
        &self,
        conn: &Connection,
        snapshot: &RegistrySnapshot,
    ) -> Result<Arc<VisitLog>> {
        let data_version: i64 = conn.query_row("PRAGMA data_version", [], |r| r.get(0))?;
        let mut cache = lock(&self.shared.visit_log);
        let mut current = match cache.log.take() {
            Some(log) if cache.data_version == data_version && log.fits(snapshot) => log,
            _ => {
                cache.pending.clear();
                Arc::new(VisitLog::build(conn, snapshot)?)
            }
        };
        if !cache.pending.is_empty() {
            let log = Arc::make_mut(&mut current);
            for (household, day, channel) in cache.pending.drain(..) {
                log.add(&household, day, channel);
            }
        }
        cache.log = Some(Arc::clone(&current));
        cache.data_version = data_version;
        Ok(current)
    }

    /// `unit`'s report tree over the days `[first, last]`: read, or kept from an earlier
    /// report while no write could have changed the units. `conn` is this store's
    /// connection, held by the caller.
    pub(crate) fn report_tree(
        &self,
        conn: &Connection,
        unit: &str,
        first: i64,
        last: i64,
    ) -> Result<Arc<ReportTree>> {
        let data_version: i64 = conn.query_row("PRAGMA data_version", [], |r| r.get(0))?;
        let mut cache = lock(&self.shared.report_trees);
        if cache.data_version != data_version || cache.trees.len() >= REPORT_TREES {
            cache.trees.clear();
            cache.data_version = data_version;
        }
        let key = (unit.to_owned(), first, last);
        if let Some(tree) = cache.trees.get(&key) {
            return Ok(Arc::clone(tree));
        }
        let tree = Arc::new(crate::report::report_tree(conn, unit, first, last)?);
        cache.trees.insert(key, Arc::clone(&tree));
        Ok(tree)
    }

    /// The entries' columns for the database's current state: built in one pass if there
    /// are none or another connection to the same file changed the database, with the
    /// entries written through this store since re-read. `conn` is this store's
    /// connection, held by the caller.
    pub(crate) fn ledger_columns(&self, conn: &Connection) -> Result<Arc<LedgerColumns>> {
        let data_version: i64 = conn.query_row("PRAGMA data_version", [], |r| r.get(0))?;
        let mut cache = lock(&self.shared.ledger_columns);
        let mut current = match cache.columns.take() {
            Some(columns) if cache.data_version == data_version => columns,
            _ => {
                cache.pending.clear();
                Arc::new(LedgerColumns::build(conn)?)
            }
        };
        if !cache.pending.is_empty() {
            let mut ids = std::mem::take(&mut cache.pending);
            ids.sort_unstable();
            ids.dedup();
            Arc::make_mut(&mut current).reread(conn, &ids)?;
        }
        cache.columns = Some(Arc::clone(&current));
        cache.data_version = data_version;
        Ok(current)
    }

    /// The registry snapshot for the database's current state: built if there is none
    /// or another connection to the same file changed it, patched with the households
    /// written through this store since. `conn` is this store's connection, held by the
    /// caller.
    pub(crate) fn registry_snapshot(&self, conn: &Connection) -> Result<Arc<RegistrySnapshot>> {
        let data_version: i64 = conn.query_row("PRAGMA data_version", [], |r| r.get(0))?;
        let mut cache = self.snapshot_cache();
        let current = match cache.snapshot.take() {
            Some(snapshot) if cache.data_version == data_version => {
                if cache.pending.is_empty() {
                    snapshot
                } else {
                    Arc::new(snapshot.patched(conn, &cache.pending)?)
                }
            }
            _ => Arc::new(RegistrySnapshot::build(conn)?),
        };
        *cache = SnapshotCache {
            snapshot: Some(Arc::clone(&current)),
            data_version,
            pending: HashSet::default(),
        };
        Ok(current)
    }

    /// Refuses a unit whose path (on the date in question) lies outside this handle's scope.
    pub(crate) fn check_path_in_scope(&self, code: &str, path: &str) -> Result<()> {
        match &self.access.root {
            None => Ok(()),
            Some(root) if path_contains(path, root) => Ok(()),
            Some(root) => Err(Error::PermissionDenied(format!(
                "unit {code} is outside the scope of {root} (actor {})",
                self.access.actor
            ))),
        }
    }

    /// Refuses a request that needs an unrestricted handle.
    pub(crate) fn check_unscoped(&self, what: &str) -> Result<()> {
        match &self.access.root {
            None => Ok(()),
            Some(root) => Err(Error::PermissionDenied(format!(
                "{what} is outside the scope of {root} (actor {})",
                self.access.actor
            ))),
        }
    }
}

/// Locks a cache, whether or not a panic poisoned it (a cache is rebuilt from the
/// database, never trusted half-written: each is replaced whole).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// True when `code` is one of the segments of `path`.
pub(crate) fn path_contains(path: &str, code: &str) -> bool {
    path.split('/').any(|segment| segment == code)
}

/// One write in progress: the transaction plus the audit records it appends.
pub(crate) struct Write<'a> {
    pub(crate) tx: Transaction<'a>,
    audit: AuditWriter,
    at: String,
    actor: &'a str,
    changes: Changes,
    /// Visits this write records, for the visit log.
    visits: Vec<(String, i64, Channel)>,
    /// Entries this write registers or works, for the reports' columns.
    entries: Vec<i64>,
}

impl Write<'_> {
    /// Says this write changes the registry facts of `household_id` (where it lives, its
    /// kind, members or tags), so the counts' snapshot re-reads just that household.
    pub(crate) fn changes_household(&mut self, household_id: &str) {
        match &mut self.changes {
            Changes::Households(set) => {
                set.insert(household_id.to_owned());
            }
            Changes::Unknown => {
                self.changes = Changes::Households(HashSet::from_iter([household_id.to_owned()]));
            }
        }
    }

    /// Says this write records a visit, so the visit log adds it once committed.
    pub(crate) fn records_visit(&mut self, household_id: &str, day: i64, channel: Channel) {
        self.visits.push((household_id.to_owned(), day, channel));
    }

    /// Says this write registers or works entry `id`, so the reports' columns re-read it
    /// once committed.
    pub(crate) fn changes_entry(&mut self, id: i64) {
        self.entries.push(id);
    }

    /// Says this write changes no registry facts the counts read.
    pub(crate) fn changes_no_household(&mut self) {
        if let Changes::Unknown = self.changes {
            self.changes = Changes::Households(HashSet::default());
        }
    }

    /// When this write happens (RFC 3339 with the deployment's offset).
    pub(crate) fn at(&self) -> &str {
        &self.at
    }

    /// Who makes it.
    pub(crate) fn actor(&self) -> &str {
        self.actor
    }

    /// Appends an audit record for this write.
    pub(crate) fn audit(
        &mut self,
        action: &str,
        target: &str,
        detail: &serde_json::Value,
    ) -> Result<()> {
        let detail = detail.to_string();
        self.audit
            .append(&self.tx, &self.at, self.actor, action, target, &detail)
    }
}

fn check_actor(actor: &str) -> Result<()> {
    if actor.trim().is_empty() || actor.chars().count() > 128 {
        return Err(Error::invalid(
            "actor",
            actor,
            "an actor is 1 to 128 characters",
        ));
    }
    Ok(())
}

/// The migration after which entries keep their marks: older stores get them filled.
const MARKS_MIGRATION: i64 = 8;

fn migrate(conn: &Connection, from: i64) -> Result<()> {
    if from == LATEST {
        return Ok(());
    }
    conn.execute_batch("BEGIN IMMEDIATE")?;
    let result = (|| -> Result<()> {
        for sql in &MIGRATIONS[from as usize..] {
            conn.execute_batch(sql)?;
        }
        if from > 0 && from < MARKS_MIGRATION {
            crate::ledger::marks::fill(conn)?;
        }
        conn.pragma_update(None, "user_version", LATEST)?;
        Ok(())
    })();
    match result {
        Ok(()) => conn.execute_batch("COMMIT")?,
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            return Err(e);
        }
    }
    Ok(())
}

fn load_or_create_config(conn: &Connection, options: &StoreOptions) -> Result<Config> {
    let get = |key: &str| -> Result<Option<String>> {
        Ok(conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()?)
    };
    let stored_levels = get("levels")?;
    let Some(stored_levels) = stored_levels else {
        let levels = options.levels.clone().unwrap_or_default();
        let minutes = options.utc_offset_minutes.unwrap_or(DEFAULT_OFFSET_MINUTES);
        let offset = offset_from_minutes(minutes)?;
        let levels_json =
            serde_json::to_string(&levels).map_err(|e| Error::Storage(e.to_string()))?;
        conn.execute(
            "INSERT INTO meta (key, value) VALUES ('levels', ?1), ('utc_offset_minutes', ?2)",
            [levels_json, minutes.to_string()],
        )?;
        return Ok(Config { levels, offset });
    };
    let levels: Levels = serde_json::from_str(&stored_levels)
        .map_err(|e| Error::Storage(format!("stored levels are unreadable: {e}")))?;
    let minutes: i32 = get("utc_offset_minutes")?
        .and_then(|m| m.parse().ok())
        .unwrap_or(DEFAULT_OFFSET_MINUTES);
    if let Some(wanted) = &options.levels
        && *wanted != levels
    {
        return Err(Error::Conflict(format!(
            "this store was created with levels {stored_levels}; levels can only be chosen when a store is created"
        )));
    }
    if let Some(wanted) = options.utc_offset_minutes
        && wanted != minutes
    {
        return Err(Error::Conflict(format!(
            "this store was created with UTC offset {minutes} minutes, not {wanted}"
        )));
    }
    Ok(Config {
        levels,
        offset: offset_from_minutes(minutes)?,
    })
}

fn offset_from_minutes(minutes: i32) -> Result<FixedOffset> {
    FixedOffset::east_opt(minutes * 60)
        .ok_or_else(|| Error::invalid("utc_offset_minutes", minutes, "must lie within ±24 hours"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::FOREVER;

    #[test]
    fn a_store_of_an_older_schema_is_migrated_forward_on_open() {
        let dir = std::env::temp_dir().join(format!("wangge-migrate-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("v1.db");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(MIGRATIONS[0]).unwrap();
            conn.pragma_update(None, "user_version", 1).unwrap();
        }
        let store = Store::open(&path).unwrap();
        let version: i64 = store
            .conn()
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, LATEST);
        store
            .add_unit("512021", "安岳县", "county", None, None)
            .unwrap();
        store
            .add_household("H1", "512021", "x", "registered", &["低保"], None)
            .unwrap();
        assert_eq!(store.tag_kinds().unwrap().len(), 15);
    }

    /// A version-2 store kept every place and membership in the history tables; version 3
    /// moves the latest of each onto its household's or resident's row.
    #[test]
    fn a_version_2_registry_keeps_its_history_through_migration_3() {
        let dir = std::env::temp_dir().join(format!("wangge-migrate3-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let (units, path) = (dir.join("units.db"), dir.join("v2.db"));
        {
            let store = Store::open(&units).unwrap();
            store
                .add_unit("512021", "安岳县", "county", None, None)
                .unwrap();
            for grid in ["512021001", "512021002"] {
                store
                    .add_unit(grid, grid, "township", Some("512021"), None)
                    .unwrap();
            }
        }
        let day = |text: &str| date::to_sql(crate::date::parse_date("day", text).unwrap());
        let (moved, ended, joined) = (day("2024-03-01"), day("2024-05-01"), day("2024-04-01"));
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(MIGRATIONS[0]).unwrap();
            conn.execute_batch(MIGRATIONS[1]).unwrap();
            conn.execute("ATTACH ?1 AS units", [units.to_str().unwrap()])
                .unwrap();
            conn.execute_batch(
                "INSERT INTO meta SELECT * FROM units.meta;
                 INSERT INTO unit SELECT * FROM units.unit;
                 INSERT INTO unit_span SELECT * FROM units.unit_span;
                 DETACH units;",
            )
            .unwrap();
            conn.execute_batch(&format!(
                "INSERT INTO household (household_id, address, kind, start, ended) VALUES
                    ('H1', 'a', 'registered', 1, {FOREVER}), ('H2', 'b', 'floating', 1, {ended});
                 INSERT INTO household_place VALUES
                    ('H1', 1, {moved}, '512021001'), ('H1', {moved}, {FOREVER}, '512021002'),
                    ('H2', 1, {ended}, '512021001');
                 INSERT INTO resident (resident_id, name) VALUES (7, '付良容');
                 INSERT INTO membership VALUES (7, 1, {joined}, 'H1', 'head'), (7, {joined}, {FOREVER}, 'H2', '母亲');
                 PRAGMA user_version = 2;"
            ))
            .unwrap();
        }
        let store = Store::open(&path).unwrap();
        let on = |text: &str| Some(crate::date::parse_date("day", text).unwrap());
        assert_eq!(
            store.household("H1", on("2024-02-29")).unwrap().unit,
            "512021001"
        );
        assert_eq!(
            store.household("H1", on("2024-03-01")).unwrap().unit,
            "512021002"
        );
        assert_eq!(
            store.household("H2", on("2024-04-30")).unwrap().unit,
            "512021001"
        );
        assert_eq!(
            store.household("H2", on("2024-05-01")).unwrap_err().kind(),
            crate::ErrorKind::NotFound
        );
        let names = |household: &str, day: &str| -> Vec<(String, String)> {
            store
                .residents(household, on(day))
                .unwrap()
                .into_iter()
                .map(|r| (r.name, r.relation))
                .collect()
        };
        assert_eq!(
            names("H1", "2024-03-31"),
            [("付良容".to_owned(), "head".to_owned())]
        );
        assert!(names("H1", "2024-04-01").is_empty());
        assert_eq!(
            names("H2", "2024-04-01"),
            [("付良容".to_owned(), "母亲".to_owned())]
        );
        // Only the stretches before the latest remain in the history tables.
        let rows = |sql: &str| -> i64 { store.conn().query_row(sql, [], |r| r.get(0)).unwrap() };
        assert_eq!(rows("SELECT count(*) FROM household_place"), 1);
        assert_eq!(rows("SELECT count(*) FROM membership"), 1);
        // And the counts, built from the new layout, agree.
        let (total, _) = store.unit_counts("512021", on("2024-04-15")).unwrap();
        assert_eq!(
            (total.households, total.residents, total.floating),
            (2, 1, 1)
        );
        // New writes use the new layout and keep the old history readable.
        store
            .move_household(
                "H1",
                "512021001",
                crate::date::parse_date("d", "2024-06-01").unwrap(),
            )
            .unwrap();
        assert_eq!(
            store.household("H1", on("2024-02-29")).unwrap().unit,
            "512021001"
        );
        assert_eq!(
            store.household("H1", on("2024-05-31")).unwrap().unit,
            "512021002"
        );
        assert_eq!(
            store.household("H1", on("2024-06-01")).unwrap().unit,
            "512021001"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
