"""Licensing-registry index: exact lookups on ids, phones and websites; fuzzy lookups on names across scripts.

A name is matched on its phonetic key with the legal form stripped, so «ТОО "Дала Жұмыс"», "Dala Jumys"
and "dala zhumys llp" meet. Candidates come from a blocking index on words and word ends (so 100,000 rows cost a few
dictionary probes, not 100,000 comparisons) and are then scored with rapidfuzz. A look-alike name is worse than no
answer — a scammer borrowing a licensed agency's name must not inherit its licence — so the bar is high.
"""

from __future__ import annotations

import csv
import gc
import re
from array import array
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from sys import intern
from pathlib import Path
from typing import Iterator

from rapidfuzz import fuzz

from .extract import LEGAL_FORMS, domain_of, normalize_phone
from .normalize import key as text_key, word_keys

HEADER = ["country", "kind", "name", "aliases", "license_no", "tax_id", "status", "valid_until", "phones",
          "website", "address", "source_url", "retrieved"]
KINDS = ("employment", "travel", "marriage", "other")
STATUSES = ("active", "suspended", "revoked", "expired")
NAME_MATCH_MIN = 90  # fuzzy score (0-100) needed to call two names the same agency
SHORT_NAME = 6  # keys shorter than this must match exactly
SIMILAR_MIN = 90  # token-set score for "similar name, not the same agency" warnings


class RegistryError(ValueError):
    def __init__(self, file: str, line: int, field_name: str, message: str):
        self.file, self.line, self.field, self.message = file, line, field_name, message
        super().__init__(f"{file}:{line}: {field_name}: {message}")


@dataclass(slots=True)
class Agency:
    country: str
    kind: str
    name: str
    aliases: tuple[str, ...]
    license_no: str
    tax_id: str
    status: str
    valid_until: date | None
    phones: tuple[str, ...]
    website: str
    address: str
    source_url: str
    retrieved: date
    file: str = ""
    line: int = 0

    def effective_status(self, today: date) -> str:
        """The registry status, except that an active licence past its end date counts as expired."""
        if self.status == "active" and self.valid_until is not None and self.valid_until < today:
            return "expired"
        return self.status


_CODE_NOISE = str.maketrans("", "", " \t\n-/.№#")


def norm_code(value: str) -> str:
    """Licence numbers compared without case, spaces, dashes, slashes or '№'."""
    return value.translate(_CODE_NOISE).upper()


_LEGAL_FORM_KEYS = frozenset(text_key(f) for f in LEGAL_FORMS)


def name_key(name: str) -> str:
    """Phonetic key of an agency name without its legal form: 'ТОО «Дала Жұмыс»' -> 'dala jumis'."""
    return " ".join(w for w in word_keys(name) if w not in _LEGAL_FORM_KEYS)


@lru_cache(maxsize=8192)
def _iso_date(value: str) -> date | None:
    """Parsed once per distinct value: registries repeat the same few dates, and shared objects save memory."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _date(value: str, file: str, line: int, field_name: str, required: bool) -> date | None:
    value = value.strip()
    if not value:
        if required:
            raise RegistryError(file, line, field_name, "date is required (YYYY-MM-DD)")
        return None
    parsed = _iso_date(value)
    if parsed is None:
        raise RegistryError(file, line, field_name, f"'{value}' is not a date (YYYY-MM-DD)")
    return parsed


_E164 = re.compile(r"^\+\d{8,15}$")
_URL_OK = re.compile(r"https?://[^\s/]+\.[^\s]+\Z")


@lru_cache(maxsize=4096)
def _source_ok(url: str) -> bool:
    return _URL_OK.match(url) is not None


# What a valid row becomes: the Agency fields from country to retrieved, in order.
Fields = tuple[str, str, str, tuple[str, ...], str, str, str, date | None, tuple[str, ...], str, str, str, date]


def _check_values(values: list[str], file: str, line: int) -> Fields:
    """One CSV row's values (in HEADER order) validated and normalised, or RegistryError naming the field."""
    (country_raw, kind_raw, name, aliases, license_no, tax, status_raw, valid_until, raw_phones, website, address,
     source, retrieved) = values
    country = intern(country_raw.strip().upper())
    if not (len(country) == 2 and country.isascii() and country.isalpha()):
        raise RegistryError(file, line, "country", f"'{country_raw}' is not a two-letter country code")
    kind = intern(kind_raw.strip().lower())
    if kind not in KINDS:
        raise RegistryError(file, line, "kind", f"'{kind_raw}' is not one of {', '.join(KINDS)}")
    status = intern(status_raw.strip().lower())
    if status not in STATUSES:
        raise RegistryError(file, line, "status", f"'{status_raw}' is not one of {', '.join(STATUSES)}")
    name = name.strip()
    if not name:
        raise RegistryError(file, line, "name", "name is empty")
    source = intern(source.strip())
    if not _source_ok(source):
        raise RegistryError(file, line, "source_url", "a source URL (http/https) is required")
    phones = []
    if raw_phones:
        for raw in raw_phones.split("|"):
            raw = raw.strip()
            if not raw:
                continue
            e164 = raw if _E164.match(raw) else normalize_phone(raw, country)
            if e164 is None:
                raise RegistryError(file, line, "phones", f"'{raw}' is not a phone number")
            phones.append(e164)
    tax = tax.strip()
    return (country, kind, name, tuple(a for a in map(str.strip, aliases.split("|")) if a) if aliases else (),
            license_no.strip(), tax if tax.isdigit() or not tax else re.sub(r"\D", "", tax), status,
            _date(valid_until, file, line, "valid_until", False), tuple(phones), website.strip(), address.strip(),
            source, _date(retrieved, file, line, "retrieved", True))


def parse_row(row: dict[str, str], file: str, line: int) -> Agency:
    """One CSV row -> Agency, or RegistryError naming the file, line and field."""
    return Agency(*_check_values([row[h] for h in HEADER], file, line), file=file, line=line)


def _lines(text: str) -> Iterator[str]:
    """The lines of text, split at "\\n" only (as io.StringIO would, without copying the text)."""
    start, n = 0, len(text)
    while start < n:
        end = text.find("\n", start)
        if end < 0:
            yield text[start:]
            return
        yield text[start:end + 1]
        start = end + 1


def _csv_rows(text: str, file: str, errors: list[RegistryError]) -> Iterator[tuple[Fields, int]]:
    """Valid rows of registry CSV text as (fields, line); bad rows go to `errors` (header errors are fatal)."""
    reader = csv.reader(_lines(text.lstrip("\ufeff")))
    try:
        header = next(reader)
    except StopIteration:
        errors.append(RegistryError(file, 1, "header", "file is empty"))
        return
    header = [h.strip() for h in header]
    if header != HEADER:
        missing = [h for h in HEADER if h not in header]
        extra = [h for h in header if h not in HEADER]
        why = (f"missing column(s): {', '.join(missing)}" if missing else
               f"unknown column(s): {', '.join(extra)}" if extra else "columns are in the wrong order")
        errors.append(RegistryError(file, 1, "header", f"{why}; expected: {','.join(HEADER)}"))
        return
    width = len(HEADER)
    for values in reader:
        line = reader.line_num
        if len(values) != width:
            if not any(v.strip() for v in values):
                continue
            errors.append(RegistryError(file, line, "row", f"has {len(values)} fields, expected {width}"))
            continue
        try:
            yield _check_values(values, file, line), line
        except RegistryError as exc:
            if any(v.strip() for v in values):
                errors.append(exc)


def read_csv(text: str, file: str) -> tuple[list[Agency], list[RegistryError]]:
    """Parse registry CSV text; returns the good rows and one error per bad row (header errors are fatal)."""
    errors: list[RegistryError] = []
    rows = [Agency(*fields, file=file, line=line) for fields, line in _csv_rows(text, file, errors)]
    return rows, errors


def _read_text(path: Path) -> tuple[str | None, list[RegistryError]]:
    try:
        return path.read_text(encoding="utf-8"), []
    except UnicodeDecodeError as exc:
        return None, [RegistryError(str(path), 1, "encoding", f"not UTF-8 ({exc.reason})")]
    except OSError as exc:
        return None, [RegistryError(str(path), 0, "file", exc.strerror or str(exc))]


def read_file(path: Path) -> tuple[list[Agency], list[RegistryError]]:
    text, errors = _read_text(path)
    return ([], errors) if text is None else read_csv(text, str(path))


def _put(index: dict, key: str, value: int) -> None:
    old = index.get(key)
    if old is None:
        index[key] = value
    elif isinstance(old, list):
        old.append(value)
    else:
        index[key] = [old, value]


def _get(index: dict, key: str) -> list[int] | tuple[int, ...]:
    found = index.get(key)
    if found is None:
        return ()
    return found if isinstance(found, list) else (found,)


@dataclass(slots=True)
class RegistryMatch:
    agency: Agency
    score: int  # 0-100
    via: str  # license_no | tax_id | phone | website | name
    row: int = -1  # the agency's row in its Registry (the same agency found twice has the same row)


def _blocks(k: str) -> set[str]:
    """Blocking keys of a name key: each word, and for longer words its first and last four letters, so a
    typo in one word still leaves a shared block ("persanal" meets "personal" through "pers<")."""
    out: set[str] = set()
    for w in k.split():
        out.update(_word_blocks(w))
    return out


def _word_blocks(w: str) -> tuple[str, ...]:
    if len(w) < 2:
        return ()
    return (w, w[:4] + "<", ">" + w[-4:]) if len(w) >= 5 else (w,)


_SEP = "\x1f"  # between the fields of a packed row (a row holding it is kept as an object instead)


@dataclass
class Registry:
    """Index over agencies from one or more registry files.

    Rows are packed into one UTF-8 buffer instead of 100,000 Agency objects (a quarter of the memory, and
    a cache file that pickles in a fraction of the time); an Agency is made when a lookup returns it."""

    _buf: bytearray = field(default_factory=bytearray)  # packed rows, back to back
    _ends: array = field(default_factory=lambda: array("q", [0]))  # row i is _buf[_ends[i]:_ends[i + 1]]
    _files: list[str] = field(default_factory=list)
    _file_of: array = field(default_factory=lambda: array("i"))  # row -> index in _files
    _line_of: array = field(default_factory=lambda: array("i"))  # row -> line in its file
    _odd: dict[int, Agency] = field(default_factory=dict)  # rows whose text holds _SEP, kept whole
    _recent: dict[int, Agency] = field(default_factory=dict)  # rows made lately (not pickled)
    # Exact indexes map a key to one int, or to a list of ints when several rows share it (saves a list per row).
    _by_license: dict[str, list[int]] = field(default_factory=dict)
    _by_tax: dict[str, list[int]] = field(default_factory=dict)
    _by_phone: dict[str, list[int]] = field(default_factory=dict)
    _by_domain: dict[str, list[int]] = field(default_factory=dict)
    _by_key: dict[str, list[int]] = field(default_factory=dict)  # exact name key -> name entries
    _names: list[str] = field(default_factory=list)  # name entry -> key
    _owner: array = field(default_factory=lambda: array("i"))  # name entry -> agency index
    _blocks: dict[str, array] = field(default_factory=dict)  # blocking key -> name entries
    _longest: int = 1  # words in the longest name key, for scanning texts
    _first_words: set[str] = field(default_factory=set)  # first word of every name key

    def __getstate__(self) -> dict:
        return {**self.__dict__, "_recent": {}}

    @classmethod
    def build(cls, agencies: list[Agency]) -> "Registry":
        reg = cls()
        for agency in agencies:
            reg.add(agency)
        return reg

    def add(self, agency: Agency) -> None:
        fields = (agency.country, agency.kind, agency.name, agency.aliases, agency.license_no, agency.tax_id,
                  agency.status, agency.valid_until, agency.phones, agency.website, agency.address,
                  agency.source_url, agency.retrieved)
        i = self._append(fields, agency.file, agency.line)
        if i in self._odd or self._agency(i) != agency:
            self._odd[i] = agency  # a field the packed form cannot carry: keep the object itself
        self._remember(i, agency)

    def _append(self, fields: Fields, file: str, line: int) -> int:
        """Store and index one validated row; returns its row number."""
        (country, kind, name, aliases, license_no, tax_id, status, valid_until, phones, website, address,
         source_url, retrieved) = fields
        i = len(self._ends) - 1
        packed = _SEP.join((country, kind, name, "|".join(aliases), license_no, tax_id, status,
                            valid_until.isoformat() if valid_until else "", "|".join(phones), website, address,
                            source_url, retrieved.isoformat() if retrieved else ""))
        if packed.count(_SEP) != 12:
            self._odd[i] = Agency(*fields, file=file, line=line)
            packed = ""
        self._buf += packed.encode()
        self._ends.append(len(self._buf))
        files = self._files
        f = len(files) - 1
        if f < 0 or files[f] != file:
            if file not in files:
                files.append(file)
            f = files.index(file)
        self._file_of.append(f)
        self._line_of.append(line)
        if license_no:
            _put(self._by_license, norm_code(license_no), i)
        if tax_id:
            _put(self._by_tax, tax_id, i)
        for p in phones:
            _put(self._by_phone, p, i)
        if website:
            _put(self._by_domain, domain_of(website), i)
        by_key, owner, blocks = self._by_key, self._owner, self._blocks
        for name in {name, *aliases}:
            k = name_key(name)
            if not k:
                continue
            entry = len(self._names)
            same = by_key.get(k)  # the very same key already indexed: once per agency is enough
            if same is None:
                by_key[k] = entry
            elif isinstance(same, list):
                if any(owner[e] == i for e in same):
                    continue
                same.append(entry)
            elif owner[same] == i:
                continue
            else:
                by_key[k] = [same, entry]
            self._longest = max(self._longest, k.count(" ") + 1)
            self._first_words.add(k.partition(" ")[0])
            self._names.append(k)
            owner.append(i)
            for b in _blocks(k):
                posting = blocks.get(b)
                if posting is None:
                    blocks[b] = posting = array("i")
                posting.append(entry)
        return i

    def _agency(self, i: int) -> Agency:
        """The Agency of row i, unpacked (lookups return a handful, so this is cheap)."""
        odd = self._odd.get(i) if self._odd else None
        if odd is not None:
            return odd
        f = self._buf[self._ends[i]:self._ends[i + 1]].decode().split(_SEP)
        return Agency(f[0], f[1], f[2], tuple(f[3].split("|")) if f[3] else (), f[4], f[5], f[6],
                      _iso_date(f[7]) if f[7] else None, tuple(f[8].split("|")) if f[8] else (), f[9], f[10],
                      f[11], _iso_date(f[12]) if f[12] else None, self._files[self._file_of[i]], self._line_of[i])

    def agency(self, i: int) -> Agency:
        """The Agency of row i (the same object while it is among the recently used)."""
        a = self._recent.get(i)
        if a is None:
            a = self._agency(i)
            self._remember(i, a)
        return a

    def _remember(self, i: int, agency: Agency) -> None:
        if len(self._recent) >= 4096:
            self._recent.clear()
        self._recent[i] = agency

    def __len__(self) -> int:
        return len(self._ends) - 1

    # --- exact lookups ---
    def _pick(self, ids: list[int] | None, via: str, country: str | None, kind: str | None) -> list[RegistryMatch]:
        out = []
        for i in ids or ():
            a = self.agency(i)
            if (country is None or a.country == country) and (kind is None or a.kind == kind):
                out.append(RegistryMatch(a, 100, via, i))
        return out

    def by_license(self, value: str, country=None, kind=None) -> list[RegistryMatch]:
        return self._pick(_get(self._by_license, norm_code(value)), "license_no", country, kind)

    def by_tax_id(self, value: str, country=None, kind=None) -> list[RegistryMatch]:
        return self._pick(_get(self._by_tax, re.sub(r"\D", "", value)), "tax_id", country, kind)

    def by_phone(self, e164: str, country=None, kind=None) -> list[RegistryMatch]:
        return self._pick(_get(self._by_phone, e164), "phone", country, kind)

    def by_website(self, url: str, country=None, kind=None) -> list[RegistryMatch]:
        return self._pick(_get(self._by_domain, domain_of(url)), "website", country, kind)

    # --- fuzzy names ---
    def by_name(self, name: str, country=None, kind=None, limit: int = 5,
                min_score: int = NAME_MATCH_MIN) -> list[RegistryMatch]:
        """Best agencies whose name or alias is the same name as `name` (score >= min_score)."""
        k = name_key(name)
        if not k:
            return []
        scores: dict[int, int] = {}
        for entry in _get(self._by_key, k):
            scores[self._owner[entry]] = 100
        if scores and min_score >= NAME_MATCH_MIN and country is None and kind is None:
            pass  # the very same name is registered: no fuzzy candidate can beat an exact match
        elif len(k) >= SHORT_NAME or min_score < NAME_MATCH_MIN:
            for entry in self._candidates(k):
                other = self._names[entry]
                s = max(fuzz.ratio(k, other), fuzz.token_sort_ratio(k, other))
                if len(other) < SHORT_NAME and s < 100:
                    continue
                owner = self._owner[entry]
                if s >= min_score and s > scores.get(owner, -1):
                    scores[owner] = int(round(s))
        best = sorted(scores.items(), key=lambda kv: -kv[1])
        out = []
        for i, s in best:
            a = self.agency(i)
            if (country is None or a.country == country) and (kind is None or a.kind == kind):
                out.append(RegistryMatch(a, s, "name", i))
            if len(out) >= limit:
                break
        return out

    def scan(self, keys: list[str], capitalised: list[bool]) -> list[tuple[int, int, RegistryMatch]]:
        """Registered names written word for word in a text (as phonetic keys), even without quotes or a
        legal form: 'Tulpar Kadr Servis orqali…'. Returns (first word, last word, match). One-word names
        count only when the word is capitalised and at least 6 letters, so common words do not match."""
        found = []
        n = len(keys)
        i = 0
        first_words = self._first_words
        while i < n:
            if keys[i] not in first_words:
                i += 1
                continue
            hit = None
            for length in range(min(self._longest, n - i), 0, -1):
                k = " ".join(keys[i:i + length])
                entries = _get(self._by_key, k)
                if entries and (length > 1 or (capitalised[i] and len(k) >= 6)):
                    hit = (length, entries)
                    break
            if hit:
                length, entries = hit
                for e in entries:
                    row = self._owner[e]
                    found.append((i, i + length - 1, RegistryMatch(self.agency(row), 100, "name", row)))
                i += length
            else:
                i += 1
        return found

    def _candidates(self, k: str, top: int = 40) -> list[int]:
        """Name entries sharing blocks with `k`, most shared first. Blocks held by very many names ("work",
        "group") are only used through intersection, so one lookup touches a few hundred entries at most."""
        postings = sorted((self._blocks[b] for b in _blocks(k) if b in self._blocks), key=len)
        if not postings:
            return []
        common = max(500, len(self._names) // 200)
        rare = [p for p in postings if len(p) <= common]
        if not rare:
            shared = set(postings[0])
            for p in postings[1:3]:
                shared.intersection_update(p)
            return list(shared)[:top]
        counts: dict[int, int] = {}
        get = counts.get
        for posting in rare:
            for entry in posting:
                counts[entry] = get(entry, 0) + 1
        return sorted(counts, key=counts.__getitem__, reverse=True)[:top]

    def find(self, query: str, country: str | None = None, kind: str | None = None,
             limit: int = 5) -> list[RegistryMatch]:
        """Look up anything a user may type: licence no., tax id, phone, website or a name in any script."""
        q = query.strip()
        if not q:
            return []
        found: list[RegistryMatch] = []
        if re.search(r"\d", q):
            found += self.by_license(q, country, kind)
            digits = re.sub(r"\D", "", q)
            if 9 <= len(digits) <= 14 and re.fullmatch(r"[\d\s\-]+", q):
                found += self.by_tax_id(digits, country, kind)
            phone = normalize_phone(q, country)
            if phone:
                found += self.by_phone(phone, country, kind)
        if "." in q and " " not in q:
            found += self.by_website(q, country, kind)
        if not found:
            found = self.by_name(q, country, kind, limit)
        unique: dict[int, RegistryMatch] = {}
        for m in found:
            unique.setdefault(m.row, m)
        return list(unique.values())[:limit]

    def similar(self, name: str, country=None, kind=None, limit: int = 3) -> list[RegistryMatch]:
        """Registered names that share the query's words but are not the same name ("Dala Jumys Group" vs
        "Dala Jumys"): shown as a warning that a scam may be borrowing a licensed agency's name."""
        k = name_key(name)
        if len(k) < SHORT_NAME:
            return []
        best: dict[int, int] = {}
        for entry in self._candidates(k):
            other = self._names[entry]
            if fuzz.ratio(k, other) >= NAME_MATCH_MIN:
                return []  # it is a match, not a look-alike
            s = int(fuzz.token_set_ratio(k, other))
            owner = self._owner[entry]
            if s >= SIMILAR_MIN and s > best.get(owner, -1):
                best[owner] = s
        out = []
        for i, s in sorted(best.items(), key=lambda kv: -kv[1]):
            a = self.agency(i)
            if (country is None or a.country == country) and (kind is None or a.kind == kind):
                out.append(RegistryMatch(a, s, "similar_name", i))
        return out[:limit]


def load(paths: list[Path]) -> tuple[Registry, list[RegistryError]]:
    """Load and index registry files; rows with errors are skipped and reported."""
    registry = Registry()
    errors: list[RegistryError] = []
    # Hundreds of thousands of new objects and no garbage: the cyclic GC would only rescan them again and again.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        for path in paths:
            text, errs = _read_text(path)
            if text is not None:
                file = str(path)
                for fields, line in _csv_rows(text, file, errs):
                    registry._append(fields, file, line)
            errors += errs
        return registry, errors
    finally:
        if was_enabled:
            gc.enable()


def registry_files(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.csv")) if directory.is_dir() else []
