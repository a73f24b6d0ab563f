//! Benchmark of merging handheld terminals home (`make bench-handheld`, release).
//!
//! A township of 70 grids of 200 households, 10 open entries a grid. Each grid worker
//! checks the grid out and records a month (November 2026) on the device: every household
//! visited twice, two patrols a day (一日双巡), each entry signed for, started and
//! resolved: 490 facts a device, 34,300 in all. Then:
//! - the merge of one device, against recording the same facts online in batches on a
//!   store built alike (one `record_visits` batch, one `work_entries` batch, the patrols
//!   one by one as the API records them);
//! - the merge of the other 69, one after another, against the same online recording of
//!   their facts.
//!
//! Each merge opens and verifies the device file (its audit chain and row seals) before
//! replaying it; that verification is part of the time measured.

use std::path::{Path, PathBuf};
use std::time::Instant;

use wangge::{
    Channel, EntryAction, ImportOptions, ImportRow, Moment, NewEntry, NewUnit, NewVisit, Store,
};

const TOWNSHIP: &str = "512021100";
const GRIDS: usize = 70;
const HOUSEHOLDS: usize = 200;
const ENTRIES: usize = 10;

fn d(text: &str) -> wangge::Date {
    wangge::date::parse_date("date", text).expect("a date")
}

fn grid_code(g: usize) -> String {
    format!("{TOWNSHIP}{:03}{:03}", g / 10 + 1, g % 10 + 1)
}

fn worker(g: usize) -> String {
    format!("W{g:02}")
}

/// The township before the month, the same in every store built here; the open entries
/// of each grid.
fn township(store: &Store) -> wangge::Result<Vec<Vec<i64>>> {
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
    for c in 0..GRIDS / 10 {
        units.push(NewUnit {
            code: format!("{TOWNSHIP}{:03}", c + 1),
            name: format!("社区{c}"),
            level: "community".into(),
            parent: Some(TOWNSHIP.into()),
            start: None,
        });
    }
    for g in 0..GRIDS {
        let code = grid_code(g);
        units.push(NewUnit {
            parent: Some(code[..12].to_owned()),
            code,
            name: format!("网格{g}"),
            level: "grid".into(),
            start: None,
        });
    }
    store.add_units(&units)?;
    let mut rows = Vec::new();
    for g in 0..GRIDS {
        for h in 0..HOUSEHOLDS {
            rows.push(ImportRow {
                line: rows.len() + 1,
                household_id: format!("G{g:02}H{h:03}"),
                unit: grid_code(g),
                address: format!("幸福路{h}号"),
                kind: "registered".into(),
                name: format!("户主{g}-{h}"),
                relation: "head".into(),
                ..ImportRow::default()
            });
        }
    }
    let options = ImportOptions {
        on: Some(d("2024-01-01")),
        ..ImportOptions::default()
    };
    let imported = store.import_households(&rows, &options, None)?;
    assert!(imported.errors.is_empty(), "{:?}", imported.errors.first());
    let reported = store.parse_moment("2026-10-30T09:00")?;
    let mut entries = Vec::new();
    for g in 0..GRIDS {
        store.add_staff(&worker(g), &format!("网格员{g}"), None)?;
        store.assign(
            &worker(g),
            &grid_code(g),
            "grid_worker",
            Some(d("2024-01-01")),
            None,
        )?;
        let batch: Vec<NewEntry> = (0..ENTRIES)
            .map(|k| NewEntry::new(&grid_code(g), None, &format!("路灯不亮{k}"), reported))
            .collect();
        entries.push(store.register_entries(&batch)?);
    }
    Ok(entries)
}

/// A month of grid `g`'s work: the visits, the patrols' times and the entry actions.
struct Month {
    visits: Vec<NewVisit>,
    patrols: Vec<Moment>,
    actions: Vec<EntryAction>,
}

fn month(store: &Store, g: usize, entries: &[i64]) -> wangge::Result<Month> {
    let mut visits = Vec::new();
    for round in 0..2 {
        for h in 0..HOUSEHOLDS {
            let day = 1 + round * 15 + h % 14;
            visits.push(NewVisit {
                household_id: format!("G{g:02}H{h:03}"),
                staff_id: worker(g),
                channel: if (h + round) % 3 == 0 {
                    Channel::Home
                } else {
                    Channel::Phone
                },
                on: d(&format!("2026-11-{day:02}")),
                note: "走访".into(),
            });
        }
    }
    let mut patrols = Vec::new();
    for day in 1..=30 {
        for hour in ["08:30", "16:30"] {
            patrols.push(store.parse_moment(&format!("2026-11-{day:02}T{hour}"))?);
        }
    }
    let mut actions = Vec::new();
    for (k, &id) in entries.iter().enumerate() {
        let day = 2 + k * 2;
        let at = |time: &str| store.parse_moment(&format!("2026-11-{day:02}T{time}"));
        actions.push(EntryAction::sign_for(id, &worker(g), at("09:00")?));
        actions.push(EntryAction::start(id, &worker(g), at("09:30")?));
        actions.push(EntryAction::resolve(id, at("15:00")?, "已处理"));
    }
    Ok(Month {
        visits,
        patrols,
        actions,
    })
}

impl Month {
    fn facts(&self) -> usize {
        self.visits.len() + self.patrols.len() + self.actions.len()
    }

    /// Recorded on a device, one call a fact, as a worker does in the field.
    fn offline(&self, device: &Store, g: usize) -> wangge::Result<()> {
        for v in &self.visits {
            device.record_visit(
                &v.household_id,
                &v.staff_id,
                v.channel.as_str(),
                v.on,
                &v.note,
            )?;
        }
        for at in &self.patrols {
            device.record_patrol(&grid_code(g), &worker(g), *at, "一日双巡")?;
        }
        device.work_entries(&self.actions)?;
        Ok(())
    }

    /// Recorded online in batches, through the grid's scope.
    fn online(&self, scope: &Store, g: usize) -> wangge::Result<()> {
        scope.record_visits(&self.visits)?;
        for at in &self.patrols {
            scope.record_patrol(&grid_code(g), &worker(g), *at, "一日双巡")?;
        }
        scope.work_entries(&self.actions)?;
        Ok(())
    }
}

fn fresh(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut file = path.as_os_str().to_owned();
        file.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(file));
    }
}

fn main() -> wangge::Result<()> {
    let dir = PathBuf::from("build/bench-handheld");
    std::fs::create_dir_all(&dir).map_err(|e| wangge::Error::Storage(e.to_string()))?;
    let (home_path, online_path) = (dir.join("home.db"), dir.join("online.db"));
    fresh(&home_path);
    fresh(&online_path);
    let home = Store::open(&home_path)?;
    let online = Store::open(&online_path)?;
    let started = Instant::now();
    let entries = township(&home)?;
    township(&online)?;
    println!(
        "township: {GRIDS} grids of {HOUSEHOLDS} households, {ENTRIES} open entries each, built twice in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let started = Instant::now();
    let mut months = Vec::new();
    let mut devices = Vec::new();
    for (g, grid_entries) in entries.iter().enumerate() {
        let path = dir.join(format!("device-{g:02}.db"));
        fresh(&path);
        home.checkout(&grid_code(g), &worker(g), &path)?;
        let month = month(&home, g, grid_entries)?;
        let device = Store::open(&path)?;
        month.offline(&device, g)?;
        device.close()?;
        months.push(month);
        devices.push(path);
    }
    let facts: usize = months.iter().map(Month::facts).sum();
    println!(
        "checkout and a month offline on {GRIDS} devices ({} facts each, {facts} in all): {:.1} s",
        months[0].facts(),
        started.elapsed().as_secs_f64()
    );

    let scopes: Vec<Store> = (0..GRIDS)
        .map(|g| online.scope(&grid_code(g), &worker(g)))
        .collect::<wangge::Result<_>>()?;
    let time = |f: &mut dyn FnMut() -> wangge::Result<()>| -> wangge::Result<f64> {
        let t = Instant::now();
        f()?;
        Ok(t.elapsed().as_secs_f64())
    };
    let online_one = time(&mut || months[0].online(&scopes[0], 0))?;
    let merge_one = time(&mut || {
        let result = home.merge(&devices[0])?;
        assert_eq!(result.applied as usize, months[0].facts());
        Ok(())
    })?;
    let online_rest = time(&mut || {
        for g in 1..GRIDS {
            months[g].online(&scopes[g], g)?;
        }
        Ok(())
    })?;
    let merge_rest = time(&mut || {
        for (g, path) in devices.iter().enumerate().skip(1) {
            let result = home.merge(path)?;
            assert_eq!(result.applied as usize, months[g].facts());
        }
        Ok(())
    })?;
    let again = time(&mut || {
        let result = home.merge(&devices[0])?;
        assert_eq!(result.applied, 0);
        Ok(())
    })?;
    let (online_all, merge_all) = (online_one + online_rest, merge_one + merge_rest);
    println!(
        "\n{:<44} {:>10} {:>10} {:>7}",
        "", "merge", "online", "ratio"
    );
    println!(
        "{:<44} {:>8.3} s {:>8.3} s {:>6.2}×",
        "one device (a grid's month)",
        merge_one,
        online_one,
        merge_one / online_one
    );
    println!(
        "{:<44} {:>8.3} s {:>8.3} s {:>6.2}×",
        format!("{GRIDS} devices ({facts} facts)"),
        merge_all,
        online_all,
        merge_all / online_all
    );
    println!(
        "{:<44} {:>8.3} s",
        "the first device merged again (all skipped)", again
    );
    let verified = home.verify_audit()?;
    assert!(verified.ok);
    drop(home);
    drop(online);
    for path in devices.iter().chain([&home_path, &online_path]) {
        fresh(path);
    }
    Ok(())
}
