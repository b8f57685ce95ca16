"""Live chat with hotline staff through a forum topic: consent, pseudonym, relay both ways, notes, closing."""

from __future__ import annotations

import time

import pytest

from bot.i18n import translator

from .conftest import RedisServer
from .fakebotapi import FakeBotAPI
from .test_telegram_bot import SCAM, buttons

USER = 991001
STAFF = -1001234567890


@pytest.mark.parametrize("locale", ["ru", "kk"])
def test_consented_pseudonymous_chat_both_ways(api: FakeBotAPI, redis_server, bot_factory, locale):
    _ = translator(locale)
    bot = bot_factory(redis_server.url, SAQBOL_STAFF_CHAT_ID=str(STAFF))
    api.send_text(USER, "/start", language_code=locale)
    assert api.wait_sent(USER, 1, timeout=60), bot.output()[-2000:]
    api.press(USER, f"lang:{locale}")
    api.send_text(USER, SCAM, language_code=locale)
    api.send_text(USER, "/human", language_code=locale)
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
    api.send_text(USER, "Подскажите, что проверить в договоре перед подписанием?", language_code=locale)
    copies = api.wait_calls("copyMessage", 1)
    assert int(copies[0]["chat_id"]) == STAFF and int(copies[0]["from_chat_id"]) == USER
    topic_id = int(copies[0]["message_thread_id"])
    assert len(api.sent(USER)) == before

    # staff -> user: /claim notifies, a reply is copied back, a note is not
    api.staff_says(STAFF, topic_id, "/claim")
    joined = api.wait_sent(USER, before + 1)[-1]["text"]
    assert joined == _("A person from the hotline has joined the chat."), joined
    api.staff_says(STAFF, topic_id, "Здравствуйте! Не платите за визу, мы поможем.")
    back = api.wait_calls("copyMessage", 2)
    assert int(back[1]["chat_id"]) == USER and int(back[1]["from_chat_id"]) == STAFF
    api.staff_says(STAFF, topic_id, "/note проверить агентство")
    api.staff_says(STAFF, topic_id, "#note internal")
    api.send_text(USER, "/end", language_code=locale)
    sent = api.wait_sent(USER, before + 2)
    assert len(api.calls_of("copyMessage")) == 2  # the notes were never sent to the user
    assert sent[-1]["text"] == _("The chat with the hotline is closed. Send /menu for the menu."), sent[-1]["text"]
    assert any("closed by the user" in m["text"] for m in api.sent(STAFF))


def open_anonymous_case(api: FakeBotAPI, bot, user: int, **extra) -> dict:
    """An English-speaking user starts a chat with staff without sharing anything; returns the topic call
    (the last createForumTopic call, or {} when the staff group has no topics) once the user has their case number."""
    api.send_text(user, "/start", language_code="en")
    assert api.wait_sent(user, 1, timeout=60), bot.output()[-2000:]
    api.press(user, "lang:en")
    api.send_text(user, "/human")
    api.press(user, "handoff:start")
    assert api.wait_for(lambda: any("K-" in m["text"] for m in api.sent(user))), bot.output()[-2000:]
    topics = api.calls_of("createForumTopic", ok_only=True)
    return topics[-1] if topics else {}


def copies_from(api: FakeBotAPI, user: int) -> list[dict]:
    return [c for c in api.calls_of("copyMessage", ok_only=True) if int(c["from_chat_id"]) == user]


def copies_to(api: FakeBotAPI, user: int) -> list[dict]:
    return [c for c in api.calls_of("copyMessage", ok_only=True) if int(c["chat_id"]) == user]


def test_forget_during_a_case_closes_it_and_tells_staff_only_that(api: FakeBotAPI, redis_server, bot_factory):
    user = USER + 7
    bot = bot_factory(redis_server.url, SAQBOL_STAFF_CHAT_ID=str(STAFF))
    topic = open_anonymous_case(api, bot, user)
    assert topic["name"].startswith("🟢 K-")  # no check shared: an ordinary case
    api.send_text(user, "hello, I have a question about my contract")
    copy = api.wait_calls("copyMessage", 1)[0]
    topic_id = int(copy["message_thread_id"])
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
    user = USER + 9
    bot = bot_factory(redis_server.url, SAQBOL_STAFF_CHAT_ID=str(STAFF))
    open_anonymous_case(api, bot, user)
    api.wait_sent(user, 5)
    api.failures["copyMessage"] = 8  # Telegram answers 502 for a while
    first_id = api.message_id_of(api.send_text(user, "first question about my contract"))
    second_id = api.message_id_of(api.send_text(user, "second question about my wages"))
    time.sleep(3)
    bot.stop()  # the worker dies while both messages are still queued
    bot = bot_factory(redis_server.url, SAQBOL_STAFF_CHAT_ID=str(STAFF))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(api.calls_of("copyMessage", ok_only=True)) < 2:
        time.sleep(0.5)
    delivered = api.calls_of("copyMessage", ok_only=True)
    assert len(delivered) == 2, bot.output()[-2000:]  # nothing lost, nothing twice
    ids = [int(p["message_id"]) for p in delivered]
    assert ids == [first_id, second_id]  # in order
    # staff replies still reach the user after the restart (the topic -> case map is in Redis)
    api.staff_says(STAFF, int(delivered[0]["message_thread_id"]), "we got both, thank you")
    assert api.wait_for(lambda: len(copies_to(api, user)) == 1), bot.output()[-2000:]


def test_a_deleted_topic_is_recreated_with_the_card_and_nothing_is_lost(api: FakeBotAPI, redis_server, bot_factory):
    user = USER + 11
    bot = bot_factory(redis_server.url, SAQBOL_STAFF_CHAT_ID=str(STAFF))
    first_topic = open_anonymous_case(api, bot, user)
    case_id = first_topic["name"].split()[1]
    api.send_text(user, "my first question")
    assert api.wait_for(lambda: len(copies_from(api, user)) == 1)
    old_thread = int(copies_from(api, user)[0]["message_thread_id"])
    api.deleted_threads.add(old_thread)  # staff delete the topic
    second = api.message_id_of(api.send_text(user, "my second question"))
    assert api.wait_for(lambda: len(copies_from(api, user)) == 2), bot.output()[-2000:]
    topics = api.calls_of("createForumTopic", ok_only=True)
    assert len(topics) == 2 and topics[1]["name"] == first_topic["name"]  # same pseudonym, new topic
    copy = copies_from(api, user)[1]
    new_thread = int(copy["message_thread_id"])
    assert new_thread != old_thread and int(copy["message_id"]) == second
    cards = [m for m in api.sent(STAFF) if int(m.get("message_thread_id") or 0) == new_thread]
    assert cards and case_id in cards[0]["text"]  # the case card comes first in the new topic
    api.staff_says(STAFF, new_thread, "we are here")
    assert api.wait_for(lambda: len(copies_to(api, user)) == 1)
    time.sleep(0.5)
    assert len(copies_from(api, user)) == 2  # the second message was delivered once, not retried twice


def test_a_user_with_forward_privacy_gets_replies_and_stays_anonymous(api: FakeBotAPI, redis_server, bot_factory):
    """Users who hide their account in forwards broke reply maps built on forward_from; here nothing is forwarded."""
    user = USER + 12
    api.forum = False  # the classic set-up: staff answer by replying in one group
    bot = bot_factory(redis_server.url, SAQBOL_STAFF_CHAT_ID=str(STAFF))
    open_anonymous_case(api, bot, user)
    hidden = {"type": "hidden_user", "sender_user_name": "Recruiter", "date": int(time.time())}
    api.send_text(user, "this is what the recruiter wrote to me", language_code="en", forward_origin=hidden)
    api.send_text(user, "what should I do?", language_code="en")
    assert api.wait_for(lambda: len(api.results_of("copyMessage")) == 2), bot.output()[-2000:]
    copy = api.results_of("copyMessage")[0][1]
    api.staff_replies(STAFF, copy, "do not pay anything")
    assert api.wait_for(lambda: len(copies_to(api, user)) == 1), bot.output()[-2000:]
    assert not api.calls_of("forwardMessage")
    staff_side = [str(p) for m, p in api.calls if int(p.get("chat_id") or 0) == STAFF]
    assert not any(str(user) in s.replace(f"'from_chat_id': '{user}'", "").replace(f"'from_chat_id': {user}", "")
                   for s in staff_side)  # only copyMessage's source chat (never shown to staff) names the user


def test_without_topics_a_reply_to_any_relayed_message_reaches_the_user(api: FakeBotAPI, redis_server, bot_factory):
    user = USER + 13
    api.forum = False
    bot = bot_factory(redis_server.url, SAQBOL_STAFF_CHAT_ID=str(STAFF))
    open_anonymous_case(api, bot, user)
    card = next(mid for p, mid in api.results_of("sendMessage") if int(p["chat_id"]) == STAFF and "K-" in p["text"])
    assert not api.results_of("createForumTopic")
    api.send_text(user, "first", language_code="en")
    api.send_text(user, "second", language_code="en")
    assert api.wait_for(lambda: len(api.results_of("copyMessage")) == 2), bot.output()[-2000:]
    first_copy, second_copy = [mid for _, mid in api.results_of("copyMessage")]
    joined = translator("en")("A person from the hotline has joined the chat.")
    api.staff_replies(STAFF, first_copy, "/claim")
    assert api.wait_for(lambda: any(m["text"] == joined for m in api.sent(user))), bot.output()[-2000:]
    api.staff_replies(STAFF, card, "answer to the card")
    api.staff_replies(STAFF, second_copy, "answer to the second message")
    api.staff_writes(STAFF, "a message to colleagues, replying to nothing")
    assert api.wait_for(lambda: len(copies_to(api, user)) == 2), bot.output()[-2000:]
    time.sleep(0.5)
    assert len(copies_to(api, user)) == 2  # the colleagues' message did not reach the user


def test_staff_writing_outside_a_topic_reaches_no_user(api: FakeBotAPI, redis_server, bot_factory):
    user = USER + 14
    bot = bot_factory(redis_server.url, SAQBOL_STAFF_CHAT_ID=str(STAFF))
    topic = open_anonymous_case(api, bot, user)
    api.send_text(user, "hello?", language_code="en")
    assert api.wait_for(lambda: len(copies_from(api, user)) == 1)
    thread = int(copies_from(api, user)[0]["message_thread_id"])
    api.staff_writes(STAFF, "shift change at 18:00")  # general chat: no topic, no reply
    api.staff_writes(STAFF, "/close")  # a command outside a topic closes nothing
    api.staff_says(STAFF, 0, "a message in the general topic")
    api.staff_says(STAFF, thread, "hello, how can we help?")
    assert api.wait_for(lambda: len(copies_to(api, user)) == 1), bot.output()[-2000:]
    time.sleep(0.5)
    assert len(copies_to(api, user)) == 1
    assert not any("closed" in m["text"] for m in api.sent(STAFF)), topic
    api.send_text(user, "still open?", language_code="en")
    assert api.wait_for(lambda: len(copies_from(api, user)) == 2)


def test_a_redis_restart_mid_case_loses_and_repeats_nothing(api: FakeBotAPI, tmp_path, bot_factory):
    redis = RedisServer(tmp_path, persistent=True).start()
    bot = bot_factory(redis.url, SAQBOL_STAFF_CHAT_ID=str(STAFF))
    try:
        user = USER + 15
        open_anonymous_case(api, bot, user)
        sent = [api.message_id_of(api.send_text(user, "before the restart", language_code="en"))]
        assert api.wait_for(lambda: len(copies_from(api, user)) == 1)
        thread = int(copies_from(api, user)[0]["message_thread_id"])
        redis.stop()  # killed: only the append-only file remains
        sent.append(api.message_id_of(api.send_text(user, "while Redis is down", language_code="en")))
        time.sleep(1.5)
        redis.start()
        sent.append(api.message_id_of(api.send_text(user, "after the restart", language_code="en")))
        assert api.wait_for(lambda: len(copies_from(api, user)) >= 3, timeout=60), bot.output()[-3000:]
        time.sleep(1)
        assert [int(c["message_id"]) for c in copies_from(api, user)] == sent  # all, once, in order
        assert not any(m["text"].startswith(("⚪", "🔴", "🟠", "🟢")) for m in api.sent(user))  # no menu answers
        api.staff_says(STAFF, thread, "/claim")
        api.staff_says(STAFF, thread, "we see all three messages")
        assert api.wait_for(lambda: len(copies_to(api, user)) == 1), bot.output()[-2000:]
        assert any(m["text"] == translator("en")("A person from the hotline has joined the chat.")
                   for m in api.sent(user))
    finally:
        bot.stop()
        redis.stop()


def test_messages_sent_during_telegram_flood_control_wait_in_the_outbox(api: FakeBotAPI, redis_server, bot_factory):
    """Telegram answers 429 (retry after N s) for a while: the user's messages are queued in Redis at once (not
    held in the worker's memory), then delivered after the pause, once each and in order."""
    import redis as redis_client

    user = USER + 16
    bot = bot_factory(redis_server.url, SAQBOL_STAFF_CHAT_ID=str(STAFF))
    open_anonymous_case(api, bot, user)
    api.flood_until = time.monotonic() + 3.0
    sent = [api.message_id_of(api.send_text(user, f"message {n} during the pause", language_code="en"))
            for n in range(3)]
    client = redis_client.Redis.from_url(redis_server.url, decode_responses=True)
    try:
        queued = lambda: sum(client.xlen(k) for k in client.scan_iter(match="saq:{case:*}:outbox"))  # noqa: E731
        deadline = time.monotonic() + 2.5
        while queued() < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert queued() == 3 and not copies_from(api, user)  # all three durably queued while Telegram refuses
        assert api.wait_for(lambda: len(copies_from(api, user)) == 3, timeout=30), bot.output()[-2000:]
        time.sleep(0.5)
        assert [int(c["message_id"]) for c in copies_from(api, user)] == sent and queued() == 0
    finally:
        client.close()
