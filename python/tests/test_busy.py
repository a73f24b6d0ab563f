"""Writers that wait, then say Busy: the busy time is an option of the store, a write
that cannot get the file within it raises ``wangge.Busy`` (a ``StorageError``) having
written nothing, and reads go on meanwhile."""

import subprocess
import sys
import threading
import time

import pytest

import wangge

# Another process holding the store's write lock, as a nightly import would: it says
# "locked" once it holds it and lets go when its standard input closes.
HOLDER = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.read()
db.execute("COMMIT")
"""


@pytest.fixture
def path(tmp_path):
    return str(tmp_path / "busy.db")


def hold_lock(path):
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, path],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "locked"
    return holder


def test_busy_is_a_storage_error_under_wangge_error():
    assert issubclass(wangge.Busy, wangge.StorageError)
    assert issubclass(wangge.Busy, wangge.Error)


def test_the_busy_time_defaults_to_a_minute_and_can_be_chosen(path):
    with wangge.Store(path) as store:
        assert store.info().busy_timeout_ms == 60_000
    with wangge.Store(path, busy_timeout_ms=250) as store:
        assert store.info().busy_timeout_ms == 250
        assert store.info().to_dict()["busy_timeout_ms"] == 250


@pytest.mark.parametrize("absurd", [-1, 600_001, 10**12])
def test_an_absurd_busy_time_is_refused_naming_it(path, absurd):
    with pytest.raises(wangge.InvalidInput, match="busy_timeout_ms"):
        wangge.Store(path, busy_timeout_ms=absurd)


def test_a_write_during_another_process_write_waits_then_raises_busy(path):
    store = wangge.Store(path, busy_timeout_ms=300)
    store.add_unit("512021", "安岳县", "county")
    before = len(store.audit_log())
    holder = hold_lock(path)
    try:
        started = time.monotonic()
        with pytest.raises(wangge.Busy, match="busy_timeout_ms"):
            store.add_unit("512021100", "岳阳镇", "township", parent="512021")
        assert time.monotonic() - started >= 0.25
        # Reads do not wait for the writer.
        started = time.monotonic()
        assert store.unit("512021").name == "安岳县"
        assert time.monotonic() - started < 0.25
    finally:
        holder.stdin.close()
        assert holder.wait(timeout=30) == 0
    assert len(store.audit_log()) == before
    store.add_unit("512021100", "岳阳镇", "township", parent="512021")
    assert [u.code for u in store.children("512021")] == ["512021100"]
    assert store.verify_audit().ok
    store.close()


def test_a_write_waits_for_a_lock_let_go_within_the_busy_time(path):
    store = wangge.Store(path)
    store.add_unit("512021", "安岳县", "county")
    holder = hold_lock(path)
    # The holder lets go after 0.3 s, well within the default minute, while the write
    # waits (the write releases the GIL, so the timer's thread runs meanwhile).
    release = threading.Timer(0.3, holder.stdin.close)
    started = time.monotonic()
    release.start()
    store.add_unit("512021100", "岳阳镇", "township", parent="512021")
    waited = time.monotonic() - started
    release.join()
    assert holder.wait(timeout=30) == 0
    assert waited >= 0.25
    assert [u.code for u in store.children("512021")] == ["512021100"]
    store.close()


def rows(first, count):
    return [
        {
            "household_id": f"B{h}",
            "unit": "512021100001001",
            "address": f"幸福路{h}号",
            "kind": "registered",
            "name": f"居民{h}",
            "relation": "head",
        }
        for h in range(first, first + count)
    ]


def test_a_thread_reads_while_another_thread_imports_on_the_same_store(county_file):
    """The import stops in its progress callback, holding the write lock, until the
    reading thread has had its answers: they come at once, from the last commit."""
    store = wangge.Store(county_file)
    store.import_households(rows(0, 10))
    importing = threading.Event()
    answered = threading.Event()

    def progress(done, total):
        if done == 1000:
            importing.set()
            # Were reads to wait for the writer, this would time out.
            assert answered.wait(timeout=30)
        return True

    result = {}

    def run_import():
        result["import"] = store.import_households(rows(10, 2000), progress=progress)

    importer = threading.Thread(target=run_import)
    importer.start()
    assert importing.wait(timeout=30)
    try:
        assert len(store.households("512021")) == 10
        assert store.unit("512021100001001").name == "北坝一网格"
        assert store.due_visits("512021") == store.due_visits("512021")
        assert store.unit_counts("512021")[0].households == 10
    finally:
        answered.set()
        importer.join(timeout=60)
    assert result["import"].inserted == 4000  # 2,000 households and their heads
    assert len(store.households("512021")) == 2010
    store.close()
