"""Check an uploaded content file before it goes live: where it belongs, whether the whole content still
validates with it, and what it changes.

The check runs on a mirror of the content directory (links to the current files, the upload in its place),
so a bad file is rejected with `file:line: field: message` and nothing served changes.
"""

from __future__ import annotations

import csv
import difflib
import io
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..content.loader import ContentError, load_content

TOP_LEVEL = {"offer_kinds.yml", "advice.yml", "countries.yml", "hotlines.yml", "emergency.yml", "organization.yml",
             "screening.yml"}
MAX_UPLOAD = 20 * 1024 * 1024
_SAFE = re.compile(r"^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)?$")


@dataclass
class StagedChange:
    relpath: str
    text: str
    errors: list[ContentError] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)  # human summary lines, e.g. "+ 3 rows"
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def target_path(directory: Path, filename: str, caption: str | None = None) -> str | None:
    """Where an uploaded file goes, relative to the content directory; None when it cannot be told."""
    hint = (caption or "").strip().split()[0] if (caption or "").strip() else ""
    if hint and _SAFE.match(hint) and hint.endswith((".yml", ".csv")) and ".." not in hint:
        return hint
    name = Path(filename or "").name
    if not _SAFE.match(name):
        return None
    if name.endswith(".csv"):
        return f"registries/{name}"
    if not name.endswith(".yml"):
        return None
    if name in TOP_LEVEL:
        return name
    stem = name[:-4]
    if (directory / "red_flags" / name).exists():
        return f"red_flags/{name}"
    if (directory / "warnings" / name).exists() or stem.startswith("warnings") or stem == "reported":
        return f"warnings/{name}"
    if (len(stem) == 2 and stem.isalpha()) or stem.lower() == "general":
        return f"rights/{stem.upper() if len(stem) == 2 else 'general'}.yml"
    return None


def decode(data: bytes) -> str:
    """Uploaded text as UTF-8 (a BOM is dropped); content files must be UTF-8."""
    text = data.decode("utf-8-sig")
    return text.replace("\r\n", "\n")


def stage(directory: Path, relpath: str, text: str) -> StagedChange:
    """Validate the content as it would be with `text` at `relpath`, and describe the change."""
    change = StagedChange(relpath, text)
    directory = Path(directory)
    with tempfile.TemporaryDirectory(prefix="saqbol-stage-") as tmp:
        mirror = Path(tmp) / "content"
        shutil.copytree(directory, mirror, copy_function=os.symlink,
                        ignore=shutil.ignore_patterns(".*"))
        target = mirror / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.is_symlink() or target.exists():
            target.unlink()
        target.write_text(text, encoding="utf-8")
        content = load_content(mirror, with_registry=relpath.startswith("registries/"))
        for e in content.errors:
            file = str(e.file).replace(str(mirror) + os.sep, "")
            change.errors.append(ContentError(file, e.line, e.field, e.message))
    old_path = directory / relpath
    old = old_path.read_text(encoding="utf-8", errors="replace") if old_path.exists() else ""
    if relpath.endswith(".csv"):
        change.counts, change.changes = registry_diff(old, text)
    else:
        change.counts, change.changes = text_diff(old, text)
    return change


class ImportRefused(ValueError):
    """An import that would do harm (nothing imported, most of a registry gone…); the message says why."""


@dataclass
class StagedImport:
    """A government registry converted to the canonical CSV and checked like an upload (nothing written)."""

    change: StagedChange
    summary: object  # bot.content.registry_import.ImportSummary: counts, rejects, diff
    kept_elsewhere: int  # rows of this country and kind in other registry files, which stay as they are


def stage_import(directory: Path, data: bytes, filename: str, country: str, kind: str,
                 source_url: str | None = None) -> StagedImport:
    """Import `data` as `registries/<cc>_<kind>.csv`, diffed against the file it replaces. Raises ImportFailure
    (unreadable file) or ImportRefused."""
    from ..content import registry_import as ri
    from ..core.registry import registry_files

    reg_dir = Path(directory) / "registries"
    out = ri.default_output(reg_dir, country, kind)
    summary = ri.preview_import(data, country, kind, current=[out] if out.exists() else [], filename=filename,
                                source_url=source_url)
    problem = ri.refusal(summary, out)
    if problem:
        raise ImportRefused(problem)
    others = [p for p in registry_files(reg_dir) if p != out]
    change = stage(directory, str(out.relative_to(directory)), summary.result.csv_text())
    return StagedImport(change, summary, len(ri.current_rows(others, country, kind)[0]))


def registry_diff(old: str, new: str, examples: int = 5) -> tuple[dict[str, int], list[str]]:
    """Agencies added, removed and whose status changed, with a few examples of each — paired as the registry
    importer pairs them (licence number, else name and tax id; a renumbered licence is the same agency)."""
    from ..content.registry_import import diff_rows

    after = list(csv.DictReader(io.StringIO(new)))
    d = diff_rows(csv.DictReader(io.StringIO(old)) if old else [], after)
    lines = [f"+ {r.get('name')} ({r.get('license_no') or '—'}, {r.get('status')})" for r in d.added[:examples]]
    lines += [f"- {r.get('name')} ({r.get('license_no') or '—'})" for r in d.removed[:examples]]
    lines += [f"~ {b.get('name')}: {b.get('status')} → {a.get('status')}" for b, a in d.status_changed[:examples]]
    lines += [f"~ {a.get('name')}: {', '.join(fields)}" for _b, a, fields in d.updated[:examples]]
    return {"rows": len(after), "added": len(d.added), "removed": len(d.removed),
            "status_changed": len(d.status_changed)}, lines


def text_diff(old: str, new: str, shown: int = 20) -> tuple[dict[str, int], list[str]]:
    """Changed lines of a YAML file (the first few shown)."""
    diff = [line for line in difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=0)
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    added = sum(1 for line in diff if line.startswith("+"))
    return {"lines_added": added, "lines_removed": len(diff) - added}, [line[:160] for line in diff[:shown]]
