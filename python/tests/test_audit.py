"""Tamper evidence over the facts: every row the library writes is sealed, and an edit,
delete or insert made through another connection is reported with its table and row; a
head kept elsewhere catches a truncated chain."""

from __future__ import annotations

import json
import sqlite3

import pytest

import wangge

GRID = "512021100001001"
OTHER_GRID = "512021100001002"
COMMUNITY = "512021100001"


def populated(path) -> wangge.Store:
    """A file store with a visit, an entry with two events, an approved submission (and so
    a lock), a resident with an ID number and a staff member with a phone."""
    store = wangge.Store(str(path))
    for code, name, level, parent in [
        ("512021", "安岳县", "county", None),
        ("512021100", "岳阳镇", "township", "512021"),
        (COMMUNITY, "北坝社区", "community", "512021100"),
        (GRID, "北坝一网格", "grid", COMMUNITY),
        (OTHER_GRID, "北坝二网格", "grid", COMMUNITY),
    ]:
        store.add_unit(code, name, level, parent)
    store.add_staff("W1", "王网格员", "13812345678")
    store.add_household("H1", GRID, "海慧路1号", tags=["低保"])
    store.add_household("H2", GRID, "海慧路2号")
    store.add_resident("H1", "付良容", id_number="510123194805121220")
    store.record_visit("H1", "W1", "home", "2025-03-04", "入户")
    entry = store.register(GRID, "就业", "找工作", "2025-03-12T09:00:00")
    store.sign_for(entry.id, "W1", "2025-03-12T10:00:00")
    store.submit(GRID, "2025-W10", "2025-03-10T10:00:00")
    store.approve(GRID, "2025-W10", "2025-03-11T10:00:00")
    check = store.verify_audit()
    assert check.ok and check, check
    assert check.problems == [] and check.problems_total == 0
    return store


def outside(path, sql: str) -> None:
    """Runs `sql` through a plain sqlite3 connection, not the library's."""
    conn = sqlite3.connect(str(path))
    conn.executescript(sql)
    conn.commit()
    conn.close()


CASES = [
    ("visit day", "UPDATE visit SET day = day + 1", "visit", "1", "edited"),
    ("entry event", "DELETE FROM entry_event WHERE seq = 2", "entry_event", "1/2", "deleted"),
    ("closed entry", "UPDATE entry SET status = 'closed'", "entry", "1", "edited"),
    (
        "moved household",
        f"UPDATE household SET unit = '{OTHER_GRID}' WHERE household_id = 'H1'",
        "household",
        "H1",
        "edited",
    ),
    (
        "swapped ID number",
        "UPDATE resident SET id_number = '510123194805121239'",
        "resident",
        "1",
        "edited",
    ),
    (
        "submission figures",
        "UPDATE submission SET report = replace(report, '\"households\":2', '\"households\":3')",
        "submission",
        f"{GRID}/2025-W10/1",
        "edited",
    ),
    ("approval lock", "DELETE FROM report_lock", "report_lock", f"{GRID}/2025-W10", "deleted"),
    ("entry index", "DROP INDEX entry_unit", "sqlite_master", "index/entry_unit", "deleted"),
    (
        "utc offset",
        "UPDATE meta SET value = '0' WHERE key = 'utc_offset_minutes'",
        "meta",
        "utc_offset_minutes",
        "edited",
    ),
    (
        "inserted visit",
        "INSERT INTO visit (household_id, staff_id, channel, day, note) "
        "SELECT household_id, staff_id, channel, day + 30, '补录' FROM visit",
        "visit",
        "2",
        "inserted",
    ),
]


@pytest.mark.parametrize(("name", "sql", "table", "row", "problem"), CASES, ids=[c[0] for c in CASES])
def test_an_outside_change_is_named_with_its_table_and_row(tmp_path, name, sql, table, row, problem):
    path = tmp_path / "store.db"
    populated(path).close()
    outside(path, sql)
    with wangge.Store(str(path)) as store:
        check = store.verify_audit()
    assert not check.ok and not check
    found = wangge.FactProblem
    assert any(isinstance(p, found) for p in check.problems)
    assert {"table": table, "row": row, "problem": problem} in [p.to_dict() for p in check.problems]
    assert check.problems_total >= 1
    assert table in check.problem
    assert check.to_dict()["problems"][0].keys() == {"table", "row", "problem"}


def test_the_head_kept_elsewhere_catches_a_truncated_chain(tmp_path):
    path = tmp_path / "store.db"
    store = populated(path)
    before = store.audit_head()
    # Audited reads add records but change no fact.
    assert store.staff_phone("W1") == "13812345678"
    assert store.staff_phone("W1") == "13812345678"
    head = store.audit_head()
    assert set(head) == {"seq", "digest", "at"}
    assert head["seq"] == before["seq"] + 2 and len(head["digest"]) == 64
    json.dumps(head)  # kept elsewhere as JSON
    assert store.verify_audit(since=head).ok
    assert store.verify_audit(since=json.dumps(head)).ok
    store.close()
    # Someone drops the newest records and moves the head back: needs no key.
    outside(
        path,
        f"DELETE FROM audit WHERE seq > {before['seq']};"
        f"UPDATE audit_state SET value = '{before['seq']}:{before['digest']}' WHERE key = 'head';",
    )
    with wangge.Store(str(path)) as store:
        assert store.verify_audit().ok, "a consistent truncation fools a check without a head"
        check = store.verify_audit(since=head)
        assert not check.ok
        assert check.first_bad == head["seq"]
        assert "truncated" in check.problem


@pytest.mark.parametrize("bad", [{"seq": 1}, "not json", 5, {"seq": -1, "digest": "0" * 64, "at": ""}])
def test_a_bad_head_is_invalid_input_naming_since(county, bad):
    with pytest.raises(wangge.InvalidInput, match="since"):
        county.verify_audit(since=bad)


def test_a_submission_carries_the_head_and_approval_records_it(tmp_path):
    with populated(tmp_path / "store.db") as store:
        head = store.audit_head()
        submitted = store.submit(GRID, "2025-W11", "2025-03-17T10:00:00")
        assert submitted.audit_head == head
        assert json.loads(submitted.to_json())["audit_head"] == head
        approved = store.approve(GRID, "2025-W11", "2025-03-18T10:00:00")
        assert approved.audit_head == head
        record = store.audit_log()[-1]
        assert record.action == "approve_report"
        assert json.loads(record.detail)["audit_head"] == head
        assert store.verify_audit().ok
