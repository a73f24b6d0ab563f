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

use super::{Changes, Shape, feed, head, push_key};
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
    changes: Changes,
    /// The rows updated or deleted so far in this write, with the index of their first
    /// change: [`super::flush`] compares the stored seal with a row's first "before"
    /// only, so a row changed again is not digested as it was.
    touched: HashMap<(u32, Vec<u8>), usize>,
    /// The keys of the change being recorded (a buffer kept between changes).
    keys: Vec<u8>,
}

impl Collector {
    fn forget(&mut self) {
        self.changes.clear();
        self.touched.clear();
    }
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
            changes: Changes::default(),
            touched: HashMap::default(),
            keys: Vec::new(),
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
        c.forget();
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
        c.forget();
    }

    /// Forgets what was collected (before a write begins: a write rolled back leaves
    /// its rows behind here).
    pub(crate) fn clear(&self) {
        self.lock().forget();
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
        let mut c = self.lock();
        c.changes.truncate(mark);
        c.touched.retain(|_, first| *first < mark);
    }

    /// Takes what was collected, with the names the changes' table indexes refer to.
    pub(crate) fn take(&self) -> (Vec<String>, Changes) {
        let mut c = self.lock();
        c.touched.clear();
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
                // A row's text is not NUL-terminated where SQLite keeps it, and
                // `sqlite3_value_text` copies it into an allocation of its own to end it,
                // for every text of every row written: `sqlite3_value_blob` hands over the
                // same bytes as they are (the value's type stays text), UTF-8 in every
                // store (a file that keeps text otherwise is refused at open).
                let text = ffi::sqlite3_value_blob(value).cast::<u8>();
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

/// Appends to `out` the key of the row before (`old`) or after the change.
///
/// SAFETY: as [`column`].
unsafe fn key(db: *mut ffi::sqlite3, shape: &Shape, old: bool, rowid: i64, out: &mut Vec<u8>) {
    if shape.rowid {
        push_key(out, ValueRef::Integer(rowid));
    } else {
        for &c in &shape.pk {
            // SAFETY: see the function's contract.
            push_key(out, unsafe { column(db, old, c as c_int) });
        }
    }
}

/// Writes to `out` the image of the row with key `key` before or after the change.
///
/// SAFETY: as [`column`].
unsafe fn image(db: *mut ffi::sqlite3, shape: &Shape, old: bool, key: &[u8], out: &mut Vec<u8>) {
    // SAFETY: see the function's contract.
    unsafe {
        let count = ffi::sqlite3_preupdate_count(db);
        head(out, &shape.name, key, count as usize);
        for i in 0..count {
            feed(out, column(db, old, i));
        }
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
        let mut guard = collector
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let c = &mut *guard;
        if !c.enabled || db_name.to_bytes() != b"main" {
            return;
        }
        let Ok(table) = table.to_str() else { return };
        let Some((index, shape)) = c.tables.get(table) else {
            return;
        };
        let index = *index;
        let (had, has) = (op != ffi::SQLITE_INSERT, op != ffi::SQLITE_DELETE);
        // The old key, then the new one, in the collector's buffer.
        let mut keys = std::mem::take(&mut c.keys);
        keys.clear();
        // SAFETY (this block): within the callback, for the columns SQLite reports.
        let split = unsafe {
            if had {
                key(db, shape, true, old_rowid, &mut keys);
            }
            let split = keys.len();
            if has {
                key(db, shape, false, new_rowid, &mut keys);
            }
            split
        };
        let (old_key, new_key) = keys.split_at(split);
        // A row changed before in this write: its first change holds what it was.
        let first = had.then(|| {
            let next = c.changes.len();
            *c.touched.entry((index, old_key.to_vec())).or_insert(next) == next
        });
        let changes = &mut c.changes;
        // SAFETY: as above.
        let before = (first == Some(true)).then(|| {
            changes.image(&c.mac, |out| unsafe {
                image(db, shape, true, old_key, out);
            })
        });
        // SAFETY: as above.
        let after = has.then(|| {
            changes.image(&c.mac, |out| unsafe {
                image(db, shape, false, new_key, out);
            })
        });
        if had && has && old_key != new_key {
            c.changes.push(index, old_key, before, None);
            c.changes.push(index, new_key, None, after);
        } else {
            c.changes
                .push(index, if had { old_key } else { new_key }, before, after);
        }
        c.keys = keys;
    }));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::seal::{Digest, shapes, start_row};

    /// What the hook took since the last call: each change's digests before and after.
    fn taken(hook: &Hook) -> Vec<(Option<Digest>, Option<Digest>)> {
        let (_, mut changes) = hook.take();
        let digests = changes.digests(&Mac::Sm3).unwrap();
        let d = |i: Option<u32>| i.map(|i| digests[i as usize]);
        (0..changes.len())
            .map(|i| (d(changes.get(i).before), d(changes.get(i).after)))
            .collect()
    }

    fn watched() -> (Connection, Hook) {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
            .unwrap();
        conn.execute_batch("INSERT INTO t VALUES (1, 'a')").unwrap();
        let hook = Hook::install(&conn, Mac::Sm3);
        hook.watch(shapes(&conn).unwrap());
        (conn, hook)
    }

    /// The digest of row 1 of `t` holding `v`, as the hook computes it.
    fn sealed(v: &str) -> Digest {
        let mut key = Vec::new();
        push_key(&mut key, ValueRef::Integer(1));
        let mut h = start_row(&Mac::Sm3, "t", &key, 2);
        feed(&mut h, ValueRef::Integer(1));
        feed(&mut h, ValueRef::Text(v.as_bytes()));
        h.finish()
    }

    #[test]
    fn a_row_changed_twice_in_a_write_is_digested_as_it_was_once() {
        let (conn, hook) = watched();
        conn.execute_batch("UPDATE t SET v = 'b'; UPDATE t SET v = 'c'")
            .unwrap();
        let changes = taken(&hook);
        assert_eq!(changes.len(), 2);
        assert_eq!(changes[0], (Some(sealed("a")), Some(sealed("b"))));
        assert_eq!(changes[1], (None, Some(sealed("c"))), "not digested again");
        // The next write starts afresh.
        conn.execute_batch("UPDATE t SET v = 'd'").unwrap();
        assert_eq!(taken(&hook)[0].0, Some(sealed("c")));
    }

    #[test]
    fn a_change_rolled_back_is_forgotten_with_what_it_was() {
        let (conn, hook) = watched();
        conn.execute_batch("BEGIN; SAVEPOINT s").unwrap();
        let mark = hook.mark();
        conn.execute_batch("UPDATE t SET v = 'b'; ROLLBACK TO s; RELEASE s")
            .unwrap();
        hook.truncate(mark);
        conn.execute_batch("UPDATE t SET v = 'c'; COMMIT").unwrap();
        let changes = taken(&hook);
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].0, Some(sealed("a")), "what the row was");
        assert_eq!(changes[0].1, Some(sealed("c")));
    }
}
