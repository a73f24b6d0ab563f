//! Long calls that report how far they have got and can be stopped: a [`Progress`] given
//! to [`Store::with_progress`](crate::Store::with_progress) is told, at least every
//! [`PROGRESS_INTERVAL`] of work and whenever a call moves on to another step, the step
//! and how much of it is done; answering `false` (or calling [`Progress::stop`] from any
//! thread) stops the call.
//!
//! The work is watched in two places: the loops of the long calls report as they go,
//! and SQLite's progress handler, installed on the connection a call holds, watches the
//! statements, so that one long statement is stopped too. A stopped call fails with
//! `InvalidInput` naming `progress` (the error a cancelled import always had: the caller's
//! own callback asked for it), and a write it was making is rolled back.

use std::ffi::{c_int, c_void};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use rusqlite::{Connection, ffi};

use crate::error::{Error, Result};
use crate::store::Store;

/// The longest a long call works between two calls of its progress callback: it is then
/// called with the counts it last had, so that a caller waiting to stop it (on Ctrl-C, say)
/// never waits longer than this and one statement or loop step.
pub const PROGRESS_INTERVAL: Duration = Duration::from_millis(50);

/// How many SQLite virtual-machine steps run between two looks at the clock: a few
/// microseconds of work, so that the looks cost nothing measurable.
const SQLITE_STEPS: c_int = 1000;

/// The callback of a [`Progress`]: `(step, done, total)`, `true` to go on.
type Callback = Box<dyn FnMut(&str, u64, u64) -> bool + Send>;

/// Where a call is, as last reported.
#[derive(Debug)]
struct State {
    step: &'static str,
    done: u64,
    total: u64,
    /// When the callback was last called (or the progress made).
    called: Instant,
    /// The `(step, done)` the callback was last told, to tell it the end only once.
    told: Option<(&'static str, u64)>,
}

/// What clones of a [`Progress`] share.
struct Inner {
    callback: Mutex<Callback>,
    state: Mutex<State>,
    stopped: AtomicBool,
    /// Set once SQLite was told to interrupt a statement after the stop, so that the
    /// statements that clean up (a rollback) run.
    interrupted: AtomicBool,
}

impl Inner {
    fn is_stopped(&self) -> bool {
        self.stopped.load(Ordering::SeqCst)
    }

    /// Calls the callback with `state`, noting the call; a `false` answer (or a panic)
    /// stops the call.
    fn call(&self, state: &mut State) {
        state.called = Instant::now();
        state.told = Some((state.step, state.done));
        let (step, done, total) = (state.step, state.done, state.total);
        let mut callback = self.callback.lock().unwrap_or_else(PoisonError::into_inner);
        let go_on =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| callback(step, done, total)))
                .unwrap_or(false);
        if !go_on {
            self.stopped.store(true, Ordering::SeqCst);
        }
    }

    /// Calls the callback with the last counts if [`PROGRESS_INTERVAL`] has gone by;
    /// false once stopped.
    fn tick(&self) -> bool {
        if !self.is_stopped() {
            let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
            if state.called.elapsed() >= PROGRESS_INTERVAL {
                self.call(&mut state);
            }
        }
        !self.is_stopped()
    }
}

/// How a long call reports its progress and is stopped (see
/// [`Store::with_progress`](crate::Store::with_progress)). Cheap to clone: clones share
/// the callback and the stop.
///
/// The callback gets `(step, done, total)`: the step's name (`import`, `due_visits`,
/// `compliance`, `report`, `verify_audit` …), and how many of its `total` units of work
/// are done; `done` never goes down within a step and a step that completes is last
/// reported with `done == total`. Work done before a call names its first step is
/// reported as step `""`, 0 of 0. It is called on the thread running the call, while the
/// call holds the store's connection: it must not use the store. A progress watches one
/// call at a time.
#[derive(Clone)]
pub struct Progress(Arc<Inner>);

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Progress")
            .field("stopped", &self.is_stopped())
            .finish_non_exhaustive()
    }
}

impl Progress {
    /// A progress reported to `callback`, which answers `false` to stop the call.
    pub fn new(callback: impl FnMut(&str, u64, u64) -> bool + Send + 'static) -> Progress {
        Progress(Arc::new(Inner {
            callback: Mutex::new(Box::new(callback)),
            state: Mutex::new(State {
                step: "",
                done: 0,
                total: 0,
                called: Instant::now(),
                told: None,
            }),
            stopped: AtomicBool::new(false),
            interrupted: AtomicBool::new(false),
        }))
    }

    /// Stops the call this progress watches, from any thread: it fails as if the callback
    /// had answered `false`, within [`PROGRESS_INTERVAL`] and one step of its work.
    pub fn stop(&self) {
        self.0.stopped.store(true, Ordering::SeqCst);
    }

    /// True once the call was stopped, by the callback or by [`Progress::stop`].
    pub fn is_stopped(&self) -> bool {
        self.0.is_stopped()
    }

    /// The error of a stopped call: `InvalidInput` naming `progress`.
    pub(crate) fn stopped_error() -> Error {
        Error::invalid(
            "progress",
            "false",
            "the call was cancelled by its progress callback; nothing was written",
        )
    }

    /// The stop error, for a stop the call now learns of: from here on SQLite no longer
    /// interrupts the statements (the rollback) that the error leads to.
    fn stopped_here(&self) -> Error {
        self.0.interrupted.store(true, Ordering::SeqCst);
        Progress::stopped_error()
    }

    /// Reports that `done` of `total` units of `step` are done. The callback is called
    /// when the step changes, when it completes, and otherwise once
    /// [`PROGRESS_INTERVAL`] has gone by (loops report every [`ITEMS_PER_REPORT`] items,
    /// so that reading the clock costs nothing measurable). The stop error once stopped.
    pub(crate) fn report(&self, step: &'static str, done: u64, total: u64) -> Result<()> {
        if self.is_stopped() {
            return Err(self.stopped_here());
        }
        let mut state = self.0.state.lock().unwrap_or_else(PoisonError::into_inner);
        let moved = state.step != step;
        let ends = done >= total && state.told != Some((step, done));
        state.step = step;
        state.done = if moved { done } else { state.done.max(done) };
        state.total = total;
        if moved || ends || state.called.elapsed() >= PROGRESS_INTERVAL {
            self.0.call(&mut state);
        }
        drop(state);
        if self.is_stopped() {
            return Err(self.stopped_here());
        }
        Ok(())
    }

    /// Calls the callback with the counts last reported if [`PROGRESS_INTERVAL`] has gone
    /// by (so a loop that cannot count still lets its caller stop it); the stop error
    /// once stopped.
    pub(crate) fn check(&self) -> Result<()> {
        if self.0.tick() {
            Ok(())
        } else {
            Err(self.stopped_here())
        }
    }

    /// The step last reported.
    pub(crate) fn step(&self) -> &'static str {
        self.0
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .step
    }

    /// Watches the statements run on `conn` until [`Progress::unwatch`]: SQLite calls
    /// back every few thousand steps of its work, and a stop interrupts the statement.
    /// The progress must outlive the watch (the connection holds a pointer to it).
    pub(crate) fn watch(&self, conn: &Connection) {
        // SAFETY: the handle is the open connection's, and the context points into the
        // shared state, which the store handle holding this progress keeps alive for as
        // long as the connection it lends is held; it is removed before that ends.
        unsafe {
            let context = Arc::as_ptr(&self.0) as *mut c_void;
            ffi::sqlite3_progress_handler(
                conn.handle(),
                SQLITE_STEPS,
                Some(on_sqlite_progress),
                context,
            );
        }
    }

    /// Removes the watch [`Progress::watch`] installed on `conn`.
    pub(crate) fn unwatch(conn: &Connection) {
        // SAFETY: the handle is the open connection's; no callback means none is called.
        unsafe {
            ffi::sqlite3_progress_handler(conn.handle(), 0, None, std::ptr::null_mut());
        }
    }
}

/// SQLite's progress handler: nonzero interrupts the statement, once, after a stop.
unsafe extern "C" fn on_sqlite_progress(context: *mut c_void) -> c_int {
    // SAFETY: installed by `Progress::watch` with a pointer to a live `Inner`, removed
    // before that may end.
    let inner = unsafe { &*(context as *const Inner) };
    let go_on = inner.tick();
    c_int::from(!go_on && !inner.interrupted.swap(true, Ordering::SeqCst))
}

/// How many items of a loop go by between two reports of it: few enough that the reports
/// cost nothing measurable, many enough for a report every few microseconds.
pub(crate) const ITEMS_PER_REPORT: u64 = 256;

impl Store {
    /// Runs `call` on a handle whose work reports to `progress` and stops when it says
    /// so. The long calls report as they go: imports (step `import`, rows), due lists (`due_visits`, households),
    /// compliance (`compliance`, requirements), reports (`report`, units' rows) and audit
    /// verification (`verify_audit`, tables); every statement any call runs is watched as
    /// well. When `call` succeeds, its last step is reported done (`done == total`).
    ///
    /// A call stopped by `progress` fails with `InvalidInput` naming `progress`, whatever
    /// error the interrupted work ran into, and leaves nothing written: a write is rolled
    /// back. A call that had finished its work when the stop came succeeds.
    pub fn with_progress<T, E>(
        &self,
        progress: &Progress,
        call: impl FnOnce(&Store) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E>
    where
        E: From<Error>,
    {
        let mut watched = self.clone();
        watched.progress = Some(progress.clone());
        match call(&watched) {
            Ok(value) => {
                let step = progress.step();
                if !step.is_empty() {
                    let state = progress
                        .0
                        .state
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner);
                    let total = state.total;
                    drop(state);
                    // Finished: a stop arriving now changes nothing.
                    let _ = progress.report(step, total, total);
                }
                Ok(value)
            }
            Err(_) if progress.is_stopped() => Err(Progress::stopped_error().into()),
            Err(e) => Err(e),
        }
    }

    /// Reports that `done` of `total` units of `step` are done to the progress this
    /// handle reports to, if any; the stop error once it was stopped. For loops, see
    /// [`Store::report_item`].
    pub(crate) fn report_progress(&self, step: &'static str, done: u64, total: u64) -> Result<()> {
        match &self.progress {
            Some(progress) => progress.report(step, done, total),
            None => Ok(()),
        }
    }

    /// [`Store::report_progress`] for item `done` of a loop over `total`: only every
    /// [`ITEMS_PER_REPORT`] items and the last.
    pub(crate) fn report_item(&self, step: &'static str, done: usize, total: usize) -> Result<()> {
        report_item(self.progress(), step, done, total)
    }

    /// The progress this handle reports to, if any.
    pub(crate) fn progress(&self) -> Option<&Progress> {
        self.progress.as_ref()
    }
}

/// `compare`, for sorting a long list while `progress` (if any) watches: every few
/// thousand comparisons it is [checked](Progress::check); once it is stopped, every
/// comparison says `Equal`, so that the sort ends at once. The order is then worthless:
/// the caller checks the progress after sorting ([`keep_going`] with 0).
pub(crate) fn watched_order<T>(
    progress: Option<&Progress>,
    mut compare: impl FnMut(&T, &T) -> std::cmp::Ordering,
) -> impl FnMut(&T, &T) -> std::cmp::Ordering {
    let mut count: u64 = 0;
    let mut stopped = false;
    move |a, b| {
        count += 1;
        if let Some(progress) = progress
            && !stopped
            && count.is_multiple_of(ITEMS_PER_REPORT * 16)
        {
            stopped = progress.check().is_err();
        }
        if stopped {
            std::cmp::Ordering::Equal
        } else {
            compare(a, b)
        }
    }
}

/// For item `i` of a loop that cannot say how far it has got: every
/// [`ITEMS_PER_REPORT`] items, [`Progress::check`].
pub(crate) fn keep_going(progress: Option<&Progress>, i: usize) -> Result<()> {
    match progress {
        Some(progress) if (i as u64).is_multiple_of(ITEMS_PER_REPORT) => progress.check(),
        _ => Ok(()),
    }
}

/// [`Progress::report`] for item `done` of a loop over `total`, if there is a progress:
/// only every [`ITEMS_PER_REPORT`] items and the last.
pub(crate) fn report_item(
    progress: Option<&Progress>,
    step: &'static str,
    done: usize,
    total: usize,
) -> Result<()> {
    let (done, total) = (done as u64, total as u64);
    match progress {
        Some(progress) if done.is_multiple_of(ITEMS_PER_REPORT) || done >= total => {
            progress.report(step, done, total)
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LONG: &str = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT ?1) \
                        SELECT count(*) FROM c";

    #[test]
    fn a_stop_interrupts_a_long_statement_once_so_the_rollback_runs() {
        let conn = Connection::open_in_memory().unwrap();
        let progress = Progress::new(|_, _, _| true);
        progress.watch(&conn);
        progress.stop();
        let started = Instant::now();
        let err = conn
            .query_row(LONG, [i64::MAX], |r| r.get::<_, i64>(0))
            .unwrap_err();
        assert_eq!(
            err.sqlite_error_code(),
            Some(rusqlite::ErrorCode::OperationInterrupted)
        );
        assert!(started.elapsed() < Duration::from_secs(1));
        let after: i64 = conn.query_row(LONG, [100_000], |r| r.get(0)).unwrap();
        assert_eq!(after, 100_000);
        Progress::unwatch(&conn);
    }

    #[test]
    fn a_long_statement_calls_back_with_the_last_counts_every_interval() {
        let conn = Connection::open_in_memory().unwrap();
        let calls = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&calls);
        let progress = Progress::new(move |step, done, total| {
            seen.lock()
                .unwrap()
                .push((step.to_owned(), done, total, Instant::now()));
            true
        });
        progress.report("count", 1, 2).unwrap();
        progress.watch(&conn);
        let started = Instant::now();
        let mut n = 1_000_000;
        while started.elapsed() < Duration::from_millis(300) {
            conn.query_row(LONG, [n], |r| r.get::<_, i64>(0)).unwrap();
            n *= 2;
        }
        Progress::unwatch(&conn);
        let calls = calls.lock().unwrap();
        assert!(calls.len() >= 3, "{}", calls.len());
        assert!(
            calls
                .iter()
                .all(|c| (c.0.as_str(), c.1, c.2) == ("count", 1, 2))
        );
        // The instants are taken inside the callback, a little after the clock it goes by.
        for pair in calls.windows(2) {
            let gap = pair[1].3 - pair[0].3;
            assert!(gap >= PROGRESS_INTERVAL * 9 / 10, "{gap:?}");
        }
    }

    #[test]
    fn reports_are_throttled_but_a_new_step_and_the_end_always_call_back() {
        let calls = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&calls);
        let progress = Progress::new(move |step, done, total| {
            seen.lock().unwrap().push((step.to_owned(), done, total));
            true
        });
        for i in 0..=10_000 {
            progress.report("a", i, 10_000).unwrap();
        }
        progress.report("b", 0, 5).unwrap();
        progress.report("b", 5, 5).unwrap();
        progress.report("b", 5, 5).unwrap();
        let calls = calls.lock().unwrap();
        assert_eq!(calls.first().unwrap(), &("a".to_owned(), 0, 10_000));
        assert!(calls.contains(&("a".to_owned(), 10_000, 10_000)));
        assert!(calls.len() < 50, "{}", calls.len());
        assert_eq!(
            calls[calls.len() - 2..],
            [("b".to_owned(), 0, 5), ("b".to_owned(), 5, 5)]
        );
    }

    #[test]
    fn a_callback_answering_false_stops_and_later_reports_fail() {
        let progress = Progress::new(|_, _, _| false);
        let err = progress.report("a", 0, 1).unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::InvalidInput);
        assert!(progress.is_stopped());
        assert!(progress.report("a", 1, 1).is_err());
        assert!(progress.check().is_err());
    }
}
