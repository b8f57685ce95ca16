"""Reader for Rasa 3 NLU YAML (intents with examples, entity markup, synonyms, lookups, regexes).

The same files train Rasa (the sidecar) and the embedded classifier, and `saqbol nlu eval` reads any such file.
Entity markup: `[text](entity)`, `[text](entity:value)` (old shorthand) and `[text]{"entity": "e", "value": "v"}`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ENTITY_RE = re.compile(r"\[(?P<text>[^\]\[]+)\](?:\((?P<short>[^)]+)\)|(?P<json>\{[^}]*\}))")


class TrainingDataError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Entity:
    entity: str
    value: str
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    intent: str
    entities: tuple[Entity, ...] = ()


@dataclass
class TrainingData:
    examples: list[Example] = field(default_factory=list)
    synonyms: dict[str, str] = field(default_factory=dict)  # folded surface form -> value
    lookups: dict[str, list[str]] = field(default_factory=dict)
    regexes: dict[str, list[str]] = field(default_factory=dict)

    def merge(self, other: "TrainingData") -> "TrainingData":
        self.examples += other.examples
        self.synonyms.update(other.synonyms)
        for k, v in other.lookups.items():
            self.lookups.setdefault(k, []).extend(v)
        for k, v in other.regexes.items():
            self.regexes.setdefault(k, []).extend(v)
        return self

    @property
    def intents(self) -> list[str]:
        return sorted({e.intent for e in self.examples})


def parse_example(marked: str, intent: str) -> Example:
    """'ищу [работу]{"entity": "offer_kind", "value": "job"} в [Корее](country)' -> plain text + entities."""
    out: list[str] = []
    entities: list[Entity] = []
    pos = 0
    length = 0
    for m in ENTITY_RE.finditer(marked):
        before = marked[pos:m.start()]
        out.append(before)
        length += len(before)
        text = m.group("text")
        if m.group("json"):
            try:
                meta = json.loads(m.group("json"))
            except json.JSONDecodeError as exc:
                raise TrainingDataError(f"bad entity JSON in {marked!r}: {exc.msg}") from None
            name, value = meta.get("entity"), meta.get("value", text)
            if not name:
                raise TrainingDataError(f"entity without a name in {marked!r}")
        else:
            name, _, value = m.group("short").partition(":")
            value = value or text
        entities.append(Entity(name.strip(), str(value), length, length + len(text), text))
        out.append(text)
        length += len(text)
        pos = m.end()
    out.append(marked[pos:])
    return Example("".join(out), intent, tuple(entities))


def _items(block: str) -> list[str]:
    items = []
    for line in block.splitlines():
        line = line.strip()
        if line.startswith("- "):
            items.append(line[2:].strip())
        elif line == "-":
            continue
    return items


def read(text: str, source: str = "<nlu>") -> TrainingData:
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise TrainingDataError(f"{source}: YAML syntax: {exc}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("nlu"), list):
        raise TrainingDataError(f"{source}: expected a top-level 'nlu:' list")
    data = TrainingData()
    for block in doc["nlu"]:
        if not isinstance(block, dict):
            raise TrainingDataError(f"{source}: every 'nlu' item must be a mapping")
        examples = block.get("examples", "")
        if isinstance(examples, list):
            examples = "\n".join(f"- {e}" for e in examples)
        if "intent" in block:
            for item in _items(examples):
                try:
                    data.examples.append(parse_example(item, str(block["intent"])))
                except TrainingDataError as exc:
                    raise TrainingDataError(f"{source}: {exc}") from None
        elif "synonym" in block:
            for item in _items(examples):
                data.synonyms[item.casefold()] = str(block["synonym"])
        elif "lookup" in block:
            data.lookups.setdefault(str(block["lookup"]), []).extend(_items(examples))
        elif "regex" in block:
            data.regexes.setdefault(str(block["regex"]), []).extend(_items(examples))
    return data


def load(paths: list[Path] | Path) -> TrainingData:
    """Read one file or every *.yml under the given files/directories."""
    if isinstance(paths, Path):
        paths = [paths]
    data = TrainingData()
    for p in paths:
        files = sorted(p.glob("*.yml")) if p.is_dir() else [p]
        for f in files:
            data.merge(read(f.read_text(encoding="utf-8"), str(f)))
    return data
