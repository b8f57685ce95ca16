"""One cell of a published registry -> one canonical value: names, licence numbers, tax ids, phones, websites,
statuses and dates as ministries write them in ru/kk/uz/ky/tg/en (word lists in registry_vocab.py).

Every function takes what a spreadsheet or CSV gives (text, numbers, date cells) and returns the canonical form,
or None / a list of dropped pieces when the cell says nothing usable, so the caller can reject or warn.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any, Callable, Iterable

from ..core.extract import normalize_phone
from ..core.normalize import fold_text, key as text_key
from ..core.registry import STATUSES
from . import registry_vocab as vocab

TAX_ID_DIGITS = {"KZ": 12, "UZ": 9, "KG": 14, "TJ": 9}  # spreadsheets drop the leading zeros of numeric ids


def phrase_regex(phrases: Iterable[str], keyer: Callable[[str], str]) -> re.Pattern[str]:
    """One regex for phrases whose words must match whole words, a word ending in '*' as a prefix."""
    parts = []
    for phrase in phrases:
        words = []
        for w in phrase.split():
            star = w.endswith("*")
            k = keyer(w.rstrip("*"))
            if k:
                words.append(re.escape(k) + (r"\S*" if star else ""))
        if words:
            parts.append(r"\s+".join(words))
    return re.compile(r"(?<!\S)(?:" + "|".join(parts) + r")(?!\S)")


# --- values -------------------------------------------------------------------------------------------------

_MESSY_SPACE = re.compile(r"\s\s|[^\S ]")


def cell_text(value: Any) -> str:
    """A cell as text: 77012345678.0 -> '77012345678', a date cell -> ISO, whitespace collapsed."""
    if value is None:
        return ""
    if type(value) is str:
        s = value.strip()
        return " ".join(s.replace("\u00a0", " ").split()) if _MESSY_SPACE.search(s) else s
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return " ".join(str(value).replace("\u00a0", " ").split())


_LETTERS = re.compile(r"[^\W\d_]")
_ASCII_LETTER = re.compile(r"[A-Za-z]|[\u00ad\u200b-\u200f\u2060-\u2064\ufeff]")  # Latin letters, or invisibles
_DIGIT_IN_WORD = re.compile(r"[^\W\d_]\d|\d[^\W\d_]")


def clean_name(text: str) -> str:
    """A name as printed, minus the tricks: invisible characters, odd spaces, and look-alike letters of the
    other script inside a word ("ТОО «Kopeя»" with Latin K, o, p, e) put into the word's own script. Case and
    everything else are kept."""
    s = " ".join(text.replace("\u00a0", " ").split())
    if s.isascii() or not (_ASCII_LETTER.search(s) or _DIGIT_IN_WORD.search(s)):
        return s  # one script, no digits inside words, nothing invisible: nothing to fix
    folded = fold_text(s)
    if len(folded) != len(s):  # invisible characters or ligatures: take the folded form's letters as they are
        s = " ".join(re.sub(r"[\u00ad\u200b-\u200f\u2060-\u2064\ufeff]", "", s).split())
        folded = fold_text(s)
        if len(folded) != len(s):
            return s
    out = []
    for ch, f in zip(s, folded):
        if f != ch.casefold() and _LETTERS.match(f) and (ch.isalpha() or ch.isdigit()):
            out.append(f.upper() if ch.isupper() else f)
        else:
            out.append(ch)
    return "".join(out)


_CODE_PREFIX = re.compile(r"^(?:№|N[o°º]\.?(?=\s*\d)|#)\s*", re.I)
_DASHES = re.compile(r"[\u2010-\u2015\u2212]")
_CYR_TO_LAT_UPPER = str.maketrans("АВЕКМНОРСТХУІЈЅ", "ABEKMHOPCTXYIJS")
_LATIN_RE = re.compile(r"[A-Z]")
_CYR_RE = re.compile(r"[А-ЯЁӘҒҚҢӨҰҮҺІЎҲҶ]")


def clean_license(value: Any) -> str:
    """'№ kz–tr–0415' (Cyrillic к) -> 'KZ-TR-0415': upper case, one kind of dash, no '№'; a code mixing
    scripts is written in Latin look-alikes."""
    s = _DASHES.sub("-", cell_text(value)).upper()
    s = _CODE_PREFIX.sub("", s).strip()
    if _LATIN_RE.search(s) and _CYR_RE.search(s):
        s = s.translate(_CYR_TO_LAT_UPPER)
    return s


def clean_tax_id(value: Any, country: str) -> tuple[str, str | None]:
    """Digits only; leading zeros a spreadsheet dropped are put back. Returns (tax id, warning or None)."""
    text = cell_text(value)
    if re.search(r"\d[.,]?\d*E\+\d+", text, re.I):
        return "", f"'{text}' is a number a spreadsheet shortened; tax id dropped"
    digits = re.sub(r"\D", "", text)
    want = TAX_ID_DIGITS.get(country)
    if digits and want and want - 2 <= len(digits) < want:
        return digits.zfill(want), f"'{digits}' padded to {want} digits (leading zeros lost by a spreadsheet)"
    return digits, None


_PHONE_SPLIT = re.compile(r"[,;\n|]|\s+(?=\+)|\s+(?:и|или|or|and|yoki|немесе|же|ё)\s+")


def clean_phones(value: Any, country: str) -> tuple[list[str], list[str]]:
    """E.164 numbers from a cell with one or several numbers, and the pieces that are not phone numbers."""
    out, bad = [], []
    raw = value.replace("\r", "\n") if isinstance(value, str) else cell_text(value)  # line breaks separate numbers
    for piece in _PHONE_SPLIT.split(raw):
        piece = cell_text(piece).strip(" .:-")
        if not re.search(r"\d", piece):
            continue
        e164 = normalize_phone(piece, country)
        if e164 is None and "/" in piece:  # "+7 727 555 01 01 / +7 701 555 02 02"
            parts = [normalize_phone(p, country) for p in piece.split("/")]
            if all(parts):
                out += [p for p in parts if p not in out]
                continue
        if e164 is None:
            bad.append(piece)
        elif e164 not in out:
            out.append(e164)
    return out, bad


def clean_website(value: Any) -> str:
    for piece in re.split(r"[\s,;|]+", cell_text(value)):
        piece = piece.strip().rstrip("/").lower()
        if "." in piece and "@" not in piece:
            return piece
    return ""


@lru_cache(maxsize=1024)
def _status_key(value: str) -> str:
    return text_key(value)


def _phrases_key(phrases: Iterable[str]) -> re.Pattern[str]:
    return phrase_regex(phrases, lambda w: text_key(w))


_NOT_ACTIVE = _phrases_key(vocab.NOT_ACTIVE)
_STATUS_RES = [(s, _phrases_key(ps)) for s, ps in vocab.STATUS_PHRASES]
_EXACT_STATUS = {text_key(s): s for s in STATUSES}


def status_of(value: str, extra: dict[str, str] | None = None) -> str | None:
    """Canonical status of a status cell in any of our languages, or None when it names no single status."""
    k = _status_key(value)
    if not k:
        return None
    if extra:
        for word, status in extra.items():
            if text_key(word) == k:
                return status
    return _builtin_status(k)


@lru_cache(maxsize=1024)
def _builtin_status(k: str) -> str | None:
    """Cached: a registry repeats a handful of status words thousands of times."""
    if k in _EXACT_STATUS:
        return _EXACT_STATUS[k]
    if _NOT_ACTIVE.search(k):
        return None
    for status, regex in _STATUS_RES:
        if regex.search(k):
            return status
    return None


_NUMERIC_DATE = re.compile(r"^(\d{1,4})[./\-](\d{1,2})[./\-](\d{1,4})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_MONTHS = {text_key(name)[:3]: month for month, names in vocab.MONTHS.items() for name in names}
_NO_END = _phrases_key(vocab.NO_END_DATE)
_FILLER = {text_key(w) for w in vocab.DATE_FILLER}
_DATE_SUFFIX = re.compile(r"(?:(?:(?<=[\d.])|\s+)(?:г|гг|года|ж|жыл|y|yil|йил)\.?)+$", re.I)
EXCEL_EPOCH = date(1899, 12, 30)
NO_END = "no end date"


def _year(y: int) -> int:
    return y + 2000 if y < 70 else y + 1900 if y < 100 else y


@lru_cache(maxsize=8192)
def parse_date(text: str, order: str = "dmy") -> date | str | None:
    """A date written the usual local ways: 12.03.2024, 2024-03-12, 12/03/2024, 12.03.24, 20240312, an Excel
    serial number (45363), "12 марта 2024 г.", "2024-yil 12-mart", "12 наурыз 2024 ж.", "March 12, 2024".
    Returns NO_END for "бессрочно" and its kin, None when it is not a date."""
    s = _DATE_SUFFIX.sub("", text.strip())
    m = _NUMERIC_DATE.match(s)
    try:
        if m:
            a, b, c = m.groups()
            if len(a) == 4:
                return date(int(a), int(b), int(c))
            d, mo = (int(a), int(b)) if order == "dmy" else (int(b), int(a))
            if mo > 12 and d <= 12:  # 03/25/2024 can only be month first
                d, mo = mo, d
            return date(_year(int(c)), mo, d)
        if s.isdigit():
            if len(s) == 8:
                return date(int(s[:4]), int(s[4:6]), int(s[6:]))
            if 20000 <= int(s) <= 80000:
                return EXCEL_EPOCH + timedelta(days=int(s))
            return None
    except ValueError:
        return None
    k = text_key(s)
    if _NO_END.search(k):
        return NO_END
    month, numbers = None, []
    for tok in re.findall(r"\d+|[^\W\d_]+", fold_text(s)):
        if tok.isdigit():
            numbers.append(tok)
            continue
        wk = text_key(tok)
        if wk in _FILLER:
            continue
        mo = _MONTHS.get(wk[:3]) if len(wk) >= 3 else None
        if mo is None or month is not None:
            return None
        month = mo
    if month is None or len(numbers) != 2:
        return None
    years = [t for t in numbers if len(t) == 4]
    if len(years) == 1:
        year, day = int(years[0]), int(next(t for t in numbers if t is not years[0]))
    elif all(len(t) <= 2 for t in numbers):
        day, year = int(numbers[0]), _year(int(numbers[1]))
    else:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def date_of(value: Any, order: str) -> date | str | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return EXCEL_EPOCH + timedelta(days=int(value)) if 20000 <= value <= 80000 else None
    return parse_date(cell_text(value), order)


def split_aliases(values: Iterable[Any]) -> list[str]:
    """Other names from alias cells: one a line, or separated by | or ;."""
    return [clean_name(a) for v in values for a in re.split(r"[|;\r\n]", str(v)) if a.strip()]
