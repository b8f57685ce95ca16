"""Load every content file, validate it, and build the objects the core needs.

A broken file never takes the bot down: `load_content` returns what loaded plus a list of ContentError
(file, line, field, message). Callers that must not serve partial content (reload, validate) check
`errors` and keep the previous Content.
"""

from __future__ import annotations

import gc
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from ..core.registry import Registry, RegistryError, registry_files
from .registry_cache import load_registry
from ..core.warnings import Reported, WarningIndex
from .schema import (Advice, Countries, Hotline, Hotlines, OfferKinds, Organization, RedFlagRule, Rights,
                     Screening, Warnings)
from .yamlfile import ContentError, line_of, load_yaml

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "content"
REGISTRY_RULES = ("unlicensed_agency", "license_not_active")
DERIVED_RULES = REGISTRY_RULES + ("reported_by_users",)  # raised by lookups, not by patterns

M = TypeVar("M", bound=BaseModel)


def _validate(model: type[M], path: Path, errors: list[ContentError], lines_out: dict | None = None) -> M | None:
    file = str(path)
    try:
        data, lines = load_yaml(path.read_text(encoding="utf-8"), file)
    except ContentError as exc:
        errors.append(exc)
        return None
    except (OSError, UnicodeDecodeError) as exc:
        errors.append(ContentError(file, 0, "", f"cannot read: {exc}"))
        return None
    if data is None:
        errors.append(ContentError(file, 1, "", "file is empty"))
        return None
    if lines_out is not None:
        lines_out.update(lines)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(err["loc"])
            errors.append(ContentError(file, line_of(lines, loc), ".".join(map(str, loc)), err["msg"]))
        return None


@dataclass
class Content:  # noqa: D101 — fields below say what each part is
    directory: Path
    rules: list[RedFlagRule] = field(default_factory=list)
    offer_kinds: OfferKinds | None = None
    advice: Advice | None = None
    countries: Countries | None = None
    hotlines: list[Hotline] = field(default_factory=list)
    rights: dict[str, Rights] = field(default_factory=dict)  # country code or GENERAL -> explainer
    organization: Organization | None = None
    screening: Screening | None = None  # the self-check questionnaire
    reviews: dict[str, str] = field(default_factory=dict)  # file name -> review status
    registry: Registry = field(default_factory=Registry)
    warnings: WarningIndex = field(default_factory=WarningIndex)  # confirmed user reports (content/warnings/)
    errors: list[ContentError] = field(default_factory=list)
    version: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors

    def rights_topic(self, country: str | None, topic: str):
        """The destination's explainer for a topic, or the general one."""
        for key in (country, "GENERAL"):
            r = self.rights.get(key or "")
            if r is not None and topic in r.topics:
                return r.topics[topic]
        return None


def _screening_links(s: Screening, file: str, lines: dict) -> list[ContentError]:
    """What the schema cannot see alone: unique question ids, follow-ups that point to an earlier question,
    and every indicator a question names being defined (with its sources)."""
    errors, seen = [], set()
    for i, q in enumerate(s.questions):
        where = ("questions", i)
        if q.id in seen:
            errors.append(ContentError(file, line_of(lines, where + ("id",)), f"questions.{i}.id",
                                       f"'{q.id}' appears twice"))
        if q.ask_if is not None and q.ask_if not in seen:
            errors.append(ContentError(file, line_of(lines, where + ("ask_if",)), f"questions.{i}.ask_if",
                                       f"'{q.ask_if}' is not an earlier question"))
        for ind in q.indicators:
            if ind not in s.indicators:
                errors.append(ContentError(file, line_of(lines, where + ("indicators",)), f"questions.{i}.indicators",
                                           f"indicator '{ind}' is not defined under indicators:"))
        seen.add(q.id)
    return errors


def _fingerprint(paths: list[Path]) -> str:
    h = hashlib.sha256()
    for p in sorted(paths):
        h.update(p.name.encode())
        try:
            h.update(p.read_bytes())
        except OSError:
            pass
    return h.hexdigest()[:12]


def load_content(directory: Path | None = None, extra_registries: list[Path] = (),
                 with_registry: bool = True, use_cache: bool = True) -> Content:
    """Load all content under `directory` (default: the repository's content/)."""
    directory = Path(directory or DEFAULT_DIR)
    content = Content(directory)
    errors = content.errors
    if not directory.is_dir():
        errors.append(ContentError(str(directory), 0, "", "content directory not found"))
        return content
    rule_files = sorted((directory / "red_flags").glob("*.yml"))
    seen: dict[str, str] = {}
    for path in rule_files:
        rule = _validate(RedFlagRule, path, errors)
        if rule is None:
            continue
        if rule.id in seen:
            errors.append(ContentError(str(path), 1, "id", f"'{rule.id}' is already defined in {seen[rule.id]}"))
            continue
        if rule.id in DERIVED_RULES and rule.patterns:
            errors.append(ContentError(str(path), 1, "patterns", "registry-derived rules take no patterns"))
        seen[rule.id] = path.name
        content.rules.append(rule)
    for rid in REGISTRY_RULES:
        if rule_files and rid not in seen:
            errors.append(ContentError(str(directory / "red_flags"), 0, "", f"rule '{rid}' is missing"))
    for rule in content.rules:
        content.reviews[f"red_flags/{rule.id}.yml"] = rule.review
    singles = {"offer_kinds.yml": OfferKinds, "advice.yml": Advice, "countries.yml": Countries,
               "hotlines.yml": Hotlines, "emergency.yml": Hotlines, "organization.yml": Organization}
    for name, model in singles.items():
        path = directory / name
        if path.exists():
            value = _validate(model, path, errors)
            if value is None:
                continue
            content.reviews[name] = value.review
            if isinstance(value, Hotlines):
                content.hotlines += list(value.hotlines)
            else:
                setattr(content, name.removesuffix(".yml"), value)
    screening_path = directory / "screening.yml"
    if screening_path.exists():
        lines: dict = {}
        screening = _validate(Screening, screening_path, errors, lines)
        problems = _screening_links(screening, str(screening_path), lines) if screening else []
        errors.extend(problems)
        if screening and not problems:
            content.screening = screening
            content.reviews["screening.yml"] = screening.review
    rights_files = sorted((directory / "rights").glob("*.yml"))
    for path in rights_files:
        value = _validate(Rights, path, errors)
        if value is None:
            continue
        expected = "GENERAL" if path.stem.lower() == "general" else path.stem.upper()
        if value.country != expected:
            errors.append(ContentError(str(path), 1, "country", f"'{value.country}' in a file named {path.name}"))
            continue
        content.rights[value.country] = value
        content.reviews[f"rights/{path.name}"] = value.review
    warning_files = sorted((directory / "warnings").glob("*.yml"))
    reported: list[Reported] = []
    for path in warning_files:
        value = _validate(Warnings, path, errors)
        if value is not None:
            reported += [Reported(w.kind, w.value, w.reason, w.reported.isoformat()) for w in value.warnings]
            content.reviews[f"warnings/{path.name}"] = value.review
    content.warnings = WarningIndex.build(reported)
    reg_paths = registry_files(directory / "registries") + [Path(p) for p in extra_registries]
    if with_registry:
        registry, reg_errors = load_registry(reg_paths, use_cache=use_cache)
        content.registry = registry
        errors.extend(ContentError(e.file, e.line, e.field, e.message) for e in reg_errors)
    all_files = (rule_files + rights_files + warning_files + [directory / n for n in singles] + [screening_path]
                 + reg_paths)
    content.version = _fingerprint([p for p in all_files if p.exists()])
    # The registry index is hundreds of thousands of long-lived objects: move them out of the cyclic
    # GC's reach, or every full collection walks them all (a 250 ms pause in the middle of a check).
    gc.collect()
    gc.freeze()
    return content


__all__ = ["Content", "ContentError", "RegistryError", "load_content"]
