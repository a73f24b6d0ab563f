"""The official working-day calendar: public holidays, make-up days (调休), deadlines
counted in it, years it lacks and years loaded into a store, as in core/tests/calendar.rs."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

import wangge

GRID = "512021100001001"
EAST8 = timezone(timedelta(hours=8))

# A made-up arrangement for 2027 (the real one is published late in 2026).
ARRANGEMENT_2027 = """\
# YEAR NAME off FIRST[..LAST] [work DAY[,DAY...]]
2027 元旦 off 01-01
2027 春节 off 02-06..02-12 work 02-20
"""


def test_the_extended_spring_festival_of_2020_has_no_working_days():
    assert wangge.add_working_days("2020-01-23", 1) == date(2020, 2, 3)
    assert wangge.working_days_between("2020-01-23", "2020-02-03") == 1
    assert wangge.working_days_between(date(2020, 2, 3), date(2020, 1, 23)) == -1


def test_a_make_up_saturday_is_a_working_day():
    assert wangge.add_working_days(date(2025, 2, 7), 1) == date(2025, 2, 8)
    assert wangge.add_working_days(datetime(2025, 2, 7, 18, 30), 2) == date(2025, 2, 10)


def test_counting_zero_or_backwards():
    assert wangge.add_working_days("2025-10-01", 0) == date(2025, 10, 1)
    assert wangge.add_working_days("2025-10-09", -1) == date(2025, 9, 30)
    assert wangge.working_days_between("2025-09-30", "2025-09-30") == 0


def test_bad_dates_are_invalid_input_naming_the_argument():
    with pytest.raises(wangge.InvalidInput, match="date"):
        wangge.add_working_days("2025-02-30", 1)
    with pytest.raises(wangge.InvalidInput, match="invalid b"):
        wangge.working_days_between("2025-02-01", 20250210)


def test_a_deadline_crosses_the_national_day_week(county):
    entry = county.register(GRID, "市政设施", "下水道堵塞", "2025-09-30T10:00+08:00")
    # Working days after 30 September: 9, 10, 11 (a make-up Saturday), 13 and 14 October.
    assert entry.deadline == datetime(2025, 10, 14, 23, 59, 59, tzinfo=EAST8)
    assert entry.sign_due == datetime(2025, 10, 9, 23, 59, 59, tzinfo=EAST8)
    assert county.working_days_between("2025-09-30", "2025-10-14") == 5
    assert wangge.working_days_between("2025-09-30", "2025-10-14") == 5


def test_a_year_without_an_arrangement_is_not_found(county):
    with pytest.raises(wangge.NotFound, match="2027"):
        wangge.add_working_days("2026-12-30", 5)
    with pytest.raises(wangge.NotFound, match="2027"):
        wangge.add_working_days("2027-03-01", 1)
    with pytest.raises(wangge.NotFound, match="2027"):
        county.add_working_days(date(2027, 3, 1), 1)
    with pytest.raises(wangge.NotFound, match="2027"):
        county.working_days_between("2026-12-01", "2027-01-05")
    with pytest.raises(wangge.NotFound, match="2027"):
        county.register(GRID, "市政设施", "下水道堵塞", "2027-03-01T10:00+08:00")
    assert county.entries("512021") == []
    assert county.calendar_years() == list(range(2010, 2027))


def test_loading_a_2027_arrangement_file_makes_2027_count(county_file, tmp_path):
    path = tmp_path / "holidays_2027.txt"
    path.write_text(ARRANGEMENT_2027, encoding="utf-8")
    with wangge.Store(county_file) as store:
        assert store.load_calendar(path) == [2027]
        assert store.calendar_years()[-1] == 2027
        assert store.add_working_days("2027-02-05", 1) == date(2027, 2, 15)
        assert store.add_working_days("2027-02-19", 1) == date(2027, 2, 20)
        assert store.working_days_between("2026-12-31", "2027-01-04") == 1
        entry = store.register(GRID, "市政设施", "下水道堵塞", "2027-02-05T10:00+08:00")
        assert entry.deadline == datetime(2027, 2, 19, 23, 59, 59, tzinfo=EAST8)
    # The shipped calendar is untouched; the store keeps the year across reopening.
    with pytest.raises(wangge.NotFound):
        wangge.add_working_days("2027-03-01", 1)
    with wangge.Store(county_file) as store:
        assert 2027 in store.calendar_years()
        assert store.add_working_days(date(2027, 3, 1), 1) == date(2027, 3, 2)


def test_an_arrangement_can_be_loaded_as_text_and_bad_text_is_refused(county):
    assert county.load_calendar(text=ARRANGEMENT_2027) == [2027]
    assert county.add_working_days("2027-02-05", 1) == date(2027, 2, 15)
    with pytest.raises(wangge.InvalidInput, match="line 2"):
        county.load_calendar(text="2028 元旦 off 01-01\n2028 春节 of 01-26")
    with pytest.raises(wangge.InvalidInput):
        county.load_calendar()
    with pytest.raises(wangge.InvalidInput):
        county.load_calendar("x.txt", text=ARRANGEMENT_2027)
    with pytest.raises(wangge.InvalidInput, match="path"):
        county.load_calendar("/nonexistent/holidays.txt")
    with pytest.raises(wangge.PermissionDenied):
        county.scope(GRID, "网格员").load_calendar(text=ARRANGEMENT_2027)
    assert 2028 not in county.calendar_years()


@pytest.mark.parametrize("n", [10**30, -(10**30), 2**63 - 1, -(2**63), 10**6])
def test_a_count_no_calendar_can_answer_is_invalid_input_naming_n(n):
    with pytest.raises(wangge.InvalidInput, match="^invalid n"):
        wangge.add_working_days("2025-03-04", n)


def test_a_date_outside_years_1_to_9999_as_text_is_invalid_input():
    with pytest.raises(wangge.InvalidInput, match="^invalid a"):
        wangge.working_days_between("0000-12-31", "2025-01-01")
