"""The storage contract the dialogue engine relies on (implemented by MemoryStore and RedisStore)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, Protocol

STATS_KEPT_DAYS = 400  # daily counters are kept a little over a year, for annual reports


def today() -> str:
    """The statistics day (UTC), as YYYY-MM-DD."""
    return datetime.now(timezone.utc).date().isoformat()


def last_days(days: int) -> list[str]:
    """The last `days` statistics days, oldest first, ending today."""
    end = datetime.now(timezone.utc).date()
    return [(end - timedelta(days=i)).isoformat() for i in range(max(1, days) - 1, -1, -1)]


class Store(Protocol):
    async def get_state(self, user: str) -> dict[str, Any] | None:
        """The user's dialogue state (locale, step, …), or None for a new user."""

    async def set_state(self, user: str, state: dict[str, Any]) -> None:
        """Save the state; it expires after the retention period of inactivity."""

    async def forget(self, user: str) -> None:
        """Delete everything stored about the user, at once."""

    async def count(self, *fields: str, amount: int = 1) -> None:
        """Add to today's anonymous counters (risk, kind, locale, flag ids…) — never anything about a person."""

    async def stats(self, days: int = 30) -> dict[str, dict[str, int]]:
        """Counters of the last `days` days: {YYYY-MM-DD: {field: n}} (days without counts left out)."""
