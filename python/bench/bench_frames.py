"""The frames benchmark: 1,000,000 due items and 1,000,000 ledger entries into pandas
DataFrames from Python, each as a ratio to the Rust call alone (target ≤ 2×).

Runs `examples/bench_frames.rs` in release (which builds the store once, in
build/bench-frames/frames.db, and times `due_visits` and `entries` of the whole county
in Rust, best of 3), then from Python on the same file times `store.due_visits(...)`
and `store.entries(...)` followed by `.to_pandas()`, best of 3 after one untimed run,
and prints each ratio to the Rust call. Use a release build of the module
(`maturin develop --release`) for figures that mean something.

Not part of `make test`: the first run builds the store (a few minutes).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import wangge

ROOT = Path(__file__).resolve().parent.parent.parent
STORE = ROOT / "build" / "bench-frames" / "frames.db"
COUNTY = "512021"
ON = "2025-05-15"
AT = datetime(2025, 12, 31, 10, 0, tzinfo=timezone(timedelta(hours=8)))


def rust_times() -> dict:
    """The Rust example's figures (the last line it prints)."""
    out = subprocess.run(
        ["cargo", "run", "--release", "--quiet", "-p", "wangge-core", "--features", "arrow",
         "--example", "bench_frames", "--", str(STORE)],
        cwd=ROOT, check=True, capture_output=True, text=True,
    ).stdout
    print(out.strip())
    return json.loads(out.strip().splitlines()[-1])


def best_of_3(f):
    """The best of 3 timed runs of f (after one untimed run), and its last result; the
    previous result is freed before each run, outside the time."""
    out = f()
    best = float("inf")
    for _ in range(3):
        out = None
        t = time.perf_counter()
        out = f()
        best = min(best, time.perf_counter() - t)
    return best, out


def framed(page):
    """The page and its DataFrame, both kept (freeing them is outside the time, as the
    Rust call's result is freed outside its time)."""
    return page, page.to_pandas()


def main() -> None:
    rust = rust_times()
    with wangge.Store(STORE, read_only=True) as store:
        call_due, page = best_of_3(lambda: store.due_visits(COUNTY, ON))
        page = None
        frame_due, (page, frame) = best_of_3(lambda: framed(store.due_visits(COUNTY, ON)))
        assert len(frame) == rust["due_items"] == len(page), (len(frame), rust["due_items"])
        page = frame = None
        call_entries, page = best_of_3(lambda: store.entries(COUNTY, AT))
        n = len(page)
        page = None
        frame_entries, (page, frame) = best_of_3(lambda: framed(store.entries(COUNTY, AT)))
        assert len(frame) == rust["entries"] == n, (len(frame), rust["entries"])
    rows = [
        ("due_visits", rust["due_items"], rust["due_s"], call_due, frame_due),
        ("entries", rust["entries"], rust["entries_s"], call_entries, frame_entries),
    ]
    print(f"{'list':<12}{'rows':>10}{'Rust call':>11}{'Py call':>9}{'Py+pandas':>11}{'ratio':>7}")
    for name, n, r, call, total in rows:
        print(f"{name:<12}{n:>10}{r:>10.3f}s{call:>8.3f}s{total:>10.3f}s{total / r:>6.2f}x")
    print("ratio: (Python call + to_pandas) / Rust call alone; target ≤ 2×")


if __name__ == "__main__":
    sys.exit(main())
