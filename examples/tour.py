"""A short tour of the wangge Python module: a county's unit tree, its registry imported
from a CSV with Chinese headers (examples/sample_registry.csv: 12 households, 30
residents in 2 grids), counts, the visits due, a ledger entry, a monthly report, staff,
a scoped handle for a township and the audit chain.

Run it after `make python-dev` with the project's virtualenv:

    .venv/bin/python examples/tour.py

The store is a file in a temporary folder, removed at the end.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import wangge

SAMPLE = Path(__file__).resolve().parent / "sample_registry.csv"
GRID_1 = "512021100001001"
COMMUNITY = "512021100001"


def main() -> None:
    print(f"wangge {wangge.__version__}")
    with tempfile.TemporaryDirectory() as folder:
        tour(Path(folder) / "county.db")


def tour(path: Path) -> None:
    with wangge.Store(path, actor="县网格中心") as store:
        # The territory: a county, two townships, communities and grids.
        store.add_units(
            [
                ("512021", "安岳县", "county"),
                ("512021100", "岳阳镇", "township", "512021"),
                ("512021101", "石桥铺镇", "township", "512021"),
                ("512021100001", "北坝社区", "community", "512021100"),
                ("512021100002", "龙井社区", "community", "512021100"),
                ("512021100001001", "北坝一网格", "grid", "512021100001"),
                {
                    "code": "512021100001002",
                    "name": "北坝二网格",
                    "level": "grid",
                    "parent": "512021100001",
                    "start": "2024-03-01",
                },
            ]
        )
        print("\nTownships of 安岳县:")
        for unit in store.children("512021"):
            print(f"  {unit.code} {unit.name}")
        grids = store.descendants("512021100", level="grid")
        print(f"Grids of 岳阳镇 today: {[u.name for u in grids]}")
        earlier = store.descendants("512021100", level="grid", as_of="2024-01-01")
        print(f"Grids of 岳阳镇 on 2024-01-01: {[u.name for u in earlier]}")
        chain = store.ancestors("512021100001002")
        print(f"Above 北坝二网格: {' > '.join(u.name for u in chain)}")

        # A community moves to the other township from July; history still answers.
        store.move_unit("512021100002", "512021101", "2024-07-01")
        before = store.unit("512021100002", as_of="2024-06-30").parent
        after = store.unit("512021100002", as_of="2024-07-01").parent
        print(f"龙井社区 was under {before}, is under {after} from 2024-07-01")

        # The registry (花名册) from a CSV with Chinese headers; bad rows would be listed
        # in result.errors, each with its line.
        result = store.import_households(SAMPLE, on="2024-03-01")
        print(
            f"\nImported {SAMPLE.name}: {result.households_inserted} households, "
            f"{result.residents_inserted} residents, {len(result.errors)} errors"
        )
        total, grids = store.unit_counts(COMMUNITY, as_of="2024-03-31")
        for c in [*grids, total]:
            print(
                f"  {store.unit(c.unit).name}: {c.households} households "
                f"({c.special_households} special, {c.floating} floating), {c.residents} residents"
            )
        print("Household H002 (ID numbers and phones masked):")
        for r in store.residents("H002"):
            print(f"  {r.name} {r.relation} {r.sex} {r.id_number} {r.phone}")

        # Staff, their assignments, and who answers for a grid.
        store.add_staff("chief-1", "袁婷", phone="13812345678")
        store.add_staff("sup-1", "郑小芳")
        store.assign("chief-1", "512021100001001", "grid_chief", start="2024-01-01")
        store.assign("sup-1", "512021100001", "supervisor")
        print(f"\nStaff record (phone masked): {store.staff('chief-1')}")
        for code in ("512021100001001", "512021100001002"):
            names = [f"{a.name} ({a.role} of {a.unit})" for a in store.responsible(code)]
            print(f"Responsible for {code}: {', '.join(names)}")

        # Visits (走访) under the default rules, and what is due in March.
        store.record_visit("H002", "chief-1", "home", "2024-03-05", note="老人身体尚好")
        store.record_visit("H002", "chief-1", "phone", "2024-03-12")
        due = store.due_visits(GRID_1, as_of="2024-03-20")
        march = [d for d in due if d.due.isoformat() == "2024-03-31"]
        print(f"\nVisits due in 北坝一网格 by 2024-03-31: {len(march)} (of {len(due)} due)")
        for d in march[:4]:
            print(f"  {d.household_id} {d.rule} ({d.channel}) by {d.due}")

        # A resident's request enters the ledger (台账), its category read from the text.
        entry = store.register(
            GRID_1, None, "楼道灯坏了，晚上看不清", "2024-03-06T09:30:00+08:00", household_id="H004"
        )
        print(f"Ledger entry #{entry.id}: {entry.category}, {entry.status}")

        # The community's monthly report: the totals and one row per grid.
        report = store.report(COMMUNITY, "2024-03")
        t = report.totals
        print(
            f"\nReport {report.name} {report.period}: households {t['households']}, "
            f"residents {t['residents']}, home visits {t['visits_home']}, "
            f"phone visits {t['visits_phone']}, entries received {t['received']}"
        )
        for row in report.rows:
            name = f"{row['name']} (own)" if row["own"] else row["name"]
            print(f"  {name}: households {row['households']}, received {row['received']}")

        # A township's own handle sees only its subtree.
        town = store.scope("512021100", "岳阳镇管理员")
        print(f"\n{town!r} sees {len(town.descendants('512021100'))} units below it")
        try:
            town.unit("512021101")
        except wangge.PermissionDenied as e:
            print(f"Outside its scope: {type(e).__name__}: {e}")
        try:
            store.add_unit("51202", "x", "county")
        except wangge.InvalidInput as e:
            print(f"A bad code: {type(e).__name__}: {e}")

        # Every write is in the audit chain.
        print("\nLast audit records:")
        for record in store.audit_log()[-3:]:
            print(f"  #{record.seq} {record.actor}: {record.action} {record.target}")
        check = store.verify_audit()
        print(f"Audit chain intact: {bool(check)} ({check.records} records)")


if __name__ == "__main__":
    main()
