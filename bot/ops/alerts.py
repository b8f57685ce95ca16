"""Opt-in scam alerts: who asked for warnings, and admin broadcasts that survive restarts.

A subscription is kept under the user's own key prefix (`saq:{u:<key>}:alerts`), so `/forget` deletes it with
everything else; the index set only lists pseudonymous keys. The chat id is stored because a broadcast must
reach the person — only for people who said yes.

A broadcast snapshots its recipients into a list. One worker at a time sends (a lock renewed while it runs);
each recipient is popped from the list *before* sending, so a crash can at worst skip the one message being
sent — never send anyone the same warning twice. Cancel stops it between two messages.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from typing import Any, Awaitable, Callable

log = logging.getLogger(__name__)
INDEX = "saq:alerts:subscribers"
ACTIVE = "saq:broadcasts:active"
RATE_PER_S = 20  # under Telegram's ~30 messages/s for a bot
LOCK_MS = 15_000


def _sub_key(user: str) -> str:
    return f"saq:{{u:{user}}}:alerts"


class Alerts:
    def __init__(self, kv: Any):
        self.kv = kv
        self.worker = uuid.uuid4().hex[:8]

    # --- subscriptions ---
    async def subscribe(self, user: str, chat_id: int, locale: str, dest: str | None) -> None:
        await self.kv.set(_sub_key(user), json.dumps({"chat": chat_id, "locale": locale, "dest": dest or "ALL"}))
        await self.kv.sadd(INDEX, user)

    async def unsubscribe(self, user: str) -> None:
        await self.kv.delete(_sub_key(user))
        await self.kv.srem(INDEX, user)

    async def subscription(self, user: str) -> dict | None:
        raw = await self.kv.get(_sub_key(user))
        return json.loads(raw) if raw else None

    async def recipients(self, locale: str, dest: str) -> list[str]:
        """User keys subscribed to this locale ("all" for every locale) and destination ("ALL": every one)."""
        out = []
        users = sorted(await self.kv.smembers(INDEX))
        subs = await self._get_many([_sub_key(u) for u in users])
        for user, raw in zip(users, subs):
            if raw is None:  # forgotten: drop the stale index entry
                await self.kv.srem(INDEX, user)
                continue
            sub = json.loads(raw)
            if locale in ("all", sub["locale"]) and (dest == "ALL" or sub["dest"] in (dest, "ALL")):
                out.append(user)
        return out

    async def _get_many(self, keys: list[str]) -> list[Any]:
        """GETs in one pipelined round trip (not MGET: the keys live in different cluster slots)."""
        if not hasattr(self.kv, "pipeline"):
            return [await self.kv.get(k) for k in keys]
        pipe = self.kv.pipeline(transaction=False)
        for k in keys:
            pipe.get(k)
        return await pipe.execute()

    # --- broadcasts ---
    async def create(self, text: str, locale: str, dest: str) -> dict:
        bid = uuid.uuid4().hex[:6].upper()
        users = await self.recipients(locale, dest)
        job = {"id": bid, "text": text, "locale": locale, "dest": dest, "status": "ready", "total": len(users),
               "sent": 0, "failed": 0, "created": time.time()}
        await self.kv.hset(f"saq:broadcast:{bid}", mapping={k: str(v) for k, v in job.items()})
        if users:
            await self.kv.rpush(f"saq:broadcast:{bid}:todo", *users)
        return job

    async def job(self, bid: str) -> dict | None:
        raw = await self.kv.hgetall(f"saq:broadcast:{bid}")
        if not raw:
            return None
        return {**raw, **{k: int(raw[k]) for k in ("total", "sent", "failed") if k in raw}}

    async def start(self, bid: str) -> None:
        await self.kv.hset(f"saq:broadcast:{bid}", "status", "sending")
        await self.kv.sadd(ACTIVE, bid)

    async def cancel(self, bid: str) -> bool:
        job = await self.job(bid)
        if job is None or job["status"] in ("done", "cancelled"):
            return False
        await self.kv.hset(f"saq:broadcast:{bid}", "status", "cancelled")
        await self.kv.srem(ACTIVE, bid)
        await self.kv.delete(f"saq:broadcast:{bid}:todo")
        return True

    async def active(self) -> list[str]:
        return sorted(await self.kv.smembers(ACTIVE))

    async def run_once(self, send: Callable[[dict, str], Awaitable[bool | None]]) -> int:
        """Send what is left of every active broadcast this worker can lock; returns messages sent."""
        sent = 0
        for bid in await self.active():
            lock = f"saq:broadcast:{bid}:lock"
            if not await self.kv.set(lock, self.worker, px=LOCK_MS, nx=True):
                continue  # another worker is sending it
            try:
                sent += await self._send_all(bid, lock, send)
            finally:
                if await self.kv.get(lock) == self.worker:
                    await self.kv.delete(lock)
        return sent

    async def _send_all(self, bid: str, lock: str, send: Callable[[dict, str], Awaitable[bool | None]]) -> int:
        key = f"saq:broadcast:{bid}"
        job = await self.job(bid)
        if job is None or job["status"] != "sending":
            await self.kv.srem(ACTIVE, bid)
            return 0
        sent = 0
        while True:
            if await self.kv.hget(key, "status") != "sending":
                return sent  # cancelled
            user = await self.kv.lpop(f"{key}:todo")  # popped before sending: never twice
            if user is None:
                break
            sub = await self.subscription(user)
            ok = False
            if sub is not None:
                try:
                    result = await send(sub, job["text"])
                except Exception as exc:  # one failed recipient must not stop the rest
                    log.warning("broadcast %s: a message failed: %s", bid, type(exc).__name__)
                    result = False
                if result is None:  # the person blocked the bot: stop writing to them
                    await self.unsubscribe(user)
                ok = bool(result)
            await self.kv.hincrby(key, "sent" if ok else "failed", 1)
            sent += ok
            await self.kv.set(lock, self.worker, px=LOCK_MS)
            await asyncio.sleep(1 / RATE_PER_S)
        await self.kv.hset(key, "status", "done")
        await self.kv.srem(ACTIVE, bid)
        return sent
