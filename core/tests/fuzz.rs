//! Only typed errors, fuzzed: every input family of the public API (periods, dates,
//! moments, ID numbers, phones, unit codes, the six rule sets' JSON, CSV bytes, ledger
//! summaries) given valid-looking and garbage values gives `Ok` or a typed
//! [`wangge::Error`], never a panic; `InvalidInput` names its field; afterwards the audit
//! chain verifies and SQLite's `integrity_check` is ok. Case counts are bounded and the
//! random source fixed, so a debug build runs this in seconds and every run is the same.

mod common;

use chrono::{Datelike, FixedOffset, NaiveDate, TimeZone};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::{Value, json};
use wangge::id_number::{mask_id_number, parse_id_number, with_check_digit};
use wangge::privacy::mask_phone;
use wangge::{
    Date, Error, ErrorKind, ImportMode, ImportOptions, NewEntry, NewResident, Period, PeriodKind,
    Store, date, parse_csv,
};

const COUNTY: &str = "512021";
const COMMUNITY: &str = "512021100001";
const GRID: &str = "512021100001001";

// --- Running ---------------------------------------------------------------------------

/// Runs `test` on `cases` values of `strategy` with a fixed seed and no persistence
/// files; a panic or a failed check fails the test with the smallest failing value.
fn run<S: Strategy>(cases: u32, strategy: S, test: impl Fn(S::Value))
where
    S::Value: std::fmt::Debug,
{
    let config = Config {
        cases,
        failure_persistence: None,
        max_shrink_iters: 2_000,
        ..Config::default()
    };
    let rng = TestRng::deterministic_rng(RngAlgorithm::ChaCha);
    let mut runner = TestRunner::new_with_rng(config, rng);
    if let Err(failure) = runner.run(&strategy, |value| {
        test(value);
        Ok(())
    }) {
        panic!("{failure}");
    }
}

/// The value of `result`, or `None` after checking its error is a typed one that says
/// what was wrong: `InvalidInput` names a field, every message is non-empty.
fn typed<T>(result: Result<T, Error>) -> Option<T> {
    match result {
        Ok(value) => Some(value),
        Err(error) => {
            let message = error.to_string();
            assert!(!message.is_empty(), "{error:?}");
            if let Error::InvalidInput { field, .. } = &error {
                assert!(!field.is_empty(), "{error:?}");
                assert!(message.starts_with("invalid "), "{message}");
            }
            None
        }
    }
}

/// A county in a file, with a grid worker and a household tagged 低保.
fn county_file(name: &str) -> (Store, std::path::PathBuf) {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("wangge-fuzz-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("fuzz.db");
    let store = common::county_at(path.to_str().unwrap());
    store
        .add_staff("W1", "网格员甲", Some("13812345678"))
        .unwrap();
    store.assign("W1", GRID, "grid_worker", None, None).unwrap();
    store
        .add_household("H1", GRID, "北坝一网格1号", "registered", &["低保"], None)
        .unwrap();
    (store, path)
}

/// The audit chain verifies and the file passes `integrity_check`, also after reopening.
fn still_sound(store: Store, path: &std::path::Path) {
    let audit = store.verify_audit().unwrap();
    assert!(audit.ok, "{audit:?}");
    drop(store);
    let conn = rusqlite::Connection::open(path).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    drop(conn);
    assert!(Store::open(path).unwrap().verify_audit().unwrap().ok);
    let _ = std::fs::remove_dir_all(path.parent().unwrap());
}

// --- Strategies --------------------------------------------------------------------------

/// Text of any kind: arbitrary Unicode, controls and NUL, digits and period letters,
/// CJK, long runs.
fn garbage() -> BoxedStrategy<String> {
    prop_oneof![
        any::<String>(),
        "[0-9WQH\\- :T+Z]{0,14}",
        "\\PC{0,8}",
        prop::sample::select(vec!["", " ", "\0", "\n", "-", "٣", "１", "Ⅻ", "𝟘", "网"])
            .prop_map(str::to_owned),
        (prop::sample::select(vec!["9", "x", "网"]), 100usize..3000).prop_map(|(c, n)| c.repeat(n)),
    ]
    .boxed()
}

/// Years around and beyond the ones the library answers for.
fn year() -> BoxedStrategy<i32> {
    prop_oneof![
        0i32..=10_000,
        prop::sample::select(vec![1, 2, 9998, 9999, 2024, 2025])
    ]
    .boxed()
}

/// Any date chrono has, most near the years 0001 to 9999 and their ends.
fn any_date() -> impl Strategy<Value = Date> {
    let (min, max) = (
        NaiveDate::MIN.num_days_from_ce(),
        NaiveDate::MAX.num_days_from_ce(),
    );
    prop_oneof![
        min..=max,
        -400i32..=400,
        3_651_600i32..=3_652_500,
        (1950i32 * 365)..=(2060 * 365),
        0i32..=3_652_500,
    ]
    .prop_map(|n| NaiveDate::from_num_days_from_ce_opt(n).unwrap_or(NaiveDate::MIN))
}

fn period_text() -> BoxedStrategy<String> {
    prop_oneof![
        year().prop_map(|y| format!("{y:04}")),
        (year(), 0u32..=13).prop_map(|(y, m)| format!("{y:04}-{m:02}")),
        (year(), 0u32..=54).prop_map(|(y, w)| format!("{y:04}-W{w:02}")),
        (year(), 0u32..=5).prop_map(|(y, q)| format!("{y:04}-Q{q}")),
        (year(), 0u32..=3).prop_map(|(y, h)| format!("{y:04}-H{h}")),
        (year(), 0u32..=13, 0u32..=32).prop_map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}")),
        any_date().prop_map(|d| d.format("%Y-%m-%d").to_string()),
        garbage(),
    ]
    .boxed()
}

fn kind_text() -> BoxedStrategy<String> {
    prop_oneof![
        3 => prop::sample::select(vec![
            "day", "week", "month", "quarter", "half_year", "year", "days", "years",
        ])
        .prop_map(str::to_owned),
        1 => garbage(),
    ]
    .boxed()
}

fn date_text() -> BoxedStrategy<String> {
    prop_oneof![
        any_date().prop_map(|d| d.format("%Y-%m-%d").to_string()),
        (year(), 0u32..=13, 0u32..=32).prop_map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}")),
        garbage(),
    ]
    .boxed()
}

fn moment_text() -> BoxedStrategy<String> {
    let zones = prop::sample::select(vec![
        "", "+08:00", "Z", "-23:59", "+24:00", "+99:99", "+0800",
    ]);
    prop_oneof![
        3 => (date_text(), 0u32..=25, 0u32..=61, 0u32..=61, zones)
            .prop_map(|(d, h, m, s, z)| format!("{d}T{h:02}:{m:02}:{s:02}{z}")),
        1 => garbage(),
    ]
    .boxed()
}

const PROVINCES: [&str; 8] = ["11", "31", "44", "51", "65", "81", "00", "99"];

/// ID numbers: valid ones (18 with the check digit, 15-digit old ones), near misses (bad
/// check, region, birth date, lower-case x) and garbage, 18 bytes that are not 18
/// characters included.
fn id_number() -> BoxedStrategy<String> {
    let first17 = (
        prop::sample::select(PROVINCES.to_vec()),
        0u32..10_000,
        // Four digits: with_check_digit wants exactly 17.
        prop_oneof![1800i32..=2030, 0i32..=9999],
        0u32..=13,
        0u32..=32,
        0u32..1000,
    )
        .prop_map(|(p, r, y, m, d, s)| format!("{p}{r:04}{y:04}{m:02}{d:02}{s:03}"))
        .boxed();
    prop_oneof![
        3 => first17.clone().prop_map(|f| with_check_digit(&f).unwrap()),
        1 => (first17.clone(), any::<bool>()).prop_map(|(f, lower)| {
            let mut n = with_check_digit(&f).unwrap();
            n.pop();
            n.push(if lower { 'x' } else { '0' });
            n
        }),
        1 => first17.prop_map(|f| format!("{}{}", &f[..6], &f[8..])),
        1 => "[0-9Xx]{14,19}",
        1 => prop::sample::select(vec!["网网网网网网", "1101051949123100网", "11010519491231002é"])
            .prop_map(str::to_owned),
        1 => garbage(),
    ]
    .boxed()
}

fn phone() -> BoxedStrategy<String> {
    prop_oneof![
        (3_000_000_000u64..10_000_000_000).prop_map(|n| format!("1{n:010}")),
        "0[0-9]{2,3}-[0-9]{7,8}",
        "[0-9+\\- ()]{0,20}",
        "[０-９٠-٩0-9]{0,14}",
        garbage(),
    ]
    .boxed()
}

/// A JSON leaf of any kind, garbage numbers and text included.
fn json_leaf() -> BoxedStrategy<Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (-1000i64..1000).prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        garbage().prop_map(Value::from),
        prop::sample::select(vec!["day", "week", "year", "grid", "home", "closure_rate"])
            .prop_map(Value::from),
    ]
    .boxed()
}

fn json_any() -> BoxedStrategy<Value> {
    json_leaf()
        .prop_recursive(3, 12, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::btree_map("[a-z_]{0,8}", inner, 0..4)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
        .boxed()
}

/// One change to a JSON value: where (a choice at each level), what (replace, drop,
/// add a key or copy an item) and the new value.
type Mutation = (Vec<usize>, u8, String, Value);

fn mutate(mut value: Value, mutations: &[Mutation]) -> Value {
    for (path, action, key, new) in mutations {
        let mut node = &mut value;
        for &step in path {
            let children = match node {
                Value::Array(items) => items
                    .iter()
                    .filter(|v| v.is_array() || v.is_object())
                    .count(),
                Value::Object(map) => map
                    .values()
                    .filter(|v| v.is_array() || v.is_object())
                    .count(),
                _ => 0,
            };
            if children == 0 {
                break;
            }
            let pick = step % children;
            node = match node {
                Value::Array(items) => items
                    .iter_mut()
                    .filter(|v| v.is_array() || v.is_object())
                    .nth(pick)
                    .unwrap(),
                Value::Object(map) => map
                    .values_mut()
                    .filter(|v| v.is_array() || v.is_object())
                    .nth(pick)
                    .unwrap(),
                _ => unreachable!(),
            };
        }
        match node {
            Value::Object(map) if !map.is_empty() => {
                let existing = map.keys().nth(path.len() % map.len()).unwrap().clone();
                match action % 3 {
                    0 => map.insert(existing, new.clone()),
                    1 => map.remove(&existing),
                    _ => map.insert(key.clone(), new.clone()),
                };
            }
            Value::Array(items) if !items.is_empty() => {
                let i = path.len() % items.len();
                match action % 3 {
                    0 => items[i] = new.clone(),
                    1 => {
                        items.remove(i);
                    }
                    _ => {
                        let copy = items[i].clone();
                        items.push(copy);
                    }
                }
            }
            _ => {}
        }
    }
    value
}

/// A rule set's JSON text: `base` as it is, mutated, or garbage.
fn rules_json(base: Value) -> BoxedStrategy<String> {
    let mutation = (
        prop::collection::vec(any::<usize>(), 0..3),
        any::<u8>(),
        "[a-z_]{0,8}",
        json_any(),
    );
    let unchanged = base.to_string();
    let changed = prop::collection::vec(mutation, 1..3)
        .prop_map(move |m| mutate(base.clone(), &m).to_string());
    prop_oneof![
        1 => Just(unchanged),
        4 => changed,
        1 => json_any().prop_map(|v| v.to_string()),
        1 => garbage(),
        1 => prop::sample::select(vec![
            "{\"a\": 1e999}", "[{}]", "{}", "[]", "\"\\ud800\"", "null", "[[[[[[[[[[[[[[]]]]]]]]]]]]]",
        ])
        .prop_map(str::to_owned),
    ]
    .boxed()
}

// --- Periods and dates ------------------------------------------------------------------

fn in_years(period: Period) -> bool {
    period.first() >= date::FIRST_DATE && period.last() <= date::LAST_DATE
}

#[test]
fn periods_parse_move_and_nest_or_give_typed_errors() {
    let kinds = [
        PeriodKind::Day,
        PeriodKind::Week,
        PeriodKind::Month,
        PeriodKind::Quarter,
        PeriodKind::HalfYear,
        PeriodKind::Year,
    ];
    run(
        1500,
        (period_text(), kind_text(), any_date(), 0usize..6),
        |(text, kind_text, day, k)| {
            let kind = kinds[k];
            typed(PeriodKind::parse("kind", &kind_text));
            if let Some(period) = typed(Period::parse(&text)) {
                assert!(in_years(period), "{period}");
                assert_eq!(Period::parse(&period.to_string()).unwrap(), period);
                assert!(period.days() >= 1);
                for moved in [typed(period.next()), typed(period.previous())]
                    .into_iter()
                    .flatten()
                {
                    assert!(in_years(moved), "{moved}");
                    assert_eq!(moved.kind(), period.kind());
                }
                period.contains(day);
                if let Some(longer) = typed(period.belongs_to(kind)) {
                    assert!(in_years(longer), "{period} belongs to {longer}");
                    assert!(longer.kind() >= period.kind());
                }
                if let Some(parts) = typed(period.inside(kind)) {
                    assert!(parts.iter().all(|p| in_years(*p)), "{period} {kind:?}");
                }
            }
            if let Some(around) = typed(Period::containing(kind, day)) {
                assert!(in_years(around) && around.contains(day), "{around} {day}");
            }
        },
    );
}

#[test]
fn dates_moments_and_working_days_give_typed_errors() {
    let east8 = FixedOffset::east_opt(8 * 3600).unwrap();
    // Most in the years the official calendar covers (2010 to 2026), where counts succeed.
    let day = || {
        prop_oneof![
            3 => (2010i32..=2026, 1u32..=366)
                .prop_map(|(y, n)| NaiveDate::from_yo_opt(y, n).unwrap_or(NaiveDate::MIN)),
            1 => any_date(),
        ]
    };
    let cases = (
        date_text(),
        moment_text(),
        day(),
        day(),
        prop_oneof![any::<i64>(), -400i64..400],
        -86_399i32..86_400,
    );
    run(1500, cases, |(text, moment, a, b, n, offset)| {
        if let Some(day) = typed(date::parse_date("on", &text)) {
            assert!(date::in_range(day));
        }
        let offset = FixedOffset::east_opt(offset).unwrap_or(east8);
        typed(date::parse_moment("at", &moment, offset));
        typed(wangge::add_working_days(a, n));
        typed(wangge::working_days_between(a, b));
    });
}

// --- Working-day calendars ---------------------------------------------------------------

/// One line of a holiday arrangement: `YEAR NAME off FIRST[..LAST] [work DAYS]`, with
/// years, dates and words valid or not.
fn calendar_line() -> BoxedStrategy<String> {
    let day = || {
        prop_oneof![
            3 => (1u32..=12, 1u32..=31).prop_map(|(m, d)| format!("{m:02}-{d:02}")),
            1 => (year(), 0u32..=13, 0u32..=32).prop_map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}")),
            1 => garbage(),
        ]
    };
    let year = prop_oneof![3 => 2027i32..=2030, 1 => 1940i32..=10_001, 1 => any::<i32>()];
    let word = prop_oneof![3 => Just("off".to_owned()), 1 => garbage()];
    (
        year,
        prop_oneof![3 => Just("春节".to_owned()), 1 => garbage()],
        word,
        day(),
        prop::option::of(day()),
        prop::collection::vec(day(), 0..3),
    )
        .prop_map(|(y, name, off, first, last, work)| {
            let mut line = format!("{y} {name} {off} {first}");
            if let Some(last) = last {
                line = format!("{line}..{last}");
            }
            if !work.is_empty() {
                line = format!("{line} work {}", work.join(","));
            }
            line
        })
        .boxed()
}

#[test]
fn calendar_text_loads_or_names_its_line() {
    let (store, path) = county_file("calendar");
    let text = prop_oneof![
        3 => prop::collection::vec(calendar_line(), 0..4).prop_map(|lines| lines.join("\n")),
        1 => garbage(),
    ];
    let cases = (
        text,
        2026i32..=2031,
        1u32..=366,
        prop_oneof![-400i64..400, any::<i64>()],
    );
    run(300, cases, |(text, y, n, count)| {
        typed(wangge::Calendar::parse(&text));
        if let Some(years) = typed(store.load_calendar(&text)) {
            assert!(years.iter().all(|y| (1..=9999).contains(y)), "{years:?}");
        }
        let day = NaiveDate::from_yo_opt(y, n).unwrap_or(date::LAST_DATE);
        typed(store.add_working_days(day, count));
        typed(store.working_days_between(day, date::LAST_DATE));
        typed(store.working_days_between(date::FIRST_DATE, day));
    });
    still_sound(store, &path);
}

// --- ID numbers and phones --------------------------------------------------------------

#[test]
fn id_numbers_parse_or_name_the_part_and_masks_hide_enough() {
    run(
        2000,
        (id_number(), phone(), any_date()),
        |(number, phone, on)| {
            if let Some(id) = typed(parse_id_number(&number, on)) {
                assert_eq!(id.number.len(), 18);
                assert!(id.birth_date <= on);
            }
            let masked = mask_id_number(&number);
            let n = number.chars().count();
            assert_eq!(masked.chars().count(), n);
            let hidden = if n <= 8 { n } else { n - 8 };
            assert!(masked.chars().filter(|&c| c == '*').count() >= hidden);
            let digits = phone.chars().filter(char::is_ascii_digit).count();
            let shown = mask_phone(&phone);
            assert_eq!(shown.chars().count(), digits);
            assert!(shown.chars().filter(|&c| c == '*').count() >= digits.min(4));
        },
    );
}

#[test]
fn residents_staff_and_units_take_any_text() {
    let (store, path) = county_file("registry");
    let counter = std::cell::Cell::new(0u32);
    let cases = (
        prop::option::of(id_number()),
        prop::option::of(phone()),
        prop_oneof![3 => "[张王李赵网格]{1,6}", 1 => garbage()],
        prop::option::of(any_date()),
        prop_oneof![
            3 => "[0-9]{3}".prop_map(|n| format!("{COMMUNITY}{n}")),
            1 => garbage(),
        ],
        prop_oneof![3 => Just("grid".to_owned()), 1 => garbage()],
    );
    run(300, cases, |(id, phone, name, start, code, level)| {
        let n = counter.get();
        counter.set(n + 1);
        let resident = NewResident {
            name: name.clone(),
            id_number: id,
            phone: phone.clone(),
            hukou: None,
            employer: None,
            relation: None,
            tags: vec![],
        };
        if let Some(added) = typed(store.add_resident("H1", &resident, start)) {
            let (clear_id, clear_phone) = store.resident_clear(added.resident_id).unwrap();
            for (shown, clear) in [(&added.id_number, clear_id), (&added.phone, clear_phone)] {
                if let (Some(shown), Some(clear)) = (shown, clear) {
                    assert!(!shown.contains(&clear), "{shown} shows {clear}");
                }
            }
        }
        if let Some(staff) = typed(store.add_staff(&format!("S{n}"), &name, phone.as_deref()))
            && let (Some(shown), Some(clear)) =
                (staff.phone, store.staff_phone(&staff.staff_id).unwrap())
        {
            assert!(!shown.contains(&clear));
        }
        typed(store.add_unit(&code, &name, &level, Some(COMMUNITY), start));
        typed(store.unit(&code, start));
        typed(store.ancestors(&code, None));
        typed(store.descendants(&code, Some(&level), start));
    });
    still_sound(store, &path);
}

// --- Rule sets ---------------------------------------------------------------------------

/// Sets a rule set from `json` then reads everything that uses it, over `period`.
fn rule_set_case(
    store: &Store,
    which: usize,
    json: &str,
    start: Option<Date>,
    period: Option<Period>,
) {
    let set = match which {
        0 => store.set_visit_rules_json(json, start),
        1 => store.set_quota_rules_json(json, start),
        2 => store.set_patrol_rules_json(json, start),
        3 => store.set_ledger_rules_json(json, start),
        4 => store.set_reporting_rules_json(json, start),
        _ => store.set_assessment_rules_json(json, start),
    };
    typed(set);
    let at = store.parse_moment("2025-03-03T09:00:00").unwrap();
    let last = date::parse_date("d", "9999-12-30").unwrap();
    typed(store.due_visits(COMMUNITY, Some(last)));
    typed(store.due_visits(COMMUNITY, Some(date::FIRST_DATE)));
    typed(store.due_visits_for_staff("W1", None));
    typed(store.classify(
        None,
        "路灯不亮，楼道着火了",
        Some("H1"),
        None,
        false,
        Some(&at),
    ));
    typed(store.ledger_rules(Some(last)));
    if let Some(period) = period {
        typed(store.visit_compliance(COMMUNITY, &period, true));
        typed(store.quota_compliance(COMMUNITY, &period, true));
        typed(store.patrol_compliance(COMMUNITY, &period, true));
        typed(store.submission(GRID, period));
        typed(store.assessment(COMMUNITY, period));
        typed(store.report(GRID, period));
    }
}

#[test]
fn every_rule_set_json_is_taken_or_refused_with_a_typed_error() {
    let (store, path) = county_file("rules");
    let bases: Vec<Value> = vec![
        serde_json::from_str(&store.visit_rules_json(None).unwrap()).unwrap(),
        serde_json::from_str(&store.quota_rules_json(None).unwrap()).unwrap(),
        serde_json::from_str(&store.patrol_rules_json(None).unwrap()).unwrap(),
        wangge::default_ledger_rules().to_json(),
        json!([
            {"level": "grid", "every": "week", "due_working_days": 1},
            {"level": "community", "every": "month", "due_working_days": 3},
        ]),
        wangge::default_assessment_rules().to_json(),
    ];
    let periods = prop_oneof![
        3 => prop::sample::select(vec!["2025-W10", "2025-03", "2025-Q1", "2025", "2025-03-04"]).prop_map(str::to_owned),
        1 => period_text(),
    ];
    for (which, base) in bases.into_iter().enumerate() {
        let cases = (
            rules_json(base),
            prop::option::of(any_date()),
            periods.clone(),
        );
        run(60, cases, |(json, start, period)| {
            let period = Period::parse(&period).ok();
            rule_set_case(&store, which, &json, start, period);
        });
    }
    still_sound(store, &path);
}

// --- CSV bytes ---------------------------------------------------------------------------

const HEADER: [&str; 9] = [
    "household_id",
    "unit",
    "address",
    "kind",
    "tags",
    "name",
    "id_number",
    "phone",
    "relation",
];
const HEADER_ZH: [&str; 9] = [
    "户编号",
    "所属网格",
    "地址",
    "户类型",
    "户标签",
    "姓名",
    "身份证号",
    "联系电话",
    "与户主关系",
];

/// A household file: a real header, rows of valid-looking and odd fields, UTF-8 (with or
/// without a BOM) or GBK, sometimes with bytes spliced in.
fn csv_bytes() -> BoxedStrategy<Vec<u8>> {
    let cell = |valid: Vec<&'static str>| prop_oneof![4 => prop::sample::select(valid).prop_map(str::to_owned), 1 => garbage()];
    let row = (
        cell(vec!["C1", "C2", "C3"]),
        prop_oneof![4 => Just(GRID.to_owned()), 1 => garbage()],
        cell(vec!["北坝一网格2号", "龙井路3号"]),
        cell(vec!["registered", "floating", "户籍", "流动"]),
        cell(vec!["", "低保", "低保;残疾", ";;"]),
        cell(vec!["张三", "李四"]),
        prop_oneof![Just(String::new()), id_number()],
        prop_oneof![Just(String::new()), phone()],
        cell(vec!["head", "spouse", "户主", "配偶"]),
    )
        .prop_map(|r| vec![r.0, r.1, r.2, r.3, r.4, r.5, r.6, r.7, r.8]);
    (
        any::<bool>(),
        0usize..12,
        prop::collection::vec(row, 0..5),
        any::<bool>(),
        0u8..4,
        prop::option::of((any::<usize>(), prop::collection::vec(any::<u8>(), 0..8))),
    )
        .prop_map(|(chinese, drop, rows, quote_all, encoding, splice)| {
            let mut header: Vec<String> = (if chinese { HEADER_ZH } else { HEADER })
                .iter()
                .map(|s| (*s).to_owned())
                .collect();
            if drop < header.len() && drop % 3 == 0 {
                header.remove(drop);
            }
            let quote = |c: &String| {
                if quote_all || c.contains([',', '"', '\n', '\r']) {
                    format!("\"{}\"", c.replace('"', "\"\""))
                } else {
                    c.clone()
                }
            };
            let mut text = std::iter::once(&header)
                .chain(rows.iter())
                .map(|line| line.iter().map(quote).collect::<Vec<_>>().join(","))
                .collect::<Vec<_>>()
                .join("\r\n");
            if drop == 11 {
                text.push_str("\n\"unclosed");
            }
            let mut bytes = match encoding {
                0 => text.into_bytes(),
                1 => [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat(),
                _ => encoding_rs::GBK.encode(&text).0.into_owned(),
            };
            if let Some((at, junk)) = splice {
                let at = at % (bytes.len() + 1);
                bytes.splice(at..at, junk);
            }
            bytes
        })
        .boxed()
}

#[test]
fn csv_bytes_import_or_give_a_typed_error() {
    let (store, path) = county_file("csv");
    let encodings = prop::option::of(prop_oneof![
        3 => prop::sample::select(vec!["utf-8", "GBK", "gb18030"]).prop_map(str::to_owned),
        1 => garbage(),
    ]);
    let cases = (
        prop_oneof![4 => csv_bytes(), 1 => prop::collection::vec(any::<u8>(), 0..200)],
        encodings,
        any::<bool>(),
        prop::option::of(any_date()),
    );
    run(300, cases, |(bytes, encoding, skip, on)| {
        typed(parse_csv(&bytes, encoding.as_deref()));
        let options = ImportOptions {
            mode: if skip {
                ImportMode::SkipInvalid
            } else {
                ImportMode::AllOrNothing
            },
            on,
            encoding,
            ..Default::default()
        };
        if let Some(result) = typed(store.import_households_csv(&bytes, &options, None)) {
            let _ = result.inserted;
        }
    });
    still_sound(store, &path);
}

// --- Ledger summaries --------------------------------------------------------------------

#[test]
fn ledger_summaries_register_and_classify_or_give_typed_errors() {
    let (store, path) = county_file("ledger");
    let summary = prop_oneof![
        3 => prop::collection::vec(
            prop::sample::select(vec!["路灯", "火灾", "上访", "低保", "噪音", "，", " ", "着火"]),
            1..12,
        )
        .prop_map(|words| words.concat()),
        1 => garbage(),
        1 => "\\PC{1990,2010}",
    ];
    let category = prop::option::of(prop_oneof![
        3 => prop::sample::select(vec!["市政设施", "环境卫生", "安全生产", "信访隐患"]).prop_map(str::to_owned),
        1 => garbage(),
    ]);
    let cases = (
        summary,
        category,
        (1990i32..2060, 1u32..=12, 1u32..=28, 0u32..24),
        any::<bool>(),
        prop_oneof![3 => Just(GRID.to_owned()), 1 => garbage()],
        prop::option::of(prop_oneof![Just("H1".to_owned()), garbage()]),
        prop_oneof![-5i64..400, any::<i64>()],
    );
    let east8 = FixedOffset::east_opt(8 * 3600).unwrap();
    run(
        200,
        cases,
        |(summary, category, (y, m, d, h), urgent, unit, household, days)| {
            let at = east8.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap();
            typed(store.classify(
                category.as_deref(),
                &summary,
                household.as_deref(),
                Some(&unit),
                urgent,
                Some(&at),
            ));
            let mut entry = NewEntry::new(&unit, category.as_deref(), &summary, at);
            entry.household_id = household;
            entry.urgent = urgent;
            if let Some(registered) = typed(store.register(&entry)) {
                typed(store.sign_for(registered.id, "W1", &at));
                if let Some(days) = typed(wangge::EntryAction::check_days(days)) {
                    typed(store.extend(registered.id, &at, days, &summary));
                }
                typed(store.resolve(registered.id, &at, &summary));
            }
            let batch = json!([{"unit": unit, "category": category, "summary": summary, "reported_at": at.to_rfc3339()}]);
            typed(store.register_entries_json(&batch.to_string()));
        },
    );
    let all = store.entries(&wangge::EntryQuery::new(COUNTY)).unwrap();
    assert!(all.iter().all(|e| e.summary.chars().count() <= 2000));
    still_sound(store, &path);
}

#[test]
fn the_fuzzed_error_kinds_are_the_typed_ones() {
    // The kinds the checks above accept are exactly the library's.
    let error = Period::parse("2024-W99").unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidInput);
    assert!(typed(Period::parse("9999-12-31").unwrap().next()).is_none());
}
