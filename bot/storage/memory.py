"""In-memory store for `saqbol chat` and the demo: same contract as Redis, nothing persisted."""

from __future__ import annotations

import asyncio
import copy
import time
from collections import Counter, OrderedDict
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator

from .base import last_days, today


class MemoryStore:
    def __init__(self, retention_days: int = 30):
        self.ttl = retention_days * 86400
        self._states: dict[str, tuple[float, dict[str, Any]]] = {}
        self.counters: dict[str, Counter[str]] = {}  # day -> field -> count
        self._seen: OrderedDict[int, None] = OrderedDict()
        self._locks: dict[str, asyncio.Lock] = {}

    async def get_state(self, user: str) -> dict[str, Any] | None:
        found = self._states.get(user)
        if found is None or found[0] < time.time():
            self._states.pop(user, None)
            return None
        return copy.deepcopy(found[1])

    async def set_state(self, user: str, state: dict[str, Any]) -> None:
        self._states[user] = (time.time() + self.ttl, copy.deepcopy(state))

    async def forget(self, user: str) -> None:
        self._states.pop(user, None)

    async def count(self, *fields: str, amount: int = 1) -> None:
        day = self.counters.setdefault(today(), Counter())
        for f in fields:
            day[f] += amount

    async def stats(self, days: int = 30) -> dict[str, dict[str, int]]:
        return {d: dict(self.counters[d]) for d in last_days(days) if self.counters.get(d)}

    async def first_time(self, update_id: int) -> bool:
        if update_id in self._seen:
            return False
        self._seen[update_id] = None
        if len(self._seen) > 100_000:
            self._seen.popitem(last=False)
        return True

    @asynccontextmanager
    async def lock(self, user: str, update_id: int | None = None) -> AsyncIterator[bool]:
        """One user's updates one at a time; yields False for an update seen before (as RedisStore.lock)."""
        fresh = True if update_id is None else await self.first_time(update_id)
        lock = self._locks.setdefault(user, asyncio.Lock())
        async with lock:
            yield fresh
