"""Concurrent use from Python threads: the GIL is released around database work, and
handles shared between threads give the right answers."""

from __future__ import annotations

import threading

from conftest import codes

import wangge

EXTRA_GRIDS = 300


def grow(store: wangge.Store) -> list[str]:
    """Adds many grids under the first two communities and returns every grid code."""
    rows = []
    for community in ("512021100001", "512021100002"):
        for i in range(100, 100 + EXTRA_GRIDS // 2):
            rows.append((f"{community}{i:03d}", f"网格{i}", "grid", community))
    store.add_units(rows)
    return codes(store.descendants("512021", level="grid"))


def run_threads(targets) -> None:
    threads = [threading.Thread(target=t) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads)


def test_two_threads_querying_descendants_both_finish_with_the_right_results(county):
    expected = grow(county)
    assert len(expected) == 4 + EXTRA_GRIDS
    results: dict[str, list[list[str]]] = {"a": [], "b": []}
    errors: list[BaseException] = []

    def work(name: str, handle: wangge.Store) -> None:
        try:
            for _ in range(40):
                results[name].append(codes(handle.descendants("512021", level="grid")))
        except BaseException as e:  # noqa: BLE001 - reported by the assertion below
            errors.append(e)

    scope = county.scope("512021", "县")
    run_threads([lambda: work("a", county), lambda: work("b", scope)])
    assert errors == []
    assert len(results["a"]) == len(results["b"]) == 40
    assert all(r == expected for r in results["a"] + results["b"])


def test_writes_from_one_thread_and_reads_from_another_stay_consistent(county):
    added: list[str] = []
    seen: list[int] = []
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            for i in range(100, 160):
                code = f"512021101001{i:03d}"
                county.add_unit(code, f"组{i}", "grid", "512021101001")
                added.append(code)
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    def reader() -> None:
        try:
            for _ in range(60):
                seen.append(len(county.children("512021101001")))
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    run_threads([writer, reader])
    assert errors == []
    assert len(added) == 60
    # Each read saw a whole number of committed writes, never fewer than before them.
    assert all(1 <= n <= 61 for n in seen)
    assert seen == sorted(seen)
    assert len(county.children("512021101001")) == 61
    assert county.verify_audit().ok
    assert county.verify_audit().records == 10 + 60


def test_closing_in_one_thread_while_another_reads_never_crashes(county):
    outcomes: list[str] = []
    reading = threading.Event()

    def reader() -> None:
        # Reads until the close is seen (bounded, so a bug cannot hang the suite).
        for _ in range(1_000_000):
            try:
                county.children("512021")
                outcomes.append("ok")
                reading.set()
            except wangge.StorageError as e:
                assert "closed" in str(e)
                outcomes.append("closed")
                return

    thread = threading.Thread(target=reader)
    thread.start()
    assert reading.wait(timeout=60)
    county.close()
    thread.join(timeout=60)
    assert not thread.is_alive()
    assert outcomes[0] == "ok"
    assert outcomes[-1] == "closed"
    assert outcomes.count("closed") == 1
