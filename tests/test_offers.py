"""The labelled offer set (tests/data/offers_*.yml): high-risk offers must be rated high, legitimate ones not.

`python bench/eval_offers.py` prints the same figures per locale and per flag.
"""

from pathlib import Path

import pytest
import yaml

from tests.conftest import TODAY

DATA = Path(__file__).parent / "data"
OFFERS = [o for f in sorted(DATA.glob("offers_*.yml")) for o in yaml.safe_load(f.read_text(encoding="utf-8"))]


def test_the_set_is_big_enough():
    from collections import Counter

    per_locale = Counter(o["locale"] for o in OFFERS)
    assert set(per_locale) == {"en", "ru", "kk", "uz", "uz_Cyrl", "ky", "tg"}
    assert min(per_locale.values()) >= 15
    assert {o["expect"] for o in OFFERS} == {"high", "not_high"}


@pytest.mark.parametrize("offer", OFFERS, ids=[o["id"] for o in OFFERS])
def test_verdict_matches_the_label(checker, offer):
    v = checker.check(offer["text"], lang=offer["locale"], today=TODAY)
    found = [f["id"] for f in v.flags]
    if offer["expect"] == "high":
        assert v.risk == "high", f"{offer['id']}: {v.risk} {found} expected {offer['flags']}"
    else:
        assert v.risk != "high", f"{offer['id']}: {v.risk} {found}"
    for f in v.flags:
        assert f["evidence"] and f["evidence"] in offer["text"]
