//! `make demo`: builds 安岳县 (Anyue county, 512021) of real shape in a SQLite file and
//! prints its tree and staff, a grid worker's scoped view, a year of visits (走访) with a
//! community's due list and each township's compliance, a year of ledger entries (台账)
//! worked to closure with a community's three piles, and the audit check.
//!
//! Usage: `demo [PATH]` (default `out/demo.db`; an existing file there is replaced).

use std::collections::BTreeMap;
use std::time::Instant;

use wangge::{Date, ImportOptions, ImportRow, NewUnit, Store, Unit};

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

/// A valid 18-digit ID number (GB 11643) for person `n` of the county.
fn id_number(n: usize) -> String {
    let birth = chrono::NaiveDate::from_ymd_opt(1935, 1, 1).unwrap()
        + chrono::Days::new(((n * 7919) % 30_000) as u64);
    let first17 = format!("512021{}{:03}", birth.format("%Y%m%d"), n % 997 + 1);
    wangge::id_number::with_check_digit(&first17).expect("17 digits")
}

/// Fills every grid with 150 to 200 households (seed 001's size) of 1 to 4 residents,
/// about one in eight of them special, through the bulk import. The registry is taken as
/// it stood on [`REGISTRY_DAY`], so the households can be visited in [`VISIT_YEAR`].
fn fill_registry(store: &Store) -> wangge::Result<()> {
    const SPECIAL: [&str; 6] = ["低保", "残疾", "空巢", "留守儿童", "下岗失业", "单亲"];
    let mut rows = Vec::new();
    let mut person = 0;
    for (g, grid) in store
        .descendants("512021", Some("grid"), None)?
        .iter()
        .enumerate()
    {
        let households = 150 + (g * 37) % 51;
        for h in 0..households {
            let household_id = format!("{}-{h:03}", grid.code);
            let seed = g * 1000 + h;
            let kind = match seed % 20 {
                0 | 1 => "floating",
                2 => "rental",
                _ => "registered",
            };
            let tags = if seed % 8 == 3 {
                SPECIAL[seed % SPECIAL.len()]
            } else {
                ""
            };
            for m in 0..=seed % 4 {
                person += 1;
                rows.push(ImportRow {
                    line: rows.len() + 1,
                    household_id: household_id.clone(),
                    unit: grid.code.clone(),
                    address: format!(
                        "{}{}号",
                        grid.name.trim_end_matches(char::is_numeric),
                        h + 1
                    ),
                    kind: kind.into(),
                    tags: tags.into(),
                    name: person_name(person),
                    id_number: id_number(person),
                    phone: format!("139{:08}", 28_000_000 + person * 13),
                    relation: if m == 0 {
                        "head".into()
                    } else {
                        "member".into()
                    },
                    ..Default::default()
                });
            }
        }
    }
    let options = ImportOptions {
        on: Some(date(REGISTRY_DAY)),
        ..ImportOptions::default()
    };
    let result = store.import_households(&rows, &options, None)?;
    assert!(
        result.errors.is_empty(),
        "demo rows are valid: {:?}",
        result.errors.first()
    );
    Ok(())
}

fn person_name(n: usize) -> String {
    person(n * 31 + n / 7)
}

fn print_registry(store: &Store) -> wangge::Result<()> {
    println!("\n== registry (户籍/流动人口), by township ==");
    println!(
        "  {} {:>10} {:>8} {:>10} {:>8}",
        pad("township", 10),
        "households",
        "special",
        "residents",
        "floating"
    );
    for township in store.children("512021", None)? {
        let (c, _) = store.unit_counts(&township.code, None)?;
        println!(
            "  {} {:>10} {:>8} {:>10} {:>8}",
            pad(&township.name, 10),
            c.households,
            c.special_households,
            c.residents,
            c.floating
        );
    }
    let (c, _) = store.unit_counts("512021", None)?;
    println!(
        "  {} {:>10} {:>8} {:>10} {:>8}",
        pad("安岳县", 10),
        c.households,
        c.special_households,
        c.residents,
        c.floating
    );
    let household = store.household("512021100001001-003", None)?;
    println!(
        "\n  household {} ({}, {}, {}) at {}:",
        household.household_id,
        household.kind.as_str(),
        household.household_class.as_str(),
        household.tags.join(";"),
        household.address
    );
    for r in store.residents(&household.household_id, None)? {
        println!(
            "    {} {} {} born {} ID {} phone {}",
            r.relation,
            r.name,
            r.sex.map_or("", |s| s.as_str()),
            r.birth_date.map(|d| d.to_string()).unwrap_or_default(),
            r.id_number.unwrap_or_default(),
            r.phone.unwrap_or_default()
        );
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

#[path = "demo_visits.rs"]
mod visits;

#[path = "demo_ledger.rs"]
mod ledger;

use visits::{VISIT_YEAR, print_compliance, print_due, record_year_of_visits};

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
    fill_registry(&store)?;
    println!("== 安岳县 网格 (unit tree) ==");
    print_tree(&store)?;
    print_registry(&store)?;

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

    let started = Instant::now();
    let (visits, grids) = record_year_of_visits(&store)?;
    let seconds = started.elapsed().as_secs_f64();
    let tally: Vec<String> = grids
        .iter()
        .map(|(diligence, n)| format!("{n} {}", diligence.as_str()))
        .collect();
    println!(
        "\n== 走访 (visits) in {VISIT_YEAR} ==\n  {visits} visits by the staff of {} grids ({}), recorded one by one in {seconds:.1} s",
        grids.values().sum::<usize>(),
        tally.join(", ")
    );
    print_due(&store)?;
    print_compliance(&store)?;
    ledger::run(&store)?;

    let audit = store.verify_audit()?;
    println!(
        "\n== audit chain ==\n  {} records, intact: {}",
        audit.records, audit.ok
    );
    println!("\nstore written to {path}");
    Ok(())
}
