//! Staff: who they are, where they are assigned, who is responsible for a unit.

mod common;
use common::{county, d};
use wangge::{ErrorKind, Role};

#[test]
fn the_responsible_staff_are_the_units_own_else_the_nearest_ancestors() {
    let store = county();
    store
        .add_staff("chief-1", "袁婷", Some("13812345678"))
        .unwrap();
    store.add_staff("worker-1", "谢小华", None).unwrap();
    store.add_staff("sup-1", "郑小芳", None).unwrap();
    store
        .assign("sup-1", "512021100001", "supervisor", None, None)
        .unwrap();
    store
        .assign(
            "worker-1",
            "512021100001001",
            "grid_worker",
            Some(d("2024-01-01")),
            None,
        )
        .unwrap();
    store
        .assign(
            "chief-1",
            "512021100001001",
            "grid_chief",
            Some(d("2024-01-01")),
            Some(d("2024-06-30")),
        )
        .unwrap();

    let on_grid = store
        .responsible("512021100001001", Some(d("2024-03-01")))
        .unwrap();
    assert_eq!(
        on_grid
            .iter()
            .map(|a| a.staff_id.as_str())
            .collect::<Vec<_>>(),
        ["chief-1", "worker-1"]
    );
    assert_eq!(on_grid[0].role, Role::GridChief);
    // The chief's last day is inclusive; the day after only the worker remains.
    assert_eq!(
        store
            .responsible("512021100001001", Some(d("2024-06-30")))
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        store
            .responsible("512021100001001", Some(d("2024-07-01")))
            .unwrap()
            .len(),
        1
    );
    // Before any grid assignment, the community's supervisor answers.
    let early = store
        .responsible("512021100001001", Some(d("2023-12-31")))
        .unwrap();
    assert_eq!(early[0].staff_id, "sup-1");
    assert_eq!(early[0].unit, "512021100001");
    // A grid with nobody of its own falls back to its community.
    assert_eq!(
        store
            .responsible("512021100001002", Some(d("2024-03-01")))
            .unwrap()[0]
            .staff_id,
        "sup-1"
    );
    assert!(
        store.verify_audit().unwrap().ok,
        "{:?}",
        store.verify_audit().unwrap()
    );
}

#[test]
fn staff_input_is_checked_and_phones_are_masked() {
    let store = county();
    let staff = store.add_staff("s1", "袁婷", Some("13812345678")).unwrap();
    assert_eq!(staff.phone.as_deref(), Some("138****5678"));
    assert_eq!(
        store.staff("s1").unwrap().phone.as_deref(),
        Some("138****5678")
    );
    assert_eq!(
        store.staff_phone("s1").unwrap().as_deref(),
        Some("13812345678")
    );
    let log = store.audit_log(0, 1000).unwrap();
    assert_eq!(log.last().unwrap().action, "read_clear");
    assert_eq!(
        store.add_staff("s1", "又一个", None).unwrap_err().kind(),
        ErrorKind::Conflict
    );
    let bad_role = store
        .assign("s1", "512021", "mayor", None, None)
        .unwrap_err();
    assert_eq!(bad_role.kind(), ErrorKind::InvalidInput);
    assert!(bad_role.to_string().contains("mayor"));
    assert_eq!(
        store
            .assign("nobody", "512021", "guide", None, None)
            .unwrap_err()
            .kind(),
        ErrorKind::NotFound
    );
    assert_eq!(
        store
            .assign("s1", "512099", "guide", None, None)
            .unwrap_err()
            .kind(),
        ErrorKind::NotFound
    );
    assert_eq!(
        store
            .add_staff("s2", "x", Some("call me"))
            .unwrap_err()
            .kind(),
        ErrorKind::InvalidInput
    );
}
