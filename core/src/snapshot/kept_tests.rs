//! The kept blobs of the registry snapshot, the visit log and the ledger's columns: each
//! reads back as written, and a blob cut short or with a flipped bit reads as nothing or
//! as some value, never a crash.

use std::sync::Arc;

use crate::Store;
use crate::report::columns::LedgerColumns;
use crate::snapshot::RegistrySnapshot;
use crate::store::Derived;
use crate::store::kept::check;
use crate::visits::log::VisitLog;

#[test]
fn a_cut_or_flipped_blob_reads_as_nothing_or_a_value_never_a_crash() {
    let store = Store::open(":memory:").unwrap();
    store
        .add_unit("512021", "安岳县", "county", None, None)
        .unwrap();
    store
        .add_unit("512021001", "岳阳镇", "township", Some("512021"), None)
        .unwrap();
    store.add_staff("W1", "王网格员", None).unwrap();
    let day = crate::date::parse_date("day", "2025-03-03").unwrap();
    for (i, tags) in [&["低保"][..], &[], &["空巢"]].iter().enumerate() {
        let id = format!("H{i}");
        store
            .add_household(&id, "512021001", "幸福路", "registered", tags, None)
            .unwrap();
        store.record_visit(&id, "W1", "home", day, "").unwrap();
    }
    let at = store.parse_moment("2025-03-04T09:00:00").unwrap();
    for n in 0..3 {
        let entry = crate::NewEntry::new("512021001", Some("低保"), &format!("诉求{n}"), at);
        store.register(&entry).unwrap();
    }
    let conn = store.conn().unwrap();
    let snapshot: Arc<RegistrySnapshot> = store.registry_snapshot(&conn).unwrap();
    let log = store.visit_log(&conn, &snapshot).unwrap();
    let columns = store.ledger_columns(&conn).unwrap();
    let body = |encode: &dyn Fn(&mut Vec<u8>)| {
        let mut out = Vec::new();
        encode(&mut out);
        out
    };
    check::<RegistrySnapshot>(&body(&|out| snapshot.encode(out)));
    check::<VisitLog>(&body(&|out| Derived::encode(&*log, out)));
    check::<LedgerColumns>(&body(&|out| Derived::encode(&*columns, out)));
    // A log read back serves only a snapshot of the same households in the same order.
    let log_body = body(&|out| Derived::encode(&*log, out));
    drop(conn);
    store
        .add_household("H9", "512021001", "幸福路", "registered", &[], None)
        .unwrap();
    let conn = store.conn().unwrap();
    let patched = store.registry_snapshot(&conn).unwrap();
    let read = <VisitLog as Derived>::decode(&log_body).unwrap();
    assert!(read.fits(&patched), "same base");
    let grown = RegistrySnapshot::build(&conn).unwrap();
    assert!(!read.fits(&grown));
}
