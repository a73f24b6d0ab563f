"""A due list's frame made from the core rows its Page keeps: the same frame as the one
made from its records (labels, nulls, responsible workers), and never a stale one once
the caller changed the list."""

from __future__ import annotations

import pytest

import wangge
from test_frames import COUNTY, GRID, filled  # noqa: F401 (the fixture)

pa = pytest.importorskip("pyarrow")
pd = pytest.importorskip("pandas")

AS_OF = "2024-04-15"


@pytest.fixture
def due(filled):
    """The filled county's due list, with two workers on one grid and none on another."""
    filled.add_staff("W2", "网格员乙")
    filled.assign("W2", GRID, "grid_worker")
    return filled


def from_records(page, labels="en"):
    """The frame made from the page's records, as for a page the caller built."""
    return wangge.Page(list(page)).to_arrow(labels)


def test_a_due_list_keeps_its_rows_for_its_frame(due):
    page = due.due_visits(COUNTY, AS_OF)
    assert type(page._rows).__name__ == "_Rows"
    assert wangge.Page(list(page))._rows is None


@pytest.mark.parametrize("labels", ["en", "zh"])
def test_the_frame_of_the_kept_rows_is_the_frame_of_the_records(due, labels):
    page = due.due_visits(COUNTY, AS_OF)
    kept = page.to_arrow(labels)
    assert kept.num_rows == len(page) > 3
    assert kept.equals(from_records(page, labels))
    assert pa.RecordBatchReader.from_stream(page).read_all().equals(from_records(page))
    frame = page.to_pandas(labels)
    assert frame.equals(wangge.Page(list(page)).to_pandas(labels))
    workers = "责任网格员" if labels == "zh" else "responsible"
    last = "最近走访" if labels == "zh" else "last_visit"
    ids = frame["户编号" if labels == "zh" else "household_id"]
    assert set(frame[workers][ids == "H2"]) == {"网格员甲 W1、网格员乙 W2"}
    assert frame[workers][ids == "H3"].isna().all()
    assert frame[last].isna().any() and frame[last].notna().any()
    channels = set(frame["走访方式" if labels == "zh" else "channel"])
    assert channels <= ({"入户", "电话"} if labels == "zh" else {"home", "phone"})


def test_records_of_a_kept_list_read_and_compare_as_their_rows(due):
    page = due.due_visits(COUNTY, AS_OF)
    again = due.due_visits(COUNTY, AS_OF)
    assert page == again and hash(page[0]) == hash(again[0])
    assert page[0] is not again[0] and page[0].to_dict() == again[0].to_dict()
    kept_alone, shown = page[1], page[1].to_dict()
    del page, again
    assert kept_alone.to_dict() == shown and kept_alone.household_id in {"H1", "H2", "H3"}


MUTATIONS = {
    "append": lambda p, other: p.append(other[0]),
    "extend": lambda p, other: p.extend(other[:2]),
    "insert": lambda p, other: p.insert(1, other[-1]),
    "pop": lambda p, other: p.pop(),
    "pop_first": lambda p, other: p.pop(0),
    "remove": lambda p, other: p.remove(p[1]),
    "del": lambda p, other: p.__delitem__(slice(0, 2)),
    "setitem": lambda p, other: p.__setitem__(0, other[-1]),
    "slice_assign": lambda p, other: p.__setitem__(slice(None), p[1:]),
    "reverse": lambda p, other: p.reverse(),
    "sort": lambda p, other: p.sort(key=lambda d: (d.household_id, d.rule), reverse=True),
    "iadd": lambda p, other: p.__iadd__(other[:1]),
    "imul": lambda p, other: p.__imul__(2),
    "clear": lambda p, other: p.clear(),
    "list_append": lambda p, other: list.append(p, other[0]),
}


@pytest.mark.parametrize("mutation", sorted(MUTATIONS))
def test_a_changed_due_list_gives_the_frame_of_what_it_now_holds(due, mutation):
    page = due.due_visits(COUNTY, AS_OF)
    other = due.due_visits(COUNTY, "2024-06-30")
    before = page.to_arrow()
    MUTATIONS[mutation](page, other)
    for labels in ["en", "zh"]:
        table = page.to_arrow(labels)
        assert table.num_rows == len(page), (mutation, labels)
        if len(page):
            assert table.equals(from_records(page, labels)), (mutation, labels)
    if mutation != "clear":
        assert not page.to_arrow().equals(before), mutation
    assert page.to_pandas().equals(wangge.Page(list(page)).to_pandas())


def test_a_record_taken_out_and_put_back_gives_the_same_frame(due):
    page = due.due_visits(COUNTY, AS_OF)
    before = page.to_arrow()
    last = page.pop()
    assert page.to_arrow().num_rows == len(before) - 1
    page.append(last)
    assert page.to_arrow().equals(before)


def test_a_page_of_a_due_list_keeps_its_rows_too(due):
    first = due.due_visits(COUNTY, AS_OF, limit=2)
    rest = due.due_visits(COUNTY, AS_OF, after=first.next)
    assert len(first) == 2 and first.next and first._rows is not None
    whole = due.due_visits(COUNTY, AS_OF)
    assert first.to_arrow().num_rows + rest.to_arrow().num_rows == len(whole)
    assert first.to_arrow().equals(from_records(first))
    assert rest.to_arrow().equals(from_records(rest))
