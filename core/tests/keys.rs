//! The deployment key: ID numbers and phones sealed at rest, found by a blind index,
//! wrong or missing keys refused, rekeying, and what `info` says.

mod common;
use common::{d, resident};
use wangge::{ErrorKind, ImportMode, ImportOptions, Store, StoreOptions};

const KEY: &[u8] = b"0123456789abcdef-deployment";
const OTHER: &[u8] = b"fedcba9876543210-deployment";
const ID: &str = "510123194805121220";
const PHONE: &str = "13812345678";
const STAFF_PHONE: &str = "13987654321";

fn temp_path(name: &str) -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("wangge-keys-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("store.db")
}

fn open(path: &std::path::Path, key: Option<&[u8]>) -> wangge::Result<Store> {
    Store::open_with(
        path,
        StoreOptions {
            key: key.map(<[u8]>::to_vec),
            ..StoreOptions::default()
        },
    )
}

/// A county with one grid, household H1 with one resident, and staff s1 with a phone.
fn fill(store: &Store) -> i64 {
    store
        .add_unit("512021", "安岳县", "county", None, None)
        .unwrap();
    store
        .add_unit("512021100", "岳阳镇", "township", Some("512021"), None)
        .unwrap();
    store
        .add_unit(
            "512021100001",
            "北坝社区",
            "community",
            Some("512021100"),
            None,
        )
        .unwrap();
    store
        .add_unit(
            "512021100001001",
            "北坝一网格",
            "grid",
            Some("512021100001"),
            None,
        )
        .unwrap();
    store
        .add_household(
            "H1",
            "512021100001001",
            "海慧路1号",
            "registered",
            &[],
            Some(d("2020-01-01")),
        )
        .unwrap();
    store.add_staff("s1", "袁婷", Some(STAFF_PHONE)).unwrap();
    store
        .add_resident(
            "H1",
            &resident("付良容", Some(ID), Some(PHONE)),
            Some(d("2020-01-01")),
        )
        .unwrap()
        .resident_id
}

/// The whole file (and its WAL), as bytes, after the store is closed.
fn file_bytes(path: &std::path::Path) -> Vec<u8> {
    let mut bytes = std::fs::read(path).unwrap();
    let wal = path.with_extension("db-wal");
    if let Ok(more) = std::fs::read(wal) {
        bytes.extend(more);
    }
    bytes
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

/// What every resident and staff row holds, read with a plain SQLite connection.
fn raw_values(path: &std::path::Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(path).unwrap();
    let mut out = Vec::new();
    for sql in [
        "SELECT quote(id_number), quote(id_sealed), quote(phone) FROM resident",
        "SELECT quote(phone), quote(phone), quote(phone) FROM staff",
    ] {
        let mut stmt = conn.prepare(sql).unwrap();
        let rows = stmt
            .query_map([], |r| {
                Ok(format!(
                    "{} {} {}",
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?
                ))
            })
            .unwrap();
        out.extend(rows.map(Result::unwrap));
    }
    out
}

fn assert_no_clear_values(path: &std::path::Path) {
    let bytes = file_bytes(path);
    for clear in [ID, PHONE, STAFF_PHONE] {
        assert!(!contains(&bytes, clear), "{clear} is in the file in clear");
    }
    for row in raw_values(path) {
        assert!(!row.contains(ID) && !row.contains(PHONE) && !row.contains(STAFF_PHONE));
    }
}

#[test]
fn a_keyed_store_shows_the_same_and_keeps_nothing_in_clear() {
    let clear_path = temp_path("clear-twin");
    let keyed_path = temp_path("keyed");
    let (clear_shown, keyed_shown);
    {
        let clear = open(&clear_path, None).unwrap();
        let keyed = open(&keyed_path, Some(KEY)).unwrap();
        let a = fill(&clear);
        let b = fill(&keyed);
        clear_shown = clear.resident(a, None).unwrap();
        keyed_shown = keyed.resident(b, None).unwrap();
        assert_eq!(
            keyed.resident_clear(b).unwrap(),
            (Some(ID.to_owned()), Some(PHONE.to_owned()))
        );
        assert_eq!(
            keyed.staff_phone("s1").unwrap().as_deref(),
            Some(STAFF_PHONE)
        );
        assert_eq!(
            keyed.staff("s1").unwrap().phone,
            clear.staff("s1").unwrap().phone
        );
        assert_eq!(
            keyed.residents("H1", None).unwrap(),
            clear.residents("H1", None).unwrap()
        );
        // A duplicate ID number is refused with the same masked message.
        let dup = |s: &Store| {
            s.add_resident("H1", &resident("付良", Some(ID), None), None)
                .unwrap_err()
        };
        let (e1, e2) = (dup(&clear), dup(&keyed));
        assert_eq!(e2.kind(), ErrorKind::Conflict);
        assert_eq!(e1.to_string(), e2.to_string());
        assert!(!e2.to_string().contains(ID));
        assert!(keyed.verify_audit().unwrap().ok);
    }
    assert_eq!(clear_shown, keyed_shown);
    assert_eq!(keyed_shown.id_number.as_deref(), Some("510123**********20"));
    assert_no_clear_values(&keyed_path);
    // The clear twin does hold them, so the check above can fail.
    assert!(raw_values(&clear_path).iter().any(|r| r.contains(ID)));
    // Reopened with its key, everything reads back.
    let keyed = open(&keyed_path, Some(KEY)).unwrap();
    assert_eq!(
        keyed
            .resident_clear(keyed_shown.resident_id)
            .unwrap()
            .0
            .as_deref(),
        Some(ID)
    );
}

#[test]
fn imports_find_residents_by_their_sealed_id_number() {
    let path = temp_path("import");
    let store = open(&path, Some(KEY)).unwrap();
    let id = fill(&store);
    let csv = format!(
        "household_id,unit,address,kind,tags,name,id_number,phone,relation\n\
         H2,512021100001001,海慧路2号,registered,,付良容,{ID},13700001111,head\n\
         H2,512021100001001,海慧路2号,registered,,付明,510123197001011230,,spouse\n"
    );
    let result = store
        .import_households_csv(csv.as_bytes(), &ImportOptions::default(), None)
        .unwrap();
    assert!(result.errors.is_empty(), "{:?}", result.errors);
    // The same as the same import into a clear store: the known resident updated.
    let twin = Store::open(":memory:").unwrap();
    fill(&twin);
    let twin_result = twin
        .import_households_csv(csv.as_bytes(), &ImportOptions::default(), None)
        .unwrap();
    assert_eq!(result, twin_result);
    assert_eq!(result.updated, 1, "{result:?}");
    assert_eq!(
        store.residents("H2", None).unwrap(),
        twin.residents("H2", None).unwrap()
    );
    // The known ID number moved its resident, phone and all.
    let moved = store.resident(id, None).unwrap();
    assert_eq!(moved.household_id, "H2");
    assert_eq!(
        store.resident_clear(id).unwrap(),
        (Some(ID.to_owned()), Some("13700001111".to_owned()))
    );
    let members = store.residents("H2", None).unwrap();
    assert_eq!(members.len(), 2);
    assert_eq!(members[1].id_number.as_deref(), Some("510123**********30"));
    drop(store);
    assert_no_clear_values(&path);
    assert!(!contains(&file_bytes(&path), "510123197001011230"));
}

/// Each import mode, into a keyed store and a clear one: a known resident moved by ID
/// number, one found by name in an existing household (no ID number), new ones with
/// phones, and in the skip-invalid import a bad row left out.
#[test]
fn both_import_modes_seal_what_they_write() {
    let csv = format!(
        "household_id,unit,address,kind,tags,name,id_number,phone,relation\n\
         H1,512021100001001,海慧路1号,registered,,付小明,,13700002222,child\n\
         H2,512021100001001,海慧路2号,registered,,付良容,{ID},13700001111,head\n\
         H2,512021100001001,海慧路2号,registered,,付明,510123197001011230,,spouse\n\
         H3,512021100001001,海慧路3号,registered,,付三,510123198001011235,13700003333,head\n"
    );
    let bad = "H4,512021100001001,海慧路4号,registered,,付四,not a number,,head\n";
    for mode in [ImportMode::AllOrNothing, ImportMode::SkipInvalid] {
        let path = temp_path(&format!("modes-{mode:?}"));
        let store = open(&path, Some(KEY)).unwrap();
        let twin = Store::open(":memory:").unwrap();
        let mut text = csv.clone();
        if mode == ImportMode::SkipInvalid {
            text.push_str(bad);
        }
        let options = ImportOptions {
            mode,
            ..ImportOptions::default()
        };
        let mut ids = Vec::new();
        let mut results = Vec::new();
        for s in [&store, &twin] {
            ids.push(fill(s));
            results.push(
                s.import_households_csv(text.as_bytes(), &options, None)
                    .unwrap(),
            );
        }
        assert_eq!(results[0], results[1], "{mode:?}");
        assert_eq!(
            results[0].errors.len(),
            usize::from(mode == ImportMode::SkipInvalid)
        );
        for household in ["H1", "H2", "H3"] {
            let keyed = store.residents(household, None).unwrap();
            assert_eq!(keyed, twin.residents(household, None).unwrap(), "{mode:?}");
            for (k, t) in keyed.iter().zip(twin.residents(household, None).unwrap()) {
                assert_eq!(
                    store.resident_clear(k.resident_id).unwrap(),
                    twin.resident_clear(t.resident_id).unwrap(),
                    "{mode:?} {household}"
                );
            }
        }
        assert_eq!(
            store.resident_clear(ids[0]).unwrap(),
            (Some(ID.to_owned()), Some("13700001111".to_owned()))
        );
        drop(store);
        assert_no_clear_values(&path);
        for clear in ["510123198001011235", "13700003333", "13700002222"] {
            assert!(!contains(&file_bytes(&path), clear), "{mode:?} {clear}");
        }
    }
}

#[test]
fn a_missing_or_wrong_key_is_refused_and_the_file_untouched() {
    let path = temp_path("refused");
    drop(fill_keyed(&path));
    let before = std::fs::read(&path).unwrap();
    for key in [None, Some(OTHER)] {
        let err = open(&path, key).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::PermissionDenied, "{err}");
        assert_eq!(std::fs::read(&path).unwrap(), before);
    }
    // Read-only without the key is refused too.
    let err = Store::open_with(
        &path,
        StoreOptions {
            read_only: true,
            ..StoreOptions::default()
        },
    )
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::PermissionDenied);
    // A key given to a store without one is refused: rekey is the way to key it.
    let clear = temp_path("clear-given-key");
    drop(open(&clear, None).unwrap());
    let before = std::fs::read(&clear).unwrap();
    let err = open(&clear, Some(KEY)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::PermissionDenied);
    assert!(err.to_string().contains("rekey"), "{err}");
    assert_eq!(std::fs::read(&clear).unwrap(), before);
    // The right key still opens it.
    assert!(open(&path, Some(KEY)).is_ok());
}

fn fill_keyed(path: &std::path::Path) -> Store {
    let store = open(path, Some(KEY)).unwrap();
    fill(&store);
    store
}

#[test]
fn a_key_is_16_to_64_bytes() {
    for len in [0, 15, 65] {
        let err = open(std::path::Path::new(":memory:"), Some(&vec![1u8; len])).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{len}");
        assert!(err.to_string().contains("key"), "{err}");
    }
    for len in [16, 64] {
        assert!(open(std::path::Path::new(":memory:"), Some(&vec![1u8; len])).is_ok());
    }
    let store = Store::open(":memory:").unwrap();
    assert_eq!(
        store.rekey(&[1u8; 15]).unwrap_err().kind(),
        ErrorKind::InvalidInput
    );
    // The key never shows in the options' Debug output.
    let options = StoreOptions {
        key: Some(b"secret-secret-secret".to_vec()),
        ..StoreOptions::default()
    };
    assert!(!format!("{options:?}").contains("secret"));
}

#[test]
fn rekey_seals_a_clear_store_then_changes_its_key() {
    let path = temp_path("rekey");
    let id;
    {
        let store = open(&path, None).unwrap();
        id = fill(&store);
        assert!(!store.info().unwrap().keyed);
        store.rekey(KEY).unwrap();
        assert!(store.info().unwrap().keyed);
        // The same handle goes on working with the new key.
        assert_eq!(store.resident_clear(id).unwrap().0.as_deref(), Some(ID));
        store
            .add_resident(
                "H1",
                &resident("付明", Some("510123197001011230"), None),
                None,
            )
            .unwrap();
        assert!(store.verify_audit().unwrap().ok);
        let log = store.audit_log(0, 1000).unwrap();
        assert!(log.iter().any(|r| r.action == "rekey"));
    }
    assert_no_clear_values(&path);
    assert_eq!(
        open(&path, None).unwrap_err().kind(),
        ErrorKind::PermissionDenied
    );
    {
        let store = open(&path, Some(KEY)).unwrap();
        store.rekey(OTHER).unwrap();
        assert_eq!(
            store.resident_clear(id).unwrap(),
            (Some(ID.to_owned()), Some(PHONE.to_owned()))
        );
        assert_eq!(
            store.staff_phone("s1").unwrap().as_deref(),
            Some(STAFF_PHONE)
        );
        // Duplicates are still found through the new blind index.
        let err = store
            .add_resident("H1", &resident("付", Some(ID), None), None)
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Conflict);
    }
    assert_eq!(
        open(&path, Some(KEY)).unwrap_err().kind(),
        ErrorKind::PermissionDenied
    );
    let store = open(&path, Some(OTHER)).unwrap();
    assert_eq!(store.residents("H1", None).unwrap().len(), 2);
    assert_no_clear_values(&path);
}

#[test]
fn a_failed_rekey_changes_nothing() {
    let path = temp_path("rekey-fails");
    let store = open(&path, Some(KEY)).unwrap();
    let id = fill(&store);
    drop(store);
    // A sealed phone damaged outside the library cannot be opened: the rekey fails.
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute(
            "UPDATE staff SET phone = x'01020304' WHERE staff_id = 's1'",
            [],
        )
        .unwrap();
    }
    let store = open(&path, Some(KEY)).unwrap();
    let before = raw_values(&path);
    let err = store.rekey(OTHER).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Storage, "{err}");
    assert_eq!(raw_values(&path), before);
    drop(store);
    // The old key still opens it, with the residents intact.
    let store = open(&path, Some(KEY)).unwrap();
    assert_eq!(store.resident_clear(id).unwrap().0.as_deref(), Some(ID));
}

#[test]
fn scoped_and_read_only_handles_cannot_rekey() {
    let path = temp_path("rekey-denied");
    let store = fill_keyed(&path);
    let scoped = store.scope("512021100", "镇管理员").unwrap();
    assert_eq!(
        scoped.rekey(OTHER).unwrap_err().kind(),
        ErrorKind::PermissionDenied
    );
    drop((scoped, store));
    let read_only = Store::open_with(
        &path,
        StoreOptions {
            read_only: true,
            key: Some(KEY.to_vec()),
            ..StoreOptions::default()
        },
    )
    .unwrap();
    assert_eq!(
        read_only.rekey(OTHER).unwrap_err().kind(),
        ErrorKind::PermissionDenied
    );
    assert!(read_only.info().unwrap().read_only);
    assert_eq!(read_only.residents("H1", None).unwrap().len(), 1);
}

#[test]
fn another_handle_rekeyed_the_file_so_this_one_cannot_write() {
    let path = temp_path("rekey-other-handle");
    let first = fill_keyed(&path);
    let second = open(&path, Some(KEY)).unwrap();
    second.rekey(OTHER).unwrap();
    let err = first
        .add_staff("s2", "王芳", Some("13700002222"))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::PermissionDenied, "{err}");
    assert!(second.staff("s2").is_err());
}

#[test]
fn info_tells_what_the_store_is() {
    let path = temp_path("info");
    let store = open(&path, Some(KEY)).unwrap();
    let info = store.info().unwrap();
    assert!(info.keyed);
    assert!(!info.read_only);
    assert_eq!(info.application_id, wangge::APPLICATION_ID);
    assert_eq!(info.schema_version, info.library_schema_version);
    assert!(info.schema_version >= 10);
    assert_eq!(info.library_version, env!("CARGO_PKG_VERSION"));
    assert_eq!(info.abi_version, wangge::ABI_VERSION);
    let json = serde_json::to_value(&info).unwrap();
    assert_eq!(json["library_version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(json["abi_version"], 0);
    assert_eq!(info.utc_offset_minutes, 480);
    assert_eq!(info.path, path.to_string_lossy());
    assert_eq!(info.actor, "system");
    assert_eq!(info.scope, None);
    assert_eq!(info.levels, *store.levels());
    let clear = Store::open(":memory:").unwrap().info().unwrap();
    assert!(!clear.keyed);
    assert_eq!(clear.path, ":memory:");
}
