//! The derived data a store keeps in its file between opens (the registry snapshot, the
//! visit log and the ledger's columns): a fresh open reports from it exactly as from the
//! facts, and never trusts it when it was edited, is stale or does not read back.

mod common;

use std::path::{Path, PathBuf};

use common::{county_at, d};
use wangge::{NewEntry, NewResident, Period, Report, Store};

const COUNTY: &str = "512021";
const TOWNSHIP: &str = "512021100";
const GRIDS: [&str; 4] = [
    "512021100001001",
    "512021100001002",
    "512021100002001",
    "512021101001001",
];
const PERIODS: [&str; 4] = ["2025-03", "2025-Q1", "2025-W10", "2025"];
const KINDS: usize = 3;

fn scratch(name: &str) -> PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("wangge-kept-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("county.db")
}

/// The county with 24 households (tagged, with residents), their visits over the first
/// half of 2025 and 30 entries, some signed for and resolved.
fn busy_county(path: &Path) -> Store {
    let store = county_at(path.to_str().unwrap());
    store.add_staff("W1", "王网格员", None).unwrap();
    for i in 0..24usize {
        let id = format!("H{i:02}");
        let grid = GRIDS[i % GRIDS.len()];
        let tags: &[&str] = if i % 4 == 0 { &["低保"] } else { &[] };
        let kind = if i % 5 == 0 { "floating" } else { "registered" };
        store
            .add_household(&id, grid, &format!("幸福路{i}号"), kind, tags, None)
            .unwrap();
        for r in 0..=(i % 3) {
            let resident = NewResident {
                name: format!("居民{i}-{r}"),
                relation: Some(if r == 0 { "head" } else { "child" }.into()),
                ..Default::default()
            };
            store.add_resident(&id, &resident, None).unwrap();
        }
        for v in 0..(i % 6) {
            let day = d("2025-01-03") + chrono::Days::new((i * 7 + v * 23) as u64 % 170);
            let channel = if (i + v) % 3 == 0 { "phone" } else { "home" };
            store.record_visit(&id, "W1", channel, day, "").unwrap();
        }
    }
    let mut at = store.parse_moment("2025-01-05T09:00:00").unwrap();
    for n in 0..30usize {
        let category = ["市政设施", "矛盾纠纷", "低保"][n % 3];
        let entry = NewEntry::new(
            GRIDS[n % GRIDS.len()],
            Some(category),
            &format!("诉求{n}"),
            at,
        );
        let id = store.register(&entry).unwrap().id;
        if n % 3 != 2 {
            let mut sign = wangge::EntryAction::new(id, wangge::Action::SignFor, at + hours(2));
            sign.staff_id = Some("W1".into());
            store.work_entries(&[sign]).unwrap();
        }
        if n % 3 == 0 {
            let mut start = wangge::EntryAction::new(id, wangge::Action::Start, at + hours(5));
            start.staff_id = Some("W1".into());
            let mut resolve = wangge::EntryAction::new(id, wangge::Action::Resolve, at + hours(30));
            resolve.note = "已处理".into();
            store.work_entries(&[start, resolve]).unwrap();
        }
        at += hours(101);
    }
    store
}

fn hours(n: i64) -> chrono::Duration {
    chrono::Duration::hours(n)
}

/// The reports of the county and a township over every period of [`PERIODS`].
fn reports(store: &Store) -> Vec<Report> {
    let mut out = Vec::new();
    for p in PERIODS {
        for unit in [COUNTY, TOWNSHIP] {
            out.push(store.report(unit, Period::parse(p).unwrap()).unwrap());
        }
    }
    out
}

fn sql(path: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(path).unwrap()
}

/// The kept kinds and the chain sequence number each is stamped with.
fn kept(path: &Path) -> Vec<(String, i64)> {
    let conn = sql(path);
    let mut stmt = conn
        .prepare("SELECT kind, seq FROM kept ORDER BY kind")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

/// The reports of a store opened afresh on `path` after its kept data was dropped: what
/// they are when everything is read from the facts.
fn rebuilt(path: &Path) -> Vec<Report> {
    sql(path).execute("DELETE FROM kept", []).unwrap();
    reports(&Store::open(path).unwrap())
}

fn head_seq(store: &Store) -> i64 {
    store.audit_head().unwrap().seq
}

#[test]
fn a_fresh_open_reports_from_the_kept_data_exactly_as_from_the_facts() {
    let path = scratch("fresh");
    let store = busy_county(&path);
    let before = reports(&store);
    let due_before = store.due_visits(COUNTY, Some(d("2025-07-01"))).unwrap();
    let head = head_seq(&store);
    drop(store);
    let stamps = kept(&path);
    assert_eq!(stamps.len(), KINDS, "{stamps:?}");
    assert!(stamps.iter().all(|(_, seq)| *seq == head), "{stamps:?}");

    let fresh = Store::open(&path).unwrap();
    assert_eq!(reports(&fresh), before);
    // The due list's addresses come from the kept snapshot too.
    let due = fresh.due_visits(COUNTY, Some(d("2025-07-01"))).unwrap();
    assert!(
        due.iter().any(|v| v.address.starts_with("幸福路")),
        "{due:?}"
    );
    assert_eq!(due, due_before);
    assert!(fresh.verify_audit().unwrap().ok, "kept data is not a fact");
    // A scope still holds: the kept data is the county's, the report the scope's.
    let scoped = fresh.scope(TOWNSHIP, "岳阳镇网格员").unwrap();
    let month = Period::parse("2025-03").unwrap();
    assert_eq!(
        scoped.report(COUNTY, month).unwrap_err().kind(),
        wangge::ErrorKind::PermissionDenied
    );
    assert_eq!(scoped.report(TOWNSHIP, month).unwrap(), before[1]);
    drop((fresh, scoped));
    assert_eq!(rebuilt(&path), before, "the same without any kept data");
    assert_eq!(kept(&path).len(), KINDS, "built again, and kept again");
}

#[test]
fn kept_data_is_what_the_library_wrote_and_a_rebuild_reads_the_facts_again() {
    let path = scratch("used");
    let before = reports(&busy_county(&path));
    // An entry deleted outside the library: the chain does not move, so the kept
    // columns (what the library wrote) still count it; verify_audit reports the edit.
    sql(&path)
        .execute(
            "DELETE FROM entry WHERE id = (SELECT max(id) FROM entry)",
            [],
        )
        .unwrap();
    let fresh = Store::open(&path).unwrap();
    assert_eq!(reports(&fresh), before, "the kept columns were read");
    assert!(!fresh.verify_audit().unwrap().ok);
    drop(fresh);
    let year = rebuilt(&path)[6].clone();
    assert_eq!(
        year.totals.ledger.received + 1,
        before[6].totals.ledger.received,
        "built from the facts, without the deleted entry"
    );
}

/// Every kept row, whole.
type Rows = Vec<(String, i64, i64, String, Vec<u8>, Vec<u8>)>;

fn kept_rows(path: &Path) -> Rows {
    let conn = sql(path);
    let mut stmt = conn
        .prepare("SELECT kind, format, seq, head, mac, body FROM kept")
        .unwrap();
    stmt.query_map([], |r| {
        Ok((
            r.get(0)?,
            r.get(1)?,
            r.get(2)?,
            r.get(3)?,
            r.get(4)?,
            r.get(5)?,
        ))
    })
    .unwrap()
    .collect::<rusqlite::Result<_>>()
    .unwrap()
}

fn put_back(path: &Path, rows: &Rows) {
    let conn = sql(path);
    conn.execute("DELETE FROM kept", []).unwrap();
    for r in rows {
        conn.execute(
            "INSERT INTO kept (kind, format, seq, head, mac, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            rusqlite::params![r.0, r.1, r.2, r.3, r.4, r.5],
        )
        .unwrap();
    }
}

/// Applies `edit` to the file by hand, then reports from a fresh open, which must give
/// `want` and keep every kind again; returns the kept kinds' stamps after.
fn edited_then_reported(path: &Path, edit: &str, want: &[Report]) -> Vec<(String, i64)> {
    sql(path).execute(edit, []).unwrap();
    let fresh = Store::open(path).unwrap();
    assert_eq!(reports(&fresh), want, "after {edit}");
    drop(fresh);
    let stamps = kept(path);
    assert_eq!(stamps.len(), KINDS, "kept anew after {edit}");
    stamps
}

#[test]
fn edited_or_stale_or_foreign_kept_data_is_never_used() {
    let path = scratch("tampered");
    let before = reports(&busy_county(&path));
    let original = kept_rows(&path);
    assert_eq!(original.len(), KINDS);
    // An entry deleted outside the library: kept data that is used still counts it.
    sql(&path)
        .execute(
            "DELETE FROM entry WHERE id = (SELECT max(id) FROM entry)",
            [],
        )
        .unwrap();
    assert_eq!(
        reports(&Store::open(&path).unwrap()),
        before,
        "used as kept"
    );
    let facts = rebuilt(&path);
    assert_eq!(
        facts[6].totals.ledger.received + 1,
        before[6].totals.ledger.received
    );
    // The kept rows put back, each time edited by hand: a byte of the blob flipped (its
    // seal no longer checks), stamped with another head (stale), truncated with its
    // seal dropped, or of another format. Each time the reports are read from the facts
    // and the data kept anew.
    let edits = [
        "UPDATE kept SET body = CAST(zeroblob(1) AS BLOB) || substr(body, 2)",
        "UPDATE kept SET body = body || X'00'",
        "UPDATE kept SET seq = seq - 1",
        "UPDATE kept SET head = 'ff' || substr(head, 3)",
        "UPDATE kept SET body = substr(body, 1, length(body) / 2), mac = X''",
        "UPDATE kept SET format = format + 1",
    ];
    for edit in edits {
        put_back(&path, &original);
        edited_then_reported(&path, edit, &facts);
        assert!(kept_rows(&path).iter().all(|r| r.2 == original[0].2));
    }

    // Kept data copied from another store of the same chain length is stamped and
    // sealed for that store's head, not this one's.
    let other = scratch("other");
    reports(&busy_county(&other));
    put_back(&path, &kept_rows(&other));
    assert_eq!(reports(&Store::open(&path).unwrap()), facts);
}

#[test]
fn a_kept_visit_log_serves_only_the_households_it_was_laid_out_by() {
    let path = scratch("laid-out");
    reports(&busy_county(&path));
    // The snapshot's kept row dropped, and the first household deleted outside the
    // library (the chain does not move): the snapshot is read from the facts, one
    // household short, while the visit log kept at the same head, read from the file
    // beside it, gives each of its slots to the household before.
    let conn = sql(&path);
    conn.execute_batch(
        "DELETE FROM kept WHERE kind = 'registry_snapshot';
         DELETE FROM tag WHERE household_id = 'H00';
         DELETE FROM membership WHERE household_id = 'H00';
         DELETE FROM resident WHERE household_id = 'H00';
         DELETE FROM household_place WHERE household_id = 'H00';
         DELETE FROM household WHERE household_id = 'H00';",
    )
    .unwrap();
    drop(conn);
    let fresh = reports(&Store::open(&path).unwrap());
    assert_eq!(fresh, rebuilt(&path), "the log is read from the facts too");
}

/// The county of [`busy_county`] reported (so its derived data is kept), then reopened
/// and written to: a visit, an entry, a household, a tag and an entry signed for. Returns the reports after the
/// writes, the chain's head after them and the kept kinds' stamps before them.
fn written_after_keeping(path: &Path) -> (Vec<Report>, i64, Vec<(String, i64)>) {
    let store = busy_county(path);
    reports(&store);
    drop(store);
    let kept_at = kept(path);
    let store = Store::open(path).unwrap();
    store
        .record_visit("H01", "W1", "home", d("2025-03-10"), "")
        .unwrap();
    let entry = NewEntry::new(
        GRIDS[0],
        Some("低保"),
        "新的诉求",
        store.parse_moment("2025-03-11T10:00:00").unwrap(),
    );
    store.register(&entry).unwrap();
    store
        .add_household(
            "H99",
            GRIDS[1],
            "新村1号",
            "registered",
            &[],
            Some(d("2025-02-01")),
        )
        .unwrap();
    store
        .tag("H02", "低保", Some(d("2025-03-01")), None)
        .unwrap();
    let mut waiting = wangge::EntryQuery::new(COUNTY);
    waiting.status = Some(wangge::Status::Registered);
    let open = store.entries(&waiting).unwrap()[0].clone();
    let mut sign = wangge::EntryAction::new(
        open.id,
        wangge::Action::SignFor,
        store.parse_moment("2025-03-12T09:00:00").unwrap(),
    );
    sign.staff_id = Some("W1".into());
    store.work_entries(&[sign]).unwrap();
    let after = reports(&store);
    let head = head_seq(&store);
    drop(store);
    assert!(kept_at.iter().all(|(_, seq)| *seq < head));
    (after, head, kept_at)
}

#[test]
fn a_write_after_the_data_was_kept_is_brought_in_from_what_it_changed() {
    let path = scratch("behind");
    let (after, head, kept_at) = written_after_keeping(&path);
    let records: i64 = sql(&path)
        .query_row("SELECT count(*) FROM kept_change", [], |r| r.get(0))
        .unwrap();
    assert_eq!(records, 5, "one record a write");
    // Reopened: the kept data, kept before the writes, is brought up to date with what
    // they changed rather than read from the facts: it stays kept at its own head.
    let fresh = Store::open(&path).unwrap();
    let again = reports(&fresh);
    assert_eq!(again, after);
    assert_eq!(again[0].totals.households, after[0].totals.households);
    drop(fresh);
    assert_eq!(kept(&path), kept_at);
    assert!(kept_at.iter().all(|(_, seq)| *seq < head));
    assert_eq!(rebuilt(&path), after);
}

/// A write's record of what it changed, as the file holds it (`kept_change`).
type Record = (i64, i64, i64, Vec<u8>, Vec<u8>);

#[test]
fn a_write_whose_changes_do_not_read_back_makes_the_kept_data_stale() {
    let path = scratch("stale");
    let (after, head, _) = written_after_keeping(&path);
    let original: Vec<Record> = {
        let conn = sql(&path);
        let mut stmt = conn
            .prepare("SELECT head_after, head_before, total, mac, body FROM kept_change")
            .unwrap();
        stmt.query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
    };
    let kept_before = kept_rows(&path);
    // The records edited by hand, one way each time: a write's record missing, a byte of
    // its changes flipped, its changes cut short, sealed for another head, its seal
    // dropped, or taken from another head of the chain. Each time the reports are read
    // from the facts and the data kept anew at the current head.
    let edits = [
        "DELETE FROM kept_change WHERE head_after = (SELECT min(head_after) FROM kept_change)",
        "UPDATE kept_change SET body = CAST(zeroblob(1) AS BLOB) || substr(body, 2)",
        "UPDATE kept_change SET body = substr(body, 1, length(body) - 1)",
        "UPDATE kept_change SET head_before = head_before - 1",
        "UPDATE kept_change SET mac = X''",
        "UPDATE kept_change SET head_after = head_after + 100",
    ];
    for edit in edits {
        let conn = sql(&path);
        conn.execute("DELETE FROM kept_change", []).unwrap();
        for r in &original {
            conn.execute(
                "INSERT INTO kept_change VALUES (?1, ?2, ?3, ?4, ?5)",
                rusqlite::params![r.0, r.1, r.2, r.3, r.4],
            )
            .unwrap();
        }
        drop(conn);
        put_back(&path, &kept_before);
        let stamps = edited_then_reported(&path, edit, &after);
        assert!(stamps.iter().all(|(_, seq)| *seq == head), "after {edit}");
        // Kept anew at the head: no record is needed any more.
        let left: i64 = sql(&path)
            .query_row("SELECT count(*) FROM kept_change", [], |r| r.get(0))
            .unwrap();
        assert_eq!(left, 0, "after {edit}");
    }
}

#[test]
fn a_change_of_the_units_rebuilds_the_snapshot_and_brings_the_rest_up_to_date() {
    let path = scratch("units-changed");
    let store = busy_county(&path);
    reports(&store);
    drop(store);
    let kept_at = kept(&path);
    let store = Store::open(&path).unwrap();
    store
        .add_unit(
            "512021100001003",
            "第三网格",
            "grid",
            Some("512021100001"),
            None,
        )
        .unwrap();
    store
        .add_household(
            "H97",
            "512021100001003",
            "新村3号",
            "registered",
            &["低保"],
            None,
        )
        .unwrap();
    store
        .record_visit("H97", "W1", "home", d("2025-03-12"), "")
        .unwrap();
    let after = reports(&store);
    let head = head_seq(&store);
    drop(store);
    let fresh = Store::open(&path).unwrap();
    assert_eq!(reports(&fresh), after);
    drop(fresh);
    // A change of the units does not say which households it changed: the snapshot is
    // read from the facts again, and with it the visit log, laid out by the snapshot's
    // households (one more now); the ledger's columns are brought up to date.
    let stamps = kept(&path);
    assert_eq!(stamps.len(), KINDS);
    for (kind, seq) in stamps {
        let was = kept_at.iter().find(|(k, _)| *k == kind).unwrap().1;
        let expected = if kind == "ledger_columns" { was } else { head };
        assert_eq!(seq, expected, "{kind}");
    }
    assert_eq!(rebuilt(&path), after);
}

#[test]
fn another_connections_write_while_open_is_seen_and_the_kept_data_follows() {
    let path = scratch("other-writer");
    let store = busy_county(&path);
    let before = reports(&store);
    let other = Store::open(&path).unwrap();
    assert_eq!(reports(&other), before);
    other
        .add_household(
            "H98",
            GRIDS[2],
            "新村2号",
            "registered",
            &[],
            Some(d("2025-01-01")),
        )
        .unwrap();
    let after = reports(&store);
    assert_eq!(after[0].totals.households, before[0].totals.households + 1);
    assert_eq!(reports(&other), after);
    drop((store, other));
    assert_eq!(reports(&Store::open(&path).unwrap()), after);
    assert_eq!(rebuilt(&path), after);
}

#[test]
fn a_keyed_store_keeps_its_data_sealed_under_its_key_and_read_only_opens_read_it() {
    let path = scratch("keyed");
    let key = b"a county deployment key, 32 byte".to_vec();
    let keyed = |read_only: bool| {
        Store::open_with(
            &path,
            wangge::StoreOptions {
                key: Some(key.clone()),
                read_only,
                ..wangge::StoreOptions::default()
            },
        )
        .unwrap()
    };
    let store = busy_county(&path);
    let before = reports(&store);
    store.rekey(&key).unwrap();
    let head = head_seq(&store);
    drop(store);
    assert!(
        kept(&path).iter().all(|(_, seq)| *seq < head),
        "stale after rekey"
    );
    assert_eq!(reports(&keyed(false)), before, "built again under the key");
    assert!(kept(&path).iter().all(|(_, seq)| *seq == head));
    // Used from now on, read-only opens included: an entry deleted by hand still counts.
    sql(&path)
        .execute(
            "DELETE FROM entry WHERE id = (SELECT max(id) FROM entry)",
            [],
        )
        .unwrap();
    assert_eq!(reports(&keyed(true)), before);
    assert_eq!(reports(&keyed(false)), before);
    // Sealed under the key: the same rows, stamped for this head, with a seal not made
    // under it are not used, read-only opens included (which read the facts instead).
    sql(&path)
        .execute("UPDATE kept SET mac = zeroblob(32)", [])
        .unwrap();
    let facts = reports(&keyed(true));
    assert_eq!(
        facts[6].totals.ledger.received + 1,
        before[6].totals.ledger.received
    );
}
