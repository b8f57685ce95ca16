"""Quality figures on the labelled offers: per-locale accuracy and per-flag precision/recall.

Usage: python bench/eval_offers.py [-v]   (-v lists every miss)
"""

from __future__ import annotations

import sys
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.content import load_content  # noqa: E402
from bot.core.verdict import checker_from_content  # noqa: E402


def main() -> None:
    verbose = "-v" in sys.argv
    checker = checker_from_content(load_content())
    offers = [o for f in sorted((ROOT / "tests" / "data").glob("offers_*.yml"))
              for o in yaml.safe_load(f.read_text(encoding="utf-8"))]
    right = Counter()
    total = Counter()
    tp, fp, fn = Counter(), Counter(), Counter()
    confusion = defaultdict(Counter)
    for o in offers:
        v = checker.check(o["text"], lang=o["locale"], today=date(2026, 11, 29))
        ok = (v.risk == "high") == (o["expect"] == "high")
        total[o["locale"]] += 1
        right[o["locale"]] += ok
        confusion[o["expect"]][v.risk] += 1
        got = {f["id"] for f in v.flags}
        want = set(o.get("flags") or ())
        for f in got & want:
            tp[f] += 1
        for f in got - want:
            fp[f] += 1
        for f in want - got:
            fn[f] += 1
        if verbose and (not ok or got != want):
            print(f"{'MISS' if not ok else 'flags'} {o['id']}: {v.risk} got={sorted(got)} want={sorted(want)}")
    print(f"offers: {len(offers)}; verdict accuracy (high vs not high): "
          f"{sum(right.values()) / len(offers):.1%}")
    for loc in sorted(total):
        print(f"  {loc:8} {right[loc]}/{total[loc]}")
    print("confusion:", {k: dict(v) for k, v in confusion.items()})
    print(f"{'flag':30} precision recall  (tp/fp/fn)")
    for f in sorted(set(tp) | set(fp) | set(fn)):
        p = tp[f] / (tp[f] + fp[f]) if tp[f] + fp[f] else 0
        r = tp[f] / (tp[f] + fn[f]) if tp[f] + fn[f] else 0
        print(f"{f:30} {p:9.0%} {r:6.0%}  ({tp[f]}/{fp[f]}/{fn[f]})")


if __name__ == "__main__":
    main()
