"""Scam reports from users: kept without any user identity, reviewed by NGO admins, and — once approved —
added to the warning list the offer checker reads (content/warnings/reported.yml)."""

from __future__ import annotations

import json
import time
import uuid
from datetime import date
from typing import Any

import yaml

from ..core.warnings import warning_key

PENDING = "saq:reports:pending"  # list of report ids, oldest first
KEPT_DAYS = 90  # an unreviewed report expires after this
WARNINGS_FILE = "warnings/reported.yml"
HEADER = """# Contacts and names from scam offers that users reported and NGO staff confirmed (admin /reports → Approve).
# The offer checker raises `reported_by_users` when an offer contains one of them. Edit freely: kind is one of
# phone, domain, telegram, agency; dates are YYYY-MM-DD.
"""


def suspects(verdict: dict[str, Any], limit: int = 10) -> list[dict[str, str]]:
    """What a report can name: the offer's phones, websites, Telegram contacts and agency names (not the user's
    words). Agencies found in the licensing registry are left out: a report does not overrule a licence."""
    ents = verdict.get("entities") or {}
    licensed = {a.get("query") for a in verdict.get("agencies", ()) if a.get("status") == "active"}
    items = [("phone", p) for p in ents.get("phones", ())] + [("domain", u) for u in ents.get("urls", ())]
    items += [("telegram", t) for t in ents.get("telegram", ())]
    items += [("agency", a) for a in ents.get("agencies", ()) if a not in licensed]
    out, seen = [], set()
    for kind, value in items:
        k = warning_key(kind, value)
        if k and (kind, k) not in seen:
            seen.add((kind, k))
            out.append({"kind": kind, "value": value})
    return out[:limit]


class Reports:
    def __init__(self, kv: Any):
        self.kv = kv

    async def add(self, items: list[dict[str, str]], context: dict[str, Any], text: str | None = None) -> str:
        """Queue a report for review. `context` is anonymous (locale, destination, risk, flag ids)."""
        rid = uuid.uuid4().hex[:8].upper()
        report = {"id": rid, "received": date.today().isoformat(), "at": time.time(), "items": items,
                  **{k: context.get(k) for k in ("locale", "dest", "kind", "risk", "flags")}}
        if text:
            report["text"] = text[:4000]
        await self.kv.set(f"saq:report:{rid}", json.dumps(report, ensure_ascii=False), ex=KEPT_DAYS * 86400)
        await self.kv.rpush(PENDING, rid)
        return rid

    async def pending(self, limit: int = 50) -> list[dict[str, Any]]:
        reports = []
        for rid in await self.kv.lrange(PENDING, 0, -1):
            raw = await self.kv.get(f"saq:report:{rid}")
            if raw is None:  # expired unreviewed
                await self.kv.lrem(PENDING, 0, rid)
                continue
            reports.append(json.loads(raw))
            if len(reports) >= limit:
                break
        return reports

    async def take(self, rid: str) -> dict[str, Any] | None:
        """Remove a report from the queue (approve or reject); None when another admin already decided."""
        if not await self.kv.lrem(PENDING, 0, rid):
            return None
        raw = await self.kv.get(f"saq:report:{rid}")
        await self.kv.delete(f"saq:report:{rid}")
        return json.loads(raw) if raw else None


def add_to_warnings(current_text: str, report: dict[str, Any], today: date | None = None) -> tuple[str, int]:
    """The warnings file with the report's items added (duplicates skipped), and how many were new."""
    data = yaml.safe_load(current_text) if current_text.strip() else None
    data = data if isinstance(data, dict) else {}
    entries = list(data.get("warnings") or [])
    known = {(e.get("kind"), warning_key(e.get("kind", ""), str(e.get("value", "")))) for e in entries}
    flags = ", ".join(report.get("flags") or []) or "none"
    reason = f"user report {report['id']} (risk {report.get('risk') or 'unknown'}; signs: {flags})"
    added = 0
    for item in report.get("items", ()):
        k = (item["kind"], warning_key(item["kind"], item["value"]))
        if k[1] is None or k in known:
            continue
        known.add(k)
        entries.append({"kind": item["kind"], "value": item["value"], "reason": reason[:300],
                        "reported": report.get("received") or (today or date.today()).isoformat(),
                        "approved": (today or date.today()).isoformat()})
        added += 1
    body = yaml.safe_dump({"review": data.get("review", "reviewed"), "warnings": entries}, allow_unicode=True,
                          sort_keys=False, width=120)
    return HEADER + body, added
