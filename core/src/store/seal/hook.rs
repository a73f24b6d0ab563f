//! Watching the rows a write changes: SQLite's preupdate hook on the library's own
//! connection. SQLite calls it before each row is inserted, updated or deleted, with the
//! row's old and new values; it records the row's key and digests for [`super::flush`].

use std::ffi::{CStr, c_char, c_int, c_void};
use std::sync::atomic::{AtomicPtr, Ordering};
use std::sync::{Mutex, MutexGuard};

use foldhash::HashMap;
use rusqlite::Connection;
use rusqlite::ffi;
use rusqlite::types::ValueRef;

use super::{Change, Digest, Shape, feed, push_key, start_row};
use crate::store::audit::Mac;

/// What the hook knows and has collected.
#[derive(Debug)]
struct Collector {
    /// Off until the schema is known (migrations reseal everything after).
    enabled: bool,
    mac: Mac,
    /// Sealed tables by name, with their index in `names`.
    tables: HashMap<String, (u32, Shape)>,
    names: Vec<String>,
    changes: Vec<Change>,
}

/// The hook installed on a connection, and what it collects. Dropping it removes the
/// hook, so it must be dropped before the connection is closed (the store's fields are
/// declared in that order).
#[derive(Debug)]
pub(crate) struct Hook {
    collector: Box<Mutex<Collector>>,
    /// The connection the hook is installed on; null once removed ([`Hook::detach`]).
    db: AtomicPtr<ffi::sqlite3>,
}

// SAFETY: `db` is only used to remove the hook when the `Hook` is dropped, and the
// collector is behind a mutex; the hook itself runs on whichever thread holds the
// connection, which the store hands out in turn.
unsafe impl Send for Hook {}
// SAFETY: as above; `&Hook` only reaches the collector through its mutex.
unsafe impl Sync for Hook {}

impl Hook {
    /// Installs the hook on `conn`, collecting nothing until [`Hook::watch`].
    pub(crate) fn install(conn: &Connection, mac: Mac) -> Hook {
        let collector = Box::new(Mutex::new(Collector {
            enabled: false,
            mac,
            tables: HashMap::default(),
            names: Vec::new(),
            changes: Vec::new(),
        }));
        // SAFETY: the handle is the open connection's; the context pointer stays valid
        // until the hook is removed in `drop`, before the box is freed.
        unsafe {
            let db = conn.handle();
            let context = std::ptr::from_ref::<Mutex<Collector>>(&collector) as *mut c_void;
            ffi::sqlite3_preupdate_hook(db, Some(on_preupdate), context);
            Hook {
                collector,
                db: AtomicPtr::new(db),
            }
        }
    }

    fn lock(&self) -> MutexGuard<'_, Collector> {
        self.collector
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Starts collecting, for the tables of `shapes` (the schema as it now stands).
    pub(crate) fn watch(&self, shapes: Vec<Shape>) {
        let mut c = self.lock();
        c.names = shapes.iter().map(|s| s.name.clone()).collect();
        c.tables = shapes
            .into_iter()
            .enumerate()
            .map(|(i, s)| (s.name.clone(), (i as u32, s)))
            .collect();
        c.changes.clear();
        c.enabled = true;
    }

    /// Computes what it collects under `mac` from now on (a change of deployment key).
    pub(crate) fn set_mac(&self, mac: Mac) {
        self.lock().mac = mac;
    }

    /// Turns collecting off or back on (see `Store::seals_off_for_benchmarks`).
    pub(crate) fn set_enabled(&self, on: bool) {
        let mut c = self.lock();
        c.enabled = on && !c.names.is_empty();
        c.changes.clear();
    }

    /// Forgets what was collected (before a write begins: a write rolled back leaves
    /// its rows behind here).
    pub(crate) fn clear(&self) {
        self.lock().changes.clear();
    }

    /// How many changes were collected so far: a mark to go back to
    /// ([`Hook::truncate`]) when a savepoint is rolled back.
    pub(crate) fn mark(&self) -> usize {
        self.lock().changes.len()
    }

    /// Whether no change was collected since the write began.
    pub(crate) fn is_empty(&self) -> bool {
        self.lock().changes.is_empty()
    }

    /// Forgets the changes collected after `mark` (their savepoint was rolled back:
    /// SQLite does not call the hook for what a rollback undoes).
    pub(crate) fn truncate(&self, mark: usize) {
        self.lock().changes.truncate(mark);
    }

    /// Takes what was collected, with the names the changes' table indexes refer to.
    pub(crate) fn take(&self) -> (Vec<String>, Vec<Change>) {
        let mut c = self.lock();
        (c.names.clone(), std::mem::take(&mut c.changes))
    }
}

impl Hook {
    /// Removes the hook from its connection, which must still be open: before the
    /// connection is closed (`Store::close`, or dropping the store). Later calls do
    /// nothing.
    pub(crate) fn detach(&self) {
        let db = self.db.swap(std::ptr::null_mut(), Ordering::SeqCst);
        if !db.is_null() {
            // SAFETY: the connection is still open (see above), and the hook is removed
            // once only.
            unsafe {
                ffi::sqlite3_preupdate_hook(db, None, std::ptr::null_mut());
            }
        }
    }
}

impl Drop for Hook {
    fn drop(&mut self) {
        self.detach();
    }
}

/// Reads column `i` of the row before (`old`) or after the change.
///
/// SAFETY: only within the preupdate callback for `db`, for a column below
/// `sqlite3_preupdate_count`; the value lives until the callback returns.
unsafe fn column<'a>(db: *mut ffi::sqlite3, old: bool, i: c_int) -> ValueRef<'a> {
    let mut value: *mut ffi::sqlite3_value = std::ptr::null_mut();
    // SAFETY: see the function's contract.
    unsafe {
        let rc = if old {
            ffi::sqlite3_preupdate_old(db, i, &raw mut value)
        } else {
            ffi::sqlite3_preupdate_new(db, i, &raw mut value)
        };
        if rc != ffi::SQLITE_OK || value.is_null() {
            return ValueRef::Null;
        }
        match ffi::sqlite3_value_type(value) {
            ffi::SQLITE_INTEGER => ValueRef::Integer(ffi::sqlite3_value_int64(value)),
            ffi::SQLITE_FLOAT => ValueRef::Real(ffi::sqlite3_value_double(value)),
            ffi::SQLITE_TEXT => {
                let text = ffi::sqlite3_value_text(value);
                let len = ffi::sqlite3_value_bytes(value) as usize;
                if text.is_null() {
                    ValueRef::Text(&[])
                } else {
                    ValueRef::Text(std::slice::from_raw_parts(text, len))
                }
            }
            ffi::SQLITE_BLOB => {
                let blob = ffi::sqlite3_value_blob(value).cast::<u8>();
                let len = ffi::sqlite3_value_bytes(value) as usize;
                if blob.is_null() {
                    ValueRef::Blob(&[])
                } else {
                    ValueRef::Blob(std::slice::from_raw_parts(blob, len))
                }
            }
            _ => ValueRef::Null,
        }
    }
}

/// The key and digest of the row before or after the change.
///
/// SAFETY: as [`column`].
unsafe fn row(
    db: *mut ffi::sqlite3,
    mac: &Mac,
    shape: &Shape,
    old: bool,
    rowid: i64,
) -> (Vec<u8>, Digest) {
    // SAFETY: see the function's contract.
    unsafe {
        let count = ffi::sqlite3_preupdate_count(db);
        let mut key = Vec::with_capacity(16);
        if shape.rowid {
            push_key(&mut key, ValueRef::Integer(rowid));
        } else {
            for &c in &shape.pk {
                push_key(&mut key, column(db, old, c as c_int));
            }
        }
        let mut h = start_row(mac, &shape.name, &key, count as usize);
        for i in 0..count {
            feed(&mut h, column(db, old, i));
        }
        (key, h.finish())
    }
}

unsafe extern "C" fn on_preupdate(
    context: *mut c_void,
    db: *mut ffi::sqlite3,
    op: c_int,
    db_name: *const c_char,
    table: *const c_char,
    old_rowid: ffi::sqlite3_int64,
    new_rowid: ffi::sqlite3_int64,
) {
    // No panic may cross into SQLite; there is none to expect here, and a write whose
    // rows went unrecorded is reported by the next verification.
    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        // SAFETY: `context` is the collector installed with the hook, alive until the
        // hook is removed; the names are SQLite's NUL-terminated strings.
        let (collector, db_name, table) = unsafe {
            (
                &*(context as *const Mutex<Collector>),
                CStr::from_ptr(db_name),
                CStr::from_ptr(table),
            )
        };
        let mut c = collector
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if !c.enabled || db_name.to_bytes() != b"main" {
            return;
        }
        let Ok(table) = table.to_str() else { return };
        let Some((index, shape)) = c.tables.get(table) else {
            return;
        };
        let index = *index;
        // SAFETY: within the callback, for the columns SQLite reports.
        let before =
            (op != ffi::SQLITE_INSERT).then(|| unsafe { row(db, &c.mac, shape, true, old_rowid) });
        // SAFETY: as above.
        let after =
            (op != ffi::SQLITE_DELETE).then(|| unsafe { row(db, &c.mac, shape, false, new_rowid) });
        match (before, after) {
            (Some((old_key, old)), Some((new_key, new))) if old_key != new_key => {
                c.changes.push(Change {
                    table: index,
                    key: old_key,
                    before: Some(old),
                    after: None,
                });
                c.changes.push(Change {
                    table: index,
                    key: new_key,
                    before: None,
                    after: Some(new),
                });
            }
            (before, after) => {
                let key = match (&before, &after) {
                    (Some((k, _)), _) | (None, Some((k, _))) => k.clone(),
                    (None, None) => return,
                };
                c.changes.push(Change {
                    table: index,
                    key,
                    before: before.map(|b| b.1),
                    after: after.map(|a| a.1),
                });
            }
        }
    }));
}
