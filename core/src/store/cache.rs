//! What the store keeps in memory between calls, derived from the database.

use std::sync::{Arc, Mutex, MutexGuard};

use foldhash::HashSet;
use rusqlite::Connection;

use super::Store;
use super::write::Changes;
use crate::error::Result;
use crate::report::ReportTree;
use crate::report::columns::LedgerColumns;
use crate::snapshot::{PATCH_LIMIT, RegistrySnapshot};
use crate::visits::Channel;
use crate::visits::log::VisitLog;

/// The caches of one store; each is taken only while the store's connection is held.
#[derive(Debug, Default)]
pub(super) struct Caches {
    /// The registry snapshot and what has changed since.
    snapshot: Mutex<SnapshotCache>,
    /// The visit log and the visits recorded since.
    visit_log: Mutex<VisitLogCache>,
    /// The working-day calendar with the years loaded into the store, and a stamp of the
    /// loaded years it was built from.
    calendar: Mutex<Option<(i64, Arc<crate::calendar::Calendar>)>>,
    /// The classifier of each ledger rule set, by the set's start day and text.
    classifiers: Mutex<crate::ledger::ClassifierCache>,
    /// The entries' marks laid out for reports, and the entries written since.
    ledger_columns: Mutex<LedgerColumnsCache>,
    /// Report trees already read, while no write could have changed the units.
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

impl Store {
    /// Takes note of what a write committed through this store changed.
    pub(super) fn committed(
        &self,
        changes: Changes,
        visits: Vec<(String, i64, Channel)>,
        entries: Vec<i64>,
    ) {
        if !entries.is_empty() {
            let mut cache = lock(&self.shared.caches.ledger_columns);
            if cache.columns.is_some() {
                cache.pending.extend(entries);
            }
        }
        if !visits.is_empty() {
            let mut cache = lock(&self.shared.caches.visit_log);
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
                lock(&self.shared.caches.report_trees).trees.clear();
            }
        }
    }

    fn snapshot_cache(&self) -> MutexGuard<'_, SnapshotCache> {
        lock(&self.shared.caches.snapshot)
    }

    pub(crate) fn calendar_cache(
        &self,
    ) -> MutexGuard<'_, Option<(i64, Arc<crate::calendar::Calendar>)>> {
        lock(&self.shared.caches.calendar)
    }

    pub(crate) fn classifier_cache(&self) -> MutexGuard<'_, crate::ledger::ClassifierCache> {
        lock(&self.shared.caches.classifiers)
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
        let mut cache = lock(&self.shared.caches.visit_log);
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
        let mut cache = lock(&self.shared.caches.report_trees);
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
        let mut cache = lock(&self.shared.caches.ledger_columns);
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
}

/// Locks a cache, whether or not a panic poisoned it (a cache is rebuilt from the
/// database, never trusted half-written: each is replaced whole).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
