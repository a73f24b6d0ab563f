"""The report of examples/province/report.sql as a PySpark job over the same Parquet
files: the tables are read into Spark views (the latest version of each row, days as day
numbers, moments as epoch seconds, as report.sql's first part does in DuckDB), then the
body of report.sql, from its marker on, runs as it stands in Spark SQL.

    python examples/province/report_spark.py FACTS UNIT PERIOD      # UNIT '-': the level above
    python examples/province/report_spark.py --cases cases.json     # checks each case

A cases file (written by examples/province/province_cases.py) lists {"facts", "unit",
"period", "expected"} with `expected` in report_duckdb.figures's shape; the job runs
each in local mode and prints, per case and in all, the time, the rows and whether every
figure equals Store.report's.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import report_duckdb  # noqa: E402

MARKER = "-- ==== body"
KIND_RANK = "CASE {c} WHEN 'day' THEN 0 WHEN 'week' THEN 1 WHEN 'month' THEN 2 WHEN 'quarter' THEN 3 WHEN 'half_year' THEN 4 ELSE 5 END"


def body_sql() -> str:
    """report.sql from its marker on, as one WITH query."""
    text = (HERE / "report.sql").read_text(encoding="utf-8")
    body = text[text.index(MARKER):].split("\n", 1)[1].strip().rstrip(";")
    return "WITH\n" + body


def period_bounds(text: str) -> tuple[str, int, date, date]:
    """The period's kind, its kind's rank, its first and last day (as report.sql parses it)."""
    def months_later(d: date, n: int) -> date:
        m = d.month - 1 + n
        return date(d.year + m // 12, m % 12 + 1, 1)

    y = int(text[:4])
    if len(text) == 10:
        d = date.fromisoformat(text)
        return "day", 0, d, d
    if len(text) == 4:
        return "year", 5, date(y, 1, 1), date(y, 12, 31)
    tag, n = text[5], text[5:]
    if tag == "W":
        first = date.fromisocalendar(y, int(n[1:]), 1)
        return "week", 1, first, first + timedelta(days=6)
    if tag == "Q":
        first = date(y, 3 * int(n[1]) - 2, 1)
        return "quarter", 3, first, months_later(first, 3) - timedelta(days=1)
    if tag == "H":
        first = date(y, 6 * int(n[1]) - 5, 1)
        return "half_year", 4, first, months_later(first, 6) - timedelta(days=1)
    first = date(y, int(n), 1)
    return "month", 2, first, months_later(first, 1) - timedelta(days=1)


def load(spark, facts: str) -> None:
    """The tables under `facts` (a directory or a glob of them) as report.sql's input views."""
    for table in [
        "store", "units", "reporting_rules", "reporting_periods", "households", "household_places",
        "household_special", "household_members", "requirements", "visits", "entries",
        "entry_events", "submissions",
    ]:
        spark.read.parquet(f"{facts}/{table}/*.parquet").createOrReplaceTempView(f"f_{table}")
    days = "unix_date({c})"
    views = {
        "latest_households": "SELECT store_id, household_id, max(export_seq) AS export_seq FROM f_households GROUP BY store_id, household_id",
        "latest_entries": "SELECT store_id, entry_id, max(export_seq) AS export_seq FROM f_entries GROUP BY store_id, entry_id",
        "in_store": "SELECT s.store_id, s.utc_offset_seconds AS off FROM f_store s JOIN (SELECT store_id, max(export_seq) AS export_seq FROM f_store GROUP BY store_id) l USING (store_id, export_seq)",
        "in_units": f"SELECT u.store_id, u.code, u.name, u.level, u.path, {days.format(c='u.valid_from')} AS valid_from, {days.format(c='u.valid_to')} AS valid_to, {days.format(c='u.start')} AS start, {days.format(c='u.retired')} AS retired FROM f_units u JOIN (SELECT store_id, max(export_seq) AS export_seq FROM f_units GROUP BY store_id) l USING (store_id, export_seq)",
        "in_rules": f"SELECT r.store_id, r.level, r.every, {days.format(c='r.valid_from')} AS valid_from, {days.format(c='r.valid_to')} AS valid_to FROM f_reporting_rules r JOIN (SELECT store_id, max(export_seq) AS export_seq FROM f_reporting_rules GROUP BY store_id) l USING (store_id, export_seq)",
        "in_periods": f"SELECT q.store_id, q.level, q.period, q.kind, {KIND_RANK.format(c='q.kind')} AS kind_rank, {days.format(c='q.last_day')} AS last_day, {days.format(c='q.deciding_day')} AS deciding_day, unix_seconds(q.due_at) AS due_at FROM f_reporting_periods q JOIN (SELECT store_id, max(export_seq) AS export_seq FROM f_reporting_periods GROUP BY store_id) l USING (store_id, export_seq)",
        "in_households": "SELECT h.store_id, h.household_id, CAST(h.floating AS INT) AS floating FROM f_households h JOIN latest_households USING (store_id, household_id, export_seq)",
        "in_places": f"SELECT p.store_id, p.household_id, p.unit, {days.format(c='p.valid_from')} AS valid_from, {days.format(c='p.valid_to')} AS valid_to FROM f_household_places p JOIN latest_households USING (store_id, household_id, export_seq)",
        "in_special": f"SELECT p.store_id, p.household_id, {days.format(c='p.valid_from')} AS valid_from, {days.format(c='p.valid_to')} AS valid_to FROM f_household_special p JOIN latest_households USING (store_id, household_id, export_seq)",
        "in_members": f"SELECT p.store_id, p.household_id, {days.format(c='p.valid_from')} AS valid_from, {days.format(c='p.valid_to')} AS valid_to FROM f_household_members p JOIN latest_households USING (store_id, household_id, export_seq)",
        "in_requirements": f"SELECT r.store_id, r.household_id, r.unit, {days.format(c='r.period_last')} AS period_last, CAST(r.met AS INT) AS met FROM f_requirements r JOIN latest_households USING (store_id, household_id, export_seq)",
        "in_visits": f"SELECT store_id, household_id, {days.format(c='day')} AS day, channel FROM f_visits",
        "in_entries": "SELECT e.store_id, e.entry_id, e.unit, e.category, unix_seconds(e.reported) AS reported FROM f_entries e JOIN latest_entries USING (store_id, entry_id, export_seq)",
        "in_books": "SELECT store_id, entry_id, explode(books) AS book FROM f_entries e JOIN latest_entries USING (store_id, entry_id, export_seq)",
        "in_events": "SELECT v.store_id, v.entry_id, v.seq, v.action, unix_seconds(v.`at`) AS moment, v.status, CAST(v.hard AS INT) AS hard, unix_seconds(v.deadline) AS deadline, unix_seconds(v.sign_due) AS sign_due, unix_seconds(v.suspended) AS suspended, unix_seconds(v.first_resolved) AS first_resolved FROM f_entry_events v JOIN latest_entries USING (store_id, entry_id, export_seq)",
        "in_submissions": "SELECT store_id, unit, period, min(unix_seconds(submitted_at)) AS submitted_at FROM f_submissions GROUP BY store_id, unit, period",
    }
    for name, sql in views.items():
        spark.sql(sql).createOrReplaceTempView(name)


def report(spark, facts: str, unit: str | None, period: str) -> dict:
    """report.sql in Spark over `facts` for `unit` (None: the level above) and `period`."""
    load(spark, facts)
    kind, rank, first, last = period_bounds(period)
    epoch = date(1970, 1, 1)
    spark.createDataFrame(
        [(unit, kind, rank, (first - epoch).days, (last - epoch).days)],
        "p_unit string, p_kind string, p_kind_rank int, p_first int, p_last int",
    ).createOrReplaceTempView("params")
    rows = [r.asDict() for r in spark.sql(body_sql()).collect()]
    return report_duckdb.shape(rows)


def session():
    from pyspark.sql import SparkSession

    return (
        SparkSession.builder.master("local[2]")
        .appName("wangge-province-report")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )


def check(cases_path: str) -> int:
    cases = json.loads(Path(cases_path).read_text(encoding="utf-8"))
    started = time.monotonic()
    spark = session()
    spark.sparkContext.setLogLevel("ERROR")
    ready = time.monotonic()
    equal = rows = 0
    for case in cases:
        t = time.monotonic()
        got = report(spark, case["facts"], case["unit"], case["period"])
        ok = got == case["expected"]
        n = len(got["rows"]) + 1 + len(got["by_category"]) + len(got["by_book"])
        rows += n
        equal += ok
        print(f"{case['unit'] or '(level above)'} {case['period']}: {n} rows, "
              f"{time.monotonic() - t:.2f} s, equal: {'yes' if ok else 'NO'}")
        if not ok:
            print(json.dumps({"got": got, "expected": case["expected"]}, ensure_ascii=False)[:4000])
    version = spark.version
    spark.stop()
    print(f"Spark {version} local[2]: {len(cases)} reports, "
          f"{rows} rows, session start {ready - started:.1f} s, queries {time.monotonic() - ready:.1f} s, "
          f"equal: {'yes' if equal == len(cases) else f'no ({len(cases) - equal} differ)'}")
    return 0 if equal == len(cases) else 1


if __name__ == "__main__":
    if sys.argv[1] == "--cases":
        sys.exit(check(sys.argv[2]))
    spark = session()
    facts, unit, period = sys.argv[1:4]
    print(json.dumps(report(spark, facts, None if unit == "-" else unit, period), ensure_ascii=False, indent=1))
    spark.stop()
