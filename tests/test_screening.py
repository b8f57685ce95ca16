"""The self-check "Am I safe at work?": dialogue tables in several locales on the real engine, content and
embedded NLU (in-memory store), the consented handoff summary, and content validation of screening.yml."""

from __future__ import annotations

import asyncio
import io
import re
import shutil
from pathlib import Path

import pytest

from bot.chat import build_dialogue
from bot.content import load_content
from bot.content.schema import INDICATORS, LOCALES
from bot.core.verdict import pick
from bot.dialogue import Event, plain
from bot.handoff.cases import MemoryCases
from bot.handoff.relay import Handoff
from bot.storage import MemoryStore

ROOT = Path(__file__).resolve().parents[1]
SCAM_RU = "Работа в Корее! Оплата визы 500$ заранее, паспорт сдаёте работодателю на хранение. Пишите @korea_job"


@pytest.fixture(scope="module")
def dialogue():
    return build_dialogue()


def texts(content, name, locale):
    return pick(getattr(content.screening.texts, name), locale)


def question(content, qid, locale):
    return pick(next(q for q in content.screening.questions if q.id == qid).text, locale)


class Chat:
    """One user talking to the engine; remembers the last replies and the question being asked."""

    def __init__(self, dialogue, store=None, user="s1"):
        self.d, self.user = dialogue, user
        self.d.store = store or MemoryStore()
        self.replies = []

    def __call__(self, what: str | Event):
        if isinstance(what, str):
            what = Event("button", what[2:]) if what.startswith("b:") else (
                Event("command", what) if what.startswith("/") else Event("text", what))
        self.replies = asyncio.run(self.d.handle(self.user, what))
        return self

    @property
    def text(self) -> str:
        return "\n".join(plain(r.text) for r in self.replies)

    @property
    def data(self) -> list[str]:
        return [b.data for r in self.replies for row in r.buttons for b in row]

    @property
    def asking(self) -> str | None:
        """The id of the question on screen (from its answer buttons), or None."""
        found = [d.split(":")[2] for d in self.data if d.startswith("scr:a:")]
        return found[0] if found else None

    def start(self, locale: str, dest: str = "KZ"):
        self("/start")(f"b:lang:{locale}")("/screen")
        intro = pick(self.d.content.screening.texts.intro, locale).split("\n")[0]
        assert intro in self.text and f"scr:where:{dest}" in self.data, self.data
        return self(f"b:scr:where:{dest}")

    def answer(self, answers: dict[str, str], default: str = "n") -> list[str]:
        """Answer every question asked (by id, else `default`) until the result; returns the ids asked."""
        asked = []
        while self.asking:
            qid = self.asking
            asked.append(qid)
            self(f"b:scr:a:{qid}:{answers.get(qid, default)}")
            if "scr:go" in self.data and not self.asking:  # a danger interruption: go on
                self("b:scr:go")
        return asked

    def state(self) -> dict:
        return asyncio.run(self.d.store.get_state(self.user)) or {}


def counted(dialogue):
    """Today's anonymous counters of the in-memory store."""
    from collections import Counter

    from bot.storage.base import today
    return dialogue.store.counters.get(today(), Counter())


# --- dialogue tables ----------------------------------------------------------------------------------------------
def test_all_no_in_kazakh_asks_no_follow_ups_and_finds_nothing(dialogue, content):
    chat = Chat(dialogue).start("kk", "KZ")
    assert question(content, "minor", "kk") in chat.text and texts(content, "skip", "kk") in "".join(
        b.label for r in chat.replies for row in r.buttons for b in row)
    asked = chat.answer({})
    assert "debt_stay" not in asked and "debt_grows" not in asked and "locked_in" not in asked
    assert 10 <= len(asked) <= 16
    assert texts(content, "result_none", "kk").split("\n")[0] in chat.text
    assert "112" in chat.text  # Kazakhstan's emergency number
    assert not any(d.startswith("scr:share") for d in chat.data)
    assert counted(dialogue)["screening:none"] == 1 and counted(dialogue)["screening:dest:KZ"] == 1
    assert "screening" not in chat.state()


def test_several_yes_in_russian_names_the_signs_the_law_and_the_numbers(dialogue, content):
    chat = Chat(dialogue).start("ru", "RU")
    asked = chat.answer({"passport": "y", "debt": "y", "debt_stay": "y", "hours": "y"})
    assert asked.index("debt_stay") == asked.index("debt") + 1 and "debt_grows" in asked  # follow-ups after debt
    ind = content.screening.indicators
    for i in ("retention_of_documents", "debt_bondage", "restriction_of_movement", "excessive_overtime"):
        assert pick(ind[i].name, "ru") in chat.text, i
    for i in ("violence", "threats", "isolation"):
        assert pick(ind[i].name, "ru") not in chat.text
    assert "жертв" not in chat.text.lower()  # never "you are a victim"
    assert {"topic:RU:passport_taken", "topic:RU:wages", "topic:RU:fees"} <= set(chat.data)
    assert "112" in chat.text and "unodc.org" in " ".join(r.text for r in chat.replies)
    assert counted(dialogue)["screening:indicator:debt_bondage"] == 1
    assert "menu:human" in chat.data  # no staff chat configured: "talk to a person" shows the hotlines
    chat("b:topic:RU:passport_taken")
    assert chat.text.strip()


@pytest.mark.parametrize("locale,dest,emergency", [("uz", "TR", "112"), ("en", "KR", "112"), ("tg", "RU", "112")])
def test_a_danger_answer_interrupts_with_emergency_numbers(dialogue, content, locale, dest, emergency):
    chat = Chat(dialogue).start(locale, dest)
    chat("b:scr:a:minor:n")("b:scr:a:passport:n")("b:scr:a:leave:y")
    assert chat.asking == "locked_in"
    chat("b:scr:a:locked_in:y")
    assert chat.asking is None
    assert texts(content, "danger", locale).split("\n")[0] in chat.text and emergency in chat.text
    assert {"scr:go", "scr:stop", "menu:human"} <= set(chat.data)
    assert counted(dialogue)["screening:danger"] >= 1
    chat("no")  # typed under the danger screen: not an answer to anything, the screen comes again
    assert "scr:go" in chat.data and chat.state()["screening"]["a"]["locked_in"] == "y"
    chat("b:scr:go")
    assert chat.asking == "promised"  # the questionnaire goes on where it was
    chat.answer({})
    assert pick(content.screening.indicators["restriction_of_movement"].name, locale) in chat.text


def test_a_child_answer_interrupts_at_once(dialogue, content):
    chat = Chat(dialogue).start("ky", "KZ")
    chat("b:scr:a:minor:y")
    assert texts(content, "danger", "ky").split("\n")[0] in chat.text and "112" in chat.text


def test_stop_midway_in_kyrgyz_deletes_the_answers(dialogue, content):
    chat = Chat(dialogue).start("ky", "KR")
    chat("b:scr:a:minor:n")("b:scr:a:passport:y")("b:scr:a:leave:n")
    assert chat.state()["screening"]["a"] == {"minor": "n", "passport": "y", "leave": "n"}  # kept only while asked
    chat("b:scr:stop")
    assert texts(content, "stopped", "ky") in chat.text and "menu:screen" in chat.data
    assert "screening" not in chat.state() and chat.state()["step"] == "menu"
    chat("b:scr:a:promised:y")  # an old answer button after stopping: the self-check starts over, nothing counted
    assert "scr:where:KR" in chat.data and "screening" not in chat.state()
    assert not any(k.startswith("screening:indicator") for k in counted(dialogue))


def test_leaving_through_the_menu_also_drops_the_answers(dialogue):
    chat = Chat(dialogue).start("uz_Cyrl", "AE")
    chat("b:scr:a:minor:n")("b:scr:a:passport:y")
    chat("/menu")
    assert "screening" not in chat.state()


def test_prefer_not_to_say_never_counts_in_tajik(dialogue, content):
    chat = Chat(dialogue).start("tg", "RU")
    asked = chat.answer({}, default="s")
    assert texts(content, "result_none", "tg").split("\n")[0] in chat.text
    assert texts(content, "skipped_note", "tg").format(n=len(asked)) in chat.text
    assert not any(k.startswith("screening:indicator") for k in counted(dialogue))
    # "prefer not to say" on the debt question does not open its follow-ups
    assert "debt_stay" not in asked


def test_free_text_answers_hints_and_emergencies_in_english(dialogue, content):
    chat = Chat(dialogue).start("en", "TR")
    assert chat.asking == "minor"
    chat("no")
    assert chat.asking == "passport"
    chat("yes")
    assert chat.asking == "leave" and chat.state()["screening"]["a"]["passport"] == "y"
    chat("what do you mean")
    assert texts(content, "hint", "en") in chat.text and chat.asking == "leave"
    chat("help, they beat me and locked me in")  # an emergency wins, and the self-check can go on
    assert "112" in chat.text and "scr:go" in chat.data and chat.state()["screening"]
    chat("b:scr:go")
    assert chat.asking == "leave"
    chat(SCAM_RU)  # a pasted offer ends the self-check and is checked
    assert chat.text.startswith("🔴") and "screening" not in chat.state()


def test_the_self_check_is_offered_where_it_helps(dialogue):
    chat = Chat(dialogue)
    chat("/start")("b:lang:ru")
    assert "menu:screen" in chat.data
    chat("/help")
    assert "/screen" in chat.text
    chat("какие у меня права в Турции?")  # ask_rights
    assert "scr:start" in chat.data
    chat("помогите, меня заперли и бьют")  # emergency
    assert "scr:start" in chat.data and "112" in chat.text
    chat(SCAM_RU)  # a high-risk verdict: "already working there?"
    assert chat.text.startswith("🔴") and "scr:start" in chat.data
    chat("b:scr:start")  # where the person is now is always asked; Korea, named in the offer, is marked
    labels = [b.label for r in chat.replies for row in r.buttons for b in row]
    assert "scr:where:KR" in chat.data and any(x.startswith("✅") and "Коре" in x for x in labels), labels


# --- consent: what reaches staff --------------------------------------------------------------------------------
class StaffRecorder:
    """Stands in for Telegram's servers: records the case card the relay sends to the staff chat."""

    def __init__(self):
        self.sent = []

    async def create_forum_topic(self, **kwargs):
        return type("Topic", (), {"message_thread_id": 77})()

    async def send_message(self, **kwargs):
        self.sent.append(kwargs)


async def _send(method, **kwargs):
    return await method(**kwargs)


def _open_case(action: dict, state: dict) -> tuple[str, str]:
    """Open a case the way the Telegram bridge does with a dialogue's handoff action; (summary, card)."""
    handoff, bot = Handoff(MemoryCases(), -100, _send), StaffRecorder()
    case = asyncio.run(handoff.open(bot, "user-key", 1, state, action.get("share_verdict", False),
                                    action.get("reason") or "other", indicators=action.get("indicators", ())))
    return case.summary, bot.sent[0]["text"]


@pytest.mark.parametrize("share", [True, False])
def test_staff_see_the_indicator_list_only_with_consent(dialogue, content, share):
    chat = Chat(dialogue)
    dialogue.handoff_available = True
    try:
        chat.start("ru", "KR")
        chat.answer({"passport": "y", "pay": "y"})
        share_buttons = [d for d in chat.data if d.startswith("scr:share:")]
        assert share_buttons and "scr:human" in chat.data
        chat(f"b:{share_buttons[0]}" if share else "b:scr:human")
        action = chat.replies[0].action
        assert action["handoff"] == "open" and action["reason"] == "self_check"
        summary, card = _open_case(action, chat.state())
    finally:
        dialogue.handoff_available = False
    if share:
        assert "retention_of_documents" in summary and "withholding_of_wages" in summary
        assert "retention_of_documents" in card
    else:
        assert summary == "" and "retention_of_documents" not in card
    for q in content.screening.questions:  # never the questions or the answers
        assert pick(q.text, "ru")[:30] not in card and pick(q.text, "en")[:30] not in card
    assert "screening" not in chat.state()


def test_talk_now_after_a_danger_answer_opens_an_urgent_case_without_sharing(dialogue):
    chat = Chat(dialogue)
    dialogue.handoff_available = True
    try:
        chat.start("kk", "KZ")
        chat("b:scr:a:minor:n")("b:scr:a:passport:n")("b:scr:a:leave:n")("b:scr:a:promised:n")("b:scr:a:pay:n")
        chat("b:scr:a:debt:n")("b:scr:a:hours:n")("b:scr:a:conditions:n")("b:scr:a:isolation:n")
        chat("b:scr:a:threats:n")("b:scr:a:violence:y")
        assert "scr:urgent" in chat.data
        chat("b:scr:urgent")
        action = chat.replies[0].action
    finally:
        dialogue.handoff_available = False
    assert action["reason"] == "emergency" and "indicators" not in action
    assert "screening" not in chat.state()


def test_forged_share_data_cannot_inject_text(dialogue):
    chat = Chat(dialogue)
    dialogue.handoff_available = True
    try:
        chat("/start")("b:lang:en")("b:scr:share:6.99.x.<b>.8.6")
        action = chat.replies[0].action
    finally:
        dialogue.handoff_available = False
    assert action["indicators"] == ["retention_of_documents", "debt_bondage"]


# --- saqbol chat ---------------------------------------------------------------------------------------------------
def test_saqbol_chat_runs_the_self_check(content):
    from bot import chat as terminal

    destinations = [c for c, v in content.countries.countries.items() if v.destination]
    other = len(destinations) + 1  # the "Another country" button
    lines = ["1", "/screen", str(other)] + ["no"] * 12 + ["/quit"]  # [1] is English in the language picker
    out = io.StringIO()
    asyncio.run(terminal.run(io.StringIO("\n".join(lines) + "\n"), out, language_code="en"))
    text = out.getvalue()
    assert question(content, "minor", "en") in text and question(content, "no_choice", "en") in text
    assert texts(content, "result_none", "en").split("\n")[0] in text
    assert re.search(r"\[\d+\] Yes\s+\[\d+\] No", text)


# --- content validation ------------------------------------------------------------------------------------------
def test_the_questionnaire_is_complete_and_sourced(content):
    s = content.screening
    assert s is not None and s.review == "machine-draft" and 10 <= len(s.questions) <= 16
    assert set(s.indicators) == set(INDICATORS)  # all 11 ILO indicators
    for q in s.questions:
        assert q.indicators and set(q.text) == set(LOCALES)
    for i, ind in s.indicators.items():
        assert ind.sources and all(src.checked and src.url.startswith("https://") for src in ind.sources), i
        assert set(ind.rights) <= set(content.rights["GENERAL"].topics), i
    assert {q.id for q in s.questions if q.danger} >= {"locked_in", "violence", "minor"}
    assert any(q.ask_if == "debt" for q in s.questions)


@pytest.fixture
def screening_copy(tmp_path):
    shutil.copytree(ROOT / "content", tmp_path / "content", ignore=shutil.ignore_patterns("registries"))
    return tmp_path / "content" / "screening.yml"


def _errors(path: Path) -> list[str]:
    return [str(e) for e in load_content(path.parent, with_registry=False).errors]


def _line_of(path: Path, needle: str, after: str = "") -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if after in line) if after else 0
    return next(i for i in range(start, len(lines)) if needle in lines[i]) + 1


def test_a_question_without_an_indicator_is_rejected_with_its_line(screening_copy):
    text = screening_copy.read_text(encoding="utf-8")
    screening_copy.write_text(text.replace("  - id: pay\n    indicators: [withholding_of_wages]\n", "  - id: pay\n"),
                              encoding="utf-8")
    line = _line_of(screening_copy, "- id: pay")
    errors = _errors(screening_copy)
    assert any(e.startswith(f"{screening_copy}:{line}: questions.") and "indicators" in e and "required" in e
               for e in errors), errors


def test_an_empty_indicator_list_is_rejected(screening_copy):
    text = screening_copy.read_text(encoding="utf-8")
    screening_copy.write_text(text.replace("indicators: [withholding_of_wages]", "indicators: []"), encoding="utf-8")
    errors = _errors(screening_copy)
    assert any("indicators" in e and "at least 1" in e and e.startswith(f"{screening_copy}:") for e in errors), errors


def test_a_question_missing_a_locale_is_rejected_with_its_line(screening_copy):
    lines = screening_copy.read_text(encoding="utf-8").splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if "- id: hours" in line)
    tg = next(i for i in range(start, len(lines)) if lines[i].startswith("      tg:"))
    del lines[tg]
    screening_copy.write_text("".join(lines), encoding="utf-8")
    text_line = _line_of(screening_copy, "    text:", after="- id: hours")
    errors = _errors(screening_copy)
    assert any(e.startswith(f"{screening_copy}:{text_line}:") and "missing text in: tg" in e for e in errors), errors


def test_a_follow_up_must_point_to_an_earlier_question(screening_copy):
    text = screening_copy.read_text(encoding="utf-8")
    screening_copy.write_text(text.replace("ask_if: debt\n", "ask_if: violence\n", 1), encoding="utf-8")
    line = _line_of(screening_copy, "ask_if: violence")
    errors = _errors(screening_copy)
    assert any(e.startswith(f"{screening_copy}:{line}:") and "'violence' is not an earlier question" in e
               for e in errors), errors


def test_indicators_must_be_ilo_ones_and_defined(screening_copy):
    text = screening_copy.read_text(encoding="utf-8")
    screening_copy.write_text(text.replace("[abusive_conditions]", "[slavery]"), encoding="utf-8")
    line = _line_of(screening_copy, "[slavery]")
    assert any(e.startswith(f"{screening_copy}:{line}: questions.") and "indicators.0: Input should be" in e
               for e in _errors(screening_copy))
    start, end = text.index("  isolation:\n    name:"), text.index("  violence:\n    name:")
    screening_copy.write_text(text[:start] + text[end:], encoding="utf-8")
    errors = _errors(screening_copy)
    assert any("indicator 'isolation' is not defined" in e for e in errors), errors


def test_saqbol_content_validate_reports_the_broken_questionnaire(screening_copy):
    from tests.test_cli import saqbol

    text = screening_copy.read_text(encoding="utf-8")
    screening_copy.write_text(text.replace("  - id: pay\n    indicators: [withholding_of_wages]\n", "  - id: pay\n"),
                              encoding="utf-8")
    code, out, err = saqbol("content", "validate", str(screening_copy.parent))
    assert code == 2 and f"{screening_copy}:" in out + err and "indicators" in out + err


def test_the_questionnaire_is_part_of_the_content_version(screening_copy):
    before = load_content(screening_copy.parent, with_registry=False).version
    screening_copy.write_text(screening_copy.read_text(encoding="utf-8").replace('en: "Stop"', 'en: "Stop now"'),
                              encoding="utf-8")
    after = load_content(screening_copy.parent, with_registry=False)
    assert after.ok and after.version != before
