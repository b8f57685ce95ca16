"""Async client for a Rasa NLU server (`POST /model/parse`), with a short timeout.

`RasaUnavailable` covers every way Rasa can fail us: down, slow, HTTP error, or a body that is not a
parse result. The caller (`nlu.service.NLU`) then answers from the embedded backend.
"""

from __future__ import annotations

from typing import Any

import httpx


class RasaUnavailable(Exception):
    pass


class RasaClient:
    backend = "rasa"

    def __init__(self, base_url: str, timeout: float = 0.5, token: str | None = None):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.token = token
        self._client: httpx.AsyncClient | None = None

    async def _http(self) -> httpx.AsyncClient:
        if self._client is None or self._client.is_closed:
            self._client = httpx.AsyncClient(timeout=httpx.Timeout(self.timeout), trust_env=False)
        return self._client

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()

    async def parse(self, text: str) -> dict[str, Any]:
        params = {"token": self.token} if self.token else None
        try:
            client = await self._http()
            response = await client.post(f"{self.base_url}/model/parse", json={"text": text}, params=params)
        except (httpx.HTTPError, OSError) as exc:
            raise RasaUnavailable(f"{type(exc).__name__}") from None
        if response.status_code != 200:
            raise RasaUnavailable(f"HTTP {response.status_code}")
        try:
            body = response.json()
            intent = body["intent"]
            name = intent["name"]
            confidence = float(intent["confidence"])
        except (ValueError, KeyError, TypeError):
            raise RasaUnavailable("malformed response") from None
        if not isinstance(name, str) or not name:
            raise RasaUnavailable("malformed response")
        entities = []
        seen = set()
        for e in body.get("entities") or ():
            try:
                key = (e["entity"], str(e.get("value")), e.get("start"))
            except (KeyError, TypeError):
                continue
            if key in seen:  # Rasa reports a regex- and a DIET-extracted copy of the same entity
                continue
            seen.add(key)
            entities.append({"entity": e["entity"], "value": e.get("value"), "start": e.get("start"),
                             "end": e.get("end"), "text": text[e["start"]:e["end"]] if isinstance(e.get("start"), int)
                             and isinstance(e.get("end"), int) else e.get("value")})
        return {
            "text": text,
            "intent": {"name": "out_of_scope" if name == "nlu_fallback" else name, "confidence": confidence},
            "intent_ranking": [{"name": r.get("name"), "confidence": r.get("confidence")}
                               for r in (body.get("intent_ranking") or [])[:5] if isinstance(r, dict)],
            "entities": entities,
            "backend": self.backend,
        }
