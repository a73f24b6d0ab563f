"""What the ledger tests share: the county's codes, moments in UTC+8 and a raised entry."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

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


def raise_entry(store: wangge.Store, when: datetime = at(2024, 3, 4, 9), unit: str = GRID):
    """A streetlight out in `unit` (市政设施: on site, five working days)."""
    return store.register(unit, "市政设施", "路灯坏了", when)


def actions(store: wangge.Store, entry_id: int) -> list[str]:
    return [e.action for e in store.history(entry_id)]
