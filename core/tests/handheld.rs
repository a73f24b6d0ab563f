//! Handheld terminals (手持终端): checkout, offline work on the device, merge home.

mod common;
use std::sync::{Arc, Mutex};

use common::d;
use common::handheld::{
    GRID, GRID2, at, dir, home, many_visits, offline_week, open_device, verified,
};
use wangge::{ConflictReason, ErrorKind, NewEntry, Period, Progress, Status};

#[test]
fn a_checkout_writes_a_device_store_scoped_to_its_grid() {
    let dir = dir("contents");
    let (home, e1, _) = home(&dir);
    let path = dir.join("w1.db");
    let checkout = home.checkout(GRID, "W1", &path).unwrap();
    assert_eq!(checkout.unit, GRID);
    assert_eq!(checkout.households, 10);
    assert_eq!(checkout.entries, 2);
    assert!(!checkout.refreshed);
    assert_eq!(checkout.device_id.len(), 32);
    verified(&home);

    let device = open_device(&path);
    assert_eq!(device.scope_root(), Some(GRID));
    assert_eq!(device.actor(), "W1");
    verified(&device);
    assert_eq!(
        device
            .households(GRID, &wangge::HouseholdFilter::default())
            .unwrap()
            .len(),
        10
    );
    assert_eq!(device.entry(e1).unwrap().summary, "路灯不亮");
    assert!(!device.visit_rules(None).unwrap().is_empty());
    // The second grid's household was not copied, and is outside the scope anyway.
    assert_eq!(
        device.household("G2H", None).unwrap_err().kind(),
        ErrorKind::NotFound
    );
    // Writes outside the grid are refused as on any scoped handle.
    let outside = device
        .record_patrol(GRID2, "W1", at(&device, "2026-11-23T09:00"), "")
        .unwrap_err();
    assert!(matches!(
        outside.kind(),
        ErrorKind::PermissionDenied | ErrorKind::NotFound
    ));
    // A write that is not offline work cannot be merged, so it is refused.
    let other = device
        .add_household(
            "H99",
            GRID,
            "海慧路",
            "registered",
            &[],
            Some(d("2026-11-01")),
        )
        .unwrap_err();
    assert_eq!(other.kind(), ErrorKind::PermissionDenied);
    assert!(device.household("H99", None).is_err());
}

#[test]
fn a_checkout_needs_the_unit_in_scope_and_the_worker_assigned_there() {
    let dir = dir("refusals");
    let (home, _, _) = home(&dir);
    let other = home.scope("512021101", "镇干部").unwrap();
    let refused = other.checkout(GRID, "W1", dir.join("x.db")).unwrap_err();
    assert!(matches!(
        refused.kind(),
        ErrorKind::NotFound | ErrorKind::PermissionDenied
    ));
    let refused = home.checkout(GRID, "W2", dir.join("y.db")).unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::Conflict);
    assert!(!dir.join("x.db").exists() && !dir.join("y.db").exists());
}

#[test]
fn offline_work_is_merged_home_once_with_its_times_kept() {
    let dir = dir("merge");
    let (home, e1, _) = home(&dir);
    let path = dir.join("w1.db");
    home.checkout(GRID, "W1", &path).unwrap();
    let device = open_device(&path);
    offline_week(&device, e1);
    verified(&device);
    drop(device);

    let before = home.audit_head().unwrap();
    let result = home.merge(&path).unwrap();
    assert_eq!((result.applied, result.skipped), (8, 0));
    assert!(result.conflicts.is_empty(), "{:?}", result.conflicts);
    assert_eq!(result.digest.len(), 64);
    verified(&home);

    let visits = home.visits("H00").unwrap();
    assert_eq!(visits.len(), 1);
    assert_eq!(visits[0].on, d("2026-11-23"));
    assert_eq!(visits[0].staff_id, "W1");
    let entry = home.entry(e1).unwrap();
    assert_eq!(entry.status, Status::Resolved);
    let history = home.history(e1).unwrap();
    let times: Vec<String> = history.iter().map(|e| e.at.to_rfc3339()).collect();
    assert_eq!(
        times,
        [
            "2026-11-16T09:00:00+08:00",
            "2026-11-23T11:00:00+08:00",
            "2026-11-23T11:05:00+08:00",
            "2026-11-24T16:00:00+08:00"
        ]
    );
    assert_eq!(history[1].actor, "W1");
    // The entry raised on the device has a home id, its finding taken up, signed for.
    let raised = home
        .findings(GRID, false)
        .unwrap()
        .into_iter()
        .find(|f| f.summary == "楼道路灯损坏")
        .unwrap();
    let home_entry = home.entry(raised.entry_id.unwrap()).unwrap();
    assert_eq!(home_entry.summary, "楼道路灯损坏");
    assert_eq!(home_entry.status, Status::SignedFor);
    assert_eq!(
        home_entry.reported_at.to_rfc3339(),
        "2026-11-23T10:00:00+08:00"
    );

    // The audit chain records the merge with the device and the digest.
    let log = home.audit_log(before.seq, 100).unwrap();
    let merge = log.iter().find(|r| r.action == "merge").unwrap();
    assert_eq!(merge.target, result.device_id);
    assert!(merge.detail.contains(&result.digest));

    // The same file again: nothing applied, everything skipped, nothing reported.
    let head = home.audit_head().unwrap();
    let again = home.merge(&path).unwrap();
    assert_eq!((again.applied, again.skipped), (0, 8));
    assert!(again.conflicts.is_empty());
    assert_eq!(home.visits("H00").unwrap().len(), 1);
    assert_eq!(home.history(e1).unwrap().len(), 4);
    assert_eq!(home.audit_head().unwrap().seq, head.seq + 1);
    verified(&home);
}

#[test]
fn conflicts_are_reported_once_each_with_its_reason() {
    let dir = dir("conflicts");
    let (home, e1, e2) = home(&dir);
    let path = dir.join("w1.db");
    home.checkout(GRID, "W1", &path).unwrap();
    let device = open_device(&path);
    // Week 47 (16-22 November) is approved at home meanwhile: its visit is locked out.
    device
        .record_visit("H02", "W1", "home", d("2026-11-18"), "")
        .unwrap();
    device
        .sign_for(e1, "W1", &at(&device, "2026-11-23T10:00"))
        .unwrap();
    device
        .sign_for(e2, "W1", &at(&device, "2026-11-23T10:10"))
        .unwrap();
    device
        .record_visit("H01", "W1", "phone", d("2026-11-24"), "")
        .unwrap();
    device
        .record_visit("H03", "W1", "phone", d("2026-11-24"), "")
        .unwrap();
    drop(device);

    // Home, meanwhile: e1 escalated after the device signed for it, e2 closed by the
    // community, H01 moved to the second grid before the visit, week 47 approved.
    home.escalate(e1, &at(&home, "2026-11-23T15:00"), "需社区协调", None)
        .unwrap();
    home.sign_for(e2, "W2", &at(&home, "2026-11-23T08:00"))
        .unwrap();
    home.start(e2, "W2", &at(&home, "2026-11-23T08:10"))
        .unwrap();
    home.resolve(e2, &at(&home, "2026-11-23T09:00"), "社区已处理")
        .unwrap();
    home.close_entry(e2, &at(&home, "2026-11-23T09:30"))
        .unwrap();
    home.move_household("H01", GRID2, d("2026-11-20")).unwrap();
    let week = Period::parse("2026-W47").unwrap();
    home.submit(GRID, week, &at(&home, "2026-11-23T08:00"))
        .unwrap();
    home.approve(GRID, week, &at(&home, "2026-11-23T08:30"))
        .unwrap();

    let result = home.merge(&path).unwrap();
    assert_eq!(result.applied, 1, "{:?}", result.conflicts);
    let reasons: Vec<(i64, ConflictReason)> = result
        .conflicts
        .iter()
        .map(|c| (c.device_seq, c.reason))
        .collect();
    assert_eq!(
        reasons,
        [
            (1, ConflictReason::PeriodLocked),
            (2, ConflictReason::EntryMovedOn),
            (3, ConflictReason::EntryMovedOn),
            (4, ConflictReason::HouseholdGone),
        ]
    );
    for c in &result.conflicts {
        assert!(c.global_id.ends_with(&format!(":{}", c.device_seq)));
        assert!(!c.message.is_empty());
        assert!(
            c.message_zh
                .chars()
                .any(|ch| ('\u{4e00}'..='\u{9fff}').contains(&ch))
        );
    }
    assert_eq!(result.conflicts[1].entry_id, Some(e1));
    assert_eq!(result.conflicts[3].household_id.as_deref(), Some("H01"));
    // Nothing of the conflicting items was applied; the one that fits was.
    assert!(home.visits("H02").unwrap().is_empty());
    assert!(home.visits("H01").unwrap().is_empty());
    assert_eq!(home.visits("H03").unwrap().len(), 1);
    assert_eq!(home.entry(e2).unwrap().status, Status::Closed);
    verified(&home);

    let again = home.merge(&path).unwrap();
    assert_eq!((again.applied, again.skipped), (0, 5));
    assert!(again.conflicts.is_empty());
}

#[test]
fn a_withdrawn_checkout_applies_nothing() {
    let dir = dir("withdrawn");
    let (home, e1, _) = home(&dir);
    let path = dir.join("w1.db");
    let checkout = home.checkout(GRID, "W1", &path).unwrap();
    let device = open_device(&path);
    device
        .record_visit("H00", "W1", "home", d("2026-11-23"), "")
        .unwrap();
    device
        .sign_for(e1, "W1", &at(&device, "2026-11-23T10:00"))
        .unwrap();
    drop(device);
    home.withdraw_checkout(&checkout.device_id).unwrap();
    assert_eq!(
        home.withdraw_checkout("nope").unwrap_err().kind(),
        ErrorKind::NotFound
    );
    let result = home.merge(&path).unwrap();
    assert_eq!(result.applied, 0);
    assert_eq!(result.conflicts.len(), 2);
    assert!(
        result
            .conflicts
            .iter()
            .all(|c| c.reason == ConflictReason::Withdrawn)
    );
    assert!(home.visits("H00").unwrap().is_empty());
    assert_eq!(home.entry(e1).unwrap().status, Status::Registered);
}

#[test]
fn a_merge_stopped_midway_leaves_the_home_store_unchanged() {
    let dir = dir("stopped");
    let (home, _, _) = home(&dir);
    let path = dir.join("w1.db");
    home.checkout(GRID, "W1", &path).unwrap();
    many_visits(&path);

    let head = home.audit_head().unwrap();
    let seen = Arc::new(Mutex::new(0u64));
    let told = Arc::clone(&seen);
    let progress = Progress::new(move |step, done, _| {
        if step != "merge" {
            return true;
        }
        *told.lock().unwrap() = done;
        if done == 0 {
            // Past the interval, so that the next report reaches the callback.
            std::thread::sleep(std::time::Duration::from_millis(80));
            return true;
        }
        false
    });
    let stopped = home
        .with_progress(&progress, |s| s.merge(&path))
        .unwrap_err();
    assert_eq!(stopped.kind(), ErrorKind::InvalidInput);
    assert!(*seen.lock().unwrap() > 0, "stopped midway, not before");
    assert_eq!(home.audit_head().unwrap(), head);
    assert!(home.visits("H00").unwrap().is_empty());
    verified(&home);

    let result = home.merge(&path).unwrap();
    assert_eq!((result.applied, result.conflicts.len()), (600, 0));
    assert_eq!(home.visits("H00").unwrap().len(), 60);
}

#[test]
fn files_that_are_not_this_stores_devices_are_refused_untouched() {
    let dir = dir("foreign");
    let (home, _, _) = home(&dir);
    // The home store itself is not a device.
    let own = home.merge(dir.join("home.db")).unwrap_err();
    assert_eq!(own.kind(), ErrorKind::Conflict);
    // Not SQLite at all.
    std::fs::write(dir.join("junk.db"), b"not a database, not at all").unwrap();
    assert_eq!(
        home.merge(dir.join("junk.db")).unwrap_err().kind(),
        ErrorKind::Storage
    );
    // A device of another store.
    let other_dir = dir.join("other");
    std::fs::create_dir_all(&other_dir).unwrap();
    let (other, _, _) = self::home(&other_dir);
    let foreign = dir.join("foreign.db");
    other.checkout(GRID, "W1", &foreign).unwrap();
    assert_eq!(
        home.merge(&foreign).unwrap_err().kind(),
        ErrorKind::Conflict
    );
    // A device edited by hand.
    let path = dir.join("w1.db");
    home.checkout(GRID, "W1", &path).unwrap();
    let device = open_device(&path);
    device
        .record_visit("H00", "W1", "home", d("2026-11-23"), "")
        .unwrap();
    device.close().unwrap();
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute("UPDATE visit SET day = day - 1", []).unwrap();
    }
    let head = home.audit_head().unwrap();
    let edited = home.merge(&path).unwrap_err();
    assert_eq!(edited.kind(), ErrorKind::Conflict);
    assert!(edited.to_string().contains("outside the library"));
    assert_eq!(home.audit_head().unwrap(), head);
    assert!(home.visits("H00").unwrap().is_empty());
    // An existing file that is not a device is not overwritten by a checkout.
    assert_eq!(
        home.checkout(GRID, "W1", dir.join("junk.db"))
            .unwrap_err()
            .kind(),
        ErrorKind::Conflict
    );
    assert_eq!(
        std::fs::read(dir.join("junk.db")).unwrap(),
        b"not a database, not at all"
    );
}

#[test]
fn an_item_naming_a_record_whose_own_item_conflicted_is_reported_too() {
    let dir = dir("depends");
    let (home, _, _) = home(&dir);
    let path = dir.join("w1.db");
    home.checkout(GRID, "W1", &path).unwrap();
    let device = open_device(&path);
    let mut raised = NewEntry::new(GRID, None, "路灯不亮", at(&device, "2026-11-24T09:00"));
    raised.household_id = Some("H05".into());
    let local = device.register(&raised).unwrap().id;
    device
        .sign_for(local, "W1", &at(&device, "2026-11-24T09:30"))
        .unwrap();
    let visit = device
        .record_visit("H06", "W1", "home", d("2026-11-24"), "")
        .unwrap();
    device
        .record_finding(visit.id, "楼道路灯损坏", None, false)
        .unwrap();
    device.close().unwrap();
    home.move_household("H05", GRID2, d("2026-11-22")).unwrap();

    let result = home.merge(&path).unwrap();
    let reasons: Vec<(i64, &str, ConflictReason)> = result
        .conflicts
        .iter()
        .map(|c| (c.device_seq, c.kind.as_str(), c.reason))
        .collect();
    assert_eq!(
        reasons,
        [
            (1, "entry", ConflictReason::HouseholdGone),
            (2, "entry_action", ConflictReason::DependsOnConflict),
        ]
    );
    assert_eq!(result.conflicts[0].local_id, Some(local));
    assert_eq!(result.applied, 2, "the visit and its finding");
    let findings = home.findings(GRID, false).unwrap();
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].household_id, "H06");
}
