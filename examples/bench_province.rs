//! Benchmark of a province's figures: 20 county stores of 250,000 entries each (5,000,000
//! in all), exported as Parquet, against the sum of their 20 reports.
//!
//! Each county (its own code, 5 townships of 10 communities of 20 grids; 10,000
//! households with a resident each and 30,000 visits over 2025; entries reported over
//! 2025 and worked along varied paths) is built once under `build/bench-province/` and
//! reused. Then, in this run:
//! - **export**: every county exported into `build/bench-province/out/<code>` afresh, then
//!   again (an increment with nothing changed);
//! - **reports**: each county's `Store.report` for the quarter, in a store just opened,
//!   summed (num/den added, rates recomputed), written to `reports.json` with the times
//!   for `examples/province/bench_province.py`, which runs `report.sql` in DuckDB over all
//!   the files in the same run and prints the ratios and whether the figures agree.
//! - **city**: each county submits its quarter's report (a county rule of quarterly
//!   reports is set once in its store); a city store (`5120`) receives the sealed
//!   submissions and makes its one report from them, timed beside the sum above, and its
//!   totals must equal the counties' summed.
//!
//! `--counties N` and `--entries M` (per county) change the size; the stores are cached
//! per size.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use wangge::{
    Action, Channel, EntryAction, ImportOptions, Level, Levels, NewEntry, NewUnit, NewVisit,
    Period, PeriodKind, ReportingRule, Store, StoreOptions,
};

const PERIOD: &str = "2025-Q2";
const TOWNSHIPS: usize = 5;
const COMMUNITIES: usize = 10;
const GRIDS: usize = 20;
const HOUSEHOLDS: usize = 10_000;
const VISITS: usize = 30_000;
const BATCH: usize = 50_000;
const SUBMITTED_AT: &str = "2025-07-03T10:00:00";
const CITY: &str = "5120";
const CATEGORIES: [&str; 5] = ["市政设施", "矛盾纠纷", "低保", "就业", "安全生产"];

/// A small deterministic generator, so the stores are the same every build.
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
}

fn county_code(i: usize) -> String {
    format!("51{:04}", 2001 + i)
}

fn grids(county: &str) -> Vec<String> {
    let mut out = Vec::new();
    for t in 0..TOWNSHIPS {
        for c in 0..COMMUNITIES {
            for g in 0..GRIDS {
                out.push(format!("{county}{:03}{:03}{:03}", 100 + t, c + 1, g + 1));
            }
        }
    }
    out
}

fn units(county: &str) -> Vec<NewUnit> {
    let unit = |code: String, level: &str, parent: Option<String>| NewUnit {
        name: format!("{level}{code}"),
        code,
        level: level.to_owned(),
        parent,
        start: Some(wangge::date::parse_date("start", "2024-01-01").expect("date")),
    };
    let mut out = vec![unit(county.to_owned(), "county", None)];
    for t in 0..TOWNSHIPS {
        let township = format!("{county}{:03}", 100 + t);
        out.push(unit(township.clone(), "township", Some(county.to_owned())));
        for c in 0..COMMUNITIES {
            let community = format!("{township}{:03}", c + 1);
            out.push(unit(community.clone(), "community", Some(township.clone())));
            for g in 0..GRIDS {
                out.push(unit(
                    format!("{community}{:03}", g + 1),
                    "grid",
                    Some(community.clone()),
                ));
            }
        }
    }
    out
}

/// The actions that work one entry reported at `at`, along a path the dice choose.
fn path(dice: &mut Dice, id: i64, mut at: wangge::Moment, out: &mut Vec<EntryAction>) {
    let mut step = |dice: &mut Dice, action: Action, hours: u64| {
        at += chrono::Duration::hours(i64::try_from(1 + dice.below(hours)).unwrap_or(1));
        let mut a = EntryAction::new(id, action, at);
        match action {
            Action::SignFor | Action::Start => a.staff_id = Some("W1".into()),
            Action::Resolve => a.note = "已处理".into(),
            Action::Escalate => a.note = "超出能力".into(),
            Action::MarkHard => a.note = "历史遗留".into(),
            _ => {}
        }
        out.push(a);
    };
    let roll = dice.below(100);
    if roll < 5 {
        return;
    }
    if roll < 10 {
        step(dice, Action::Escalate, 30);
    }
    step(dice, Action::SignFor, 40);
    if roll < 15 {
        return;
    }
    step(dice, Action::Start, 24);
    match roll {
        15..=19 => step(dice, Action::MarkHard, 200),
        20..=29 => {}
        _ => {
            step(dice, Action::Resolve, 300);
            if dice.below(100) < 70 {
                step(dice, Action::Close, 48);
            }
        }
    }
}

fn build(file: &Path, county: &str, entries: usize, seed: u64) -> wangge::Result<()> {
    let store = Store::open(file)?;
    store.add_units(&units(county))?;
    store.add_staff("W1", "王网格员", None)?;
    let grids = grids(county);
    let mut dice = Dice(seed);
    let mut csv = String::from("household_id,unit,address,kind,tags,name,relation\n");
    for h in 0..HOUSEHOLDS {
        let grid = &grids[h % grids.len()];
        let tags = if h % 6 == 0 { "低保" } else { "" };
        let kind = if h % 9 == 0 { "floating" } else { "registered" };
        let _ = writeln!(
            csv,
            "{county}H{h},{grid},路{h}号,{kind},{tags},居民{h},head"
        );
    }
    store.import_households_csv(csv.as_bytes(), &ImportOptions::default(), None)?;
    let year = wangge::date::parse_date("day", "2025-01-01").expect("date");
    let visits: Vec<NewVisit> = (0..VISITS)
        .map(|_| NewVisit {
            household_id: format!("{county}H{}", dice.below(HOUSEHOLDS as u64)),
            staff_id: "W1".into(),
            channel: if dice.below(100) < 40 {
                Channel::Home
            } else {
                Channel::Phone
            },
            on: year + chrono::Days::new(dice.below(360)),
            note: String::new(),
        })
        .collect();
    store.record_visits(&visits)?;
    let start = store.parse_moment("2025-01-01T08:00:00")?;
    let mut done = 0;
    while done < entries {
        let n = BATCH.min(entries - done);
        let batch: Vec<NewEntry> = (0..n)
            .map(|i| {
                let unit = &grids[dice.below(grids.len() as u64) as usize];
                let at = start + chrono::Duration::minutes(dice.below(360 * 24 * 60) as i64);
                NewEntry::new(
                    unit,
                    Some(CATEGORIES[(done + i) % CATEGORIES.len()]),
                    "诉求",
                    at,
                )
            })
            .collect();
        let ids = store.register_entries(&batch)?;
        let mut actions = Vec::new();
        for (id, entry) in ids.iter().zip(&batch) {
            path(&mut dice, *id, entry.reported_at, &mut actions);
        }
        store.work_entries(&actions)?;
        done += n;
    }
    Ok(())
}

/// The default reporting rules and a county's quarterly report, due 10 working days on.
fn rules() -> Vec<ReportingRule> {
    let mut rules = wangge::default_reporting_rules();
    rules.push(ReportingRule {
        level: "county".into(),
        every: PeriodKind::Quarter,
        due_working_days: 10,
    });
    rules
}

/// The county store's sealed submission of its report for `period`, as the city receives
/// it. The rule is set only in a store that lacks it, so a cached store is changed once.
fn submission(store: &Store, code: &str, period: Period) -> wangge::Result<String> {
    if !store
        .reporting_rules(None)?
        .iter()
        .any(|r| r.level == "county")
    {
        store.set_reporting_rules(&rules(), None)?;
    }
    let at = store.parse_moment(SUBMITTED_AT)?;
    Ok(store.submit(code, period, &at)?.to_json(true).to_string())
}

/// A city store above `codes`: the city, its counties, the same rules.
fn city(codes: &[String]) -> wangge::Result<Store> {
    let levels = Levels::new(vec![
        Level::coded("city", 4),
        Level::coded("county", 6),
        Level::coded("township", 9),
        Level::coded("community", 12),
        Level::coded("grid", 15),
    ])?;
    let city = Store::open_with(
        ":memory:",
        StoreOptions {
            levels: Some(levels),
            ..StoreOptions::default()
        },
    )?;
    city.add_unit(CITY, "资阳市", "city", None, None)?;
    for code in codes {
        city.add_unit(code, &format!("county{code}"), "county", Some(CITY), None)?;
    }
    city.set_reporting_rules(&rules(), None)?;
    Ok(city)
}

fn flag(args: &[String], name: &str, default: usize) -> usize {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map_or(default, |v| v.parse().expect("a whole number"))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let counties = flag(&args, "--counties", 20);
    let entries = flag(&args, "--entries", 250_000);
    let base = PathBuf::from(format!("build/bench-province/{counties}x{entries}"));
    std::fs::create_dir_all(&base)?;
    let codes: Vec<String> = (0..counties).map(county_code).collect();
    for (i, code) in codes.iter().enumerate() {
        let file = base.join(format!("{code}.db"));
        if !file.exists() {
            let t = Instant::now();
            let partial = base.join(format!("{code}.db.partial"));
            let _ = std::fs::remove_file(&partial);
            build(&partial, code, entries, 20_250_000 + i as u64)?;
            std::fs::rename(&partial, &file)?;
            eprintln!(
                "built {code}: {entries} entries ({:.0} s)",
                t.elapsed().as_secs_f64()
            );
        }
    }
    let out = base.join("out");
    let _ = std::fs::remove_dir_all(&out);
    let (mut export_s, mut increment_s, mut report_s) = (0.0, 0.0, 0.0);
    let (mut files, mut bytes) = (0u64, 0u64);
    let period = Period::parse(PERIOD)?;
    let mut totals: Vec<serde_json::Value> = Vec::new();
    let mut sealed: Vec<String> = Vec::new();
    for code in &codes {
        let store = Store::open(base.join(format!("{code}.db")))?;
        let dir = out.join(code);
        let t = Instant::now();
        let summary = store.export_parquet(&dir, None)?;
        export_s += t.elapsed().as_secs_f64();
        let t = Instant::now();
        store.export_parquet(&dir, None)?;
        increment_s += t.elapsed().as_secs_f64();
        for table in &summary.tables {
            for f in &table.files {
                files += 1;
                bytes += std::fs::metadata(dir.join(f))?.len();
            }
        }
        drop(store);
        // A store just opened: the report reads what it needs afresh.
        let store = Store::open(base.join(format!("{code}.db")))?;
        let t = Instant::now();
        let report = store.report(code, period)?;
        report_s += t.elapsed().as_secs_f64();
        totals.push(report.to_json()["totals"].clone());
        sealed.push(submission(&store, code, period)?);
    }
    // The city store's report from the counties' received submissions.
    let city = city(&codes)?;
    let t = Instant::now();
    for s in &sealed {
        city.receive_submission(s)?;
    }
    let receive_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let city_report = city.report(CITY, period)?;
    let city_report_s = t.elapsed().as_secs_f64();
    let city_totals = city_report.to_json()["totals"].clone();
    let summary = serde_json::json!({
        "counties": counties,
        "entries_per_county": entries,
        "period": PERIOD,
        "facts": out.join("*").display().to_string(),
        "export_s": export_s,
        "increment_s": increment_s,
        "reports_s": report_s,
        "files": files,
        "bytes": bytes,
        "county_totals": totals,
        "receive_s": receive_s,
        "city_report_s": city_report_s,
        "city_totals": city_totals,
    });
    std::fs::write(
        base.join("reports.json"),
        serde_json::to_string_pretty(&summary)?,
    )?;
    println!("{}", base.join("reports.json").display());
    eprintln!(
        "{counties} counties x {entries} entries: export {export_s:.1} s ({files} files, {:.1} MB), \
         increment {increment_s:.1} s, {counties} reports {report_s:.1} s; the city received \
         {counties} submissions in {receive_s:.3} s and reported in {city_report_s:.4} s",
        bytes as f64 / 1e6
    );
    Ok(())
}
