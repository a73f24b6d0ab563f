"""Contact quotas ("1+10"), patrols (一日双巡) and what visits find, as in
core/tests/quotas_patrols.rs."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

import pytest
from conftest import d

import wangge

GRID = "512021100001001"
GRID2 = "512021100001002"
COMMUNITY = "512021100001"
EAST8 = timezone(timedelta(hours=8))


@pytest.fixture
def contacts(county):
    """The county with ten households in the first grid, a party member held to "1+10"
    from January 2024 and a grid worker."""
    for i in range(10):
        county.add_household(f"H{i:02}", GRID, "海慧路")
    county.add_staff("P1", "党员甲")
    county.add_staff("W1", "网格员")
    county.assign("P1", GRID, "party_member", start="2024-01-01")
    county.assign("W1", GRID, "grid_worker")
    return county


def contact(store: wangge.Store, staff: str, households: range, on: str) -> None:
    for i in households:
        store.record_visit(f"H{i:02}", staff, "phone", on)


def test_a_party_member_meets_1_plus_10_with_ten_distinct_households_a_month(contacts):
    assert contacts.quota_rules() == [
        {"name": "1+10", "role": "party_member", "contacts": 10, "every": 1, "per": "month"}
    ]
    # January: ten distinct households. February: nine, one of them twice. March: none.
    contact(contacts, "P1", range(10), "2024-01-15")
    contact(contacts, "P1", range(9), "2024-02-03")
    contact(contacts, "P1", range(1), "2024-02-20")
    q1 = contacts.quota_compliance(COMMUNITY, "2024-Q1", detail=True)
    assert (q1["unit"], q1["period"]) == (COMMUNITY, "2024-Q1")
    assert [(r["from"], r["to"], r["contacts"], r["met"]) for r in q1["requirements"]] == [
        ("2024-01-01", "2024-01-31", 10, True),
        ("2024-02-01", "2024-02-29", 9, False),
        ("2024-03-01", "2024-03-31", 0, False),
    ]
    assert all(r["staff_id"] == "P1" and r["rule"] == "1+10" for r in q1["requirements"])
    assert q1["total"] == {
        "rule": "total",
        "required": 3,
        "met": 1,
        "rate": {"num": 1, "den": 3, "value": pytest.approx(1 / 3)},
    }
    assert [(s["staff_id"], s["required"], s["met"]) for s in q1["staff"]] == [("P1", 3, 1)]
    january = contacts.quota_compliance(COMMUNITY, "2024-01")
    assert january["total"]["rate"] == {"num": 1, "den": 1, "value": 1.0}
    assert january["requirements"] == []
    # The second grid holds nobody to a quota: an empty report with a null rate.
    empty = contacts.quota_compliance(GRID2, "2024-01")
    assert empty["staff"] == []
    assert empty["total"]["rate"]["value"] is None


def test_quota_rules_are_versioned_data_and_a_bad_field_raises_invalid_input_naming_it(
    contacts,
):
    quarterly = [{"name": "网格员联户", "role": "grid_worker", "contacts": 5, "per": "quarter"}]
    contacts.set_quota_rules(quarterly, start=date(2024, 4, 1))
    assert contacts.quota_rules(as_of="2024-03-31")[0]["name"] == "1+10"
    assert contacts.quota_rules(as_of="2024-04-01") == [{**quarterly[0], "every": 1}]
    contact(contacts, "W1", range(5), "2024-05-01")
    q2 = contacts.quota_compliance(GRID, "2024-Q2")
    assert [(r["rule"], r["required"], r["met"]) for r in q2["rules"]] == [("网格员联户", 1, 1)]
    # A JSON string is accepted as well as a list of dicts.
    contacts.set_quota_rules(json.dumps(quarterly), start="2024-07-01")
    for bad, field in [
        ([{"role": "mayor", "contacts": 10, "per": "month"}], "role"),
        ([{"role": "party_member", "contacts": 0, "per": "month"}], "contacts"),
        ([{"role": "party_member", "contacts": 10, "per": "fortnight"}], "per"),
        ('{"role": "party_member"}', "rules"),
    ]:
        with pytest.raises(wangge.InvalidInput, match=field):
            contacts.set_quota_rules(bad)
    with pytest.raises(wangge.InvalidInput, match="period"):
        contacts.quota_compliance(COMMUNITY, "2024-Q5")
    with pytest.raises(wangge.PermissionDenied):
        contacts.scope(GRID, "网格员").set_quota_rules([])


def test_a_grid_is_patrolled_twice_a_day_by_default_at_moments_with_or_without_offset(
    contacts,
):
    rules = contacts.patrol_rules()
    assert [(r["name"], r["level"], r["times"], r["per"]) for r in rules] == [
        ("一日双巡", "grid", 2, "day")
    ]
    morning = contacts.record_patrol(GRID, "W1", datetime(2024, 3, 4, 8, 30, tzinfo=EAST8))
    assert isinstance(morning, wangge.Patrol)
    assert (morning.unit, morning.staff_id, morning.on, morning.note) == (
        GRID,
        "W1",
        date(2024, 3, 4),
        "",
    )
    assert morning.at.utcoffset() == timedelta(hours=8)
    # A naive datetime and text without an offset are local times of the deployment (+08:00).
    evening = contacts.record_patrol(GRID, "W1", datetime(2024, 3, 4, 17, 0), note="路灯不亮")
    assert evening.at == datetime(2024, 3, 4, 17, 0, tzinfo=EAST8)
    assert evening.at.utcoffset() == timedelta(hours=8)
    text = contacts.record_patrol(GRID, "W1", "2024-03-05 09:00")
    assert text.at == datetime(2024, 3, 5, 1, 0, tzinfo=timezone.utc)
    # Late evening UTC is the next day here.
    late = contacts.record_patrol(GRID, "W1", "2024-03-05T23:30:00+00:00")
    assert late.at.utcoffset() == timedelta(0)
    assert late.on == date(2024, 3, 6)
    assert contacts.patrols(GRID, "2024-03-04") == [morning, evening]
    assert contacts.patrols(GRID, "2024-03-06") == [late]
    assert evening.to_dict()["note"] == "路灯不亮"
    assert "Patrol(" in repr(evening)

    day = contacts.patrol_compliance(COMMUNITY, "2024-03-04", detail=True)
    # Both grids of the community are held; only the first walked twice.
    assert (day["total"]["required"], day["total"]["met"]) == (2, 1)
    assert [(u["unit"], u["met"]) for u in day["units"]] == [(GRID, 1), (GRID2, 0)]
    assert [(r["unit"], r["patrols"], r["met"]) for r in day["requirements"]] == [
        (GRID, 2, True),
        (GRID2, 0, False),
    ]
    fifth = contacts.patrol_compliance(GRID, "2024-03-05", detail=True)
    assert [(r["patrols"], r["met"]) for r in fifth["requirements"]] == [(1, False)]
    week = contacts.patrol_compliance(COMMUNITY, "2024-W10")
    assert (week["total"]["required"], week["total"]["met"]) == (14, 1)


def test_patrol_rules_are_data_and_bad_moments_units_or_staff_are_refused(contacts):
    contacts.set_patrol_rules(
        [
            {"name": "日巡查", "level": "grid", "times": 1, "per": "day"},
            {"name": "周自查", "level": "community", "per": "week"},
        ]
    )
    for day in range(4, 11):
        contacts.record_patrol(GRID, "W1", f"2024-03-{day:02}T09:00")
    contacts.record_patrol(COMMUNITY, "W1", "2024-03-08T15:00:00+08:00")
    week = contacts.patrol_compliance(COMMUNITY, "2024-W10")
    assert [(r["rule"], r["required"], r["met"]) for r in week["rules"]] == [
        ("日巡查", 14, 7),
        ("周自查", 1, 1),
    ]
    with pytest.raises(wangge.InvalidInput, match="level"):
        contacts.set_patrol_rules([{"level": "village", "per": "day"}])
    with pytest.raises(wangge.InvalidInput, match="times"):
        contacts.set_patrol_rules('[{"level": "grid", "times": 0, "per": "day"}]')
    for at in ["yesterday", "2024-03-04", date(2024, 3, 4), 1709512200]:
        with pytest.raises(wangge.InvalidInput, match="at"):
            contacts.record_patrol(GRID, "W1", at)
    with pytest.raises(wangge.NotFound, match="NOBODY"):
        contacts.record_patrol(GRID, "NOBODY", "2024-03-04T08:00")
    with pytest.raises(wangge.NotFound, match="512021100001999"):
        contacts.record_patrol("512021100001999", "W1", "2024-03-04T08:00")
    with pytest.raises(wangge.PermissionDenied):
        contacts.scope(GRID2, "网格员").record_patrol(GRID, "W1", "2024-03-04T08:00")
    with pytest.raises(wangge.InvalidInput, match="period"):
        contacts.patrols(GRID, "March")


def test_findings_stay_open_for_the_ledger_and_follow_the_tree(contacts):
    visit = contacts.record_visit("H01", "W1", "home", "2024-03-04")
    drain = contacts.record_finding(visit.visit_id, "楼道灯坏了", category="市政设施")
    assert isinstance(drain, wangge.Finding)
    assert (drain.visit_id, drain.household_id, drain.unit, drain.on) == (
        visit.visit_id,
        "H01",
        GRID,
        date(2024, 3, 4),
    )
    assert (drain.summary, drain.category, drain.urgent, drain.entry_id) == (
        "楼道灯坏了",
        "市政设施",
        False,
        None,
    )
    gas = contacts.record_finding(visit.visit_id, "燃气味道", urgent=True)
    assert gas.category is None and gas.urgent
    assert contacts.findings("512021100", open_only=True) == [drain, gas]
    assert contacts.findings("512021101") == []
    assert gas.to_dict()["urgent"] is True
    assert "Finding(" in repr(gas)
    assert len({drain, gas, contacts.findings(GRID)[0]}) == 2
    for summary, category, field in [("", None, "summary"), ("x", "", "category")]:
        with pytest.raises(wangge.InvalidInput, match=field):
            contacts.record_finding(visit.visit_id, summary, category)
    with pytest.raises(wangge.NotFound, match="9999"):
        contacts.record_finding(9999, "x")
    # A visit outside a scope is not found, as if there were none.
    with pytest.raises(wangge.NotFound, match="visit"):
        contacts.scope("512021101", "村干部").record_finding(visit.visit_id, "x")


def test_quotas_patrols_and_findings_persist_across_reopen(county_file):
    with wangge.Store(county_file) as store:
        store.add_staff("W1", "网格员")
        store.set_patrol_rules([{"name": "日巡查", "level": "county", "per": "day"}])
        store.record_patrol("512021", "W1", datetime(2024, 3, 4, 8, 0, tzinfo=EAST8))
        store.add_household("H1", GRID, "海慧路")
        visit = store.record_visit("H1", "W1", "home", d("2024-03-04"))
        store.record_finding(visit.visit_id, "楼道灯坏了")
    with wangge.Store(county_file) as store:
        day = store.patrol_compliance("512021", "2024-03-04")
        assert [(r["rule"], r["met"]) for r in day["rules"]] == [("日巡查", 1)]
        assert [f.summary for f in store.findings("512021")] == ["楼道灯坏了"]
