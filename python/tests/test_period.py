"""Calendar periods: their text, bounds and neighbours, how the kinds nest (a week belongs
to the month, quarter and year holding its Thursday), and the Python protocols (equality,
hashing, ordering, pickling), as in the tests of core/src/period.rs."""

from __future__ import annotations

import copy
import pickle
from datetime import date, datetime, timedelta

import pytest

import wangge
from wangge import Period

KINDS = ["day", "week", "month", "quarter", "half_year", "year"]


@pytest.mark.parametrize(
    ("text", "kind", "first", "last", "days"),
    [
        ("2024-03-17", "day", date(2024, 3, 17), date(2024, 3, 17), 1),
        ("2024-W11", "week", date(2024, 3, 11), date(2024, 3, 17), 7),
        ("2020-W53", "week", date(2020, 12, 28), date(2021, 1, 3), 7),
        ("2026-W53", "week", date(2026, 12, 28), date(2027, 1, 3), 7),
        ("2025-W01", "week", date(2024, 12, 30), date(2025, 1, 5), 7),
        ("2024-02", "month", date(2024, 2, 1), date(2024, 2, 29), 29),
        ("2024-Q1", "quarter", date(2024, 1, 1), date(2024, 3, 31), 91),
        ("2024-H2", "half_year", date(2024, 7, 1), date(2024, 12, 31), 184),
        ("2024", "year", date(2024, 1, 1), date(2024, 12, 31), 366),
    ],
)
def test_every_kind_round_trips_through_its_text_with_its_bounds(text, kind, first, last, days):
    period = Period.parse(text)
    assert str(period) == text
    assert repr(period) == f"Period('{text}')"
    assert Period(text) == period
    assert (period.kind, period.first, period.last, period.days) == (kind, first, last, days)
    assert Period.containing(kind, last) == period
    assert Period.containing(kind, first.isoformat()) == period


@pytest.mark.parametrize(
    "bad", ["2024-Q5", "2024-W54", "2021-W53", "2024-13", "24-Q1", "2024-3-", "Q1", ""]
)
def test_bad_text_raises_invalid_input_naming_it(bad):
    with pytest.raises(wangge.InvalidInput, match="period") as raised:
        Period.parse(bad)
    assert repr(bad).replace("'", '"') in str(raised.value)
    with pytest.raises(wangge.InvalidInput):
        Period(bad)


def test_bad_kinds_and_dates_raise_invalid_input_naming_them():
    with pytest.raises(wangge.InvalidInput, match="fortnight"):
        Period.containing("fortnight", date(2024, 3, 17))
    with pytest.raises(wangge.InvalidInput, match="2024-02-30"):
        Period.containing("week", "2024-02-30")
    with pytest.raises(wangge.InvalidInput, match="date"):
        Period.parse("2024").contains(20240317)


def test_contains_holds_the_days_from_first_to_last_only():
    week = Period.parse("2025-W01")
    assert week.contains(date(2024, 12, 30)) and week.contains("2025-01-05")
    assert not week.contains(date(2024, 12, 29)) and not week.contains("2025-01-06")
    assert Period.parse("2024-02").contains(datetime(2024, 2, 29, 23, 59))


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("2024-12-31", "2025-01-01"),
        ("2024-W52", "2025-W01"),
        ("2020-W53", "2021-W01"),
        ("2024-12", "2025-01"),
        ("2024-Q4", "2025-Q1"),
        ("2024-H2", "2025-H1"),
        ("2024", "2025"),
    ],
)
def test_next_and_previous_cross_the_year_end(before, after):
    assert Period.parse(before).next() == Period.parse(after)
    assert Period.parse(after).previous() == Period.parse(before)


def test_inside_lists_the_weeks_that_belong_to_a_period():
    def weeks(text: str) -> list[str]:
        return [str(p) for p in Period.parse(text).inside("week")]

    assert len(weeks("2024")) == 52
    assert len(weeks("2020")) == 53
    assert weeks("2024-Q1") == [f"2024-W{w:02}" for w in range(1, 14)]
    # 2024-W09 (02-26..03-03) has its Thursday on 29 February: it is February's.
    assert weeks("2024-03") == ["2024-W10", "2024-W11", "2024-W12", "2024-W13"]
    assert weeks("2024-02")[-1] == "2024-W09"
    assert weeks("2025-01")[0] == "2025-W01"
    assert weeks("2020-12")[-1] == "2020-W53"


def test_inside_lists_days_months_and_quarters():
    march = Period.parse("2024-03").inside("day")
    assert len(march) == 31
    assert (march[0].first, march[-1].first) == (date(2024, 3, 1), date(2024, 3, 31))
    assert [p.first for p in Period.parse("2025-W01").inside("days")] == [
        date(2024, 12, 30) + timedelta(days=i) for i in range(7)
    ]
    assert [str(p) for p in Period.parse("2024").inside("quarter")] == [
        "2024-Q1",
        "2024-Q2",
        "2024-Q3",
        "2024-Q4",
    ]
    assert Period.parse("2024-H1").inside("half_year") == [Period.parse("2024-H1")]


@pytest.mark.parametrize(
    ("text", "kind"),
    [("2024-03", "year"), ("2024-03-17", "week"), ("2024-W11", "month"), ("2024-W11", "quarter")],
)
def test_inside_refuses_kinds_a_period_is_not_made_of(text, kind):
    with pytest.raises(wangge.InvalidInput, match=f'^invalid kind "{kind}": {text}'):
        Period.parse(text).inside(kind)


@pytest.mark.parametrize(
    ("text", "kind", "owner"),
    [
        ("2025-W01", "month", "2025-01"),
        ("2025-W01", "quarter", "2025-Q1"),
        ("2025-W01", "year", "2025"),
        ("2024-W01", "month", "2024-01"),
        ("2020-W53", "month", "2020-12"),
        ("2024-W09", "month", "2024-02"),
        ("2024-12-30", "week", "2025-W01"),
        ("2024-12-30", "year", "2024"),
        ("2024-Q3", "half_year", "2024-H2"),
        ("2024-05", "month", "2024-05"),
    ],
)
def test_belongs_to_goes_by_the_thursday_for_weeks(text, kind, owner):
    assert Period.parse(text).belongs_to(kind) == Period.parse(owner)


def test_belongs_to_refuses_shorter_kinds():
    with pytest.raises(wangge.InvalidInput, match='^invalid kind "week": 2024-03'):
        Period.parse("2024-03").belongs_to("week")


def test_every_week_and_month_belongs_to_exactly_the_periods_it_is_inside():
    year = Period.parse("2019")
    while year.first.year <= 2026:
        for kind in ["week", "month"]:
            for part in year.inside(kind):
                for owner_kind in KINDS[KINDS.index(kind) :]:
                    owner = part.belongs_to(owner_kind)
                    assert part in owner.inside(kind)
                    assert part not in owner.next().inside(kind)
                    assert part not in owner.previous().inside(kind)
        year = year.next()


def test_periods_are_equal_hashable_and_sorted_by_first_day_then_kind():
    a, b = Period.parse("2024-Q1"), Period.parse("2024-Q1")
    assert a == b and a is not b and hash(a) == hash(b)
    assert {a, b, Period.parse("2024-01"), Period.parse("2024")} == {
        Period.parse("2024"),
        Period.parse("2024-01"),
        Period.parse("2024-Q1"),
    }
    assert a != "2024-Q1" and a != Period.parse("2024-Q2")
    mixed = [Period.parse(t) for t in ["2024-Q2", "2024", "2024-01-01", "2024-W01", "2023-12"]]
    assert [str(p) for p in sorted(mixed)] == [
        "2023-12",
        "2024-01-01",
        "2024-W01",
        "2024",
        "2024-Q2",
    ]
    assert Period.parse("2024-01") < Period.parse("2024-02") <= Period.parse("2024-02")
    with pytest.raises(TypeError):
        _ = a < "2024-Q2"  # type: ignore[operator]


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_periods_pickle_and_copy_as_their_text(protocol):
    for text in ["2024-03-17", "2020-W53", "2024-03", "2024-Q1", "2024-H2", "2024"]:
        period = Period.parse(text)
        again = pickle.loads(pickle.dumps(period, protocol=protocol))
        assert again == period and type(again) is Period
        assert copy.deepcopy(period) == period


@pytest.mark.parametrize("text", ["0000", "0000-01", "0000-Q1", "0000-W01", "0000-01-01", "9999-W52"])
def test_periods_outside_the_years_0001_to_9999_are_refused(text):
    with pytest.raises(wangge.InvalidInput, match="^invalid period"):
        Period.parse(text)


@pytest.mark.parametrize("text", ["9999-12-31", "9999-W51", "9999-12", "9999-Q4", "9999-H2", "9999"])
def test_the_last_periods_of_9999_have_days_in_range_and_no_next(text):
    period = Period.parse(text)
    assert period.last <= date(9999, 12, 31)
    assert period.first >= date(9999, 1, 1) or text == "9999-W51"
    with pytest.raises(wangge.InvalidInput, match=text):
        period.next()
    assert period.previous().next() == period


@pytest.mark.parametrize("text", ["0001-01-01", "0001-W01", "0001-01", "0001-Q1", "0001-H1", "0001"])
def test_the_first_periods_of_year_1_have_no_previous(text):
    period = Period.parse(text)
    assert period.first == date(1, 1, 1)
    with pytest.raises(wangge.InvalidInput, match=text):
        period.previous()


def test_the_week_of_9999_12_31_is_refused_naming_date():
    with pytest.raises(wangge.InvalidInput, match="^invalid date"):
        Period.containing("week", date(9999, 12, 31))
    assert Period.containing("year", date(9999, 12, 31)) == Period.parse("9999")


def test_nesting_at_the_end_of_9999_stays_in_the_years_0001_to_9999():
    """Found by fuzzing: 9999-W52 ends in the year 10000, so December 9999 does not list
    it and a day of 9999-12-27..31 belongs to no week."""
    weeks = [str(w) for w in Period("9999-12").inside("week")]
    assert weeks == ["9999-W48", "9999-W49", "9999-W50", "9999-W51"]
    with pytest.raises(wangge.InvalidInput, match=r"^invalid period .*9999-W52"):
        Period("9999-12-31").belongs_to("week")
    assert Period("9999-12-31").belongs_to("year") == Period("9999")
