"""Submissions travel up: three county stores submit March, a city store receives their
sealed JSON and its report equals one over the three counties' facts put together; and
what the city refuses."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

import pytest

import wangge

CITY = "5120"
COUNTIES = ["512021", "512022", "512002"]
MONTH = "2025-03"
TZ = timezone(timedelta(hours=8))
LEVELS = [("city", 4), ("county", 6), ("township", 9), ("community", 12), ("grid", 15)]
RULES = [
    {"level": "grid", "every": "week", "due_working_days": 1},
    {"level": "community", "every": "month", "due_working_days": 3},
    {"level": "township", "every": "quarter", "due_working_days": 5},
    {"level": "county", "every": "month", "due_working_days": 3},
]
SUBMITTED = [datetime(2025, 4, 1, 10, tzinfo=TZ), datetime(2025, 4, 2, 10, tzinfo=TZ), datetime(2025, 4, 14, 10, tzinfo=TZ)]


def below(county: str) -> list[tuple[str, str, str]]:
    c = county
    return [
        (f"{c}001", "township", c),
        (f"{c}001001", "community", f"{c}001"),
        (f"{c}001001001", "grid", f"{c}001001"),
        (f"{c}001001002", "grid", f"{c}001001"),
    ]


def city_store(tree: bool) -> wangge.Store:
    store = wangge.Store(":memory:", levels=LEVELS)
    store.add_unit(CITY, "资阳市", "city")
    for c in COUNTIES:
        store.add_unit(c, f"县{c}", "county", CITY)
        if tree:
            for code, level, parent in below(c):
                store.add_unit(code, f"单位{code}", level, parent)
    store.add_staff("W1", "网格员")
    store.set_reporting_rules(RULES)
    return store


def county_store(c: str) -> wangge.Store:
    store = wangge.Store(":memory:")
    store.add_unit(c, f"县{c}", "county")
    for code, level, parent in below(c):
        store.add_unit(code, f"单位{code}", level, parent)
    store.add_staff("W1", "网格员")
    store.set_reporting_rules(RULES)
    return store


def record(store: wangge.Store, k: int) -> None:
    """County k's facts: households, visits in March, entries worked on time and late."""
    c = COUNTIES[k]
    grids = [f"{c}001001001", f"{c}001001002"]
    for h in range(3 + 2 * k):
        hid = f"H{c}-{h}"
        store.add_household(hid, grids[h % 2], "幸福路", "floating" if h % 3 == 0 else "registered")
        for v in range(h % 3):
            store.record_visit(hid, "W1", "home" if v % 2 == 0 else "phone", date(2025, 3, 3 + 7 * v + h))
    for e in range(4 + k):
        reported = datetime(2025, 3, 2 + 5 * e, 9, tzinfo=TZ)
        entry = store.register(grids[e % 2], "市政设施", f"诉求{e}", reported)
        if e % 3 != 2:
            store.sign_for(entry.id, "W1", reported + timedelta(hours=2))
            store.start(entry.id, "W1", reported + timedelta(hours=3))
            # Some resolved within a day, some weeks later.
            store.resolve(entry.id, reported + timedelta(days=1 if e % 2 == 0 else 25), "已处理")


@pytest.fixture
def world():
    """The combined store, the county stores and each county's sealed JSON of March."""
    combined = city_store(tree=True)
    counties, sealed = [], []
    for k, c in enumerate(COUNTIES):
        store = county_store(c)
        record(store, k)
        record(combined, k)
        sealed.append(store.submit(c, MONTH, SUBMITTED[k]).to_json())
        combined.submit(c, MONTH, SUBMITTED[k])
        counties.append(store)
    yield combined, counties, sealed
    for s in [combined, *counties]:
        s.close()


def resealed(text: str, edit) -> str:
    """`text` edited, and sealed again as anyone could (SM3 over the canonical JSON)."""
    v = json.loads(text)
    edit(v)
    v.pop("seal")
    canonical = json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    v["seal"] = sm3_hex(b"wangge submission seal 1\n" + canonical.encode())
    return json.dumps(v, ensure_ascii=False)


def sm3_hex(data: bytes) -> str:
    import hashlib

    try:
        return hashlib.new("sm3", data).hexdigest()
    except ValueError:
        pytest.skip("this Python's hashlib has no SM3")


def test_a_city_reports_from_received_submissions_as_from_all_the_facts(world):
    combined, counties, sealed = world
    city = city_store(tree=False)
    for k, text in enumerate(sealed):
        got = city.receive_submission(text if k != 1 else json.loads(text))
        assert got.status == "submitted"
        assert got.received_at is not None
        assert got.seal is not None and len(got.seal) == 64
    want = combined.report(CITY, MONTH)
    got = city.report(CITY, MONTH)
    assert want.totals["received"] >= 12
    assert got.to_dict() == want.to_dict()
    assert [r["unit"] for r in got.rows] == sorted(COUNTIES) + [CITY]
    for k, c in enumerate(COUNTIES):
        own = counties[k].report(c, MONTH)
        row = next(r for r in got.rows if r["unit"] == c)
        assert row["closure_rate"] == own.totals["closure_rate"]
        assert row["received"] == own.totals["received"]
    assert city.circular(CITY, MONTH, "closure_rate", 0).to_json() == combined.circular(
        CITY, MONTH, "closure_rate", 0
    ).to_json()
    states = {s.unit: (s.status, s.on_time) for s in city.submissions(CITY, MONTH)}
    assert states == {"512002": ("submitted", False), "512021": ("submitted", True), "512022": ("submitted", True)}
    # The same JSON again changes nothing; the city approves; a newer version is refused.
    seq = city.audit_head()["seq"]
    assert city.receive_submission(sealed[0]).versions == 1
    assert city.audit_head()["seq"] == seq
    assert city.approve(COUNTIES[0], MONTH, "2025-04-08T09:00:00").status == "approved"
    counties[0].record_visit(f"H{COUNTIES[0]}-1", "W1", "phone", "2025-03-31")
    newer = counties[0].submit(COUNTIES[0], MONTH, "2025-04-09T09:00:00")
    with pytest.raises(wangge.Conflict, match="locked"):
        city.receive_submission(newer.to_json())
    assert city.verify_audit().ok


def test_what_a_city_refuses_is_a_typed_error_and_writes_nothing(world):
    _, _, sealed = world
    city = city_store(tree=False)
    seq = city.audit_head()["seq"]
    edited = json.loads(sealed[1])
    edited["report"]["totals"]["visits_home"] += 5
    with pytest.raises(wangge.InvalidInput) as e:
        city.receive_submission(edited)
    assert named(e.value, "seal")
    for bad, field in [("not json", "sealed"), ("[1, 2]", "sealed"), ([1, 2], "sealed"), ({}, "seal")]:
        with pytest.raises(wangge.InvalidInput) as e:
            city.receive_submission(bad)
        assert named(e.value, field), bad
    with pytest.raises(wangge.InvalidInput) as e:
        city.receive_submission("x" * (wangge_max() + 1))
    assert named(e.value, "sealed")
    with pytest.raises(wangge.InvalidInput) as e:
        city.receive_submission(42)  # type: ignore[arg-type]
    assert named(e.value, "sealed")
    scoped = city.scope(COUNTIES[0], "县管理员")
    with pytest.raises(wangge.PermissionDenied):
        scoped.receive_submission(sealed[1])
    assert city.audit_head()["seq"] == seq


def named(error: Exception, field: str) -> bool:
    """Whether an InvalidInput error names `field` (its message starts `invalid FIELD`)."""
    return str(error).startswith(f"invalid {field} ")


def wangge_max() -> int:
    return 8 << 20


def test_a_resealed_edit_is_caught_by_the_figures_or_the_audit_head(world):
    _, counties, sealed = world
    city = city_store(tree=False)
    city.receive_submission(sealed[2])

    def rows_off(v):
        v["report"]["rows"][0]["visits_phone"] += 1

    with pytest.raises(wangge.InvalidInput) as e:
        city.receive_submission(resealed(sealed[2], rows_off))
    assert named(e.value, "report")
    assert "totals.visits_phone" in str(e.value)

    def head_back(v):
        v["versions"] = 2
        v["audit_head"]["seq"] -= 3

    with pytest.raises(wangge.Conflict, match="goes back"):
        city.receive_submission(resealed(sealed[2], head_back))

    def other_county(v):
        v["unit"] = COUNTIES[0]

    with pytest.raises(wangge.InvalidInput) as e:
        city.receive_submission(resealed(sealed[2], other_county))
    assert named(e.value, "report")
    assert city.submission(COUNTIES[2], MONTH).versions == 1
