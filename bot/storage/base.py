"""The storage contract the dialogue engine relies on (implemented by MemoryStore and RedisStore)."""

from __future__ import annotations

from typing import Any, Protocol


class Store(Protocol):
    async def get_state(self, user: str) -> dict[str, Any] | None:
        """The user's dialogue state (locale, step, …), or None for a new user."""

    async def set_state(self, user: str, state: dict[str, Any]) -> None:
        """Save the state; it expires after the retention period of inactivity."""

    async def forget(self, user: str) -> None:
        """Delete everything stored about the user, at once."""

    async def count(self, *keys: str) -> None:
        """Increment anonymous counters (day, locale, risk, flag ids) — never anything about a person."""
