//! `make demo`: builds 安岳县 (Anyue county, 512021) of real shape in a SQLite file and
//! prints its tree and staff, a grid worker's scoped view and the audit check.
//!
//! Usage: `demo [PATH]` (default `out/demo.db`; an existing file there is replaced).

use std::collections::BTreeMap;

use wangge::{NewUnit, Store, Unit};

/// Townships of the county, with their communities or villages (社区/村).
const TOWNSHIPS: &[(&str, &str, &[&str])] = &[
    (
        "100",
        "岳阳镇",
        &["北坝社区", "龙井社区", "海慧社区", "解放村", "贾岛村"],
    ),
    ("101", "石桥铺镇", &["石桥社区", "新民村", "大兴村"]),
    ("102", "周礼镇", &["周礼社区", "红星村", "五一村", "光辉村"]),
    ("103", "龙台镇", &["龙台社区", "金龙村", "白塔村"]),
    ("104", "通贤镇", &["通贤社区", "柏林村"]),
];

const SURNAMES: &[&str] = &[
    "袁", "谢", "郑", "龙", "张", "刘", "孙", "付", "卓", "李", "王", "陈",
];
const GIVEN: &[&str] = &[
    "婷", "小华", "小芳", "小利", "莉", "菊芬", "正良", "长江", "良容", "文", "国恩", "令",
];

fn person(n: usize) -> String {
    format!(
        "{}{}",
        SURNAMES[n % SURNAMES.len()],
        GIVEN[(n / SURNAMES.len() + n) % GIVEN.len()]
    )
}

fn build(store: &Store) -> wangge::Result<()> {
    let mut units = vec![NewUnit {
        code: "512021".into(),
        name: "安岳县".into(),
        level: "county".into(),
        parent: None,
        start: None,
    }];
    for (suffix, name, communities) in TOWNSHIPS {
        let township = format!("512021{suffix}");
        units.push(NewUnit {
            code: township.clone(),
            name: (*name).into(),
            level: "township".into(),
            parent: Some("512021".into()),
            start: None,
        });
        for (i, community_name) in communities.iter().enumerate() {
            let community = format!("{township}{:03}", i + 1);
            units.push(NewUnit {
                code: community.clone(),
                name: (*community_name).into(),
                level: "community".into(),
                parent: Some(township.clone()),
                start: None,
            });
            // 北坝社区 is cut into 8 grids like the seed's community; others into 2 to 4.
            let grids = if *community_name == "北坝社区" {
                8
            } else {
                2 + (i + suffix.len()) % 3
            };
            for g in 1..=grids {
                units.push(NewUnit {
                    code: format!("{community}{g:03}"),
                    name: format!("{community_name}第{g}网格"),
                    level: "grid".into(),
                    parent: Some(community.clone()),
                    start: None,
                });
            }
        }
    }
    store.add_units(&units)?;

    // Each grid: a chief (网格长) and a worker (网格员); each community: a supervisor (督导员).
    let mut n = 0;
    for unit in store.descendants("512021", None, None)? {
        let roles: &[&str] = match unit.level.as_str() {
            "grid" => &["grid_chief", "grid_worker"],
            "community" => &["supervisor"],
            _ => &[],
        };
        for role in roles {
            n += 1;
            let id = format!("AY{n:04}");
            store.add_staff(
                &id,
                &person(n),
                Some(&format!("138{:08}", 20_170_000 + n * 37)),
            )?;
            store.assign(&id, &unit.code, role, None, None)?;
        }
    }
    Ok(())
}

fn print_tree(store: &Store) -> wangge::Result<()> {
    let county = store.unit("512021", None)?;
    let all = store.descendants("512021", None, None)?;
    let mut children: BTreeMap<&str, Vec<&Unit>> = BTreeMap::new();
    for unit in &all {
        children
            .entry(unit.parent.as_deref().unwrap_or(""))
            .or_default()
            .push(unit);
    }
    println!("{} {} ({})", county.code, county.name, county.level);
    for township in children.get("512021").into_iter().flatten() {
        println!("  {} {}", township.code, township.name);
        for community in children.get(township.code.as_str()).into_iter().flatten() {
            let grids = children.get(community.code.as_str()).map_or(0, Vec::len);
            println!("    {} {}  {grids} grids", community.code, community.name);
        }
    }
    let count = |level| all.iter().filter(|u| u.level == level).count();
    println!(
        "  = {} townships, {} communities and villages, {} grids",
        count("township"),
        count("community"),
        count("grid")
    );
    Ok(())
}

fn main() -> wangge::Result<()> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "out/demo.db".into());
    if let Some(dir) = std::path::Path::new(&path).parent() {
        std::fs::create_dir_all(dir).map_err(|e| wangge::Error::Storage(e.to_string()))?;
    }
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{path}{suffix}"));
    }
    let store = Store::open(&path)?;
    build(&store)?;
    println!("== 安岳县 网格 (unit tree) ==");
    print_tree(&store)?;

    println!("\n== 北坝社区 staff (phones masked) ==");
    for grid in store.children("512021100001", None)?.iter().take(3) {
        for a in store.responsible(&grid.code, None)? {
            let staff = store.staff(&a.staff_id)?;
            println!(
                "  {} {:<10} {:<12} {} {}",
                grid.code,
                grid.name,
                a.role.as_str(),
                staff.name,
                staff.phone.unwrap_or_default()
            );
        }
    }

    // A grid worker's handle sees only the grid's community.
    let worker = store.scope("512021100001", "北坝社区网格员")?;
    let denied = worker.unit("512021101", None).unwrap_err();
    println!(
        "\n== a scoped handle on 北坝社区 ==\n  sees {} grids; asking for 石桥铺镇: {denied}",
        worker.children("512021100001", None)?.len()
    );

    // 龙井社区 moves to 石桥铺镇 from 2025-01-01; history still answers where it was.
    store.move_unit(
        "512021100002",
        "512021101",
        wangge::date::parse_date("on", "2025-01-01")?,
    )?;
    let before = store.unit(
        "512021100002",
        Some(wangge::date::parse_date("as_of", "2024-12-31")?),
    )?;
    let after = store.unit(
        "512021100002",
        Some(wangge::date::parse_date("as_of", "2025-01-01")?),
    )?;
    println!(
        "\n== history ==\n  龙井社区 under {} on 2024-12-31, under {} from 2025-01-01",
        before.parent.unwrap_or_default(),
        after.parent.unwrap_or_default()
    );

    let audit = store.verify_audit()?;
    println!(
        "\n== audit chain ==\n  {} records, intact: {}",
        audit.records, audit.ok
    );
    println!("\nstore written to {path}");
    Ok(())
}
