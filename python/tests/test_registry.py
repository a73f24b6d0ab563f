"""The registry: households over time, kinds, tags and the derived class, residents and
their ID numbers, masking and the audited clear read, counts, and scopes."""

from __future__ import annotations

import json

import pytest
from conftest import d

import wangge

GRID = "512021100001001"
GRID2 = "512021100001002"
OTHER_TOWN_GRID = "512021101001001"

# Valid test ID numbers: (number, birth date, sex).
FEMALE_1949 = "11010519491231002X"
MALE_1880 = "440524188001010014"
FEMALE_1948 = "510123194805121220"


@pytest.fixture
def registry(county):
    """The county with three households in 北坝社区 and one resident in H1, as in
    core/tests/registry.rs."""
    county.add_household("H1", GRID, "海慧路1号")
    county.add_household("H2", GRID, "海慧路2号", kind="floating", tags=["流动人口"])
    county.add_household("H3", GRID2, "海慧路3号", kind="rental")
    county.add_resident("H1", "付良容", FEMALE_1948, phone="13812345678")
    return county


def ids(households: list[wangge.Household]) -> list[str]:
    return [h.household_id for h in households]


# Households over time.


def test_add_household_returns_the_household_with_defaults(county):
    h = county.add_household("H1", GRID, "海慧路1号")
    assert isinstance(h, wangge.Household)
    assert (h.household_id, h.unit, h.address) == ("H1", GRID, "海慧路1号")
    assert (h.kind, h.tags, h.household_class) == ("registered", [], "ordinary")
    assert (h.start, h.end, h.verified) == (None, None, None)
    assert county.household("H1") == h
    assert h.to_dict() == {
        "household_id": "H1",
        "unit": GRID,
        "address": "海慧路1号",
        "kind": "registered",
        "tags": [],
        "household_class": "ordinary",
        "start": None,
        "end": None,
        "verified": None,
    }
    assert repr(h).startswith("Household(household_id='H1', unit='512021100001001'")


def test_a_household_with_a_start_date_does_not_exist_before_it(county):
    h = county.add_household("H1", GRID, "海慧路1号", start="2024-03-01")
    assert h.start == d("2024-03-01")
    assert county.household("H1", as_of=d("2024-03-01")).unit == GRID
    with pytest.raises(wangge.NotFound, match="H1"):
        county.household("H1", as_of="2024-02-29")
    assert county.households("512021", as_of="2024-02-29") == []


def test_a_moved_household_is_where_it_lived_on_each_day(registry):
    moved = registry.move_household("H1", OTHER_TOWN_GRID, on=d("2024-07-01"))
    assert moved.unit == OTHER_TOWN_GRID
    assert registry.household("H1", as_of="2024-06-30").unit == GRID
    assert registry.household("H1", as_of="2024-07-01").unit == OTHER_TOWN_GRID
    assert ids(registry.households("512021101", as_of="2024-06-30")) == []
    assert ids(registry.households("512021101", as_of="2024-07-01")) == ["H1"]
    assert ids(registry.households("512021100", as_of="2024-06-30")) == ["H1", "H2", "H3"]
    assert ids(registry.households("512021100", as_of="2024-07-01")) == ["H2", "H3"]
    last = registry.audit_log()[-1]
    assert (last.action, last.target) == ("move_household", "H1")
    assert json.loads(last.detail)["to"] == OTHER_TOWN_GRID


def test_an_ended_household_stays_in_history_only(registry):
    assert registry.end_household("H3", "2024-05-01") is None
    assert registry.household("H3", as_of="2024-04-30").end == d("2024-05-01")
    with pytest.raises(wangge.NotFound, match="H3"):
        registry.household("H3", as_of="2024-05-01")
    assert ids(registry.households("512021", as_of="2024-05-01")) == ["H1", "H2"]
    assert ids(registry.households("512021", as_of="2024-04-30")) == ["H1", "H2", "H3"]


def test_a_duplicate_household_id_is_a_conflict_and_writes_nothing(registry):
    before = registry.audit_log()
    with pytest.raises(wangge.Conflict, match="H1"):
        registry.add_household("H1", GRID2, "别处")
    assert registry.audit_log() == before
    assert registry.household("H1").address == "海慧路1号"


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda s: s.add_household("H9", GRID, "x", kind="owned"), "kind"),
        (lambda s: s.add_household("H9", GRID, "   "), "address"),
        (lambda s: s.add_household("", GRID, "x"), "household_id"),
        (lambda s: s.add_household("H9", GRID, "x", tags="低保"), "tags"),
        (lambda s: s.add_household("H9", GRID, "x", tags=["不存在"]), "不存在"),
        (lambda s: s.add_household("H9", GRID, "x", start="2024-13-01"), "start"),
        (lambda s: s.households("512021", household_class="poor"), "household_class"),
        (lambda s: s.households("512021", kind="owned"), "kind"),
        (lambda s: s.households("512021", tag="不存在"), "不存在"),
    ],
)
def test_bad_household_arguments_are_invalid_input_naming_the_field(registry, call, field):
    with pytest.raises(wangge.InvalidInput, match=field):
        call(registry)


def test_an_unknown_household_or_unit_is_not_found(registry):
    with pytest.raises(wangge.NotFound, match="H404"):
        registry.household("H404")
    with pytest.raises(wangge.NotFound, match="512021999"):
        registry.add_household("H9", "512021999", "x")
    with pytest.raises(wangge.NotFound):
        registry.households("512021999")


# Kinds, tags and the derived class.


def test_households_of_a_subtree_filter_by_class_tag_and_kind(registry):
    assert ids(registry.households("512021100")) == ["H1", "H2", "H3"]
    assert ids(registry.households("512021100", household_class="special")) == ["H2"]
    assert ids(registry.households("512021100", household_class="ordinary")) == [
        "H1",
        "H3",
    ]
    assert ids(registry.households("512021", kind="rental")) == ["H3"]
    assert ids(registry.households("512021", kind="floating")) == ["H2"]
    assert ids(registry.households("512021100001", tag="流动人口")) == ["H2"]
    assert ids(registry.households(GRID2)) == ["H3"]
    assert registry.households("512021101") == []
    assert registry.households("512021", kind="rental", household_class="special") == []


def test_the_household_class_follows_its_own_tags_over_dates(registry):
    assert registry.household_class("H1", as_of="2024-01-01") == "ordinary"
    registry.tag("H1", "低保", start="2024-02-15")
    assert registry.household_class("H1", as_of=d("2024-02-14")) == "ordinary"
    assert registry.household_class("H1", as_of=d("2024-02-15")) == "special"
    assert registry.household("H1", as_of="2024-03-01").tags == ["低保"]
    assert ids(registry.households("512021", as_of="2024-03-01", tag="低保")) == ["H1"]
    registry.untag("H1", "低保", "2024-06-01")
    assert registry.household_class("H1", as_of="2024-05-31") == "special"
    assert registry.household_class("H1", as_of="2024-06-01") == "ordinary"
    assert registry.households("512021", as_of="2024-06-01", tag="低保") == []


def test_a_members_tag_makes_the_household_special_for_its_days(registry):
    r = registry.add_resident("H3", "冯宣云")
    registry.tag_resident(r.resident_id, "残疾", start="2024-01-01", end="2024-12-31")
    assert registry.resident(r.resident_id, as_of="2024-06-01").tags == ["残疾"]
    h3 = registry.household("H3", as_of="2024-12-31")
    assert (h3.household_class, h3.tags) == ("special", ["残疾"])
    assert registry.household_class("H3", as_of="2023-12-31") == "ordinary"
    assert registry.household_class("H3", as_of="2025-01-01") == "ordinary"
    assert ids(registry.households("512021", as_of="2024-06-01", household_class="special")) == [
        "H2",
        "H3",
    ]
    registry.untag_resident(r.resident_id, "残疾", "2024-07-01")
    assert registry.household_class("H3", as_of="2024-07-01") == "ordinary"
    assert registry.household_class("H3", as_of="2024-06-30") == "special"


def test_tag_household_and_untag_household_are_tag_and_untag(registry):
    registry.tag_household("H1", "空巢", start="2024-01-01", end="2024-03-31")
    assert registry.household_class("H1", as_of="2024-03-31") == "special"
    assert registry.household_class("H1", as_of="2024-04-01") == "ordinary"
    registry.untag_household("H1", "空巢", "2024-02-01")
    assert registry.household_class("H1", as_of="2024-02-01") == "ordinary"
    assert [r.action for r in registry.audit_log()[-2:]] == ["tag", "untag"]


def test_tags_that_overlap_conflict_and_a_tag_not_carried_cannot_be_ended(registry):
    registry.tag("H1", "低保", start="2024-01-01")
    with pytest.raises(wangge.Conflict, match="低保"):
        registry.tag("H1", "低保", start="2024-06-01")
    with pytest.raises(wangge.NotFound, match="空巢"):
        registry.untag("H1", "空巢", "2024-06-01")
    with pytest.raises(wangge.InvalidInput, match="end"):
        registry.tag("H1", "空巢", start="2024-06-01", end="2024-05-31")


def test_a_defined_non_special_tag_keeps_a_household_ordinary(registry):
    with pytest.raises(wangge.InvalidInput, match="志愿者"):
        registry.tag("H1", "志愿者")
    registry.define_tag("志愿者", special=False)
    registry.tag("H1", "志愿者")
    h1 = registry.household("H1")
    assert (h1.tags, h1.household_class) == (["志愿者"], "ordinary")
    registry.define_tag("志愿者", True)
    assert registry.household_class("H1") == "special"


def test_tag_kinds_list_the_seed_kinds_and_defined_ones_sorted(registry):
    kinds = registry.tag_kinds()
    assert len(kinds) == 15
    assert all(isinstance(k, wangge.TagKind) for k in kinds)
    assert [k.tag for k in kinds] == sorted(k.tag for k in kinds)
    by_name = {k.tag: k.special for k in kinds}
    assert by_name["低保"] is True
    registry.define_tag("志愿者", special=False)
    added = [k for k in registry.tag_kinds() if k.tag == "志愿者"]
    assert [k.to_dict() for k in added] == [{"tag": "志愿者", "special": False}]
    assert repr(added[0]) == "TagKind(tag='志愿者', special=False)"


# Residents and ID numbers.


@pytest.mark.parametrize(
    ("number", "birth", "sex"),
    [
        (FEMALE_1949, "1949-12-31", "female"),
        (MALE_1880, "1880-01-01", "male"),
        (FEMALE_1948, "1948-05-12", "female"),
    ],
)
def test_a_residents_sex_comes_from_the_id_number_and_the_birth_date_is_not_shown(
    county, number, birth, sex
):
    county.add_household("H1", GRID, "海慧路1号")
    r = county.add_resident("H1", "居民", number)
    assert (r.sex, r.id_upgraded) == (sex, False)
    assert r.id_number == number[:6] + "**********" + number[-2:]
    assert not hasattr(r, "birth_date")
    for text in (repr(r), repr(r.to_dict())):
        assert birth[:4] not in text and birth.replace("-", "") not in text


def test_a_fifteen_digit_id_number_is_upgraded_and_flagged(registry):
    r = registry.add_resident("H3", "老住户", "110105491231002")
    assert r.id_upgraded is True
    assert r.id_number == "110105**********2X"
    assert r.sex == "female"
    assert registry.resident_clear(r.resident_id)[0] == FEMALE_1949


def test_a_lower_case_x_is_normalised(registry):
    r = registry.add_resident("H3", "袁婷", FEMALE_1949.lower())
    assert r.id_number == "110105**********2X"
    assert registry.resident_clear(r.resident_id)[0] == FEMALE_1949
    with pytest.raises(wangge.Conflict):
        registry.add_resident("H2", "冒名", FEMALE_1949)


def test_a_bad_check_digit_is_invalid_input_naming_it_and_masked(registry):
    before = registry.audit_log()
    with pytest.raises(wangge.InvalidInput, match="check digit") as bad:
        registry.add_resident("H1", "张莉", "110105194912310021")
    assert "id_number" in str(bad.value)
    assert "110105194912310021" not in str(bad.value)
    assert registry.audit_log() == before
    assert len(registry.residents("H1")) == 1


@pytest.mark.parametrize(
    ("number", "part"),
    [
        ("1101051949123100", "length"),
        ("11010519491231002Y", "characters"),
        ("99010519491231002X", "region"),
        ("110105194913310029", "birth date"),
    ],
)
def test_each_wrong_part_of_an_id_number_is_named(registry, number, part):
    with pytest.raises(wangge.InvalidInput, match=part) as bad:
        registry.add_resident("H1", "张莉", number)
    assert number not in str(bad.value)


def test_a_duplicate_id_number_is_a_conflict_with_the_number_masked(registry):
    before = registry.audit_log()
    with pytest.raises(wangge.Conflict) as dup:
        registry.add_resident("H2", "冒名", FEMALE_1948)
    assert FEMALE_1948 not in str(dup.value)
    assert "510123**********20" in str(dup.value)
    assert registry.audit_log() == before
    assert registry.residents("H2") == []


def test_residents_are_masked_in_repr_str_and_to_dict(registry):
    (r,) = registry.residents("H1")
    assert r.id_number == "510123**********20"
    assert r.phone == "138****5678"
    for text in (repr(r), str(r), repr(r.to_dict()), repr(registry.residents("H1"))):
        assert FEMALE_1948 not in text
        assert "13812345678" not in text
        assert "510123**********20" in text
    assert r.to_dict() == {
        "resident_id": r.resident_id,
        "household_id": "H1",
        "name": "付良容",
        "id_number": "510123**********20",
        "id_upgraded": False,
        "sex": "female",
        "phone": "138****5678",
        "hukou": None,
        "employer": None,
        "relation": "head",
        "tags": [],
    }


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13812345678", "138****5678"),
        ("85551234", "****1234"),
        ("5551234", "****234"),
        ("028-85551234", "*******1234"),
        ("1234", "****"),
    ],
)
def test_phones_show_at_most_their_last_4_digits_and_hide_at_least_4(registry, phone, masked):
    r = registry.add_resident("H3", "电话", phone=phone)
    assert r.phone == masked
    assert registry.resident(r.resident_id).phone == masked
    assert registry.resident_clear(r.resident_id) == (None, phone)


def test_resident_clear_reads_in_clear_and_is_audited(registry):
    (r,) = registry.residents("H1")
    before = len(registry.audit_log())
    assert registry.resident_clear(r.resident_id) == (FEMALE_1948, "13812345678")
    log = registry.audit_log()
    assert len(log) == before + 1
    last = log[-1]
    assert (last.action, last.target, last.actor) == ("read_clear", str(r.resident_id), "system")
    assert json.loads(last.detail) == {"fields": ["id_number", "phone"]}
    assert FEMALE_1948 not in last.detail
    assert registry.verify_audit().ok
    with pytest.raises(wangge.NotFound):
        registry.resident_clear(999)


def test_a_resident_without_id_number_or_phone_reads_none_in_clear(registry):
    r = registry.add_resident(
        "H3", "谢小华", hukou="农业", employer="阳光家园", relation="spouse", tags=["残疾"]
    )
    assert (r.id_number, r.phone, r.sex) == (None, None, None)
    assert (r.hukou, r.employer, r.relation, r.tags) == ("农业", "阳光家园", "spouse", ["残疾"])
    assert registry.resident_clear(r.resident_id) == (None, None)


def test_a_bad_phone_is_invalid_and_masked(registry):
    with pytest.raises(wangge.InvalidInput, match="phone") as bad:
        registry.add_resident("H3", "谢小华", phone="1381234567a")
    assert "1381234567a" not in str(bad.value)


def test_residents_list_the_head_first_then_by_id(registry):
    child = registry.add_resident("H1", "孩子", relation="child")
    spouse = registry.add_resident("H1", "配偶", relation="spouse")
    people = registry.residents("H1")
    assert [p.name for p in people] == ["付良容", "孩子", "配偶"]
    assert [p.resident_id for p in people[1:]] == [child.resident_id, spouse.resident_id]
    assert registry.resident(spouse.resident_id) == spouse


def test_residents_move_between_households_with_history(registry):
    (r,) = registry.residents("H1")
    moved = registry.move_resident(r.resident_id, "H2", "spouse", d("2024-03-01"))
    assert (moved.household_id, moved.relation) == ("H2", "spouse")
    assert len(registry.residents("H1", as_of="2024-02-29")) == 1
    assert registry.residents("H1", as_of="2024-03-01") == []
    assert registry.residents("H2", as_of="2024-03-01")[0].relation == "spouse"
    assert registry.resident(r.resident_id, as_of="2024-02-29").household_id == "H1"


def test_a_resident_added_later_is_not_there_before(registry):
    r = registry.add_resident("H2", "新住户", start="2024-05-01")
    assert registry.residents("H2", as_of="2024-04-30") == []
    with pytest.raises(wangge.NotFound):
        registry.resident(r.resident_id, as_of="2024-04-30")
    assert registry.resident(r.resident_id, as_of="2024-05-01").name == "新住户"


# Counts.


def test_unit_counts_give_the_subtree_total_and_rows_that_sum_to_it(registry):
    registry.add_resident("H2", "郑小芳", MALE_1880)
    total, rows = registry.unit_counts("512021")
    assert isinstance(total, wangge.UnitCounts)
    assert total.to_dict() == {
        "unit": "512021",
        "households": 3,
        "special_households": 1,
        "residents": 2,
        "floating": 1,
    }
    assert [r.unit for r in rows] == [GRID, GRID2]
    assert (rows[0].households, rows[0].residents, rows[0].floating) == (2, 2, 1)
    for field in ("households", "special_households", "residents", "floating"):
        assert sum(getattr(r, field) for r in rows) == getattr(total, field)
    empty_total, empty_rows = registry.unit_counts("512021101")
    assert (empty_total.unit, empty_total.households, empty_rows) == ("512021101", 0, [])


def test_unit_counts_follow_the_date(registry):
    registry.move_household("H3", OTHER_TOWN_GRID, "2024-07-01")
    june, _ = registry.unit_counts("512021100", as_of="2024-06-30")
    july, july_rows = registry.unit_counts("512021100", as_of=d("2024-07-01"))
    assert (june.households, july.households) == (3, 2)
    assert [r.unit for r in july_rows] == [GRID]


# Scopes.


def test_a_scope_sees_only_households_in_its_subtree(registry):
    registry.add_household("H9", OTHER_TOWN_GRID, "解放村9号")
    town = registry.scope("512021100", "岳阳镇")
    assert ids(town.households("512021100")) == ["H1", "H2", "H3"]
    # A household outside is not found, as if there were none; a unit code is denied.
    with pytest.raises(wangge.NotFound, match="H9"):
        town.household("H9")
    with pytest.raises(wangge.PermissionDenied):
        town.households("512021")
    with pytest.raises(wangge.PermissionDenied):
        town.unit_counts("512021101")


def test_a_scope_refuses_registry_writes_outside_it_and_writes_nothing(registry):
    outside = registry.add_household("H9", OTHER_TOWN_GRID, "解放村9号")
    stranger = registry.add_resident("H9", "外人", MALE_1880, phone="13900001111")
    grid = registry.scope(GRID, "网格员")
    before = registry.audit_log()
    # Unit codes and deployment-wide writes are denied; households and residents
    # outside are not found, as if there were none.
    denied = [
        lambda: grid.add_household("H10", GRID2, "x"),
        lambda: grid.add_household("H10", OTHER_TOWN_GRID, "x"),
        lambda: grid.move_household("H1", GRID2, "2024-07-01"),
        lambda: grid.define_tag("志愿者", special=False),
    ]
    missing = [
        lambda: grid.move_household("H3", GRID, "2024-07-01"),
        lambda: grid.end_household(outside.household_id, "2024-07-01"),
        lambda: grid.tag("H3", "低保"),
        lambda: grid.tag_household("H9", "低保"),
        lambda: grid.untag("H9", "低保", "2024-07-01"),
        lambda: grid.add_resident("H3", "x"),
        lambda: grid.tag_resident(stranger.resident_id, "残疾"),
        lambda: grid.move_resident(stranger.resident_id, "H1", "child", "2024-07-01"),
        lambda: grid.resident_clear(stranger.resident_id),
    ]
    for attempt in denied:
        with pytest.raises(wangge.PermissionDenied):
            attempt()
    for attempt in missing:
        with pytest.raises(wangge.NotFound):
            attempt()
    assert registry.audit_log() == before
    assert registry.household("H9").unit == OTHER_TOWN_GRID
    assert registry.residents("H3") == []


def test_writes_inside_a_scope_are_audited_under_its_actor(registry):
    grid = registry.scope(GRID, "网格员")
    grid.tag("H1", "空巢")
    r = grid.add_resident("H1", "谢小华", relation="spouse")
    assert grid.resident_clear(r.resident_id) == (None, None)
    last = registry.audit_log()[-3:]
    assert [(a.actor, a.action) for a in last] == [
        ("网格员", "tag"),
        ("网格员", "add_resident"),
        ("网格员", "read_clear"),
    ]
    assert registry.verify_audit().ok


def test_the_registry_persists_across_close_and_reopen(county_file):
    with wangge.Store(county_file) as store:
        store.add_household("H1", GRID, "海慧路1号", tags=["低保"])
        rid = store.add_resident("H1", "付良容", FEMALE_1948).resident_id
    with wangge.Store(county_file) as store:
        assert store.household("H1").household_class == "special"
        assert store.resident(rid).id_number == "510123**********20"
