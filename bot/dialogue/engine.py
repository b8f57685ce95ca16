"""The conversation: menus, offer checks, rights, hotlines, SOS, language, data deletion.

State lives in the store under the user's pseudonymous key (never in process memory), so any worker can
serve the next message. Emergencies are recognised in every state and answered first. Offer texts are
checked, not kept: the state stores only the last verdict's explanations, never the user's words.
"""

from __future__ import annotations

import html
import logging
from typing import Any

from ..content.loader import Content
from ..content.schema import TOPICS
from ..core.verdict import Checker, pick
from ..i18n import LOCALE_NAMES, LOCALES, N_, normalize_locale, translator
from ..present import HTML, SIGN, render_rights, render_verdict
from ..storage.base import Store
from ..ops.reports import suspects
from . import community
from .model import Button, Event, Reply
from .screening import MENU_LABEL, STEP as SCREENING, Screening

log = logging.getLogger(__name__)
MAX_TEXT = 20_000  # longer messages are checked up to here (the verdict says so)
TOPIC_LABELS = {
    "passport": N_("Passport"), "contract": N_("Contract"), "fees": N_("Recruitment fees"), "wages": N_("Wages and hours"),
    "permits": N_("Permits and registration"), "victims_rights": N_("Victims' rights"),
    "trafficking_vs_smuggling": N_("Trafficking or smuggling?"), "passport_taken": N_("My passport was taken"),
}
KIND_TIPS = {  # offer kind -> (icon, button label, what to check for that kind)
    "job": ("💼", N_("Job"), N_("For a job abroad: get a written contract in a language you read, with the employer's "
                              "name, pay and hours, and the agency's licence number, before you pay or travel.")),
    "marriage": ("💍", N_("Marriage"), N_("For a marriage agency: meet first in a public place in your own country, "
                                         "keep your own passport and ticket, and tell your family where you go.")),
    "travel": ("✈️", N_("Travel"), N_("For a trip: a tourist visa does not allow work. A 'free' trip paid back later "
                                     "with work is how debt bondage starts.")),
    "study": ("🎓", N_("Study"), N_("For study abroad: check the school on its own official website and with the "
                                   "embassy, and do not pay an agent in cash or by card transfer to a person.")),
}
OTHER_INPUT = {
    "sticker": N_("I can't read stickers."), "photo": N_("I can't read pictures yet: please paste the text of the offer."),
    "voice": N_("I can't listen to voice messages yet: please type or paste the text."),
    "document": N_("I can't open files here: please paste the text of the offer."),
    "location": N_("Thank you, but I don't need your location. Please don't share it here."),
    "group": N_("I only talk in private chats, to protect your privacy."),
    "edited": N_("I saw you edited a message. Please send the new text as a new message."),
}


class Dialogue:
    def __init__(self, content: Content, checker: Checker, nlu: Any, store: Store):
        self.content = content
        self.checker = checker
        self.nlu = nlu
        self.store = store
        self.handoff_available = False  # set by the Telegram adapter when a staff chat is configured
        self.reports: Any = None  # bot.ops.reports.Reports: "Report this offer" is offered when set
        self.alerts: Any = None  # bot.ops.alerts.Alerts: /alerts is offered when set
        self.screening = Screening(self)

    # --- entry point -------------------------------------------------------------------------------------
    async def handle(self, user: str, event: Event) -> list[Reply]:
        state = await self.store.get_state(user) or {"step": "new"}
        replies = await self._route(user, state, event)
        if state.get("forgotten"):
            return replies
        self.screening.discard_unless_active(state)
        await self.store.set_state(user, state)
        return replies

    async def _route(self, user: str, state: dict, event: Event) -> list[Reply]:
        locale = state.get("locale")
        if not (event.value.startswith("report:") or state.get("step") == "report_text"):
            state.pop("suspects", None)  # an offer's contacts are kept only for the report right after the check
        if event.kind == "button" and event.value.startswith("lang:"):
            return self._set_locale(state, event.value[5:])
        if locale is None:
            if event.kind == "text" and len(event.value) > 80:  # a pasted offer before /start: check it anyway
                state["locale"] = normalize_locale(event.language_code)
                return await self._check(state, event.value) + [self._language_picker(state["locale"], event.language_code)]
            return [self._language_picker(normalize_locale(event.language_code), event.language_code)]
        _ = translator(locale)
        if event.kind == "other":
            return [Reply(html.escape(_(OTHER_INPUT.get(event.value, N_("I can only read text messages.")))) + "\n"
                          + html.escape(_("Paste the offer as text, or choose from the menu.")), self._menu_buttons(locale))]
        if event.kind == "command":
            return await self._command(user, state, event.value.lower().lstrip("/").split("@")[0].split(" ")[0])
        if event.kind == "button":
            return await self._button(user, state, event.value)
        return await self._text(user, state, event)

    # --- commands and buttons ------------------------------------------------------------------------------
    async def _command(self, user: str, state: dict, cmd: str) -> list[Reply]:
        actions = {"start": self._menu, "menu": self._menu, "help": self._help, "check": self._ask_offer,
                   "rights": self._ask_destination, "hotlines": self._hotlines, "sos": self.sos,
                   "human": self._human, "language": self._ask_language, "forget": self._ask_forget,
                   "screen": self.screening.start}
        if cmd == "alerts" and self.alerts is not None:
            countries = self.content.countries.countries if self.content.countries else {}
            try:
                subscribed = await self.alerts.subscription(user)
            except Exception as exc:  # storage down: offer to subscribe; saving will say if it fails
                log.warning("alerts lookup failed: %s", type(exc).__name__)
                subscribed = None
            return community.alerts_screen(state, subscribed, countries)
        action = actions.get(cmd)
        if action is None:
            _ = translator(state["locale"])
            return [Reply(html.escape(_("I don't know that command.")), self._menu_buttons(state["locale"]))]
        return action(state)

    async def _button(self, user: str, state: dict, data: str) -> list[Reply]:
        kind, _, arg = data.partition(":")
        if kind == "menu":
            return await self._command(user, state, arg)
        if kind == "dest":
            state["dest"] = arg
            return self._ask_topic(state)
        if kind == "where":
            state["dest"] = arg
            _ = translator(state["locale"])
            return [Reply("\n".join(self.hotline_lines(state, country_only=True)),
                          [[Button(_("My rights"), f"dest:{arg}"), Button(_("Menu"), "menu:menu")]])]
        if kind == "topic":
            country, _, topic = arg.partition(":")
            return self._rights(state, country, topic)
        if kind == "kind":
            return await self._set_kind(state, arg)
        if kind == "verdict" and arg == "details":
            return self._details(state)
        if kind == "verdict" and arg == "again":
            return self._ask_offer(state)
        if kind == "forget":
            return await self._forget(user, state, arg == "yes")
        if kind == "report" and self.reports is not None:
            return await self._report(state, arg)
        if kind == "alerts" and arg in ("on", "off") and self.alerts is not None:
            return community.alerts_changed(state, arg == "on")
        if kind == "scr":
            return await self.screening.button(state, arg)
        if kind == "handoff" and arg in ("start", "share") and self.handoff_available:
            _ = translator(state["locale"])
            return [Reply(html.escape(_("Connecting you to a person…")),
                          action={"handoff": "open", "share_verdict": arg == "share"})]
        return self._menu(state)

    # --- free text --------------------------------------------------------------------------------------------
    async def _text(self, user: str, state: dict, event: Event) -> list[Reply]:
        text = event.value[:MAX_TEXT]
        if not text.strip():
            return self._menu(state)
        parsed = await self.nlu.parse(text[:4000])
        intent = parsed["intent"]["name"]
        countries = [e["value"] for e in parsed.get("entities", ()) if e["entity"] == "country"]
        if intent == "emergency":
            return self.screening.after_emergency(state, self.sos(state))
        if state.get("step") == "report_text" and self.reports is not None:
            return await self._send_report(state, state.get("suspects") or [], text)
        if state.get("step") == SCREENING:
            replies = await self.screening.text(state, parsed["intent"], text, bool(event.forwarded_from))
            if replies is not None:
                return replies
        if state.get("step") == "await_offer" or intent == "check_offer" or event.forwarded_from:
            if event.forwarded_from:
                text = f"{text}\n{event.forwarded_from}"
            return await self._check(state, text)
        if state.get("step") == "confirm_forget" and intent in ("affirm", "delete_data"):
            return await self._forget(user, state, True)
        routes = {
            "ask_rights": lambda s: self.screening.with_offer(
                s, self._ask_topic(s) if self._pick_destination(s, countries) else self._ask_destination(s)),
            "hotlines": self._hotlines, "talk_to_human": self._human, "change_language": self._ask_language,
            "delete_data": self._ask_forget, "greet": self._menu, "affirm": self._menu, "deny": self._menu,
        }
        if intent in routes:
            return routes[intent](state)
        _ = translator(state["locale"])
        if intent == "thanks":
            return [Reply(html.escape(_("You're welcome. Stay safe.")), self._menu_buttons(state["locale"]))]
        if intent == "goodbye":
            return [Reply(html.escape(_("Goodbye. Come back any time before you sign or pay anything.")))]
        return [Reply(html.escape(_("I'm not sure I understood. I can check a job, marriage, travel or study offer, "
                                    "explain your rights abroad, or give you hotline numbers.")),
                      self._menu_buttons(state["locale"]))]

    async def _report(self, state: dict, arg: str) -> list[Reply]:
        if arg == "ask":
            org = pick(self.content.organization.name, state["locale"]) if self.content.organization else "Saqbol"
            return community.ask_report(state, org)
        if arg == "text":
            return community.ask_report_text(state)
        if arg == "send" and state.get("suspects"):
            return await self._send_report(state, state["suspects"])
        return self._menu(state)

    async def _send_report(self, state: dict, items: list[dict], text: str | None = None) -> list[Reply]:
        try:
            await self.reports.add(items, community.report_context(state), text)
        except Exception as exc:  # storage down: say so, keep what the user can retry
            log.warning("report not saved: %s", type(exc).__name__)
            _ = translator(state["locale"])
            state["step"] = "menu"
            return [Reply(html.escape(_("I could not send the report right now. Please try again in a few minutes.")),
                          [[community.report_button(state["locale"])]] if state.get("suspects") else [])]
        await self.store.count("report:received")
        return community.thanks_for_report(state, self._menu_buttons(state["locale"]))

    def _pick_destination(self, state: dict, countries: list[str]) -> bool:
        for c in countries:
            if c in self.content.rights:
                state["dest"] = c
                return True
        return False

    # --- replies ------------------------------------------------------------------------------------------------
    def _language_picker(self, preselected: str, raw_code: str | None) -> Reply:
        _ = translator(preselected)
        buttons = [Button(("✅ " if loc == preselected and raw_code else "") + LOCALE_NAMES[loc], f"lang:{loc}")
                   for loc in LOCALES]
        return Reply(html.escape(_("Choose your language:")), [buttons[i:i + 2] for i in range(0, len(buttons), 2)])

    def _set_locale(self, state: dict, locale: str) -> list[Reply]:
        first_time = state.get("locale") is None
        state["locale"] = normalize_locale(locale)
        state["step"] = "menu"
        _ = translator(state["locale"])
        replies = []
        if first_time:
            replies.append(Reply(html.escape(_("Privacy: we keep only your language and where you are in this chat; "
                                               "offer texts are checked, not stored.")) + "\n"
                                 + html.escape(_("Send /forget at any time to delete everything."))))
        return replies + self._menu(state)

    def _menu_buttons(self, locale: str) -> list[list[Button]]:
        _ = translator(locale)
        return [[Button("🔍 " + _("Check an offer"), "menu:check"), Button("⚖️ " + _("My rights"), "menu:rights")],
                [Button("🆘 " + _("Help now (SOS)"), "menu:sos"), Button("☎️ " + _("Hotlines"), "menu:hotlines")],
                [Button("🧭 " + _(MENU_LABEL), "menu:screen")],
                [Button("🌐 " + _("Language"), "menu:language"), Button("🗑 " + _("Delete my data"), "menu:forget")]]

    def _menu(self, state: dict) -> list[Reply]:
        state["step"] = "menu"
        _ = translator(state["locale"])
        return [Reply(html.escape(_("What would you like to do?")), self._menu_buttons(state["locale"]))]

    def _help(self, state: dict) -> list[Reply]:
        _ = translator(state["locale"])
        lines = [_("Send me a job, marriage, travel or study offer — paste it, forward it, or type the agency's "
                   "name, licence number or phone. I will tell you what worries me and what to do."),
                 "/check — " + _("Check an offer"), "/rights — " + _("My rights"), "/sos — " + _("Help now (SOS)"),
                 "/hotlines — " + _("Hotlines"), "/screen — " + _(MENU_LABEL), "/language — " + _("Language"),
                 "/forget — " + _("Delete my data")]
        if self.alerts is not None:
            lines.append("/alerts — " + _("Scam warnings"))
        return [Reply("\n".join(html.escape(x) for x in lines), self._menu_buttons(state["locale"]))]

    def _ask_offer(self, state: dict) -> list[Reply]:
        state["step"] = "await_offer"
        _ = translator(state["locale"])
        return [Reply(html.escape(_("Paste or forward the offer, or type the agency's name, licence number or phone.")))]

    async def _check(self, state: dict, text: str) -> list[Reply]:
        locale = state["locale"]
        verdict = self.checker.check(text, country=None, lang=locale).to_dict()
        state["step"] = "menu"
        state["last"] = _without_user_text(verdict)
        state["suspects"] = suspects(verdict)  # the offer's contacts, kept only so the user can report them
        await self.store.count("checks", f"risk:{verdict['risk']}", f"kind:{verdict['kind']}", f"locale:{locale}",
                               *[f"flag:{f['id']}" for f in verdict["flags"]],
                               *[f"dest:{c}" for c in verdict["entities"]["countries"][:3]])
        _ = translator(locale)
        buttons = [[Button(_("Details"), "verdict:details"), Button(_("Talk to a person"), "menu:human")],
                   [Button(_("Check another"), "verdict:again"), Button(_("Menu"), "menu:menu")]]
        if self.reports is not None:
            buttons.insert(1, [community.report_button(locale)])
        if verdict["risk"] == "high":  # someone already there may be living what the offer promised
            buttons += [row for row in [self.screening.offer_row(state, abroad=True)] if row]
        replies = [Reply(render_verdict(verdict, locale, HTML, details=False), buttons)]
        destinations = [c for c in verdict["entities"]["countries"] if c in self.content.rights]
        if destinations:
            state["dest"] = destinations[0]
        elif verdict["risk"] != "unknown":
            # The destination decides which hotlines and rights apply: ask only when the text did not say.
            replies.append(self._ask_where(state))
        if verdict["kind"] == "unknown" and verdict["risk"] != "unknown":
            replies.append(self._ask_kind(state))  # every rule was applied; the answer tailors the advice
        return replies

    def _ask_kind(self, state: dict) -> Reply:
        _ = translator(state["locale"])
        buttons = [Button(f"{icon} {_(label)}", f"kind:{kind}") for kind, (icon, label, _tip) in KIND_TIPS.items()]
        return Reply(html.escape(_("What kind of offer is it? I will add what to check for that kind.")),
                     [buttons[:2], buttons[2:]])

    async def _set_kind(self, state: dict, kind: str) -> list[Reply]:
        last = state.get("last")
        if kind not in KIND_TIPS or not last:
            return self._menu(state)
        _ = translator(state["locale"])
        if last.get("kind") == "unknown":  # counted once, under the kind the person named
            last["kind"] = kind
            await self.store.count(f"kind:{kind}")
            await self.store.count("kind:unknown", amount=-1)
        return [Reply(html.escape(_(KIND_TIPS[kind][2])),
                      [[Button(_("Details"), "verdict:details"), Button(_("Menu"), "menu:menu")]])]

    def _ask_where(self, state: dict) -> Reply:
        _ = translator(state["locale"])
        countries = [(c, v) for c, v in self.content.countries.countries.items() if v.destination]
        buttons = [Button(pick(v.display, state["locale"]) or c, f"where:{c}") for c, v in countries]
        return Reply(html.escape(_("Which country is this offer for? I will show the hotlines and rights there.")),
                     [buttons[i:i + 3] for i in range(0, len(buttons), 3)])

    def _details(self, state: dict) -> list[Reply]:
        last = state.get("last")
        if not last:
            return self._ask_offer(state)
        return [Reply(render_verdict(last, state["locale"], HTML, details=True), self._menu_buttons(state["locale"]))]

    def _ask_destination(self, state: dict) -> list[Reply]:
        state["step"] = "rights_dest"
        _ = translator(state["locale"])
        countries = [(c, v) for c, v in self.content.countries.countries.items() if v.destination and c in self.content.rights]
        buttons = [Button(pick(v.display, state["locale"]) or c, f"dest:{c}") for c, v in countries]
        buttons.append(Button(_("Another country"), "dest:GENERAL"))
        return [Reply(html.escape(_("Which country are you going to, or in now?")),
                      [buttons[i:i + 2] for i in range(0, len(buttons), 2)])]

    def _ask_topic(self, state: dict) -> list[Reply]:
        state["step"] = "rights_topic"
        _ = translator(state["locale"])
        dest = state.get("dest") or "GENERAL"
        buttons = [Button(_(TOPIC_LABELS[t]), f"topic:{dest}:{t}") for t in TOPICS]
        return [Reply(html.escape(_("What do you want to know?")), [buttons[i:i + 2] for i in range(0, len(buttons), 2)])]

    def _rights(self, state: dict, country: str, topic: str) -> list[Reply]:
        t = self.content.rights_topic(country, topic)
        if t is None:
            return self._ask_destination(state)
        source = self.content.rights.get(country) if country in self.content.rights and topic in self.content.rights[
            country].topics else self.content.rights.get("GENERAL")
        review = source.review if source else "machine-draft"
        _ = translator(state["locale"])
        return [Reply(render_rights(t, state["locale"], HTML, review),
                      [[Button(_("Other topics"), f"dest:{country}"), Button(_("Menu"), "menu:menu")]])]

    def hotline_lines(self, state: dict, emergency_only: bool = False, country_only: bool = False) -> list[str]:
        _ = translator(state["locale"])
        countries = [state["dest"]] if state.get("dest") in {h.country for h in self.content.hotlines} else []
        if not country_only:
            countries += [c for c in ("KZ", "UZ", "KG", "TJ", "RU", "TR", "AE", "KR") if c not in countries]
        names = self.content.countries.countries if self.content.countries else {}
        lines = ["<b>" + html.escape(_("Emergency (police, ambulance):")) + "</b>"]
        for c in countries:
            numbers = [n for h in self.content.hotlines if h.country == c and "emergency" in h.purpose for n in h.numbers]
            if numbers:
                label = pick(names[c].display, state["locale"]) if c in names else c
                lines.append(f"• {html.escape(label)}: {html.escape(' · '.join(dict.fromkeys(numbers)))}")
        if emergency_only:
            return lines
        lines += ["", "<b>" + html.escape(_("Hotlines:")) + "</b>"]
        for h in self.content.hotlines:
            if "emergency" in h.purpose or (country_only and h.country not in (*countries, "INT")):
                continue
            caveat = "" if h.confidence == "verified" else " " + html.escape(_("(number not yet confirmed by a call)"))
            note = pick(h.note, state["locale"]) if h.note else ""
            lines.append(f"• {html.escape(', '.join(h.numbers))} — {html.escape(pick(h.name, state['locale']))}{caveat}"
                         + (f" <i>{html.escape(note)}</i>" if note else ""))
        return lines

    def _hotlines(self, state: dict) -> list[Reply]:
        return [Reply("\n".join(self.hotline_lines(state)), self._menu_buttons(state["locale"]))]

    def sos(self, state: dict) -> list[Reply]:
        """Emergency and hotline numbers first; also used by the adapter while a live chat is open."""
        _ = translator(state["locale"])
        lines = [f"{SIGN['high']} <b>" + html.escape(_("If you are in danger now, call the emergency number of the "
                                                          "country you are in.")) + "</b>", ""]
        lines += self.hotline_lines(state)
        lines += ["", html.escape(_("You can also talk to a person: press the button below."))]
        return [Reply("\n".join(lines), [[Button(_("Talk to a person"), "menu:human")]])]

    def _human(self, state: dict) -> list[Reply]:
        _ = translator(state["locale"])
        if self.handoff_available:
            org = pick(self.content.organization.name, state["locale"]) if self.content.organization else ""
            lines = [_("You can write to a person from {organisation}.").format(organisation=org),
                     _("They see only a case number, not your name or phone, unless you tell them."),
                     _("While the chat is open, everything you send here goes to them. Send /end to close it.")]
            buttons = [[Button(_("Start the chat"), "handoff:start")]]
            if state.get("last"):
                buttons.append([Button(_("Start and share my last check"), "handoff:share")])
            buttons.append([Button(_("Not now"), "menu:menu")])
            return [Reply("\n".join(html.escape(x) for x in lines), buttons)]
        text = html.escape(_("Live chat with hotline staff is not available in this version yet. Please call one of "
                             "these numbers:"))
        return [Reply(text + "\n\n" + "\n".join(self.hotline_lines(state)), self._menu_buttons(state["locale"]))]

    def _ask_language(self, state: dict) -> list[Reply]:
        return [self._language_picker(state["locale"], None)]

    def _ask_forget(self, state: dict) -> list[Reply]:
        state["step"] = "confirm_forget"
        _ = translator(state["locale"])
        return [Reply(html.escape(_("Delete everything we keep about you (your language and this conversation's "
                                    "state)? This cannot be undone.")),
                      [[Button(_("Yes, delete"), "forget:yes"), Button(_("No"), "forget:no")]])]

    async def _forget(self, user: str, state: dict, confirmed: bool) -> list[Reply]:
        _ = translator(state["locale"])
        if not confirmed:
            return self._menu(state)
        await self.store.forget(user)
        state.clear()
        state["forgotten"] = True
        return [Reply(html.escape(_("Done: everything about you is deleted. Send /start to begin again.")))]


def _without_user_text(verdict: dict[str, Any]) -> dict[str, Any]:
    """The verdict minus anything the user wrote (evidence, queries, entities): what may be kept for 'Details'."""
    keep = dict(verdict)
    keep["flags"] = [{k: v for k, v in f.items() if k not in ("evidence", "start", "end")} | {"evidence": "…"}
                     for f in verdict["flags"]]
    keep["agencies"] = [a | {"query": "…"} for a in verdict["agencies"] if a["status"] != "not_found"] + (
        [{"query": "…", "status": "not_found", "similar": []}] if any(a["status"] == "not_found" for a in verdict["agencies"]) else [])
    keep["entities"] = {}
    keep.pop("id", None)
    return keep
