"""The content a worker serves, replaced only by a complete, valid new version.

A reload loads and validates everything in a thread (the event loop keeps answering), then swaps the
dialogue's content and checker in one step on the loop. On any error the last good version stays in
service and the errors are kept to tell whoever asked for the reload.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ..content.loader import Content, ContentError, load_content
from ..core.verdict import Checker, checker_from_content

log = logging.getLogger(__name__)


@dataclass
class ReloadResult:
    ok: bool
    version: str  # the version served after the attempt
    previous: str
    errors: list[ContentError] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.ok and self.version != self.previous


class LiveContent:
    def __init__(self, directory: Path, extra_registries: list[Path] = (), content: Content | None = None,
                 checker: Checker | None = None):
        self.directory = Path(directory)
        self.extra_registries = list(extra_registries)
        self.content = content or load_content(self.directory, self.extra_registries)
        self.checker = checker or checker_from_content(self.content)
        self.listeners: list[Callable[[Content, Checker], Any]] = []
        self.last_errors: list[ContentError] = list(self.content.errors)
        self._lock = asyncio.Lock()

    @property
    def version(self) -> str:
        return self.content.version

    def on_swap(self, listener: Callable[[Content, Checker], Any]) -> None:
        self.listeners.append(listener)

    def _build(self) -> tuple[Content, Checker | None]:
        content = load_content(self.directory, self.extra_registries)
        return content, (checker_from_content(content) if content.ok else None)

    async def reload(self, reason: str) -> ReloadResult:
        """Validate the content on disk and serve it if it is complete; otherwise keep the current version."""
        async with self._lock:
            previous = self.content.version
            try:
                content, checker = await asyncio.to_thread(self._build)
            except Exception as exc:  # a bug or a disk error must not take the bot down
                log.exception("content reload (%s) failed", reason)
                errors = [ContentError(str(self.directory), 0, "", f"{type(exc).__name__}: {exc}")]
                self.last_errors = errors
                return ReloadResult(False, previous, previous, errors)
            if not content.ok or checker is None:
                self.last_errors = content.errors
                log.warning("content reload (%s) rejected: %d errors; still serving %s", reason,
                            len(content.errors), previous)
                return ReloadResult(False, previous, previous, content.errors)
            self.content, self.checker = content, checker
            self.last_errors = []
            for listener in self.listeners:
                listener(content, checker)
            log.info("content reload (%s): serving %s (was %s)", reason, content.version, previous)
            return ReloadResult(True, content.version, previous)
