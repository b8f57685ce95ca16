"""Turn a registry as a government publishes it (CSV in any common encoding, or XLSX) into the canonical registry
CSV (DESIGN.md §4), and say what changed against the registry we serve now.

    parse_table(...)    file -> ImportResult: canonical rows, rejects (file:row: field: reason), merges, warnings
    diff_rows(...)      current rows vs imported rows -> RegistryDiff (added, removed, status changed, updated)
    preview_import(...) both at once, for the CLI and for an admin who sends the file to the bot
    refusal(...)        why writing would do harm (nothing imported, most rows gone, other countries' rows)
    write_import(...)   the canonical CSV and its rejects CSV, written atomically

Reading files and finding columns: registry_tables.py; one cell -> one canonical value: registry_values.py.
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
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from ..core.registry import HEADER, KINDS, STATUSES, Agency, RegistryError, name_key, norm_code, parse_row, read_csv
from .registry_tables import (HEADER_SCAN_ROWS, MULTI, ColumnMap, Header, ImportFailure, Table, find_header,
                              header_key, load_map, open_table, recognise_header)
from .registry_values import (NO_END, cell_text, clean_license, clean_name, clean_phones, clean_tax_id,
                              clean_website, date_of, parse_date, split_aliases, status_of)
from .yamlfile import ContentError

__all__ = ["ColumnMap", "ContentError", "ImportFailure", "ImportResult", "ImportSummary", "KINDS", "RegistryDiff",
           "diff_rows", "load_map", "parse_date", "parse_table", "preview_import", "recognise_header", "refusal",
           "rejects_path", "status_of", "write_import"]

COMPARED = ("name", "aliases", "license_no", "tax_id", "valid_until", "phones", "website", "address")  # "updated"
PROGRESS_EVERY = 2000
_URL_OK = re.compile(r"https?://[^\s/]+\.\S+\Z")
Progress = Callable[[int, "int | None"], None]
Row = dict[str, str]  # a canonical registry row: HEADER field -> text


class Reject(Exception):
    def __init__(self, field_name: str, reason: str):
        super().__init__(reason)
        self.field, self.reason = field_name, reason


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
