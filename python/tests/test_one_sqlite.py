"""One SQLite per process: the module runs on the interpreter's own SQLite, so an analyst's
``sqlite3`` connection and a Store on the same file see each other's locks."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import time

import pytest

import wangge
from wangge import _native

from conftest import COUNTY, build_county


def mapped_sqlite_libraries() -> set[str]:
    """The files mapped into this process whose name is a libsqlite3."""
    with open("/proc/self/maps", encoding="utf-8") as maps:
        paths = {line.split(maxsplit=5)[5].strip() for line in maps if len(line.split()) == 6}
    return {path for path in paths if "/libsqlite3" in path}


def test_the_store_runs_on_the_sqlite_of_the_interpreter(tmp_path):
    with wangge.Store(tmp_path / "a.db") as store:
        assert store.info().sqlite_version == sqlite3.sqlite_version
    # _sqlite3 and _native share one libsqlite3.so.0: the loader maps it once.
    libraries = mapped_sqlite_libraries()
    assert len(libraries) == 1, libraries


@pytest.mark.skipif(shutil.which("nm") is None, reason="nm (binutils) is not installed")
def test_the_native_module_carries_no_sqlite_of_its_own():
    def symbols(*flags: str) -> list[str]:
        out = subprocess.run(
            ["nm", "-D", *flags, _native.__file__], check=True, capture_output=True, text=True
        ).stdout
        return [line.split()[-1] for line in out.splitlines() if line.split()]

    assert not [s for s in symbols("--defined-only") if s.startswith("sqlite3_")]
    assert "sqlite3_open_v2" in {s.split("@")[0] for s in symbols("--undefined-only")}


def test_a_write_waits_for_an_analysts_sqlite3_transaction_then_is_busy(tmp_path):
    path = tmp_path / "county.db"
    with wangge.Store(path) as store:
        build_county(store)
    analyst = sqlite3.connect(path, isolation_level=None)
    try:
        with wangge.Store(path, busy_timeout_ms=300) as store:
            head = store.audit_head()
            analyst.execute("BEGIN IMMEDIATE")
            started = time.monotonic()
            with pytest.raises(wangge.Busy) as busy:
                store.add_unit("512021102", "通贤镇", "township", "512021")
            waited = time.monotonic() - started
            assert isinstance(busy.value, wangge.StorageError)
            assert waited >= 0.28, f"the write gave up after {waited:.3f} s"
            # Reads do not wait for the analyst's lock, and nothing was written.
            assert store.audit_head() == head
            assert len(store.children("512021")) == 2
            with pytest.raises(wangge.NotFound):
                store.unit("512021102")

            # The analyst's transaction goes on and commits: no "locking protocol" error.
            assert analyst.execute("SELECT count(*) FROM unit").fetchone() == (len(COUNTY),)
            analyst.execute("COMMIT")

            store.add_unit("512021102", "通贤镇", "township", "512021")
            assert store.unit("512021102").name == "通贤镇"
            assert len(store.children("512021")) == 3
    finally:
        analyst.close()

    with wangge.Store(path) as store:
        verification = store.verify_audit()
        assert verification.ok, verification.problem
        assert store.audit_head()["seq"] > head["seq"]
    check = sqlite3.connect(path)
    try:
        assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert check.execute("SELECT count(*) FROM unit").fetchone() == (len(COUNTY) + 1,)
    finally:
        check.close()


def test_an_analysts_write_waits_for_an_import_in_progress_then_is_locked(tmp_path):
    path = tmp_path / "county.db"
    rows = [
        {"household_id": f"B{i}", "unit": "512021100001001", "address": f"{i}号",
         "kind": "rental", "name": "住户"}
        for i in range(3)
    ]
    attempts: list[tuple[str, float]] = []
    analyst = sqlite3.connect(path, isolation_level=None, timeout=0.3)
    try:
        with wangge.Store(path) as store:
            build_county(store)

            def progress(done: int, total: int) -> bool:
                # The import holds the store's write transaction while it reports.
                started = time.monotonic()
                try:
                    analyst.execute("BEGIN IMMEDIATE")
                except sqlite3.OperationalError as e:
                    attempts.append((str(e), time.monotonic() - started))
                else:
                    analyst.execute("ROLLBACK")
                    attempts.append(("begun", time.monotonic() - started))
                return True

            result = store.import_households(rows, progress=progress)
            assert (result.inserted, result.errors) == (6, [])  # households and residents
            assert len(attempts) == 1
            message, waited = attempts[0]
            assert message == "database is locked"
            assert waited >= 0.28, f"the analyst gave up after {waited:.3f} s"

            # Once the import committed, the analyst's transaction goes through.
            analyst.execute("BEGIN IMMEDIATE")
            assert analyst.execute("SELECT count(*) FROM household").fetchone() == (3,)
            analyst.execute("COMMIT")
            assert store.verify_audit().ok
    finally:
        analyst.close()


MEMORY_USED = """
import ctypes, sys
if sys.argv[1] == "sqlite3-first":
    import sqlite3  # Python's sqlite3 starts SQLite when it is imported.
import wangge
import sqlite3
with wangge.Store(sys.argv[2]) as store:
    store.add_unit("512021", "安岳县", "county")
    assert store.unit("512021").name == "安岳县"
sqlite3.connect(":memory:").execute("CREATE TABLE t (x)")
# The process's one libsqlite3 (the loader hands back the one already mapped).
lib = ctypes.CDLL("libsqlite3.so.0")
lib.sqlite3_memory_used.restype = ctypes.c_int64
print(lib.sqlite3_memory_used())
"""


@pytest.mark.parametrize("first", ["wangge-first", "sqlite3-first"])
def test_sqlite_counts_its_memory_only_if_it_started_before_the_module_was_imported(
    tmp_path, first
):
    # Imported before Python's sqlite3 (whose import starts SQLite), the module turns
    # SQLite's memory statistics off for the process (its allocations then take no
    # mutex); once SQLite has started it leaves them alone.
    out = subprocess.run(
        [sys.executable, "-c", MEMORY_USED, first, str(tmp_path / "a.db")],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    used = int(out.strip())
    if first == "wangge-first":
        assert used == 0, "statistics off: SQLite counts nothing"
    else:
        assert used > 0, "statistics on, as the process started them"
