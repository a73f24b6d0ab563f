"""One bad input, one error kind: the table of core/tests/errors.rs, as far as the Python
API reaches it.

Each row is a call a careless or hostile caller could make with values of the right Python
type. The library answers with the error kind the core gives, naming the field the core
names, in a message that shows at most 200 characters of what was given, and writes
nothing: the audit chain, the entries and the households stay as they were.
"""

from __future__ import annotations

import json

import pytest

import wangge

COUNTY = "512021"
GRID = "512021100001001"
AT = "2025-03-04T09:00:00"
# Ten megabytes of text, as in core/tests/errors.rs.
HUGE_CHAR = "长"
HUGE = HUGE_CHAR * (10 * 1024 * 1024 // 3)
# The longest message: at most 200 characters of the value, at most 200 of a JSON
# parser's reason (which may quote a key), and the words around them.
MESSAGE_MAX = 500


@pytest.fixture(scope="module")
def store():
    """A county with a staff member, a household and one registered entry."""
    from conftest import build_county

    with wangge.Store(":memory:") as s:
        build_county(s)
        s.add_staff("W1", "王网格员")
        s.add_household("H1", GRID, "北坝一网格1号")
        entry = s.register(GRID, "市政设施", "路灯不亮", "2025-03-03T09:00:00")
        yield s, entry.id


def footprint(s: wangge.Store) -> tuple[int, int, int]:
    """What a refusal may change: nothing."""
    audit = s.verify_audit()
    assert audit.ok
    return audit.records, len(s.entries(COUNTY)), len(s.households(COUNTY))


def action(entry_id, **extra):
    return {"entry_id": entry_id, "action": "resume", "at": AT} | extra


def new_entry(**extra):
    return {"unit": GRID, "summary": "x", "reported_at": AT} | extra


def visit(**extra):
    return {"household_id": "H1", "staff_id": "W1", "channel": "home", "on": "2025-03-03"} | extra


NOT_FOUND, INVALID = wangge.NotFound, wangge.InvalidInput

# (name, kind, field the message names or None, call given the store and the entry's id)
CASES = [
    # Ids that name nothing.
    ("entry 0", NOT_FOUND, None, lambda s, e: s.entry(0)),
    ("entry -1", NOT_FOUND, None, lambda s, e: s.entry(-1)),
    ("history of entry 0", NOT_FOUND, None, lambda s, e: s.history(0)),
    ("history of entry -1", NOT_FOUND, None, lambda s, e: s.history(-1)),
    ("sign_for entry 0", NOT_FOUND, None, lambda s, e: s.sign_for(0, "W1", AT)),
    ("sign_for entry -1", NOT_FOUND, None, lambda s, e: s.sign_for(-1, "W1", AT)),
    ("resolve entry 0", NOT_FOUND, None, lambda s, e: s.resolve(0, AT, "修好了")),
    ("resolve entry -1", NOT_FOUND, None, lambda s, e: s.resolve(-1, AT, "修好了")),
    ("close entry 0", NOT_FOUND, None, lambda s, e: s.close_entry(0, AT)),
    ("close entry -1", NOT_FOUND, None, lambda s, e: s.close_entry(-1, AT)),
    ("a batch action on entry 0", NOT_FOUND, None, lambda s, e: s.work_entries([action(0)])),
    ("a batch action on entry -1", NOT_FOUND, None, lambda s, e: s.work_entries([action(-1)])),
    ("resident -1", NOT_FOUND, None, lambda s, e: s.resident(-1)),
    # Extension days out of range.
    ("extend by 0 days", INVALID, "days", lambda s, e: s.extend(e, AT, 0, "等材料")),
    ("extend by 400 days", INVALID, "days", lambda s, e: s.extend(e, AT, 400, "等材料")),
    ("extend by -1 days", INVALID, "days", lambda s, e: s.extend(e, AT, -1, "等材料")),
    (
        "a batch extension of 400 days",
        INVALID,
        "days",
        lambda s, e: s.work_entries([action(e, action="extend", note="等材料", days=400)]),
    ),
    # A negative sample size.
    (
        "min_sample -1",
        INVALID,
        "min_sample",
        lambda s, e: s.circular(COUNTY, "2025-03", "closure_rate", min_sample=-1),
    ),
    # Malformed moments.
    ("a malformed at", INVALID, "at", lambda s, e: s.sign_for(e, "W1", "2025-13-45T99:00")),
    ("a malformed at in a query", INVALID, "at", lambda s, e: s.entries(COUNTY, at="yesterday")),
    (
        "a malformed at in a request",
        INVALID,
        "at",
        lambda s, e: s.classify(summary="路灯", at="3pm"),
    ),
    (
        "a malformed at in a batch",
        INVALID,
        "at",
        lambda s, e: s.work_entries([action(e, at="2025-03-04 9h")]),
    ),
    (
        "a malformed reported_at",
        INVALID,
        "reported_at",
        lambda s, e: s.register(GRID, None, "x", "2025-02-30T09:00"),
    ),
    # Unknown keys, in every input Python takes as a dict.
    (
        "an unknown key in a unit",
        INVALID,
        "unit",
        lambda s, e: s.add_units([{"code": "1", "name": "x", "level": "grid", "colour": 1}]),
    ),
    (
        "an unknown key in an import row",
        INVALID,
        "rows",
        lambda s, e: s.import_households([{"name": "付良容", "age": "40"}]),
    ),
    (
        "an unknown key in an entry",
        INVALID,
        "entry",
        lambda s, e: s.register_entries([new_entry(colour=1)]),
    ),
    (
        "an unknown key in an action",
        INVALID,
        "action",
        lambda s, e: s.work_entries([action(e, why="x")]),
    ),
    (
        "an unknown key in a visit",
        INVALID,
        "visit",
        lambda s, e: s.record_visits([visit(mood="good")]),
    ),
    # Bad values in the inputs Python takes as keyword arguments, named as the core names them.
    (
        "a bad household kind in a filter",
        INVALID,
        "kind",
        lambda s, e: s.households(COUNTY, kind="owned"),
    ),
    (
        "a bad standing in a query",
        INVALID,
        "standing",
        lambda s, e: s.entries(COUNTY, standing="done"),
    ),
    ("a bad import mode", INVALID, "mode", lambda s, e: s.import_households(b"", mode="fast")),
    ("a bad import date", INVALID, "on", lambda s, e: s.import_households(b"", on="2025-02-30")),
    (
        "a text for a resident's tags",
        INVALID,
        "resident",
        lambda s, e: s.add_resident("H1", "付良容", tags="低保"),
    ),
    (
        "a bad level in store options",
        INVALID,
        "levels",
        lambda s, e: wangge.Store(":memory:", levels=[("county", -1)]),
    ),
    (
        "a text for the store's levels",
        INVALID,
        "options",
        lambda s, e: wangge.Store(":memory:", levels="county"),
    ),
    # An array where an object is meant, and the reverse.
    ("an array for an action", INVALID, "action", lambda s, e: s.work_entries([[e, "resume", AT]])),
    ("an array for an action, as JSON", INVALID, "action", lambda s, e: s.work_entries("[[]]")),
    ("an array for an entry", INVALID, "entry", lambda s, e: s.register_entries([[GRID, "x", AT]])),
    (
        "an array for an import row",
        INVALID,
        "rows",
        lambda s, e: s.import_households([["H9", GRID]]),
    ),
    (
        "an array for a unit",
        INVALID,
        "unit",
        lambda s, e: s.add_units([["1", "x", "grid", None, None, "extra"]]),
    ),
    (
        "an array for a visit",
        INVALID,
        "visit",
        lambda s, e: s.record_visits([("H1", "W1", "home", AT, "", "x")]),
    ),
    (
        "an array for archive content",
        INVALID,
        "content",
        lambda s, e: s.set_archive_section("H1", "basic", [1]),
    ),
    ("an object for a batch of units", INVALID, "units", lambda s, e: s.add_units({"code": "1"})),
    ("an object for a batch of entries", INVALID, "entries", lambda s, e: s.register_entries("{}")),
    ("an object for a batch of actions", INVALID, "actions", lambda s, e: s.work_entries({})),
    ("an object for a batch of visits", INVALID, "visits", lambda s, e: s.record_visits(visit())),
    # Ten megabytes where a name, a summary, a reason, a note or an id goes.
    (
        "a huge unit name",
        INVALID,
        "name",
        lambda s, e: s.add_unit("512021100001009", HUGE, "grid", "512021100001"),
    ),
    (
        "a huge unit name in a batch",
        INVALID,
        "name",
        lambda s, e: s.add_units([("512021100001009", HUGE, "grid", "512021100001")]),
    ),
    (
        "a staff name with a control character",
        INVALID,
        "name",
        lambda s, e: s.add_staff("W9", "王\a网格员"),
    ),
    ("a huge staff name", INVALID, "name", lambda s, e: s.add_staff("W9", HUGE)),
    ("a huge summary", INVALID, "summary", lambda s, e: s.register(GRID, "市政设施", HUGE, AT)),
    (
        "a huge summary in a batch",
        INVALID,
        "summary",
        lambda s, e: s.register_entries([new_entry(summary=HUGE)]),
    ),
    ("a huge reason", INVALID, "reason", lambda s, e: s.mark_hard(e, AT, HUGE)),
    (
        "a huge reason in a batch",
        INVALID,
        "reason",
        lambda s, e: s.work_entries([action(e, action="mark_hard", note=HUGE)]),
    ),
    ("a huge note on a feedback", INVALID, "note", lambda s, e: s.verify(e, AT, True, HUGE)),
    (
        "a huge visit note",
        INVALID,
        "note",
        lambda s, e: s.record_visit("H1", "W1", "home", "2025-03-03", HUGE),
    ),
    (
        "a huge visit note in a batch",
        INVALID,
        "note",
        lambda s, e: s.record_visits([visit(note=HUGE)]),
    ),
    (
        "a huge archive section",
        INVALID,
        "content",
        lambda s, e: s.set_archive_section("H1", "basic", {"note": HUGE}),
    ),
    ("a huge hukou", INVALID, "hukou", lambda s, e: s.add_resident("H1", "付良容", hukou=HUGE)),
    ("a huge household id", INVALID, "household_id", lambda s, e: s.add_household(HUGE, GRID, "x")),
    ("a huge unknown key", INVALID, "unit", lambda s, e: s.add_units([{HUGE: 1}])),
    ("a huge unit code", INVALID, "code", lambda s, e: s.unit(HUGE)),
    ("a huge sealed submission", INVALID, "sealed", lambda s, e: s.receive_submission(HUGE)),
    ("a huge moment", INVALID, "at", lambda s, e: s.sign_for(e, "W1", HUGE)),
]


@pytest.mark.parametrize(("name", "kind", "field", "call"), CASES, ids=[c[0] for c in CASES])
def test_every_bad_input_gives_its_kind_names_its_field_and_changes_nothing(
    store, name, kind, field, call
):
    store, entry_id = store
    before = footprint(store)
    with pytest.raises(wangge.Error) as caught:
        call(store, entry_id)
    assert type(caught.value) is kind, (name, caught.value)
    message = str(caught.value)
    if field is not None:
        assert message.startswith(f"invalid {field} "), message[:400]
    assert len(message) <= MESSAGE_MAX, (name, len(message), message[:MESSAGE_MAX])
    assert HUGE_CHAR * 201 not in message
    assert footprint(store) == before


def test_a_long_value_is_shown_cut_with_its_length(county):
    with pytest.raises(wangge.InvalidInput) as caught:
        county.add_unit("512021100001009", "名" * 500, "grid", "512021100001")
    message = str(caught.value)
    assert "名" * 200 in message
    assert "名" * 201 not in message
    assert "500 characters" in message


def test_a_refusal_in_python_is_the_core_s_own_message(county):
    """A dict input is read by the core's parser: the message is the one the core gives
    for the same JSON text."""
    batch = [{"code": "512021102", "name": "x", "level": "township", "colour": "red"}]
    with pytest.raises(wangge.InvalidInput) as from_dict:
        county.add_units(batch)
    with pytest.raises(wangge.InvalidInput) as from_text:
        county.add_units(json.dumps(batch, separators=(",", ":")))
    assert str(from_dict.value) == str(from_text.value)
    assert "unknown field `colour`" in str(from_dict.value)


def test_the_signature_defaults_are_the_core_s():
    import inspect

    defaults = wangge._native._defaults()
    store = wangge.Store

    def default(method, name):
        return inspect.signature(getattr(store, method)).parameters[name].default

    assert default("add_household", "kind") == defaults["kind"] == "registered"
    assert default("add_resident", "relation") == defaults["relation"] == "head"
    assert default("register", "source") == defaults["source"] == "visit"
    assert default("circular", "min_sample") == defaults["min_sample"] == 5
    assert defaults["extension_days"] == (1, 365)


def test_one_day_past_either_end_of_the_core_s_range_is_refused(store):
    store, entry_id = store
    first, last = wangge._native._defaults()["extension_days"]
    for days in (first - 1, last + 1):
        with pytest.raises(wangge.InvalidInput, match="days"):
            store.extend(entry_id, AT, days, "等材料")
