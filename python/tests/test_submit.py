"""Submitted reports (报告制度) and the assessment (考核): the cadence rules, sealing and
approving a report, the lock approval sets, completeness, scores and ranks, and refusals,
as in core/tests/submissions.rs and the assessment test of core/tests/report.rs."""

from __future__ import annotations

import json
import math
import sys
import types
from datetime import datetime, timedelta, timezone

import pytest

import wangge

TOWNSHIP = "512021100"
OTHER_TOWNSHIP = "512021101"
COMMUNITY = "512021100001"
GRID = "512021100001001"
OTHER_GRID = "512021100001002"
SHIQIAO_GRID = "512021101001001"
WEEK = "2025-W10"
EAST8 = timezone(timedelta(hours=8))


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=EAST8)


@pytest.fixture
def store(county):
    """The county with a grid worker and two households in the grid."""
    county.add_staff("W1", "王网格员")
    county.add_household("H1", GRID, "海慧路1号")
    county.add_household("H2", GRID, "海慧路2号")
    return county


@pytest.fixture
def grid(store):
    return store.scope(GRID, "王网格员")


@pytest.fixture
def community(store):
    return store.scope(COMMUNITY, "陈社区干部")


# Reporting rules


def test_the_default_cadence_is_grids_weekly_communities_monthly_townships_quarterly(store):
    rules = store.reporting_rules()
    assert rules == [
        {"level": "grid", "every": "week", "due_working_days": 1},
        {"level": "community", "every": "month", "due_working_days": 3},
        {"level": "township", "every": "quarter", "due_working_days": 5},
    ]


def test_reporting_rules_are_set_from_dicts_or_json_from_a_day(store):
    store.set_reporting_rules(
        [{"level": "community", "every": "month", "due_working_days": 2}], start="2026-01-01"
    )
    assert store.reporting_rules("2026-01-01") == [
        {"level": "community", "every": "month", "due_working_days": 2}
    ]
    assert len(store.reporting_rules("2025-12-31")) == 3
    store.set_reporting_rules('[{"level": "grid", "every": "month"}]')
    assert store.reporting_rules("2025-06-01") == [
        {"level": "grid", "every": "month", "due_working_days": 1}
    ]


def test_a_level_not_of_the_deployment_is_invalid_input_naming_it(store):
    with pytest.raises(wangge.InvalidInput, match="province"):
        store.set_reporting_rules([{"level": "province", "every": "month"}])


def test_only_an_unrestricted_handle_sets_reporting_rules(community):
    with pytest.raises(wangge.PermissionDenied):
        community.set_reporting_rules([{"level": "grid", "every": "week"}])


# Submitting and approving


def test_a_submission_seals_the_report_with_its_time_and_author(grid):
    s = grid.submit(GRID, WEEK, at(2025, 3, 10, 17))
    assert isinstance(s, wangge.Submission)
    assert (s.unit, s.period, s.status, s.versions) == (GRID, WEEK, "submitted", 1)
    assert s.author == "王网格员"
    assert s.due == at(2025, 3, 10, 23, 59, 59)
    assert s.on_time
    assert s.first_submitted_at == s.submitted_at == at(2025, 3, 10, 17)
    assert (s.approved_at, s.approver) == (None, None)
    assert s.report["unit"] == GRID
    assert s.report["period"] == WEEK
    assert s.report["totals"]["households"] == 2


def test_iso_text_and_a_period_object_are_accepted(grid):
    s = grid.submit(GRID, wangge.Period.parse(WEEK), "2025-03-10T17:00:00+08:00")
    assert s.submitted_at == at(2025, 3, 10, 17)


def test_a_sealed_report_does_not_change_when_facts_are_added_later(store, grid):
    sealed = grid.submit(GRID, WEEK, at(2025, 3, 10, 17)).report
    store.add_household("H9", GRID, "海慧路9号", start="2025-03-05")
    assert store.report(GRID, WEEK).totals["households"] == 3
    later = store.submission(GRID, WEEK)
    assert later.report == sealed
    assert later.report["totals"]["households"] == 2


def test_a_unit_submits_again_until_approval_and_timeliness_keeps_the_first(grid):
    grid.submit(GRID, WEEK, at(2025, 3, 10, 17))
    s = grid.submit(GRID, WEEK, at(2025, 3, 12, 9))
    assert (s.versions, s.on_time) == (2, True)
    assert s.first_submitted_at == at(2025, 3, 10, 17)
    assert s.submitted_at == at(2025, 3, 12, 9)


def test_a_late_first_submission_is_not_on_time(grid):
    s = grid.submit(GRID, WEEK, at(2025, 3, 11, 9))
    assert not s.on_time


def test_a_period_not_of_the_units_cadence_is_invalid_input(grid, store):
    with pytest.raises(wangge.InvalidInput, match="week"):
        grid.submit(GRID, "2025-03", at(2025, 4, 1, 9))
    with pytest.raises(wangge.InvalidInput):
        store.submit("512021", "2025-Q1", at(2025, 4, 1, 9))


def test_a_grid_cannot_submit_for_another_grid(grid):
    with pytest.raises(wangge.PermissionDenied):
        grid.submit(OTHER_GRID, WEEK, at(2025, 3, 10, 9))


def test_the_level_above_approves_not_the_unit_itself(grid, community):
    grid.submit(GRID, WEEK, at(2025, 3, 10, 17))
    with pytest.raises(wangge.PermissionDenied, match=GRID):
        grid.approve(GRID, WEEK, at(2025, 3, 11, 10))
    s = community.approve(GRID, WEEK, at(2025, 3, 11, 10))
    assert (s.status, s.approver, s.approved_at) == ("approved", "陈社区干部", at(2025, 3, 11, 10))
    assert s.report["unit"] == GRID
    with pytest.raises(wangge.Conflict, match="approved"):
        community.approve(GRID, WEEK, at(2025, 3, 11, 11))
    with pytest.raises(wangge.Conflict, match="locked"):
        grid.submit(GRID, WEEK, at(2025, 3, 11, 12))


def test_nothing_submitted_cannot_be_approved(community):
    with pytest.raises(wangge.NotFound):
        community.approve(OTHER_GRID, WEEK, at(2025, 3, 11, 10))


def test_approval_locks_the_grids_week(store, grid, community):
    grid.submit(GRID, WEEK, at(2025, 3, 10, 17))
    community.approve(GRID, WEEK, at(2025, 3, 11, 10))
    with pytest.raises(wangge.Conflict, match="locked") as refused:
        store.record_visit("H1", "W1", "home", "2025-03-05")
    assert isinstance(refused.value, wangge.Error)
    with pytest.raises(wangge.Conflict, match="locked"):
        store.register(GRID, "就业", "找工作", at(2025, 3, 6, 9))
    with pytest.raises(wangge.Conflict, match="locked"):
        store.add_household("H8", GRID, "海慧路8号", start="2025-03-04")
    assert store.visits("H1") == []
    # Outside the week, or outside the grid, facts are written as before.
    assert store.record_visit("H1", "W1", "home", "2025-03-10").household_id == "H1"
    store.add_household("H3", OTHER_GRID, "海慧路3号")
    assert store.record_visit("H3", "W1", "home", "2025-03-05").household_id == "H3"


def test_a_missing_report_has_no_versions_and_no_report(store):
    s = store.submission(GRID, "2025-W11")
    assert (s.status, s.versions, s.on_time) == ("missing", 0, False)
    assert (s.first_submitted_at, s.submitted_at, s.author, s.report) == (None, None, None, None)
    assert s.due == at(2025, 3, 17, 23, 59, 59)


def test_the_submission_json_holds_the_views(grid):
    s = grid.submit(GRID, WEEK, at(2025, 3, 10, 17))
    parsed = json.loads(s.to_json())
    assert parsed["report"] == s.report
    assert (parsed["unit"], parsed["period"], parsed["status"]) == (GRID, WEEK, "submitted")
    assert parsed["due"] == "2025-03-10T23:59:59+08:00"
    assert parsed["submitted_at"] == "2025-03-10T17:00:00+08:00"
    assert parsed["approved_at"] is None
    assert repr(s) == (
        "Submission(unit='512021100001001', period='2025-W10', status='submitted', "
        "versions=1, on_time=True)"
    )


def test_the_list_holds_every_report_expected_in_the_communitys_month(store):
    store.submit(GRID, WEEK, at(2025, 3, 10, 10))
    store.submit(COMMUNITY, "2025-03", at(2025, 4, 2, 10))
    subs = store.submissions(COMMUNITY, "2025-03")
    assert len(subs) == 9
    assert all(isinstance(s, wangge.Submission) and s.report is None for s in subs)
    assert [(s.unit, s.period) for s in subs] == (
        [(COMMUNITY, "2025-03")]
        + [(GRID, f"2025-W{w}") for w in range(10, 14)]
        + [(OTHER_GRID, f"2025-W{w}") for w in range(10, 14)]
    )
    assert [s.status for s in subs].count("submitted") == 2
    assert json.loads(subs[1].to_json())["report"] is None


def test_report_completeness_counts_the_weeks_of_each_grid_and_the_month(store):
    store.submit(GRID, "2025-W10", at(2025, 3, 10, 10))
    store.submit(GRID, "2025-W11", at(2025, 3, 19, 10))
    store.submit(OTHER_GRID, "2025-W12", at(2025, 3, 24, 10))
    store.submit(COMMUNITY, "2025-03", at(2025, 4, 2, 10))
    r = store.report(COMMUNITY, "2025-03")
    rows = {row["unit"]: row for row in r.rows}
    assert rows[GRID]["report_completeness"] == {"num": 2, "den": 4, "value": 0.5}
    assert rows[GRID]["report_timeliness"]["num"] == 1, "W11 came two days late"
    assert rows[OTHER_GRID]["report_completeness"] == {"num": 1, "den": 4, "value": 0.25}
    assert rows[COMMUNITY]["own"]
    assert rows[COMMUNITY]["report_completeness"] == {"num": 1, "den": 1, "value": 1.0}
    assert (r.totals["report_completeness"]["num"], r.totals["report_completeness"]["den"]) == (
        4,
        9,
    )
    assert r.totals["report_timeliness"]["num"] == 3


# Refusals


@pytest.mark.parametrize("period", ["2025-W99", "spring", 2025, None])
def test_a_bad_period_is_invalid_input(store, period):
    with pytest.raises(wangge.InvalidInput, match="period"):
        store.submit(GRID, period, at(2025, 3, 10, 17))
    with pytest.raises(wangge.InvalidInput, match="period"):
        store.submission(GRID, period)
    with pytest.raises(wangge.InvalidInput, match="period"):
        store.submissions(COMMUNITY, period)
    with pytest.raises(wangge.InvalidInput, match="period"):
        store.assessment(TOWNSHIP, period)


@pytest.mark.parametrize("moment", ["soon", 17, None])
def test_a_bad_moment_is_invalid_input(store, moment):
    with pytest.raises(wangge.InvalidInput):
        store.submit(GRID, WEEK, moment)
    with pytest.raises(wangge.InvalidInput):
        store.approve(GRID, WEEK, moment)


def test_an_unknown_unit_is_not_found(store):
    with pytest.raises(wangge.NotFound, match="512099"):
        store.submission("512099", WEEK)


def test_a_closed_store_raises_storage_error(store):
    store.close()
    with pytest.raises(wangge.StorageError):
        store.submission(GRID, WEEK)
    with pytest.raises(wangge.StorageError):
        store.assessment_rules()


# The assessment

RULES = {
    "items": [
        {"indicator": "closure_rate", "weight": 60, "target": 0.8},
        {"indicator": "home_coverage", "weight": 40, "target": 0.5},
    ],
    "min_sample": 1,
}


@pytest.fixture
def assessed(store):
    """2025 in the county: 岳阳镇 closes one of two entries and visits one of its two
    households at home; 石桥铺镇 closes its one entry and visits none of its one."""
    store.add_household("H3", SHIQIAO_GRID, "解放村3号")
    first = store.register(GRID, "市政设施", "路灯坏了", at(2025, 1, 6, 9))
    store.register(GRID, "市政设施", "路灯又坏了", at(2025, 1, 7, 9))
    other = store.register(SHIQIAO_GRID, "市政设施", "路灯坏了", at(2025, 1, 8, 9))
    for entry in (first, other):
        store.sign_for(entry.id, "W1", at(2025, 1, 8, 10))
        store.start(entry.id, "W1", at(2025, 1, 8, 11))
        store.resolve(entry.id, at(2025, 1, 9, 15), "已修复")
    store.record_visit("H1", "W1", "home", "2025-02-10")
    store.set_assessment_rules(RULES)
    return store


def test_the_default_assessment_rules_apply_before_any_are_set(store):
    rules = store.assessment_rules()
    assert rules["min_sample"] == 5
    assert [i["indicator"] for i in rules["items"]] == [
        "closure_rate",
        "timely_sign_for_rate",
        "home_coverage",
        "rule_compliance",
        "report_timeliness",
    ]
    assert sum(i["weight"] for i in rules["items"]) == 100


def test_assessment_rules_are_set_from_a_dict_or_json_from_a_day(store):
    store.set_assessment_rules(json.dumps(RULES), start="2026-01-01")
    assert store.assessment_rules("2026-01-01") == {
        "items": [
            {"indicator": "closure_rate", "weight": 60.0, "target": 0.8},
            {"indicator": "home_coverage", "weight": 40.0, "target": 0.5},
        ],
        "min_sample": 1,
    }
    assert store.assessment_rules("2025-12-31")["min_sample"] == 5


def test_the_assessment_scores_on_weighted_targets_and_ranks(assessed):
    a = assessed.assessment("512021", "2025")
    assert isinstance(a, wangge.Assessment)
    assert (a.unit, a.period) == ("512021", "2025")
    assert a.rules["min_sample"] == 1
    assert [(r["unit"], r["name"], r["rank"]) for r in a.rows] == [
        (TOWNSHIP, "岳阳镇", 1),
        (OTHER_TOWNSHIP, "石桥铺镇", 2),
    ]
    # 岳阳镇: closure 1/2 of a 0.8 target earns 37.5 of 60, coverage 1/2 all 40.
    assert a.rows[0]["score"] == pytest.approx(77.5)
    assert a.rows[1]["score"] == pytest.approx(60.0)
    items = a.rows[0]["items"]
    assert [i["indicator"] for i in items] == ["closure_rate", "home_coverage"]
    assert items[0] == {
        "indicator": "closure_rate",
        "num": 1,
        "den": 2,
        "value": 0.5,
        "points": pytest.approx(37.5),
    }


def test_a_score_is_recomputed_from_the_reports_rates(assessed):
    a = assessed.assessment("512021", "2025")
    report = assessed.report("512021", "2025")
    rows = {r["unit"]: r for r in report.rows}
    for scored in a.rows:
        row = rows[scored["unit"]]
        points = weights = 0.0
        for item in RULES["items"]:
            rate = row[item["indicator"]]
            if rate["value"] is not None and rate["den"] >= RULES["min_sample"]:
                points += item["weight"] * min(1.0, rate["value"] / item["target"])
                weights += item["weight"]
        assert scored["score"] == pytest.approx(100 * points / weights), scored["unit"]


def test_a_rate_under_the_sample_is_not_scored_and_leaves_the_total(assessed):
    assessed.set_assessment_rules({**RULES, "min_sample": 2})
    a = assessed.assessment("512021", "2025")
    shiqiao = next(r for r in a.rows if r["unit"] == OTHER_TOWNSHIP)
    assert [i["points"] for i in shiqiao["items"]] == [None, None]
    assert (shiqiao["score"], shiqiao["rank"]) == (None, None)
    assert a.rows[-1]["unit"] == OTHER_TOWNSHIP, "unscored last"
    yueyang = a.rows[0]
    assert yueyang["items"][1]["points"] == pytest.approx(40.0)
    assert yueyang["score"] == pytest.approx(77.5)


def test_the_assessment_json_holds_the_views(assessed):
    a = assessed.assessment("512021", wangge.Period.parse("2025"))
    parsed = json.loads(a.to_json())
    assert parsed == a.to_dict()
    assert parsed["rows"] == a.rows
    assert parsed["rules"] == a.rules
    assert repr(a) == "Assessment(unit='512021', period='2025', rows=2)"


class FakePandas(types.ModuleType):
    """What to_pandas needs of pandas: DataFrame(records, columns=...)."""

    def __init__(self):
        super().__init__("pandas")
        self.calls = []
        fake = self

        class DataFrame:
            def __init__(self, data, columns):
                fake.calls.append((data, columns))

        self.DataFrame = DataFrame


def test_to_pandas_gives_a_frame_of_unit_name_score_and_rank(assessed, monkeypatch):
    assessed.set_assessment_rules({**RULES, "min_sample": 2})
    fake = FakePandas()
    monkeypatch.setitem(sys.modules, "pandas", fake)
    frame = assessed.assessment("512021", "2025").to_pandas()
    assert isinstance(frame, fake.DataFrame)
    [(records, columns)] = fake.calls
    assert columns == ["unit", "name", "score", "rank"]
    assert [(r["unit"], r["rank"]) for r in records] == [(TOWNSHIP, 1), (OTHER_TOWNSHIP, None)]
    assert records[0]["score"] == pytest.approx(77.5)
    assert math.isnan(records[1]["score"])


def test_to_pandas_without_pandas_raises_import_error(assessed, monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match="needs pandas"):
        assessed.assessment("512021", "2025").to_pandas()


def test_to_pandas_with_real_pandas(assessed):
    pd = pytest.importorskip("pandas")
    frame = assessed.assessment("512021", "2025").to_pandas()
    assert isinstance(frame, pd.DataFrame)
    assert list(frame["unit"]) == [TOWNSHIP, OTHER_TOWNSHIP]


@pytest.mark.parametrize(
    "rules, field",
    [
        ({"items": [{"indicator": "received", "weight": 1, "target": 1}]}, "received"),
        ({"items": []}, "items"),
        ({"items": [{"indicator": "closure_rate", "weight": 0, "target": 1}]}, "weight"),
        ('{"items": [{"indicator": "closure_rate", "weight": 1, "target": -1}]}', "target"),
    ],
)
def test_bad_assessment_rules_are_invalid_input_naming_the_field(store, rules, field):
    with pytest.raises(wangge.InvalidInput, match=field):
        store.set_assessment_rules(rules)


def test_a_scoped_handle_assesses_only_inside_its_subtree(assessed):
    town = assessed.scope(TOWNSHIP, "岳阳镇管理员")
    assert [r["unit"] for r in town.assessment(TOWNSHIP, "2025").rows] == [
        COMMUNITY,
        "512021100002",
    ]
    with pytest.raises(wangge.PermissionDenied):
        town.assessment("512021", "2025")
    with pytest.raises(wangge.PermissionDenied):
        town.set_assessment_rules(RULES)
