//! Handheld terminals: a refresh (`checkout` again onto the device's file) brings the home
//! data up to date and keeps the device's work not merged yet, shown on the device.

mod common;

use common::d;
use common::handheld::{
    GRID, at, dir, home, moves_in_at_home, offline_week, open_device, verified, visit_offline,
};
use wangge::{ConflictReason, ErrorKind, Status, Store};

/// The finding the offline week raised on `store`, with the entry raised from it.
fn raised(store: &Store) -> Vec<wangge::Finding> {
    store
        .findings(GRID, false)
        .unwrap()
        .into_iter()
        .filter(|f| f.summary == "楼道路灯损坏")
        .collect()
}

#[test]
fn a_refresh_brings_home_data_and_keeps_unmerged_work() {
    let dir = dir("refresh");
    let (home, e1, _) = home(&dir);
    let path = dir.join("w1.db");
    let first = home.checkout(GRID, "W1", &path).unwrap();
    visit_offline(&path, "H00", "2026-11-23");
    home.merge(&path).unwrap();
    visit_offline(&path, "H01", "2026-11-24");
    // Home moves on: a new household in the grid, e1 signed for.
    moves_in_at_home(&home);
    home.sign_for(e1, "W1", &at(&home, "2026-11-24T09:00"))
        .unwrap();

    let refreshed = home.checkout(GRID, "W1", &path).unwrap();
    assert!(refreshed.refreshed);
    assert_eq!(refreshed.device_id, first.device_id);
    assert_eq!(refreshed.kept_items, 1);
    let device = open_device(&path);
    verified(&device);
    assert!(device.household("H10", None).is_ok());
    assert_eq!(device.entry(e1).unwrap().status, Status::SignedFor);
    assert_eq!(
        device.visits("H00").unwrap().len(),
        1,
        "merged work came back"
    );
    assert_eq!(
        device.visits("H01").unwrap().len(),
        1,
        "unmerged work shows on the device"
    );
    device
        .record_visit("H02", "W1", "home", d("2026-11-25"), "")
        .unwrap();
    drop(device);
    let result = home.merge(&path).unwrap();
    // The item merged before the refresh was dropped from the device's log.
    assert_eq!((result.applied, result.skipped), (2, 0));
    assert_eq!(home.visits("H01").unwrap().len(), 1);
    assert_eq!(home.visits("H02").unwrap().len(), 1);
    assert_eq!(home.visits("H00").unwrap().len(), 1);
    verified(&home);
    // A refresh for another worker onto the same file is refused.
    home.assign("W2", GRID, "grid_worker", Some(d("2024-01-01")), None)
        .unwrap();
    assert_eq!(
        home.checkout(GRID, "W2", &path).unwrap_err().kind(),
        ErrorKind::Conflict
    );
}

#[test]
fn a_refresh_replays_unmerged_work_so_the_worker_goes_on_with_it() {
    let dir = dir("replay");
    let (home, e1, _) = home(&dir);
    let path = dir.join("w1.db");
    home.checkout(GRID, "W1", &path).unwrap();
    let device = open_device(&path);
    offline_week(&device, e1);
    drop(device);
    moves_in_at_home(&home);

    // The week's eight items are kept and replayed: the visit, the finding, the entry
    // raised from it and e1's steps all show, with the new household from home.
    let refreshed = home.checkout(GRID, "W1", &path).unwrap();
    assert_eq!(refreshed.kept_items, 8);
    let device = open_device(&path);
    verified(&device);
    assert!(device.household("H10", None).is_ok());
    assert_eq!(device.visits("H00").unwrap().len(), 1);
    assert_eq!(device.entry(e1).unwrap().status, Status::Resolved);
    let finding = raised(&device);
    assert_eq!(finding.len(), 1);
    let local = finding[0].entry_id.expect("the entry raised from it");
    assert_eq!(device.entry(local).unwrap().status, Status::SignedFor);
    // The worker goes on with the entry raised before the refresh.
    device
        .start(local, "W1", &at(&device, "2026-11-25T09:00"))
        .unwrap();
    device
        .resolve(local, &at(&device, "2026-11-25T15:00"), "已更换灯泡")
        .unwrap();
    drop(device);

    // A second refresh keeps all ten, each shown once.
    assert_eq!(home.checkout(GRID, "W1", &path).unwrap().kept_items, 10);
    let device = open_device(&path);
    verified(&device);
    assert_eq!(device.visits("H00").unwrap().len(), 1);
    let finding = raised(&device);
    assert_eq!(finding.len(), 1);
    let local = finding[0].entry_id.unwrap();
    assert_eq!(device.entry(local).unwrap().status, Status::Resolved);
    drop(device);

    // Home gets each fact once, with its times as recorded.
    let result = home.merge(&path).unwrap();
    assert_eq!((result.applied, result.skipped), (10, 0));
    assert!(result.conflicts.is_empty(), "{:?}", result.conflicts);
    assert_eq!(home.visits("H00").unwrap().len(), 1);
    assert_eq!(home.entry(e1).unwrap().status, Status::Resolved);
    let finding = raised(&home);
    assert_eq!(finding.len(), 1);
    let entry = home.entry(finding[0].entry_id.unwrap()).unwrap();
    assert_eq!(entry.status, Status::Resolved);
    let times: Vec<String> = home
        .history(entry.id)
        .unwrap()
        .iter()
        .map(|e| e.at.to_rfc3339())
        .collect();
    assert_eq!(
        times,
        [
            "2026-11-23T10:00:00+08:00",
            "2026-11-23T10:30:00+08:00",
            "2026-11-25T09:00:00+08:00",
            "2026-11-25T15:00:00+08:00"
        ]
    );
    verified(&home);
    let again = home.merge(&path).unwrap();
    assert_eq!((again.applied, again.skipped), (0, 10));
}

#[test]
fn unmerged_work_that_no_longer_fits_is_left_out_on_the_device_and_reported_by_the_merge() {
    let dir = dir("stale");
    let (home, _, e2) = home(&dir);
    let path = dir.join("w1.db");
    home.checkout(GRID, "W1", &path).unwrap();
    let device = open_device(&path);
    device
        .sign_for(e2, "W1", &at(&device, "2026-11-23T10:10"))
        .unwrap();
    device
        .record_visit("H01", "W1", "home", d("2026-11-23"), "")
        .unwrap();
    drop(device);
    // Meanwhile the community deals with e2 at home and closes it.
    home.sign_for(e2, "W2", &at(&home, "2026-11-23T08:00"))
        .unwrap();
    home.start(e2, "W2", &at(&home, "2026-11-23T08:10"))
        .unwrap();
    home.resolve(e2, &at(&home, "2026-11-23T09:00"), "社区已处理")
        .unwrap();
    home.close_entry(e2, &at(&home, "2026-11-23T09:30"))
        .unwrap();

    let refreshed = home.checkout(GRID, "W1", &path).unwrap();
    assert_eq!(refreshed.kept_items, 2);
    let device = open_device(&path);
    verified(&device);
    // The device shows e2 as home has it (or not at all, being closed), never as signed
    // for by W1; the visit shows.
    match device.entry(e2) {
        Ok(entry) => assert_eq!(entry.status, Status::Closed),
        Err(e) => assert_eq!(e.kind(), ErrorKind::NotFound),
    }
    assert_eq!(device.visits("H01").unwrap().len(), 1);
    drop(device);

    let result = home.merge(&path).unwrap();
    assert_eq!(result.applied, 1);
    assert_eq!(result.conflicts.len(), 1);
    assert_eq!(result.conflicts[0].reason, ConflictReason::EntryMovedOn);
    assert_eq!(result.conflicts[0].entry_id, Some(e2));
    assert_eq!(home.entry(e2).unwrap().status, Status::Closed);
    let again = home.merge(&path).unwrap();
    assert!(again.conflicts.is_empty());
    assert_eq!((again.applied, again.skipped), (0, 2));
    verified(&home);
}
