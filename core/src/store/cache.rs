//! Data derived from the database and kept in memory between calls: one slot per kind.
//!
//! Whole-county reads (counts, due lists, reports) need the registry, the visits and
//! the entries laid out in memory; reading them from SQL on every call costs seconds.
//! Each such layout implements [`Derived`] in its own module, and the store keeps one
//! slot per type, made on first use, without knowing what the types are. A slot's value
//! is built on first use, brought up to date from the changes committed through this
//! store since ([`Changes`]), and built again when another connection to the same file
//! changed it (a new [`Derived::stamp`], by default the audit chain's head, which every
//! write through the library moves). Slots are read, patched and rebuilt through a
//! connection inside one transaction (the store's writer, or a reader: see
//! [`Store::read`]), so a value never mixes two states of the database; the stamp of a
//! value is the head it was read at, and a write through this store moves a value's stamp
//! along with its changes.

use std::any::{Any, TypeId};
use std::sync::{Arc, Mutex, MutexGuard};

use rusqlite::Connection;

use super::Store;
use super::write::Changes;
use crate::error::Result;

/// Data derived from the database that the store keeps between calls (see
/// [`Store::derived`]).
pub(crate) trait Derived: Sized + Send + Sync + 'static {
    /// What building it takes besides the connection: `()`, or what it is laid out by.
    type Input<'a>: Copy;
    /// The changes committed through this store since it was built or last patched.
    type Pending: Default + Send + 'static;

    /// Whether [`Derived::stamp`] is the audit chain's head (the default): then a write
    /// through this store, noted with its changes, moves a kept value's stamp to the head
    /// it wrote. A type with a stamp of its own sets this false.
    const STAMPED_BY_CHAIN: bool = true;

    /// Which state of the database a kept value reflects: a value kept under another
    /// stamp is built again. By default the sequence number of the audit chain's head,
    /// the same through every connection to the file, which every write through the
    /// library moves (this store's own writes are noted instead).
    fn stamp(conn: &Connection) -> Result<i64> {
        Ok(super::audit::load_head(conn)?.0)
    }

    /// The kind and format it is kept under in the store's file between opens (see
    /// `store/kept.rs`), or `None` (the default): built anew after every open. Only for a
    /// type stamped by the chain.
    const KEPT: Option<(&'static str, u32)> = None;

    /// Reads it through `conn`.
    fn build(conn: &Connection, input: Self::Input<'_>) -> Result<Self>;

    /// Writes a value just built, for keeping (a [`Derived::KEPT`] kind).
    fn encode(&self, _out: &mut Vec<u8>) {}

    /// A kept value read back; `None` when `body` is not one written by
    /// [`Derived::encode`] in this format. What it is laid out by is not at hand: a value
    /// read back is used only where [`Derived::fits`] holds for the input.
    fn decode(_body: &[u8]) -> Option<Self> {
        None
    }

    /// Whether a value, kept in memory or read back from the file, serves `input`; if
    /// not, it is built again.
    fn fits(&self, _input: Self::Input<'_>) -> bool {
        true
    }

    /// Takes note of a write committed through this store while a value is kept. `false`
    /// drops the value, to be built again on next use. By default the value stays as it is.
    fn note(_pending: &mut Self::Pending, _changes: &Changes) -> bool {
        true
    }

    /// Brings a kept value up to date with the changes noted since, perhaps none: then it
    /// should leave the value as it is, still shared with earlier callers.
    fn patch(_value: &mut Arc<Self>, _conn: &Connection, _pending: Self::Pending) -> Result<()> {
        Ok(())
    }
}

/// One kind of derived data: the kept value, the stamp it was kept at, and the changes
/// noted since.
struct Slot<T: Derived> {
    value: Option<Arc<T>>,
    stamp: i64,
    pending: T::Pending,
}

impl<T: Derived> Default for Slot<T> {
    fn default() -> Self {
        Slot {
            value: None,
            stamp: 0,
            pending: T::Pending::default(),
        }
    }
}

/// A slot, whatever it holds: told of every committed write.
trait Noted: Any + Send + Sync {
    fn note(&self, changes: &Changes, head_before: i64, head_after: i64);
}

impl<T: Derived> Noted for Mutex<Slot<T>> {
    fn note(&self, changes: &Changes, head_before: i64, head_after: i64) {
        let mut slot = lock(self);
        if slot.value.is_none() {
            return;
        }
        // A value read at another head than the one this write started from (a reader
        // that saw an older or newer state) cannot be brought up to date by its changes.
        let in_step = !T::STAMPED_BY_CHAIN || slot.stamp == head_before;
        if in_step && T::note(&mut slot.pending, changes) {
            if T::STAMPED_BY_CHAIN {
                slot.stamp = head_after;
            }
        } else {
            *slot = Slot::default();
        }
    }
}

/// The slots of one store, one per type of derived data, in the order first used.
#[derive(Default)]
pub(super) struct Slots {
    slots: Mutex<Vec<(TypeId, Arc<dyn Noted>)>>,
}

impl std::fmt::Debug for Slots {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Slots")
            .field("kinds", &lock(&self.slots).len())
            .finish()
    }
}

impl Slots {
    /// The slot of `T`, made empty if there is none yet.
    fn slot<T: Derived>(&self) -> Arc<Mutex<Slot<T>>> {
        let id = TypeId::of::<Mutex<Slot<T>>>();
        let mut slots = lock(&self.slots);
        let slot: Arc<dyn Noted> = if let Some((_, slot)) = slots.iter().find(|(t, _)| *t == id) {
            Arc::clone(slot)
        } else {
            let slot: Arc<dyn Noted> = Arc::new(Mutex::new(Slot::<T>::default()));
            slots.push((id, Arc::clone(&slot)));
            slot
        };
        drop(slots);
        let any: Arc<dyn Any + Send + Sync> = slot;
        any.downcast()
            .unwrap_or_else(|_| unreachable!("slots are found by the type they hold"))
    }

    /// Tells every slot what a write committed through this store changed, and the
    /// chain's head before and after it.
    pub(super) fn note(&self, changes: &Changes, head_before: i64, head_after: i64) {
        let slots: Vec<Arc<dyn Noted>> = lock(&self.slots)
            .iter()
            .map(|(_, slot)| Arc::clone(slot))
            .collect();
        for slot in slots {
            slot.note(changes, head_before, head_after);
        }
    }
}

impl Store {
    /// The derived data `T` for the database's current state: kept from an earlier call
    /// and patched with the changes committed through this store since, or built if there
    /// is none, another connection changed the database, or the kept one does not fit
    /// `input`. `conn` is this store's connection, held by the caller.
    pub(crate) fn derived<T: Derived>(
        &self,
        conn: &Connection,
        input: T::Input<'_>,
    ) -> Result<Arc<T>> {
        let stamp = T::stamp(conn)?;
        let slot = self.shared.slots.slot::<T>();
        let mut slot = lock(&slot);
        let mut current = match slot.value.take() {
            Some(value) if slot.stamp == stamp && value.fits(input) => value,
            _ => {
                let (value, pending) = self.kept_or_build::<T>(conn, input)?;
                slot.pending = pending;
                Arc::new(value)
            }
        };
        T::patch(&mut current, conn, std::mem::take(&mut slot.pending))?;
        slot.value = Some(Arc::clone(&current));
        slot.stamp = stamp;
        Ok(current)
    }
}

impl Store {
    /// Reads `T` kept in the file into its slot, with what it must still be patched with
    /// if it was kept at an earlier state, unless the slot holds it for the state `conn`
    /// reads already: without its input, which [`Store::derived`] checks when it
    /// takes the value ([`Derived::fits`]). So a value laid out by another (the visit log,
    /// by the registry snapshot) is read beside it rather than after it. A value not kept
    /// at that state is left to [`Store::derived`] to build.
    pub(crate) fn read_kept_ahead<T: Derived>(&self, conn: &Connection) -> Result<()> {
        let stamp = T::stamp(conn)?;
        let slot = self.shared.slots.slot::<T>();
        let mut slot = lock(&slot);
        if slot.value.is_some() && slot.stamp == stamp {
            return Ok(());
        }
        if let Some((value, pending)) = self.kept::<T>(conn)? {
            slot.value = Some(Arc::new(value));
            slot.stamp = stamp;
            slot.pending = pending;
        }
        Ok(())
    }

    /// Whether `T` is held for the state `conn` reads: a call for it would neither build
    /// it nor read it from the file.
    pub(crate) fn holds<T: Derived>(&self, conn: &Connection) -> Result<bool> {
        let stamp = T::stamp(conn)?;
        let slot = self.shared.slots.slot::<T>();
        let slot = lock(&slot);
        Ok(slot.value.is_some() && slot.stamp == stamp)
    }

    /// Runs `work`, with `ahead` beside it on a second thread through a reader
    /// connection of its own when `T` is not held for the state `conn` reads (a store
    /// just opened, or written since by another process): what `ahead` builds or reads
    /// from the file is then ready when `work` asks for it through `conn`, which takes it
    /// only if it reads the same state, as for any kept value. Only where readers have
    /// connections of their own and no progress is watched (a host's progress callback
    /// is called on its calling thread only); otherwise, or if no thread can start,
    /// `work` runs alone. What `ahead` fails at, `work` meets again and reports.
    pub(crate) fn with_ahead<T: Derived, R>(
        &self,
        conn: &Connection,
        ahead: impl FnOnce(&Connection) -> Result<()> + Send,
        work: impl FnOnce() -> Result<R>,
    ) -> Result<R> {
        if !self.shared.separate_reader || self.progress.is_some() || self.holds::<T>(conn)? {
            return work();
        }
        std::thread::scope(|scope| {
            let _ = std::thread::Builder::new()
                .name("wangge-ahead".into())
                .spawn_scoped(scope, || {
                    if let Ok(reader) = self.read() {
                        let _ = ahead(&reader);
                    }
                });
            work()
        })
    }
}

/// Locks a mutex, whether or not a panic poisoned it (derived data is rebuilt from the
/// database, never trusted half-written: each value is replaced whole).
pub(crate) fn lock<T: ?Sized>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    static BUILDS: AtomicUsize = AtomicUsize::new(0);

    /// The entries noted since it was built, and which build it is.
    #[derive(Debug, Clone)]
    struct Noticed {
        build: usize,
        entries: Vec<i64>,
    }

    impl Derived for Noticed {
        type Input<'a> = ();
        type Pending = Vec<i64>;

        fn build(_conn: &Connection, (): ()) -> Result<Self> {
            Ok(Noticed {
                build: BUILDS.fetch_add(1, Ordering::Relaxed),
                entries: Vec::new(),
            })
        }

        fn note(pending: &mut Vec<i64>, changes: &Changes) -> bool {
            pending.extend_from_slice(changes.entries());
            changes.households().is_some()
        }

        fn patch(value: &mut Arc<Self>, _conn: &Connection, pending: Vec<i64>) -> Result<()> {
            if !pending.is_empty() {
                Arc::make_mut(value).entries.extend(pending);
            }
            Ok(())
        }
    }

    /// A store file of its own in an empty folder `wangge-<name>-<pid>`: the folder and
    /// the file's path.
    fn scratch(name: &str) -> (std::path::PathBuf, std::path::PathBuf) {
        let dir = std::env::temp_dir().join(format!("wangge-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{name}.db"));
        (dir, path)
    }

    #[test]
    fn a_slot_is_patched_by_own_writes_and_rebuilt_after_a_drop_or_another_connections_write() {
        let (dir, path) = scratch("slots");
        let store = Store::open(&path).unwrap();
        let get = || {
            store
                .derived::<Noticed>(&store.conn().unwrap(), ())
                .unwrap()
        };
        let first = get();
        assert!(first.entries.is_empty());
        assert!(Arc::ptr_eq(&first, &get()), "kept while nothing changed");

        let write = |store: &Store, entry: Option<i64>| {
            store
                .write(|w| {
                    if let Some(id) = entry {
                        w.changes_no_household();
                        w.changes_entry(id);
                    }
                    w.audit("test", "slots", &[] as &[&str], &serde_json::json!({}))
                })
                .unwrap();
        };
        write(&store, Some(7));
        write(&store, Some(8));
        let patched = get();
        assert_eq!(
            (patched.build, patched.entries.clone()),
            (first.build, vec![7, 8])
        );

        write(&store, None);
        let dropped = get();
        assert_ne!(
            dropped.build, first.build,
            "a write that did not say drops it"
        );
        assert!(dropped.entries.is_empty());

        write(&Store::open(&path).unwrap(), Some(9));
        let rebuilt = get();
        assert_ne!(
            rebuilt.build, dropped.build,
            "another connection's write rebuilds it"
        );
        assert!(rebuilt.entries.is_empty());
        drop(store);
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// `with_ahead` with an `ahead` that first runs `before` (on its thread), then gets
    /// `Noticed` through its reader; `work` waits for it when `expected`, then gets
    /// `Noticed` through the caller's reader. The builds each got, `None` for an `ahead`
    /// not run (which is then checked).
    fn ahead_then_work(
        store: &Store,
        expected: bool,
        before: impl FnOnce() + Send,
    ) -> (Option<usize>, usize) {
        let reader = store.read().unwrap();
        let (done, ahead_done) = std::sync::mpsc::channel();
        let ahead = |conn: &Connection| {
            before();
            let build = store.derived::<Noticed>(conn, ())?.build;
            done.send(build).unwrap();
            Ok(())
        };
        let got = store
            .with_ahead::<Noticed, _>(&reader, ahead, || {
                let ahead = expected.then(|| {
                    ahead_done
                        .recv_timeout(std::time::Duration::from_secs(30))
                        .expect("read ahead")
                });
                Ok((ahead, store.derived::<Noticed>(&reader, ())?.build))
            })
            .unwrap();
        if !expected {
            assert!(
                ahead_done.try_recv().is_err(),
                "nothing was to be read ahead"
            );
        }
        got
    }

    #[test]
    fn what_is_read_ahead_is_taken_only_at_the_state_the_caller_reads() {
        let (dir, path) = scratch("ahead");
        let store = Store::open(&path).unwrap();
        let other = Store::open(&path).unwrap();
        let audit = || {
            other
                .write(|w| w.audit("test", "ahead", &[] as &[&str], &serde_json::json!({})))
                .unwrap();
        };

        // Nothing held yet: read ahead, and taken.
        let (ahead, taken) = ahead_then_work(&store, true, || {});
        assert_eq!(ahead, Some(taken), "the value read ahead is the one used");
        // Held for this state: nothing is read ahead.
        let (_, held) = ahead_then_work(&store, false, || {});
        assert_eq!(held, taken);

        // Another connection wrote: read ahead again. A second write lands after the
        // caller's read began and before the one ahead: what was read ahead is of
        // another state, so the caller builds its own.
        audit();
        let (ahead, taken) = ahead_then_work(&store, true, audit);
        assert_ne!(ahead, Some(taken), "read at another state: not taken");
        assert_ne!(taken, held);

        // In memory, reads share the writer's connection: nothing is read ahead.
        let memory = Store::open(":memory:").unwrap();
        ahead_then_work(&memory, false, || {});
        drop((store, other));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
