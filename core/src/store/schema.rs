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
    // 2: the registry: households, residents, tags and the 民生档案 archive.
    r"
    CREATE TABLE household (
        household_id TEXT PRIMARY KEY,
        address      TEXT NOT NULL,
        kind         TEXT NOT NULL,
        start        INTEGER NOT NULL,
        ended        INTEGER NOT NULL,
        verified     INTEGER
    ) WITHOUT ROWID;

    -- Where a household lived over time, valid on [valid_from, valid_to) (see migration 3).
    CREATE TABLE household_place (
        household_id TEXT NOT NULL REFERENCES household(household_id),
        valid_from   INTEGER NOT NULL,
        valid_to     INTEGER NOT NULL,
        unit         TEXT NOT NULL REFERENCES unit(code),
        PRIMARY KEY (household_id, valid_from)
    ) WITHOUT ROWID;
    CREATE INDEX household_place_unit ON household_place(unit, valid_from);

    CREATE TABLE resident (
        resident_id INTEGER PRIMARY KEY,
        name        TEXT NOT NULL,
        id_number   TEXT UNIQUE,
        id_upgraded INTEGER NOT NULL DEFAULT 0,
        birth_date  INTEGER,
        sex         TEXT,
        phone       TEXT,
        hukou       TEXT,
        employer    TEXT
    );

    -- Which household a resident belonged to over time, valid on [valid_from, valid_to)
    -- (see migration 3).
    CREATE TABLE membership (
        resident_id  INTEGER NOT NULL REFERENCES resident(resident_id),
        valid_from   INTEGER NOT NULL,
        valid_to     INTEGER NOT NULL,
        household_id TEXT NOT NULL REFERENCES household(household_id),
        relation     TEXT NOT NULL,
        PRIMARY KEY (resident_id, valid_from)
    ) WITHOUT ROWID;
    CREATE INDEX membership_household ON membership(household_id, valid_from);

    -- The categories a deployment knows, and whether each makes a household special.
    CREATE TABLE tag_kind (
        tag     TEXT PRIMARY KEY,
        special INTEGER NOT NULL
    ) WITHOUT ROWID;
    INSERT INTO tag_kind (tag, special) VALUES
        ('低保', 1), ('低收入', 1), ('残疾', 1), ('空巢', 1), ('下岗失业', 1), ('单亲', 1),
        ('矫正对象', 1), ('外出打工', 1), ('失独', 1), ('留守儿童', 1), ('上访', 1), ('困难', 1),
        ('帮扶对象', 1), ('流动人口', 1), ('拆迁过渡', 1);

    -- A tag on a household or on a resident, valid on [start, end_day).
    CREATE TABLE tag (
        id           INTEGER PRIMARY KEY,
        household_id TEXT REFERENCES household(household_id),
        resident_id  INTEGER REFERENCES resident(resident_id),
        tag          TEXT NOT NULL REFERENCES tag_kind(tag),
        start        INTEGER NOT NULL,
        end_day      INTEGER NOT NULL,
        CHECK ((household_id IS NULL) <> (resident_id IS NULL))
    );
    CREATE INDEX tag_household ON tag(household_id, tag) WHERE household_id IS NOT NULL;
    CREATE INDEX tag_resident ON tag(resident_id, tag) WHERE resident_id IS NOT NULL;

    -- Every version of every section of a household's 民生档案, never overwritten.
    CREATE TABLE archive_version (
        household_id TEXT NOT NULL REFERENCES household(household_id),
        section      TEXT NOT NULL,
        version      INTEGER NOT NULL,
        at           TEXT NOT NULL,
        author       TEXT NOT NULL,
        content      TEXT NOT NULL,
        PRIMARY KEY (household_id, section, version)
    ) WITHOUT ROWID;
    ",
    // 3: a household's latest place and a resident's latest membership move onto their own
    // rows, so adding either is one row instead of two; household_place and membership keep
    // only the stretches before. The latest place runs from unit_since until the
    // household's `ended`, the latest membership from member_since on. Columns added by
    // ALTER TABLE cannot be NOT NULL with a reference: the library always sets them.
    r"
    ALTER TABLE household ADD COLUMN unit TEXT REFERENCES unit(code);
    ALTER TABLE household ADD COLUMN unit_since INTEGER NOT NULL DEFAULT 0;
    UPDATE household SET
        unit = (SELECT p.unit FROM household_place p WHERE p.household_id = household.household_id
                ORDER BY p.valid_from DESC LIMIT 1),
        unit_since = coalesce((SELECT max(p.valid_from) FROM household_place p
                               WHERE p.household_id = household.household_id), ended);
    DELETE FROM household_place
        WHERE (household_id, valid_from) IN (SELECT household_id, unit_since FROM household);
    CREATE INDEX household_unit ON household(unit);

    ALTER TABLE resident ADD COLUMN household_id TEXT REFERENCES household(household_id);
    ALTER TABLE resident ADD COLUMN relation TEXT NOT NULL DEFAULT 'head';
    ALTER TABLE resident ADD COLUMN member_since INTEGER NOT NULL DEFAULT 0;
    UPDATE resident SET (household_id, relation, member_since) =
        (SELECT m.household_id, m.relation, m.valid_from FROM membership m
         WHERE m.resident_id = resident.resident_id ORDER BY m.valid_from DESC LIMIT 1)
        WHERE EXISTS (SELECT 1 FROM membership m WHERE m.resident_id = resident.resident_id);
    DELETE FROM membership
        WHERE (resident_id, valid_from) IN (SELECT resident_id, member_since FROM resident);
    CREATE INDEX resident_household ON resident(household_id);
    ",
    // 4: visits: rule sets versioned by the day they take effect, and visit records.
    r"
    -- `rules` is the JSON array of the rules in force from `start` until the next set.
    CREATE TABLE visit_rule_set (
        start INTEGER PRIMARY KEY,
        rules TEXT NOT NULL
    );

    CREATE TABLE visit (
        id           INTEGER PRIMARY KEY,
        household_id TEXT NOT NULL REFERENCES household(household_id),
        staff_id     TEXT NOT NULL REFERENCES staff(staff_id),
        channel      TEXT NOT NULL,
        day          INTEGER NOT NULL,
        note         TEXT NOT NULL
    );
    CREATE INDEX visit_household ON visit(household_id, day);
    CREATE INDEX visit_day ON visit(day);
    CREATE INDEX visit_staff ON visit(staff_id, day);
    ",
    // 5: contact quotas and patrols (rule sets like the visit rules), patrol records, and
    // what a visit found.
    r"
    CREATE TABLE quota_rule_set (
        start INTEGER PRIMARY KEY,
        rules TEXT NOT NULL
    );
    CREATE TABLE patrol_rule_set (
        start INTEGER PRIMARY KEY,
        rules TEXT NOT NULL
    );

    -- `at` is the moment as RFC 3339 with its offset; `day` its civil date in the
    -- deployment's offset, which is what patrol rules count.
    CREATE TABLE patrol (
        id       INTEGER PRIMARY KEY,
        unit     TEXT NOT NULL REFERENCES unit(code),
        staff_id TEXT NOT NULL REFERENCES staff(staff_id),
        at       TEXT NOT NULL,
        day      INTEGER NOT NULL,
        note     TEXT NOT NULL
    );
    CREATE INDEX patrol_unit ON patrol(unit, day);
    CREATE INDEX patrol_day ON patrol(day);

    -- A finding stays open until the ledger registers an entry for it (`entry_id`).
    -- `unit` is where the household lived on the visit's day.
    CREATE TABLE visit_finding (
        id       INTEGER PRIMARY KEY,
        visit_id INTEGER NOT NULL REFERENCES visit(id),
        unit     TEXT NOT NULL REFERENCES unit(code),
        summary  TEXT NOT NULL,
        category TEXT,
        urgent   INTEGER NOT NULL,
        entry_id INTEGER
    );
    CREATE INDEX visit_finding_visit ON visit_finding(visit_id);
    CREATE INDEX visit_finding_unit ON visit_finding(unit);
    ",
    // 6: the ledger: working-day calendar years loaded into the store, classification
    // rule sets, entries and their events. And whole indexes on a tag's owner: with the
    // partial ones, SQLite re-prepared every lookup by household or resident for each
    // value bound, which cost more than the lookup.
    r"
    DROP INDEX tag_household;
    DROP INDEX tag_resident;
    CREATE INDEX tag_household ON tag(household_id, tag);
    CREATE INDEX tag_resident ON tag(resident_id, tag);

    -- A year's holiday arrangement in the text format of calendar.rs, replacing or adding
    -- to the years shipped with the library.
    CREATE TABLE calendar_year (
        year  INTEGER PRIMARY KEY,
        lines TEXT NOT NULL
    );
    CREATE TABLE ledger_rule_set (
        start INTEGER PRIMARY KEY,
        rules TEXT NOT NULL
    );

    -- Instants are seconds since the Unix epoch, shown in the deployment's offset.
    -- `books` are separated by newlines; `time_limit` and `sign_limit` are 5d or 24h.
    -- `state` is the entry's state after its last event (JSON, as entry_event.state);
    -- status, hard, handler and deadline repeat it for queries; sign_due is when tick must
    -- look at the entry (the state's sign_due, cleared once there is no level above).
    CREATE TABLE entry (
        id           INTEGER PRIMARY KEY,
        unit         TEXT NOT NULL REFERENCES unit(code),
        household_id TEXT,
        resident_id  INTEGER,
        source       TEXT NOT NULL,
        reported     INTEGER NOT NULL,
        reported_day INTEGER NOT NULL,
        category     TEXT NOT NULL,
        summary      TEXT NOT NULL,
        urgent       INTEGER NOT NULL,
        books        TEXT NOT NULL,
        triage       TEXT NOT NULL,
        time_limit   TEXT NOT NULL,
        sign_limit   TEXT NOT NULL,
        finding_id   INTEGER,
        state        TEXT NOT NULL,
        status       TEXT NOT NULL,
        hard         INTEGER NOT NULL,
        handler      TEXT NOT NULL,
        deadline     INTEGER NOT NULL,
        sign_due     INTEGER,
        last_at      INTEGER NOT NULL,
        events       INTEGER NOT NULL
    );
    CREATE INDEX entry_unit ON entry(unit, reported);
    CREATE INDEX entry_sign_due ON entry(sign_due) WHERE sign_due IS NOT NULL;

    -- Append-only: one row per change, with the state after it.
    CREATE TABLE entry_event (
        entry_id  INTEGER NOT NULL,
        seq       INTEGER NOT NULL,
        action    TEXT NOT NULL,
        actor     TEXT NOT NULL,
        at        INTEGER NOT NULL,
        note      TEXT NOT NULL,
        auto      INTEGER NOT NULL,
        days      INTEGER,
        satisfied INTEGER,
        state     TEXT NOT NULL,
        PRIMARY KEY (entry_id, seq)
    ) WITHOUT ROWID;
    ",
    r"
    -- Which units report at which cadence: a versioned set, as the other rules.
    CREATE TABLE reporting_rule_set (
        start INTEGER PRIMARY KEY,
        rules TEXT NOT NULL
    );
    -- The yearly assessment's weighted targets, versioned likewise.
    CREATE TABLE assessment_rule_set (
        start INTEGER PRIMARY KEY,
        rules TEXT NOT NULL
    );

    -- Every submission of a unit's report for a period (its cadence's), never changed
    -- but for approval; `report` is the report's JSON as submitted.
    CREATE TABLE submission (
        unit         TEXT NOT NULL REFERENCES unit(code),
        period       TEXT NOT NULL,
        version      INTEGER NOT NULL,
        first_day    INTEGER NOT NULL,
        last_day     INTEGER NOT NULL,
        submitted_at INTEGER NOT NULL,
        author       TEXT NOT NULL,
        report       TEXT NOT NULL,
        approved_at  INTEGER,
        approver     TEXT,
        PRIMARY KEY (unit, period, version)
    ) WITHOUT ROWID;
    CREATE INDEX submission_last_day ON submission(last_day);

    -- An approved report locks its unit's subtree (by `path` on the period's last day)
    -- for the period: facts dated in it may no longer be added or changed. The triggers
    -- below refuse them, whichever way they are written. Their messages are plain text:
    -- SQLite before 3.47 cannot read a schema whose RAISE computes its message.
    CREATE TABLE report_lock (
        unit      TEXT NOT NULL,
        period    TEXT NOT NULL,
        path      TEXT NOT NULL,
        first_day INTEGER NOT NULL,
        last_day  INTEGER NOT NULL,
        first_at  INTEGER NOT NULL,
        last_at   INTEGER NOT NULL,
        PRIMARY KEY (unit, period)
    ) WITHOUT ROWID;
    CREATE INDEX report_lock_days ON report_lock(last_day, first_day);

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
    ",
    // 8: each entry's events packed small for reports (see ledger/marks.rs); filled
    // from the events on migrating.
    r"
    ALTER TABLE entry ADD COLUMN marks BLOB;
    ",
    // 9: what reports read of every entry, in one narrow index they can scan alone,
    // grouped by unit.
    r"
    CREATE INDEX entry_report ON entry(unit, category, books, reported, marks);
    ",
    // 10: what each audit record is about: the path of the deepest unit holding all it
    // names, as it stood when written (NULL: the deployment as a whole), so a scoped
    // handle's audit log shows only records about its subtree. Earlier records say
    // nothing and are shown only to unrestricted handles.
    r"
    ALTER TABLE audit ADD COLUMN unit_path TEXT;
    ",
    // 11: a keyed store (see store/keys.rs) keeps a resident's ID number sealed here and
    // its blind index in `id_number`; phones there and in `staff` are sealed in place.
    r"
    ALTER TABLE resident ADD COLUMN id_sealed BLOB;
    ",
    // 12: row seals (see seal/mod.rs): one per row of every fact table and per schema
    // object, keyed by the row's rowid or primary key (an order-preserving encoding);
    // the chain's bookkeeping (its head, one accumulator of seals per table) moves out of
    // the sealed `meta` into `audit_state`; each audit record commits to the
    // accumulators. The chain moves from SHA-256 to SM3 (store/migrate.rs reseals). And
    // submissions carry the audit head.
    r"
    CREATE TABLE seal (
        tbl    TEXT NOT NULL,
        key    BLOB NOT NULL,
        digest BLOB NOT NULL,
        PRIMARY KEY (tbl, key)
    ) WITHOUT ROWID;
    CREATE TABLE audit_state (
        key   TEXT PRIMARY KEY,
        value BLOB NOT NULL
    ) WITHOUT ROWID;
    ALTER TABLE audit ADD COLUMN seals TEXT NOT NULL DEFAULT '';
    -- The submitting store's audit head when each version was submitted (JSON), which
    -- approval checks and records: the level above anchors the chain below.
    ALTER TABLE submission ADD COLUMN audit_head TEXT;
    ",
    // 13: derived data kept between opens (see kept.rs): what county-wide reports lay
    // out in memory, each kind one compact blob stamped with the audit chain's head it
    // was read at and sealed under the store's MAC. Not a fact: not row-sealed, never
    // shown, ignored and rebuilt whenever it does not match the chain.
    r"
    CREATE TABLE kept (
        kind   TEXT PRIMARY KEY,
        format INTEGER NOT NULL,
        seq    INTEGER NOT NULL,
        head   TEXT NOT NULL,
        mac    BLOB NOT NULL,
        body   BLOB NOT NULL
    );
    ",
    // 14: submissions received from the store of the unit that submitted them (a
    // county's, in a city's store; see submit/receive.rs): when each version was
    // received, and what came with it beside its report (the sealed JSON without its
    // `report`, seal included). NULL for reports submitted in this store.
    r"
    ALTER TABLE submission ADD COLUMN received_at INTEGER;
    ALTER TABLE submission ADD COLUMN sealed TEXT;
    ",
    // 15: handheld terminals (see handheld/mod.rs). At home: the devices checked out
    // (`checkout`) and the device log items already merged (`merged`: applied or reported
    // as a conflict, once), with the home id an applied item created. On a device: what
    // it is (`device`, one row), its log of offline writes (`device_log`) and which of
    // its local ids a log item created (`device_local`).
    r"
    CREATE TABLE checkout (
        device_id      TEXT PRIMARY KEY,
        unit           TEXT NOT NULL,
        staff_id       TEXT NOT NULL,
        checked_out_at TEXT NOT NULL,
        audit_seq      INTEGER NOT NULL,
        audit_digest   TEXT NOT NULL,
        status         TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE merged (
        device_id TEXT NOT NULL,
        seq       INTEGER NOT NULL,
        kind      TEXT NOT NULL,
        outcome   TEXT NOT NULL,
        home_id   INTEGER,
        PRIMARY KEY (device_id, seq)
    ) WITHOUT ROWID;
    CREATE TABLE device (
        device_id TEXT PRIMARY KEY,
        home      TEXT NOT NULL,
        unit      TEXT NOT NULL,
        staff_id  TEXT NOT NULL,
        next_seq  INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE device_log (
        seq      INTEGER PRIMARY KEY,
        kind     TEXT NOT NULL,
        args     TEXT NOT NULL,
        local_id INTEGER,
        refers   INTEGER
    );
    CREATE TABLE device_local (
        kind     TEXT NOT NULL,
        local_id INTEGER NOT NULL,
        seq      INTEGER NOT NULL,
        PRIMARY KEY (kind, local_id)
    ) WITHOUT ROWID;
    ",
    // 16: facts are checked against approved periods where they are written (see
    // submit/locks.rs), not by triggers: a trigger that can abort makes SQLite journal
    // every page each insert touches.
    r"
    DROP TRIGGER IF EXISTS entry_locked;
    DROP TRIGGER IF EXISTS entry_event_locked;
    DROP TRIGGER IF EXISTS visit_locked;
    DROP TRIGGER IF EXISTS household_locked;
    DROP TRIGGER IF EXISTS household_move_locked;
    DROP TRIGGER IF EXISTS tag_locked;
    DROP TRIGGER IF EXISTS untag_locked;
    ",
    // 17: what each write changed, while derived data is kept (see delta.rs), so that a
    // value kept at an earlier head is brought up to date rather than built again. Not a
    // fact, as `kept`: not row-sealed; each record sealed under the store's MAC. `total`
    // is the bytes of the bodies recorded up to this one since the table was last empty.
    r"
    CREATE TABLE kept_change (
        head_after  INTEGER PRIMARY KEY,
        head_before INTEGER NOT NULL,
        total       INTEGER NOT NULL,
        mac         BLOB NOT NULL,
        body        BLOB NOT NULL
    );
    ",
    // 18: no covering index for reports. It was there so that the ledger's columns build
    // from one narrow scan, which kept data (kept.rs, delta.rs) now spares nearly every
    // open; and every registration inserted into it at its unit, and every event rewrote
    // its `marks`: a third of a tick, a fifth of registering. The build reads the table.
    r"
    DROP INDEX IF EXISTS entry_report;
    ",
];

/// The schema version this library writes.
pub(crate) const LATEST: i64 = MIGRATIONS.len() as i64;

/// The spans a unit's `history` lists (see the `unit` table), oldest first, as (the day
/// it begins, its path); a line that is not such a pair is passed over.
pub(crate) fn history_spans(history: &str) -> Vec<(i64, &str)> {
    history
        .lines()
        .filter_map(|line| {
            let (from, path) = line.split_once('\t')?;
            Some((from.parse().ok()?, path))
        })
        .collect()
}
