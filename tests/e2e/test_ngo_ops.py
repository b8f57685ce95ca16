"""Scam reports, alerts and statistics end to end: real `saqbol run`, a real redis-server, the fake Bot API."""

from __future__ import annotations

import hashlib
import json
import re
import time

import redis

from bot.telegram.bridge import user_key

from .conftest import BotProcess
from .test_admin import ADMIN, button_data, content_copy

TOKEN = "123456:TEST-TOKEN"  # what BotProcess runs with
SCAM = ("Работа в Корее на заводе, зарплата 3000$. Оплата визы 400$ заранее. Пишите в телеграм @korea_fast_jobs "
        "или звоните +998 90 123 45 67.")
LATER = "Hi! Factory jobs in Korea, call +998901234567 today, 2500$ a month."


def start(api, user: int, lang: str = "en") -> int:
    api.send_text(user, "/start", language_code=lang)
    api.press(user, f"lang:{lang}")
    return len(api.wait_sent(user, 3))


def said(api, user: int, n: int, timeout: float = 60) -> str:
    sent = api.wait_sent(user, n, timeout=timeout)
    assert len(sent) >= n, [p["text"][:150] for p in sent]
    return sent[n - 1]["text"]


def test_report_is_reviewed_and_then_warns_the_next_person(api, redis_server, bot_factory, tmp_path):
    content = content_copy(tmp_path)
    bot_factory(redis_server.url, SAQBOL_ADMIN_IDS=str(ADMIN), SAQBOL_CONTENT_DIR=str(content))
    reporter, later_user = 910001, 910002
    n = start(api, reporter)
    api.send_text(reporter, SCAM, language_code="en")
    n += 2  # the verdict, then "which country?" is not asked: Korea is in the text
    verdict = said(api, reporter, n - 1)
    assert verdict.startswith("🔴") and "reported" not in verdict.lower()
    api.press(reporter, button_data(api, reporter, "report:ask"))
    consent = said(api, reporter, n)
    assert "@korea_fast_jobs" in consent and "+998901234567" in consent
    api.press(reporter, "report:send")
    n += 1
    assert "Thank you" in said(api, reporter, n)

    a = start(api, ADMIN)
    api.send_text(ADMIN, "/reports", language_code="en")
    a += 1
    review = said(api, ADMIN, a)
    assert "Reports waiting: 1" in review and "@korea_fast_jobs" in review and str(reporter) not in review
    api.press(ADMIN, button_data(api, ADMIN, "adm:rok:"))
    a += 1
    assert "Approved: 2 new entries" in said(api, ADMIN, a)  # the phone and the channel
    saved = (content / "warnings" / "reported.yml").read_text(encoding="utf-8")
    assert "+998901234567" in saved and "@korea_fast_jobs" in saved

    m = start(api, later_user)
    api.send_text(later_user, LATER, language_code="en")
    warned = said(api, later_user, m + 1)
    assert warned.startswith("🔴") and "Other people reported this contact" in warned

    # Statistics: counted, and no user identifier anywhere in them.
    r = redis.Redis.from_url(redis_server.url, decode_responses=True)
    secret = hashlib.sha256(b"saqbol-user-key:" + TOKEN.encode()).digest()
    people = {str(u) for u in (reporter, later_user, ADMIN)} | {user_key(secret, u) for u in (reporter, later_user, ADMIN)}
    stats_keys = [k for k in r.scan_iter("saq:stats:*")]
    assert stats_keys
    for k in stats_keys:
        blob = k + json.dumps(r.hgetall(k))
        assert not any(p in blob for p in people), blob
        assert int(r.hget(k, "report:received")) == 1 and int(r.hget(k, "checks")) >= 2
    for k in r.scan_iter("saq:report*"):  # the review queue names no one either
        blob = k + json.dumps(r.lrange(k, 0, -1) if r.type(k) == "list" else r.get(k))
        assert not any(p in blob for p in people), blob
    for k in r.scan_iter("*"):  # raw Telegram ids are never used as keys
        assert not any(re.search(rf"\b{p}\b", k) for p in map(str, (reporter, later_user, ADMIN))), k


def test_broadcast_resumes_after_a_crash_without_double_sending(api, redis_server, bot_factory, tmp_path):
    content = content_copy(tmp_path)
    env = {"SAQBOL_ADMIN_IDS": str(ADMIN), "SAQBOL_CONTENT_DIR": str(content)}
    first = bot_factory(redis_server.url, **env)
    subscribers = list(range(920001, 920061))
    for u in subscribers:
        api.send_text(u, "/start", language_code="en")
        api.press(u, "lang:en")
        api.send_text(u, "/alerts", language_code="en")
        api.press(u, "alerts:on")
    for u in subscribers:
        assert "Done" in said(api, u, 5, timeout=120)
    a = start(api, ADMIN)
    api.send_text(ADMIN, "/broadcast all all", language_code="en")
    api.send_text(ADMIN, "Fake 'Korea Dream' agency asks for visa fees: do not pay.", language_code="en")
    a += 2
    assert "60 subscribers" in said(api, ADMIN, a)
    api.press(ADMIN, button_data(api, ADMIN, "adm:bcgo:"))

    def delivered() -> dict[int, int]:
        got: dict[int, int] = {}
        for p in api.sent():
            if "Korea Dream" in p["text"] and int(p["chat_id"]) in subscribers:
                got[int(p["chat_id"])] = got.get(int(p["chat_id"]), 0) + 1
        return got
    deadline = time.monotonic() + 60
    while len(delivered()) < 15 and time.monotonic() < deadline:
        time.sleep(0.05)
    first.proc.kill()  # a crash in the middle of the broadcast
    first.proc.wait()
    at_crash = len(delivered())
    assert 15 <= at_crash < 60, at_crash

    bot_factory(redis_server.url, **env)  # a new worker takes the broadcast over
    deadline = time.monotonic() + 90
    while len(delivered()) < 59 and time.monotonic() < deadline:
        time.sleep(0.2)
    got = delivered()
    assert max(got.values()) == 1, "someone got the warning twice"
    assert len(got) >= 59  # at most the one message in flight at the crash is skipped, never repeated
    assert all("/alerts" in p["text"] for p in api.sent() if "Korea Dream" in p["text"]
               and int(p["chat_id"]) in subscribers)  # every warning says how to stop them


def test_handoffs_are_counted_opened_replied_and_closed_without_anyone_in_the_counts(api, redis_server, bot_factory):
    from bot.storage.base import today

    from .test_handoff import STAFF, copies_to, open_anonymous_case

    user = 930001
    bot = bot_factory(redis_server.url, SAQBOL_STAFF_CHAT_ID=str(STAFF))
    open_anonymous_case(api, bot, user)
    thread = int(api.wait_sent(STAFF, 1)[0]["message_thread_id"])  # the case card opens the topic
    api.staff_says(STAFF, thread, "/note checking the agency first")  # a note is not a reply
    api.staff_says(STAFF, thread, "Hello, I am here to help.")
    assert api.wait_for(lambda: len(copies_to(api, user)) == 1)
    api.staff_says(STAFF, thread, "Second message")
    assert api.wait_for(lambda: len(copies_to(api, user)) == 2)
    api.send_text(user, "/end", language_code="en")
    r = redis.Redis.from_url(redis_server.url, decode_responses=True)
    assert api.wait_for(lambda: r.hget(f"saq:stats:{today()}", "handoff:closed") == "1"), bot.output()[-2000:]
    day = r.hgetall(f"saq:stats:{today()}")
    assert day["handoff:opened"] == "1" and day["handoff:reason:other"] == "1"
    assert day["handoff:first_reply_n"] == "1" and 0 <= int(day["handoff:first_reply_s"]) < 120  # only the first
    assert not any(str(user) in k or str(user) in v for k, v in day.items())
