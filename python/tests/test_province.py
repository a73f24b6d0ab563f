"""examples/province/report.sql in DuckDB over the Parquet export gives every figure of
every row that Store.report gives: for two county stores of different codes, for each
county's units and periods of every kind, and for the two counties read together (the
level above: the counties' totals added, rates recomputed from numerators and
denominators)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from province_common import build

import wangge

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "examples" / "province"))
import report_duckdb  # noqa: E402

duckdb = pytest.importorskip("duckdb")

COUNTIES = {"512021": 20_250_101, "512022": 20_250_202}
PERIODS = ["2025-01", "2025-02", "2025-03", "2025-Q1", "2025-Q2", "2025-H1", "2025-W10", "2025-03-05", "2025"]


@pytest.fixture(scope="module")
def province(tmp_path_factory):
    """Two county stores, each exported into its own directory under `out`."""
    base = tmp_path_factory.mktemp("province")
    stores = {}
    for county, seed in COUNTIES.items():
        store = build(base / f"{county}.db", county, seed)
        summary = store.export_parquet(base / "out" / county)
        assert summary["full"] and summary["export_seq"] == 1
        stores[county] = store
    yield base, stores
    for store in stores.values():
        store.close()


def units_of(county: str) -> list[str]:
    return [county, county + "100", county + "100001", county + "100001001"]


@pytest.mark.parametrize("county", list(COUNTIES))
def test_every_figure_of_every_row_equals_store_report(province, county):
    base, stores = province
    store = stores[county]
    con = duckdb.connect()
    compared = 0
    for unit in units_of(county):
        for period in PERIODS:
            expected = report_duckdb.figures(store.report(unit, period).to_json())
            got = report_duckdb.report(str(base / "out" / county), unit, period, con)
            assert got == expected, f"{unit} {period}"
            compared += 1
    assert compared == len(PERIODS) * 4
    # The facts are varied enough for the comparison to mean something.
    q1 = store.report(county, "2025-Q1").totals
    for key in ["received", "resolved", "pending", "visits_home", "households", "special_households"]:
        assert q1[key] > 0, key
    for key in ["closure_rate", "due_closure_rate", "sign_for_rate", "rule_compliance", "report_completeness"]:
        assert 0 < q1[key]["num"] < q1[key]["den"], key


def test_the_glob_over_both_counties_sums_their_reports(province):
    base, stores = province
    con = duckdb.connect()
    for period in ["2025-Q1", "2025-Q2", "2025-03"]:
        got = report_duckdb.report(str(base / "out" / "*"), None, period, con)
        reports = {c: report_duckdb.figures(s.report(c, period).to_json()) for c, s in stores.items()}
        assert [r["unit"] for r in got["rows"]] == sorted(COUNTIES)
        for row in got["rows"]:
            totals = {k: v for k, v in row.items() if k not in ("unit", "name", "level", "own")}
            assert totals == reports[row["unit"]]["totals"], period
        a, b = reports.values()
        assert got["totals"] == report_duckdb.add(a["totals"], b["totals"]), period


def test_an_increment_gives_the_same_figures(province, tmp_path):
    base, stores = province
    store = stores["512021"]
    out = tmp_path / "again"
    store.export_parquet(out)
    store.record_visit("512021-H01", "W1", "home", "2025-06-25")
    entry = store.register("512021100001001", "市政设施", "井盖缺失", "2025-06-26T09:00:00+08:00")
    store.sign_for(entry.id, "W1", "2025-06-26T10:00:00+08:00")
    summary = store.export_parquet(out)
    written = {t["table"]: t["rows_written"] for t in summary["tables"]}
    assert written["visits"] == 1 and written["entries"] == 1 and written["units"] == 0
    for period in ["2025-Q2", "2025-06"]:
        expected = report_duckdb.figures(store.report("512021", period).to_json())
        assert report_duckdb.report(str(out), "512021", period) == expected


def test_a_scoped_handle_exports_its_subtree_and_is_refused_outside(province, tmp_path):
    _, stores = province
    store = stores["512022"]
    town = store.scope("512022100", "镇管理员")
    summary = town.export_parquet(tmp_path / "town")
    assert summary["unit"] == "512022100"
    expected = report_duckdb.figures(store.report("512022100", "2025-Q1").to_json())
    assert report_duckdb.report(str(tmp_path / "town"), "512022100", "2025-Q1") == expected
    with pytest.raises(wangge.PermissionDenied):
        town.export_parquet(tmp_path / "outside", "512022101")
    with pytest.raises(wangge.Conflict):
        stores["512021"].export_parquet(tmp_path / "town")
    # A directory that names no folder: the working directory, or a path cut at a NUL.
    for bad in ["", str(tmp_path / "cut") + "\0tail"]:
        with pytest.raises(wangge.InvalidInput, match="directory"):
            store.export_parquet(bad)
    assert not (tmp_path / "cut").exists()
