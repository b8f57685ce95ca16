"""One NLU entry point for the bot: Rasa when configured and healthy, the embedded model otherwise.

A failed Rasa call opens a short circuit (`cooldown` seconds) so that a dead sidecar costs one timeout,
not one timeout per message. Safety rules (emergency first, pasted offers to check_offer) are applied to
whichever backend answered, so Rasa cannot weaken them.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from bot.core.language import detect as detect_language

from .embedded import EMERGENCY_MARGIN, MAX_CHARS, EmbeddedNLU
from .rasa_client import RasaClient, RasaUnavailable

log = logging.getLogger(__name__)


class NLU:
    def __init__(self, embedded: EmbeddedNLU, rasa: RasaClient | None = None, cooldown: float = 30.0):
        self.embedded = embedded
        self.rasa = rasa
        self.cooldown = cooldown
        self._rasa_down_until = 0.0

    async def parse(self, text: str) -> dict[str, Any]:
        text = text if isinstance(text, str) else ""
        if self.rasa is not None and time.monotonic() >= self._rasa_down_until and text.strip():
            try:
                result = await self.rasa.parse(text[:MAX_CHARS])
            except RasaUnavailable as exc:
                log.warning("Rasa unavailable (%s); answering from the embedded model", exc)
                self._rasa_down_until = time.monotonic() + self.cooldown
            else:
                result["text"] = text
                result["language"] = detect_language(text[:MAX_CHARS])
                return self._safety(result, text)
        result = self.embedded.parse(text)
        if self.rasa is not None:
            result["fallback_from"] = "rasa"
        return result

    def _safety(self, result: dict[str, Any], text: str) -> dict[str, Any]:
        name = result["intent"]["name"]
        confidence = result["intent"]["confidence"]
        ranking = {r["name"]: r["confidence"] or 0.0 for r in result.get("intent_ranking", [])}
        if name != "emergency" and ranking.get("emergency", 0.0) >= EMERGENCY_MARGIN * confidence:
            result["intent"] = {"name": "emergency", "confidence": ranking["emergency"]}
            result["rule"] = "emergency_margin"
        elif name != "emergency" and self.embedded.danger(text):
            result["intent"] = {"name": "emergency", "confidence": max(ranking.get("emergency", 0.0), 0.5)}
            result["rule"] = "danger_word"
        elif name not in ("check_offer", "emergency") and self.embedded.looks_like_offer(text[:MAX_CHARS]):
            result["intent"] = {"name": "check_offer", "confidence": max(ranking.get("check_offer", 0.0), 0.5)}
            result["rule"] = "offer_heuristic"
        return result

    async def close(self) -> None:
        if self.rasa is not None:
            await self.rasa.close()
