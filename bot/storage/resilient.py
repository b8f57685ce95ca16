"""A store that keeps the bot answering when Redis is down.

Every call goes to the primary (Redis); when it fails, the call is served from process memory instead and
`degraded` is set, so the adapter can tell the user that their place in the menu may be forgotten. Checks,
rights and hotlines need no storage, so the person still gets every answer.
"""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator

from redis.exceptions import RedisError

from .memory import MemoryStore

log = logging.getLogger(__name__)
FAILURES = (RedisError, OSError, TimeoutError)


class ResilientStore:
    def __init__(self, primary: Any, retention_days: int = 30):
        self.primary = primary
        self.memory = MemoryStore(retention_days)
        self.degraded = False

    async def _call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        try:
            result = await getattr(self.primary, name)(*args, **kwargs)
            self.degraded = False
            return result
        except FAILURES as exc:
            if not self.degraded:
                log.warning("storage unavailable (%s); serving from memory", type(exc).__name__)
            self.degraded = True
            return await getattr(self.memory, name)(*args, **kwargs)

    async def get_state(self, user: str) -> dict[str, Any] | None:
        return await self._call("get_state", user)

    async def set_state(self, user: str, state: dict[str, Any]) -> None:
        await self._call("set_state", user, state)

    async def forget(self, user: str) -> None:
        await self.memory.forget(user)
        await self._call("forget", user)

    async def count(self, *fields: str, amount: int = 1) -> None:
        await self._call("count", *fields, amount=amount)

    async def stats(self, days: int = 30) -> dict[str, dict[str, int]]:
        return await self._call("stats", days)

    async def first_time(self, update_id: int) -> bool:
        try:
            return await self.primary.first_time(update_id)
        except FAILURES:
            self.degraded = True
            return True  # better to answer twice than not at all

    @asynccontextmanager
    async def lock(self, user: str, update_id: int | None = None) -> AsyncIterator[bool]:
        """The primary's per-user lock (and update de-duplication); without Redis, no lock and every update is
        handled (better to answer twice than not at all)."""
        try:
            cm = self.primary.lock(user, update_id=update_id)
            fresh = await cm.__aenter__()
        except FAILURES:
            self.degraded = True
            yield True
            return
        try:
            yield fresh
        finally:
            try:
                await cm.__aexit__(None, None, None)
            except FAILURES:
                self.degraded = True
