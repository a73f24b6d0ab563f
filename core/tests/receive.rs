//! Submissions travel up: three county stores submit their monthly reports, a city store
//! receives them and reports from them, and every figure equals a report over the three
//! counties' facts put together in one store. Then what a city must refuse: edited
//! figures, a seal recomputed over them, heads going backwards, another county's report,
//! a unit outside the handle's scope, a version after approval, malformed input.

mod common;

use common::d;
use serde_json::Value;
use wangge::{
    ErrorKind, Level, Levels, NewEntry, Period, PeriodKind, ReportingRule, Store, StoreOptions,
    SubmissionStatus, seal_of,
};

const CITY: &str = "5120";
const COUNTIES: [&str; 3] = ["512021", "512022", "512002"];

fn month() -> Period {
    Period::parse("2025-03").unwrap()
}

/// The units under a county: two streets, a community under each, three grids.
fn below(county: &str) -> Vec<(String, &'static str, String)> {
    let c = county;
    vec![
        (format!("{c}001"), "township", c.to_owned()),
        (format!("{c}002"), "township", c.to_owned()),
        (format!("{c}001001"), "community", format!("{c}001")),
        (format!("{c}002001"), "community", format!("{c}002")),
        (format!("{c}001001001"), "grid", format!("{c}001001")),
        (format!("{c}001001002"), "grid", format!("{c}001001")),
        (format!("{c}002001001"), "grid", format!("{c}002001")),
    ]
}

fn grids(county: &str) -> Vec<String> {
    below(county)
        .into_iter()
        .filter(|u| u.1 == "grid")
        .map(|u| u.0)
        .collect()
}

/// The seed's cadence, and counties monthly, due 3 working days after.
fn rules(store: &Store) {
    let mut rules = wangge::default_reporting_rules();
    rules.push(ReportingRule {
        level: "county".into(),
        every: PeriodKind::Month,
        due_working_days: 3,
    });
    store.set_reporting_rules(&rules, None).unwrap();
}

/// A store with a city above its counties (city, county, township, community, grid).
fn city_store(path: &str, with_tree: bool) -> Store {
    let levels = Levels::new(vec![
        Level::coded("city", 4),
        Level::coded("county", 6),
        Level::coded("township", 9),
        Level::coded("community", 12),
        Level::coded("grid", 15),
    ])
    .unwrap();
    let store = Store::open_with(
        path,
        StoreOptions {
            levels: Some(levels),
            ..Default::default()
        },
    )
    .unwrap();
    store.add_unit(CITY, "资阳市", "city", None, None).unwrap();
    for c in COUNTIES {
        store
            .add_unit(c, &format!("县{c}"), "county", Some(CITY), None)
            .unwrap();
        if with_tree {
            for (code, level, parent) in below(c) {
                store
                    .add_unit(&code, &format!("单位{code}"), level, Some(&parent), None)
                    .unwrap();
            }
        }
    }
    store.add_staff("W1", "王网格员", None).unwrap();
    rules(&store);
    store
}

/// A county's own store: the county at its root.
fn county_store(county: &str) -> Store {
    let store = Store::open(":memory:").unwrap();
    store
        .add_unit(county, &format!("县{county}"), "county", None, None)
        .unwrap();
    for (code, level, parent) in below(county) {
        store
            .add_unit(&code, &format!("单位{code}"), level, Some(&parent), None)
            .unwrap();
    }
    store.add_staff("W1", "王网格员", None).unwrap();
    rules(&store);
    store
}

struct Dice(u64);

impl Dice {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

/// The county's facts, the same in whichever store: households, visits, and entries
/// worked through their statuses, some on time and some late.
fn record(store: &Store, county: &str, k: u64) {
    let mut dice = Dice(2025 + k);
    let grids = grids(county);
    let mut households = Vec::new();
    for i in 0..(8 + k as usize * 3) {
        let grid = &grids[i % grids.len()];
        let id = format!("H{county}-{i}");
        let kind = if i % 4 == 0 { "floating" } else { "registered" };
        let tags: &[&str] = if i % 3 == 0 { &["低保"] } else { &[] };
        store
            .add_household(&id, grid, "幸福路", kind, tags, None)
            .unwrap();
        households.push(id);
    }
    for h in &households {
        for _ in 0..dice.below(5) {
            let day = d("2025-02-20") + chrono::Days::new(dice.below(40));
            let channel = if dice.below(2) == 0 { "home" } else { "phone" };
            store.record_visit(h, "W1", channel, day, "").unwrap();
        }
    }
    let streets: Vec<String> = below(county)
        .into_iter()
        .filter(|u| u.1 != "grid")
        .map(|u| u.0)
        .collect();
    for n in 0..(12 + 4 * k) {
        let unit = if n % 4 == 3 {
            &streets[n as usize % streets.len()]
        } else {
            &grids[n as usize % grids.len()]
        };
        let reported = store.parse_moment("2025-02-25T08:00:00").unwrap()
            + chrono::Duration::hours(i64::try_from(dice.below(24 * 33)).unwrap());
        let entry = NewEntry::new(unit, Some("市政设施"), &format!("诉求{n}"), reported);
        let id = store.register(&entry).unwrap().id;
        let mut at = reported;
        let mut step = |hours: u64| {
            at += chrono::Duration::hours(i64::try_from(1 + hours).unwrap());
            at
        };
        let stop = dice.below(6);
        if stop >= 1 {
            store.sign_for(id, "W1", &step(dice.below(30))).unwrap();
        }
        if stop >= 2 {
            store.start(id, "W1", &step(dice.below(30))).unwrap();
        }
        if stop >= 3 {
            // Some are resolved within days, some weeks late.
            store
                .resolve(id, &step(dice.below(24 * 20)), "已处理")
                .unwrap();
        }
        if stop >= 4 {
            store.verify(id, &step(2), true, "").unwrap();
        }
        if stop >= 5 {
            store.close_entry(id, &step(5)).unwrap();
        }
    }
}

fn at(store: &Store, text: &str) -> wangge::Moment {
    store.parse_moment(text).unwrap()
}

/// When each county submits March: the first on time, the second late, the third twice
/// (on time, then again with one more visit).
const SUBMITTED: [&str; 3] = [
    "2025-04-02T10:00:00",
    "2025-04-11T10:00:00",
    "2025-04-01T09:00:00",
];
const RESUBMITTED: &str = "2025-04-03T16:00:00";

/// Three county stores with their facts and submissions, and the same in one store with
/// the whole tree; returns the counties' sealed JSON (each version, oldest first).
fn counties(combined: &Store) -> (Vec<Store>, Vec<Vec<String>>) {
    let mut stores = Vec::new();
    let mut sealed = Vec::new();
    for (k, county) in COUNTIES.iter().enumerate() {
        let store = county_store(county);
        record(&store, county, k as u64);
        record(combined, county, k as u64);
        // Two grids report their first March weeks; grid reports count in completeness.
        for (grid, week, time) in [
            (0, "2025-W10", "2025-03-10T12:00:00"),
            (1, "2025-W11", "2025-03-20T12:00:00"),
        ] {
            let grid = &grids(county)[grid];
            for s in [&store, combined] {
                s.submit(grid, Period::parse(week).unwrap(), &at(s, time))
                    .unwrap();
            }
        }
        let first = store
            .submit(county, month(), &at(&store, SUBMITTED[k]))
            .unwrap();
        combined
            .submit(county, month(), &at(combined, SUBMITTED[k]))
            .unwrap();
        let mut versions = vec![first.to_json(true).to_string()];
        if k == 2 {
            let h = format!("H{county}-0");
            for s in [&store, combined] {
                s.record_visit(&h, "W1", "home", d("2025-03-30"), "补访")
                    .unwrap();
                s.submit(county, month(), &at(s, RESUBMITTED)).unwrap();
            }
            versions.push(
                store
                    .submission(county, month())
                    .unwrap()
                    .to_json(true)
                    .to_string(),
            );
        }
        stores.push(store);
        sealed.push(versions);
    }
    (stores, sealed)
}

fn dir(name: &str) -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("wangge-receive-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn a_city_reports_from_received_submissions_as_from_all_the_facts() {
    let combined = city_store(":memory:", true);
    let (stores, sealed) = counties(&combined);
    let folder = dir("city");
    let path = folder.join("city.db");
    let city = city_store(path.to_str().unwrap(), false);
    for versions in &sealed {
        for json in versions {
            let s = city.receive_submission(json).unwrap();
            assert_eq!(s.status, SubmissionStatus::Submitted);
            assert!(s.received_at.is_some());
        }
    }
    let want = combined.report(CITY, month()).unwrap();
    assert!(want.totals.ledger.received > 30, "{:?}", want.totals);
    assert!(want.totals.visits_home > 0 && want.totals.households > 30);
    let got = city.report(CITY, month()).unwrap();
    assert_eq!(got.rows.len(), 4, "a row per county and the own row");
    assert_eq!(got.totals, want.totals);
    assert_eq!(got.rows, want.rows);
    assert_eq!(got.by_category, want.by_category);
    assert_eq!(got.by_book, want.by_book);
    assert_eq!(got, want);
    // Each county's row is its own report's figures, completeness aside.
    for (store, county) in stores.iter().zip(COUNTIES) {
        let own = store.report(county, month()).unwrap();
        let row = got.rows.iter().find(|r| r.unit == county).unwrap();
        assert_eq!(row.indicators.ledger, own.totals.ledger);
        assert_eq!(row.indicators.home_coverage, own.totals.home_coverage);
    }
    // The counties' own reports: two on time, the late one not; all three received.
    let own = |c: &str| got.rows.iter().find(|r| r.unit == c).unwrap();
    let t = &own(COUNTIES[1]).indicators;
    assert!(t.report_completeness.num > t.report_timeliness.num, "{t:?}");
    let subs = city.submissions(CITY, month()).unwrap();
    let states: Vec<(&str, SubmissionStatus, u32, bool)> = subs
        .iter()
        .map(|s| (s.unit.as_str(), s.status, s.versions, s.on_time))
        .collect();
    assert_eq!(
        states,
        [
            ("512002", SubmissionStatus::Submitted, 2, true),
            ("512021", SubmissionStatus::Submitted, 1, true),
            ("512022", SubmissionStatus::Submitted, 1, false),
        ]
    );
    // Circulars rank the counties as over all the facts.
    for indicator in ["closure_rate", "home_coverage", "visits_home"] {
        assert_eq!(
            city.circular(CITY, month(), indicator, Some(0)).unwrap(),
            combined
                .circular(CITY, month(), indicator, Some(0))
                .unwrap(),
            "{indicator}"
        );
    }
    // The received report is the county's, as sealed.
    let received = city.submission(COUNTIES[2], month()).unwrap();
    let sent: Value = serde_json::from_str(&sealed[2][1]).unwrap();
    let stored: Value = serde_json::from_str(received.report.as_deref().unwrap()).unwrap();
    assert_eq!(stored, sent["report"]);
    assert_eq!(
        received.audit_head.as_ref().unwrap().seq,
        sent["audit_head"]["seq"].as_i64().unwrap()
    );
    // The same sealed JSON again changes nothing.
    let seq = city.audit_head().unwrap().seq;
    let again = city.receive_submission(&sealed[2][1]).unwrap();
    assert_eq!(again, received);
    let first = city.receive_submission(&sealed[2][0]).unwrap();
    assert_eq!(first.versions, 2);
    assert_eq!(city.audit_head().unwrap().seq, seq);
    // The city approves a received report; a newer version is then refused.
    let approved = city
        .approve(COUNTIES[0], month(), &at(&city, "2025-04-08T09:00:00"))
        .unwrap();
    assert_eq!(approved.status, SubmissionStatus::Approved);
    stores[0]
        .record_visit(
            &format!("H{}-1", COUNTIES[0]),
            "W1",
            "phone",
            d("2025-03-31"),
            "",
        )
        .unwrap();
    let newer = stores[0]
        .submit(COUNTIES[0], month(), &at(&stores[0], "2025-04-09T09:00:00"))
        .unwrap();
    let err = city
        .receive_submission(&newer.to_json(true).to_string())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert!(err.to_string().contains("approved and is locked"), "{err}");
    // Everything went through the chain, and persists.
    let check = city.verify_audit().unwrap();
    assert!(check.ok, "{check:?}");
    let log = city.audit_log(0, 1000).unwrap();
    assert_eq!(
        log.iter().filter(|r| r.action == "receive_report").count(),
        4
    );
    city.close().unwrap();
    let city = Store::open(&path).unwrap();
    let reopened = city.report(CITY, month()).unwrap();
    assert_eq!(reopened.totals.ledger, want.totals.ledger);
    assert_eq!(reopened.totals.households, want.totals.households);
    city.close().unwrap();
    // A received report edited outside the library is named by the fact seals.
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute(
            "UPDATE submission SET report = replace(report, '\"visits_home\":', '\"visits_home\":1')
             WHERE unit = ?1",
            [COUNTIES[1]],
        )
        .unwrap();
    let check = Store::open(&path).unwrap().verify_audit().unwrap();
    assert!(!check.ok);
    assert!(
        check.problems.iter().any(|p| p.table == "submission"
            && p.row.starts_with(COUNTIES[1])
            && p.problem == "edited"),
        "{check:?}"
    );
    let _ = std::fs::remove_dir_all(&folder);
}

/// A city store with the three counties' first versions received, and their sealed JSON.
fn received() -> (Store, Vec<Store>, Vec<Vec<String>>) {
    let combined = city_store(":memory:", true);
    let (stores, sealed) = counties(&combined);
    let city = city_store(":memory:", false);
    for versions in &sealed {
        city.receive_submission(&versions[0]).unwrap();
    }
    (city, stores, sealed)
}

/// `json` edited by `edit`, its seal made again over the edit.
fn resealed(json: &str, edit: impl FnOnce(&mut Value)) -> String {
    let mut v: Value = serde_json::from_str(json).unwrap();
    edit(&mut v);
    v["seal"] = Value::String(seal_of(&v));
    v.to_string()
}

fn refused(city: &Store, json: &str) -> wangge::Error {
    let seq = city.audit_head().unwrap().seq;
    let err = city.receive_submission(json).unwrap_err();
    assert_eq!(
        city.audit_head().unwrap().seq,
        seq,
        "nothing written: {err}"
    );
    err
}

fn field(err: &wangge::Error) -> &'static str {
    match err {
        wangge::Error::InvalidInput { field, .. } => field,
        other => panic!("not InvalidInput: {other}"),
    }
}

#[test]
fn an_edited_figure_breaks_the_seal() {
    let (city, _, sealed) = received();
    let mut v: Value = serde_json::from_str(&sealed[2][1]).unwrap();
    let visits = v["report"]["totals"]["visits_home"].as_u64().unwrap();
    v["report"]["totals"]["visits_home"] = (visits + 10).into();
    let err = refused(&city, &v.to_string());
    assert_eq!(field(&err), "seal", "{err}");
    assert!(err.to_string().contains("does not match"), "{err}");
}

#[test]
fn a_resealed_edit_with_an_audit_head_going_back_is_refused() {
    let (city, _, sealed) = received();
    // Three more home visits in the totals and in the own row: the figures still add
    // up and the seal is made again, but the head goes back before the first version's.
    let version2 = resealed(&sealed[2][1], |v| {
        let own = v["report"]["rows"].as_array().unwrap().len() - 1;
        for figures in ["/report/totals".to_owned(), format!("/report/rows/{own}")] {
            let figures = v.pointer_mut(&figures).unwrap();
            let n = figures["visits_home"].as_u64().unwrap();
            figures["visits_home"] = (n + 3).into();
        }
        let seq = v["audit_head"]["seq"].as_i64().unwrap();
        v["audit_head"]["seq"] = (seq - 5).into();
    });
    let err = refused(&city, &version2);
    assert_eq!(err.kind(), ErrorKind::Conflict, "{err}");
    assert!(err.to_string().contains("audit head goes back"), "{err}");
    // The same head number with another digest is no chain either.
    let first: Value = serde_json::from_str(&sealed[2][0]).unwrap();
    let version2 = resealed(&sealed[2][1], |v| {
        v["audit_head"]["seq"] = first["audit_head"]["seq"].clone();
    });
    let err = refused(&city, &version2);
    assert_eq!(err.kind(), ErrorKind::Conflict, "{err}");
    // The true second version extends the first: received.
    assert_eq!(city.receive_submission(&sealed[2][1]).unwrap().versions, 2);
}

#[test]
fn figures_must_add_up_and_rates_hold() {
    let (city, _, sealed) = received();
    let json = &sealed[2][1];
    // One row edited, the totals not: the rows no longer add up.
    let err = refused(
        &city,
        &resealed(json, |v| {
            let n = v["report"]["rows"][0]["visits_phone"].as_u64().unwrap();
            v["report"]["rows"][0]["visits_phone"] = (n + 1).into();
        }),
    );
    assert_eq!(field(&err), "report", "{err}");
    assert!(err.to_string().contains("totals.visits_phone"), "{err}");
    // A numerator above its denominator.
    let err = refused(
        &city,
        &resealed(json, |v| {
            let rate = &mut v["report"]["totals"]["closure_rate"];
            rate["num"] = (rate["den"].as_u64().unwrap() + 1).into();
        }),
    );
    assert_eq!(field(&err), "report", "{err}");
    assert!(err.to_string().contains("totals.closure_rate"), "{err}");
    // A rate's value that is not num / den.
    let err = refused(
        &city,
        &resealed(json, |v| {
            v["report"]["totals"]["home_coverage"]["value"] = 0.999.into();
        }),
    );
    assert!(err.to_string().contains("num / den"), "{err}");
    // A count that is not a whole number.
    let err = refused(
        &city,
        &resealed(json, |v| v["report"]["totals"]["received"] = (-1).into()),
    );
    assert!(err.to_string().contains("totals.received"), "{err}");
}

#[test]
fn another_countys_code_or_a_unit_outside_the_scope_is_refused() {
    let (city, _, sealed) = received();
    // County 512021's report sent as 512022's.
    let err = refused(
        &city,
        &resealed(&sealed[0][0], |v| v["unit"] = COUNTIES[1].into()),
    );
    assert_eq!(field(&err), "report", "{err}");
    // A report of another level.
    let err = refused(
        &city,
        &resealed(&sealed[0][0], |v| v["report"]["level"] = "township".into()),
    );
    assert_eq!(field(&err), "report", "{err}");
    assert!(err.to_string().contains("is a county here"), "{err}");
    // A county the city does not have.
    let err = refused(
        &city,
        &resealed(&sealed[0][0], |v| {
            v["unit"] = "512099".into();
            v["report"]["unit"] = "512099".into();
        }),
    );
    assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
    // A handle scoped to one county receives neither another's nor its own.
    let scoped = city.scope(COUNTIES[0], "县级管理员").unwrap();
    let err = scoped.receive_submission(&sealed[1][0]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::PermissionDenied, "{err}");
    let err = scoped.receive_submission(&sealed[0][0]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::PermissionDenied, "{err}");
    // A handle scoped to the city does receive.
    let scoped = city.scope(CITY, "市级管理员").unwrap();
    assert_eq!(
        scoped.receive_submission(&sealed[2][1]).unwrap().versions,
        2
    );
    // A level that does not report.
    let mut quarter = city.submission(COUNTIES[0], month()).unwrap().to_json(true);
    quarter["period"] = "2025-Q1".into();
    quarter["report"]["period"] = "2025-Q1".into();
    let err = refused(&city, &resealed(&quarter.to_string(), |_| {}));
    assert_eq!(field(&err), "period", "{err}");
}

#[test]
fn a_version_after_approval_or_an_older_one_is_refused() {
    let (city, stores, sealed) = received();
    city.approve(COUNTIES[2], month(), &at(&city, "2025-04-03T10:00:00"))
        .unwrap();
    let err = refused(&city, &sealed[2][1]);
    assert_eq!(err.kind(), ErrorKind::Conflict);
    // After the second version, the first again changes nothing; the first edited is
    // an older version.
    let (city2, stores2, sealed2) = received();
    city2.receive_submission(&sealed2[2][1]).unwrap();
    assert_eq!(
        city2.receive_submission(&sealed2[2][0]).unwrap().versions,
        2
    );
    let older = resealed(&sealed2[2][0], |v| v["author"] = "别人".into());
    let err = refused(&city2, &older);
    assert_eq!(err.kind(), ErrorKind::Conflict, "{err}");
    assert!(err.to_string().contains("not newer"), "{err}");
    // A version its own store approved: received, but submitted here until the city
    // approves it; no version comes after it.
    let _ = stores;
    let approved_there = stores2[1]
        .approve(
            COUNTIES[1],
            month(),
            &at(&stores2[1], "2025-04-12T09:00:00"),
        )
        .unwrap()
        .to_json(true)
        .to_string();
    let city3 = city_store(":memory:", false);
    let s = city3.receive_submission(&approved_there).unwrap();
    assert_eq!(s.status, SubmissionStatus::Submitted);
    let forged = resealed(&approved_there, |v| {
        v["versions"] = 2.into();
        v["status"] = "submitted".into();
        let seq = v["audit_head"]["seq"].as_i64().unwrap();
        v["audit_head"]["seq"] = (seq + 1).into();
    });
    let err = refused(&city3, &forged);
    assert_eq!(err.kind(), ErrorKind::Conflict, "{err}");
    let s = city3
        .approve(COUNTIES[1], month(), &at(&city3, "2025-04-14T09:00:00"))
        .unwrap();
    assert_eq!(
        (s.status, s.approver.as_deref()),
        (SubmissionStatus::Approved, Some("system"))
    );
}

#[test]
fn malformed_sealed_json_is_invalid_input_naming_the_field() {
    let (city, _, sealed) = received();
    for (json, named) in [
        ("not json", "sealed"),
        ("[1, 2]", "sealed"),
        ("{}", "seal"),
        (r#"{"unit": "512021", "seal": "00"}"#, "seal"),
    ] {
        let err = refused(&city, json);
        assert_eq!(field(&err), named, "{json}: {err}");
    }
    let huge = resealed(&sealed[0][0], |v| v["author"] = "王".repeat(100_000).into());
    assert_eq!(field(&refused(&city, &huge)), "author");
    let extra = resealed(&sealed[0][0], |v| v["extra"] = 1.into());
    assert_eq!(field(&refused(&city, &extra)), "sealed");
    let no_head = resealed(&sealed[0][0], |v| v["audit_head"] = Value::Null);
    assert_eq!(field(&refused(&city, &no_head)), "audit_head");
    let array_report = resealed(&sealed[0][0], |v| v["report"] = Value::Array(vec![]));
    assert_eq!(field(&refused(&city, &array_report)), "report");
    let too_big = format!("{{\"unit\": \"{}\"}}", "x".repeat(wangge::MAX_SEALED_LEN));
    assert_eq!(field(&refused(&city, &too_big)), "sealed");
    let err = refused(&city, "not json");
    assert!(err.message(wangge::Language::Zh).contains("无效"));
}
