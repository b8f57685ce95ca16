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
    if len(stem) == 2 and stem.isalpha() or stem.lower() == "general":
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


def _rows(text: str) -> dict[tuple[str, str], dict[str, str]]:
    rows = {}
    for row in csv.DictReader(io.StringIO(text)):
        key = (row.get("country") or "", (row.get("license_no") or "").strip() or (row.get("name") or "").strip())
        rows[key] = row
    return rows


def registry_diff(old: str, new: str, examples: int = 5) -> tuple[dict[str, int], list[str]]:
    """Agencies added, removed and whose status changed, with a few examples of each."""
    before, after = _rows(old) if old else {}, _rows(new)
    added = [after[k] for k in after.keys() - before.keys()]
    removed = [before[k] for k in before.keys() - after.keys()]
    status = [(before[k], after[k]) for k in after.keys() & before.keys()
              if (before[k].get("status"), before[k].get("valid_until")) != (after[k].get("status"), after[k].get("valid_until"))]
    lines = [f"+ {r.get('name')} ({r.get('license_no') or '—'}, {r.get('status')})" for r in added[:examples]]
    lines += [f"- {r.get('name')} ({r.get('license_no') or '—'})" for r in removed[:examples]]
    lines += [f"~ {b.get('name')}: {b.get('status')} → {a.get('status')}" for b, a in status[:examples]]
    return {"rows": len(after), "added": len(added), "removed": len(removed), "status_changed": len(status)}, lines


def text_diff(old: str, new: str, shown: int = 20) -> tuple[dict[str, int], list[str]]:
    """Changed lines of a YAML file (the first few shown)."""
    diff = [line for line in difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=0)
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    added = sum(1 for line in diff if line.startswith("+"))
    return {"lines_added": added, "lines_removed": len(diff) - added}, [line[:160] for line in diff[:shown]]
