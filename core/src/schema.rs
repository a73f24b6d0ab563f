//! The SQLite schema, as forward migrations.
//!
//! `PRAGMA user_version` holds the number of migrations applied. Opening a store runs the
//! missing ones in one transaction; a file whose version is higher than [`LATEST`] was
//! written by a newer library and is refused without being touched.

/// Migration `i` takes the schema from version `i` to `i + 1`.
pub(crate) const MIGRATIONS: &[&str] = &[
    // 1: configuration, unit tree, staff, audit chain.
    r"
    CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    ) WITHOUT ROWID;

    -- A unit's identity, lifetime and history. `history` lists its spans oldest first, one
    -- per line as valid_from, a tab, then path; each span ends where the next begins, the last
    -- at `retired`. It is the lookup by code; unit_span is the same spans by path.
    CREATE TABLE unit (
        code    TEXT PRIMARY KEY,
        name    TEXT NOT NULL,
        level   TEXT NOT NULL,
        depth   INTEGER NOT NULL,
        start   INTEGER NOT NULL,
        retired INTEGER NOT NULL,
        history TEXT NOT NULL
    ) WITHOUT ROWID;

    -- Dates are day numbers of the common era (see date.rs).
    -- One row per stretch of time a unit spent under one parent: valid on [valid_from,
    -- valid_to). `path` is the chain of codes from the root, '/'-separated with a leading
    -- '/', so a subtree is one range of the primary key and ancestors are read off a row.
    CREATE TABLE unit_span (
        path       TEXT NOT NULL,
        valid_from INTEGER NOT NULL,
        valid_to   INTEGER NOT NULL,
        code       TEXT NOT NULL,
        parent     TEXT,
        name       TEXT NOT NULL,
        level      TEXT NOT NULL,
        depth      INTEGER NOT NULL,
        start      INTEGER NOT NULL,
        retired    INTEGER NOT NULL,
        PRIMARY KEY (path, valid_from)
    ) WITHOUT ROWID;
    CREATE INDEX unit_span_parent ON unit_span(parent, valid_from);

    CREATE TABLE staff (
        staff_id TEXT PRIMARY KEY,
        name     TEXT NOT NULL,
        phone    TEXT
    ) WITHOUT ROWID;

    -- `end_day` is the last day of the assignment (inclusive).
    CREATE TABLE assignment (
        id       INTEGER PRIMARY KEY,
        staff_id TEXT NOT NULL REFERENCES staff(staff_id),
        unit     TEXT NOT NULL REFERENCES unit(code),
        role     TEXT NOT NULL,
        start    INTEGER NOT NULL,
        end_day  INTEGER NOT NULL
    );
    CREATE INDEX assignment_unit ON assignment(unit, start);
    CREATE INDEX assignment_staff ON assignment(staff_id);

    -- Append-only; each row's hash covers the previous row's hash.
    CREATE TABLE audit (
        seq    INTEGER PRIMARY KEY,
        at     TEXT NOT NULL,
        actor  TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT NOT NULL,
        detail TEXT NOT NULL,
        hash   TEXT NOT NULL
    );
    ",
];

/// The schema version this library writes.
pub(crate) const LATEST: i64 = MIGRATIONS.len() as i64;
