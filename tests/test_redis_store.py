"""RedisStore against a real redis-server: state with retention TTL, /forget, de-duplication, per-user lock."""

import asyncio

import pytest

from bot.storage.redis_store import RedisStore
from tests.e2e.conftest import RedisServer


@pytest.fixture
def redis_url(tmp_path):
    server = RedisServer(tmp_path).start()
    yield server.url
    server.stop()


def run(coro):
    return asyncio.run(coro)


def test_state_roundtrip_ttl_and_forget(redis_url):
    async def go():
        store = RedisStore(redis_url, retention_days=2)
        await store.set_state("abc", {"locale": "kk", "step": "menu"})
        got = await store.get_state("abc")
        ttl = await store.redis.ttl("saq:{u:abc}:state")
        await store.forget("abc")
        gone = await store.get_state("abc")
        keys = [k async for k in store.redis.scan_iter("saq:{u:abc}:*")]
        await store.close()
        return got, ttl, gone, keys
    got, ttl, gone, keys = run(go())
    assert got == {"locale": "kk", "step": "menu"}
    assert 2 * 86400 - 5 <= ttl <= 2 * 86400  # idle state expires after the retention period
    assert gone is None and keys == []


def test_updates_are_processed_once(redis_url):
    async def go():
        store = RedisStore(redis_url)
        results = [await store.first_time(41), await store.first_time(41), await store.first_time(42)]
        await store.close()
        return results
    assert run(go()) == [True, False, True]


def test_a_redelivered_update_is_refused_with_the_lock_in_one_trip(redis_url):
    """Two workers receive the same update (Telegram redelivers after a restart): only one handles it, and the
    user's lock is free again afterwards."""
    async def go():
        store_a, store_b = RedisStore(redis_url), RedisStore(redis_url)
        handled = []

        async def work(store, name):
            async with store.lock("user-2", update_id=77) as fresh:
                if fresh:
                    handled.append(name)
                await asyncio.sleep(0.02)
        await asyncio.gather(work(store_a, "a"), work(store_b, "b"))
        async with store_a.lock("user-2", update_id=78) as next_fresh:
            pass
        left = await store_a.redis.exists("saq:{u:user-2}:lock")
        await store_a.close()
        await store_b.close()
        return handled, next_fresh, left
    handled, next_fresh, left = run(go())
    assert len(handled) == 1 and next_fresh is True and left == 0


def test_lock_serialises_one_users_updates(redis_url):
    async def go():
        store_a, store_b = RedisStore(redis_url), RedisStore(redis_url)  # two workers
        order = []

        async def work(store, name):
            async with store.lock("user-1"):
                order.append(f"{name}-in")
                await asyncio.sleep(0.05)
                order.append(f"{name}-out")
        await asyncio.gather(*(work(s, f"w{i}") for i, s in enumerate([store_a, store_b] * 3)))
        await store_a.close()
        await store_b.close()
        return order
    order = run(go())
    assert all(order[i].endswith("-in") and order[i + 1] == order[i].replace("-in", "-out")
               for i in range(0, len(order), 2)), order


def test_counters_are_anonymous(redis_url):
    async def go():
        store = RedisStore(redis_url)
        await store.count("risk:high", "flag:upfront_fee", "risk:high")
        await store.count("handoff:first_reply_s", amount=42)
        stats = await store.stats(days=7)
        keys = [k async for k in store.redis.scan_iter(match="saq:stats:*")]
        ttl = await store.redis.ttl(keys[0])
        await store.close()
        return stats, keys, ttl
    stats, keys, ttl = run(go())
    from bot.storage.base import today
    assert stats == {today(): {"risk:high": 2, "flag:upfront_fee": 1, "handoff:first_reply_s": 42}}
    assert keys == [f"saq:stats:{today()}"] and 0 < ttl <= 400 * 86400  # one hash per day, kept ~ a year
