"""Offer-checker benchmark: prints figures, asserts nothing.

With a synthetic registry of 100,000 agencies loaded next to content/:
  * registry load time and peak RSS,
  * checks/s and p50/p99 latency on 300-character offers (one core, one process),
  * the same work done the naive way (one regex per pattern; a fuzzy scan over every registry name),
    with the ratio.

Usage: python bench/bench_check.py [--agencies 100000] [--offers 3000]
"""

from __future__ import annotations

import argparse
import csv
import random
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rapidfuzz import fuzz, process  # noqa: E402

from bot.content import load_content  # noqa: E402
from bot.core.registry import HEADER, name_key  # noqa: E402
from bot.core.verdict import checker_from_content  # noqa: E402
from bot.core.normalize import fold, tokens  # noqa: E402

SYLLABLES_LAT = "al an ar as ba be bi da de di el en er ja ka ke ki ko ku la le li ma me mi na ne ni no nu " \
                "ra re ri sa se si ta te ti tu ul ur us za zh sh ch ya yo".split()
WORDS = "Work Staff Global Group Service Travel Tour Labour Recruitment Personal Kadr Jumys Ish Emgek Kor " \
        "Servis Consult Partners Invest Trade Line Way Star Plus".split()
CYR = str.maketrans({"a": "а", "b": "б", "d": "д", "e": "е", "i": "и", "k": "к", "l": "л", "m": "м", "n": "н",
                     "o": "о", "r": "р", "s": "с", "t": "т", "u": "у", "z": "з", "y": "ы", "h": "х", "j": "ж",
                     "c": "ц"})


def synthetic_registry(path: Path, n: int, rng: random.Random) -> list[str]:
    names = []
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        for i in range(n):
            base = "".join(rng.choice(SYLLABLES_LAT) for _ in range(rng.randint(2, 4))).capitalize()
            name = f"{base} {rng.choice(WORDS)}"
            names.append(name)
            alias = name.lower().translate(CYR)
            country = rng.choice(["KZ", "UZ", "KG", "TJ"])
            w.writerow([country, rng.choice(["employment", "travel", "marriage", "other"]), f'TOO "{name}"', alias,
                        f"SYN-{i:06d}", f"{100000000000 + i}", rng.choice(["active"] * 6 + ["suspended", "revoked", "expired"]),
                        "2030-01-01", f"+7700{i:07d}", f"syn{i}.example.org", "", "https://example.org/synthetic",
                        "2026-11-29"])
    return names


OFFER_TEMPLATES = [
    "🔥 СРОЧНО! Работа в Корее на заводе, зарплата от 2500$ в месяц. ТОО «{name}» поможет с оформлением. "
    "Оплата визы 400$ заранее. Паспорт храним у себя для безопасности. Звоните +7 701 555 12 34, пишите @job_kr",
    "Koreyaga ish! {name} MChJ orqali. Oylik 1800$, bilet bepul, keyin oyligingizdan ushlab qolamiz. "
    "Turist vizasi bilan borasiz, joyida rasmiylashtiramiz. Tel: +998 90 555 12 34, telegram @ish_koreya",
    "Job offer in Dubai: hotel staff, salary 900$ per month. Agency «{name}» licence SYN-000123. Employer pays "
    "visa and ticket, written contract before departure, your passport stays with you. Office in Almaty.",
    "Кореяға жұмыс! «{name}» ЖШС. Айлық 2000$, тәжірибе қажет емес. Виза үшін алдын ала төлем 300$. "
    "Тек WhatsApp арқылы жазыңыз +7 705 555 44 33. Орын аз қалды, асығыңыз!",
]


def make_offers(names: list[str], n: int, rng: random.Random) -> list[str]:
    offers = []
    for _ in range(n):
        name = rng.choice(names) if rng.random() < 0.7 else "Nomad Star Plus"
        text = rng.choice(OFFER_TEMPLATES).format(name=name)
        offers.append(text[:300] if len(text) > 300 else text + " " * (300 - len(text)))
    return offers


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def naive_flags(rules, text: str) -> set[str]:
    """The naive way: one regex per pattern, each compiled from the word syntax and run over the text."""
    found = set()
    low = fold(text).text
    for rule in rules:
        for pats in rule.patterns.values():
            for p in pats:
                if p.startswith("re:"):
                    rx = p[3:]
                else:
                    parts = [re.escape(w.rstrip("*")) + (r"\w*" if w.endswith("*") else r"\b") if w != "*" else r"\w+"
                             for w in fold(p).text.split()]
                    rx = r"\b" + r"(?:\W+\w+){0,2}?\W+".join(parts)
                if re.search(rx, low):
                    found.add(rule.id)
    return found


def cold_build(path: str) -> None:
    from bot.content.registry_cache import load_registry

    t0 = time.perf_counter()
    reg, _ = load_registry([Path(path)], use_cache=False)
    took = time.perf_counter() - t0
    load_registry([Path(path)])  # write the cache for the warm start
    print(f"{len(reg):,} rows in {took:.2f} s, peak RSS {rss_mb():.0f} MB")


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--cold":
        cold_build(sys.argv[2])
        return
    ap = argparse.ArgumentParser()
    ap.add_argument("--agencies", type=int, default=100_000)
    ap.add_argument("--offers", type=int, default=3000)
    args = ap.parse_args()
    rng = random.Random(42)
    out_dir = ROOT / "bench" / "out"
    out_dir.mkdir(parents=True, exist_ok=True)
    reg_path = out_dir / f"synthetic_{args.agencies}.csv"
    names = synthetic_registry(reg_path, args.agencies, rng)
    rss_before = rss_mb()

    # Cold build in a fresh process (it also writes the index cache), so this process measures one warm start.
    cold = subprocess.run([sys.executable, __file__, "--cold", str(reg_path)], capture_output=True, text=True,
                          check=True).stdout.strip()
    print(f"registry cold build (parse + validate + index, fresh process): {cold}")
    t0 = time.perf_counter()
    content = load_content(extra_registries=[reg_path])
    checker = checker_from_content(content)
    warm = time.perf_counter() - t0
    assert not content.errors, content.errors[:3]
    print(f"registry warm start (content + {len(content.registry):,} agencies from the index cache, "
          f"{reg_path.stat().st_size / 1e6:.1f} MB CSV): {warm:.2f} s")

    offers = make_offers(names, args.offers, rng)
    for text in offers[:50]:  # warm caches as a running bot would be
        checker.check(text)
    latencies = []
    t0 = time.perf_counter()
    for text in offers:
        s = time.perf_counter()
        checker.check(text)
        latencies.append((time.perf_counter() - s) * 1000)
    wall = time.perf_counter() - t0
    print(f"check: {len(offers):,} offers of 300 chars: {len(offers) / wall:,.0f} checks/s, "
          f"p50 {statistics.median(latencies):.2f} ms, p99 {percentile(latencies, 99):.2f} ms, "
          f"max {max(latencies):.2f} ms")
    print(f"memory: peak RSS {rss_mb():.0f} MB (before loading: {rss_before:.0f} MB)")

    # Red flags: compiled word index vs one regex per pattern.
    sample = offers[:300]
    t0 = time.perf_counter()
    for text in sample:
        f = fold(text)
        checker.engine.detect(tokens(f), f)
    fast = (time.perf_counter() - t0) / len(sample) * 1000
    t0 = time.perf_counter()
    for text in sample:
        naive_flags(checker.rules, text)
    naive = (time.perf_counter() - t0) / len(sample) * 1000
    n_patterns = checker.engine.patterns.count
    print(f"red flags ({n_patterns} patterns): indexed {fast:.3f} ms/offer vs naive regex-per-pattern "
          f"{naive:.3f} ms/offer -> {naive / fast:.0f}x faster")

    # Registry names: trigram-blocked fuzzy lookup vs scanning every name with rapidfuzz.
    queries = [rng.choice(names) for _ in range(100)] + ["Nomad Star Plus"] * 10
    t0 = time.perf_counter()
    for q in queries:
        content.registry.by_name(q)
    fast = (time.perf_counter() - t0) / len(queries) * 1000
    keys = content.registry._names
    t0 = time.perf_counter()
    for q in queries[:20]:
        process.extractOne(name_key(q), keys, scorer=fuzz.ratio, score_cutoff=90)
    naive = (time.perf_counter() - t0) / 20 * 1000
    print(f"registry name lookup over {len(keys):,} names: indexed {fast:.3f} ms vs full rapidfuzz scan "
          f"{naive:.2f} ms -> {naive / fast:.0f}x faster")


if __name__ == "__main__":
    main()
