//! Benchmark of a county's monthly report over 100,000 grids and 5,000,000 entries.
//!
//! The store (20 townships of 50 communities of 100 grids; 5,000,000 entries reported
//! over 2025, worked along varied paths by `work_entries`) is built once under
//! `build/bench-report/` and reused. Then, in this run:
//! - **cold**: a store just opened, nothing in memory: the first report lays the entries
//!   out in columns, in one pass over the `entry` table, and counts;
//! - **maintained**: the report again with the columns in memory, then after 10,000 more
//!   actions written through the store (re-read into the columns);
//! - **baseline**: one plain SQLite `GROUP BY` over the raw rows (entries joined to their
//!   units' spans, the last event state of each entry by the period's end), the query a
//!   report without maintained data would run each time.
//!
//! With `--dump DIR` it also writes the same facts as CSV (units with their report row,
//! entries, events with their states' fields) and the report's rows as JSON, for
//! `examples/bench_report.py`, which runs the same aggregation in DuckDB in the same run
//! and compares figures and times. Run that script, or `cargo run --release -p
//! wangge-core --example bench_report`.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use wangge::{Action, EntryAction, NewEntry, NewUnit, Period, Store};

const TOWNSHIPS: usize = 20;
const COMMUNITIES: usize = 50;
const GRIDS: usize = 100;
/// Entries registered; `BENCH_ENTRIES` in the environment sets another number.
const ENTRIES: usize = 5_000_000;
const BATCH: usize = 100_000;
const COUNTY: &str = "512021";
const PERIOD: &str = "2025-06";
const CATEGORIES: [&str; 8] = [
    "市政设施",
    "矛盾纠纷",
    "低保",
    "就业",
    "安全生产",
    "环境卫生",
    "民政帮扶",
    "信访隐患",
];

/// A small deterministic generator, so the store is the same every build.
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

fn grid_code(t: usize, c: usize, g: usize) -> String {
    format!("{COUNTY}{:03}{:03}{:03}", 100 + t, c + 1, g + 1)
}

fn units() -> Vec<NewUnit> {
    let unit = |code: String, level: &str, parent: String| NewUnit {
        name: format!("{level}{code}"),
        code,
        level: level.to_owned(),
        parent: Some(parent),
        start: None,
    };
    let mut out = vec![NewUnit {
        code: COUNTY.into(),
        name: "安岳县".into(),
        level: "county".into(),
        parent: None,
        start: None,
    }];
    for t in 0..TOWNSHIPS {
        let township = format!("{COUNTY}{:03}", 100 + t);
        out.push(unit(township.clone(), "township", COUNTY.into()));
        for c in 0..COMMUNITIES {
            let community = format!("{township}{:03}", c + 1);
            out.push(unit(community.clone(), "community", township.clone()));
            for g in 0..GRIDS {
                out.push(unit(grid_code(t, c, g), "grid", community.clone()));
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
            Action::Verify => a.satisfied = Some(true),
            Action::Extend => {
                a.note = "情况复杂".into();
                a.days = Some(5);
            }
            Action::Escalate => a.note = "超出能力".into(),
            Action::MarkHard => a.note = "历史遗留".into(),
            Action::Suspend => a.note = "等待材料".into(),
            _ => {}
        }
        out.push(a);
    };
    let roll = dice.below(100);
    if roll < 4 {
        return; // never signed for
    }
    if roll < 8 {
        step(dice, Action::Escalate, 30);
    }
    step(dice, Action::SignFor, 30);
    if roll < 12 {
        return; // signed for, not started
    }
    step(dice, Action::Start, 24);
    match roll {
        12..=15 => step(dice, Action::MarkHard, 200),
        16..=19 => {
            step(dice, Action::Suspend, 100);
            if dice.chance(60) {
                step(dice, Action::Resume, 300);
            }
        }
        20..=25 => {
            step(dice, Action::Extend, 200);
            step(dice, Action::Resolve, 400);
        }
        26..=29 => {}
        _ => {
            step(dice, Action::Resolve, 300);
            if dice.chance(80) {
                step(dice, Action::Close, 48);
            }
        }
    }
}

fn build(path_: &Path, entries: usize) -> wangge::Result<()> {
    let started = Instant::now();
    let store = Store::open(path_)?;
    store.add_units(&units())?;
    store.add_staff("W1", "王网格员", None)?;
    let grids = TOWNSHIPS * COMMUNITIES * GRIDS;
    let mut dice = Dice(20_250_601);
    let year_start = store.parse_moment("2025-01-01T08:00:00")?;
    let mut done = 0;
    while done < entries {
        let n = BATCH.min(entries - done);
        let mut batch = Vec::with_capacity(n);
        for i in 0..n {
            let g = usize::try_from(dice.below(grids as u64)).unwrap_or(0);
            let (t, rest) = (g / (COMMUNITIES * GRIDS), g % (COMMUNITIES * GRIDS));
            let unit = grid_code(t, rest / GRIDS, rest % GRIDS);
            let minutes = dice.below(364 * 24 * 60);
            let at = year_start + chrono::Duration::minutes(i64::try_from(minutes).unwrap_or(0));
            let category = CATEGORIES[(done + i) % CATEGORIES.len()];
            batch.push(NewEntry::new(&unit, Some(category), "诉求", at));
        }
        let ids = store.register_entries(&batch)?;
        let mut actions = Vec::new();
        for (id, entry) in ids.iter().zip(&batch) {
            path(&mut dice, *id, entry.reported_at, &mut actions);
        }
        store.work_entries(&actions)?;
        done += n;
        eprintln!(
            "  {done} entries registered and worked ({:.0} s)",
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

/// The report's ledger counts per row, as the Python script compares them.
fn rows_json(report: &wangge::Report) -> serde_json::Value {
    let rows: Vec<serde_json::Value> = report
        .rows
        .iter()
        .map(|r| {
            let l = &r.indicators.ledger;
            serde_json::json!({
                "row": r.unit,
                "received": l.received,
                "resolved": l.resolved,
                "closed": l.closed,
                "received_resolved": l.closure_rate.num,
                "due": l.due_closure_rate.den,
                "due_on_time": l.due_closure_rate.num,
                "resolved_on_time": l.timely_rate.num,
                "dispatched": l.sign_for_rate.den,
                "signed": l.sign_for_rate.num,
                "signed_on_time": l.timely_sign_for_rate.num,
                "pending": l.pending,
                "hard": l.hard,
                "overdue": l.overdue,
            })
        })
        .collect();
    serde_json::Value::Array(rows)
}

/// One plain SQLite pass over the raw rows: per township, the month's received,
/// resolved and closed, and each entry's standing from its last event by the month's end.
fn baseline(path_: &Path, (start, end): (i64, i64)) -> rusqlite::Result<(f64, i64)> {
    let conn = rusqlite::Connection::open(path_)?;
    let t = Instant::now();
    let received: i64 = conn.query_row(
        "SELECT sum(received) FROM (
           SELECT substr(e.unit, 1, 9) AS row,
             sum(e.reported BETWEEN ?1 AND ?2) AS received,
             sum((SELECT min(v.at) FROM entry_event v WHERE v.entry_id = e.id AND v.action = 'resolve')
                 BETWEEN ?1 AND ?2) AS resolved,
             sum(EXISTS (SELECT 1 FROM entry_event v WHERE v.entry_id = e.id AND v.action = 'close'
                 AND v.at BETWEEN ?1 AND ?2)) AS closed,
             sum((SELECT json_extract(v.state, '$.status') FROM entry_event v
                  WHERE v.entry_id = e.id AND v.at <= ?2 ORDER BY v.seq DESC LIMIT 1)
                 IN ('registered', 'signed_for', 'in_progress', 'suspended')) AS open
           FROM entry e WHERE e.reported <= ?2 GROUP BY row)",
        [start, end],
        |r| r.get(0),
    )?;
    Ok((t.elapsed().as_secs_f64(), received))
}

/// Writes the facts as CSV for DuckDB: units with their row, entries, events.
fn dump(path_: &Path, dir: &Path) -> Result<(), Box<dyn std::error::Error>> {
    std::fs::create_dir_all(dir)?;
    let conn = rusqlite::Connection::open(path_)?;
    let mut out = std::io::BufWriter::new(std::fs::File::create(dir.join("units.csv"))?);
    writeln!(out, "code,row")?;
    let mut stmt = conn.prepare("SELECT code, path FROM unit_span")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let (code, path): (String, String) = (r.get(0)?, r.get(1)?);
        let row = path
            .split('/')
            .filter(|s| !s.is_empty())
            .nth(1)
            .unwrap_or(COUNTY);
        writeln!(out, "{code},{row}")?;
    }
    out.flush()?;
    let mut out = std::io::BufWriter::new(std::fs::File::create(dir.join("entries.csv"))?);
    writeln!(out, "id,unit,category,reported")?;
    let mut stmt = conn.prepare("SELECT id, unit, category, reported FROM entry")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let (id, unit, category, reported): (i64, String, String, i64) =
            (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?);
        writeln!(out, "{id},{unit},{category},{reported}")?;
    }
    out.flush()?;
    let mut out = std::io::BufWriter::new(std::fs::File::create(dir.join("events.csv"))?);
    writeln!(
        out,
        "entry_id,seq,action,at,status,hard,deadline,sign_due,suspended,first_resolved"
    )?;
    let mut stmt = conn.prepare(
        "SELECT entry_id, seq, action, at, json_extract(state, '$.status'),
                json_extract(state, '$.hard'), json_extract(state, '$.deadline'),
                json_extract(state, '$.sign_due'), json_extract(state, '$.suspended'),
                json_extract(state, '$.first_resolved')
         FROM entry_event",
    )?;
    let mut rows = stmt.query([])?;
    let opt = |v: Option<i64>| v.map(|x| x.to_string()).unwrap_or_default();
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let seq: i64 = r.get(1)?;
        let action: String = r.get(2)?;
        let at: i64 = r.get(3)?;
        let status: String = r.get(4)?;
        let hard: i64 = r.get(5)?;
        let deadline: i64 = r.get(6)?;
        writeln!(
            out,
            "{id},{seq},{action},{at},{status},{hard},{deadline},{},{},{}",
            opt(r.get(7)?),
            opt(r.get(8)?),
            opt(r.get(9)?)
        )?;
    }
    out.flush()?;
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let mut dump_dir: Option<PathBuf> = None;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--dump" => dump_dir = args.next().map(PathBuf::from),
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    let entries = std::env::var("BENCH_ENTRIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(ENTRIES);
    let dir = PathBuf::from("build/bench-report");
    std::fs::create_dir_all(&dir)?;
    let db = dir.join(format!("store-{entries}.db"));
    if !db.exists() {
        eprintln!("building {} (once)", db.display());
        let partial = dir.join("partial.db");
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", partial.display()));
        }
        build(&partial, entries)?;
        std::fs::rename(&partial, &db)?;
    }
    let period = Period::parse(PERIOD)?;
    println!(
        "monthly report of {COUNTY} for {PERIOD}: {} grids, {entries} entries",
        TOWNSHIPS * COMMUNITIES * GRIDS
    );

    let t = Instant::now();
    let store = Store::open(&db)?;
    let report = store.report(COUNTY, period)?;
    let cold = t.elapsed().as_secs_f64();
    let mut maintained = f64::MAX;
    for _ in 0..5 {
        let t = Instant::now();
        let again = store.report(COUNTY, period)?;
        maintained = maintained.min(t.elapsed().as_secs_f64());
        assert_eq!(again, report, "the same report from the same facts");
    }
    // 10,000 more entries registered and signed for through the store, then the report.
    let at = store.parse_moment("2025-06-20T09:00:00")?;
    let fresh: Vec<NewEntry> = (0..10_000)
        .map(|i| {
            let unit = grid_code(i % TOWNSHIPS, i % COMMUNITIES, i % GRIDS);
            NewEntry::new(&unit, Some(CATEGORIES[i % CATEGORIES.len()]), "诉求", at)
        })
        .collect();
    let ids = store.register_entries(&fresh)?;
    let actions: Vec<EntryAction> = ids
        .iter()
        .map(|&id| {
            let mut a = EntryAction::new(id, Action::SignFor, at + chrono::Duration::hours(2));
            a.staff_id = Some("W1".into());
            a
        })
        .collect();
    store.work_entries(&actions)?;
    let t = Instant::now();
    let after = store.report(COUNTY, period)?;
    let after_write = t.elapsed().as_secs_f64();
    let (start, end) = (
        store.parse_moment("2025-06-01T00:00:00")?.timestamp(),
        store.parse_moment("2025-06-30T23:59:59")?.timestamp(),
    );
    let (plain, plain_received) = baseline(&db, (start, end))?;
    assert_eq!(
        u64::try_from(plain_received).unwrap_or(0),
        after.totals.ledger.received
    );
    assert_eq!(
        after.totals.ledger.received,
        report.totals.ledger.received + 10_000
    );

    println!("  cold store (columns built, then counted): {cold:>8.3} s");
    println!("  maintained (columns in memory):           {maintained:>8.3} s");
    println!("  after 10,000 more entries and sign-fors:   {after_write:>8.3} s");
    println!(
        "  baseline, SQLite GROUP BY over raw rows:   {plain:>8.3} s   (maintained: {:.3}x of it)",
        maintained / plain
    );
    let l = &after.totals.ledger;
    println!(
        "  totals: received {} resolved {} closed {} pending {} hard {} overdue {}",
        l.received, l.resolved, l.closed, l.pending, l.hard, l.overdue
    );
    if let Some(out) = dump_dir {
        dump(&db, &out)?;
        let figures = serde_json::json!({
            "period": PERIOD,
            "start": start,
            "end": end,
            "cold_s": cold,
            "maintained_s": maintained,
            "after_write_s": after_write,
            "sqlite_group_by_s": plain,
            "rows": rows_json(&after),
        });
        std::fs::write(out.join("wangge.json"), figures.to_string())?;
    }
    Ok(())
}
