"""Users helping users: "Report this offer" after a check, and opt-in scam alerts.

A report carries what the offer named (phones, websites, Telegram contacts, agency names) and anonymous
context (locale, destination, risk, flag ids) — never who sent it. The offer text goes along only when the
user chooses to paste it again for the report: offer texts are not kept after a check.
"""

from __future__ import annotations

import html
from typing import Any

from ..core.verdict import pick
from ..i18n import translator
from .model import Button, Reply

KIND_ICONS = {"phone": "☎️", "domain": "🌐", "telegram": "✈️", "agency": "🏢"}


def report_button(locale: str) -> Button:
    return Button("⚠️ " + translator(locale)("Report this offer"), "report:ask")


def ask_report(state: dict, organisation: str) -> list[Reply]:
    _ = translator(state["locale"])
    items = state.get("suspects") or []
    lines = [_("You can warn others about this offer. Staff of {organisation} review every report; confirmed "
               "contacts are shown as a warning to people who check offers.").format(organisation=organisation), ""]
    if items:
        lines.append(_("The report will contain:"))
        lines += [f"{KIND_ICONS.get(i['kind'], '•')} {i['value']}" for i in items]
    else:
        lines.append(_("I found no phone, website, Telegram contact or agency name in this offer: only the offer "
                       "text can be reported."))
    lines += ["", _("Your name and phone are never sent.")]
    buttons = []
    if items:
        buttons.append([Button(_("Send the report"), "report:send")])
    buttons.append([Button(_("Add the offer text (paste it again)"), "report:text")])
    buttons.append([Button(_("Cancel"), "menu:menu")])
    return [Reply("\n".join(html.escape(x) for x in lines), buttons)]


def report_context(state: dict) -> dict[str, Any]:
    last = state.get("last") or {}
    return {"locale": state.get("locale"), "dest": state.get("dest"), "kind": last.get("kind"),
            "risk": last.get("risk"), "flags": [f["id"] for f in last.get("flags", ())]}


def thanks_for_report(state: dict, menu: list[list[Button]]) -> list[Reply]:
    _ = translator(state["locale"])
    state.pop("suspects", None)
    state["step"] = "menu"
    return [Reply(html.escape(_("Thank you. Your report was sent for review, without your name. It can protect the "
                                "next person who gets this offer.")), menu)]


def ask_report_text(state: dict) -> list[Reply]:
    state["step"] = "report_text"
    _ = translator(state["locale"])
    return [Reply(html.escape(_("Paste or forward the offer text now. It will be sent with the report for staff to "
                                "read, without your name.")), [[Button(_("Cancel"), "menu:menu")]])]


def alerts_screen(state: dict, subscribed: dict | None, countries: dict[str, Any]) -> list[Reply]:
    _ = translator(state["locale"])
    if subscribed:
        dest = subscribed.get("dest") or "ALL"
        where = _("all countries") if dest == "ALL" else (pick(countries[dest].display, state["locale"])
                                                          if dest in countries else dest)
        text = _("You receive scam warnings for {where}. You can stop them at any time.").format(where=where)
        return [Reply(html.escape(text), [[Button(_("Stop the warnings"), "alerts:off"), Button(_("Menu"), "menu:menu")]])]
    dest = state.get("dest")
    where = (pick(countries[dest].display, state["locale"]) if dest in countries else dest) if dest else _("all countries")
    text = _("Do you want short warnings about new scams for {where}, in your language? Only a few a month; stop "
             "them any time with /alerts.").format(where=where)
    return [Reply(html.escape(text), [[Button(_("Yes, warn me"), "alerts:on"), Button(_("No"), "menu:menu")]])]


def alert_message(locale: str, text: str) -> str:
    """A broadcast warning as a subscriber reads it: the admin's text (escaped) and how to stop them."""
    _ = translator(locale)
    return (f"⚠️ <b>{html.escape(_('Scam warning'))}</b>\n{html.escape(text)}\n\n"
            f"<i>{html.escape(_('Send /alerts to stop these warnings.'))}</i>")


def alerts_changed(state: dict, on: bool) -> list[Reply]:
    _ = translator(state["locale"])
    text = (_("Done: you will get scam warnings. Send /alerts to stop them.") if on
            else _("Done: no more warnings. Send /alerts to turn them on again."))
    return [Reply(html.escape(text), action={"alerts": "on" if on else "off", "locale": state["locale"],
                                             "dest": state.get("dest")})]
