//! `make demo`: builds 安岳县 (Anyue county, 512021) of real shape in a SQLite file —
//! townships, communities and villages, grids of 150 to 200 households — simulates a
//! year (2025) of visits (走访) and ledger entries (台账), then prints the quarterly
//! circular (通报) of the townships by closure rate and home-visit coverage and writes the
//! county's report as JSON, CSV, XLSX and HTML, and the circulars as HTML pages, next to
//! the database. On the way it shows the registry, a grid worker's scoped view, a
//! community's due list, the townships' visit compliance, the ledger worked through the
//! year with a community's three piles, a grid taken offline on a handheld terminal for a
//! week and merged home with a conflict, and the audit check.
//!
//! Usage: `demo [--county] [PATH]` (default `out/demo.db`; an existing file there is
//! replaced). By default the county has 5 townships, 17 communities and villages and 70
//! grids (12,237 households); `--county` builds it at full size: 20 townships, 274
//! communities and villages, 2,881 grids and 504,195 households (six to nine minutes on a
//! shared 2-core machine), into `out/county.db` by default.
//!
//! Everything printed is the same on every run, but for the timings.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use wangge::{Date, Store, StoreOptions};

/// The county's code.
const COUNTY: &str = "512021";

/// Prints the county on `day`: each township's communities, grids and registry counts,
/// then one household with its residents (ID numbers and phones masked).
fn print_overview(store: &Store, day: Date) -> wangge::Result<()> {
    let all = store.descendants(COUNTY, None, Some(day))?;
    let mut township_of: BTreeMap<&str, &str> = BTreeMap::new();
    let mut shape: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for unit in &all {
        let parent = unit.parent.as_deref().unwrap_or("");
        let township = match unit.level.as_str() {
            "township" => &unit.code,
            _ => township_of.get(parent).copied().unwrap_or(parent),
        };
        township_of.insert(&unit.code, township);
        let counts = shape.entry(township).or_default();
        match unit.level.as_str() {
            "community" => counts.0 += 1,
            "grid" => counts.1 += 1,
            _ => {}
        }
    }
    println!("== 安岳县 ({COUNTY}) on {day}: townships, grids and registry (户籍/流动人口) ==");
    println!(
        "  {} {:>11} {:>6} {:>10} {:>8} {:>10} {:>8}",
        pad("township", 10),
        "communities",
        "grids",
        "households",
        "special",
        "residents",
        "floating"
    );
    let mut townships = store.children(COUNTY, Some(day))?;
    townships.push(store.unit(COUNTY, Some(day))?);
    for township in townships {
        let (c, _) = store.unit_counts(&township.code, Some(day))?;
        let (communities, grids) = if township.code == COUNTY {
            shape.values().fold((0, 0), |(a, b), (c, g)| (a + c, b + g))
        } else {
            shape.get(township.code.as_str()).copied().unwrap_or((0, 0))
        };
        println!(
            "  {} {communities:>11} {grids:>6} {:>10} {:>8} {:>10} {:>8}",
            pad(&township.name, 10),
            c.households,
            c.special_households,
            c.residents,
            c.floating
        );
    }
    let household = store.household("512021100001001-003", Some(day))?;
    println!(
        "\n  household {} ({}, {}, {}) at {}:",
        household.household_id,
        household.kind.as_str(),
        household.household_class.as_str(),
        household.tags.join(";"),
        household.address
    );
    for r in store.residents(&household.household_id, Some(day))? {
        println!(
            "    {} {} {} ID {} phone {}",
            r.relation,
            r.name,
            r.sex.map_or("", |s| s.as_str()),
            r.id_number.unwrap_or_default(),
            r.phone.unwrap_or_default()
        );
    }
    Ok(())
}

/// Prints the first two grids' staff of 北坝社区, what a scoped handle on the community
/// may see, and where 龙井社区 stood before and after its move.
fn print_staff_scope_history(store: &Store, day: Date) -> wangge::Result<()> {
    println!("\n== 北坝社区 staff (phones masked) ==");
    for grid in store.children("512021100001", Some(day))?.iter().take(2) {
        for a in store.responsible(&grid.code, Some(day))? {
            let staff = store.staff(&a.staff_id)?;
            println!(
                "  {} {} {:<12} {} {}",
                grid.code,
                pad(&grid.name, 16),
                a.role.as_str(),
                staff.name,
                staff.phone.unwrap_or_default()
            );
        }
    }

    // A grid worker's handle sees only the grid's community.
    let worker = store.scope("512021100001", "北坝社区网格员")?;
    let denied = worker.unit("512021101", Some(day)).unwrap_err();
    println!(
        "\n== a scoped handle on 北坝社区 ==\n  sees {} grids; asking for 石桥铺镇: {denied}",
        worker.children("512021100001", Some(day))?.len()
    );

    let before = store.unit("512021100002", Some(date("2024-12-31")))?;
    let after = store.unit("512021100002", Some(date("2025-01-01")))?;
    println!(
        "\n== history ==\n  龙井社区 under {} on 2024-12-31, under {} from 2025-01-01",
        before.parent.unwrap_or_default(),
        after.parent.unwrap_or_default()
    );
    Ok(())
}

/// The day the demo's registry describes: every household has lived in its grid since.
const REGISTRY_DAY: &str = "2024-01-01";
/// A day the demo names in its text.
fn date(text: &str) -> Date {
    wangge::date::parse_date("date", text).expect("a demo date")
}

/// `text` left-aligned in `width` terminal columns (a Chinese character takes two).
fn pad(text: &str, width: usize) -> String {
    let columns: usize = text
        .chars()
        .map(|c| if c >= '\u{2E80}' { 2 } else { 1 })
        .sum();
    format!("{text}{}", " ".repeat(width.saturating_sub(columns)))
}

/// The wall time of each phase of the demo: the one thing in its output that changes from
/// run to run.
#[derive(Debug, Default)]
struct Timings(Vec<(&'static str, f64)>);

impl Timings {
    /// Runs `phase`, noting how long it took.
    fn run<T>(
        &mut self,
        phase: &'static str,
        f: impl FnOnce() -> wangge::Result<T>,
    ) -> wangge::Result<T> {
        let started = Instant::now();
        let out = f();
        self.0.push((phase, started.elapsed().as_secs_f64()));
        out
    }

    fn print(&self) {
        println!("\n== timings (wall clock) ==");
        for (phase, seconds) in &self.0 {
            println!("  {} {seconds:>7.2} s", pad(phase, 34));
        }
        let total: f64 = self.0.iter().map(|(_, s)| s).sum();
        println!("  {} {total:>7.2} s", pad("total", 34));
    }
}

/// What the command line asks for.
#[derive(Debug)]
struct Args {
    size: Size,
    path: PathBuf,
}

const USAGE: &str = "usage: demo [--county] [PATH]\n  \
    PATH      the SQLite file to build (default out/demo.db, with --county out/county.db;\n            \
    replaced if it exists); the report files are written in its folder, with --county\n            \
    in a folder named after it (out/county/), so the two never overwrite each other\n  \
    --county  a county of about 500,000 households (20 townships) instead of about 12,000";

fn parse_args() -> Result<Args, String> {
    let mut size = Size::Demo;
    let mut path = None;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--county" => size = Size::County,
            "-h" | "--help" => return Err(String::new()),
            option if option.starts_with('-') => return Err(format!("unknown option {option}")),
            _ if path.is_some() => return Err(format!("unexpected argument {arg}")),
            _ => path = Some(PathBuf::from(arg)),
        }
    }
    Ok(Args {
        size,
        path: path.unwrap_or_else(|| {
            PathBuf::from(match size {
                Size::Demo => "out/demo.db",
                Size::County => "out/county.db",
            })
        }),
    })
}

#[path = "demo_tree.rs"]
mod tree;

use tree::{Size, build, fill_registry, person};

#[path = "demo_visits.rs"]
mod visits;

#[path = "demo_ledger.rs"]
mod ledger;

#[path = "demo_report.rs"]
mod report;

#[path = "demo_handheld.rs"]
mod handheld;

use visits::{VISIT_YEAR, print_compliance, print_due, record_year_of_visits};

/// The deployment key the demo seals its store with: `WANGGE_DEMO_KEY_HEX` (16 to 64
/// bytes in hex) or, without it, a fixed key that is fit for a demo only. A real
/// deployment's key comes from the integrator and is never written to the file.
fn demo_key() -> wangge::Result<Vec<u8>> {
    match std::env::var("WANGGE_DEMO_KEY_HEX") {
        Ok(hex) => wangge::key_from_hex(&hex),
        Err(_) => Ok(b"wangge demo key: not for production".to_vec()),
    }
}

/// Prints what the store is (`Store::info`).
fn print_info(store: &Store) -> wangge::Result<()> {
    let info = store.info()?;
    println!(
        "== 存储信息 (store info) ==\n  {}: keyed (SM4 at rest, HMAC-SM3 chain) {}, schema version {} \
         of {}, application id {:#x}, UTC offset {} minutes\n",
        info.path,
        info.keyed,
        info.schema_version,
        info.library_schema_version,
        info.application_id,
        info.utc_offset_minutes
    );
    Ok(())
}

/// Copies the finished store, changes one visit's day in the copy with plain SQL (as
/// anyone holding the file could), and shows `verify_audit` naming the row.
fn show_tampering(
    path: &Path,
    open: &dyn Fn(&Path) -> wangge::Result<Store>,
) -> wangge::Result<()> {
    let storage = |e: &dyn std::fmt::Display| wangge::Error::Storage(e.to_string());
    let copy = path.with_extension("tampered.db");
    for suffix in ["", "-wal", "-shm"] {
        let mut file = copy.as_os_str().to_owned();
        file.push(suffix);
        let _ = std::fs::remove_file(Path::new(&file));
    }
    std::fs::copy(path, &copy).map_err(|e| storage(&e))?;
    let conn = rusqlite::Connection::open(&copy).map_err(|e| storage(&e))?;
    let (rowid, household): (i64, String) = conn
        .query_row(
            "UPDATE visit SET day = day - 1 WHERE id = (SELECT min(id) FROM visit)
             RETURNING id, household_id",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .map_err(|e| storage(&e))?;
    drop(conn);
    println!(
        "\n== 篡改演示 (tampering) ==\n  in a copy ({}), plain SQL moved visit {rowid} (household \
         {household}) one day earlier: UPDATE visit SET day = day - 1 …",
        copy.display()
    );
    let store = open(&copy)?;
    let check = store.verify_audit()?;
    println!(
        "  verify_audit: ok {}, {} problem(s): {}",
        check.ok,
        check.problems_total,
        check.problem.as_deref().unwrap_or("")
    );
    for problem in &check.problems {
        println!(
            "    表 (table) {}  行 (row) {}  问题 (problem) {}",
            problem.table, problem.row, problem.problem
        );
    }
    Ok(())
}

fn main() -> wangge::Result<()> {
    let args = parse_args().unwrap_or_else(|problem| {
        if problem.is_empty() {
            println!("{USAGE}");
            std::process::exit(0);
        }
        eprintln!("demo: {problem}\n{USAGE}");
        std::process::exit(2);
    });
    let storage = |e: std::io::Error| wangge::Error::Storage(e.to_string());
    let path = &args.path;
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir).map_err(storage)?;
    // The full county's report files go to a folder of their own, named after its store,
    // so they never replace the small demo's.
    let files = match args.size {
        Size::Demo => dir.clone(),
        Size::County => dir.join(path.file_stem().unwrap_or(std::ffi::OsStr::new("county"))),
    };
    std::fs::create_dir_all(&files).map_err(storage)?;
    for suffix in ["", "-wal", "-shm"] {
        let mut file = path.as_os_str().to_owned();
        file.push(suffix);
        let _ = std::fs::remove_file(Path::new(&file));
    }

    let mut timings = Timings::default();
    let key = demo_key()?;
    let keyed = |path: &Path| {
        Store::open_with(
            path,
            StoreOptions {
                key: Some(key.clone()),
                ..StoreOptions::default()
            },
        )
    };
    let store = keyed(path)?;
    print_info(&store)?;
    let year_start = date(&format!("{VISIT_YEAR}-01-01"));
    timings.run("tree and staff", || build(&store, args.size))?;
    let (households, residents) =
        timings.run("registry (bulk import)", || fill_registry(&store))?;
    // 龙井社区 moves to 石桥铺镇 from 2025-01-01; history still answers where it was.
    store.move_unit("512021100002", "512021101", year_start)?;
    println!(
        "{households} households and {residents} residents imported as of {REGISTRY_DAY}; \
         the year simulated is {VISIT_YEAR}\n"
    );
    print_overview(&store, year_start)?;
    print_staff_scope_history(&store, year_start)?;

    let year = timings.run("visits (weekly batches)", || record_year_of_visits(&store))?;
    let tally: Vec<String> = year
        .grids
        .iter()
        .map(|(diligence, n)| format!("{n} {}", diligence.as_str()))
        .collect();
    println!(
        "\n== 走访 (visits) in {VISIT_YEAR} ==\n  {} visits by the staff of {} grids ({}), recorded in {} weekly batches",
        year.visits,
        year.grids.values().sum::<usize>(),
        tally.join(", "),
        year.batches
    );
    timings.run("due list and compliance", || {
        print_due(&store)?;
        print_compliance(&store)
    })?;
    timings.run("ledger (raised and worked)", || ledger::run(&store))?;
    timings.run("reports, circulars and files", || {
        report::run(&store, &files)
    })?;
    timings.run("handheld terminal (offline week)", || {
        handheld::run(&store, &files, &keyed)
    })?;

    let audit = timings.run("audit check", || store.verify_audit())?;
    println!(
        "\n== 审计核验 (audit chain and row seals) ==\n  {} records, every fact as the library wrote it: {}",
        audit.records, audit.ok
    );
    let head = store.audit_head()?;
    println!(
        "  audit head to keep elsewhere: seq {}, digest {}…",
        head.seq,
        &head.digest[..16]
    );
    drop(store);
    timings.run("tampering shown", || show_tampering(path, &keyed))?;
    println!("\nstore written to {}", path.display());
    timings.print();
    Ok(())
}
