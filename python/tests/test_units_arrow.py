"""Units added from a table: a pyarrow table or a pandas DataFrame, read through the Arrow
stream (`__arrow_c_stream__`) by the core, as the same units given as dicts."""

from __future__ import annotations

import datetime as dt

import pytest

import wangge

pa = pytest.importorskip("pyarrow")
pd = pytest.importorskip("pandas")

TOWNSHIP = {"code": "512021102", "name": "通贤镇", "level": "township", "parent": "512021"}
COMMUNITY = {
    "code": "512021102001",
    "name": "通贤社区",
    "level": "community",
    "parent": "512021102",
    "start": dt.date(2024, 2, 1),
}


def stored(store, codes):
    return [store.unit(code) for code in codes]


def footprint(store):
    return len(store.audit_log()), [u.code for u in store.descendants("512021")]


@pytest.mark.parametrize(
    "table",
    [
        lambda rows: pa.Table.from_pylist(rows),
        lambda rows: pd.DataFrame(rows),
        # Dates as pandas timestamps (datetime64), codes as pandas' own strings.
        lambda rows: pd.DataFrame(rows).astype({"start": "datetime64[ns]", "code": "string"}),
        # Levels as a pandas categorical (an Arrow dictionary).
        lambda rows: pd.DataFrame(rows).astype({"level": "category"}),
        # Several record batches.
        lambda rows: pa.Table.from_batches(pa.Table.from_pylist(rows).to_batches(max_chunksize=1)),
    ],
    ids=["pyarrow", "pandas", "pandas-datetime64", "pandas-category", "batches"],
)
def test_a_table_adds_the_units_its_rows_would_add_as_dicts(county, table):
    rows = [{**TOWNSHIP, "start": None}, COMMUNITY]
    with wangge.Store(":memory:") as other:
        from conftest import build_county

        build_county(other)
        assert other.add_units(rows) == 2
        expected = stored(other, ["512021102", "512021102001"])
    assert county.add_units(table(rows)) == 2
    assert stored(county, ["512021102", "512021102001"]) == expected
    assert county.unit("512021102001").start == dt.date(2024, 2, 1)
    assert county.audit_log()[-1].action == "add_units"


def test_an_empty_table_adds_nothing(county):
    before = footprint(county)
    empty = pa.table({"code": pa.array([], pa.string()), "name": [], "level": []})
    assert county.add_units(empty) == 0
    assert footprint(county) == before
    # Still a table of units: without rows, its columns are checked all the same.
    with pytest.raises(wangge.InvalidInput, match="missing columns: level"):
        county.add_units(pa.table({"code": pa.array([], pa.string()), "name": []}))


@pytest.mark.parametrize(
    ("table", "field", "words"),
    [
        (pa.table({**{k: [v] for k, v in TOWNSHIP.items()}, "colour": ["red"]}), "units",
         "unknown column"),
        (pa.table({"code": ["512021102"], "name": ["通贤镇"]}), "units",
         "missing columns: level"),
        (pa.table({"code": [512021102], "name": ["通贤镇"], "level": ["township"]}), "code",
         "expected a column of texts"),
        (pa.table({"code": ["512021102", "512021103"], "name": ["通贤镇", None],
                   "level": ["township"] * 2, "parent": ["512021"] * 2}),
         "name", r"required \(unit 1 of the batch\)"),
        (pa.table({**{k: [v] for k, v in TOWNSHIP.items()}, "start": ["someday"]}), "start",
         "someday"),
        (pa.table({**{k: [v] for k, v in TOWNSHIP.items()},
                   "start": pa.array([dt.datetime(2024, 1, 1)], pa.timestamp("us", "UTC"))}),
         "start", "expected a column of dates or texts"),
    ],
    ids=["unknown column", "missing column", "integer codes", "null name", "bad date",
         "zoned timestamp"],
)
def test_a_bad_table_is_invalid_input_naming_the_field_and_adds_nothing(
    county, table, field, words
):
    before = footprint(county)
    with pytest.raises(wangge.InvalidInput, match=words) as caught:
        county.add_units(table)
    assert str(caught.value).startswith(f"invalid {field} ")
    assert footprint(county) == before


def test_a_table_is_checked_as_dicts_are_by_the_core(county):
    """Past its columns, a table's units meet the same rules: a unit outside the handle's
    scope, a duplicate code."""
    scoped = county.scope("512021100", "岳阳镇管理员")
    with pytest.raises(wangge.PermissionDenied):
        scoped.add_units(pa.Table.from_pylist([TOWNSHIP]))
    with pytest.raises(wangge.Conflict):
        county.add_units(pa.Table.from_pylist([TOWNSHIP, {**TOWNSHIP, "name": "重复"}]))
    with pytest.raises(wangge.NotFound):
        county.unit("512021102")


def test_arrays_that_do_not_hold_together_are_refused_before_they_are_read(county):
    """Made by hand from buffers, unchecked: a name whose bytes are not UTF-8."""
    offsets = pa.py_buffer(b"\x00\x00\x00\x00\x02\x00\x00\x00")
    names = pa.Array.from_buffers(pa.string(), 1, [None, offsets, pa.py_buffer(b"\xff\xfe")])
    table = pa.table({"code": ["512021102"], "name": names, "level": ["township"]})
    before = footprint(county)
    with pytest.raises(wangge.InvalidInput, match="batches all read"):
        county.add_units(table)
    assert footprint(county) == before


def test_a_stream_that_does_not_read_is_invalid_input_naming_units(county):
    class Broken:
        def __arrow_c_stream__(self, requested_schema=None):
            raise RuntimeError("no stream today")

    with pytest.raises(wangge.InvalidInput, match="Arrow table") as caught:
        county.add_units(Broken())
    assert str(caught.value).startswith("invalid units ")
    # In Chinese for a store that speaks it.
    with wangge.Store(":memory:", language="zh") as zh:
        with pytest.raises(wangge.InvalidInput, match="Arrow 表"):
            zh.add_units(Broken())
