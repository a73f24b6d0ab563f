"""Bulk import of households: every source (CSV path or bytes in UTF-8, UTF-8 with BOM or
GBK; dicts; generators; DataFrames), both modes, re-import, masking of rejected rows,
the progress callback and cancelling, and scopes."""

from __future__ import annotations

import math
from typing import Any

import pytest

import wangge

GRID = "512021100001001"
GRID2 = "512021100001002"
OTHER_TOWN_GRID = "512021101001001"

CSV = (
    "household_id,unit,address,kind,tags,name,id_number,phone,relation\n"
    "H10,512021100001001,北坝路10号,registered,低保,袁婷,11010519491231002X,13800000001,head\n"
    "H10,512021100001001,北坝路10号,registered,低保,谢小华,,,spouse\n"
    "H11,512021100001002,北坝路11号,floating,,郑小芳,440524188001010014,,head\n"
)

# Line 5: a bad check digit; line 6: a unit that does not exist.
BAD_CSV = (
    CSV
    + "H12,512021100001002,北坝路12号,rental,,坏人,110105194912310021,,head\n"
    + "H13,512099,x,registered,,无网格,,,head\n"
)

ROWS: list[dict[str, Any]] = [
    {
        "household_id": "H10",
        "unit": GRID,
        "address": "北坝路10号",
        "kind": "registered",
        "tags": ["低保"],
        "name": "袁婷",
        "id_number": "11010519491231002X",
        "phone": "13800000001",
        "relation": "head",
    },
    {
        "household_id": "H10",
        "unit": GRID,
        "address": "北坝路10号",
        "kind": "registered",
        "tags": "低保",
        "name": "谢小华",
        "relation": "spouse",
    },
    {
        "household_id": "H11",
        "unit": GRID2,
        "address": "北坝路11号",
        "kind": "floating",
        "name": "郑小芳",
        "id_number": "440524188001010014",
        "hukou": "非农业",
        "employer": "阳光家园",
        "resident_tags": ["残疾"],
    },
]


def snapshot(store: wangge.Store):
    """Everything an import can change, as seen from outside."""
    return (
        store.households("512021"),
        store.audit_log(),
        store.unit_counts("512021"),
    )


def assert_imported_the_three_rows(store: wangge.Store, result: wangge.ImportResult) -> None:
    assert result.errors == []
    assert (result.inserted, result.updated) == (5, 0)
    assert [h.household_id for h in store.households("512021")] == ["H10", "H11"]
    h10 = store.household("H10")
    assert (h10.tags, h10.household_class) == (["低保"], "special")
    assert [r.name for r in store.residents("H10")] == ["袁婷", "谢小华"]
    assert store.residents("H10")[1].relation == "spouse"
    assert store.household("H11").kind == "floating"
    (zheng,) = store.residents("H11")
    assert (zheng.sex, zheng.id_number) == ("male", "440524**********14")


# Sources.


def test_csv_bytes_import_households_residents_and_tags(county):
    result = county.import_households(CSV.encode())
    assert isinstance(result, wangge.ImportResult)
    assert_imported_the_three_rows(county, result)
    assert result.to_dict() == {
        "inserted": 5,
        "updated": 0,
        "households_inserted": 2,
        "households_updated": 0,
        "residents_inserted": 3,
        "residents_updated": 0,
        "unknown_columns": [],
        "errors": [],
    }
    last = county.audit_log()[-1]
    assert (last.action, last.target) == ("import_households", "3 rows")


def test_a_gbk_encoded_csv_with_chinese_headers_imports(county):
    text = (
        "户编号,所属网格,地址,户类型,户标签,姓名,身份证号,联系电话,与户主关系\n"
        "G1,512021100001001,海慧路5号,户籍,空巢,付良容,510123194805121220,13812345678,户主\n"
    )
    gbk = text.encode("gbk")
    with pytest.raises(UnicodeDecodeError):
        gbk.decode("utf-8")
    result = county.import_households(gbk)
    assert result.errors == []
    h = county.household("G1")
    assert (h.address, h.kind, h.tags, h.household_class) == (
        "海慧路5号",
        "registered",
        ["空巢"],
        "special",
    )
    (r,) = county.residents("G1")
    assert (r.name, r.relation, r.phone) == ("付良容", "head", "138****5678")
    assert county.import_households(bytearray(gbk), encoding="gbk").updated == 2


def test_a_utf8_bom_file_imports_from_a_path(county, tmp_path):
    path = tmp_path / "households.csv"
    path.write_bytes(b"\xef\xbb\xbf" + CSV.encode())
    assert_imported_the_three_rows(county, county.import_households(path))
    again = county.import_households(str(path))
    assert (again.inserted, again.updated, again.errors) == (0, 5, [])


def test_a_list_of_dicts_imports(county):
    assert_imported_the_three_rows(county, county.import_households(ROWS))
    (zheng,) = county.residents("H11")
    assert (zheng.hukou, zheng.employer, zheng.tags) == ("非农业", "阳光家园", ["残疾"])
    assert county.household("H11").household_class == "special"


def test_a_generator_of_dicts_imports(county):
    consumed = []

    def rows():
        for row in ROWS:
            consumed.append(row["name"])
            yield row

    assert_imported_the_three_rows(county, county.import_households(rows()))
    assert consumed == ["袁婷", "谢小华", "郑小芳"]


class FakeFrame:
    """What import_households needs of a pandas DataFrame: .columns and .to_dict."""

    def __init__(self, records):
        self.records = records
        self.columns = sorted({k for r in records for k in r})
        self.orients = []

    def to_dict(self, orient):
        self.orients.append(orient)
        return [dict(r) for r in self.records]

    def __iter__(self):  # pragma: no cover - iterating a DataFrame gives its columns
        return iter(self.columns)


def test_a_dataframe_like_object_gives_its_records(county):
    records = [dict(r) for r in ROWS]
    # pandas reads a phone column with a gap as floats and the gap as NaN.
    records[0]["phone"] = 13800000001.0
    records[1]["phone"] = math.nan
    records[1]["id_number"] = math.nan
    frame = FakeFrame(records)
    result = county.import_households(frame)
    assert frame.orients == ["records"]
    assert_imported_the_three_rows(county, result)
    head = county.residents("H10")[0]
    assert county.resident_clear(head.resident_id) == ("11010519491231002X", "13800000001")
    assert county.resident_clear(county.residents("H10")[1].resident_id) == (None, None)


def test_a_real_pandas_dataframe_imports(county):
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(ROWS)
    # A phone column with gaps is read as floats, the gaps as NaN.
    frame["phone"] = [13800000001, None, None]
    assert frame["phone"].dtype == "float64"
    assert_imported_the_three_rows(county, county.import_households(frame))
    head, spouse = county.residents("H10")
    assert county.resident_clear(head.resident_id) == ("11010519491231002X", "13800000001")
    assert county.resident_clear(spouse.resident_id) == (None, None)
    assert county.residents("H11")[0].tags == ["残疾"]


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        (42, "expected a CSV path"),
        ({"household_id": "H1"}, "one dict"),
        ([{"household_id": "H1"}, "H2"], r"expected a JSON object, not text \(row 2\)"),
    ],
)
def test_a_source_of_the_wrong_shape_is_invalid_input(county, source, reason):
    with pytest.raises(wangge.InvalidInput, match=reason):
        county.import_households(source)


def test_a_bad_argument_never_echoes_the_rows_personal_data(county):
    rows = [("H1", GRID, "x", "registered", "", "袁婷", "11010519491231002X", "13800000001")]
    with pytest.raises(
        wangge.InvalidInput, match=r"rows .*expected a JSON object, not an array \(row 1\)"
    ) as bad:
        county.import_households(rows)
    assert "11010519491231002X" not in str(bad.value)
    assert "13800000001" not in str(bad.value)
    with pytest.raises(wangge.InvalidInput) as one:
        county.import_households({"id_number": "11010519491231002X"})
    assert "11010519491231002X" not in str(one.value)


def test_a_file_that_cannot_be_read_as_csv_raises(county, tmp_path):
    with pytest.raises(wangge.InvalidInput, match="path"):
        county.import_households(tmp_path / "missing.csv")
    with pytest.raises(wangge.InvalidInput, match="missing columns: .*name"):
        county.import_households(b"household_id,unit,address,kind\nH1,x,y,registered\n")
    gbk = CSV.replace("H10", "户10").encode("gbk")
    with pytest.raises(wangge.InvalidInput, match="encoding"):
        county.import_households(gbk, encoding="utf-8")
    with pytest.raises(wangge.InvalidInput, match="encoding"):
        county.import_households(CSV.encode(), encoding="latin-1")
    assert county.households("512021") == []


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"mode": "best_effort"}, "mode"),
        ({"on": "2024-02-30"}, "on"),
        ({"progress": 5}, "progress"),
    ],
)
def test_bad_options_are_invalid_input_naming_them(county, kwargs, field):
    with pytest.raises(wangge.InvalidInput, match=field):
        county.import_households(CSV.encode(), **kwargs)
    assert county.households("512021") == []


# Modes.


def test_one_bad_row_rejects_an_all_or_nothing_import_and_changes_nothing(county):
    before = snapshot(county)
    result = county.import_households(BAD_CSV.encode())
    assert (result.inserted, result.updated) == (0, 0)
    assert [(line, field) for line, field, _ in result.errors] == [(5, "id_number"), (6, "unit")]
    assert "check digit" in result.errors[0][2]
    assert "512099" in result.errors[1][2]
    assert snapshot(county) == before
    assert county.households("512021") == []


def test_skip_invalid_writes_the_good_rows_and_lists_the_rejected(county):
    result = county.import_households(BAD_CSV.encode(), mode="skip_invalid")
    assert (result.inserted, result.updated) == (5, 0)
    assert [(line, field) for line, field, _ in result.errors] == [(5, "id_number"), (6, "unit")]
    assert all(isinstance(message, str) and message for _, _, message in result.errors)
    assert [h.household_id for h in county.households("512021")] == ["H10", "H11"]


def test_an_absurd_hukou_or_employer_is_a_row_error_naming_it(county):
    rows = [
        {**ROWS[2], "household_id": "H21", "id_number": "", "hukou": "川" * 201},
        {**ROWS[2], "household_id": "H22", "id_number": "", "employer": "县医院\x07"},
        {**ROWS[2], "household_id": "H23", "id_number": "", "hukou": "非农业", "employer": "县医院"},
    ]
    result = county.import_households(rows, mode="skip_invalid")
    assert [(line, field) for line, field, _ in result.errors] == [(1, "hukou"), (2, "employer")]
    assert "at most 200 characters" in result.errors[0][2]
    assert "control character" in result.errors[1][2]
    assert [h.household_id for h in county.households("512021")] == ["H23"]


def test_rows_given_as_dicts_are_numbered_from_one(county):
    rows = [dict(ROWS[2]), {**ROWS[2], "household_id": "H12", "kind": "owned", "id_number": ""}]
    result = county.import_households(rows, mode="skip_invalid")
    assert [(line, field) for line, field, _ in result.errors] == [(2, "kind")]
    assert "owned" in result.errors[0][2]
    assert result.inserted == 2


def test_rejected_rows_mask_id_numbers_and_phones(county):
    csv = (
        "household_id,unit,address,kind,tags,name,id_number,phone,relation\n"
        f"H1,{GRID},a,registered,,甲,110105194912310021,,head\n"
        f"H2,{GRID},b,registered,,乙,,1381234567a,head\n"
        f"H3,{GRID},c,registered,,丙,11010519491231002X,,head\n"
        f"H4,{GRID},d,registered,,丁,11010519491231002X,,head\n"
    )
    result = county.import_households(csv.encode(), mode="skip_invalid")
    assert [(line, field) for line, field, _ in result.errors] == [
        (2, "id_number"),
        (3, "phone"),
        (5, "id_number"),
    ]
    assert "110105**********21" in result.errors[0][2]
    assert "110105**********2X" in result.errors[2][2]
    assert "line 4" in result.errors[2][2]
    for text in (repr(result), str(result), repr(result.to_dict()), repr(result.errors)):
        assert "110105194912310021" not in text
        assert "11010519491231002X" not in text
        assert "1381234567a" not in text


def test_rows_of_one_household_that_disagree_are_rejected(county):
    rows = [dict(ROWS[0]), {**ROWS[1], "address": "别的地址"}]
    result = county.import_households(rows)
    assert [(line, field) for line, field, _ in result.errors] == [(2, "address")]
    assert "line 1" in result.errors[0][2]
    assert county.households("512021") == []


# Re-import.


def test_re_importing_updates_in_place_without_duplicates(county):
    county.import_households(CSV.encode())
    again = county.import_households(CSV.encode())
    assert (again.inserted, again.updated, again.errors) == (0, 5, [])
    assert [h.household_id for h in county.households("512021")] == ["H10", "H11"]
    assert len(county.residents("H10")) == 2
    assert county.unit_counts("512021")[0].residents == 3
    changed = CSV.replace("北坝路11号", "北坝路11号之一").replace("13800000001", "13900000002")
    third = county.import_households(changed.encode())
    assert (third.inserted, third.updated) == (0, 5)
    assert county.household("H11").address == "北坝路11号之一"
    head = county.residents("H10")[0]
    assert county.resident_clear(head.resident_id)[1] == "13900000002"


def test_a_re_import_that_moves_a_household_takes_effect_on_its_day(county):
    county.import_households(ROWS)
    moved = [{**r, "unit": OTHER_TOWN_GRID} if r["household_id"] == "H11" else r for r in ROWS]
    result = county.import_households(moved, on="2024-07-01")
    assert result.errors == []
    assert county.household("H11", as_of="2024-06-30").unit == GRID2
    assert county.household("H11", as_of="2024-07-01").unit == OTHER_TOWN_GRID


def test_the_on_date_bounds_id_birth_dates(county):
    rows = [{**ROWS[2], "id_number": "440524188001010014"}]
    result = county.import_households(rows, on="1879-12-31")
    assert [(line, field) for line, field, _ in result.errors] == [(1, "id_number")]
    assert "birth date" in result.errors[0][2]


# Progress and cancelling.


def many_rows(n: int) -> list[dict[str, str]]:
    """`n` one-person rental households in the first grid."""
    return [
        {
            "household_id": f"B{i:05d}",
            "unit": GRID,
            "address": f"{i}号",
            "kind": "rental",
            "name": "住户",
        }
        for i in range(n)
    ]


def test_the_progress_callback_is_called_with_done_and_total(county):
    calls = []
    result = county.import_households(
        BAD_CSV.encode(),
        mode="skip_invalid",
        progress=lambda done, total: calls.append((done, total)),
    )
    assert result.inserted == 5
    assert calls == [(5, 5)]


def test_progress_is_reported_every_thousand_rows(county):
    rows = many_rows(2001)
    calls = []

    def progress(done: int, total: int) -> bool:
        calls.append((done, total))
        return True

    result = county.import_households(rows, progress=progress)
    assert calls == [(1000, 2001), (2000, 2001), (2001, 2001)]
    assert (result.inserted, result.errors) == (4002, [])
    assert county.unit_counts(GRID)[0].households == 2001


def test_returning_false_from_progress_cancels_and_writes_nothing(county):
    before = snapshot(county)
    with pytest.raises(wangge.InvalidInput, match="cancelled"):
        county.import_households(CSV.encode(), progress=lambda done, total: False)
    assert snapshot(county) == before
    assert county.households("512021") == []


def test_returning_a_falsy_non_bool_from_progress_does_not_cancel(county):
    result = county.import_households(CSV.encode(), progress=lambda done, total: 0)
    assert result.inserted == 5


class Stop(Exception):
    pass


def test_an_exception_raised_by_progress_propagates_and_nothing_is_written(county):
    before = snapshot(county)
    raised = Stop("operator pressed stop")

    def progress(done, total):
        raise raised

    with pytest.raises(Stop) as caught:
        county.import_households(ROWS, progress=progress)
    assert caught.value is raised
    assert snapshot(county) == before


def test_progress_stops_being_called_once_it_raised(county):
    rows = many_rows(2500)
    calls = []

    def progress(done, total):
        calls.append(done)
        raise Stop(done)

    with pytest.raises(Stop):
        county.import_households(rows, progress=progress)
    assert calls == [1000]
    assert county.households("512021") == []


def test_the_store_cannot_be_used_from_inside_progress(county):
    seen = []

    def progress(done, total):
        seen.append(done)
        county.households("512021")

    with pytest.raises(wangge.StorageError, match="progress callback"):
        county.import_households(CSV.encode(), progress=progress)
    assert seen == [3]
    assert county.households("512021") == []
    assert county.import_households(CSV.encode()).inserted == 5


# Scopes.


def test_a_scoped_import_rejects_rows_outside_its_subtree(county):
    grid = county.scope(GRID, "网格员")
    before = snapshot(county)
    result = grid.import_households(CSV.encode())
    assert [(line, field) for line, field, _ in result.errors] == [(4, "unit")]
    assert "permission denied" in result.errors[0][2]
    assert snapshot(county) == before
    partial = grid.import_households(CSV.encode(), mode="skip_invalid")
    assert partial.inserted == 3
    assert [h.household_id for h in county.households("512021")] == ["H10"]
    last = county.audit_log()[-1]
    assert (last.actor, last.action) == ("网格员", "import_households")


def test_the_import_persists_across_close_and_reopen(county_file):
    with wangge.Store(county_file) as store:
        store.import_households(CSV.encode())
    with wangge.Store(county_file) as store:
        assert [h.household_id for h in store.households("512021")] == ["H10", "H11"]
