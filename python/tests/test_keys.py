"""The deployment key from Python: ID numbers and phones sealed at rest (SM4) and found
by a keyed blind index, a missing or wrong key refused with the file untouched, rekey,
and what info() says."""

from __future__ import annotations

import re
import sqlite3
from datetime import date

import pytest
from conftest import build_county

import wangge

KEY = b"0123456789abcdef-deployment"
OTHER = b"fedcba9876543210-deployment"
ID = "510123194805121220"
PHONE = "13812345678"
STAFF_PHONE = "13987654321"


def fill(store: wangge.Store) -> int:
    build_county(store)
    store.add_household("H1", "512021100001001", "海慧路1号", start=date(2020, 1, 1))
    store.add_staff("s1", "袁婷", STAFF_PHONE)
    return store.add_resident(
        "H1", "付良容", id_number=ID, phone=PHONE, start=date(2020, 1, 1)
    ).resident_id


def file_bytes(path) -> bytes:
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def raw_rows(path) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        return conn.execute(
            "SELECT id_number, id_sealed, phone FROM resident"
        ).fetchall() + conn.execute("SELECT phone, phone, phone FROM staff").fetchall()


def assert_sealed(path) -> None:
    data = file_bytes(path)
    for clear in (ID, PHONE, STAFF_PHONE):
        assert clear.encode() not in data
    for row in raw_rows(path):
        assert all(v is None or isinstance(v, bytes) for v in row), row


def test_a_keyed_store_shows_what_a_clear_one_shows_and_keeps_nothing_in_clear(tmp_path):
    keyed_path, clear_path = tmp_path / "keyed.db", tmp_path / "clear.db"
    with wangge.Store(keyed_path, key=KEY) as keyed, wangge.Store(clear_path) as clear:
        a, b = fill(keyed), fill(clear)
        assert keyed.resident(a) == clear.resident(b)
        assert keyed.resident(a).id_number == "510123**********20"
        assert keyed.resident_clear(a) == (ID, PHONE)
        assert keyed.staff_phone("s1") == STAFF_PHONE
        assert keyed.staff("s1") == clear.staff("s1")
        with pytest.raises(wangge.Conflict) as keyed_err:
            keyed.add_resident("H1", "付良", id_number=ID)
        with pytest.raises(wangge.Conflict) as clear_err:
            clear.add_resident("H1", "付良", id_number=ID)
        assert str(keyed_err.value) == str(clear_err.value)
        assert ID not in str(keyed_err.value)
        assert keyed.verify_audit()
    assert_sealed(keyed_path)
    # The clear twin does hold them, so the check above can fail.
    assert ID.encode() in file_bytes(clear_path)


def test_imports_find_known_residents_by_their_blind_index(tmp_path):
    path = tmp_path / "import.db"
    with wangge.Store(path, key=KEY) as store:
        rid = fill(store)
        result = store.import_households(
            [
                {
                    "household_id": "H2",
                    "unit": "512021100001001",
                    "address": "海慧路2号",
                    "kind": "registered",
                    "name": "付良容",
                    "id_number": ID,
                    "phone": "13700001111",
                }
            ]
        )
        assert not result.errors
        assert result.updated == 1
        assert store.resident(rid).household_id == "H2"
        assert store.resident_clear(rid) == (ID, "13700001111")
    assert b"13700001111" not in file_bytes(path)


def test_a_missing_or_wrong_key_is_refused_and_the_file_untouched(tmp_path):
    path = tmp_path / "refused.db"
    with wangge.Store(path, key=KEY) as store:
        fill(store)
    before = path.read_bytes()
    with pytest.raises(wangge.PermissionDenied):
        wangge.Store(path)
    with pytest.raises(wangge.PermissionDenied):
        wangge.Store(path, key=OTHER)
    with pytest.raises(wangge.PermissionDenied):
        wangge.Store(path, read_only=True)
    assert path.read_bytes() == before
    clear = tmp_path / "clear.db"
    wangge.Store(clear).close()
    before = clear.read_bytes()
    with pytest.raises(wangge.PermissionDenied, match="rekey"):
        wangge.Store(clear, key=KEY)
    assert clear.read_bytes() == before


def test_a_key_is_bytes_of_16_to_64():
    for bad in (b"", b"x" * 15, b"x" * 65):
        with pytest.raises(wangge.InvalidInput, match="key"):
            wangge.Store(":memory:", key=bad)
    with pytest.raises(TypeError):
        wangge.Store(":memory:", key="a text is not a key")  # type: ignore[arg-type]
    with pytest.raises(wangge.InvalidInput, match="key"):
        wangge.Store(":memory:", key=bytearray(15))
    with wangge.Store(":memory:", key=b"k" * 64) as store:
        assert store.info().keyed
        with pytest.raises(wangge.InvalidInput, match="key"):
            store.rekey(b"short")


def test_a_key_kept_in_a_bytearray_opens_as_its_bytes_and_may_be_wiped_after(tmp_path):
    path = tmp_path / "bytearray.db"
    secret = bytearray(KEY)
    with wangge.Store(path, key=secret) as store:
        rid = fill(store)
        secret[:] = bytes(len(secret))  # the caller wipes its copy
        assert store.resident_clear(rid) == (ID, PHONE)
        fresh = bytearray(OTHER)
        store.rekey(fresh)
    with pytest.raises(wangge.PermissionDenied):
        wangge.Store(path, key=KEY)
    with wangge.Store(path, key=bytearray(OTHER)) as store:
        assert store.info().keyed


def test_rekey_seals_a_clear_store_then_changes_its_key(tmp_path):
    path = tmp_path / "rekey.db"
    with wangge.Store(path) as store:
        rid = fill(store)
        assert not store.info().keyed
        store.rekey(KEY)
        assert store.info().keyed
        assert store.resident_clear(rid) == (ID, PHONE)
        assert any(r.action == "rekey" for r in store.audit_log())
        scoped = store.scope("512021100", "镇管理员")
        with pytest.raises(wangge.PermissionDenied):
            scoped.rekey(OTHER)
    assert_sealed(path)
    with pytest.raises(wangge.PermissionDenied):
        wangge.Store(path)
    with wangge.Store(path, key=KEY) as store:
        store.rekey(OTHER)
        assert store.staff_phone("s1") == STAFF_PHONE
        with pytest.raises(wangge.Conflict):
            store.add_resident("H1", "付", id_number=ID)
    with pytest.raises(wangge.PermissionDenied):
        wangge.Store(path, key=KEY)
    with wangge.Store(path, key=OTHER) as store:
        assert store.resident_clear(rid) == (ID, PHONE)
        assert store.verify_audit()
    assert_sealed(path)


def test_info_tells_what_the_store_is(tmp_path):
    path = tmp_path / "info.db"
    with wangge.Store(path, key=KEY, utc_offset_minutes=420) as store:
        info = store.info()
        assert info.keyed is True
        assert info.read_only is False
        assert info.application_id == 0x57474745
        assert info.schema_version == info.library_schema_version
        assert info.utc_offset_minutes == 420
        assert info.abi_version == 0
        assert re.fullmatch(r"\d+\.\d+\.\d+", info.library_version)
        assert info.path == str(path)
        assert info.levels == store.levels
        assert info.actor == "system"
        assert info.scope is None
        assert info.to_dict()["keyed"] is True
        build_county(store)
        assert store.scope("512021100", "镇").info().scope == "512021100"
    with wangge.Store(path, key=KEY, read_only=True) as store:
        assert store.info().read_only
    with wangge.Store(":memory:") as store:
        assert store.info().keyed is False
