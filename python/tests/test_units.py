"""The unit tree: adding, querying, moving and retiring, as of any date."""

from __future__ import annotations

import json

import pytest
from conftest import codes, d

import wangge


def test_children_are_sorted_by_code_and_exclude_grandchildren(county):
    children = county.children("512021")
    assert codes(children) == ["512021100", "512021101"]
    assert [u.name for u in children] == ["岳阳镇", "石桥铺镇"]


def test_descendants_cover_the_subtree_sorted_without_the_unit_itself(county):
    everything = county.descendants("512021")
    assert len(everything) == 9
    assert codes(everything) == sorted(codes(everything))
    assert "512021" not in codes(everything)


def test_descendants_filter_by_level(county):
    grids = county.descendants("512021100", level="grid")
    assert codes(grids) == ["512021100001001", "512021100001002", "512021100002001"]
    assert {u.level for u in grids} == {"grid"}


def test_descendants_with_an_unknown_level_are_invalid_input_naming_it(county):
    with pytest.raises(wangge.InvalidInput, match="hamlet"):
        county.descendants("512021", level="hamlet")


def test_ancestors_are_root_first_without_the_unit_itself(county):
    chain = county.ancestors("512021100001002")
    assert codes(chain) == ["512021", "512021100", "512021100001"]
    assert county.ancestors("512021") == []


def test_a_unit_reports_its_parent_level_name_and_open_dates(county):
    unit = county.unit("512021100002001")
    assert unit.name == "龙井一网格"
    assert unit.level == "grid"
    assert unit.parent == "512021100002"
    assert unit.start is None
    assert unit.end is None
    assert county.unit("512021").parent is None


def test_add_unit_returns_the_unit_as_stored(county):
    unit = county.add_unit(
        "512021100001003", "北坝三网格", "grid", parent="512021100001", start="2024-04-01"
    )
    assert unit == county.unit("512021100001003")
    assert unit.start == d("2024-04-01")
    assert unit.parent == "512021100001"


@pytest.mark.parametrize(
    ("code", "parent", "level"),
    [
        ("51202", None, "county"),
        ("512022100", "512021", "township"),
        ("5120211000", "512021", "township"),
        ("51202110000A", "512021100", "community"),
        ("512021/100", "512021", "township"),
    ],
)
def test_bad_codes_are_invalid_input_naming_the_code_and_write_nothing(
    county, code, parent, level
):
    before = len(county.audit_log())
    with pytest.raises(wangge.InvalidInput) as caught:
        county.add_unit(code, "x", level, parent)
    assert code in str(caught.value)
    assert len(county.audit_log()) == before
    assert len(county.descendants("512021")) == 9


def test_an_unknown_level_or_a_level_above_the_parent_is_invalid_input(county):
    with pytest.raises(wangge.InvalidInput, match="hamlet"):
        county.add_unit("512021102", "x", "hamlet", "512021")
    with pytest.raises(wangge.InvalidInput):
        county.add_unit("512021100009", "x", "community", "512021100001001")
    assert len(county.descendants("512021")) == 9


def test_a_duplicate_code_is_a_conflict_naming_it(county):
    with pytest.raises(wangge.Conflict, match="512021100"):
        county.add_unit("512021100", "又一个", "township", "512021")
    assert county.unit("512021100").name == "岳阳镇"


def test_an_unknown_parent_is_not_found_naming_it(county):
    with pytest.raises(wangge.NotFound, match="512099"):
        county.add_unit("512021199", "无", "township", "512099")


def test_an_unknown_unit_is_not_found(county):
    with pytest.raises(wangge.NotFound, match="512021999"):
        county.unit("512021999")
    with pytest.raises(wangge.NotFound):
        county.children("512021999")


def test_add_units_takes_dicts_and_tuples_with_parents_earlier_in_the_batch(county):
    added = county.add_units(
        [
            {"code": "512021102", "name": "通贤镇", "level": "township", "parent": "512021"},
            ("512021102001", "通贤社区", "community", "512021102"),
            ("512021102001001", "通贤一网格", "grid", "512021102001", "2024-02-01"),
        ]
    )
    assert added == 3
    assert codes(county.descendants("512021102")) == ["512021102001", "512021102001001"]
    assert county.unit("512021102001001").start == d("2024-02-01")


def test_add_units_accepts_a_generator(county):
    rows = ((f"51202110000100{i}", f"网格{i}", "grid", "512021100001") for i in (3, 4))
    assert county.add_units(rows) == 2
    assert len(county.children("512021100001")) == 4


def test_a_batch_with_one_bad_unit_adds_none_of_them(county):
    before = len(county.audit_log())
    batch = [
        ("512021102", "通贤镇", "township", "512021"),
        ("512021102001", "通贤社区", "community", "512021102"),
        ("512021102", "重复", "township", "512021"),
    ]
    with pytest.raises(wangge.Conflict):
        county.add_units(batch)
    with pytest.raises(wangge.NotFound):
        county.unit("512021102")
    assert len(county.audit_log()) == before


@pytest.mark.parametrize(
    ("item", "words"),
    [
        ({"code": "512021102", "name": "x"}, "missing field `level`"),
        ({"code": "512021102", "name": "x", "level": "township", "colour": "red"}, "colour"),
        (("512021102", "x"), "missing field `level`"),
        ("512021102", r"unit .*expected a JSON object, not text \(unit 0 of the batch\)"),
        (("512021102", "x", 7), "invalid type: integer `7`, expected a string"),
        (("512021102", "x", "township", "512021", "someday"), "someday"),
    ],
)
def test_add_units_refuses_malformed_items_as_invalid_input(county, item, words):
    with pytest.raises(wangge.InvalidInput, match=words):
        county.add_units([item])
    with pytest.raises(wangge.NotFound):
        county.unit("512021102")


def test_a_moved_unit_keeps_its_code_and_history_answers_where_it_was(county):
    moved = county.move_unit("512021100002", "512021101", "2024-07-01")
    assert moved.code == "512021100002"
    assert moved.parent == "512021101"
    before, after = d("2024-06-30"), d("2024-07-01")
    assert codes(county.children("512021100", as_of=before)) == [
        "512021100001",
        "512021100002",
    ]
    assert codes(county.children("512021100", as_of=after)) == ["512021100001"]
    assert codes(county.children("512021101", as_of=after)) == [
        "512021100002",
        "512021101001",
    ]
    # The grid under the moved community moves with it.
    assert codes(county.ancestors("512021100002001", as_of=after)) == [
        "512021",
        "512021101",
        "512021100002",
    ]
    assert codes(county.ancestors("512021100002001", as_of=before)) == [
        "512021",
        "512021100",
        "512021100002",
    ]
    assert "512021100002001" in codes(county.descendants("512021101", "grid", after))
    assert "512021100002001" not in codes(county.descendants("512021101", "grid", before))


def test_two_successive_moves_keep_all_three_placements(county):
    county.move_unit("512021100001001", "512021100002", d("2024-03-01"))
    county.move_unit("512021100001001", "512021101001", d("2024-09-01"))

    def parent_on(day):
        return county.unit("512021100001001", as_of=day).parent

    assert parent_on("2024-02-29") == "512021100001"
    assert parent_on("2024-03-01") == "512021100002"
    assert parent_on("2024-09-01") == "512021101001"


@pytest.mark.parametrize("target", ["512021100", "512021100001", "512021100001001"])
def test_moving_under_itself_or_a_descendant_is_invalid_input_and_changes_nothing(
    county, target
):
    before = len(county.audit_log())
    with pytest.raises(wangge.InvalidInput, match=target):
        county.move_unit("512021100", target, "2024-01-01")
    assert len(county.audit_log()) == before
    assert county.unit("512021100").parent == "512021"


def test_moving_to_an_unknown_parent_is_not_found(county):
    with pytest.raises(wangge.NotFound, match="512021199"):
        county.move_unit("512021100001", "512021199", "2024-01-01")


def test_a_retired_unit_stays_in_history_but_not_after(county):
    retired = county.retire_unit("512021100001002", "2024-05-01")
    assert retired.end == d("2024-05-01")
    assert len(county.descendants("512021100001", as_of="2024-04-30")) == 2
    assert codes(county.descendants("512021100001", as_of="2024-05-01")) == [
        "512021100001001"
    ]
    assert county.unit("512021100001002").end == d("2024-05-01")
    with pytest.raises(wangge.NotFound):
        county.unit("512021100001002", as_of="2024-06-01")
    with pytest.raises(wangge.Conflict):
        county.retire_unit("512021100001002", "2024-06-01")


def test_a_unit_with_active_children_cannot_be_retired(county):
    with pytest.raises(wangge.Conflict, match="512021100001001"):
        county.retire_unit("512021100001", "2024-05-01")


def test_a_unit_started_later_does_not_exist_before_its_start(county):
    county.add_unit("512021100001003", "北坝三网格", "grid", "512021100001", d("2024-04-01"))
    assert len(county.children("512021100001", as_of="2024-03-31")) == 2
    assert len(county.children("512021100001", as_of="2024-04-01")) == 3


def test_custom_levels_above_the_county_follow_the_coding_rule():
    levels = [("province", 2), ("city", 4), ("county", 6), ("township", 9)]
    with wangge.Store(":memory:", levels=levels) as store:
        assert store.levels == levels
        store.add_unit("51", "四川省", "province")
        store.add_unit("5120", "资阳市", "city", "51")
        store.add_unit("512021", "安岳县", "county", "5120")
        assert codes(store.ancestors("512021")) == ["51", "5120"]
        with pytest.raises(wangge.InvalidInput, match="5220"):
            store.add_unit("5220", "x", "city", "51")


def test_free_form_levels_skip_the_length_and_prefix_rules():
    with wangge.Store(":memory:", levels=[("district", None), ("block", None)]) as store:
        assert store.levels == [("district", None), ("block", None)]
        store.add_unit("north", "北区", "district")
        store.add_unit("B-07", "七号街区", "block", "north")
        assert codes(store.children("north")) == ["B-07"]
        with pytest.raises(wangge.InvalidInput, match="a/b"):
            store.add_unit("a/b", "x", "block", "north")


@pytest.mark.parametrize(
    ("levels", "words"),
    [
        ([], "at least one"),
        ([("a", 4), ("b", 2)], "grow"),
        ([("a", None), ("a", None)], "unique"),
        ([("Province", 2)], "Province"),
        ([("city", -4)], "city=-4"),
        (["city"], "expected a tuple of size 2"),
        ("city", "options .*expected a sequence"),
    ],
)
def test_bad_levels_are_invalid_input(levels, words):
    with pytest.raises(wangge.InvalidInput, match=words):
        wangge.Store(":memory:", levels=levels)


def test_the_default_levels_are_county_down_to_building():
    with wangge.Store(":memory:") as store:
        assert store.levels == wangge.DEFAULT_LEVELS
    assert [name for name, _ in wangge.DEFAULT_LEVELS] == [
        "county",
        "township",
        "community",
        "grid",
        "building",
    ]
    assert [n for _, n in wangge.DEFAULT_LEVELS] == [6, 9, 12, 15, 18]


def test_units_compare_hash_repr_and_convert_to_dicts(county):
    unit = county.unit("512021100001001")
    same = county.children("512021100001")[0]
    assert unit == same
    assert hash(unit) == hash(same)
    assert unit != county.unit("512021100001002")
    assert unit != "512021100001001"
    assert len({unit, same}) == 1
    assert repr(unit) == (
        "Unit(code='512021100001001', name='北坝一网格', level='grid', "
        "parent='512021100001', start=None, end=None)"
    )
    assert unit.to_dict() == {
        "code": "512021100001001",
        "name": "北坝一网格",
        "level": "grid",
        "parent": "512021100001",
        "start": None,
        "end": None,
    }


def test_units_are_frozen(county):
    unit = county.unit("512021")
    with pytest.raises(AttributeError):
        unit.name = "changed"  # type: ignore[misc]
    assert unit.name == "安岳县"


def test_a_batch_of_plain_and_other_items_reads_each_as_given():
    # Text is written into the batch as it is (quotes, backslashes, CJK and astral
    # characters); items with other values (a date, a code given as a number) go the
    # long way; both read the same. A control character is no part of a name: refused
    # on either way, naming the field, and nothing is added.
    store = wangge.Store(":memory:")
    for control in ["\n", "\t", "\x01", "\x00"]:
        for batch in ([("512021", "安岳" + control, "county")],
                      [{"code": "512021", "name": "安岳" + control, "level": "county"}]):
            with pytest.raises(wangge.InvalidInput, match="name holds a control character"):
                store.add_units(batch)
    with pytest.raises(wangge.NotFound):
        store.unit("512021")
    awkward = '县"\\ \'\' 😀 安岳'
    added = store.add_units(
        [
            ("512021", awkward, "county"),
            {"code": "512021100", "name": "岳阳镇", "level": "township", "parent": "512021"},
            ["512021101", "石桥铺镇", "township", "512021", d("2020-01-01")],
            {"code": 512021102, "name": "通贤镇", "level": "township", "parent": 512021},
            ("512021103", "兴隆镇", "township", "512021", None),
        ]
    )
    assert added == 5
    assert store.unit("512021").name == awkward
    assert [u.code for u in store.children("512021")] == [
        "512021100",
        "512021101",
        "512021102",
        "512021103",
    ]
    assert store.unit("512021101").start == d("2020-01-01")


def test_a_lone_surrogate_in_a_batch_is_refused_naming_the_item():
    store = wangge.Store(":memory:")
    for bad in (("512021", "\ud800", "county"), {"code": "512021", "name": "\ud800", "level": "county"}):
        with pytest.raises(wangge.InvalidInput) as err:
            store.add_units([("512020", "县", "county"), bad])
        assert "unit 1 of the batch" in str(err.value), err.value
        assert "surrogate" in str(err.value), err.value
    with pytest.raises(wangge.NotFound):
        store.unit("512020")  # all or nothing: the good item was not added either


def test_a_plain_batch_reads_as_its_json_text_does():
    # Lists and tuples of texts and None, and dicts of them, are read without JSON in
    # between; the units, and the batch's audit record, are those of the same batch
    # given as JSON text.
    rows = [
        ("512021", "安岳县", "county", None),
        ("512021100", "岳阳镇", "township", "512021", "2020-01-01"),
        ("512021100001", '社区"\\', "community", "512021100", None),
        ("512021101", "石桥铺镇", "township", "512021"),
    ]
    keys = ("code", "name", "level", "parent", "start")
    dicts = [dict(zip(keys, r)) for r in rows]
    forms = {
        "tuples": rows,
        "lists": tuple(list(r) for r in rows),
        "dicts": dicts,
        "dicts, keys in another order": [dict(reversed(list(u.items()))) for u in dicts],
        "text": json.dumps(dicts, ensure_ascii=False),
    }
    seen = {}
    for form, batch in forms.items():
        store = wangge.Store(":memory:")
        assert store.add_units(batch) == 4, form
        units = [
            (u.code, u.name, u.level, u.parent, u.start)
            for u in [store.unit("512021"), *store.descendants("512021")]
        ]
        record = store.audit_log()[-1]
        seen[form] = (units, record.action, record.target, json.loads(record.detail))
    assert len({repr(v) for v in seen.values()}) == 1, seen
    assert seen["text"][0][1] == ("512021100", "岳阳镇", "township", "512021", d("2020-01-01"))
