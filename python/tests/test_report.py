"""Reports (报告) and circulars (通报): totals, rows that add up, the JSON, CSV, XLSX and
DataFrame views, ranking with a minimum sample, and refusals, as in core/tests/report.rs."""

from __future__ import annotations

import io
import json
import math
import re
import sys
import types
import zipfile
from datetime import datetime, timedelta, timezone

import pytest

import wangge

COUNTY = "512021"
YUEYANG = "512021100"
SHIQIAO = "512021101"
YUEYANG_GRID = "512021100001001"
SHIQIAO_GRID = "512021101001001"
Q1 = "2024-Q1"
EAST8 = timezone(timedelta(hours=8))


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=EAST8)


@pytest.fixture
def worked(county):
    """The county in 2024-Q1: three entries (岳阳镇's grid, 石桥铺镇's grid, the county
    itself), 岳阳镇's worked through to resolved; one more in Q2; three households, one
    special, with a home visit and a phone call."""
    county.add_staff("W1", "网格员甲")
    county.add_household("H1", YUEYANG_GRID, "北坝街1号")
    county.add_household("H2", YUEYANG_GRID, "北坝街2号", tags=["低保"])
    county.add_household("H3", SHIQIAO_GRID, "解放村3号")
    first = county.register(YUEYANG_GRID, "市政设施", "路灯坏了", at(2024, 3, 4, 9))
    county.register(SHIQIAO_GRID, "市政设施", "路灯坏了", at(2024, 3, 5, 9))
    county.register(COUNTY, "市政设施", "县道路灯坏了", at(2024, 3, 6, 9))
    county.register(YUEYANG_GRID, "市政设施", "路灯又坏了", at(2024, 4, 8, 9))
    county.sign_for(first.id, "W1", at(2024, 3, 4, 10))
    county.start(first.id, "W1", at(2024, 3, 4, 11))
    county.resolve(first.id, at(2024, 3, 5, 15), "已修复")
    county.record_visit("H1", "W1", "home", "2024-03-10")
    county.record_visit("H3", "W1", "phone", "2024-03-11")
    return county


def rate(num: int, den: int) -> dict:
    return {"num": num, "den": den, "value": num / den if den else None}


# The report


def test_totals_count_what_happened_in_the_period(worked):
    r = worked.report(COUNTY, Q1)
    assert isinstance(r, wangge.Report)
    assert (r.unit, r.name, r.level, r.period) == (COUNTY, "安岳县", "county", Q1)
    t = r.totals
    assert (t["received"], t["resolved"], t["closed"]) == (3, 1, 0)
    assert (t["pending"], t["hard"]) == (2, 0)
    assert t["closure_rate"] == rate(1, 3)
    assert t["timely_rate"] == rate(1, 1)
    assert (t["visits_home"], t["visits_phone"]) == (1, 1)
    assert (t["households"], t["special_households"]) == (3, 1)
    assert t["home_coverage"] == rate(1, 3)


def test_a_rate_with_nothing_to_count_has_no_value(worked):
    t = worked.report(COUNTY, "2024-Q3").totals
    assert t["received"] == 0
    assert t["closure_rate"] == {"num": 0, "den": 0, "value": None}
    assert t["timely_rate"]["value"] is None


def test_the_period_bounds_what_is_received(worked):
    assert worked.report(COUNTY, "2024-Q2").totals["received"] == 1
    assert worked.report(COUNTY, "2024").totals["received"] == 4


def test_one_row_per_child_then_the_own_row(worked):
    rows = worked.report(COUNTY, Q1).rows
    assert [(r["unit"], r["name"], r["own"]) for r in rows] == [
        (YUEYANG, "岳阳镇", False),
        (SHIQIAO, "石桥铺镇", False),
        (COUNTY, "安岳县", True),
    ]
    assert [r["received"] for r in rows] == [1, 1, 1]
    assert rows[0]["closure_rate"] == rate(1, 1)


def test_rows_add_up_to_the_totals_in_every_count_and_rate(worked):
    r = worked.report(COUNTY, Q1)
    for key, _ in wangge.INDICATORS:
        total = r.totals[key]
        if isinstance(total, dict):
            assert sum(row[key]["num"] for row in r.rows) == total["num"], key
            assert sum(row[key]["den"] for row in r.rows) == total["den"], key
        else:
            assert sum(row[key] for row in r.rows) == total, key


def test_breakdowns_per_category_and_book(worked):
    r = worked.report(COUNTY, Q1)
    assert [b["key"] for b in r.by_category] == ["市政设施"]
    assert r.by_category[0]["received"] == 3
    assert r.by_category[0]["closure_rate"] == rate(1, 3)
    assert [b["key"] for b in r.by_book] == ["民生诉求"]
    assert "households" not in r.by_book[0]


def test_the_json_text_holds_the_dict_views(worked):
    r = worked.report(COUNTY, Q1)
    parsed = json.loads(r.to_json())
    assert parsed == r.to_dict()
    assert parsed["totals"] == r.totals
    assert parsed["rows"] == r.rows
    assert parsed["by_category"] == r.by_category
    assert parsed["by_book"] == r.by_book
    assert (parsed["unit"], parsed["name"], parsed["level"]) == (r.unit, r.name, r.level)
    assert (parsed["period"], parsed["first"], parsed["last"]) == (Q1, "2024-01-01", "2024-03-31")


def test_the_views_are_copies(worked):
    r = worked.report(COUNTY, Q1)
    r.totals["received"] = 99
    r.rows.clear()
    assert r.totals["received"] == 3
    assert len(r.rows) == 3


def test_a_period_object_gives_the_same_report(worked):
    by_text = worked.report(COUNTY, Q1)
    by_period = worked.report(COUNTY, wangge.Period.parse(Q1))
    assert by_period.to_json() == by_text.to_json()


def test_the_repr_names_the_unit_and_period(worked):
    text = repr(worked.report(COUNTY, Q1))
    assert text == "Report(unit='512021', name='安岳县', period='2024-Q1', rows=3, received=3)"


# Exports


def test_csv_starts_with_a_byte_order_mark_and_has_chinese_headers(worked):
    text = worked.report(COUNTY, Q1).to_csv()
    assert text.startswith("\ufeff")
    lines = text[1:].split("\r\n")
    assert lines[-1] == ""
    header, *rows = lines[:-1]
    columns = header.split(",")
    assert columns[:5] == ["单位代码", "单位名称", "层级", "行", "受理数"]
    assert ["办结率", "办结率分子", "办结率分母"] == columns[7:10]
    assert [row.split(",")[3] for row in rows] == ["下级", "下级", "本级", "合计"]
    totals = dict(zip(columns, rows[-1].split(",")))
    assert (totals["单位代码"], totals["受理数"], totals["办结率分母"]) == (COUNTY, "3", "3")


def test_csv_leaves_a_rate_without_value_empty(worked):
    lines = worked.report(COUNTY, "2024-Q3").to_csv()[1:].split("\r\n")
    row = dict(zip(lines[0].split(","), lines[-2].split(",")))
    assert (row["办结率"], row["办结率分子"], row["办结率分母"]) == ("", "0", "0")


def test_xlsx_is_a_zip_workbook_with_three_sheets(worked):
    data = worked.report(COUNTY, Q1).to_xlsx()
    assert isinstance(data, bytes) and data.startswith(b"PK")
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        names = book.namelist()
        assert "xl/worksheets/sheet1.xml" in names
        assert "xl/worksheets/sheet3.xml" in names
        main = sheet_texts(book, 1)
        assert "受理数" in main and "合计" in main
        assert "按类别" in book.read("xl/workbook.xml").decode("utf-8")


def sheet_texts(book: zipfile.ZipFile, n: int) -> list[str]:
    """The texts of sheet n's cells: shared strings (t="s") looked up, inline ones read."""
    sheet = book.read(f"xl/worksheets/sheet{n}.xml").decode("utf-8")
    shared: list[str] = []
    if "xl/sharedStrings.xml" in book.namelist():
        sst = book.read("xl/sharedStrings.xml").decode("utf-8")
        shared = [re.sub(r"<[^>]+>", "", si) for si in re.findall(r"<si>(.*?)</si>", sst, re.S)]
    texts = []
    for attrs, body in re.findall(r"<c ([^>]*?)(?:/>|>(.*?)</c>)", sheet, re.S):
        if 't="s"' in attrs:
            texts.append(shared[int(re.search(r"<v>(\d+)</v>", body).group(1))])
        elif 't="inlineStr"' in attrs:
            texts.append(re.sub(r"<[^>]+>", "", body))
    return texts


def test_xlsx_is_written_to_a_path_when_given(worked, tmp_path):
    path = tmp_path / "report.xlsx"
    data = worked.report(COUNTY, Q1).to_xlsx(path)
    assert path.read_bytes() == data
    assert zipfile.is_zipfile(path)
    data = worked.report(COUNTY, Q1).to_xlsx(str(path))
    assert path.read_bytes() == data


def test_xlsx_to_an_unwritable_path_raises_oserror(worked, tmp_path):
    with pytest.raises(OSError):
        worked.report(COUNTY, Q1).to_xlsx(tmp_path / "missing" / "report.xlsx")


class FakePandas(types.ModuleType):
    """What to_pandas needs of pandas: DataFrame(records, columns=...)."""

    def __init__(self):
        super().__init__("pandas")
        self.calls = []
        fake = self

        class DataFrame:
            def __init__(self, data, columns):
                fake.calls.append((data, columns))

        self.DataFrame = DataFrame


def test_to_pandas_gives_a_frame_of_the_rows_with_rate_parts(worked, monkeypatch):
    fake = FakePandas()
    monkeypatch.setitem(sys.modules, "pandas", fake)
    frame = worked.report(COUNTY, "2024-Q3").to_pandas()
    assert isinstance(frame, fake.DataFrame)
    [(records, columns)] = fake.calls
    assert columns[:6] == ["unit", "name", "level", "own", "received", "resolved"]
    i = columns.index("closure_rate")
    assert columns[i : i + 3] == ["closure_rate", "closure_rate_num", "closure_rate_den"]
    assert "households_num" not in columns
    assert len(columns) == 4 + 12 + 3 * 9
    assert [r["unit"] for r in records] == [YUEYANG, SHIQIAO, COUNTY]
    assert all(list(r) == columns for r in records)
    own = records[-1]
    assert own["own"] is True
    assert math.isnan(own["closure_rate"])
    assert (own["closure_rate_num"], own["closure_rate_den"]) == (0, 0)


def test_to_pandas_gives_a_rate_its_value(worked, monkeypatch):
    fake = FakePandas()
    monkeypatch.setitem(sys.modules, "pandas", fake)
    worked.report(COUNTY, Q1).to_pandas()
    [(records, _)] = fake.calls
    assert records[0]["closure_rate"] == 1.0
    assert records[1]["closure_rate"] == 0.0
    assert records[0]["received"] == 1


def test_to_pandas_without_pandas_raises_import_error(worked, monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match="needs pandas"):
        worked.report(COUNTY, Q1).to_pandas()


def test_to_pandas_with_real_pandas(worked):
    pd = pytest.importorskip("pandas")
    frame = worked.report(COUNTY, Q1).to_pandas()
    assert isinstance(frame, pd.DataFrame)
    assert list(frame["unit"]) == [YUEYANG, SHIQIAO, COUNTY]
    assert frame["received"].sum() == 3
    assert frame["closure_rate_den"].sum() == 3


# Circulars


def test_a_circular_ranks_the_children_best_first(worked):
    c = worked.circular(COUNTY, Q1, "closure_rate", min_sample=1)
    assert isinstance(c, wangge.Circular)
    assert (c.unit, c.name, c.period) == (COUNTY, "安岳县", Q1)
    assert (c.indicator, c.indicator_name, c.lower_is_better) == ("closure_rate", "办结率", False)
    assert c.min_sample == 1
    assert c.ranked == [
        {"unit": YUEYANG, "name": "岳阳镇", "value": 1.0, "num": 1, "den": 1, "rank": 1},
        {"unit": SHIQIAO, "name": "石桥铺镇", "value": 0.0, "num": 0, "den": 1, "rank": 2},
    ]
    assert c.left_out == []


def test_a_circular_leaves_out_small_samples_by_default(worked):
    c = worked.circular(COUNTY, Q1, "closure_rate")
    assert c.min_sample == 5
    assert c.ranked == []
    assert [(x["unit"], x["den"]) for x in c.left_out] == [(YUEYANG, 1), (SHIQIAO, 1)]
    assert all("样本不足" in x["reason"] for x in c.left_out)


def test_counts_rank_whatever_their_size_and_equal_counts_share_a_rank(worked):
    c = worked.circular(COUNTY, Q1, "received", min_sample=5)
    assert not c.lower_is_better
    assert c.left_out == []
    assert [(x["unit"], x["value"], x["num"], x["den"], x["rank"]) for x in c.ranked] == [
        (YUEYANG, 1.0, 1, 1, 1),
        (SHIQIAO, 1.0, 1, 1, 1),
    ]


def test_fewer_pending_ranks_better(worked):
    c = worked.circular(COUNTY, wangge.Period.parse(Q1), "pending")
    assert c.lower_is_better
    assert [(x["unit"], x["value"], x["rank"]) for x in c.ranked] == [
        (YUEYANG, 0.0, 1),
        (SHIQIAO, 1.0, 2),
    ]


def test_the_circular_json_holds_the_views(worked):
    c = worked.circular(COUNTY, Q1, "closure_rate", min_sample=1)
    parsed = json.loads(c.to_json())
    assert parsed == c.to_dict()
    assert parsed["ranked"] == c.ranked
    assert parsed["left_out"] == c.left_out
    assert parsed["indicator"] == c.indicator
    assert repr(c) == (
        "Circular(unit='512021', period='2024-Q1', indicator='closure_rate', ranked=2, "
        "left_out=0)"
    )


def test_indicators_are_key_and_chinese_name_pairs_matching_the_report(worked):
    assert wangge.INDICATORS[0] == ("received", "受理数")
    assert ("closure_rate", "办结率") in wangge.INDICATORS
    assert len(wangge.INDICATORS) == 21
    assert all(isinstance(i, tuple) and len(i) == 2 for i in wangge.INDICATORS)
    keys = [k for k, _ in wangge.INDICATORS]
    assert set(keys) == set(worked.report(COUNTY, Q1).totals)


# Refusals


def test_an_unknown_indicator_is_invalid_input_naming_it(worked):
    with pytest.raises(wangge.InvalidInput, match="happiness"):
        worked.circular(COUNTY, Q1, "happiness")


@pytest.mark.parametrize("period", ["2024-Q5", "spring", "", 2024, None])
def test_a_bad_period_is_invalid_input(worked, period):
    with pytest.raises(wangge.InvalidInput, match="period"):
        worked.report(COUNTY, period)
    with pytest.raises(wangge.InvalidInput, match="period"):
        worked.circular(COUNTY, period, "received")


def test_a_negative_min_sample_is_invalid_input(worked):
    with pytest.raises(wangge.InvalidInput, match="min_sample"):
        worked.circular(COUNTY, Q1, "closure_rate", min_sample=-1)


def test_an_unknown_unit_is_not_found(worked):
    with pytest.raises(wangge.NotFound, match="512099"):
        worked.report("512099", Q1)


def test_a_scoped_handle_reports_only_inside_its_subtree(worked):
    town = worked.scope(YUEYANG, "岳阳镇管理员")
    assert town.report(YUEYANG, Q1).totals["received"] == 1
    with pytest.raises(wangge.PermissionDenied, match=SHIQIAO):
        town.report(SHIQIAO, Q1)
    with pytest.raises(wangge.PermissionDenied):
        town.report(COUNTY, Q1)
    with pytest.raises(wangge.PermissionDenied):
        town.circular(COUNTY, Q1, "received")


def test_a_closed_store_raises_storage_error(worked):
    worked.close()
    with pytest.raises(wangge.StorageError):
        worked.report(COUNTY, Q1)


# Reopening


def test_the_first_report_on_a_reopened_store_equals_the_report_before(county_file):
    """A store keeps the data its reports lay out in memory in its file (stamped with the
    audit chain's head): a freshly opened store's first report is the same, and so is one
    read from the facts once that data is dropped."""
    import sqlite3

    periods = [Q1, "2024-03", "2024"]
    with wangge.Store(county_file) as store:
        for i in range(12):
            grid = YUEYANG_GRID if i % 3 else SHIQIAO_GRID
            tags = ["低保"] if i % 4 == 0 else []
            store.add_household(f"H{i}", grid, f"北坝街{i}号", tags=tags)
        store.add_staff("W1", "网格员甲")
        for i in range(0, 12, 2):
            store.record_visit(f"H{i}", "W1", "home" if i % 4 else "phone", f"2024-03-{i + 2:02d}")
        first = store.register(YUEYANG_GRID, "市政设施", "路灯坏了", at(2024, 3, 4, 9))
        store.register(SHIQIAO_GRID, "矛盾纠纷", "邻里纠纷", at(2024, 2, 5, 9))
        store.sign_for(first.id, "W1", at(2024, 3, 4, 10))
        before = [store.report(COUNTY, p).to_dict() for p in periods]
    with sqlite3.connect(county_file) as conn:
        kinds = conn.execute("SELECT count(*) FROM kept").fetchone()[0]
    conn.close()
    assert kinds == 3

    with wangge.Store(county_file) as store:
        assert [store.report(COUNTY, p).to_dict() for p in periods] == before
    with wangge.Store(county_file, read_only=True) as store:
        assert [store.report(COUNTY, p).to_dict() for p in periods] == before

    with sqlite3.connect(county_file) as conn:
        conn.execute("UPDATE kept SET body = zeroblob(length(body))")
    conn.close()
    with wangge.Store(county_file) as store:
        assert [store.report(COUNTY, p).to_dict() for p in periods] == before
        assert store.verify_audit().ok
    assert before[0]["totals"]["households"] == 12
