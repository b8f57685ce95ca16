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
from dataclasses import asdict, dataclass, field
from typing import Any

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

_UNLOCK = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end"
# Queue a message and, when no worker is draining the case, become its drainer and get the queue: one trip.
_PUSH = """
redis.call('xadd', KEYS[1], '*', 'item', ARGV[1])
if redis.call('set', KEYS[2], ARGV[2], 'NX', 'PX', ARGV[3]) then return redis.call('xrange', KEYS[1], '-', '+') end
return false
"""
# Acknowledge a delivered entry; the drainer lets go of the case when nothing is left (so a message queued
# meanwhile is either seen by this drainer or finds the lock free). Returns how many entries remain.
_ACK = """
redis.call('xdel', KEYS[1], ARGV[1])
local left = redis.call('xlen', KEYS[1])
if left == 0 and redis.call('get', KEYS[2]) == ARGV[2] then redis.call('del', KEYS[2]) end
return left
"""
DRAIN_LOCK_MS = 60_000
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
    first_reply: float | None = None  # when staff first wrote to the user (statistics: time to reply)
    reminded: bool = False

    @property
    def icon(self) -> str:
        return "🔴" if self.priority == 0 else "🟠" if self.reason == "offer_check" else "🟢"

    def title(self) -> str:
        return f"{self.icon} {self.id} · {self.locale}" + (f" · {self.destination}" if self.destination else "")


def new_case_id() -> str:
    return "K-" + secrets.token_hex(2).upper()


class MemoryCases:
    """One process, no persistence: for the demo and tests without Redis."""

    def __init__(self) -> None:
        self._cases: dict[str, Case] = {}
        self._by_user: dict[str, str] = {}
        self._by_topic: dict[int, str] = {}
        self._by_staff_message: dict[int, str] = {}
        self._outbox: dict[str, list[tuple[str, dict]]] = {}
        self._drainers: dict[str, str] = {}
        self._seq = 0

    async def push(self, case_id: str, item: dict, token: str) -> list[tuple[str, dict]] | None:
        self._seq += 1
        self._outbox.setdefault(case_id, []).append((str(self._seq), item))
        if case_id in self._drainers:
            return None
        self._drainers[case_id] = token
        return await self.pending(case_id)

    async def pending(self, case_id: str) -> list[tuple[str, dict]]:
        return list(self._outbox.get(case_id, ()))

    async def ack(self, case_id: str, entry_id: str, token: str) -> int:
        left = [(e, i) for e, i in self._outbox.get(case_id, ()) if e != entry_id]
        self._outbox[case_id] = left
        if not left:
            del self._outbox[case_id]
            await self.release(case_id, token)
        return len(left)

    async def try_lock(self, case_id: str, token: str) -> bool:
        return self._drainers.setdefault(case_id, token) == token

    async def release(self, case_id: str, token: str) -> None:
        if self._drainers.get(case_id) == token:
            del self._drainers[case_id]

    async def with_pending(self) -> list[str]:
        return list(self._outbox)

    async def open_cases(self) -> list[Case]:
        return [c for c in self._cases.values() if c.status != "closed"]

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
    """Cases, maps and outboxes in Redis. The open case is also stored under the user's key, so the check
    "is this user in a case?" that runs for every message is one GET."""

    def __init__(self, redis: Any, ttl_days: int = 30):
        self.redis = redis
        self.ttl = ttl_days * 86400
        self._unlock = redis.register_script(_UNLOCK)
        self._push = redis.register_script(_PUSH)
        self._ack = redis.register_script(_ACK)

    async def save(self, case: Case) -> None:
        raw = json.dumps(asdict(case))
        pipe = self.redis.pipeline(transaction=False)
        pipe.set(f"saq:{{case:{case.id}}}:case", raw, ex=self.ttl)
        if case.status != "closed":
            pipe.set(f"saq:{{u:{case.user}}}:case", raw, ex=self.ttl)
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
        raw = await self.redis.get(f"saq:{{u:{user}}}:case")
        if not raw:
            return None
        if not raw.startswith("{"):  # written by an older version: the case id only
            return await self.get(raw)
        return Case(**json.loads(raw))

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
    # Telegram accepted it, so a crash, a restart or a Telegram outage loses nothing. One drainer per case across
    # all workers (a lock key next to the stream), so no entry is sent twice.
    async def push(self, case_id: str, item: dict, token: str) -> list[tuple[str, dict]] | None:
        """Queue `item`; when no worker drains the case, take the drain lock and return the queue (else None:
        the current drainer sends it)."""
        keys = [f"saq:{{case:{case_id}}}:outbox", f"saq:{{case:{case_id}}}:drain"]
        pipe = self.redis.pipeline(transaction=False)
        await self._push(keys=keys, args=[json.dumps(item), token, DRAIN_LOCK_MS], client=pipe)  # queued
        pipe.sadd("saq:outbox:cases", case_id)  # where the background drain looks after a crash
        rows, _ = await pipe.execute()
        return _entries(rows) if rows else None

    async def pending(self, case_id: str) -> list[tuple[str, dict]]:
        return _entries(await self.redis.xrange(f"saq:{{case:{case_id}}}:outbox"))

    async def ack(self, case_id: str, entry_id: str, token: str) -> int:
        return await self._ack(keys=[f"saq:{{case:{case_id}}}:outbox", f"saq:{{case:{case_id}}}:drain"],
                               args=[entry_id, token])

    async def try_lock(self, case_id: str, token: str) -> bool:
        return bool(await self.redis.set(f"saq:{{case:{case_id}}}:drain", token, nx=True, px=DRAIN_LOCK_MS))

    async def release(self, case_id: str, token: str) -> None:
        await self._unlock(keys=[f"saq:{{case:{case_id}}}:drain"], args=[token])

    async def with_pending(self) -> list[str]:
        """Cases whose outbox is not empty (one round trip for all candidates); forgets the empty ones."""
        candidates = sorted(await self.redis.smembers("saq:outbox:cases") | await self.redis.smembers("saq:cases:open"))
        if not candidates:
            return []
        pipe = self.redis.pipeline(transaction=False)
        for cid in candidates:
            pipe.xlen(f"saq:{{case:{cid}}}:outbox")
        lengths = await pipe.execute()
        empty = [cid for cid, n in zip(candidates, lengths) if not n]
        if empty:  # harmless if one was refilled meanwhile: open cases are always looked at
            await self.redis.srem("saq:outbox:cases", *empty)
        return [cid for cid, n in zip(candidates, lengths) if n]

    async def open_cases(self) -> list[Case]:
        cases = [await self.get(cid) for cid in sorted(await self.redis.smembers("saq:cases:open"))]
        return [c for c in cases if c is not None and c.status != "closed"]


def _entries(rows: list) -> list[tuple[str, dict]]:
    """Stream rows (from XRANGE or a script) as (entry id, item)."""
    out = []
    for entry_id, fields in rows:
        if isinstance(fields, list):  # a script returns the field list flat: [name, value, ...]
            fields = dict(zip(fields[::2], fields[1::2]))
        out.append((entry_id, json.loads(fields["item"])))
    return out
