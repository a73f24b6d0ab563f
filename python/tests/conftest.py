"""Shared fixtures: a small county of real shape, as in core/tests/common/mod.rs."""

from __future__ import annotations

from datetime import date

import pytest

import wangge

# (code, name, level, parent): 安岳县 with two townships, three communities and four grids.
COUNTY = [
    ("512021", "安岳县", "county", None),
    ("512021100", "岳阳镇", "township", "512021"),
    ("512021101", "石桥铺镇", "township", "512021"),
    ("512021100001", "北坝社区", "community", "512021100"),
    ("512021100002", "龙井社区", "community", "512021100"),
    ("512021101001", "解放村", "community", "512021101"),
    ("512021100001001", "北坝一网格", "grid", "512021100001"),
    ("512021100001002", "北坝二网格", "grid", "512021100001"),
    ("512021100002001", "龙井一网格", "grid", "512021100002"),
    ("512021101001001", "解放村一组", "grid", "512021101001"),
]


def build_county(store: wangge.Store) -> wangge.Store:
    """Adds the county's ten units one by one, as a user would."""
    for code, name, level, parent in COUNTY:
        store.add_unit(code, name, level, parent)
    return store


def codes(units: list[wangge.Unit]) -> list[str]:
    return [u.code for u in units]


@pytest.fixture
def county():
    """An in-memory store holding the county, closed after the test."""
    with wangge.Store(":memory:") as store:
        yield build_county(store)


@pytest.fixture
def county_file(tmp_path):
    """The path of a store file holding the county, closed and ready to reopen."""
    path = tmp_path / "county.db"
    with wangge.Store(path) as store:
        build_county(store)
    return path


def d(text: str) -> date:
    return date.fromisoformat(text)


@pytest.fixture
def ledger(county):
    """The county with a grid worker on the first grid and a community officer."""
    from ledger_common import COMMUNITY, GRID

    county.add_staff("W1", "网格员甲")
    county.add_staff("C1", "社区干部")
    county.assign("W1", GRID, "grid_worker")
    county.assign("C1", COMMUNITY, "grid_chief")
    return county
