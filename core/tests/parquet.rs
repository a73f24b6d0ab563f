//! The facts as Parquet: files readable back, row counts equal to the store's, scoped
//! exports holding only the subtree, increments writing only what changed (and adding up
//! to a full export), no personal data, and damaged or foreign manifests refused.
#![cfg(feature = "parquet")]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use common::{county_at, d, resident};
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::Field;
use wangge::{ErrorKind, NewEntry, Store};

const ID_NUMBER: &str = "510123194805121220";
const PHONE: &str = "13812345678";
const NAME: &str = "付良容";
const ADDRESS: &str = "海慧路1号";
const SUMMARY: &str = "路灯不亮需要维修";

fn scratch(name: &str) -> PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("wangge-parquet-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A county with households in three grids of two townships, residents with ID numbers
/// and phones, visits, and entries worked on.
fn county(dir: &Path) -> Store {
    let store = county_at(dir.join("store.db").to_str().unwrap());
    store
        .add_staff("W1", "王网格员", Some("13900001111"))
        .unwrap();
    let grids = ["512021100001001", "512021100002001", "512021101001001"];
    for i in 0..12 {
        let id = format!("H{i:02}");
        let grid = grids[i % 3];
        let address = if i == 0 {
            ADDRESS.to_owned()
        } else {
            format!("路{i}号")
        };
        let tags: &[&str] = if i % 4 == 0 { &["低保"] } else { &[] };
        store
            .add_household(
                &id,
                grid,
                &address,
                "registered",
                tags,
                Some(d("2025-01-01")),
            )
            .unwrap();
        let (name, number, phone) = if i == 0 {
            (NAME, Some(ID_NUMBER), Some(PHONE))
        } else {
            ("居民", None, None)
        };
        store
            .add_resident(&id, &resident(name, number, phone), Some(d("2025-01-01")))
            .unwrap();
        for m in 0..(i % 3) {
            let day = d("2025-02-03") + chrono::Days::new((i * 11 + m * 37) as u64);
            let channel = if m == 0 { "home" } else { "phone" };
            store
                .record_visit(&id, "W1", channel, day, "家中无异常")
                .unwrap();
        }
    }
    for (n, unit) in grids.iter().enumerate() {
        let at = store
            .parse_moment(&format!("2025-03-0{}T09:00:00", n + 3))
            .unwrap();
        let e = store
            .register(&NewEntry::new(unit, Some("市政设施"), SUMMARY, at))
            .unwrap();
        store
            .sign_for(e.id, "W1", &(at + chrono::Duration::hours(2)))
            .unwrap();
        store
            .start(e.id, "W1", &(at + chrono::Duration::hours(3)))
            .unwrap();
        if n != 1 {
            store
                .resolve(e.id, &(at + chrono::Duration::hours(30)), "已修复")
                .unwrap();
        }
    }
    store
}

/// Every row of every part file of `table`, each as its column texts by name.
fn rows(dir: &Path, table: &str) -> Vec<BTreeMap<String, String>> {
    let mut out = Vec::new();
    let Ok(files) = std::fs::read_dir(dir.join(table)) else {
        return out;
    };
    for f in files {
        let path = f.unwrap().path();
        assert_eq!(path.extension().unwrap(), "parquet", "{}", path.display());
        let reader = SerializedFileReader::new(std::fs::File::open(&path).unwrap()).unwrap();
        for g in 0..reader.metadata().num_row_groups() {
            assert!(reader.metadata().row_group(g).num_rows() <= 65_536);
        }
        for row in reader.get_row_iter(None).unwrap() {
            let row = row.unwrap();
            out.push(
                row.get_column_iter()
                    .map(|(name, field)| {
                        let text = match field {
                            Field::Str(s) => s.clone(),
                            other => other.to_string(),
                        };
                        (name.clone(), text)
                    })
                    .collect(),
            );
        }
    }
    out
}

/// The rows of `table` as a reader takes them: per key, those of the latest export, with
/// `export_seq` left out.
fn latest(dir: &Path, table: &str, key: &[&str]) -> BTreeSet<Vec<String>> {
    let all = rows(dir, table);
    let key_of =
        |r: &BTreeMap<String, String>| key.iter().map(|k| r[*k].clone()).collect::<Vec<_>>();
    let seq = |r: &BTreeMap<String, String>| r["export_seq"].parse::<i64>().unwrap();
    let mut newest: BTreeMap<Vec<String>, i64> = BTreeMap::new();
    for r in &all {
        let e = newest.entry(key_of(r)).or_insert(0);
        *e = (*e).max(seq(r));
    }
    all.iter()
        .filter(|r| newest[&key_of(r)] == seq(r))
        .map(|r| {
            r.iter()
                .filter(|(k, _)| *k != "export_seq")
                .map(|(_, v)| v.clone())
                .collect()
        })
        .collect()
}

fn count(store_dir: &Path, sql: &str) -> usize {
    let conn = rusqlite::Connection::open(store_dir.join("store.db")).unwrap();
    conn.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap() as usize
}

#[test]
fn a_full_export_reads_back_with_the_stores_row_counts_and_no_personal_data() {
    let dir = scratch("full");
    let store = county(&dir);
    let out = dir.join("facts");
    let summary = store.export_parquet(&out, None).unwrap();
    assert!(summary.full);
    assert_eq!(summary.export_seq, 1);
    assert_eq!(summary.tables.len(), wangge::facts::TABLE_NAMES.len());
    for t in &summary.tables {
        assert_eq!(t.files.len(), 1, "{t:?}");
        assert_eq!(
            rows(&out, &t.table).len() as u64,
            t.rows_written,
            "{}",
            t.table
        );
    }
    assert_eq!(
        rows(&out, "households").len(),
        count(&dir, "SELECT count(*) FROM household")
    );
    assert_eq!(
        rows(&out, "visits").len(),
        count(&dir, "SELECT count(*) FROM visit")
    );
    assert_eq!(
        rows(&out, "entries").len(),
        count(&dir, "SELECT count(*) FROM entry")
    );
    assert_eq!(
        rows(&out, "entry_events").len(),
        count(&dir, "SELECT count(*) FROM entry_event")
    );
    assert_eq!(
        rows(&out, "units").len(),
        count(&dir, "SELECT count(*) FROM unit_span")
    );
    assert_eq!(
        rows(&out, "household_members").len(),
        count(&dir, "SELECT count(*) FROM resident")
    );
    assert!(!rows(&out, "requirements").is_empty());
    assert!(!rows(&out, "reporting_periods").is_empty());
    // Five of twelve households were special (低保) from the start.
    assert_eq!(rows(&out, "household_special").len(), 3);
    let first = &rows(&out, "entries")[0];
    assert!(
        first["books"].starts_with('[') && first["books"].contains("民生诉求"),
        "{first:?}"
    );
    let store_row = &rows(&out, "store")[0];
    assert_eq!(store_row["utc_offset_seconds"], "28800");

    // No personal text anywhere: neither in any value read back nor in the bytes.
    for t in wangge::facts::TABLE_NAMES {
        for r in rows(&out, t) {
            for v in r.values() {
                for secret in [
                    ID_NUMBER,
                    PHONE,
                    NAME,
                    ADDRESS,
                    SUMMARY,
                    "王网格员",
                    "家中无异常",
                    "已修复",
                ] {
                    assert!(!v.contains(secret), "{t}: {v}");
                }
            }
        }
    }
    for f in walk(&out) {
        let bytes = std::fs::read(&f).unwrap();
        for secret in [ID_NUMBER, PHONE, NAME, ADDRESS] {
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "{} holds {secret}",
                f.display()
            );
        }
    }
    // The export is in the audit chain, with its range.
    let log = store.audit_log(0, 10_000).unwrap();
    let record = log
        .iter()
        .rev()
        .find(|r| r.action == "export_parquet")
        .unwrap();
    assert!(record.detail.contains("\"audit_to\""), "{}", record.detail);
    let _ = std::fs::remove_dir_all(&dir);
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn a_scoped_export_holds_only_its_subtree_and_refuses_a_unit_outside() {
    let dir = scratch("scoped");
    let store = county(&dir);
    let town = store.scope("512021100", "岳阳镇管理员").unwrap();
    let out = dir.join("town");
    let summary = town.export_parquet(&out, None).unwrap();
    assert_eq!(summary.unit.as_deref(), Some("512021100"));
    for r in rows(&out, "household_places") {
        assert!(r["unit"].starts_with("512021100"), "{r:?}");
    }
    assert_eq!(rows(&out, "households").len(), 8);
    for r in rows(&out, "entries") {
        assert!(r["unit"].starts_with("512021100"), "{r:?}");
    }
    assert_eq!(rows(&out, "entries").len(), 2);
    for r in rows(&out, "units") {
        assert!(r["path"].contains("/512021100"), "{r:?}");
    }
    let outside = town
        .export_parquet(&dir.join("outside"), Some("512021101"))
        .unwrap_err();
    assert_eq!(outside.kind(), ErrorKind::PermissionDenied);
    assert!(!dir.join("outside").join("_wangge.json").exists());
    let unknown = store
        .export_parquet(&dir.join("unknown"), Some("999"))
        .unwrap_err();
    assert_eq!(unknown.kind(), ErrorKind::NotFound);
    // The same subtree through the unrestricted handle and `unit` holds the same rows.
    let same = dir.join("same");
    store.export_parquet(&same, Some("512021100")).unwrap();
    assert_eq!(
        latest(&same, "entries", &["entry_id"]),
        latest(&out, "entries", &["entry_id"])
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_increment_writes_only_what_changed_and_adds_up_to_a_full_export() {
    let dir = scratch("increment");
    let store = county(&dir);
    let out = dir.join("facts");
    store.export_parquet(&out, None).unwrap();
    let again = store.export_parquet(&out, None).unwrap();
    assert!(!again.full);
    let written = |s: &wangge::facts::ParquetExport, t: &str| {
        s.tables.iter().find(|x| x.table == t).unwrap().rows_written
    };
    for t in [
        "units",
        "households",
        "visits",
        "entries",
        "entry_events",
        "requirements",
    ] {
        assert_eq!(written(&again, t), 0, "{t}");
    }
    // One visit (meeting a requirement of a household never visited), one entry moving
    // on, one new entry.
    store
        .record_visit("H03", "W1", "home", d("2025-03-20"), "")
        .unwrap();
    let e = 2;
    store
        .resolve(
            e,
            &store.parse_moment("2025-03-21T10:00:00").unwrap(),
            "已修复",
        )
        .unwrap();
    let at = store.parse_moment("2025-03-22T10:00:00").unwrap();
    store
        .register(&NewEntry::new(
            "512021100001001",
            Some("市政设施"),
            "井盖缺失",
            at,
        ))
        .unwrap();
    let third = store.export_parquet(&out, None).unwrap();
    assert_eq!(third.export_seq, 3);
    assert_eq!(written(&third, "visits"), 1);
    assert_eq!(written(&third, "households"), 1);
    assert_eq!(written(&third, "entries"), 2);
    assert_eq!(written(&third, "units"), 0);
    assert_eq!(
        rows(&out, "entries").len(),
        count(&dir, "SELECT count(*) FROM entry") + 1,
        "the entry that moved on is there twice"
    );
    // Latest rows per key equal a full export into a fresh directory.
    let fresh = dir.join("fresh");
    store.export_parquet(&fresh, None).unwrap();
    let keys: [(&str, &[&str]); 8] = [
        ("units", &["code", "valid_from"]),
        ("households", &["household_id"]),
        ("visits", &["visit_id"]),
        ("entries", &["entry_id"]),
        ("entry_events", &["entry_id", "seq"]),
        ("requirements", &["household_id", "rule", "period_first"]),
        ("household_places", &["household_id", "valid_from"]),
        ("reporting_periods", &["level", "period"]),
    ];
    for (t, key) in keys {
        assert_eq!(latest(&out, t, key), latest(&fresh, t, key), "{t}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_directory_that_names_no_folder_is_refused_naming_it() {
    let dir = scratch("no-folder");
    let store = county(&dir);
    let records = store.verify_audit().unwrap().records;
    let cut = format!("{}\0tail", dir.join("facts").display());
    for bad in [PathBuf::new(), PathBuf::from(cut)] {
        let e = store.export_parquet(&bad, None).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput, "{e}");
        assert!(e.to_string().contains("directory"), "{e}");
    }
    // Nothing went to the working directory or beside the store, and nothing was recorded.
    assert!(!Path::new("_wangge.json").exists());
    assert!(!dir.join("facts").exists());
    assert_eq!(store.verify_audit().unwrap().records, records);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_damaged_or_foreign_manifest_is_refused_and_nothing_is_written() {
    let dir = scratch("manifest");
    let store = county(&dir);
    let out = dir.join("facts");
    store.export_parquet(&out, None).unwrap();
    let manifest = out.join("_wangge.json");
    let text = std::fs::read_to_string(&manifest).unwrap();

    // Edited by hand: refused.
    std::fs::write(
        &manifest,
        text.replace("\"export_seq\": 1", "\"export_seq\": 7"),
    )
    .unwrap();
    let e = store.export_parquet(&out, None).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conflict, "{e}");
    assert!(e.to_string().contains("damaged or was edited"), "{e}");
    // Malformed: refused.
    std::fs::write(&manifest, "{not json").unwrap();
    assert_eq!(
        store.export_parquet(&out, None).unwrap_err().kind(),
        ErrorKind::Conflict
    );
    std::fs::write(&manifest, &text).unwrap();
    // Another unit: refused.
    let e = store.export_parquet(&out, Some("512021100")).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conflict, "{e}");
    // Another store: refused.
    let other_dir = scratch("manifest-other");
    let other = county(&other_dir);
    let e = other.export_parquet(&out, None).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conflict, "{e}");
    assert!(e.to_string().contains("another store"), "{e}");
    // Table folders without a manifest: refused.
    std::fs::remove_file(&manifest).unwrap();
    assert_eq!(
        store.export_parquet(&out, None).unwrap_err().kind(),
        ErrorKind::Conflict
    );
    std::fs::write(&manifest, &text).unwrap();
    // A part file gone: refused.
    let part = out.join("visits").join("part-000001.parquet");
    let bytes = std::fs::read(&part).unwrap();
    std::fs::remove_file(&part).unwrap();
    assert_eq!(
        store.export_parquet(&out, None).unwrap_err().kind(),
        ErrorKind::Conflict
    );
    std::fs::write(&part, bytes).unwrap();
    // Nothing of the refused exports was written: the next is the second.
    assert_eq!(store.export_parquet(&out, None).unwrap().export_seq, 2);
    let files = walk(&out);
    assert!(
        files.iter().all(|f| !f.to_string_lossy().ends_with(".tmp")),
        "{files:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&other_dir);
}

#[test]
fn a_head_no_longer_in_the_chain_makes_a_full_export() {
    let dir = scratch("rechain");
    let store = county(&dir);
    let out = dir.join("facts");
    store.export_parquet(&out, None).unwrap();
    // The chain no longer holds the record the export covered up to as it was (as after
    // a chain recomputed, or a store restored from another copy).
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("_wangge.json")).unwrap()).unwrap();
    let seq = manifest["audit_seq"].as_i64().unwrap();
    assert!(seq > 0);
    rusqlite::Connection::open(dir.join("store.db"))
        .unwrap()
        .execute(
            "UPDATE audit SET hash = ?2 WHERE seq = ?1",
            rusqlite::params![seq, "0".repeat(64)],
        )
        .unwrap();
    let second = store.export_parquet(&out, None).unwrap();
    assert!(second.full);
    for t in &second.tables {
        assert_eq!(
            t.files,
            vec![format!("{}/part-000002.parquet", t.table)],
            "{t:?}"
        );
    }
    assert!(!out.join("visits").join("part-000001.parquet").exists());
    assert_eq!(
        rows(&out, "visits").len(),
        count(&dir, "SELECT count(*) FROM visit")
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// The README's schema section and the module's rustdoc are what the library's tables
/// say; `WANGGE_BLESS_README=1` writes both.
#[test]
fn the_readme_documents_every_table_and_column() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let (begin, end) = (
        "<!-- parquet-schema:begin -->\n",
        "<!-- parquet-schema:end -->",
    );
    let start = readme.find(begin).expect("the README's schema section") + begin.len();
    let stop = readme.find(end).unwrap();
    let schema = wangge::facts::schema_markdown();
    let rustdoc = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/facts/SCHEMA.md");
    if std::env::var_os("WANGGE_BLESS_README").is_some() {
        let text = format!("{}{schema}{}", &readme[..start], &readme[stop..]);
        std::fs::write(&path, text).unwrap();
        std::fs::write(&rustdoc, &schema).unwrap();
        return;
    }
    assert_eq!(
        readme[start..stop],
        schema,
        "run with WANGGE_BLESS_README=1"
    );
    assert_eq!(std::fs::read_to_string(&rustdoc).unwrap(), schema);
    for t in wangge::facts::TABLE_NAMES {
        assert!(schema.contains(&format!("#### `{t}`")), "{t}");
    }
}
