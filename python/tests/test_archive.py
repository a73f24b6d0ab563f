"""The household archive (民生档案): sections, versions readable at earlier moments, the
re-verification day, and scopes."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone

import pytest
from conftest import d

import wangge

GRID = "512021100001001"
OTHER_TOWN_GRID = "512021101001001"


@pytest.fixture
def household(county):
    county.add_household("H1", GRID, "海慧路1号")
    return county


def test_the_archive_sections_are_the_seeds_eight_in_order():
    assert wangge.ARCHIVE_SECTIONS == (
        "basic",
        "employment",
        "education",
        "health",
        "insurance",
        "assistance",
        "petitions",
        "demands",
    )


def test_a_new_section_is_version_one_written_by_the_handles_actor(household):
    v1 = household.set_archive_section("H1", "health", {"chronic": ["高血压"], "score": 3.5})
    assert isinstance(v1, wangge.ArchiveSection)
    assert (v1.section, v1.version, v1.author) == ("health", 1, "system")
    assert v1.content == {"chronic": ["高血压"], "score": 3.5}
    assert v1.at.startswith(str(household.today().year))
    assert v1.at.endswith("+08:00")
    last = household.audit_log()[-1]
    assert (last.action, last.target) == ("set_archive_section", "H1")
    assert json.loads(last.detail) == {"section": "health", "version": 1}


def test_a_section_is_bounded_and_its_text_holds_no_control_character(household):
    note = household.set_archive_section("H1", "petitions", {"note": "第一次来访\n第二次来访\t已答复"})
    assert note.content["note"].count("\n") == 1
    for content in [{"note": "失业\x00"}, {"家\x07": "x"}, {"list": [["\x1b[2K"]]}]:
        with pytest.raises(wangge.InvalidInput, match="control character") as raised:
            household.set_archive_section("H1", "basic", content)
        assert "失业" not in str(raised.value), "the content is not shown"
    with pytest.raises(wangge.InvalidInput, match="JSON object") as raised:
        household.set_archive_section("H1", "basic", ["失业"])  # type: ignore[arg-type]
    assert "失业" not in str(raised.value) and "an array" in str(raised.value)
    with pytest.raises(wangge.InvalidInput, match="at most 262144 bytes"):
        household.set_archive_section("H1", "basic", {"note": "字" * 100_000})
    assert [s for s in household.archive("H1").sections] == ["petitions"]


def test_every_version_is_kept_and_earlier_ones_stay_readable(household):
    clerk = household.scope("512021100001", "楼栋长")
    v1 = clerk.set_archive_section("H1", "employment", {"status": "unemployed"})
    v2 = clerk.set_archive_section("H1", "employment", {"status": "阳光家园 staff"})
    assert (v1.version, v2.version) == (1, 2)
    assert v2.author == "楼栋长"
    assert v1.at <= v2.at
    now = household.archive("H1")
    assert now.sections["employment"].content == {"status": "阳光家园 staff"}
    then = household.archive("H1", at=v1.at)
    assert then.sections["employment"] == v1
    assert then.sections["employment"].content["status"] == "unemployed"
    before_any = household.archive("H1", at="2000-01-01T00:00:00+08:00")
    assert before_any.sections == {}
    assert household.archive_history("H1", "employment") == [v1, v2]
    assert household.archive_history("H1", "health") == []


def test_a_moment_can_be_a_datetime_in_any_zone_or_a_date(household):
    v1 = household.set_archive_section("H1", "employment", {"status": "unemployed"})
    household.set_archive_section("H1", "employment", {"status": "就业"})
    v1_utc = datetime.fromisoformat(v1.at).astimezone(timezone.utc)
    assert household.archive("H1", at=v1_utc).sections["employment"] == v1
    assert household.archive("H1", at=date(2000, 1, 1)).sections == {}
    today = household.archive("H1", at=household.today())
    assert today.sections["employment"].version == 2
    with pytest.raises(wangge.InvalidInput, match="time zone"):
        household.archive("H1", at=datetime(2024, 1, 1, 9, 0))
    with pytest.raises(wangge.InvalidInput, match="at"):
        household.archive("H1", at="yesterday")
    with pytest.raises(wangge.InvalidInput, match="at"):
        household.archive("H1", at=12)


def test_the_archive_holds_the_latest_version_of_each_section(household):
    household.set_archive_section("H1", "basic", {"members": 2})
    household.set_archive_section("H1", "insurance", {"medical": True})
    household.set_archive_section("H1", "basic", {"members": 3})
    archive = household.archive("H1")
    assert isinstance(archive, wangge.Archive)
    assert archive.household_id == "H1"
    assert sorted(archive.sections) == ["basic", "insurance"]
    assert archive.sections["basic"].version == 2
    assert archive.sections["basic"].content == {"members": 3}
    as_dict = archive.to_dict()
    assert as_dict["household_id"] == "H1"
    assert as_dict["verified"] is None
    assert as_dict["sections"]["basic"]["content"] == {"members": 3}
    assert as_dict["sections"]["insurance"]["version"] == 1
    assert repr(archive).startswith("Archive(household_id='H1', sections={")


def test_changing_returned_content_changes_nothing_stored(household):
    household.set_archive_section("H1", "demands", {"items": ["路灯"]})
    section = household.archive("H1").sections["demands"]
    section.content["items"].append("下水道")
    assert section.content == {"items": ["路灯"]}
    assert household.archive("H1").sections["demands"].content == {"items": ["路灯"]}


def test_json_values_round_trip(household):
    content = {"n": 1, "big": 2**63 - 1, "f": 0.25, "ok": False, "none": None, "l": [1, [2]]}
    household.set_archive_section("H1", "assistance", content)
    assert household.archive("H1").sections["assistance"].content == content
    household.set_archive_section("H1", "petitions", {"t": (1, 2)})
    assert household.archive("H1").sections["petitions"].content == {"t": [1, 2]}


@pytest.mark.parametrize(
    ("section", "content", "field"),
    [
        ("hobbies", {}, "section"),
        ("health", [1], "content"),
        ("health", {"when": d("2024-01-01")}, "content"),
        ("health", {1: "x"}, "content"),
        ("health", {"x": float("nan")}, "content"),
        ("health", {"x": 2**64}, "content"),
    ],
)
def test_a_bad_section_or_content_is_invalid_and_writes_nothing(
    household, section, content, field
):
    before = household.audit_log()
    with pytest.raises(wangge.InvalidInput, match=field):
        household.set_archive_section("H1", section, content)
    assert household.audit_log() == before
    assert household.archive("H1").sections == {}
    with pytest.raises(wangge.InvalidInput, match="section"):
        household.archive_history("H1", "hobbies")


def test_a_self_containing_dict_is_refused_not_looped_over(household):
    loop: dict = {}
    loop["self"] = loop
    with pytest.raises(wangge.InvalidInput, match="nested"):
        household.set_archive_section("H1", "basic", loop)


def test_verify_archive_records_the_day_on_household_and_archive(household):
    assert household.verify_archive("H1", "2024-04-01") is None
    assert household.archive("H1").verified == d("2024-04-01")
    assert household.household("H1").verified == d("2024-04-01")
    last = household.audit_log()[-1]
    assert (last.action, last.target) == ("verify_archive", "H1")
    with pytest.raises(wangge.InvalidInput, match="on"):
        household.verify_archive("H1", "April")


def test_an_unknown_household_has_no_archive(household):
    with pytest.raises(wangge.NotFound, match="H404"):
        household.archive("H404")
    with pytest.raises(wangge.NotFound, match="H404"):
        household.set_archive_section("H404", "basic", {})
    with pytest.raises(wangge.NotFound, match="H404"):
        household.verify_archive("H404", "2024-04-01")


def test_a_scope_cannot_read_or_write_archives_outside_it(household):
    household.add_household("H9", OTHER_TOWN_GRID, "解放村9号")
    household.set_archive_section("H9", "basic", {"members": 1})
    grid = household.scope(GRID, "网格员")
    before = household.audit_log()
    # A household outside a scope is not found, as if there were none.
    with pytest.raises(wangge.NotFound, match="H9"):
        grid.set_archive_section("H9", "basic", {"members": 2})
    with pytest.raises(wangge.NotFound, match="H9"):
        grid.verify_archive("H9", "2024-04-01")
    with pytest.raises(wangge.NotFound, match="H9"):
        grid.archive("H9")
    with pytest.raises(wangge.NotFound, match="H9"):
        grid.archive_history("H9", "basic")
    assert household.audit_log() == before
    assert household.archive("H9").sections["basic"].content == {"members": 1}


def test_archives_persist_across_close_and_reopen(county_file):
    with wangge.Store(county_file, actor="信息员") as store:
        store.add_household("H1", GRID, "海慧路1号")
        written = store.set_archive_section("H1", "education", {"level": "高中"})
    with wangge.Store(county_file) as store:
        assert store.archive("H1").sections["education"] == written
        assert written.author == "信息员"
