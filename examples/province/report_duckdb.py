"""Runs examples/province/report.sql in DuckDB and gives the report in the shape of
Store.report(...).to_json(): {"totals", "rows", "by_category", "by_book"}, every rate as
{"num", "den", "value"}. Also the helpers the tests, the Spark job and the benchmark
share: `shape` (report.sql's rows into that shape), `figures` (the same parts of
Store.report's JSON) and `add` (two reports' totals summed, rates recomputed).

    python examples/province/report_duckdb.py 'out/*' 512021 2025-Q1
    python examples/province/report_duckdb.py 'out/*' - 2025-Q1     # the level above
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

SQL_PATH = Path(__file__).with_name("report.sql")

LEDGER_COUNTS = ["received", "resolved", "closed", "pending", "hard", "overdue"]
LEDGER_RATES = ["closure_rate", "due_closure_rate", "timely_rate", "sign_for_rate", "timely_sign_for_rate"]
COUNTS = LEDGER_COUNTS + ["visits_home", "visits_phone", "households", "special_households", "residents", "floating"]
RATES = LEDGER_RATES + ["home_coverage", "rule_compliance", "report_completeness", "report_timeliness"]


def rate(num: int, den: int) -> dict:
    return {"num": num, "den": den, "value": num / den if den else None}


def _indicators(row: dict, counts: list[str], rates: list[str]) -> dict:
    out = {k: int(row[k]) for k in counts}
    for r in rates:
        out[r] = rate(int(row[f"{r}_num"]), int(row[f"{r}_den"]))
    return out


def shape(rows: list[dict]) -> dict:
    """report.sql's output rows as Store.report's JSON shape."""
    out: dict = {"totals": None, "rows": [], "by_category": [], "by_book": []}
    for row in rows:
        section = row["section"]
        if section == "row":
            item = {"unit": row["key"], "name": row["name"], "level": row["level"], "own": bool(row["own"])}
            item.update(_indicators(row, COUNTS, RATES))
            out["rows"].append(item)
        elif section == "total":
            out["totals"] = _indicators(row, COUNTS, RATES)
        else:
            item = {"key": row["key"]}
            item.update(_indicators(row, LEDGER_COUNTS, LEDGER_RATES))
            out["by_category" if section == "category" else "by_book"].append(item)
    return out


def figures(report_json: dict | str) -> dict:
    """The parts of Store.report's JSON that report.sql gives, with the same keys."""
    if isinstance(report_json, str):
        report_json = json.loads(report_json)
    keep_row = ["unit", "name", "level", "own"] + COUNTS + RATES
    return {
        "totals": {k: report_json["totals"][k] for k in COUNTS + RATES},
        "rows": [{k: r[k] for k in keep_row} for r in report_json["rows"]],
        "by_category": [
            {k: r[k] for k in ["key"] + LEDGER_COUNTS + LEDGER_RATES} for r in report_json["by_category"]
        ],
        "by_book": [{k: r[k] for k in ["key"] + LEDGER_COUNTS + LEDGER_RATES} for r in report_json["by_book"]],
    }


def add(a: dict, b: dict) -> dict:
    """The sum of two totals (of `figures` or `shape`): counts and numerators and
    denominators added, rates recomputed from them."""
    out = {k: a[k] + b[k] for k in COUNTS}
    for r in RATES:
        out[r] = rate(a[r]["num"] + b[r]["num"], a[r]["den"] + b[r]["den"])
    return out


def _literal(value: str | None) -> str:
    return "NULL" if value is None else "'" + value.replace("'", "''") + "'"


def report(facts: str, unit: str | None, period: str, con=None) -> dict:
    """report.sql over the files under `facts` (a directory or a glob of them) for `unit`
    (None: the level above every store's top unit) and `period`."""
    import duckdb

    con = con or duckdb.connect()
    con.execute(f"SET VARIABLE facts = {_literal(str(facts))}")
    con.execute(f"SET VARIABLE unit = {_literal(unit)}")
    con.execute(f"SET VARIABLE period = {_literal(period)}")
    cursor = con.execute(SQL_PATH.read_text(encoding="utf-8"))
    names = [c[0] for c in cursor.description]
    return shape([dict(zip(names, r)) for r in cursor.fetchall()])


if __name__ == "__main__":
    facts, unit, period = sys.argv[1:4]
    print(json.dumps(report(facts, None if unit == "-" else unit, period), ensure_ascii=False, indent=1))
