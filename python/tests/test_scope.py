"""Scopes hold on every path: every method of Store, called through a township's scope
on something of the other township, is refused (PermissionDenied for a unit code the
caller names, NotFound for a household, resident, visit, finding, entry or assignment,
as if there were none) and changes nothing; imports refuse rows registered outside; the
audit log shows a scope only its subtree; a closed store's scopes are closed."""

from __future__ import annotations

import sqlite3
import tempfile
from datetime import datetime, timedelta, timezone

import pytest
from conftest import build_county

import wangge

TOWNSHIP = "512021100"
INSIDE_GRID = "512021100001001"
OUTSIDE_TOWNSHIP = "512021101"
OUTSIDE_COMMUNITY = "512021101001"
OUTSIDE_GRID = "512021101001001"
OUTSIDE_ID_NUMBER = "510123194805121220"
AT = datetime(2024, 3, 5, 9, 0, tzinfo=timezone(timedelta(hours=8)))
MONTH = "2024-03"

DENIED = wangge.PermissionDenied
MISSING = wangge.NotFound


@pytest.fixture
def world(tmp_path):
    """The county in a file, with a household, resident, visit, finding, entry, archive
    section, staff member and assignment in the other township, one household inside,
    and the township's scope."""
    path = tmp_path / "scope.db"
    store = build_county(wangge.Store(path))
    store.add_staff("OUT", "外镇网格员", "13812345678")
    store.add_staff("FREE", "未分配")
    ids = {"assignment": store.assign("OUT", OUTSIDE_GRID, "grid_worker").id}
    store.add_household("O1", OUTSIDE_GRID, "解放村1号")
    store.add_household("I1", INSIDE_GRID, "海慧路1号")
    ids["resident"] = store.add_resident("O1", "付良容", OUTSIDE_ID_NUMBER).resident_id
    ids["visit"] = store.record_visit("O1", "OUT", "home", "2024-03-01", "走访").visit_id
    ids["finding"] = store.record_finding(ids["visit"], "楼道堆放杂物").id
    ids["entry"] = store.register(OUTSIDE_GRID, None, "路灯不亮", AT - timedelta(days=3)).id
    store.set_archive_section("O1", "basic", {"note": "x"})
    # The outside grid's week as its own store would send it up.
    own = build_county(wangge.Store(":memory:"))
    ids["sealed"] = own.submit(OUTSIDE_GRID, "2024-W10", AT).to_json()
    own.close()
    ids["device_path"] = tmp_path / "outside-device.db"
    ids["device"] = store.checkout(OUTSIDE_GRID, "OUT", ids["device_path"]).device_id
    town = store.scope(TOWNSHIP, "岳阳镇管理员")
    yield store, town, path, ids
    store.close()


def dump(path) -> dict[str, list[tuple]]:
    """Every row of every table, read through a plain sqlite3 connection."""
    conn = sqlite3.connect(path)
    try:
        tables = [
            r[0]
            for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        ]
        return {
            t: sorted(conn.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr)
            for t in tables
        }
    finally:
        conn.close()


# (method, what is refused, the call on the township's scope `t` with the outside ids `i`)
CALLS = [
    # Units: codes the caller names.
    ("unit", DENIED, lambda t, i: t.unit(OUTSIDE_GRID)),
    ("children", DENIED, lambda t, i: t.children(OUTSIDE_TOWNSHIP)),
    ("descendants", DENIED, lambda t, i: t.descendants(OUTSIDE_TOWNSHIP)),
    ("ancestors", DENIED, lambda t, i: t.ancestors(OUTSIDE_GRID)),
    ("scope", DENIED, lambda t, i: t.scope(OUTSIDE_TOWNSHIP, "x")),
    ("add_unit", DENIED, lambda t, i: t.add_unit("512021101001009", "x", "grid", OUTSIDE_COMMUNITY)),
    ("add_units", DENIED, lambda t, i: t.add_units([("512021101001009", "x", "grid", OUTSIDE_COMMUNITY)])),
    ("move_unit", DENIED, lambda t, i: t.move_unit(OUTSIDE_GRID, "512021100001", "2024-06-01")),
    ("move_unit", DENIED, lambda t, i: t.move_unit(INSIDE_GRID, OUTSIDE_COMMUNITY, "2024-06-01")),
    ("retire_unit", DENIED, lambda t, i: t.retire_unit(OUTSIDE_GRID, "2024-06-01")),
    # Staff and assignments.
    ("staff", DENIED, lambda t, i: t.staff("OUT")),
    ("staff_phone", DENIED, lambda t, i: t.staff_phone("OUT")),
    ("assign", DENIED, lambda t, i: t.assign("FREE", OUTSIDE_GRID, "grid_worker")),
    ("assign", DENIED, lambda t, i: t.assign("OUT", INSIDE_GRID, "grid_worker")),
    ("end_assignment", MISSING, lambda t, i: t.end_assignment(i["assignment"], "2024-06-01")),
    ("assignments", DENIED, lambda t, i: t.assignments(OUTSIDE_GRID)),
    ("responsible", DENIED, lambda t, i: t.responsible(OUTSIDE_GRID)),
    ("due_visits_for_staff", DENIED, lambda t, i: t.due_visits_for_staff("OUT")),
    # Households and residents.
    ("add_household", DENIED, lambda t, i: t.add_household("N1", OUTSIDE_GRID, "x")),
    ("household", MISSING, lambda t, i: t.household("O1")),
    ("households", DENIED, lambda t, i: t.households(OUTSIDE_GRID)),
    ("household_class", MISSING, lambda t, i: t.household_class("O1")),
    ("move_household", MISSING, lambda t, i: t.move_household("O1", INSIDE_GRID, "2024-06-01")),
    ("move_household", DENIED, lambda t, i: t.move_household("I1", OUTSIDE_GRID, "2024-06-01")),
    ("end_household", MISSING, lambda t, i: t.end_household("O1", "2024-06-01")),
    ("tag", MISSING, lambda t, i: t.tag("O1", "低保")),
    ("tag_household", MISSING, lambda t, i: t.tag_household("O1", "低保")),
    ("untag", MISSING, lambda t, i: t.untag("O1", "低保", "2024-06-01")),
    ("untag_household", MISSING, lambda t, i: t.untag_household("O1", "低保", "2024-06-01")),
    ("add_resident", MISSING, lambda t, i: t.add_resident("O1", "新人")),
    ("resident", MISSING, lambda t, i: t.resident(i["resident"])),
    ("residents", MISSING, lambda t, i: t.residents("O1")),
    ("resident_clear", MISSING, lambda t, i: t.resident_clear(i["resident"])),
    ("move_resident", MISSING, lambda t, i: t.move_resident(i["resident"], "I1", "spouse", "2024-06-01")),
    ("tag_resident", MISSING, lambda t, i: t.tag_resident(i["resident"], "低保")),
    ("untag_resident", MISSING, lambda t, i: t.untag_resident(i["resident"], "低保", "2024-06-01")),
    ("unit_counts", DENIED, lambda t, i: t.unit_counts(OUTSIDE_GRID)),
    # Archives.
    ("archive", MISSING, lambda t, i: t.archive("O1")),
    ("archive_history", MISSING, lambda t, i: t.archive_history("O1", "basic")),
    ("set_archive_section", MISSING, lambda t, i: t.set_archive_section("O1", "basic", {})),
    ("verify_archive", MISSING, lambda t, i: t.verify_archive("O1", "2024-06-01")),
    # Visits, patrols, findings.
    ("record_visit", MISSING, lambda t, i: t.record_visit("O1", "FREE", "home", "2024-03-03")),
    ("record_visits", MISSING, lambda t, i: t.record_visits([("O1", "FREE", "home", "2024-03-03")])),
    ("visits", MISSING, lambda t, i: t.visits("O1")),
    ("due_visits", DENIED, lambda t, i: t.due_visits(OUTSIDE_GRID)),
    ("visit_compliance", DENIED, lambda t, i: t.visit_compliance(OUTSIDE_GRID, MONTH)),
    ("reverification_due", DENIED, lambda t, i: t.reverification_due(OUTSIDE_GRID)),
    ("record_patrol", DENIED, lambda t, i: t.record_patrol(OUTSIDE_GRID, "FREE", AT)),
    ("patrols", DENIED, lambda t, i: t.patrols(OUTSIDE_GRID, MONTH)),
    ("patrol_compliance", DENIED, lambda t, i: t.patrol_compliance(OUTSIDE_GRID, MONTH)),
    ("quota_compliance", DENIED, lambda t, i: t.quota_compliance(OUTSIDE_GRID, MONTH)),
    ("record_finding", MISSING, lambda t, i: t.record_finding(i["visit"], "x")),
    ("findings", DENIED, lambda t, i: t.findings(OUTSIDE_GRID)),
    # The ledger.
    ("classify", DENIED, lambda t, i: t.classify(summary="路灯", unit=OUTSIDE_GRID)),
    ("classify", MISSING, lambda t, i: t.classify(summary="路灯", household_id="O1")),
    ("register", DENIED, lambda t, i: t.register(OUTSIDE_GRID, None, "路灯不亮", AT)),
    ("register", MISSING, lambda t, i: t.register(INSIDE_GRID, None, "路灯不亮", AT, "O1")),
    ("register", MISSING, lambda t, i: t.register(INSIDE_GRID, None, "x", AT, resident_id=i["resident"])),
    ("register", MISSING, lambda t, i: t.register(INSIDE_GRID, None, "x", AT, finding_id=i["finding"])),
    ("register_entries", DENIED, lambda t, i: t.register_entries([{"unit": OUTSIDE_GRID, "summary": "x", "reported_at": AT.isoformat()}])),
    ("register_finding", MISSING, lambda t, i: t.register_finding(i["finding"], AT)),
    ("entry", MISSING, lambda t, i: t.entry(i["entry"])),
    ("history", MISSING, lambda t, i: t.history(i["entry"])),
    ("entries", DENIED, lambda t, i: t.entries(OUTSIDE_GRID)),
    ("piles", DENIED, lambda t, i: t.piles(OUTSIDE_GRID, MONTH)),
    ("sign_for", MISSING, lambda t, i: t.sign_for(i["entry"], "FREE", AT)),
    ("start", MISSING, lambda t, i: t.start(i["entry"], "FREE", AT)),
    ("escalate", MISSING, lambda t, i: t.escalate(i["entry"], AT, "x")),
    ("return_", MISSING, lambda t, i: t.return_(i["entry"], AT, "x")),
    ("mark_hard", MISSING, lambda t, i: t.mark_hard(i["entry"], AT, "x")),
    ("suspend", MISSING, lambda t, i: t.suspend(i["entry"], AT, "x")),
    ("resume", MISSING, lambda t, i: t.resume(i["entry"], AT)),
    ("extend", MISSING, lambda t, i: t.extend(i["entry"], AT, 3, "x")),
    ("resolve", MISSING, lambda t, i: t.resolve(i["entry"], AT, "x")),
    ("verify", MISSING, lambda t, i: t.verify(i["entry"], AT, True)),
    ("close_entry", MISSING, lambda t, i: t.close_entry(i["entry"], AT)),
    ("reopen", MISSING, lambda t, i: t.reopen(i["entry"], AT, "x")),
    ("work_entries", MISSING, lambda t, i: t.work_entries([{"entry_id": i["entry"], "action": "sign_for", "at": AT.isoformat(), "staff_id": "FREE"}])),
    ("work_entries_together", MISSING, lambda t, i: wangge.Store.work_entries_together([(t, [{"entry_id": i["entry"], "action": "sign_for", "at": AT.isoformat(), "staff_id": "FREE"}])])),
    # Reports and submissions.
    ("report", DENIED, lambda t, i: t.report(OUTSIDE_TOWNSHIP, MONTH)),
    ("circular", DENIED, lambda t, i: t.circular(OUTSIDE_TOWNSHIP, MONTH, "closure_rate")),
    ("assessment", DENIED, lambda t, i: t.assessment(OUTSIDE_TOWNSHIP, MONTH)),
    ("submit", DENIED, lambda t, i: t.submit(OUTSIDE_GRID, MONTH, AT)),
    ("checkout", DENIED, lambda t, i: t.checkout(OUTSIDE_GRID, "OUT", i["device_path"].with_name("x.db"))),
    ("merge", DENIED, lambda t, i: t.merge(i["device_path"])),
    ("withdraw_checkout", MISSING, lambda t, i: t.withdraw_checkout(i["device"])),
    ("approve", DENIED, lambda t, i: t.approve(OUTSIDE_GRID, MONTH, AT)),
    ("submission", DENIED, lambda t, i: t.submission(OUTSIDE_GRID, MONTH)),
    ("submissions", DENIED, lambda t, i: t.submissions(OUTSIDE_GRID, MONTH)),
    ("receive_submission", DENIED, lambda t, i: t.receive_submission(i["sealed"])),
    ("export_parquet", DENIED, lambda t, i: t.export_parquet(tempfile.mkdtemp(), OUTSIDE_TOWNSHIP)),
    # The deployment as a whole.
    ("verify_audit", DENIED, lambda t, i: t.verify_audit()),
    ("verify_audit", DENIED, lambda t, i: t.verify_audit(since={"seq": 0, "digest": "0" * 64, "at": ""})),
    ("define_tag", DENIED, lambda t, i: t.define_tag("新标签", False)),
    ("load_calendar", DENIED, lambda t, i: t.load_calendar(text="2030 元旦 off 01-01")),
    ("set_visit_rules", DENIED, lambda t, i: t.set_visit_rules([])),
    ("set_quota_rules", DENIED, lambda t, i: t.set_quota_rules([])),
    ("set_patrol_rules", DENIED, lambda t, i: t.set_patrol_rules([])),
    ("set_ledger_rules", DENIED, lambda t, i: t.set_ledger_rules({})),
    ("set_reporting_rules", DENIED, lambda t, i: t.set_reporting_rules([])),
    ("set_assessment_rules", DENIED, lambda t, i: t.set_assessment_rules([])),
    ("rekey", DENIED, lambda t, i: t.rekey(b"0123456789abcdef")),
    ("audit_head", DENIED, lambda t, i: t.audit_head()),
]

# Methods that name nothing a scope could reach outside of: the handle itself, what is
# the deployment's to read (rule sets, tag kinds, the calendar), and the audit log,
# tested on its own below; import_households and tick are tested below too.
NOTHING_OUTSIDE = {
    "close", "closed", "actor", "scope_root", "levels", "today", "audit_log", "add_staff",
    "tag_kinds", "visit_rules", "quota_rules", "patrol_rules", "ledger_rules",
    "reporting_rules", "assessment_rules", "add_working_days", "working_days_between",
    "calendar_years", "import_households", "tick", "info",
}


def test_the_table_covers_every_method_of_store():
    public = {n for n in dir(wangge.Store) if not n.startswith("_") or n == "return_"}
    assert public - NOTHING_OUTSIDE == {name for name, _, _ in CALLS}


@pytest.mark.parametrize(
    ("method", "refused", "call"), CALLS, ids=[f"{n}-{k}" for k, (n, _, _) in enumerate(CALLS)]
)
def test_every_method_refuses_the_outside_and_changes_nothing(world, method, refused, call):
    store, town, path, ids = world
    before = dump(path)
    audit = len(store.audit_log(limit=100_000))
    with pytest.raises(refused) as caught:
        call(town, ids)
    assert type(caught.value) is refused, f"{method}: {caught.value!r}"
    assert len(store.audit_log(limit=100_000)) == audit
    assert dump(path) == before


def test_outside_is_not_found_exactly_as_nothing_is(world):
    _, town, _, ids = world
    with pytest.raises(wangge.NotFound) as outside:
        town.household("O1", "2024-06-01")
    with pytest.raises(wangge.NotFound) as nothing:
        town.household("Z9", "2024-06-01")
    assert str(outside.value).replace("O1", "Z9") == str(nothing.value)
    with pytest.raises(wangge.NotFound) as resident:
        town.resident(ids["resident"])
    assert "O1" not in str(resident.value)


def test_an_import_through_a_scope_refuses_rows_registered_outside(world, tmp_path):
    store, town, path, _ = world
    rows = [
        {"household_id": "N1", "unit": INSIDE_GRID, "address": "x", "kind": "registered", "name": "新居民"},
        {"household_id": "O1", "unit": INSIDE_GRID, "address": "x", "kind": "registered", "name": "付良容"},
        {
            "household_id": "N2",
            "unit": INSIDE_GRID,
            "address": "x",
            "kind": "registered",
            "name": "付良容",
            "id_number": OUTSIDE_ID_NUMBER,
        },
    ]
    before = dump(path)
    result = town.import_households(rows)
    assert [(line, field) for line, field, _ in result.errors] == [
        (2, "household_id"),
        (3, "id_number"),
    ]
    assert OUTSIDE_ID_NUMBER not in result.errors[1][2]
    assert dump(path) == before
    csv = tmp_path / "rows.csv"
    csv.write_text(
        "household_id,unit,address,kind,name\nO1,512021100001001,x,registered,付良容\n",
        encoding="utf-8",
    )
    result = town.import_households(csv)
    assert [field for _, field, _ in result.errors] == ["household_id"]
    assert dump(path) == before
    result = town.import_households(rows, mode="skip_invalid")
    assert len(result.errors) == 2
    assert store.household("O1").unit == OUTSIDE_GRID
    assert store.household("N1").unit == INSIDE_GRID
    with pytest.raises(wangge.NotFound):
        store.household("N2")


def test_a_scope_ticks_only_its_own_entries(world):
    _, town, path, _ = world
    before = dump(path)
    assert town.tick(datetime(2030, 1, 1, tzinfo=timezone.utc)) == []
    assert dump(path) == before


def test_the_audit_log_of_a_scope_shows_only_records_about_its_subtree(world):
    store, town, _, _ = world
    other = store.scope(OUTSIDE_TOWNSHIP, "石桥铺镇管理员")
    town.tag("I1", "低保")
    store.define_tag("新标签", False)
    mine = [(r.action, r.target) for r in town.audit_log()]
    theirs = [(r.action, r.target) for r in other.audit_log()]
    everything = [(r.action, r.target) for r in store.audit_log()]
    assert ("add_household", "I1") in mine and ("tag", "I1") in mine
    assert all(target != "O1" for _, target in mine)
    assert ("add_household", "O1") in theirs and ("record_finding", "O1") in theirs
    assert all(target != "I1" for _, target in theirs)
    for deployment_wide in [("add_unit", "512021"), ("add_staff", "OUT"), ("define_tag", "新标签")]:
        assert deployment_wide in everything
        assert deployment_wide not in mine and deployment_wide not in theirs
    page = town.audit_log(after=town.audit_log()[1].seq, limit=2)
    assert page == town.audit_log()[2:4]


def test_a_scope_cannot_assign_staff_assigned_outside(world):
    store, town, _, ids = world
    with pytest.raises(wangge.PermissionDenied, match="OUT"):
        town.assign("OUT", INSIDE_GRID, "grid_worker")
    town.assign("FREE", INSIDE_GRID, "grid_worker")
    store.end_assignment(ids["assignment"], "2024-01-31")
    town.assign("OUT", INSIDE_GRID, "grid_worker", start="2024-02-01")


def test_closing_the_store_closes_its_scopes(world):
    store, town, _, _ = world
    grid = town.scope(INSIDE_GRID, "网格员")
    store.close()
    for handle in (town, grid):
        assert handle.closed
        with pytest.raises(wangge.StorageError, match="store is closed"):
            handle.household("I1")
        with pytest.raises(wangge.StorageError, match="store is closed"):
            handle.tag("I1", "低保")


def test_the_store_cannot_be_closed_from_inside_an_import_progress_callback(world):
    store, town, _, _ = world
    rows = [{"household_id": "N1", "unit": INSIDE_GRID, "address": "x", "kind": "registered", "name": "新居民"}]

    def progress(done, total):
        store.close()

    with pytest.raises(wangge.StorageError, match="progress callback"):
        town.import_households(rows, progress=progress)
    assert not store.closed and not town.closed
    assert town.household("I1").unit == INSIDE_GRID
