//! Reports: every indicator against an independent computation over the same facts (from
//! the public entry, history, household and visit queries), rows adding up to totals,
//! the tree as of the period's last day, any level and any period type, and scopes.

mod common;

use std::collections::HashSet;

use common::{county, county_at, d};
use wangge::{
    Action, Channel, EntryQuery, ErrorKind, HouseholdClass, HouseholdFilter, HouseholdKind,
    NewEntry, NewResident, Period, Rate, Report, Standing, Store,
};

const COUNTY: &str = "512021";
const TOWNSHIP: &str = "512021100";
const COMMUNITY: &str = "512021100001";
const MOVED_GRID: &str = "512021100001002";
const GRIDS: [&str; 4] = [
    "512021100001001",
    "512021100001002",
    "512021100002001",
    "512021101001001",
];

/// A small deterministic generator, so the facts are varied but the same every run.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

const CATEGORIES: [&str; 5] = ["市政设施", "矛盾纠纷", "低保", "就业", "安全生产"];

/// The county with 48 households, a year of visits and half a year of worked entries;
/// one grid moves to another community on 2025-05-01.
fn busy_county() -> Store {
    let store = county();
    let mut dice = Dice(20_250_101);
    store.add_staff("W1", "王网格员", None).unwrap();
    let mut households = Vec::new();
    for i in 0..48 {
        let grid = GRIDS[i % GRIDS.len()];
        let id = format!("H{i:02}");
        let kind = if i % 7 == 0 { "floating" } else { "registered" };
        let tags: &[&str] = match i % 5 {
            0 => &["低保"],
            1 => &["残疾", "空巢"],
            _ => &[],
        };
        let start = (i % 9 == 0).then(|| d("2025-02-10"));
        store
            .add_household(&id, grid, &format!("{grid}号{i}"), kind, tags, start)
            .unwrap();
        for r in 0..=(i % 3) {
            let resident = NewResident {
                name: format!("居民{i}-{r}"),
                relation: Some(if r == 0 { "head" } else { "child" }.into()),
                ..Default::default()
            };
            store.add_resident(&id, &resident, start).unwrap();
        }
        households.push(id);
    }
    // 普通户 H03 becomes special mid-quarter; H05 moves to another grid in February.
    store
        .tag("H03", "困难", Some(d("2025-02-15")), None)
        .unwrap();
    store
        .move_household("H05", "512021100002001", d("2025-02-20"))
        .unwrap();
    for h in &households {
        for _ in 0..dice.below(9) {
            let day = d("2024-10-01") + chrono::Days::new(dice.below(270));
            let channel = if dice.chance(45) { "home" } else { "phone" };
            // A visit before the household arrived is refused, and nothing written.
            let _ = store.record_visit(h, "W1", channel, day, "");
        }
    }
    let units = [
        GRIDS[0], GRIDS[1], GRIDS[2], GRIDS[3], GRIDS[0], GRIDS[1], COMMUNITY, TOWNSHIP, COUNTY,
    ];
    for n in 0..160u64 {
        let unit = units[(dice.below(units.len() as u64)) as usize];
        let reported = store.parse_moment("2025-01-02T08:00:00").unwrap()
            + chrono::Duration::hours(i64::try_from(dice.below(24 * 178)).unwrap());
        let category = CATEGORIES[dice.below(5) as usize];
        let mut entry = NewEntry::new(unit, Some(category), &format!("诉求{n}"), reported);
        entry.urgent = dice.chance(8);
        if dice.chance(30) {
            let grid_households: Vec<&String> = households
                .iter()
                .enumerate()
                .filter(|(i, _)| GRIDS[i % GRIDS.len()] == unit)
                .map(|(_, h)| h)
                .collect();
            if !grid_households.is_empty() {
                let pick = dice.below(grid_households.len() as u64) as usize;
                entry.household_id = Some(grid_households[pick].clone());
            }
        }
        let Ok(e) = store.register(&entry) else {
            continue;
        };
        work(&store, &mut dice, e.id, reported);
    }
    store
        .move_unit(MOVED_GRID, "512021100002", d("2025-05-01"))
        .unwrap();
    store
}

/// Works entry `id` from `at` on, each step some hours after the last: mostly the natural
/// next step, sometimes another; refused steps change nothing and are skipped.
fn work(store: &Store, dice: &mut Dice, id: i64, mut at: wangge::Moment) {
    use wangge::Status;
    let mut status = Status::Registered;
    for _ in 0..dice.below(10) {
        at += chrono::Duration::hours(i64::try_from(1 + dice.below(40)).unwrap());
        let step = if dice.chance(70) {
            match status {
                Status::Registered => 0,
                Status::SignedFor => 3,
                Status::InProgress => 5,
                Status::Resolved => 7 + dice.below(2),
                Status::Suspended => 12,
                Status::Closed => 14,
            }
        } else {
            dice.below(16)
        };
        let done = match step {
            0..=2 => store.sign_for(id, "W1", &at),
            3..=4 => store.start(id, "W1", &at),
            5..=6 => store.resolve(id, &at, "已处理"),
            7 => store.verify(id, &at, dice.chance(70), ""),
            8 => store.close_entry(id, &at),
            9 => store.escalate(id, &at, "超出能力", None),
            10 => store.mark_hard(id, &at, "历史遗留"),
            11 => store.suspend(id, &at, "等待材料"),
            12 => store.resume(id, &at),
            13 => store.extend(id, &at, 3, "情况复杂"),
            14 => store.reopen(id, &at, "群众反映未解决"),
            _ => store.return_entry(id, &at, "不属本级"),
        };
        if let Ok(entry) = done {
            status = entry.status;
        }
    }
}

/// The counts a report should give for one unit's subtree, computed without the report.
#[derive(Debug, Default, PartialEq)]
struct Expected {
    received: u64,
    resolved: u64,
    closed: u64,
    closure: (u64, u64),
    due_closure: (u64, u64),
    timely: (u64, u64),
    sign_for: (u64, u64),
    timely_sign_for: (u64, u64),
    pending: u64,
    hard: u64,
    overdue: u64,
    visits_home: u64,
    visits_phone: u64,
    home_coverage: (u64, u64),
    households: u64,
    special_households: u64,
    residents: u64,
    floating: u64,
}

fn parts(rate: &Rate) -> (u64, u64) {
    (rate.num, rate.den)
}

/// The sign-for limit of a dispatch at `at`: one working day (to its end), or two hours
/// for an urgent entry.
fn sign_limit(store: &Store, at: &wangge::Moment, urgent: bool) -> i64 {
    if urgent {
        return at.timestamp() + 2 * 3600;
    }
    let day = store.add_working_days(at.date_naive(), 1).unwrap();
    store
        .parse_moment(&format!("{day}T23:59:59"))
        .unwrap()
        .timestamp()
}

/// Independent computation over `unit`'s subtree (only the unit itself with `own_only`).
fn expected(store: &Store, unit: &str, period: Period, own_only: bool) -> Expected {
    let mut x = Expected::default();
    let start = store
        .parse_moment(&format!("{}T00:00:00", period.first()))
        .unwrap();
    let end = store
        .parse_moment(&format!("{}T23:59:59", period.last()))
        .unwrap();
    let during = |m: &wangge::Moment| start <= *m && *m <= end;
    let mut query = EntryQuery::new(unit);
    query.at = Some(end);
    for e in store.entries(&query).unwrap() {
        if own_only && e.unit != unit {
            continue;
        }
        let history: Vec<_> = store
            .history(e.id)
            .unwrap()
            .into_iter()
            .filter(|ev| ev.at <= end)
            .collect();
        if during(&e.reported_at) {
            x.received += 1;
            x.closure.1 += 1;
            x.closure.0 += u64::from(e.first_resolved_at.is_some());
        }
        if let Some(first) = history.iter().find(|ev| ev.action == Action::Resolve)
            && during(&first.at)
        {
            x.resolved += 1;
            x.timely.1 += 1;
            x.timely.0 += u64::from(first.at <= first.deadline);
        }
        if history
            .iter()
            .any(|ev| ev.action == Action::Close && during(&ev.at))
        {
            x.closed += 1;
        }
        for (i, ev) in history.iter().enumerate() {
            let dispatch =
                |a: Action| matches!(a, Action::Register | Action::Escalate | Action::Return);
            if !dispatch(ev.action) || !during(&ev.at) {
                continue;
            }
            x.sign_for.1 += 1;
            x.timely_sign_for.1 += 1;
            let answer = history[i + 1..]
                .iter()
                .find(|later| later.action == Action::SignFor || dispatch(later.action));
            if let Some(signed) = answer.filter(|a| a.action == Action::SignFor) {
                x.sign_for.0 += 1;
                let limit = sign_limit(store, &ev.at, e.urgent);
                x.timely_sign_for.0 += u64::from(signed.at.timestamp() <= limit);
            }
        }
        if during(&e.deadline) && e.suspended_since.is_none() {
            x.due_closure.1 += 1;
            x.due_closure.0 += u64::from(e.first_resolved_at.is_some_and(|f| f <= e.deadline));
        }
        match e.standing() {
            Standing::Pending => x.pending += 1,
            Standing::Hard => x.hard += 1,
            Standing::Resolved => {}
        }
        x.overdue += u64::from(e.overdue_at(&end));
    }

    // The subtree on the last day, and every household that ever lived in it.
    let mut subtree: HashSet<String> = HashSet::from([unit.to_owned()]);
    if !own_only {
        for u in store.descendants(unit, None, Some(period.last())).unwrap() {
            subtree.insert(u.code);
        }
    }
    let everyone = store
        .households(
            COUNTY,
            &HouseholdFilter {
                as_of: Some(d("2025-12-31")),
                ..Default::default()
            },
        )
        .unwrap();
    for h in &everyone {
        for v in store.visits(&h.household_id).unwrap() {
            if !period.contains(v.on) {
                continue;
            }
            let there = store.household(&h.household_id, Some(v.on)).unwrap().unit;
            if subtree.contains(&there) {
                match v.channel {
                    Channel::Home => x.visits_home += 1,
                    Channel::Phone => x.visits_phone += 1,
                }
            }
        }
    }
    let living = store
        .households(
            unit,
            &HouseholdFilter {
                as_of: Some(period.last()),
                ..Default::default()
            },
        )
        .unwrap();
    for h in living.iter().filter(|h| !own_only || h.unit == unit) {
        x.households += 1;
        x.special_households += u64::from(h.household_class == HouseholdClass::Special);
        x.floating += u64::from(h.kind == HouseholdKind::Floating);
        x.residents += store
            .residents(&h.household_id, Some(period.last()))
            .unwrap()
            .len() as u64;
        let home = store
            .visits(&h.household_id)
            .unwrap()
            .iter()
            .any(|v| v.channel == Channel::Home && period.contains(v.on));
        x.home_coverage.0 += u64::from(home);
    }
    x.home_coverage.1 = x.households;
    x
}

fn got(i: &wangge::Indicators) -> Expected {
    let l = &i.ledger;
    Expected {
        received: l.received,
        resolved: l.resolved,
        closed: l.closed,
        closure: parts(&l.closure_rate),
        due_closure: parts(&l.due_closure_rate),
        timely: parts(&l.timely_rate),
        sign_for: parts(&l.sign_for_rate),
        timely_sign_for: parts(&l.timely_sign_for_rate),
        pending: l.pending,
        hard: l.hard,
        overdue: l.overdue,
        visits_home: i.visits_home,
        visits_phone: i.visits_phone,
        home_coverage: parts(&i.home_coverage),
        households: i.households,
        special_households: i.special_households,
        residents: i.residents,
        floating: i.floating,
    }
}

/// Sums every count of the rows, to compare with the totals.
fn summed(report: &Report) -> Expected {
    let mut s = Expected::default();
    for row in &report.rows {
        let r = got(&row.indicators);
        let add = |a: &mut (u64, u64), b: (u64, u64)| {
            a.0 += b.0;
            a.1 += b.1;
        };
        s.received += r.received;
        s.resolved += r.resolved;
        s.closed += r.closed;
        add(&mut s.closure, r.closure);
        add(&mut s.due_closure, r.due_closure);
        add(&mut s.timely, r.timely);
        add(&mut s.sign_for, r.sign_for);
        add(&mut s.timely_sign_for, r.timely_sign_for);
        s.pending += r.pending;
        s.hard += r.hard;
        s.overdue += r.overdue;
        s.visits_home += r.visits_home;
        s.visits_phone += r.visits_phone;
        add(&mut s.home_coverage, r.home_coverage);
        s.households += r.households;
        s.special_households += r.special_households;
        s.residents += r.residents;
        s.floating += r.floating;
    }
    s
}

#[test]
fn every_indicator_agrees_with_an_independent_computation_at_every_level() {
    let store = busy_county();
    let periods = [
        "2025-Q1",
        "2025-Q2",
        "2025-02",
        "2025-03",
        "2025-05",
        "2025-W10",
        "2025-W23",
        "2025-03-04",
        "2025-H1",
        "2025",
    ];
    let units = [
        COUNTY,
        TOWNSHIP,
        COMMUNITY,
        "512021100002",
        GRIDS[0],
        GRIDS[3],
    ];
    let mut nonzero = Expected::default();
    for p in periods {
        let period = Period::parse(p).unwrap();
        for unit in units {
            let report = store.report(unit, period).unwrap();
            let totals = got(&report.totals);
            assert_eq!(totals, expected(&store, unit, period, false), "{unit} {p}");
            assert_eq!(summed(&report), totals, "rows add up: {unit} {p}");
            for row in &report.rows {
                let want = expected(&store, &row.unit, period, row.own);
                assert_eq!(got(&row.indicators), want, "row {} of {unit} {p}", row.unit);
            }
            if period.last() < d("2025-05-01") || unit == TOWNSHIP || unit == COUNTY {
                // Before the move (or above it) the compliance report's subtree is the
                // same as the report's.
                let c = store.visit_compliance(unit, &period, false).unwrap();
                assert_eq!(
                    parts(&report.totals.rule_compliance),
                    (c.total.met, c.total.required),
                    "{unit} {p}"
                );
            }
            let t = &totals;
            nonzero.received += t.received;
            nonzero.resolved += t.resolved;
            nonzero.closed += t.closed;
            nonzero.sign_for.0 += t.sign_for.0;
            nonzero.timely_sign_for.0 += t.timely_sign_for.0;
            nonzero.due_closure.0 += t.due_closure.0;
            nonzero.hard += t.hard;
            nonzero.overdue += t.overdue;
            nonzero.visits_home += t.visits_home;
        }
    }
    // The facts exercise every count, so agreement is not agreement on zeros.
    for (name, n) in [
        ("received", nonzero.received),
        ("resolved", nonzero.resolved),
        ("closed", nonzero.closed),
        ("signed", nonzero.sign_for.0),
        ("signed on time", nonzero.timely_sign_for.0),
        ("due on time", nonzero.due_closure.0),
        ("hard", nonzero.hard),
        ("overdue", nonzero.overdue),
        ("home visits", nonzero.visits_home),
    ] {
        assert!(n > 0, "no {name} counted anywhere");
    }
}

#[test]
fn the_tree_is_taken_as_it_stood_on_the_last_day() {
    let store = busy_county();
    let q1 = store
        .report(TOWNSHIP, Period::parse("2025-Q1").unwrap())
        .unwrap();
    let q2 = store
        .report(TOWNSHIP, Period::parse("2025-Q2").unwrap())
        .unwrap();
    let households = |r: &Report, unit: &str| {
        r.rows
            .iter()
            .find(|row| row.unit == unit)
            .unwrap()
            .indicators
            .households
    };
    // The grid moved on 2025-05-01 from 北坝社区 to 龙井社区 with its households.
    let moved = store
        .households(MOVED_GRID, &HouseholdFilter::default())
        .unwrap()
        .len() as u64;
    assert!(moved > 0);
    assert_eq!(
        households(&q1, COMMUNITY),
        23,
        "24 less H05, who left in February"
    );
    assert_eq!(
        households(&q2, COMMUNITY) + moved,
        households(&q1, COMMUNITY)
    );
    let report = store
        .report(COMMUNITY, Period::parse("2025-Q1").unwrap())
        .unwrap();
    let codes: Vec<&str> = report.rows.iter().map(|r| r.unit.as_str()).collect();
    assert_eq!(codes, [GRIDS[0], MOVED_GRID, COMMUNITY]);
    let report = store
        .report(COMMUNITY, Period::parse("2025-Q2").unwrap())
        .unwrap();
    let codes: Vec<&str> = report.rows.iter().map(|r| r.unit.as_str()).collect();
    assert_eq!(codes, [GRIDS[0], COMMUNITY]);
}

#[test]
fn rates_carry_their_parts_and_are_null_without_a_denominator() {
    let store = county();
    let report = store
        .report(COUNTY, Period::parse("2025-03").unwrap())
        .unwrap();
    let rate = &report.totals.ledger.closure_rate;
    assert_eq!((rate.num, rate.den, rate.value), (0, 0, None));
    let json = report.to_json();
    assert_eq!(
        json["totals"]["closure_rate"]["value"],
        serde_json::Value::Null
    );
    assert_eq!(json["period"], "2025-03");
    assert_eq!(
        json["rows"].as_array().unwrap().len(),
        3,
        "two townships and own"
    );
    assert_eq!(json["rows"][2]["own"], true);
}

#[test]
fn breakdowns_by_category_and_book_cover_the_entries() {
    let store = busy_county();
    let report = store
        .report(COUNTY, Period::parse("2025-H1").unwrap())
        .unwrap();
    let by_category: u64 = report
        .by_category
        .iter()
        .map(|b| b.indicators.received)
        .sum();
    assert_eq!(by_category, report.totals.ledger.received);
    let pending: u64 = report
        .by_category
        .iter()
        .map(|b| b.indicators.pending)
        .sum();
    assert_eq!(pending, report.totals.ledger.pending);
    for b in &report.by_category {
        let mut q = EntryQuery::new(COUNTY);
        q.category = Some(b.key.clone());
        q.period = Some(Period::parse("2025-H1").unwrap());
        q.at = Some(store.parse_moment("2025-06-30T23:59:59").unwrap());
        assert_eq!(
            b.indicators.received,
            store.entries(&q).unwrap().len() as u64,
            "{}",
            b.key
        );
    }
    let books: Vec<&str> = report.by_book.iter().map(|b| b.key.as_str()).collect();
    assert!(
        books.contains(&"民生诉求") && books.contains(&"困难群众"),
        "{books:?}"
    );
    for b in &report.by_book {
        let mut q = EntryQuery::new(COUNTY);
        q.book = Some(b.key.clone());
        q.period = Some(Period::parse("2025-H1").unwrap());
        q.at = Some(store.parse_moment("2025-06-30T23:59:59").unwrap());
        assert_eq!(
            b.indicators.received,
            store.entries(&q).unwrap().len() as u64,
            "{}",
            b.key
        );
    }
}

#[test]
fn a_scoped_handle_reports_on_its_subtree_only() {
    let store = busy_county();
    let township = store.scope(TOWNSHIP, "岳阳镇干部").unwrap();
    let q1 = Period::parse("2025-Q1").unwrap();
    assert!(township.report(TOWNSHIP, q1).is_ok());
    assert!(township.report(COMMUNITY, q1).is_ok());
    let err = township.report("512021101", q1).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::PermissionDenied);
    let err = township.report(COUNTY, q1).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::PermissionDenied);
    let err = store.report("999999", q1).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert!(err.to_string().contains("999999"), "{err}");
}

#[test]
fn a_circular_ranks_children_and_leaves_out_small_samples() {
    let store = busy_county();
    let h1 = Period::parse("2025-H1").unwrap();
    let report = store.report(TOWNSHIP, h1).unwrap();
    let c = store.circular(TOWNSHIP, h1, "closure_rate", None).unwrap();
    assert_eq!((c.indicator_name.as_str(), c.min_sample), ("办结率", 5));
    assert_eq!(
        c.ranked.len() + c.left_out.len(),
        report.rows.len() - 1,
        "own row is not ranked"
    );
    assert!(!c.ranked.is_empty());
    for pair in c.ranked.windows(2) {
        assert!(pair[0].value >= pair[1].value);
        assert!(pair[0].rank <= pair[1].rank);
    }
    for r in &c.ranked {
        let row = report.rows.iter().find(|row| row.unit == r.unit).unwrap();
        assert_eq!((r.num, r.den), parts(&row.indicators.ledger.closure_rate));
        assert!(r.den >= 5);
    }
    // With a sample larger than any child's, every child is left out, and says why.
    let c = store
        .circular(TOWNSHIP, h1, "closure_rate", Some(10_000))
        .unwrap();
    assert!(c.ranked.is_empty());
    assert_eq!(c.left_out.len(), report.rows.len() - 1);
    assert!(
        c.left_out[0].reason.contains("10000"),
        "{}",
        c.left_out[0].reason
    );
    // Fewer overdue entries rank better; counts are never left out.
    let c = store.circular(COUNTY, h1, "overdue", None).unwrap();
    assert!(c.lower_is_better && c.left_out.is_empty());
    for pair in c.ranked.windows(2) {
        assert!(pair[0].value <= pair[1].value);
        assert_eq!(
            pair[0].value < pair[1].value,
            pair[0].rank < pair[1].rank,
            "{c:?}"
        );
    }
    let c = store.circular(TOWNSHIP, h1, "received", None).unwrap();
    let counts: Vec<u64> = c.ranked.iter().map(|r| r.num).collect();
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "{counts:?}");
    assert!(
        counts[0] > counts[counts.len() - 1],
        "the facts differ: {counts:?}"
    );
    assert_eq!(
        c.ranked.last().unwrap().rank,
        2,
        "two communities, different counts"
    );
    let err = store.circular(COUNTY, h1, "happiness", None).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.to_string().contains("happiness") && err.to_string().contains("closure_rate"));
}

#[test]
fn equal_values_share_a_rank() {
    let store = county();
    let c = store
        .circular(COUNTY, Period::parse("2025-03").unwrap(), "received", None)
        .unwrap();
    let ranks: Vec<u32> = c.ranked.iter().map(|r| r.rank).collect();
    assert_eq!(ranks, [1, 1], "two townships with nothing received tie");
}

#[test]
fn a_unit_name_written_as_a_formula_stays_text_in_the_csv() {
    let store = county();
    let names = [
        "=HYPERLINK(\"http://x.example\",\"点击\")",
        "+1",
        "-2",
        "@SUM(A1)",
    ];
    for (i, name) in names.iter().enumerate() {
        let code = format!("51202110{}", i + 2);
        store
            .add_unit(&code, name, "township", Some(COUNTY), None)
            .unwrap();
    }
    let report = store
        .report(COUNTY, Period::parse("2025-Q1").unwrap())
        .unwrap();
    let csv = report.to_csv();
    for (i, name) in names.iter().enumerate() {
        let line = csv
            .split("\r\n")
            .find(|l| l.starts_with(&format!("51202110{},", i + 2)))
            .unwrap();
        let field = line.split(',').nth(1).unwrap();
        assert!(
            field.starts_with('\'') || field.starts_with("\"'"),
            "{name} is shown, not run: {line}"
        );
    }
    // An ordinary name is untouched, and the figures still read as numbers.
    assert!(csv.contains(",岳阳镇,"), "{csv}");
    assert!(!csv.contains(",'0"), "{csv}");
}

#[test]
fn exports_carry_chinese_headers_and_the_same_figures() {
    let store = busy_county();
    let report = store
        .report(COUNTY, Period::parse("2025-Q1").unwrap())
        .unwrap();
    let csv = report.to_csv();
    assert!(csv.starts_with('\u{feff}'), "a byte-order mark for Excel");
    let lines: Vec<&str> = csv.trim_end().split("\r\n").collect();
    assert_eq!(
        lines.len(),
        1 + report.rows.len() + 1,
        "header, rows, totals"
    );
    let header: Vec<&str> = lines[0].trim_start_matches('\u{feff}').split(',').collect();
    assert_eq!(&header[..4], ["单位代码", "单位名称", "层级", "行"]);
    let at = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let totals: Vec<&str> = lines.last().unwrap().split(',').collect();
    assert_eq!(totals[3], "合计");
    assert_eq!(
        totals[at("受理数")],
        report.totals.ledger.received.to_string()
    );
    assert_eq!(
        totals[at("办结率分母")],
        report.totals.ledger.closure_rate.den.to_string()
    );
    assert_eq!(totals[at("户数")], report.totals.households.to_string());
    let value: f64 = totals[at("办结率")].parse().unwrap();
    assert!((value - report.totals.ledger.closure_rate.value.unwrap()).abs() < 1e-6);
    let json = report.to_json();
    assert_eq!(json["totals"]["received"], report.totals.ledger.received);
    assert_eq!(json["rows"].as_array().unwrap().len(), report.rows.len());
    assert!(
        json["by_book"]
            .as_array()
            .unwrap()
            .iter()
            .all(|b| b["key"].is_string())
    );

    let xlsx = report.to_xlsx();
    assert_eq!(&xlsx[..2], b"PK");
    // The workbook is a zip archive of compressed XML parts: read its names and texts.
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(&xlsx)).unwrap();
    let mut contents = String::new();
    for i in 0..archive.len() {
        let mut part = archive.by_index(i).unwrap();
        contents.push_str(&part.name().unwrap());
        std::io::Read::read_to_string(&mut part, &mut contents).unwrap();
    }
    let contains = |needle: &str| contents.contains(needle);
    for part in [
        "xl/worksheets/sheet1.xml",
        "xl/worksheets/sheet3.xml",
        "受理数",
        "按类别",
        "按台账",
        "安岳县",
    ] {
        assert!(contains(part), "{part} in the workbook");
    }
}

#[test]
fn the_assessment_scores_children_on_weighted_targets_and_ranks_them() {
    let store = busy_county();
    let year = Period::parse("2025").unwrap();
    store
        .set_assessment_rules_json(
            r#"{"items": [{"indicator": "closure_rate", "weight": 60, "target": 0.8},
                          {"indicator": "home_coverage", "weight": 40, "target": 0.5}],
                "min_sample": 3}"#,
            None,
        )
        .unwrap();
    let a = store.assessment(TOWNSHIP, year).unwrap();
    let report = store.report(TOWNSHIP, year).unwrap();
    assert_eq!(a.rows.len(), report.rows.len() - 1);
    for row in &a.rows {
        let r = report.rows.iter().find(|x| x.unit == row.unit).unwrap();
        // Recompute the score from the report's rates.
        let (mut points, mut weights) = (0.0, 0.0);
        for (rate, weight, target) in [
            (&r.indicators.ledger.closure_rate, 60.0, 0.8),
            (&r.indicators.home_coverage, 40.0, 0.5),
        ] {
            if let Some(v) = rate.value.filter(|_| rate.den >= 3) {
                points += weight * f64::min(1.0, v / target);
                weights += weight;
            }
        }
        let want = (weights > 0.0).then(|| 100.0 * points / weights);
        match (row.score, want) {
            (Some(x), Some(y)) => assert!((x - y).abs() < 1e-9, "{} {x} {y}", row.unit),
            (x, y) => assert_eq!(x, y),
        }
    }
    assert!(a.rows.iter().any(|r| r.score.is_some()));
    for pair in a.rows.windows(2) {
        if let (Some(x), Some(y)) = (pair[0].score, pair[1].score) {
            assert!(x >= y);
        }
    }
    assert_eq!(a.rows[0].rank, Some(1));
    let err = store
        .set_assessment_rules_json(
            r#"{"items": [{"indicator": "received", "weight": 1, "target": 1}]}"#,
            None,
        )
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.to_string().contains("received"), "{err}");
    // The default rules apply before any are set.
    assert_eq!(
        county().assessment_rules(None).unwrap(),
        wangge::default_assessment_rules()
    );
}

/// A fresh file for a store, under the system's temporary folder.
fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("wangge-report-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("county.db")
}

/// Checks every row and the totals of `unit`'s report against the independent count.
fn agrees(store: &Store, unit: &str, period: Period) -> Expected {
    let report = store.report(unit, period).unwrap();
    for row in &report.rows {
        let want = expected(store, &row.unit, period, row.own);
        assert_eq!(
            got(&row.indicators),
            want,
            "row {} of {unit} {period}",
            row.unit
        );
    }
    let totals = got(&report.totals);
    assert_eq!(
        totals,
        expected(store, unit, period, false),
        "{unit} {period}"
    );
    totals
}

#[test]
fn reports_follow_writes_through_this_handle_and_another() {
    let path = scratch("follow");
    let store = county_at(path.to_str().unwrap());
    store.add_staff("W1", "王网格员", None).unwrap();
    let other = Store::open(&path).unwrap();
    let period = Period::parse("2025-Q1").unwrap();
    let mut dice = Dice(20_250_301);
    let mut at = store.parse_moment("2025-02-02T09:00:00").unwrap();
    let mut ids = Vec::new();
    let mut seen = Vec::new();
    for round in 0..6usize {
        let writer = if round % 2 == 0 { &store } else { &other };
        // Entries already counted are worked further, and new ones registered.
        for &id in ids.iter().rev().take(3) {
            work(writer, &mut dice, id, at);
            at += chrono::Duration::hours(60);
        }
        for n in 0..4 {
            let unit = GRIDS[(round + n) % GRIDS.len()];
            let category = CATEGORIES[(round + n) % CATEGORIES.len()];
            let entry = NewEntry::new(unit, Some(category), &format!("诉求{round}-{n}"), at);
            let id = writer.register(&entry).unwrap().id;
            work(writer, &mut dice, id, at);
            ids.push(id);
            at += chrono::Duration::hours(30);
        }
        // Both handles see every write, whoever made it and whatever they read before.
        for reader in [&store, &other] {
            let totals = agrees(reader, COUNTY, period);
            agrees(reader, TOWNSHIP, period);
            seen.push((totals.received, totals.resolved, totals.pending));
        }
    }
    let distinct: HashSet<_> = seen.iter().collect();
    assert!(
        distinct.len() >= 4,
        "the counts moved as entries came: {seen:?}"
    );
    assert!(seen.iter().any(|s| s.1 > 0));
}

#[test]
fn a_store_from_before_marks_gets_them_on_opening() {
    let path = scratch("marks");
    let periods = ["2025-02", "2025-Q1", "2025-W10", "2025"];
    let before: Vec<Report> = {
        let store = county_at(path.to_str().unwrap());
        store.add_staff("W1", "王网格员", None).unwrap();
        let mut dice = Dice(20_250_202);
        let mut at = store.parse_moment("2025-01-06T09:00:00").unwrap();
        for n in 0..40usize {
            let unit = GRIDS[n % GRIDS.len()];
            let category = CATEGORIES[n % CATEGORIES.len()];
            let entry = NewEntry::new(unit, Some(category), &format!("诉求{n}"), at);
            let id = store.register(&entry).unwrap().id;
            work(&store, &mut dice, id, at);
            at += chrono::Duration::hours(41);
        }
        periods
            .iter()
            .map(|p| store.report(COUNTY, Period::parse(p).unwrap()).unwrap())
            .collect()
    };
    assert!(before[3].totals.ledger.received == 40);
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch(
            "ALTER TABLE entry DROP COLUMN marks;
             ALTER TABLE audit DROP COLUMN unit_path; ALTER TABLE resident DROP COLUMN id_sealed;
             DROP TABLE seal; DROP TABLE audit_state; ALTER TABLE audit DROP COLUMN seals;
             ALTER TABLE submission DROP COLUMN audit_head; DROP TABLE kept;
             ALTER TABLE submission DROP COLUMN received_at;
             ALTER TABLE submission DROP COLUMN sealed;
             DROP TABLE checkout; DROP TABLE merged; DROP TABLE device;
             DROP TABLE device_log; DROP TABLE device_local; DROP TABLE kept_change;
             PRAGMA user_version = 7;",
        )
        .unwrap();
    let store = Store::open(&path).unwrap();
    for (p, want) in periods.iter().zip(&before) {
        let report = store.report(COUNTY, Period::parse(p).unwrap()).unwrap();
        assert_eq!(&report, want, "{p}");
    }
}
