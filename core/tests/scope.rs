//! Scopes hold on every path: every public method of `Store`, called through a township's
//! scope on something of the other township, is refused and changes nothing (every
//! table, read through a second plain connection, and the audit chain are as before);
//! imports refuse rows naming households or ID numbers registered outside; the audit log
//! shows a scope only records about its subtree; a closed store's scopes are closed.

mod common;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use common::{county_at, d, resident};
use wangge::{
    EntryAction, EntryQuery, ErrorKind, HouseholdFilter, ImportMode, ImportOptions, ImportRow,
    NewEntry, NewUnit, NewVisit, Period, Store,
};

const TOWNSHIP: &str = "512021100";
const INSIDE_GRID: &str = "512021100001001";
const OUTSIDE_TOWNSHIP: &str = "512021101";
const OUTSIDE_COMMUNITY: &str = "512021101001";
const OUTSIDE_GRID: &str = "512021101001001";
const OUTSIDE_ID_NUMBER: &str = "510123194805121220";

/// What lives outside the township: its ids, for the calls to name.
struct Outside {
    resident: i64,
    visit: i64,
    finding: i64,
    entry: i64,
    assignment: i64,
}

fn temp_path(name: &str) -> PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("wangge-scope-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("store.db")
}

/// The county with a household, resident, visit, finding, entry, archive section, staff
/// member and assignment in the other township (石桥铺镇), and one household inside.
fn world(name: &str) -> (Store, PathBuf, Outside) {
    let path = temp_path(name);
    let store = county_at(path.to_str().unwrap());
    store
        .add_staff("OUT", "外镇网格员", Some("13812345678"))
        .unwrap();
    store.add_staff("FREE", "未分配", None).unwrap();
    let assignment = store
        .assign("OUT", OUTSIDE_GRID, "grid_worker", None, None)
        .unwrap()
        .id;
    store
        .add_household("O1", OUTSIDE_GRID, "解放村1号", "registered", &[], None)
        .unwrap();
    store
        .add_household("I1", INSIDE_GRID, "海慧路1号", "registered", &[], None)
        .unwrap();
    let resident = store
        .add_resident(
            "O1",
            &resident("付良容", Some(OUTSIDE_ID_NUMBER), Some("13812345678")),
            None,
        )
        .unwrap()
        .resident_id;
    let visit = store
        .record_visit("O1", "OUT", "home", d("2024-03-01"), "走访")
        .unwrap()
        .id;
    let finding = store
        .record_finding(visit, "楼道堆放杂物", None, false)
        .unwrap()
        .id;
    let at = store.parse_moment("2024-03-02T09:00:00").unwrap();
    let entry = store
        .register(&NewEntry::new(OUTSIDE_GRID, None, "路灯不亮", at))
        .unwrap()
        .id;
    store
        .set_archive_section_json("O1", "basic", r#"{"note": "x"}"#)
        .unwrap();
    (
        store,
        path,
        Outside {
            resident,
            visit,
            finding,
            entry,
            assignment,
        },
    )
}

/// Every row of every table, read through a plain connection of its own.
fn dump(path: &Path) -> BTreeMap<String, Vec<String>> {
    let conn = rusqlite::Connection::open(path).unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    let mut out = BTreeMap::new();
    for table in tables {
        let mut stmt = conn.prepare(&format!("SELECT * FROM \"{table}\"")).unwrap();
        let columns = stmt.column_count();
        let mut rows: Vec<String> = stmt
            .query_map([], |r| {
                let mut row = String::new();
                for i in 0..columns {
                    let _ = write!(row, "{:?}|", r.get_ref(i)?);
                }
                Ok(row)
            })
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        rows.sort();
        out.insert(table, rows);
    }
    out
}

type Call<'a> = (
    &'a str,
    ErrorKind,
    Box<dyn Fn(&Store) -> wangge::Result<()> + 'a>,
);

fn ok<T>(result: wangge::Result<T>) -> wangge::Result<()> {
    result.map(|_| ())
}

#[test]
#[allow(clippy::many_single_char_names)]
fn every_method_refuses_the_outside_and_changes_nothing() {
    let (store, path, outside) = world("table");
    let town = store.scope(TOWNSHIP, "岳阳镇管理员").unwrap();
    let at = store.parse_moment("2024-03-05T09:00:00").unwrap();
    let month = Period::parse("2024-03").unwrap();
    let denied = ErrorKind::PermissionDenied;
    let missing = ErrorKind::NotFound;
    // Short names keep the table one call per line.
    let (e, r, v, f, a) = (
        outside.entry,
        outside.resident,
        outside.visit,
        outside.finding,
        outside.assignment,
    );
    let calls: Vec<Call<'_>> = vec![
        // Units: codes the caller names.
        ("unit", denied, Box::new(|s| ok(s.unit(OUTSIDE_GRID, None)))),
        (
            "children",
            denied,
            Box::new(|s| ok(s.children(OUTSIDE_TOWNSHIP, None))),
        ),
        (
            "descendants",
            denied,
            Box::new(|s| ok(s.descendants(OUTSIDE_TOWNSHIP, None, None))),
        ),
        (
            "ancestors",
            denied,
            Box::new(|s| ok(s.ancestors(OUTSIDE_GRID, None))),
        ),
        (
            "scope",
            denied,
            Box::new(|s| ok(s.scope(OUTSIDE_TOWNSHIP, "x"))),
        ),
        (
            "add_unit",
            denied,
            Box::new(|s| {
                ok(s.add_unit(
                    "512021101001009",
                    "x",
                    "grid",
                    Some(OUTSIDE_COMMUNITY),
                    None,
                ))
            }),
        ),
        (
            "add_units",
            denied,
            Box::new(|s| {
                ok(s.add_units(&[NewUnit {
                    code: "512021101001009".into(),
                    name: "x".into(),
                    level: "grid".into(),
                    parent: Some(OUTSIDE_COMMUNITY.into()),
                    start: None,
                }]))
            }),
        ),
        (
            "move_unit",
            denied,
            Box::new(|s| ok(s.move_unit(OUTSIDE_GRID, "512021100001", d("2024-06-01")))),
        ),
        (
            "move_unit in",
            denied,
            Box::new(|s| ok(s.move_unit(INSIDE_GRID, OUTSIDE_COMMUNITY, d("2024-06-01")))),
        ),
        (
            "retire_unit",
            denied,
            Box::new(|s| ok(s.retire_unit(OUTSIDE_GRID, d("2024-06-01")))),
        ),
        // Staff and assignments.
        ("staff", denied, Box::new(|s| ok(s.staff("OUT")))),
        (
            "staff_phone",
            denied,
            Box::new(|s| ok(s.staff_phone("OUT"))),
        ),
        (
            "assign outside unit",
            denied,
            Box::new(|s| ok(s.assign("FREE", OUTSIDE_GRID, "grid_worker", None, None))),
        ),
        (
            "assign staff of outside",
            denied,
            Box::new(|s| ok(s.assign("OUT", INSIDE_GRID, "grid_worker", None, None))),
        ),
        (
            "end_assignment",
            missing,
            Box::new(move |s| s.end_assignment(a, d("2024-06-01"))),
        ),
        (
            "assignments",
            denied,
            Box::new(|s| ok(s.assignments(OUTSIDE_GRID, None))),
        ),
        (
            "responsible",
            denied,
            Box::new(|s| ok(s.responsible(OUTSIDE_GRID, None))),
        ),
        (
            "due_visits_for_staff",
            denied,
            Box::new(|s| ok(s.due_visits_for_staff("OUT", None))),
        ),
        // Households and residents: ids a scope may not learn of.
        (
            "add_household",
            denied,
            Box::new(|s| ok(s.add_household("N1", OUTSIDE_GRID, "x", "registered", &[], None))),
        ),
        (
            "household",
            missing,
            Box::new(|s| ok(s.household("O1", None))),
        ),
        (
            "households",
            denied,
            Box::new(|s| ok(s.households(OUTSIDE_GRID, &HouseholdFilter::default()))),
        ),
        (
            "household_class",
            missing,
            Box::new(|s| ok(s.household_class("O1", None))),
        ),
        (
            "move_household out",
            missing,
            Box::new(|s| ok(s.move_household("O1", INSIDE_GRID, d("2024-06-01")))),
        ),
        (
            "move_household in",
            denied,
            Box::new(|s| ok(s.move_household("I1", OUTSIDE_GRID, d("2024-06-01")))),
        ),
        (
            "end_household",
            missing,
            Box::new(|s| s.end_household("O1", d("2024-06-01"))),
        ),
        (
            "tag",
            missing,
            Box::new(|s| s.tag("O1", "低保", None, None)),
        ),
        (
            "untag",
            missing,
            Box::new(|s| s.untag("O1", "低保", d("2024-06-01"))),
        ),
        (
            "add_resident",
            missing,
            Box::new(|s| ok(s.add_resident("O1", &resident("新人", None, None), None))),
        ),
        (
            "resident",
            missing,
            Box::new(move |s| ok(s.resident(r, None))),
        ),
        (
            "residents",
            missing,
            Box::new(|s| ok(s.residents("O1", None))),
        ),
        (
            "resident_clear",
            missing,
            Box::new(move |s| ok(s.resident_clear(r))),
        ),
        (
            "move_resident out",
            missing,
            Box::new(move |s| ok(s.move_resident(r, "I1", "spouse", d("2024-06-01")))),
        ),
        (
            "tag_resident",
            missing,
            Box::new(move |s| s.tag_resident(r, "低保", None, None)),
        ),
        (
            "untag_resident",
            missing,
            Box::new(move |s| s.untag_resident(r, "低保", d("2024-06-01"))),
        ),
        (
            "unit_counts",
            denied,
            Box::new(|s| ok(s.unit_counts(OUTSIDE_GRID, None))),
        ),
        // Archives.
        ("archive", missing, Box::new(|s| ok(s.archive("O1", None)))),
        (
            "archive_history",
            missing,
            Box::new(|s| ok(s.archive_history("O1", "basic"))),
        ),
        (
            "set_archive_section",
            missing,
            Box::new(|s| ok(s.set_archive_section_json("O1", "basic", "{}"))),
        ),
        (
            "verify_archive",
            missing,
            Box::new(|s| s.verify_archive("O1", d("2024-06-01"))),
        ),
        // Visits, patrols, findings.
        (
            "record_visit",
            missing,
            Box::new(|s| ok(s.record_visit("O1", "OUT", "home", d("2024-03-03"), ""))),
        ),
        (
            "record_visits",
            missing,
            Box::new(|s| {
                ok(s.record_visits(&[NewVisit {
                    household_id: "O1".into(),
                    staff_id: "OUT".into(),
                    channel: wangge::Channel::Home,
                    on: d("2024-03-03"),
                    note: String::new(),
                }]))
            }),
        ),
        ("visits", missing, Box::new(|s| ok(s.visits("O1")))),
        (
            "due_visits",
            denied,
            Box::new(|s| ok(s.due_visits(OUTSIDE_GRID, None))),
        ),
        (
            "visit_compliance",
            denied,
            Box::new(|s| ok(s.visit_compliance(OUTSIDE_GRID, &month, false))),
        ),
        (
            "reverification_due",
            denied,
            Box::new(|s| ok(s.reverification_due(OUTSIDE_GRID, None))),
        ),
        (
            "record_patrol",
            denied,
            Box::new(|s| {
                ok(s.record_patrol(
                    OUTSIDE_GRID,
                    "OUT",
                    s.parse_moment("2024-03-03T10:00:00").unwrap(),
                    "",
                ))
            }),
        ),
        (
            "patrols",
            denied,
            Box::new(|s| ok(s.patrols(OUTSIDE_GRID, &month))),
        ),
        (
            "patrol_compliance",
            denied,
            Box::new(|s| ok(s.patrol_compliance(OUTSIDE_GRID, &month, false))),
        ),
        (
            "quota_compliance",
            denied,
            Box::new(|s| ok(s.quota_compliance(OUTSIDE_GRID, &month, false))),
        ),
        (
            "record_finding",
            missing,
            Box::new(move |s| ok(s.record_finding(v, "x", None, false))),
        ),
        (
            "findings",
            denied,
            Box::new(|s| ok(s.findings(OUTSIDE_GRID, false))),
        ),
        // The ledger.
        (
            "classify unit",
            denied,
            Box::new(|s| ok(s.classify(None, "路灯", None, Some(OUTSIDE_GRID), false, None))),
        ),
        (
            "classify household",
            missing,
            Box::new(|s| ok(s.classify(None, "路灯", Some("O1"), None, false, None))),
        ),
        (
            "register",
            denied,
            Box::new(move |s| ok(s.register(&NewEntry::new(OUTSIDE_GRID, None, "路灯不亮", at)))),
        ),
        (
            "register household",
            missing,
            Box::new(move |s| {
                ok(s.register(&NewEntry {
                    household_id: Some("O1".into()),
                    ..NewEntry::new(INSIDE_GRID, None, "路灯不亮", at)
                }))
            }),
        ),
        (
            "register finding",
            missing,
            Box::new(move |s| {
                ok(s.register(&NewEntry {
                    finding_id: Some(f),
                    ..NewEntry::new(INSIDE_GRID, None, "x", at)
                }))
            }),
        ),
        (
            "register resident",
            missing,
            Box::new(move |s| {
                ok(s.register(&NewEntry {
                    resident_id: Some(r),
                    ..NewEntry::new(INSIDE_GRID, None, "x", at)
                }))
            }),
        ),
        (
            "register_entries",
            denied,
            Box::new(move |s| {
                ok(s.register_entries(&[NewEntry::new(OUTSIDE_GRID, None, "路灯不亮", at)]))
            }),
        ),
        (
            "register_finding",
            missing,
            Box::new(move |s| ok(s.register_finding(f, None, &at))),
        ),
        ("entry", missing, Box::new(move |s| ok(s.entry(e)))),
        ("history", missing, Box::new(move |s| ok(s.history(e)))),
        (
            "entries",
            denied,
            Box::new(|s| ok(s.entries(&EntryQuery::new(OUTSIDE_GRID)))),
        ),
        (
            "piles",
            denied,
            Box::new(move |s| ok(s.piles(OUTSIDE_GRID, month))),
        ),
        (
            "sign_for",
            missing,
            Box::new(move |s| ok(s.sign_for(e, "FREE", &at))),
        ),
        (
            "start",
            missing,
            Box::new(move |s| ok(s.start(e, "FREE", &at))),
        ),
        (
            "escalate",
            missing,
            Box::new(move |s| ok(s.escalate(e, &at, "x", None))),
        ),
        (
            "return_entry",
            missing,
            Box::new(move |s| ok(s.return_entry(e, &at, "x"))),
        ),
        (
            "mark_hard",
            missing,
            Box::new(move |s| ok(s.mark_hard(e, &at, "x"))),
        ),
        (
            "suspend",
            missing,
            Box::new(move |s| ok(s.suspend(e, &at, "x"))),
        ),
        ("resume", missing, Box::new(move |s| ok(s.resume(e, &at)))),
        (
            "extend",
            missing,
            Box::new(move |s| ok(s.extend(e, &at, 3, "x"))),
        ),
        (
            "resolve",
            missing,
            Box::new(move |s| ok(s.resolve(e, &at, "x"))),
        ),
        (
            "verify",
            missing,
            Box::new(move |s| ok(s.verify(e, &at, true, "x"))),
        ),
        (
            "close_entry",
            missing,
            Box::new(move |s| ok(s.close_entry(e, &at))),
        ),
        (
            "reopen",
            missing,
            Box::new(move |s| ok(s.reopen(e, &at, "x"))),
        ),
        (
            "work_entries",
            missing,
            Box::new(move |s| ok(s.work_entries(&[EntryAction::sign_for(e, "FREE", at)]))),
        ),
        // Reports and submissions.
        (
            "report",
            denied,
            Box::new(move |s| ok(s.report(OUTSIDE_TOWNSHIP, month))),
        ),
        (
            "circular",
            denied,
            Box::new(move |s| ok(s.circular(OUTSIDE_TOWNSHIP, month, "closure_rate", None))),
        ),
        (
            "assessment",
            denied,
            Box::new(move |s| ok(s.assessment(OUTSIDE_TOWNSHIP, month))),
        ),
        (
            "submit",
            denied,
            Box::new(move |s| ok(s.submit(OUTSIDE_GRID, month, &at))),
        ),
        (
            "approve",
            denied,
            Box::new(move |s| ok(s.approve(OUTSIDE_GRID, month, &at))),
        ),
        (
            "submission",
            denied,
            Box::new(move |s| ok(s.submission(OUTSIDE_GRID, month))),
        ),
        (
            "submissions",
            denied,
            Box::new(move |s| ok(s.submissions(OUTSIDE_GRID, month))),
        ),
        // The deployment as a whole.
        ("verify_audit", denied, Box::new(|s| ok(s.verify_audit()))),
        (
            "verify_audit_since",
            denied,
            Box::new(|s| {
                let head = format!(r#"{{"seq": 0, "digest": "{}", "at": ""}}"#, "0".repeat(64));
                ok(s.verify_audit_since(&wangge::AuditHead::from_json(&head)?))
            }),
        ),
        ("audit_head", denied, Box::new(|s| ok(s.audit_head()))),
        (
            "define_tag",
            denied,
            Box::new(|s| s.define_tag("新标签", false)),
        ),
        (
            "load_calendar",
            denied,
            Box::new(|s| ok(s.load_calendar("2030 元旦 off 01-01"))),
        ),
        (
            "set_visit_rules",
            denied,
            Box::new(|s| s.set_visit_rules_json("[]", None)),
        ),
        (
            "set_quota_rules",
            denied,
            Box::new(|s| s.set_quota_rules_json("[]", None)),
        ),
        (
            "set_patrol_rules",
            denied,
            Box::new(|s| s.set_patrol_rules_json("[]", None)),
        ),
        (
            "set_ledger_rules",
            denied,
            Box::new(|s| s.set_ledger_rules_json("{}", None)),
        ),
        (
            "set_reporting_rules",
            denied,
            Box::new(|s| s.set_reporting_rules_json("[]", None)),
        ),
        (
            "set_assessment_rules",
            denied,
            Box::new(|s| s.set_assessment_rules_json("[]", None)),
        ),
        ("rekey", denied, Box::new(|s| s.rekey(b"0123456789abcdef"))),
        ("close", denied, Box::new(Store::close)),
    ];
    let before = dump(&path);
    let audit = store.audit_log(0, usize::MAX).unwrap().len();
    let mut wrong = Vec::new();
    for (name, kind, call) in &calls {
        match call(&town) {
            Err(err) if err.kind() == *kind => {}
            other => wrong.push(format!("{name}: expected {kind:?}, got {other:?}")),
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert_eq!(store.audit_log(0, usize::MAX).unwrap().len(), audit);
    assert_eq!(dump(&path), before, "a refused call changed a table");
    // The ticker on a scope does nothing to entries outside it.
    let later = store.parse_moment("2030-01-01T00:00:00").unwrap();
    assert!(town.tick(&later).unwrap().is_empty());
    assert_eq!(dump(&path), before);
}

#[test]
fn outside_is_not_found_exactly_as_nothing_is() {
    let (store, _path, o) = world("indistinguishable");
    let town = store.scope(TOWNSHIP, "岳阳镇管理员").unwrap();
    let outside = town.household("O1", Some(d("2024-06-01"))).unwrap_err();
    let nothing = town.household("Z9", Some(d("2024-06-01"))).unwrap_err();
    assert_eq!(outside.to_string().replace("O1", "Z9"), nothing.to_string());
    let outside = town.entry(o.entry).unwrap_err();
    let nothing = town.entry(o.entry + 1000).unwrap_err();
    assert_eq!(
        outside.to_string().replace(&o.entry.to_string(), "X"),
        nothing
            .to_string()
            .replace(&(o.entry + 1000).to_string(), "X")
    );
    let outside = town
        .resident(o.resident, Some(d("2024-06-01")))
        .unwrap_err();
    assert!(!outside.to_string().contains("O1"), "{outside}");
}

fn row(line: usize, household: &str, unit: &str, name: &str, id_number: &str) -> ImportRow {
    ImportRow {
        line,
        household_id: household.into(),
        unit: unit.into(),
        address: "海慧路9号".into(),
        kind: "registered".into(),
        name: name.into(),
        id_number: id_number.into(),
        ..Default::default()
    }
}

#[test]
fn an_import_through_a_scope_refuses_rows_registered_outside() {
    let (store, path, _) = world("import");
    let town = store.scope(TOWNSHIP, "岳阳镇管理员").unwrap();
    let rows = [
        row(2, "N1", INSIDE_GRID, "新居民", ""),
        // The household lives in the other township: the import would move it.
        row(3, "O1", INSIDE_GRID, "付良容", ""),
        // A new household inside, naming a resident registered outside.
        row(4, "N2", INSIDE_GRID, "付良容", OUTSIDE_ID_NUMBER),
    ];
    let before = dump(&path);
    let audit = store.audit_log(0, usize::MAX).unwrap().len();
    let result = town
        .import_households(&rows, &ImportOptions::default(), None)
        .unwrap();
    let errors: Vec<(usize, &str)> = result
        .errors
        .iter()
        .map(|e| (e.line, e.field.as_str()))
        .collect();
    assert_eq!(errors, [(3, "household_id"), (4, "id_number")]);
    assert!(result.errors[1].message.contains("510123"));
    assert!(!result.errors[1].message.contains(OUTSIDE_ID_NUMBER));
    assert_eq!(dump(&path), before, "all or nothing: nothing written");
    assert_eq!(store.audit_log(0, usize::MAX).unwrap().len(), audit);
    let csv = "household_id,unit,address,kind,name,id_number\n\
               O1,512021100001001,x,registered,付良容,\n";
    let result = town
        .import_households_csv(csv.as_bytes(), &ImportOptions::default(), None)
        .unwrap();
    assert_eq!(result.errors.len(), 1);
    assert_eq!(result.errors[0].field, "household_id");
    assert_eq!(dump(&path), before);
    // Skipping bad rows writes the good one only; the household outside stays where it is.
    let skip = ImportOptions {
        mode: ImportMode::SkipInvalid,
        ..Default::default()
    };
    let result = town.import_households(&rows, &skip, None).unwrap();
    assert_eq!(result.errors.len(), 2);
    assert_eq!(result.inserted, 2);
    assert_eq!(store.household("O1", None).unwrap().unit, OUTSIDE_GRID);
    assert_eq!(store.household("N1", None).unwrap().unit, INSIDE_GRID);
    assert!(store.household("N2", None).is_err());
    // The same rows through an unrestricted handle move the household, as they always did.
    let result = store.import_households(&rows, &skip, None).unwrap();
    assert!(result.errors.is_empty(), "{:?}", result.errors);
    assert_eq!(store.household("O1", None).unwrap().unit, INSIDE_GRID);
}

#[test]
fn the_audit_log_of_a_scope_shows_only_records_about_its_subtree() {
    let (store, _path, _) = world("audit");
    let town = store.scope(TOWNSHIP, "岳阳镇管理员").unwrap();
    let other = store.scope(OUTSIDE_TOWNSHIP, "石桥铺镇管理员").unwrap();
    store.define_tag("新标签", false).unwrap();
    town.tag("I1", "低保", None, None).unwrap();
    let all = store.audit_log(0, usize::MAX).unwrap();
    let mine = town.audit_log(0, usize::MAX).unwrap();
    let theirs = other.audit_log(0, usize::MAX).unwrap();
    let targets = |log: &[wangge::AuditRecord]| -> Vec<String> {
        log.iter()
            .map(|r| format!("{} {}", r.action, r.target))
            .collect()
    };
    assert_eq!(
        targets(&mine),
        [
            "add_unit 512021100",
            "add_unit 512021100001",
            "add_unit 512021100002",
            "add_unit 512021100001001",
            "add_unit 512021100001002",
            "add_unit 512021100002001",
            "add_household I1",
            "tag I1",
        ]
    );
    let theirs = targets(&theirs);
    for expected in [
        "add_unit 512021101",
        "assign OUT",
        "add_household O1",
        "record_visit O1",
        "record_finding O1",
        "set_archive_section O1",
    ] {
        assert!(
            theirs.contains(&expected.to_owned()),
            "{expected} in {theirs:?}"
        );
    }
    assert!(theirs.iter().all(|t| !t.contains("I1")));
    // The county, staff names and tag kinds are the deployment's: unrestricted only.
    for hidden in ["add_unit 512021", "add_staff OUT", "define_tag 新标签"] {
        assert!(targets(&all).contains(&hidden.to_owned()));
        assert!(!theirs.contains(&hidden.to_owned()));
        assert!(!targets(&mine).contains(&hidden.to_owned()));
    }
    // A batch naming many units is placed as well as a single write.
    let at = store.parse_moment("2024-03-02T09:00:00").unwrap();
    let batch = vec![NewEntry::new(INSIDE_GRID, None, "路灯不亮", at); 70];
    town.register_entries(&batch).unwrap();
    assert_eq!(
        targets(&town.audit_log(mine.last().unwrap().seq, 10).unwrap()),
        ["register_entries 70 entries"]
    );
    assert!(
        !targets(&other.audit_log(0, usize::MAX).unwrap())
            .iter()
            .any(|t| t.starts_with("register_entries"))
    );
    // Pages count only what the scope sees.
    let page = town.audit_log(mine[2].seq, 2).unwrap();
    assert_eq!(page, mine[3..5]);
    // A unit moved out of the township takes its later records with it; earlier ones
    // stay where they were written.
    store
        .move_unit("512021100002", OUTSIDE_TOWNSHIP, d("2024-01-01"))
        .unwrap();
    store
        .add_household("M1", "512021100002001", "x", "registered", &[], None)
        .unwrap();
    let mine = targets(&town.audit_log(0, usize::MAX).unwrap());
    assert!(mine.contains(&"add_unit 512021100002001".to_owned()));
    assert!(!mine.contains(&"add_household M1".to_owned()));
    assert!(!mine.iter().any(|t| t.starts_with("move_unit")));
    assert!(
        targets(&other.audit_log(0, usize::MAX).unwrap()).contains(&"add_household M1".to_owned())
    );
}

#[test]
fn a_scope_cannot_assign_staff_assigned_outside() {
    let (store, _path, o) = world("staff");
    let town = store.scope(TOWNSHIP, "岳阳镇管理员").unwrap();
    let err = town
        .assign("OUT", INSIDE_GRID, "grid_worker", None, None)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::PermissionDenied, "{err}");
    assert!(err.to_string().contains("OUT"), "{err}");
    // Unassigned staff, and staff whose outside assignment has ended, can be assigned.
    town.assign("FREE", INSIDE_GRID, "grid_worker", None, None)
        .unwrap();
    store.end_assignment(o.assignment, d("2024-01-31")).unwrap();
    town.assign(
        "OUT",
        INSIDE_GRID,
        "grid_worker",
        Some(d("2024-02-01")),
        None,
    )
    .unwrap();
    // The county may assign anyone anywhere.
    store
        .assign("FREE", OUTSIDE_GRID, "guide", None, None)
        .unwrap();
}

#[test]
fn closing_a_store_closes_its_scopes() {
    let (store, _path, _) = world("close");
    let town = store.scope(TOWNSHIP, "岳阳镇管理员").unwrap();
    let grid = town.scope(INSIDE_GRID, "网格员").unwrap();
    assert_eq!(
        grid.close().unwrap_err().kind(),
        ErrorKind::PermissionDenied
    );
    assert!(!store.is_closed());
    store.close().unwrap();
    store.close().unwrap();
    for handle in [&store, &town, &grid] {
        assert!(handle.is_closed());
        let err = handle.unit(INSIDE_GRID, None).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Storage);
        assert_eq!(
            err.to_string(),
            format!("storage error: {}", wangge::STORE_CLOSED)
        );
        assert_eq!(
            handle.household("I1", None).unwrap_err().kind(),
            ErrorKind::Storage
        );
        assert_eq!(
            handle.tag("I1", "低保", None, None).unwrap_err().kind(),
            ErrorKind::Storage
        );
        assert_eq!(
            handle.audit_log(0, 10).unwrap_err().kind(),
            ErrorKind::Storage
        );
    }
}
