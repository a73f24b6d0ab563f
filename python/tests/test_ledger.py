"""The ledger (台账): classification, registering, queries, piles, rules, scopes and
persistence, as in core/tests/ledger.rs; the entry workflow is in test_ledger_actions.py."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest
from ledger_common import (
    COMMUNITY,
    COUNTY,
    GRID,
    GRID2,
    OTHER_COMMUNITY_GRID,
    TOWNSHIP,
    actions,
    at,
    raise_entry,
)

import wangge


# Classification


def test_a_keyword_of_the_summary_suggests_the_category_and_says_so(ledger):
    c = ledger.classify(summary="小区下水道堵塞了")
    assert isinstance(c, wangge.Classification)
    assert (c.category, c.suggested_category) == ("市政设施", "市政设施")
    assert c.books == ["民生诉求"]
    assert (c.triage, c.urgent) == ("on_site", False)
    assert c.time_limit == {"working_days": 5}
    assert c.sign_for_limit == {"working_days": 1}
    assert c.ties == []
    assert c.handler is None and c.handler_kind is None
    assert c.rules_from is None
    first = c.reasons[0]
    assert (first.rule, first.matched) == ("keyword", "下水道")
    assert "市政设施" in first.effect
    assert ("category", "市政设施") in [(r.rule, r.matched) for r in c.reasons]
    # A dry run: nothing was registered.
    assert ledger.entries(COUNTY) == []


def test_equally_specific_keywords_are_a_reported_tie(ledger):
    c = ledger.classify(summary="楼下垃圾和噪音")
    assert c.ties == ["环境卫生", "矛盾纠纷"]
    assert c.category == "环境卫生"
    tie = [r for r in c.reasons if r.rule == "tie"]
    assert len(tie) == 1 and tie[0].matched == "环境卫生, 矛盾纠纷"


def test_a_household_tagged_dibao_adds_the_book_of_people_in_difficulty(ledger):
    ledger.add_household("H1", GRID, "海慧路1号", tags=["低保"])
    ledger.add_household("H2", GRID, "海慧路2号")
    c = ledger.classify(category="市政设施", summary="路灯坏了", household_id="H1")
    assert c.books == ["民生诉求", "困难群众"]
    assert ("tag", "低保") in [(r.rule, r.matched) for r in c.reasons]
    assert c.handler == GRID  # the household's grid, found from the household
    plain = ledger.classify(category="市政设施", summary="路灯坏了", household_id="H2")
    assert plain.books == ["民生诉求"]
    entry = ledger.register(GRID, "市政设施", "路灯坏了", at(2024, 3, 4, 9), household_id="H1")
    assert entry.books == ["民生诉求", "困难群众"]
    assert entry.household_id == "H1"


def test_an_urgent_keyword_escalates_to_the_township_at_once(ledger):
    c = ledger.classify(category="安全生产", summary="三楼燃气泄漏", unit=GRID)
    assert c.urgent is True
    assert c.triage == "escalate"
    assert (c.handler, c.handler_kind) == (TOWNSHIP, "unit")
    assert c.time_limit == {"hours": 24}
    assert c.sign_for_limit == {"hours": 2}
    assert ("urgent_keyword", "燃气泄漏") in [(r.rule, r.matched) for r in c.reasons]
    assert c.reasons[-1].rule == "handler"
    entry = ledger.register(GRID, "安全生产", "三楼燃气泄漏", at(2024, 3, 4, 9))
    assert (entry.urgent, entry.triage, entry.handler) == (True, "escalate", TOWNSHIP)
    assert entry.deadline == at(2024, 3, 5, 9)
    assert entry.sign_due == at(2024, 3, 4, 11)


def test_the_urgent_flag_escalates_too(ledger):
    c = ledger.classify(category="市政设施", summary="路灯坏了", unit=GRID, urgent=True)
    assert (c.urgent, c.triage, c.handler) == (True, "escalate", TOWNSHIP)
    assert ("urgent_flag", "urgent") in [(r.rule, r.matched) for r in c.reasons]


def test_an_unknown_category_is_invalid_input_and_registers_nothing(ledger):
    with pytest.raises(wangge.InvalidInput, match="外星人"):
        ledger.classify(category="外星人", summary="路灯坏了")
    with pytest.raises(wangge.InvalidInput, match="category"):
        ledger.register(GRID, "外星人", "路灯坏了", at(2024, 3, 4, 9))
    with pytest.raises(wangge.InvalidInput, match="no keyword"):
        ledger.register(GRID, None, "说不清楚的事", at(2024, 3, 4, 9))
    assert ledger.entries(COUNTY) == []


# Registering


@pytest.mark.parametrize(
    ("category", "summary", "triage", "handler"),
    [
        ("市政设施", "路灯坏了", "on_site", GRID),
        ("矛盾纠纷", "邻里噪音纠纷", "coordinate", COMMUNITY),
        ("信访隐患", "有人扬言越级上访", "escalate", TOWNSHIP),
    ],
)
def test_triage_names_the_handler(ledger, category, summary, triage, handler):
    entry = ledger.register(GRID, category, summary, at(2024, 3, 4, 9))
    assert isinstance(entry, wangge.Entry)
    assert (entry.unit, entry.category, entry.summary) == (GRID, category, summary)
    assert (entry.triage, entry.handler, entry.handler_kind) == (triage, handler, "unit")
    assert (entry.status, entry.standing, entry.hard) == ("registered", "pending", False)
    assert entry.source == "visit"
    assert entry.reported_at == at(2024, 3, 4, 9)
    assert ledger.entry(entry.id) == entry
    [event] = ledger.history(entry.id)
    assert (event.action, event.seq, event.handler, event.auto) == ("register", 1, handler, False)


def test_register_takes_a_source_a_resident_and_the_urgent_flag(ledger):
    ledger.add_household("H1", GRID, "海慧路1号")
    resident = ledger.add_resident("H1", "李四")
    entry = ledger.register(
        GRID,
        "就业",
        "想找工作",
        "2024-03-04T09:00:00+08:00",
        source="hotline",
        resident_id=resident.resident_id,
        urgent=True,
    )
    assert entry.source == "hotline"
    assert (entry.resident_id, entry.household_id) == (resident.resident_id, "H1")
    assert (entry.urgent, entry.triage, entry.time_limit) == (True, "escalate", {"hours": 24})
    with pytest.raises(wangge.InvalidInput, match="source"):
        ledger.register(GRID, "就业", "想找工作", at(2024, 3, 4, 9), source="fax")


def test_a_naive_datetime_is_a_local_time_and_bad_text_names_the_field(ledger):
    entry = ledger.register(GRID, "市政设施", "路灯坏了", datetime(2024, 3, 4, 9, 0))
    assert entry.reported_at == at(2024, 3, 4, 9)
    assert entry.reported_at.utcoffset() == timedelta(hours=8)
    assert ledger.register(GRID, "市政设施", "路灯坏了", "2024-03-04 09:00").reported_at == (
        at(2024, 3, 4, 9)
    )
    with pytest.raises(wangge.InvalidInput, match="reported_at"):
        ledger.register(GRID, "市政设施", "路灯坏了", "yesterday")
    with pytest.raises(wangge.InvalidInput, match="reported_at"):
        ledger.register(GRID, "市政设施", "路灯坏了", date(2024, 3, 4))
    with pytest.raises(wangge.NotFound, match="512021100001009"):
        ledger.register("512021100001009", "市政设施", "路灯坏了", at(2024, 3, 4, 9))


def test_a_batch_of_entries_is_registered_whole_or_not_at_all(ledger):
    ids = ledger.register_entries(
        [
            {"unit": GRID, "summary": "下水道堵塞", "reported_at": datetime(2024, 3, 4, 9)},
            {
                "unit": GRID2,
                "category": "矛盾纠纷",
                "summary": "邻里噪音",
                "reported_at": "2024-03-04T10:00+08:00",
                "source": "hotline",
                "urgent": False,
            },
        ]
    )
    assert len(ids) == 2 and ids[1] == ids[0] + 1
    first, second = (ledger.entry(i) for i in ids)
    assert (first.category, first.reported_at) == ("市政设施", at(2024, 3, 4, 9))
    assert (second.handler, second.source) == (COMMUNITY, "hotline")
    bad = [
        {"unit": GRID, "summary": "下水道堵塞", "reported_at": at(2024, 3, 5, 9)},
        {"unit": GRID, "category": "外星人", "summary": "x", "reported_at": at(2024, 3, 5, 9)},
    ]
    with pytest.raises(wangge.InvalidInput, match="entry 1"):
        ledger.register_entries(bad)
    with pytest.raises(wangge.InvalidInput, match="colour"):
        ledger.register_entries([{"unit": GRID, "summary": "x", "colour": "red"}])
    with pytest.raises(wangge.InvalidInput, match="entry 0 of the batch"):
        ledger.register_entries([(GRID, "下水道堵塞")])
    with pytest.raises(wangge.InvalidInput, match=r"reported_at.*entry 1 of the batch"):
        ledger.register_entries([bad[0], {"unit": GRID, "summary": "x", "reported_at": 9}])
    assert [e.id for e in ledger.entries(COUNTY)] == ids
    text = json.dumps([{"unit": GRID, "summary": "井盖丢了", "reported_at": "2024-03-05T09:00"}])
    [third] = ledger.register_entries(text)
    assert ledger.entry(third).reported_at == at(2024, 3, 5, 9)


def test_a_visit_finding_is_taken_up_by_an_entry_once(ledger):
    ledger.add_household("H1", GRID, "海慧路1号")
    visit = ledger.record_visit("H1", "W1", "home", "2024-03-04")
    finding = ledger.record_finding(visit.visit_id, "楼道灯坏了")
    entry = ledger.register_finding(finding.id, at(2024, 3, 4, 15))
    assert (entry.finding_id, entry.household_id, entry.unit) == (finding.id, "H1", GRID)
    assert (entry.category, entry.summary) == ("市政设施", "楼道灯坏了")
    assert ledger.findings(GRID, open_only=True) == []
    assert ledger.findings(GRID)[0].entry_id == entry.id
    with pytest.raises(wangge.Conflict):
        ledger.register_finding(finding.id, at(2024, 3, 4, 16))
    other = ledger.record_finding(visit.visit_id, "邻里争吵", category="矛盾纠纷")
    taken = ledger.register(
        GRID, None, "邻里争吵", at(2024, 3, 4, 16), household_id="H1", finding_id=other.id
    )
    assert (taken.finding_id, taken.category) == (other.id, "矛盾纠纷")
    with pytest.raises(wangge.NotFound):
        ledger.register_finding(9999, at(2024, 3, 4, 16))


# Queries


@pytest.fixture
def three(ledger):
    """Three entries of the week of 4 March 2024: one resolved, one pending, one hard."""
    e1 = raise_entry(ledger, at(2024, 3, 4, 9))
    ledger.sign_for(e1.id, "W1", at(2024, 3, 4, 10))
    ledger.start(e1.id, "W1", at(2024, 3, 4, 10, 30))
    ledger.resolve(e1.id, at(2024, 3, 6, 15), "已修好")
    e2 = ledger.register(GRID2, "矛盾纠纷", "邻里噪音纠纷", at(2024, 3, 5, 15))
    e3 = raise_entry(ledger, at(2024, 3, 5, 16), OTHER_COMMUNITY_GRID)
    ledger.mark_hard(e3.id, at(2024, 3, 7, 9), "线路老化需改造")
    return ledger, e1.id, e2.id, e3.id


def ids(entries: list[wangge.Entry]) -> list[int]:
    return [e.id for e in entries]


def test_entries_filter_a_subtree_by_standing_status_book_category_and_period(three):
    store, e1, e2, e3 = three
    when = at(2024, 3, 10, 12)
    assert ids(store.entries(COMMUNITY, at=when)) == [e1, e2]
    assert ids(store.entries(GRID, at=when)) == [e1]
    assert ids(store.entries(TOWNSHIP, at=when)) == [e1, e2, e3]
    assert ids(store.entries(COUNTY)) == [e1, e2, e3]
    assert ids(store.entries(TOWNSHIP, at=when, status="resolved")) == [e1]
    assert ids(store.entries(TOWNSHIP, at=when, standing="pending")) == [e2]
    assert ids(store.entries(TOWNSHIP, at=when, standing="hard")) == [e3]
    assert ids(store.entries(TOWNSHIP, at=when, book="稳定工作")) == [e2]
    assert ids(store.entries(TOWNSHIP, at=when, category="市政设施")) == [e1, e3]
    assert ids(store.entries(TOWNSHIP, at=when, period="2024-03-04")) == [e1]
    assert ids(store.entries(TOWNSHIP, at=when, period="2024-W10")) == [e1, e2, e3]
    later = at(2024, 3, 13, 9)  # e2 and e3 were due by the end of 12 March
    assert ids(store.entries(TOWNSHIP, at=later, overdue=True)) == [e2, e3]
    assert ids(store.entries(TOWNSHIP, at=later, overdue=False)) == [e1]
    with pytest.raises(wangge.InvalidInput, match="standing"):
        store.entries(TOWNSHIP, standing="urgent")
    with pytest.raises(wangge.InvalidInput, match="status"):
        store.entries(TOWNSHIP, status="done")
    with pytest.raises(wangge.InvalidInput):
        store.entries(TOWNSHIP, period="March")


def test_entries_as_of_a_past_moment_stand_as_they_stood(three):
    store, e1, _, _ = three
    [before] = store.entries(TOWNSHIP, at=at(2024, 3, 4, 9, 30))
    assert (before.id, before.status, before.signed_at) == (e1, "registered", None)
    [then] = store.entries(TOWNSHIP, at="2024-03-05T12:00")
    assert (then.id, then.status, then.resolved_at) == (e1, "in_progress", None)
    assert store.entries(TOWNSHIP, at=at(2024, 3, 4, 8)) == []
    assert store.entry(e1).status == "resolved"


def test_the_weekly_meetings_three_piles(three):
    store, e1, e2, e3 = three
    piles = store.piles(TOWNSHIP, "2024-W10")
    assert isinstance(piles, wangge.Piles)
    assert (piles.unit, piles.period) == (TOWNSHIP, "2024-W10")
    assert piles.at == at(2024, 3, 10, 23, 59, 59)
    assert (ids(piles.resolved), ids(piles.pending), ids(piles.hard)) == ([e1], [e2], [e3])
    data = json.loads(piles.to_json())
    assert [data[p]["count"] for p in ("resolved", "pending", "hard")] == [1, 1, 1]
    assert data["pending"]["entries"][0]["id"] == e2
    assert data["at"] == "2024-03-10T23:59:59+08:00"
    next_week = store.piles(TOWNSHIP, "2024-W11")
    assert (ids(next_week.resolved), ids(next_week.pending)) == ([], [e2])
    assert json.loads(next_week.to_json())["pending"]["overdue"] == 1
    assert ids(store.piles(COMMUNITY, "2024-W10").hard) == []
    assert piles.to_dict()["resolved"][0].id == e1
    with pytest.raises(wangge.InvalidInput):
        store.piles(TOWNSHIP, "week ten")


def test_records_are_values_with_json_and_dict_forms(three):
    store, e1, _, _ = three
    entry = store.entry(e1)
    assert entry == store.entry(e1) and hash(entry) == hash(store.entry(e1))
    assert entry != store.entry(e1 + 1)
    data = json.loads(entry.to_json())
    assert data["deadline"] == entry.deadline.isoformat()
    assert data["handler"] == {"kind": "unit", "name": GRID}
    assert data["time_limit"] == {"working_days": 5}
    as_dict = entry.to_dict()
    assert as_dict["resolved_at"] == at(2024, 3, 6, 15)
    assert as_dict["books"] == ["民生诉求"]
    assert set(as_dict) >= {"id", "books", "category", "triage", "handler", "status"}
    assert f"id={e1}" in repr(entry) and "市政设施" in repr(entry)
    event = store.history(e1)[-1]
    assert json.loads(event.to_json())["action"] == "resolve"
    assert event.to_dict()["at"] == at(2024, 3, 6, 15)
    c = store.classify(summary="下水道堵塞")
    assert json.loads(c.to_json())["category"] == "市政设施"
    assert c == store.classify(summary="下水道堵塞")
    assert c.to_dict()["reasons"] == c.reasons
    assert c.reasons[0].to_dict() == {
        "rule": "keyword",
        "matched": "下水道",
        "effect": c.reasons[0].effect,
    }


# Rules


def test_ledger_rules_are_versioned_data(ledger):
    defaults = wangge.default_ledger_rules()
    assert ledger.ledger_rules() == defaults
    assert defaults["handlers"] == {
        "on_site": "grid",
        "coordinate": "community",
        "escalate": "township",
    }
    rules = {
        "books": ["民生诉求"],
        "categories": [
            {
                "name": "设施",
                "books": ["民生诉求"],
                "triage": "coordinate",
                "days": 2,
                "keywords": ["路灯"],
            },
        ],
        "tag_books": {},
    }
    ledger.set_ledger_rules(rules, start="2024-06-01")
    assert ledger.ledger_rules(as_of="2024-05-31") == defaults
    june = ledger.ledger_rules(as_of=date(2024, 6, 1))
    assert [c["name"] for c in june["categories"]] == ["设施"]
    c = ledger.classify(summary="路灯坏了", unit=GRID, at=at(2024, 6, 3, 9))
    assert (c.category, c.triage, c.handler) == ("设施", "coordinate", COMMUNITY)
    assert c.rules_from == date(2024, 6, 1)
    assert ledger.classify(summary="路灯坏了", at=at(2024, 5, 3, 9)).category == "市政设施"
    entry = ledger.register(GRID, None, "路灯坏了", at(2024, 6, 3, 9))
    assert (entry.category, entry.time_limit) == ("设施", {"working_days": 2})
    with_free = rules | {"free_categories": {"books": ["民生诉求"]}}
    ledger.set_ledger_rules(json.dumps(with_free), start="2024-07-01")
    free = ledger.classify(category="其他", summary="随便什么", at=at(2024, 7, 2, 9))
    assert free.category == "其他"
    with pytest.raises(wangge.InvalidInput, match="triage"):
        ledger.set_ledger_rules(
            {"categories": [{"name": "x", "books": ["民生诉求"], "triage": "later"}]}
        )
    with pytest.raises(wangge.InvalidInput, match="categories"):
        ledger.set_ledger_rules({"books": ["民生诉求"]})
    with pytest.raises(wangge.PermissionDenied):
        ledger.scope(GRID, "网格员甲").set_ledger_rules(rules)


# Scope, persistence, closed handles


def test_a_grids_scoped_handle_cannot_see_or_touch_a_neighbouring_grids_entries(ledger):
    own = raise_entry(ledger)
    neighbour = raise_entry(ledger, unit=GRID2)
    grid = ledger.scope(GRID, "网格员甲")
    assert grid.entry(own.id) == own
    assert ids(grid.entries(GRID)) == [own.id]
    # An entry outside a scope is not found, as if there were none.
    for attempt in (
        lambda: grid.entry(neighbour.id),
        lambda: grid.history(neighbour.id),
        lambda: grid.sign_for(neighbour.id, "W1", at(2024, 3, 4, 10)),
    ):
        with pytest.raises(wangge.NotFound, match="entry"):
            attempt()
    for attempt in (
        lambda: grid.register(GRID2, "市政设施", "路灯坏了", at(2024, 3, 4, 10)),
        lambda: grid.entries(COMMUNITY),
        lambda: grid.classify(summary="路灯坏了", unit=GRID2),
    ):
        with pytest.raises(wangge.PermissionDenied):
            attempt()
    assert ledger.entry(neighbour.id).status == "registered"
    signed = grid.sign_for(own.id, "W1", at(2024, 3, 4, 10))
    assert signed.status == "signed_for"
    assert ledger.audit_log()[-1].actor == "网格员甲"
    # Once escalated to the community, the grid's handle may no longer act for the handler.
    ledger.escalate(own.id, at(2024, 3, 4, 11), "需要社区协调")
    with pytest.raises(wangge.PermissionDenied):
        grid.sign_for(own.id, "W1", at(2024, 3, 4, 12))
    assert ledger.verify_audit()


def test_entries_and_their_history_persist_across_close_and_reopen(county_file):
    with wangge.Store(county_file) as store:
        store.add_staff("W1", "网格员甲")
        entry = raise_entry(store)
        store.sign_for(entry.id, "W1", at(2024, 3, 4, 10))
    with wangge.Store(county_file) as store:
        again = store.entry(entry.id)
        assert (again.status, again.deadline) == ("signed_for", entry.deadline)
        store.start(entry.id, "W1", at(2024, 3, 4, 11))
        store.resolve(entry.id, at(2024, 3, 5, 9), "已修好")
        store.close_entry(entry.id, at(2024, 3, 5, 10))
    with wangge.Store(county_file) as store:
        assert store.entry(entry.id).status == "closed"
        assert store.reopen(entry.id, at(2024, 3, 6, 9), "又坏了").status == "in_progress"
    with wangge.Store(county_file) as store:
        assert actions(store, entry.id) == [
            "register",
            "sign_for",
            "start",
            "resolve",
            "close",
            "reopen",
        ]
        assert store.verify_audit()


def test_ledger_calls_on_a_closed_store_raise_storage_error(county):
    county.close()
    with pytest.raises(wangge.StorageError):
        county.entry(1)
    with pytest.raises(wangge.StorageError):
        county.classify(summary="下水道堵塞")
