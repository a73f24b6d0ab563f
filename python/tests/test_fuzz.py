"""Only typed errors, fuzzed: any value of the right Python type, valid-looking or
garbage, gives a result or a wangge.Error (InvalidInput naming its field), never another
exception or a crash; afterwards the audit chain verifies and SQLite's integrity_check
says ok. Each family runs a bounded, derandomized number of examples, so the file takes
well under a minute and fails the same way on every machine."""

from __future__ import annotations

import json
import pickle
import re
import sqlite3
import tempfile
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import NamedTuple

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import wangge
from conftest import build_county

GRID = "512021100001001"
COMMUNITY = "512021100001"
COUNTY = "512021"
KINDS = ["day", "week", "month", "quarter", "half_year", "year", "days", "years"]

# Bounded and repeatable: the same examples on every run; the store is built once per
# test, outside the examples, on purpose.
FUZZ = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def fuzz(n: int):
    return settings(FUZZ, max_examples=n)


# --- What a call may do -------------------------------------------------------------

INVALID = re.compile(r"^invalid [a-z_]+ ")


def attempt(call, *args, **kwargs):
    """The call's result, or the wangge.Error it raised; any other exception fails the
    test. An InvalidInput names its field first ("invalid <field> ...")."""
    try:
        return call(*args, **kwargs)
    except wangge.InvalidInput as e:
        assert INVALID.match(str(e)), f"InvalidInput without a field: {e!r}"
        return e
    except wangge.Error as e:
        assert str(e), f"{type(e).__name__} without a message"
        return e


FIRST, LAST = date(1, 1, 1), date(9999, 12, 31)


def ok(value) -> bool:
    return not isinstance(value, wangge.Error)


@contextmanager
def county_store():
    """A county in a store file; on leaving, the audit chain must verify and the file
    pass SQLite's integrity_check, before and after reopening."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.db"
        with wangge.Store(path) as store:
            build_county(store)
            store.add_staff("W1", "网格员甲", "13812345678")
            store.assign("W1", GRID, "grid_worker")
            store.add_household("H1", GRID, "北坝一网格1号", tags=["低保"])
            yield store
            assert store.verify_audit().ok, store.verify_audit().problem
        with sqlite3.connect(path) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        conn.close()
        with wangge.Store(path) as store:
            assert store.verify_audit().ok


# --- Strategies: valid-looking and odd values of the right Python type ---------------
#
# Each argument has a valid strategy and an odd one (near misses and garbage). An example
# makes at most one argument odd, so that every refusal along the way gets reached, and
# the valid paths (writes included) run as often as the refusals.


class Field(NamedTuple):
    valid: st.SearchStrategy
    odd: st.SearchStrategy

    def any(self) -> st.SearchStrategy:
        return st.one_of(self.valid, self.valid, self.odd)

    def maybe(self) -> Field:
        """The same, or None (an optional argument left out)."""
        return Field(st.one_of(st.none(), self.valid), self.odd)


@st.composite
def call_args(draw, **fields: Field) -> dict:
    """Keyword arguments for one call: all valid, or one of them odd."""
    odd = draw(st.sampled_from([None, None, *fields]))
    return {name: draw(f.odd if name == odd else f.valid) for name, f in fields.items()}


SURROGATES = st.sampled_from(["\ud800", "\udfff", "\udc80x", "a\ud83d"])
# Text of any kind: lone surrogates, NUL and other controls, CJK, very long runs.
GARBAGE_TEXT = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec=None), max_size=20),
    SURROGATES,
    st.sampled_from(["", " ", "\x00", "\n", "-", "W", "Q", "H", "0", "٣", "１", "Ⅻ", "𝟘"]),
    st.builds(lambda c, n: c * n, st.sampled_from(["9", "x", "网"]), st.integers(100, 3000)),
)
HUGE_INTS = st.one_of(
    st.integers(-(10**40), 10**40),
    st.sampled_from([0, -1, 1, 2**31, -(2**31), 2**63 - 1, -(2**63), 2**63, 2**64, 10**30]),
    st.integers(-1000, 1000),
)
YEARS = st.one_of(st.integers(0, 10000), st.sampled_from([1, 2, 9998, 9999, 2024, 2025]))
USUAL_DAYS = st.dates(date(1950, 1, 1), date(2060, 12, 31))


def _date_text(y, m, d):
    return f"{y:04d}-{m:02d}-{d:02d}"


DAY = Field(
    st.one_of(
        USUAL_DAYS.map(date.isoformat), USUAL_DAYS, st.dates(), st.dates().map(date.isoformat)
    ),
    st.one_of(
        st.builds(_date_text, YEARS, st.integers(0, 13), st.integers(0, 32)),
        st.sampled_from(["0001-01-01", "9999-12-31", "2024-02-29", "2023-02-29", " 2024-01-01 "]),
        st.datetimes(),
        GARBAGE_TEXT,
    ),
)
PERIOD = Field(
    st.one_of(
        st.builds(lambda y: f"{y:04d}", YEARS),
        st.builds(lambda y, m: f"{y:04d}-{m:02d}", YEARS, st.integers(1, 12)),
        st.builds(lambda y, w: f"{y:04d}-W{w:02d}", YEARS, st.integers(1, 53)),
        st.builds(lambda y, q: f"{y:04d}-Q{q}", YEARS, st.integers(1, 4)),
        st.builds(lambda y, h: f"{y:04d}-H{h}", YEARS, st.integers(1, 2)),
        st.dates().map(date.isoformat),
        st.sampled_from(["2025", "2025-03", "2025-Q1", "2025-W10", "2025-H1", "2025-03-04"]),
    ),
    st.one_of(
        st.builds(lambda y, m: f"{y:04d}-{m:02d}", YEARS, st.integers(0, 13)),
        st.builds(lambda y, w: f"{y:04d}-W{w:02d}", YEARS, st.integers(0, 54)),
        st.builds(lambda y, q: f"{y:04d}-Q{q}", YEARS, st.integers(0, 5)),
        st.builds(_date_text, YEARS, st.integers(0, 13), st.integers(0, 32)),
        st.sampled_from(["9999", "9999-W52", "9999-W51", "0001-W01", "0000", "9999-12-31"]),
        GARBAGE_TEXT,
    ),
)
KIND = Field(st.sampled_from(KINDS), GARBAGE_TEXT)
USUAL_MOMENTS = st.datetimes(datetime(1990, 1, 1), datetime(2060, 1, 1))
MOMENT = Field(
    st.one_of(
        USUAL_MOMENTS,
        USUAL_MOMENTS.map(lambda m: m.isoformat(timespec="seconds")),
        st.builds(
            lambda m, tz: m.replace(tzinfo=tz).isoformat(timespec="minutes"),
            USUAL_MOMENTS,
            st.sampled_from(
                [timezone.utc, timezone(timedelta(hours=8)), timezone(timedelta(hours=-12))]
            ),
        ),
        st.datetimes(timezones=st.sampled_from([timezone.utc, timezone(timedelta(hours=14))])),
    ),
    st.one_of(
        st.builds(
            lambda day, h, mi, tz: f"{day}T{h:02d}:{mi:02d}:00{tz}",
            DAY.odd.filter(lambda d: isinstance(d, str)),
            st.integers(0, 25),
            st.integers(0, 61),
            st.sampled_from(["", "+08:00", "Z", "-23:59", "+24:00", "+99:99"]),
        ),
        st.datetimes(),
        st.dates(),
        GARBAGE_TEXT,
    ),
)
COUNT = Field(st.integers(-400, 400), HUGE_INTS)

PROVINCES = ["11", "31", "44", "51", "65", "81"]
_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def _id_number(province, region, birth, seq, good_check=True, lower=False):
    first17 = f"{province}{region:04d}{birth}{seq:03d}"
    check = "10X98765432"[sum(int(c) * w for c, w in zip(first17, _WEIGHTS)) % 11]
    if not good_check:
        check = "0" if check != "0" else "1"
    number = first17 + check
    return number.lower() if lower else number


_BIRTHS = st.dates(date(1900, 1, 1), date(2020, 12, 31)).map(lambda d: d.strftime("%Y%m%d"))
ID_NUMBER = Field(
    st.one_of(
        st.builds(
            _id_number,
            st.sampled_from(PROVINCES),
            st.integers(0, 9999),
            _BIRTHS,
            st.integers(0, 999),
            st.just(True),
            st.booleans(),
        ),
        st.builds(
            lambda p, r, b, q: f"{p}{r:04d}{b[2:]}{q:03d}",
            st.sampled_from(PROVINCES),
            st.integers(0, 9999),
            _BIRTHS,
            st.integers(0, 999),
        ),
    ),
    st.one_of(
        st.builds(
            _id_number,
            st.sampled_from(PROVINCES + ["00", "99"]),
            st.integers(0, 9999),
            st.builds(
                lambda y, m, d: f"{y:04d}{m:02d}{d:02d}", YEARS, st.integers(0, 13), st.integers(0, 32)
            ),
            st.integers(0, 999),
            st.booleans(),
            st.booleans(),
        ),
        st.text(alphabet="0123456789Xx", min_size=14, max_size=19),
        st.text(alphabet="0123456789", min_size=15, max_size=15),
        # 18 bytes that are not 18 characters.
        st.sampled_from(["网网网网网网", "1101051949123100网", "11010519491231002\u00e9"]),
        GARBAGE_TEXT,
    ),
)
PHONE = Field(
    st.one_of(
        st.builds(lambda n: f"1{n:010d}", st.integers(3 * 10**9, 10**10 - 1)),
        st.builds(lambda a, b: f"0{a}-{b}", st.integers(10, 999), st.integers(10**6, 10**8 - 1)),
    ),
    st.one_of(
        st.text(alphabet="0123456789", max_size=20),
        st.builds(
            lambda a, b: f"{a}-{b}",
            st.text("0123456789", max_size=5),
            st.text("0123456789+ ", max_size=12),
        ),
        st.text(alphabet="０１２３٠١٢+- ()", max_size=14),
        GARBAGE_TEXT,
    ),
)
UNIT_CODE = Field(
    st.one_of(
        st.sampled_from([COUNTY, COMMUNITY, GRID, "512021100", "512021100001003"]),
        st.builds(
            lambda p, n: p + n,
            st.sampled_from([COUNTY, "512021100", COMMUNITY]),
            st.text("0123456789", min_size=3, max_size=3),
        ),
    ),
    st.one_of(st.text(alphabet="0123456789", max_size=20), GARBAGE_TEXT),
)
NAME = Field(
    st.text(alphabet="张王李赵网格社区一二三村组", min_size=1, max_size=12),
    st.one_of(GARBAGE_TEXT, st.text(max_size=300)),
)
LEVEL = Field(
    st.sampled_from(["county", "township", "community", "grid", "building"]),
    st.one_of(st.sampled_from(["province", "Grid", "grids"]), GARBAGE_TEXT),
)
TEXT = Field(st.text(min_size=1, max_size=60), GARBAGE_TEXT)


# --- JSON of rule sets: the defaults, mutated -----------------------------------------

JSON_LEAF = st.one_of(
    st.none(),
    st.booleans(),
    HUGE_INTS,
    st.floats(allow_nan=False, allow_infinity=False),
    GARBAGE_TEXT,
    st.sampled_from(["day", "week", "month", "year", "grid", "home", "phone", "closure_rate"]),
)
JSON_ANY = st.recursive(
    JSON_LEAF,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.text(max_size=8), inner, max_size=4),
    ),
    max_leaves=10,
)


@st.composite
def mutated(draw, base):
    """`base` (a JSON value) with a few values replaced, keys dropped or added."""
    value = json.loads(json.dumps(base))
    for _ in range(draw(st.sampled_from([0, 1, 1, 1, 2, 3]))):
        node = value
        # Walk down to a random container.
        for _ in range(draw(st.integers(0, 3))):
            children = list(node.values()) if isinstance(node, dict) else node
            children = [c for c in children if isinstance(c, (dict, list))]
            if not children:
                break
            node = draw(st.sampled_from(children))
        if isinstance(node, dict) and node:
            key = draw(st.sampled_from(sorted(node)))
            action = draw(st.sampled_from(["replace", "drop", "add"]))
            if action == "replace":
                node[key] = draw(JSON_ANY)
            elif action == "drop":
                del node[key]
            else:
                node[draw(st.text(max_size=10))] = draw(JSON_ANY)
        elif isinstance(node, list) and node:
            i = draw(st.integers(0, len(node) - 1))
            action = draw(st.sampled_from(["replace", "drop", "copy"]))
            if action == "replace":
                node[i] = draw(JSON_ANY)
            elif action == "drop":
                del node[i]
            else:
                node.append(json.loads(json.dumps(node[i])))
    return value


# --- Periods and dates ---------------------------------------------------------------


@fuzz(300)
@given(text=PERIOD.any(), kind=KIND.any(), day=DAY.any())
def test_periods_parse_and_move_or_raise_invalid_input(text, kind, day):
    period = attempt(wangge.Period.parse, text)
    made = attempt(wangge.Period, text)
    assert ok(made) == ok(period)
    if ok(period):
        assert wangge.Period.parse(str(period)) == period == made
        assert pickle.loads(pickle.dumps(period)) == period
        assert (period < made) is False and period <= made
        assert FIRST <= period.first <= period.last <= LAST
        assert period.days >= 1
        for moved in (attempt(period.next), attempt(period.previous)):
            assert ok(moved) or isinstance(moved, wangge.InvalidInput)
            if ok(moved):
                assert FIRST <= moved.first <= moved.last <= LAST
        attempt(period.contains, day)
        attempt(period.belongs_to, kind)
        if period.kind in ("day", "week", "month"):
            attempt(period.inside, kind)
    else:
        assert isinstance(period, wangge.InvalidInput)
    around = attempt(wangge.Period.containing, kind, day)
    if ok(around):
        assert FIRST <= around.first <= around.last <= LAST


@fuzz(200)
@given(args=call_args(a=DAY, b=DAY, n=COUNT))
def test_working_days_of_any_date_and_count(args):
    attempt(wangge.add_working_days, args["a"], args["n"])
    attempt(wangge.working_days_between, args["a"], args["b"])


def test_dates_on_the_store_methods_that_take_them():
    with county_store() as store:

        @fuzz(100)
        @given(args=call_args(day=DAY, n=COUNT, period=PERIOD, at=MOMENT))
        def run(args):
            day, period = args["day"], args["period"]
            attempt(store.add_working_days, day, args["n"])
            attempt(store.unit, GRID, day)
            attempt(store.children, COMMUNITY, day)
            attempt(store.households, GRID, day)
            attempt(store.due_visits, GRID, day)
            attempt(store.reverification_due, GRID, day)
            attempt(store.visit_rules, day)
            attempt(store.ledger_rules, day)
            attempt(store.assignments, GRID, day)
            attempt(store.unit_counts, COMMUNITY, day)
            attempt(store.archive, "H1", day)
            attempt(store.verify_archive, "H1", day)
            attempt(store.tag_household, "H1", "空巢", day)
            attempt(store.record_visit, "H1", "W1", "home", day, "走访")
            attempt(store.record_patrol, GRID, "W1", args["at"])
            attempt(store.tick, args["at"])
            attempt(store.report, GRID, period)
            attempt(store.piles, GRID, period)
            attempt(store.visit_compliance, COMMUNITY, period)
            attempt(store.patrols, GRID, period)
            attempt(store.submission, GRID, period)
            attempt(store.circular, COMMUNITY, period, "closure_rate", args["n"])
            attempt(store.entries, COUNTY, None, None, None, None, None, period)
            attempt(store.audit_log, args["n"], args["n"])

        run()


CALENDAR_DAY = Field(
    st.builds(lambda m, d: f"{m:02d}-{d:02d}", st.integers(1, 12), st.integers(1, 28)),
    st.one_of(
        st.builds(_date_text, YEARS, st.integers(0, 13), st.integers(0, 32)),
        st.builds(lambda m, d: f"{m:02d}-{d:02d}", st.integers(0, 13), st.integers(0, 32)),
        GARBAGE_TEXT,
    ),
)


@st.composite
def calendar_line(draw):
    """`YEAR NAME off FIRST[..LAST] [work DAYS]`, with at most one part odd."""
    parts = draw(
        call_args(
            year=Field(st.integers(2027, 2030), st.one_of(st.integers(-10, 12000), GARBAGE_TEXT)),
            name=Field(st.sampled_from(["春节", "国庆节"]), GARBAGE_TEXT),
            off=Field(st.just("off"), GARBAGE_TEXT),
            first=CALENDAR_DAY,
            last=CALENDAR_DAY.maybe(),
            work=Field(st.lists(CALENDAR_DAY.valid, max_size=2), st.lists(CALENDAR_DAY.odd, min_size=1, max_size=2)),
        )
    )
    line = f"{parts['year']} {parts['name']} {parts['off']} {parts['first']}"
    if parts["last"]:
        line += f"..{parts['last']}"
    if parts["work"]:
        line += " work " + ",".join(parts["work"])
    return line


def test_calendar_text_loads_or_names_its_line():
    with county_store() as store:

        @fuzz(100)
        @given(
            text=st.one_of(st.lists(calendar_line(), max_size=3).map("\n".join), GARBAGE_TEXT),
            day=st.dates(date(2026, 1, 1), date(2031, 12, 31)),
            n=COUNT.any(),
        )
        def run(text, day, n):
            years = attempt(store.load_calendar, text=text)
            if ok(years):
                assert all(1 <= y <= 9999 for y in years), years
            attempt(store.add_working_days, day, n)
            attempt(store.working_days_between, day, "9999-12-31")

        run()


# --- Units, residents, staff ----------------------------------------------------------


# A new unit's (parent, level, code) as the default coding rule wants it: the parent's
# code and three digits more, or a root county of six digits.
NEW_UNIT = st.one_of(
    st.tuples(st.just(COMMUNITY), st.just("grid"), st.text("0123456789", min_size=3, max_size=3)),
    st.tuples(st.just("512021100"), st.just("community"), st.text("0123456789", min_size=3, max_size=3)),
    st.tuples(st.just(GRID), st.just("building"), st.text("0123456789", min_size=3, max_size=3)),
    st.tuples(st.none(), st.just("county"), st.text("0123456789", min_size=6, max_size=6)),
).map(lambda t: (t[0], t[1], (t[0] or "") + t[2]))


def test_unit_codes_levels_and_names():
    with county_store() as store:

        @fuzz(150)
        @given(
            new=NEW_UNIT,
            args=call_args(
                code=Field(st.none(), UNIT_CODE.any()),
                name=NAME,
                level=Field(st.none(), LEVEL.any()),
                parent=Field(st.none(), UNIT_CODE.any().map(lambda c: ("odd", c))),
                start=DAY.maybe(),
            ),
        )
        def run(new, args):
            parent, level, code = new
            code = args["code"] or code
            level = args["level"] or level
            parent = args["parent"][1] if args["parent"] else parent
            name = args["name"]
            attempt(store.add_unit, code, name, level, parent, args["start"])
            attempt(store.unit, code)
            attempt(store.ancestors, code)
            attempt(store.descendants, code, level)
            attempt(store.scope, code, name)
            attempt(store.add_units, [(code, name, level, parent)])
            attempt(store.add_units, [{"code": code, "name": name, "level": level, "parent": parent}])

        run()


def test_id_numbers_and_phones_of_residents_and_staff():
    with county_store() as store:
        counter = iter(range(10**6))

        @fuzz(200)
        @given(
            args=call_args(
                id_number=ID_NUMBER.maybe(),
                phone=PHONE.maybe(),
                name=NAME,
                relation=Field(st.sampled_from(["head", "spouse", "child"]), GARBAGE_TEXT),
                start=DAY.maybe(),
            )
        )
        def run(args):
            n = next(counter)
            phone = args["phone"]
            resident = attempt(
                store.add_resident,
                "H1",
                args["name"],
                args["id_number"],
                phone,
                relation=args["relation"],
                start=args["start"],
            )
            if ok(resident):
                clear_id, clear_phone = store.resident_clear(resident.resident_id)
                for shown, clear in [(resident.id_number, clear_id), (resident.phone, clear_phone)]:
                    if clear and shown:
                        assert clear not in shown, "a clear number in a resident record"
            staff = attempt(store.add_staff, f"S{n}", args["name"], phone)
            if ok(staff) and staff.phone:
                assert store.staff_phone(f"S{n}") not in staff.phone

        run()


# --- Rule sets -----------------------------------------------------------------------


def _defaults():
    with wangge.Store(":memory:") as s:
        return {
            "visit": s.visit_rules(),
            "quota": s.quota_rules(),
            "patrol": s.patrol_rules(),
            "ledger": s.ledger_rules(),
            "reporting": s.reporting_rules(),
            "assessment": s.assessment_rules(),
        }


DEFAULTS = _defaults()
# Rule sets with more that can go wrong: rolling visits, tag scopes, long cadences.
DEFAULTS["visit"] += [{"tag": "低保", "channel": "home", "every": 3, "per": "year", "mode": "rolling"}]
DEFAULTS["quota"] += [{"role": "grid_worker", "contacts": 10000, "every": 366, "per": "half_year"}]
DEFAULTS["patrol"] += [{"level": "community", "times": 100, "every": 366, "per": "week"}]


def as_rules(base):
    """A rule set argument: the defaults, mutated, as Python values or JSON text."""
    return Field(
        st.one_of(
            st.just(base),
            mutated(base),
            mutated(base),
            mutated(base).map(lambda v: json.dumps(v, ensure_ascii=False)),
        ),
        st.one_of(
            mutated(base).map(json.dumps),
            JSON_ANY,
            GARBAGE_TEXT,
            st.sampled_from(['{"a": 1e999}', "[" * 200 + "]" * 200, '"\\ud800"', "[{}]", "{}"]),
        ),
    )


def _rule_set_test(name, setter, readers, examples=80):
    def test():
        with county_store() as store:

            @fuzz(examples)
            @given(args=call_args(rules=as_rules(DEFAULTS[name]), start=DAY.maybe(), period=PERIOD))
            def run(args):
                result = attempt(getattr(store, setter), args["rules"], args["start"])
                assert result is None or isinstance(result, wangge.Error)
                for read in readers:
                    read(store, args["period"])

            run()

    test.__name__ = f"test_{name}_rule_json"
    test.__doc__ = f"{setter}: any rule set, then reads over any period."
    return test


test_visit_rule_json = _rule_set_test(
    "visit",
    "set_visit_rules",
    [
        lambda s, p: attempt(s.visit_compliance, COMMUNITY, p, True),
        lambda s, p: attempt(s.due_visits, COMMUNITY, "9999-12-30"),
        lambda s, p: attempt(s.due_visits, COMMUNITY, "0001-01-01"),
        lambda s, p: attempt(s.due_visits_for_staff, "W1"),
    ],
)
test_quota_rule_json = _rule_set_test(
    "quota", "set_quota_rules", [lambda s, p: attempt(s.quota_compliance, COMMUNITY, p, True)]
)
test_patrol_rule_json = _rule_set_test(
    "patrol", "set_patrol_rules", [lambda s, p: attempt(s.patrol_compliance, COMMUNITY, p, True)]
)
test_ledger_rule_json = _rule_set_test(
    "ledger",
    "set_ledger_rules",
    [
        lambda s, p: attempt(
            s.classify, None, "路灯不亮，楼道着火了", "H1", None, False, "2025-03-01T08:00:00"
        ),
        lambda s, p: attempt(s.register, GRID, None, "邻里纠纷，噪音", "2025-03-01T08:00:00"),
        lambda s, p: attempt(s.ledger_rules, "9999-12-30"),
        lambda s, p: attempt(s.piles, GRID, p),
    ],
)
test_reporting_rule_json = _rule_set_test(
    "reporting",
    "set_reporting_rules",
    [
        lambda s, p: attempt(s.submission, GRID, p),
        lambda s, p: attempt(s.submit, GRID, p, "2025-03-01T08:00:00"),
    ],
)
test_assessment_rule_json = _rule_set_test(
    "assessment", "set_assessment_rules", [lambda s, p: attempt(s.assessment, COMMUNITY, p)]
)


# --- CSV bytes -----------------------------------------------------------------------

HEADERS = [
    ["household_id", "unit", "address", "kind", "tags", "name", "id_number", "phone", "relation"],
    ["户编号", "所属网格", "地址", "户类型", "户标签", "姓名", "身份证号", "联系电话", "与户主关系"],
]
CSV_FIELDS = {
    "household_id": Field(st.sampled_from(["C1", "C2", "C3"]), GARBAGE_TEXT),
    "unit": Field(st.sampled_from([GRID, "512021100001002"]), UNIT_CODE.any()),
    "address": Field(st.sampled_from(["北坝一网格2号", "龙井路3号"]), GARBAGE_TEXT),
    "kind": Field(st.sampled_from(["registered", "floating", "rental", "户籍", "流动"]), GARBAGE_TEXT),
    "tags": Field(st.sampled_from(["", "低保", "低保;残疾", ";;"]), GARBAGE_TEXT),
    "name": NAME,
    "id_number": Field(st.one_of(st.just(""), ID_NUMBER.valid), ID_NUMBER.odd),
    "phone": Field(st.one_of(st.just(""), PHONE.valid), PHONE.odd),
    "relation": Field(st.sampled_from(["head", "spouse", "户主", "配偶"]), GARBAGE_TEXT),
}


@st.composite
def csv_bytes(draw):
    """A household file: the real header (or one column short or an extra), rows of which
    at most one field is odd, a trailing oddity, in UTF-8 (with or without a BOM), GBK or
    GB18030, sometimes with bytes spliced in."""
    header = list(draw(st.sampled_from(HEADERS)))
    if draw(st.integers(0, 4)) == 0:
        del header[draw(st.integers(0, len(header) - 1))]
    if draw(st.booleans()):
        header.append(draw(st.text(max_size=6)))
    rows = []
    for _ in range(draw(st.integers(0, 4))):
        cells = [str(v) for v in draw(call_args(**CSV_FIELDS)).values()][: len(header)]
        cells += [draw(st.text(max_size=4)) for _ in range(len(header) - len(cells))]
        if draw(st.integers(0, 9)) == 0:
            cells = cells[: draw(st.integers(0, len(cells)))]
        rows.append(cells)
    quote_all = draw(st.booleans())

    def quote(cell):
        needs = any(c in cell for c in ',"\r\n')
        return '"' + cell.replace('"', '""') + '"' if quote_all or needs else cell

    text = "\r\n".join(",".join(quote(c) for c in line) for line in [header, *rows])
    if draw(st.integers(0, 3)) == 0:
        text += draw(st.sampled_from(["\n", "\r\n", '\n"unclosed', "\n,,,,", "\x00"]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "gbk", "gb18030"]))
    errors = "surrogatepass" if encoding.startswith("utf") else "replace"
    data = text.encode(encoding, errors=errors)
    if draw(st.integers(0, 4)) == 0:
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(max_size=8)) + data[at:]
    return data


def test_import_rows_of_any_values():
    with county_store() as store:

        @fuzz(60)
        @given(rows=st.lists(call_args(**CSV_FIELDS), max_size=4), mode=st.sampled_from(["all_or_nothing", "skip_invalid"]))
        def run(rows, mode):
            result = attempt(store.import_households, rows, mode, "2025-03-01")
            if ok(result):
                assert result.inserted >= 0

        run()


def test_csv_bytes_import_or_raise_a_wangge_error():
    with county_store() as store:

        @fuzz(150)
        @given(
            data=st.one_of(csv_bytes(), csv_bytes(), csv_bytes(), st.binary(max_size=200)),
            args=call_args(
                mode=Field(st.sampled_from(["all_or_nothing", "skip_invalid"]), GARBAGE_TEXT),
                on=Field(st.one_of(st.none(), USUAL_DAYS), DAY.any()),
                encoding=Field(
                    st.sampled_from([None, None, "utf-8", "GBK", "gb18030"]),
                    st.one_of(st.just("latin-1"), GARBAGE_TEXT),
                ),
            ),
            as_bytearray=st.booleans(),
        )
        def run(data, args, as_bytearray):
            source = bytearray(data) if as_bytearray else data
            result = attempt(store.import_households, source, args["mode"], args["on"], args["encoding"])
            if ok(result):
                assert result.inserted >= 0

        run()


# --- Ledger summaries ----------------------------------------------------------------

SUMMARY = Field(
    st.one_of(
        st.sampled_from(["路灯不亮", "楼道着火了", "邻里纠纷，噪音", "低保申请", "集体上访苗头"]),
        st.lists(
            st.sampled_from(["路灯", "火灾", "上访", "低保", "噪音", "，", " ", "着火"]),
            min_size=1,
            max_size=12,
        ).map("".join),
        st.text(min_size=1, max_size=60).filter(str.strip),
    ),
    st.one_of(GARBAGE_TEXT, st.text(min_size=1990, max_size=2010)),
)
CATEGORY = Field(
    st.sampled_from([None, None, "市政设施", "环境卫生", "安全生产", "信访隐患"]), GARBAGE_TEXT
)


def test_ledger_register_and_classify_any_summary():
    with county_store() as store:

        @fuzz(150)
        @given(
            args=call_args(
                summary=SUMMARY,
                category=CATEGORY,
                at=MOMENT,
                unit=Field(st.sampled_from([GRID, COMMUNITY]), UNIT_CODE.any()),
                household=Field(st.sampled_from([None, "H1"]), GARBAGE_TEXT),
                source=Field(st.sampled_from(["visit", "hotline", "walk_in"]), GARBAGE_TEXT),
                resident=Field(st.none(), HUGE_INTS),
                days=COUNT,
            ),
            urgent=st.booleans(),
        )
        def run(args, urgent):
            summary, category, at = args["summary"], args["category"], args["at"]
            attempt(store.classify, category, summary, args["household"], args["unit"], urgent, at)
            entry = attempt(
                store.register,
                args["unit"],
                category,
                summary,
                at,
                args["household"],
                args["source"],
                urgent=urgent,
                resident_id=args["resident"],
            )
            if ok(entry):
                attempt(store.sign_for, entry.id, "W1", at)
                attempt(store.extend, entry.id, at, args["days"], summary)
                attempt(store.resolve, entry.id, at, summary)
            batch = [{"unit": args["unit"], "category": category, "summary": summary, "reported_at": at}]
            attempt(store.register_entries, batch)
            attempt(store.entries, COUNTY, None, None, None, None, category)

        run()
