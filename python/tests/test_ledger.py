"""The ledger (台账): classification, registering, the entry workflow (one action at a
time or a batch), tick, queries, piles, scopes and persistence, as in core/tests/ledger.rs
and core/tests/work_entries.rs."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

import pytest
from conftest import build_county

import wangge

GRID = "512021100001001"
GRID2 = "512021100001002"
OTHER_COMMUNITY_GRID = "512021100002001"
COMMUNITY = "512021100001"
TOWNSHIP = "512021100"
COUNTY = "512021"
EAST8 = timezone(timedelta(hours=8))


def at(*parts: int) -> datetime:
    """An aware moment in the deployment's time zone (UTC+8)."""
    return datetime(*parts, tzinfo=EAST8)


@pytest.fixture
def ledger(county):
    """The county with a grid worker on the first grid and a community officer."""
    county.add_staff("W1", "网格员甲")
    county.add_staff("C1", "社区干部")
    county.assign("W1", GRID, "grid_worker")
    county.assign("C1", COMMUNITY, "grid_chief")
    return county


def raise_entry(store: wangge.Store, when: datetime = at(2024, 3, 4, 9), unit: str = GRID):
    """A streetlight out in `unit` (市政设施: on site, five working days)."""
    return store.register(unit, "市政设施", "路灯坏了", when)


def actions(store: wangge.Store, entry_id: int) -> list[str]:
    return [e.action for e in store.history(entry_id)]


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


# The workflow


def test_the_whole_workflow_to_close_and_reopen_is_recorded_in_order(ledger):
    entry = raise_entry(ledger)
    signed = ledger.sign_for(entry.id, "W1", at(2024, 3, 4, 10))
    assert (signed.status, signed.signed_at, signed.sign_due) == (
        "signed_for",
        at(2024, 3, 4, 10),
        None,
    )
    assert ledger.start(entry.id, "W1", at(2024, 3, 4, 11)).status == "in_progress"
    resolved = ledger.resolve(entry.id, at(2024, 3, 5, 16), "已更换灯泡")
    assert (resolved.status, resolved.standing) == ("resolved", "resolved")
    assert resolved.resolved_at == resolved.first_resolved_at == at(2024, 3, 5, 16)
    assert ledger.verify(entry.id, at(2024, 3, 6, 9), True, "居民满意").verified is True
    closed = ledger.close_entry(entry.id, at(2024, 3, 6, 10))
    assert (closed.status, closed.closed_at) == ("closed", at(2024, 3, 6, 10))
    reopened = ledger.reopen(entry.id, at(2024, 3, 8, 9), "路灯又坏了")
    assert (reopened.status, reopened.standing) == ("in_progress", "pending")
    assert (reopened.closed_at, reopened.resolved_at, reopened.verified) == (None, None, None)
    assert reopened.first_resolved_at == at(2024, 3, 5, 16)
    history = ledger.history(entry.id)
    assert [e.action for e in history] == [
        "register",
        "sign_for",
        "start",
        "resolve",
        "verify",
        "close",
        "reopen",
    ]
    assert [e.seq for e in history] == list(range(1, 8))
    assert [e.status for e in history] == [
        "registered",
        "signed_for",
        "in_progress",
        "resolved",
        "resolved",
        "closed",
        "in_progress",
    ]
    assert [e.actor for e in history[1:3]] == ["W1", "W1"]
    assert history[3].note == "已更换灯泡"
    assert (history[4].satisfied, history[4].note) == (True, "居民满意")
    assert history[6].at == at(2024, 3, 8, 9)
    assert all(isinstance(e, wangge.Event) and not e.auto for e in history)


def _registered(store: wangge.Store) -> wangge.Entry:
    return raise_entry(store)


def _closed(store: wangge.Store) -> wangge.Entry:
    entry = raise_entry(store)
    store.sign_for(entry.id, "W1", at(2024, 3, 4, 10))
    store.start(entry.id, "W1", at(2024, 3, 4, 10))
    store.resolve(entry.id, at(2024, 3, 4, 10), "已修好")
    return store.close_entry(entry.id, at(2024, 3, 4, 10))


WHEN = at(2024, 3, 5, 9)
ON_REGISTERED = {
    "start": lambda s, i: s.start(i, "W1", WHEN),
    "resolve": lambda s, i: s.resolve(i, WHEN, "已修好"),
    "verify": lambda s, i: s.verify(i, WHEN, True),
    "close_entry": lambda s, i: s.close_entry(i, WHEN),
    "reopen": lambda s, i: s.reopen(i, WHEN, "再看看"),
    "suspend": lambda s, i: s.suspend(i, WHEN, "等材料"),
    "resume": lambda s, i: s.resume(i, WHEN),
    "extend": lambda s, i: s.extend(i, WHEN, 2, "等材料"),
    "return_": lambda s, i: s.return_(i, WHEN, "派错了"),
}
ON_CLOSED = {
    "sign_for": lambda s, i: s.sign_for(i, "W1", WHEN),
    "start": lambda s, i: s.start(i, "W1", WHEN),
    "escalate": lambda s, i: s.escalate(i, WHEN, "上报"),
    "mark_hard": lambda s, i: s.mark_hard(i, WHEN, "难"),
    "suspend": lambda s, i: s.suspend(i, WHEN, "等材料"),
    "resolve": lambda s, i: s.resolve(i, WHEN, "已修好"),
    "verify": lambda s, i: s.verify(i, WHEN, False),
    "close_entry": lambda s, i: s.close_entry(i, WHEN),
}
CASES = [("registered", _registered, name, act) for name, act in ON_REGISTERED.items()] + [
    ("closed", _closed, name, act) for name, act in ON_CLOSED.items()
]


@pytest.mark.parametrize(
    ("state", "make", "name", "act"), CASES, ids=[f"{c[2]}-when-{c[0]}" for c in CASES]
)
def test_an_invalid_transition_raises_and_changes_nothing(ledger, state, make, name, act):
    entry = make(ledger)
    assert entry.status == state
    before = ledger.history(entry.id)
    audit = len(ledger.audit_log())
    with pytest.raises(wangge.InvalidTransition):
        act(ledger, entry.id)
    assert ledger.entry(entry.id) == entry
    assert ledger.entry(entry.id).status == state
    assert ledger.history(entry.id) == before
    assert len(ledger.audit_log()) == audit


def test_marking_hard_twice_and_verifying_a_satisfied_entry_are_invalid(ledger):
    entry = raise_entry(ledger)
    hard = ledger.mark_hard(entry.id, at(2024, 3, 4, 10), "涉及多个部门")
    assert (hard.hard, hard.standing, hard.status) == (True, "hard", "registered")
    with pytest.raises(wangge.InvalidTransition, match="already"):
        ledger.mark_hard(entry.id, at(2024, 3, 4, 11), "还是难")
    ledger.sign_for(entry.id, "W1", at(2024, 3, 4, 11))
    ledger.start(entry.id, "W1", at(2024, 3, 4, 11))
    ledger.resolve(entry.id, at(2024, 3, 4, 12), "已修好")
    ledger.verify(entry.id, at(2024, 3, 4, 13), True)
    with pytest.raises(wangge.InvalidTransition, match="satisfied"):
        ledger.verify(entry.id, at(2024, 3, 4, 14), False)
    assert ledger.entry(entry.id).rework == 0
    with pytest.raises(wangge.NotFound):
        ledger.sign_for(9999, "W1", at(2024, 3, 4, 14))
    with pytest.raises(wangge.NotFound):
        ledger.sign_for(entry.id, "nobody", at(2024, 3, 4, 14))
    with pytest.raises(wangge.InvalidInput, match="last event"):
        ledger.reopen(entry.id, at(2024, 3, 1, 9), "时间倒流")
    with pytest.raises(wangge.InvalidInput, match="reason"):
        ledger.mark_hard(raise_entry(ledger).id, at(2024, 3, 4, 10), "")


def test_escalation_and_return_move_the_handler(ledger):
    entry = raise_entry(ledger)
    ledger.sign_for(entry.id, "W1", at(2024, 3, 4, 10))
    up = ledger.escalate(entry.id, at(2024, 3, 4, 11), "需要社区协调")
    assert (up.handler, up.status, up.signed_at) == (COMMUNITY, "registered", None)
    assert up.sign_due == at(2024, 3, 5, 23, 59, 59)
    assert ledger.escalate(entry.id, at(2024, 3, 4, 12), "社区解决不了").handler == TOWNSHIP
    assert ledger.return_(entry.id, at(2024, 3, 4, 13), "应由社区办理").handler == COMMUNITY
    back = ledger.return_(entry.id, at(2024, 3, 4, 14), "网格可以处理")
    assert (back.handler, back.status) == (GRID, "registered")
    with pytest.raises(wangge.InvalidTransition, match="return"):
        ledger.return_(entry.id, at(2024, 3, 4, 15), "再退")
    with pytest.raises(wangge.InvalidInput, match="to"):
        ledger.escalate(entry.id, at(2024, 3, 4, 15), "送邻居", to=GRID2)
    department = ledger.escalate(entry.id, at(2024, 3, 4, 15), "需要专业维修", to="县住建局")
    assert (department.handler, department.handler_kind) == ("县住建局", "department")
    history = ledger.history(entry.id)
    assert [e.action for e in history[2:]] == [
        "escalate",
        "escalate",
        "return",
        "return",
        "escalate",
    ]
    assert history[-1].note == "需要专业维修"
    assert history[-1].handler_kind == "department"
    top = ledger.register(COUNTY, "市政设施", "县城路灯坏了", at(2024, 3, 4, 9))
    assert top.handler == COUNTY
    with pytest.raises(wangge.InvalidTransition, match="top"):
        ledger.escalate(top.id, at(2024, 3, 4, 10), "再往上")


def test_suspension_stops_the_clock_and_resuming_moves_the_deadline(ledger):
    entry = raise_entry(ledger)  # Monday 4 March 2024: five working days, to Monday 11
    assert entry.deadline == at(2024, 3, 11, 23, 59, 59)
    ledger.sign_for(entry.id, "W1", at(2024, 3, 4, 10))
    ledger.start(entry.id, "W1", at(2024, 3, 4, 10))
    suspended = ledger.suspend(entry.id, at(2024, 3, 5, 10), "等待配件")
    assert (suspended.status, suspended.suspended_since) == ("suspended", at(2024, 3, 5, 10))
    assert suspended.standing == "pending"
    assert not suspended.overdue_at(at(2024, 4, 1, 9))  # the clock is stopped
    resumed = ledger.resume(entry.id, "2024-03-07T10:00:00+08:00")
    # Two working days (6 and 7 March) were suspended: the deadline moves by two.
    assert resumed.deadline == at(2024, 3, 13, 23, 59, 59)
    assert (resumed.status, resumed.suspended_since) == ("in_progress", None)
    assert resumed.overdue_at(at(2024, 3, 14, 0)) and not resumed.overdue_at(at(2024, 3, 13, 9))
    assert actions(ledger, entry.id)[-2:] == ["suspend", "resume"]


def test_an_extension_adds_working_days_with_its_reason(ledger):
    entry = raise_entry(ledger)
    ledger.sign_for(entry.id, "W1", at(2024, 3, 4, 10))
    extended = ledger.extend(entry.id, at(2024, 3, 8, 9), 3, "需采购灯具")
    assert extended.deadline == at(2024, 3, 14, 23, 59, 59)
    event = ledger.history(entry.id)[-1]
    assert (event.action, event.days, event.note) == ("extend", 3, "需采购灯具")
    assert event.deadline == extended.deadline
    for days in (0, -1, 366):
        with pytest.raises(wangge.InvalidInput, match="days"):
            ledger.extend(entry.id, at(2024, 3, 8, 9), days, "再等等")
    assert ledger.entry(entry.id).deadline == extended.deadline


def test_an_unsatisfied_resident_sends_the_entry_back_as_rework(ledger):
    entry = raise_entry(ledger)
    ledger.sign_for(entry.id, "W1", at(2024, 3, 4, 10))
    ledger.start(entry.id, "W1", at(2024, 3, 4, 10))
    ledger.resolve(entry.id, at(2024, 3, 5, 10), "已修好")
    back = ledger.verify(entry.id, at(2024, 3, 5, 18), False, "晚上还是不亮")
    assert (back.status, back.rework, back.resolved_at, back.verified) == (
        "in_progress",
        1,
        None,
        None,
    )
    assert back.first_resolved_at == at(2024, 3, 5, 10)
    ledger.resolve(entry.id, at(2024, 3, 6, 10), "更换了线路")
    done = ledger.verify(entry.id, at(2024, 3, 6, 18), True)
    assert (done.status, done.rework, done.verified) == ("resolved", 1, True)
    assert done.first_resolved_at == at(2024, 3, 5, 10)
    assert done.resolved_at == at(2024, 3, 6, 10)
    assert ledger.history(entry.id)[4].satisfied is False


def test_tick_escalates_what_was_not_signed_for_and_a_second_tick_does_nothing(ledger):
    late = raise_entry(ledger)  # to be signed for by the end of Tuesday 5 March
    signed = raise_entry(ledger)
    ledger.sign_for(signed.id, "W1", at(2024, 3, 4, 10))
    assert late.sign_due == at(2024, 3, 5, 23, 59, 59)
    assert ledger.tick(at(2024, 3, 5, 12)) == []
    events = ledger.tick(at(2024, 3, 7, 9))
    assert len(events) == 1
    [event] = events
    assert isinstance(event, wangge.Event)
    assert (event.entry_id, event.action, event.auto) == (late.id, "escalate", True)
    assert (event.handler, event.status) == (COMMUNITY, "registered")
    assert event.at == at(2024, 3, 6, 0)
    assert GRID in event.note
    assert ledger.tick(at(2024, 3, 7, 9)) == []
    assert ledger.history(late.id)[-1] == event
    now = ledger.entry(late.id)
    assert (now.handler, now.sign_due) == (COMMUNITY, at(2024, 3, 7, 23, 59, 59))
    assert ledger.entry(signed.id).handler == GRID
    with pytest.raises(wangge.InvalidInput, match="now"):
        ledger.tick("soon")


# Batches of workflow actions


def _act(entry_id: int, action: str, when: datetime | str, **fields) -> dict:
    return {"entry_id": entry_id, "action": action, "at": when, **fields}


def _plan(first: int, second: int) -> list[dict]:
    """A varied working of two streetlight entries, as batch actions: the first through
    suspension, an extension, rework, closing and reopening; the second escalated,
    returned, marked hard and handed to a department."""
    return [
        _act(first, "sign_for", at(2024, 3, 4, 10), staff_id="W1"),
        _act(second, "escalate", at(2024, 3, 4, 10), note="需要社区协调"),
        _act(first, "start", "2024-03-04T10:30", staff_id="W1"),
        _act(second, "return", at(2024, 3, 4, 11), note="属网格职责"),
        _act(second, "mark_hard", at(2024, 3, 4, 12), note="涉及多个部门"),
        _act(second, "escalate", at(2024, 3, 4, 13), note="转交职能部门", to="县住建局"),
        _act(second, "sign_for", datetime(2024, 3, 4, 14), staff_id="W1"),
        _act(first, "suspend", at(2024, 3, 5, 10), note="等待配件"),
        _act(first, "resume", at(2024, 3, 7, 10)),
        _act(first, "extend", at(2024, 3, 7, 11), days=2, note="需采购灯具"),
        _act(first, "resolve", at(2024, 3, 8, 15), note="已更换灯泡"),
        _act(first, "verify", at(2024, 3, 8, 18), satisfied=False, note="晚上还是不亮"),
        _act(first, "resolve", at(2024, 3, 11, 10), note="更换了线路"),
        _act(first, "verify", at(2024, 3, 11, 18), satisfied=True),
        _act(first, "close", at(2024, 3, 12, 9)),
        _act(first, "reopen", at(2024, 3, 13, 9), note="又坏了"),
    ]


SINGLE = {
    "sign_for": lambda s, a: s.sign_for(a["entry_id"], a["staff_id"], a["at"]),
    "start": lambda s, a: s.start(a["entry_id"], a["staff_id"], a["at"]),
    "escalate": lambda s, a: s.escalate(a["entry_id"], a["at"], a["note"], a.get("to")),
    "return": lambda s, a: s.return_(a["entry_id"], a["at"], a["note"]),
    "mark_hard": lambda s, a: s.mark_hard(a["entry_id"], a["at"], a["note"]),
    "suspend": lambda s, a: s.suspend(a["entry_id"], a["at"], a["note"]),
    "resume": lambda s, a: s.resume(a["entry_id"], a["at"]),
    "extend": lambda s, a: s.extend(a["entry_id"], a["at"], a["days"], a["note"]),
    "resolve": lambda s, a: s.resolve(a["entry_id"], a["at"], a["note"]),
    "verify": lambda s, a: s.verify(a["entry_id"], a["at"], a["satisfied"], a.get("note", "")),
    "close": lambda s, a: s.close_entry(a["entry_id"], a["at"]),
    "reopen": lambda s, a: s.reopen(a["entry_id"], a["at"], a["note"]),
}


def test_a_batch_leaves_the_same_entries_history_and_audit_as_the_single_actions(ledger):
    with wangge.Store(":memory:") as batched:
        build_county(batched)
        batched.add_staff("W1", "网格员甲")
        batched.add_staff("C1", "社区干部")
        batched.assign("W1", GRID, "grid_worker")
        batched.assign("C1", COMMUNITY, "grid_chief")
        ids = [raise_entry(store).id for store in (ledger, batched) for _ in range(2)]
        assert ids[:2] == ids[2:]
        plan = _plan(*ids[:2])
        audit = len(batched.audit_log())
        for action in plan:
            SINGLE[action["action"]](ledger, action)
        assert batched.work_entries(plan) == len(plan)
        for entry_id in ids[:2]:
            assert batched.entry(entry_id) == ledger.entry(entry_id)
            assert batched.history(entry_id) == ledger.history(entry_id)
        assert len(batched.audit_log()) == len(ledger.audit_log()) == audit + len(plan)
        assert batched.verify_audit()
        first, second = (batched.entry(i) for i in ids[:2])
        assert (first.status, first.rework, first.closed_at) == ("in_progress", 1, None)
        assert (second.handler, second.hard, second.status) == ("县住建局", True, "signed_for")
        assert batched.work_entries([]) == 0


def test_a_refused_action_refuses_the_whole_batch_and_names_its_place(ledger):
    first, second = raise_entry(ledger), raise_entry(ledger)
    before = [(ledger.entry(e.id), ledger.history(e.id)) for e in (first, second)]
    audit = len(ledger.audit_log())
    batch = [
        _act(first.id, "sign_for", at(2024, 3, 4, 10), staff_id="W1"),
        _act(first.id, "start", at(2024, 3, 4, 11), staff_id="W1"),
        _act(second.id, "close", at(2024, 3, 4, 11)),  # closing a registered entry
    ]
    with pytest.raises(wangge.InvalidTransition, match="action 2 of the batch"):
        ledger.work_entries(batch)
    unknown_staff = [batch[0], _act(second.id, "sign_for", at(2024, 3, 4, 10), staff_id="W9")]
    with pytest.raises(wangge.NotFound, match="W9"):
        ledger.work_entries(unknown_staff)
    with pytest.raises(wangge.NotFound, match="action 1 of the batch"):
        ledger.work_entries([batch[0], _act(9999, "close", at(2024, 3, 4, 11))])
    neighbour = raise_entry(ledger, unit=GRID2)
    grid = ledger.scope(GRID, "网格员甲")
    with pytest.raises(wangge.PermissionDenied, match="action 1 of the batch"):
        grid.work_entries([batch[0], _act(neighbour.id, "mark_hard", WHEN, note="难")])
    assert [(ledger.entry(e.id), ledger.history(e.id)) for e in (first, second)] == before
    assert actions(ledger, neighbour.id) == ["register"]
    assert len(ledger.audit_log()) == audit + 1  # registering the neighbour's entry
    assert ledger.verify_audit()


def test_a_batch_may_be_json_text_or_any_iterable_of_dicts(ledger):
    entry = raise_entry(ledger)
    text = json.dumps(
        [
            _act(entry.id, "sign_for", "2024-03-04T10:00", staff_id="W1"),
            _act(entry.id, "start", "2024-03-04T10:30:00+08:00", staff_id="W1"),
        ]
    )
    assert ledger.work_entries(text) == 2
    started = ledger.entry(entry.id)
    assert (started.status, started.signed_at) == ("in_progress", at(2024, 3, 4, 10))
    assert ledger.history(entry.id)[-1].at == at(2024, 3, 4, 10, 30)
    assert ledger.work_entries("[]") == 0
    later = (
        _act(entry.id, action, datetime(2024, 3, 5, hour), note=note)
        for hour, action, note in ((9, "suspend", "等待配件"), (15, "resume", ""))
    )
    assert ledger.work_entries(later) == 2
    assert actions(ledger, entry.id)[-2:] == ["suspend", "resume"]
    assert ledger.history(entry.id)[-1].at == at(2024, 3, 5, 15)


def test_bad_batch_input_raises_invalid_input_and_writes_nothing(ledger):
    entry = raise_entry(ledger)
    before = ledger.history(entry.id)
    good = _act(entry.id, "sign_for", at(2024, 3, 4, 10), staff_id="W1")
    for batch, message in [
        ([good, (entry.id, "start")], "action 1 of the batch"),
        ([good, {1: "start"}], r"key must be text.*action 1 of the batch"),
        ([good | {"colour": "red"}], "colour"),
        ([_act(entry.id, "fly", WHEN)], "fly"),
        ([_act(entry.id, "register", WHEN)], "register_entries"),
        ([good, _act(entry.id, "start", date(2024, 3, 4))], r"at.*action 1 of the batch"),
        ([_act(entry.id, "resume", 9)], "at"),
        ([{"action": "resume", "at": WHEN}], "entry_id"),
        ([_act("one", "resume", WHEN)], "entry_id"),
        ([_act(entry.id, "start", WHEN)], "staff_id"),
        ([_act(entry.id, "extend", WHEN, note="再等等")], "days"),
        ([_act(entry.id, "extend", WHEN, note="再等等", days=-1)], "days"),
        ([_act(entry.id, "mark_hard", WHEN)], "reason"),
        ([_act(entry.id, "resolve", WHEN)], "result"),
        ([_act(entry.id, "verify", WHEN)], "satisfied"),
        ([_act(entry.id, "verify", WHEN, satisfied="yes")], "satisfied"),
        ("not json", "actions"),
        ('{"entry_id": 1}', "actions"),
    ]:
        with pytest.raises(wangge.InvalidInput, match=message):
            ledger.work_entries(batch)
    assert ledger.history(entry.id) == before


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
    for attempt in (
        lambda: grid.entry(neighbour.id),
        lambda: grid.history(neighbour.id),
        lambda: grid.sign_for(neighbour.id, "W1", at(2024, 3, 4, 10)),
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
