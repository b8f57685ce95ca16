"""The offer checker: text in, explained verdict out (risk, score, flags, agencies, entities, advice, hotlines).

`Checker` is built once per content version (it compiles every pattern and holds the registry index);
`Checker.check` then does no work that could have been done at load time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Iterable, Mapping, Sequence

from . import extract as ex
from .flags import FlagEngine, FlagHit, RuleLike, money_token_indexes
from .language import detect as detect_language
from .normalize import fold, tokens
from .patterns import Match, PatternSet
from .registry import Registry, RegistryMatch
from .warnings import WarningIndex

MAX_CHARS = 200_000  # longer input is checked up to here and the verdict says so
FALLBACK = {"uz_Cyrl": ("uz_Cyrl", "uz", "ru", "en"), "en": ("en", "ru")}
REGISTRY_KIND = {"job": "employment", "travel": "travel", "marriage": "marriage", "study": "other"}
RISK_ORDER = ("unknown", "low", "medium", "high")


def locale_chain(locale: str) -> tuple[str, ...]:
    """Locales to try for a text, best first: uz_Cyrl -> uz -> ru -> en; others -> ru -> en."""
    return FALLBACK.get(locale, (locale, "ru", "en"))


def pick(texts: Mapping[str, str] | None, locale: str) -> str:
    """The text for `locale` from a {locale: text} map, following the fallback chain."""
    if not texts:
        return ""
    for loc in locale_chain(locale):
        if texts.get(loc):
            return texts[loc]
    return next(iter(texts.values()), "")


@dataclass
class Verdict:
    risk: str
    score: int
    kind: str
    language: str
    locale: str
    country: str | None
    flags: list[dict[str, Any]]
    agencies: list[dict[str, Any]]
    entities: dict[str, Any]
    advice: list[str]
    hotlines: list[dict[str, Any]]
    truncated: bool = False
    id: Any = None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {} if self.id is None else {"id": self.id}
        d.update(risk=self.risk, score=self.score, kind=self.kind, language=self.language, locale=self.locale,
                 country=self.country, flags=self.flags, agencies=self.agencies, entities=self.entities,
                 advice=self.advice, hotlines=self.hotlines)
        if self.truncated:
            d["truncated"] = True
        return d


@dataclass
class Checker:
    rules: Sequence[RuleLike]
    registry: Registry = field(default_factory=Registry)
    countries: Mapping[str, Sequence[str]] = field(default_factory=dict)
    kind_cues: Mapping[str, Mapping[str, Sequence[str]]] = field(default_factory=dict)
    advice: Mapping[str, Sequence[Mapping[str, str]]] = field(default_factory=dict)
    hotlines: Sequence[Any] = ()
    warnings: WarningIndex = field(default_factory=WarningIndex)

    def __post_init__(self) -> None:
        self.engine = FlagEngine(self.rules)
        # Per country: help lines first, then the single emergency number ("112").
        self._hotlines_by_country: dict[str, list[Any]] = {}
        for code in dict.fromkeys(h.country for h in self.hotlines):
            lines = [h for h in self.hotlines if h.country == code]
            self._hotlines_by_country[code] = (
                [h for h in lines if "emergency" not in h.purpose]
                + [h for h in lines if "emergency" in h.purpose and "police" not in h.purpose][:1])
        self.rule_by_id = {r.id: r for r in self.rules}
        self.country_matcher = ex.build_country_matcher({c: list(n) for c, n in self.countries.items()})
        self.kind_matcher = PatternSet()
        for kind, langs in self.kind_cues.items():
            for patterns in langs.values():
                for p in patterns:
                    self.kind_matcher.add(p, kind)
        # One pass over a message's words finds red flags, negations, pay words, offer kinds and countries.
        self.shared = PatternSet()
        self.engine.register(self.shared)
        for source, payload, gap in self.kind_matcher.sources():
            self.shared.add(source, ("k", payload), gap)
        for source, payload, _gap in self.country_matcher.sources():
            self.shared.add(source, ("C", payload), 0)

    # --- pieces ---
    def detect_kind(self, toks, folded, matches=None) -> str | None:
        counts: dict[str, int] = {}
        voted: set[tuple[str, int]] = set()
        for m in (matches if matches is not None else self.kind_matcher.search(toks, folded)):
            if (m.payload, m.first) not in voted:  # one vote per kind per word, however many cues list it
                voted.add((m.payload, m.first))
                counts[m.payload] = counts.get(m.payload, 0) + 1
        if not counts:
            return None
        order = list(REGISTRY_KIND)
        return max(counts, key=lambda k: (counts[k], -order.index(k) if k in order else -99))

    def _agency_entry(self, query: str, match: RegistryMatch | None, today: date, similar=()) -> dict[str, Any]:
        if match is None:
            return {"query": query, "name": None, "country": None, "kind": None, "license_no": None,
                    "status": "not_found", "match": 0, "source_url": None, "retrieved": None, "via": None,
                    "similar": [{"name": s.agency.name, "country": s.agency.country, "match": s.score}
                                for s in similar]}
        a = match.agency
        return {"query": query, "name": a.name, "country": a.country, "kind": a.kind, "license_no": a.license_no or None,
                "status": a.effective_status(today), "match": match.score, "source_url": a.source_url,
                "retrieved": a.retrieved.isoformat(), "valid_until": a.valid_until.isoformat() if a.valid_until else None,
                "via": match.via}

    def lookup_agencies(self, text: str, ents: ex.Entities, today: date, country: str | None,
                        toks=None, folded=None) -> list[dict[str, Any]]:
        """Registry results for every agency reference in the offer; not_found only for names and licence ids."""
        entries: list[dict[str, Any]] = []
        seen: set[int] = set()

        def add(query: str, matches: list[RegistryMatch], report_missing: bool, similar=()) -> None:
            if matches:
                m = matches[0]
                if m.row not in seen:
                    seen.add(m.row)
                    entries.append(self._agency_entry(query, m, today))
            elif report_missing:
                entries.append(self._agency_entry(query, None, today, similar))

        reg = self.registry
        for lic in ents.licenses:
            add(lic, reg.by_license(lic), True)
        for code in ex.codes(text):
            if code not in ents.licenses:
                add(code, reg.by_license(code) or reg.by_tax_id(code) if any(c.isdigit() for c in code) else [], False)
        for tax in ents.tax_ids:
            add(tax.text, reg.by_tax_id(tax.value), tax.kind == "kz_bin" and bool(tax.valid))
        for phone in ents.phones:
            add(phone.text, reg.by_phone(phone.e164), False)
        for link in ents.urls:
            add(link.text, reg.by_website(link.domain), False)
        if toks:
            keys = [t.key for t in toks]
            original, origin = folded.original, folded.origin  # a token's first character, in the original
            caps = [original[origin[t.start]].isupper() for t in toks]
            for first, last, match in reg.scan(keys, caps):
                a, _ = folded.span(toks[first].start, toks[first].end)
                _, b = folded.span(toks[last].start, toks[last].end)
                add(text[a:b], [match], False)
        for name in ents.agencies:
            found = reg.by_name(name)
            if found and found[0].row in seen:
                continue
            if not found and self._only_places(name):
                continue
            add(name, found, True, () if found else reg.similar(name))
        return entries

    def _only_places(self, name: str) -> bool:
        """True for a 'name' that is just a country or city ("Turkiyaga"): not an agency to look up."""
        f = fold(name)
        toks = tokens(f)
        hits = self.country_matcher.search(toks, f)
        covered = {i for m in hits for i in range(m.first, m.last + 1)}
        return bool(toks) and len(covered) == len(toks)

    def _registry_flags(self, text: str, agencies: list[dict[str, Any]]) -> list[FlagHit]:
        hits: list[FlagHit] = []
        for rid, statuses in (("license_not_active", ("suspended", "revoked", "expired")),
                              ("unlicensed_agency", ("not_found",))):
            if rid not in self.rule_by_id:
                continue
            for entry in agencies:
                if entry["status"] in statuses:
                    q = entry["query"]
                    start = max(0, text.find(q))
                    hits.append(FlagHit(rid, start, start + len(q), q, "registry"))
                    break
        return hits

    def _contact_flags(self, text: str, ents: ex.Entities, already: set[str]) -> list[FlagHit]:
        """A Telegram handle or link is the only way to reach them: no phone, no website."""
        rid = "messenger_only_contact"
        if rid in already or rid not in self.rule_by_id or not ents.telegram or ents.phones or ents.urls:
            return []
        handle = ents.telegram[0].lstrip("@").split("/")[-1]
        start = text.casefold().find(handle.casefold())
        if start < 0:
            return []
        if text[start - 1:start] == "@":
            start -= 1
        end = text.casefold().find(handle.casefold(), start) + len(handle)
        return [FlagHit(rid, start, end, text[start:end], "contacts")]

    def _reported_flags(self, text: str, ents: ex.Entities) -> list[FlagHit]:
        """A contact or name that users reported and NGO staff confirmed (content/warnings/)."""
        rid = "reported_by_users"
        if rid not in self.rule_by_id or not len(self.warnings):
            return []
        for written, _item in self.warnings.find(ents):
            start = text.find(written)
            if start >= 0:
                return [FlagHit(rid, start, start + len(written), written, "warnings")]
        return []

    def _hotlines(self, locale: str, country: str | None, destinations: list[str]) -> list[dict[str, Any]]:
        wanted = [c for c in [*destinations, country] if c] + ["INT"]
        out = []
        for code in dict.fromkeys(wanted):
            for h in self._hotlines_by_country.get(code, ()):
                out.append({"country": h.country, "name": pick(h.name, locale), "numbers": list(h.numbers),
                            "purpose": list(h.purpose), "confidence": h.confidence, "source_url": h.source_url,
                            "checked": h.checked.isoformat()})
        return out[:6]

    @staticmethod
    def _risk(flags: list[dict[str, Any]], substantive: bool) -> tuple[str, int]:
        remaining = 1.0
        for f in flags:
            remaining *= 1 - f["weight"] / 100
        score = round(100 * (1 - remaining))
        severities = {f["severity"] for f in flags}
        if "high" in severities or score >= 60:
            return "high", score
        if "medium" in severities or score >= 25:
            return "medium", score
        if flags:
            return "low", score
        return ("low" if substantive else "unknown"), score

    # --- the whole check ---
    def check(self, text: str, kind: str | None = None, country: str | None = None, lang: str | None = None,
              today: date | None = None) -> Verdict:
        today = today or date.today()
        truncated = len(text) > MAX_CHARS
        text = text[:MAX_CHARS]
        folded = fold(text)
        toks = tokens(folded)
        language = detect_language(text, folded=folded.text)
        locale = lang or language
        country = country.upper() if country else None
        ents = ex.extract(text, toks, folded, None, country)
        money_tokens = money_token_indexes(toks, folded, ents.money)
        groups: dict[str, list] = {"f": [], "n": [], "c": [], "k": [], "C": []}
        for m in self.shared.search(toks, folded, money_tokens):
            tag, value = m.payload
            groups[tag].append(Match(value, *m[1:]))
        ents.countries = list(dict.fromkeys(m.payload for m in groups["C"]))
        offer_kind = kind or self.detect_kind(toks, folded, groups["k"])
        hits = self.engine.detect(toks, folded, money=ents.money, matches=groups, money_tokens=money_tokens)
        if kind:  # the user said what kind of offer it is: keep its rules, and every high-severity rule
            hits = [h for h in hits if kind in self.rule_by_id[h.rule_id].kinds
                    or self.rule_by_id[h.rule_id].severity == "high"]
        agencies = self.lookup_agencies(text, ents, today, country, toks, folded)
        hits += self._registry_flags(text, agencies)
        hits += self._contact_flags(text, ents, {h.rule_id for h in hits})
        hits += self._reported_flags(text, ents)
        flags = []
        for h in hits:
            rule = self.rule_by_id[h.rule_id]
            flags.append({"id": rule.id, "severity": rule.severity, "weight": rule.weight, "evidence": h.evidence,
                          "start": h.start, "end": h.end, "explanation": pick(rule.explanation, locale),
                          "advice": pick(rule.advice, locale),
                          "sources": [{"title": s.title, "url": s.url} for s in rule.sources]})
        flags.sort(key=lambda f: (-RISK_ORDER.index(f["severity"]) if f["severity"] in RISK_ORDER else 0,
                                  -f["weight"], f["start"]))
        substantive = len(toks) >= 6 or bool(agencies) or bool(ents.phones or ents.urls or ents.telegram)
        risk, score = self._risk(flags, substantive)
        advice = [f["advice"] for f in flags[:4] if f["advice"]]
        for level in ([risk] + (["not_found"] if any(a["status"] == "not_found" for a in agencies) else [])):
            advice += [pick(item, locale) for item in self.advice.get(level, ())]
        return Verdict(
            risk=risk, score=score, kind=offer_kind or "unknown", language=language, locale=locale,
            country=country, flags=flags, agencies=agencies,
            entities={"phones": [p.e164 for p in ents.phones], "urls": [u.text for u in ents.urls],
                      "telegram": ents.telegram,
                      "money": [{"text": m.text, "amount": m.amount, "currency": m.currency, "period": m.period}
                                for m in ents.money],
                      "countries": ents.countries, "licenses": ents.licenses,
                      "tax_ids": [t.value for t in ents.tax_ids], "agencies": ents.agencies},
            advice=list(dict.fromkeys(a for a in advice if a)),
            hotlines=self._hotlines(locale, country, ents.countries), truncated=truncated,
        )


def checker_from_content(content: Any) -> Checker:
    """Build a Checker from a loaded bot.content.Content."""
    countries = {c: list(v.names) for c, v in content.countries.countries.items()} if content.countries else {}
    kinds = ({k: dict(v.patterns) for k, v in content.offer_kinds.kinds.items()} if content.offer_kinds else {})
    advice = {k: list(v) for k, v in content.advice.advice.items()} if content.advice else {}
    return Checker(rules=list(content.rules), registry=content.registry, countries=countries, kind_cues=kinds,
                   advice=advice, hotlines=list(content.hotlines), warnings=content.warnings)


def check_many(checker: Checker, items: Iterable[dict[str, Any]], **defaults: Any) -> Iterable[Verdict]:
    for item in items:
        v = checker.check(item.get("text", ""), kind=item.get("kind") or defaults.get("kind"),
                          country=item.get("country") or defaults.get("country"),
                          lang=item.get("lang") or defaults.get("lang"), today=defaults.get("today"))
        v.id = item.get("id")
        yield v
