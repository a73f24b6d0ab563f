"""The monthly report benchmark against DuckDB, in the same run over the same data.

Installs duckdb into the running interpreter's environment (the repo's .venv when run
through `make bench-report`), runs `examples/bench_report.rs` (which builds the store of
100,000 grids and 5,000,000 entries once, times the report cold and maintained, and
dumps the same facts as CSV), loads the CSV into DuckDB, runs the same aggregation there
(per row: the month's received, resolved, closed, dispatched and signed, and each
entry's standing at the month's end, from its events), checks that every figure agrees
with the report, and prints the times as ratios to DuckDB's.

Not part of `make test`: it takes about ten minutes the first time (building the store).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "build" / "bench-report" / "duck"

FIELDS = [
    "received",
    "resolved",
    "closed",
    "received_resolved",
    "due",
    "due_on_time",
    "resolved_on_time",
    "dispatched",
    "signed",
    "signed_on_time",
    "pending",
    "hard",
    "overdue",
]

# Each entry counted as the report counts it, from its events up to the month's end.
QUERY = """
WITH ev AS (SELECT * FROM events WHERE "at" <= $end),
last AS (
  SELECT entry_id, arg_max(struct_pack(status := status, hard := hard, deadline := deadline,
                                       suspended := suspended, fr := first_resolved), seq) AS st
  FROM ev GROUP BY entry_id),
firstres AS (
  SELECT entry_id, arg_min("at", seq) AS at_, arg_min(deadline, seq) AS deadline
  FROM ev WHERE action = 'resolve' GROUP BY entry_id),
closes AS (
  SELECT DISTINCT entry_id FROM ev WHERE action = 'close' AND "at" >= $start),
disp AS (
  SELECT entry_id, action, "at", sign_due,
         lead(action) OVER w AS next_action, lead("at") OVER w AS next_at
  FROM ev WHERE action IN ('register', 'escalate', 'return', 'sign_for')
  WINDOW w AS (PARTITION BY entry_id ORDER BY seq)),
dispatch AS (
  SELECT entry_id, count(*) AS dispatched,
         count(*) FILTER (next_action = 'sign_for') AS signed,
         count(*) FILTER (next_action = 'sign_for'
                          AND next_at <= coalesce(sign_due, 9223372036854775807)) AS signed_on_time
  FROM disp WHERE action <> 'sign_for' AND "at" >= $start GROUP BY entry_id),
per AS (
  SELECT u.row AS row, e.reported BETWEEN $start AND $end AS rec, l.st AS st,
         f.at_ AS fat, f.deadline AS fdl, c.entry_id IS NOT NULL AS closed,
         coalesce(d.dispatched, 0) AS dispatched, coalesce(d.signed, 0) AS signed,
         coalesce(d.signed_on_time, 0) AS signed_on_time,
         l.st.status IN ('registered', 'signed_for', 'in_progress', 'suspended') AS open
  FROM last l JOIN entries e ON e.id = l.entry_id JOIN units u ON u.code = e.unit
  LEFT JOIN firstres f ON f.entry_id = l.entry_id
  LEFT JOIN closes c ON c.entry_id = l.entry_id
  LEFT JOIN dispatch d ON d.entry_id = l.entry_id)
SELECT row,
  count(*) FILTER (rec) AS received,
  count(*) FILTER (fat BETWEEN $start AND $end) AS resolved,
  count(*) FILTER (closed) AS closed,
  count(*) FILTER (rec AND st.fr IS NOT NULL) AS received_resolved,
  count(*) FILTER (st.deadline BETWEEN $start AND $end AND st.suspended IS NULL) AS due,
  count(*) FILTER (st.deadline BETWEEN $start AND $end AND st.suspended IS NULL
                   AND st.fr <= st.deadline) AS due_on_time,
  count(*) FILTER (fat BETWEEN $start AND $end AND fat <= fdl) AS resolved_on_time,
  sum(dispatched) AS dispatched, sum(signed) AS signed, sum(signed_on_time) AS signed_on_time,
  count(*) FILTER (open AND st.hard = 0) AS pending,
  count(*) FILTER (open AND st.hard = 1) AS hard,
  count(*) FILTER (open AND coalesce(st.suspended, $end) > st.deadline) AS overdue
FROM per GROUP BY row ORDER BY row
"""


def duckdb_module():
    try:
        import duckdb
    except ImportError:
        subprocess.check_call([sys.executable, "-m", "pip", "install", "--quiet", "duckdb"])
        import duckdb
    return duckdb


def main() -> int:
    duckdb = duckdb_module()
    subprocess.check_call(
        ["cargo", "run", "--release", "--quiet", "-p", "wangge-core", "--example",
         "bench_report", "--", "--dump", str(OUT)],
        cwd=ROOT,
    )
    ours = json.loads((OUT / "wangge.json").read_text())
    con = duckdb.connect()
    threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
    t = time.perf_counter()
    for table in ("units", "entries", "events"):
        con.execute(f"CREATE TABLE {table} AS SELECT * FROM read_csv('{OUT / (table + '.csv')}', header = true)")
    load = time.perf_counter() - t
    params = {"start": ours["start"], "end": ours["end"]}
    times = []
    for _ in range(3):
        t = time.perf_counter()
        got = con.execute(QUERY, params).fetchall()
        times.append(time.perf_counter() - t)
    duck = {str(r[0]): dict(zip(FIELDS, (int(x or 0) for x in r[1:]))) for r in got}
    mine = {r["row"]: {f: r[f] for f in FIELDS} for r in ours["rows"]}
    zero = dict.fromkeys(FIELDS, 0)
    differ = [
        (row, mine.get(row, zero), duck.get(row, zero))
        for row in sorted(set(mine) | set(duck))
        if mine.get(row, zero) != duck.get(row, zero)
    ]
    best = min(times)
    print(f"DuckDB {duckdb.__version__} ({threads} threads), same facts loaded from CSV in {load:.1f} s")
    print(f"  DuckDB, the same aggregation (best of 3):  {best:8.3f} s")
    print(f"  wangge, cold store:                        {ours['cold_s']:8.3f} s   = {ours['cold_s'] / best:.3f}x DuckDB")
    print(f"  wangge, maintained columns:                {ours['maintained_s']:8.3f} s   = {ours['maintained_s'] / best:.3f}x DuckDB")
    print(f"  wangge, after 10,000 more entries:         {ours['after_write_s']:8.3f} s   = {ours['after_write_s'] / best:.3f}x DuckDB")
    print(f"  SQLite GROUP BY over the raw rows:         {ours['sqlite_group_by_s']:8.3f} s   = {ours['sqlite_group_by_s'] / best:.3f}x DuckDB")
    if differ:
        for row, a, b in differ[:5]:
            print(f"  row {row} differs:\n    wangge {a}\n    duckdb {b}")
        return 1
    print(f"  every figure of all {len(mine)} rows agrees")
    return 0


if __name__ == "__main__":
    sys.exit(main())
