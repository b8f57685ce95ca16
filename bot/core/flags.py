"""Red-flag engine: all rules' patterns compiled once into one PatternSet; negation-aware.

Negation matters as much as detection: a legitimate ad says "no fees", "без предоплаты",
"паспорт остаётся у вас", "to'lov olinmaydi" — words that also appear in scams. A hit is cancelled when
(a) one of the rule's own negation phrases overlaps or touches it, (b) a negation word stands just before
it in the same clause, or (c) a negation word or a negative verb form follows it in the same clause
(Kazakh, Kyrgyz, Uzbek and Tajik put the negation after the noun: "төлем алынбайды").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable, Protocol, Sequence

from .normalize import Folded, Token, word_key
from .patterns import Match, PatternSet


class RuleLike(Protocol):
    id: str
    kinds: Sequence[str]
    severity: str
    weight: int
    negatable: bool
    patterns: dict[str, list[str]]
    negations: dict[str, list[str]]


# "free"/"бесплатно" are deliberately absent: "Yo'l bepul, keyin oyligingizdan ushlab…" is the scam itself.
# Rules that a "free" really negates (upfront_fee) list it in their own `negations`.
NEGATE_BEFORE = {word_key(w) for w in (
    "no not never none without non zero dont don't doesn't isn't aren't won't "
    "без не нет ни никаких никакой никогда ноль "
    "жоқ ешқандай ешбір "
    "hech hechqanday "
    "эч эчқандай "
    "эч кандай эч бир "
    "бе ҳеҷ ҳеҷ гуна").split()}
NEGATE_AFTER = {word_key(w) for w in (
    "not none no нет не отсутствует отсутствуют "
    "жоқ емес yo'q emas йўқ эмас жок эмес нест не").split()}
# Negative verb endings (on phonetic keys): kk -майды/-мейді/-байды/-пайды, -майсыз…; ky -байт/-бейт/-пайт…;
# uz -maydi/-maysiz/-masdan.
_NEG_VERB = re.compile(r"(?:ma|me|ba|be|pa|pe|mo|bo|po)i(?:di|t|siz|sin|miz|min|z|s)$|masdan$|mastan$")
# Tajik negative verbs start with на-/не-: намегирем, нагирифта, напардозед, набояд.
_TG_NEG = ("name", "nami", "nagir", "napar", "nabo", "nadod", "nadih", "nakun", "nest")


def _negative_word(key: str) -> bool:
    if key in NEGATE_AFTER:
        return True
    if len(key) >= 6 and _NEG_VERB.search(key):
        return True
    return key.startswith(_TG_NEG) and len(key) >= 5


def money_token_indexes(toks: list[Token], folded: Folded, money: Sequence[Any]) -> frozenset[int]:
    """Indexes of the tokens that fall inside extracted money amounts (for `$` pattern terms)."""
    if not money:
        return frozenset()
    spans = [(m.start, m.end) for m in money]
    out = set()
    span = folded.span
    for i, t in enumerate(toks):
        a, b = span(t.start, t.end)
        for s, e in spans:
            if a < e and s < b:
                out.add(i)
                break
    return frozenset(out)


@dataclass(frozen=True, slots=True)
class FlagHit:
    rule_id: str
    start: int  # span in the original text
    end: int
    evidence: str
    pattern: str


class FlagEngine:
    """Compiled matcher over a rule set. Build once per content version; thread-safe to share."""

    def __init__(self, rules: Iterable[RuleLike]):
        self.rules = {r.id: r for r in rules}
        self._money_rules = [r for r in self.rules.values() if getattr(r, "money_min", None)]
        self.money_context = PatternSet()
        for rule in self._money_rules:
            for patterns in getattr(rule, "money_context", {}).values():
                for p in patterns:
                    self.money_context.add(p, rule.id)
        self.patterns = PatternSet()
        self.negations = PatternSet()
        for rule in self.rules.values():
            for patterns in rule.patterns.values():
                for p in patterns:
                    self.patterns.add(p, rule.id)
            for patterns in rule.negations.values():
                for p in patterns:
                    self.negations.add(p, rule.id)

    def register(self, shared: PatternSet) -> None:
        """Add every pattern of this engine to a shared PatternSet (payloads tagged "f", "n", "c"), so a caller
        that needs several pattern sets over the same message walks its words once."""
        for tag, ps in (("f", self.patterns), ("n", self.negations), ("c", self.money_context)):
            for source, payload, gap in ps.sources():
                shared.add(source, (tag, payload), gap)

    def detect(self, toks: list[Token], folded: Folded, kind: str | None = None,
               money: Sequence[Any] = (), matches: dict[str, list[Match]] | None = None,
               money_tokens: frozenset[int] | None = None) -> list[FlagHit]:
        """First non-negated hit of every rule that applies to `kind` (all rules when kind is None).

        `money`: the amounts extracted from the text (extract.Money), for `$` terms and `money_min` rules.
        `matches`: {"f": …, "n": …, "c": …} already found through a shared PatternSet (see `register`)."""
        if not toks:
            return []
        if money_tokens is None:
            money_tokens = money_token_indexes(toks, folded, money)
        if matches is None:
            matches = {"f": self.patterns.search(toks, folded, money_tokens),
                       "n": self.negations.search(toks, folded, money_tokens),
                       "c": self.money_context.search(toks, folded) if self._money_rules and money else []}
        negs: dict[str, list[Match]] = {}
        for m in matches.get("n", ()):
            negs.setdefault(m.payload, []).append(m)
        hits: dict[str, FlagHit] = {}
        for rule_id, amount in self._money_hits(money, toks, folded, matches.get("c", ())):
            if rule_id not in hits and (kind is None or kind in self.rules[rule_id].kinds):
                hits[rule_id] = FlagHit(rule_id, amount.start, amount.end, folded.original[amount.start:amount.end],
                                        "money_min")
        for m in matches.get("f", ()):
            rule = self.rules[m.payload]
            if rule.id in hits or (kind is not None and kind not in rule.kinds):
                continue
            if rule.negatable and self._negated(m, toks, folded, negs.get(rule.id, ())):
                continue
            a, b = folded.span(m.start, m.end)
            for amount in money:  # quote a whole amount ("200$"), not just its digits
                if amount.start < b <= amount.end:
                    b = amount.end
                if amount.start <= a < amount.end:
                    a = amount.start
            hits[rule.id] = FlagHit(rule.id, a, b, folded.original[a:b], m.pattern)
        return list(hits.values())

    def _money_hits(self, money: Sequence[Any], toks: list[Token], folded: Folded, context: Sequence[Match]):
        if not self._money_rules or not money:
            return
        context_ends: dict[str, list[int]] = {}  # rule -> original-text offsets where a pay word ends
        for m in context:
            context_ends.setdefault(m.payload, []).append(folded.span(m.start, m.end)[1])
        for rule in self._money_rules:
            ends = context_ends.get(rule.id, ())
            for amount in money:
                if amount.period is None and not any(0 <= amount.start - e <= 40 for e in ends):
                    continue  # no period and no pay word just before it: a price or a fee, not pay
                limit = rule.money_min.get(amount.period or "month", {}).get(amount.currency)
                if limit is not None and amount.amount >= limit:
                    yield rule.id, amount
                    break

    def _negated(self, m: Match, toks: list[Token], folded: Folded, rule_negs: Iterable[Match]) -> bool:
        for n in rule_negs:
            if n.first <= m.last + 1 and n.last >= m.first - 1:
                return True
        first_clause, last_clause = toks[m.first].clause, toks[m.last].clause
        for j in range(max(0, m.first - 2), m.first):
            if toks[j].key in NEGATE_BEFORE and toks[j].clause == first_clause:
                return True
        for j in range(m.last + 1, min(len(toks), m.last + 3)):
            if toks[j].clause != last_clause:
                break
            if _negative_word(toks[j].key):
                return True
        return False
