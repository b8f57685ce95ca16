"""Turn a registry as a government publishes it (CSV in any common encoding, or XLSX) into the canonical registry
CSV (DESIGN.md §4), and say what changed against the registry we serve now.

    parse_table(...)   file -> ImportResult: canonical rows, rejects (file:row: field: reason), merges, warnings
    diff_rows(...)     current rows vs imported rows -> RegistryDiff (added, removed, status changed, updated)
    preview_import(...) both at once, for the CLI and for an admin who sends the file to the bot
    write_import(...)  the canonical CSV and its rejects CSV, written atomically

Pure: no network, no printing. Every row that is kept has passed `core.registry.parse_row`, the same check that
`saqbol content validate` runs, so a written file always loads. Nothing in a source row is lost silently: it is
imported, merged into another row (listed), or rejected with the reason and its original cells.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from ..core.extract import normalize_phone
from ..core.normalize import fold_text, key as text_key
from ..core.registry import HEADER, KINDS, STATUSES, Agency, RegistryError, name_key, norm_code, parse_row, read_csv
from . import registry_vocab as vocab
from .yamlfile import ContentError, load_yaml

FIELDS = tuple(f for f in HEADER if f not in ("country", "kind"))
MULTI = ("aliases", "phones", "address")  # fields that may come from several columns, joined
COMPARED = ("name", "aliases", "license_no", "tax_id", "valid_until", "phones", "website", "address")  # "updated" in a diff
TAX_ID_DIGITS = {"KZ": 12, "UZ": 9, "KG": 14, "TJ": 9}  # spreadsheets drop the leading zeros of numeric ids
HEADER_SCAN_ROWS = 30  # a header may sit under a title, a date line and a blank row
PROGRESS_EVERY = 2000
_URL_OK = re.compile(r"https?://[^\s/]+\.\S+\Z")
Progress = Callable[[int, "int | None"], None]
Row = dict[str, str]  # a canonical registry row: HEADER field -> text


class ImportFailure(ValueError):
    """The file cannot be imported at all (unreadable, no recognisable header, no source URL...)."""


# --- the map file -------------------------------------------------------------------------------------------

@dataclass
class ColumnMap:
    """What a map file (YAML) tells the importer about one publisher's odd layout. Every key is optional:

        columns:            # canonical field: header text, 1-based column number, or a list of them
          name: "Наим. юр. лица"
          license_no: 3
          phones: ["Тел. 1", "Тел. 2"]
        sheet: "Реестр"     # XLSX sheet (default: the first with a recognisable header)
        header_row: 4       # row of the header (default: found among the first 30 rows)
        encoding: cp1251    # CSV only (default: detected)
        delimiter: ";"      # CSV only (default: detected)
        date_order: dmy     # dmy (default) or mdy, for 03/04/2025
        status_words: {"дейст.": active, "приост.": suspended}
        default_status: active   # for rows whose status cell is empty
        source_url: https://...  # instead of --source
    """

    columns: dict[str, list[str | int]] = field(default_factory=dict)
    sheet: str | None = None
    header_row: int | None = None
    encoding: str | None = None
    delimiter: str | None = None
    date_order: str = "dmy"
    status_words: dict[str, str] = field(default_factory=dict)
    default_status: str | None = None
    source_url: str | None = None


def load_map(path: Path) -> ColumnMap:
    """Read a map file; problems raise ContentError as file:line: field: message."""
    file = str(path)
    try:
        data, lines = load_yaml(path.read_text(encoding="utf-8-sig"), file)
    except (OSError, UnicodeDecodeError) as exc:
        raise ContentError(file, 0, "", f"cannot read: {exc}") from None
    if data is None:
        return ColumnMap()
    if not isinstance(data, dict):
        raise ContentError(file, 1, "", "a map file is a mapping (columns:, sheet:, ...)")

    def bad(loc: tuple, message: str) -> ContentError:
        return ContentError(file, lines.get(loc, 0), ".".join(map(str, loc)), message)

    known = {"columns", "sheet", "header_row", "encoding", "delimiter", "date_order", "status_words",
             "default_status", "source_url"}
    for k in data:
        if k not in known:
            raise bad((k,), f"unknown key; expected one of: {', '.join(sorted(known))}")
    m = ColumnMap()
    for fld, ref in (data.get("columns") or {}).items():
        if fld not in FIELDS:
            raise bad(("columns", fld), f"not a registry field; expected one of: {', '.join(FIELDS)}")
        refs = ref if isinstance(ref, list) else [ref]
        for r in refs:
            if isinstance(r, bool) or not isinstance(r, (str, int)) or (isinstance(r, int) and r < 1):
                raise bad(("columns", fld), "give a header text or a column number (1 = first column)")
        m.columns[fld] = refs
    for k in ("sheet", "encoding", "delimiter", "source_url", "default_status"):
        if data.get(k) is not None:
            setattr(m, k, str(data[k]))
    if data.get("header_row") is not None:
        if isinstance(data["header_row"], bool) or not isinstance(data["header_row"], int) or data["header_row"] < 1:
            raise bad(("header_row",), "a row number (1 = first row)")
        m.header_row = data["header_row"]
    if data.get("date_order") is not None:
        if data["date_order"] not in ("dmy", "mdy"):
            raise bad(("date_order",), "dmy or mdy")
        m.date_order = data["date_order"]
    if m.default_status is not None and m.default_status not in STATUSES:
        raise bad(("default_status",), f"one of {', '.join(STATUSES)}")
    if m.encoding:
        try:
            "".encode(m.encoding)
        except LookupError:
            raise bad(("encoding",), f"unknown encoding '{m.encoding}'") from None
    for word, status in (data.get("status_words") or {}).items():
        if status not in STATUSES:
            raise bad(("status_words", word), f"'{status}' is not one of {', '.join(STATUSES)}")
        m.status_words[str(word)] = status
    return m


# --- reading tables -----------------------------------------------------------------------------------------

@dataclass
class Table:
    """Rows of one sheet or CSV file as (row number, cells); cells are str, numbers, dates or None."""

    rows: Iterator[tuple[int, tuple]]
    total: int | None  # rows in the file, when known (for the progress bar)
    kind: str  # csv | xlsx
    detail: str  # encoding and delimiter, or sheet name
    close: Callable[[], None] = lambda: None


_CYRILLIC_LOWER = re.compile(r"[а-яёәғқңөұүһіўҳҷӣӯ]")


def decode_csv(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """Text and encoding name: a given encoding, a BOM, UTF-8, or the best of the Cyrillic code pages (the one
    yielding the most lower-case Cyrillic letters: cp1251 from Excel, cp866 from "CSV (MS-DOS)", or KOI8-R)."""
    if encoding:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError as exc:
            raise ImportFailure(f"the file is not {encoding} (byte {exc.start}); fix 'encoding' in the map file")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    best = max(("cp1251", "cp866", "koi8_r"), key=lambda enc: len(_CYRILLIC_LOWER.findall(data.decode(enc, "replace"))))
    return data.decode(best, "replace"), best


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first lines into the most, and most even, fields (title lines allowed)."""
    lines = [ln for ln in text.splitlines()[:40] if ln.strip()]
    best, best_score = ",", (0, 0)
    for d in (",", ";", "\t", "|"):
        counts = [len(r) for r in csv.reader(lines, delimiter=d)]
        if not counts:
            continue
        width, freq = Counter(counts).most_common(1)[0]
        score = (width if width > 1 else 0, freq)
        if score > best_score:
            best, best_score = d, score
    return best


def read_csv_table(data: bytes, m: ColumnMap) -> Table:
    text, enc = decode_csv(data, m.encoding)
    delim = m.delimiter or sniff_delimiter(text)
    if delim in ("\\t", "tab"):
        delim = "\t"
    reader = csv.reader(io.StringIO(text), delimiter=delim)

    def rows() -> Iterator[tuple[int, tuple]]:
        start = 1
        try:
            for cells in reader:
                yield start, tuple(cells)
                start = reader.line_num + 1
        except csv.Error as exc:
            raise ImportFailure(f"line {reader.line_num}: {exc}") from None

    shown = {"\t": "tab", ",": "comma", ";": "semicolon", "|": "pipe"}.get(delim, repr(delim))
    return Table(rows(), text.count("\n") + 1, "csv", f"{enc}, {shown}-separated")


def read_xlsx_table(source: Path | bytes, m: ColumnMap) -> Table:
    """Stream a workbook (openpyxl read-only mode: memory stays flat however long the sheet)."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(source) if isinstance(source, bytes) else source, read_only=True,
                           data_only=True)
    except Exception as exc:  # BadZipFile, KeyError, XML ParseError...: all mean a damaged or foreign file
        raise ImportFailure(f"not a readable XLSX workbook ({type(exc).__name__}: {exc})") from None
    if m.sheet is not None:
        if m.sheet not in wb.sheetnames:
            wb.close()
            raise ImportFailure(f"no sheet '{m.sheet}' (sheets: {', '.join(wb.sheetnames)})")
        ws = wb[m.sheet]
    else:
        ws = wb.worksheets[0]
        for candidate in wb.worksheets:  # the first sheet that has a recognisable header
            try:
                head = list(zip(range(1, HEADER_SCAN_ROWS + 1), candidate.iter_rows(values_only=True)))
            except Exception:  # a damaged sheet: the error surfaces, with its row, if it is the one we read
                continue
            if find_header(head, m) is not None:
                ws = candidate
                break

    def rows() -> Iterator[tuple[int, tuple]]:
        n = 0
        try:
            for n, cells in enumerate(ws.iter_rows(values_only=True), 1):
                yield n, cells
        except Exception as exc:  # openpyxl raises many kinds on damaged XML; all mean the same to the user
            raise ImportFailure(f"sheet '{ws.title}' is damaged after row {n} ({type(exc).__name__}: {exc})") from None

    total = ws.max_row if isinstance(ws.max_row, int) and ws.max_row > 1 else None
    return Table(rows(), total, "xlsx", f"sheet '{ws.title}'", wb.close)


def open_table(source: Path | bytes, filename: str, m: ColumnMap) -> Table:
    if isinstance(source, Path):
        try:
            with source.open("rb") as fh:
                magic = fh.read(4)
        except OSError as exc:
            raise ImportFailure(f"cannot read {source}: {exc.strerror or exc}") from None
    else:
        magic = source[:4]
    lower = filename.lower()
    if magic == b"PK\x03\x04" or lower.endswith((".xlsx", ".xlsm")):
        return read_xlsx_table(source, m)
    if magic.startswith(b"\xd0\xcf\x11\xe0") or lower.endswith(".xls"):
        raise ImportFailure("old Excel .xls files are not supported: save the sheet as .xlsx or CSV")
    return read_csv_table(source.read_bytes() if isinstance(source, Path) else source, m)


# --- headers ------------------------------------------------------------------------------------------------

_HEADER_NOISE = re.compile(r"[^\w№]+")


def header_key(text: Any) -> str:
    """Header text compared without case, punctuation, line breaks or ё/е: 'БИН/ИИН' -> 'бин иин'."""
    if text is None:
        return ""
    s = fold_text(str(text)).replace("ё", "е").replace("_", " ")
    return " ".join(_HEADER_NOISE.sub(" ", s).split())


def _phrase_re(phrases: Iterable[str], keyer: Callable[[str], str]) -> re.Pattern[str]:
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


_EXACT_HEADERS = {header_key(f): f for f in FIELDS}
_EXACT_HEADERS.update({header_key(h): f for f, hs in vocab.HEADER_EXACT.items() for h in hs})
_HEADER_PHRASES = [(f, _phrase_re(ps, header_key)) for f, ps in vocab.HEADER_PHRASES]


def recognise_header(text: Any) -> str | None:
    """Canonical field of a header cell, 'ignore' for known columns we do not keep, or None."""
    k = header_key(text)
    if not k:
        return None
    if k in _EXACT_HEADERS:
        return _EXACT_HEADERS[k]
    for fld, regex in _HEADER_PHRASES:
        if regex.search(k):
            return fld
    return None


@dataclass
class Header:
    row: int  # 1-based
    cells: tuple[str, ...]
    columns: dict[str, list[int]]  # field -> 0-based column indexes
    ignored: list[str]  # headers of columns not imported


def _map_columns(cells: tuple[str, ...], m: ColumnMap) -> tuple[dict[str, list[int]], list[str]] | None:
    """Columns of a header row: the map file's choices first, then recognised headers. None if a mapped header
    is missing from this row."""
    keys = [header_key(c) for c in cells]
    columns: dict[str, list[int]] = {}
    taken: set[int] = set()
    for fld, refs in m.columns.items():
        for ref in refs:
            if isinstance(ref, int):
                i = ref - 1
            else:
                want = header_key(ref)
                i = next((j for j, k in enumerate(keys) if k == want and j not in taken), -1)
                if i < 0:
                    return None
            columns.setdefault(fld, []).append(i)
            taken.add(i)
    ignored = []
    for i, cell in enumerate(cells):
        if i in taken or not keys[i]:
            continue
        fld = recognise_header(cell)
        if fld is None or fld == "ignore" or fld in m.columns or (fld in columns and fld not in MULTI):
            ignored.append(str(cell).strip())
            continue
        columns.setdefault(fld, []).append(i)
    return columns, ignored


def find_header(rows: list[tuple[int, tuple]], m: ColumnMap) -> Header | None:
    """The header among the first (row number, cells): the map file's header_row, else the row naming the most
    fields (it must name the agency-name column)."""
    best: Header | None = None
    for n, cells in rows:
        if m.header_row is not None and n != m.header_row:
            continue
        text = tuple("" if c is None else str(c).strip() for c in cells)
        mapped = _map_columns(text, m)
        if mapped is None or "name" not in mapped[0]:
            continue
        h = Header(n, text, *mapped)
        if best is None or len(h.columns) > len(best.columns):
            best = h
    return best


# --- values -------------------------------------------------------------------------------------------------

class Reject(Exception):
    def __init__(self, field_name: str, reason: str):
        super().__init__(reason)
        self.field, self.reason = field_name, reason


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
    return _phrase_re(phrases, lambda w: text_key(w))


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


# --- parsing ------------------------------------------------------------------------------------------------

@dataclass
class RejectedRow:
    file: str
    row: int
    field: str
    reason: str
    cells: tuple[str, ...] = ()

    def __str__(self) -> str:
        return f"{self.file}:{self.row}: {self.field}: {self.reason}"


@dataclass
class Merge:
    kept: int  # source row kept
    merged: int  # source row folded into it
    via: str  # license_no | name+tax_id
    note: str = ""


@dataclass
class ImportResult:
    file: str
    country: str
    kind: str
    rows: list[dict[str, str]]  # canonical rows (HEADER order), sorted
    rejects: list[RejectedRow]
    merges: list[Merge]
    warnings: list[str]  # file:row: field: what was fixed or dropped (the row itself was kept)
    header: Header | None
    table: str  # "xlsx, sheet 'Реестр'" / "csv, cp1251, semicolon-separated"
    read: int  # data rows seen (blank rows and repeated headers not counted)
    source_url: str = ""
    carried: int = 0  # rows that kept aliases or contacts from the current registry (see carry_over)

    @property
    def columns(self) -> dict[str, list[str]]:
        """field -> the source headers it came from."""
        if not self.header:
            return {}
        cells = self.header.cells
        return {f: [cells[i] if i < len(cells) and cells[i] else f"column {i + 1}" for i in idx]
                for f, idx in self.header.columns.items()}

    def csv_text(self) -> str:
        return rows_to_csv(self.rows)

    def rejects_csv(self) -> str:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(["file", "row", "field", "reason", *(self.header.cells if self.header else ())])
        for r in self.rejects:
            w.writerow([r.file, r.row, r.field, r.reason, *r.cells])
        return buf.getvalue()


def rows_to_csv(rows: Iterable[dict[str, str]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(HEADER)
    for r in rows:
        w.writerow([r[h] for h in HEADER])
    return buf.getvalue()


class _RowReader:
    """One source row -> a canonical row (dict of strings), or Reject."""

    def __init__(self, header: Header, m: ColumnMap, country: str, kind: str, source_url: str, retrieved: date,
                 file: str, warn: Callable[[int, str, str], None]):
        self.cols, self.m, self.country, self.kind = header.columns, m, country, kind
        self.source_url, self.retrieved, self.file, self.warn = source_url, retrieved.isoformat(), file, warn

    def values(self, cells: tuple, texts: tuple[str, ...], fld: str) -> list[Any]:
        """Raw cells of a field (numbers and dates as the spreadsheet typed them), empty ones left out."""
        return [cells[i] for i in self.cols.get(fld, ()) if i < len(texts) and texts[i]]

    def text(self, texts: tuple[str, ...], fld: str) -> str:
        vals = [texts[i] for i in self.cols.get(fld, ()) if i < len(texts) and texts[i]]
        return "; ".join(vals) if fld in MULTI else (vals[0] if vals else "")

    def __call__(self, n: int, cells: tuple, texts: tuple[str, ...]) -> tuple[dict[str, str], str]:
        """(canonical row, its name key)."""
        name = clean_name(self.text(texts, "name"))
        filled = sum(1 for t in texts if t)
        if not name:
            raise Reject("name", "no agency name")
        if filled == 1 and len(self.cols) >= 3:
            raise Reject("row", f"only the name cell is filled ('{name[:60]}'): a heading or a note, not an agency")
        aliases = []
        own_key = name_key(name)
        keys = {own_key}
        for a in split_aliases(self.values(cells, texts, "aliases")):
            k = name_key(a)
            if k and k not in keys:
                keys.add(k)
                aliases.append(a.replace("|", "/"))
        if "status" in self.cols:
            raw = self.text(texts, "status")
            status = status_of(raw, self.m.status_words) if raw else self.m.default_status
            if status is None:
                raise Reject("status", f"'{raw}' names no single status ({', '.join(STATUSES)}); say what it means "
                             "under status_words in a map file (--map)" if raw else
                             "status is empty (set default_status in a map file to accept such rows)")
        else:
            status = self.m.default_status or "active"
        valid_until = ""
        vals = self.values(cells, texts, "valid_until")
        if vals:
            d = date_of(vals[0], self.m.date_order)
            if d is None:
                raise Reject("valid_until", f"'{cell_text(vals[0])}' is not a date")
            valid_until = "" if d == NO_END else d.isoformat()
        tax_id, note = clean_tax_id(self.text(texts, "tax_id"), self.country)
        if note:
            self.warn(n, "tax_id", note)
        phones: list[str] = []
        for v in self.values(cells, texts, "phones"):
            found, bad = clean_phones(v, self.country)
            phones += [p for p in found if p not in phones]
            for b in bad:
                self.warn(n, "phones", f"'{b}' is not a phone number; dropped")
        retrieved = self.retrieved
        vals = self.values(cells, texts, "retrieved")
        if vals:
            d = date_of(vals[0], self.m.date_order)
            if not isinstance(d, date):
                raise Reject("retrieved", f"'{cell_text(vals[0])}' is not a date")
            retrieved = d.isoformat()
        return {
            "country": self.country, "kind": self.kind, "name": name, "aliases": "|".join(aliases),
            "license_no": clean_license(self.text(texts, "license_no")), "tax_id": tax_id, "status": status,
            "valid_until": valid_until, "phones": "|".join(phones),
            "website": clean_website(self.text(texts, "website")), "address": self.text(texts, "address"),
            "source_url": self.text(texts, "source_url") or self.source_url, "retrieved": retrieved,
        }, own_key


def _merge_into(kept: dict[str, str], other: dict[str, str]) -> str:
    """Fold a duplicate row into the kept one; returns a note when the two disagreed on the status. The row with
    the later end date decides the status; on a tie the one that is not active does (caution)."""
    names = [kept["name"], *filter(None, kept["aliases"].split("|"))]
    keys = {name_key(n) for n in names}
    for n in [other["name"], *filter(None, other["aliases"].split("|"))]:
        if name_key(n) not in keys:
            keys.add(name_key(n))
            names.append(n.replace("|", "/"))
    kept["aliases"] = "|".join(names[1:])
    phones = kept["phones"].split("|") if kept["phones"] else []
    phones += [p for p in other["phones"].split("|") if p and p not in phones]
    kept["phones"] = "|".join(phones)
    for f in ("license_no", "tax_id", "website", "address"):
        if not kept[f] and other[f]:
            kept[f] = other[f]
    if kept["status"] == other["status"]:  # the later of two known end dates
        kept["valid_until"] = max(kept["valid_until"], other["valid_until"])
        return ""
    mine, theirs = kept["valid_until"] or "9999", other["valid_until"] or "9999"  # empty: no end date
    take = theirs > mine or (theirs == mine and kept["status"] == "active")
    winner = other if take else kept
    note = f"statuses differ ({kept['status']} / {other['status']}): kept {winner['status']}"
    kept["status"], kept["valid_until"] = winner["status"], winner["valid_until"]
    return note


def sort_key(row: dict[str, str], key: str | None = None) -> tuple:
    """Stable order: by licence number (those without one last), then name; re-imports give small diffs."""
    code = norm_code(row["license_no"])
    return (code == "", code, name_key(row["name"]) if key is None else key, row["name"], row["tax_id"])


def parse_table(source: Path | bytes, country: str, kind: str, *, filename: str | None = None,
                mapping: ColumnMap | None = None, source_url: str | None = None, retrieved: date | None = None,
                progress: Progress | None = None) -> ImportResult:
    """Read a registry file into canonical rows. Raises ImportFailure when nothing can be read at all."""
    country, kind = country.upper(), kind.lower()
    if not (len(country) == 2 and country.isascii() and country.isalpha()):
        raise ImportFailure(f"'{country}' is not a two-letter country code")
    if kind not in KINDS:
        raise ImportFailure(f"kind must be one of: {', '.join(KINDS)}")
    m = mapping or ColumnMap()
    if source_url and not _URL_OK.match(source_url):
        raise ImportFailure(f"the source must be an http(s) URL, not '{source_url}'")
    file = filename or (source.name if isinstance(source, Path) else "upload")
    source_url = source_url or m.source_url or ""
    table = open_table(source, file, m)
    try:
        return _parse(table, m, country, kind, file, source_url, retrieved or date.today(), progress)
    finally:
        table.close()


def _parse(table: Table, m: ColumnMap, country: str, kind: str, file: str, source_url: str, retrieved: date,
           progress: Progress | None) -> ImportResult:
    head: list[tuple[int, tuple]] = []
    for item in table.rows:
        head.append(item)
        if len(head) >= max(HEADER_SCAN_ROWS, m.header_row or 0):
            break
    header = find_header(head, m)
    if header is None:
        seen = next((c for _, c in head if sum(1 for x in c if cell_text(x)) >= 2), ())
        hint = ", ".join(f"'{cell_text(c)}'" for c in seen if cell_text(c))[:300]
        missing = [str(r) for refs in m.columns.values() for r in refs]
        raise ImportFailure(
            (f"the header named in the map file was not found (looked for {', '.join(missing)})" if m.columns else
             "no column with the agency name was recognised") + (f"; first row with values: {hint}" if hint else "")
            + "; write a map file (--map) that names the columns")
    result = ImportResult(file, country, kind, [], [], [], [], header, f"{table.kind}, {table.detail}", 0, source_url)
    if "source_url" not in header.columns and not source_url:
        raise ImportFailure("a source URL is required: where did this list come from? (--source URL)")

    def warn(n: int, fld: str, message: str) -> None:
        result.warnings.append(f"{file}:{n}: {fld}: {message}")

    if "status" not in header.columns:
        warn(header.row, "status", f"no status column: every row is taken as {m.default_status or 'active'}")
    reader = _RowReader(header, m, country, kind, source_url, retrieved, file, warn)
    header_keys = tuple(header_key(c) for c in header.cells)
    name_col = header.columns["name"][0]
    name_header = header.cells[name_col] if name_col < len(header.cells) else None
    unique = _Deduplicator()
    done = 0

    def all_rows() -> Iterator[tuple[int, tuple]]:
        yield from (item for item in head if item[0] > header.row)
        yield from table.rows

    for n, cells in all_rows():
        done = n
        if progress and n % PROGRESS_EVERY == 0:
            progress(n, table.total)
        texts = tuple(cell_text(c) for c in cells)
        if not any(texts):
            continue
        if name_col < len(texts) and texts[name_col] == name_header and \
                tuple(header_key(t) for t in texts[:len(header_keys)]) == header_keys:
            continue  # the header repeated on every printed page
        result.read += 1
        try:
            row, nkey = reader(n, cells, texts)
            try:
                parse_row(row, file, n)  # the very check `saqbol content validate` runs
            except RegistryError as exc:
                raise Reject(exc.field, exc.message) from None
        except Reject as exc:
            result.rejects.append(RejectedRow(file, n, exc.field, exc.reason, texts))
            continue
        merge = unique.add(row, nkey, n)
        if merge is not None:
            result.merges.append(merge)
            if merge.note:
                warn(n, "status", f"duplicate of row {merge.kept}; {merge.note}")
    if progress:
        progress(done, done)
    result.rows = unique.sorted_rows()
    return result


class _Deduplicator:
    """Rows seen so far, indexed by licence number and by name key + tax id, so a duplicate is merged into the
    first row in one dictionary probe."""

    def __init__(self) -> None:
        self.rows: list[Row] = []
        self.keys: list[str] = []  # name key of each row, computed once
        self.origin: list[int] = []  # source row number of each row
        self.by_license: dict[str, int] = {}
        self.by_name_tax: dict[tuple[str, str], int] = {}

    def add(self, row: Row, nkey: str, n: int) -> Merge | None:
        """Keep the row, or merge it into the one it duplicates and say so."""
        lic = norm_code(row["license_no"]) if row["license_no"] else ""
        nt = (nkey, row["tax_id"]) if row["tax_id"] else None
        same, via = self.by_license.get(lic) if lic else None, "license_no"
        if same is None and nt is not None:
            same, via = self.by_name_tax.get(nt), "name+tax_id"
            if same is not None and lic and self.rows[same]["license_no"]:
                same = None  # one company holding two licences: two rows, each findable by its number
        if same is not None:
            note = _merge_into(self.rows[same], row)
            if lic:
                self.by_license.setdefault(lic, same)
            return Merge(self.origin[same], n, via, note)
        if lic:
            self.by_license[lic] = len(self.rows)
        if nt is not None:
            self.by_name_tax.setdefault(nt, len(self.rows))
        self.rows.append(row)
        self.keys.append(nkey)
        self.origin.append(n)
        return None

    def sorted_rows(self) -> list[Row]:
        order = sorted(range(len(self.rows)), key=lambda i: sort_key(self.rows[i], self.keys[i]))
        return [self.rows[i] for i in order]


# --- diff ---------------------------------------------------------------------------------------------------

def row_identity(row: dict[str, str]) -> str:
    """What makes two rows the same agency across imports: the licence number, else name + tax id."""
    if row["license_no"]:
        return "L:" + norm_code(row["license_no"])
    return f"N:{name_key(row['name'])}|{row['tax_id']}"


def agency_row(a: Agency) -> dict[str, str]:
    return {"country": a.country, "kind": a.kind, "name": a.name, "aliases": "|".join(a.aliases),
            "license_no": a.license_no, "tax_id": a.tax_id, "status": a.status,
            "valid_until": a.valid_until.isoformat() if a.valid_until else "", "phones": "|".join(a.phones),
            "website": a.website, "address": a.address, "source_url": a.source_url,
            "retrieved": a.retrieved.isoformat()}


def _brief(row: dict[str, str]) -> dict[str, str]:
    return {"name": row["name"], "license_no": row["license_no"], "status": row["status"]}


@dataclass
class RegistryDiff:
    added: list[dict[str, str]] = field(default_factory=list)
    removed: list[dict[str, str]] = field(default_factory=list)
    status_changed: list[tuple[dict[str, str], dict[str, str]]] = field(default_factory=list)  # (old, new)
    updated: list[tuple[dict[str, str], dict[str, str], list[str]]] = field(default_factory=list)  # other fields
    unchanged: int = 0
    current: int = 0  # rows of this country/kind before

    def counts(self) -> dict[str, int]:
        return {"current": self.current, "added": len(self.added), "removed": len(self.removed),
                "status_changed": len(self.status_changed), "updated": len(self.updated),
                "unchanged": self.unchanged}

    def to_dict(self, examples: int = 10) -> dict[str, Any]:
        return {**self.counts(), "examples": {
            "added": [_brief(r) for r in self.added[:examples]],
            "removed": [_brief(r) for r in self.removed[:examples]],
            "status_changed": [{"name": n["name"], "license_no": n["license_no"], "old": o["status"],
                                "new": n["status"]} for o, n in self.status_changed[:examples]],
            "updated": [{"name": n["name"], "license_no": n["license_no"], "fields": fs}
                        for o, n, fs in self.updated[:examples]]}}


def pair_rows(old: Iterable[Row], new: Iterable[Row]) -> tuple[list[tuple[Row, Row]], list[Row], list[Row], int]:
    """(old, new) pairs of the same agency, new rows without a match, old rows without one, and the number of
    distinct old rows. Matched by licence number (else name + tax id); a row left over on both sides with the same
    name and tax id is the same company under a new licence number."""
    before = {row_identity(r): r for r in old}
    after = {row_identity(r): r for r in new}
    pairs = [(before[i], r) for i, r in after.items() if i in before]
    gone = {i: r for i, r in before.items() if i not in after}
    by_company = {(name_key(r["name"]), r["tax_id"]): i for i, r in gone.items() if r["tax_id"]}
    added = []
    for i, row in after.items():
        if i in before:
            continue
        was = by_company.pop((name_key(row["name"]), row["tax_id"]), None) if row["tax_id"] else None
        if was is None:
            added.append(row)
        else:
            pairs.append((gone.pop(was), row))
    return pairs, added, list(gone.values()), len(before)


def diff_rows(old: Iterable[Row], new: Iterable[Row]) -> RegistryDiff:
    """What an import changes: added, removed, status changed, other fields changed (see pair_rows)."""
    pairs, added, removed, current = pair_rows(old, new)
    d = RegistryDiff(added=added, removed=removed, current=current)
    for prev, row in pairs:
        if prev["status"] != row["status"]:
            d.status_changed.append((prev, row))
        elif fields := [f for f in COMPARED if prev[f] != row[f]]:
            d.updated.append((prev, row, fields))
        else:
            d.unchanged += 1
    return d


def current_rows(sources: Iterable[Path | tuple[str, str]], country: str, kind: str,
                 used: list[str] | None = None) -> tuple[list[dict], list[str]]:
    """Rows of this country and kind in registry CSVs (paths, or (name, text) pairs), and their load errors.
    The names of the files that held such rows are appended to `used`."""
    rows, errors = [], []
    for src in sources:
        if isinstance(src, Path):
            try:
                text, name = src.read_text(encoding="utf-8"), str(src)
            except (OSError, UnicodeDecodeError) as exc:
                errors.append(f"{src}: cannot read ({exc})")
                continue
        else:
            name, text = src
        agencies, errs = read_csv(text, name)
        errors += [str(e) for e in errs]
        mine = [agency_row(a) for a in agencies if a.country == country and a.kind == kind]
        if mine and used is not None:
            used.append(name)
        rows += mine
    return rows, errors


CARRIED = ("tax_id", "phones", "website", "address")


def carry_over(result: ImportResult, old: list[dict[str, str]]) -> int:
    """Keep what the current registry knows and a government list does not publish: aliases (transliterations,
    spellings NGOs added) always, and the current name as an alias when the new list spells it otherwise; tax id,
    phones, website and address when the file has no such column. Returns how many rows gained something."""
    mapped = set(result.header.columns) if result.header else set()
    gained = 0
    for prev, row in pair_rows(old, result.rows)[0]:
        before = dict(row)
        names = [row["name"], *filter(None, row["aliases"].split("|"))]
        keys = {n.casefold() for n in names}  # by text: an alias the current file has stays, even if redundant
        for n in (prev["name"], *filter(None, prev["aliases"].split("|"))):
            k = n.casefold()
            if k not in keys:
                keys.add(k)
                names.append(n.replace("|", "/"))
        row["aliases"] = "|".join(names[1:])
        for f in CARRIED:
            if f not in mapped and not row[f] and prev[f]:
                row[f] = prev[f]
        gained += row != before
    return gained


# --- the whole import ---------------------------------------------------------------------------------------

@dataclass
class ImportSummary:
    """An import and its diff, ready to show (CLI table, JSON, or an admin's Telegram message) and to apply."""

    result: ImportResult
    diff: RegistryDiff
    current: list[str]  # the files the diff compares with
    current_errors: list[str]

    def to_dict(self, examples: int = 10) -> dict[str, Any]:
        r = self.result
        return {"file": r.file, "country": r.country, "kind": r.kind, "table": r.table,
                "header_row": r.header.row if r.header else None, "columns": r.columns,
                "ignored_columns": r.header.ignored if r.header else [], "rows_read": r.read,
                "imported": len(r.rows), "merged": len(r.merges), "rejected": len(r.rejects), "carried_over": r.carried,
                "warnings": len(r.warnings), "source_url": r.source_url,
                "rejects": [str(x) for x in r.rejects[:examples]], "warning_examples": r.warnings[:examples],
                "merges": [{"kept_row": x.kept, "merged_row": x.merged, "via": x.via, "note": x.note}
                           for x in r.merges[:examples]],
                "current": self.current, "current_errors": self.current_errors[:examples],
                "diff": self.diff.to_dict(examples)}


def preview_import(source: Path | bytes, country: str, kind: str, *, current: Iterable[Path | tuple[str, str]] = (),
                   filename: str | None = None, mapping: ColumnMap | None = None, source_url: str | None = None,
                   retrieved: date | None = None, progress: Progress | None = None) -> ImportSummary:
    """Parse a registry file (a path, or the bytes an admin sent) and diff it against the current registry CSVs
    (paths or (name, text) pairs). Writes nothing. Without --source, the current rows' source URL is reused."""
    country, used = country.upper(), []
    old, old_errors = current_rows(current, country, kind.lower(), used)
    if not source_url and not (mapping and mapping.source_url) and old:
        source_url = Counter(r["source_url"] for r in old).most_common(1)[0][0]
    result = parse_table(source, country, kind, filename=filename, mapping=mapping, source_url=source_url,
                         retrieved=retrieved, progress=progress)
    result.carried = carry_over(result, old)
    return ImportSummary(result, diff_rows(old, result.rows), used, old_errors)


MASS_REMOVAL_MIN = 20  # below this many current rows, any removal is plausible


def refusal(summary: ImportSummary, out: Path, force: bool = False) -> str | None:
    """Why writing this import to `out` would do harm, or None: nothing imported; more than half of the current
    rows gone (a truncated download?) unless forced; or `out` holding other countries' or kinds' rows, which
    the rewrite would lose."""
    r, d = summary.result, summary.diff
    if not r.rows:
        return "no row could be imported"
    if out.exists():
        try:
            agencies, _ = read_csv(out.read_text(encoding="utf-8"), str(out))
        except (OSError, UnicodeDecodeError):
            agencies = []
        foreign = sum(1 for a in agencies if (a.country, a.kind) != (r.country, r.kind))
        if foreign:
            return f"{out} also holds {foreign} rows of other countries or kinds; write to another file (--out)"
    if d.current >= MASS_REMOVAL_MIN and len(d.removed) * 2 > d.current and not force:
        return f"{len(d.removed)} of {d.current} current rows would be removed (a truncated file?); --force"
    return None


def default_output(registries_dir: Path, country: str, kind: str) -> Path:
    return registries_dir / f"{country.lower()}_{kind.lower()}.csv"


def rejects_path(out: Path) -> Path:
    """Next to the output, in rejects/: registry loaders read only the *.csv directly in their directory."""
    return out.parent / "rejects" / f"{out.stem}.rejects.csv"


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")  # not *.csv: a loader globbing the directory never sees it
    tmp.write_text(text, encoding="utf-8", newline="")
    os.replace(tmp, path)


def write_import(result: ImportResult, out: Path) -> Path | None:
    """Write the canonical CSV (after checking it loads) and, if rows were rejected, the rejects CSV."""
    text = result.csv_text()
    _, errors = read_csv(text, str(out))
    if errors:  # cannot happen: every row passed parse_row; refuse rather than write a file that fails to load
        raise ImportFailure(f"internal check failed, nothing written: {errors[0]}")
    _atomic_write(out, text)
    rp = rejects_path(out)
    if result.rejects:
        _atomic_write(rp, result.rejects_csv())
        return rp
    if rp.exists():
        rp.unlink()  # an old rejects list would describe a previous import
    return None
