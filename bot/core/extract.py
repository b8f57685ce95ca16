"""Entity extraction from offer texts: phones, links, Telegram handles, money, ids, agency names, countries.

Every entity keeps `text`, the exact substring of the input it came from, so the bot can quote it.
"""

from __future__ import annotations

import re
from functools import lru_cache
from dataclasses import asdict, dataclass, field

import phonenumbers

from .normalize import Folded, Token, fold_text, word_key
from .patterns import PatternSet

ORIGIN_REGIONS = ("KZ", "UZ", "KG", "TJ", "RU")
_DIGIT_RE = re.compile(r"\d")


def _lead(alternation: str, n: int = 1) -> str:
    """A lookahead for the first `n` characters of a regex alternation ("agency|компани\\w*|…") whose branches
    each begin with `n` literal characters. Put in front of the alternation (with the same flags), it lets the
    regex engine reject most positions with one character-class test instead of trying every branch, and it
    cannot lose a match."""
    classes: list[set[str]] = [set() for _ in range(n)]
    for alt in alternation.split("|"):
        assert "(" not in alt, alt
        i = 0
        for k in range(n):
            ch = alt[i]
            if ch == "\\":
                ch = alt[i + 1]
                assert not ch.isalnum(), alt
                i += 2
            else:
                assert ch not in "[](){}.*+?|^$", alt
                i += 1
            assert alt[i:i + 1] not in ("?", "*", "{"), alt  # the prefix must not be optional
            classes[k].add(ch)
    return "(?=" + "".join("[" + re.escape("".join(sorted(c))) + "]" for c in classes) + ")"


# --- phones ---------------------------------------------------------------------------------------------

_PHONE_RE = re.compile(r"(?=[+(\d])(?<![\w+])(\+?\(?\d[\d \u00a0\-().]{6,20}\d)(?![\w])")


@dataclass(slots=True)
class Phone:
    text: str
    e164: str
    country: str | None


@lru_cache(maxsize=8192)
def _parse_phone(raw: str, hint: str | None) -> phonenumbers.PhoneNumber | None:
    """Cached: the same recruiter numbers come back in ad after ad, and phonenumbers is slow."""
    digits = re.sub(r"\D", "", raw)
    if not 9 <= len(digits) <= 15:
        return None
    if raw.lstrip("(").startswith("+"):
        candidates: list[tuple[str, str | None]] = [("+" + digits, None)]
    elif len(digits) == 11 and digits[0] == "8":  # Russian/Kazakh trunk prefix: 8 701 ... = +7 701 ...
        candidates = [("+7" + digits[1:], None)]
    elif len(digits) >= 11 and digits[:3] in ("998", "996", "992") or (len(digits) == 11 and digits[0] == "7"):
        candidates = [("+" + digits, None)]
    else:
        regions = ([hint] if hint else []) + [r for r in ORIGIN_REGIONS if r != hint]
        candidates = [(digits, r) for r in regions]
    for number, region in candidates:
        try:
            parsed = phonenumbers.parse(number, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(parsed):
            return parsed
    return None


def phones(text: str, country_hint: str | None = None, matches: list[re.Match[str]] | None = None) -> list[Phone]:
    """Phone numbers in text; `matches` are _PHONE_RE's matches when the caller already has them."""
    found: dict[str, Phone] = {}
    for m in (_PHONE_RE.finditer(text) if matches is None else matches):
        raw = m.group(1).strip(" -.(")
        if raw.count("(") != raw.count(")"):
            raw = raw.replace("(", "").replace(")", "") if raw.startswith("(") else raw
        parsed = _parse_phone(raw, country_hint)
        if parsed is None:
            continue
        e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
        found.setdefault(e164, Phone(m.group(1).strip(), e164, phonenumbers.region_code_for_number(parsed)))
    return list(found.values())


def normalize_phone(raw: str, country_hint: str | None = None) -> str | None:
    """E.164 form of a phone number written any usual way, or None."""
    parsed = _parse_phone(raw.strip(), country_hint)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164) if parsed else None


# --- links and Telegram ---------------------------------------------------------------------------------

_TLDS = ("com|net|org|info|biz|kz|ru|uz|kg|tj|ua|by|tr|ae|kr|pl|de|io|me|site|online|store|pro|club|top|xyz|"
         "work|jobs|asia|eu|us|uk|co|app|shop|link|cc|tk|ws|su|рф|қаз")
_URL_RE = re.compile(
    r"(?i)(?<![@\w.])((?:https?://)?(?:www\.)?(?:[a-z0-9\u0400-\u04ff](?:[a-z0-9\u0400-\u04ff-]{0,61}[a-z0-9\u0400-\u04ff])?\.)+"
    rf"(?:{_TLDS}))(?![\w.]*@)(\b(?:/[^\s<>\"«»]*)?)"
)
# Every link ends in "." + a known top-level domain: texts without one skip the costly URL regex.
_URL_GATE = re.compile(rf"(?i)\.(?:{_TLDS})")
_TG_LINK_RE = re.compile(r"(?i)(?:https?://)?(?:t|telegram)\.me/(\+?[\w]{3,64})")
_HANDLE_RE = re.compile(r"(?<![\w.@])@([A-Za-z][A-Za-z0-9_]{3,31})\b")


@dataclass(slots=True)
class Link:
    text: str
    domain: str


def domain_of(url: str) -> str:
    """Bare lower-case domain of a URL or website field ("https://www.X.kz/a" -> "x.kz")."""
    d = url.strip().lower()
    if "://" in d:
        d = d.split("://", 1)[1]
    d = d.split("/", 1)[0].split("?", 1)[0]
    return d[4:] if d.startswith("www.") else d


def urls(text: str) -> list[Link]:
    out: dict[str, Link] = {}
    if not _URL_GATE.search(text):
        return []
    for m in _URL_RE.finditer(text):
        whole = (m.group(1) + (m.group(2) or "")).rstrip(".,;:!?)")
        dom = domain_of(whole)
        if dom in ("t.me", "telegram.me") or re.fullmatch(r"[\d.]+", dom):
            continue
        out.setdefault(dom, Link(whole, dom))
    return list(out.values())


def telegram(text: str) -> list[str]:
    """Telegram handles and links, normalised to '@name' (or the t.me link for invite links)."""
    seen: dict[str, None] = {}
    if "/" in text:  # every link has "me/"
        for m in _TG_LINK_RE.finditer(text):
            name = m.group(1)
            seen.setdefault(f"https://t.me/{name}" if name.startswith("+") else "@" + name.lower(), None)
    if "@" in text:
        for m in _HANDLE_RE.finditer(text):
            seen.setdefault("@" + m.group(1).lower(), None)
    return list(seen)


# --- money ------------------------------------------------------------------------------------------------

_CURRENCIES = {
    "USD": r"\$|usd|us\$|доллар\w*|долл\.?|dollar\w*|доллор\w*|долар\w*|бакс\w*|у\.\s?е\.?",
    "EUR": r"€|eur|евро|euro\w*|yevro",
    "KZT": r"₸|тг\.?|тенге|теңге|tenge|tg",
    "UZS": r"сум\w*|сўм\w*|so['‘’ʻ`]m\w*|som\b|sum\b|uzs",
    "KGS": r"сом\b|сома|сомов|kgs",
    "TJS": r"сомон\w*|somoni\w*|tjs",
    "RUB": r"₽|руб\w*|rub\w*|р\.",
    "KRW": r"₩|won|вон\b|krw",
    "TRY": r"₺|лир\w*|lira\w*|tl\b|try\b",
    "AED": r"aed|дирхам\w*|dirham\w*",
    "GBP": r"£|gbp|фунт\w*|pound\w*",
    "PLN": r"pln|zł|злот\w*|zloty",
    "JPY": r"¥|иен\w*|yen\b|jpy",
}
_MULT = r"(?P<mult>k\b|к\b|тыс\.?|тысяч\w*|ming\b|мың\b|миң\b|ҳазор\b|hazor\b|млн\.?|mln\.?|million\w*|миллион\w*)"
_NUM = r"(?P<num>\d{1,3}(?:[ \u00a0\u202f.,']\d{3})+(?!\d)|\d+(?:[.,]\d{1,2})?)"
_CUR_ALT = "|".join(f"(?P<{c}>{p})" for c, p in _CURRENCIES.items())
# The leading lookaheads let the regex engine skip positions that cannot start an amount, and the one before
# the currency spares trying every currency after every number (a phone number has many). The number is atomic:
# a shorter reading of it always ends before a digit or separator, where no currency or multiplier can start.
_MONEY_AFTER = re.compile(rf"(?=\d)(?<![\w.,])(?>{_NUM})\s?{_MULT}?\s?{_lead('|'.join(_CURRENCIES.values()))}"
                          rf"(?:{_CUR_ALT})(?!\w)", re.IGNORECASE)
_SYMBOLS = {"USD": r"\$|usd|us\$", "EUR": r"€|eur", "GBP": r"£|gbp", "KZT": r"₸|kzt", "RUB": r"₽|rub", "KRW": r"₩|krw",
            "TRY": r"₺", "JPY": r"¥", "AED": r"aed"}
_MONEY_BEFORE = re.compile(rf"(?=[$€£₸₽₩₺¥uegkra])(?=[\s\S]{{1,4}}\d)(?:{'|'.join(f'(?P<{c}>{p})' for c, p in _SYMBOLS.items())})\s?{_NUM}(?:\s?{_MULT})?",
                           re.IGNORECASE)
_PERIOD_WORDS = (r"month\w*|мес\w*|mes\w*|nedel\w*|den\b|chas\w*|oy\w*|ой\w*|ай\w*|моҳ\w*|mo\b|week\w*|недел\w*|hafta\w*|ҳафта\w*|апта\w*|"
                 r"жума\w*|day|days|daily|день|дн\w*|сутки|kun\w*|кун\w*|күн\w*|рӯз\w*|hour\w*|час\w*|soat\w*|"
                 r"сағ\w*|саат\w*|соат\w*|hr\b|h\b|year\w*|год\w*|yil\w*|жыл\w*|сол\w*")
_PERIOD_RE = re.compile(
    rf"^(?:\s?[-–—]\s?\d[\d \u00a0.,]*\s?)?\s*(?:/|в|v|per|a|за|za|dar\s+як|дар\s+як)?\s*(?P<p>{_PERIOD_WORDS})",
    re.IGNORECASE)
_PERIOD_BEFORE_RE = re.compile(
    rf"(?:в|v|per|a|за|za|дар\s+як|har)\s+(?P<p>{_PERIOD_WORDS})\W{{0,3}}(?:от|ot|to|то|from|dan)?\s*$"
    rf"|(?P<q>oyiga|oylik|ойига|ойлик|айына|айлык|айлығы|kuniga|кунига|күніне|күнүнө|haftasiga|ҳафтасига|"
    rf"аптасына|жумасына|моҳона|рӯзона|ҳафтаина|daily|weekly|monthly)\W{{0,3}}(?:от|ot|to|то|from|dan)?\s*$",
    re.IGNORECASE)
_PERIODS = (("year", ("year", "год", "yil", "жыл", "сол")),
            ("week", ("week", "недел", "nedel", "hafta", "ҳафта", "апта", "жума")),
            ("month", ("mon", "mo", "мес", "mes", "oy", "ой", "ай", "моҳ")),
            ("day", ("day", "daily", "ден", "den", "дн", "сутки", "kun", "кун", "күн", "рӯз")),
            ("hour", ("hour", "hr", "h", "час", "chas", "soat", "сағ", "саат", "соат")))


@dataclass(slots=True)
class Money:
    text: str
    amount: float
    currency: str
    period: str | None = None
    start: int = 0  # span in the original text
    end: int = 0


def _amount(num: str, mult: str | None) -> float:
    s = re.sub(r"[ \u00a0\u202f']", "", num)
    if re.search(r"[.,]\d{3}(?:[.,]\d{3})*$", s) and not re.fullmatch(r"\d+[.,]\d{1,2}", s):
        s = re.sub(r"[.,]", "", s)
    value = float(s.replace(",", "."))
    if mult:
        m = mult.lower()
        value *= 1_000_000 if m.startswith(("млн", "mln", "mil")) else 1000
    return value


def money(text: str) -> list[Money]:
    out: list[Money] = []
    taken: list[tuple[int, int]] = []
    hits = list(_MONEY_AFTER.finditer(text))
    hits += [m for m in _MONEY_BEFORE.finditer(text) if not any(a < m.end() and m.start() < b for a, b in
                                                                 ((h.start(), h.end()) for h in hits))]
    for m in sorted(hits, key=lambda h: h.start()):
        groups = m.groupdict()
        currency = next((c for c, v in groups.items() if v and c in _CURRENCIES), None)
        if currency is None or not groups.get("num"):
            continue
        try:
            amount = _amount(groups["num"], groups.get("mult"))
        except ValueError:
            continue
        period = None
        pm = _PERIOD_RE.match(text[m.end(): m.end() + 20])
        if pm is None:
            pm = _PERIOD_BEFORE_RE.search(text[max(0, m.start() - 24): m.start()])
        if pm:
            word = (pm.group("p") or pm.groupdict().get("q") or "").lower()
            word = {"daily": "day", "weekly": "week", "monthly": "month", "oyiga": "oy", "oylik": "oy",
                    "ойига": "ой", "ойлик": "ой", "айына": "ай", "айлык": "ай", "айлығы": "ай", "kuniga": "kun",
                    "кунига": "кун", "күніне": "күн", "күнүнө": "күн", "haftasiga": "hafta", "ҳафтасига": "ҳафта",
                    "аптасына": "апта", "жумасына": "жума", "моҳона": "моҳ", "рӯзона": "рӯз",
                    "ҳафтаина": "ҳафта"}.get(word, word)
            period = next((name for name, stems in _PERIODS if word.startswith(stems)), None)
        raw = m.group()
        lead = len(raw) - len(raw.lstrip())
        out.append(Money(raw.strip(), amount, currency, period, m.start() + lead, m.start() + lead + len(raw.strip())))
        taken.append((m.start(), m.end()))
    return out


# --- licence numbers and tax ids --------------------------------------------------------------------------

_LICENSE_WORDS = r"лиценз\w*|licen[sc]e\w*|litsenziya\w*|лицензия\w*|иҷозатнома\w*|ruxsatnoma\w*|рухсатнома\w*"
_LICENSE_RE = re.compile(
    rf"(?i){_lead(_LICENSE_WORDS, 2)}(?:{_LICENSE_WORDS})"
    r"[^\S\n]*(?:no\.?|№|n|nr\.?|номер\w*|nomer\w*|raqam\w*|рақам\w*|рақами)?[^\S\n]*[:#№]?[^\S\n]*"
    r"((?:[A-Za-zА-Яа-я]{1,6}[-/ ]?){0,3}\d[\w\-/.]{1,30}\w)"
)
_TAX_WORDS = "бин|bin|иин|iin|инн|inn|stir|стир|ИНН"
_TAX_RE = re.compile(rf"(?i){_lead(_TAX_WORDS)}\b(?:{_TAX_WORDS})\b\s*[:№#]?\s*(\d{{9,14}})\b")
# Starts with a digit so the engine can skip to digits; the lookbehind then looks before that first digit.
_BARE12_RE = re.compile(r"(\d(?<![\d+]\d)\d{11})(?!\d)")
# The lookaheads only let through the starts of words that have a digit within their first 15 characters.
_CODE_RE = re.compile(r"(?=[A-Za-zА-Яа-я\d])(?<![\w-])(?=[A-Za-zА-Яа-я/-]{0,14}\d)"
                      r"([A-Za-zА-Яа-я]{1,6}[-/]?[A-Za-zА-Яа-я]{0,6}[-/]?\d[\w\-/]{2,30}|\d{5,14})(?![\w-])")


def kz_bin_valid(value: str) -> bool:
    """Check digit of a Kazakh BIN/IIN (12 digits; weights 1..11, then 3..11,1,2 when the sum mod 11 is 10)."""
    if not re.fullmatch(r"\d{12}", value):
        return False
    d = [int(c) for c in value]
    s = sum(a * w for a, w in zip(d[:11], range(1, 12))) % 11
    if s == 10:
        s = sum(a * w for a, w in zip(d[:11], (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2))) % 11
        if s == 10:
            return False
    return s == d[11]


@dataclass(slots=True)
class TaxId:
    text: str
    value: str
    kind: str  # kz_bin | other
    valid: bool | None


def licenses(text: str) -> list[str]:
    return list(dict.fromkeys(m.group(1).rstrip(".-/") for m in _LICENSE_RE.finditer(text)))


def codes(text: str) -> list[str]:
    """Every token that could be a licence number or id (letters+digits with dashes, or long digit runs)."""
    return list(dict.fromkeys(m.group(1) for m in _CODE_RE.finditer(text)))


def tax_ids(text: str, phone_spans: list[tuple[int, int]] = ()) -> list[TaxId]:
    out: dict[str, TaxId] = {}
    for m in _TAX_RE.finditer(text):
        v = m.group(1)
        kind = "kz_bin" if len(v) == 12 else "other"
        out.setdefault(v, TaxId(m.group(), v, kind, kz_bin_valid(v) if kind == "kz_bin" else None))
    for m in _BARE12_RE.finditer(text):
        v = m.group(1)
        if v in out or any(a <= m.start() < b for a, b in phone_spans):
            continue
        if v[4] in "456" and kz_bin_valid(v):
            out[v] = TaxId(v, v, "kz_bin", True)
    return list(out.values())


# --- agency names -------------------------------------------------------------------------------------------

LEGAL_FORMS = (
    "ТОО", "ЖШС", "ООО", "ОсОО", "ОСОО", "ИП", "ЖК", "ЖК", "АО", "АҚ", "ЗАО", "ОАО", "ПАО", "ЧП", "ҶДММ", "ЧДММ",
    "ҶСК", "МЧЖ", "MChJ", "MCHJ", "XK", "XT", "YaTT", "ЯТТ", "LLP", "LLC", "Ltd", "LTD", "Inc", "GmbH", "Corp",
    "TOO", "OOO", "OsOO", "JShS", "IP",
)
_FORMS = "|".join(sorted((re.escape(f) for f in set(LEGAL_FORMS)), key=len, reverse=True))
# Apostrophes are not quotes here: Uzbek names are full of them ("Navro‘z", "Yo'li").
_OPEN, _CLOSE = "«\"“„", "»\"”“"
_QUOTED = rf"[{_OPEN}]([^{_OPEN}{_CLOSE}\n]{{2,60}})[{_CLOSE}]"
_CAP = r"(?>[A-ZА-ЯЁӘҒҚҢӨҰҮҺІЎҲҶӢӮ][^\W\d_]*(?:['’‘ʻ&-][^\W\d_]+)*)(?![-/]?\d)"
_AGENCY_ALT = (r"агентств\w*|агенттіг\w*|агентлиг\w*|agentlig\w*|agency|agentstvo|компани\w*|kompaniya\w*|"
               r"company|фирм\w*|firma\w*|ширкат\w*|shirkat\w*|рекрутинг\w*|recruit\w*|туроператор\w*|"
               r"turoperator\w*|турагентств\w*|брачн\w*\s+агентств\w*")
# Lookaheads on the first letters (see _lead) keep these regexes from trying every branch at every position.
_AGENCY_WORDS = rf"{_lead(_AGENCY_ALT, 2)}(?:{_AGENCY_ALT})"
_FORM_LEAD = _lead(_FORMS, 2)
_CAP_LEAD = "(?=[A-ZА-ЯЁӘҒҚҢӨҰҮҺІЎҲҶӢӮ])"
_FORM_RE = re.compile(rf"{_FORM_LEAD}(?<![\w])(?:{_FORMS})(?![\w])")
_FORM_KEYS = frozenset(word_key(fold_text(f)) for f in LEGAL_FORMS)
_AGENCY_WORD_RE = re.compile(rf"(?i:{_AGENCY_WORDS})")
# (gate, regex): a regex runs on a window only when its cheap gate finds something there.
_NAME_RES = (
    (_FORM_RE, re.compile(rf"{_FORM_LEAD}(?<![\w])(?:{_FORMS})\s*{_QUOTED}")),
    (_FORM_RE, re.compile(rf"{_QUOTED}\s*(?:{_FORMS})(?![\w])")),
    (_FORM_RE, re.compile(rf"{_FORM_LEAD}(?<![\w{_CLOSE}])(?<![{_CLOSE}] )(?:{_FORMS})[^\S\n]+((?:{_CAP}(?:[ -](?=[A-ZА-ЯЁӘҒҚҢӨҰҮҺІЎҲҶӢӮ]))?){{1,3}})")),
    (_FORM_RE, re.compile(rf"{_CAP_LEAD}(?<![\w])((?:{_CAP}[ -]){{1,3}})(?:{_FORMS})(?![\w])")),
    (_AGENCY_WORD_RE, re.compile(rf"(?i:{_AGENCY_WORDS})[^\S\n]*{_QUOTED}")),
    (_AGENCY_WORD_RE, re.compile(rf"(?i:{_AGENCY_WORDS})[^\S\n]+((?:{_CAP}(?:[ -](?=[A-ZА-ЯЁӘҒҚҢӨҰҮҺІЎҲҶӢӮ]))?){{1,3}})")),
)


_AGENCY_KEY_STEMS = ("agentstv", "agentig", "agentlig", "agenki", "kompani", "firm", "shirkat", "rekrut",
                     "turoperator", "turagentstv")


def _anchor_windows(text: str, toks: list[Token] | None, folded: Folded | None) -> list[tuple[int, str]]:
    """(offset, slice) windows of the text around legal forms and agency words, found on the token keys
    already computed for the message; the name regexes then read ~200 characters instead of the whole text."""
    if toks is None or folded is None:
        from .normalize import fold, tokens

        folded = fold(text)
        toks = tokens(folded)
    spans = []
    for t in toks:
        if t.key in _FORM_KEYS or t.key.startswith(_AGENCY_KEY_STEMS):
            a, b = folded.span(t.start, t.end)
            spans.append((max(0, a - 90), min(len(text), b + 90)))
    merged: list[list[int]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return [(a, text[a:b]) for a, b in merged]


def agency_names(text: str, toks: list[Token] | None = None, folded: Folded | None = None) -> list[str]:
    """Candidate agency names: quoted names next to a legal form or an agency word, and capitalised words
    next to a legal form. A later pattern never re-reads text an earlier one already took as a name."""
    names: dict[str, str] = {}
    taken: list[tuple[int, int]] = []
    for offset, window in _anchor_windows(text, toks, folded):
        gates: dict[re.Pattern[str], bool] = {}
        for gate, regex in _NAME_RES:
            ok = gates.get(gate)
            if ok is None:
                ok = gates[gate] = gate.search(window) is not None
            if not ok:
                continue
            for m in regex.finditer(window):
                a, b = m.start(1) + offset, m.end(1) + offset
                if any(a < y + 3 and x < b + 3 for x, y in taken):
                    continue
                name = m.group(1).strip(" .,-'’")
                if len(name) >= 3 and not name.isdigit():
                    names.setdefault(name.casefold(), name)
                    taken.append((a, b))
    return list(names.values())


def strip_legal_form(name: str) -> str:
    """'ТОО «Дала Жұмыс»' -> 'Дала Жұмыс' (also removes quotes)."""
    s = re.sub(rf"(?<![\w])(?:{_FORMS})(?![\w])", " ", name)
    s = re.sub(rf"[{_OPEN}{_CLOSE}]", " ", s)
    return " ".join(s.split())


# --- countries ------------------------------------------------------------------------------------------------

def build_country_matcher(names: dict[str, list[str]]) -> PatternSet:
    """PatternSet over country name stems: {"KR": ["korea*", "кореяға", ...], ...}."""
    ps = PatternSet(max_gap=0)
    for code, stems in names.items():
        for stem in stems:
            ps.add(stem, code)
    return ps


def countries(matcher: PatternSet, toks: list[Token], folded: Folded) -> list[tuple[str, str]]:
    """(ISO code, evidence) for each destination named, in order of first mention."""
    seen: dict[str, str] = {}
    for m in matcher.search(toks, folded):
        seen.setdefault(m.payload, folded.source(m.start, m.end))
    return list(seen.items())


@dataclass(slots=True)
class Entities:
    phones: list[Phone] = field(default_factory=list)
    urls: list[Link] = field(default_factory=list)
    telegram: list[str] = field(default_factory=list)
    money: list[Money] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    licenses: list[str] = field(default_factory=list)
    tax_ids: list[TaxId] = field(default_factory=list)
    agencies: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "phones": [asdict(p) for p in self.phones],
            "urls": [asdict(u) for u in self.urls],
            "telegram": self.telegram,
            "money": [asdict(m) for m in self.money],
            "countries": self.countries,
            "licenses": self.licenses,
            "tax_ids": [asdict(t) for t in self.tax_ids],
            "agencies": self.agencies,
        }


def extract(text: str, toks: list[Token], folded: Folded, country_matcher: PatternSet | None,
            country_hint: str | None = None) -> Entities:
    has_digits = _DIGIT_RE.search(text) is not None  # phones, money, licences and tax ids all need one
    phone_hits = list(_PHONE_RE.finditer(text)) if has_digits else []
    return Entities(
        phones=phones(text, country_hint, phone_hits) if phone_hits else [],
        urls=urls(text),
        telegram=telegram(text),
        money=money(text) if has_digits else [],
        countries=[c for c, _ in countries(country_matcher, toks, folded)] if country_matcher else [],
        licenses=licenses(text) if has_digits else [],
        tax_ids=tax_ids(text, [m.span() for m in phone_hits]) if has_digits else [],
        agencies=agency_names(text, toks, folded),
    )
