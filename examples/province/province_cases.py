"""Builds the two county stores of python/tests/province_common.py under a directory,
exports them, and writes `cases.json` there: for each county's units and a few periods,
and for the two counties together, the facts' glob, the unit, the period and the figures
Store.report gives (report_duckdb.figures's shape), for report_spark.py --cases.

    .venv/bin/python examples/province/province_cases.py build/province-spark
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "python" / "tests"))
sys.path.insert(0, str(ROOT / "examples" / "province"))
import report_duckdb  # noqa: E402
from province_common import build  # noqa: E402

COUNTIES = {"512021": 20_250_101, "512022": 20_250_202}
PERIODS = ["2025-03", "2025-Q1", "2025-W10"]


def main(base: Path) -> None:
    shutil.rmtree(base, ignore_errors=True)
    base.mkdir(parents=True)
    cases = []
    stores = {}
    for county, seed in COUNTIES.items():
        store = build(base / f"{county}.db", county, seed)
        store.export_parquet(base / "out" / county)
        stores[county] = store
        for unit in [county, county + "100001"]:
            for period in PERIODS:
                expected = report_duckdb.figures(store.report(unit, period).to_json())
                cases.append({"facts": str(base / "out" / county), "unit": unit, "period": period, "expected": expected})
    for period in PERIODS:
        reports = {c: report_duckdb.figures(s.report(c, period).to_json()) for c, s in stores.items()}
        a, b = reports.values()
        rows = []
        for county in sorted(COUNTIES):
            row = {"unit": county, "name": f"县{county}", "level": "county", "own": False}
            row.update(reports[county]["totals"])
            rows.append(row)
        # The level above: the same figures from the DuckDB run, checked here to be the sum.
        together = report_duckdb.report(str(base / "out" / "*"), None, period)
        assert together["totals"] == report_duckdb.add(a["totals"], b["totals"]), period
        assert together["rows"] == rows, period
        cases.append({"facts": str(base / "out" / "*"), "unit": None, "period": period, "expected": together})
    for store in stores.values():
        store.close()
    (base / "cases.json").write_text(json.dumps(cases, ensure_ascii=False), encoding="utf-8")
    print(f"{len(cases)} cases in {base / 'cases.json'}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
