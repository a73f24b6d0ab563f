//! Large writes and the write lock: an import of thousands of rows is sealed row for row
//! (verification is clean, also from a fresh handle), its rows and seals commit together
//! or not at all, and a writer on another connection meanwhile waits for the lock and
//! gets its own rows, ids and seals right. `Store::last_write_lock_held` tells how long
//! each write held the lock.

mod common;

use std::path::PathBuf;
use std::time::Duration;

use common::{big_csv, county_at, d};
use wangge::{Channel, HouseholdFilter, ImportOptions, NewVisit, Store};

const GRID: &str = "512021100001001";

fn temp_store(name: &str) -> PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("wangge-write-lock-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("store.db")
}

fn assert_verifies(store: &Store) {
    let check = store.verify_audit().unwrap();
    assert!(check.ok, "{check:?}");
    assert_eq!(check.problems_total, 0, "{check:?}");
}

#[test]
fn a_large_import_is_sealed_row_for_row() {
    let path = temp_store("large");
    let store = county_at(path.to_str().unwrap());
    assert!(
        store.last_write_lock_held().is_some(),
        "the county was written"
    );
    // 6,000 residents and 3,000 households in one write.
    let imported = store
        .import_households_csv(
            big_csv(0, 3_000).as_bytes(),
            &ImportOptions::default(),
            None,
        )
        .unwrap();
    assert!(imported.errors.is_empty(), "{:?}", imported.errors);
    assert_eq!(imported.residents_inserted, 6_000);
    let held = store.last_write_lock_held().unwrap();
    assert!(
        held > Duration::ZERO && held < Duration::from_secs(600),
        "{held:?}"
    );
    assert_verifies(&store);
    // Updated again (before and after digests of the same rows), then a small write.
    let again = store
        .import_households_csv(
            big_csv(0, 3_000).as_bytes(),
            &ImportOptions::default(),
            None,
        )
        .unwrap();
    assert_eq!(again.residents_updated, 6_000);
    store.add_staff("W1", "网格员甲", None).unwrap();
    assert_verifies(&store);
    // A fresh handle on the file verifies too: the seals are in the file, not in memory.
    drop(store);
    assert_verifies(&Store::open(&path).unwrap());
}

#[test]
fn a_bad_row_at_the_end_of_a_large_import_leaves_nothing_behind() {
    let path = temp_store("bad");
    let store = county_at(path.to_str().unwrap());
    let head = store.audit_head().unwrap();
    let mut csv = big_csv(0, 3_000);
    csv.push_str("B9999,512021100001001,幸福路,registered,,坏行,not-an-id,,head\n");
    let rejected = store
        .import_households_csv(csv.as_bytes(), &ImportOptions::default(), None)
        .unwrap();
    assert_eq!(rejected.errors.len(), 1, "{:?}", rejected.errors);
    assert_eq!(rejected.errors[0].line, 6_002);
    assert_eq!(
        rejected.households_inserted + rejected.residents_inserted,
        0
    );
    let listed = store.households(GRID, &HouseholdFilter::default()).unwrap();
    assert!(listed.is_empty(), "{} households written", listed.len());
    assert_eq!(store.audit_head().unwrap(), head, "no record, no seal");
    assert_verifies(&store);
    // The next write starts clean: what the failed one collected is gone.
    let imported = store
        .import_households_csv(
            big_csv(5_000, 2_500).as_bytes(),
            &ImportOptions::default(),
            None,
        )
        .unwrap();
    assert_eq!(imported.households_inserted, 2_500);
    assert_verifies(&store);
}

#[test]
fn a_writer_on_another_connection_during_a_large_import_gets_its_rows_and_seals() {
    let path = temp_store("concurrent");
    let store = county_at(path.to_str().unwrap());
    store.add_staff("W1", "网格员甲", None).unwrap();
    store
        .add_household(
            "V1",
            GRID,
            "和平路1号",
            "registered",
            &[],
            Some(d("2024-01-01")),
        )
        .unwrap();
    let other = Store::open(&path).unwrap();
    let visits = std::thread::scope(|scope| {
        let import = scope.spawn(|| {
            store.import_households_csv(
                big_csv(0, 4_000).as_bytes(),
                &ImportOptions::default(),
                None,
            )
        });
        let mut ids = Vec::new();
        for day in 1..=20 {
            let batch: Vec<NewVisit> = (0..3)
                .map(|i| NewVisit {
                    household_id: "V1".into(),
                    staff_id: "W1".into(),
                    channel: Channel::Home,
                    on: d(&format!("2024-02-{day:02}")),
                    note: format!("第{i}次"),
                })
                .collect();
            ids.extend(other.record_visits(&batch).unwrap());
        }
        let imported = import.join().unwrap().unwrap();
        assert_eq!(imported.residents_inserted, 8_000);
        ids
    });
    let mut unique = visits.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), 60, "every visit has an id of its own");
    let listed: Vec<i64> = store.visits("V1").unwrap().iter().map(|v| v.id).collect();
    assert_eq!(listed.len(), 60);
    assert!(visits.iter().all(|id| listed.contains(id)));
    assert_verifies(&store);
    assert_verifies(&other);
}
