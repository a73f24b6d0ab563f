"""Frames: every list result (a Page) and every report-like result exposes the Arrow
PyCapsule stream and to_pandas(), with typed columns (dates as datetime64, counts as
ints, rates as X/X_num/X_den), masked ID numbers and phones, and labels="zh" for Chinese
headers and value names. The columns themselves are pinned in core (frame/tests.rs)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

import wangge

pa = pytest.importorskip("pyarrow")
pd = pytest.importorskip("pandas")

COUNTY = "512021"
YUEYANG = "512021100"
GRID = "512021100001001"
OTHER_GRID = "512021101001001"
EAST8 = timezone(timedelta(hours=8))
ID_NUMBER = "11010519491231002X"
PHONE = "13812345678"


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=EAST8)


@pytest.fixture
def filled(county):
    """The county with households, a resident with an ID number and phone, visits, a
    finding, a patrol and ledger entries, one worked through to resolved."""
    county.add_staff("W1", "网格员甲")
    county.assign("W1", GRID, "grid_worker")
    county.add_staff("P1", "党员甲")
    county.assign("P1", GRID, "party_member", start="2024-01-01")
    county.add_household("H1", GRID, "北坝街1号", tags=["低保"])
    county.add_household("H2", GRID, "北坝街2号", kind="floating")
    county.add_household("H3", OTHER_GRID, "解放村3号")
    county.add_resident("H1", "张三", id_number=ID_NUMBER, phone=PHONE)
    county.add_resident("H1", "李四", relation="spouse")
    visit = county.record_visit("H1", "W1", "home", "2024-03-10")
    county.record_visit("H3", "W1", "phone", "2024-03-11")
    county.record_finding(visit.visit_id, "路灯坏了", "市政设施")
    county.record_patrol(GRID, "W1", at(2024, 3, 4, 8, 30), note="巡查")
    first = county.register(GRID, "市政设施", "路灯坏了", at(2024, 3, 4, 9))
    county.register(OTHER_GRID, "市政设施", "井盖缺失", at(2024, 3, 5, 9))
    county.sign_for(first.id, "W1", at(2024, 3, 4, 10))
    county.start(first.id, "W1", at(2024, 3, 4, 11))
    county.resolve(first.id, at(2024, 3, 5, 15), "已修复")
    return county


def lists(store):
    """Each list kind by name, as its Store method returns it."""
    return {
        "due_visits": store.due_visits(COUNTY, "2024-03-31"),
        "entries": store.entries(COUNTY),
        "households": store.households(COUNTY, "2024-03-31"),
        "residents": store.residents("H1", "2024-03-31"),
        "findings": store.findings(COUNTY),
        "patrols": store.patrols(GRID, "2024-03"),
        "visit_detail": store.visit_compliance(COUNTY, "2024-Q1", detail=True)["requirements"],
        "quota_detail": store.quota_compliance(COUNTY, "2024-Q1", detail=True)["requirements"],
        "patrol_detail": store.patrol_compliance(GRID, "2024-03", detail=True)["requirements"],
    }


def stream_table(obj):
    """The table a reader of the Arrow PyCapsule stream gets from obj."""
    return pa.RecordBatchReader.from_stream(obj).read_all()


def test_every_list_kind_is_read_by_pyarrow_through_the_stream(filled):
    for name, page in lists(filled).items():
        assert isinstance(page, wangge.Page), name
        assert len(page) > 0, name
        table = stream_table(page)
        assert table.num_rows == len(page), name
        assert pa.table(page.to_arrow()) == table, name
        first = page[0] if isinstance(page[0], dict) else page[0].to_dict()
        for key in first:
            flattened = [c for c in table.column_names if c.startswith(f"{key}_")]
            assert key in table.column_names or flattened, (name, key)


def test_a_due_list_frame_has_datetime64_dates_and_bool_flags(filled):
    frame = filled.due_visits(COUNTY, "2024-03-31").to_pandas()
    assert list(frame.columns)[:7] == [
        "household_id", "unit", "rule", "channel", "due", "overdue", "last_visit",
    ]
    assert pd.api.types.is_datetime64_any_dtype(frame["due"])
    assert pd.api.types.is_datetime64_any_dtype(frame["last_visit"])
    assert frame["overdue"].dtype == bool
    assert set(frame["channel"]) <= {"home", "phone"}
    h1 = frame[frame["household_id"] == "H1"]
    assert (h1["last_visit"].dropna() == pd.Timestamp("2024-03-10")).all()
    # Where the household is and who looks after it, readable without joins.
    h2 = frame[frame["household_id"] == "H2"]
    assert len(h2) == 2
    assert set(h2["grid"]) == {GRID}
    assert set(h2["address"]) == {"北坝街2号"}
    assert set(h2["responsible"]) == {"网格员甲 W1"}
    h3 = frame[frame["household_id"] == "H3"]
    assert len(h3) == 1 and h3["responsible"].isna().all(), "a grid without workers has none"


def test_an_entry_frame_has_timestamps_ints_and_flattened_objects(filled):
    frame = filled.entries(COUNTY).to_pandas()
    assert len(frame) == 2
    assert pd.api.types.is_datetime64_any_dtype(frame["reported_at"])
    assert pd.api.types.is_datetime64_any_dtype(frame["deadline"])
    assert pd.api.types.is_integer_dtype(frame["id"])
    assert pd.api.types.is_integer_dtype(frame["rework"])
    assert {"handler_kind", "handler_name"} <= set(frame.columns)
    assert frame["reported_at"].iloc[0] == pd.Timestamp("2024-03-04 09:00", tz="+08:00")
    assert sorted(frame["status"]) == ["registered", "resolved"]


def test_households_frame_counts_tags_as_lists(filled):
    frame = filled.households(COUNTY, "2024-03-31").to_pandas()
    h1 = frame.set_index("household_id").loc["H1"]
    assert list(h1["tags"]) == ["低保"]
    assert frame.set_index("household_id").loc["H2", "kind"] == "floating"


def test_residents_frames_mask_id_numbers_and_phones_as_the_records_do(filled):
    page = filled.residents("H1", "2024-03-31")
    frame = page.to_pandas()
    head = frame.iloc[0]
    assert head["id_number"] == page[0].id_number
    assert head["phone"] == page[0].phone
    assert ID_NUMBER not in frame.to_string()
    assert PHONE not in frame.to_string()
    assert "*" in head["id_number"] and "*" in head["phone"]
    zh = page.to_pandas(labels="zh")
    assert ID_NUMBER not in zh.to_string()
    assert zh.iloc[0]["身份证号"] == page[0].id_number


def test_zh_labels_give_chinese_headers_and_status_channel_and_kind_names(filled):
    entries = filled.entries(COUNTY).to_pandas(labels="zh")
    assert {"状态", "上报时间", "类别"} <= set(entries.columns)
    # A resolved entry is 已办结 (办结率 counts it); 已注销 is a closed one.
    assert sorted(entries["状态"]) == ["已办结", "已登记"]
    due = filled.due_visits(COUNTY, "2024-03-31").to_pandas(labels="zh")
    assert {"户编号", "走访方式", "应访日期"} <= set(due.columns)
    assert set(due["走访方式"]) <= {"入户", "电话"} and len(due) > 0
    assert pd.api.types.is_datetime64_any_dtype(due["应访日期"])
    households = filled.households(COUNTY, "2024-03-31").to_pandas(labels="zh")
    assert set(households["户类型"]) == {"户籍", "流动"}
    residents = filled.residents("H1", "2024-03-31").to_pandas(labels="zh")
    assert list(residents["与户主关系"]) == ["户主", "配偶"]
    assert list(residents["姓名"]) == ["张三", "李四"]


def test_zh_labels_name_levels_in_reports(filled):
    report = filled.report(COUNTY, "2024-Q1")
    frame = report.to_pandas(labels="zh")
    assert list(frame.columns)[:4] == ["单位代码", "名称", "层级", "本级"]
    assert list(frame["层级"]) == ["乡镇", "乡镇", "县"]
    assert "办结率分子" in frame.columns and "办结率分母" in frame.columns


def test_the_labels_tables_are_the_cores(filled):
    labels = wangge.labels()
    assert labels["levels"] == {
        "county": "县", "township": "乡镇", "community": "社区", "grid": "网格",
        "building": "楼栋",
    }
    assert labels["statuses"]["registered"] == "已登记"
    assert [labels["statuses"][s] for s in
            ["signed_for", "in_progress", "resolved", "closed", "suspended"]] == [
        "已签收", "办理中", "已办结", "已注销", "缓办"]
    assert labels["actions"]["resolve"] == "办结"
    assert labels["actions"]["close"] == "注销"
    assert labels["channels"] == {"home": "入户", "phone": "电话"}
    for key, header in [("grid", "所属网格"), ("grid_name", "网格名称"),
                        ("address", "住址"), ("responsible", "责任网格员")]:
        assert labels["columns"][key] == header
    labels["channels"]["home"] = "changed"
    assert wangge.labels()["channels"]["home"] == "入户"


def test_a_report_is_a_stream_with_rates_in_three_columns(filled):
    report = filled.report(COUNTY, "2024-Q1")
    table = pa.table(report)
    names = table.column_names
    assert names[:4] == ["unit", "name", "level", "own"]
    i = names.index("closure_rate")
    assert names[i : i + 3] == ["closure_rate", "closure_rate_num", "closure_rate_den"]
    assert table.schema.field("closure_rate").type == pa.float64()
    assert table.schema.field("closure_rate_num").type == pa.int64()
    assert table.schema.field("received").type == pa.int64()
    frame = report.to_pandas()
    assert frame["closure_rate_den"].sum() == 2
    assert pd.api.types.is_float_dtype(frame["closure_rate"])
    assert pd.api.types.is_integer_dtype(frame["received"])


def test_a_circular_and_an_assessment_are_streams_and_frames(filled):
    circular = filled.circular(COUNTY, "2024-Q1", "closure_rate", min_sample=1)
    table = pa.table(circular)
    assert table.column_names == ["unit", "name", "value", "num", "den", "rank", "reason"]
    assert table.num_rows == len(circular.ranked) + len(circular.left_out)
    frame = circular.to_pandas(labels="zh")
    assert {"单位代码", "排名"} <= set(frame.columns)
    assessment = filled.assessment(COUNTY, "2024-Q1")
    frame = assessment.to_pandas()
    assert list(frame.columns)[:4] == ["unit", "name", "score", "rank"]
    assert len(frame) == len(assessment.rows)
    assert pa.table(assessment).num_rows == len(assessment.rows)


def test_labels_other_than_en_and_zh_are_invalid_input_naming_labels(filled):
    page = filled.due_visits(COUNTY, "2024-03-31")
    for call in [
        lambda: page.to_pandas(labels="fr"),
        lambda: page.to_arrow(labels="EN"),
        lambda: filled.report(COUNTY, "2024-Q1").to_pandas(labels="cn"),
        lambda: filled.circular(COUNTY, "2024-Q1", "received").to_pandas(labels=""),
        lambda: filled.assessment(COUNTY, "2024-Q1").to_pandas(labels="de"),
    ]:
        with pytest.raises(wangge.InvalidInput, match="labels"):
            call()


def test_an_empty_page_is_an_empty_frame(county):
    frame = county.due_visits(COUNTY, "2024-03-31").to_pandas()
    assert len(frame) == 0
    assert stream_table(county.entries(COUNTY)).num_rows == 0


def test_a_page_filtered_by_the_caller_is_still_a_frame(filled):
    page = filled.due_visits(COUNTY, "2024-03-31")
    overdue = wangge.Page([d for d in page if d.household_id == "H2"])
    frame = overdue.to_pandas()
    assert set(frame["household_id"]) == {"H2"}


def test_a_page_mixing_record_classes_is_refused(filled):
    mixed = wangge.Page([*filled.households(COUNTY, "2024-03-31"), *filled.entries(COUNTY)])
    with pytest.raises(TypeError, match="one record class"):
        stream_table(mixed)


def test_records_of_a_page_are_left_out_of_the_cycle_collector(filled):
    import gc

    page = filled.due_visits(COUNTY, "2024-03-31")
    assert page and not any(gc.is_tracked(item) for item in page)
    assert page[0].household_id in {"H1", "H2", "H3"}


def test_a_compliance_detail_page_pickles_and_copies_as_its_dicts(filled):
    import copy
    import pickle

    page = filled.visit_compliance(COUNTY, "2024-Q1", detail=True)["requirements"]
    for other in [pickle.loads(pickle.dumps(page)), copy.copy(page), copy.deepcopy(page)]:
        assert other == page and type(other) is wangge.Page and other.next is None


def test_records_read_as_mappings_so_a_plain_dataframe_has_a_column_per_field(filled):
    import collections.abc

    page = filled.due_visits(COUNTY, "2024-03-31")
    record = page[0]
    assert isinstance(record, collections.abc.Mapping)
    assert dict(record) == record.to_dict()
    assert list(record) == record.keys() == list(record.to_dict())
    assert len(record) == len(record.keys())
    assert record["household_id"] == record.household_id
    assert "due" in record and "nonsense" not in record and 3 not in record
    assert record.get("nonsense", 7) == 7 and record.get("unit") == record.unit
    with pytest.raises(KeyError):
        record["nonsense"]
    assert record.items() == list(record.to_dict().items())
    # The symptom: a plain DataFrame of a list result was one column of objects.
    frame = pd.DataFrame(page)
    assert list(frame.columns) == record.keys()
    assert len(frame) == len(page)
    assert list(frame["household_id"]) == [v.household_id for v in page]
    for name, items in lists(filled).items():
        if items and not isinstance(items[0], dict):
            assert list(pd.DataFrame(items).columns) == items[0].keys(), name
