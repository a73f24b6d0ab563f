//! Benchmark of the first report on a freshly opened county store (the `--county` demo).
//!
//! The store is the one `make demo DEMO_ARGS=--county` writes (about 500,000 households,
//! a year of visits, the ledger worked), built once under `build/bench-first-report/` by
//! running the demo example and reused. Then, in this run, for the county's monthly
//! report of December 2025:
//! - **rebuilt**: the store just opened with nothing kept, in memory or in the file
//!   (the derived data kept in the file is dropped first): every column the report needs is
//!   read from the facts, as every first report did before the columns were kept;
//! - **first**: the store opened again, fresh: its first report, with the columns the
//!   first report kept in the file;
//! - **warm**: the same report again on that handle, and the quarter's and the year's;
//! - the open itself, timed apart;
//! - **first in a new process**: the first report of a process that only opens the store,
//!   best of three (the process above has already grown its heap).
//!
//! Every report is checked equal to the rebuilt one. `--first-only` opens the store and
//! times its first report alone, `--first-repeat N` does so N times in one process (for a
//! profiler). Run it with `cargo run --release -p
//! wangge-core --example bench_first_report`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use wangge::{Period, Store, StoreOptions};

const COUNTY: &str = "512021";
const MONTH: &str = "2025-12";

/// The key the demo keys its store with (see `demo_key` in `examples/demo.rs`).
fn demo_key() -> wangge::Result<Vec<u8>> {
    match std::env::var("WANGGE_DEMO_KEY_HEX") {
        Ok(hex) => wangge::key_from_hex(&hex),
        Err(_) => Ok(b"wangge demo key: not for production".to_vec()),
    }
}

fn open(path: &Path) -> wangge::Result<Store> {
    Store::open_with(
        path,
        StoreOptions {
            key: Some(demo_key()?),
            ..StoreOptions::default()
        },
    )
}

/// Builds the county store at `path` with the demo, once.
fn build(path: &Path) -> Result<(), Box<dyn std::error::Error>> {
    eprintln!(
        "building {} with the demo (once, several minutes)",
        path.display()
    );
    let partial = path.with_extension("partial.db");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .args([
            "run",
            "--release",
            "--quiet",
            "-p",
            "wangge-core",
            "--example",
            "demo",
            "--",
            "--county",
        ])
        .arg(&partial)
        .stdout(std::process::Stdio::null())
        .status()?;
    if !status.success() {
        return Err(format!("the demo failed: {status}").into());
    }
    std::fs::rename(&partial, path)?;
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", partial.display()));
    }
    let _ = std::fs::remove_file(partial.with_extension("tampered.db"));
    // The demo's report files, in the folder named after the store it wrote.
    let _ = std::fs::remove_dir_all(partial.with_extension(""));
    Ok(())
}

fn seconds<T>(f: impl FnOnce() -> wangge::Result<T>) -> wangge::Result<(T, f64)> {
    let t = Instant::now();
    let out = f()?;
    Ok((out, t.elapsed().as_secs_f64()))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = PathBuf::from("build/bench-first-report");
    std::fs::create_dir_all(&dir)?;
    let db = dir.join("county.db");
    if !db.exists() {
        build(&db)?;
    }
    let month = Period::parse(MONTH)?;
    if std::env::args().any(|a| a == "--first-only") {
        // Only a fresh open and its first report, with whatever the file keeps: for a
        // profiler.
        let store = open(&db)?;
        let (_, first) = seconds(|| store.report(COUNTY, month))?;
        println!("first report: {first:.3} s");
        return Ok(());
    }

    if let Some(n) = std::env::args()
        .skip_while(|a| a != "--first-repeat")
        .nth(1)
        .and_then(|n| n.parse::<usize>().ok())
    {
        // The store opened afresh `n` times in this process, each time timing its first
        // report: after the first, the heap is grown, as for the "first" figure below (for
        // a profiler).
        for _ in 0..n {
            let store = open(&db)?;
            let (_, first) = seconds(|| store.report(COUNTY, month))?;
            println!("first report: {first:.3} s");
        }
        return Ok(());
    }

    // Migrates the file if need be, then drops what it keeps of derived data (a table
    // that is not a fact: the audit chain and the seals do not cover it).
    drop(open(&db)?);
    let dropped = {
        let conn = rusqlite::Connection::open(&db)?;
        conn.execute("DELETE FROM kept", []).unwrap_or(0)
    };
    let (store, opened) = seconds(|| open(&db))?;
    let (reference, rebuilt) = seconds(|| store.report(COUNTY, month))?;
    drop(store);

    let (store, opened_again) = seconds(|| open(&db))?;
    let (report, first) = seconds(|| store.report(COUNTY, month))?;
    assert_eq!(report, reference, "the kept columns give the same report");
    let (again, warm) = seconds(|| store.report(COUNTY, month))?;
    assert_eq!(again, reference);
    let quarter = Period::parse("2025-Q4")?;
    let (_, warm_quarter) = seconds(|| store.report(COUNTY, quarter))?;
    let year = Period::parse("2025")?;
    let (_, warm_year) = seconds(|| store.report(COUNTY, year))?;

    println!(
        "report {COUNTY} {MONTH} on {} ({} households on the month's last day)",
        db.display(),
        reference.totals.households
    );
    println!("  kinds of kept data dropped first:      {dropped}");
    println!("  open:                                  {opened:8.3} s");
    println!("  first report, columns rebuilt:         {rebuilt:8.3} s");
    println!("  open again:                            {opened_again:8.3} s");
    println!("  first report, columns read from file:  {first:8.3} s");
    println!("  warm report (same month):              {warm:8.3} s");
    println!(
        "  first report = {:.2}x the warm one (target <= 1.5x); rebuilt from the facts {:.2}x",
        first / warm,
        rebuilt / warm
    );
    println!("  warm report (quarter {quarter}):          {warm_quarter:8.3} s");
    println!("  warm report (year {year}):                {warm_year:8.3} s");
    drop(store);
    after_another_process_wrote(&db, month)?;
    let fresh = first_in_new_processes(3)?;
    println!(
        "  first report in a new process (best of 3): {fresh:8.3} s = {:.2}x the warm one \
         (this process's heap, grown by the rebuild, spares the first report above most of \
         its page faults)",
        fresh / warm
    );
    Ok(())
}

/// The first report after another process's day of work, on a copy of the store (so the
/// store built once stays as the demo left it): 200 home visits and 50 entries registered
/// in the month reported, each its own write. The kept data, kept before them, is brought
/// up to date with what they changed (`core/src/store/delta.rs`) rather than built again;
/// the report is checked against one read from the facts.
fn after_another_process_wrote(db: &Path, month: Period) -> Result<(), Box<dyn std::error::Error>> {
    let copy = db.with_file_name("written.db");
    std::fs::copy(db, &copy)?;
    let writes = {
        let other = open(&copy)?;
        let conn = rusqlite::Connection::open(&copy)?;
        let grids: Vec<(String, String)> = conn
            .prepare(
                "SELECT a.unit, min(a.staff_id) FROM assignment a JOIN unit u ON u.code = a.unit
                 WHERE u.level = 'grid' GROUP BY a.unit ORDER BY a.unit LIMIT 50",
            )?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut households = conn.prepare(
            "SELECT household_id FROM household WHERE unit = ?1 ORDER BY household_id LIMIT 4",
        )?;
        let day = wangge::Date::from_ymd_opt(2025, 12, 15).ok_or("a day")?;
        let mut writes = 0;
        for (grid, staff) in &grids {
            let ids: Vec<String> = households
                .query_map([grid], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            for id in ids {
                other.record_visit(&id, staff, "home", day, "走访")?;
                writes += 1;
            }
            let at = other.parse_moment("2025-12-16T10:00")?;
            other.register(&wangge::NewEntry::new(
                grid,
                Some("矛盾纠纷"),
                "邻里纠纷，请求调解",
                at,
            ))?;
            writes += 1;
        }
        writes
    };
    let store = open(&copy)?;
    let (after, first) = seconds(|| store.report(COUNTY, month))?;
    let (again, warm) = seconds(|| store.report(COUNTY, month))?;
    assert_eq!(again, after);
    drop(store);
    rusqlite::Connection::open(&copy)?.execute("DELETE FROM kept", [])?;
    let store = open(&copy)?;
    let (facts, rebuilt) = seconds(|| store.report(COUNTY, month))?;
    assert_eq!(after, facts, "brought up to date as read from the facts");
    drop(store);
    println!(
        "  after another process's {writes} writes (200 visits, 50 entries): first report \
         {first:.3} s = {:.2}x the warm one ({warm:.3} s); read from the facts {rebuilt:.3} s",
        first / warm
    );
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", copy.display()));
    }
    Ok(())
}

/// The best of `runs` first reports, each timed by a new process of this benchmark
/// (`--first-only`): what a worker, a notebook or a nightly job pays on its first report.
fn first_in_new_processes(runs: usize) -> Result<f64, Box<dyn std::error::Error>> {
    let mut best = f64::INFINITY;
    for _ in 0..runs {
        let out = Command::new(std::env::current_exe()?)
            .arg("--first-only")
            .output()?;
        let text = String::from_utf8(out.stdout)?;
        let seconds: f64 = text
            .trim()
            .strip_prefix("first report: ")
            .and_then(|t| t.strip_suffix(" s"))
            .ok_or_else(|| format!("unexpected output: {text}"))?
            .parse()?;
        best = best.min(seconds);
    }
    Ok(best)
}
