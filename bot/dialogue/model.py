"""Dialogue events in and replies out, as plain data: the same engine serves Telegram and the terminal."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Literal


@dataclass(frozen=True)
class Event:
    """What the user did. `kind`: command (/start…), text, button (callback data) or other (sticker, photo…)."""

    kind: Literal["command", "text", "button", "other"]
    value: str = ""
    language_code: str | None = None  # Telegram's UI language, used only until the user picks one
    forwarded_from: str | None = None  # channel title or username of a forwarded post


@dataclass(frozen=True)
class Button:
    label: str
    data: str


@dataclass
class Reply:
    """One message: `text` is Telegram HTML (user text already escaped), `buttons` rows of buttons."""

    text: str
    buttons: list[list[Button]] = field(default_factory=list)
    action: dict | None = None  # something only the channel adapter can do (e.g. open a handoff case)


_TAG = re.compile(r"<[^>]+>")


def plain(text: str) -> str:
    """Telegram HTML -> terminal text."""
    return html.unescape(_TAG.sub("", text))
