"""Handheld terminals (手持终端): a grid checked out to a device file, worked offline with
the same API, merged home once with its conflicts reported."""

from __future__ import annotations

import threading

import pytest
from conftest import build_county

import wangge

GRID = "512021100001001"
GRID2 = "512021100001002"


@pytest.fixture
def home(tmp_path):
    """The county in a file: three households and worker W1 in the first grid, an open
    entry there (its id)."""
    store = build_county(wangge.Store(tmp_path / "home.db"))
    store.add_staff("W1", "王芳")
    store.add_staff("W2", "李强")
    store.assign("W1", GRID, "grid_worker", "2024-01-01")
    for i in range(3):
        store.add_household(f"H{i}", GRID, "海慧路", start="2024-01-01")
    entry = store.register(GRID, None, "路灯不亮", "2026-11-16T09:00:00+08:00").id
    yield store, entry
    store.close()


def test_a_device_is_worked_offline_and_merged_once(home, tmp_path):
    store, entry = home
    path = tmp_path / "w1.db"
    checkout = store.checkout(GRID, "W1", path)
    assert isinstance(checkout, wangge.Checkout)
    assert (checkout.unit, checkout.staff_id, checkout.households) == (GRID, "W1", 3)
    assert len(checkout.device_id) == 32
    assert checkout.to_dict()["entries"] == 1

    with wangge.Store(path) as device:
        assert (device.scope_root, device.actor) == (GRID, "W1")
        device.record_visit("H0", "W1", "home", "2026-11-23", "入户走访")
        device.record_patrol(GRID, "W1", "2026-11-23T08:30:00+08:00", "一日双巡")
        device.sign_for(entry, "W1", "2026-11-23T10:00:00+08:00")
        with pytest.raises(wangge.PermissionDenied):
            device.add_household("H9", GRID, "海慧路")
        with pytest.raises((wangge.PermissionDenied, wangge.NotFound)):
            device.record_patrol(GRID2, "W1", "2026-11-23T09:00:00+08:00")
        assert device.verify_audit()

    result = store.merge(path)
    assert isinstance(result, wangge.MergeResult)
    assert (result.applied, result.skipped, result.conflicts) == (3, 0, [])
    assert len(result.digest) == 64
    assert [v.on.isoformat() for v in store.visits("H0")] == ["2026-11-23"]
    assert store.entry(entry).status == "signed_for"
    assert store.history(entry)[-1].at.isoformat() == "2026-11-23T10:00:00+08:00"
    assert store.verify_audit()

    again = store.merge(path)
    assert (again.applied, again.skipped, again.conflicts) == (0, 3, [])
    assert len(store.visits("H0")) == 1


def test_a_refresh_keeps_and_shows_unmerged_work(home, tmp_path):
    store, entry = home
    path = tmp_path / "w1.db"
    store.checkout(GRID, "W1", path)
    with wangge.Store(path) as device:
        device.record_visit("H0", "W1", "home", "2026-11-23")
        device.sign_for(entry, "W1", "2026-11-23T10:00:00+08:00")
    store.add_household("H3", GRID, "海慧路", start="2026-11-01")

    refreshed = store.checkout(GRID, "W1", path)
    assert (refreshed.refreshed, refreshed.kept_items) == (True, 2)
    with wangge.Store(path) as device:
        assert device.household("H3").household_id == "H3"
        assert len(device.visits("H0")) == 1
        assert device.entry(entry).status == "signed_for"
        device.start(entry, "W1", "2026-11-24T09:00:00+08:00")

    result = store.merge(path)
    assert (result.applied, result.conflicts) == (3, [])
    assert len(store.visits("H0")) == 1
    assert store.entry(entry).status == "in_progress"


def test_a_conflict_is_reported_once_with_its_reason(home, tmp_path):
    store, entry = home
    path = tmp_path / "w1.db"
    store.checkout(GRID, "W1", path)
    with wangge.Store(path) as device:
        device.sign_for(entry, "W1", "2026-11-23T10:00:00+08:00")
        device.record_visit("H1", "W1", "phone", "2026-11-24")
    store.escalate(entry, "2026-11-23T15:00:00+08:00", "需社区协调")
    result = store.merge(path)
    assert result.applied == 1
    [conflict] = result.conflicts
    assert isinstance(conflict, wangge.MergeConflict)
    assert (conflict.device_seq, conflict.kind, conflict.reason) == (1, "entry_action", "entry_moved_on")
    assert conflict.entry_id == entry
    assert conflict.global_id == f"{result.device_id}:1"
    assert "事项" in conflict.message_zh
    assert result.to_dict()["conflicts"][0]["reason"] == "entry_moved_on"
    assert store.merge(path).conflicts == []


def test_a_withdrawn_checkout_applies_nothing(home, tmp_path):
    store, _ = home
    path = tmp_path / "w1.db"
    device_id = store.checkout(GRID, "W1", path).device_id
    with wangge.Store(path) as device:
        device.record_visit("H0", "W1", "home", "2026-11-23")
    store.withdraw_checkout(device_id)
    with pytest.raises(wangge.NotFound):
        store.withdraw_checkout("no-such-device")
    result = store.merge(path)
    assert result.applied == 0
    assert [c.reason for c in result.conflicts] == ["withdrawn"]
    assert store.visits("H0") == []


def test_refusals_are_typed_and_write_nothing(home, tmp_path):
    store, _ = home
    with pytest.raises(wangge.Conflict):
        store.checkout(GRID, "W2", tmp_path / "w2.db")
    assert not (tmp_path / "w2.db").exists()
    with pytest.raises(wangge.Conflict):
        store.merge(tmp_path / "home.db")
    (tmp_path / "junk.db").write_bytes(b"not a store at all, not even SQLite")
    with pytest.raises(wangge.StorageError):
        store.merge(tmp_path / "junk.db")
    with pytest.raises(wangge.InvalidInput):
        store.checkout(GRID, "W1", "")


def test_merge_releases_the_gil(home, tmp_path):
    store, _ = home
    path = tmp_path / "w1.db"
    store.checkout(GRID, "W1", path)
    with wangge.Store(path) as device:
        device.record_visits(
            [{"household_id": f"H{i % 3}", "staff_id": "W1", "channel": "phone",
              "on": "2026-11-02"} for i in range(300)]
        )
    ticks = []
    done = threading.Event()

    def tick():
        while not done.is_set():
            ticks.append(1)
            done.wait(0.001)

    ticker = threading.Thread(target=tick)
    ticker.start()
    try:
        result = store.merge(path)
    finally:
        done.set()
        ticker.join()
    assert result.applied == 300
    assert len(ticks) > 1


def test_a_device_of_its_own_key_opens_and_merges_only_with_it(home, tmp_path):
    store, _ = home
    path = tmp_path / "w1.db"
    key = b"device-key-of-w1-0123456789"
    with pytest.raises(wangge.InvalidInput):
        store.checkout(GRID, "W1", path, key=b"short")
    store.checkout(GRID, "W1", path, key=key)
    with pytest.raises(wangge.PermissionDenied):
        wangge.Store(path)
    with wangge.Store(path, key=key) as device:
        assert device.info().keyed
        device.record_visit("H0", "W1", "home", "2026-11-23")
    with pytest.raises(wangge.PermissionDenied):
        store.merge(path)
    assert store.visits("H0") == []
    assert store.merge(path, key=key).applied == 1
    assert len(store.visits("H0")) == 1
