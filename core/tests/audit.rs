//! Tamper evidence over the facts: every row the library writes is sealed, and an edit,
//! delete or insert made by any other connection is reported with its table and row; a
//! head kept elsewhere catches a chain recomputed or truncated without a key.

mod common;

use std::path::PathBuf;

use common::d;
use wangge::{AuditHead, AuditVerification, ErrorKind, NewEntry, Period, Store};

const GRID: &str = "512021100001001";
const OTHER_GRID: &str = "512021100001002";
const COMMUNITY: &str = "512021100001";

fn dir(name: &str) -> PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("wangge-seal-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("store.db")
}

/// A store at `path` with a visit, an entry with events, a submission approved (so a lock
/// and its triggers hold), and residents with ID numbers.
fn populated(path: &PathBuf) -> Store {
    let store = county(path);
    store.add_staff("W1", "王网格员", None).unwrap();
    store
        .add_household("H1", GRID, "海慧路1号", "registered", &["低保"], None)
        .unwrap();
    store
        .add_household("H2", GRID, "海慧路2号", "registered", &[], None)
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
    let at = |t: &str| store.parse_moment(t).unwrap();
    let e = store
        .register(&NewEntry::new(
            GRID,
            Some("就业"),
            "找工作",
            at("2025-03-12T09:00:00"),
        ))
        .unwrap();
    store
        .sign_for(e.id, "W1", &at("2025-03-12T10:00:00"))
        .unwrap();
    let week = Period::parse("2025-W10").unwrap();
    store
        .submit(GRID, week, &at("2025-03-10T10:00:00"))
        .unwrap();
    store
        .approve(GRID, week, &at("2025-03-11T10:00:00"))
        .unwrap();
    let check = store.verify_audit().unwrap();
    assert!(check.ok, "{check:?}");
    assert!(check.problems.is_empty());
    store
}

/// A store at `path` with a county's units down to two grids.
fn county(path: &PathBuf) -> Store {
    let store = Store::open(path).unwrap();
    for (code, name, level, parent) in [
        ("512021", "安岳县", "county", None),
        ("512021100", "岳阳镇", "township", Some("512021")),
        (COMMUNITY, "北坝社区", "community", Some("512021100")),
        (GRID, "北坝一网格", "grid", Some(COMMUNITY)),
        (OTHER_GRID, "北坝二网格", "grid", Some(COMMUNITY)),
    ] {
        store.add_unit(code, name, level, parent, None).unwrap();
    }
    store
}

/// Runs `sql` through a plain connection of its own (not the library's), then verifies.
fn tampered(name: &str, sql: &str) -> AuditVerification {
    let path = dir(name);
    drop(populated(&path));
    outside(&path, sql)
}

/// Runs `sql` on the closed store at `path` through a plain connection of its own, then
/// verifies the store reopened.
fn outside(path: &PathBuf, sql: &str) -> AuditVerification {
    rusqlite::Connection::open(path)
        .unwrap()
        .execute_batch(sql)
        .unwrap();
    Store::open(path).unwrap().verify_audit().unwrap()
}

fn named(check: &AuditVerification, table: &str, row: &str, problem: &str) {
    assert!(!check.ok, "{check:?}");
    assert!(
        check
            .problems
            .iter()
            .any(|p| p.table == table && p.row == row && p.problem == problem),
        "expected {table} {row} {problem} in {:?}",
        check.problems
    );
    assert!(check.problem.as_deref().unwrap().contains(table));
}

#[test]
fn a_clean_store_verifies_after_every_kind_of_write_and_a_reopen() {
    let path = dir("clean");
    drop(populated(&path));
    let store = Store::open(&path).unwrap();
    let check = store.verify_audit().unwrap();
    assert!(check.ok, "{check:?}");
    assert_eq!(check.problems_total, 0);
    // Every write since moves the seals, and the chain still vouches for them.
    store
        .move_household("H2", OTHER_GRID, d("2025-04-02"))
        .unwrap();
    store.end_household("H2", d("2025-05-01")).unwrap();
    let check = store.verify_audit().unwrap();
    assert!(check.ok, "{check:?}");
}

#[test]
fn a_visit_whose_day_is_changed_is_named() {
    let check = tampered("visit", "UPDATE visit SET day = day + 1");
    named(&check, "visit", "1", "edited");
}

#[test]
fn a_deleted_entry_event_is_named() {
    let check = tampered("event", "DELETE FROM entry_event WHERE seq = 2");
    named(&check, "entry_event", "1/2", "deleted");
}

#[test]
fn an_entry_closed_outside_the_library_is_named() {
    let check = tampered("close", "UPDATE entry SET status = 'closed' WHERE id = 1");
    named(&check, "entry", "1", "edited");
}

#[test]
fn a_household_moved_outside_the_library_is_named() {
    let check = tampered(
        "move",
        &format!("UPDATE household SET unit = '{OTHER_GRID}' WHERE household_id = 'H1'"),
    );
    named(&check, "household", "H1", "edited");
}

#[test]
fn a_swapped_id_number_is_named() {
    let check = tampered(
        "id",
        "UPDATE resident SET id_number = '510123194805121239' WHERE resident_id = 1",
    );
    named(&check, "resident", "1", "edited");
}

#[test]
fn a_sealed_submissions_figures_edited_are_named() {
    let check = tampered(
        "figures",
        "UPDATE submission SET report = replace(report, '\"households\":2', '\"households\":3')",
    );
    named(
        &check,
        "submission",
        &format!("{GRID}/2025-W10/1"),
        "edited",
    );
}

#[test]
fn a_deleted_approval_lock_is_named() {
    let check = tampered("lock", "DELETE FROM report_lock");
    named(
        &check,
        "report_lock",
        &format!("{GRID}/2025-W10"),
        "deleted",
    );
}

#[test]
fn a_dropped_index_is_named_in_the_schema() {
    let check = tampered("index", "DROP INDEX entry_unit");
    named(&check, "sqlite_master", "index/entry_unit", "deleted");
}

#[test]
fn a_changed_utc_offset_is_named() {
    let check = tampered(
        "offset",
        "UPDATE meta SET value = '0' WHERE key = 'utc_offset_minutes'",
    );
    named(&check, "meta", "utc_offset_minutes", "edited");
}

#[test]
fn an_inserted_row_is_named() {
    let check = tampered(
        "insert",
        "INSERT INTO visit (household_id, staff_id, channel, day, note)
         SELECT household_id, staff_id, channel, day + 30, '补录' FROM visit",
    );
    named(&check, "visit", "2", "inserted");
}

#[test]
fn removing_a_row_and_its_seal_together_breaks_the_seals_commitment() {
    let check = tampered(
        "reseal",
        "DELETE FROM visit; DELETE FROM seal WHERE tbl = 'visit';",
    );
    assert!(!check.ok);
    assert!(
        check
            .problems
            .iter()
            .any(|p| p.table == "seal" && p.row == "visit" && p.problem == "resealed"),
        "{:?}",
        check.problems
    );
}

#[test]
fn a_row_changed_outside_and_then_written_by_the_library_is_not_laundered() {
    let path = dir("launder");
    drop(populated(&path));
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch(&format!(
            "UPDATE household SET unit = '{OTHER_GRID}' WHERE household_id = 'H2'"
        ))
        .unwrap();
    let store = Store::open(&path).unwrap();
    store.end_household("H2", d("2025-05-01")).unwrap();
    let check = store.verify_audit().unwrap();
    named(&check, "household", "H2", "found_earlier:edited");
    let log = store.audit_log(0, 1000).unwrap();
    assert!(log.iter().any(|r| r.action == "outside_change"));
}

#[test]
fn an_entry_changed_outside_and_then_escalated_again_and_again_in_one_write_is_named() {
    let path = dir("climb");
    let store = county(&path);
    let reported = store.parse_moment("2025-03-12T09:00:00").unwrap();
    let e = store
        .register(&NewEntry::new(GRID, None, "路灯坏了", reported))
        .unwrap();
    drop(store);
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute("UPDATE entry SET summary = '别的' WHERE id = ?1", [e.id])
        .unwrap();
    let store = Store::open(&path).unwrap();
    let events = store
        .tick(&store.parse_moment("2025-06-02T09:00:00").unwrap())
        .unwrap();
    assert!(
        events.iter().filter(|x| x.entry_id == e.id).count() >= 2,
        "{events:?}"
    );
    // Its first change in the write is compared with its seal, whatever came after.
    let check = store.verify_audit().unwrap();
    named(&check, "entry", &e.id.to_string(), "found_earlier:edited");
    assert!(
        !check
            .problems
            .iter()
            .any(|p| p.table == "entry" && p.problem == "edited"),
        "the entry as escalated is sealed: {:?}",
        check.problems
    );
}

#[test]
fn the_head_kept_elsewhere_catches_a_recomputed_chain() {
    let path = dir("since");
    let store = populated(&path);
    let head = store.audit_head().unwrap();
    assert!(head.seq > 5);
    assert_eq!(head.digest.len(), 64);
    assert!(store.verify_audit_since(&head).unwrap().ok);
    // Round trip through JSON, as it is kept elsewhere.
    let json = serde_json::to_string(&head).unwrap();
    assert_eq!(AuditHead::from_json(&json).unwrap(), head);
    drop(store);
    // Someone without a key changes a record and recomputes every hash after it (SM3 is
    // public): the chain and the seals verify, the head kept elsewhere does not.
    recompute_chain(&path, "UPDATE audit SET actor = '别人' WHERE seq = 2");
    let store = Store::open(&path).unwrap();
    assert!(
        store.verify_audit().unwrap().ok,
        "a recomputed chain fools a check without a head"
    );
    let check = store.verify_audit_since(&head).unwrap();
    assert!(!check.ok);
    assert_eq!(check.first_bad, Some(head.seq));
    assert!(check.problem.unwrap().contains("recomputed"));
}

#[test]
fn the_head_kept_elsewhere_catches_a_truncated_chain() {
    let path = dir("truncate");
    let store = populated(&path);
    let head = store.audit_head().unwrap();
    drop(store);
    recompute_chain(
        &path,
        &format!("DELETE FROM audit WHERE seq >= {}", head.seq - 1),
    );
    let store = Store::open(&path).unwrap();
    let check = store.verify_audit_since(&head).unwrap();
    assert!(!check.ok);
    assert!(check.problem.unwrap().contains("truncated"));
}

#[test]
fn a_bad_head_is_invalid_input_naming_since() {
    for bad in ["", "{}", "[1]", r#"{"seq": -1, "digest": "00", "at": ""}"#] {
        let err = AuditHead::from_json(bad).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        assert!(err.to_string().contains("since"), "{err}");
    }
    let store = Store::open(":memory:").unwrap();
    let empty = store.audit_head().unwrap();
    assert_eq!(empty.seq, 0);
    assert!(store.verify_audit_since(&empty).unwrap().ok);
}

/// Applies `sql` to the chain, then recomputes every hash with SM3 as anyone can,
/// committing the newest record to the seals the store had.
fn recompute_chain(path: &PathBuf, sql: &str) {
    use sm3::{Digest, Sm3};
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch(sql).unwrap();
    let rows: Vec<(i64, Vec<String>)> = conn
        .prepare(
            "SELECT seq, at, actor, action, target, detail, seals, coalesce(unit_path, '')
             FROM audit ORDER BY seq",
        )
        .unwrap()
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                (1..=7).map(|i| r.get(i)).collect::<rusqlite::Result<_>>()?,
            ))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let last_seals = rows.last().map(|r| r.1[5].clone()).unwrap();
    let count = rows.len();
    let mut prev = "0".repeat(64);
    for (i, (seq, f)) in rows.into_iter().enumerate() {
        let seals = if i + 1 == count {
            last_seals.clone()
        } else {
            f[5].clone()
        };
        let mut h = Sm3::new();
        for part in [
            &prev,
            &seq.to_string(),
            &f[0],
            &f[1],
            &f[2],
            &f[3],
            &f[4],
            &seals,
            &f[6],
        ] {
            h.update((part.len() as u64).to_le_bytes());
            h.update(part.as_bytes());
        }
        let hash: String = hex(&h.finalize());
        conn.execute(
            "UPDATE audit SET hash = ?2, seals = ?3 WHERE seq = ?1",
            rusqlite::params![seq, hash, seals],
        )
        .unwrap();
        prev = hash;
    }
    conn.execute(
        "UPDATE audit_state SET value = ?1 WHERE key = 'head'",
        [format!("{count}:{prev}")],
    )
    .unwrap();
}

/// Turns the store at `path` back into one from before the seals: a SHA-256 chain with its
/// head in `meta`, no seal tables. `alter` is applied to the chain after it is rehashed.
fn as_before_the_seals(path: &PathBuf, alter: &str) {
    use sha2::{Digest, Sha256};
    let conn = rusqlite::Connection::open(path).unwrap();
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    let rows: Vec<(i64, Vec<String>)> = conn
        .prepare("SELECT seq, at, actor, action, target, detail FROM audit ORDER BY seq")
        .unwrap()
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                (1..=5).map(|i| r.get(i)).collect::<rusqlite::Result<_>>()?,
            ))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut prev = "0".repeat(64);
    for (seq, f) in &rows {
        let mut h = Sha256::new();
        for part in [&prev, &seq.to_string(), &f[0], &f[1], &f[2], &f[3], &f[4]] {
            h.update((part.len() as u64).to_le_bytes());
            h.update(part.as_bytes());
        }
        let hash: String = hex(&h.finalize());
        conn.execute(
            "UPDATE audit SET hash = ?2 WHERE seq = ?1",
            rusqlite::params![seq, hash],
        )
        .unwrap();
        prev = hash;
    }
    // The seals are migration 12, the kept derived data (13), the received submissions
    // (14), the handheld tables (15), the locks checked without triggers (16), what
    // writes changed for the kept data (17) and the reports' index dropped (18) came
    // after: undo them all.
    assert_eq!(
        version, 18,
        "the migrations after the seals are undone here"
    );
    conn.execute_batch(&format!(
        "INSERT INTO meta (key, value) VALUES ('audit_head', '{}:{prev}');
         DROP TABLE kept; DROP TABLE kept_change;
         CREATE INDEX entry_report ON entry(unit, category, books, reported, marks);
         DROP TABLE checkout; DROP TABLE merged; DROP TABLE device; DROP TABLE device_log;
         DROP TABLE device_local;
         DROP TABLE seal; DROP TABLE audit_state; ALTER TABLE audit DROP COLUMN seals;
         ALTER TABLE submission DROP COLUMN audit_head;
         ALTER TABLE submission DROP COLUMN received_at; ALTER TABLE submission DROP COLUMN sealed;
         CREATE TRIGGER entry_locked BEFORE INSERT ON entry BEGIN
             SELECT RAISE(ABORT, 'locked: an entry reported in a period whose report was approved') FROM report_lock l
             WHERE l.last_at >= NEW.reported AND l.first_at <= NEW.reported AND EXISTS (SELECT 1 FROM unit_span s WHERE s.code = NEW.unit
             AND s.valid_from <= l.last_day AND s.valid_to > l.last_day
             AND (s.path = l.path OR substr(s.path, 1, length(l.path) + 1) = l.path || '/'));
         END;
         CREATE TRIGGER entry_event_locked BEFORE INSERT ON entry_event BEGIN
             SELECT RAISE(ABORT, 'locked: an action on an entry in a period whose report was approved') FROM report_lock l
             WHERE l.last_at >= NEW.at AND l.first_at <= NEW.at
             AND EXISTS (SELECT 1 FROM unit_span s WHERE s.code = (SELECT e.unit FROM entry e WHERE e.id = NEW.entry_id)
             AND s.valid_from <= l.last_day AND s.valid_to > l.last_day
             AND (s.path = l.path OR substr(s.path, 1, length(l.path) + 1) = l.path || '/'));
         END;
         CREATE TRIGGER visit_locked BEFORE INSERT ON visit BEGIN
             SELECT RAISE(ABORT, 'locked: a visit in a period whose report was approved') FROM report_lock l
             WHERE l.last_day >= NEW.day AND l.first_day <= NEW.day
             AND EXISTS (SELECT 1 FROM unit_span s WHERE s.code = coalesce((SELECT p.unit FROM household_place p WHERE p.household_id = NEW.household_id
             AND p.valid_from <= NEW.day AND p.valid_to > NEW.day),
             (SELECT h.unit FROM household h WHERE h.household_id = NEW.household_id))
             AND s.valid_from <= l.last_day AND s.valid_to > l.last_day
             AND (s.path = l.path OR substr(s.path, 1, length(l.path) + 1) = l.path || '/'));
         END;
         CREATE TRIGGER household_locked BEFORE INSERT ON household BEGIN
             SELECT RAISE(ABORT, 'locked: a household arriving in a period whose report was approved') FROM report_lock l
             WHERE l.last_day >= NEW.start AND l.first_day <= NEW.start AND EXISTS (SELECT 1 FROM unit_span s WHERE s.code = NEW.unit
             AND s.valid_from <= l.last_day AND s.valid_to > l.last_day
             AND (s.path = l.path OR substr(s.path, 1, length(l.path) + 1) = l.path || '/'));
         END;
         CREATE TRIGGER household_move_locked BEFORE UPDATE OF unit ON household BEGIN
             SELECT RAISE(ABORT, 'locked: a household moving in a period whose report was approved') FROM report_lock l
             WHERE l.last_day >= NEW.unit_since AND l.first_day <= NEW.unit_since
             AND (EXISTS (SELECT 1 FROM unit_span s WHERE s.code = OLD.unit
             AND s.valid_from <= l.last_day AND s.valid_to > l.last_day
             AND (s.path = l.path OR substr(s.path, 1, length(l.path) + 1) = l.path || '/')) OR EXISTS (SELECT 1 FROM unit_span s WHERE s.code = NEW.unit
             AND s.valid_from <= l.last_day AND s.valid_to > l.last_day
             AND (s.path = l.path OR substr(s.path, 1, length(l.path) + 1) = l.path || '/')));
         END;
         CREATE TRIGGER tag_locked BEFORE INSERT ON tag BEGIN
             SELECT RAISE(ABORT, 'locked: a tag starting in a period whose report was approved') FROM report_lock l
             WHERE l.last_day >= NEW.start AND l.first_day <= NEW.start AND EXISTS (SELECT 1 FROM unit_span s WHERE s.code = (SELECT h.unit FROM household h WHERE h.household_id = coalesce(NEW.household_id, (SELECT r.household_id FROM resident r WHERE r.resident_id = NEW.resident_id)))
             AND s.valid_from <= l.last_day AND s.valid_to > l.last_day
             AND (s.path = l.path OR substr(s.path, 1, length(l.path) + 1) = l.path || '/'));
         END;
         CREATE TRIGGER untag_locked BEFORE UPDATE OF end_day ON tag BEGIN
             SELECT RAISE(ABORT, 'locked: a tag ending in a period whose report was approved') FROM report_lock l
             WHERE l.last_day >= NEW.end_day AND l.first_day <= NEW.end_day AND EXISTS (SELECT 1 FROM unit_span s WHERE s.code = (SELECT h.unit FROM household h WHERE h.household_id = coalesce(NEW.household_id, (SELECT r.household_id FROM resident r WHERE r.resident_id = NEW.resident_id)))
             AND s.valid_from <= l.last_day AND s.valid_to > l.last_day
             AND (s.path = l.path OR substr(s.path, 1, length(l.path) + 1) = l.path || '/'));
         END;
         PRAGMA user_version = 11;
         {alter}",
        rows.len(),
    ))
    .unwrap();
}

#[test]
fn a_store_from_before_the_seals_moves_to_sm3_and_seals_its_facts() {
    let path = dir("legacy");
    let records = populated(&path).audit_log(0, 1000).unwrap();
    as_before_the_seals(&path, "");
    let store = Store::open(&path).unwrap();
    let check = store.verify_audit().unwrap();
    assert!(check.ok, "{check:?}");
    let indexes: Vec<String> = rusqlite::Connection::open(&path)
        .unwrap()
        .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'entry'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(
        !indexes.iter().any(|i| i == "entry_report"),
        "migration 18 drops the reports' index: {indexes:?}"
    );
    let after = store.audit_log(0, 1000).unwrap();
    assert_eq!(
        after.len(),
        records.len(),
        "nothing added to an intact chain"
    );
    for (a, b) in records.iter().zip(&after) {
        assert_eq!(
            (&a.action, &a.target, &a.detail),
            (&b.action, &b.target, &b.detail)
        );
    }
    // From now on its facts are sealed.
    drop(store);
    let check = outside(&path, "UPDATE visit SET day = day - 1");
    named(&check, "visit", "1", "edited");
}

#[test]
fn a_store_whose_old_chain_was_broken_keeps_that_on_record() {
    let path = dir("legacy-broken");
    drop(populated(&path));
    as_before_the_seals(&path, "UPDATE audit SET actor = '别人' WHERE seq = 3;");
    let store = Store::open(&path).unwrap();
    let check = store.verify_audit().unwrap();
    named(&check, "audit", "3", "found_earlier:broken");
    let log = store.audit_log(0, 1000).unwrap();
    assert_eq!(log.last().unwrap().action, "audit_chain_broken");
    // And it stays on record through later writes.
    store.add_staff("W2", "李网格员", None).unwrap();
    assert!(!store.verify_audit().unwrap().ok);
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::new(), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}

#[test]
fn a_submission_carries_the_head_and_approval_anchors_it() {
    let path = dir("submission");
    let store = populated(&path);
    let week = Period::parse("2025-W11").unwrap();
    let at = |t: &str| store.parse_moment(t).unwrap();
    let before = store.audit_head().unwrap();
    let submitted = store
        .submit(GRID, week, &at("2025-03-17T10:00:00"))
        .unwrap();
    assert_eq!(submitted.audit_head.as_ref(), Some(&before));
    assert_eq!(
        submitted.to_json(false)["audit_head"]["digest"],
        before.digest.as_str()
    );
    let approved = store
        .approve(GRID, week, &at("2025-03-18T10:00:00"))
        .unwrap();
    assert_eq!(approved.audit_head.as_ref(), Some(&before));
    let record = store.audit_log(0, 1000).unwrap().pop().unwrap();
    assert_eq!(record.action, "approve_report");
    assert!(record.detail.contains(&before.digest), "{}", record.detail);
    // A chain recomputed below a submitted head cannot be approved.
    let next = Period::parse("2025-W12").unwrap();
    store
        .submit(GRID, next, &at("2025-03-24T10:00:00"))
        .unwrap();
    drop(store);
    recompute_chain(&path, "UPDATE audit SET actor = '别人' WHERE seq = 2");
    let store = Store::open(&path).unwrap();
    let err = store
        .approve(
            GRID,
            next,
            &store.parse_moment("2025-03-25T10:00:00").unwrap(),
        )
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert!(err.to_string().contains("recomputed"), "{err}");
}

/// Households `ids` imported into `GRID` in one write.
fn import(store: &Store, ids: impl Iterator<Item = String>) {
    let rows: Vec<wangge::ImportRow> = ids
        .enumerate()
        .map(|(line, id)| wangge::ImportRow {
            line: line + 1,
            household_id: id,
            unit: GRID.to_owned(),
            address: "海慧路".to_owned(),
            kind: "registered".to_owned(),
            name: format!("户主{line}"),
            relation: "head".to_owned(),
            ..wangge::ImportRow::default()
        })
        .collect();
    let imported = store
        .import_households(&rows, &wangge::ImportOptions::default(), None)
        .unwrap();
    assert!(imported.errors.is_empty(), "{:?}", imported.errors.first());
}

#[test]
fn new_rows_sealed_together_still_name_a_seal_left_behind_by_a_delete_outside() {
    let path = dir("fresh-chunks");
    let store = county(&path);
    // Enough new rows in one write for their seals to go in together.
    import(&store, (0..100).map(|i| format!("B{i:03}")));
    let check = store.verify_audit().unwrap();
    assert!(check.ok, "{check:?}");
    drop(store);
    // Deleted outside the library: the household's seal stays behind.
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch(
            "PRAGMA foreign_keys = OFF;
             DELETE FROM household_place WHERE household_id = 'B050';
             DELETE FROM household WHERE household_id = 'B050';",
        )
        .unwrap();
    let store = Store::open(&path).unwrap();
    // B050 again, among a hundred new households: its seal is found in place.
    import(
        &store,
        std::iter::once("B050".to_owned()).chain((100..200).map(|i| format!("B{i:03}"))),
    );
    let check = store.verify_audit().unwrap();
    named(&check, "household", "B050", "found_earlier:deleted");
    assert!(
        check.problems.iter().all(|p| p.row == "B050"),
        "only B050: {:?}",
        check.problems
    );
    // The hundred new ones are sealed as written: a later edit of one is named.
    drop(store);
    let check = outside(
        &path,
        "UPDATE household SET address = '别处' WHERE household_id = 'B150'",
    );
    named(&check, "household", "B150", "edited");
}
