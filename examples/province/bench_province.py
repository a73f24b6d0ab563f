"""The province benchmark's second half (`make bench-province`): after
`cargo run --release --example bench_province` has exported 20 county stores and summed
their 20 Store.report calls (reports.json), runs examples/province/report.sql in DuckDB
over all their Parquet files at once, checks that its totals and per-county rows equal
the sum and that the city store's report from the counties' received submissions equals
it too, and prints the times and ratios of the one run.

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
    # The city's completeness and timeliness also count the counties' own quarterly
    # reports, all submitted on time: one more due report and one more received per county.
    expected = dict(summed)
    for r in ("report_completeness", "report_timeliness"):
        num, den = summed[r]["num"] + run["counties"], summed[r]["den"] + run["counties"]
        expected[r] = report_duckdb.rate(num, den)
    city_equal = {k: run["city_totals"].get(k) for k in expected} == expected
    print(f"  city store: receive {run['counties']} submissions {run['receive_s']:.3f} s, "
          f"its report {run['city_report_s']:.4f} s")
    print(f"  ratios: DuckDB / reports {duck_s / run['reports_s']:.2f}, export / reports {run['export_s'] / run['reports_s']:.2f}, "
          f"reports / city report {run['reports_s'] / max(run['city_report_s'], 1e-9):.0f}")
    print(f"  figures agree: {'yes' if equal else 'NO'} (received {got['totals']['received']:,}, "
          f"households {got['totals']['households']:,})")
    print(f"  city's figures equal the counties' summed: {'yes' if city_equal else 'NO'}")
    return 0 if equal and city_equal else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
