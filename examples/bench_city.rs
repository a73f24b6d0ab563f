//! A city above its counties: 20 county stores record a month of facts and submit it; a
//! city store receives the 20 sealed submissions. Times the sum of the 20 county reports
//! against the city store's one report from what they sent (and receiving them), and
//! checks that the city's figures are the counties' summed.
//!
//! `cargo run --release -p wangge-core --example bench_city`; `WANGGE_BENCH_ENTRIES`
//! sets the entries of each county (default 20,000), `WANGGE_BENCH_COUNTIES` the number
//! of counties (default 20).

use std::time::{Duration, Instant};

use wangge::{EntryAction, Level, Levels, NewEntry, NewUnit, Period, Store, StoreOptions};

const CITY: &str = "5120";
const TOWNSHIPS: usize = 6;
const COMMUNITIES: usize = 5;
const GRIDS: usize = 4;
const HOUSEHOLDS_PER_GRID: usize = 20;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// County `code`'s units below it, and its grids.
fn units(code: &str, root_parent: Option<&str>) -> (Vec<NewUnit>, Vec<String>) {
    let unit = |code: String, level: &str, parent: Option<&str>| NewUnit {
        name: format!("单位{code}"),
        code,
        level: level.into(),
        parent: parent.map(Into::into),
        start: None,
    };
    let mut out = vec![unit(code.to_owned(), "county", root_parent)];
    let mut grids = Vec::new();
    for t in 1..=TOWNSHIPS {
        let township = format!("{code}{:03}", 100 + t);
        out.push(unit(township.clone(), "township", Some(code)));
        for c in 1..=COMMUNITIES {
            let community = format!("{township}{c:03}");
            out.push(unit(community.clone(), "community", Some(&township)));
            for g in 1..=GRIDS {
                let grid = format!("{community}{g:03}");
                out.push(unit(grid.clone(), "grid", Some(&community)));
                grids.push(grid);
            }
        }
    }
    (out, grids)
}

fn rules(store: &Store) {
    let mut rules = wangge::default_reporting_rules();
    rules.push(wangge::ReportingRule {
        level: "county".into(),
        every: wangge::PeriodKind::Month,
        due_working_days: 3,
    });
    store.set_reporting_rules(&rules, None).unwrap();
}

/// County `code`'s store with its facts: households, a home visit to half of them, and
/// `entries` entries over March, most signed for and resolved.
fn county(code: &str, entries: usize, seed: u64) -> Store {
    let store = Store::open(":memory:").unwrap();
    let (units, grids) = units(code, None);
    store.add_units(&units).unwrap();
    store.add_staff("W1", "网格员", None).unwrap();
    rules(&store);
    let day = |n: u64| wangge::date::parse_date("d", "2025-03-01").unwrap() + chrono::Days::new(n);
    let mut visits = Vec::new();
    for (g, grid) in grids.iter().enumerate() {
        for h in 0..HOUSEHOLDS_PER_GRID {
            let id = format!("H{code}-{g}-{h}");
            store
                .add_household(&id, grid, "幸福路", "registered", &[], None)
                .unwrap();
            if h % 2 == 0 {
                visits.push(wangge::NewVisit {
                    household_id: id,
                    staff_id: "W1".into(),
                    channel: wangge::Channel::Home,
                    on: day(((g + h) % 28) as u64),
                    note: String::new(),
                });
            }
        }
    }
    store.record_visits(&visits).unwrap();
    let start = store.parse_moment("2025-03-01T08:00:00").unwrap();
    let mut state = seed;
    let mut next = |n: u64| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) % n
    };
    let mut new = Vec::with_capacity(entries);
    let mut times = Vec::with_capacity(entries);
    for n in 0..entries {
        let at = start + chrono::Duration::minutes(i64::try_from(next(30 * 24 * 60)).unwrap());
        let grid = &grids[n % grids.len()];
        new.push(NewEntry::new(grid, Some("市政设施"), "路灯不亮", at));
        times.push(at);
    }
    let ids = store.register_entries(&new).unwrap();
    let mut actions = Vec::new();
    for (id, at) in ids.into_iter().zip(times) {
        let hours = |h: u64| at + chrono::Duration::hours(i64::try_from(h).unwrap());
        if next(10) < 8 {
            actions.push(EntryAction::sign_for(id, "W1", hours(1 + next(30))));
            if next(10) < 7 {
                actions.push(EntryAction::start(id, "W1", hours(32)));
                actions.push(EntryAction::resolve(
                    id,
                    hours(40 + next(24 * 20)),
                    "已处理",
                ));
            }
        }
    }
    store.work_entries(&actions).unwrap();
    store
}

fn main() {
    let counties = env("WANGGE_BENCH_COUNTIES", 20);
    let entries = env("WANGGE_BENCH_ENTRIES", 20_000);
    let month = Period::parse("2025-03").unwrap();
    let codes: Vec<String> = (0..counties)
        .map(|k| format!("5120{:02}", 21 + k))
        .collect();
    let built = Instant::now();
    let stores: Vec<Store> = codes
        .iter()
        .enumerate()
        .map(|(k, c)| county(c, entries, 7 + k as u64))
        .collect();
    println!(
        "{counties} county stores of {entries} entries each built in {:.1?}",
        built.elapsed()
    );

    let mut reports = Duration::ZERO;
    let mut sealed = Vec::new();
    let (mut received, mut resolved, mut households) = (0, 0, 0);
    for (store, code) in stores.iter().zip(&codes) {
        let t = Instant::now();
        let report = store.report(code, month).unwrap();
        reports += t.elapsed();
        received += report.totals.ledger.received;
        resolved += report.totals.ledger.resolved;
        households += report.totals.households;
        let at = store.parse_moment("2025-04-02T10:00:00").unwrap();
        sealed.push(
            store
                .submit(code, month, &at)
                .unwrap()
                .to_json(true)
                .to_string(),
        );
    }

    let levels = Levels::new(vec![
        Level::coded("city", 4),
        Level::coded("county", 6),
        Level::coded("township", 9),
        Level::coded("community", 12),
        Level::coded("grid", 15),
    ])
    .unwrap();
    let city = Store::open_with(
        ":memory:",
        StoreOptions {
            levels: Some(levels),
            ..Default::default()
        },
    )
    .unwrap();
    city.add_unit(CITY, "资阳市", "city", None, None).unwrap();
    for c in &codes {
        city.add_unit(c, &format!("单位{c}"), "county", Some(CITY), None)
            .unwrap();
    }
    rules(&city);
    let t = Instant::now();
    for s in &sealed {
        city.receive_submission(s).unwrap();
    }
    let receiving = t.elapsed();
    let t = Instant::now();
    let report = city.report(CITY, month).unwrap();
    let city_report = t.elapsed();

    let agree = report.totals.ledger.received == received
        && report.totals.ledger.resolved == resolved
        && report.totals.households == households
        && report.rows.len() == counties + 1;
    let bytes: usize = sealed.iter().map(String::len).sum();
    println!("sum of {counties} county reports:        {reports:>10.1?}");
    println!(
        "receiving {counties} sealed submissions:  {receiving:>10.1?} ({bytes} bytes of JSON)"
    );
    println!("the city's report from them:          {city_report:>10.1?}");
    println!(
        "ratio, county reports / city report:  {:>10.0}×",
        reports.as_secs_f64() / city_report.as_secs_f64().max(1e-9)
    );
    println!(
        "figures agree: {agree} (received {received}, resolved {resolved}, households {households})"
    );
    assert!(agree, "the city's figures are not the counties' summed");
}
