//! Opening, persisting, migrating and refusing files.

mod common;
use common::codes;
use common::temp_store_path as temp_path;
use wangge::{ErrorKind, Level, Levels, Store, StoreOptions};

#[test]
fn units_and_staff_persist_across_close_and_reopen() {
    let path = temp_path("persist");
    {
        let store = Store::open(&path).unwrap();
        store
            .add_unit("512021", "安岳县", "county", None, None)
            .unwrap();
        store
            .add_unit("512021100", "岳阳镇", "township", Some("512021"), None)
            .unwrap();
        store.add_staff("s1", "袁婷", Some("13812345678")).unwrap();
        store
            .assign("s1", "512021100", "grid_chief", None, None)
            .unwrap();
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(
        codes(&store.children("512021", None).unwrap()),
        ["512021100"]
    );
    assert_eq!(
        store.responsible("512021100", None).unwrap()[0].staff_id,
        "s1"
    );
    assert!(store.verify_audit().unwrap().ok);
}

#[test]
fn a_store_from_a_newer_schema_is_refused_and_left_untouched() {
    let path = temp_path("newer");
    drop(Store::open(&path).unwrap());
    {
        let conn = rusqlite_conn(&path);
        conn.execute_batch("PRAGMA user_version = 99").unwrap();
    }
    let bytes = std::fs::read(&path).unwrap();
    let err = Store::open(&path).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Storage);
    assert!(err.to_string().contains("newer"), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
}

#[test]
fn a_file_that_is_not_a_store_is_refused() {
    let path = temp_path("garbage");
    std::fs::write(
        &path,
        b"this is not a database, it is a text file of some length",
    )
    .unwrap();
    assert_eq!(Store::open(&path).unwrap_err().kind(), ErrorKind::Storage);
    let other = temp_path("other");
    rusqlite_conn(&other)
        .execute_batch("CREATE TABLE t (x)")
        .unwrap();
    let err = Store::open(&other).unwrap_err();
    assert!(err.to_string().contains("not a wangge store"), "{err}");
}

#[test]
fn an_empty_path_is_refused_naming_path() {
    for options in [StoreOptions::default(), read_only()] {
        let err = Store::open_with("", options).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
        assert!(err.to_string().contains("path"), "{err}");
    }
    // A NUL would cut the path short where SQLite reads it: refused, nothing created.
    let beside = temp_path("nul-cut");
    let cut = format!("{}\0tail.db", beside.display());
    for options in [StoreOptions::default(), read_only()] {
        let err = Store::open_with(&cut, options).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
        assert!(err.to_string().contains("NUL"), "{err}");
    }
    assert!(!beside.exists(), "nothing is created at the path cut short");
    // Only the empty path: a real one next to it still opens.
    let path = temp_path("beside-empty");
    drop(Store::open(&path).unwrap());
}

#[test]
fn levels_are_fixed_when_the_store_is_created() {
    let path = temp_path("levels");
    let levels = Levels::new(vec![Level::coded("city", 4), Level::coded("county", 6)]).unwrap();
    let opts = StoreOptions {
        levels: Some(levels.clone()),
        ..Default::default()
    };
    drop(Store::open_with(&path, opts.clone()).unwrap());
    assert_eq!(Store::open(&path).unwrap().levels(), &levels);
    assert!(Store::open_with(&path, opts).is_ok());
    let other = StoreOptions {
        levels: Some(Levels::default()),
        ..Default::default()
    };
    assert_eq!(
        Store::open_with(&path, other).unwrap_err().kind(),
        ErrorKind::Conflict
    );
}

fn rusqlite_conn(path: &std::path::Path) -> rusqlite::Connection {
    rusqlite::Connection::open(path).unwrap()
}

#[test]
fn tree_history_persists_across_reopen() {
    let path = temp_path("history");
    let day = |t| wangge::date::parse_date("on", t).unwrap();
    {
        let store = Store::open(&path).unwrap();
        store
            .add_unit("512021", "安岳县", "county", None, None)
            .unwrap();
        store
            .add_unit("512021100", "岳阳镇", "township", Some("512021"), None)
            .unwrap();
        store
            .add_unit("512021101", "石桥铺镇", "township", Some("512021"), None)
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
            .move_unit("512021100001", "512021101", day("2024-07-01"))
            .unwrap();
    }
    let store = Store::open(&path).unwrap();
    let parent = |t| {
        store
            .unit("512021100001", Some(day(t)))
            .unwrap()
            .parent
            .unwrap()
    };
    assert_eq!(parent("2024-06-30"), "512021100");
    assert_eq!(parent("2024-07-01"), "512021101");
    assert!(store.verify_audit().unwrap().ok);
}

/// The bytes of a store file and its WAL, to show a refused open changed nothing.
fn file_bytes(path: &std::path::Path) -> Vec<u8> {
    std::fs::read(path).unwrap()
}

#[test]
fn a_new_store_carries_the_application_id() {
    let path = temp_path("appid");
    drop(Store::open(&path).unwrap());
    let id: i32 = rusqlite_conn(&path)
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .unwrap();
    assert_eq!(id, wangge::APPLICATION_ID);
}

/// SQLite orders and seals text by its stored bytes, and the library's orders and seals
/// hold for UTF-8: a file whose text is kept as UTF-16 (set by hand before its first
/// table, empty or carrying the store's application id) is refused, untouched.
#[test]
fn a_file_that_keeps_its_text_as_utf16_is_refused_untouched() {
    for (name, id) in [("empty", 0), ("store-id", wangge::APPLICATION_ID)] {
        let path = temp_path(&format!("utf16-{name}"));
        rusqlite_conn(&path)
            .execute_batch(&format!(
                "PRAGMA encoding = 'UTF-16le'; CREATE TABLE t (x); DROP TABLE t;
                 PRAGMA application_id = {id};"
            ))
            .unwrap();
        let before = file_bytes(&path);
        for options in [StoreOptions::default(), read_only()] {
            let err = Store::open_with(&path, options).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Storage, "{name}: {err}");
            assert!(err.to_string().contains("UTF-16le"), "{name}: {err}");
            assert_eq!(file_bytes(&path), before, "{name}: the file changed");
        }
    }
}

#[test]
fn another_applications_file_is_refused_untouched_whatever_its_user_version() {
    for (name, setup) in [
        ("v3", "CREATE TABLE t (x); PRAGMA user_version = 3;"),
        (
            "lookalike",
            "CREATE TABLE meta (key TEXT, value TEXT); CREATE TABLE unit (x);
             PRAGMA user_version = 9;",
        ),
        (
            "other-id",
            "CREATE TABLE t (x); PRAGMA application_id = 1234; PRAGMA user_version = 1;",
        ),
    ] {
        let path = temp_path(&format!("foreign-{name}"));
        rusqlite_conn(&path).execute_batch(setup).unwrap();
        let before = file_bytes(&path);
        let err = Store::open(&path).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Storage, "{name}: {err}");
        assert!(
            err.to_string().contains("not a wangge store"),
            "{name}: {err}"
        );
        assert_eq!(file_bytes(&path), before, "{name}: the file changed");
        let err = Store::open_with(&path, read_only()).unwrap_err();
        assert!(
            err.to_string().contains("not a wangge store"),
            "{name}: {err}"
        );
        assert_eq!(file_bytes(&path), before, "{name}: the file changed");
    }
}

#[test]
fn a_store_written_before_the_application_id_gets_it_on_first_open() {
    let path = temp_path("unstamped");
    {
        let store = Store::open(&path).unwrap();
        store
            .add_unit("512021", "安岳县", "county", None, None)
            .unwrap();
    }
    rusqlite_conn(&path)
        .execute_batch("PRAGMA application_id = 0")
        .unwrap();
    // Read-only, it is not migrated, so it is refused rather than stamped.
    let err = Store::open_with(&path, read_only()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Storage, "{err}");
    let store = Store::open(&path).unwrap();
    assert_eq!(store.unit("512021", None).unwrap().name, "安岳县");
    drop(store);
    let id: i32 = rusqlite_conn(&path)
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .unwrap();
    assert_eq!(id, wangge::APPLICATION_ID);
}

fn read_only() -> StoreOptions {
    StoreOptions {
        read_only: true,
        ..StoreOptions::default()
    }
}

#[test]
fn a_read_only_store_reads_and_refuses_every_write() {
    let path = temp_path("read-only");
    {
        let store = Store::open(&path).unwrap();
        store
            .add_unit("512021", "安岳县", "county", None, None)
            .unwrap();
    }
    let store = Store::open_with(&path, read_only()).unwrap();
    assert_eq!(store.unit("512021", None).unwrap().name, "安岳县");
    let audit = store.verify_audit().unwrap();
    assert!(audit.ok);
    let err = store
        .add_unit("512021100", "岳阳镇", "township", Some("512021"), None)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::PermissionDenied, "{err}");
    assert!(err.to_string().contains("read-only"), "{err}");
    let err = store.add_staff("s1", "袁婷", None).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::PermissionDenied, "{err}");
    let scoped = store.scope("512021", "镇管理员").unwrap();
    let err = scoped.add_staff("s2", "王", None).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::PermissionDenied, "{err}");
    assert_eq!(store.verify_audit().unwrap().records, audit.records);
    let err = Store::open_with(":memory:", read_only()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    let missing = temp_path("read-only-missing");
    let err = Store::open_with(&missing, read_only()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Storage, "{err}");
    assert!(err.to_string().contains("no such file"), "{err}");
    let chinese = err.message(wangge::Language::Zh);
    assert!(chinese.contains("文件不存在"), "{chinese}");
    assert!(!missing.exists());
}

#[test]
fn read_only_is_an_option_in_json_too() {
    let options = StoreOptions::from_json(r#"{"read_only": true}"#).unwrap();
    assert!(options.read_only);
    assert!(!StoreOptions::from_json("{}").unwrap().read_only);
    let err = StoreOptions::from_json(r#"{"read_only": "yes"}"#).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
}
