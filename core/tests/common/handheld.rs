//! The handheld tests' county: a home store with households, two grid workers and two
//! open entries, its device files, and a week of offline work.

use std::path::{Path, PathBuf};

use wangge::{NewEntry, Store, StoreOptions};

use super::{county_at, d};

/// The grid checked out in the handheld tests.
pub const GRID: &str = "512021100001001";
/// Its neighbour, in the same community.
pub const GRID2: &str = "512021100001002";

/// A fresh directory for one test's files.
pub fn dir(name: &str) -> PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("wangge-handheld-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub fn at(store: &Store, text: &str) -> wangge::Moment {
    store.parse_moment(text).unwrap()
}

/// The county at `dir/home.db`: ten households in the first grid, one in the second,
/// grid worker W1 on the first grid, W2 on the second, and two open entries in the
/// first grid (their ids).
pub fn home(dir: &Path) -> (Store, i64, i64) {
    let store = county_at(dir.join("home.db").to_str().unwrap());
    for i in 0..10 {
        store
            .add_household(
                &format!("H{i:02}"),
                GRID,
                "海慧路",
                "registered",
                &[],
                Some(d("2024-01-01")),
            )
            .unwrap();
    }
    store
        .add_household(
            "G2H",
            GRID2,
            "龙井路",
            "registered",
            &[],
            Some(d("2024-01-01")),
        )
        .unwrap();
    store.add_staff("W1", "王芳", Some("13812345678")).unwrap();
    store.add_staff("W2", "李强", None).unwrap();
    store
        .assign("W1", GRID, "grid_worker", Some(d("2024-01-01")), None)
        .unwrap();
    store
        .assign("W2", GRID2, "grid_worker", Some(d("2024-01-01")), None)
        .unwrap();
    let e1 = store
        .register(&NewEntry::new(
            GRID,
            None,
            "路灯不亮",
            at(&store, "2026-11-16T09:00"),
        ))
        .unwrap()
        .id;
    let e2 = store
        .register(&NewEntry::new(
            GRID,
            None,
            "下水道堵塞",
            at(&store, "2026-11-16T10:00"),
        ))
        .unwrap()
        .id;
    (store, e1, e2)
}

pub fn open_device(path: &Path) -> Store {
    Store::open_with(path, StoreOptions::default()).unwrap()
}

/// One home visit by W1 to `household` on `day`, recorded offline on the device file at
/// `path`, which is closed again.
pub fn visit_offline(path: &Path, household: &str, day: &str) {
    open_device(path)
        .record_visit(household, "W1", "home", d(day), "")
        .unwrap();
}

/// Home moves on while a device is out: household H10 comes to the checked-out grid.
pub fn moves_in_at_home(home: &Store) {
    home.add_household(
        "H10",
        GRID,
        "海慧路",
        "registered",
        &[],
        Some(d("2026-11-01")),
    )
    .unwrap();
}

pub fn verified(store: &Store) {
    let v = store.verify_audit().unwrap();
    assert!(v.ok, "{:?} {:?}", v.problem, v.problems);
}

/// Offline work on W1's device: a visit, a patrol, a finding, an entry raised from it and
/// signed for, and entry `e1` signed for, started and resolved.
pub fn offline_week(device: &Store, e1: i64) {
    let visit = device
        .record_visit("H00", "W1", "home", d("2026-11-23"), "入户走访")
        .unwrap();
    device
        .record_patrol(GRID, "W1", at(device, "2026-11-23T08:30"), "一日双巡")
        .unwrap();
    let finding = device
        .record_finding(visit.id, "楼道路灯损坏", None, false)
        .unwrap();
    let entry = device
        .register_finding(finding.id, None, &at(device, "2026-11-23T10:00"))
        .unwrap();
    device
        .sign_for(entry.id, "W1", &at(device, "2026-11-23T10:30"))
        .unwrap();
    device
        .sign_for(e1, "W1", &at(device, "2026-11-23T11:00"))
        .unwrap();
    device
        .start(e1, "W1", &at(device, "2026-11-23T11:05"))
        .unwrap();
    device
        .resolve(e1, &at(device, "2026-11-24T16:00"), "已修复")
        .unwrap();
}

/// Six hundred phone visits to the first grid's households through November 2026, recorded
/// on the device at `path`: a merge long enough to be stopped midway.
pub fn many_visits(path: &Path) {
    let device = open_device(path);
    let visits: Vec<wangge::NewVisit> = (0..600)
        .map(|i| wangge::NewVisit {
            household_id: format!("H{:02}", i % 10),
            staff_id: "W1".into(),
            channel: wangge::Channel::Phone,
            on: d("2026-11-01") + chrono::Days::new(i / 30),
            note: String::new(),
        })
        .collect();
    device.record_visits(&visits).unwrap();
}
