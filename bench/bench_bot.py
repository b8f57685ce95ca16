"""Bot throughput through the real stack: `saqbol run` (python-telegram-bot, polling) against the fake Bot
API on 127.0.0.1 with a real redis-server. Prints updates/s, latency percentiles and the worker's RSS.

Usage: python bench/bench_bot.py [--users 100]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.conftest import BotProcess, RedisServer  # noqa: E402
from tests.e2e.fakebotapi import FakeBotAPI  # noqa: E402

OFFER = "Работа в Корее! Оплата визы 500$ заранее, паспорт сдаёте работодателю на хранение. Пишите @korea_job"


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (the worker shares the machine with the bench's fake Bot API)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--users", type=int, default=100)
    ap.add_argument("--no-limit", action="store_true",
                    help="disable the 30 messages/s Telegram rate limiter to measure handling capacity")
    ap.add_argument("--warm", action="store_true", help="measure a second burst, after a first unmeasured one")
    ap.add_argument("--singles", type=int, default=99, help="updates sent one at a time for the latency figures")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp())
    redis = RedisServer(tmp).start()
    api = FakeBotAPI().start()
    bot = BotProcess(api, redis.url, tmp, {"SAQBOL_RATE_LIMIT": "0"} if args.no_limit else None).start()
    try:
        warm = 990000
        api.send_text(warm, "/start")
        if not api.wait_sent(warm, 1, timeout=90):
            raise SystemExit("bot did not start:\n" + bot.output()[-2000:])
        users = [1000 + i for i in range(args.users)]
        for u in users:  # set the language first (not measured)
            api.press(u, "lang:ru")
        for u in users:
            api.wait_sent(u, 2, timeout=60)
        if args.warm:  # one unmeasured burst first, so connection pools (HTTP, Redis) are open as in a long run
            for u in users:
                api.press(u, "menu:menu")
                api.send_text(u, "/help")
                api.send_text(u, OFFER)
            for u in users:
                api.wait_sent(u, 5, timeout=120)
        pushed: dict[int, float] = {}
        base = {u: len(api.sent(u)) for u in users}
        if os.environ.get("BENCH_PYSPY"):
            spy = subprocess.Popen(["py-spy", "record", "-o", os.environ["BENCH_PYSPY"], "-d", "6", "-f", "raw",
                                    "-p", str(bot.proc.pid)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(1)
        cpu0 = cpu_seconds(bot.proc.pid)
        start = time.perf_counter()
        total = 0
        for u in users:  # a mix per user: two menu taps and one offer check
            api.press(u, "menu:menu")
            api.send_text(u, "/help")
            api.send_text(u, OFFER)
            pushed[u] = time.perf_counter()
            total += 3
        for u in users:
            api.wait_sent(u, base[u] + 3, timeout=120)
        cpu = cpu_seconds(bot.proc.pid) - cpu0
        replies = {u: api.sent(u)[base[u]:] for u in users}
        wall = max(r[-1]["_t"] for r in replies.values()) - start
        # latency per update: from the moment the user's three updates were queued to each reply
        lat = sorted((r["_t"] - pushed[u]) * 1000 for u in users for r in replies[u])
        print(f"bot: {total} updates answered in {wall:.2f} s -> {total / wall:.0f} updates/s "
              f"(1 worker, polling, Redis, rate limiter {'off' if args.no_limit else 'on'}; "
              f"two menu taps + one offer check per user)")
        print(f"bot: worker CPU {cpu * 1000 / total:.2f} ms per update -> {total / cpu:.0f} updates/s per busy core "
              f"(the wall figure shares 2 cores with the fake Bot API, Redis and the bench)")
        print(f"bot: latency from queueing to reply p50 {statistics.median(lat):.0f} ms, "
              f"p99 {lat[int(0.99 * (len(lat) - 1))]:.0f} ms (includes waiting behind the whole burst)")
        # one update at a time (the same mix): from the update being queued to the reply reaching the Bot API
        singles = []
        for n in range(args.singles):
            u = users[n % len(users)]
            count = len(api.sent(u))
            t0 = time.perf_counter()
            if n % 3 == 0:
                api.press(u, "menu:menu")
            elif n % 3 == 1:
                api.send_text(u, "/help")
            else:
                api.send_text(u, OFFER)
            got = api.wait_sent(u, count + 1, timeout=30)
            singles.append((got[count]["_t"] - t0) * 1000)
            time.sleep(0.01)
        singles.sort()
        print(f"bot: single updates on an idle worker ({len(singles)}, one at a time): p50 "
              f"{statistics.median(singles):.1f} ms, p99 {singles[int(0.99 * (len(singles) - 1))]:.1f} ms "
              f"(update queued -> first reply at the Bot API)")
        print(f"bot: worker peak RSS {rss_mb(bot.proc.pid):.0f} MB")
    finally:
        bot.stop()
        api.stop()
        redis.stop()


if __name__ == "__main__":
    main()
