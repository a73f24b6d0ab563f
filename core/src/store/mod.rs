//! The store: one SQLite file per deployment, its configuration, handles and scopes.
//!
//! The ground floor every domain module builds on, knowing none of them: a write
//! ([`Write`]) records what it changed as plain data ([`Changes`]); what the domains keep
//! in memory lives in one slot per type ([`Derived`]), some also kept in the file between
//! opens (`kept.rs`); a migration's domain work comes from the root ([`AfterMigration`]).

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use chrono::FixedOffset;
use rusqlite::Connection;

pub(crate) mod audit;
mod cache;
mod checkpoint;
mod codec;
mod config;
mod connection;
mod delta;
mod info;
pub(crate) mod kept;
pub(crate) mod keys;
mod migrate;
pub(crate) mod rekey;
mod schema;
mod scope;
pub(crate) mod seal;
mod write;

use audit::Mac;
pub use audit::{AuditHead, AuditRecord, AuditVerification, FactProblem, MAX_PROBLEMS};
pub(crate) use cache::{Derived, lock};
pub(crate) use codec::{Decoder, Encoder, pack, unpack};
pub(crate) use connection::busy_timeout_from;
use connection::tune;
pub use connection::{
    DEFAULT_BUSY_TIMEOUT_MS, MAX_BUSY_TIMEOUT_MS, MIN_SQLITE_VERSION_NUMBER,
    sqlite_memory_statistics_off, sqlite_version,
};
pub use info::{ABI_VERSION, LIBRARY_VERSION, StoreInfo};
pub use keys::{KEY_MAX_BYTES, KEY_MIN_BYTES, key_from_hex};
pub(crate) use migrate::AfterMigration;
pub(crate) use write::{About, Changes, VisitFact, Write};

use crate::date::{self, Date};
use crate::error::{Error, Result};
use crate::levels::Levels;
use crate::messages::Language;
use crate::progress::Progress;
use cache::Slots;
use config::load_or_create_config;
use keys::Vault;
use migrate::{identify, migrate};
use schema::LATEST;
pub(crate) use schema::history_spans;

/// Why an empty path is refused for a store (the home one or a device's).
pub(crate) const STORE_PATH_EMPTY: &str = "the path of the store is empty";

/// How a new store is set up. Options that describe the deployment (levels, offset) only
/// apply when the file is created; opening an existing store with different ones is a
/// `Conflict`.
#[derive(Clone, Default)]
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
    /// The deployment key (16 to 64 bytes), never written to the file. A new store opened
    /// with one is keyed: ID numbers and phones are sealed with SM4 and found by a keyed
    /// blind index (see the `keys` module). A keyed store opened without its key or with
    /// another one, and a store without a key opened with one, are refused
    /// (`PermissionDenied`) and left untouched; [`Store::rekey`] keys a store or changes
    /// its key. The store wipes its own copy from memory once it is open.
    pub key: Option<Vec<u8>>,
    /// How long, in milliseconds, a write through this store waits for another
    /// connection's write lock (another process's import, say) before it fails with
    /// [`Error::Busy`], which is safe to retry; 0 fails at once. At most
    /// [`MAX_BUSY_TIMEOUT_MS`]; default [`DEFAULT_BUSY_TIMEOUT_MS`].
    pub busy_timeout_ms: Option<u32>,
    /// The language of the messages the bindings show for this store's errors
    /// ([`Error::message`]); default English. Only the message changes: the kind, field
    /// and value are the same in every language.
    pub language: Language,
}

impl std::fmt::Debug for StoreOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreOptions")
            .field("levels", &self.levels)
            .field("utc_offset_minutes", &self.utc_offset_minutes)
            .field("actor", &self.actor)
            .field("read_only", &self.read_only)
            .field("key", &self.key.as_ref().map(|_| "(hidden)"))
            .field("busy_timeout_ms", &self.busy_timeout_ms)
            .field("language", &self.language)
            .finish()
    }
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
pub(crate) struct Shared {
    /// Checkpoints the log off the writing thread (a file opened for writing); declared
    /// before `conn`, so removed (and its thread waited for) before it closes.
    checkpoints: Option<checkpoint::Checkpoints>,
    /// Seals the rows the connection writes; declared before `conn`, so removed before it.
    hook: seal::Hook,
    /// The idle connections reads go through, opened as needed: reads never wait for a
    /// write in progress (in WAL mode a reader sees the last commit) nor for each other.
    /// Emptied when the store is closed; unused by an in-memory or read-only store (reads
    /// go through `conn`). Declared before `conn`: they close first, the writer last.
    readers: Mutex<Vec<Connection>>,
    /// The connection every write goes through; `None` once the store is closed
    /// ([`Store::close`]).
    conn: Mutex<Option<Connection>>,
    /// True when reads have a connection of their own (a file opened for writing).
    separate_reader: bool,
    /// Set once the store is closed, readable without waiting for the connection.
    closed: AtomicBool,
    config: Config,
    /// Opened read-only: every write is refused.
    read_only: bool,
    /// How long a write waits for another connection's lock, in milliseconds.
    busy_timeout_ms: u32,
    /// The language of the messages of this store's errors.
    language: Language,
    /// The file's path as given (`:memory:` for an in-memory store).
    path: String,
    /// How ID numbers and phones are kept; replaced only by [`Store::rekey`], holding `conn`.
    vault: RwLock<Arc<Vault>>,
    /// What is kept in memory, derived from the database.
    slots: Slots,
    /// Held while derived data is kept in the file (see `kept.rs`): kinds built at once on
    /// two threads are kept one after the other, rather than the second left unkept for
    /// finding the writer busy with the first.
    keeping: Mutex<()>,
    /// How long the last write held the write lock ([`Store::last_write_lock_held`]).
    lock_clock: write::LockClock,
    /// What the store is when it is a handheld device's (see `handheld`): its handles
    /// are scoped to the device's unit.
    pub(crate) device: Option<crate::handheld::DeviceInfo>,
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
/// Handles are cheap to clone and safe to share between threads. Every handle to the same
/// store writes through one connection, taken in turn, and reads through another (for a
/// file: in WAL mode a read sees the last commit and never waits for a write in progress,
/// in this process or another). A write waits for another connection's write lock at most
/// the busy time ([`StoreOptions::busy_timeout_ms`]), then fails with
/// [`Error::Busy`]. [`Store::scope`] gives a handle that sees only one subtree. Every
/// write through any handle appends to the audit chain.
#[derive(Debug, Clone)]
pub struct Store {
    shared: Arc<Shared>,
    pub(crate) access: Access,
    /// What calls through this handle report their progress to and are stopped by
    /// (see [`Store::with_progress`]).
    pub(crate) progress: Option<Progress>,
}

pub(super) const DEFAULT_OFFSET_MINUTES: i32 = 8 * 60;

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
    /// wangge store or that keeps its text as UTF-16 (the library's orders and seals are
    /// those of UTF-8), or a file that is not SQLite at all is refused (`Storage`) and left
    /// untouched. An
    /// empty path is `InvalidInput` naming `path` (SQLite would open a private temporary
    /// file, lost on close). When the library runs on the platform's SQLite (built without
    /// the `bundled` feature, as the Python module is), one older than
    /// [`MIN_SQLITE_VERSION_NUMBER`] or built without the preupdate hook is refused as
    /// `Storage` before any file is opened.
    pub fn open_with(path: impl AsRef<Path>, options: StoreOptions) -> Result<Self> {
        Self::open_inner(path.as_ref(), options, None)
    }

    /// [`Store::open_with`], with the vault of another store of the same deployment key
    /// instead of the key itself (`given`): a handheld device's store, made and merged by
    /// its home store (see `handheld`).
    pub(crate) fn open_inner(
        path: &Path,
        mut options: StoreOptions,
        given: Option<Arc<Vault>>,
    ) -> Result<Self> {
        crate::text::check_path("path", path, STORE_PATH_EMPTY)?;
        let key = options.key.take().map(zeroize::Zeroizing::new);
        if let Some(key) = &key {
            keys::check_key(key)?;
        }
        let busy_ms = busy_timeout_from(i64::from(
            options.busy_timeout_ms.unwrap_or(DEFAULT_BUSY_TIMEOUT_MS),
        ))?;
        let in_memory = path.as_os_str() == ":memory:";
        if in_memory && options.read_only {
            return Err(Error::invalid(
                "read_only",
                true,
                "an in-memory store is new and empty: it cannot be opened read-only",
            ));
        }
        let conn = connection::open(path, in_memory, options.read_only, busy_ms)?;
        tune(&conn)?;
        if !options.read_only && conn.is_readonly(rusqlite::MAIN_DB)? {
            return Err(Error::Storage(format!(
                "{} is read-only for this process (permission denied): open it with read_only \
                 to read it; it was not changed",
                path.display()
            )));
        }
        let (version, stamped) = identify(&conn, path)?;
        let (vault, new_key) = match given {
            Some(v) => keys::given_vault(&conn, path, version, v)?,
            None => unlock(&conn, path, version, key.as_deref().map(Vec::as_slice))
                .map(|(v, meta)| (Arc::new(v), meta))?,
        };
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
        let checkpoints = if !in_memory && !options.read_only {
            conn.pragma_update(None, "journal_mode", "WAL")?;
            conn.pragma_update(None, "synchronous", "NORMAL")?;
            Some(checkpoint::Checkpoints::install(&conn, path)?)
        } else {
            None
        };
        conn.pragma_update(None, "foreign_keys", "ON")?;
        let mac = vault_mac(&vault);
        let hook = seal::Hook::install(&conn, mac.clone());
        if !options.read_only {
            let setup = |conn: &Connection| {
                load_or_create_config(conn, &options, new_key.as_ref()).map(drop)
            };
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
        let config = load_or_create_config(&conn, &options, new_key.as_ref())?;
        let device = crate::handheld::device_info(&conn)?;
        let actor = (options
            .actor
            .or_else(|| device.as_ref().map(|d| d.staff_id.clone())))
        .unwrap_or_else(|| DEFAULT_ACTOR.to_owned());
        check_actor(&actor)?;
        let root = device.as_ref().map(|d| d.unit.clone());
        Ok(Store {
            shared: Arc::new(Shared {
                checkpoints,
                hook,
                conn: Mutex::new(Some(conn)),
                readers: Mutex::new(Vec::new()),
                separate_reader: !in_memory && !options.read_only,
                closed: AtomicBool::new(false),
                config,
                read_only: options.read_only,
                busy_timeout_ms: busy_ms,
                language: options.language,
                path: path.to_string_lossy().into_owned(),
                vault: RwLock::new(vault),
                slots: Slots::default(),
                keeping: Mutex::new(()),
                lock_clock: write::LockClock::default(),
                device,
            }),
            access: Access { actor, root },
            progress: None,
        })
    }

    /// A handle on the same store, acting as `actor`, that sees and changes only the
    /// subtree of unit `root`. The caller has checked the actor ([`check_actor`]) and
    /// found `root` inside this handle's scope (see [`Store::scope`]). A progress belongs
    /// to one call: the new handle has none.
    pub(crate) fn scoped(&self, root: &str, actor: &str) -> Store {
        Store {
            shared: Arc::clone(&self.shared),
            access: Access {
                actor: actor.to_owned(),
                root: Some(root.to_owned()),
            },
            progress: None,
        }
    }

    /// The same store seen whole (no scope), for the library's own work on a device's
    /// store: verifying and closing it.
    pub(crate) fn whole(&self) -> Store {
        Store {
            shared: Arc::clone(&self.shared),
            access: Access {
                actor: self.access.actor.clone(),
                root: None,
            },
            progress: None,
        }
    }

    /// What this store is when it is a handheld device's.
    pub(crate) fn device(&self) -> Option<&crate::handheld::DeviceInfo> {
        self.shared.device.as_ref()
    }

    /// Refuses a request about the whole audit chain unless this handle is unrestricted or
    /// a device's own (whose chain is the device's alone).
    fn check_whole_chain(&self, what: &str) -> Result<()> {
        match (&self.shared.device, &self.access.root) {
            (Some(d), Some(root)) if *root == d.unit => Ok(()),
            _ => self.check_unscoped(what),
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
    /// settings included) edited, deleted or inserted outside the library. The chain is the
    /// whole deployment's: on a scoped handle this is `PermissionDenied`.
    pub fn verify_audit(&self) -> Result<AuditVerification> {
        self.check_whole_chain("verifying the whole audit chain")?;
        seal::verify::everything(&*self.read()?, &self.mac(), None, self.progress())
    }

    /// [`Store::verify_audit`], and also proves that the chain still holds `head` (from
    /// [`Store::audit_head`], kept elsewhere) unchanged at its place: a chain recomputed
    /// or truncated by someone without the deployment key is caught.
    pub fn verify_audit_since(&self, head: &AuditHead) -> Result<AuditVerification> {
        self.check_whole_chain("verifying the whole audit chain")?;
        seal::verify::everything(&*self.read()?, &self.mac(), Some(head), self.progress())
    }

    /// The newest record of the audit chain, to keep elsewhere (see
    /// [`Store::verify_audit_since`]). The chain is the whole deployment's: on a scoped
    /// handle this is `PermissionDenied`.
    pub fn audit_head(&self) -> Result<AuditHead> {
        self.check_whole_chain("the head of the whole audit chain")?;
        audit::head(&*self.read()?)
    }

    /// Stops (or resumes) sealing the rows this store writes: used only by the
    /// benchmarks, to measure what the seals cost a write. A store written without seals
    /// does not verify: its rows are unsealed.
    #[doc(hidden)]
    pub fn seals_off_for_benchmarks(&self, off: bool) {
        self.shared.hook.set_enabled(!off);
    }

    /// How the chain and the seals are computed: HMAC-SM3 under the chain key of the
    /// store's deployment key, or SM3 without one.
    pub(crate) fn mac(&self) -> Mac {
        vault_mac(&self.vault())
    }

    pub(crate) fn hook(&self) -> &seal::Hook {
        &self.shared.hook
    }

    /// The audit records after sequence number `after`, oldest first, at most `limit`.
    ///
    /// A scoped handle gets only the records about its subtree: those whose units (the
    /// deepest unit holding everything the record names, as it stood when written) lie in
    /// it. Records about the deployment as a whole (rule sets, the calendar, tag kinds,
    /// staff members' names) and about several subtrees at once are shown only to
    /// unrestricted handles; so are records written before the store kept their units.
    pub fn audit_log(&self, after: i64, limit: usize) -> Result<Vec<audit::AuditRecord>> {
        let conn = self.read()?;
        let mut stmt = conn.prepare(
            "SELECT seq, at, actor, action, target, detail, hash FROM audit
             WHERE seq > ?1 AND (?3 IS NULL
                   OR instr('/' || unit_path || '/', '/' || ?3 || '/') > 0)
             ORDER BY seq LIMIT ?2",
        )?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let root = self.access.root.as_deref();
        let rows = stmt.query_map(rusqlite::params![after, limit, root], |r| {
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

    /// How this store keeps ID numbers and phones (in clear or sealed).
    pub(crate) fn vault(&self) -> Arc<Vault> {
        Arc::clone(
            &self
                .shared
                .vault
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        )
    }

    pub(crate) fn config(&self) -> &Config {
        &self.shared.config
    }

    /// Closes the store for every handle on it: this one, its clones and every scope made
    /// from any of them. The file is closed at once (after a call in progress on another
    /// thread ends); every later call that reads or writes the store through any of those
    /// handles is `Storage` with the message [`STORE_CLOSED`] (what a handle knows without
    /// the file, such as its actor, scope root and levels, still answers). Closing twice
    /// is harmless.
    ///
    /// Only an unrestricted handle (or a handheld device's own) may close the store: on a
    /// scoped handle this is `PermissionDenied` (a scope is let go of by dropping it).
    pub fn close(&self) -> Result<()> {
        self.check_whole_chain("closing the store")?;
        self.shared.closed.store(true, Ordering::SeqCst);
        // Readers first (one in use is closed when its call ends: see `Conn::drop`), so
        // that the writer, closing last, checkpoints the file.
        drop(std::mem::take(&mut *cache::lock(&self.shared.readers)));
        let taken = self
            .shared
            .conn
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        // The hooks go first: they must not outlive the connection they are installed on.
        self.shared.hook.detach();
        if let Some(checkpoints) = &self.shared.checkpoints {
            checkpoints.detach();
        }
        drop(taken);
        Ok(())
    }

    /// True once the store was closed through any of its unrestricted handles.
    /// Never waits for a call in progress.
    pub fn is_closed(&self) -> bool {
        self.shared.closed.load(Ordering::SeqCst)
    }
}

/// The message of the `Storage` error every call on a closed store gets.
pub const STORE_CLOSED: &str = "store is closed";

/// How a store with `vault` computes its chain and seals, the one place that chooses:
/// HMAC-SM3 under the deployment key's chain key, or SM3 without a key.
pub(crate) fn vault_mac(vault: &Vault) -> Mac {
    vault
        .keys()
        .map_or(Mac::Sm3, |keys| Mac::keyed(&keys.chain_key()))
}

/// True when `code` is one of the segments of `path`.
pub(crate) fn path_contains(path: &str, code: &str) -> bool {
    path.split('/').any(|segment| segment == code)
}

/// Refuses an actor name that is blank or over 128 characters.
pub(crate) fn check_actor(actor: &str) -> Result<()> {
    crate::text::check_controls("actor", actor, false)?;
    if actor.trim().is_empty() || actor.chars().count() > 128 {
        return Err(Error::invalid(
            "actor",
            actor,
            "an actor is 1 to 128 characters",
        ));
    }
    Ok(())
}

/// The vault of the store at `path` of schema `version`, for the key given (if any),
/// checked before anything is written: a keyed store needs its own key, and a store
/// without a key takes none (`PermissionDenied`; [`Store::rekey`] keys it). For a new
/// store with a key, also the key material to write with its configuration.
fn unlock(
    conn: &Connection,
    path: &Path,
    version: i64,
    key: Option<&[u8]>,
) -> Result<(Vault, Option<keys::KeyMeta>)> {
    let stored = if version > 0 {
        keys::read_meta(conn)?
    } else {
        None
    };
    let place = path.display().to_string();
    match (stored, key) {
        (None, None) => Ok((Vault::clear(), None)),
        (Some(meta), Some(key)) => Ok((Vault::unlock(key, &meta, &place)?, None)),
        (Some(_), None) => Err(Error::PermissionDenied(format!(
            "{place} is encrypted with a deployment key: open it with its key; it was not opened or changed"
        ))),
        (None, Some(_)) if version > 0 => Err(Error::PermissionDenied(format!(
            "{place} has no deployment key: open it without one and call rekey to encrypt it; \
             it was not opened or changed"
        ))),
        (None, Some(key)) => {
            let vault = Vault::fresh(key)?;
            let meta = vault.meta();
            Ok((vault, meta))
        }
    }
}
