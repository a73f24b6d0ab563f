//! Benchmark of ledger registration with classification, and of tick, at county scale,
//! against plain SQL in the same run.
//!
//! A county of 1,000 grids (10 townships of 10 communities of 10 grids) holds 100,000
//! households, one in ten tagged (低保, 残疾 or 上访). Then:
//! - 1,000,000 entries are registered in batches of 100,000 through `register_entries`,
//!   each classified (a third with a category given, the rest from the summary's
//!   keywords; one in ten about a household, whose tags add books; one in a hundred
//!   urgent), given its handler, deadline and sign-for limit in working days, and written
//!   with its first event (target ≥ 150,000 per second). Baseline: the rows registration
//!   wrote, read back untimed, inserted by plain prepared statements into the same tables
//!   of a fresh file, a transaction a batch; nothing computed, nothing sealed.
//! - `tick` at 2025-12-31 10:00 over the 1,000,000 open entries, 10,000 of which were
//!   not signed for in time and climb to the top (target ≤ 0.5 s), then a second tick at the
//!   same moment, which must do nothing. Baseline: one plain SQL pass over the open
//!   entries reading each one's state, which a tick without an index would need; and the
//!   tick's writes by plain SQL (each escalated entry's row as the tick left it, and its
//!   events, written into the baseline's file), nothing computed or sealed.
//!
//! Run with `make bench`.

use std::time::Instant;

use rusqlite::Connection;
use wangge::{ImportOptions, ImportRow, NewEntry, NewUnit, Source, Store};

const TOWNSHIPS: usize = 10;
const COMMUNITIES: usize = 10;
const GRIDS: usize = 10;
const HOUSEHOLDS_PER_GRID: usize = 100;
/// Entries registered; `BENCH_ENTRIES` in the environment sets fewer (for profiling).
const ENTRIES: usize = 1_000_000;
/// Entries reported early in December and never signed for: tick escalates them.
const LATE: usize = 10_000;
const BATCH: usize = 100_000;

const SUMMARIES: [(&str, Option<&str>); 16] = [
    ("小区下水道堵塞，污水外溢", None),
    ("楼道灯坏了三天", None),
    ("路灯不亮，晚上出行不便", None),
    ("垃圾清运不及时，有异味", None),
    ("申请低保续办", None),
    ("邻里纠纷，楼上噪音扰民", None),
    ("工地拖欠工资，要求调解", None),
    ("办理户口迁移", None),
    ("咨询医保参保", None),
    ("电动车充电飞线，存在安全隐患", None),
    ("想找工作，希望推荐公益性岗位", None),
    ("家中老人高龄补贴未到账", None),
    ("反映小区乱停车占道", None),
    ("居民反映情况", Some("民政")),
    ("楼上漏水", Some("矛盾纠纷")),
    ("院坝积水", Some("市政设施")),
];

const URGENT: [&str; 3] = ["三单元燃气泄漏", "仓库起火", "围墙有倒塌危险"];

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
    let mut units = vec![unit("512021", "安岳县".into(), "county", None)];
    let mut grids = Vec::new();
    for t in 1..=TOWNSHIPS {
        let township = format!("512021{:03}", 100 + t);
        units.push(unit(
            &township,
            format!("镇{t}"),
            "township",
            Some("512021"),
        ));
        for c in 1..=COMMUNITIES {
            let community = format!("{township}{c:03}");
            units.push(unit(
                &community,
                format!("社区{c}"),
                "community",
                Some(&township),
            ));
            for g in 1..=GRIDS {
                let grid = format!("{community}{g:03}");
                units.push(unit(&grid, format!("网格{g}"), "grid", Some(&community)));
                grids.push(grid);
            }
        }
    }
    (units, grids)
}

fn households(grids: &[String]) -> Vec<ImportRow> {
    let tags = ["低保", "残疾", "上访"];
    let mut rows = Vec::new();
    for (g, grid) in grids.iter().enumerate() {
        for i in 0..HOUSEHOLDS_PER_GRID {
            let h = g * HOUSEHOLDS_PER_GRID + i;
            rows.push(ImportRow {
                line: h + 1,
                household_id: format!("H{h:07}"),
                unit: grid.clone(),
                address: format!("幸福路{i}号"),
                kind: "registered".into(),
                tags: if h.is_multiple_of(10) {
                    tags[h / 10 % 3]
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

/// The entries: most reported between 30 Dec 00:00 and 31 Dec 10:00 (their sign-for
/// limits run past the tick), the first `LATE` early in December.
fn entries(store: &Store, grids: &[String]) -> Vec<NewEntry> {
    let dec30 = store.parse_moment("2025-12-30T00:00").expect("a moment");
    let dec01 = store.parse_moment("2025-12-01T08:00").expect("a moment");
    let sources = Source::ALL;
    let n = std::env::var("BENCH_ENTRIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(ENTRIES);
    (0..n)
        .map(|i| {
            let k = i as u64;
            let g = pick(k, grids.len() as u64) as usize;
            let reported = if i < LATE {
                dec01 + chrono::Duration::seconds(pick(k + 7, 14 * 86_400) as i64)
            } else {
                dec30 + chrono::Duration::seconds(pick(k + 7, 34 * 3_600) as i64)
            };
            let (summary, category) = if i % 100 == 99 {
                (URGENT[i / 100 % URGENT.len()], None)
            } else {
                SUMMARIES[pick(k + 3, SUMMARIES.len() as u64) as usize]
            };
            let category = category.or_else(|| {
                // A third come with a category the taker chose (the one keywords suggest).
                (i % 3 == 0 && summary.contains("低保")).then_some("低保")
            });
            let mut entry = NewEntry::new(&grids[g], category, summary, reported);
            if i % 10 == 0 {
                let h = g * HOUSEHOLDS_PER_GRID + pick(k + 11, HOUSEHOLDS_PER_GRID as u64) as usize;
                entry.household_id = Some(format!("H{h:07}"));
            }
            entry.source = sources[i % sources.len()];
            entry
        })
        .collect()
}

/// The entry columns the baseline copies, in order: every column of the table.
const ENTRY_COLUMNS: &str = "id, unit, household_id, resident_id, source, reported, reported_day, \
     category, summary, urgent, books, triage, time_limit, sign_limit, finding_id, state, status, \
     hard, handler, deadline, sign_due, last_at, events, marks";
/// The entry columns a tick changes (its UPDATE's, `ledger/actions/apply.rs`).
const TICK_COLUMNS: &str =
    "state, status, hard, handler, deadline, sign_due, last_at, events, marks";
/// The event columns the baseline copies, likewise.
const EVENT_COLUMNS: &str = "entry_id, seq, action, actor, at, note, auto, days, satisfied, state";

/// Reads rows of `table` (`columns`) with `where_` over ids `?1..=?2`, as values.
fn rows_of(
    conn: &Connection,
    (table, columns, where_): (&str, &str, &str),
    ids: (i64, i64),
) -> rusqlite::Result<Vec<Vec<rusqlite::types::Value>>> {
    let n = columns.split(',').count();
    let mut stmt = conn.prepare_cached(&format!("SELECT {columns} FROM {table} WHERE {where_}"))?;
    let rows = stmt.query_map([ids.0, ids.1], |r| {
        (0..n)
            .map(|i| r.get(i))
            .collect::<rusqlite::Result<Vec<_>>>()
    })?;
    rows.collect()
}

/// The baseline: the very rows registration wrote (every column of each entry and of its
/// first event, read back from `source` untimed, a batch at a time), inserted by plain
/// prepared statements into the same tables and indexes of a fresh file, a transaction a
/// batch, as registration commits; nothing computed, nothing sealed. Returns the seconds
/// spent inserting.
fn baseline_insert(
    source: &std::path::Path,
    path: &std::path::Path,
    units: &[NewUnit],
    (lo, hi): (i64, i64),
) -> rusqlite::Result<f64> {
    // A store creates the schema and the units; then the rows go in through SQLite.
    let store = Store::open(path).expect("a fresh store");
    store.add_units(units).expect("the units");
    drop(store);
    let from = Connection::open(source)?;
    let mut conn = Connection::open(path)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "cache_size", -65_536)?;
    let insert = |table: &str, columns: &str| {
        let marks = vec!["?"; columns.split(',').count()].join(", ");
        format!("INSERT INTO {table} ({columns}) VALUES ({marks})")
    };
    let mut took = 0.0;
    for first in (lo..=hi).step_by(BATCH) {
        let ids = (first, (first + BATCH as i64 - 1).min(hi));
        let entries = rows_of(&from, ("entry", ENTRY_COLUMNS, "id BETWEEN ?1 AND ?2"), ids)?;
        let events = rows_of(
            &from,
            (
                "entry_event",
                EVENT_COLUMNS,
                "entry_id BETWEEN ?1 AND ?2 AND seq = 1",
            ),
            ids,
        )?;
        let count = (ids.1 - ids.0 + 1) as usize;
        assert_eq!((entries.len(), events.len()), (count, count));
        let t = Instant::now();
        let tx = conn.transaction()?;
        {
            let mut entry = tx.prepare(&insert("entry", ENTRY_COLUMNS))?;
            let mut event = tx.prepare(&insert("entry_event", EVENT_COLUMNS))?;
            for (e, v) in entries.iter().zip(&events) {
                entry.execute(rusqlite::params_from_iter(e))?;
                event.execute(rusqlite::params_from_iter(v))?;
            }
        }
        tx.commit()?;
        took += t.elapsed().as_secs_f64();
    }
    Ok(took)
}

/// The tick's second baseline: what it wrote, each escalated entry's row as the tick left
/// it (the columns the tick sets) and its events (`events`, entry and sequence number, in
/// the tick's order), read back untimed from `source` and written by plain prepared
/// statements, in one transaction, into `path`, which holds the entries as registration
/// wrote them (`baseline_insert`): nothing computed, nothing sealed. Returns the seconds
/// spent writing.
fn baseline_tick_writes(
    source: &std::path::Path,
    path: &std::path::Path,
    events: &[(i64, u32)],
) -> rusqlite::Result<f64> {
    let from = Connection::open(source)?;
    let mut entries = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut rows = Vec::new();
    for &(id, seq) in events {
        if seen.insert(id) {
            let what = format!("{TICK_COLUMNS}, id");
            entries.extend(rows_of(
                &from,
                ("entry", &what, "id BETWEEN ?1 AND ?2"),
                (id, id),
            )?);
        }
        rows.extend(rows_of(
            &from,
            ("entry_event", EVENT_COLUMNS, "entry_id = ?1 AND seq = ?2"),
            (id, i64::from(seq)),
        )?);
    }
    assert_eq!((entries.len(), rows.len()), (seen.len(), events.len()));
    let mut conn = Connection::open(path)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "cache_size", -65_536)?;
    // The columns the tick's own UPDATE sets, then the id.
    let columns: Vec<&str> = TICK_COLUMNS.split(',').map(str::trim).collect();
    let update = format!(
        "UPDATE entry SET {} WHERE id = ?",
        columns
            .iter()
            .map(|c| format!("{c} = ?"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let marks = vec!["?"; EVENT_COLUMNS.split(',').count()].join(", ");
    let insert = format!("INSERT INTO entry_event ({EVENT_COLUMNS}) VALUES ({marks})");
    let t = Instant::now();
    let tx = conn.transaction()?;
    {
        let mut update = tx.prepare(&update)?;
        let mut insert = tx.prepare(&insert)?;
        for row in &entries {
            assert_eq!(update.execute(rusqlite::params_from_iter(row))?, 1);
        }
        for row in &rows {
            insert.execute(rusqlite::params_from_iter(row))?;
        }
    }
    tx.commit()?;
    Ok(t.elapsed().as_secs_f64())
}

fn main() -> wangge::Result<()> {
    let dir = std::env::temp_dir().join(format!("wangge-bench-ledger-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    let path = dir.join("county.db");
    let store = Store::open(&path)?;
    let t = Instant::now();
    let (units, grids) = units();
    store.add_units(&units)?;
    let rows = households(&grids);
    let imported = store.import_households(&rows, &ImportOptions::default(), None)?;
    assert!(imported.errors.is_empty());
    let entries = entries(&store, &grids);
    println!(
        "built: {} grids, {} households, {} entries to register in {:.1} s",
        grids.len(),
        rows.len(),
        entries.len(),
        t.elapsed().as_secs_f64()
    );

    let t = Instant::now();
    let mut ids = Vec::with_capacity(entries.len());
    for batch in entries.chunks(BATCH) {
        ids.extend(store.register_entries(batch)?);
    }
    let took = t.elapsed().as_secs_f64();
    println!(
        "register with classification: {} entries in {:.2} s = {:.0} per second (target ≥ 150,000)",
        ids.len(),
        took,
        ids.len() as f64 / took
    );
    let span = (ids[0], ids[ids.len() - 1]);
    let base = baseline_insert(&path, &dir.join("baseline.db"), &units, span).expect("baseline");
    println!(
        "  baseline, plain INSERTs of the rows registration wrote: {:.2} s = {:.0} per second; ratio {:.2}×",
        base,
        ids.len() as f64 / base,
        took / base
    );
    // The seals' share: the same registration into a second store whose rows are not
    // sealed (a switch only benchmarks use).
    let unsealed = {
        let other = Store::open(dir.join("unsealed.db"))?;
        other.add_units(&units)?;
        other.import_households(&rows, &ImportOptions::default(), None)?;
        other.seals_off_for_benchmarks(true);
        let t = Instant::now();
        for batch in entries.chunks(BATCH) {
            other.register_entries(batch)?;
        }
        t.elapsed().as_secs_f64()
    };
    println!(
        "  without row seals (benchmark switch): {:.2} s = {:.0} per second; seals cost {:.0}% ({:.2}× the time)",
        unsealed,
        ids.len() as f64 / unsealed,
        (took / unsealed - 1.0) * 100.0,
        took / unsealed
    );
    let sample = store.entry(ids[LATE + 4])?;
    println!(
        "  e.g. entry {}: {} → {} {:?}, {}, deadline {}",
        sample.id, sample.summary, sample.category, sample.books, sample.handler, sample.deadline
    );

    // The baseline first: the tick's checkpoint (made on a thread of its own after the
    // tick returns, see core/src/store/checkpoint.rs) would otherwise run beside it.
    let base = {
        let conn = Connection::open(&path).expect("the store's file");
        let t = Instant::now();
        let mut stmt = conn
            .prepare("SELECT id, state FROM entry WHERE status = 'registered'")
            .expect("a statement");
        let mut rows = stmt.query([]).expect("rows");
        let mut open = 0usize;
        let mut bytes = 0usize;
        while let Some(row) = rows.next().expect("a row") {
            open += 1;
            bytes += row
                .get_ref(1)
                .expect("state")
                .as_bytes()
                .map_or(0, <[u8]>::len);
        }
        assert!(bytes > 0);
        (t.elapsed().as_secs_f64(), open)
    };
    let now = store.parse_moment("2025-12-31T10:00")?;
    let t = Instant::now();
    let events = store.tick(&now)?;
    let first = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let again = store.tick(&now)?;
    let second = t.elapsed().as_secs_f64();
    assert!(again.is_empty(), "a second tick does nothing");
    let escalated: std::collections::HashSet<i64> = events.iter().map(|e| e.entry_id).collect();
    println!(
        "tick over {} open entries: {} escalations of {} entries in {:.0} ms (target ≤ 0.5 s); \
         second tick {:.1} ms, nothing to do",
        base.1,
        events.len(),
        escalated.len(),
        first * 1e3,
        second * 1e3
    );
    println!(
        "  baseline, one SQL pass reading every open entry's state: {:.0} ms; ratio {:.2}× (second tick {:.3}×)",
        base.0 * 1e3,
        first / base.0,
        second / base.0
    );
    // Closing the store waits for its checkpoint, which would otherwise run beside the
    // second baseline.
    drop(store);
    let order: Vec<(i64, u32)> = events.iter().map(|e| (e.entry_id, e.seq)).collect();
    let writes = baseline_tick_writes(&path, &dir.join("baseline.db"), &order).expect("baseline");
    println!(
        "  baseline, the tick's writes by plain SQL (each escalated entry's row as the tick \
         left it, and its events): {:.0} ms; ratio {:.2}×",
        writes * 1e3,
        first / writes
    );
    std::fs::remove_dir_all(&dir).expect("clean up");
    Ok(())
}
