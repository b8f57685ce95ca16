"""Read YAML while remembering the line of every value, so errors can say "file:line: field: message"."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml


@dataclass
class ContentError(Exception):
    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


Path_ = tuple[Any, ...]


def _construct(node: yaml.Node, path: Path_, lines: dict[Path_, int], file: str) -> Any:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise ContentError(file, key_node.start_mark.line + 1, "", "merge keys (<<) are not supported")
            key = yaml.SafeLoader.construct_scalar(yaml.SafeLoader(""), key_node) if isinstance(
                key_node, yaml.ScalarNode) else None
            if key is None or isinstance(key, (list, dict)):
                raise ContentError(file, key_node.start_mark.line + 1, "", "keys must be plain words")
            if key in out:
                raise ContentError(file, key_node.start_mark.line + 1, str(key), "appears twice")
            out[key] = _construct(value_node, path + (key,), lines, file)
            lines[path + (key,)] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_construct(v, path + (i,), lines, file) for i, v in enumerate(node.value)]
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(node, deep=True)
    finally:
        loader.dispose()


def load_yaml(text: str, file: str) -> tuple[Any, dict[Path_, int]]:
    """Parse YAML text -> (data, {path: line}); ContentError names the line of a syntax error."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        raise ContentError(file, line, "", f"YAML syntax: {exc.problem or exc}") from None
    except yaml.YAMLError as exc:
        raise ContentError(file, 0, "", f"YAML syntax: {exc}") from None
    lines: dict[Path_, int] = {}
    if node is None:
        return None, lines
    return _construct(node, (), lines, file), lines


def line_of(lines: dict[Path_, int], loc: tuple[Any, ...]) -> int:
    """Line of the deepest known path prefix of a pydantic error location."""
    for n in range(len(loc), -1, -1):
        if tuple(loc[:n]) in lines:
            return lines[tuple(loc[:n])]
    return 0
