//! Long calls through `Store::with_progress`: counts that grow to their total, a callback
//! that stops the call, a stop from another thread, and nothing half-written.

mod common;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{big_csv, county, d};
use wangge::{ErrorKind, HouseholdFilter, ImportOptions, Period, Progress, Store};

type Calls = Arc<Mutex<Vec<(String, u64, u64)>>>;

/// A progress that records its calls and answers `go_on`.
fn recording(go_on: bool) -> (Progress, Calls) {
    let calls: Calls = Arc::default();
    let seen = Arc::clone(&calls);
    let progress = Progress::new(move |step, done, total| {
        seen.lock().unwrap().push((step.to_owned(), done, total));
        go_on
    });
    (progress, calls)
}

/// The county with `households` households of two residents in one grid.
fn big_county(households: usize) -> Store {
    let store = county();
    let result = store
        .import_households_csv(
            big_csv(0, households).as_bytes(),
            &ImportOptions::default(),
            None,
        )
        .unwrap();
    assert!(result.errors.is_empty(), "{:?}", result.errors);
    store
}

/// What a stopped call must leave as it was: the households and the audit head.
fn state(store: &Store) -> (usize, i64) {
    let households = store
        .households("512021", &HouseholdFilter::default())
        .unwrap()
        .len();
    (households, store.audit_head().unwrap().seq)
}

#[test]
fn due_visits_report_growing_counts_ending_at_the_total() {
    let store = big_county(3000);
    let (progress, calls) = recording(true);
    let plain = store.due_visits("512021", Some(d("2025-05-20"))).unwrap();
    let watched = store
        .with_progress(&progress, |s| s.due_visits("512021", Some(d("2025-05-20"))))
        .unwrap();
    assert_eq!(watched, plain);
    let calls = calls.lock().unwrap();
    let due: Vec<_> = calls.iter().filter(|c| c.0 == "due_visits").collect();
    assert!(!due.is_empty(), "{calls:?}");
    assert!(due.windows(2).all(|w| w[0].1 <= w[1].1), "{due:?}");
    let last = due.last().unwrap();
    assert_eq!((last.1, last.2), (3000, 3000), "{due:?}");
    // Throttled: far fewer calls than households.
    assert!(due.len() < 100, "{}", due.len());
}

#[test]
fn reports_compliance_and_verification_end_with_done_equal_to_total() {
    let store = big_county(200);
    let period = Period::parse("2025-05").unwrap();
    for (step, run) in [
        (
            "report",
            Box::new(|s: &Store| s.report("512021", period).map(drop)) as Box<dyn Fn(&Store) -> _>,
        ),
        (
            "compliance",
            Box::new(|s: &Store| s.visit_compliance("512021", &period, true).map(drop)),
        ),
        (
            "verify_audit",
            Box::new(|s: &Store| s.verify_audit().map(drop)),
        ),
    ] {
        let (progress, calls) = recording(true);
        store.with_progress(&progress, |s| run(s)).unwrap();
        let calls = calls.lock().unwrap();
        let last = calls.last().unwrap();
        assert_eq!(last.0, step, "{calls:?}");
        assert_eq!(last.1, last.2, "{calls:?}");
        assert!(calls.windows(2).all(|w| w[0].1 <= w[1].1), "{calls:?}");
    }
}

#[test]
fn a_callback_answering_false_stops_a_due_list_with_invalid_input() {
    let store = big_county(1000);
    let (progress, calls) = recording(false);
    let err = store
        .with_progress(&progress, |s| s.due_visits("512021", Some(d("2025-05-20"))))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.to_string().contains("progress"), "{err}");
    assert!(err.to_string().contains("cancelled"), "{err}");
    assert_eq!(calls.lock().unwrap().len(), 1);
    assert!(progress.is_stopped());
    // The store is still usable afterwards.
    assert!(
        !store
            .due_visits("512021", Some(d("2025-05-20")))
            .unwrap()
            .is_empty()
    );
}

#[test]
fn a_stopped_import_writes_nothing_and_leaves_the_audit_head() {
    let store = big_county(10);
    let before = state(&store);
    let (progress, _) = recording(false);
    let err = store
        .with_progress(&progress, |s| {
            s.import_households_csv(
                big_csv(100, 3000).as_bytes(),
                &ImportOptions::default(),
                None,
            )
        })
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert_eq!(state(&store), before);
    // A later import through the same store goes through.
    store
        .import_households_csv(big_csv(100, 5).as_bytes(), &ImportOptions::default(), None)
        .unwrap();
    assert_eq!(state(&store).0, before.0 + 5);
}

#[test]
fn a_stop_from_another_thread_ends_a_long_import_quickly_and_writes_nothing() {
    let store = big_county(10);
    let before = state(&store);
    let csv = big_csv(100, 40_000);
    let (progress, _) = recording(true);
    let stopper = progress.clone();
    let stopped_at = Arc::new(Mutex::new(None));
    let at = Arc::clone(&stopped_at);
    let timer = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(200));
        *at.lock().unwrap() = Some(Instant::now());
        stopper.stop();
    });
    let started = Instant::now();
    let err = store
        .with_progress(&progress, |s| {
            s.import_households_csv(csv.as_bytes(), &ImportOptions::default(), None)
        })
        .unwrap_err();
    let ended = Instant::now();
    timer.join().unwrap();
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    let stopped_at = stopped_at.lock().unwrap().expect("stopped before the end");
    assert!(
        ended.duration_since(stopped_at) < Duration::from_millis(500),
        "stopped after {:?}, ended {:?} later",
        stopped_at - started,
        ended.duration_since(stopped_at)
    );
    assert_eq!(state(&store), before);
}

#[test]
fn calls_without_a_progress_are_unchanged_by_an_earlier_stopped_one() {
    let store = big_county(50);
    let (progress, _) = recording(false);
    assert!(store.with_progress(&progress, Store::verify_audit).is_err());
    let verification = store.verify_audit().unwrap();
    assert!(verification.ok, "{:?}", verification.problem);
}

#[test]
fn a_scope_made_during_a_watched_call_is_not_watched_afterwards() {
    let store = big_county(20);
    let (progress, _) = recording(true);
    let scope = store
        .with_progress(&progress, |s| s.scope("512021100", "岳阳镇管理员"))
        .unwrap();
    progress.stop();
    assert!(scope.due_visits("512021100", Some(d("2025-05-20"))).is_ok());
}
