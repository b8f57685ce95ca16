"""Live chat with hotline staff through a forum topic: consent, pseudonym, relay both ways, notes, closing."""

from __future__ import annotations

from .fakebotapi import FakeBotAPI
from .test_telegram_bot import SCAM, buttons

USER = 991001
STAFF = -1001234567890


def test_consented_pseudonymous_chat_both_ways(api: FakeBotAPI, redis_server, bot_factory):
    bot = bot_factory(redis_server.url, SAQBOL_STAFF_CHAT_ID=str(STAFF))
    api.send_text(USER, "/start", language_code="ru")
    assert api.wait_sent(USER, 1, timeout=60), bot.output()[-2000:]
    api.press(USER, "lang:ru")
    api.send_text(USER, SCAM)
    api.send_text(USER, "/human")
    sent = api.wait_sent(USER, 5)
    consent = sent[-1]
    assert "handoff:start" in buttons(consent) and "handoff:share" in buttons(consent), consent["text"]

    api.press(USER, "handoff:share")
    topic = api.wait_calls("createForumTopic", 1)[0]
    assert topic["name"].startswith("🟠 K-") and int(topic["chat_id"]) == STAFF
    card = [m for m in api.wait_sent(STAFF, 1) if "K-" in m["text"]]
    assert card and "risk high" in card[0]["text"] and str(USER) not in card[0]["text"]
    case_id = topic["name"].split()[1]
    sent = api.wait_sent(USER, 7)
    assert any(case_id in m["text"] for m in sent), [m["text"] for m in sent[-2:]]

    # user -> staff: copied into the case topic, not forwarded, and the bot itself stays silent
    before = len(api.sent(USER))
    api.send_text(USER, "Подскажите, что проверить в договоре перед подписанием?")
    copies = api.wait_calls("copyMessage", 1)
    assert int(copies[0]["chat_id"]) == STAFF and int(copies[0]["from_chat_id"]) == USER
    topic_id = int(copies[0]["message_thread_id"])
    assert len(api.sent(USER)) == before

    # staff -> user: /claim notifies, a reply is copied back, a note is not
    api.staff_says(STAFF, topic_id, "/claim")
    assert any("присоединил" in m["text"].lower() or "join" in m["text"].lower()
               for m in api.wait_sent(USER, before + 1))
    api.staff_says(STAFF, topic_id, "Здравствуйте! Не платите за визу, мы поможем.")
    back = api.wait_calls("copyMessage", 2)
    assert int(back[1]["chat_id"]) == USER and int(back[1]["from_chat_id"]) == STAFF
    api.staff_says(STAFF, topic_id, "/note проверить агентство")
    api.staff_says(STAFF, topic_id, "#note internal")
    api.send_text(USER, "/end")
    sent = api.wait_sent(USER, before + 2)
    assert len(api.calls_of("copyMessage")) == 2  # the notes were never sent to the user
    assert any("закрыт" in m["text"] for m in sent[-1:]), sent[-1]["text"]
    assert any("closed by the user" in m["text"] for m in api.sent(STAFF))


def open_anonymous_case(api: FakeBotAPI, bot, user: int) -> dict:
    """An English-speaking user starts a chat with staff without sharing anything; returns the topic call."""
    api.send_text(user, "/start", language_code="en")
    assert api.wait_sent(user, 1, timeout=60), bot.output()[-2000:]
    api.press(user, "lang:en")
    api.send_text(user, "/human")
    api.press(user, "handoff:start")
    return api.wait_calls("createForumTopic", 1)[0]


def test_forget_during_a_case_closes_it_and_tells_staff_only_that(api: FakeBotAPI, redis_server, bot_factory):
    user = USER + 7
    bot = bot_factory(redis_server.url, SAQBOL_STAFF_CHAT_ID=str(STAFF))
    topic = open_anonymous_case(api, bot, user)
    assert topic["name"].startswith("🟢 K-")  # no check shared: an ordinary case
    api.send_text(user, "hello, I have a question about my contract")
    copy = api.wait_calls("copyMessage", 1)[0]
    topic_id = int(copy["message_thread_id"])
    api.staff_says(STAFF, 0, "message outside any topic")  # ignored, nothing breaks
    api.send_text(user, "/forget")
    api.press(user, "forget:yes")
    staff = [m["text"] for m in api.wait_sent(STAFF, 2, timeout=30)]
    assert any("the user deleted their data" in t for t in staff), staff
    assert not any(str(user) in t for t in staff)
    before = len(api.calls_of("copyMessage"))
    api.staff_says(STAFF, topic_id, "are you still there?")  # the case is closed: nothing reaches the user
    api.send_text(user, "/start", language_code="en")
    api.wait_sent(user, 6, timeout=30)
    assert len(api.calls_of("copyMessage")) == before


def test_relayed_messages_survive_a_telegram_outage_and_a_restart(api: FakeBotAPI, redis_server, bot_factory):
    import time

    user = USER + 9
    bot = bot_factory(redis_server.url, SAQBOL_STAFF_CHAT_ID=str(STAFF))
    open_anonymous_case(api, bot, user)
    api.wait_sent(user, 5)
    api.failures["copyMessage"] = 8  # Telegram answers 502 for a while
    first = api.send_text(user, "first question about my contract")
    second = api.send_text(user, "second question about my wages")
    time.sleep(3)
    bot.stop()  # the worker dies while both messages are still queued
    bot = bot_factory(redis_server.url, SAQBOL_STAFF_CHAT_ID=str(STAFF))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(api.calls_of("copyMessage", ok_only=True)) < 2:
        time.sleep(0.5)
    delivered = api.calls_of("copyMessage", ok_only=True)
    assert len(delivered) == 2, bot.output()[-2000:]  # nothing lost, nothing twice
    ids = [int(p["message_id"]) for p in delivered]
    assert ids == sorted(ids)  # in order
    assert first and second
