"""The province benchmark's second half (`make bench-province`): after
`cargo run --release --example bench_province` has exported 20 county stores and summed
their 20 Store.report calls (reports.json), runs examples/province/report.sql in DuckDB
over all their Parquet files at once, checks that its totals and per-county rows equal
the sum, and prints the times and ratios of the one run.

    python examples/province/bench_province.py build/bench-province/20x250000/reports.json
"""

from __future__ import annotations

import json
import sys
import time
from functools import reduce
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import report_duckdb  # noqa: E402


def main(path: str) -> int:
    run = json.loads(Path(path).read_text(encoding="utf-8"))
    import duckdb

    con = duckdb.connect()
    t = time.monotonic()
    got = report_duckdb.report(run["facts"], None, run["period"], con)
    duck_s = time.monotonic() - t
    t = time.monotonic()
    report_duckdb.report(run["facts"], None, run["period"], con)
    duck_warm_s = time.monotonic() - t
    summed = reduce(report_duckdb.add, run["county_totals"])
    rows_equal = [
        {k: v for k, v in row.items() if k not in ("unit", "name", "level", "own")} == totals
        for row, totals in zip(got["rows"], run["county_totals"])
    ]
    equal = got["totals"] == summed and len(got["rows"]) == run["counties"] and all(rows_equal)
    n = run["counties"] * run["entries_per_county"]
    print(f"{run['counties']} counties x {run['entries_per_county']:,} entries ({n:,}), {run['period']}:")
    print(f"  export (full)            {run['export_s']:8.1f} s  ({run['files']} files, {run['bytes'] / 1e6:.1f} MB)")
    print(f"  export (no change)       {run['increment_s']:8.1f} s")
    print(f"  {run['counties']} x Store.report, summed {run['reports_s']:8.1f} s")
    print(f"  DuckDB over all files    {duck_s:8.1f} s  (again: {duck_warm_s:.1f} s)")
    print("  city store from 20 received submissions: not measured (receive_submission not in this build)")
    print(f"  ratios: DuckDB / reports {duck_s / run['reports_s']:.2f}, export / reports {run['export_s'] / run['reports_s']:.2f}")
    print(f"  figures agree: {'yes' if equal else 'NO'} (received {got['totals']['received']:,}, "
          f"households {got['totals']['households']:,})")
    return 0 if equal else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
