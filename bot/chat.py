"""`saqbol chat`: the whole conversation in a terminal, on the same dialogue engine as the Telegram bot.

Buttons are numbered: type the number to press one, /command for commands, anything else is a message.
Embedded defaults: content from content/, the embedded NLU (or Rasa when SAQBOL_RASA_URL is set), memory
store. No token, Redis or Rasa needed.
"""

from __future__ import annotations

import asyncio
import sys
from typing import TextIO

from .config import load_settings
from .content import load_content
from .core.verdict import checker_from_content
from .dialogue import Dialogue, Event, plain
from .ops.kv import MemoryKV
from .ops.reports import Reports
from .storage import MemoryStore


def build_dialogue(settings=None) -> Dialogue:
    from nlu.embedded import EmbeddedNLU
    from nlu.rasa_client import RasaClient
    from nlu.service import NLU

    settings = settings or load_settings()
    content = load_content(settings.content_dir)
    if content.errors:
        raise SystemExit("\n".join(map(str, content.errors[:20])))
    nlu = NLU(EmbeddedNLU.load(), RasaClient(settings.rasa_url) if settings.rasa_url else None)
    dialogue = Dialogue(content, checker_from_content(content), nlu, MemoryStore(settings.retention_days))
    dialogue.reports = Reports(MemoryKV())  # the Telegram adapter swaps in Redis-backed ones
    return dialogue


async def run(stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout, language_code: str | None = None) -> None:
    dialogue = build_dialogue()
    user = "terminal"
    buttons: list[str] = []

    def show(replies) -> None:
        nonlocal buttons
        buttons = []
        for r in replies:
            stdout.write(plain(r.text) + "\n")
            for row in r.buttons:
                labels = []
                for b in row:
                    buttons.append(b.data)
                    labels.append(f"[{len(buttons)}] {b.label}")
                stdout.write("   ".join(labels) + "\n")
            stdout.write("\n")
        stdout.flush()

    show(await dialogue.handle(user, Event("command", "/start", language_code=language_code)))
    while True:
        stdout.write("> ")
        stdout.flush()
        line = stdin.readline()
        if not line or line.strip() in ("/quit", "/exit"):
            break
        text = line.rstrip("\n")
        if text.strip().isdigit() and 1 <= int(text) <= len(buttons):
            event = Event("button", buttons[int(text) - 1])
        elif text.startswith("/"):
            event = Event("command", text.strip())
        else:
            event = Event("text", text)
        show(await dialogue.handle(user, event))


def main(language_code: str | None = None) -> None:
    try:
        asyncio.run(run(language_code=language_code))
    except KeyboardInterrupt:
        pass
