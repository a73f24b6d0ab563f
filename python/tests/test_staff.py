"""Staff, assignments and who is responsible for a unit."""

from __future__ import annotations

import pytest
from conftest import d

import wangge


@pytest.fixture
def staffed(county):
    """The county with a supervisor on 北坝社区 and a worker and chief on its first grid."""
    county.add_staff("chief-1", "袁婷", "13812345678")
    county.add_staff("worker-1", "谢小华")
    county.add_staff("sup-1", "郑小芳")
    county.assign("sup-1", "512021100001", "supervisor")
    county.assign("worker-1", "512021100001001", "grid_worker", start="2024-01-01")
    county.assign(
        "chief-1", "512021100001001", "grid_chief", start="2024-01-01", end="2024-06-30"
    )
    return county


def staff_ids(assignments):
    return [a.staff_id for a in assignments]


def test_the_units_own_staff_are_responsible_most_responsible_role_first(staffed):
    on_grid = staffed.responsible("512021100001001", as_of="2024-03-01")
    assert staff_ids(on_grid) == ["chief-1", "worker-1"]
    assert on_grid[0].role == "grid_chief"
    assert on_grid[0].name == "袁婷"
    assert on_grid[0].unit == "512021100001001"


def test_an_assignments_end_date_is_inclusive(staffed):
    assert len(staffed.responsible("512021100001001", as_of=d("2024-06-30"))) == 2
    assert staff_ids(staffed.responsible("512021100001001", as_of=d("2024-07-01"))) == [
        "worker-1"
    ]


def test_responsible_falls_back_to_the_nearest_ancestor_with_staff(staffed):
    early = staffed.responsible("512021100001001", as_of="2023-12-31")
    assert staff_ids(early) == ["sup-1"]
    assert early[0].unit == "512021100001"
    assert staff_ids(staffed.responsible("512021100001002", as_of="2024-03-01")) == ["sup-1"]
    assert staffed.responsible("512021101001001", as_of="2024-03-01") == []


def test_assignments_list_only_the_units_own(staffed):
    assert staffed.assignments("512021100001002", as_of="2024-03-01") == []
    own = staffed.assignments("512021100001001", as_of="2024-03-01")
    assert staff_ids(own) == ["chief-1", "worker-1"]


def test_assign_returns_the_assignment_with_its_dates(county):
    county.add_staff("s1", "张莉")
    a = county.assign("s1", "512021100002", "guide", start="2024-01-01", end="2024-12-31")
    assert isinstance(a.id, int)
    assert (a.staff_id, a.unit, a.role) == ("s1", "512021100002", "guide")
    assert (a.start, a.end) == (d("2024-01-01"), d("2024-12-31"))
    assert county.assignments("512021100002", as_of="2024-06-01") == [a]
    assert a.to_dict() == {
        "id": a.id,
        "staff_id": "s1",
        "name": "张莉",
        "unit": "512021100002",
        "role": "guide",
        "start": d("2024-01-01"),
        "end": d("2024-12-31"),
    }
    assert repr(a).startswith(f"Assignment(id={a.id}, staff_id='s1', name='张莉'")
    assert "start=datetime.date(2024, 1, 1)" in repr(a)


def test_end_assignment_ends_it_on_its_last_day(county):
    county.add_staff("s1", "张莉")
    a = county.assign("s1", "512021100002", "grid_worker", start="2024-01-01")
    county.end_assignment(a.id, "2024-03-31")
    assert county.assignments("512021100002", as_of="2024-03-31")[0].end == d("2024-03-31")
    assert county.assignments("512021100002", as_of="2024-04-01") == []
    with pytest.raises(wangge.NotFound):
        county.end_assignment(a.id + 1000, "2024-03-31")
    with pytest.raises(wangge.InvalidInput, match="2023-01-01"):
        county.end_assignment(a.id, "2023-01-01")


def test_every_role_name_is_accepted_and_a_bad_role_is_invalid_input(county):
    county.add_staff("s1", "袁婷")
    assert wangge.ROLES[0] == "grid_chief"
    for role in wangge.ROLES:
        assert county.assign("s1", "512021", role).role == role
    before = len(county.audit_log())
    with pytest.raises(wangge.InvalidInput, match="mayor"):
        county.assign("s1", "512021", "mayor")
    assert len(county.audit_log()) == before


def test_assigning_unknown_staff_or_units_is_not_found(county):
    county.add_staff("s1", "袁婷")
    with pytest.raises(wangge.NotFound, match="nobody"):
        county.assign("nobody", "512021", "guide")
    with pytest.raises(wangge.NotFound, match="512099"):
        county.assign("s1", "512099", "guide")


def test_an_assignment_ending_before_it_starts_is_invalid_input(county):
    county.add_staff("s1", "袁婷")
    with pytest.raises(wangge.InvalidInput, match="end"):
        county.assign("s1", "512021", "guide", start="2024-05-01", end="2024-04-30")


def test_phones_are_masked_in_every_staff_record(county):
    added = county.add_staff("s1", "袁婷", "13812345678")
    assert added.phone == "138****5678"
    fetched = county.staff("s1")
    assert fetched == added
    assert fetched.phone == "138****5678"
    assert "13812345678" not in repr(fetched)
    assert fetched.to_dict() == {"staff_id": "s1", "name": "袁婷", "phone": "138****5678"}
    assert county.add_staff("s2", "谢小华").phone is None


def test_staff_phone_reads_the_clear_number_and_audits_the_read(county):
    county.add_staff("s1", "袁婷", "13812345678")
    before = len(county.audit_log())
    assert county.staff_phone("s1") == "13812345678"
    log = county.audit_log()
    assert len(log) == before + 1
    assert (log[-1].action, log[-1].target) == ("read_clear", "s1")
    county.add_staff("s2", "谢小华")
    assert county.staff_phone("s2") is None


def test_duplicate_staff_conflict_and_bad_phones_are_invalid_input(county):
    county.add_staff("s1", "袁婷")
    with pytest.raises(wangge.Conflict, match="s1"):
        county.add_staff("s1", "又一个")
    with pytest.raises(wangge.InvalidInput, match="phone"):
        county.add_staff("s2", "x", "call me")
    with pytest.raises(wangge.NotFound, match="s9"):
        county.staff("s9")
