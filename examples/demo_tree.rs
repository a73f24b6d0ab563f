//! The county the demo builds: its townships, communities and grids with their staff, and
//! a registry of households and residents imported in bulk.

use wangge::{ImportOptions, ImportRow, NewUnit, Store};

use super::visits;
use super::{COUNTY, REGISTRY_DAY, date};

/// Townships of the county, with their communities or villages (社区/村): the demo's five,
/// the first of the full county's twenty.
const TOWNSHIPS: &[(&str, &[&str])] = &[
    (
        "岳阳镇",
        &["北坝社区", "龙井社区", "海慧社区", "解放村", "贾岛村"],
    ),
    ("石桥铺镇", &["石桥社区", "新民村", "大兴村"]),
    ("周礼镇", &["周礼社区", "红星村", "五一村", "光辉村"]),
    ("龙台镇", &["龙台社区", "金龙村", "白塔村"]),
    ("通贤镇", &["通贤社区", "柏林村"]),
];

/// The full county's other townships; their communities are named from [`VILLAGES`].
const MORE_TOWNSHIPS: [&str; 15] = [
    "兴隆镇",
    "天林镇",
    "镇子镇",
    "文化镇",
    "姚市镇",
    "李家镇",
    "悦来镇",
    "元坝镇",
    "千佛镇",
    "石羊镇",
    "岳新镇",
    "鸳大镇",
    "卧佛镇",
    "永清镇",
    "护龙镇",
];

/// Village names (村) for the full county's communities.
const VILLAGES: [&str; 48] = [
    "胜利", "团结", "和平", "先锋", "长青", "石龙", "高升", "永安", "太平", "双河", "青龙", "白鹤",
    "回龙", "凤凰", "桂花", "黄桷", "玉龙", "清泉", "高峰", "建设", "友谊", "红旗", "群力", "联合",
    "长林", "新华", "东风", "向阳", "金鸡", "石佛", "宝华", "天池", "龙门", "观音", "柳湾", "松林",
    "竹林", "花果", "大石", "马鞍", "卧龙", "狮子", "白云", "三星", "万古", "杨柳", "永丰", "五星",
];

const SURNAMES: &[&str] = &[
    "袁", "谢", "郑", "龙", "张", "刘", "孙", "付", "卓", "李", "王", "陈",
];
const GIVEN: &[&str] = &[
    "婷", "小华", "小芳", "小利", "莉", "菊芬", "正良", "长江", "良容", "文", "国恩", "令",
];

/// How big a county the demo builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Size {
    /// Five townships, about 12,000 households: `make demo` in a few seconds.
    Demo,
    /// Twenty townships, about 500,000 households (`--county`): six to nine minutes.
    County,
}

/// A township to build: its name and its communities, each with its number of grids.
#[derive(Debug)]
struct TownshipPlan {
    name: &'static str,
    communities: Vec<(String, usize)>,
}

/// The county's shape: the demo's five townships with 3 to 5 grids per community, or the
/// full county's twenty with 10 to 20 communities each and 7 to 14 grids per community.
/// 北坝社区 is cut into 8 grids like the seed's community.
fn plan(size: Size) -> Vec<TownshipPlan> {
    let names: Vec<(&'static str, &[&str])> = match size {
        Size::Demo => TOWNSHIPS.to_vec(),
        Size::County => TOWNSHIPS
            .iter()
            .copied()
            .chain(MORE_TOWNSHIPS.iter().map(|name| (*name, &[][..])))
            .collect(),
    };
    let mut out = Vec::new();
    for (t, (name, known)) in (0u64..).zip(names) {
        let count = match size {
            Size::Demo => known.len(),
            Size::County => 10 + visits::pick(t, 11) as usize,
        };
        let first_village = visits::pick(t ^ 0xC0, VILLAGES.len() as u64) as usize;
        let communities = (0..count)
            .map(|j| {
                let community = match known.get(j) {
                    Some(known) => (*known).to_owned(),
                    None if j == 0 => format!("{}社区", name.trim_end_matches('镇')),
                    None => format!("{}村", VILLAGES[(first_village + 7 * j) % VILLAGES.len()]),
                };
                let grids = match size {
                    _ if community == "北坝社区" => 8,
                    Size::Demo => 3 + j % 3,
                    Size::County => 7 + visits::pick((t << 8) | j as u64, 8) as usize,
                };
                (community, grids)
            })
            .collect();
        out.push(TownshipPlan { name, communities });
    }
    out
}

pub(super) fn person(n: usize) -> String {
    format!(
        "{}{}",
        SURNAMES[n % SURNAMES.len()],
        GIVEN[(n / SURNAMES.len() + n) % GIVEN.len()]
    )
}

/// Adds the county's units, and each grid's chief (网格长) and worker (网格员) and each
/// community's supervisor (督导员).
pub(super) fn build(store: &Store, size: Size) -> wangge::Result<()> {
    let mut units = vec![NewUnit {
        code: COUNTY.into(),
        name: "安岳县".into(),
        level: "county".into(),
        parent: None,
        start: None,
    }];
    for (t, township) in plan(size).iter().enumerate() {
        let township_code = format!("{COUNTY}{}", 100 + t);
        units.push(NewUnit {
            code: township_code.clone(),
            name: township.name.into(),
            level: "township".into(),
            parent: Some(COUNTY.into()),
            start: None,
        });
        for (i, (community_name, grids)) in township.communities.iter().enumerate() {
            let community = format!("{township_code}{:03}", i + 1);
            units.push(NewUnit {
                code: community.clone(),
                name: community_name.clone(),
                level: "community".into(),
                parent: Some(township_code.clone()),
                start: None,
            });
            for g in 1..=*grids {
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

    let mut n = 0;
    for unit in store.descendants(COUNTY, None, None)? {
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

/// A valid 18-digit ID number (GB 11643) for person `n` of the county (distinct for the
/// first 29 million).
fn id_number(n: usize) -> String {
    let birth = chrono::NaiveDate::from_ymd_opt(1935, 1, 1).unwrap()
        + chrono::Days::new(((n * 7919) % 30_000) as u64);
    let first17 = format!("512021{}{:03}", birth.format("%Y%m%d"), n % 997 + 1);
    wangge::id_number::with_check_digit(&first17).expect("17 digits")
}

/// Fills every grid with 150 to 200 households (seed 001's size) of 1 to 4 residents,
/// about one in eight of them special and one petitioner's (上访) in every fourth grid,
/// through the bulk import, one township at a time.
/// The registry is taken as it stood on [`REGISTRY_DAY`], so the households can be
/// visited in [`VISIT_YEAR`]. Returns the number of households and residents.
pub(super) fn fill_registry(store: &Store) -> wangge::Result<(usize, usize)> {
    const SPECIAL: [&str; 6] = ["低保", "残疾", "空巢", "留守儿童", "下岗失业", "单亲"];
    let options = ImportOptions {
        on: Some(date(REGISTRY_DAY)),
        ..ImportOptions::default()
    };
    let (mut households, mut person) = (0, 0);
    let mut g = 0;
    for township in store.children(COUNTY, None)? {
        let mut rows = Vec::new();
        for grid in store.descendants(&township.code, Some("grid"), None)? {
            let count = 150 + (g * 37) % 51;
            let street = grid.name.trim_end_matches(char::is_numeric);
            for h in 0..count {
                let household_id = format!("{}-{h:03}", grid.code);
                let seed = g * 1000 + h;
                let kind = match seed % 20 {
                    0 | 1 => "floating",
                    2 => "rental",
                    _ => "registered",
                };
                let tags = if g % 4 == 0 && h == 5 {
                    "上访"
                } else if seed % 8 == 3 {
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
                        address: format!("{street}{}号", h + 1),
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
            households += count;
            g += 1;
        }
        let result = store.import_households(&rows, &options, None)?;
        assert!(
            result.errors.is_empty(),
            "demo rows are valid: {:?}",
            result.errors.first()
        );
    }
    Ok((households, person))
}

fn person_name(n: usize) -> String {
    person(n * 31 + n / 7)
}
