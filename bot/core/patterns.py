"""Compiled multi-pattern word matching, robust to inflection and script.

Patterns use the NGO-friendly syntax of content/red_flags/README.md: words in order, `stem*` for any
ending, `*` for exactly one word, `$` for a money amount, up to `max_gap` other words between two pattern
words, `re:` for a regular expression. All patterns of a set are compiled once into a dictionary keyed by the phonetic key
of their first word (exact words) or by their first stem (stems, probed by length), so a message costs
one dictionary probe per word and stem length instead of one regex scan per pattern.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from .normalize import Folded, Token, fold_text, word_key

MIN_STEM = 3


class PatternError(ValueError):
    """A pattern that cannot be compiled; the message says why."""


@dataclass(frozen=True, slots=True)
class Term:
    key: str
    prefix: bool = False
    wildcard: bool = False
    money: bool = False  # `$`: a word that is part of a money amount ("500$", "2 млн сум")

    def matches(self, token_key: str, index: int, money: frozenset[int]) -> bool:
        if self.wildcard:
            return True
        if self.money:
            return index in money
        if self.prefix:
            return token_key.startswith(self.key)
        return token_key == self.key


@dataclass(frozen=True, slots=True)
class Pattern:
    source: str
    terms: tuple[Term, ...]
    payload: Any
    # Keys (or stems) every later word needs somewhere in the text: a cheap set test rejects most
    # candidates before the positional walk.
    required: frozenset[str] = frozenset()
    gap: int = 2  # other words allowed between two pattern words


class Match(NamedTuple):  # a tuple: a message makes dozens, and tuples are the cheapest to build
    payload: Any
    pattern: str
    first: int  # token index range [first, last]
    last: int
    start: int  # span in the folded text
    end: int


def parse_pattern(text: str) -> tuple[Term, ...] | re.Pattern[str]:
    """Parse one pattern string; raise PatternError with a plain reason when it is unusable."""
    text = text.strip()
    if not text:
        raise PatternError("empty pattern")
    if text.startswith("re:"):
        try:
            return re.compile(text[3:].strip())
        except re.error as exc:
            raise PatternError(f"bad regular expression: {exc}") from None
    terms = []
    for raw in text.split():
        if raw == "*":
            terms.append(Term("", wildcard=True))
            continue
        if raw == "$":
            terms.append(Term("", money=True))
            continue
        prefix = raw.endswith("*")
        word = fold_text(raw.rstrip("*")).strip("'")
        parts = re.findall(r"[\w']+", word)
        if len(parts) != 1:
            # "абу-даби" -> two words; only the last may carry the stem star.
            for p in parts[:-1]:
                terms.append(Term(word_key(p.strip("'"))))
            word = parts[-1] if parts else ""
        k = word_key(word.strip("'"))
        if not k:
            raise PatternError(f"'{raw}' has no letters or digits")
        if prefix and len(word.strip("'")) < MIN_STEM:
            raise PatternError(f"stem '{raw}' is too short (at least {MIN_STEM} letters before *)")
        terms.append(Term(k, prefix=prefix))
    if terms[0].wildcard:
        raise PatternError("a pattern cannot start with a lone *")
    if all(t.money or t.wildcard for t in terms):
        raise PatternError("a pattern needs at least one word besides $ and *")
    return tuple(terms)


@dataclass
class PatternSet:
    """A compiled set of patterns; add() everything, then search() many texts."""

    max_gap: int = 2
    _exact: dict[str, list[Pattern]] = field(default_factory=dict)
    _prefix: dict[str, list[Pattern]] = field(default_factory=dict)
    _prefix_lengths: list[int] = field(default_factory=list)
    _regexes: list[tuple[re.Pattern[str], str, Any]] = field(default_factory=list)
    _money_first: list[Pattern] = field(default_factory=list)  # patterns that start with `$`
    count: int = 0
    _memo: dict[str, list[Pattern]] = field(default_factory=dict)
    _required: set[str] = field(default_factory=set)  # every key or stem some pattern requires
    _required_memo: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def add(self, text: str, payload: Any, max_gap: int | None = None) -> None:
        """Compile one pattern; `max_gap` overrides the set's default for it (0 for names like countries)."""
        parsed = parse_pattern(text)
        self.count += 1
        self._memo.clear()
        if isinstance(parsed, re.Pattern):
            self._regexes.append((parsed, text, payload))
            return
        required = frozenset(t.key for t in parsed[1:] if not (t.wildcard or t.money))
        self._required.update(required)
        self._required_memo.clear()
        pattern = Pattern(text, parsed, payload, required, self.max_gap if max_gap is None else max_gap)
        first = parsed[0]
        if first.money:
            self._money_first.append(pattern)
        elif first.prefix:
            self._prefix.setdefault(first.key, []).append(pattern)
            if len(first.key) not in self._prefix_lengths:
                self._prefix_lengths.append(len(first.key))
                self._prefix_lengths.sort()
        else:
            self._exact.setdefault(first.key, []).append(pattern)

    def sources(self) -> list[tuple[str, Any, int]]:
        """(pattern text, payload, gap) of every pattern, to copy them into another set."""
        words = [p for group in (*self._exact.values(), *self._prefix.values()) for p in group] + self._money_first
        return [(p.source, p.payload, p.gap) for p in words] + [(src, pl, self.max_gap) for _, src, pl in self._regexes]

    def _candidates(self, key: str) -> list[Pattern]:
        """Patterns whose first word can match a word with this key (memoised: words repeat a lot)."""
        cached = self._memo.get(key)
        if cached is not None:
            return cached
        found = list(self._exact.get(key, ()))
        for n in self._prefix_lengths:
            if n > len(key):
                break
            found.extend(self._prefix.get(key[:n], ()))
        if len(self._memo) > 50_000:
            self._memo.clear()
        self._memo[key] = found
        return found

    def _present(self, toks: list[Token]) -> set[str]:
        """The required keys and stems this message has: those that are a token key or a prefix of one."""
        memo = self._required_memo
        present: set[str] = set()
        for t in toks:
            found = memo.get(t.key)
            if found is None:
                k = t.key
                found = tuple(k[:n] for n in range(1, len(k) + 1) if k[:n] in self._required)
                if len(memo) > 50_000:
                    memo.clear()
                memo[k] = found
            if found:
                present.update(found)
        return present

    def _extend(self, terms: tuple[Term, ...], toks: list[Token], i: int, money: frozenset[int],
                after_money: bool = False, gap: int = 2) -> int | None:
        """Index of the token matching the last term, trying later terms after each gap; None if no match.

        Pattern words stay within one clause ("без предоплаты, договор…" is not "без договора"), except
        that a money amount may be joined to its word across a comma ("2500 сомонӣ, пешакӣ")."""
        if not terms:
            return i
        term = terms[0]
        limit = min(len(toks), i + 2 + (0 if term.wildcard else gap))
        loose = after_money
        here = toks[i].sentence if loose else toks[i].clause
        for j in range(i + 1, limit):
            if (toks[j].sentence if loose else toks[j].clause) != here:
                break
            if term.matches(toks[j].key, j, money):
                if term.money:  # a money amount spans several words: continue after its last one
                    while j + 1 < len(toks) and j + 1 in money:
                        j += 1
                end = self._extend(terms[1:], toks, j, money, term.money, gap)
                if end is not None:
                    return end
        return None

    def search(self, toks: list[Token], folded: Folded | None = None,
               money: frozenset[int] = frozenset()) -> list[Match]:
        """All pattern matches in a tokenised text, in text order (one per pattern and start token).

        `money`: indexes of the tokens that belong to money amounts, for `$` terms."""
        matches: list[Match] = []
        candidates = self._candidates
        present: set[str] | None = None
        money_first = self._money_first
        for i, tok in enumerate(toks):
            found = candidates(tok.key)
            if money_first and i in money and (i == 0 or i - 1 not in money):
                found = found + money_first
            for pattern in found:
                if pattern.required:
                    if present is None:
                        present = self._present(toks)
                    if not pattern.required <= present:
                        continue
                first = i
                if pattern.terms[0].money:
                    while first + 1 < len(toks) and first + 1 in money:
                        first += 1
                last = self._extend(pattern.terms[1:], toks, first, money, pattern.terms[0].money, pattern.gap)
                if last is not None:
                    matches.append(Match(pattern.payload, pattern.source, i, last, tok.start, toks[last].end))
        if self._regexes and folded is not None:
            matches.extend(self._regex_matches(toks, folded))
        matches.sort(key=lambda m: (m.start, m.end))
        return matches

    def _regex_matches(self, toks: list[Token], folded: Folded) -> list[Match]:
        out = []
        for regex, source, payload in self._regexes:
            for m in regex.finditer(folded.text):
                if m.end() <= m.start():
                    continue
                first = next((k for k, t in enumerate(toks) if t.end > m.start()), len(toks) - 1)
                # the last word that starts inside the match (a match ending on "$" must not take the next word)
                last = max(first, max((k for k, t in enumerate(toks) if t.start < m.end()), default=first))
                out.append(Match(payload, source, first, last, m.start(), m.end()))
        return out
