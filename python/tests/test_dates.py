"""Dates, periods and unit codes as analysts hold them: the usual text forms, pandas and
numpy objects, int unit codes; a missing value where a date is required is InvalidInput,
never today; every query's date is `as_of`, the old `on` warning for one release."""

from __future__ import annotations

import warnings
from datetime import date, datetime

import pytest
from conftest import d

import wangge
from wangge import Period

pd = pytest.importorskip("pandas")
np = pytest.importorskip("numpy")

GRID = "512021100001001"
COMMUNITY = "512021100001"

DATE_TEXTS = [
    "2024-03-01",
    "2024-3-1",
    "2024/3/1",
    "2024/03/01",
    "2024年3月1日",
    "2024年03月01日",
    "20240301",
    "２０２４／３／１",
]


@pytest.fixture
def store(county):
    """The county with one household on the first grid from 2024-01-01 and a worker on it
    from 2024-03-01."""
    county.add_household("H1", GRID, "海慧路1号", start="2024-01-01")
    county.add_staff("worker-1", "谢小华")
    county.assign("worker-1", GRID, "grid_worker", start="2024-03-01")
    return county


def worker_on(store, day) -> list[str]:
    return [a.staff_id for a in store.responsible(GRID, as_of=day)]


@pytest.mark.parametrize("text", DATE_TEXTS)
def test_every_date_text_form_is_the_same_day(store, text):
    assert worker_on(store, text) == ["worker-1"]
    unit = store.add_unit("512021100001003", "北坝三网格", "grid", COMMUNITY, start=text)
    assert unit.start == date(2024, 3, 1)


@pytest.mark.parametrize(
    ("value", "day_before"),
    [
        (pd.Timestamp("2024-03-01"), pd.Timestamp("2024-02-29 23:59")),
        (
            pd.Timestamp("2024-03-01 08:00", tz="Asia/Shanghai"),
            pd.Timestamp("2024-02-29 08:00", tz="Asia/Shanghai"),
        ),
        (np.datetime64("2024-03-01"), np.datetime64("2024-02-29")),
        (np.datetime64("2024-03-01T18:30:00"), np.datetime64("2024-02-29T23:59:59")),
        (np.datetime64("2024-03-01T00:00:00.000000001"), np.datetime64("2024-02-29", "ns")),
        (date(2024, 3, 1), date(2024, 2, 29)),
        (datetime(2024, 3, 1, 12), datetime(2024, 2, 29, 12)),
    ],
    ids=repr,
)
def test_pandas_and_numpy_dates_are_their_day(store, value, day_before):
    assert worker_on(store, value) == ["worker-1"]
    assert worker_on(store, day_before) == []
    unit = store.add_unit("512021100001003", "北坝三网格", "grid", COMMUNITY, start=value)
    assert unit.start == date(2024, 3, 1)


def test_a_datetime64_of_a_month_is_its_first_day(store):
    assert worker_on(store, np.datetime64("2024-03")) == ["worker-1"]
    assert worker_on(store, np.datetime64("2024-02")) == []


def test_a_date_from_a_dataframe_column_is_read(store):
    frame = pd.DataFrame({"day": pd.to_datetime(["2024-02-29", "2024-03-01"])})
    assert [worker_on(store, day) for day in frame["day"]] == [[], ["worker-1"]]
    assert worker_on(store, frame["day"].to_numpy()[1]) == ["worker-1"]


MISSING = [
    pytest.param(lambda: pd.NaT, id="pd.NaT"),
    pytest.param(lambda: np.datetime64("NaT"), id="np.NaT"),
    pytest.param(lambda: float("nan"), id="nan"),
    pytest.param(lambda: pd.NA, id="pd.NA"),
]

# Queries whose as_of defaults to today: (method, positional arguments before as_of).
QUERIES = [
    ("due_visits", (GRID,)),
    ("households", (COMMUNITY,)),
    ("unit", (GRID,)),
    ("children", (COMMUNITY,)),
    ("ancestors", (GRID,)),
    ("responsible", (GRID,)),
    ("assignments", (GRID,)),
    ("household", ("H1",)),
    ("household_class", ("H1",)),
    ("residents", ("H1",)),
    ("unit_counts", (COMMUNITY,)),
    ("reverification_due", (COMMUNITY,)),
    ("visit_rules", ()),
    ("ledger_rules", ()),
]


@pytest.mark.parametrize("missing", MISSING)
@pytest.mark.parametrize(("method", "args"), QUERIES, ids=[q[0] for q in QUERIES])
def test_nat_as_of_is_invalid_input_never_today(store, method, args, missing):
    query = getattr(store, method)
    query(*args)  # as_of left out: today
    query(*args, as_of=None)  # None: today as well
    with pytest.raises(wangge.InvalidInput) as raised:
        query(*args, as_of=missing())
    message = str(raised.value)
    assert "as_of" in message, message
    assert "missing" in message, message


@pytest.mark.parametrize("missing", [None, *MISSING])
def test_a_required_date_that_is_missing_is_invalid_input_naming_it(store, missing):
    value = missing() if callable(missing) else None
    before = len(store.audit_log())
    with pytest.raises(wangge.InvalidInput, match="invalid on"):
        store.retire_unit(GRID, on=value)
    with pytest.raises(wangge.InvalidInput, match="date"):
        Period.containing("month", value)
    with pytest.raises(wangge.InvalidInput, match="invalid end"):
        store.end_assignment(store.assignments(GRID, as_of="2024-03-01")[0].id, value)
    assert len(store.audit_log()) == before


def test_nat_in_a_batch_date_is_invalid_input_and_writes_nothing(store):
    before = len(store.audit_log())
    with pytest.raises(wangge.InvalidInput, match="missing"):
        store.add_units([("512021100001003", "北坝三网格", "grid", COMMUNITY, pd.NaT)])
    assert len(store.audit_log()) == before
    added = store.add_units(
        [("512021100001003", "北坝三网格", "grid", COMMUNITY, pd.Timestamp("2024-03-01"))]
    )
    assert added == 1
    assert store.unit("512021100001003").start == date(2024, 3, 1)


@pytest.mark.parametrize(
    ("bad", "says"),
    [
        ("2024-13-01", "no month 13"),
        ("2024/2/30", "no day 30"),
        ("2024年1月32日", "no day 32"),
        ("0000-01-01", "0001 to 9999"),
        ("99999-01-01", "0001 to 9999"),
        ("yesterday", "2025/1/5"),
    ],
)
def test_bad_dates_say_what_is_wrong_naming_the_argument(store, bad, says):
    with pytest.raises(wangge.InvalidInput) as raised:
        store.households(COMMUNITY, as_of=bad)
    message = str(raised.value)
    assert "as_of" in message and bad in message and says in message, message
    with pytest.raises(wangge.InvalidInput, match="as_of"):
        store.unit(GRID, as_of=bad)


def test_a_datetime64_outside_the_years_is_invalid_input(store):
    with pytest.raises(wangge.InvalidInput, match="0001 to 9999"):
        store.unit(GRID, as_of=np.datetime64("10000-01-01"))


@pytest.mark.parametrize("value", [20240301, True, 2024.5, ["2024-03-01"], b"2024-03-01"])
def test_other_types_are_not_dates(store, value):
    with pytest.raises(wangge.InvalidInput, match="as_of"):
        store.unit(GRID, as_of=value)


PERIOD_FORMS = [
    ("2024Q1", "2024-Q1"),
    ("2024-Q1", "2024-Q1"),
    ("2024q1", "2024-Q1"),
    ("2024年第1季度", "2024-Q1"),
    ("2024年一季度", "2024-Q1"),
    ("2024年3月", "2024-03"),
    ("2024-3", "2024-03"),
    ("2024/03", "2024-03"),
    ("2024年上半年", "2024-H1"),
    ("2024W09", "2024-W09"),
    ("2024年", "2024"),
    ("2024/3/1", "2024-03-01"),
    ("2024年3月1日", "2024-03-01"),
    ("20240301", "2024-03-01"),
]


@pytest.mark.parametrize(("text", "printed"), PERIOD_FORMS)
def test_every_period_text_form_is_the_period(text, printed):
    assert str(Period(text)) == printed
    assert Period.parse(text) == Period(printed)


@pytest.mark.parametrize(
    ("period", "printed"),
    [
        (pd.Period("2024Q1"), "2024-Q1"),
        (pd.Period("2024-03", freq="M"), "2024-03"),
        (pd.Period("2024-03-01", freq="D"), "2024-03-01"),
        (pd.Period("2024", freq="Y"), "2024"),
        (pd.Period("2024-02-28", freq="W"), "2024-W09"),
    ],
    ids=str,
)
def test_pandas_periods_are_the_matching_period(store, period, printed):
    assert Period(period) == Period(printed)
    assert Period(Period(period)) == Period(printed)
    piles = store.piles(COMMUNITY, period)
    assert piles.period == printed
    assert store.report(COMMUNITY, period).period == printed
    assert store.report(COMMUNITY, printed).period == printed


@pytest.mark.parametrize("text", ["2024Q1", "2024年第1季度", "2024年3月", "2024-3"])
def test_period_text_forms_reach_every_method_taking_a_period(store, text):
    printed = str(Period(text))
    assert store.report(COMMUNITY, text).period == printed
    assert store.piles(COMMUNITY, text).period == printed
    assert store.visit_compliance(COMMUNITY, text)["period"] == printed
    assert store.quota_compliance(COMMUNITY, text)["period"] == printed
    assert store.patrol_compliance(COMMUNITY, text)["period"] == printed
    assert store.patrols(GRID, text) == []
    assert list(store.entries(COMMUNITY, period=text)) == []


@pytest.mark.parametrize(
    "period",
    [pd.Period("2024Q1", freq="Q-MAR"), pd.Period("2024-03-01 10:00", freq="h"),
     pd.Period("2024-02-28", freq="W-MON")],
    ids=str,
)
def test_pandas_periods_that_are_no_wangge_period_are_invalid_input(store, period):
    with pytest.raises(wangge.InvalidInput, match="period"):
        store.report(COMMUNITY, period)
    with pytest.raises(wangge.InvalidInput, match="period"):
        Period(period)


@pytest.mark.parametrize("missing", [None, pd.NaT, float("nan")], ids=repr)
def test_a_missing_period_is_invalid_input(store, missing):
    with pytest.raises(wangge.InvalidInput, match="period"):
        Period(missing)
    with pytest.raises(wangge.InvalidInput, match="period"):
        store.report(COMMUNITY, missing)
    with pytest.raises(wangge.InvalidInput, match="period"):
        store.piles(COMMUNITY, missing)


@pytest.mark.parametrize("bad", ["2025-1-", "2025Q5", "2025年第5季度", "2025-13", "next"])
def test_a_bad_period_talks_about_periods(store, bad):
    with pytest.raises(wangge.InvalidInput) as raised:
        store.report(COMMUNITY, bad)
    message = str(raised.value)
    assert "period" in message and bad in message, message
    assert "expected a date" not in message, message


def test_an_int_unit_code_is_its_digits(store):
    assert store.unit(512021).code == "512021"
    assert [u.code for u in store.children(512021100001)] == [
        "512021100001001",
        "512021100001002",
    ]
    assert [a.staff_id for a in store.responsible(512021100001001, as_of="2024-03-01")] == [
        "worker-1"
    ]
    assert store.report(np.int64(512021100001), "2024Q1").unit == COMMUNITY
    assert store.households(512021100001)[0].household_id == "H1"
    unit = store.add_unit(512021100001003, "北坝三网格", "grid", 512021100001)
    assert (unit.code, unit.parent) == ("512021100001003", COMMUNITY)
    added = store.add_units(
        [{"code": 512021100001004, "name": "北坝四网格", "level": "grid", "parent": 512021100001}]
    )
    assert added == 1
    assert store.unit("512021100001004").parent == COMMUNITY


def test_a_unit_code_from_the_librarys_own_csv_read_by_pandas_is_accepted(store, tmp_path):
    path = tmp_path / "units.csv"
    pd.DataFrame({"unit": [u.code for u in store.children(COMMUNITY)]}).to_csv(
        path, index=False
    )
    frame = pd.read_csv(path)
    assert frame["unit"].dtype.kind == "i"
    for code in frame["unit"]:
        assert store.unit(code).code == str(code)


@pytest.mark.parametrize("bad", [-512021, True, False, 2**70])
def test_negative_huge_and_bool_unit_codes_are_invalid_input(store, bad):
    with pytest.raises(wangge.InvalidInput, match="unit"):
        store.unit(bad)
    with pytest.raises(wangge.InvalidInput, match="unit"):
        store.households(bad)


def test_a_float_unit_code_stays_a_type_error(store):
    with pytest.raises(TypeError):
        store.unit(512021.0)


@pytest.mark.parametrize("method", ["responsible", "assignments"])
def test_on_still_works_with_a_deprecation_warning(store, method):
    query = getattr(store, method)
    with pytest.warns(DeprecationWarning, match=rf"{method}\(as_of="):
        old = query(GRID, on="2024-03-01")
    assert old == query(GRID, as_of="2024-03-01") == query(GRID, "2024-03-01")
    assert [a.staff_id for a in old] == ["worker-1"]
    with pytest.warns(DeprecationWarning):
        assert query(GRID, on="2024-02-29") == []
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        query(GRID, as_of="2024-03-01")
    with pytest.raises(wangge.InvalidInput, match="as_of"):
        query(GRID, as_of="2024-03-01", on="2024-03-01")
    with pytest.warns(DeprecationWarning), pytest.raises(wangge.InvalidInput, match="on"):
        query(GRID, on=pd.NaT)


def test_household_class_takes_as_of_and_on_with_a_warning(store):
    assert store.household_class("H1", as_of=d("2024-03-01")) == "ordinary"
    with pytest.warns(DeprecationWarning, match="household_class"):
        assert store.household_class("H1", on="2024-03-01") == "ordinary"
    with pytest.raises(wangge.InvalidInput):
        store.household_class("H1", as_of="2024-03-01", on="2024-03-01")


def test_on_is_keyword_only_so_positions_are_unchanged(store):
    with pytest.raises(TypeError):
        store.responsible(GRID, "2024-03-01", "2024-03-01")
