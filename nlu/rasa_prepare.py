"""Copy nlu/data and nlu/tests for Rasa with Uzbek apostrophes unified.

Rasa's WhitespaceTokenizer splits "o'zbek" and "o‘zbek" at the apostrophe but keeps "oʻzbek" (U+02BB) whole,
so examples are rewritten with U+02BB before training, and the Rasa client sends text the same way
(`to_rasa_text`). Only example lines are touched, never YAML syntax.

Usage: python -m nlu.rasa_prepare SRC_DIR DEST_DIR
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

_APOSTROPHES = re.compile(r"(?<=\w)['‘’`´ʼ](?=\w)")


def to_rasa_text(text: str) -> str:
    return _APOSTROPHES.sub("ʻ", text)


def prepare(src: Path, dest: Path) -> int:
    dest.mkdir(parents=True, exist_ok=True)
    count = 0
    for f in sorted(src.glob("*.yml")):
        lines = []
        for line in f.read_text(encoding="utf-8").splitlines():
            if line.lstrip().startswith("- "):
                line = to_rasa_text(line)
            lines.append(line)
        (dest / f.name).write_text("\n".join(lines) + "\n", encoding="utf-8")
        count += 1
    return count


if __name__ == "__main__":
    n = prepare(Path(sys.argv[1]), Path(sys.argv[2]))
    print(f"prepared {n} file(s) in {sys.argv[2]}")
