"""Settings from the environment (DESIGN.md §4). Every variable is optional except the token for `run`."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .content.loader import DEFAULT_DIR


@dataclass(frozen=True)
class Settings:
    content_dir: Path
    telegram_token: str | None
    telegram_base_url: str | None
    redis_url: str | None
    rasa_url: str | None
    staff_chat_id: int | None
    admin_ids: frozenset[int]
    webhook_url: str | None
    webhook_secret: str | None
    listen: str
    retention_days: int


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        raise SystemExit(f"expected a whole number, got {value!r}") from None


def load_settings(env: dict[str, str] | None = None) -> Settings:
    env = dict(os.environ if env is None else env)
    admins = frozenset(int(x) for x in env.get("SAQBOL_ADMIN_IDS", "").replace(" ", "").split(",") if x)
    return Settings(
        content_dir=Path(env.get("SAQBOL_CONTENT_DIR") or DEFAULT_DIR),
        telegram_token=env.get("SAQBOL_TELEGRAM_TOKEN") or None,
        telegram_base_url=env.get("SAQBOL_TELEGRAM_BASE_URL") or None,
        redis_url=env.get("SAQBOL_REDIS_URL") or None,
        rasa_url=env.get("SAQBOL_RASA_URL") or None,
        staff_chat_id=_int(env.get("SAQBOL_STAFF_CHAT_ID")),
        admin_ids=admins,
        webhook_url=env.get("SAQBOL_WEBHOOK_URL") or None,
        webhook_secret=env.get("SAQBOL_WEBHOOK_SECRET") or None,
        listen=env.get("SAQBOL_LISTEN") or "127.0.0.1:8080",
        retention_days=_int(env.get("SAQBOL_RETENTION_DAYS")) or 30,
    )
