"""Dialogue tables: (what the user does, what the reply must contain), per locale, on the real engine,
content and embedded NLU with the in-memory store (the Telegram adapter feeds the same engine)."""

import asyncio

import pytest

from bot.chat import build_dialogue
from bot.dialogue import Event, plain
from bot.storage import MemoryStore

SCAM_RU = "Работа в Корее! Оплата визы 500$ заранее, паспорт сдаёте работодателю на хранение. Пишите @korea_job"
SCAM_UZ = "Koreyaga ish! Viza uchun 500$ oldindan to'laysiz, pasportingizni bizga topshirasiz. Telegram: @ish_koreya"


@pytest.fixture(scope="module")
def dialogue():
    return build_dialogue()


def talk(dialogue, steps, user="u1", language_code=None):
    """Run (event, expectation) steps; an expectation is text the replies must contain, or a callable."""
    dialogue.store = MemoryStore()

    async def run():
        for event, expected in steps:
            if isinstance(event, str):
                event = Event("button", event[2:]) if event.startswith("b:") else (
                    Event("command", event) if event.startswith("/") else Event("text", event))
            replies = await dialogue.handle(user, event)
            text = "\n".join(plain(r.text) for r in replies)
            data = [b.data for r in replies for row in r.buttons for b in row]
            if callable(expected):
                assert expected(text, data), (event, text[:300], data)
            else:
                assert expected in text or expected in data, (event, expected, text[:300], data)
    asyncio.run(run())


def test_first_contact_in_russian(dialogue):
    talk(dialogue, [
        (Event("command", "/start", language_code="ru-RU"), "lang:ru"),
        ("b:lang:ru", "menu:check"),
        ("b:menu:check", lambda t, d: bool(t.strip()) and not d),
        (SCAM_RU, lambda t, d: t.startswith("🔴") and "verdict:details" in d and "menu:human" in d),
        ("b:verdict:details", "🔴"),
    ])


def test_verdict_in_kazakh_and_rights_flow(dialogue):
    talk(dialogue, [
        ("/start", "lang:kk"),
        ("b:lang:kk", "menu:rights"),
        (SCAM_RU, "Жоғары қауіп"),
        ("b:menu:rights", "dest:KZ"),
        ("b:dest:KZ", "topic:KZ:permits"),
        ("b:topic:KZ:permits", lambda t, d: "2026" in t),  # the KZ permits text cites its checked date
    ])


def test_uzbek_latin_offer_and_emergency_in_any_state(dialogue):
    talk(dialogue, [
        ("/start", "lang:uz"),
        ("b:lang:uz", "menu:sos"),
        ("b:menu:rights", "dest:TR"),
        ("pasportimni olib qo'yishdi, urishadi, chiqishga ruxsat yo'q, yordam bering", "112"),  # SOS first
        (SCAM_UZ, "🔴"),
    ])


@pytest.mark.parametrize("locale", ["en", "ru", "kk", "uz", "uz_Cyrl", "ky", "tg"])
def test_every_locale_reaches_a_verdict_and_the_sos_screen(dialogue, locale):
    talk(dialogue, [
        ("/start", "lang:" + locale),
        ("b:lang:" + locale, "menu:check"),
        ("/check", lambda t, d: bool(t)),
        (SCAM_RU, lambda t, d: t.startswith("🔴")),
        ("/sos", lambda t, d: "112" in t and "menu:human" in d),
        ("/hotlines", lambda t, d: "111" in t and "157" in t),
    ])


async def started(dialogue, user: str, locale: str) -> None:
    """The user has pressed /start and picked a language."""
    await dialogue.handle(user, Event("command", "/start"))
    await dialogue.handle(user, Event("button", f"lang:{locale}"))


def test_forget_deletes_everything(dialogue):
    store = MemoryStore()

    async def run():
        dialogue.store = store
        await started(dialogue, "u9", "ky")
        assert (await store.get_state("u9"))["locale"] == "ky"
        await dialogue.handle("u9", Event("command", "/forget"))
        replies = await dialogue.handle("u9", Event("button", "forget:yes"))
        assert await store.get_state("u9") is None
        return replies
    replies = asyncio.run(run())
    assert "/start" in plain(replies[0].text)


@pytest.mark.parametrize("kind", ["sticker", "photo", "voice", "document", "location", "group", "edited"])
def test_non_text_input_gets_an_answer(dialogue, kind):
    talk(dialogue, [("/start", "lang:en"), ("b:lang:en", "menu:check"),
                    (Event("other", kind), lambda t, d: bool(t.strip()) and "menu:check" in d)])


def test_huge_and_empty_messages(dialogue):
    talk(dialogue, [("/start", "lang:ru"), ("b:lang:ru", "menu:check"),
                    ("b:menu:check", lambda t, d: True),
                    ("Оплата визы 300$ заранее. " * 5000, lambda t, d: t.startswith("🔴")),
                    ("   ", "menu:check"),
                    ("/frobnicate", "menu:check")])


def test_offer_text_is_not_kept_in_state(dialogue):
    store = MemoryStore()

    async def run():
        dialogue.store = store
        await started(dialogue, "u7", "ru")
        await dialogue.handle("u7", Event("text", SCAM_RU))
        right_after = await store.get_state("u7")
        await dialogue.handle("u7", Event("button", "menu:menu"))
        return right_after, await store.get_state("u7")
    right_after, state = asyncio.run(run())
    # Only the recruiter's contact stays, for "Report this offer", and only until the next action.
    assert right_after.pop("suspects") == [{"kind": "telegram", "value": "@korea_job"}]
    for s in (right_after, state):
        assert "@korea_job" not in repr(s) and "500$" not in repr(s) and "Оплата визы" not in repr(s)
    assert state["last"]["risk"] == "high"


def test_user_text_is_escaped_in_replies(dialogue):
    async def run():
        dialogue.store = MemoryStore()
        await started(dialogue, "u8", "en")
        return await dialogue.handle("u8", Event("text", "ТОО «<b>Evil</b> & Co» виза 500$ заранее, работа в Корее, "
                                                         "паспорт сдаёте нам"))
    replies = asyncio.run(run())
    assert "<b>Evil</b>" not in replies[0].text and "&lt;b&gt;Evil" in replies[0].text


def test_destination_is_asked_only_when_the_offer_does_not_name_it(dialogue):
    talk(dialogue, [
        ("/start", "lang:ru"), ("b:lang:ru", "menu:check"),
        ("Работа за границей! Оплата визы 500$ заранее, паспорт сдаёте работодателю.", "where:KR"),
        ("b:where:TR", lambda t, d: "157" in t and "1345" not in t and "dest:TR" in d),
        (SCAM_RU, lambda t, d: not any(x.startswith("where:") for x in d)),  # "в Корее" was detected
    ])


def test_report_flow_with_and_without_storage():
    from bot.ops.kv import MemoryKV
    from bot.ops.reports import Reports

    class Down(MemoryKV):
        async def set(self, *a, **k):
            raise ConnectionError("redis down")

    d = build_dialogue()

    async def run(kv):
        d.store, d.reports = MemoryStore(), Reports(kv)
        await started(d, "u9", "en")
        verdict = await d.handle("u9", Event("text", SCAM_RU))
        assert any(b.data == "report:ask" for row in verdict[0].buttons for b in row)
        ask = (await d.handle("u9", Event("button", "report:ask")))[0]
        sent = (await d.handle("u9", Event("button", "report:send")))[0]
        return ask, sent, await d.reports.pending() if not isinstance(kv, Down) else []
    ask, sent, pending = asyncio.run(run(MemoryKV()))
    assert "@korea_job" in ask.text and "Thank you" in sent.text
    assert pending[0]["items"] == [{"kind": "telegram", "value": "@korea_job"}] and "u9" not in repr(pending)
    ask, sent, _ = asyncio.run(run(Down()))
    assert "could not send the report" in sent.text and sent.buttons[0][0].data == "report:ask"  # can retry


def test_the_kind_is_asked_only_when_the_offer_does_not_say_and_tailors_the_advice():
    d = build_dialogue()

    async def run(text):
        d.store = MemoryStore()
        await started(d, "u5", "en")
        replies = await d.handle("u5", Event("text", text))
        asks = [b.data for r in replies for row in r.buttons for b in row if b.data.startswith("kind:")]
        answer = await d.handle("u5", Event("button", "kind:travel")) if asks else None
        return asks, answer, await d.store.get_state("u5"), d.store
    asks, answer, state, store = asyncio.run(run("Pay 300$ in advance, we keep your passport. Write to @fast_help_now"))
    assert asks == ["kind:job", "kind:marriage", "kind:travel", "kind:study"]
    assert "tourist visa does not allow work" in answer[0].text and state["last"]["kind"] == "travel"
    from bot.storage.base import today
    counts = store.counters[today()]
    assert counts["kind:travel"] == 1 and counts["kind:unknown"] == 0  # counted once, under the named kind
    asks, _, _, _ = asyncio.run(run(SCAM_RU))  # "Работа в Корее": a job offer, nothing to ask
    assert asks == []
