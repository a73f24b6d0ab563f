//! The audit chain and the row seals under a deployment key: HMAC-SM3, which nobody
//! without the key can recompute, and a rekey that moves them to a new key without
//! laundering what was changed outside the library before it.

mod common;

use std::path::PathBuf;

use common::d;
use sm3::{Digest, Sm3};
use wangge::{Store, StoreOptions};

const KEY: &[u8] = b"0123456789abcdef-deployment";
const NEW_KEY: &[u8] = b"fedcba9876543210-new-deployment";
const GRID: &str = "512021100001001";

fn dir(name: &str) -> PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("wangge-keyed-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("store.db")
}

fn open(path: &PathBuf, key: Option<&[u8]>) -> Store {
    Store::open_with(
        path,
        StoreOptions {
            key: key.map(<[u8]>::to_vec),
            ..StoreOptions::default()
        },
    )
    .unwrap()
}

/// A store with a grid, a household with a resident and a visit.
fn populated(path: &PathBuf, key: Option<&[u8]>) -> Store {
    let store = open(path, key);
    for (code, name, level, parent) in [
        ("512021", "安岳县", "county", None),
        ("512021100", "岳阳镇", "township", Some("512021")),
        ("512021100001", "北坝社区", "community", Some("512021100")),
        (GRID, "北坝一网格", "grid", Some("512021100001")),
    ] {
        store.add_unit(code, name, level, parent, None).unwrap();
    }
    store
        .add_staff("W1", "王网格员", Some("13812345678"))
        .unwrap();
    store
        .add_household("H1", GRID, "海慧路1号", "registered", &[], None)
        .unwrap();
    store
        .add_resident(
            "H1",
            &common::resident("付良容", Some("510123194805121220"), Some("13812345678")),
            None,
        )
        .unwrap();
    store
        .record_visit("H1", "W1", "home", d("2025-03-04"), "入户")
        .unwrap();
    assert!(store.verify_audit().unwrap().ok);
    store
}

/// Changes a visit's day with plain SQL and recomputes every row seal and the whole
/// chain with public SM3, as someone with the file but without the key would.
fn edit_and_recompute_without_key(path: &PathBuf) {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch("UPDATE visit SET day = day - 1")
        .unwrap();
    // Recomputing with SM3 cannot give HMAC-SM3 values: any value written here is wrong,
    // which is the point. Write a plausible-looking SM3 over the chain's fields.
    let rows: Vec<(i64, String)> = conn
        .prepare("SELECT seq, detail FROM audit ORDER BY seq")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for (seq, detail) in rows {
        let hash: String = Sm3::digest(detail.as_bytes())
            .iter()
            .fold(String::new(), |hex, b| hex + &format!("{b:02x}"));
        conn.execute(
            "UPDATE audit SET hash = ?2 WHERE seq = ?1",
            rusqlite::params![seq, hash],
        )
        .unwrap();
    }
}

#[test]
fn a_keyed_chain_is_not_the_plain_sm3_chain() {
    let keyed_path = dir("keyed");
    let clear_path = dir("clear");
    let keyed = populated(&keyed_path, Some(KEY));
    let clear = populated(&clear_path, None);
    let (k, c) = (keyed.audit_head().unwrap(), clear.audit_head().unwrap());
    assert_eq!(k.seq, c.seq);
    assert_ne!(k.digest, c.digest, "the keyed chain is HMAC-SM3, not SM3");
    assert!(keyed.info().unwrap().keyed);
}

#[test]
fn an_edit_with_a_recomputed_chain_is_caught_without_a_head_when_keyed() {
    let path = dir("recomputed");
    drop(populated(&path, Some(KEY)));
    edit_and_recompute_without_key(&path);
    let store = open(&path, Some(KEY));
    let check = store.verify_audit().unwrap();
    assert!(!check.ok, "{check:?}");
    assert_eq!(check.first_bad, Some(1), "{check:?}");
}

#[test]
fn a_rekeyed_store_verifies_under_its_new_key_and_keeps_writing() {
    let path = dir("rekey");
    let store = populated(&path, None);
    let before = store.audit_head().unwrap();
    store.rekey(KEY).unwrap();
    let check = store.verify_audit().unwrap();
    assert!(check.ok, "{check:?}");
    assert!(
        !store.verify_audit_since(&before).unwrap().ok,
        "the chain is re-MACed by a rekey: heads from before it no longer match"
    );
    let head = store.audit_head().unwrap();
    store
        .record_visit("H1", "W1", "phone", d("2025-03-05"), "电话")
        .unwrap();
    store.rekey(NEW_KEY).unwrap();
    let after = store.audit_head().unwrap();
    assert!(after.seq > head.seq);
    assert!(store.verify_audit().unwrap().ok);
    drop(store);
    let store = open(&path, Some(NEW_KEY));
    let check = store.verify_audit().unwrap();
    assert!(check.ok, "{check:?}");
    assert!(store.verify_audit_since(&after).unwrap().ok);
}

#[test]
fn a_rekey_records_what_was_changed_outside_before_it() {
    let path = dir("rekey-launder");
    drop(populated(&path, Some(KEY)));
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch("UPDATE visit SET day = day - 1")
        .unwrap();
    let store = open(&path, Some(KEY));
    assert!(!store.verify_audit().unwrap().ok);
    store.rekey(NEW_KEY).unwrap();
    let check = store.verify_audit().unwrap();
    assert!(
        !check.ok,
        "a rekey must not launder an outside edit: {check:?}"
    );
    assert!(
        check
            .problems
            .iter()
            .any(|p| p.table == "visit" && p.problem.starts_with("found_earlier")),
        "{:?}",
        check.problems
    );
    assert!(
        store
            .audit_log(0, 1000)
            .unwrap()
            .iter()
            .any(|r| r.action == "outside_change")
    );
}
