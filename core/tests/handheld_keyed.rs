//! Handheld terminals of a keyed store: the device file is keyed under the same
//! deployment key.

mod common;
use std::path::Path;

use common::d;
use wangge::{ErrorKind, Store, StoreOptions};

const GRID: &str = "512021100001001";

fn verified(store: &Store) {
    let v = store.verify_audit().unwrap();
    assert!(v.ok, "{:?} {:?}", v.problem, v.problems);
}

/// The grid, worker W1 (with a phone) and household H00 with one resident (ID number and
/// phone) in `home`; the resident.
fn fill(home: &Store) -> wangge::Resident {
    for (code, name, level, parent) in [
        ("512021", "安岳县", "county", None),
        ("512021100", "岳阳镇", "township", Some("512021")),
        ("512021100001", "北坝社区", "community", Some("512021100")),
        (GRID, "北坝一网格", "grid", Some("512021100001")),
    ] {
        home.add_unit(code, name, level, parent, None).unwrap();
    }
    home.add_staff("W1", "王芳", Some("13812345678")).unwrap();
    home.assign("W1", GRID, "grid_worker", Some(d("2024-01-01")), None)
        .unwrap();
    home.add_household(
        "H00",
        GRID,
        "海慧路",
        "registered",
        &[],
        Some(d("2024-01-01")),
    )
    .unwrap();
    let resident = wangge::NewResident {
        name: "张三".into(),
        id_number: Some("11010519491231002X".into()),
        phone: Some("13912345678".into()),
        hukou: None,
        employer: None,
        relation: None,
        tags: vec![],
    };
    home.add_resident("H00", &resident, Some(d("2024-01-01")))
        .unwrap()
}

#[test]
fn a_keyed_stores_device_is_keyed_under_the_same_key() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("wangge-handheld-keyed-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let key = b"0123456789abcdef0123456789abcdef".to_vec();
    let keyed = |path: &Path| {
        Store::open_with(
            path,
            StoreOptions {
                key: Some(key.clone()),
                ..StoreOptions::default()
            },
        )
    };
    let home = keyed(&dir.join("home.db")).unwrap();
    let resident = fill(&home);
    let path = dir.join("w1.db");
    home.checkout(GRID, "W1", &path).unwrap();
    // Without the key the device file does not open; with it, personal data reads back.
    assert_eq!(
        Store::open(&path).unwrap_err().kind(),
        ErrorKind::PermissionDenied
    );
    let raw = std::fs::read(&path).unwrap();
    assert!(!raw.windows(11).any(|w| w == b"13912345678"));
    let device = keyed(&path).unwrap();
    verified(&device);
    let clear = device.resident_clear(resident.resident_id).unwrap();
    assert_eq!(clear.1.as_deref(), Some("13912345678"));
    device
        .record_visit("H00", "W1", "home", d("2026-11-23"), "")
        .unwrap();
    device.close().unwrap();
    let result = home.merge(&path).unwrap();
    assert_eq!(result.applied, 1);
    verified(&home);
    drop(home);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_device_of_its_own_key_opens_and_merges_only_with_it() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("wangge-handheld-own-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let deployment = b"0123456789abcdef0123456789abcdef".to_vec();
    let device_key = b"device-key-of-w1-0123456789".to_vec();
    let open = |path: &Path, key: &[u8]| {
        Store::open_with(
            path,
            StoreOptions {
                key: Some(key.to_vec()),
                ..StoreOptions::default()
            },
        )
    };
    let home = open(&dir.join("home.db"), &deployment).unwrap();
    let resident = fill(&home);
    let path = dir.join("w1.db");
    assert_eq!(
        home.checkout_with_key(GRID, "W1", &path, b"short")
            .unwrap_err()
            .kind(),
        ErrorKind::InvalidInput
    );
    home.checkout_with_key(GRID, "W1", &path, &device_key)
        .unwrap();
    let raw = std::fs::read(&path).unwrap();
    for clear in [&b"13912345678"[..], b"11010519491231002X", b"13812345678"] {
        assert!(!raw.windows(clear.len()).any(|w| w == clear));
    }
    // The deployment key does not open it; the device's key does, and unseals.
    assert_eq!(
        open(&path, &deployment).unwrap_err().kind(),
        ErrorKind::PermissionDenied
    );
    let device = open(&path, &device_key).unwrap();
    verified(&device);
    assert_eq!(
        device
            .resident_clear(resident.resident_id)
            .unwrap()
            .0
            .as_deref(),
        Some("11010519491231002X")
    );
    assert!(device.staff("W1").unwrap().phone.is_some());
    device
        .record_visit("H00", "W1", "home", d("2026-11-23"), "")
        .unwrap();
    device.close().unwrap();
    // Merged without the device's key: refused, nothing written.
    let head = home.audit_head().unwrap();
    assert_eq!(
        home.merge(&path).unwrap_err().kind(),
        ErrorKind::PermissionDenied
    );
    assert_eq!(home.audit_head().unwrap(), head);
    let result = home.merge_with_key(&path, &device_key).unwrap();
    assert_eq!(result.applied, 1);
    assert_eq!(home.visits("H00").unwrap().len(), 1);
    verified(&home);
    // Work not merged yet, then a refresh: it needs the device's key, keeps the device's
    // id, and the work shows on the device again, under the device's key.
    let device = open(&path, &device_key).unwrap();
    device
        .record_visit("H00", "W1", "phone", d("2026-11-24"), "")
        .unwrap();
    device.close().unwrap();
    let before = std::fs::read(&path).unwrap();
    for refused in [
        home.checkout(GRID, "W1", &path).unwrap_err(),
        home.checkout_with_key(GRID, "W1", &path, &deployment)
            .unwrap_err(),
    ] {
        assert_eq!(refused.kind(), ErrorKind::PermissionDenied);
    }
    assert_eq!(std::fs::read(&path).unwrap(), before);
    let refreshed = home
        .checkout_with_key(GRID, "W1", &path, &device_key)
        .unwrap();
    assert!(refreshed.refreshed);
    assert_eq!(refreshed.kept_items, 1);
    let device = open(&path, &device_key).unwrap();
    verified(&device);
    assert_eq!(device.visits("H00").unwrap().len(), 2);
    device.close().unwrap();
    assert_eq!(home.merge_with_key(&path, &device_key).unwrap().applied, 1);
    assert_eq!(home.visits("H00").unwrap().len(), 2);
    drop(home);
    let _ = std::fs::remove_dir_all(&dir);
}
