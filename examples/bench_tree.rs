//! Benchmark of the unit tree at national scale, against plain SQLite in the same run.
//!
//! Loads 665,276 units shaped like China's division tree (31 provinces, 342 cities,
//! 2,978 counties, 41,352 townships, 620,573 villages), then times descendants of a
//! ~40,000-unit subtree and ancestors of leaves. Baselines, on the same rows in the same
//! process: raw rusqlite inserts into an indexed `(code, parent)` table, and the
//! recursive-CTE queries such a table needs. Run with `make bench`.
//!
//! `bench_tree --units PATH` instead writes the generated units to PATH (a JSON array of
//! `[code, name, level, parent]`), loads them into a fresh store twice and prints the
//! faster load in milliseconds as JSON (`{"load_ms": …, "sqlite": …}`): the Rust side of
//! `python/bench/bench_tree.py`, which loads the same units from Python. It turns SQLite's
//! memory statistics off first, as the Python module does.

use std::time::{Duration, Instant};

use rusqlite::{Connection, params};
use wangge::{Level, Levels, NewUnit, Store, StoreOptions};

const COUNTS: [usize; 5] = [31, 342, 2_978, 41_352, 620_573];
const LEVELS: [(&str, usize); 5] = [
    ("province", 2),
    ("city", 4),
    ("county", 6),
    ("township", 9),
    ("village", 12),
];
/// The share of every level below the provinces that falls in the first province, so its
/// subtree is about 40,000 units.
const BIG_SHARE: f64 = 0.06;

/// Splits `total` into `k` parts differing by at most one.
fn split(total: usize, k: usize) -> Vec<usize> {
    (0..k)
        .map(|i| total / k + usize::from(i < total % k))
        .collect()
}

fn generate() -> Vec<NewUnit> {
    let mut units = Vec::with_capacity(COUNTS.iter().sum());
    // Per level, the codes of that level grouped by province.
    let mut by_province: Vec<Vec<String>> = (0..COUNTS[0])
        .map(|p| vec![format!("{:02}", 11 + p)])
        .collect();
    for p in &by_province {
        units.push(NewUnit {
            code: p[0].clone(),
            name: format!("省{}", p[0]),
            level: "province".into(),
            parent: None,
            start: None,
        });
    }
    for depth in 1..LEVELS.len() {
        let (level, len) = LEVELS[depth];
        let width = len - LEVELS[depth - 1].1;
        let big = (COUNTS[depth] as f64 * BIG_SHARE).round() as usize;
        let mut shares = vec![big];
        shares.extend(split(COUNTS[depth] - big, COUNTS[0] - 1));
        let mut next: Vec<Vec<String>> = Vec::with_capacity(COUNTS[0]);
        for (parents, share) in by_province.iter().zip(shares) {
            let mut children = Vec::with_capacity(share);
            for (parent, n) in parents.iter().zip(split(share, parents.len())) {
                for i in 1..=n {
                    let code = format!("{parent}{i:0width$}");
                    units.push(NewUnit {
                        code: code.clone(),
                        name: format!("{level}{code}"),
                        level: level.into(),
                        parent: Some(parent.clone()),
                        start: None,
                    });
                    children.push(code);
                }
            }
            next.push(children);
        }
        by_province = next;
    }
    units
}

/// This run's scratch folder.
fn scratch_dir() -> std::path::PathBuf {
    std::env::temp_dir().join(format!("wangge-bench-{}", std::process::id()))
}

fn temp_db(name: &str) -> std::path::PathBuf {
    let dir = scratch_dir();
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    path
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// A fresh store with the benchmark's levels.
fn tree_store(path: &std::path::Path) -> wangge::Result<Store> {
    let levels = Levels::new(LEVELS.iter().map(|(n, l)| Level::coded(n, *l)).collect())?;
    Store::open_with(
        path,
        StoreOptions {
            levels: Some(levels),
            ..Default::default()
        },
    )
}

/// `--units PATH`: the units written out, and the faster of two loads printed as JSON.
fn units_only(out: &str) -> wangge::Result<()> {
    // As the Python module does when it is imported, so that both run SQLite alike.
    wangge::sqlite_memory_statistics_off();
    let units = generate();
    let rows: Vec<serde_json::Value> = units
        .iter()
        .map(|u| serde_json::json!([u.code, u.name, u.level, u.parent]))
        .collect();
    std::fs::write(out, serde_json::Value::from(rows).to_string())
        .map_err(|e| wangge::Error::Storage(format!("{out}: {e}")))?;
    let mut best = f64::INFINITY;
    for run in 0..2 {
        let path = temp_db(&format!("units-{run}.db"));
        let store = tree_store(&path)?;
        // What an earlier load left for the kernel to write back is written now, not
        // during this one (`bench_tree.py` does the same before each of its loads).
        let _ = std::process::Command::new("sync").status();
        let t = Instant::now();
        store.add_units(&units)?;
        best = best.min(ms(t.elapsed()));
        store.close()?;
    }
    let sqlite = Connection::open_in_memory()?
        .query_row("SELECT sqlite_version()", [], |r| r.get::<_, String>(0))?;
    println!("{}", serde_json::json!({"load_ms": best, "sqlite": sqlite}));
    let _ = std::fs::remove_dir_all(scratch_dir());
    Ok(())
}

fn main() -> wangge::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    if let [_, flag, out] = &args[..]
        && flag == "--units"
    {
        return units_only(out);
    }
    let units = generate();
    println!(
        "units generated: {} (31 provinces, 342 cities, 2,978 counties, 41,352 townships, 620,573 villages)",
        units.len()
    );

    // Baseline: the same rows into a plain indexed table, one transaction, prepared insert.
    let raw_path = temp_db("raw.db");
    let raw = Connection::open(&raw_path)?;
    raw.execute_batch(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;
         CREATE TABLE units (code TEXT PRIMARY KEY, name TEXT NOT NULL, level TEXT NOT NULL, parent TEXT) WITHOUT ROWID;
         CREATE INDEX units_parent ON units(parent);",
    )?;
    let t = Instant::now();
    {
        let tx = raw.unchecked_transaction()?;
        let mut insert =
            tx.prepare("INSERT INTO units (code, name, level, parent) VALUES (?1, ?2, ?3, ?4)")?;
        for u in &units {
            insert.execute(params![u.code, u.name, u.level, u.parent])?;
        }
        drop(insert);
        tx.commit()?;
    }
    let raw_load = t.elapsed();

    let path = temp_db("wangge.db");
    let store = tree_store(&path)?;
    let t = Instant::now();
    store.add_units(&units)?;
    let load = t.elapsed();
    println!(
        "load:        wangge {:>8.0} ms  (validated, coded, history kept, one audited batch)\n\
         \x20            raw    {:>8.0} ms  (plain INSERT into an indexed table)   ratio {:.2}x   target <= 3000 ms",
        ms(load),
        ms(raw_load),
        load.as_secs_f64() / raw_load.as_secs_f64()
    );

    let big = "11";
    let mut n = 0;
    let samples: Vec<Duration> = (0..15)
        .map(|_| {
            let t = Instant::now();
            let found = store.descendants(big, None, None).unwrap();
            let elapsed = t.elapsed();
            n = found.len();
            elapsed
        })
        .collect();
    let desc = median(samples);
    let mut raw_n = 0;
    let samples: Vec<Duration> = (0..15)
        .map(|_| {
            let t = Instant::now();
            let mut stmt = raw
                .prepare_cached(
                    "WITH RECURSIVE sub(code) AS (SELECT code FROM units WHERE parent = ?1
                       UNION ALL SELECT u.code FROM units u JOIN sub ON u.parent = sub.code)
                     SELECT u.code, u.name, u.level, u.parent FROM sub JOIN units u USING (code) ORDER BY u.code",
                )
                .unwrap();
            let found: Vec<(String, String, String, Option<String>)> = stmt
                .query_map([big], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            let elapsed = t.elapsed();
            raw_n = found.len();
            elapsed
        })
        .collect();
    let raw_desc = median(samples);
    assert_eq!(n, raw_n, "both ways find the same subtree");
    println!(
        "descendants: wangge {:>8.2} ms  of {n} units (median of 15; the result's drop not timed, likewise below)\n\
         \x20            raw    {:>8.2} ms  (recursive CTE over parent links)        ratio {:.2}x   target <= 50 ms",
        ms(desc),
        ms(raw_desc),
        desc.as_secs_f64() / raw_desc.as_secs_f64()
    );

    let leaves: Vec<&str> = units
        .iter()
        .rev()
        .step_by(620)
        .take(1000)
        .map(|u| u.code.as_str())
        .collect();
    let t = Instant::now();
    for leaf in &leaves {
        assert_eq!(store.ancestors(leaf, None)?.len(), 4);
    }
    let anc = t.elapsed() / leaves.len() as u32;
    let t = Instant::now();
    for leaf in &leaves {
        let mut stmt = raw.prepare_cached(
            "WITH RECURSIVE up(code, parent, n) AS (SELECT code, parent, 0 FROM units WHERE code = ?1
               UNION ALL SELECT u.code, u.parent, up.n + 1 FROM units u JOIN up ON u.code = up.parent)
             SELECT code FROM up WHERE n > 0 ORDER BY n DESC",
        )?;
        assert_eq!(
            stmt.query_map([leaf], |r| r.get::<_, String>(0))?.count(),
            4
        );
    }
    let raw_anc = t.elapsed() / leaves.len() as u32;
    println!(
        "ancestors:   wangge {:>8.1} us  per leaf (mean of 1000)\n\
         \x20            raw    {:>8.1} us  (recursive CTE up parent links)          ratio {:.2}x",
        anc.as_secs_f64() * 1e6,
        raw_anc.as_secs_f64() * 1e6,
        anc.as_secs_f64() / raw_anc.as_secs_f64()
    );
    drop(store);
    let _ = std::fs::remove_dir_all(path.parent().unwrap());
    Ok(())
}
