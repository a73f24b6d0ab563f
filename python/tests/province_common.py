"""Small county stores of real shape for the province tests (test_province.py) and the
Spark job (examples/province/report_spark.py): units under a county code of one's
choosing, households and residents, a year of visits, half a year of entries worked
through their statuses (on time and late, escalated by tick), a household and a grid
moved, and reports submitted (on time, late, missing) and approved."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta, timezone

import wangge

TZ = timezone(timedelta(hours=8))
CATEGORIES = ["市政设施", "矛盾纠纷", "低保", "就业", "安全生产"]


def units(county: str) -> list[tuple[str, str, str, str | None]]:
    """(code, name, level, parent) of a county with two townships, three communities and
    five grids, codes under `county` (6 digits)."""
    t1, t2 = county + "100", county + "101"
    c1, c2, c3 = t1 + "001", t1 + "002", t2 + "001"
    return [
        (county, f"县{county}", "county", None),
        (t1, "岳阳镇", "township", county),
        (t2, "石桥铺镇", "township", county),
        (c1, "北坝社区", "community", t1),
        (c2, "龙井社区", "community", t1),
        (c3, "解放村", "community", t2),
        (c1 + "001", "北坝一网格", "grid", c1),
        (c1 + "002", "北坝二网格", "grid", c1),
        (c2 + "001", "龙井一网格", "grid", c2),
        (c3 + "001", "解放村一组", "grid", c3),
        (c3 + "002", "解放村二组", "grid", c3),
    ]


def at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=TZ)


def work(store: wangge.Store, dice: random.Random, entry_id: int, when: datetime) -> None:
    """Works an entry from `when` on: mostly the natural next step, sometimes another;
    refused steps change nothing and are skipped."""
    status = "registered"
    natural = {"registered": 0, "signed_for": 3, "in_progress": 5, "suspended": 12, "closed": 14}
    for _ in range(dice.randrange(10)):
        when += timedelta(hours=1 + dice.randrange(60))
        if dice.random() < 0.7:
            step = natural.get(status, 7 + dice.randrange(2))
        else:
            step = dice.randrange(16)
        calls = {
            0: lambda: store.sign_for(entry_id, "W1", when),
            3: lambda: store.start(entry_id, "W1", when),
            5: lambda: store.resolve(entry_id, when, "已处理"),
            7: lambda: store.verify(entry_id, when, dice.random() < 0.7),
            8: lambda: store.close_entry(entry_id, when),
            9: lambda: store.escalate(entry_id, when, "超出能力"),
            10: lambda: store.mark_hard(entry_id, when, "历史遗留"),
            11: lambda: store.suspend(entry_id, when, "等待材料"),
            12: lambda: store.resume(entry_id, when),
            13: lambda: store.extend(entry_id, when, 3, "情况复杂"),
            14: lambda: store.reopen(entry_id, when, "群众反映未解决"),
            15: lambda: store.return_(entry_id, when, "不属本级"),
        }
        call = calls.get(step) or calls[{1: 0, 2: 0, 4: 3, 6: 5}[step]]
        try:
            status = call().status
        except wangge.Error:
            pass


def build(path, county: str, seed: int) -> wangge.Store:
    """The county `county` in a new store at `path`, its facts drawn with `seed`."""
    dice = random.Random(seed)
    store = wangge.Store(path)
    tree = units(county)
    for code, name, level, parent in tree:
        store.add_unit(code, name, level, parent, start=date(2024, 1, 1))
    grids = [code for code, _, level, _ in tree if level == "grid"]
    store.add_staff("W1", "王网格员")
    households = []
    for i in range(36):
        hid = f"{county}-H{i:02d}"
        kind = ["registered", "registered", "floating", "rental"][i % 4]
        tags = [["低保"], ["残疾", "空巢"], [], [], []][i % 5]
        start = date(2025, 2, 10) if i % 9 == 0 else date(2024, 6, 1)
        store.add_household(hid, grids[i % len(grids)], f"{i}号", kind, tags, start)
        for r in range(1 + i % 3):
            store.add_resident(hid, f"居民{i}-{r}", relation="head" if r == 0 else "child", start=start)
        households.append((hid, start))
    store.tag(households[3][0], "困难", date(2025, 2, 15))
    store.move_household(households[5][0], grids[2], date(2025, 2, 20))
    for hid, start in households:
        for _ in range(dice.randrange(9)):
            day = date(2024, 10, 1) + timedelta(days=dice.randrange(270))
            if day >= start:
                store.record_visit(hid, "W1", "home" if dice.random() < 0.45 else "phone", day)
    places = grids + [tree[3][0], tree[1][0], county]
    for n in range(90):
        unit = places[dice.randrange(len(places))]
        reported = at(date(2025, 1, 2)) + timedelta(hours=dice.randrange(24 * 170))
        entry = store.register(
            unit, CATEGORIES[dice.randrange(5)], f"诉求{n}", reported, urgent=dice.random() < 0.08
        )
        work(store, dice, entry.id, reported)
    for day in (date(2025, 2, 1), date(2025, 4, 1), date(2025, 6, 1)):
        store.tick(at(day, 0))
    store.move_unit(grids[1], tree[4][0], date(2025, 5, 1))
    # Grids report weekly, communities monthly: some on time, some late, some never.
    communities = [code for code, _, level, _ in tree if level == "community"]
    for week in range(2, 21):
        monday = date.fromisocalendar(2025, week, 1)
        for grid in grids:
            roll = dice.random()
            if roll < 0.6:
                store.submit(grid, f"2025-W{week:02d}", at(monday + timedelta(days=7)))
            elif roll < 0.85:
                store.submit(grid, f"2025-W{week:02d}", at(monday + timedelta(days=12)))
    for month in range(1, 6):
        for community in communities:
            if dice.random() < 0.8:
                late = dice.random() < 0.3
                store.submit(community, f"2025-{month:02d}", at(date(2025, month + 1, 9 if late else 2)))
    store.approve(communities[0], "2025-01", at(date(2025, 2, 20)))
    return store
