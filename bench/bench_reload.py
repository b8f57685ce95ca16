"""Live content reload: how long a reload takes, and whether the bot keeps answering meanwhile.

A reload validates all content (and a synthetic registry of --agencies rows) in a thread, then swaps it in.
While it runs, a ticker on the event loop measures how late it wakes up: that is how long a user's message
could wait. Run: .venv/bin/python bench/bench_reload.py [--agencies 100000]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_check import synthetic_registry  # noqa: E402

from bot.ops.live import LiveContent  # noqa: E402


async def measure(live: LiveContent, touch: Path) -> tuple[float, float, bool]:
    lags: list[float] = []
    done = asyncio.Event()

    async def ticker() -> None:
        while not done.is_set():
            start = time.perf_counter()
            await asyncio.sleep(0.005)
            lags.append(time.perf_counter() - start - 0.005)
    tick = asyncio.create_task(ticker())
    text = touch.read_text(encoding="utf-8")
    # A valid edit: a comment in YAML, one licence suspended in a registry.
    text = text.replace(",active,", ",suspended,", 1) if touch.suffix == ".csv" else text + "\n# touched\n"
    touch.write_text(text, encoding="utf-8")
    t0 = time.perf_counter()
    result = await live.reload("bench")
    took = time.perf_counter() - t0
    done.set()
    await tick
    return took, max(lags) * 1000, result.ok


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--agencies", type=int, default=100_000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        content = Path(tmp) / "content"
        shutil.copytree(ROOT / "content", content)
        if args.agencies:
            synthetic_registry(content / "registries" / "BENCH_synthetic.csv", args.agencies, random.Random(7))
        import os
        os.environ["SAQBOL_CACHE_DIR"] = str(Path(tmp) / "cache")
        t0 = time.perf_counter()
        live = LiveContent(content)
        first = time.perf_counter() - t0
        print(f"content with {len(live.content.registry):,} agencies: first load {first:.2f} s")
        for label, touch in (("a rights file changed (registry index from cache)", content / "rights" / "KZ.yml"),
                             ("the registry changed (index rebuilt)", content / "registries" / "BENCH_synthetic.csv")):
            took, lag, ok = asyncio.run(measure(live, touch))
            print(f"reload after {label}: {took:.2f} s, ok={ok}; event loop stalled at most {lag:.0f} ms")


if __name__ == "__main__":
    main()
