//! The schema migrated forward on open.

use std::path::Path;

use rusqlite::Connection;

use super::APPLICATION_ID;
use super::audit::Mac;
use super::schema::{LATEST, MIGRATIONS};
use super::seal::verify::{Before, reseal};
use crate::error::{Error, Result};

/// Tells a wangge store from any other file before anything is written to it: returns
/// its schema version (0 for a new, empty file) and whether it already carries the
/// [`APPLICATION_ID`]. A file of a newer schema, another application's SQLite file
/// (another application id, or none and not the tables a wangge store of an earlier
/// version had), a file whose text SQLite keeps as UTF-16, and a file that is not SQLite
/// at all are refused, untouched.
pub(super) fn identify(conn: &Connection, path: &Path) -> Result<(i64, bool)> {
    let not_sqlite = |e: rusqlite::Error| {
        Error::Storage(format!("{} is not a SQLite database: {e}", path.display()))
    };
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(not_sqlite)?;
    let id: i32 = conn
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .map_err(not_sqlite)?;
    // SQLite orders and seals text by its stored bytes: the library's orders and seals
    // hold for UTF-8 only, the encoding every store it makes has.
    let encoding: String = conn
        .query_row("PRAGMA encoding", [], |r| r.get(0))
        .map_err(not_sqlite)?;
    if encoding != "UTF-8" {
        return Err(Error::Storage(format!(
            "{} keeps its text as {encoding}, and a wangge store keeps it as UTF-8; it was \
             not opened or changed",
            path.display()
        )));
    }
    let foreign = || {
        Error::Storage(format!(
            "{} is a SQLite database but not a wangge store (application id {id:#x}, \
             schema version {version}); it was not changed",
            path.display()
        ))
    };
    if id == APPLICATION_ID {
        if version > LATEST {
            return Err(Error::Storage(format!(
                "{} was written by a newer wangge (schema version {version}; this library \
                 knows up to {LATEST}); it was not opened or changed",
                path.display()
            )));
        }
        return Ok((version, true));
    }
    if id != 0 {
        return Err(foreign());
    }
    let tables: i64 = conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))?;
    if version == 0 && tables == 0 {
        return Ok((0, false));
    }
    // A store written before stores carried the id: every version had these tables.
    let own = (1..=LATEST).contains(&version)
        && conn
            .query_row(
                "SELECT count(*) = 4 FROM sqlite_master WHERE type = 'table' AND
                        name IN ('meta', 'unit', 'unit_span', 'audit')",
                [],
                |r| r.get::<_, bool>(0),
            )
            .unwrap_or(false);
    if own {
        Ok((version, false))
    } else {
        Err(foreign())
    }
}

/// Work a migration leaves to a domain module: what it cannot say in SQL, such as
/// packing rows in a layout only that module knows. Listed at the crate's root
/// (`crate::AFTER_MIGRATIONS`), so the store runs them without knowing what they are.
#[derive(Debug, Clone, Copy)]
pub(crate) struct AfterMigration {
    /// The schema version from which stores no longer need it: it runs, once, when a
    /// store of an older version (never a new, empty one) is migrated.
    pub(crate) before: i64,
    /// What it runs, inside the migration's transaction, after the schema's migrations.
    pub(crate) run: fn(&Connection) -> Result<()>,
}

/// Brings a store of schema version `from` up to the latest, in one transaction: the
/// schema's migrations, then each of `after` the store is old enough for, in order,
/// `setup` (what a new store writes first), and the [`APPLICATION_ID`] unless the file is
/// `stamped` with it already. Then every fact and the schema are sealed anew under `mac`,
/// once what was there has been checked (see [`reseal`]).
pub(super) fn migrate(
    conn: &Connection,
    from: i64,
    stamped: bool,
    after: &[AfterMigration],
    mac: &Mac,
    setup: &dyn Fn(&Connection) -> Result<()>,
) -> Result<()> {
    if from == LATEST && stamped {
        return Ok(());
    }
    conn.execute_batch("BEGIN IMMEDIATE")?;
    let result = (|| -> Result<()> {
        let sealed: bool = conn.query_row(
            "SELECT count(*) > 0 FROM pragma_table_list WHERE schema = 'main' AND name = 'seal'",
            [],
            |r| r.get(0),
        )?;
        for sql in &MIGRATIONS[from as usize..] {
            conn.execute_batch(sql)?;
        }
        for hook in after {
            if from > 0 && from < hook.before {
                (hook.run)(conn)?;
            }
        }
        setup(conn)?;
        conn.pragma_update(None, "user_version", LATEST)?;
        conn.pragma_update(None, "application_id", APPLICATION_ID)?;
        let before = match (from, sealed) {
            (0, _) => Before::New,
            (_, false) => Before::Legacy,
            (_, true) => Before::Sealed(mac),
        };
        let at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, false);
        reseal(conn, before, mac, &at)
    })();
    match result {
        Ok(()) => conn.execute_batch("COMMIT")?,
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            return Err(e);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date;
    use crate::date::FOREVER;
    use crate::store::Store;

    #[test]
    fn a_store_of_an_older_schema_is_migrated_forward_on_open() {
        let dir = std::env::temp_dir().join(format!("wangge-migrate-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("v1.db");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(MIGRATIONS[0]).unwrap();
            conn.pragma_update(None, "user_version", 1).unwrap();
        }
        let store = Store::open(&path).unwrap();
        let version: i64 = store
            .conn()
            .unwrap()
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, LATEST);
        store
            .add_unit("512021", "安岳县", "county", None, None)
            .unwrap();
        store
            .add_household("H1", "512021", "x", "registered", &["低保"], None)
            .unwrap();
        assert_eq!(store.tag_kinds().unwrap().len(), 15);
        let check = store.verify_audit().unwrap();
        assert!(check.ok, "{check:?}");
        drop(store);
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// A version-2 store kept every place and membership in the history tables; version 3
    /// moves the latest of each onto its household's or resident's row.
    #[test]
    fn a_version_2_registry_keeps_its_history_through_migration_3() {
        let dir = std::env::temp_dir().join(format!("wangge-migrate3-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let (units, path) = (dir.join("units.db"), dir.join("v2.db"));
        {
            let store = Store::open(&units).unwrap();
            store
                .add_unit("512021", "安岳县", "county", None, None)
                .unwrap();
            for grid in ["512021001", "512021002"] {
                store
                    .add_unit(grid, grid, "township", Some("512021"), None)
                    .unwrap();
            }
        }
        let day = |text: &str| date::to_sql(crate::date::parse_date("day", text).unwrap());
        let (moved, ended, joined) = (day("2024-03-01"), day("2024-05-01"), day("2024-04-01"));
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(MIGRATIONS[0]).unwrap();
            conn.execute_batch(MIGRATIONS[1]).unwrap();
            conn.execute("ATTACH ?1 AS units", [units.to_str().unwrap()])
                .unwrap();
            conn.execute_batch(
                "INSERT INTO meta SELECT * FROM units.meta;
                 INSERT INTO unit SELECT * FROM units.unit;
                 INSERT INTO unit_span SELECT * FROM units.unit_span;
                 DETACH units;",
            )
            .unwrap();
            conn.execute_batch(&format!(
                "INSERT INTO household (household_id, address, kind, start, ended) VALUES
                    ('H1', 'a', 'registered', 1, {FOREVER}), ('H2', 'b', 'floating', 1, {ended});
                 INSERT INTO household_place VALUES
                    ('H1', 1, {moved}, '512021001'), ('H1', {moved}, {FOREVER}, '512021002'),
                    ('H2', 1, {ended}, '512021001');
                 INSERT INTO resident (resident_id, name) VALUES (7, '付良容');
                 INSERT INTO membership VALUES (7, 1, {joined}, 'H1', 'head'), (7, {joined}, {FOREVER}, 'H2', '母亲');
                 PRAGMA user_version = 2;"
            ))
            .unwrap();
        }
        let store = Store::open(&path).unwrap();
        let on = |text: &str| Some(crate::date::parse_date("day", text).unwrap());
        assert_eq!(
            store.household("H1", on("2024-02-29")).unwrap().unit,
            "512021001"
        );
        assert_eq!(
            store.household("H1", on("2024-03-01")).unwrap().unit,
            "512021002"
        );
        assert_eq!(
            store.household("H2", on("2024-04-30")).unwrap().unit,
            "512021001"
        );
        assert_eq!(
            store.household("H2", on("2024-05-01")).unwrap_err().kind(),
            crate::ErrorKind::NotFound
        );
        let names = |household: &str, day: &str| -> Vec<(String, String)> {
            store
                .residents(household, on(day))
                .unwrap()
                .into_iter()
                .map(|r| (r.name, r.relation))
                .collect()
        };
        assert_eq!(
            names("H1", "2024-03-31"),
            [("付良容".to_owned(), "head".to_owned())]
        );
        assert!(names("H1", "2024-04-01").is_empty());
        assert_eq!(
            names("H2", "2024-04-01"),
            [("付良容".to_owned(), "母亲".to_owned())]
        );
        // Only the stretches before the latest remain in the history tables.
        let rows = |sql: &str| -> i64 {
            store
                .conn()
                .unwrap()
                .query_row(sql, [], |r| r.get(0))
                .unwrap()
        };
        assert_eq!(rows("SELECT count(*) FROM household_place"), 1);
        assert_eq!(rows("SELECT count(*) FROM membership"), 1);
        // And the counts, built from the new layout, agree.
        let (total, _) = store.unit_counts("512021", on("2024-04-15")).unwrap();
        assert_eq!(
            (total.households, total.residents, total.floating),
            (2, 1, 1)
        );
        // New writes use the new layout and keep the old history readable.
        store
            .move_household(
                "H1",
                "512021001",
                crate::date::parse_date("d", "2024-06-01").unwrap(),
            )
            .unwrap();
        assert_eq!(
            store.household("H1", on("2024-02-29")).unwrap().unit,
            "512021001"
        );
        assert_eq!(
            store.household("H1", on("2024-05-31")).unwrap().unit,
            "512021002"
        );
        assert_eq!(
            store.household("H1", on("2024-06-01")).unwrap().unit,
            "512021001"
        );
        let check = store.verify_audit().unwrap();
        assert!(check.ok, "{check:?}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
