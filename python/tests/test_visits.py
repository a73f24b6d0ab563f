"""Visits: the seed's rules, due lists, compliance, rule sets as data, and refusals, as in
core/tests/visits.rs."""

from __future__ import annotations

import json
from datetime import date

import pytest
from conftest import d

import wangge

GRID = "512021100001001"
GRID2 = "512021100001002"


@pytest.fixture
def visits(county):
    county.add_staff("S1", "网格员甲")
    county.add_household("H1", GRID, "海慧路1号")
    county.add_household("H2", GRID, "海慧路2号", tags=["低保"])
    return county


def test_a_home_visit_satisfies_the_phone_rule_and_overdue_items_come_first(visits):
    visit = visits.record_visit("H1", "S1", "home", "2024-04-10", note="入户走访")
    assert isinstance(visit, wangge.Visit)
    assert (visit.channel, visit.on, visit.note) == ("home", date(2024, 4, 10), "入户走访")
    assert visits.visits("H1") == [visit]
    due = visits.due_visits("512021", as_of=date(2024, 5, 15))
    assert all(isinstance(item, wangge.DueVisit) for item in due)
    assert [(i.household_id, i.rule, i.due, i.overdue) for i in due] == [
        ("H2", "特殊户电话", date(2024, 5, 31), True),
        ("H2", "特殊户入户", date(2024, 6, 30), True),
    ]
    assert due[0].last_visit is None
    assert due[0].to_dict()["channel"] == "phone"
    assert "DueVisit(" in repr(due[0])


def test_a_tag_gained_mid_quarter_holds_from_the_next_period_of_each_rule(visits):
    visits.tag("H1", "残疾", start=d("2024-02-15"))

    def rules(on: str) -> list[str]:
        return sorted(i.rule for i in visits.due_visits(GRID, on) if i.household_id == "H1")

    assert rules("2024-02-20") == ["普通户入户", "普通户电话"]
    assert rules("2024-03-05") == ["普通户入户", "普通户电话", "特殊户电话"]
    assert rules("2024-04-05") == ["普通户入户", "特殊户入户", "特殊户电话"]


def test_compliance_counts_missed_periods_and_half_years_where_they_end(visits):
    for day, channel in [("2024-01-05", "home"), ("2024-02-05", "phone"), ("2024-04-12", "phone")]:
        visits.record_visit("H2", "S1", channel, day)
    q1 = visits.visit_compliance("512021", "2024-Q1", detail=True)
    assert q1["period"] == "2024-Q1"
    by_rule = {r["rule"]: r for r in q1["rules"]}
    assert (by_rule["特殊户电话"]["required"], by_rule["特殊户电话"]["met"]) == (3, 2)
    assert by_rule["特殊户电话"]["rate"] == {"num": 2, "den": 3, "value": pytest.approx(2 / 3)}
    assert "普通户入户" not in by_rule, "the half year ends in Q2"
    march = [r for r in q1["requirements"] if r["rule"] == "特殊户电话" and r["from"] == "2024-03-01"]
    assert march == [
        {"household_id": "H2", "rule": "特殊户电话", "from": "2024-03-01", "to": "2024-03-31", "met": False}
    ]
    empty = visits.visit_compliance("512021101", "2024-Q1")
    assert empty["total"]["rate"] == {"num": 0, "den": 0, "value": None}
    assert empty["requirements"] == []
    with pytest.raises(wangge.InvalidInput, match="period"):
        visits.visit_compliance("512021", "2024-Q5")


def test_rule_sets_are_data_versioned_by_start_and_checked_by_field(visits):
    defaults = visits.visit_rules()
    assert [r["per"] for r in defaults] == ["half_year", "quarter", "quarter", "month"]
    weekly = [
        {"name": "低保户每周", "tag": "低保", "channel": "phone", "every": 7, "per": "days", "mode": "rolling"}
    ]
    visits.set_visit_rules(weekly, start=date(2024, 6, 1))
    assert visits.visit_rules(as_of="2024-05-31") == defaults
    assert visits.visit_rules(as_of="2024-06-01")[0]["per"] == "day"
    visits.set_visit_rules(json.dumps(weekly), start="2024-07-01")
    due = visits.due_visits(GRID, "2024-06-05")
    assert [(i.household_id, i.rule, i.overdue) for i in due] == [("H2", "低保户每周", True)]
    for rules, field in [
        ([{"class": "special", "channel": "fax", "per": "month"}], "channel"),
        ([{"tag": "不存在", "channel": "home", "per": "month"}], "tag"),
        ([{"class": "special", "channel": "home", "per": "fortnight"}], "per"),
        ({"class": "special"}, "rules"),
    ]:
        with pytest.raises(wangge.InvalidInput, match=field):
            visits.set_visit_rules(rules)
    with pytest.raises(wangge.PermissionDenied):
        visits.scope(GRID, "网格员").set_visit_rules(weekly)


def test_visits_are_refused_for_absent_households_unknown_staff_and_bad_channels(visits):
    visits.add_household("H3", GRID, "海慧路3号", start=d("2024-03-01"))
    with pytest.raises(wangge.NotFound, match="H3"):
        visits.record_visit("H3", "S1", "home", "2024-02-01")
    with pytest.raises(wangge.NotFound, match="S9"):
        visits.record_visit("H1", "S9", "home", "2024-03-02")
    with pytest.raises(wangge.InvalidInput, match="channel"):
        visits.record_visit("H1", "S1", "fax", "2024-03-02")
    with pytest.raises(wangge.InvalidInput, match="on"):
        visits.record_visit("H1", "S1", "home", "yesterday")
    with pytest.raises(wangge.NotFound, match="H1"):
        visits.scope("512021101", "外镇").record_visit("H1", "S1", "home", "2024-03-02")
    visits.record_visit("H1", "S1", "电话", "2024-03-02")
    assert visits.audit_log(0, 1000)[-1].action == "record_visit"


def test_a_staff_members_due_list_covers_their_units(visits):
    visits.add_household("H4", GRID2, "海慧路4号")
    visits.assign("S1", GRID, "grid_worker")
    mine = visits.due_visits_for_staff("S1", as_of=date(2024, 5, 1))
    assert {i.household_id for i in mine} == {"H1", "H2"}
    with pytest.raises(wangge.NotFound):
        visits.due_visits_for_staff("S9")


def test_floating_and_relocation_households_are_re_verified_each_quarter(visits):
    visits.add_household("F1", GRID, "海慧路5号", kind="floating")
    visits.add_household("R1", GRID, "海慧路6号", tags=["拆迁过渡"])
    visits.verify_archive("F1", "2024-02-10")
    due = visits.reverification_due("512021", as_of="2024-05-15")
    assert all(isinstance(r, wangge.ReverificationDue) for r in due)
    assert [(r.household_id, r.due, r.overdue, r.verified) for r in due] == [
        ("R1", date(2024, 6, 30), True, None),
        ("F1", date(2024, 6, 30), False, date(2024, 2, 10)),
    ]
    visits.verify_archive("R1", "2024-05-20")
    assert [r.household_id for r in visits.reverification_due(GRID, "2024-05-21")] == ["F1"]


def test_a_batch_of_visits_is_recorded_whole_or_not_at_all(visits):
    batch = [
        {"household_id": "H1", "staff_id": "S1", "channel": "home", "on": date(2024, 3, 1)},
        ("H2", "S1", "phone", "2024-03-02", "电话随访"),
        ("H2", "S9", "phone", "2024-03-03"),
    ]
    with pytest.raises(wangge.NotFound, match="visit 2 of the batch"):
        visits.record_visits(batch)
    assert visits.visits("H1") == []
    ids = visits.record_visits(batch[:2])
    assert len(ids) == 2
    assert visits.visits("H2")[0].visit_id == ids[1]
    assert visits.visits("H2")[0].note == "电话随访"
    with pytest.raises(wangge.InvalidInput, match="channel"):
        visits.record_visits([("H1", "S1", "fax", "2024-03-04")])
    with pytest.raises(wangge.InvalidInput, match="visit 0 of the batch"):
        visits.record_visits([{"household_id": "H1", "staff": "S1"}])
    with pytest.raises(wangge.InvalidInput, match="staff_id"):
        visits.record_visits([{"household_id": "H1", "channel": "home", "on": "2024-03-04"}])
