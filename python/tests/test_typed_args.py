"""Only typed errors: any str (a lone surrogate included) and any int (10**30 included)
given to the Store's methods gives a result or a wangge.Error, never UnicodeEncodeError,
OverflowError or ValueError. Python's argument handling notes which argument it was."""

from __future__ import annotations

import pytest

import wangge

SURROGATE = "\ud800"
HUGE = 10**30
GRID = "512021100001001"
AT = "2025-03-04T09:00:00"
DAY = "2025-03-04"


def calls(x, n):
    """Store calls with `x` in a text argument and `n` in an integer one."""
    return {
        "unit": lambda s: s.unit(x),
        "children": lambda s: s.children(x),
        "ancestors": lambda s: s.ancestors(x),
        "add_unit": lambda s: s.add_unit(x, "n", "grid", "512021100001"),
        "move_unit": lambda s: s.move_unit(x, GRID, DAY),
        "retire_unit": lambda s: s.retire_unit(x, DAY),
        "add_staff": lambda s: s.add_staff(x, "n"),
        "staff": lambda s: s.staff(x),
        "assignments": lambda s: s.assignments(x),
        "responsible": lambda s: s.responsible(x),
        "scope": lambda s: s.scope(x, "actor"),
        "household": lambda s: s.household(x),
        "add_household": lambda s: s.add_household(x, GRID, "addr"),
        "move_household": lambda s: s.move_household(x, GRID, DAY),
        "untag": lambda s: s.untag("H1", x, DAY),
        "define_tag": lambda s: s.define_tag(x, True),
        "visits": lambda s: s.visits(x),
        "due_visits": lambda s: s.due_visits(x),
        "findings": lambda s: s.findings(x),
        "patrols": lambda s: s.patrols(x, "2025-03"),
        "piles": lambda s: s.piles(GRID, x),
        "report": lambda s: s.report(GRID, x),
        "submission": lambda s: s.submission(x, "2025-03"),
        "register": lambda s: s.register(GRID, "市政设施", x, AT),
        "register_at": lambda s: s.register(GRID, "市政设施", "s", x),
        "archive_history": lambda s: s.archive_history("H1", x),
        "set_visit_rules": lambda s: s.set_visit_rules(x),
        "add_working_days_date": lambda s: s.add_working_days(x, 1),
        "load_calendar": lambda s: s.load_calendar(text=x),
        # Integer arguments.
        "add_working_days": lambda s: s.add_working_days(DAY, n),
        "audit_log_after": lambda s: s.audit_log(after=n),
        "audit_log_limit": lambda s: s.audit_log(limit=n),
        "entry": lambda s: s.entry(n),
        "history": lambda s: s.history(n),
        "resume": lambda s: s.resume(n, AT),
        "extend": lambda s: s.extend(1, AT, n, "r"),
        "close_entry": lambda s: s.close_entry(n, AT),
        "resident": lambda s: s.resident(n),
        "resident_clear": lambda s: s.resident_clear(n),
        "untag_resident": lambda s: s.untag_resident(n, "t", DAY),
        "end_assignment": lambda s: s.end_assignment(n, DAY),
    }


@pytest.fixture(scope="module")
def store():
    from conftest import build_county

    with wangge.Store(":memory:") as s:
        build_county(s)
        s.add_household("H1", GRID, "北坝一网格1号")
        yield s


@pytest.mark.parametrize("name", sorted(calls(SURROGATE, HUGE)))
def test_a_lone_surrogate_or_a_huge_int_is_a_wangge_error(store, name):
    before = store.verify_audit().records
    for value, n in [(SURROGATE, 1), ("x" + SURROGATE * 3, HUGE), (SURROGATE, -HUGE)]:
        call = calls(value, n)[name]
        try:
            call(store)
        except wangge.Error:
            pass
    assert store.verify_audit().ok
    assert store.verify_audit().records == before


def test_a_lone_surrogate_is_invalid_input_noting_the_argument(store):
    with pytest.raises(wangge.InvalidInput, match="lone surrogate") as info:
        store.unit(SURROGATE)
    assert any("code" in note for note in getattr(info.value, "__notes__", []))
    with pytest.raises(wangge.InvalidInput, match="lone surrogate"):
        wangge.Period.parse("2024" + SURROGATE)


def test_an_int_beyond_64_bits_is_invalid_input(store):
    with pytest.raises(wangge.InvalidInput, match="^invalid n"):
        store.add_working_days(DAY, HUGE)
    with pytest.raises(wangge.InvalidInput, match="^invalid n"):
        wangge.add_working_days(DAY, -HUGE)
    with pytest.raises(wangge.InvalidInput):
        store.entry(HUGE)
    with pytest.raises(TypeError):
        store.entry("1")


def test_a_utc_offset_beyond_any_clock_is_invalid_input(tmp_path):
    for minutes in [10**30, 2**40]:
        with pytest.raises(wangge.InvalidInput):
            wangge.Store(str(tmp_path / "x.db"), utc_offset_minutes=minutes)
