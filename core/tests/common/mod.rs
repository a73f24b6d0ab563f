//! Shared fixtures: a small county of real shape.
#![allow(dead_code)]

use wangge::{Date, Store};

pub fn d(text: &str) -> Date {
    wangge::date::parse_date("date", text).unwrap()
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
