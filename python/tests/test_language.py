"""Error messages in Chinese: a store's `language=`, the module's `set_language`, the
class and the field name and value unchanged; and the due list's grid, address and
workers. As core/tests/error_language.rs and core/tests/due_list_fields.rs."""

from __future__ import annotations

import pickle
from datetime import date

import pytest
from conftest import build_county

import wangge

GRID = "512021100001001"
GRID2 = "512021100001002"


@pytest.fixture
def english_module():
    """The module's language, put back to English after the test."""
    yield
    wangge.set_language("en")


def refusal(store: wangge.Store) -> wangge.Error:
    with pytest.raises(wangge.InvalidInput) as caught:
        store.add_household("H1", GRID, "路", kind="tenant")
    return caught.value


def test_a_store_opened_with_language_zh_raises_chinese_messages(english_module):
    with wangge.Store(":memory:") as en, wangge.Store(":memory:", language="zh") as zh:
        build_county(en)
        build_county(zh)
        english, chinese = refusal(en), refusal(zh)
        assert type(english) is type(chinese) is wangge.InvalidInput
        assert str(english) == 'invalid kind "tenant": expected registered, floating or rental'
        assert str(chinese) == 'kind 无效 "tenant"：应为 registered、floating 或 rental'
        assert zh.info().language == "zh" and en.info().language == "en"
        with pytest.raises(wangge.NotFound, match="^未找到单位：512021999$"):
            zh.unit("512021999")
        with pytest.raises(wangge.Conflict, match="^冲突：单位编码 512021 已存在$"):
            zh.add_unit("512021", "安岳县", "county")
        # Its scopes speak its language; the exception still pickles with its message.
        scoped = zh.scope("512021100", "镇干部")
        with pytest.raises(wangge.PermissionDenied) as caught:
            scoped.unit("512021101")
        assert str(caught.value).startswith("无权限：")
        assert "512021101" in str(caught.value)
        again = pickle.loads(pickle.dumps(caught.value))
        assert type(again) is wangge.PermissionDenied and str(again) == str(caught.value)


def test_a_chinese_store_refuses_its_arguments_in_chinese_and_the_module_keeps_its_own(
    english_module,
):
    with wangge.Store(":memory:", language="zh") as zh:
        build_county(zh)
        # A date the method reads before its work: the store's language, as its own
        # refusals.
        with pytest.raises(wangge.InvalidInput, match="^start 无效 \"someday\"：应为日期"):
            zh.add_unit("512021102", "通贤镇", "township", "512021", start="someday")
        with pytest.raises(wangge.InvalidInput, match="^units 无效"):
            zh.add_units({"code": "512021102"})
    # Outside the store's methods, the module's language still holds.
    with pytest.raises(wangge.InvalidInput, match="^invalid "):
        wangge.Period.parse("someday")
    with wangge.Store(":memory:") as en:
        with pytest.raises(wangge.InvalidInput, match="^invalid start "):
            en.add_unit("512021", "安岳县", "county", start="someday")


def test_the_field_and_value_are_the_same_in_both_languages(english_module):
    with wangge.Store(":memory:") as en, wangge.Store(":memory:", language="zh") as zh:
        for store in (en, zh):
            build_county(store)
        english, chinese = str(refusal(en)), str(refusal(zh))
        field, value = english.removeprefix("invalid ").split(": ")[0].split(" ", 1)
        assert chinese.startswith(f"{field} 无效 {value}：")


def test_the_module_setting_covers_new_stores_and_errors_without_a_store(english_module):
    assert wangge.get_language() == "en"
    with pytest.raises(wangge.InvalidInput, match="^invalid period"):
        wangge.Period.parse("2025-13")
    wangge.set_language("zh")
    assert wangge.get_language() == "zh"
    with pytest.raises(wangge.InvalidInput) as caught:
        wangge.Period.parse("2025-13")
    assert str(caught.value).startswith('period 无效 "2025-13"：')
    with wangge.Store(":memory:") as store:
        assert store.info().language == "zh"
        build_county(store)
        assert str(refusal(store)).startswith('kind 无效 "tenant"')
    # A store may still ask for English, and keeps it when the module changes.
    with wangge.Store(":memory:", language="en") as store:
        build_county(store)
        wangge.set_language("en")
        wangge.set_language("zh")
        assert str(refusal(store)).startswith('invalid kind "tenant"')


def test_a_language_other_than_en_or_zh_is_refused_naming_language(english_module):
    with pytest.raises(wangge.InvalidInput, match='^invalid language "fr"'):
        wangge.set_language("fr")
    with pytest.raises(wangge.InvalidInput, match='^invalid language "中文"'):
        wangge.Store(":memory:", language="中文")
    assert wangge.get_language() == "en"


def test_a_due_item_names_its_grid_address_and_workers(county):
    county.add_staff("S1", "网格员甲", phone="13812345678")
    county.add_staff("S2", "网格员乙")
    county.assign("S2", GRID, "grid_worker")
    county.assign("S1", GRID, "grid_worker")
    county.add_household("H1", GRID, "海慧路1号")
    county.add_household("H2", GRID2, "海慧路2号")
    county.add_household("H3", "512021100002", "龙井社区直管户")
    due = county.due_visits("512021", as_of=date(2024, 5, 15))
    h1 = next(i for i in due if i.household_id == "H1")
    assert (h1.grid, h1.grid_name, h1.address) == (GRID, "北坝一网格", "海慧路1号")
    assert h1.responsible == [
        {"staff_id": "S1", "name": "网格员甲"},
        {"staff_id": "S2", "name": "网格员乙"},
    ]
    assert h1.to_dict()["responsible"] == h1.responsible
    h2 = next(i for i in due if i.household_id == "H2")
    assert (h2.grid, h2.grid_name, h2.responsible) == (GRID2, "北坝二网格", [])
    h3 = next(i for i in due if i.household_id == "H3")
    assert (h3.grid, h3.grid_name, h3.address) == (None, None, "龙井社区直管户")
    page = county.due_visits("512021", as_of=date(2024, 5, 15), limit=100)
    assert page.next is None
    assert sorted(page, key=lambda i: (i.household_id, i.rule)) == sorted(
        due, key=lambda i: (i.household_id, i.rule)
    )
