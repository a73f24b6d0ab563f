//! The store: one SQLite file per deployment, its configuration, handles and scopes.
//!
//! The ground floor every domain module builds on, knowing none of them: a write
//! ([`Write`]) records what it changed as plain data ([`Changes`]); what the domains keep
//! in memory lives in one slot per type ([`Derived`]); the work a migration leaves to a
//! domain is handed in from the crate's root ([`AfterMigration`]).

use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use chrono::FixedOffset;
use rusqlite::{Connection, OpenFlags, OptionalExtension};

pub(crate) mod audit;
mod cache;
mod migrate;
mod schema;
pub(crate) mod seal;
mod write;

use audit::Mac;
pub use audit::{AuditHead, AuditRecord, AuditVerification, FactProblem, MAX_PROBLEMS};
pub(crate) use cache::{Derived, lock};
pub(crate) use migrate::AfterMigration;
pub(crate) use write::{Changes, VisitFact, Write};

use crate::date::{self, Date};
use crate::error::{Error, Result};
use crate::levels::Levels;
use cache::Slots;
use migrate::{identify, migrate};
use schema::LATEST;

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
    /// Opens an existing store without migrating it; every write through it is then
    /// `PermissionDenied`. Default false.
    pub read_only: bool,
}

/// The `PRAGMA application_id` of every wangge store ("WGGE"): a SQLite file without it
/// is some other application's and is refused untouched.
pub const APPLICATION_ID: i32 = 0x5747_4745;

/// What one deployment is, fixed when its store is created.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    pub(crate) levels: Levels,
    pub(crate) offset: FixedOffset,
}

#[derive(Debug)]
struct Shared {
    /// Watches the rows the connection writes, to seal them; declared before `conn` so
    /// that it is removed before the connection closes.
    hook: seal::Hook,
    conn: Mutex<Connection>,
    /// How the chain and the seals are computed.
    mac: Mac,
    config: Config,
    /// Opened read-only: every write is refused.
    read_only: bool,
    /// What is kept in memory, derived from the database.
    slots: Slots,
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
        if in_memory && options.read_only {
            return Err(Error::invalid(
                "read_only",
                true,
                "an in-memory store is new and empty: it cannot be opened read-only",
            ));
        }
        let conn = if in_memory {
            Connection::open_in_memory()?
        } else {
            let access = if options.read_only {
                OpenFlags::SQLITE_OPEN_READ_ONLY
            } else {
                OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE
            };
            Connection::open_with_flags(path, access | OpenFlags::SQLITE_OPEN_NO_MUTEX)
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
        if !options.read_only && conn.is_readonly(rusqlite::MAIN_DB)? {
            return Err(Error::Storage(format!(
                "{} is read-only for this process (permission denied): open it with read_only \
                 to read it; it was not changed",
                path.display()
            )));
        }
        let (version, stamped) = identify(&conn, path)?;
        if options.read_only && (version < LATEST || !stamped) {
            return Err(Error::Storage(format!(
                "{} is not a wangge store of the current schema (version {version} of {LATEST}): \
                 a read-only open cannot migrate it; it was not changed",
                path.display()
            )));
        }
        if version == 0 {
            // A new file: 8 KiB pages (SQLite's default is 4 KiB) halve the page splits
            // and writes of county-sized bulk loads, for slightly larger point reads.
            conn.pragma_update(None, "page_size", 8192)?;
        }
        if !in_memory && !options.read_only {
            conn.pragma_update(None, "journal_mode", "WAL")?;
            conn.pragma_update(None, "synchronous", "NORMAL")?;
        }
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // County-scale batches touch more pages than SQLite's default 2 MiB cache holds;
        // spilling them to the WAL mid-transaction costs more than the memory.
        conn.pragma_update(None, "cache_size", -65_536)?;
        let mac = chain_mac(&options);
        let hook = seal::Hook::install(&conn, mac.clone());
        if !options.read_only {
            let setup = |conn: &Connection| load_or_create_config(conn, &options).map(drop);
            migrate(
                &conn,
                version,
                stamped,
                crate::AFTER_MIGRATIONS,
                &mac,
                &setup,
            )?;
            hook.watch(seal::shapes(&conn)?);
        }
        let config = load_or_create_config(&conn, &options)?;
        let actor = options.actor.unwrap_or_else(|| DEFAULT_ACTOR.to_owned());
        check_actor(&actor)?;
        Ok(Store {
            shared: Arc::new(Shared {
                hook,
                conn: Mutex::new(conn),
                mac,
                config,
                read_only: options.read_only,
                slots: Slots::default(),
            }),
            access: Access { actor, root: None },
        })
    }

    /// A handle on the same store, acting as `actor`, that sees and changes only the
    /// subtree of unit `root`. The caller has checked the actor ([`check_actor`]) and
    /// found `root` inside this handle's scope (see [`Store::scope`]).
    pub(crate) fn scoped(&self, root: &str, actor: &str) -> Store {
        Store {
            shared: Arc::clone(&self.shared),
            access: Access {
                actor: actor.to_owned(),
                root: Some(root.to_owned()),
            },
        }
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

    /// Recomputes the audit chain and checks every fact against its seal: reports whether
    /// any record was changed or removed, and every row (of any table, the schema and the
    /// settings included) edited, deleted or inserted outside the library.
    pub fn verify_audit(&self) -> Result<AuditVerification> {
        seal::verify::everything(&self.conn(), &self.shared.mac, None)
    }

    /// [`Store::verify_audit`], and also proves that the chain still holds `head` (from
    /// [`Store::audit_head`], kept elsewhere) unchanged at its place: a chain recomputed
    /// or truncated by someone without the deployment key is caught.
    pub fn verify_audit_since(&self, head: &AuditHead) -> Result<AuditVerification> {
        seal::verify::everything(&self.conn(), &self.shared.mac, Some(head))
    }

    /// The newest record of the audit chain, to keep elsewhere (see
    /// [`Store::verify_audit_since`]).
    pub fn audit_head(&self) -> Result<AuditHead> {
        audit::head(&self.conn())
    }

    /// Stops (or resumes) sealing the rows this store writes: used only by the
    /// benchmarks, to measure what the seals cost a write. A store written without seals
    /// does not verify: its rows are unsealed.
    #[doc(hidden)]
    pub fn seals_off_for_benchmarks(&self, off: bool) {
        self.shared.hook.set_enabled(!off);
    }

    /// How the chain and the seals are computed.
    pub(crate) fn mac(&self) -> &Mac {
        &self.shared.mac
    }

    pub(crate) fn hook(&self) -> &seal::Hook {
        &self.shared.hook
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

/// How a store opened with `options` computes its chain and seals: the one place that
/// chooses. Without a deployment key, SM3.
fn chain_mac(_options: &StoreOptions) -> Mac {
    Mac::Sm3
}

/// True when `code` is one of the segments of `path`.
pub(crate) fn path_contains(path: &str, code: &str) -> bool {
    path.split('/').any(|segment| segment == code)
}

/// Refuses an actor name that is blank or over 128 characters.
pub(crate) fn check_actor(actor: &str) -> Result<()> {
    if actor.trim().is_empty() || actor.chars().count() > 128 {
        return Err(Error::invalid(
            "actor",
            actor,
            "an actor is 1 to 128 characters",
        ));
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
