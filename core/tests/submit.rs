//! Submitted reports: cadences, submission and approval, completeness and timeliness,
//! and the locks approval sets on the facts of the period.

mod common;

use common::{county, d};
use wangge::{
    Channel, ErrorKind, NewEntry, NewVisit, Period, PeriodKind, ReportingRule, Store,
    SubmissionStatus, default_reporting_rules,
};

const GRID: &str = "512021100001001";
const OTHER_GRID: &str = "512021100001002";
const COMMUNITY: &str = "512021100001";
const TOWNSHIP: &str = "512021100";
const COUNTY: &str = "512021";

fn p(text: &str) -> Period {
    Period::parse(text).unwrap()
}

fn at(store: &Store, text: &str) -> wangge::Moment {
    store.parse_moment(text).unwrap()
}

fn with_households() -> Store {
    let store = county();
    store.add_staff("W1", "王网格员", None).unwrap();
    for (id, grid) in [("H1", GRID), ("H2", GRID), ("H3", OTHER_GRID)] {
        store
            .add_household(id, grid, "海慧路", "registered", &[], None)
            .unwrap();
    }
    store
}

#[test]
fn the_default_cadence_is_the_seeds() {
    let store = county();
    let rules = store.reporting_rules(None).unwrap();
    assert_eq!(rules, default_reporting_rules());
    let cadence: Vec<(&str, PeriodKind, u32)> = rules
        .iter()
        .map(|r| (r.level.as_str(), r.every, r.due_working_days))
        .collect();
    assert_eq!(
        cadence,
        [
            ("grid", PeriodKind::Week, 1),
            ("community", PeriodKind::Month, 3),
            ("township", PeriodKind::Quarter, 5)
        ]
    );
    let err = store
        .set_reporting_rules_json(r#"[{"level": "province", "every": "month"}]"#, None)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.to_string().contains("province"), "{err}");
}

#[test]
fn a_submission_seals_the_report_with_its_time_and_author() {
    let store = with_households();
    let grid = store.scope(GRID, "王网格员").unwrap();
    let week = p("2025-W10");
    let s = grid
        .submit(GRID, week, &at(&store, "2025-03-10T17:00:00"))
        .unwrap();
    assert_eq!(s.status, SubmissionStatus::Submitted);
    assert_eq!(s.author.as_deref(), Some("王网格员"));
    assert_eq!(
        s.due,
        at(&store, "2025-03-10T23:59:59"),
        "Monday after the week"
    );
    assert!(s.on_time);
    let report: serde_json::Value = serde_json::from_str(s.report.as_deref().unwrap()).unwrap();
    assert_eq!(
        (report["unit"].as_str(), report["period"].as_str()),
        (Some(GRID), Some("2025-W10"))
    );
    assert_eq!(report["totals"]["households"], 2);
    // A later household does not change what was sealed.
    store
        .add_household(
            "H9",
            GRID,
            "海慧路9号",
            "registered",
            &[],
            Some(d("2025-03-05")),
        )
        .unwrap();
    let again = store.submission(GRID, week).unwrap();
    assert_eq!(again.report, s.report);
    // A second version is allowed until approval; timeliness keeps the first.
    let s2 = grid
        .submit(GRID, week, &at(&store, "2025-03-12T09:00:00"))
        .unwrap();
    assert_eq!((s2.versions, s2.on_time), (2, true));

    let err = grid
        .submit(GRID, p("2025-03"), &at(&store, "2025-04-01T09:00:00"))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(
        err.to_string().contains("2025-03") && err.to_string().contains("week"),
        "{err}"
    );
    let err = store
        .submit(COUNTY, p("2025-Q1"), &at(&store, "2025-04-01T09:00:00"))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    let err = grid
        .submit(OTHER_GRID, week, &at(&store, "2025-03-10T09:00:00"))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::PermissionDenied);
}

#[test]
fn completeness_and_timeliness_count_expected_reports_per_row() {
    let store = with_households();
    let monday = |t: &str| at(&store, t);
    // March 2025 holds the weeks W10..W13 (each week goes where its Thursday is).
    store
        .submit(GRID, p("2025-W10"), &monday("2025-03-10T10:00:00"))
        .unwrap();
    store
        .submit(GRID, p("2025-W11"), &monday("2025-03-19T10:00:00"))
        .unwrap();
    store
        .submit(OTHER_GRID, p("2025-W12"), &monday("2025-03-24T10:00:00"))
        .unwrap();
    store
        .submit(COMMUNITY, p("2025-03"), &monday("2025-04-02T10:00:00"))
        .unwrap();
    let report = store.report(COMMUNITY, p("2025-03")).unwrap();
    let row = |unit: &str| {
        let r = report.rows.iter().find(|r| r.unit == unit).unwrap();
        let i = &r.indicators;
        (
            (i.report_completeness.num, i.report_completeness.den),
            i.report_timeliness.num,
        )
    };
    assert_eq!(row(GRID), ((2, 4), 1), "W11 came two days late");
    assert_eq!(row(OTHER_GRID), ((1, 4), 1));
    assert_eq!(
        row(COMMUNITY),
        ((1, 1), 1),
        "the own row: the community's monthly report"
    );
    let t = &report.totals;
    assert_eq!(
        (t.report_completeness.num, t.report_completeness.den),
        (4, 9)
    );
    assert_eq!(t.report_timeliness.num, 3);

    let list = store.submissions(COMMUNITY, p("2025-03")).unwrap();
    assert_eq!(list.len(), 9);
    let missing = list
        .iter()
        .filter(|s| s.status == SubmissionStatus::Missing)
        .count();
    assert_eq!(missing, 5);
    // A quarter of the township: three monthly reports per community, one of its own.
    let report = store.report(TOWNSHIP, p("2025-Q1")).unwrap();
    let own = report.rows.iter().find(|r| r.own).unwrap();
    assert_eq!(own.indicators.report_completeness.den, 1);
    let community = report.rows.iter().find(|r| r.unit == COMMUNITY).unwrap();
    assert_eq!(
        community.indicators.report_completeness.den,
        3 + 2 * 13,
        "3 months and 2 grids × 13 weeks"
    );
}

#[test]
fn the_level_above_approves_and_approval_locks_the_period() {
    let store = with_households();
    let week = p("2025-W10");
    store
        .submit(GRID, week, &at(&store, "2025-03-10T10:00:00"))
        .unwrap();
    let grid = store.scope(GRID, "王网格员").unwrap();
    let err = grid
        .approve(GRID, week, &at(&store, "2025-03-11T10:00:00"))
        .unwrap_err();
    assert_eq!(
        err.kind(),
        ErrorKind::PermissionDenied,
        "not by the grid itself"
    );
    let err = store
        .approve(OTHER_GRID, week, &at(&store, "2025-03-11T10:00:00"))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound, "nothing submitted");
    let community = store.scope(COMMUNITY, "陈社区干部").unwrap();
    let s = community
        .approve(GRID, week, &at(&store, "2025-03-11T10:00:00"))
        .unwrap();
    assert_eq!(s.status, SubmissionStatus::Approved);
    assert_eq!(s.approver.as_deref(), Some("陈社区干部"));
    let err = community
        .approve(GRID, week, &at(&store, "2025-03-11T11:00:00"))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict);
    let err = store
        .submit(GRID, week, &at(&store, "2025-03-11T12:00:00"))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict);

    // Facts of the grid dated in the week are refused as conflicts with the approval.
    let locked = |e: wangge::Error| {
        assert_eq!(e.kind(), ErrorKind::Conflict, "{e}");
        let message = e.to_string();
        assert!(
            message.contains("locked") && message.contains("approved"),
            "{e}"
        );
    };
    let err = store
        .record_visit("H1", "W1", "home", d("2025-03-05"), "")
        .unwrap_err();
    assert!(err.to_string().contains("a visit"), "{err}");
    locked(err);
    locked(
        store
            .register(&NewEntry::new(
                GRID,
                Some("就业"),
                "找工作",
                at(&store, "2025-03-06T09:00:00"),
            ))
            .unwrap_err(),
    );
    locked(
        store
            .add_household(
                "H8",
                GRID,
                "海慧路8号",
                "registered",
                &[],
                Some(d("2025-03-04")),
            )
            .unwrap_err(),
    );
    locked(
        store
            .tag("H1", "低保", Some(d("2025-03-07")), None)
            .unwrap_err(),
    );
    locked(
        store
            .move_household("H2", OTHER_GRID, d("2025-03-08"))
            .unwrap_err(),
    );
    // An import dated in the week that moves a household of the grid writes nothing.
    let file = format!(
        "household_id,unit,address,kind,tags,name,id_number,phone,relation
         H2,{OTHER_GRID},海慧路,registered,,郑小芳,440524188001010014,,head
"
    );
    let options = wangge::ImportOptions {
        on: Some(d("2025-03-05")),
        ..Default::default()
    };
    locked(
        store
            .import_households_csv(file.as_bytes(), &options, None)
            .unwrap_err(),
    );
    assert_eq!(store.household("H2", None).unwrap().unit, GRID);
    // A batch with one locked visit writes nothing.
    let batch = [
        NewVisit {
            household_id: "H3".into(),
            staff_id: "W1".into(),
            channel: Channel::Phone,
            on: d("2025-03-05"),
            note: String::new(),
        },
        NewVisit {
            household_id: "H1".into(),
            staff_id: "W1".into(),
            channel: Channel::Phone,
            on: d("2025-03-06"),
            note: String::new(),
        },
    ];
    locked(store.record_visits(&batch).unwrap_err());
    assert!(store.visits("H3").unwrap().is_empty());

    // Outside the week, or outside the grid, facts are written as before.
    store
        .record_visit("H1", "W1", "home", d("2025-03-10"), "")
        .unwrap();
    store
        .record_visit("H3", "W1", "home", d("2025-03-05"), "")
        .unwrap();
    let e = store
        .register(&NewEntry::new(
            GRID,
            Some("就业"),
            "找工作",
            at(&store, "2025-03-02T09:00:00"),
        ))
        .unwrap();
    // An action on it inside the locked week is refused; after it, allowed.
    locked(
        store
            .sign_for(e.id, "W1", &at(&store, "2025-03-03T09:00:00"))
            .unwrap_err(),
    );
    store
        .sign_for(e.id, "W1", &at(&store, "2025-03-10T09:00:00"))
        .unwrap();
    assert!(store.verify_audit().unwrap().ok);
}

#[test]
fn approval_locks_persist_across_close_and_reopen() {
    let path = common::temp_store_path("locks");
    {
        let store = Store::open(&path).unwrap();
        store
            .add_unit(COUNTY, "安岳县", "county", None, None)
            .unwrap();
        store
            .add_unit(TOWNSHIP, "岳阳镇", "township", Some(COUNTY), None)
            .unwrap();
        store
            .add_unit(COMMUNITY, "北坝社区", "community", Some(TOWNSHIP), None)
            .unwrap();
        store.add_staff("W1", "王网格员", None).unwrap();
        store
            .add_household("H1", COMMUNITY, "海慧路1号", "registered", &[], None)
            .unwrap();
        store
            .set_reporting_rules(
                &[ReportingRule {
                    level: "community".into(),
                    every: PeriodKind::Month,
                    due_working_days: 2,
                }],
                None,
            )
            .unwrap();
        store
            .submit(COMMUNITY, p("2025-03"), &at(&store, "2025-04-01T09:00:00"))
            .unwrap();
        store
            .approve(COMMUNITY, p("2025-03"), &at(&store, "2025-04-02T09:00:00"))
            .unwrap();
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(store.reporting_rules(None).unwrap().len(), 1);
    let s = store.submission(COMMUNITY, p("2025-03")).unwrap();
    assert_eq!(s.status, SubmissionStatus::Approved);
    assert_eq!(s.due, at(&store, "2025-04-02T23:59:59"));
    let err = store
        .record_visit("H1", "W1", "phone", d("2025-03-31"), "")
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict);
    store
        .record_visit("H1", "W1", "phone", d("2025-04-01"), "")
        .unwrap();
    drop(store);
    let _ = std::fs::remove_dir_all(path.parent().unwrap());
}

#[test]
fn a_batch_of_entries_is_refused_whole_for_one_in_a_locked_period_and_written_as_one_by_one() {
    let locked = with_households();
    let week = p("2025-W10");
    locked
        .submit(GRID, week, &at(&locked, "2025-03-10T10:00:00"))
        .unwrap();
    locked
        .approve(GRID, week, &at(&locked, "2025-03-11T10:00:00"))
        .unwrap();
    let summaries = [
        "路灯不亮",
        "邻里纠纷，楼上噪音扰民",
        "三单元燃气泄漏",
        "申请低保续办",
    ];
    let batch: Vec<NewEntry> = (0..70)
        .map(|i| {
            let (grid, household) = if i % 2 == 0 {
                (GRID, "H1")
            } else {
                (OTHER_GRID, "H3")
            };
            let mut e = NewEntry::new(
                grid,
                None,
                summaries[i % summaries.len()],
                at(&locked, &format!("2025-03-12T09:{:02}:00", i % 60)),
            );
            e.household_id = (i % 5 == 0).then(|| household.to_owned());
            e.urgent = i % 7 == 0;
            e
        })
        .collect();
    let first = NewEntry::new(GRID, None, "路灯不亮", at(&locked, "2025-03-12T08:00:00"));
    let first_id = locked.register(&first).unwrap().id;

    // Entry 40 is dated in the approved week: the batch names it and writes nothing.
    let mut refused = batch.clone();
    refused[40].reported_at = at(&locked, "2025-03-06T09:00:00");
    let err = locked.register_entries(&refused).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict, "{err}");
    assert!(err.to_string().contains("entry 40 of the batch"), "{err}");
    assert!(err.to_string().contains("locked"), "{err}");
    let none_after = |s: &Store| s.entry(first_id + 1).unwrap_err().kind();
    assert_eq!(none_after(&locked), ErrorKind::NotFound);

    // The batch as written is what registering each entry by itself writes.
    let ids = locked.register_entries(&batch).unwrap();
    assert_eq!(ids, (first_id + 1..=first_id + 70).collect::<Vec<_>>());
    let one_by_one = with_households();
    one_by_one.register(&first).unwrap();
    for (e, id) in batch.iter().zip(&ids) {
        assert_eq!(one_by_one.register(e).unwrap().id, *id);
        let (a, b) = (locked.entry(*id).unwrap(), one_by_one.entry(*id).unwrap());
        assert_eq!(a.to_json(), b.to_json());
        let history = |s: &Store| {
            s.history(*id)
                .unwrap()
                .iter()
                .map(wangge::EntryEvent::to_json)
                .collect::<Vec<_>>()
        };
        assert_eq!(history(&locked), history(&one_by_one));
    }
    assert!(locked.verify_audit().unwrap().ok);
}
