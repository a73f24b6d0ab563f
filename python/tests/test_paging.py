"""Paging of due lists, households, findings and entries: every list method returns a
`wangge.Page` (a list with `.next`); walking its pages gives the whole list exactly once,
even with writes between pages; bad limits and cursors raise InvalidInput."""

from __future__ import annotations

import pickle
from datetime import datetime, timedelta, timezone

import pytest
from conftest import d

import wangge

GRID = "512021100001001"
GRID2 = "512021100001002"
GRID3 = "512021100002001"
COMMUNITY = "512021100001"
TOWNSHIP = "512021100"
COUNTY = "512021"
DAY = d("2025-05-20")
NOON = datetime(2025, 5, 20, 12, tzinfo=timezone(timedelta(hours=8)))


@pytest.fixture
def store(county):
    """The county with 24 households over three grids (every third special), visits with
    findings, entries, and staff S1 on a community and a grid inside it."""
    county.add_staff("S1", "网格员甲")
    county.assign("S1", COMMUNITY, "grid_worker", d("2025-01-01"))
    county.assign("S1", GRID, "grid_worker", d("2025-01-01"))
    grids = [GRID, GRID2, GRID3]
    for i in range(24):
        tags = ["低保"] if i % 3 == 0 else []
        county.add_household(f"H{i * 7 % 24:02}", grids[i % 3], "海慧路", tags=tags, start=d("2024-01-01"))
    for i in range(8):
        visit = county.record_visit(f"H{i * 3:02}", "S1", "home", d("2025-04-10"))
        county.record_finding(visit.visit_id, f"发现{i}", urgent=i % 2 == 0)
    for i in range(9):
        at = datetime(2025, 3, 3 + i, 9, tzinfo=timezone(timedelta(hours=8)))
        county.register(grids[i % 3], None, "路灯坏了", at)
    return county


def walk(method, size, *args, between=None, **kwargs):
    """Every page of `method(*args, **kwargs)`, `size` at a time: checks each page is a
    Page, full but for the last, and returns the items in order."""
    items = []
    page = method(*args, limit=size, **kwargs)
    while True:
        assert isinstance(page, wangge.Page) and isinstance(page, list)
        assert len(page) <= size
        items.extend(page)
        if page.next is None:
            return items
        assert len(page) == size
        if between is not None:
            between()
        page = method(*args, limit=size, after=page.next, **kwargs)


def page_order(due):
    return sorted(due, key=lambda i: (i.household_id, i.rule))


def test_every_list_method_returns_a_page_with_next_none_when_not_paged(store):
    lists = [
        store.due_visits(COUNTY, DAY),
        store.due_visits_for_staff("S1", DAY),
        store.households(COUNTY),
        store.findings(COUNTY),
        store.entries(COUNTY),
    ]
    for whole in lists:
        assert isinstance(whole, wangge.Page) and isinstance(whole, list)
        assert whole.next is None
        assert len(whole) > 2
    first = store.households(COUNTY, limit=2)
    assert len(first) == 2 and isinstance(first.next, str)
    assert first == store.households(COUNTY)[:2]
    assert "next=" in repr(first)
    ids = wangge.Page([h.household_id for h in first], first.next)
    copy = pickle.loads(pickle.dumps(ids))
    assert copy == ids and copy.next == first.next and type(copy) is wangge.Page
    assert wangge.Page([1], "x").next == "x" and wangge.Page().next is None


@pytest.mark.parametrize("size", [1, 2, 7])
def test_walking_the_pages_of_each_list_gives_the_whole_list(store, size):
    for unit in (COUNTY, TOWNSHIP, GRID):
        whole = store.due_visits(unit, DAY)
        assert walk(store.due_visits, size, unit, DAY) == page_order(whole)
    whole = store.due_visits_for_staff("S1", DAY)
    assert walk(store.due_visits_for_staff, size, "S1", DAY) == page_order(whole)
    for kwargs in ({}, {"household_class": "special"}, {"tag": "低保"}):
        whole = store.households(COUNTY, DAY, **kwargs)
        assert walk(store.households, size, COUNTY, DAY, **kwargs) == whole
    for open_only in (False, True):
        whole = sorted(store.findings(COUNTY, open_only), key=lambda f: f.id)
        assert walk(store.findings, size, COUNTY, open_only) == whole
    whole = store.entries(COUNTY, NOON)
    assert len(whole) == 9
    assert walk(store.entries, size, COUNTY, NOON) == whole


def test_writes_between_pages_cause_no_repeat_and_no_skip(store):
    before = store.households(COUNTY, DAY)
    due_before = page_order(store.due_visits(COUNTY, DAY))
    added = []

    def add():
        n = len(added)
        for hid in (f"A{n:02}", f"Z{n:02}", f"H{n:02}x"):
            store.add_household(hid, GRID3, "新路", tags=["低保"], start=d("2024-01-01"))
            added.append(hid)

    paged = walk(store.households, 4, COUNTY, DAY, between=add)
    ids = [h.household_id for h in paged]
    assert added and ids == sorted(set(ids))
    assert all(h.household_id in ids for h in before)

    paged = walk(store.due_visits, 5, COUNTY, DAY, between=add)
    keys = [(i.household_id, i.rule) for i in paged]
    assert keys == sorted(set(keys))
    assert all(item in paged for item in due_before)

    findings_before = store.findings(COUNTY)
    visit = store.record_visit("H01", "S1", "home", d("2025-04-11"))
    paged = walk(
        store.findings,
        3,
        COUNTY,
        between=lambda: store.record_finding(visit.visit_id, "新发现"),
    )
    ids = [f.id for f in paged]
    assert ids == sorted(set(ids))
    assert all(f.id in ids for f in findings_before)


def test_a_limit_out_of_range_raises_invalid_input_naming_limit(store):
    for limit in (0, -1, 100_001, 10**30):
        for call in (
            lambda: store.due_visits(COUNTY, limit=limit),
            lambda: store.due_visits_for_staff("S1", limit=limit),
            lambda: store.households(COUNTY, limit=limit),
            lambda: store.findings(COUNTY, limit=limit),
            lambda: store.entries(COUNTY, limit=limit),
        ):
            with pytest.raises(wangge.InvalidInput) as err:
                call()
            assert "limit" in str(err.value) or "integer" in str(err.value)
    assert len(store.households(COUNTY, limit=100_000)) == len(store.households(COUNTY))


def test_a_bad_cursor_or_one_of_another_list_or_query_raises_invalid_input_naming_after(store):
    households = store.households(COUNTY, limit=2).next
    findings = store.findings(COUNTY, limit=2).next
    due = store.due_visits(COUNTY, DAY, limit=2).next
    bad = [
        lambda: store.households(COUNTY, after="garbage"),
        lambda: store.households(COUNTY, after="v1.zz"),
        lambda: store.households(COUNTY, after="\ud800"),
        lambda: store.findings(COUNTY, after=households),
        lambda: store.entries(COUNTY, after=findings),
        lambda: store.due_visits(COUNTY, DAY, after=households),
        lambda: store.households(GRID, after=households),
        lambda: store.households(COUNTY, household_class="special", after=households),
        lambda: store.findings(COUNTY, True, after=findings),
        lambda: store.due_visits(TOWNSHIP, DAY, after=due),
        lambda: store.due_visits(COUNTY, d("2025-05-21"), after=due),
    ]
    for call in bad:
        with pytest.raises(wangge.InvalidInput) as err:
            call()
        assert "after" in str(err.value) or "surrogate" in str(err.value)
    # The day is the cursor's when none is given.
    assert store.due_visits(COUNTY, after=due) == store.due_visits(COUNTY, DAY, after=due)
    assert store.households(COUNTY, after=households)[0].household_id == "H02"


def test_a_scoped_handle_pages_only_its_subtree(store):
    grid = store.scope(GRID, "网格员甲")
    assert walk(grid.households, 2, GRID, DAY) == grid.households(GRID, DAY)
    staff = walk(grid.due_visits_for_staff, 2, "S1", DAY)
    assert staff == page_order(grid.due_visits_for_staff("S1", DAY))
    assert staff and all(i.unit == GRID for i in staff)
    cursor = store.households(COUNTY, limit=2).next
    for call in (
        lambda: grid.households(COUNTY),
        lambda: grid.households(COUNTY, limit=2),
        lambda: grid.households(COUNTY, limit=2, after=cursor),
        lambda: grid.findings(COUNTY, limit=2),
        lambda: grid.entries(COUNTY, limit=2),
        lambda: grid.due_visits(GRID2, limit=2),
    ):
        with pytest.raises(wangge.PermissionDenied):
            call()
