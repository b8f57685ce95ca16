"""Translation coverage of the content: per locale, what is present, what falls back, what is missing,
and what is still a machine draft waiting for NGO review."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, Mapping

from ..core.verdict import locale_chain
from .loader import Content
from .schema import LOCALES


@dataclass
class LocaleCoverage:
    direct: int = 0
    fallback: list[str] = field(default_factory=list)  # "item (from ru)"
    missing: list[str] = field(default_factory=list)
    unreviewed: int = 0


def texts(content: Content) -> Iterator[tuple[str, str, Mapping[str, str]]]:
    """(item name, review status, {locale: text}) for every translatable text in the content."""
    for rule in content.rules:
        for part in ("explanation", "advice"):
            yield f"red_flags/{rule.id}.{part}", rule.review, getattr(rule, part)
    for country, rights in sorted(content.rights.items()):
        for topic, t in rights.topics.items():
            yield f"rights/{country}.{topic}.title", rights.review, t.title
            yield f"rights/{country}.{topic}.text", rights.review, t.text
    for h in content.hotlines:
        review = content.reviews.get("hotlines.yml", "machine-draft")
        yield f"hotlines/{h.country}:{h.numbers[0]}.name", review, h.name
    if content.screening:
        s = content.screening
        for name in type(s.texts).model_fields:
            yield f"screening/texts.{name}", s.review, getattr(s.texts, name)
        for iid, ind in s.indicators.items():
            yield f"screening/indicators.{iid}.name", s.review, ind.name
            yield f"screening/indicators.{iid}.explanation", s.review, ind.explanation
        for q in s.questions:
            yield f"screening/questions.{q.id}", s.review, q.text
    if content.advice:
        for level, items in content.advice.advice.items():
            for i, item in enumerate(items):
                yield f"advice/{level}[{i}]", content.advice.review, item


def coverage(content: Content) -> tuple[dict[str, LocaleCoverage], list[str]]:
    """Per-locale coverage, and the items that have no text in any locale at all."""
    result = {loc: LocaleCoverage() for loc in LOCALES}
    empty = []
    for name, review, localized in texts(content):
        if not any(v and v.strip() for v in localized.values()):
            empty.append(name)
        for loc in LOCALES:
            cov = result[loc]
            got = next((c for c in locale_chain(loc) if (localized.get(c) or "").strip()), None)
            if got == loc:
                cov.direct += 1
                if review != "reviewed":
                    cov.unreviewed += 1
            elif got is not None:
                cov.fallback.append(f"{name} (from {got})")
            else:
                cov.missing.append(name)
    return result, empty
