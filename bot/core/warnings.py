"""Agencies, phones, Telegram channels and websites that users reported and NGO staff confirmed.

Looked up with the same keys as the registry (E.164 phones, bare domains, lower-case @handles, agency name
keys without legal form), so a reported contact is found however the next offer writes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import extract as ex
from .registry import name_key

KINDS = ("phone", "domain", "telegram", "agency")


@dataclass(frozen=True)
class Reported:
    kind: str
    value: str
    reason: str
    reported: str  # YYYY-MM-DD


def warning_key(kind: str, value: str) -> str | None:
    """The lookup key of a reported item, or None when the value cannot be understood."""
    value = value.strip()
    if kind == "phone":
        return ex.normalize_phone(value)
    if kind == "domain":
        return ex.domain_of(value) or None
    if kind == "telegram":
        handle = value.rsplit("/", 1)[-1].lstrip("@").lower()
        return "@" + handle if handle else None
    if kind == "agency":
        return name_key(value) or None
    return None


@dataclass
class WarningIndex:
    by_key: dict[tuple[str, str], Reported] = field(default_factory=dict)

    @classmethod
    def build(cls, items: list[Reported]) -> "WarningIndex":
        index = cls()
        for item in items:
            k = warning_key(item.kind, item.value)
            if k:
                index.by_key[(item.kind, k)] = item
        return index

    def __len__(self) -> int:
        return len(self.by_key)

    def find(self, ents: "ex.Entities") -> list[tuple[str, Reported]]:
        """(text as written in the offer, reported item) for every reported contact or name in the entities."""
        if not self.by_key:
            return []
        found = []
        candidates = [(p.text, "phone", p.e164) for p in ents.phones]
        candidates += [(u.text, "domain", u.domain) for u in ents.urls]
        candidates += [(t, "telegram", warning_key("telegram", t)) for t in ents.telegram]
        candidates += [(a, "agency", name_key(a)) for a in ents.agencies]
        for text, kind, k in candidates:
            item = self.by_key.get((kind, k or ""))
            if item is not None:
                found.append((text, item))
        return found
