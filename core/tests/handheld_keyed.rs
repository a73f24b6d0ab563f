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

#[test]
fn a_keyed_stores_device_is_keyed_under_the_same_key() {
    let dir = std::env::temp_dir().join(format!("wangge-handheld-keyed-{}", std::process::id()));
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
    let resident = home
        .add_resident("H00", &resident, Some(d("2024-01-01")))
        .unwrap();
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
