"""The self-check's cost per step on the dialogue engine (real content, embedded NLU), with the in-memory store
and with a real redis-server: a full questionnaire by buttons, and typed answers (which go through NLU).
Prints p50 / p99 per step and questionnaires/s on one core.

Usage: python bench/bench_screening.py [--runs 200]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.chat import build_dialogue  # noqa: E402
from bot.dialogue import Event  # noqa: E402
from bot.storage import MemoryStore  # noqa: E402
from bot.storage.redis_store import RedisStore  # noqa: E402
from tests.e2e.conftest import RedisServer  # noqa: E402


async def one_run(dialogue, user: str, typed: bool, times: list[float]) -> None:
    async def step(event: Event):
        t = time.perf_counter()
        replies = await dialogue.handle(user, event)
        times.append(time.perf_counter() - t)
        return [b.data for r in replies for row in r.buttons for b in row]

    await dialogue.handle(user, Event("button", "lang:ru"))
    await step(Event("command", "/screen"))
    data = await step(Event("button", "scr:where:KR"))
    while True:
        asked = [d for d in data if d.startswith("scr:a:")]
        if not asked:
            return
        qid = asked[0].split(":")[2]
        answer = "y" if qid in ("passport", "debt", "pay") else "n"
        data = await step(Event("text", "да" if answer == "y" else "нет") if typed
                          else Event("button", f"scr:a:{qid}:{answer}"))


def report(name: str, times: list[float], runs: int, seconds: float) -> None:
    ms = sorted(t * 1000 for t in times)
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
    print(f"{name:32} p50 {statistics.median(ms):6.2f} ms   p99 {p99:6.2f} ms   {runs / seconds:7.1f} questionnaires/s")


async def bench(dialogue, store, runs: int, typed: bool, name: str) -> None:
    dialogue.store = store
    times: list[float] = []
    start = time.perf_counter()
    for n in range(runs):
        await one_run(dialogue, f"bench-{typed}-{n}", typed, times)
    report(name, times, runs, time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    dialogue = build_dialogue()
    asyncio.run(bench(dialogue, MemoryStore(), args.runs, False, "buttons, memory store"))
    asyncio.run(bench(dialogue, MemoryStore(), args.runs, True, "typed answers (NLU), memory"))
    with tempfile.TemporaryDirectory() as tmp:
        server = RedisServer(Path(tmp)).start()
        try:
            async def with_redis(typed: bool, name: str) -> None:
                store = RedisStore(server.url)
                await bench(dialogue, store, args.runs, typed, name)
                await store.close()
            asyncio.run(with_redis(False, "buttons, Redis store"))
        finally:
            server.stop()


if __name__ == "__main__":
    main()
