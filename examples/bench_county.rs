//! The county the registry benchmarks build: 30 townships of 10 communities of 10 grids
//! (3,000 grids), valid ID numbers for its residents, and its registry of a million
//! residents as rows and as CSV. Shared by `bench_registry`, `bench_keys` and `bench_embed`.

// Each benchmark uses part of it.
#![allow(dead_code)]

use std::fmt::Write as _;

use wangge::NewUnit;

/// Townships of the county.
pub const TOWNSHIPS: usize = 30;
/// Communities of each township.
pub const COMMUNITIES_PER_TOWNSHIP: usize = 10;
/// Grids of each community.
pub const GRIDS_PER_COMMUNITY: usize = 10;

/// Households of the county's registry.
pub const HOUSEHOLDS: usize = 400_000;
/// Residents of the county's registry, 2 or 3 to a household.
pub const RESIDENTS: usize = 1_000_000;
const TAGS: [&str; 5] = ["低保", "残疾", "空巢", "留守儿童", "矫正对象"];

/// A valid 18-digit ID number (GB 11643) for person `i`, distinct for each.
pub fn id_number(i: usize) -> String {
    let birth =
        chrono::NaiveDate::from_ymd_opt(1940, 1, 1).unwrap() + chrono::Days::new((i / 999) as u64);
    let first17 = format!("512021{}{:03}", birth.format("%Y%m%d"), 1 + i % 999);
    wangge::id_number::with_check_digit(&first17).expect("17 digits")
}

/// The county's units (county, townships, communities, grids) and its grid codes.
pub fn grid_codes() -> (Vec<NewUnit>, Vec<String>) {
    let unit = |code: String, name: String, level: &str, parent: Option<&str>| NewUnit {
        code,
        name,
        level: level.into(),
        parent: parent.map(Into::into),
        start: None,
    };
    let mut units = vec![unit("512021".into(), "安岳县".into(), "county", None)];
    let mut grids = Vec::new();
    for t in 1..=TOWNSHIPS {
        let township = format!("512021{:03}", 100 + t);
        units.push(unit(
            township.clone(),
            format!("镇{t}"),
            "township",
            Some("512021"),
        ));
        for c in 1..=COMMUNITIES_PER_TOWNSHIP {
            let community = format!("{township}{c:03}");
            units.push(unit(
                community.clone(),
                format!("社区{c}"),
                "community",
                Some(&township),
            ));
            for g in 1..=GRIDS_PER_COMMUNITY {
                let grid = format!("{community}{g:03}");
                units.push(unit(
                    grid.clone(),
                    format!("网格{g}"),
                    "grid",
                    Some(&community),
                ));
                grids.push(grid);
            }
        }
    }
    (units, grids)
}

/// One resident's row of the county's registry.
pub struct Row {
    /// Its column of the same name.
    pub household_id: String,
    /// Its column of the same name.
    pub unit: String,
    /// Its column of the same name.
    pub address: String,
    /// Its column of the same name.
    pub kind: &'static str,
    /// Its column of the same name.
    pub tags: &'static str,
    /// Its column of the same name.
    pub name: String,
    /// Its column of the same name.
    pub id_number: String,
    /// Its column of the same name.
    pub phone: String,
    /// Its column of the same name.
    pub relation: &'static str,
}

/// The county's registry: [`RESIDENTS`] residents in [`HOUSEHOLDS`] households spread
/// over `grids`, every tenth household floating and every ninth tagged.
pub fn rows(grids: &[String]) -> Vec<Row> {
    let mut out = Vec::with_capacity(RESIDENTS);
    let mut person = 0;
    for h in 0..HOUSEHOLDS {
        // 2 or 3 residents, alternately: 1,000,000 in 400,000 households.
        let size = if h % 2 == 0 { 2 } else { 3 };
        let kind = match h % 10 {
            0 => "floating",
            1 => "rental",
            _ => "registered",
        };
        let tags = if h % 9 == 0 { TAGS[h % TAGS.len()] } else { "" };
        for m in 0..size {
            out.push(Row {
                household_id: format!("H{h:06}"),
                unit: grids[h % grids.len()].clone(),
                address: format!("幸福路{}号{}单元", h / 20, h % 20),
                kind,
                tags,
                name: format!("居民{person}"),
                id_number: id_number(person),
                phone: format!("138{person:08}"),
                relation: if m == 0 { "head" } else { "member" },
            });
            person += 1;
        }
    }
    out
}

/// The rows as the CSV file a county sends for import (UTF-8, with its header).
pub fn csv(rows: &[Row]) -> String {
    let mut csv =
        String::from("household_id,unit,address,kind,tags,name,id_number,phone,relation\n");
    for r in rows {
        let _ = writeln!(
            csv,
            "{},{},{},{},{},{},{},{},{}",
            r.household_id,
            r.unit,
            r.address,
            r.kind,
            r.tags,
            r.name,
            r.id_number,
            r.phone,
            r.relation
        );
    }
    csv
}
