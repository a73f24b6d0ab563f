"""Scoped handles and the audit chain."""

from __future__ import annotations

import json
import sqlite3

import pytest
from conftest import codes

import wangge


def test_a_scope_sees_its_subtree(county):
    town = county.scope("512021100", "岳阳镇管理员")
    assert isinstance(town, wangge.Store)
    assert town.actor == "岳阳镇管理员"
    assert town.scope_root == "512021100"
    assert county.scope_root is None
    assert len(town.descendants("512021100", level="grid")) == 3
    assert town.unit("512021100001001").name == "北坝一网格"


@pytest.mark.parametrize("code", ["512021", "512021101", "512021101001001"])
def test_a_scope_refuses_reads_outside_it(county, code):
    town = county.scope("512021100", "岳阳镇管理员")
    with pytest.raises(wangge.PermissionDenied, match=code):
        town.unit(code)
    with pytest.raises(wangge.PermissionDenied):
        town.children(code)


def test_ancestors_seen_through_a_scope_stop_at_its_root(county):
    town = county.scope("512021100", "岳阳镇管理员")
    assert codes(town.ancestors("512021100001001")) == ["512021100", "512021100001"]


def test_a_scope_refuses_writes_outside_it_and_writes_nothing(county):
    community = county.scope("512021100001", "社区书记")
    county.add_staff("s1", "张莉")
    before = len(county.audit_log())
    attempts = [
        lambda: community.add_unit("512021101001002", "x", "grid", "512021101001"),
        lambda: community.add_unit("512022", "x", "county"),
        lambda: community.move_unit("512021100001001", "512021100002", "2024-01-01"),
        lambda: community.move_unit("512021100002001", "512021100001", "2024-01-01"),
        lambda: community.retire_unit("512021101001001", "2024-01-01"),
        lambda: community.assign("s1", "512021101001", "guide"),
        lambda: community.scope("512021100", "x"),
    ]
    for attempt in attempts:
        with pytest.raises(wangge.PermissionDenied):
            attempt()
    assert len(county.audit_log()) == before
    assert len(county.descendants("512021")) == 9


def test_writes_inside_a_scope_are_audited_under_its_actor(county):
    community = county.scope("512021100001", "社区书记")
    county.add_staff("s1", "张莉")
    community.add_unit("512021100001003", "北坝三网格", "grid", "512021100001")
    community.assign("s1", "512021100001003", "grid_chief")
    last = county.audit_log()[-1]
    assert (last.actor, last.action, last.target) == ("社区书记", "assign", "s1")
    assert county.unit("512021100001003").name == "北坝三网格"


def test_a_scope_of_an_unknown_unit_is_not_found_and_a_bad_actor_invalid(county):
    with pytest.raises(wangge.NotFound, match="512021999"):
        county.scope("512021999", "x")
    with pytest.raises(wangge.InvalidInput, match="actor"):
        county.scope("512021100", "   ")


def test_closing_a_scope_leaves_the_store_and_other_scopes_open(county):
    town = county.scope("512021100", "岳阳镇管理员")
    grid = town.scope("512021100001001", "网格员")
    town.close()
    assert town.closed and not grid.closed and not county.closed
    with pytest.raises(wangge.StorageError, match="closed"):
        town.children("512021100")
    assert grid.unit("512021100001001").name == "北坝一网格"
    assert len(county.children("512021100")) == 2


def test_closing_the_store_closes_its_scopes(county):
    town = county.scope("512021100", "岳阳镇管理员")
    grid = town.scope("512021100001001", "网格员")
    county.close()
    for handle in (county, town, grid):
        assert handle.closed
        assert repr(handle) == "Store(closed)"
        with pytest.raises(wangge.StorageError, match="store is closed"):
            handle.unit("512021100001001")
        with pytest.raises(wangge.StorageError, match="store is closed"):
            handle.audit_log()
        with pytest.raises(wangge.StorageError, match="store is closed"):
            _ = handle.actor
    town.close()
    county.close()


def test_every_write_is_audited_and_the_chain_verifies(county):
    log = county.audit_log()
    assert len(log) == 10
    first = log[0]
    assert (first.seq, first.action, first.target, first.actor) == (
        1,
        "add_unit",
        "512021",
        "system",
    )
    assert json.loads(first.detail)["name"] == "安岳县"
    assert len(first.hash) == 64
    assert [r.seq for r in log] == list(range(1, 11))
    check = county.verify_audit()
    assert check.ok
    assert bool(check) is True
    assert (check.records, check.first_bad, check.problem) == (10, None, None)
    assert check.to_dict() == {
        "ok": True,
        "records": 10,
        "first_bad": None,
        "problem": None,
        "problems": [],
        "problems_total": 0,
    }
    assert repr(check) == (
        "AuditVerification(ok=True, records=10, first_bad=None, problem=None, problems=[], "
        "problems_total=0)"
    )


def test_audit_log_pages_with_after_and_limit(county):
    page = county.audit_log(after=3, limit=4)
    assert [r.seq for r in page] == [4, 5, 6, 7]
    assert county.audit_log(after=10) == []
    assert county.audit_log(limit=0) == []
    assert page[0] == county.audit_log()[3]
    assert page[0].to_dict()["seq"] == 4
    with pytest.raises(wangge.InvalidInput, match="limit"):
        county.audit_log(limit=-1)


def test_the_store_actor_is_recorded_in_the_audit_log():
    with wangge.Store(":memory:", actor="县网格中心") as store:
        assert store.actor == "县网格中心"
        store.add_unit("512021", "安岳县", "county")
        assert store.audit_log()[0].actor == "县网格中心"


def test_a_changed_audit_record_breaks_the_chain_at_that_record(county_file):
    with wangge.Store(county_file) as store:
        assert store.verify_audit().ok
    conn = sqlite3.connect(county_file)
    with conn:
        conn.execute("UPDATE audit SET actor = 'someone else' WHERE seq = 2")
    conn.close()
    with wangge.Store(county_file) as store:
        check = store.verify_audit()
    assert not check.ok
    assert not check
    assert check.first_bad == 2
    assert "2" in (check.problem or "")


def test_a_deleted_audit_record_breaks_the_chain(county_file):
    conn = sqlite3.connect(county_file)
    with conn:
        conn.execute("DELETE FROM audit WHERE seq = 10")
    conn.close()
    with wangge.Store(county_file) as store:
        check = store.verify_audit()
    assert not check.ok
    assert check.first_bad == 10
