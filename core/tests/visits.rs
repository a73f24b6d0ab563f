//! Visits: the seed's rules, due lists, compliance, rolling rules and rule versions.

mod common;
use common::{county, d};
use wangge::{Channel, ErrorKind, Period, Store, VisitRule};

const GRID: &str = "512021100001001";
const GRID2: &str = "512021100001002";

fn store() -> Store {
    let store = county();
    store.add_staff("S1", "网格员甲", None).unwrap();
    store
}

/// (household, rule, due, overdue) of a due list.
fn items(store: &Store, unit: &str, on: &str) -> Vec<(String, String, String, bool)> {
    store
        .due_visits(unit, Some(d(on)))
        .unwrap()
        .into_iter()
        .map(|i| (i.household_id, i.rule, i.due.to_string(), i.overdue))
        .collect()
}

fn item(h: &str, rule: &str, due: &str, overdue: bool) -> (String, String, String, bool) {
    (h.into(), rule.into(), due.into(), overdue)
}

#[test]
fn an_unvisited_ordinary_household_is_due_for_both_rules_and_overdue() {
    let store = store();
    store
        .add_household("H1", GRID, "海慧路1号", "registered", &[], None)
        .unwrap();
    assert_eq!(
        items(&store, "512021", "2024-05-15"),
        [
            item("H1", "普通户入户", "2024-06-30", true),
            item("H1", "普通户电话", "2024-06-30", true),
        ]
    );
    // Contacts in the previous periods: due, not overdue.
    store
        .record_visit("H1", "S1", "home", d("2023-08-01"), "")
        .unwrap();
    store
        .record_visit("H1", "S1", "phone", d("2024-02-01"), "")
        .unwrap();
    assert_eq!(
        items(&store, GRID, "2024-05-15"),
        [
            item("H1", "普通户入户", "2024-06-30", false),
            item("H1", "普通户电话", "2024-06-30", false),
        ]
    );
    let due = store.due_visits(GRID, Some(d("2024-05-15"))).unwrap();
    assert_eq!(due[1].last_visit, Some(d("2024-02-01")));
    assert_eq!(
        due[0].last_visit,
        Some(d("2023-08-01")),
        "a home visit is also a contact for the home rule"
    );
    assert_eq!(due[0].unit, GRID);
    assert_eq!(due[0].channel, Channel::Home);
}

#[test]
fn a_home_visit_satisfies_the_phone_rule() {
    let store = store();
    store
        .add_household("H1", GRID, "海慧路1号", "registered", &[], None)
        .unwrap();
    store
        .record_visit("H1", "S1", "home", d("2024-04-10"), "入户")
        .unwrap();
    assert!(items(&store, GRID, "2024-05-15").is_empty());
    // A phone call does not satisfy the home rule.
    store
        .add_household("H2", GRID, "海慧路2号", "registered", &[], None)
        .unwrap();
    store
        .record_visit("H2", "S1", "phone", d("2024-04-10"), "")
        .unwrap();
    assert_eq!(
        items(&store, GRID, "2024-05-15"),
        [item("H2", "普通户入户", "2024-06-30", true)]
    );
}

#[test]
fn a_tag_gained_mid_quarter_changes_the_rules_from_the_next_period_of_each() {
    let store = store();
    store
        .add_household("H1", GRID, "海慧路1号", "registered", &[], None)
        .unwrap();
    store
        .tag("H1", "低保", Some(d("2024-02-15")), None)
        .unwrap();
    let rules = |on: &str| -> Vec<String> {
        let mut names: Vec<String> = items(&store, GRID, on).into_iter().map(|i| i.1).collect();
        names.sort();
        names
    };
    // Ordinary on 1 January: still held to the ordinary quarterly phone and half-year home
    // rules; not to the special monthly phone rule in February (ordinary on 1 February).
    assert_eq!(rules("2024-02-20"), ["普通户入户", "普通户电话"]);
    // From March the special monthly phone rule; Q1 phone and H1 home stay ordinary.
    assert_eq!(
        rules("2024-03-05"),
        ["普通户入户", "普通户电话", "特殊户电话"]
    );
    // From Q2 the special quarterly home rule; H1 home is still the ordinary one.
    assert_eq!(
        rules("2024-04-05"),
        ["普通户入户", "特殊户入户", "特殊户电话"]
    );
    // From H2 only special rules.
    assert_eq!(rules("2024-07-05"), ["特殊户入户", "特殊户电话"]);
}

#[test]
fn a_household_arriving_mid_period_is_first_held_in_the_next_period() {
    let store = store();
    store
        .add_household(
            "H1",
            GRID,
            "海慧路1号",
            "registered",
            &[],
            Some(d("2024-02-10")),
        )
        .unwrap();
    assert!(items(&store, GRID, "2024-02-20").is_empty());
    // Q2: the quarterly phone rule holds it, not overdue (not held in Q1); H1 home does not.
    assert_eq!(
        items(&store, GRID, "2024-04-02"),
        [item("H1", "普通户电话", "2024-06-30", false)]
    );
    // A household moved into another grid mid-quarter is not yet held there.
    store
        .add_household("H2", GRID2, "海慧路2号", "registered", &[], None)
        .unwrap();
    store.move_household("H2", GRID, d("2024-05-01")).unwrap();
    assert!(
        items(&store, GRID, "2024-05-10")
            .iter()
            .all(|i| i.0 != "H2")
    );
    assert!(
        items(&store, "512021", "2024-05-10")
            .iter()
            .any(|i| i.0 == "H2")
    );
}

#[test]
fn a_missed_period_made_up_later_stays_missed_in_compliance() {
    let store = store();
    store
        .add_household("H1", GRID, "海慧路1号", "registered", &["低保"], None)
        .unwrap();
    for (day, channel) in [
        ("2024-01-05", "home"),
        ("2024-02-05", "phone"),
        ("2024-04-12", "phone"),
    ] {
        store.record_visit("H1", "S1", channel, d(day), "").unwrap();
    }
    // March had no call: on 10 April the April call is overdue.
    assert_eq!(
        items(&store, GRID, "2024-04-10"),
        [
            item("H1", "特殊户电话", "2024-04-30", true),
            item("H1", "特殊户入户", "2024-06-30", false),
        ],
        "overdue items first"
    );
    // The call of 12 April settles April, not March.
    assert_eq!(
        items(&store, GRID, "2024-04-13"),
        [item("H1", "特殊户入户", "2024-06-30", false)]
    );
    let q1 = store
        .visit_compliance("512021", &Period::parse("2024-Q1").unwrap(), true)
        .unwrap();
    let phone = q1.rules.iter().find(|r| r.rule == "特殊户电话").unwrap();
    assert_eq!((phone.required, phone.met), (3, 2));
    assert_eq!(phone.rate.value, Some(2.0 / 3.0));
    let march = q1
        .requirements
        .iter()
        .find(|r| r.rule == "特殊户电话" && r.from == d("2024-03-01"))
        .unwrap();
    assert!(!march.met);
    assert_eq!((q1.total.required, q1.total.met), (4, 3));
}

#[test]
fn half_year_rules_count_in_the_quarter_where_the_half_year_ends() {
    let store = store();
    store
        .add_household("H1", GRID, "海慧路1号", "registered", &[], None)
        .unwrap();
    store
        .record_visit("H1", "S1", "home", d("2024-02-01"), "")
        .unwrap();
    let names = |period: &str| -> Vec<(String, u64, u64)> {
        store
            .visit_compliance(GRID, &Period::parse(period).unwrap(), false)
            .unwrap()
            .rules
            .into_iter()
            .filter(|r| r.required > 0)
            .map(|r| (r.rule, r.required, r.met))
            .collect()
    };
    // Rules that held no household are listed, their rate null rather than 0.
    let q1 = store
        .visit_compliance(GRID, &Period::parse("2024-Q1").unwrap(), false)
        .unwrap();
    let special = q1.rules.iter().find(|r| r.rule == "特殊户电话").unwrap();
    assert_eq!((special.required, special.rate.value), (0, None));
    assert_eq!(names("2024-Q1"), [("普通户电话".to_owned(), 1, 1)]);
    assert_eq!(
        names("2024-Q2"),
        [
            ("普通户入户".to_owned(), 1, 1),
            ("普通户电话".to_owned(), 1, 0)
        ]
    );
    assert_eq!(
        names("2024"),
        [
            ("普通户入户".to_owned(), 2, 1),
            ("普通户电话".to_owned(), 4, 1)
        ]
    );
    // No households: no requirements, and the rate is null rather than 0.
    let empty = store
        .visit_compliance("512021101", &Period::parse("2024-Q1").unwrap(), false)
        .unwrap();
    assert_eq!((empty.total.required, empty.total.rate.value), (0, None));
}

#[test]
fn rolling_rules_count_from_the_last_contact_or_from_entering_their_scope() {
    let store = store();
    let rules = r#"[
        {"name": "矫正对象每周电话", "tag": "矫正对象", "channel": "phone", "every": 7, "per": "days", "mode": "rolling"}
    ]"#;
    store.set_visit_rules_json(rules, None).unwrap();
    store
        .add_household("H1", GRID, "海慧路1号", "registered", &[], None)
        .unwrap();
    store
        .tag("H1", "矫正对象", Some(d("2024-03-01")), None)
        .unwrap();
    // Never contacted: due a cadence after entering the scope.
    assert_eq!(
        items(&store, GRID, "2024-03-05"),
        [item("H1", "矫正对象每周电话", "2024-03-08", false)]
    );
    assert_eq!(
        items(&store, GRID, "2024-03-09"),
        [item("H1", "矫正对象每周电话", "2024-03-08", true)]
    );
    store
        .record_visit("H1", "S1", "phone", d("2024-03-10"), "")
        .unwrap();
    assert_eq!(
        items(&store, GRID, "2024-03-12"),
        [item("H1", "矫正对象每周电话", "2024-03-17", false)]
    );
    assert!(
        items(&store, GRID, "2024-02-20").is_empty(),
        "not yet tagged"
    );
}

#[test]
fn rule_sets_are_versioned_and_checked_field_by_field() {
    let store = store();
    let defaults = store.visit_rules(None).unwrap();
    assert_eq!(defaults, wangge::default_visit_rules());
    let json = store.visit_rules_json(None).unwrap();
    let back: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(back[3]["per"], "month");
    assert_eq!(back[3]["class"], "special");
    // From July, special households are called every two months.
    let mut rules = defaults.clone();
    rules[3].cadence.every = 2;
    store
        .set_visit_rules(&rules, Some(d("2024-07-01")))
        .unwrap();
    assert_eq!(store.visit_rules(Some(d("2024-06-30"))).unwrap(), defaults);
    assert_eq!(store.visit_rules(Some(d("2024-07-01"))).unwrap(), rules);
    store
        .add_household("H1", GRID, "海慧路1号", "registered", &["低保"], None)
        .unwrap();
    let calls = |period: &str| {
        store
            .visit_compliance(GRID, &Period::parse(period).unwrap(), false)
            .unwrap()
            .rules
            .into_iter()
            .find(|r| r.rule == "特殊户电话")
            .unwrap()
            .required
    };
    assert_eq!(calls("2024-Q2"), 3, "the past keeps its monthly rule");
    assert_eq!(
        calls("2024-H2"),
        3,
        "July-August, September-October, November-December"
    );
    for (json, field) in [
        (
            r#"[{"class": "poor", "channel": "home", "per": "month"}]"#,
            "household_class",
        ),
        (
            r#"[{"tag": "不存在", "channel": "home", "per": "month"}]"#,
            "tag",
        ),
        (
            r#"[{"class": "special", "channel": "fax", "per": "month"}]"#,
            "channel",
        ),
        (
            r#"[{"class": "special", "channel": "home", "per": "fortnight"}]"#,
            "per",
        ),
        (
            r#"[{"class": "special", "channel": "home", "per": "month", "every": 0}]"#,
            "every",
        ),
        (
            r#"[{"class": "special", "channel": "home", "per": "month", "mode": "sometimes"}]"#,
            "mode",
        ),
        (
            r#"[{"class": "special", "tag": "低保", "channel": "home", "per": "month"}]"#,
            "class",
        ),
        (r#"{"class": "special"}"#, "rules"),
        ("not json", "rules"),
    ] {
        let err = store.set_visit_rules_json(json, None).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{json}");
        match &err {
            wangge::Error::InvalidInput { field: f, .. } => assert_eq!(*f, field, "{json}: {err}"),
            other => panic!("{other}"),
        }
    }
    let scoped = store.scope(GRID, "网格员").unwrap();
    assert_eq!(
        scoped.set_visit_rules(&rules, None).unwrap_err().kind(),
        ErrorKind::PermissionDenied
    );
    let _: &VisitRule = &rules[0];
}

#[test]
fn visits_are_refused_for_unknown_households_staff_and_channels() {
    let store = store();
    store
        .add_household(
            "H1",
            GRID,
            "海慧路1号",
            "registered",
            &[],
            Some(d("2024-03-01")),
        )
        .unwrap();
    let err = |r: wangge::Result<wangge::Visit>| r.unwrap_err().kind();
    assert_eq!(
        err(store.record_visit("H1", "S1", "home", d("2024-02-01"), "")),
        ErrorKind::NotFound
    );
    assert_eq!(
        err(store.record_visit("H9", "S1", "home", d("2024-03-02"), "")),
        ErrorKind::NotFound
    );
    assert_eq!(
        err(store.record_visit("H1", "S9", "home", d("2024-03-02"), "")),
        ErrorKind::NotFound
    );
    assert_eq!(
        err(store.record_visit("H1", "S1", "fax", d("2024-03-02"), "")),
        ErrorKind::InvalidInput
    );
    let other = store.scope("512021101", "外镇").unwrap();
    assert_eq!(
        err(other.record_visit("H1", "S1", "home", d("2024-03-02"), "")),
        ErrorKind::NotFound
    );
    let visit = store
        .record_visit("H1", "S1", "电话", d("2024-03-02"), "询问近况")
        .unwrap();
    assert_eq!(visit.channel, Channel::Phone);
    assert_eq!(store.visits("H1").unwrap(), [visit]);
    let last = store.audit_log(0, 1000).unwrap().pop().unwrap();
    assert_eq!(
        (last.action.as_str(), last.target.as_str()),
        ("record_visit", "H1")
    );
}

#[test]
fn a_staff_members_due_list_covers_the_units_they_are_assigned_to() {
    let store = store();
    store.assign("S1", GRID, "grid_worker", None, None).unwrap();
    store
        .add_household("H1", GRID, "海慧路1号", "registered", &[], None)
        .unwrap();
    store
        .add_household("H2", GRID2, "海慧路2号", "registered", &[], None)
        .unwrap();
    let mine = store
        .due_visits_for_staff("S1", Some(d("2024-05-01")))
        .unwrap();
    assert_eq!(mine.len(), 2);
    assert!(mine.iter().all(|i| i.household_id == "H1"));
    assert_eq!(
        store.due_visits_for_staff("S9", None).unwrap_err().kind(),
        ErrorKind::NotFound
    );
}

#[test]
fn floating_and_relocation_households_are_re_verified_every_quarter() {
    let store = store();
    store
        .add_household("F1", GRID, "海慧路1号", "floating", &[], None)
        .unwrap();
    store
        .add_household("R1", GRID, "海慧路2号", "registered", &["拆迁过渡"], None)
        .unwrap();
    store
        .add_household("N1", GRID, "海慧路3号", "registered", &[], None)
        .unwrap();
    store
        .add_household("T1", GRID, "海慧路4号", "registered", &[], None)
        .unwrap();
    store
        .tag("T1", "流动人口", Some(d("2024-05-01")), None)
        .unwrap();
    store.verify_archive("F1", d("2024-02-10")).unwrap();
    let due = |on: &str| -> Vec<(String, String, bool)> {
        store
            .reverification_due("512021", Some(d(on)))
            .unwrap()
            .into_iter()
            .map(|r| (r.household_id, r.due.to_string(), r.overdue))
            .collect()
    };
    // R1 was never verified and was held last quarter: overdue. F1 was verified in Q1: due.
    // T1 became floating mid-quarter: first held in Q3. N1 is never held.
    assert_eq!(
        due("2024-05-15"),
        [
            ("R1".to_owned(), "2024-06-30".to_owned(), true),
            ("F1".to_owned(), "2024-06-30".to_owned(), false),
        ]
    );
    store.verify_archive("R1", d("2024-05-20")).unwrap();
    store.verify_archive("F1", d("2024-05-20")).unwrap();
    assert!(due("2024-05-21").is_empty());
    let q3 = store
        .reverification_due(GRID, Some(d("2024-07-02")))
        .unwrap();
    assert_eq!(
        q3.iter()
            .map(|r| r.household_id.as_str())
            .collect::<Vec<_>>(),
        ["F1", "R1", "T1"]
    );
    assert!(q3.iter().all(|r| !r.overdue));
    assert_eq!(q3[0].verified, Some(d("2024-05-20")));
    assert!(
        store.verify_audit().unwrap().ok,
        "{:?}",
        store.verify_audit().unwrap()
    );
}

/// A county's due list as (household, rule, due, overdue), and its per-rule figures.
type Fingerprint = (Vec<(String, String, String, bool)>, Vec<(String, u64, u64)>);

fn fingerprint(store: &Store) -> Fingerprint {
    let due = items(store, "512021", "2024-05-15");
    let compliance = store
        .visit_compliance("512021", &Period::parse("2024-Q1").unwrap(), false)
        .unwrap()
        .rules
        .into_iter()
        .map(|r| (r.rule, r.required, r.met))
        .collect();
    (due, compliance)
}

#[test]
fn answers_after_writes_match_a_store_opened_afresh_and_see_other_connections() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("wangge-due-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("county.db");
    let _ = std::fs::remove_file(&path);
    let store = Store::open(&path).unwrap();
    for (code, name, level, parent) in [
        ("512021", "安岳县", "county", None),
        ("512021100", "岳阳镇", "township", Some("512021")),
        ("512021100001", "北坝社区", "community", Some("512021100")),
        (GRID, "北坝一网格", "grid", Some("512021100001")),
        (GRID2, "北坝二网格", "grid", Some("512021100001")),
    ] {
        store.add_unit(code, name, level, parent, None).unwrap();
    }
    store.add_staff("S1", "网格员甲", None).unwrap();
    for i in 0..30 {
        let grid = if i % 2 == 0 { GRID } else { GRID2 };
        store
            .add_household(&format!("H{i:02}"), grid, "海慧路", "registered", &[], None)
            .unwrap();
        if i % 3 == 0 {
            store
                .record_visit(&format!("H{i:02}"), "S1", "home", d("2024-01-10"), "")
                .unwrap();
        }
    }
    // Build the caches, then change the facts they hold through this store.
    let before = fingerprint(&store);
    store
        .tag("H01", "低保", Some(d("2023-12-01")), None)
        .unwrap();
    store
        .tag("H04", "残疾", Some(d("2024-02-15")), None)
        .unwrap();
    store.move_household("H02", GRID2, d("2024-02-01")).unwrap();
    for i in [1, 5, 7] {
        store
            .record_visit(&format!("H{i:02}"), "S1", "phone", d("2024-03-03"), "")
            .unwrap();
    }
    store
        .record_visit("H10", "S1", "home", d("2024-05-02"), "")
        .unwrap();
    let after = fingerprint(&store);
    assert_ne!(before, after);
    assert_eq!(after, fingerprint(&Store::open(&path).unwrap()));
    // A visit recorded through another connection to the same file is seen.
    let other = Store::open(&path).unwrap();
    other
        .record_visit("H12", "S1", "home", d("2024-05-03"), "")
        .unwrap();
    let seen = fingerprint(&store);
    assert_ne!(seen, after);
    assert!(!seen.0.iter().any(|(h, _, _, _)| h == "H12"));
    assert_eq!(seen, fingerprint(&Store::open(&path).unwrap()));
    // Redefining a tag kind rebuilds the registry snapshot, and the visit log with it:
    // 空巢 households become ordinary, held to the ordinary rules from the next periods.
    store
        .tag("H20", "空巢", Some(d("2023-01-01")), None)
        .unwrap();
    let special = fingerprint(&store);
    store.define_tag("空巢", false).unwrap();
    store
        .record_visit("H22", "S1", "phone", d("2024-05-04"), "")
        .unwrap();
    let ordinary = fingerprint(&store);
    assert_ne!(special, ordinary);
    assert_eq!(ordinary, fingerprint(&Store::open(&path).unwrap()));
    drop((store, other));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_batch_of_visits_is_recorded_whole_or_not_at_all() {
    let store = store();
    for h in ["H1", "H2"] {
        store
            .add_household(h, GRID, "海慧路", "registered", &[], None)
            .unwrap();
    }
    let visit = |h: &str, staff: &str, on: &str| wangge::NewVisit {
        household_id: h.into(),
        staff_id: staff.into(),
        channel: Channel::Home,
        on: d(on),
        note: String::new(),
    };
    let before = store.audit_log(0, 1000).unwrap().len();
    let err = store
        .record_visits(&[
            visit("H1", "S1", "2024-03-01"),
            visit("H2", "NOBODY", "2024-03-01"),
        ])
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert!(err.to_string().contains("visit 1 of the batch"), "{err}");
    assert!(store.visits("H1").unwrap().is_empty());
    assert_eq!(items(&store, GRID, "2024-03-15").len(), 4);
    let ids = store
        .record_visits(&[
            visit("H1", "S1", "2024-03-01"),
            visit("H2", "S1", "2024-03-02"),
        ])
        .unwrap();
    assert_eq!(ids.len(), 2);
    assert_eq!(store.visits("H2").unwrap()[0].id, ids[1]);
    let audit = store.audit_log(0, 1000).unwrap();
    assert_eq!(audit.len(), before + 1);
    assert_eq!(audit.last().unwrap().action, "record_visits");
    // The due list sees the batch: both households' Q1 phone and H1 home rules are met.
    assert!(items(&store, GRID, "2024-03-15").is_empty());
    let scoped = store.scope(GRID2, "网格员").unwrap();
    assert_eq!(
        scoped
            .record_visits(&[visit("H1", "S1", "2024-03-03")])
            .unwrap_err()
            .kind(),
        ErrorKind::NotFound
    );
    assert!(
        store.verify_audit().unwrap().ok,
        "{:?}",
        store.verify_audit().unwrap()
    );
}

#[test]
fn a_batch_reads_from_json_naming_the_bad_field_and_position() {
    let store = store();
    store
        .add_household("H1", GRID, "海慧路", "registered", &[], None)
        .unwrap();
    let ids = store
        .record_visits_json(
            r#"[{"household_id":"H1","staff_id":"S1","channel":"phone","on":"2024-03-01"},
                {"household_id":"H1","staff_id":"S1","channel":"home","on":"2024-03-02","note":"好"}]"#,
        )
        .unwrap();
    assert_eq!(ids.len(), 2);
    assert_eq!(store.visits("H1").unwrap()[1].note, "好");
    for (bad, field) in [
        (
            r#"[{"household_id":"H1","staff_id":"S1","channel":"fax","on":"2024-03-01"}]"#,
            "channel",
        ),
        (
            r#"[{"household_id":"H1","staff_id":"S1","channel":"home","on":"3/1"}]"#,
            "on",
        ),
        (
            r#"[{"household_id":"H1","channel":"home","on":"2024-03-01"}]"#,
            "staff_id",
        ),
        (r"[1]", "visit"),
        (r#"{"household_id":"H1"}"#, "visits"),
    ] {
        let err = store.record_visits_json(bad).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{bad}");
        assert!(err.to_string().contains(field), "{bad}: {err}");
    }
    assert_eq!(store.visits("H1").unwrap().len(), 2);
}
