//! Checkpoints of a store's log, made by a thread of their own rather than by the write
//! that grew the log.
//!
//! In WAL mode a commit appends the pages it changed to the log, and a checkpoint copies
//! them into the file and syncs it. SQLite's own rule (`wal_autocheckpoint`) makes the
//! checkpoint inside the commit that takes the log past its limit, so that write's caller
//! waits for the copy and the sync of everything written since the last one: for a
//! county-sized batch (a tick over a million open entries, a tree of 665,000 units) about
//! a third of the call. Here the writing connection makes no checkpoint of its own.
//! Instead, a commit that leaves the log at [`LIMIT`] pages or more starts a thread
//! (`wangge-checkpoint`) that opens a connection of its own and makes a passive
//! checkpoint, which waits for no reader or writer. What the log holds is already
//! committed, so nothing is less durable; readers and the next write go on meanwhile.
//!
//! One such thread runs at a time; a commit while it runs starts none. The thread is
//! waited for before the writing connection closes (so that closing, as SQLite does,
//! checkpoints the rest and removes the log) and before the log is emptied on purpose
//! (`Store::rekey`). If no thread can start, the commit makes the checkpoint itself, as
//! SQLite would have.

use std::ffi::{c_char, c_int, c_void};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicPtr, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use rusqlite::{Connection, OpenFlags, ffi};

/// The log's size, in pages, from which a commit starts a checkpoint: 8,000 (64 MiB of
/// 8 KiB pages) rather than SQLite's 1,000, since each checkpoint syncs the file twice
/// and pages written again between checkpoints are copied into the file once.
pub(crate) const LIMIT: c_int = 8_000;

/// What the hook knows: where the file is, and the thread checkpointing it, if any.
#[derive(Debug)]
struct Checkpointer {
    path: PathBuf,
    /// The log size that starts a checkpoint.
    limit: c_int,
    /// True from a checkpoint's start until its thread is about to end.
    running: Arc<AtomicBool>,
    /// The last thread started, to be waited for.
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl Checkpointer {
    /// Starts a checkpoint on a thread of its own unless one is running; makes it here
    /// when no thread can start.
    fn start(&self) {
        if self.running.swap(true, Ordering::AcqRel) {
            return;
        }
        let mut slot = self
            .thread
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(done) = slot.take() {
            // It cleared `running` as its last step: this wait is short.
            let _ = done.join();
        }
        let (path, running) = (self.path.clone(), Arc::clone(&self.running));
        let spawned = std::thread::Builder::new()
            .name("wangge-checkpoint".to_owned())
            .spawn(move || {
                checkpoint(&path);
                running.store(false, Ordering::Release);
            });
        if let Ok(handle) = spawned {
            *slot = Some(handle);
        } else {
            checkpoint(&self.path);
            self.running.store(false, Ordering::Release);
        }
    }

    /// Waits for the last thread started, if any.
    fn wait(&self) {
        let handle = self
            .thread
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        if let Some(handle) = handle {
            let _ = handle.join();
        }
    }
}

/// Copies the log of the file at `path` into the file, as far as its readers allow, through
/// a connection of its own. A checkpoint that cannot be made now (the file cannot be
/// opened, another checkpoint is running) is left to the next one, or to the close.
fn checkpoint(path: &Path) {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if let Ok(conn) = Connection::open_with_flags(path, flags) {
        let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
    }
}

/// The log hook installed on a store's writing connection, in place of SQLite's automatic
/// checkpoint. It must be removed before the connection closes ([`Checkpoints::detach`];
/// dropping it does so, and the store's fields are declared in that order).
#[derive(Debug)]
pub(crate) struct Checkpoints {
    checkpointer: Box<Checkpointer>,
    /// The connection the hook is installed on; null once removed.
    db: AtomicPtr<ffi::sqlite3>,
}

// SAFETY: `db` is only used to remove the hook; the checkpointer's state is atomic or
// behind a mutex, and the hook runs on whichever thread holds the connection.
unsafe impl Send for Checkpoints {}
// SAFETY: as above.
unsafe impl Sync for Checkpoints {}

impl Checkpoints {
    /// Turns SQLite's automatic checkpoint off on `conn`, the writing connection of the
    /// file at `path`, and installs the hook that checkpoints on a thread instead.
    pub(crate) fn install(conn: &Connection, path: &Path) -> rusqlite::Result<Checkpoints> {
        Self::install_with_limit(conn, path, LIMIT)
    }

    fn install_with_limit(
        conn: &Connection,
        path: &Path,
        limit: c_int,
    ) -> rusqlite::Result<Checkpoints> {
        // The pragma installs SQLite's own hook (or, at 0, removes it): set first, then
        // replaced.
        conn.pragma_update(None, "wal_autocheckpoint", 0)?;
        let checkpointer = Box::new(Checkpointer {
            // Absolute, so a host that changes its working directory later does not send
            // the thread to another file.
            path: std::path::absolute(path).unwrap_or_else(|_| path.to_owned()),
            limit,
            running: Arc::new(AtomicBool::new(false)),
            thread: Mutex::new(None),
        });
        // SAFETY: the handle is the open connection's; the context pointer stays valid
        // until the hook is removed (`detach`), before the box is freed.
        unsafe {
            let db = conn.handle();
            let context = std::ptr::from_ref::<Checkpointer>(&checkpointer) as *mut c_void;
            ffi::sqlite3_wal_hook(db, Some(on_commit), context);
            Ok(Checkpoints {
                checkpointer,
                db: AtomicPtr::new(db),
            })
        }
    }

    /// Removes the hook from its connection, which must still be open, and waits for a
    /// checkpoint in progress. Later calls do nothing.
    pub(crate) fn detach(&self) {
        let db = self.db.swap(std::ptr::null_mut(), Ordering::SeqCst);
        if !db.is_null() {
            // SAFETY: the connection is still open (see above), and the hook is removed
            // once only.
            unsafe {
                ffi::sqlite3_wal_hook(db, None, std::ptr::null_mut());
            }
        }
        self.wait();
    }

    /// Waits for a checkpoint in progress, if any (before the log is emptied on purpose).
    pub(crate) fn wait(&self) {
        self.checkpointer.wait();
    }
}

impl Drop for Checkpoints {
    fn drop(&mut self) {
        self.detach();
    }
}

/// SQLite's call after each commit in WAL mode, with the log's size in pages.
unsafe extern "C" fn on_commit(
    context: *mut c_void,
    _db: *mut ffi::sqlite3,
    _name: *const c_char,
    pages: c_int,
) -> c_int {
    // SAFETY: `context` is the checkpointer installed with this hook, alive until the
    // hook is removed.
    let checkpointer = unsafe { &*(context as *const Checkpointer) };
    if pages >= checkpointer.limit {
        // A panic must not cross into SQLite; a checkpoint not started is left to the
        // next commit or the close.
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| checkpointer.start()));
    }
    ffi::SQLITE_OK
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file in WAL mode with a table, and its writing connection.
    fn file(dir: &Path) -> (PathBuf, Connection) {
        let path = dir.join("log.db");
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "journal_mode", "WAL").unwrap();
        conn.execute_batch("CREATE TABLE t (x BLOB)").unwrap();
        (path, conn)
    }

    /// Writes `pages` pages' worth of rows in one commit.
    fn write(conn: &Connection, pages: usize) {
        conn.execute_batch("BEGIN").unwrap();
        for _ in 0..pages {
            conn.execute("INSERT INTO t VALUES (zeroblob(3000))", [])
                .unwrap();
        }
        conn.execute_batch("COMMIT").unwrap();
    }

    /// The log's frames and how many of them are already in the file, asking through a
    /// connection of its own (a passive checkpoint that finds nothing left to copy).
    fn log(path: &Path) -> (i64, i64) {
        Connection::open(path)
            .unwrap()
            .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
                Ok((r.get(1)?, r.get(2)?))
            })
            .unwrap()
    }

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("wangge-checkpoint-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn a_commit_over_the_limit_is_checkpointed_by_a_thread_and_one_under_it_is_not() {
        let dir = scratch("limit");
        let (path, conn) = file(&dir);
        let hook = Checkpoints::install_with_limit(&conn, &path, 200).unwrap();
        let file_size = || std::fs::metadata(&path).unwrap().len();
        let before = file_size();
        write(&conn, 50);
        hook.wait();
        assert!(hook.checkpointer.thread.lock().unwrap().is_none());
        assert_eq!(file_size(), before, "under the limit the log is not copied");

        write(&conn, 400);
        assert!(
            hook.checkpointer.thread.lock().unwrap().is_some(),
            "a thread was started"
        );
        hook.wait();
        assert!(!hook.checkpointer.running.load(Ordering::Acquire));
        assert!(
            file_size() > before + 400 * 3000,
            "the rows are in the file"
        );
        // Everything the log held was copied, so a checkpoint now finds nothing to do.
        let (frames, copied) = log(&path);
        assert_eq!(frames, copied);
        drop(hook);
        drop(conn);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn without_the_hook_the_writing_connection_checkpoints_nothing() {
        let dir = scratch("detached");
        let (path, conn) = file(&dir);
        let hook = Checkpoints::install_with_limit(&conn, &path, 200).unwrap();
        hook.detach();
        let before = std::fs::metadata(&path).unwrap().len();
        write(&conn, 400);
        assert!(hook.checkpointer.thread.lock().unwrap().is_none());
        assert_eq!(std::fs::metadata(&path).unwrap().len(), before);
        drop(conn);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
