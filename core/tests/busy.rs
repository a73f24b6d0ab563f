//! Writers that wait, then say Busy: the busy time is an option, a write that cannot get
//! the file within it fails with `ErrorKind::Busy` having written nothing, and one that
//! gets it in time succeeds. Readers never wait: a read made while a write is in
//! progress on the same store answers at once, from the last commit.

mod common;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use wangge::{
    DEFAULT_BUSY_TIMEOUT_MS, ErrorKind, HouseholdFilter, ImportOptions, MAX_BUSY_TIMEOUT_MS,
    NewVisit, Store, StoreOptions,
};

fn temp_store(name: &str) -> PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("wangge-busy-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("busy.db")
}

fn open(path: &PathBuf, busy_timeout_ms: Option<u32>) -> Store {
    Store::open_with(
        path,
        StoreOptions {
            busy_timeout_ms,
            ..StoreOptions::default()
        },
    )
    .unwrap()
}

/// The test county in a file of its own, with `n` households (B0, B1 …) imported into
/// its first grid.
fn county_with_households(name: &str, n: usize) -> Store {
    let store = common::county_at(temp_store(name).to_str().unwrap());
    store
        .import_households_csv(
            common::big_csv(0, n).as_bytes(),
            &ImportOptions::default(),
            None,
        )
        .unwrap();
    store
}

/// Another connection to the file holding the write lock (`BEGIN IMMEDIATE`), as a
/// platform's own SQLite code or another process's import does.
fn hold_write_lock(path: &PathBuf) -> rusqlite::Connection {
    let other = rusqlite::Connection::open(path).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    other
}

#[test]
fn the_busy_time_defaults_to_a_minute_and_is_shown() {
    let path = temp_store("default");
    let store = Store::open(&path).unwrap();
    assert_eq!(
        store.info().unwrap().busy_timeout_ms,
        DEFAULT_BUSY_TIMEOUT_MS
    );
    assert_eq!(DEFAULT_BUSY_TIMEOUT_MS, 60_000);
    let chosen = open(&path, Some(250));
    assert_eq!(chosen.info().unwrap().busy_timeout_ms, 250);
}

#[test]
fn an_absurd_busy_time_is_refused_naming_it() {
    let path = temp_store("absurd");
    for ms in [MAX_BUSY_TIMEOUT_MS + 1, u32::MAX] {
        let err = Store::open_with(
            &path,
            StoreOptions {
                busy_timeout_ms: Some(ms),
                ..StoreOptions::default()
            },
        )
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{ms}: {err}");
        assert!(err.to_string().contains("busy_timeout_ms"), "{err}");
    }
    assert!(!path.exists(), "a refused option leaves no file behind");
    for json in [
        r#"{"busy_timeout_ms": -1}"#,
        r#"{"busy_timeout_ms": 600001}"#,
        r#"{"busy_timeout_ms": 99999999999}"#,
    ] {
        let err = StoreOptions::from_json(json).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{json}: {err}");
        assert!(err.to_string().contains("busy_timeout_ms"), "{json}: {err}");
    }
    let err = StoreOptions::from_json(r#"{"busy_timeout_ms": "soon"}"#).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    let options = StoreOptions::from_json(r#"{"busy_timeout_ms": 0}"#).unwrap();
    assert_eq!(options.busy_timeout_ms, Some(0));
}

#[test]
fn a_write_that_cannot_get_the_lock_in_time_is_busy_and_writes_nothing() {
    let path = temp_store("refused");
    let store = open(&path, Some(200));
    store
        .add_unit("512021", "安岳县", "county", None, None)
        .unwrap();
    let audit_before = store.audit_log(0, 1000).unwrap().len();

    let other = hold_write_lock(&path);
    let started = Instant::now();
    let err = store
        .add_unit("512021100", "岳阳镇", "township", Some("512021"), None)
        .unwrap_err();
    let waited = started.elapsed();
    assert_eq!(err.kind(), ErrorKind::Busy, "{err}");
    assert_eq!(err.kind().as_str(), "busy");
    assert!(err.to_string().contains("busy_timeout_ms"), "{err}");
    assert!(
        waited >= Duration::from_millis(150),
        "it waited for the busy time first, not {waited:?}"
    );

    // Reads do not wait for the writer.
    let started = Instant::now();
    assert_eq!(store.children("512021", None).unwrap().len(), 0);
    assert!(started.elapsed() < Duration::from_millis(150));

    drop(other);
    assert_eq!(store.audit_log(0, 1000).unwrap().len(), audit_before);
    assert!(store.verify_audit().unwrap().ok);
    store
        .add_unit("512021100", "岳阳镇", "township", Some("512021"), None)
        .expect("the same call succeeds once the lock is let go");
    assert_eq!(store.children("512021", None).unwrap().len(), 1);
}

#[test]
fn a_write_waits_for_a_lock_let_go_within_the_busy_time() {
    let path = temp_store("waits");
    let store = open(&path, None);
    store
        .add_unit("512021", "安岳县", "county", None, None)
        .unwrap();
    let other = hold_write_lock(&path);
    let release = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        other.execute_batch("COMMIT").unwrap();
    });
    let started = Instant::now();
    store
        .add_unit("512021100", "岳阳镇", "township", Some("512021"), None)
        .expect("waits for the other writer, then writes");
    assert!(started.elapsed() >= Duration::from_millis(250));
    release.join().unwrap();
    assert!(store.verify_audit().unwrap().ok);
}

#[test]
fn reads_answer_while_a_write_is_in_progress_on_the_same_store() {
    let store = county_with_households("reads", 10);
    let filter = HouseholdFilter::default();
    let all = |store: &Store| store.households("512021", &filter).unwrap().len();
    assert_eq!(all(&store), 10);

    // The import's progress callback runs while the import holds the write lock and the
    // store's writing connection: reads made from it (on the same thread, so they could
    // not wait for the import to finish) answer from the last commit.
    let reader = store.clone();
    let mut seen = Vec::new();
    let mut progress = |done: usize, _total: usize| {
        if done == 1000 {
            seen.push((
                all(&reader),
                reader.unit("512021100001001", None).unwrap().name,
                reader.due_visits("512021", None).unwrap().len(),
                reader.audit_log(0, 100_000).unwrap().len(),
            ));
        }
        true
    };
    let audit_before = store.audit_log(0, 100_000).unwrap().len();
    let due_before = store.due_visits("512021", None).unwrap().len();
    store
        .import_households_csv(
            common::big_csv(10, 1500).as_bytes(),
            &ImportOptions::default(),
            Some(&mut progress),
        )
        .unwrap();
    assert_eq!(
        seen,
        vec![(10, "北坝一网格".to_owned(), due_before, audit_before)],
        "read mid-import: the state before it"
    );
    assert_eq!(all(&store), 1510, "and the import is seen once committed");
    assert_eq!(store.audit_log(0, 100_000).unwrap().len(), audit_before + 1);
    assert!(store.verify_audit().unwrap().ok);
}

#[test]
fn closing_the_store_closes_its_readers_and_reads_then_fail() {
    let path = temp_store("closing");
    let store = common::county_at(path.to_str().unwrap());
    let scope = store.scope("512021100", "网格员").unwrap();
    assert_eq!(scope.children("512021100", None).unwrap().len(), 2);
    store.close().unwrap();
    for err in [
        store.unit("512021", None).unwrap_err(),
        scope.children("512021100", None).unwrap_err(),
    ] {
        assert_eq!(err.kind(), ErrorKind::Storage);
        assert_eq!(
            err.to_string(),
            format!("storage error: {}", wangge::STORE_CLOSED)
        );
    }
    // The file is let go: another connection checkpoints it whole (a reader still open
    // would keep part of the log from being copied back).
    let other = rusqlite::Connection::open(&path).unwrap();
    let (busy, _, _): (i64, i64, i64) = other
        .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
    assert_eq!(busy, 0, "no connection of the closed store is left");
}

#[test]
fn a_visit_batch_is_checked_again_when_another_write_came_between_its_check_and_its_write() {
    let store = county_with_households("recheck", 1500);
    store.add_staff("W1", "王网格员", None).unwrap();
    let township = store.scope("512021100", "网格员").unwrap();
    // The same households again, moved to the other township's grid.
    let moved = common::big_csv(0, 1500).replace("512021100001001", "512021101001001");

    let (in_lock, hold) = (std::sync::mpsc::channel(), std::sync::mpsc::channel::<()>());
    let (in_lock_tx, in_lock_rx) = in_lock;
    let (go_tx, go_rx) = hold;
    let mover = store.clone();
    let import = std::thread::spawn(move || {
        let mut progress = |done: usize, _total: usize| {
            if done == 1000 {
                in_lock_tx.send(()).unwrap();
                go_rx.recv().unwrap();
            }
            true
        };
        mover
            .import_households_csv(
                moved.as_bytes(),
                &ImportOptions::default(),
                Some(&mut progress),
            )
            .unwrap()
    });
    // The import holds the write lock; the batch is checked meanwhile (B5 still lives
    // in the township), then waits for the lock, and gets it after the move committed.
    in_lock_rx.recv().unwrap();
    let visit = NewVisit {
        household_id: "B5".into(),
        staff_id: "W1".into(),
        channel: wangge::Channel::Home,
        on: store.today(),
        note: String::new(),
    };
    let batch = std::thread::spawn(move || township.record_visits(&[visit]));
    std::thread::sleep(Duration::from_millis(500));
    go_tx.send(()).unwrap();
    assert_eq!(import.join().unwrap().errors.len(), 0);
    let err = batch.join().unwrap().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
    assert!(err.to_string().contains("visit 0 of the batch"), "{err}");
    assert!(store.visits("B5").unwrap().is_empty(), "nothing written");
    assert!(store.verify_audit().unwrap().ok);
}
