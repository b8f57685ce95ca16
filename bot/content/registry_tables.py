"""Read a registry file as published — CSV in any usual encoding and delimiter, or an XLSX workbook streamed with
openpyxl — and find its header and which column holds which registry field (built-in header names in
ru/kk/uz/ky/tg/en, or a map file for odd layouts).
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

from ..core.normalize import fold_text
from ..core.registry import HEADER, STATUSES
from . import registry_vocab as vocab
from .registry_values import phrase_regex
from .yamlfile import ContentError, load_yaml

FIELDS = tuple(f for f in HEADER if f not in ("country", "kind"))
MULTI = ("aliases", "phones", "address")  # fields that may come from several columns, joined
HEADER_SCAN_ROWS = 30  # a header may sit under a title, a date line and a blank row


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


_EXACT_HEADERS = {header_key(f): f for f in FIELDS}
_EXACT_HEADERS.update({header_key(h): f for f, hs in vocab.HEADER_EXACT.items() for h in hs})
_HEADER_PHRASES = [(f, phrase_regex(ps, header_key)) for f, ps in vocab.HEADER_PHRASES]


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
