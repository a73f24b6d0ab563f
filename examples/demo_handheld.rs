//! The demo's handheld terminal (手持终端): one grid checked out to its worker's device
//! for the first working week of 2026, worked offline there (一日双巡 patrols, home
//! visits, a finding raised as an entry, entries signed for and resolved) with real
//! times, while the county closes one of those entries at home; then merged home, the
//! conflict reported in Chinese, and merged again to show it counts once.

use std::path::Path;

use wangge::{HouseholdFilter, NewEntry, Role, Store};

/// The grid taken offline: 北坝社区's first.
const GRID: &str = "512021100001001";

/// Takes `GRID` offline for a week; `open` opens a store file as the county does (with
/// its deployment key).
pub fn run(
    store: &Store,
    dir: &Path,
    open: &dyn Fn(&Path) -> wangge::Result<Store>,
) -> wangge::Result<()> {
    let at = |text: &str| store.parse_moment(text);
    let worker = store
        .responsible(GRID, None)?
        .into_iter()
        .find(|a| a.role == Role::GridWorker)
        .map(|a| a.staff_id)
        .ok_or_else(|| wangge::Error::Storage(format!("no grid worker in {GRID}")))?;
    let households: Vec<String> = store
        .households(GRID, &HouseholdFilter::default())?
        .into_iter()
        .take(5)
        .map(|h| h.household_id)
        .collect();
    // Two demands raised at the grid on Monday morning, before the worker leaves.
    let lamp = store
        .register(&NewEntry::new(
            GRID,
            None,
            "村口路灯不亮",
            at("2026-01-05T08:00")?,
        ))?
        .id;
    let drain = store
        .register(&NewEntry::new(
            GRID,
            None,
            "下水道堵塞",
            at("2026-01-05T08:10")?,
        ))?
        .id;

    let path = dir.join("handheld-w1.db");
    remove_device_file(&path);
    let checkout = store.checkout(GRID, &worker, &path)?;
    println!(
        "\n== 手持终端 (handheld terminal) ==\n  {GRID} 签出给网格员 {worker}：{} 户、{} 件在办事项",
        checkout.households, checkout.entries
    );

    let device = open(&path)?;
    let friday = wangge::date::parse_date("date", "2026-01-09")?;
    let due_before = device.due_visits(GRID, Some(friday))?.len();
    for (d, day) in ["05", "06", "07", "08", "09"].iter().enumerate() {
        for hour in ["08:30", "16:30"] {
            device.record_patrol(
                GRID,
                &worker,
                at(&format!("2026-01-{day}T{hour}"))?,
                "一日双巡",
            )?;
        }
        let household = &households[d % households.len()];
        let on = wangge::date::parse_date("date", &format!("2026-01-{day}"))?;
        let visit = device.record_visit(household, &worker, "home", on, "入户走访")?;
        if d == 1 {
            let finding = device.record_finding(visit.id, "楼道路灯损坏", None, false)?;
            let raised = device.register_finding(finding.id, None, &at("2026-01-06T10:30")?)?;
            device.sign_for(raised.id, &worker, &at("2026-01-06T10:35")?)?;
        }
    }
    device.sign_for(lamp, &worker, &at("2026-01-05T09:00")?)?;
    device.start(lamp, &worker, &at("2026-01-05T09:05")?)?;
    device.resolve(lamp, &at("2026-01-07T15:00")?, "已更换灯泡")?;
    device.sign_for(drain, &worker, &at("2026-01-05T11:00")?)?;
    let due_after = device.due_visits(GRID, Some(friday))?.len();
    device.close()?;
    println!(
        "  离线一周：巡查 10 次、入户走访 5 次、上报 1 件、办理 4 步；周五终端待走访 {due_before} → {due_after} 项"
    );

    // Meanwhile the community handles the drain itself and closes it, at home.
    let staff = store
        .responsible("512021100001", None)?
        .into_iter()
        .next()
        .map_or_else(|| worker.clone(), |a| a.staff_id);
    store.sign_for(drain, &staff, &at("2026-01-05T09:30")?)?;
    store.start(drain, &staff, &at("2026-01-05T09:40")?)?;
    store.resolve(drain, &at("2026-01-05T10:30")?, "社区已疏通")?;
    store.close_entry(drain, &at("2026-01-05T10:45")?)?;
    println!("  其间社区在本部办结并注销了事项 {drain}（下水道堵塞）");

    let result = store.merge(&path)?;
    println!(
        "  合并：应用 {} 项，跳过 {} 项，冲突 {} 项",
        result.applied,
        result.skipped,
        result.conflicts.len()
    );
    for c in &result.conflicts {
        println!(
            "    冲突 {}（{}，事项 {}）：{}",
            c.global_id.split(':').next_back().unwrap_or_default(),
            c.kind,
            c.entry_id.unwrap_or_default(),
            c.message_zh
        );
    }
    let lamp_now = store.entry(lamp)?;
    println!(
        "  事项 {lamp}（村口路灯不亮）在本部：{}，办结时间 {}（按终端记录的时间）",
        wangge::labels::status_label(lamp_now.status.as_str()).unwrap_or_default(),
        store
            .history(lamp)?
            .last()
            .map(|e| e.at.to_rfc3339())
            .unwrap_or_default()
    );
    let again = store.merge(&path)?;
    println!(
        "  同一文件再次合并：应用 {} 项，跳过 {} 项，冲突 {} 项（只计一次）；审计摘要 SM3 {}…",
        again.applied,
        again.skipped,
        again.conflicts.len(),
        &result.digest[..16]
    );
    remove_device_file(&path);
    Ok(())
}

/// Removes the device file at `path` with the log and index files SQLite keeps beside it.
fn remove_device_file(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut file = path.as_os_str().to_owned();
        file.push(suffix);
        let _ = std::fs::remove_file(Path::new(&file));
    }
}
