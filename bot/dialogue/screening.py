"""The self-check "Am I safe at work?": one yes / no / prefer-not-to-say question per message, built on the
ILO's 11 indicators of forced labour (content/screening.yml holds every word the user reads).

Privacy: the answers live only in the user's dialogue state (`state["screening"]`) while the questionnaire
runs. They are removed when the result is shown, when the user stops, and whenever the user leaves the flow
(`discard_unless_active`, called after every event). The result keeps nothing: the "share with staff" button
carries the indicator ids in its own callback data, and only anonymous counters (indicator ids, locale,
destination) are kept for NGO statistics.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from ..content.schema import INDICATORS
from ..core.verdict import pick
from ..i18n import N_, translator
from .model import Button, Reply

if TYPE_CHECKING:
    from .engine import Dialogue

STEP = "screening"
ANSWERS = ("y", "n", "s")  # yes, no, prefer not to say (never counts)
# Free text that means the person wants something else: the self-check ends and the message is handled as usual.
LEAVE_INTENTS = ("check_offer", "ask_rights", "hotlines", "talk_to_human", "change_language", "delete_data",
                 "goodbye")
MENU_LABEL = N_("Am I safe at work?")


class Screening:
    def __init__(self, dialogue: "Dialogue"):
        self.d = dialogue

    @property
    def content(self):
        return self.d.content.screening

    def _t(self, name: str, state: dict) -> str:
        return pick(getattr(self.content.texts, name), state["locale"])

    # --- entry points used by the engine ----------------------------------------------------------------
    def offer_row(self, state: dict, abroad: bool = False) -> list[Button]:
        """A one-button row offering the self-check ([] when there is no questionnaire)."""
        if self.content is None:
            return []
        return [Button(self._t("offer_abroad" if abroad else "offer", state), "scr:start")]

    def with_offer(self, state: dict, replies: list[Reply]) -> list[Reply]:
        row = self.offer_row(state)
        if row and replies:
            replies[-1].buttons = [*replies[-1].buttons, row]
        return replies

    def discard_unless_active(self, state: dict) -> None:
        """Answers never outlive the questionnaire: leaving it by any route drops them."""
        if state.get("step") != STEP:
            state.pop(STEP, None)

    def start(self, state: dict) -> list[Reply]:
        _ = translator(state["locale"])
        if self.content is None:
            return [Reply(html.escape(_("The self-check is not available right now.")),
                          self.d._menu_buttons(state["locale"]))]
        state.pop(STEP, None)
        state["step"] = "menu"
        intro = html.escape(self._t("intro", state).strip())
        # Always ask where the person is now (a rights topic or an offer may have named another country);
        # the country we already know is marked.
        countries = [(c, v) for c, v in self.d.content.countries.countries.items() if v.destination]
        buttons = [Button(("✅ " if c == state.get("dest") else "") + (pick(v.display, state["locale"]) or c),
                          f"scr:where:{c}") for c, v in countries]
        buttons.append(Button(_("Another country"), "scr:where:OTHER"))
        rows = [buttons[i:i + 2] for i in range(0, len(buttons), 2)] + [[Button(self._t("stop", state), "scr:stop")]]
        return [Reply(intro + "\n\n" + html.escape(self._t("where", state)), rows)]

    async def button(self, state: dict, arg: str) -> list[Reply]:
        if self.content is None:
            return self.start(state)
        action, _, rest = arg.partition(":")
        if action == "start":
            return self.start(state)
        if action == "where":
            if rest in self.d.content.countries.countries:
                state["dest"] = rest
            elif rest == "OTHER":
                state.pop("dest", None)
            return self._begin(state)
        if action == "stop":
            return self._stop(state)
        if action in ("human", "urgent", "share"):
            shared = _decode(rest) if action == "share" else []
            return self._handoff(state, urgent=action == "urgent", indicators=shared)
        run = state.get(STEP)
        if state.get("step") != STEP or run is None:  # a button from an old questionnaire message
            return self.start(state)
        if action == "a":
            qid, _, value = rest.partition(":")
            return await self._answer(state, run, qid, value)
        return await self._next(state, run)  # "go" after a danger screen, or anything unknown

    async def text(self, state: dict, intent: dict, text: str, forwarded: bool) -> list[Reply] | None:
        """Free text during the questionnaire: a clear yes or no is an answer; a pasted offer or a clear wish to
        do something else ends the self-check (None: the engine handles the message as usual); anything else
        gets a hint and the same question again. `intent` is the NLU's {"name", "confidence"}."""
        run = state.get(STEP)
        if run is None:
            state["step"] = "menu"
            return None
        name, sure = intent["name"], intent.get("confidence", 0.0)
        typed = text.strip().casefold()
        value = ("y" if (name == "affirm" and sure >= 0.9) or typed == self._t("yes", state).casefold() else
                 "n" if (name == "deny" and sure >= 0.9) or typed == self._t("no", state).casefold() else None)
        if value is not None and not forwarded:
            if run.get("q") is None:  # a yes/no typed under the danger screen: show it again, answer nothing
                return self._danger(state)
            return await self._answer(state, run, run["q"], value)
        if forwarded or (name == "check_offer" and len(text) > 80) or (name in LEAVE_INTENTS and sure >= 0.8
                                                                       and name != "check_offer"):
            state["step"] = "menu"
            return None
        return [Reply(html.escape(self._t("hint", state)))] + await self._next(state, run)

    def after_emergency(self, state: dict, sos: list[Reply]) -> list[Reply]:
        """Emergency numbers come first in any state; during the questionnaire the person may go on."""
        if state.get("step") == STEP and state.get(STEP) is not None:
            sos[-1].buttons = [*sos[-1].buttons, [Button(self._t("continue_questions", state), "scr:go")],
                               [Button(self._t("stop", state), "scr:stop")]]
            return sos
        return self.with_offer(state, sos)

    # --- the questionnaire ----------------------------------------------------------------------------------
    def _begin(self, state: dict) -> list[Reply]:
        state["step"] = STEP
        run = state[STEP] = {"a": {}}
        return self._ask(state, run)

    def _next_question(self, answers: dict[str, str]):
        for q in self.content.questions:
            if q.id not in answers and (q.ask_if is None or answers.get(q.ask_if) == "y"):
                return q
        return None

    def _ask(self, state: dict, run: dict) -> list[Reply]:
        q = self._next_question(run["a"])
        run["q"] = q.id
        header = html.escape(self._t("progress", state).format(n=len(run["a"]) + 1))
        buttons = [[Button(self._t("yes", state), f"scr:a:{q.id}:y"), Button(self._t("no", state), f"scr:a:{q.id}:n")],
                   [Button(self._t("skip", state), f"scr:a:{q.id}:s")], [Button(self._t("stop", state), "scr:stop")]]
        return [Reply(f"<i>{header}</i>\n\n<b>{html.escape(pick(q.text, state['locale']))}</b>", buttons)]

    async def _answer(self, state: dict, run: dict, qid: str, value: str) -> list[Reply]:
        if qid != run.get("q") or value not in ANSWERS:  # an old button or a forged one: ask the current question
            return await self._next(state, run)
        run["a"][qid] = value
        run["q"] = None  # answered: nothing is asked until the next question is on screen
        question = next(q for q in self.content.questions if q.id == qid)
        if question.danger and value == "y":
            await self.d.store.count("screening:danger")
            return self._danger(state)
        return await self._next(state, run)

    async def _next(self, state: dict, run: dict) -> list[Reply]:
        if self._next_question(run["a"]) is None:
            return await self._result(state, run)
        return self._ask(state, run)

    def _danger(self, state: dict) -> list[Reply]:
        _ = translator(state["locale"])
        lines = [html.escape(self._t("danger", state).strip()), ""] + self.d.hotline_lines(state, country_only=bool(
            state.get("dest")))
        buttons = [[Button(self._t("talk_now", state), "scr:urgent" if self.d.handoff_available else "menu:human")],
                   [Button(self._t("continue_questions", state), "scr:go")],
                   [Button(self._t("stop", state), "scr:stop")]]
        return [Reply("\n".join(lines), buttons)]

    def _stop(self, state: dict) -> list[Reply]:
        state.pop(STEP, None)
        state["step"] = "menu"
        return [Reply(html.escape(self._t("stopped", state)), self.d._menu_buttons(state["locale"]))]

    # --- the result ---------------------------------------------------------------------------------------------
    def present(self, answers: dict[str, str]) -> list[str]:
        """Indicator ids signalled by "yes" answers, in the ILO's order; "prefer not to say" never counts."""
        found = {i for q in self.content.questions if answers.get(q.id) == "y" for i in q.indicators}
        return [i for i in INDICATORS if i in found]

    async def _result(self, state: dict, run: dict) -> list[Reply]:
        from .engine import TOPIC_LABELS

        locale, dest = state["locale"], state.get("dest")
        found = self.present(run["a"])
        skipped = sum(1 for v in run["a"].values() if v == "s")
        state.pop(STEP, None)  # the answers end here: only the indicator ids go on, in the text and the buttons
        state["step"] = "menu"
        await self.d.store.count("screenings", f"screening:locale:{locale}",
                                 f"screening:dest:{dest or 'unknown'}",
                                 *([f"screening:indicator:{i}" for i in found] or ["screening:none"]))
        _ = translator(locale)
        indicators = self.content.indicators
        lines = [html.escape(self._t("result_some" if found else "result_none", state).strip()), ""]
        for i in found:
            ind = indicators[i]
            name, explanation = html.escape(pick(ind.name, locale)), html.escape(pick(ind.explanation, locale))
            lines.append(f"• <b>{name}</b> — {explanation}")
        if skipped:
            lines += ["", "<i>" + html.escape(self._t("skipped_note", state).format(n=skipped)) + "</i>"]
        topics = list(dict.fromkeys(t for i in found for t in indicators[i].rights))
        if topics:
            lines += ["", html.escape(self._t("law", state))]
        lines += ["", "<b>" + html.escape(self._t("call", state)) + "</b>"]
        lines += self.d.hotline_lines(state, country_only=bool(dest))
        sources = {s.url: s for i in (found or INDICATORS) if i in indicators for s in indicators[i].sources}
        lines += ["", html.escape(self._t("sources", state))]
        lines += [f"• <a href=\"{html.escape(s.url)}\">{html.escape(s.title)}</a> ({s.checked.isoformat()})"
                  for s in sources.values()]
        topic_buttons = [Button(_(TOPIC_LABELS[t]), f"topic:{dest or 'GENERAL'}:{t}") for t in topics]
        rows = [topic_buttons[i:i + 2] for i in range(0, len(topic_buttons), 2)]
        if self.d.handoff_available:
            if found:
                rows.append([Button(self._t("share", state), "scr:share:" + _encode(found))])
            rows.append([Button(self._t("no_share", state), "scr:human")])
        else:
            rows.append([Button(_("Talk to a person"), "menu:human")])
        rows.append([Button(_("Menu"), "menu:menu")])
        return [Reply("\n".join(lines), rows)]

    def _handoff(self, state: dict, urgent: bool, indicators: list[str]) -> list[Reply]:
        """Open a case; the indicator ids reach staff only when the person pressed "share" (never the answers)."""
        state.pop(STEP, None)
        state["step"] = "menu"
        if not self.d.handoff_available:
            return self.d._human(state)
        _ = translator(state["locale"])
        action = {"handoff": "open", "share_verdict": False, "reason": "emergency" if urgent else "self_check"}
        if indicators:
            action["indicators"] = indicators
        return [Reply(html.escape(_("Connecting you to a person…")), action=action)]


def _encode(ids: list[str]) -> str:
    """Indicator ids as positions in the fixed ILO list: fits Telegram's 64-byte callback data."""
    return ".".join(str(INDICATORS.index(i)) for i in ids)


def _decode(codes: str) -> list[str]:
    out = []
    for c in codes.split("."):
        if c.isdigit() and int(c) < len(INDICATORS) and INDICATORS[int(c)] not in out:
            out.append(INDICATORS[int(c)])
    return out
