"""Redis store: dialogue state per user (with a retention TTL), update de-duplication, per-user locks and
anonymous counters. Keys of one user share the hash tag `{u:<key>}` so the same code runs on Redis Cluster.

User keys are pseudonyms (HMAC of the Telegram id), never raw ids.
"""

from __future__ import annotations

import json
import logging
import secrets
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator

import redis.asyncio as aioredis

from .base import STATS_KEPT_DAYS, last_days, today

PREFIX = "saq"
log = logging.getLogger(__name__)
# Release a lock only if we still hold it (compare-and-delete).
_UNLOCK = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end
"""


class RedisStore:
    def __init__(self, url: str, retention_days: int = 30, client: aioredis.Redis | None = None):
        self.redis = client or aioredis.from_url(url, decode_responses=True, socket_timeout=2,
                                                 socket_connect_timeout=2, health_check_interval=30)
        self.ttl = max(1, retention_days) * 86400
        self._unlock = self.redis.register_script(_UNLOCK)

    @staticmethod
    def _key(user: str, part: str) -> str:
        return f"{PREFIX}:{{u:{user}}}:{part}"

    async def get_state(self, user: str) -> dict[str, Any] | None:
        raw = await self.redis.get(self._key(user, "state"))
        return json.loads(raw) if raw else None

    async def set_state(self, user: str, state: dict[str, Any]) -> None:
        await self.redis.set(self._key(user, "state"), json.dumps(state, ensure_ascii=False), ex=self.ttl)

    async def forget(self, user: str) -> None:
        keys = [k async for k in self.redis.scan_iter(match=f"{PREFIX}:{{u:{user}}}:*", count=100)]
        keys = [k for k in keys if not k.endswith(":lock")]
        if keys:
            await self.redis.delete(*keys)

    async def count(self, *fields: str, amount: int = 1) -> None:
        if fields:
            key = f"{PREFIX}:stats:{today()}"
            pipe = self.redis.pipeline(transaction=False)
            for f in fields:
                pipe.hincrby(key, f, amount)
            pipe.expire(key, STATS_KEPT_DAYS * 86400)
            await pipe.execute()

    async def stats(self, days: int = 30) -> dict[str, dict[str, int]]:
        pipe = self.redis.pipeline(transaction=False)
        dates = last_days(days)
        for d in dates:
            pipe.hgetall(f"{PREFIX}:stats:{d}")
        return {d: {k: int(v) for k, v in h.items()} for d, h in zip(dates, await pipe.execute()) if h}

    async def first_time(self, update_id: int) -> bool:
        """True the first time an update id is seen (Telegram redelivers after restarts)."""
        return bool(await self.redis.set(f"{PREFIX}:seen:{update_id}", 1, nx=True, ex=86400))

    @asynccontextmanager
    async def lock(self, user: str, timeout: float = 30.0, wait: float = 20.0,
                   update_id: int | None = None) -> AsyncIterator[bool]:
        """Serialise one user's updates across workers, so their messages are handled in order.
        With `update_id`, the de-duplication of the update rides in the same round trip as the first lock attempt;
        yields False when the update was seen before (Telegram redelivered it)."""
        import asyncio

        key = self._key(user, "lock")
        token = secrets.token_hex(8)
        px = int(timeout * 1000)
        fresh = True
        if update_id is None:
            locked = await self.redis.set(key, token, nx=True, px=px)
        else:
            pipe = self.redis.pipeline(transaction=False)
            pipe.set(f"{PREFIX}:seen:{update_id}", 1, nx=True, ex=86400)
            pipe.set(key, token, nx=True, px=px)
            seen_first, locked = await pipe.execute()
            fresh = bool(seen_first)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        delay = 0.01
        while not locked:
            if loop.time() > deadline:
                # Losing a person's message is worse than a rare race on their menu state: go on unlocked.
                log.warning("user lock wait exceeded %.0f s; handling the update without it", wait)
                yield fresh
                return
            await asyncio.sleep(delay)
            delay = min(delay * 2, 0.2)
            locked = await self.redis.set(key, token, nx=True, px=px)
        try:
            yield fresh
        finally:
            await self._unlock(keys=[key], args=[token])

    async def ping(self) -> bool:
        return bool(await self.redis.ping())

    async def close(self) -> None:
        await self.redis.aclose()
