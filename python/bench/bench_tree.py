"""The national tree from Python: 665,276 units loaded with `Store.add_units`, from a
list of tuples, from a list of dicts and from a pyarrow table (read through the Arrow
stream), each as a ratio to the Rust load of the same units in the same run (target
≤ 1.3×).

Runs `examples/bench_tree.rs --units` in release twice: as `make bench` builds it
(SQLite compiled into the library) and linked to the platform's libsqlite3, the SQLite the
Python module runs on (the interpreter's, so that a process holds one SQLite). Each writes
the same generated units to build/bench-tree/units.json and prints its faster of two
loads. Then each Python form loads them into a fresh store twice, the faster counted.
The second ratio sets Python beside Rust on the same SQLite: what the binding costs.

Use a release build of the module (`maturin develop --release`, as `make bench` does).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import wangge

ROOT = Path(__file__).resolve().parent.parent.parent
UNITS = ROOT / "build" / "bench-tree" / "units.json"
LEVELS = [("province", 2), ("city", 4), ("county", 6), ("township", 9), ("village", 12)]
TARGET = 1.3


def rust_load(*features: str) -> dict:
    """The Rust side: the units written to UNITS, and its faster load in ms."""
    cargo = os.environ.get("CARGO", "cargo")
    command = [cargo, "run", "--release", "--quiet", "-p", "wangge-core", *features]
    command += ["--example", "bench_tree", "--", "--units", str(UNITS)]
    out = subprocess.run(command, cwd=ROOT, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def python_load(units: list) -> float:
    """The faster of two loads of `units` into a fresh store, in ms."""
    best = float("inf")
    folder = Path(tempfile.mkdtemp(prefix="wangge-bench-tree-"))
    try:
        for run in range(2):
            store = wangge.Store(folder / f"py-{run}.db", levels=LEVELS)
            # What the loads before left for the kernel to write back is written now, not
            # during this load (bench_tree.rs does the same before each of its loads).
            os.sync()
            start = time.perf_counter()
            loaded = store.add_units(units)
            best = min(best, (time.perf_counter() - start) * 1e3)
            assert loaded == len(units), loaded
            store.close()
    finally:
        shutil.rmtree(folder)
    return best


def main() -> None:
    UNITS.parent.mkdir(parents=True, exist_ok=True)
    bundled = rust_load()
    platform = rust_load("--no-default-features")
    rows = json.loads(UNITS.read_text(encoding="utf-8"))
    tuples = [tuple(r) for r in rows]
    dicts = [{"code": c, "name": n, "level": lv, "parent": p} for c, n, lv, p in rows]
    import pyarrow

    table = pyarrow.table(
        {key: [r[i] for r in rows] for i, key in enumerate(("code", "name", "level", "parent"))}
    )
    del rows
    print(f"national tree from Python: {len(tuples):,} units")
    print(
        f"  Rust load, SQLite compiled in ({bundled['sqlite']}):      {bundled['load_ms']:8.0f} ms"
    )
    print(
        f"  Rust load, the platform's SQLite ({platform['sqlite']}):  {platform['load_ms']:8.0f} ms"
        f"   ({platform['load_ms'] / bundled['load_ms']:.2f}x the compiled-in one)"
    )
    for name, units in (("tuples", tuples), ("dicts", dicts), ("table", table)):
        took = python_load(units)
        print(
            f"  Python, {name:6}:  {took:8.0f} ms = {took / bundled['load_ms']:.2f}x the Rust load"
            f" (target <= {TARGET}x); {took / platform['load_ms']:.2f}x Rust on the same SQLite"
        )
    assert wangge.Store(":memory:").info().sqlite_version == platform["sqlite"]


if __name__ == "__main__":
    main()
