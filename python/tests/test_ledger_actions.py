"""The ledger's entry workflow (代访制): one action at a time or a batch, and tick, as in
core/tests/ledger.rs and core/tests/work_entries.rs."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest
from conftest import build_county
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
    with pytest.raises(wangge.NotFound, match="action 1 of the batch"):
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


def test_several_handles_batches_apply_in_one_write_each_under_its_own_scope(ledger):
    first, second, third = (raise_entry(ledger) for _ in range(3))
    community = ledger.scope(COMMUNITY, "北坝社区网格员")
    township = ledger.scope(TOWNSHIP, "岳阳镇综治中心")
    elsewhere = ledger.scope(OTHER_COMMUNITY_GRID, "龙井网格员")
    audit = len(ledger.audit_log())
    signs = [_act(first.id, "sign_for", at(2024, 3, 4, 10), staff_id="W1")]
    hard = [_act(second.id, "mark_hard", "2024-03-04T11:00", note="历史遗留")]
    # A handle that cannot see its entry refuses everything, naming the batch.
    with pytest.raises(wangge.NotFound, match="action 0 of batch 1"):
        wangge.Store.work_entries_together([(community, signs), (elsewhere, hard)])
    assert actions(ledger, first.id) == ["register"]
    assert len(ledger.audit_log()) == audit
    assert wangge.Store.work_entries_together([(community, signs), (township, json.dumps(hard))]) == 2
    assert ledger.entry(first.id).status == "signed_for"
    assert ledger.entry(second.id).hard is True
    records = ledger.audit_log()[audit:]
    assert [r.actor for r in records] == ["北坝社区网格员", "岳阳镇综治中心"]
    assert records[0].at == records[1].at  # one write
    assert ledger.verify_audit()
    # Handles of two stores, or anything but (store, actions) pairs, are refused.
    with wangge.Store(":memory:") as other:
        build_county(other)
        with pytest.raises(wangge.InvalidInput, match="batches"):
            wangge.Store.work_entries_together([(community, signs), (other, hard)])
    for bad in ([community], [(community,)], [("x", signs)], 7):
        with pytest.raises((wangge.InvalidInput, TypeError)):
            wangge.Store.work_entries_together(bad)
    assert wangge.Store.work_entries_together([]) == 0
    assert actions(ledger, third.id) == ["register"]
