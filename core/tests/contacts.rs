//! Contact quotas ("1+10"), patrols (一日双巡, 日巡查, 周自查) and what visits find.

mod common;
use common::{county, d};
use wangge::{ErrorKind, Period, Store};

const GRID: &str = "512021100001001";
const GRID2: &str = "512021100001002";
const COMMUNITY: &str = "512021100001";

fn period(text: &str) -> Period {
    Period::parse(text).unwrap()
}

fn moment(store: &Store, text: &str) -> wangge::Moment {
    store.parse_moment(text).unwrap()
}

/// A county with twelve households in the first grid and two party members on it.
fn store() -> Store {
    let store = county();
    for i in 0..12 {
        store
            .add_household(&format!("H{i:02}"), GRID, "海慧路", "registered", &[], None)
            .unwrap();
    }
    for (id, name) in [("P1", "党员甲"), ("P2", "党员乙"), ("W1", "网格员")] {
        store.add_staff(id, name, None).unwrap();
    }
    store
        .assign("P1", GRID, "party_member", Some(d("2024-01-01")), None)
        .unwrap();
    // P2 joins on 10 March: not held for January or February, held from March.
    store
        .assign("P2", GRID2, "party_member", Some(d("2024-03-10")), None)
        .unwrap();
    store.assign("W1", GRID, "grid_worker", None, None).unwrap();
    store
}

fn contact(store: &Store, staff: &str, households: std::ops::Range<usize>, on: &str) {
    for i in households {
        store
            .record_visit(&format!("H{i:02}"), staff, "phone", d(on), "")
            .unwrap();
    }
}

#[test]
fn each_party_member_must_contact_ten_distinct_households_a_month() {
    let store = store();
    // January: ten distinct households. February: nine, one of them twice.
    contact(&store, "P1", 0..10, "2024-01-15");
    contact(&store, "P1", 0..9, "2024-02-03");
    contact(&store, "P1", 0..1, "2024-02-20");
    // March: eleven.
    contact(&store, "P1", 0..11, "2024-03-28");
    let q = store
        .quota_compliance(COMMUNITY, &period("2024-Q1"), true)
        .unwrap();
    assert_eq!(q.rules.len(), 1);
    assert_eq!(q.rules[0].rule, "1+10");
    // P1 three months, P2 from April only (assigned after 1 March).
    assert_eq!((q.total.required, q.total.met), (3, 2));
    assert_eq!(q.staff.len(), 1);
    assert_eq!((q.staff[0].required, q.staff[0].met), (3, 2));
    let contacts: Vec<(String, u64, bool)> = q
        .requirements
        .iter()
        .map(|r| (r.from.to_string(), r.contacts, r.met))
        .collect();
    assert_eq!(
        contacts,
        [
            ("2024-01-01".into(), 10, true),
            ("2024-02-01".into(), 9, false),
            ("2024-03-01".into(), 11, true),
        ]
    );
    // April: P2 is held too, and has contacted nobody.
    let april = store
        .quota_compliance(COMMUNITY, &period("2024-04"), false)
        .unwrap();
    assert_eq!((april.total.required, april.total.met), (2, 0));
    assert!(april.requirements.is_empty());
    assert_eq!(april.staff[1].staff_id, "P2");
    // The second grid alone holds only P2.
    let grid = store
        .quota_compliance(GRID2, &period("2024-04"), false)
        .unwrap();
    assert_eq!(grid.staff.len(), 1);
    assert_eq!(grid.staff[0].staff_id, "P2");
}

#[test]
fn quota_rules_are_versioned_data_checked_field_by_field() {
    let store = store();
    assert_eq!(store.quota_rules(None).unwrap()[0].contacts, 10);
    // From Q2, five households a quarter for grid workers instead.
    store
        .set_quota_rules_json(
            r#"[{"name":"网格员联户","role":"grid_worker","contacts":5,"per":"quarter"}]"#,
            Some(d("2024-04-01")),
        )
        .unwrap();
    assert_eq!(
        store.quota_rules(Some(d("2024-03-31"))).unwrap()[0].name,
        "1+10"
    );
    let json = store.quota_rules_json(Some(d("2024-04-01"))).unwrap();
    assert!(
        json.contains("网格员联户") && json.contains("grid_worker"),
        "{json}"
    );
    contact(&store, "W1", 0..5, "2024-05-01");
    let h1 = store
        .quota_compliance(GRID, &period("2024-H1"), false)
        .unwrap();
    let names: Vec<(&str, u64, u64)> = h1
        .rules
        .iter()
        .map(|r| (r.rule.as_str(), r.required, r.met))
        .collect();
    // Q1 months under 1+10 (P1, nothing recorded), Q2 under the new quarterly quota.
    assert_eq!(names, [("1+10", 3, 0), ("网格员联户", 1, 1)]);
    for (bad, field) in [
        (r#"[{"role":"mayor","contacts":10,"per":"month"}]"#, "role"),
        (
            r#"[{"role":"party_member","contacts":0,"per":"month"}]"#,
            "contacts",
        ),
        (
            r#"[{"role":"party_member","contacts":10,"per":"fortnight"}]"#,
            "per",
        ),
        (r#"[{"role":"party_member","per":"month"}]"#, "contacts"),
        (
            r#"[{"role":"party_member","contacts":10,"per":"month","k":1}]"#,
            "rule",
        ),
        (r#"{"role":"party_member"}"#, "rules"),
    ] {
        let err = store.set_quota_rules_json(bad, None).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{bad}");
        assert!(err.to_string().contains(field), "{bad}: {err}");
    }
    let scoped = store.scope(GRID, "网格员").unwrap();
    assert_eq!(
        scoped.set_quota_rules_json("[]", None).unwrap_err().kind(),
        ErrorKind::PermissionDenied
    );
}

#[test]
fn the_default_patrol_rule_is_twice_a_day_for_every_grid() {
    let store = store();
    let rules = store.patrol_rules(None).unwrap();
    assert_eq!((rules[0].name.as_str(), rules[0].times), ("一日双巡", 2));
    // Grid 1: twice on 4 March, once on 5 March. Late evening UTC is the next day here.
    for at in [
        "2024-03-04T08:30:00+08:00",
        "2024-03-04 17:00",
        "2024-03-05T09:00",
        "2024-03-05T23:30:00+00:00",
    ] {
        store
            .record_patrol(GRID, "W1", moment(&store, at), "")
            .unwrap();
    }
    let p = store
        .patrol_compliance(COMMUNITY, &period("2024-03-04"), true)
        .unwrap();
    // Both grids of the community are held; only grid 1 walked twice.
    assert_eq!((p.total.required, p.total.met), (2, 1));
    assert_eq!(p.units[0].unit, GRID);
    assert_eq!(p.units[0].met, 1);
    let next = store
        .patrol_compliance(GRID, &period("2024-03-05"), true)
        .unwrap();
    assert_eq!(next.requirements[0].patrols, 1);
    assert!(!next.requirements[0].met);
    let sixth = store.patrols(GRID, &period("2024-03-06")).unwrap();
    assert_eq!(sixth.len(), 1);
    assert_eq!(sixth[0].at.to_rfc3339(), "2024-03-05T23:30:00+00:00");
    // A week: seven days for each of two grids.
    let week = store
        .patrol_compliance(COMMUNITY, &period("2024-W10"), false)
        .unwrap();
    assert_eq!((week.total.required, week.total.met), (14, 1));
}

#[test]
fn daily_and_weekly_patrol_rules_count_per_unit() {
    let store = store();
    store
        .set_patrol_rules_json(
            r#"[{"name":"日巡查","level":"grid","times":1,"per":"day"},
                {"name":"周自查","level":"community","times":1,"per":"week"}]"#,
            None,
        )
        .unwrap();
    // Grid 1 walked every day of ISO week 2024-W10 (4–10 March); the community checked
    // itself once.
    for day in 4..=10 {
        store
            .record_patrol(
                GRID,
                "W1",
                moment(&store, &format!("2024-03-{day:02}T09:00")),
                "",
            )
            .unwrap();
    }
    store
        .record_patrol(COMMUNITY, "W1", moment(&store, "2024-03-08T15:00"), "")
        .unwrap();
    let week = store
        .patrol_compliance(COMMUNITY, &period("2024-W10"), false)
        .unwrap();
    let rules: Vec<(&str, u64, u64)> = week
        .rules
        .iter()
        .map(|r| (r.rule.as_str(), r.required, r.met))
        .collect();
    assert_eq!(rules, [("日巡查", 14, 7), ("周自查", 1, 1)]);
    let grid2 = week.units.iter().find(|u| u.unit == GRID2).unwrap();
    assert_eq!(
        (grid2.required, grid2.met, grid2.rate.value),
        (7, 0, Some(0.0))
    );
    // March: weeks count in the month where they end (W09 ends 3 March, W13 on 31 March).
    let march = store
        .patrol_compliance("512021101", &period("2024-03"), false)
        .unwrap();
    let weekly = march.rules.iter().find(|r| r.rule == "周自查").unwrap();
    assert_eq!(weekly.required, 5);
    // Bad rules name their field; a level the store lacks is refused.
    for (bad, field) in [
        (r#"[{"level":"village","per":"day"}]"#, "level"),
        (r#"[{"level":"grid","times":0,"per":"day"}]"#, "times"),
        (r#"[{"level":"grid","per":"shift"}]"#, "per"),
    ] {
        let err = store.set_patrol_rules_json(bad, None).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{bad}");
        assert!(err.to_string().contains(field), "{bad}: {err}");
    }
    assert!(
        store.verify_audit().unwrap().ok,
        "{:?}",
        store.verify_audit().unwrap()
    );
}

#[test]
fn patrols_are_refused_outside_scope_for_unknown_staff_or_units() {
    let store = store();
    let at = moment(&store, "2024-03-04T08:00");
    assert_eq!(
        store
            .record_patrol(GRID, "NOBODY", at, "")
            .unwrap_err()
            .kind(),
        ErrorKind::NotFound
    );
    assert_eq!(
        store
            .record_patrol("512021100001999", "W1", at, "")
            .unwrap_err()
            .kind(),
        ErrorKind::NotFound
    );
    let scoped = store.scope(GRID2, "网格员").unwrap();
    assert_eq!(
        scoped.record_patrol(GRID, "W1", at, "").unwrap_err().kind(),
        ErrorKind::PermissionDenied
    );
    let p = scoped.record_patrol(GRID2, "W1", at, "路灯不亮").unwrap();
    assert_eq!(p.on, d("2024-03-04"));
    let audit = store.audit_log(0, 1000).unwrap();
    assert!(
        audit
            .iter()
            .any(|r| r.action == "record_patrol" && r.target == GRID2)
    );
    assert!(store.verify_audit().unwrap().ok);
}

#[test]
fn findings_stay_open_for_the_ledger_and_follow_the_tree() {
    let store = store();
    let visit = store
        .record_visit("H01", "W1", "home", d("2024-03-04"), "")
        .unwrap();
    let f = store
        .record_finding(visit.id, "楼道灯坏了", Some("市政设施"), false)
        .unwrap();
    assert_eq!((f.unit.as_str(), f.entry_id), (GRID, None));
    store
        .record_finding(visit.id, "燃气味道", None, true)
        .unwrap();
    let open = store.findings("512021100", true).unwrap();
    assert_eq!(open.len(), 2);
    assert!(open[1].urgent && open[1].category.is_none());
    assert!(store.findings("512021101", false).unwrap().is_empty());
    for (summary, category, field) in [("", None, "summary"), ("x", Some(""), "category")] {
        let err = store
            .record_finding(visit.id, summary, category, false)
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        assert!(err.to_string().contains(field), "{err}");
    }
    assert_eq!(
        store
            .record_finding(9999, "x", None, false)
            .unwrap_err()
            .kind(),
        ErrorKind::NotFound
    );
    let other = store.scope("512021101", "村干部").unwrap();
    assert_eq!(
        other
            .record_finding(visit.id, "x", None, false)
            .unwrap_err()
            .kind(),
        ErrorKind::NotFound,
        "a visit outside a scope is not found, as if there were none"
    );
    assert!(
        store.verify_audit().unwrap().ok,
        "{:?}",
        store.verify_audit().unwrap()
    );
}

#[test]
fn quotas_patrols_and_findings_persist_across_reopen() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("wangge-quota-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("c.db");
    let _ = std::fs::remove_file(&path);
    {
        let store = Store::open(&path).unwrap();
        store
            .add_unit("512021", "安岳县", "county", None, None)
            .unwrap();
        store.add_staff("W1", "网格员", None).unwrap();
        store
            .set_patrol_rules_json(r#"[{"name":"日巡查","level":"county","per":"day"}]"#, None)
            .unwrap();
        store
            .record_patrol("512021", "W1", moment(&store, "2024-03-04T08:00"), "")
            .unwrap();
    }
    let store = Store::open(&path).unwrap();
    let p = store
        .patrol_compliance("512021", &period("2024-03-04"), false)
        .unwrap();
    assert_eq!((p.rules[0].rule.as_str(), p.total.met), ("日巡查", 1));
    drop(store);
    std::fs::remove_dir_all(&dir).unwrap();
}
