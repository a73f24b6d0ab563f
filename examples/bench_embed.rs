//! Benchmark of embedding: readers and single writers while another process imports a
//! county.
//!
//! A county of 3,000 grids with one household and one grid worker on each of 100 grids
//! is built once and copied. Then, on one copy:
//! - idle: unit lookups and grid due lists from this process, and single visits recorded
//!   one after another from a second process;
//! - loaded: the same while a third process imports 1,000,000 residents (400,000
//!   households) from CSV into the same file.
//!
//! The waits are reported as p50/p99, loaded against idle, with every failure counted;
//! the import's own time is reported loaded and alone (on another copy). Targets: reads
//! p99 <= 50 ms during the import, every visit succeeds with the default busy time, the
//! import no slower than 1.2x. Run with `cargo run --release -p wangge-core --example
//! bench_embed` (or `make bench`).

use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Write as _};
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use wangge::{ImportOptions, Store};

#[path = "bench_county.rs"]
mod county;

use county::{csv, grid_codes, id_number, rows};

/// Grids with a household to visit and a grid worker to visit it.
const VISITED_GRIDS: usize = 100;
/// Reads and visits of the idle measurement.
const IDLE_CALLS: usize = 200;

fn main() -> wangge::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("import") => import_role(Path::new(&args[2]), Path::new(&args[3])),
        Some("visits") => visits_role(Path::new(&args[2]), args[3].parse().expect("a count")),
        _ => drive(),
    }
}

/// What the benchmark measures, in order; prints the figures.
fn drive() -> wangge::Result<()> {
    let dir = std::env::temp_dir().join(format!("wangge-bench-embed-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    let base = dir.join("base.db");
    let (units, grids) = grid_codes();
    build_base(&base, &units, &grids)?;
    let csv_path = dir.join("county.csv");
    std::fs::write(&csv_path, csv(&rows(&grids))).expect("the CSV written");
    let copy = |name: &str| {
        let path = dir.join(name);
        std::fs::copy(&base, &path).expect("a copy of the base store");
        path
    };
    let sample: Vec<&String> = grids.iter().take(VISITED_GRIDS).collect();

    // The import alone, on its own copy.
    let alone = copy("alone.db");
    let mut import = Role::start(&["import", path_str(&alone), path_str(&csv_path)]);
    import.go();
    let (import_alone, _, held_alone) = import.finish_import();

    // Idle: reads here, then visits from a second process.
    let path = copy("loaded.db");
    let store = Store::open(&path)?;
    let idle_reads = reads(&store, &sample, IDLE_CALLS, &|| false);
    let mut visits = Role::start(&["visits", path_str(&path), &IDLE_CALLS.to_string()]);
    visits.go();
    let idle_visits = visits.finish_visits();

    // Loaded: the same while a third process imports.
    let mut import = Role::start(&["import", path_str(&path), path_str(&csv_path)]);
    let mut visits = Role::start(&["visits", path_str(&path), "0"]);
    import.go();
    let importing = Arc::new(AtomicBool::new(true));
    let watcher = {
        let importing = Arc::clone(&importing);
        std::thread::spawn(move || {
            let outcome = import.finish_import();
            importing.store(false, Ordering::SeqCst);
            outcome
        })
    };
    visits.go();
    let loaded_reads = reads(&store, &sample, usize::MAX, &|| {
        !importing.load(Ordering::SeqCst)
    });
    let (import_loaded, inserted, held_loaded) = watcher.join().expect("the import's watcher");
    visits.stop();
    let loaded_visits = visits.finish_visits();

    println!(
        "county: {} grids; import of 1,000,000 residents ({inserted} rows written) in another process",
        grids.len()
    );
    println!(
        "                                 idle p50 / p99          during the import p50 / p99     calls  failures"
    );
    for (name, idle, loaded) in [
        (
            "unit lookup (this process)",
            &idle_reads.lookups,
            &loaded_reads.lookups,
        ),
        (
            "grid due list (this process)",
            &idle_reads.due,
            &loaded_reads.due,
        ),
        ("single visit (third process)", &idle_visits, &loaded_visits),
    ] {
        println!(
            "  {name:<29} {:>9.2} / {:>9.2} ms   {:>12.2} / {:>9.2} ms   {:>7}  {}",
            ms(idle.p(50)),
            ms(idle.p(99)),
            ms(loaded.p(50)),
            ms(loaded.p(99)),
            loaded.waits.len(),
            loaded.failures.len() + idle.failures.len()
        );
        for failure in loaded.failures.iter().chain(&idle.failures).take(3) {
            println!("      failure: {failure}");
        }
    }
    println!(
        "  import: {:.2} s alone, {:.2} s with the readers and visits ({:.2}x)\n\
         \x20 write lock held by the import: {:.2} s alone, {:.2} s with the readers and visits\n\
         targets: reads p99 <= 50 ms during the import; every visit succeeds; import <= 1.2x",
        import_alone.as_secs_f64(),
        import_loaded.as_secs_f64(),
        import_loaded.as_secs_f64() / import_alone.as_secs_f64(),
        held_alone.as_secs_f64(),
        held_loaded.as_secs_f64()
    );
    drop(store);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// The county's units, a grid worker and a household with one resident on each of the
/// first [`VISITED_GRIDS`] grids.
fn build_base(path: &Path, units: &[wangge::NewUnit], grids: &[String]) -> wangge::Result<()> {
    let store = Store::open(path)?;
    store.add_units(units)?;
    let mut csv =
        String::from("household_id,unit,address,kind,tags,name,id_number,phone,relation\n");
    for (g, grid) in grids.iter().take(VISITED_GRIDS).enumerate() {
        let staff = format!("S{g:03}");
        store.add_staff(&staff, &format!("网格员{g}"), None)?;
        store.assign(&staff, grid, "grid_worker", None, None)?;
        let id = id_number(2_000_000 + g);
        let _ = writeln!(
            csv,
            "V{g:03},{grid},和平路{g}号,registered,,住户{g},{id},,head"
        );
    }
    let result = store.import_households_csv(csv.as_bytes(), &ImportOptions::default(), None)?;
    assert!(result.errors.is_empty(), "{:?}", result.errors);
    store.close()
}

/// The waits of one kind of call, and the failures.
#[derive(Default)]
struct Waits {
    waits: Vec<Duration>,
    failures: Vec<String>,
}

impl Waits {
    /// The `q`-th percentile wait.
    fn p(&self, q: usize) -> Duration {
        let mut sorted = self.waits.clone();
        sorted.sort();
        sorted
            .get((sorted.len() * q / 100).min(sorted.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    }

    fn time<T>(&mut self, call: impl FnOnce() -> wangge::Result<T>) {
        let t = Instant::now();
        let outcome = call();
        self.waits.push(t.elapsed());
        if let Err(e) = outcome {
            self.failures.push(format!("{}: {e}", e.kind()));
        }
    }
}

struct Reads {
    lookups: Waits,
    due: Waits,
}

/// Unit lookups and due lists over the sampled grids, `calls` of each or until `done`.
fn reads(store: &Store, grids: &[&String], calls: usize, done: &dyn Fn() -> bool) -> Reads {
    let mut out = Reads {
        lookups: Waits::default(),
        due: Waits::default(),
    };
    for i in 0..calls {
        if done() {
            break;
        }
        let grid = grids[i % grids.len()];
        out.lookups.time(|| store.unit(grid, None));
        out.due.time(|| store.due_visits(grid, None));
        std::thread::sleep(Duration::from_millis(10));
    }
    out
}

/// A child process of this benchmark in one role: started, told to go, and heard from.
struct Role {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
}

impl Role {
    /// Starts the role; returns once it has opened the store.
    fn start(args: &[&str]) -> Role {
        let mut child = Command::new(std::env::current_exe().expect("this program"))
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("a child process");
        let stdin = child.stdin.take();
        let mut stdout = BufReader::new(child.stdout.take().expect("its output"));
        let mut line = String::new();
        stdout.read_line(&mut line).expect("its first line");
        assert_eq!(line.trim(), "ready", "the {} role did not start", args[0]);
        Role {
            child,
            stdin,
            stdout,
        }
    }

    fn go(&mut self) {
        let stdin = self.stdin.as_mut().expect("its input");
        writeln!(stdin, "go").expect("told to go");
    }

    /// Tells a visits role to stop (its input closes).
    fn stop(&mut self) {
        self.stdin.take();
    }

    /// The import's time, rows written and time holding the write lock.
    fn finish_import(mut self) -> (Duration, i64, Duration) {
        let mut line = String::new();
        self.stdout.read_line(&mut line).expect("its result");
        let mut words = line.split_whitespace();
        assert_eq!(words.next(), Some("done"), "the import failed: {line}");
        let secs: f64 = words.next().and_then(|w| w.parse().ok()).expect("its time");
        let inserted = words.next().and_then(|w| w.parse().ok()).expect("its rows");
        let held: f64 = words
            .next()
            .and_then(|w| w.parse().ok())
            .expect("its lock time");
        self.stdin.take();
        assert!(self.child.wait().expect("its end").success());
        (
            Duration::from_secs_f64(secs),
            inserted,
            Duration::from_secs_f64(held),
        )
    }

    /// Each visit's wait, and the failures.
    fn finish_visits(mut self) -> Waits {
        self.stdin.take();
        let mut waits = Waits::default();
        for line in (&mut self.stdout).lines() {
            let line = line.expect("a line");
            let (outcome, rest) = line.split_once(' ').expect("an outcome");
            let (micros, detail) = rest.split_once(' ').unwrap_or((rest, ""));
            waits
                .waits
                .push(Duration::from_micros(micros.parse().expect("micros")));
            if outcome != "ok" {
                waits.failures.push(detail.to_owned());
            }
        }
        assert!(self.child.wait().expect("its end").success());
        waits
    }
}

/// Waits for the driver's "go" on standard input.
fn wait_for_go() {
    let mut line = String::new();
    std::io::stdin().read_line(&mut line).expect("a go");
}

/// The import role: opens the store, and on "go" imports the CSV and says how long it took
/// and how long it held the write lock.
fn import_role(path: &Path, csv_path: &Path) -> wangge::Result<()> {
    let store = Store::open(path)?;
    let bytes = std::fs::read(csv_path).expect("the CSV");
    println!("ready");
    wait_for_go();
    let t = Instant::now();
    let result = store.import_households_csv(&bytes, &ImportOptions::default(), None)?;
    assert!(result.errors.is_empty(), "{:?}", &result.errors[..1]);
    let elapsed = t.elapsed().as_secs_f64();
    let held = store.last_write_lock_held().expect("the import wrote");
    println!("done {elapsed} {} {}", result.inserted, held.as_secs_f64());
    Ok(())
}

/// The visits role: on "go", records `count` visits one after another (0: one every 20 ms
/// until its input closes), printing each one's outcome and wait.
fn visits_role(path: &Path, count: usize) -> wangge::Result<()> {
    let store = Store::open(path)?;
    println!("ready");
    wait_for_go();
    let stop = Arc::new(AtomicBool::new(false));
    if count == 0 {
        let stop = Arc::clone(&stop);
        std::thread::spawn(move || {
            let mut rest = String::new();
            let _ = std::io::stdin().read_line(&mut rest);
            stop.store(true, Ordering::SeqCst);
        });
    }
    let today = store.today();
    let mut out = std::io::stdout().lock();
    for i in 0.. {
        if (count > 0 && i >= count) || stop.load(Ordering::SeqCst) {
            break;
        }
        let g = i % VISITED_GRIDS;
        let t = Instant::now();
        let outcome = store.record_visit(
            &format!("V{g:03}"),
            &format!("S{g:03}"),
            "home",
            today,
            "入户走访",
        );
        let micros = t.elapsed().as_micros();
        match outcome {
            Ok(_) => writeln!(out, "ok {micros}"),
            Err(e) => writeln!(out, "failed {micros} {}: {e}", e.kind()),
        }
        .expect("a line out");
        out.flush().expect("flushed");
        if count == 0 {
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    Ok(())
}

fn path_str(path: &Path) -> &str {
    path.to_str().expect("a UTF-8 path")
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}
