//! Scopes and the audit chain.

mod common;
use common::{codes, county, d};
use wangge::ErrorKind;

#[test]
fn a_scope_sees_only_its_subtree() {
    let store = county();
    let town = store.scope("512021100", "岳阳镇管理员").unwrap();
    assert_eq!(
        town.descendants("512021100", Some("grid"), None)
            .unwrap()
            .len(),
        3
    );
    assert_eq!(
        town.unit("512021100001001", None).unwrap().name,
        "北坝一网格"
    );
    for code in ["512021", "512021101", "512021101001001"] {
        let err = town.unit(code, None).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::PermissionDenied, "{code}");
    }
    assert_eq!(
        town.children("512021", None).unwrap_err().kind(),
        ErrorKind::PermissionDenied
    );
    // Ancestors stop at the scope's root.
    assert_eq!(
        codes(&town.ancestors("512021100001001", None).unwrap()),
        ["512021100", "512021100001"]
    );
}

#[test]
fn a_scope_refuses_writes_outside_it_and_writes_nothing() {
    let store = county();
    let grid = store.scope("512021100001", "社区书记").unwrap();
    let before = store.audit_log(0, 1000).unwrap().len();
    let denied = [
        grid.add_unit("512021101001002", "x", "grid", Some("512021101001"), None)
            .unwrap_err(),
        grid.add_unit("512022", "x", "county", None, None)
            .unwrap_err(),
        grid.move_unit("512021100001001", "512021100002", d("2024-01-01"))
            .unwrap_err(),
        grid.move_unit("512021100002001", "512021100001", d("2024-01-01"))
            .unwrap_err(),
        grid.retire_unit("512021101001001", d("2024-01-01"))
            .unwrap_err(),
    ];
    for err in &denied {
        assert_eq!(err.kind(), ErrorKind::PermissionDenied, "{err}");
    }
    store.add_staff("s1", "张莉", None).unwrap();
    assert_eq!(
        grid.assign("s1", "512021101001", "guide", None, None)
            .unwrap_err()
            .kind(),
        ErrorKind::PermissionDenied
    );
    assert_eq!(store.audit_log(0, 1000).unwrap().len(), before + 1);
    assert!(store.scope("512021100", "x").is_ok());
    assert_eq!(
        grid.scope("512021100", "x").unwrap_err().kind(),
        ErrorKind::PermissionDenied
    );
    // Inside the scope, writes work and are audited under the scope's actor.
    grid.add_unit(
        "512021100001003",
        "北坝三网格",
        "grid",
        Some("512021100001"),
        None,
    )
    .unwrap();
    grid.assign("s1", "512021100001003", "grid_chief", None, None)
        .unwrap();
    let log = store.audit_log(0, 1000).unwrap();
    assert_eq!(log.last().unwrap().actor, "社区书记");
    assert_eq!(log.last().unwrap().action, "assign");
}

#[test]
fn every_write_is_audited_and_the_chain_verifies() {
    let store = county();
    let log = store.audit_log(0, 1000).unwrap();
    assert_eq!(log.len(), 10);
    assert_eq!(log[0].action, "add_unit");
    assert_eq!(log[0].target, "512021");
    assert_eq!(log[0].actor, "system");
    let check = store.verify_audit().unwrap();
    assert!(check.ok);
    assert_eq!(check.records, 10);
}

fn tampered(sql: &str) -> wangge::AuditVerification {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "wangge-audit-{}-{}",
        std::process::id(),
        sql.len()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("a.db");
    {
        let store = wangge::Store::open(&path).unwrap();
        store
            .add_unit("512021", "安岳县", "county", None, None)
            .unwrap();
        store
            .add_unit("512021100", "岳阳镇", "township", Some("512021"), None)
            .unwrap();
        store
            .add_unit("512021101", "石桥铺镇", "township", Some("512021"), None)
            .unwrap();
        assert!(store.verify_audit().unwrap().ok);
    }
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch(sql)
        .unwrap();
    let check = wangge::Store::open(&path).unwrap().verify_audit().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    check
}

#[test]
fn a_changed_record_breaks_the_chain() {
    let check = tampered("UPDATE audit SET actor = 'someone else' WHERE seq = 2");
    assert!(!check.ok);
    assert_eq!(check.first_bad, Some(2));
}

#[test]
fn a_deleted_record_breaks_the_chain() {
    let middle = tampered("DELETE FROM audit WHERE seq = 2");
    assert!(!middle.ok);
    assert_eq!(middle.first_bad, Some(2));
    let last = tampered("DELETE FROM audit WHERE seq = 3");
    assert!(
        !last.ok,
        "removing the newest record is detected through the head"
    );
}
