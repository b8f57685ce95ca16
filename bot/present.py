"""Turn a verdict into words a person reads: the same wording for the terminal and for Telegram.

User text (evidence, agency names, queries) is always escaped for the target markup.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any, Callable

from .i18n import N_, ngettext_for, translator

SIGN = {"high": "🔴", "medium": "🟠", "low": "🟢", "unknown": "⚪"}
RISK_TITLE = {
    "high": N_("High risk: this offer shows signs of trafficking or fraud"),
    "medium": N_("Medium risk: some things here need checking before you go"),
    "low": N_("Low risk: we found no warning signs in this text"),
    "unknown": N_("Not enough information to judge this offer"),
}
STATUS = {
    "active": N_("licence active"),
    "suspended": N_("licence SUSPENDED"),
    "revoked": N_("licence REVOKED"),
    "expired": N_("licence EXPIRED"),
    "not_found": N_("not found in the registry"),
}


@dataclass(frozen=True)
class Markup:
    escape: Callable[[str], str]
    bold: Callable[[str], str]
    italic: Callable[[str], str]
    link: Callable[[str, str], str]


PLAIN = Markup(lambda s: s, lambda s: s, lambda s: s, lambda text, url: f"{text} ({url})")
HTML = Markup(lambda s: html.escape(s, quote=False), lambda s: f"<b>{s}</b>", lambda s: f"<i>{s}</i>",
              lambda text, url: f'<a href="{html.escape(url)}">{text}</a>')


def _rich_escape(s: str) -> str:
    from rich.markup import escape

    return escape(s)


RICH = Markup(_rich_escape, lambda s: f"[bold]{s}[/bold]", lambda s: f"[italic]{s}[/italic]",
              lambda text, url: f"{text} ({_rich_escape(url)})")


def _is_sample(url: str | None) -> bool:
    return bool(url) and "example.org" in url


def render_verdict(v: dict[str, Any], locale: str, m: Markup = PLAIN, details: bool = True) -> str:
    """A readable, translated verdict. The first line starts with one colour sign (🔴 🟠 🟢 ⚪)."""
    _ = translator(locale)
    e = m.escape
    lines = [f"{SIGN[v['risk']]} {m.bold(e(_(RISK_TITLE[v['risk']])))}"]
    if v["risk"] != "unknown":
        lines.append(e(_("Risk score: {score} of 100").format(score=v["score"])))
    flags = v["flags"]
    if flags:
        n = len(flags)
        n_ = ngettext_for(locale)
        lines.append(e(n_("{n} warning sign", "{n} warning signs", n).format(n=n)))
        lines += ["", m.bold(e(_("Why we are worried:")))]
        for f in flags if details else flags[:3]:
            quote = f"«{m.italic(e(f['evidence']))}» — " if f.get("evidence") not in (None, "", "…") else ""
            lines.append(f"• {quote}{e(f['explanation'])}")
    if v["agencies"]:
        lines += ["", m.bold(e(_("Licensing registry:")))]
        for a in v["agencies"]:
            lines.append("• " + _agency_line(a, _, m))
    if any(a["status"] == "not_found" for a in v["agencies"]) or not v["agencies"]:
        lines.append(e(_("Not found in a registry does not mean safe: ask for the licence number and check it.")))
    if v["advice"]:
        lines += ["", m.bold(e(_("What to do:")))]
        lines += [f"• {e(a)}" for a in (v["advice"] if details else v["advice"][:3])]
    if v["hotlines"] and details:
        lines += ["", m.bold(e(_("Hotlines:")))]
        for h in v["hotlines"]:
            caveat = "" if h["confidence"] == "verified" else " " + e(_("(number not yet confirmed by a call)"))
            numbers = [n for n in h["numbers"] if n not in h["name"]]
            label = f"{e(', '.join(numbers))} — {e(h['name'])}" if numbers else e(h["name"])
            lines.append(f"• {label}{caveat}")
    if v.get("truncated"):
        lines += ["", e(_("The text was very long; only its beginning was checked."))]
    return "\n".join(lines)


def _agency_line(a: dict[str, Any], _, m: Markup) -> str:
    e = m.escape
    if a["status"] == "not_found":
        quoted = f"«{e(a['query'])}» — " if a.get("query") not in (None, "", "…") else ""
        line = f"{quoted}{m.bold(e(_(STATUS['not_found'])))}"
        for s in a.get("similar") or ():
            line += "\n  " + e(_("A licensed agency with a similar name exists: {name}. It is not the same "
                                 "name — check the licence number and phone.").format(name=s["name"]))
        return line
    status = e(_(STATUS[a["status"]]))
    status = status if a["status"] == "active" else m.bold(status)
    line = f"{e(a['name'])} ({e(a['country'])}) — {status}"
    if a.get("license_no"):
        line += ", " + e(_("licence {number}").format(number=a["license_no"]))
    src = _("source: {url}, retrieved {date}").format(url=a["source_url"], date=a["retrieved"])
    line += "\n  " + e(src)
    if _is_sample(a.get("source_url")):
        line += "\n  " + m.bold(e(_("SAMPLE registry with fictional agencies — for demonstration only.")))
    return line


def render_rights(topic: Any, locale: str, m: Markup = PLAIN, review: str = "machine-draft") -> str:
    """One rights explainer screen: title, text, sources with the date they were checked."""
    from .core.verdict import pick

    _ = translator(locale)
    e = m.escape
    lines = [m.bold(e(pick(topic.title, locale))), "", e(pick(topic.text, locale).strip()), ""]
    lines.append(e(_("Sources (checked {date}):").format(date=topic.checked.isoformat())))
    lines += [f"• {m.link(e(src.title), src.url)}" for src in topic.sources]
    if review != "reviewed":
        lines.append(m.italic(e(_("Machine-drafted text, not yet reviewed by a lawyer or NGO."))))
    return "\n".join(lines)
