"""Opening, persisting, closing and refusing stores; how dates are accepted."""

from __future__ import annotations

import pathlib
import sqlite3
from datetime import date, datetime, timedelta, timezone

import pytest
from conftest import codes

import wangge


def test_units_and_staff_persist_across_close_and_reopen(tmp_path):
    path = tmp_path / "county.db"
    store = wangge.Store(path)
    store.add_unit("512021", "安岳县", "county")
    store.add_unit("512021100", "岳阳镇", "township", "512021")
    store.add_staff("s1", "袁婷", "13812345678")
    store.assign("s1", "512021100", "grid_chief")
    store.close()
    with wangge.Store(str(path)) as again:
        assert codes(again.children("512021")) == ["512021100"]
        assert again.responsible("512021100")[0].staff_id == "s1"
        assert again.staff_phone("s1") == "13812345678"
        assert again.verify_audit().ok


def test_path_may_be_text_or_path_like(tmp_path):
    class Where:
        def __fspath__(self):
            return str(tmp_path / "fspath.db")

    for path in (str(tmp_path / "text.db"), pathlib.Path(tmp_path / "path.db"), Where()):
        with wangge.Store(path) as store:
            store.add_unit("512021", "安岳县", "county")
        with wangge.Store(path) as store:
            assert store.unit("512021").name == "安岳县"


def test_the_context_manager_returns_the_store_and_closes_it(tmp_path):
    with wangge.Store(tmp_path / "a.db") as store:
        assert isinstance(store, wangge.Store)
        assert not store.closed
        store.add_unit("512021", "安岳县", "county")
    assert store.closed
    with pytest.raises(wangge.StorageError, match="store is closed"):
        store.unit("512021")


def test_the_context_manager_closes_the_store_when_the_block_raises(tmp_path):
    with pytest.raises(ZeroDivisionError):
        with wangge.Store(tmp_path / "a.db") as store:
            1 / 0  # noqa: B018
    assert store.closed


def test_every_call_on_a_closed_store_raises_storage_error(county):
    county.close()
    calls = [
        lambda: county.add_unit("512021102", "x", "township", "512021"),
        lambda: county.add_units([]),
        lambda: county.unit("512021"),
        lambda: county.children("512021"),
        lambda: county.descendants("512021"),
        lambda: county.ancestors("512021"),
        lambda: county.move_unit("512021100001", "512021101", "2024-01-01"),
        lambda: county.retire_unit("512021100001001", "2024-01-01"),
        lambda: county.add_staff("s1", "x"),
        lambda: county.staff("s1"),
        lambda: county.staff_phone("s1"),
        lambda: county.assign("s1", "512021", "guide"),
        lambda: county.end_assignment(1, "2024-01-01"),
        lambda: county.assignments("512021"),
        lambda: county.responsible("512021"),
        lambda: county.scope("512021", "x"),
        lambda: county.verify_audit(),
        lambda: county.audit_log(),
        lambda: county.today(),
        lambda: county.actor,
        lambda: county.scope_root,
        lambda: county.levels,
        lambda: county.__enter__(),
        # Even a call whose arguments are bad reports the closed store first.
        lambda: county.add_unit("512021102", "x", "township", "512021", start="never"),
    ]
    for call in calls:
        with pytest.raises(wangge.StorageError, match="store is closed"):
            call()


def test_close_is_idempotent(county):
    county.close()
    county.close()
    assert county.closed
    assert repr(county) == "Store(closed)"


def test_a_store_repr_names_its_actor_and_scope(county):
    assert repr(county) == "Store(actor='system', scope_root=None)"
    assert repr(county.scope("512021100", "镇")) == "Store(actor='镇', scope_root='512021100')"


def test_a_store_from_a_newer_schema_is_refused_and_left_untouched(tmp_path):
    path = tmp_path / "newer.db"
    wangge.Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    before = path.read_bytes()
    with pytest.raises(wangge.StorageError, match="newer"):
        wangge.Store(path)
    assert path.read_bytes() == before


def test_a_file_that_is_not_a_store_is_refused(tmp_path):
    text = tmp_path / "notes.txt"
    text.write_bytes(b"this is not a database, it is a text file of some length")
    with pytest.raises(wangge.StorageError):
        wangge.Store(text)
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t (x)")
    conn.close()
    with pytest.raises(wangge.StorageError, match="not a wangge store"):
        wangge.Store(other)


@pytest.mark.parametrize(
    ("setup", "refusal"),
    [
        ("CREATE TABLE t (x); PRAGMA user_version = 3;", "not a wangge store"),
        (
            "CREATE TABLE t (x); PRAGMA application_id = 1234; PRAGMA user_version = 1;",
            "not a wangge store",
        ),
        # SQLite orders and seals text by its stored bytes; a store's are UTF-8's.
        ("PRAGMA encoding = 'UTF-16le'; CREATE TABLE t (x); DROP TABLE t;", "UTF-16le"),
    ],
    ids=["user-version-3", "other-application-id", "utf16-text"],
)
def test_another_applications_file_is_refused_untouched(tmp_path, setup, refusal):
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.executescript(setup)
    conn.close()
    before = path.read_bytes()
    for read_only in (False, True):
        with pytest.raises(wangge.StorageError, match=refusal):
            wangge.Store(path, read_only=read_only)
        assert path.read_bytes() == before


def test_a_store_carries_the_application_id(tmp_path):
    path = tmp_path / "county.db"
    wangge.Store(path).close()
    conn = sqlite3.connect(path)
    (application_id,) = conn.execute("PRAGMA application_id").fetchone()
    conn.close()
    assert application_id == 0x57474745


def test_a_read_only_store_reads_and_refuses_writes(county_file):
    with wangge.Store(county_file, read_only=True) as store:
        assert store.unit("512021").name == "安岳县"
        records = len(store.audit_log())
        with pytest.raises(wangge.PermissionDenied, match="read-only"):
            store.add_unit("512021102", "龙台镇", "township", "512021")
        with pytest.raises(wangge.PermissionDenied, match="read-only"):
            store.scope("512021100", "镇").add_staff("s1", "袁婷")
        assert len(store.audit_log()) == records
    with pytest.raises(wangge.InvalidInput, match="read_only"):
        wangge.Store(":memory:", read_only=True)
    with pytest.raises(wangge.StorageError, match="no such file"):
        wangge.Store(county_file.parent / "missing.db", read_only=True)
    assert not (county_file.parent / "missing.db").exists()


def test_levels_and_offset_are_fixed_when_the_store_is_created(tmp_path):
    path = tmp_path / "levels.db"
    levels = [("city", 4), ("county", 6)]
    wangge.Store(path, levels=levels, utc_offset_minutes=0).close()
    with wangge.Store(path) as store:
        assert store.levels == levels
    wangge.Store(path, levels=levels).close()
    with pytest.raises(wangge.Conflict, match="levels"):
        wangge.Store(path, levels=wangge.DEFAULT_LEVELS)
    with pytest.raises(wangge.Conflict, match="480"):
        wangge.Store(path, utc_offset_minutes=480)


def test_an_out_of_range_offset_or_a_blank_actor_is_invalid_input():
    with pytest.raises(wangge.InvalidInput, match="utc_offset_minutes"):
        wangge.Store(":memory:", utc_offset_minutes=25 * 60)
    with pytest.raises(wangge.InvalidInput, match="actor"):
        wangge.Store(":memory:", actor="")
    # Who wrote is what the audit log shows: no control character may disguise it.
    for actor in ["县中心\x1b[2K", "张\n三"]:
        with pytest.raises(wangge.InvalidInput, match="actor holds a control character"):
            wangge.Store(":memory:", actor=actor)
        with wangge.Store(":memory:") as store:
            store.add_unit("512021", "安岳县", "county")
            with pytest.raises(wangge.InvalidInput, match="actor"):
                store.scope("512021", actor)


def test_an_empty_path_is_invalid_input_naming_path(tmp_path):
    for read_only in (False, True):
        with pytest.raises(wangge.InvalidInput, match="path"):
            wangge.Store("", read_only=read_only)
        with pytest.raises(wangge.InvalidInput, match="NUL"):
            wangge.Store(str(tmp_path / "cut") + "\0tail.db", read_only=read_only)
    assert not (tmp_path / "cut").exists()
    wangge.Store(tmp_path / "beside-empty.db").close()


def test_today_is_the_deployments_civil_date():
    with wangge.Store(":memory:", utc_offset_minutes=480) as store:
        today = store.today()
    assert type(today) is date
    shanghai = datetime.now(timezone(timedelta(minutes=480))).date()
    assert abs((today - shanghai).days) <= 1


@pytest.mark.parametrize(
    "start",
    ["2024-04-01", " 2024-04-01 ", date(2024, 4, 1), datetime(2024, 4, 1, 23, 59)],
    ids=["text", "padded-text", "date", "datetime"],
)
def test_dates_are_accepted_as_text_date_or_datetime(county, start):
    unit = county.add_unit("512021100001003", "北坝三网格", "grid", "512021100001", start)
    assert unit.start == date(2024, 4, 1)
    assert type(unit.start) is date
    assert len(county.children("512021100001", as_of=datetime(2024, 3, 31, 12))) == 2
    assert len(county.children("512021100001", as_of=date(2024, 4, 1))) == 3


@pytest.mark.parametrize("bad", ["2024-02-30", "2024-3-1-", "yesterday", ""])
def test_bad_date_text_is_invalid_input_naming_the_argument_and_value(county, bad):
    before = len(county.audit_log())
    with pytest.raises(wangge.InvalidInput) as caught:
        county.add_unit("512021100001003", "x", "grid", "512021100001", start=bad)
    message = str(caught.value)
    assert "start" in message
    assert repr(bad).strip("'") in message
    assert len(county.audit_log()) == before


@pytest.mark.parametrize("bad", [20240401, 2024.5, ["2024-04-01"]])
def test_a_date_of_the_wrong_type_is_invalid_input_naming_the_argument(county, bad):
    with pytest.raises(wangge.InvalidInput, match="as_of"):
        county.children("512021", as_of=bad)


def test_a_required_date_names_its_argument(county):
    with pytest.raises(wangge.InvalidInput, match=r"invalid on \"2024-13-01\""):
        county.move_unit("512021100001", "512021101", "2024-13-01")
    county.add_staff("s1", "x")
    with pytest.raises(wangge.InvalidInput, match="end"):
        county.assign("s1", "512021", "guide", end="soon")
