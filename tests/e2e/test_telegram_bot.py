"""The real bot (`saqbol run`, python-telegram-bot's HTTP stack) against a fake Bot API and a real redis-server."""

from __future__ import annotations

import json

from .fakebotapi import FakeBotAPI

SCAM = "Работа в Корее! Оплата визы 500$ заранее, паспорт сдаёте работодателю на хранение. Пишите @korea_job"
USER = 777001


def buttons(msg: dict) -> list[str]:
    markup = msg.get("reply_markup")
    if not markup:
        return []
    markup = json.loads(markup) if isinstance(markup, str) else markup
    return [b["callback_data"] for row in markup["inline_keyboard"] for b in row]


def test_conversation_survives_restart_and_redis_outage(api: FakeBotAPI, redis_server, bot_factory):
    bot = bot_factory(redis_server.url)
    api.send_text(USER, "/start", language_code="kk")
    sent = api.wait_sent(USER, 1, timeout=60)
    assert sent, bot.output()[-3000:]
    assert "lang:kk" in buttons(sent[0]), sent[0]

    api.press(USER, "lang:kk")
    sent = api.wait_sent(USER, 3)
    assert "menu:check" in buttons(sent[-1])

    api.send_text(USER, SCAM, language_code="kk")
    sent = api.wait_sent(USER, 4)
    assert sent[3]["text"].startswith("🔴") and "Жоғары қауіп" in sent[3]["text"]
    assert sent[3].get("parse_mode") == "HTML"

    # A restart mid-conversation: the new process continues in Kazakh from the state kept in Redis.
    bot.stop()
    bot = bot_factory(redis_server.url)
    api.press(USER, "menu:rights")
    sent = api.wait_sent(USER, 5, timeout=60)
    assert "dest:KZ" in buttons(sent[4]), bot.output()[-2000:]

    # Telegram redelivers an update after a restart: it is answered only once.
    uid = api.send_text(USER, "/hotlines", language_code="kk")
    sent = api.wait_sent(USER, 6)
    api.send_text(USER, "/hotlines", language_code="kk", update_id=uid)
    api.send_text(USER, "/menu", language_code="kk")
    sent = api.wait_sent(USER, 7)
    assert len(sent) == 7 and "menu:check" in buttons(sent[6])

    # Redis dies: checks still answered, with a notice, and nothing crashes.
    redis_server.stop()
    api.send_text(USER, SCAM, language_code="kk")
    sent = api.wait_sent(USER, 9, timeout=30)
    assert any(m["text"].startswith("🔴") for m in sent[7:]), bot.output()[-2000:]
    assert bot.proc.poll() is None


def test_stickers_groups_and_unknown_commands_get_answers(api: FakeBotAPI, bot_factory):
    bot = bot_factory(None)  # no Redis configured: the in-memory store
    api.send_text(USER + 1, "/start", language_code="en")
    assert api.wait_sent(USER + 1, 1, timeout=60), bot.output()[-3000:]
    api.press(USER + 1, "lang:en")
    api.wait_sent(USER + 1, 3)
    api.send_sticker(USER + 1)
    api.send_text(USER + 1, "/frobnicate", language_code="en")
    sent = api.wait_sent(USER + 1, 5)
    assert len(sent) >= 5 and all(m["text"].strip() for m in sent)


def test_logs_hold_no_message_text_or_user_id(api: FakeBotAPI, redis_server, bot_factory):
    bot = bot_factory(redis_server.url)
    api.send_text(USER + 2, "/start", language_code="ru")
    api.wait_sent(USER + 2, 1, timeout=60)
    api.press(USER + 2, "lang:ru")
    api.send_text(USER + 2, SCAM, language_code="ru")
    api.wait_sent(USER + 2, 4)
    bot.stop()
    log = bot.output()
    assert str(USER + 2) not in log and "korea_job" not in log and "TEST-TOKEN" not in log
