//! A township of 70 grid workers, each a week offline on a handheld terminal, merged home
//! in random order (some twice) while the county acted on the same entries and households
//! meanwhile: the result equals recording the same work online in time order, every
//! conflict is reported exactly once, and a merge stopped midway leaves the county store
//! unchanged.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use wangge::{Date, NewUnit, Progress, Store};

const TOWNSHIP: &str = "512021100";
const COMMUNITIES: usize = 7;
const GRIDS_PER_COMMUNITY: usize = 10;
const HOUSEHOLDS_PER_GRID: usize = 8;
const ENTRIES_PER_GRID: usize = 3;

/// `SplitMix64`: a small seeded generator, the same sequence on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

fn d(text: &str) -> Date {
    wangge::date::parse_date("date", text).unwrap()
}

fn grid_code(g: usize) -> String {
    format!(
        "{TOWNSHIP}{:03}{:03}",
        g / GRIDS_PER_COMMUNITY + 1,
        g % GRIDS_PER_COMMUNITY + 1
    )
}

fn household(g: usize, h: usize) -> String {
    format!("G{g:02}H{h:02}")
}

fn worker(g: usize) -> String {
    format!("W{g:02}")
}

/// The township as it stood before the week: the same in every store built here. Gives
/// the open entries of each grid.
fn township(store: &Store) -> Vec<Vec<i64>> {
    let mut units = vec![
        NewUnit {
            code: "512021".into(),
            name: "安岳县".into(),
            level: "county".into(),
            parent: None,
            start: None,
        },
        NewUnit {
            code: TOWNSHIP.into(),
            name: "岳阳镇".into(),
            level: "township".into(),
            parent: Some("512021".into()),
            start: None,
        },
    ];
    for c in 0..COMMUNITIES {
        units.push(NewUnit {
            code: format!("{TOWNSHIP}{:03}", c + 1),
            name: format!("社区{c}"),
            level: "community".into(),
            parent: Some(TOWNSHIP.into()),
            start: None,
        });
    }
    for g in 0..COMMUNITIES * GRIDS_PER_COMMUNITY {
        let code = grid_code(g);
        units.push(NewUnit {
            parent: Some(code[..12].to_owned()),
            code,
            name: format!("网格{g}"),
            level: "grid".into(),
            start: None,
        });
    }
    store.add_units(&units).unwrap();
    let mut entries = Vec::new();
    for g in 0..COMMUNITIES * GRIDS_PER_COMMUNITY {
        let grid = grid_code(g);
        store
            .add_staff(&worker(g), &format!("网格员{g}"), None)
            .unwrap();
        store
            .assign(
                &worker(g),
                &grid,
                "grid_worker",
                Some(d("2024-01-01")),
                None,
            )
            .unwrap();
        for h in 0..HOUSEHOLDS_PER_GRID {
            store
                .add_household(
                    &household(g, h),
                    &grid,
                    "街道",
                    "registered",
                    &[],
                    Some(d("2024-01-01")),
                )
                .unwrap();
        }
        let reported = store.parse_moment("2026-11-16T09:00").unwrap();
        let batch: Vec<wangge::NewEntry> = (0..ENTRIES_PER_GRID)
            .map(|k| wangge::NewEntry::new(&grid, None, &format!("路灯不亮{k}"), reported))
            .collect();
        entries.push(store.register_entries(&batch).unwrap());
    }
    entries
}

/// One piece of offline work, at its time.
#[derive(Debug, Clone)]
enum Work {
    Visit(String, String, Date),
    Patrol(String),
    Action(i64, &'static str, String),
}

impl Work {
    fn at(&self) -> String {
        match self {
            Work::Visit(_, _, on) => format!("{on}T12:00"),
            Work::Patrol(at) | Work::Action(_, _, at) => at.clone(),
        }
    }

    /// Does it, on `store` (a device, or a grid's scope online) as worker `w`.
    fn apply(&self, store: &Store, grid: &str, w: &str) -> wangge::Result<()> {
        match self {
            Work::Visit(h, channel, on) => store.record_visit(h, w, channel, *on, "走访").map(drop),
            Work::Patrol(at) => store
                .record_patrol(grid, w, store.parse_moment(at)?, "一日双巡")
                .map(drop),
            Work::Action(id, action, at) => {
                let at = store.parse_moment(at)?;
                match *action {
                    "sign_for" => store.sign_for(*id, w, &at),
                    "start" => store.start(*id, w, &at),
                    _ => store.resolve(*id, &at, "已处理"),
                }
                .map(drop)
            }
        }
    }
}

/// A week of grid `g`'s work, in time order.
fn plan_week(rng: &mut Rng, g: usize, entries: &[i64]) -> Vec<Work> {
    let mut work = Vec::new();
    for day in 23..=27 {
        for (hour, minute) in [(8, rng.below(60)), (16, rng.below(60))] {
            work.push(Work::Patrol(format!("2026-11-{day}T{hour:02}:{minute:02}")));
        }
        for _ in 0..=rng.below(2) {
            let channel = if rng.chance(50) { "home" } else { "phone" };
            let h = household(g, rng.below(HOUSEHOLDS_PER_GRID));
            work.push(Work::Visit(h, channel.into(), d(&format!("2026-11-{day}"))));
        }
    }
    for (k, &id) in entries.iter().enumerate() {
        let steps = rng.below(4);
        let day = 23 + k;
        for (i, action) in ["sign_for", "start", "resolve"]
            .into_iter()
            .take(steps)
            .enumerate()
        {
            work.push(Work::Action(id, action, format!("2026-11-{day}T1{i}:30")));
        }
    }
    work.sort_by_key(Work::at);
    work
}

/// What the county did meanwhile, on `store` (the same in both): some entries escalated
/// before the worker acted on them, some households moved away before the week.
fn county_meanwhile(store: &Store, rng: &mut Rng, entries: &[Vec<i64>]) -> usize {
    let mut acts = 0;
    for (g, ids) in entries.iter().enumerate() {
        if rng.chance(30) {
            let id = ids[rng.below(ids.len())];
            store
                .escalate(
                    id,
                    &store.parse_moment("2026-11-23T07:00").unwrap(),
                    "需社区协调",
                    None,
                )
                .unwrap();
            acts += 1;
        }
        if rng.chance(20) {
            let to = grid_code((g + 1) % entries.len());
            store
                .move_household(
                    &household(g, rng.below(HOUSEHOLDS_PER_GRID)),
                    &to,
                    d("2026-11-20"),
                )
                .unwrap_or_else(|e| panic!("{e}"));
            acts += 1;
        }
    }
    acts
}

/// The facts to compare, by content: visits, patrols, entries and their events.
fn facts(path: &Path) -> BTreeMap<&'static str, Vec<String>> {
    let conn =
        rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    let mut out = BTreeMap::new();
    for (name, sql) in [
        (
            "visit",
            "SELECT household_id, staff_id, channel, day, note FROM visit",
        ),
        ("patrol", "SELECT unit, staff_id, at, day, note FROM patrol"),
        (
            "entry",
            "SELECT id, status, handler, deadline, last_at, events, state FROM entry",
        ),
        (
            "entry_event",
            "SELECT entry_id, seq, action, actor, at, note, state FROM entry_event",
        ),
        (
            "household",
            "SELECT household_id, unit, unit_since FROM household",
        ),
    ] {
        let mut stmt = conn.prepare(sql).unwrap();
        let n = stmt.column_count();
        let mut rows: Vec<String> = stmt
            .query_map([], |r| {
                let values: Vec<String> = (0..n)
                    .map(|i| format!("{:?}", r.get::<_, rusqlite::types::Value>(i).unwrap()))
                    .collect();
                Ok(values.join("|"))
            })
            .unwrap()
            .map(Result::unwrap)
            .collect();
        rows.sort();
        out.insert(name, rows);
    }
    out
}

fn fresh_dir() -> PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("wangge-township-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn seventy_devices_merged_in_any_order_equal_the_same_work_recorded_online() {
    let dir = fresh_dir();
    let home = Store::open(dir.join("home.db")).unwrap();
    let online = Store::open(dir.join("online.db")).unwrap();
    let entries = township(&home);
    assert_eq!(township(&online), entries);
    let grids = entries.len();

    // Every worker checks out, then works the week offline.
    let mut rng = Rng(20_261_123);
    let mut weeks = Vec::new();
    for (g, grid_entries) in entries.iter().enumerate() {
        let path = dir.join(format!("device-{g:02}.db"));
        home.checkout(&grid_code(g), &worker(g), &path).unwrap();
        let device = Store::open(&path).unwrap();
        let week = plan_week(&mut rng, g, grid_entries);
        for work in &week {
            work.apply(&device, &grid_code(g), &worker(g))
                .unwrap_or_else(|e| panic!("offline {work:?}: {e}"));
        }
        device.close().unwrap();
        weeks.push((path, week));
    }

    // The county, meanwhile, in both stores alike.
    let mut meanwhile = Rng(7);
    let acts = county_meanwhile(&home, &mut meanwhile, &entries);
    county_meanwhile(&online, &mut Rng(7), &entries);
    assert!(acts > 10, "the county acted {acts} times");

    // Online: the same work through each grid's scope, in time order; what the rules refuse
    // is what the merge must report.
    let mut timeline: Vec<(String, usize, usize)> = Vec::new();
    for (g, (_, week)) in weeks.iter().enumerate() {
        for (i, work) in week.iter().enumerate() {
            timeline.push((work.at(), g, i));
        }
    }
    timeline.sort();
    let scopes: Vec<Store> = (0..grids)
        .map(|g| online.scope(&grid_code(g), &worker(g)).unwrap())
        .collect();
    let mut refused_online = BTreeSet::new();
    for (_, g, i) in &timeline {
        if weeks[*g].1[*i]
            .apply(&scopes[*g], &grid_code(*g), &worker(*g))
            .is_err()
        {
            refused_online.insert((*g, *i as i64 + 1));
        }
    }
    assert!(
        refused_online.len() > 10,
        "{} conflicts",
        refused_online.len()
    );

    // A merge stopped midway leaves the county unchanged.
    let stopped_path = &weeks[0].0;
    let head = home.audit_head().unwrap();
    let before = facts(&dir.join("home.db"));
    let calls = Arc::new(AtomicU32::new(0));
    let seen = Arc::clone(&calls);
    let progress = Progress::new(move |step, done, _| {
        if step != "merge" {
            return true;
        }
        if seen.fetch_add(1, Ordering::SeqCst) == 0 {
            std::thread::sleep(std::time::Duration::from_millis(80));
            return true;
        }
        assert!(done > 0, "stopped after some items were applied");
        false
    });
    let err = home
        .with_progress(&progress, |s| s.merge(stopped_path))
        .unwrap_err();
    assert_eq!(err.kind(), wangge::ErrorKind::InvalidInput);
    assert!(calls.load(Ordering::SeqCst) >= 2);
    assert_eq!(home.audit_head().unwrap(), head);
    assert_eq!(facts(&dir.join("home.db")), before);

    // Merged in random order, some twice.
    let mut order: Vec<usize> = (0..grids).collect();
    for i in (1..order.len()).rev() {
        order.swap(i, rng.below(i + 1));
    }
    let mut reported = Vec::new();
    let mut reasons = BTreeSet::new();
    let mut twice = 0;
    for g in order {
        let result = home.merge(&weeks[g].0).unwrap();
        assert_eq!(
            result.applied as usize + result.conflicts.len(),
            weeks[g].1.len()
        );
        reported.extend(result.conflicts.iter().map(|c| (g, c.device_seq)));
        reasons.extend(result.conflicts.iter().map(|c| c.reason.as_str()));
        if rng.chance(25) {
            twice += 1;
            let again = home.merge(&weeks[g].0).unwrap();
            assert_eq!(again.applied, 0);
            assert_eq!(again.skipped as usize, weeks[g].1.len());
            assert!(again.conflicts.is_empty());
        }
    }
    assert!(twice > 0);
    let unique: BTreeSet<(usize, i64)> = reported.iter().copied().collect();
    assert_eq!(unique.len(), reported.len(), "a conflict reported twice");
    assert_eq!(unique, refused_online);
    assert_eq!(
        reasons.into_iter().collect::<Vec<_>>(),
        ["entry_moved_on", "household_gone"]
    );

    assert_eq!(facts(&dir.join("home.db")), facts(&dir.join("online.db")));
    let verification = home.verify_audit().unwrap();
    assert!(verification.ok, "{:?}", verification.problem);
    drop(home);
    drop(online);
    let _ = std::fs::remove_dir_all(&dir);
}
