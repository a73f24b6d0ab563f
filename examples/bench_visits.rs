//! Benchmark of visit due lists and compliance at county scale, against plain SQL in the
//! same run.
//!
//! A city of two counties holds 1,000,000 households in 5,000 grids of 200: county 512021
//! has 3,000 grids and 600,000 households, county 512022 the rest; one in nine
//! households is special. Over 2024 H2 and 2025 the grid staff record about two million
//! visits, some grids diligent and some not. Then, on 15 May 2025:
//! - the due list of the whole city (1,000,000 households; target ≤ 1 s), first call,
//!   warm, and first call again on the store reopened at rest (target ≤ 1.5× warm);
//! - the due list of one grid of 200 households (target ≤ 2 ms), over many grids;
//! - 2025-Q1 compliance of county 512021 (3,000 grids, 600,000 households).
//!
//! Baselines, in the same run and on the same file: a plain SQL GROUP BY giving each
//! household's last contact per channel up to the day (the least a due list must know,
//! without rules, periods, classes or places), and the same for one grid's households.
//! Run with `make bench`.

use std::time::{Duration, Instant};

use rusqlite::{Connection, params};
use wangge::{
    Channel, ImportOptions, ImportRow, Level, Levels, NewUnit, NewVisit, Period, Store,
    StoreOptions,
};

const COUNTIES: [(&str, usize); 2] = [("512021", 30), ("512022", 20)];
const COMMUNITIES_PER_TOWNSHIP: usize = 10;
const GRIDS_PER_COMMUNITY: usize = 10;
const HOUSEHOLDS_PER_GRID: usize = 200;
const TAGS: [&str; 4] = ["低保", "残疾", "空巢", "留守儿童"];
/// Warm runs of each measurement; the median is reported.
const ROUNDS: usize = 5;

fn d(text: &str) -> wangge::Date {
    wangge::date::parse_date("date", text).expect("a date")
}

/// A fixed pseudo-random number in `0..n` for `key`, so every run builds the same county.
fn pick(key: u64, n: u64) -> u64 {
    let mut x = key.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03;
    x ^= x >> 29;
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^= x >> 32;
    x % n
}

fn units() -> (Vec<NewUnit>, Vec<String>) {
    let unit = |code: &str, name: String, level: &str, parent: Option<&str>| NewUnit {
        code: code.to_owned(),
        name,
        level: level.into(),
        parent: parent.map(Into::into),
        start: None,
    };
    let mut units = vec![unit("5120", "资阳市".into(), "city", None)];
    let mut grids = Vec::new();
    for (county, townships) in COUNTIES {
        units.push(unit(county, format!("县{county}"), "county", Some("5120")));
        for t in 1..=townships {
            let township = format!("{county}{:03}", 100 + t);
            units.push(unit(&township, format!("镇{t}"), "township", Some(county)));
            for c in 1..=COMMUNITIES_PER_TOWNSHIP {
                let community = format!("{township}{c:03}");
                units.push(unit(
                    &community,
                    format!("社区{c}"),
                    "community",
                    Some(&township),
                ));
                for g in 1..=GRIDS_PER_COMMUNITY {
                    let grid = format!("{community}{g:03}");
                    units.push(unit(&grid, format!("网格{g}"), "grid", Some(&community)));
                    grids.push(grid);
                }
            }
        }
    }
    (units, grids)
}

fn households(grids: &[String]) -> Vec<ImportRow> {
    let mut rows = Vec::with_capacity(grids.len() * HOUSEHOLDS_PER_GRID);
    for (g, grid) in grids.iter().enumerate() {
        for i in 0..HOUSEHOLDS_PER_GRID {
            let h = g * HOUSEHOLDS_PER_GRID + i;
            rows.push(ImportRow {
                line: h + 1,
                household_id: format!("H{h:07}"),
                unit: grid.clone(),
                address: format!("幸福路{i}号"),
                kind: if h.is_multiple_of(10) {
                    "floating"
                } else {
                    "registered"
                }
                .into(),
                tags: if h.is_multiple_of(9) {
                    TAGS[h % TAGS.len()]
                } else {
                    ""
                }
                .into(),
                name: format!("户主{h}"),
                relation: "head".into(),
                ..ImportRow::default()
            });
        }
    }
    rows
}

/// A year and a half of visits: each grid has a diligence from 30% to 100%, and each
/// household gets each period's contact with that chance (a monthly call for special
/// households, a quarterly call and a half-yearly home visit for all).
fn visits(grids: &[String]) -> Vec<NewVisit> {
    let periods: Vec<(wangge::Date, u32, Channel, bool)> = {
        let mut p = Vec::new();
        for first in ["2024-07-01", "2025-01-01"] {
            p.push((d(first), 170, Channel::Home, false));
        }
        for (q, first) in ["2024-07-01", "2024-10-01", "2025-01-01", "2025-04-01"]
            .iter()
            .enumerate()
        {
            p.push((
                d(first),
                if q == 3 { 40 } else { 85 },
                Channel::Phone,
                false,
            ));
        }
        for m in 0..11 {
            let first = d("2024-07-01")
                .checked_add_months(chrono::Months::new(m))
                .expect("a month");
            let days = if m == 10 { 14 } else { 27 };
            p.push((first, days, Channel::Phone, true));
        }
        p
    };
    let mut out = Vec::new();
    for (g, _) in grids.iter().enumerate() {
        let diligence = 30 + pick(g as u64, 71);
        let staff = format!("S{g:05}");
        for i in 0..HOUSEHOLDS_PER_GRID {
            let h = g * HOUSEHOLDS_PER_GRID + i;
            let special = h.is_multiple_of(9);
            for (p, &(first, span, channel, only_special)) in periods.iter().enumerate() {
                if only_special && !special {
                    continue;
                }
                let key = (h as u64) << 8 | p as u64;
                if pick(key, 100) >= diligence {
                    continue;
                }
                let day = first + chrono::Days::new(pick(key ^ 0xABCD, u64::from(span)));
                if day > d("2025-05-14") {
                    continue;
                }
                out.push(NewVisit {
                    household_id: format!("H{h:07}"),
                    staff_id: staff.clone(),
                    channel,
                    on: day,
                    note: String::new(),
                });
            }
        }
    }
    out
}

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

/// The city-wide due list after another process's writes: its first call on a fresh
/// handle, warm, and read from the facts (the kept data dropped).
struct AfterWrites {
    first: Duration,
    warm: Duration,
    facts: Duration,
}

/// Another handle, as another process would, records a visit to 200 households of the
/// due list `before`, each on the channel it is due for, the day before `on`, each its own
/// write; then a fresh handle's first due list (the kept data brought up to date with
/// what the visits changed), its warm call, and the list read from the facts, which it
/// must equal.
fn after_another_process_wrote(
    path: &std::path::Path,
    on: Option<wangge::Date>,
    before: &[wangge::DueVisit],
) -> wangge::Result<AfterWrites> {
    let targets: Vec<(String, String, String)> = {
        let conn = Connection::open(path).expect("the file");
        let mut staff = conn
            .prepare(
                "SELECT a.staff_id FROM household h JOIN assignment a ON a.unit = h.unit
                 WHERE h.household_id = ?1",
            )
            .expect("a query");
        let mut seen = std::collections::HashSet::new();
        before
            .iter()
            .filter(|item| seen.insert(item.household_id.clone()))
            .take(200)
            .map(|item| {
                let id = &item.household_id;
                let by: String = staff
                    .query_row([id], |r| r.get(0))
                    .expect("its grid's staff");
                (id.clone(), by, item.channel.as_str().to_owned())
            })
            .collect()
    };
    let other = Store::open(path)?;
    for (household, staff, channel) in &targets {
        other.record_visit(household, staff, channel, d("2025-05-14"), "")?;
    }
    drop(other);
    let store = Store::open(path)?;
    let t = Instant::now();
    let list = store.due_visits("5120", on)?;
    let first = t.elapsed();
    assert!(
        list.len() < before.len(),
        "the visits took households off the list"
    );
    let warm = median(
        (0..ROUNDS)
            .map(|_| {
                let t = Instant::now();
                assert_eq!(store.due_visits("5120", on).expect("a due list"), list);
                t.elapsed()
            })
            .collect(),
    );
    drop(store);
    Connection::open(path)
        .expect("the file")
        .execute("DELETE FROM kept", [])
        .expect("kept dropped");
    let store = Store::open(path)?;
    let t = Instant::now();
    let facts = store.due_visits("5120", on)?;
    let facts_time = t.elapsed();
    assert_eq!(facts, list, "brought up to date as read from the facts");
    Ok(AfterWrites {
        first,
        warm,
        facts: facts_time,
    })
}

fn main() -> wangge::Result<()> {
    let dir = std::env::temp_dir().join(format!("wangge-bench-visits-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    let path = dir.join("city.db");
    let levels = Levels::new(vec![
        Level::coded("city", 4),
        Level::coded("county", 6),
        Level::coded("township", 9),
        Level::coded("community", 12),
        Level::coded("grid", 15),
    ])?;
    let store = Store::open_with(
        &path,
        StoreOptions {
            levels: Some(levels),
            ..StoreOptions::default()
        },
    )?;

    let t = Instant::now();
    let (units, grids) = units();
    store.add_units(&units)?;
    for (g, grid) in grids.iter().enumerate() {
        let staff = format!("S{g:05}");
        store.add_staff(&staff, &format!("网格员{g}"), None)?;
        store.assign(&staff, grid, "grid_worker", None, None)?;
    }
    let rows = households(&grids);
    let imported = store.import_households(
        &rows,
        &ImportOptions {
            on: Some(d("2024-01-01")),
            ..ImportOptions::default()
        },
        None,
    )?;
    assert!(imported.errors.is_empty(), "{:?}", &imported.errors[..1]);
    drop(rows);
    let visits = visits(&grids);
    // Each batch's time, and the part of it spent holding the write lock.
    let mut batches = Vec::new();
    for batch in visits.chunks(100_000) {
        let t = Instant::now();
        store.record_visits(batch)?;
        let held = store.last_write_lock_held().expect("the batch wrote");
        batches.push((t.elapsed(), held));
    }
    println!(
        "built: {} grids, {} households, {} visits in {:.1} s",
        grids.len(),
        grids.len() * HOUSEHOLDS_PER_GRID,
        visits.len(),
        t.elapsed().as_secs_f64()
    );
    println!(
        "visit batches of 100,000 (median of {}): {} each, the write lock held {}",
        batches.len(),
        ms(median(batches.iter().map(|b| b.0).collect())),
        ms(median(batches.iter().map(|b| b.1).collect()))
    );
    drop(visits);
    // A fresh handle, so the first due list reads everything from the file.
    drop(store);
    let store = Store::open(&path)?;
    let on = Some(d("2025-05-15"));

    let t = Instant::now();
    let first = store.due_visits("5120", on)?;
    let first_call = t.elapsed();
    let overdue = first.iter().filter(|i| i.overdue).count();
    let warm = median(
        (0..ROUNDS)
            .map(|_| {
                let t = Instant::now();
                let list = store.due_visits("5120", on).expect("a due list");
                assert_eq!(list.len(), first.len());
                t.elapsed()
            })
            .collect(),
    );

    // One grid at a time, over 200 grids spread across the city.
    let sample: Vec<&String> = grids.iter().step_by(grids.len() / 200).take(200).collect();
    let mut per_grid = Vec::new();
    let mut grid_items = 0;
    for grid in &sample {
        let t = Instant::now();
        grid_items += store.due_visits(grid, on)?.len();
        per_grid.push(t.elapsed());
    }
    let grid_worst = *per_grid.iter().max().expect("grids");
    let grid_median = median(per_grid);

    let q1 = Period::parse("2025-Q1")?;
    let compliance = store.visit_compliance("512021", &q1, false)?;
    let compliance_time = median(
        (0..ROUNDS)
            .map(|_| {
                let t = Instant::now();
                store
                    .visit_compliance("512021", &q1, false)
                    .expect("compliance");
                t.elapsed()
            })
            .collect(),
    );
    drop(store);
    // Another process's first call on the store at rest: what the first call built is
    // kept in the file and read back instead of every fact. The median of three opens.
    let reopened_call = median(
        (0..3)
            .map(|_| -> wangge::Result<Duration> {
                let store = Store::open(&path)?;
                let t = Instant::now();
                let reopened = store.due_visits("5120", on)?.len();
                let took = t.elapsed();
                assert_eq!(reopened, first.len());
                Ok(took)
            })
            .collect::<wangge::Result<_>>()?,
    );

    let after = after_another_process_wrote(&path, on, &first)?;

    // Baselines on the same file.
    let raw = Connection::open(&path).expect("the file");
    let day = i64::from(chrono::Datelike::num_days_from_ce(&d("2025-05-15")));
    let baseline = median(
        (0..ROUNDS)
            .map(|_| {
                let t = Instant::now();
                let mut stmt = raw
                    .prepare_cached(
                        "SELECT household_id, channel, max(day) FROM visit WHERE day <= ?1
                         GROUP BY household_id, channel",
                    )
                    .expect("SQL");
                let n = stmt
                    .query_map([day], |r| r.get::<_, String>(0))
                    .expect("rows")
                    .count();
                assert!(n > 900_000);
                t.elapsed()
            })
            .collect(),
    );
    let grid_baseline = median(
        sample
            .iter()
            .map(|grid| {
                let t = Instant::now();
                let mut stmt = raw
                    .prepare_cached(
                        "SELECT h.household_id, v.channel, max(v.day) FROM household h
                         LEFT JOIN visit v ON v.household_id = h.household_id AND v.day <= ?2
                         WHERE h.unit = ?1 GROUP BY h.household_id, v.channel",
                    )
                    .expect("SQL");
                let n = stmt
                    .query_map(params![grid, day], |r| r.get::<_, String>(0))
                    .expect("rows")
                    .count();
                assert!(n >= HOUSEHOLDS_PER_GRID);
                t.elapsed()
            })
            .collect(),
    );
    drop(raw);
    std::fs::remove_dir_all(&dir).expect("scratch removed");

    let ratio = |a: Duration, b: Duration| a.as_secs_f64() / b.as_secs_f64();
    println!(
        "due list, city of 1,000,000 households: {} items ({overdue} overdue)",
        first.len()
    );
    println!(
        "  first call {} (reads the registry and every visit), warm {} (target ≤ 1 s)",
        ms(first_call),
        ms(warm)
    );
    println!(
        "  first call on the store reopened at rest (what the first call kept in the file; median of 3 opens): {} = {:.2}× warm (target ≤ 1.5×)",
        ms(reopened_call),
        ratio(reopened_call, warm)
    );
    println!(
        "  first call after another process's 200 visits to households on the list (each its own write), what was kept \
         brought up to date with what they changed: {} = {:.2}× warm ({}); read from the facts {}",
        ms(after.first),
        ratio(after.first, after.warm),
        ms(after.warm),
        ms(after.facts)
    );
    println!(
        "  baseline: SQL last contact per household and channel {}; warm due list = {:.2}× baseline",
        ms(baseline),
        ratio(warm, baseline)
    );
    println!(
        "due list, one grid of {HOUSEHOLDS_PER_GRID}: median {}, worst {} over {} grids, {grid_items} items (target ≤ 2 ms)",
        ms(grid_median),
        ms(grid_worst),
        sample.len()
    );
    println!(
        "  baseline: SQL last contact per household of the grid {}; due list = {:.2}× baseline",
        ms(grid_baseline),
        ratio(grid_median, grid_baseline)
    );
    println!(
        "compliance 2025-Q1, county of 3,000 grids and 600,000 households: {} ({} of {} requirements met)",
        ms(compliance_time),
        compliance.total.met,
        compliance.total.required
    );
    println!(
        "  = {:.2}× the city-wide SQL baseline",
        ratio(compliance_time, baseline)
    );
    Ok(())
}
