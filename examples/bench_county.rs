//! The county the registry benchmarks build: 30 townships of 10 communities of 10 grids
//! (3,000 grids), and valid ID numbers for its residents. Shared by `bench_registry` and
//! `bench_keys`.

use wangge::NewUnit;

/// Townships of the county.
pub const TOWNSHIPS: usize = 30;
/// Communities of each township.
pub const COMMUNITIES_PER_TOWNSHIP: usize = 10;
/// Grids of each community.
pub const GRIDS_PER_COMMUNITY: usize = 10;

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
