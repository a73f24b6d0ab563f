//! Shared fixtures: a small county of real shape.
#![allow(dead_code)]

pub mod handheld;

use std::fmt::Write as _;

use wangge::{Date, NewResident, Store};

pub fn d(text: &str) -> Date {
    wangge::date::parse_date("date", text).unwrap()
}

/// The path of a store in a fresh folder of its own for one test, `name`.
pub fn temp_store_path(name: &str) -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("wangge-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("store.db")
}

/// 安岳县 with two townships, three communities and four grids.
pub fn county() -> Store {
    county_at(":memory:")
}

/// The same county, in the store at `path`.
pub fn county_at(path: &str) -> Store {
    let store = Store::open(path).unwrap();
    store
        .add_unit("512021", "安岳县", "county", None, None)
        .unwrap();
    store
        .add_unit("512021100", "岳阳镇", "township", Some("512021"), None)
        .unwrap();
    store
        .add_unit("512021101", "石桥铺镇", "township", Some("512021"), None)
        .unwrap();
    store
        .add_unit(
            "512021100001",
            "北坝社区",
            "community",
            Some("512021100"),
            None,
        )
        .unwrap();
    store
        .add_unit(
            "512021100002",
            "龙井社区",
            "community",
            Some("512021100"),
            None,
        )
        .unwrap();
    store
        .add_unit(
            "512021101001",
            "解放村",
            "community",
            Some("512021101"),
            None,
        )
        .unwrap();
    store
        .add_unit(
            "512021100001001",
            "北坝一网格",
            "grid",
            Some("512021100001"),
            None,
        )
        .unwrap();
    store
        .add_unit(
            "512021100001002",
            "北坝二网格",
            "grid",
            Some("512021100001"),
            None,
        )
        .unwrap();
    store
        .add_unit(
            "512021100002001",
            "龙井一网格",
            "grid",
            Some("512021100002"),
            None,
        )
        .unwrap();
    store
        .add_unit(
            "512021101001001",
            "解放村一组",
            "grid",
            Some("512021101001"),
            None,
        )
        .unwrap();
    store
}

pub fn codes(units: &[wangge::Unit]) -> Vec<&str> {
    units.iter().map(|u| u.code.as_str()).collect()
}

/// A resident with only a name, an ID number and a phone.
pub fn resident(name: &str, id_number: Option<&str>, phone: Option<&str>) -> NewResident {
    NewResident {
        name: name.into(),
        id_number: id_number.map(Into::into),
        phone: phone.map(Into::into),
        ..Default::default()
    }
}

/// The county with households H1 (registered), H2 (floating) and H3 (rental) and one
/// resident of H1.
pub fn with_households() -> Store {
    let store = county();
    store
        .add_household(
            "H1",
            "512021100001001",
            "海慧路1号",
            "registered",
            &[],
            None,
        )
        .unwrap();
    store
        .add_household(
            "H2",
            "512021100001001",
            "海慧路2号",
            "floating",
            &["流动人口"],
            None,
        )
        .unwrap();
    store
        .add_household("H3", "512021100001002", "海慧路3号", "rental", &[], None)
        .unwrap();
    store
        .add_resident(
            "H1",
            &resident("付良容", Some("510123194805121220"), Some("13812345678")),
            None,
        )
        .unwrap();
    store
}

/// A file of `households` households of two residents each in grid 512021100001001, numbered from `from`.
pub fn big_csv(from: usize, households: usize) -> String {
    let mut csv =
        String::from("household_id,unit,address,kind,tags,name,id_number,phone,relation\n");
    for h in from..from + households {
        for m in 0..2 {
            let n = 2 * h + m;
            let first17 = format!(
                "5120211980{:02}{:02}{:03}",
                1 + n % 12,
                1 + n % 28,
                n % 1000
            );
            let id = wangge::id_number::with_check_digit(&first17).unwrap();
            let relation = if m == 0 { "head" } else { "spouse" };
            writeln!(
                csv,
                "B{h},512021100001001,幸福路{h}号,registered,,居民{n},{id},,{relation}"
            )
            .unwrap();
        }
    }
    csv
}
