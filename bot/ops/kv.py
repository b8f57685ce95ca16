"""A small in-process stand-in for the part of the redis.asyncio API that operations use.

Used when the bot runs without Redis (one process, nothing survives a restart); with Redis the real client
is passed instead, so the same operations code serves both.
"""

from __future__ import annotations

import time
from typing import Any


class MemoryKV:
    def __init__(self) -> None:
        self._data: dict[str, Any] = {}
        self._expiry: dict[str, float] = {}

    def _live(self, key: str) -> Any:
        if key in self._expiry and self._expiry[key] < time.time():
            self._data.pop(key, None)
            self._expiry.pop(key, None)
        return self._data.get(key)

    async def get(self, key: str) -> Any:
        return self._live(key)

    async def set(self, key: str, value: Any, ex: int | None = None, px: int | None = None, nx: bool = False) -> bool:
        if nx and self._live(key) is not None:
            return False
        self._data[key] = str(value)
        self._expiry.pop(key, None)
        if ex or px:
            self._expiry[key] = time.time() + (ex or 0) + (px or 0) / 1000
        return True

    async def delete(self, *keys: str) -> int:
        return sum(self._data.pop(k, None) is not None for k in keys)

    async def hset(self, key: str, field: str | None = None, value: Any = None, mapping: dict | None = None) -> int:
        h = self._data.setdefault(key, {})
        items = dict(mapping or {})
        if field is not None:
            items[field] = value
        h.update({k: str(v) for k, v in items.items()})
        return len(items)

    async def hget(self, key: str, field: str) -> Any:
        return (self._live(key) or {}).get(field)

    async def hgetall(self, key: str) -> dict:
        return dict(self._live(key) or {})

    async def hdel(self, key: str, *fields: str) -> int:
        h = self._live(key) or {}
        return sum(h.pop(f, None) is not None for f in fields)

    async def hincrby(self, key: str, field: str, amount: int = 1) -> int:
        h = self._data.setdefault(key, {})
        h[field] = str(int(h.get(field, 0)) + amount)
        return int(h[field])

    async def rpush(self, key: str, *values: Any) -> int:
        lst = self._data.setdefault(key, [])
        lst.extend(str(v) for v in values)
        return len(lst)

    async def lpop(self, key: str) -> Any:
        lst = self._live(key) or []
        return lst.pop(0) if lst else None

    async def lrange(self, key: str, start: int, end: int) -> list:
        lst = self._live(key) or []
        return lst[start:] if end == -1 else lst[start:end + 1]

    async def lrem(self, key: str, count: int, value: Any) -> int:
        lst = self._live(key) or []
        before = len(lst)
        self._data[key] = [v for v in lst if v != str(value)]
        return before - len(self._data[key])

    async def sadd(self, key: str, *values: Any) -> int:
        s = self._data.setdefault(key, set())
        new = {str(v) for v in values} - s
        s.update(new)
        return len(new)

    async def srem(self, key: str, *values: Any) -> int:
        s = self._live(key) or set()
        gone = {str(v) for v in values} & s
        s -= gone
        return len(gone)

    async def smembers(self, key: str) -> set:
        return set(self._live(key) or ())

    async def publish(self, channel: str, message: str) -> int:
        return 0  # one process: nobody else to tell
