//! The store's SQLite connection: the SQLite the library runs on, checked before any file
//! is opened, how long a write waits for another connection's lock, and the connection
//! held for one call ([`Conn`]): the store's writer, or one of its readers.
//!
//! The library runs either on the SQLite compiled into it (the `bundled` feature, as the C
//! library ships) or on the one the process already has (the Python module links the
//! interpreter's `libsqlite3`, so that the two share one copy and its file locks). The
//! second may be older or built differently, so [`Store::open_with`](super::Store) first
//! checks it here and refuses, as `Storage`, one the library cannot work on.

use std::path::Path;
use std::sync::atomic::Ordering;
use std::sync::{MutexGuard, OnceLock};

use rusqlite::{Connection, OpenFlags};

use crate::error::{Error, Result};
use crate::progress::Progress;

/// The oldest SQLite the library runs on, as `sqlite3_libversion_number()` counts: 3.40.0,
/// the oldest it is tested on (Debian 12's and that of its Python are 3.40.1).
pub const MIN_SQLITE_VERSION_NUMBER: i32 = 3_040_000;

/// The compile option the library needs from SQLite: the preupdate hook, through which it
/// seals every row it writes (see the `seal` module).
const NEEDED_OPTION: &str = "ENABLE_PREUPDATE_HOOK";

/// The version of the SQLite this process runs the library on (`sqlite3_libversion()`),
/// such as `3.40.1`: the bundled copy, or the platform's `libsqlite3` when the library is
/// built without the `bundled` feature.
pub fn sqlite_version() -> &'static str {
    rusqlite::version()
}

/// Turns off SQLite's memory statistics for the whole process, if SQLite has not started
/// in it yet (no connection opened, no `sqlite3_initialize`), and says whether it did;
/// once SQLite has started it changes nothing and gives false.
///
/// With the statistics on (SQLite's default), every allocation SQLite makes takes a
/// process-wide mutex to count itself. A SQLite built without lookaside memory, as the
/// platform's libsqlite3 that the Python module runs on is, allocates for nearly every
/// value it handles: loading the 665,276-unit national tree took 4.09–4.21 s on it with
/// the statistics and 3.47–3.64 s without. The library reads no statistic. What stops
/// working is what needs them: `sqlite3_memory_used`, `sqlite3_memory_highwater`,
/// `sqlite3_status64` and the soft and hard heap limits, for every user of that SQLite in
/// the process (Python's own `sqlite3` module offers none of them). The Python module
/// calls this when it is imported, which takes effect when it is imported before Python's
/// `sqlite3` (importing that starts SQLite); the C library and Rust do not, leaving the
/// host's SQLite as it is (and the copy of SQLite compiled into them gains nothing from
/// it).
pub fn sqlite_memory_statistics_off() -> bool {
    // SAFETY: SQLite refuses configuration (SQLITE_MISUSE) once it has started; before
    // that, nothing of this library's runs in it. The option takes one int.
    unsafe {
        rusqlite::ffi::sqlite3_config(rusqlite::ffi::SQLITE_CONFIG_MEMSTATUS, 0 as std::ffi::c_int)
            == rusqlite::ffi::SQLITE_OK
    }
}

/// Refuses, as `Storage`, a SQLite the library cannot run on: older than
/// [`MIN_SQLITE_VERSION_NUMBER`], or built without the preupdate hook. Checked once per
/// process, on a private in-memory database, so that a refused open leaves no file behind.
pub(crate) fn check_sqlite() -> Result<()> {
    static CHECKED: OnceLock<std::result::Result<(), String>> = OnceLock::new();
    CHECKED
        .get_or_init(|| why_unfit().map_or(Ok(()), Err))
        .clone()
        .map_err(Error::Storage)
}

/// What makes this process's SQLite unfit for the library, if anything.
fn why_unfit() -> Option<String> {
    let preupdate_hook = || {
        Connection::open_in_memory().and_then(|conn| {
            conn.query_row(
                "SELECT sqlite_compileoption_used(?1)",
                [NEEDED_OPTION],
                |r| r.get::<_, i64>(0),
            )
        })
    };
    unfit(sqlite_version(), rusqlite::version_number(), preupdate_hook)
}

/// What makes SQLite `version` (numbered `number`) unfit for the library, given how to
/// ask it whether it was built with the preupdate hook (1 when it was).
fn unfit(
    version: &str,
    number: i32,
    preupdate_hook: impl FnOnce() -> rusqlite::Result<i64>,
) -> Option<String> {
    if number < MIN_SQLITE_VERSION_NUMBER {
        let min = MIN_SQLITE_VERSION_NUMBER;
        return Some(format!(
            "this process runs SQLite {version}; wangge needs SQLite {}.{}.{} or newer \
             (or its own, bundled copy): no store was opened",
            min / 1_000_000,
            min / 1_000 % 1_000,
            min % 1_000
        ));
    }
    match preupdate_hook() {
        Ok(1) => None,
        Ok(_) => Some(format!(
            "this process runs SQLite {version}, built without SQLITE_{NEEDED_OPTION}, which \
             wangge needs to seal the rows it writes: use a SQLite built with it (or wangge's \
             own, bundled copy): no store was opened"
        )),
        Err(e) => Some(format!(
            "this process's SQLite {version} cannot be checked ({e}): no store was opened"
        )),
    }
}

/// How long a write waits by default for another connection's write lock: one minute,
/// longer than the write transaction of a county's bulk import, so that single writes made
/// during one wait rather than fail.
pub const DEFAULT_BUSY_TIMEOUT_MS: u32 = 60_000;

/// The longest busy time a store accepts (ten minutes): a longer one would hold a
/// request thread for longer than any platform waits for an answer.
pub const MAX_BUSY_TIMEOUT_MS: u32 = 600_000;

/// The busy time `ms` as given by a caller, checked: 0 to [`MAX_BUSY_TIMEOUT_MS`], else
/// `InvalidInput` naming `busy_timeout_ms`.
pub(crate) fn busy_timeout_from(ms: i64) -> Result<u32> {
    u32::try_from(ms)
        .ok()
        .filter(|ms| *ms <= MAX_BUSY_TIMEOUT_MS)
        .ok_or_else(|| {
            Error::invalid(
                "busy_timeout_ms",
                ms,
                format!("the busy time is 0 to {MAX_BUSY_TIMEOUT_MS} milliseconds"),
            )
        })
}

/// Opens the connection of a store: in memory, or the file at `path` (read-only or
/// read-write, created if missing), after checking the SQLite it runs on; a write through
/// it waits `busy_ms` milliseconds for another connection's lock.
pub(super) fn open(
    path: &Path,
    in_memory: bool,
    read_only: bool,
    busy_ms: u32,
) -> Result<Connection> {
    check_sqlite()?;
    let conn = if in_memory {
        Connection::open_in_memory()?
    } else {
        let access = if read_only {
            OpenFlags::SQLITE_OPEN_READ_ONLY
        } else {
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE
        };
        Connection::open_with_flags(path, access | OpenFlags::SQLITE_OPEN_NO_MUTEX).map_err(
            |e| {
                let why = if read_only && !path.exists() {
                    "there is no such file (a store opened read-only is never created)".to_owned()
                } else {
                    e.to_string()
                };
                Error::Storage(format!("cannot open {}: {why}", path.display()))
            },
        )?
    };
    // The pragma rather than rusqlite's `busy_timeout`, which also calls
    // sqlite3_set_clientdata: that needs SQLite 3.44, newer than the platform's SQLite the
    // library may run on.
    conn.pragma_update(None, "busy_timeout", busy_ms)?;
    Ok(conn)
}

/// Sets what every connection of a store reads and writes with: one plan per statement
/// (without it, SQLite re-prepares a cached statement whenever the values bound might suit
/// another plan, which costs far more than the lookups the library makes, a day compared
/// with a range, say), and a 64 MiB page cache (county-scale batches touch more pages
/// than SQLite's default 2 MiB holds; spilling them to the WAL mid-transaction costs more
/// than the memory).
pub(super) fn tune(conn: &Connection) -> Result<()> {
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
        true,
    )?;
    conn.pragma_update(None, "cache_size", -65_536)?;
    Ok(())
}

/// The most reader connections an idle store keeps open; more are opened while more
/// threads read at once, and closed when their reads end.
const IDLE_READERS: usize = 4;

/// A connection of an open store, held for one call ([`super::Store::conn`],
/// [`super::Store::read`]).
///
/// While a handle with a [`Progress`] holds it, the progress watches its statements; the
/// watch ends when it is dropped.
pub(crate) enum Conn<'a> {
    /// The store's one writing connection, held.
    Writer {
        guard: MutexGuard<'a, Option<Connection>>,
        /// Watched by the handle's progress.
        watched: bool,
    },
    /// A reader connection inside a read transaction, which ends when this is dropped;
    /// the connection then goes back to the store's idle readers.
    Reader {
        /// Always `Some` until dropped.
        conn: Option<Connection>,
        shared: &'a super::Shared,
        /// Watched by the handle's progress.
        watched: bool,
    },
}

impl std::ops::Deref for Conn<'_> {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        // Built only around an open connection, and closing needs the writer's lock.
        match self {
            Conn::Writer { guard, .. } => guard.as_ref(),
            Conn::Reader { conn, .. } => conn.as_ref(),
        }
        .expect("an open connection")
    }
}

impl std::ops::DerefMut for Conn<'_> {
    fn deref_mut(&mut self) -> &mut Connection {
        match self {
            Conn::Writer { guard, .. } => guard.as_mut(),
            Conn::Reader { conn, .. } => conn.as_mut(),
        }
        .expect("an open connection")
    }
}

impl Drop for Conn<'_> {
    fn drop(&mut self) {
        // Before the read transaction ends: a stopped progress must not interrupt that.
        let watched = match self {
            Conn::Writer { watched, .. } | Conn::Reader { watched, .. } => *watched,
        };
        if watched {
            Progress::unwatch(self);
        }
        let Conn::Reader { conn, shared, .. } = self else {
            return;
        };
        let Some(conn) = conn.take() else {
            return;
        };
        // A read transaction wrote nothing: ending it cannot fail for want of a lock; a
        // connection that could not end it is not kept.
        if !conn.is_autocommit() && conn.execute_batch("COMMIT").is_err() {
            return;
        }
        let mut idle = super::lock(&shared.readers);
        // Closing empties the idle readers after saying so: a reader coming back later
        // is closed here.
        if !shared.closed.load(Ordering::SeqCst) && idle.len() < IDLE_READERS {
            idle.push(conn);
        }
    }
}

impl super::Store {
    /// The connection, taken in turn, or `Storage` ([`super::STORE_CLOSED`]) once the store is closed.
    /// A panic while it was held leaves no open transaction behind (dropping a
    /// transaction rolls it back), so poisoning is ignored.
    pub(crate) fn conn(&self) -> Result<Conn<'_>> {
        let guard = self
            .shared
            .conn
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if guard.is_none() {
            return Err(Error::Storage(super::STORE_CLOSED.to_owned()));
        }
        let conn = Conn::Writer {
            guard,
            watched: self.progress.is_some(),
        };
        if let Some(progress) = &self.progress {
            progress.watch(&conn);
        }
        Ok(conn)
    }

    /// A connection for a call that only reads, inside one read transaction (so that the
    /// call sees one state of the database) that ends when it is dropped. For a file
    /// opened for writing this is the store's reader connection, which never waits for a
    /// write in progress; otherwise the store's one connection. `Storage`
    /// ([`super::STORE_CLOSED`]) once the store is closed.
    pub(crate) fn read(&self) -> Result<Conn<'_>> {
        if !self.shared.separate_reader {
            return self.conn();
        }
        if self.is_closed() {
            return Err(Error::Storage(super::STORE_CLOSED.to_owned()));
        }
        let idle = super::lock(&self.shared.readers).pop();
        let conn = match idle {
            Some(conn) => conn,
            None => self.open_reader()?,
        };
        let conn = Conn::Reader {
            conn: Some(conn),
            shared: &self.shared,
            watched: self.progress.is_some(),
        };
        if let Some(progress) = &self.progress {
            progress.watch(&conn);
        }
        conn.execute_batch("BEGIN DEFERRED")?;
        Ok(conn)
    }

    /// Opens a reader connection on the store's file.
    fn open_reader(&self) -> Result<Connection> {
        let conn = open(
            Path::new(&self.shared.path),
            false,
            true,
            self.shared.busy_timeout_ms,
        )?;
        tune(&conn)?;
        Ok(conn)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sqlite_the_tests_run_on_is_fit_and_shown_by_info() {
        assert_eq!(why_unfit(), None);
        assert!(rusqlite::version_number() >= MIN_SQLITE_VERSION_NUMBER);
        let store = crate::Store::open(":memory:").unwrap();
        let info = store.info().unwrap();
        assert_eq!(info.sqlite_version, rusqlite::version());
        assert!(
            info.sqlite_version.starts_with("3."),
            "{}",
            info.sqlite_version
        );
    }

    #[test]
    fn an_old_sqlite_or_one_without_the_preupdate_hook_is_refused_saying_why() {
        let old = unfit("3.39.4", 3_039_004, || Ok(1)).unwrap();
        assert!(
            old.contains("SQLite 3.39.4") && old.contains("3.40.0 or newer"),
            "{old}"
        );
        let without = unfit("3.45.1", 3_045_001, || Ok(0)).unwrap();
        assert!(
            without.contains("SQLITE_ENABLE_PREUPDATE_HOOK"),
            "{without}"
        );
        let unknown = unfit("3.45.1", 3_045_001, || Err(rusqlite::Error::InvalidQuery));
        assert!(unknown.unwrap().contains("cannot be checked"));
        assert_eq!(unfit("3.40.0", 3_040_000, || Ok(1)), None);
    }

    #[test]
    fn the_busy_time_is_set_on_the_connection() {
        let conn = open(Path::new(":memory:"), true, false, 1234).unwrap();
        let ms: i64 = conn
            .query_row("PRAGMA busy_timeout", [], |r| r.get(0))
            .unwrap();
        assert_eq!(ms, 1234);
    }
}
