"""Handoff relay benchmark: users in open cases write to staff through the real bot, fake Bot API and Redis.
Prints relayed messages/s, relay latency (update queued -> copyMessage sent) and outbox behaviour when
Telegram answers errors for a while (nothing dropped: the queue drains afterwards).

Usage: python bench/bench_relay.py [--cases 20] [--messages 10]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.conftest import BotProcess, RedisServer  # noqa: E402
from tests.e2e.fakebotapi import FakeBotAPI  # noqa: E402

STAFF = -1009999


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (the worker shares the machine with the bench's fake Bot API)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def outbox_depth(client) -> int:
    """Messages queued in all case outboxes right now."""
    return sum(client.xlen(k) for k in client.scan_iter(match="saq:{case:*}:outbox", count=1000))


def flood(api: FakeBotAPI, redis: RedisServer, users: list[int], bot: BotProcess) -> None:
    """Telegram answers 429 (retry after N s) to every copy for 3 s while users keep writing: print how deep the
    outboxes get and that they drain afterwards, every message once."""
    import redis as redis_client

    client = redis_client.Redis.from_url(redis.url, decode_responses=True)
    before = {u: len(api.copied_from(u)) for u in users}
    sent: dict[int, list[int]] = {u: [] for u in users}
    api.flood_until = time.monotonic() + 3.0
    t0 = time.perf_counter()
    timeline = []
    for n in range(5):  # 5 messages per case over the first second of the pause
        for u in users:
            sent[u].append(api.message_id_of(api.send_text(u, f"flood {n}")))
        time.sleep(0.2)
    while time.perf_counter() - t0 < 60:
        depth = outbox_depth(client)
        timeline.append((time.perf_counter() - t0, depth))
        if depth == 0 and all(len(api.copied_from(u)) - before[u] >= 5 for u in users):
            break
        time.sleep(0.25)
    got = {u: api.copied_from(u)[before[u]:] for u in users}
    exact = all(got[u] == sent[u] for u in users)
    marks = ", ".join(f"{t:.1f} s: {d}" for t, d in timeline[:: max(1, len(timeline) // 10)])
    print(f"relay: Telegram answered 429 to every copy for 3 s while {len(users)} cases wrote 5 messages each: "
          f"outbox depth {marks}; all {sum(len(v) for v in got.values())}/{5 * len(users)} delivered "
          f"{timeline[-1][0]:.1f} s after the first, {'each once and in order' if exact else 'NOT exactly once'}; "
          f"{len(api.calls_of('copyMessage')) - len(api.calls_of('copyMessage', ok_only=True))} refused calls in all")
    client.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=20)
    ap.add_argument("--messages", type=int, default=10)
    ap.add_argument("--singles", type=int, default=100, help="sequential single messages for the latency figures")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp())
    redis = RedisServer(tmp).start()
    api = FakeBotAPI().start()
    bot = BotProcess(api, redis.url, tmp, {"SAQBOL_STAFF_CHAT_ID": str(STAFF), "SAQBOL_RATE_LIMIT": "0"}).start()
    try:
        users = [5000 + i for i in range(args.cases)]
        for u in users:
            api.send_text(u, "/start", language_code="en")
        for u in users:
            if not api.wait_sent(u, 1, timeout=90):
                raise SystemExit("bot did not start:\n" + bot.output()[-2000:])
            api.press(u, "lang:en")
            api.send_text(u, "/human")
            api.press(u, "handoff:start")
        api.wait_calls("createForumTopic", len(users), timeout=120)
        for u in users:
            api.wait_sent(u, 5, timeout=60)
        base = len(api.calls_of("copyMessage", ok_only=True))
        pushed = {}
        if os.environ.get("BENCH_PYSPY"):  # record where the worker spends the burst
            subprocess.Popen(["py-spy", "record", "-o", os.environ["BENCH_PYSPY"], "-d", "8", "-f", "raw",
                              "-p", str(bot.proc.pid)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(1)
        cpu0 = cpu_seconds(bot.proc.pid)
        start = time.perf_counter()
        for n in range(args.messages):
            for u in users:
                uid = api.send_text(u, f"message {n} from {u}")
                pushed[(u, uid)] = time.perf_counter()
        total = args.messages * len(users)
        api.wait_calls("copyMessage", base + total, timeout=300)
        copies = api.calls_of("copyMessage", ok_only=True)[base:]
        cpu = cpu_seconds(bot.proc.pid) - cpu0
        wall = max(c["_t"] for c in copies) - start
        lat = sorted((c["_t"] - start) * 1000 for c in copies)
        print(f"relay: {len(copies)}/{total} user messages copied to staff in {wall:.2f} s -> {total / wall:.0f} msg/s "
              f"({len(users)} cases, 1 worker, Redis outbox)")
        print(f"relay: worker CPU {cpu * 1000 / total:.2f} ms per relayed message -> {total / cpu:.0f} msg/s per busy "
              f"core (the wall figure above shares 2 cores with the fake Bot API, Redis and the bench)")
        print(f"relay: time from the burst start to each copy p50 {statistics.median(lat):.0f} ms, "
              f"p99 {lat[int(0.99 * (len(lat) - 1))]:.0f} ms (a burst of {total}; single-message latency is below)")
        # one message at a time: from the update being queued to the bot's copyMessage call reaching the server
        singles = []
        for n in range(args.singles):
            count = len(api.calls_of("copyMessage", ok_only=True))
            t0 = time.perf_counter()
            api.send_text(users[n % len(users)], f"single message {n}")
            api.wait_calls("copyMessage", count + 1, timeout=30)
            singles.append((api.calls_of("copyMessage", ok_only=True)[-1]["_t"] - t0) * 1000)
            time.sleep(0.01)
        singles.sort()
        print(f"relay: single messages on an idle worker ({len(singles)}, one at a time): p50 "
              f"{statistics.median(singles):.1f} ms, p99 {singles[int(0.99 * (len(singles) - 1))]:.1f} ms, "
              f"max {singles[-1]:.1f} ms (update queued -> copyMessage at the Bot API)")
        # Telegram fails for a while: the outbox keeps everything and drains afterwards.
        api.failures["copyMessage"] = 20
        before = len(api.calls_of("copyMessage", ok_only=True))
        for u in users[:5]:
            api.send_text(u, "during the outage")
        t0 = time.perf_counter()
        api.wait_calls("copyMessage", 0, timeout=1)
        while len(api.calls_of("copyMessage", ok_only=True)) < before + 5 and time.perf_counter() - t0 < 120:
            time.sleep(0.2)
        got = len(api.calls_of("copyMessage", ok_only=True)) - before
        print(f"relay: 20 failed deliveries (502), then {got}/5 queued messages delivered "
              f"{time.perf_counter() - t0:.1f} s later; none dropped" if got == 5 else f"relay: only {got}/5 delivered")
        flood(api, redis, users, bot)
    finally:
        bot.stop()
        api.stop()
        redis.stop()


if __name__ == "__main__":
    main()
