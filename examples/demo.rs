//! `make demo`: builds 安岳县 (Anyue county, 512021) of real shape in a SQLite file and
//! prints its tree and staff, a grid worker's scoped view, a year of visits (走访) with a
//! community's due list and each township's compliance, and the audit check.
//!
//! Usage: `demo [PATH]` (default `out/demo.db`; an existing file there is replaced).

use std::collections::BTreeMap;
use std::time::Instant;

use chrono::{Datelike, Days};
use wangge::{
    Channel, Date, DueVisit, HouseholdClass, HouseholdFilter, ImportOptions, ImportRow, NewUnit,
    Period, PeriodKind, Rate, Role, Store, Unit,
};

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
/// The year of visits (走访) the grid staff record.
const VISIT_YEAR: i32 = 2025;
/// The day the due list is taken, and the community (北坝社区) it is taken in.
const DUE_DAY: &str = "2025-12-15";
const DUE_COMMUNITY: &str = "512021100001";
/// The quarters whose compliance is shown by township.
const COMPLIANCE_QUARTERS: [&str; 2] = ["2025-Q3", "2025-Q4"];

/// A day the demo names in its text.
fn date(text: &str) -> Date {
    wangge::date::parse_date("date", text).expect("a demo date")
}

/// A fixed pseudo-random number in `0..n` for `key` (a well-mixed hash of it), so every
/// run records the same visits.
fn pick(key: u64, n: u64) -> u64 {
    let mut x = key.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    (x ^ (x >> 31)) % n
}

/// How closely a grid's staff keep to the visit rules (走访制度) over the year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Diligence {
    /// Nearly every rule period met.
    Diligent,
    /// One contact in five missed.
    Middling,
    /// More than half missed.
    Lax,
}

impl Diligence {
    /// The diligence of the county's `grid`-th grid (in code order): about six grids in ten
    /// diligent, three middling and one lax.
    fn of(grid: usize) -> Diligence {
        match pick(grid as u64, 10) {
            0 => Diligence::Lax,
            1..=3 => Diligence::Middling,
            _ => Diligence::Diligent,
        }
    }

    /// The chance, in percent, that a household gets a rule period's contact.
    fn percent(self) -> u64 {
        match self {
            Diligence::Diligent => 98,
            Diligence::Middling => 80,
            Diligence::Lax => 40,
        }
    }

    /// The word the demo prints for it.
    fn as_str(self) -> &'static str {
        match self {
            Diligence::Diligent => "diligent",
            Diligence::Middling => "middling",
            Diligence::Lax => "lax",
        }
    }
}

/// The periods of `kind` in [`VISIT_YEAR`], in order.
fn periods_of_year(kind: PeriodKind) -> Vec<Period> {
    let first = Period::containing(kind, date(&format!("{VISIT_YEAR}-01-01")));
    std::iter::successors(Some(first), |p| Some(p.next()))
        .take_while(|p| p.first().year() == VISIT_YEAR)
        .collect()
}

/// A year's contacts with household number `key` under the default rules, each made with
/// the grid's chance on a day of its period: an ordinary household gets one contact a
/// quarter, a home visit in one quarter of each half year and a call in the other; a
/// special household one a month, a home visit in one month of each quarter and calls in
/// the other two (a home visit also counts as the period's call).
fn year_of_contacts(
    key: u64,
    class: HouseholdClass,
    diligence: Diligence,
    months: &[Period],
    quarters: &[Period],
) -> Vec<(Channel, Date)> {
    let (periods, per_home_visit) = match class {
        HouseholdClass::Special => (months, 3u64),
        HouseholdClass::Ordinary => (quarters, 2u64),
    };
    let mut contacts = Vec::new();
    for (i, period) in (0u64..).zip(periods) {
        let this = (key << 8) | i;
        if pick(this, 100) >= diligence.percent() {
            continue;
        }
        let home_slot = pick((key << 8) | 0x80 | (i / per_home_visit), per_home_visit);
        let channel = if i % per_home_visit == home_slot {
            Channel::Home
        } else {
            Channel::Phone
        };
        let days = (period.last() - period.first()).num_days() as u64 + 1;
        contacts.push((channel, period.first() + Days::new(pick(!this, days))));
    }
    contacts
}

/// Records [`VISIT_YEAR`]'s visits of every grid's staff, one [`Store::record_visit`]
/// each, in the order of their days: the grid worker (网格员) makes the calls and the
/// ordinary home visits, the grid chief (网格长) the home visits of special households.
/// Returns the number of visits and how many grids were of each diligence.
fn record_year_of_visits(store: &Store) -> wangge::Result<(usize, BTreeMap<Diligence, usize>)> {
    let first_day = date(&format!("{VISIT_YEAR}-01-01"));
    let months = periods_of_year(PeriodKind::Month);
    let quarters = periods_of_year(PeriodKind::Quarter);
    let mut grids_by_diligence = BTreeMap::new();
    let mut visits = Vec::new();
    for (g, grid) in store
        .descendants("512021", Some("grid"), Some(first_day))?
        .iter()
        .enumerate()
    {
        let diligence = Diligence::of(g);
        *grids_by_diligence.entry(diligence).or_insert(0) += 1;
        let staff_in = |role| {
            store.assignments(&grid.code, Some(first_day)).map(|list| {
                list.into_iter()
                    .find(|a| a.role == role)
                    .map(|a| a.staff_id)
                    .expect("every grid has a chief and a worker")
            })
        };
        let (chief, worker) = (staff_in(Role::GridChief)?, staff_in(Role::GridWorker)?);
        let filter = HouseholdFilter {
            as_of: Some(first_day),
            ..HouseholdFilter::default()
        };
        for (h, household) in store
            .households(&grid.code, &filter)?
            .into_iter()
            .enumerate()
        {
            let key = (g * 1000 + h) as u64;
            let class = household.household_class;
            for (channel, on) in year_of_contacts(key, class, diligence, &months, &quarters) {
                let staff = if channel == Channel::Home && class == HouseholdClass::Special {
                    &chief
                } else {
                    &worker
                };
                visits.push((on, household.household_id.clone(), staff.clone(), channel));
            }
        }
    }
    visits.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    for (on, household_id, staff_id, channel) in &visits {
        let note = match channel {
            Channel::Home => "入户走访",
            Channel::Phone => "电话回访",
        };
        store.record_visit(household_id, staff_id, channel.as_str(), *on, note)?;
    }
    Ok((visits.len(), grids_by_diligence))
}

/// `text` left-aligned in `width` terminal columns (a Chinese character takes two).
fn pad(text: &str, width: usize) -> String {
    let columns: usize = text
        .chars()
        .map(|c| if c >= '\u{2E80}' { 2 } else { 1 })
        .sum();
    format!("{text}{}", " ".repeat(width.saturating_sub(columns)))
}

/// A rate as a percentage, or `—` when nobody was held to it.
fn percent(rate: Option<&Rate>) -> String {
    rate.and_then(|r| r.value)
        .map_or_else(|| "—".into(), |v| format!("{:.1}%", v * 100.0))
}

/// A grid staff role as a grid's residents know it.
fn role_title(role: Role) -> &'static str {
    match role {
        Role::GridChief => "网格长",
        Role::GridWorker => "网格员",
        other => other.as_str(),
    }
}

/// Prints the due list of [`DUE_COMMUNITY`] on [`DUE_DAY`]: its totals, each grid's items
/// with the grid's staff, the first overdue items, and the list of the grid worker with
/// the most overdue items.
fn print_due(store: &Store) -> wangge::Result<()> {
    let day = date(DUE_DAY);
    let community = store.unit(DUE_COMMUNITY, Some(day))?;
    let grids = store.children(DUE_COMMUNITY, Some(day))?;
    let grid_names: BTreeMap<&str, &str> = grids
        .iter()
        .map(|g| (g.code.as_str(), g.name.as_str()))
        .collect();
    let due = store.due_visits(DUE_COMMUNITY, Some(day))?;
    let overdue: Vec<&DueVisit> = due.iter().filter(|item| item.overdue).collect();
    println!("\n== 走访 due list of {} on {DUE_DAY} ==", community.name);
    println!(
        "  {} items due by the end of their period, {} overdue (the previous period was missed too)",
        due.len(),
        overdue.len()
    );
    println!("  {} {:>4} {:>8}  staff", pad("grid", 16), "due", "overdue");
    let mut laxest: Option<(usize, String)> = None;
    for grid in &grids {
        let items = due.iter().filter(|item| item.unit == grid.code).count();
        let late = overdue.iter().filter(|item| item.unit == grid.code).count();
        let staff = store.assignments(&grid.code, Some(day))?;
        let names: Vec<String> = staff
            .iter()
            .map(|a| format!("{} {}", role_title(a.role), a.name))
            .collect();
        println!(
            "  {} {items:>4} {late:>8}  {}",
            pad(&grid.name, 16),
            names.join(", ")
        );
        if let Some(worker) = staff.iter().find(|a| a.role == Role::GridWorker)
            && laxest.as_ref().is_none_or(|(most, _)| late > *most)
        {
            laxest = Some((late, worker.staff_id.clone()));
        }
    }

    println!("\n  the first 10 overdue items:");
    println!(
        "  {} {} {} {:<10}  last visit",
        pad("household", 20),
        pad("grid", 16),
        pad("rule", 10),
        "due"
    );
    for item in overdue.iter().take(10) {
        println!(
            "  {} {} {} {}  {}",
            pad(&item.household_id, 20),
            pad(grid_names.get(item.unit.as_str()).unwrap_or(&""), 16),
            pad(&item.rule, 10),
            item.due,
            item.last_visit
                .map_or_else(|| "—".into(), |d| d.to_string())
        );
    }

    if let Some((_, worker)) = laxest {
        let staff = store.staff(&worker)?;
        let list = store.due_visits_for_staff(&worker, Some(day))?;
        let mut by_rule: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
        for item in &list {
            let counts = by_rule.entry(item.rule.as_str()).or_default();
            counts.0 += 1;
            counts.1 += usize::from(item.overdue);
        }
        let rules: Vec<String> = by_rule
            .iter()
            .map(|(rule, (items, late))| format!("{rule} {items} ({late} overdue)"))
            .collect();
        println!(
            "\n  网格员 {} ({worker}), the worker with the most overdue: {} items on their own list\n    {}",
            staff.name,
            list.len(),
            rules.join(", ")
        );
    }
    Ok(())
}

/// Prints, for each of [`COMPLIANCE_QUARTERS`], each township's compliance with the visit
/// rules (requirements whose rule period ends in the quarter, and how many were met), in
/// all and per rule, and the county's.
fn print_compliance(store: &Store) -> wangge::Result<()> {
    let rules: Vec<String> = store
        .visit_rules(Some(date(DUE_DAY)))?
        .into_iter()
        .map(|rule| rule.name)
        .collect();
    println!("\n== 走访 compliance by township (rule periods ending in the quarter) ==");
    println!("  (普通户入户 is half-yearly: it counts in the quarter its half year ends)");
    for quarter in COMPLIANCE_QUARTERS {
        let period = Period::parse(quarter)?;
        let mut units = store.children("512021", Some(period.last()))?;
        units.push(store.unit("512021", Some(period.last()))?);
        print!(
            "  {} {:>8} {:>6} {:>7}",
            pad(quarter, 10),
            "required",
            "met",
            "rate"
        );
        for rule in &rules {
            print!("  {}", pad(rule, 10));
        }
        println!();
        for unit in &units {
            let c = store.visit_compliance(&unit.code, &period, false)?;
            print!(
                "  {} {:>8} {:>6} {:>7}",
                pad(&unit.name, 10),
                c.total.required,
                c.total.met,
                percent(Some(&c.total.rate))
            );
            for rule in &rules {
                let rate = c.rules.iter().find(|r| &r.rule == rule).map(|r| &r.rate);
                print!("  {:>10}", percent(rate));
            }
            println!();
        }
    }
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

    let audit = store.verify_audit()?;
    println!(
        "\n== audit chain ==\n  {} records, intact: {}",
        audit.records, audit.ok
    );
    println!("\nstore written to {path}");
    Ok(())
}
