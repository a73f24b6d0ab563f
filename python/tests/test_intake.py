"""Importing a real-shaped 民政 register export (tests/data/minzheng.*, written by
tests/data/make_minzheng.py) from every source Python takes: a CSV path, an XLSX path or
bytes, dict rows and a DataFrame, all through the core's one column reader. Each gives
the same result: Chinese headers below a title line, unknown columns reported, tags split
on 、 and ，, Chinese kinds and relations, a grid named by its name."""

from __future__ import annotations

import csv
import importlib.util
import io
import math
from pathlib import Path

import pytest

import wangge
from conftest import build_county

DATA = Path(__file__).resolve().parents[2] / "tests" / "data"
ON = "2025-03-01"


def maker():
    spec = importlib.util.spec_from_file_location("make_minzheng", DATA / "make_minzheng.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def dict_rows() -> list[dict[str, str]]:
    """The export's rows as dicts, read from its CSV below the title line."""
    text = (DATA / "minzheng.csv").read_bytes().decode("gbk")
    lines = text.splitlines()[1:]
    return list(csv.DictReader(io.StringIO("\n".join(lines))))


def outcome(store: wangge.Store, result: wangge.ImportResult):
    """What an import of the export did, as seen from outside."""
    return (
        result.to_dict(),
        [(h.household_id, h.unit, h.kind, sorted(h.tags), h.household_class)
         for h in store.households("512021", ON)],
        [(r.name, r.relation, r.tags) for h in ("M001", "M002", "M003")
         for r in store.residents(h, ON)],
    )


EXPECTED_RESULT = {
    "inserted": 8,
    "updated": 0,
    "households_inserted": 3,
    "households_updated": 0,
    "residents_inserted": 5,
    "residents_updated": 0,
    "unknown_columns": ["序号", "出生日期", "备注"],
    "errors": [],
}


def test_the_fixtures_are_what_the_script_writes():
    script = maker()
    assert (DATA / "minzheng.xlsx").read_bytes() == script.xlsx_bytes()
    assert (DATA / "minzheng.csv").read_bytes() == script.csv_text().encode("gbk")


def test_the_export_imports_as_csv_below_its_title_line(county):
    result = county.import_households(DATA / "minzheng.csv", on=ON)
    assert result.to_dict() == EXPECTED_RESULT
    assert (result.households_inserted, result.residents_inserted) == (3, 5)
    assert result.inserted == result.households_inserted + result.residents_inserted
    assert result.unknown_columns == ["序号", "出生日期", "备注"]
    m1 = county.household("M001", ON)
    assert (m1.unit, m1.kind) == ("512021100001001", "registered")
    assert [(r.name, r.relation) for r in county.residents("M001", ON)] == [
        ("张三", "head"),
        ("李四", "spouse"),
        ("张小", "child"),
    ]
    m2 = county.household("M002", ON)
    assert (m2.kind, m2.household_class) == ("floating", "special")
    assert county.residents("M002", ON)[0].tags == ["低保"]
    m3 = county.household("M003", ON)
    assert (m3.kind, sorted(m3.tags)) == ("rental", ["单亲", "残疾"])
    again = county.import_households(DATA / "minzheng.csv", on=ON)
    assert (again.households_updated, again.residents_updated, again.updated) == (3, 5, 8)


def test_every_source_gives_the_same_result(county):
    sources = {
        "xlsx path": DATA / "minzheng.xlsx",
        "xlsx path as text": str(DATA / "minzheng.xlsx"),
        "xlsx bytes": (DATA / "minzheng.xlsx").read_bytes(),
        "dict rows": dict_rows(),
    }
    expected = outcome(county, county.import_households(DATA / "minzheng.csv", on=ON))
    assert expected[0] == EXPECTED_RESULT
    for name, source in sources.items():
        with wangge.Store(":memory:") as store:
            build_county(store)
            assert outcome(store, store.import_households(source, on=ON)) == expected, name


def test_a_dataframe_of_the_export_gives_the_same_result(county):
    pd = pytest.importorskip("pandas")
    expected = outcome(county, county.import_households(DATA / "minzheng.csv", on=ON))
    frame = pd.read_csv(DATA / "minzheng.csv", encoding="gbk", skiprows=1)
    # pandas reads the phone column, with gaps, as floats and the gaps as NaN.
    assert frame["联系电话"].dtype == "float64"
    with wangge.Store(":memory:") as store:
        build_county(store)
        assert outcome(store, store.import_households(frame, on=ON)) == expected


def test_a_dataframe_like_object_with_chinese_columns_and_nan_imports(county):
    class Frame:
        def __init__(self, records):
            self.records = records
            self.columns = list(records[0])

        def to_dict(self, orient):
            assert orient == "records"
            return self.records

    records = [
        {"户编号": "F1", "所属网格": "北坝二网格", "住址": "北坝街5号", "户类型": "常住",
         "标签": "低保,空巢", "姓名": "吴十", "联系电话": 13800000001.0, "人员类别": math.nan,
         "备注": None},
    ]
    result = county.import_households(Frame(records), on=ON)
    assert result.errors == []
    assert result.unknown_columns == ["备注"]
    household = county.household("F1", ON)
    assert (household.unit, sorted(household.tags)) == ("512021100001002", ["低保", "空巢"])
    (person,) = county.residents("F1", ON)
    assert county.resident_clear(person.resident_id) == (None, "13800000001")


def test_columns_and_header_row_are_read_and_checked(county):
    text = "花名册（户编号,所属网格）\n档案号,网格名称,门牌,类别,户主姓名,身份号\nK1,512021100001001,北坝街9号,流动,钱七,\n"
    with pytest.raises(wangge.InvalidInput, match="no header row|missing columns"):
        county.import_households(text.encode())
    columns = {"档案号": "household_id", "网格名称": "unit", "门牌": "address",
               "类别": "户类型", "户主姓名": "name"}
    result = county.import_households(text.encode(), columns=columns, header_row=2, on=ON)
    assert (result.errors, result.unknown_columns) == ([], ["身份号"])
    assert county.household("K1", ON).kind == "floating"
    with pytest.raises(wangge.InvalidInput, match=r"^invalid columns "):
        county.import_households(text.encode(), columns={"档案号": "archive"})
    for bad_row in (0, -1, "2", 1.5, True):
        with pytest.raises(wangge.InvalidInput, match=r"^invalid header_row "):
            county.import_households(text.encode(), columns=columns, header_row=bad_row)
    for bad_columns in (["档案号"], {"档案号": 1}, "档案号"):
        with pytest.raises(wangge.InvalidInput, match=r"^invalid columns "):
            county.import_households(text.encode(), columns=bad_columns)
    rows = [{"档案号": "K2", "网格名称": "北坝一网格", "门牌": "x", "类别": "出租", "户主姓名": "郑一"}]
    assert county.import_households(rows, columns=columns, on=ON).errors == []
    assert county.household("K2", ON).kind == "rental"


def test_bytes_that_look_like_xlsx_but_are_not_are_invalid_input(county):
    with pytest.raises(wangge.InvalidInput, match=r"^invalid xlsx "):
        county.import_households(b"PK\x03\x04 not really a workbook")
    assert county.households("512021") == []
