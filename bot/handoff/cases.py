"""Handoff cases: a pseudonymous conversation between one user and hotline staff.

A case knows the user's chat id only while it is open (it is needed to relay staff replies) and forgets it
when the case closes or the user sends /forget. Staff see the pseudonym (K-4F2A), never the Telegram id.
Keys of one case share the hash tag `{case:<id>}`.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass, field
from typing import Any, AsyncIterator

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

_UNLOCK = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end"
REDIS_DOWN = (RedisConnectionError, RedisTimeoutError, OSError)
OUTAGE_PATIENCE = 60.0  # seconds a relayed message waits for Redis to come back


async def patiently(call: Any, *args: Any, patient: bool = True) -> Any:
    """Run a Redis call; while Redis is unreachable (a restart, a failover) retry with backoff, if `patient`."""
    delay, deadline = 0.05, time.monotonic() + OUTAGE_PATIENCE
    while True:
        try:
            return await call(*args)
        except REDIS_DOWN:
            if not patient or time.monotonic() + delay > deadline:
                raise
            await asyncio.sleep(delay)
            delay = min(delay * 2, 1.0)


@dataclass
class Case:
    id: str
    user: str  # pseudonymous user key
    chat_id: int  # where staff replies go; dropped on close
    locale: str
    reason: str  # emergency | offer_check | rights | other
    priority: int  # 0 = emergency first
    destination: str | None = None
    summary: str = ""  # what the user agreed to share
    status: str = "waiting"  # waiting | claimed | closed
    topic_id: int | None = None
    opened: float = field(default_factory=time.time)
    claimed: float | None = None
    closed: float | None = None
    reminded: bool = False

    @property
    def icon(self) -> str:
        return "🔴" if self.priority == 0 else "🟠" if self.reason == "offer_check" else "🟢"

    def title(self) -> str:
        return f"{self.icon} {self.id} · {self.locale}" + (f" · {self.destination}" if self.destination else "")


def new_case_id() -> str:
    return "K-" + secrets.token_hex(2).upper()


class MemoryCases:
    def __init__(self) -> None:
        self._cases: dict[str, Case] = {}
        self._by_user: dict[str, str] = {}
        self._by_topic: dict[int, str] = {}
        self._by_staff_message: dict[int, str] = {}
        self._outbox: dict[str, list[tuple[str, dict]]] = {}
        self._seq = 0

    async def enqueue(self, case_id: str, item: dict) -> str:
        self._seq += 1
        self._outbox.setdefault(case_id, []).append((str(self._seq), item))
        return str(self._seq)

    async def pending(self, case_id: str) -> list[tuple[str, dict]]:
        return list(self._outbox.get(case_id, ()))

    async def done(self, case_id: str, entry_id: str) -> None:
        self._outbox[case_id] = [(e, i) for e, i in self._outbox.get(case_id, ()) if e != entry_id]
        if not self._outbox[case_id]:
            del self._outbox[case_id]

    async def with_pending(self) -> list[str]:
        return list(self._outbox)

    async def open_cases(self) -> list[Case]:
        return [c for c in self._cases.values() if c.status != "closed"]

    @asynccontextmanager
    async def drain_lock(self, case_id: str, wait: float) -> AsyncIterator[bool]:
        yield True  # one process: the relay's own asyncio lock is enough

    async def save(self, case: Case) -> None:
        self._cases[case.id] = case
        if case.status != "closed":
            self._by_user[case.user] = case.id
        else:
            self._by_user.pop(case.user, None)
        if case.topic_id is not None:
            self._by_topic[case.topic_id] = case.id

    async def get(self, case_id: str) -> Case | None:
        return self._cases.get(case_id)

    async def open_for_user(self, user: str) -> Case | None:
        cid = self._by_user.get(user)
        return self._cases.get(cid) if cid else None

    async def by_topic(self, topic_id: int) -> Case | None:
        cid = self._by_topic.get(topic_id)
        return self._cases.get(cid) if cid else None

    async def map_staff_message(self, message_id: int, case_id: str) -> None:
        self._by_staff_message[message_id] = case_id

    async def by_staff_message(self, message_id: int) -> Case | None:
        cid = self._by_staff_message.get(message_id)
        return self._cases.get(cid) if cid else None


class RedisCases:
    def __init__(self, redis: Any, ttl_days: int = 30):
        self.redis = redis
        self.ttl = ttl_days * 86400
        self._unlock = redis.register_script(_UNLOCK)

    async def save(self, case: Case) -> None:
        pipe = self.redis.pipeline(transaction=False)
        pipe.set(f"saq:{{case:{case.id}}}:case", json.dumps(asdict(case)), ex=self.ttl)
        if case.status != "closed":
            pipe.set(f"saq:{{u:{case.user}}}:case", case.id, ex=self.ttl)
            pipe.sadd("saq:cases:open", case.id)
        else:
            pipe.delete(f"saq:{{u:{case.user}}}:case")
            pipe.srem("saq:cases:open", case.id)
        if case.topic_id is not None:
            pipe.set(f"saq:topic:{case.topic_id}", case.id, ex=self.ttl)
        await pipe.execute()

    async def get(self, case_id: str) -> Case | None:
        raw = await self.redis.get(f"saq:{{case:{case_id}}}:case")
        return Case(**json.loads(raw)) if raw else None

    async def open_for_user(self, user: str) -> Case | None:
        cid = await self.redis.get(f"saq:{{u:{user}}}:case")
        return await self.get(cid) if cid else None

    async def by_topic(self, topic_id: int) -> Case | None:
        cid = await self.redis.get(f"saq:topic:{topic_id}")
        return await self.get(cid) if cid else None

    # Without forum topics staff answer with Telegram's reply function: every message the bot posts in the staff
    # group for a case (card and copies) is mapped to the case, so a reply to any of them reaches the user.
    async def map_staff_message(self, message_id: int, case_id: str) -> None:
        await self.redis.set(f"saq:staffmsg:{message_id}", case_id, ex=self.ttl)

    async def by_staff_message(self, message_id: int) -> Case | None:
        cid = await self.redis.get(f"saq:staffmsg:{message_id}")
        return await self.get(cid) if cid else None

    # The outbox: a Redis stream per case. A message is written here before delivery and deleted only after
    # Telegram accepted it, so a crash, a restart or a Telegram outage loses nothing.
    async def enqueue(self, case_id: str, item: dict) -> str:
        pipe = self.redis.pipeline(transaction=False)
        pipe.xadd(f"saq:{{case:{case_id}}}:outbox", {"item": json.dumps(item)})
        pipe.sadd("saq:outbox:cases", case_id)
        entry_id, _ = await pipe.execute()
        return entry_id

    async def pending(self, case_id: str) -> list[tuple[str, dict]]:
        rows = await self.redis.xrange(f"saq:{{case:{case_id}}}:outbox")
        return [(eid, json.loads(fields["item"])) for eid, fields in rows]

    async def done(self, case_id: str, entry_id: str) -> None:
        pipe = self.redis.pipeline(transaction=False)  # one round trip; a second only when the stream is empty
        pipe.xdel(f"saq:{{case:{case_id}}}:outbox", entry_id)
        pipe.xlen(f"saq:{{case:{case_id}}}:outbox")
        _, left = await pipe.execute()
        if not left:
            await self.redis.srem("saq:outbox:cases", case_id)

    async def with_pending(self) -> list[str]:
        return sorted(await self.redis.smembers("saq:outbox:cases"))

    async def open_cases(self) -> list[Case]:
        cases = [await self.get(cid) for cid in sorted(await self.redis.smembers("saq:cases:open"))]
        return [c for c in cases if c is not None and c.status != "closed"]

    @asynccontextmanager
    async def drain_lock(self, case_id: str, wait: float) -> AsyncIterator[bool]:
        """Only one worker delivers a case's outbox at a time (else two could send the same entry).
        Yields False when another worker holds it past `wait` seconds: that worker will deliver."""
        key = f"saq:{{case:{case_id}}}:drain"
        token = secrets.token_hex(8)
        deadline = time.monotonic() + wait
        while not await self.redis.set(key, token, nx=True, px=60_000):
            if time.monotonic() >= deadline:
                yield False
                return
            await asyncio.sleep(0.02)
        try:
            yield True
        finally:  # a lock left behind by a Redis blip would stall this case's drains for a minute
            await patiently(lambda: self._unlock(keys=[key], args=[token]))
