"""Handoff logic that needs a clock: staff hours and unclaimed-case reminders (cases in a real redis-server)."""

import asyncio
import time
from datetime import datetime, timezone

from bot.content.schema import StaffHours
from bot.handoff.cases import Case, RedisCases
from bot.handoff.relay import Handoff
from bot.storage.redis_store import RedisStore
from tests.e2e.conftest import RedisServer


def test_staff_hours_in_their_time_zone():
    hours = StaffHours(timezone="Asia/Almaty", days=["mon", "tue", "wed", "thu", "fri"], start="09:00", end="18:00")
    monday_noon_almaty = datetime(2026, 11, 30, 7, 0, tzinfo=timezone.utc)  # 12:00 or 13:00 local
    sunday = datetime(2026, 11, 29, 7, 0, tzinfo=timezone.utc)
    monday_night = datetime(2026, 11, 30, 20, 0, tzinfo=timezone.utc)
    assert hours.open_at(monday_noon_almaty)
    assert not hours.open_at(sunday) and not hours.open_at(monday_night)


class Recorder:
    """Stands in for Telegram's servers (which cannot run here): records what the relay sends."""

    def __init__(self):
        self.sent = []

    async def send_message(self, **kwargs):
        self.sent.append(kwargs)


async def _send(method, **kwargs):
    return await method(**kwargs)


def test_unclaimed_cases_are_reminded_once_even_after_a_restart(tmp_path):
    server = RedisServer(tmp_path).start()
    try:
        async def go():
            store = RedisStore(server.url)
            cases = RedisCases(store.redis)
            old = Case(id="K-AAAA", user="u1", chat_id=1, locale="ru", reason="other", priority=1, topic_id=7,
                       opened=time.time() - 20 * 60)
            fresh = Case(id="K-BBBB", user="u2", chat_id=2, locale="kk", reason="other", priority=1, topic_id=8)
            claimed = Case(id="K-CCCC", user="u3", chat_id=3, locale="en", reason="other", priority=1, topic_id=9,
                           opened=time.time() - 60 * 60, status="claimed")
            for c in (old, fresh, claimed):
                await cases.save(c)
            bot = Recorder()
            first = await Handoff(cases, -100, _send, reminder_minutes=10).remind(bot)
            # a new worker (restart) with fresh objects: the reminder is not repeated
            again = await Handoff(RedisCases(store.redis), -100, _send, reminder_minutes=10).remind(bot)
            await store.close()
            return first, again, bot.sent
        first, again, sent = asyncio.run(go())
    finally:
        server.stop()
    assert (first, again) == (1, 0)
    assert len(sent) == 1 and "K-AAAA" in sent[0]["text"] and sent[0]["message_thread_id"] == 7


class CopyRecorder(Recorder):
    """Also accepts copyMessage, slowly, like a network call."""

    def __init__(self):
        super().__init__()
        self.copied = []

    async def copy_message(self, **kwargs):
        await asyncio.sleep(0.01)
        self.copied.append(kwargs["message_id"])
        return type("MessageId", (), {"message_id": 10_000 + len(self.copied)})()


def test_outbox_concurrent_messages_of_a_case_are_each_sent_exactly_once(tmp_path):
    """Many messages of one case queued at once from two "workers": one drainer at a time, every message sent
    exactly once, nothing left queued; an idle background drain leaves the case free. (Order per user comes
    from the per-user lock and is checked end to end in tests/e2e.)"""
    server = RedisServer(tmp_path).start()
    try:
        async def go():
            store = RedisStore(server.url)
            cases = RedisCases(store.redis)
            case = Case(id="K-DDDD", user="u4", chat_id=4, locale="en", reason="other", priority=1, topic_id=11)
            await cases.save(case)
            bot = CopyRecorder()
            relays = [Handoff(cases, -100, _send), Handoff(RedisCases(store.redis), -100, _send)]  # two "workers"
            assert await relays[1].drain(bot, case.id) == 0  # nothing queued: the drain must let go of the case
            for start in range(0, 30, 10):
                await asyncio.gather(*(relays[n % 2].from_user(bot, case, n) for n in range(start, start + 10)))
            for relay in relays:
                await relay.settle()
            await relays[0].drain_all(bot)
            left = await cases.pending(case.id)
            await store.close()
            return bot.copied, left
        copied, left = asyncio.run(go())
    finally:
        server.stop()
    assert sorted(copied) == list(range(30)) and len(copied) == 30 and left == []
